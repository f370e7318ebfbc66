import type { EventsRepository } from '../../db/repositories/events';
import type { ContentPart, Message } from '../../db/repositories/messages';
import type { SqlWriter } from '../../db/sql';

/**
 * A `tool` message a window left streaming (it closed or crashed while a step's tools ran), settled at the next
 * start inside the recovery transaction: a call that was running is "interrupted, outcome unknown" (it may have
 * done part or all of its work), a call that had not started is "not run"; every call gets a result, so the
 * conversation stays valid for every provider, and nothing is ever run again by itself.
 */

export const INTERRUPTED_RESULT =
  'Interrupted: the VS Code window closed while this ran, so its outcome is unknown (it may have done some or all of its work). It was not run again; check its effects before repeating it.';
export const NOT_RUN_RESULT = 'Not run: the VS Code window closed before this call started.';

export function settleToolMessage(sql: SqlWriter, events: EventsRepository, message: Message): ContentPart[] {
  const finished = new Set(message.content.flatMap((part) => (part.type === 'tool_result' ? [part.callId] : [])));
  const content: ContentPart[] = [];
  for (const part of message.content) {
    if (part.type !== 'tool_step' || finished.has(part.callId)) {
      content.push(part);
      continue;
    }
    const running = part.state === 'running';
    content.push({ ...part, state: running ? 'interrupted' : 'denied' });
    content.push({ type: 'tool_result', callId: part.callId, output: running ? INTERRUPTED_RESULT : NOT_RUN_RESULT, isError: true });
    events.within(sql).append({
      type: running ? 'tool.call.failed' : 'tool.call.denied',
      sessionId: message.sessionId,
      messageId: message.id,
      payload: running
        ? { callId: part.callId, tool: part.name, error: INTERRUPTED_RESULT, interrupted: true, outcomeUnknown: true }
        : { callId: part.callId, tool: part.name, by: 'window', reason: NOT_RUN_RESULT },
      text: '',
    });
  }
  return content;
}
