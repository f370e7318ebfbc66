import os from 'node:os';
import path from 'node:path';
import type { ToolRuntime } from '../core/agent/toolRuntime';
import { parseRule } from '../core/policy/commandPolicy';
import type { CommandRules } from '../core/policy/policyTypes';
import { builtinTools } from '../core/tools/builtinTools';
import type { CommandPort, WorkspacePort } from '../core/tools/toolTypes';
import { nodeFs } from '../db/fsPort';
import { BlobStore } from '../db/blobs';
import { createHttpFetcher, type HttpFetcherOptions } from './httpFetcher';
import { createOutputStore } from './outputStore';
import { createProcessCommandPort } from './processRunner';

/**
 * A ToolRuntime over plain Node: the built-in tools, a workspace (src/node/nodeWorkspace or the editor's), child
 * processes for commands, the guarded HTTP fetcher, and blobs in a folder. The unit tests and bench:agent use it
 * as it is; the extension swaps in the editor's workspace and terminal.
 */
export interface NodeToolRuntimeOptions {
  workspace: WorkspacePort;
  blobsDir: string;
  /** Where outputs stream to before they become blobs. */
  tempDir?: string;
  commands?: CommandPort;
  fetch?: HttpFetcherOptions;
  allowedHosts?: () => readonly string[];
  globalRules?: () => CommandRules;
  extraProtected?: () => readonly string[];
}

export function createNodeToolRuntime(options: NodeToolRuntimeOptions): ToolRuntime {
  const blobs = new BlobStore(nodeFs, options.blobsDir);
  const allowedHosts = options.allowedHosts ?? (() => []);
  return {
    tools: builtinTools({ fetchAllowedHosts: allowedHosts }),
    workspace: options.workspace,
    commands: options.commands ?? createProcessCommandPort(),
    fetcher: createHttpFetcher(options.fetch),
    outputs: createOutputStore(blobs, options.tempDir ?? path.join(options.blobsDir, '..', 'outputs-tmp')),
    blobs,
    pathExtras: () => ({ extraProtected: options.extraProtected?.() ?? [], home: os.homedir() }),
    globalCommandRules: () => options.globalRules?.() ?? { allow: [], deny: [] },
    parseRule,
  };
}
