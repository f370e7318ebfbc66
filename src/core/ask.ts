import type { AnswerStatus } from '../llm/collect';
import { formatCost } from '../llm/pricing';
import type { ChatRequest, Usage } from '../llm/types';

/**
 * "AI Studio: Ask…", without VS Code: the request built from a question and an optional editor selection, and
 * the Markdown document the answer streams into. The document is re-rendered whole on every update, so what the
 * person sees after a failure is exactly what a fresh render of the same state gives.
 */

export interface SelectionContext {
  text: string;
  /** Workspace-relative path or file name, as the person would recognise it. */
  fileName: string;
  languageId?: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
}

export interface AskInput {
  model: string;
  question: string;
  selection?: SelectionContext;
}

export const ASK_SYSTEM_PROMPT =
  'You are answering a one-off question asked from inside the VS Code editor. Answer in Markdown, concisely; ' +
  'when code is given as context, refer to it by its line numbers.';

export function buildAskRequest(input: AskInput): ChatRequest {
  const question = input.question.trim();
  const parts = input.selection ? [describeSelectionForModel(input.selection), question] : [question];
  return {
    model: input.model,
    system: ASK_SYSTEM_PROMPT,
    messages: [{ role: 'user', content: [{ type: 'text', text: parts.join('\n\n') }] }],
  };
}

function describeSelectionForModel(selection: SelectionContext): string {
  const fence = fenceFor(selection.text);
  return [
    `Context: ${lineRange(selection)} of \`${selection.fileName}\`:`,
    `${fence}${selection.languageId ?? ''}`,
    selection.text.replace(/\n$/, ''),
    fence,
  ].join('\n');
}

/** A code fence longer than any run of backticks inside the text, so the text cannot close it early. */
export function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** "line 4" or "lines 3-9", for the person and the model alike. */
export function lineRange(selection: Pick<SelectionContext, 'startLine' | 'endLine'>): string {
  return selection.startLine === selection.endLine ? `line ${selection.startLine}` : `lines ${selection.startLine}-${selection.endLine}`;
}

/** What the question box says about the selection it will send along. */
export function selectionNotice(selection: SelectionContext): string {
  return `The selection (${lineRange(selection)} of ${selection.fileName}) is sent along as context.`;
}

export type AnswerState = 'waiting' | 'streaming' | AnswerStatus;

export interface AnswerView {
  question: string;
  selection?: SelectionContext;
  endpointLabel: string;
  model: string;
  state: AnswerState;
  text: string;
  error?: { kind: string; message: string };
  usage?: Usage;
  /** USD; null when the model's price is unknown (said so, never shown as $0). */
  costUsd?: number | null;
  timeToFirstChunkMs?: number;
  totalMs?: number;
  /** A retry in progress, e.g. "rate limited; retrying in 2 s". */
  note?: string;
}

export function renderAnswerMarkdown(view: AnswerView): string {
  const lines: string[] = [];
  lines.push(`**Question to ${view.model}** (${view.endpointLabel})`, '');
  lines.push(...quote(view.question.trim()));
  if (view.selection) {
    lines.push('', `_With ${lineRange(view.selection)} of \`${view.selection.fileName}\` as context._`);
  }
  lines.push('', '---', '');
  if (view.text.length > 0) {
    lines.push(closeOpenFence(view.text));
  } else if (view.state === 'waiting' || view.state === 'streaming') {
    lines.push(`_Waiting for ${view.model} to start answering…_`);
  } else {
    lines.push('_No answer arrived._');
  }
  const banner = statusBanner(view);
  if (banner) {
    lines.push('', banner);
  }
  lines.push('', '---', '', footer(view), '');
  return lines.join('\n');
}

function statusBanner(view: AnswerView): string | undefined {
  const message = view.error?.message;
  switch (view.state) {
    case 'waiting':
    case 'streaming':
      return view.note ? `> _${view.note}_` : undefined;
    case 'complete':
      return undefined;
    case 'cancelled':
      return `> **Stopped.** ${view.text ? 'The answer above is incomplete: you stopped it before the end.' : 'You stopped the request before an answer arrived.'}`;
    case 'incomplete':
      return `> **Incomplete answer.** ${message ?? 'The answer ended before its final event.'}`;
    case 'error':
      return `> **Error${view.error ? ` (${view.error.kind})` : ''}:** ${message ?? 'the request failed.'}`;
  }
}

/** The line under every answer: model, tokens, latency and how it ended. */
export function footer(view: AnswerView): string {
  const parts = [`\`${view.model}\``, view.endpointLabel];
  if (view.usage) {
    parts.push(`${view.usage.inputTokens} tokens in / ${view.usage.outputTokens} out`);
  }
  if (view.costUsd !== undefined) {
    parts.push(formatCost(view.costUsd ?? undefined));
  }
  if (view.timeToFirstChunkMs !== undefined) {
    parts.push(`first token ${formatDuration(view.timeToFirstChunkMs)}`);
  }
  if (view.totalMs !== undefined) {
    parts.push(`total ${formatDuration(view.totalMs)}`);
  }
  parts.push(statusWord(view.state));
  return parts.join(' · ');
}

function statusWord(state: AnswerState): string {
  switch (state) {
    case 'waiting':
      return 'waiting…';
    case 'streaming':
      return 'streaming…';
    case 'complete':
      return 'complete';
    case 'incomplete':
      return '**incomplete**';
    case 'cancelled':
      return '**stopped**';
    case 'error':
      return '**failed**';
  }
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function quote(text: string): string[] {
  return text.split('\n').map((line) => (line.length > 0 ? `> ${line}` : '>'));
}

/**
 * A partial answer can stop inside a code block; without closing it, the banner and footer below would render as
 * code too.
 */
export function closeOpenFence(text: string): string {
  let open: string | undefined;
  for (const line of text.split('\n')) {
    const match = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (!match) {
      continue;
    }
    const marker = match[1]!;
    if (open === undefined) {
      open = marker;
    } else if (marker[0] === open[0] && marker.length >= open.length && line.trim() === marker) {
      open = undefined;
    }
  }
  return open === undefined ? text : `${text.replace(/\n?$/, '\n')}${open}`;
}

/** The answer document's file name: the tab title, and `.md` so VS Code highlights it as Markdown. */
export function answerDocumentName(sequence: number, model: string): string {
  const safeModel = model.replace(/[\\/:*?"<>|#%]+/g, '-').slice(0, 60);
  return `Answer ${sequence} (${safeModel}).md`;
}
