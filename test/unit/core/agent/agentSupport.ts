import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ToolRuntime } from '../../../../src/core/agent/toolRuntime';
import type { JsonValue } from '../../../../src/db/repositories/rows';
import { createNodeToolRuntime } from '../../../../src/node/nodeToolRuntime';
import { createNodeWorkspace } from '../../../../src/node/nodeWorkspace';
import { findRipgrep } from '../../../../src/node/ripgrep';
import type { ChatChange } from '../../../../src/core/chat/chatTypes';
import type { PendingView } from '../../../../src/protocol/chatTools';
import { nextChange, type Harness } from '../chat/chatHarness';

/** A real temporary workspace with a failing test, and a tool runtime over it (child processes, real files). */
export interface AgentWorkspace {
  root: string;
  folder: string;
  runtime: ToolRuntime;
  trusted: { value: boolean };
  cleanup(): void;
}

export const BUGGY_CALC = 'exports.add = (a, b) => a - b;\n';
export const FIXED_CALC = 'exports.add = (a, b) => a + b;\n';
export const TEST_JS = "const { add } = require('./calc');\nif (add(2, 3) !== 5) { console.log('FAIL: add(2, 3) = ' + add(2, 3)); process.exit(1); }\nconsole.log('PASS');\n";

const repoRoot = path.resolve(__dirname, '../../../../..');

/** The ripgrep code-server ships (installed by scripts/host/install.mjs, which .ci/run runs before the tests). */
export function testRipgrep(): string {
  const appRoot = path.join(repoRoot, '.vscode-test/code-server/node_modules/code-server/lib/vscode');
  const rg = findRipgrep(appRoot);
  if (rg === undefined) {
    throw new Error(`ripgrep was not found under ${appRoot}: run \`node scripts/host/install.mjs\` first`);
  }
  return rg;
}

export function openAgentWorkspace(files: Record<string, string> = {}): AgentWorkspace {
  return openAgentWorkspaceAt(mkdtempSync(path.join(os.tmpdir(), 'ais-agent-')), files);
}

/** The same workspace in a folder of the caller's (a second process opens the one the first made). */
export function openAgentWorkspaceAt(root: string, files: Record<string, string> = {}): AgentWorkspace {
  const folder = path.join(root, 'ws');
  mkdirSync(folder, { recursive: true });
  const all = { 'calc.js': BUGGY_CALC, 'test.js': TEST_JS, ...files };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    if (!existsSync(path.join(folder, name))) {
      writeFileSync(path.join(folder, name), text);
    }
  }
  const trusted = { value: true };
  const inner = createNodeWorkspace({ folders: [folder], trusted: true, ripgrep: testRipgrep() });
  // Workspace Trust as a switch the test can flip.
  const workspace = { ...inner, isTrusted: () => trusted.value };
  const runtime = createNodeToolRuntime({ workspace, blobsDir: path.join(root, 'blobs'), tempDir: path.join(root, 'tmp') });
  return { root, folder, runtime, trusted, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Every built-in tool with the defaults: reads auto, edits/commands/fetch ask. */
export function defaultTools(overrides: Record<string, JsonValue> = {}): JsonValue[] {
  const modes: Record<string, string> = {
    read_file: 'auto',
    list_files: 'auto',
    search_text: 'auto',
    get_problems: 'auto',
    read_output: 'auto',
    replace_in_file: 'ask',
    write_file: 'ask',
    run_command: 'ask',
    fetch_url: 'ask',
  };
  return Object.entries(modes).map(([name, mode]): JsonValue => overrides[name] ?? { name, mode });
}

/** The next pending question of the session not in `answered` (waits for it), and marks it answered. */
export async function nextPending(harness: Harness, kind?: PendingView['kind'], answered: Set<string> = defaultAnswered(harness)): Promise<PendingView> {
  const pick = (change: ChatChange) =>
    change.event.method === 'chat/pending' ? change.event.params.pending.find((p) => (kind === undefined || p.kind === kind) && !answered.has(p.id)) : undefined;
  const seen = harness.changes.map(pick).find((p) => p !== undefined);
  const pending = seen ?? pick(await nextChange({ ...harness, changes: [] }, (change) => pick(change) !== undefined, 15_000));
  if (!pending) {
    throw new Error('no pending question');
  }
  answered.add(pending.id);
  return pending;
}

const answeredByHarness = new WeakMap<Harness, Set<string>>();

function defaultAnswered(harness: Harness): Set<string> {
  let answered = answeredByHarness.get(harness);
  if (answered === undefined) {
    answered = new Set();
    answeredByHarness.set(harness, answered);
  }
  return answered;
}
