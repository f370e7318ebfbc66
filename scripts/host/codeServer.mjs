// Starts a throwaway code-server (real VS Code 1.139.1 server) on 127.0.0.1 for tests.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureHost } from './install.mjs';
import { groupAlive, killGroup, killGroupOnExit } from './procGroup.mjs';
import { freePort, pipeLines, runToExit, waitReady } from './serverUtil.mjs';

/** User settings that keep startup quiet and offline: no welcome page, walkthroughs, chat, tips. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'git.autofetch': false,
  'json.schemaDownload.enable': false,
  'npm.fetchOnlinePackageInfo': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'window.restoreWindows': 'none',
};

// The extension host's sockets (vscode-ipc-<uuid>.sock, ~52 bytes) live in TMPDIR and a
// socket path may not exceed 107 bytes; longer roots get a short mkdtemp under /tmp instead.
const MAX_TMPDIR_LENGTH = 40;

/**
 * @typedef {object} CodeServerOptions
 * @property {string} [root] throwaway folder for all state (created; default: a new temp dir)
 * @property {number} [port] 0/undefined = pick a free port on 127.0.0.1
 * @property {string} [folder] workspace folder to open
 * @property {string[]} [vsix] .vsix files to install before starting
 * @property {boolean} [smokeTestDriver] enable VS Code's smoke-test driver (needed to run extension tests from a URL payload)
 * @property {(line: string) => void} [log] receives each line of server output
 * @property {Record<string, unknown>} [settings] extra user settings, merged over QUIET_SETTINGS
 * @property {string[]} [extraArgs] more code-server flags
 * @property {number} [timeoutMs] readiness timeout (default 60 s)
 * @property {NodeJS.ProcessEnv} [env] extra environment for the server
 */

/**
 * Starts code-server and resolves once it serves the workbench.
 * @param {CodeServerOptions} [opts]
 */
export async function startCodeServer(opts = {}) {
  const { nodeBin, nodeDir, codeServerBin } = await ensureHost();
  const root = path.resolve(opts.root ?? mkdtempSync(path.join(os.tmpdir(), 'ais-host-')));
  const userDataDir = path.join(root, 'user');
  const extensionsDir = path.join(root, 'extensions');
  const config = path.join(root, 'config.yaml');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2));
  // Our own config file, or code-server writes one with a random password.
  writeFileSync(config, 'auth: none\ncert: false\n');

  let tmpDir = path.join(root, 'tmp');
  const ownTmp = tmpDir.length > MAX_TMPDIR_LENGTH;
  if (ownTmp) tmpDir = mkdtempSync('/tmp/ais-');
  for (const d of ['tmp', 'xdg/config', 'xdg/data', 'xdg/cache']) mkdirSync(path.join(root, d), { recursive: true });

  /** @type {NodeJS.ProcessEnv} */
  const env = Object.fromEntries(Object.entries(process.env)
    // A parent VS Code's variables (e.g. VSCODE_IPC_HOOK_CLI) would make code-server hand
    // the request to that instance instead of starting its own.
    .filter(([k]) => !k.startsWith('VSCODE_')));
  Object.assign(env, {
    // Anything code-server spawns that calls `node` (terminals, tasks) gets Node 24 too.
    PATH: `${nodeDir}${path.delimiter}${process.env.PATH}`,
    XDG_CONFIG_HOME: path.join(root, 'xdg/config'),
    XDG_DATA_HOME: path.join(root, 'xdg/data'),
    XDG_CACHE_HOME: path.join(root, 'xdg/cache'),
    TMPDIR: tmpDir,
    // No extension gallery: otherwise the workbench queries open-vsx.org (unreachable here)
    // and logs errors into the test output.
    EXTENSIONS_GALLERY: '{}',
  }, opts.env);
  const dirFlags = ['--config', config, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    // Defaults to USER_DATA_DIR/code-server-ipc.sock, which breaks the 107-byte limit for long roots.
    '--session-socket', path.join(tmpDir, 'cs.sock')];
  const tail = /** @type {string[]} */ ([]);
  /** @param {string} line */
  const onLine = (line) => {
    tail.push(line);
    if (tail.length > 60) tail.shift();
    opts.log?.(line);
  };

  const removeTmp = () => { if (ownTmp) rmSync(tmpDir, { recursive: true, force: true }); };

  if (opts.vsix?.length) {
    const args = opts.vsix.flatMap((v) => ['--install-extension', path.resolve(v)]);
    const code = await runToExit(nodeBin, [codeServerBin, ...dirFlags, ...args], env, onLine);
    if (code !== 0) {
      removeTmp();
      throw new Error(`installing ${opts.vsix.join(', ')} failed (exit ${code}):\n${tail.join('\n')}`);
    }
  }

  const flags = ['--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', ...dirFlags,
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []), ...(opts.extraArgs ?? []),
    ...(opts.folder ? [path.resolve(opts.folder)] : [])];

  // A port we picked can be taken between picking and binding: retry on EADDRINUSE.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(nodeBin, [codeServerBin, '--bind-addr', `127.0.0.1:${port}`, ...flags],
      { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pgid = /** @type {number} */ (child.pid);
    killGroupOnExit(pgid);
    const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve(`exited (${sig ?? code})`)));
    pipeLines(child, onLine);
    const stop = async () => {
      await killGroup(pgid);
      removeTmp();
    };
    try {
      await waitReady(url, exited, opts.timeoutMs ?? 60_000);
    } catch (err) {
      await killGroup(pgid);
      const inUse = tail.some((l) => l.includes('EADDRINUSE'));
      if (inUse && !opts.port && attempt < 3) continue;
      removeTmp();
      throw new Error(`code-server did not become ready at ${url}: ${/** @type {Error} */ (err).message}\n` +
        `--- last server output ---\n${tail.join('\n')}`, { cause: err });
    }
    return {
      url, port, root, userDataDir, extensionsDir, pid: pgid,
      /** @param {string} id `publisher.name`; VS Code lowercases it for the folder name */
      globalStorageDir: (id) => path.join(userDataDir, 'User', 'globalStorage', id.toLowerCase()),
      /** Last lines of server output, for error messages. */
      output: () => tail.join('\n'),
      alive: () => groupAlive(pgid),
      /** Resolves with a reason when the server process exits. */
      exited,
      stop,
    };
  }
}
