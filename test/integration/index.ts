import { readdirSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

/**
 * The integration suite's entry point, loaded by VS Code's extension test runner inside a real extension host
 * (code-server's, through scripts/host/runExtensionTests.mjs, or desktop VS Code's, through @vscode/test-electron).
 */
export async function run(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the reporter is a CommonJS file beside the tests
  const reporter = require(path.resolve(__dirname, '../../../test/support/summaryReporter.cjs')) as typeof Mocha.reporters.Base;
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter });
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
