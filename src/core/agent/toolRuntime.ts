import type { PathContext } from '../policy/pathPolicy';
import type { CommandRule, CommandRules } from '../policy/policyTypes';
import type { CommandPort, FetchPort, OutputStore, ToolDefinition, WorkspacePort } from '../tools/toolTypes';

/**
 * Everything the agent loop needs to act, from outside the pure layers: the built-in tools, the ports they run
 * through, where originals are kept for undo, and the person's own settings (global command rules, hosts fetch may
 * reach). The vscode layer builds one per window; unit tests and the benchmark build one over src/node. A chat
 * service without one has agents that only talk.
 */
export interface ToolRuntime {
  tools: readonly ToolDefinition[];
  workspace: WorkspacePort;
  commands: CommandPort;
  fetcher: FetchPort;
  outputs: OutputStore;
  blobs: {
    put(content: Uint8Array): Promise<{ hash: string; size: number }>;
    get(hash: string): Promise<Uint8Array>;
  };
  /** Protected paths beyond the workspace's own (AI Studio's settings and storage), and the home folder. */
  pathExtras(): Pick<PathContext, 'extraProtected' | 'home' | 'platform'>;
  /** The person's own command rules (user settings), judged together with the agent's: any deny wins. */
  globalCommandRules(): CommandRules;
  parseRule(text: string): CommandRule | undefined;
}
