// The integration suite in desktop VS Code, through @vscode/test-electron, for machines that have VS Code.
// Without --code (or $VSCODE_EXECUTABLE), @vscode/test-electron downloads VS Code from Microsoft, which needs
// internet access; on machines without it, use `npm run test:integration` (code-server) instead.
//   npm run test:electron -- --code /usr/share/code/code
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { code: { type: 'string' } } });
const vscodeExecutablePath = values.code ?? process.env.VSCODE_EXECUTABLE;

try {
  await runTests({
    ...(vscodeExecutablePath ? { vscodeExecutablePath } : {}),
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
    launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
  });
} catch (err) {
  console.error(`Integration tests in desktop VS Code failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
