import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

/**
 * The layer rules are only worth having if a violation actually fails lint. Each case writes a small file into
 * the layer it tests, lints it with the project's real config, and removes it again.
 */

const repoRoot = path.resolve(__dirname, '../../..');

async function lintProbe(relativePath: string, source: string): Promise<string[]> {
  const file = path.join(repoRoot, relativePath);
  // A layer may have no files yet (git keeps no empty folders): create it for the probe and remove it after.
  const folder = path.dirname(file);
  const createdFolder = !existsSync(folder);
  mkdirSync(folder, { recursive: true });
  writeFileSync(file, source);
  try {
    const eslint = new ESLint({ cwd: repoRoot });
    const [result] = await eslint.lintFiles([file]);
    return result!.messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
  } finally {
    rmSync(createdFolder ? folder : file, { recursive: true, force: true });
  }
}

const restricted = '@typescript-eslint/no-restricted-imports';

describe('layer rules', function () {
  // Type-aware linting starts a TypeScript program; on a 2-core machine that takes a few seconds.
  this.timeout(60_000);

  for (const layer of ['core', 'db', 'llm', 'protocol', 'node']) {
    it(`fail lint when src/${layer} imports vscode at run time`, async () => {
      const messages = await lintProbe(
        `src/${layer}/lintProbe.generated.ts`,
        "import * as vscode from 'vscode';\nexport const probe = vscode.version;\n",
      );
      assert.ok(messages.some((m) => m.startsWith(restricted)), messages.join('\n'));
    });
  }

  it('fail lint when src/core touches the file system or starts a process itself', async () => {
    const messages = await lintProbe('src/core/lintProbe.generated.ts', "import { readFileSync } from 'node:fs';\nexport const probe = readFileSync;\n");
    assert.ok(messages.some((m) => m.startsWith(restricted)), messages.join('\n'));
    const spawned = await lintProbe('src/core/lintProbe.generated.ts', "import { spawn } from 'child_process';\nexport const probe = spawn;\n");
    assert.ok(spawned.some((m) => m.startsWith(restricted)), spawned.join('\n'));
  });

  it('allow a type-only vscode import in a pure layer', async () => {
    const messages = await lintProbe(
      'src/core/lintProbe.generated.ts',
      "import type * as vscode from 'vscode';\nexport type Probe = vscode.Disposable;\n",
    );
    assert.deepEqual(messages, []);
  });

  it('fail lint when a webview imports runtime code from the extension sources', async () => {
    const messages = await lintProbe(
      'webview-ui/src/lintProbe.generated.ts',
      "import { overviewRequests } from '../../src/protocol/overview';\nexport const probe = overviewRequests;\n",
    );
    assert.ok(messages.some((m) => m.startsWith(restricted)), messages.join('\n'));
  });

  it('fail lint on a floating promise', async () => {
    const messages = await lintProbe(
      'src/core/lintProbe.generated.ts',
      'async function work(): Promise<void> {}\nexport function probe(): void {\n  work();\n}\n',
    );
    assert.ok(messages.some((m) => m.startsWith('@typescript-eslint/no-floating-promises')), messages.join('\n'));
  });
});
