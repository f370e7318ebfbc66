import type { StudioEvent } from '../../db/repositories/events';
import type { Message } from '../../db/repositories/messages';
import type { JsonValue } from '../../db/repositories/rows';
import type { RunFileView } from '../../protocol/runHeader';
import { readWrittenPayload } from '../agent/undoRecords';
import { asRecord } from '../jsonFields';

/**
 * The files a session's tool calls changed, from its `tool.file.written` events (the record undo relies on, so
 * the list names exactly what Undo All would look at), one entry per path with its last write. A written event is
 * attached to the tool message whose call wrote the file; the call itself is found in that message's steps, as the
 * step whose result names the path, so the panel can ask for its diff with the existing `chat/openDiff`.
 */
export function changedFiles(written: readonly StudioEvent[], toolMessage: (messageId: string) => Pick<Message, 'role' | 'content'> | undefined): RunFileView[] {
  const last = new Map<string, { messageId: string; deleted: boolean }>();
  for (const event of written) {
    const payload = readWrittenPayload(event);
    if (payload !== undefined && event.messageId !== null) {
      // Map order follows the first write; the value follows the last one.
      last.set(payload.path, { messageId: event.messageId, deleted: payload.sha256 === null });
    }
  }
  const messages = new Map<string, Pick<Message, 'role' | 'content'> | undefined>();
  const files: RunFileView[] = [];
  for (const [path, write] of last) {
    if (!messages.has(write.messageId)) {
      messages.set(write.messageId, toolMessage(write.messageId));
    }
    const step = lastStepNaming(messages.get(write.messageId), path);
    if (step === undefined) {
      // No call of that message names the file (a record from another version): there is no diff to offer.
      continue;
    }
    files.push({
      path,
      shown: step.shown ?? path,
      change: step.change ?? (write.deleted ? 'deleted' : 'modified'),
      messageId: write.messageId,
      callId: step.callId,
    });
  }
  return files;
}

interface StepFile {
  callId: string;
  shown?: string;
  change?: RunFileView['change'];
}

function lastStepNaming(message: Pick<Message, 'role' | 'content'> | undefined, path: string): StepFile | undefined {
  if (message?.role !== 'tool') {
    return undefined;
  }
  let found: StepFile | undefined;
  for (const part of message.content) {
    if (part.type !== 'tool_step') {
      continue;
    }
    const files = asRecord(part.details).files;
    const entry = Array.isArray(files) ? (files as readonly JsonValue[]).map((file) => asRecord(file)).find((file) => file.path === path) : undefined;
    if (entry !== undefined) {
      const change = entry.change;
      found = {
        callId: part.callId,
        ...(typeof entry.shown === 'string' && entry.shown !== '' ? { shown: entry.shown } : {}),
        ...(change === 'created' || change === 'modified' || change === 'deleted' ? { change } : {}),
      };
    }
  }
  return found;
}
