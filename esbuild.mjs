// Builds the extension host bundle and the webview bundles, and copies the runtime assets they load.
//   node esbuild.mjs               development build (sourcemaps)
//   node esbuild.mjs --production  minified build, as packaged into the .vsix
//   node esbuild.mjs --watch       rebuild on change
import * as esbuild from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const dist = path.join(root, 'dist');

/** Files the bundles load at run time rather than import. */
const assets = [
  ['node_modules/sql.js/dist/sql-wasm.wasm', 'sql-wasm.wasm'],
  // tree-sitter and its bash grammar, for the command policy (src/core/policy/commandParser.ts loads them from here).
  ['node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter.wasm', 'tree-sitter.wasm'],
  ['node_modules/@vscode/tree-sitter-wasm/wasm/tree-sitter-bash.wasm', 'tree-sitter-bash.wasm'],
  ['node_modules/@vscode/codicons/dist/codicon.css', 'webview/codicons/codicon.css'],
  ['node_modules/@vscode/codicons/dist/codicon.ttf', 'webview/codicons/codicon.ttf'],
];

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

/** @type {import('esbuild').BuildOptions} */
const host = {
  ...common,
  // The checkpoint worker is its own bundle: worker_threads load it from a file.
  entryPoints: { extension: 'src/extension.ts', checkpointWorker: 'src/db/checkpointWorker.ts' },
  outdir: dist,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
};

/** @type {import('esbuild').BuildOptions} */
const webviews = {
  ...common,
  entryPoints: { overview: 'webview-ui/src/overview/main.ts', chat: 'webview-ui/src/chat/main.ts', agentEditor: 'webview-ui/src/agentEditor/main.ts', inspector: 'webview-ui/src/inspector/main.ts', results: 'webview-ui/src/results/main.ts' },
  outdir: path.join(dist, 'webview'),
  platform: 'browser',
  format: 'iife',
  target: 'chrome120',
  tsconfig: 'webview-ui/tsconfig.json',
};

async function copyAssets() {
  for (const [from, to] of assets) {
    const target = path.join(dist, to);
    await mkdir(path.dirname(target), { recursive: true });
    await cp(path.join(root, from), target);
  }
}

const started = performance.now();
await rm(dist, { recursive: true, force: true });
await copyAssets();
if (watch) {
  const contexts = await Promise.all([esbuild.context(host), esbuild.context(webviews)]);
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('[watch] building AI Studio; press Ctrl+C to stop');
} else {
  await Promise.all([esbuild.build(host), esbuild.build(webviews)]);
  console.log(`built dist/ (${production ? 'production' : 'development'}) in ${Math.round(performance.now() - started)} ms`);
}
