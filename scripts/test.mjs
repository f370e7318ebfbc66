// Runs AI Studio's tests: typecheck and lint, then the unit, integration and e2e tiers, printing each tier's
// counts and time and, last, one line "N passed, N failed" over all of them.
//   node scripts/test.mjs                 everything
//   node scripts/test.mjs --tier unit     one tier (unit | integration | e2e); repeatable
//   node scripts/test.mjs --no-static     skip typecheck and lint
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tiers } from './testTiers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { parseSummary } = createRequire(import.meta.url)('../test/support/summaryReporter.cjs');
const { values } = parseArgs({ options: { tier: { type: 'string', multiple: true }, 'no-static': { type: 'boolean' } } });
const selected = values.tier ?? tiers.map((tier) => tier.name);
for (const name of selected) {
  if (!tiers.some((tier) => tier.name === name)) {
    console.error(`Unknown tier "${name}"; choose from ${tiers.map((tier) => tier.name).join(', ')}`);
    process.exit(2);
  }
}

/** Runs a command with its output passed through, and returns that output for the summary line. */
function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, output }));
  });
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
async function step(title, command, args) {
  const started = performance.now();
  console.log(`\n== ${title}`);
  const { code } = await run(command, args);
  if (code !== 0) {
    console.error(`\n${title} failed (exit ${code}); no tests were run.\n0 passed, 1 failed`);
    process.exit(1);
  }
  console.log(`${title}: ok in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (!values['no-static']) {
  await step('typecheck', npm, ['run', '--silent', 'typecheck']);
  await step('lint', npm, ['run', '--silent', 'lint']);
}
await step('build', process.execPath, ['esbuild.mjs']);
await step('compile tests', npm, ['run', '--silent', 'compile-tests']);

const results = [];
for (const tier of tiers.filter((t) => selected.includes(t.name))) {
  console.log(`\n== ${tier.name} tier`);
  const started = performance.now();
  const { code, signal, output } = await run(process.execPath, tier.args);
  const summary = parseSummary(output);
  const seconds = (performance.now() - started) / 1000;
  // A tier that died before mocha finished counts as one failure, so a crash can never read as green.
  const passed = summary?.passed ?? 0;
  const failed = summary ? summary.failed + (code !== 0 && summary.failed === 0 ? 1 : 0) : 1;
  if (!summary) {
    console.error(`${tier.name} tier ended without results (exit ${code}${signal ? `, ${signal}` : ''})`);
  }
  results.push({ name: tier.name, passed, failed, seconds });
}

console.log('\n== summary');
for (const r of results) {
  console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed (${r.seconds.toFixed(1)} s)`);
}
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
