import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {
  FetchPort,
  ToolDefinition,
  ToolPlan,
  ToolProgress,
  ToolResult,
  ToolRunContext,
  WorkspacePort,
} from '../../../src/core/tools/toolTypes';
import { BlobStore } from '../../../src/db/blobs';
import { nodeFs } from '../../../src/db/fsPort';
import { createNodeWorkspace } from '../../../src/node/nodeWorkspace';
import { createOutputStore } from '../../../src/node/outputStore';
import { createProcessCommandPort } from '../../../src/node/processRunner';
import { findRipgrep } from '../../../src/node/ripgrep';

/**
 * A real temp workspace with the tools' ports over plain Node (fs, ripgrep, child processes, blobs), plus a
 * record of what a tool touched, so a test can check that `run` stays within the paths its plan named and awaits
 * `beforeChange` before every write.
 */

const repoRoot = path.resolve(__dirname, '../../../..');

/** The rg that code-server ships (scripts/host installs it into .vscode-test/); a test fails without it. */
export function testRipgrep(): string {
  const appRoot = path.join(repoRoot, '.vscode-test', 'code-server', 'node_modules', 'code-server', 'lib', 'vscode');
  const rg = findRipgrep(appRoot);
  assert.ok(
    rg !== undefined,
    `ripgrep was not found under ${appRoot}: install the test host first (node scripts/host/install.mjs, or npm start once).`,
  );
  return rg;
}

export interface ToolWorld {
  /** The workspace folder (realpath'd). */
  ws: string;
  /** Where blobs and output temp files live. */
  storeDir: string;
  workspace: WorkspacePort;
  blobs: BlobStore;
  context: ToolRunContext;
  /** `op path` for every port call that names a path (realpath excluded: it reads no content). */
  touched: string[];
  progress: string[];
  fetches: Parameters<FetchPort['fetch']>[0][];
  /** Runs plan then run, as the loop does once the plan was allowed. */
  call<A>(tool: ToolDefinition<A>, args: A): Promise<{ plan: ToolPlan; result: ToolResult }>;
  /** Paths touched since the last reset, without the op. */
  touchedPaths(): string[];
  file(relative: string): string;
  dispose(): void;
}

export interface WorldOptions {
  fetcher?: FetchPort;
  workspace?: (base: WorkspacePort) => WorkspacePort;
  /** Delay of beforeChange, to prove it is awaited. */
  beforeChangeMs?: number;
}

export function toolWorld(options: WorldOptions = {}): ToolWorld {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ais-tools-')));
  const ws = path.join(root, 'ws');
  const storeDir = path.join(root, 'store');
  mkdirSync(ws, { recursive: true });
  const touched: string[] = [];
  const progress: string[] = [];
  const fetches: Parameters<FetchPort['fetch']>[0][] = [];
  const base = createNodeWorkspace({ folders: [ws], ripgrep: testRipgrep() });
  const inner = options.workspace ? options.workspace(base) : base;
  const workspace: WorkspacePort = {
    folders: () => inner.folders(),
    isTrusted: () => inner.isTrusted(),
    realpath: (p) => inner.realpath(p),
    stat: (p) => (touched.push(`stat ${p}`), inner.stat(p)),
    readText: (p) => (touched.push(`read ${p}`), inner.readText(p)),
    listFiles: (q, s) => (touched.push(`list ${q.cwd}`), inner.listFiles(q, s)),
    searchText: (q, s) => (touched.push(`search ${q.cwd}`), inner.searchText(q, s)),
    problems: (p) => (touched.push(`problems ${p ?? '*'}`), inner.problems(p)),
    writeText: (p, t) => (touched.push(`write ${p}`), inner.writeText(p, t)),
    deleteFile: (p) => (touched.push(`delete ${p}`), inner.deleteFile(p)),
  };
  const blobs = new BlobStore(nodeFs, path.join(storeDir, 'blobs'));
  const fetcher: FetchPort = options.fetcher ?? {
    fetch: () => Promise.reject(new Error('no fetcher in this test')),
  };
  const context: ToolRunContext = {
    workspace,
    signal: new AbortController().signal,
    callId: 'call-1',
    commands: createProcessCommandPort(),
    fetcher: {
      fetch: (request, signal) => {
        fetches.push(request);
        return fetcher.fetch(request, signal);
      },
    },
    outputs: createOutputStore(blobs, path.join(storeDir, 'tmp')),
    progress: (update: ToolProgress) => progress.push(update.text),
    beforeChange: async (p) => {
      await new Promise((resolve) => setTimeout(resolve, options.beforeChangeMs ?? 0));
      touched.push(`beforeChange ${p}`);
    },
  };
  return {
    ws,
    storeDir,
    workspace,
    blobs,
    context,
    touched,
    progress,
    fetches,
    async call(tool, args) {
      const plan = await tool.plan(args, context);
      const result = await tool.run(args, plan, context);
      return { plan, result };
    },
    touchedPaths: () => touched.map((entry) => entry.slice(entry.indexOf(' ') + 1)),
    file: (relative) => path.join(ws, relative),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Every path `run` touched is one its plan names (a listed folder covers what is under it). */
export function assertWithinPlan(world: ToolWorld, plan: ToolPlan): void {
  const allowed = [...(plan.reads ?? []), ...(plan.writes ?? []), ...(plan.command ? [plan.command.cwd] : [])];
  for (const entry of world.touched) {
    const [op, ...rest] = entry.split(' ');
    const touchedPath = rest.join(' ');
    if (op === 'beforeChange' || touchedPath === '*') {
      continue;
    }
    assert.ok(allowed.includes(touchedPath), `${op} ${touchedPath} is not in the plan (${allowed.join(', ')})`);
  }
}
