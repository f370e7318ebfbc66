import type { RunEndView, RunFileView, RunHeaderState, RunHeaderView, RunMeterKind, RunMeterView, RunTotalsView } from '../../../src/protocol/runHeader';

/**
 * Runtime checks for the `chat/run` event, in the manner of guards.ts: every value is checked, bounded and copied
 * into a fresh object, so a malformed header costs one dropped event and never a broken panel.
 */

type Unknown = Record<string, unknown>;

const STATES = new Set<RunHeaderState>(['queued', 'running', 'waiting', 'interrupted', 'completed', 'failed', 'cancelled']);
const METERS = new Set<RunMeterKind>(['steps', 'tokens', 'costUsd', 'minutes']);
const CHANGES = new Set<RunFileView['change']>(['created', 'modified', 'deleted']);
const MAX_ID = 64;
const CALL_ID = /^[\x21-\x7e]{1,200}$/;
const MAX_SHORT = 1_000;
const MAX_TASK = 10_000;
const MAX_TEXT = 20_000;
const MAX_PATH = 4_096;
const MAX_FILES = 1_000;

export type RunEventParse = { kind: 'other' } | { kind: 'invalid' } | { kind: 'run'; run: RunHeaderView | null };

function isRecord(value: unknown): value is Unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID;
}

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' ? value.slice(0, max) : null;
}

function figure(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Tells a `chat/run` event from the others; `invalid` when it is one but does not match the protocol. */
export function parseRunEvent(raw: unknown): RunEventParse {
  if (!isRecord(raw) || raw.method !== 'chat/run') {
    return { kind: 'other' };
  }
  if (!isRecord(raw.params)) {
    return { kind: 'invalid' };
  }
  if (raw.params.run === null) {
    return { kind: 'run', run: null };
  }
  const run = parseRunHeader(raw.params.run);
  return run ? { kind: 'run', run } : { kind: 'invalid' };
}

export function parseRunHeader(value: unknown): RunHeaderView | null {
  if (!isRecord(value) || !isId(value.runId) || !STATES.has(value.state as RunHeaderState)) {
    return null;
  }
  const stateLabel = text(value.stateLabel, MAX_SHORT);
  const task = text(value.task, MAX_TASK);
  if (stateLabel === null || task === null || !Array.isArray(value.meters)) {
    return null;
  }
  const meters = value.meters.slice(0, METERS.size).map(parseMeter);
  if (meters.some((meter) => meter === null)) {
    return null;
  }
  const header: RunHeaderView = {
    runId: value.runId,
    state: value.state as RunHeaderState,
    stateLabel,
    task,
    meters: meters as RunMeterView[],
    canCancel: value.canCancel === true,
    canResume: value.canResume === true,
    firstMessageId: isId(value.firstMessageId) ? value.firstMessageId : null,
  };
  if (value.ended !== undefined) {
    const ended = parseEnded(value.ended);
    if (!ended) {
      return null;
    }
    header.ended = ended;
  }
  return header;
}

function parseMeter(value: unknown): RunMeterView | null {
  if (!isRecord(value) || !METERS.has(value.kind as RunMeterKind)) {
    return null;
  }
  const used = figure(value.used);
  const limit = figure(value.limit);
  const label = text(value.label, MAX_SHORT);
  const shown = text(value.text, MAX_SHORT);
  if (used === null || limit === null || limit === 0 || label === null || shown === null) {
    return null;
  }
  return { kind: value.kind as RunMeterKind, used, limit, label, text: shown, warning: value.warning === true };
}

function parseEnded(value: unknown): RunEndView | null {
  if (!isRecord(value)) {
    return null;
  }
  const totals = parseTotals(value.totals);
  if (!totals || !Array.isArray(value.files)) {
    return null;
  }
  const ended: RunEndView = { totals, files: value.files.slice(0, MAX_FILES).map(parseFile).filter((file) => file !== null) };
  if (isRecord(value.result)) {
    const result = text(value.result.text, MAX_TEXT);
    if (result !== null) {
      ended.result = { text: result, truncated: value.result.truncated === true };
    }
  }
  const error = text(value.error, MAX_TEXT);
  if (error !== null) {
    ended.error = error;
  }
  return ended;
}

function parseTotals(value: unknown): RunTotalsView | null {
  if (!isRecord(value)) {
    return null;
  }
  const steps = figure(value.steps);
  const tokens = figure(value.tokens);
  const costUsd = figure(value.costUsd);
  const label = text(value.label, MAX_SHORT);
  if (steps === null || tokens === null || costUsd === null || label === null) {
    return null;
  }
  return { steps, tokens, costUsd, costUnknown: value.costUnknown === true, durationMs: figure(value.durationMs), label };
}

function parseFile(value: unknown): RunFileView | null {
  if (!isRecord(value) || !isId(value.messageId) || typeof value.callId !== 'string' || !CALL_ID.test(value.callId)) {
    return null;
  }
  const path = typeof value.path === 'string' && value.path.length > 0 && value.path.length <= MAX_PATH ? value.path : null;
  const shown = text(value.shown, MAX_PATH);
  if (path === null || !CHANGES.has(value.change as RunFileView['change'])) {
    return null;
  }
  return { path, shown: shown || path, change: value.change as RunFileView['change'], messageId: value.messageId, callId: value.callId };
}
