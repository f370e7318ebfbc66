import type { AgentVersion } from '../../db/repositories/agents';
import type { JsonValue } from '../../db/repositories/rows';
import type { ToolSpec } from '../../llm/types';
import type { Decision, PendingView } from '../../protocol/chatTools';
import type { ChatEmitter } from '../chat/chatEmitter';
import type { ChatRepositories } from '../chat/chatRepositories';
import { ChatRequestError } from '../chat/chatTypes';
import { asRecord } from '../jsonFields';
import type { ToolDefinition } from '../tools/toolTypes';
import { readAgentTools, type AgentToolSettings, type TurnLimits } from './agentTools';
import type { AgentContext } from './agentTurn';
import { ApprovalBroker } from './approvals';
import type { ToolRuntime } from './toolRuntime';
import { planUndo, type UndoFile } from './undo';
import { applyUndo } from './undoApply';
import { FileOriginals } from './undoOriginals';
import { decodeText, FILE_ORIGINAL_EVENT, readOriginalPayload } from './undoRecords';

/**
 * The chat service's agent side: which tools an agent version has in this window, the questions turns wait on
 * (one broker for every session), "Approve for this session" memory, undo and the diffs of what a turn changed.
 * Without a ToolRuntime (a window or test that cannot act) agents only talk and there is nothing to undo.
 */
export type EnabledTools = Map<string, { tool: ToolDefinition; mode: 'ask' | 'auto' }>;

export class SessionAgents {
  readonly broker: ApprovalBroker;
  /** What agent turns act with; undefined when agents only talk. */
  readonly context: AgentContext | undefined;
  private readonly sessionApprovals = new Map<string, Set<string>>();

  constructor(
    private readonly repos: ChatRepositories,
    emitter: ChatEmitter,
    newId: () => string,
    private readonly tools: ToolRuntime | undefined,
  ) {
    this.broker = new ApprovalBroker(newId, (sessionId, pending: PendingView[]) => emitter.emit(sessionId, { method: 'chat/pending', params: { pending } }));
    this.context =
      tools === undefined
        ? undefined
        : {
            broker: this.broker,
            runtime: tools,
            sessionApprovals: (sessionId) => this.approvalsOf(sessionId),
            originals: (sessionId, turnId, messageId) =>
              new FileOriginals({ store: repos.store, events: repos.events, blobs: tools.blobs, workspace: tools.workspace, sessionId, turnId, messageId }),
          };
  }

  /** Answers a question the session's turn waits on (an approval, a limit); refused unless it is pending. */
  decide(sessionId: string, pendingId: string, decision: Decision, reason?: string): void {
    try {
      this.broker.decide(sessionId, pendingId, { decision, ...(reason === undefined ? {} : { reason }) });
    } catch (err) {
      throw new ChatRequestError(err instanceof Error ? err.message : String(err));
    }
  }

  /** The tools an agent version has here: on in the version, known to this window, and allowed by Workspace Trust. */
  enabledTools(version: AgentVersion): EnabledTools {
    const enabled: EnabledTools = new Map();
    const tools = this.tools;
    if (tools === undefined || version.tools.length === 0) {
      return enabled;
    }
    const settings = readAgentTools(version, (text) => tools.parseRule(text));
    const trusted = tools.workspace.isTrusted();
    for (const tool of tools.tools) {
      const mode = settings.modes.get(tool.name);
      // Restricted Mode: edits and commands are not even offered, so the model does not plan around them.
      if (mode !== undefined && (trusted || (tool.category !== 'edit' && tool.category !== 'command'))) {
        enabled.set(tool.name, { tool, mode });
      }
    }
    return enabled;
  }

  toolSpecs(version: AgentVersion): ToolSpec[] {
    return [...this.enabledTools(version).values()].map(({ tool }) => ({ name: tool.name, description: tool.description, parameters: tool.parameters }));
  }

  /** The version's tool settings; `limits` (a run's budget) replace the version's limits field by field. */
  settingsOf(version: AgentVersion, limits?: Partial<TurnLimits>): AgentToolSettings | undefined {
    const tools = this.tools;
    if (tools === undefined) {
      return undefined;
    }
    const settings = readAgentTools(version, (text) => tools.parseRule(text));
    return limits === undefined ? settings : { ...settings, limits: overLimits(settings.limits, limits) };
  }

  /**
   * Restores the files the agent changed in the turn of `messageId` (or since it), exactly those: created files
   * are deleted, changed ones get their original text, and a file changed since by someone else is restored only
   * if `resolveConflicts` says so.
   */
  async undo(sessionId: string, messageId: string, scope: 'turn' | 'since', resolveConflicts: (files: UndoFile[]) => Promise<Set<string>>): Promise<{ restored: number; skipped: number }> {
    const tools = this.tools;
    if (tools === undefined) {
      throw new ChatRequestError('Agents cannot change files in this window, so there is nothing to undo.');
    }
    const { store, events, messages, sessions } = this.repos;
    const deps = { store, events, messages, sessions, blobs: tools.blobs, workspace: tools.workspace };
    const plan = await planUndo(deps, { sessionId, messageId, scope });
    const result = await applyUndo(deps, plan, resolveConflicts);
    return { restored: result.restored, skipped: result.skipped };
  }

  /**
   * A file one call changed, for its diff: the path (only one the call's own record names: a panel cannot ask for
   * any other file) and the text it had before the turn first changed it (null: the turn created it).
   */
  async fileChange(sessionId: string, toolMessageId: string, callId: string, file: string): Promise<{ path: string; original: string | null }> {
    const tools = this.tools;
    const message = this.repos.messages.get(toolMessageId);
    const step = message?.content.find((part) => part.type === 'tool_step' && part.callId === callId);
    const files = step?.type === 'tool_step' ? asRecord(step.details).files : undefined;
    const named = Array.isArray(files) && (files as readonly JsonValue[]).some((entry) => asRecord(entry).path === file);
    if (tools === undefined || message === undefined || message.sessionId !== sessionId || message.role !== 'tool' || !named) {
      throw new ChatRequestError('That call did not change that file.');
    }
    const turnId = [...this.repos.messages.path(message.id)].reverse().find((m) => m.role === 'user')?.id;
    const original = this.repos.events
      .list({ sessionId }, { types: [FILE_ORIGINAL_EVENT] })
      .map(readOriginalPayload)
      .find((payload) => payload !== undefined && payload.turnId === turnId && payload.path === file);
    if (original === undefined) {
      throw new ChatRequestError('AI Studio kept no original of that file for this turn.');
    }
    return { path: file, original: original.original === null ? null : decodeText(await tools.blobs.get(original.original.hash)) };
  }

  private approvalsOf(sessionId: string): Set<string> {
    let approvals = this.sessionApprovals.get(sessionId);
    if (approvals === undefined) {
      approvals = new Set();
      this.sessionApprovals.set(sessionId, approvals);
    }
    return approvals;
  }
}

/** `over`'s usable figures (finite, above 0) in place of the agent's; anything else keeps the agent's. */
function overLimits(agent: TurnLimits, over: Partial<TurnLimits>): TurnLimits {
  const limits = { ...agent };
  for (const key of Object.keys(agent) as (keyof TurnLimits)[]) {
    const figure = over[key];
    if (typeof figure === 'number' && Number.isFinite(figure) && figure > 0) {
      limits[key] = figure;
    }
  }
  return limits;
}
