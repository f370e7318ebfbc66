// The integration tier: the mocha suite in out/test/integration runs inside code-server's real extension host,
// with this repository as the extension under development (its dist/ bundle, as F5 would load it).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runExtensionTestsInCodeServer } from './host/runExtensionTests.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const code = await runExtensionTestsInCodeServer({
  extensionDevelopmentPath: root,
  extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
  timeoutMs: 5 * 60_000,
});
process.exit(code);
