import { createHash } from 'node:crypto';
import type { ContentPart, ToolStepState } from '../../db/repositories/messages';
import type { JsonValue } from '../../db/repositories/rows';
import type { ApprovalView } from '../../protocol/chatTools';
import { defined } from '../jsonFields';
import { ToolError, type ToolDefinition, type ToolPlan, type ToolResult, type ToolRunContext } from '../tools/toolTypes';
import type { ApprovalBroker } from './approvals';
import type { LoopGuard } from './loopGuard';
import { parseArguments } from './toolArguments';
import { decideToolCall, type PolicyDecision } from './toolPolicy';
import type { ToolRuntime } from './toolRuntime';
import type { TurnBudget } from './turnLimits';

/**
 * One tool call, from the model's JSON to the result it is sent back, with every step durable before it has an
 * effect: the call and its verdict are committed (`tool.call.requested`) before anyone is asked, the approval
 * (`tool.call.approved`, by the policy, the person or the session) before the tool runs, and the result
 * (`tool.call.completed|failed`, and the tool message's parts) with the next commit, before the next call is
 * asked or run and before the next model call. A window that dies in
 * between leaves an approved call without an end: on the next start it is "interrupted, outcome unknown", and it
 * is never run again by itself (see toolRecovery.ts).
 */

/** A result is capped here whatever the tool did: every character is re-sent on every later step. */
export const MAX_RESULT_CHARS = 60_000;
/** Arguments kept in events (the whole call is in the assistant message). */
const EVENT_ARGUMENT_CHARS = 10_000;

export interface CallEvent {
  type: string;
  payload: Record<string, JsonValue | undefined>;
  durationMs?: number;
  text?: string;
}

export interface CallRecorder {
  /**
   * Commits events about this call (in order) and the step's new state in the tool message, in one transaction.
   * 'later' is for what follows an effect (a result): it goes into the tool message's next commit, which always
   * comes before the next effect or model call. 'withNext' commits now but leaves the fsync to the next durable
   * commit, for a call whose running has no effect (an allowed read): the result's commit follows before the
   * next model call.
   */
  record(events: CallEvent | readonly CallEvent[], step: StepUpdate, when?: 'now' | 'withNext' | 'later'): Promise<void>;
}

export interface StepUpdate {
  state: ToolStepState;
  summary: string;
  decidedBy?: 'policy' | 'person' | 'session';
  result?: { content: string; isError: boolean };
  details?: JsonValue;
  durationMs?: number;
}

export interface CallContext {
  sessionId: string;
  runtime: ToolRuntime;
  tools: ReadonlyMap<string, { tool: ToolDefinition; mode: 'ask' | 'auto' }>;
  commandRules: ToolRuntime extends { globalCommandRules(): infer R } ? R : never;
  broker: ApprovalBroker;
  sessionApprovals: Set<string>;
  guard: LoopGuard;
  budget: TurnBudget;
  signal: AbortSignal;
  monotonic: () => number;
  /** Messages the tool message is known by (for approval questions). */
  toolMessageId: string;
  recorder: CallRecorder;
  /** Progress of a running call, for the panel. */
  progress(text: string): void;
  /** Keeps a file's original before the turn first changes it (undo); records what was written after. */
  beforeChange(path: string): Promise<void>;
  afterWrite(path: string, text: string | null): Promise<void>;
}

export interface CallOutcome {
  /** The result part for the model. */
  result: Extract<ContentPart, { type: 'tool_result' }>;
  /** A model mistake (unknown tool, bad arguments): counts toward the consecutive-mistake limit. */
  mistake: boolean;
  /** The same call for the 5th time: the turn should pause. */
  repeated: boolean;
  /** Files changed, so later identical calls are not a loop. */
  changedFiles: boolean;
}

export async function runToolCall(call: { id: string; name: string; arguments: string }, context: CallContext): Promise<CallOutcome> {
  const fail = async (message: string, state: ToolStepState, extra: Partial<CallOutcome> = {}, summary = rawSummary(call)): Promise<CallOutcome> => {
    await context.recorder.record(
      { type: 'tool.call.failed', payload: { callId: call.id, tool: call.name, error: message, arguments: capped(call.arguments) }, text: `${call.name}\n${message}` },
      { state, summary, result: { content: message, isError: true } },
    );
    return { result: { type: 'tool_result', callId: call.id, output: message, isError: true }, mistake: false, repeated: false, changedFiles: false, ...extra };
  };
  const entry = context.tools.get(call.name);
  if (entry === undefined) {
    const names = [...context.tools.keys()].join(', ') || 'none';
    return fail(`There is no tool "${call.name}" here. The tools you can call are: ${names}.`, 'failed', { mistake: true });
  }
  const { tool, mode } = entry;
  const parsed = parseArguments(tool, call.arguments);
  if (!parsed.ok) {
    return fail(parsed.error, 'failed', { mistake: true });
  }
  context.guard.validCall();
  const repeat = context.guard.repeat(tool.name, parsed.args);
  if (repeat.kind === 'stop') {
    return fail(`You called ${tool.name} with these same arguments ${repeat.count} times; it was not run again. Try something different, or answer with what you have.`, 'denied', { repeated: true });
  }
  const { runtime } = context;
  let plan: ToolPlan;
  try {
    plan = await tool.plan(parsed.args, { workspace: runtime.workspace, signal: context.signal });
  } catch (err) {
    return fail(toolErrorText(err, tool.name), 'failed', { mistake: err instanceof ToolError });
  }
  const decision = await decideToolCall({
    tool,
    plan,
    mode,
    trusted: runtime.workspace.isTrusted(),
    paths: { folders: runtime.workspace.folders(), realpath: (p) => runtime.workspace.realpath(p), ...runtime.pathExtras() },
    commandRules: context.commandRules,
    approvedForSession: (key) => context.sessionApprovals.has(key),
  });
  const summary = plan.summary;
  const requested: CallEvent = {
    type: 'tool.call.requested',
    payload: {
      callId: call.id,
      tool: tool.name,
      category: tool.category,
      arguments: capped(call.arguments),
      summary,
      verdict: decision.verdict,
      forced: decision.forced,
      reasons: decision.reasons,
      subcommands: decision.subcommands?.map((s) => defined({ text: s.text, verdict: s.verdict, reason: s.reason, rule: s.rule })),
      ...planFacts(plan),
    },
    text: `${tool.name}\n${summary}`,
  };
  if (decision.verdict === 'deny') {
    const reason = decision.reasons.join(' ');
    const denied: CallEvent = { type: 'tool.call.denied', payload: { callId: call.id, tool: tool.name, by: 'policy', reason } };
    await context.recorder.record([requested, denied], { state: 'denied', summary, decidedBy: 'policy', result: { content: `Not run: ${reason}`, isError: true } });
    return { result: { type: 'tool_result', callId: call.id, output: `Not run: ${reason}`, isError: true }, mistake: false, repeated: false, changedFiles: false };
  }
  let decidedBy: 'policy' | 'person' | 'session' = decision.decidedBy;
  let waitMs = 0;
  if (decision.verdict === 'ask') {
    // On record before anyone is asked: a window that closes while the card waits leaves a call that never ran.
    await context.recorder.record(requested, { state: 'awaiting_approval', summary });
    const asked = context.monotonic();
    context.budget.pause();
    const answer = await context.broker.ask(
      context.sessionId,
      { kind: 'approval', messageId: context.toolMessageId, callId: call.id, approval: approvalView(tool, call.arguments, plan, decision, runtime.workspace.folders()) },
      context.signal,
    );
    context.budget.resume();
    waitMs = Math.round(context.monotonic() - asked);
    if (answer.decision !== 'approve' && answer.decision !== 'approveSession') {
      const stopped = context.signal.aborted;
      const why = stopped ? 'The person stopped the turn before this call ran.' : `The person denied this call${answer.reason ? `: ${answer.reason}` : '.'}`;
      await context.recorder.record(
        { type: 'tool.call.denied', payload: { callId: call.id, tool: tool.name, by: 'person', reason: answer.reason ?? (stopped ? 'Stopped.' : ''), waitMs } },
        { state: 'denied', summary, decidedBy: 'person', result: { content: why, isError: true } },
      );
      return { result: { type: 'tool_result', callId: call.id, output: why, isError: true }, mistake: false, repeated: false, changedFiles: false };
    }
    if (answer.decision === 'approveSession') {
      context.sessionApprovals.add(decision.sessionKey);
    }
    decidedBy = answer.decision === 'approveSession' ? 'session' : 'person';
  }
  const approved: CallEvent = { type: 'tool.call.approved', payload: { callId: call.id, tool: tool.name, by: decidedBy, waitMs } };
  // Allowed without asking: the request and its approval are one commit, still before the tool runs. A read
  // changes nothing, so only what follows it (its result, before the next model call) must reach the disk.
  const durability = decision.verdict !== 'ask' && tool.category === 'read' ? 'withNext' : 'now';
  await context.recorder.record(decision.verdict === 'ask' ? approved : [requested, approved], { state: 'running', summary, decidedBy }, durability);
  return execute(call, tool, parsed.args, plan, decidedBy, repeat.kind === 'warn' ? repeat.count : 0, context);
}

async function execute(
  call: { id: string; name: string },
  tool: ToolDefinition,
  args: Record<string, unknown>,
  plan: ToolPlan,
  decidedBy: 'policy' | 'person' | 'session',
  repeatCount: number,
  context: CallContext,
): Promise<CallOutcome> {
  const { runtime } = context;
  const started = context.monotonic();
  const written: string[] = [];
  const runContext: ToolRunContext = {
    workspace: runtime.workspace,
    signal: context.signal,
    callId: call.id,
    commands: runtime.commands,
    fetcher: runtime.fetcher,
    outputs: runtime.outputs,
    progress: (update) => context.progress(update.text),
    beforeChange: async (path) => {
      if (!(plan.writes ?? []).includes(path) && plan.edit?.path !== path) {
        throw new ToolError(`${tool.name} tried to change ${path}, which its approved plan does not name; nothing was changed.`);
      }
      written.push(path);
      await context.beforeChange(path);
    },
  };
  let result: ToolResult;
  try {
    result = await tool.run(args, plan, runContext);
  } catch (err) {
    result = { content: toolErrorText(err, tool.name), isError: true };
  }
  for (const path of new Set(written)) {
    const after = plan.edit?.path === path ? plan.edit.after : null;
    const deleted = result.details?.files?.some((file) => file.path === path && file.change === 'deleted') === true;
    await context.afterWrite(path, deleted ? null : after);
  }
  const changedFiles = written.length > 0;
  if (changedFiles) {
    context.guard.environmentChanged();
  }
  const durationMs = Math.round(context.monotonic() - started);
  let content = result.content.length > MAX_RESULT_CHARS ? `${result.content.slice(0, MAX_RESULT_CHARS)}\n[... cut at ${MAX_RESULT_CHARS.toLocaleString('en-US')} characters]` : result.content;
  if (repeatCount > 0) {
    content += `\n\nNote: you have called ${tool.name} with these same arguments ${repeatCount} times. If it is not giving you what you need, try something different.`;
  }
  const isError = result.isError === true;
  const details = (result.details ?? {}) as JsonValue;
  await context.recorder.record(
    {
      type: isError ? 'tool.call.failed' : 'tool.call.completed',
      payload: {
        callId: call.id,
        tool: tool.name,
        resultChars: content.length,
        ...(isError ? { error: content.slice(0, 2_000) } : {}),
        details,
      },
      durationMs,
      text: '',
    },
    { state: isError ? 'failed' : 'completed', summary: plan.summary, decidedBy, result: { content, isError }, details, durationMs },
    'later',
  );
  return { result: { type: 'tool_result', callId: call.id, output: content, ...(isError ? { isError } : {}) }, mistake: false, repeated: false, changedFiles };
}

export function approvalView(tool: ToolDefinition, argumentsText: string, plan: ToolPlan, decision: PolicyDecision, folders: readonly string[]): ApprovalView {
  const view: ApprovalView = {
    tool: tool.name,
    summary: plan.summary,
    arguments: capped(argumentsText, 4_000),
    reasons: decision.reasons,
    canApproveForSession: !decision.forced,
  };
  if (plan.edit) {
    view.edit = { path: relativeTo(folders, plan.edit.path), diff: plan.edit.diff, created: plan.edit.before === null };
  }
  if (plan.command) {
    view.command = {
      line: plan.command.line,
      cwd: relativeTo(folders, plan.command.cwd) || '.',
      subcommands: (decision.subcommands ?? []).map((s) => ({ text: s.text, verdict: s.verdict, reason: s.reason, ...(s.rule === undefined ? {} : { rule: s.rule }) })),
    };
  }
  if (plan.url) {
    view.url = plan.url;
  }
  return view;
}

function planFacts(plan: ToolPlan): Record<string, JsonValue | undefined> {
  return {
    reads: plan.reads,
    writes: plan.writes,
    command: plan.command ? { line: plan.command.line, cwd: plan.command.cwd, timeoutMs: plan.command.timeoutMs } : undefined,
    url: plan.url,
    edit: plan.edit ? { path: plan.edit.path, created: plan.edit.before === null, afterSha256: sha256(plan.edit.after) } : undefined,
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function relativeTo(folders: readonly string[], absolute: string): string {
  for (const folder of folders) {
    if (absolute === folder) {
      return '';
    }
    const prefix = folder.endsWith('/') || folder.endsWith('\\') ? folder : `${folder}/`;
    if (absolute.startsWith(prefix)) {
      // Display only: the policy never decides by prefix (pathPolicy.ts uses realpath + path.relative).
      return absolute.slice(prefix.length).replace(/\\/g, '/');
    }
  }
  return absolute;
}

function toolErrorText(err: unknown, toolName: string): string {
  if (err instanceof ToolError) {
    return err.message;
  }
  return `${toolName} failed: ${err instanceof Error ? err.message : String(err)}`;
}

function rawSummary(call: { name: string; arguments: string }): string {
  return `${call.name} ${capped(call.arguments, 120)}`;
}

function capped(text: string, max = EVENT_ARGUMENT_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
