// Quick start: builds and packs AI Studio, installs it into a throwaway code-server profile and serves the
// workbench on 127.0.0.1 for a person to open in a browser. Ctrl+C stops the server and everything it started.
//   npm start                          port 8080, this repository as the workspace
//   npm start -- --port 3000 --folder ~/project
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCodeServer } from './host/codeServer.mjs';
import { packageVsix } from './package.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    folder: { type: 'string', default: root },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm start -- [--port N] [--folder PATH]');
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, got "${values.port}"`);
  process.exit(2);
}

const { vsixPath } = packageVsix({ quiet: true });
const profiles = path.join(root, '.vscode-test', 'profiles');
mkdirSync(profiles, { recursive: true });
const profile = mkdtempSync(path.join(profiles, 'start-'));
const folder = path.resolve(values.folder);

let server;
try {
  server = await startCodeServer({ root: profile, port, folder, vsix: [vsixPath] });
} catch (err) {
  rmSync(profile, { recursive: true, force: true });
  const inUse = String(err).includes('EADDRINUSE');
  console.error(inUse ? `Port ${port} is in use; choose another with: npm start -- --port N` : String(err));
  process.exit(1);
}

const url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
console.log(`\nAI Studio is running in VS Code (code-server) at\n\n  ${url}\n\nOpen it in a browser; press Ctrl+C to stop.`);

let stopping = false;
async function stop() {
  if (stopping) {
    return;
  }
  stopping = true;
  console.log('\nStopping…');
  await server.stop();
  rmSync(profile, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
await server.exited.then((reason) => {
  if (!stopping) {
    console.error(`code-server ${reason}\n${server.output()}`);
    process.exit(1);
  }
});
