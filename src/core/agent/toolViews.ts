import type { ContentPart } from '../../db/repositories/messages';
import type { JsonValue } from '../../db/repositories/rows';
import type { ToolCallView } from '../../protocol/chatTools';
import { asRecord } from '../jsonFields';

/**
 * A `tool` message as the chat panel shows it: one view per call, from its `tool_step` part (state, summary, who
 * decided, details) and its `tool_result` part (what the model got). Both live in the message, so a panel that
 * reloads, or another window, sees the same steps without reading events.
 */

/** How much of a result the panel is sent; the Inspector has the rest. */
export const RESULT_PREVIEW_CHARS = 8_000;

export function toolCallViews(content: readonly ContentPart[]): ToolCallView[] {
  const results = new Map<string, Extract<ContentPart, { type: 'tool_result' }>>();
  for (const part of content) {
    if (part.type === 'tool_result') {
      results.set(part.callId, part);
    }
  }
  const views: ToolCallView[] = [];
  for (const part of content) {
    if (part.type !== 'tool_step') {
      continue;
    }
    const view: ToolCallView = { id: part.callId, name: part.name, summary: part.summary, state: part.state };
    if (part.decidedBy !== undefined) {
      view.decidedBy = part.decidedBy;
    }
    const result = results.get(part.callId);
    if (result !== undefined) {
      const text = typeof result.output === 'string' ? result.output : JSON.stringify(result.output);
      view.result = {
        text: text.length > RESULT_PREVIEW_CHARS ? `${text.slice(0, RESULT_PREVIEW_CHARS)}\n… (${(text.length - RESULT_PREVIEW_CHARS).toLocaleString('en-US')} more characters)` : text,
        isError: result.isError === true,
        ...detailsView(part.details),
        ...(part.durationMs === undefined ? {} : { durationMs: part.durationMs }),
      };
    }
    views.push(view);
  }
  return views;
}

function detailsView(details: JsonValue | undefined): Partial<NonNullable<ToolCallView['result']>> {
  const record = asRecord(details);
  const view: Partial<NonNullable<ToolCallView['result']>> = {};
  if (typeof record.exitCode === 'number' || record.exitCode === null) {
    view.exitCode = record.exitCode;
  }
  if (typeof record.timedOut === 'boolean') {
    view.timedOut = record.timedOut;
  }
  const files: JsonValue | undefined = record.files;
  if (Array.isArray(files)) {
    view.files = (files as readonly JsonValue[]).flatMap((file) => {
      const entry = asRecord(file);
      const change = entry.change;
      const shown = typeof entry.shown === 'string' ? { shown: entry.shown } : {};
      return typeof entry.path === 'string' && (change === 'created' || change === 'modified' || change === 'deleted') ? [{ path: entry.path, ...shown, change }] : [];
    });
  }
  return view;
}
