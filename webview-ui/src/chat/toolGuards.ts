import type { ApprovalView, ChatToolEvent, PendingView, SubcommandView, ToolCallState, ToolCallView } from '../../../src/protocol/chatTools';

/**
 * Runtime checks for the tool parts of what the host posts (calls, approvals, pending questions), in the manner of
 * guards.ts: every value is checked, bounded and copied into a fresh object, so a malformed call costs one dropped
 * event (or one dropped call of a message), never a broken panel. Texts that are shown are capped: the host caps
 * them for display already, and anything far longer is a bug or hostile.
 */

type Unknown = Record<string, unknown>;

const STATES = new Set<ToolCallState>(['pending', 'awaiting_approval', 'running', 'completed', 'failed', 'denied', 'interrupted']);
const VERDICTS = new Set<SubcommandView['verdict']>(['allow', 'ask', 'deny', 'default']);
const DECIDERS = new Set<NonNullable<ToolCallView['decidedBy']>>(['policy', 'person', 'session']);
const CHANGES = new Set(['created', 'modified', 'deleted'] as const);

const MAX_ID_LENGTH = 64;
/** As the protocol's call id: printable ASCII, bounded. */
const CALL_ID = /^[\x21-\x7e]{1,200}$/;
const MAX_SHORT = 1_000;
const MAX_PATH = 4_096;
const MAX_TEXT = 200_000;
/** A diff is shown whole on the card (the person approves exactly it); beyond this it is garbage. */
const MAX_DIFF = 2_000_000;
const MAX_LIST = 1_000;
const MAX_CALLS = 500;
const MAX_PENDING = 100;

function isRecord(value: unknown): value is Unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

export function isCallId(value: unknown): value is string {
  return typeof value === 'string' && CALL_ID.test(value);
}

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' ? value.slice(0, max) : null;
}

/** The newest part of a long output: the tail is what a person watching a command wants. */
function tail(value: unknown, max: number): string | null {
  return typeof value === 'string' ? value.slice(-max) : null;
}

function list<T>(value: unknown, parse: (item: unknown) => T | null, max = MAX_LIST): T[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const out: T[] = [];
  for (const item of value.slice(0, max)) {
    const parsed = parse(item);
    if (parsed !== null) {
      out.push(parsed);
    }
  }
  return out;
}

function uniqueById<T extends { id: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (seen.has(item.id)) {
      return false;
    }
    seen.add(item.id);
    return true;
  });
}

function parseSubcommand(value: unknown): SubcommandView | null {
  if (!isRecord(value) || !VERDICTS.has(value.verdict as SubcommandView['verdict'])) {
    return null;
  }
  const line = text(value.text, MAX_TEXT);
  if (line === null) {
    return null;
  }
  const sub: SubcommandView = { text: line, verdict: value.verdict as SubcommandView['verdict'], reason: text(value.reason, MAX_SHORT) ?? '' };
  const rule = text(value.rule, MAX_SHORT);
  if (rule !== null) {
    sub.rule = rule;
  }
  return sub;
}

export function parseApproval(value: unknown): ApprovalView | null {
  if (!isRecord(value)) {
    return null;
  }
  const tool = text(value.tool, 200);
  const summary = text(value.summary, MAX_SHORT);
  if (tool === null || summary === null) {
    return null;
  }
  const approval: ApprovalView = {
    tool,
    summary,
    arguments: text(value.arguments, MAX_TEXT) ?? '',
    reasons: list(value.reasons, (reason) => text(reason, MAX_SHORT), 50),
    // Only an explicit true offers the session-wide approval: a forced ask must never gain the button by a bug.
    canApproveForSession: value.canApproveForSession === true,
  };
  if (isRecord(value.edit)) {
    const path = text(value.edit.path, MAX_PATH);
    const diff = text(value.edit.diff, MAX_DIFF);
    if (path === null || diff === null) {
      return null;
    }
    approval.edit = { path, diff, created: value.edit.created === true };
  }
  if (isRecord(value.command)) {
    const line = text(value.command.line, MAX_TEXT);
    if (line === null) {
      return null;
    }
    approval.command = { line, cwd: text(value.command.cwd, MAX_PATH) ?? '', subcommands: list(value.command.subcommands, parseSubcommand, 200) };
  }
  const url = text(value.url, 8_000);
  if (url !== null) {
    approval.url = url;
  }
  return approval;
}

function parseFile(value: unknown): { path: string; shown?: string; change: 'created' | 'modified' | 'deleted' } | null {
  if (!isRecord(value) || !CHANGES.has(value.change as 'created')) {
    return null;
  }
  const path = text(value.path, MAX_PATH);
  const shown = text(value.shown, MAX_PATH);
  return path === null || path === '' ? null : { path, ...(shown ? { shown } : {}), change: value.change as 'created' | 'modified' | 'deleted' };
}

function parseResult(value: unknown): ToolCallView['result'] {
  if (!isRecord(value)) {
    return undefined;
  }
  const result: NonNullable<ToolCallView['result']> = { text: text(value.text, MAX_TEXT) ?? '', isError: value.isError === true };
  if (value.exitCode === null || Number.isSafeInteger(value.exitCode)) {
    result.exitCode = value.exitCode as number | null;
  }
  if (typeof value.timedOut === 'boolean') {
    result.timedOut = value.timedOut;
  }
  const files = list(value.files, parseFile);
  if (files.length > 0) {
    result.files = files;
  }
  if (typeof value.durationMs === 'number' && Number.isFinite(value.durationMs) && value.durationMs >= 0) {
    result.durationMs = value.durationMs;
  }
  return result;
}

export function parseToolCall(value: unknown): ToolCallView | null {
  if (!isRecord(value) || !isCallId(value.id) || !STATES.has(value.state as ToolCallState)) {
    return null;
  }
  const name = text(value.name, 200);
  const summary = text(value.summary, MAX_SHORT);
  if (name === null || summary === null) {
    return null;
  }
  const call: ToolCallView = { id: value.id, name, summary, state: value.state as ToolCallState };
  if (value.approval !== undefined) {
    const approval = parseApproval(value.approval);
    if (approval) {
      call.approval = approval;
    }
  }
  if (DECIDERS.has(value.decidedBy as 'policy')) {
    call.decidedBy = value.decidedBy as NonNullable<ToolCallView['decidedBy']>;
  }
  const result = parseResult(value.result);
  if (result) {
    call.result = result;
  }
  const output = tail(value.output, MAX_TEXT);
  if (output !== null) {
    call.output = output;
  }
  return call;
}

/** A tool message's calls: the valid ones, each id once (a repeated id would make two rows for one call). */
export function parseToolCallViews(value: unknown): ToolCallView[] | undefined {
  if (!Array.isArray(value)) {
    return undefined;
  }
  return uniqueById(list(value, parseToolCall, MAX_CALLS));
}

function parsePendingItem(value: unknown): PendingView | null {
  if (!isRecord(value) || !isId(value.id) || !isId(value.messageId)) {
    return null;
  }
  if (value.kind === 'approval') {
    const approval = parseApproval(value.approval);
    return approval && isCallId(value.callId) ? { kind: 'approval', id: value.id, messageId: value.messageId, callId: value.callId, approval } : null;
  }
  if (value.kind === 'limit') {
    const reached = text(value.reached, MAX_SHORT);
    const more = text(value.more, MAX_SHORT);
    return reached !== null && more !== null ? { kind: 'limit', id: value.id, messageId: value.messageId, reached, more } : null;
  }
  return null;
}

/** The pending list: the valid questions, each id once; null when it is not a list at all. */
export function parsePendingList(value: unknown): PendingView[] | null {
  if (!Array.isArray(value)) {
    return null;
  }
  return uniqueById(list(value, parsePendingItem, MAX_PENDING));
}

/** The tool events (`chat/tool`, `chat/toolOutput`, `chat/pending`); null for anything else or anything malformed. */
export function parseToolEvent(method: unknown, params: Unknown): ChatToolEvent | null {
  switch (method) {
    case 'chat/tool': {
      const call = parseToolCall(params.call);
      return call && isId(params.messageId) ? { method: 'chat/tool', params: { messageId: params.messageId, call } } : null;
    }
    case 'chat/toolOutput':
      return isId(params.messageId) && isCallId(params.callId) && typeof params.text === 'string'
        ? { method: 'chat/toolOutput', params: { messageId: params.messageId, callId: params.callId, text: params.text.slice(-MAX_TEXT) } }
        : null;
    case 'chat/pending': {
      const pending = parsePendingList(params.pending);
      return pending ? { method: 'chat/pending', params: { pending } } : null;
    }
    default:
      return null;
  }
}
