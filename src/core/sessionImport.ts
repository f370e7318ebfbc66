import { createIdFactory } from '../db/ids';
import { EventsRepository, type EventType } from '../db/repositories/events';
import { MessagesRepository } from '../db/repositories/messages';
import { selectSession, SessionsRepository, type Session } from '../db/repositories/sessions';
import type { StorePort } from '../db/repositories/storePort';
import { systemClock, type Clock } from './ports';
import { insertionOrder, type SessionExport } from './sessionExport';

/**
 * Writes a parsed session export as a NEW session: new ids for the session, its messages and its events, the
 * same tree (parents, branch order, the branch shown) and the same times, so the copy reads like the original.
 * One transaction: a failure leaves nothing behind. The data must come from `parseSessionExport`, which already
 * checked everything this relies on (ids unique, parents present, no loops).
 */

export interface ImportOptions {
  /** The agent the new session talks to (null: none yet; the person picks one in the panel). */
  agentId: string | null;
  /** Row ids; defaults to the store's ULID factory. */
  newId?: () => string;
}

export interface ImportResult {
  session: Session;
  messages: number;
  events: number;
}

export async function importSession(store: StorePort, data: SessionExport, options: ImportOptions): Promise<ImportResult> {
  const ordered = insertionOrder(data.messages);
  if (ordered === undefined) {
    throw new Error('The messages do not form a conversation tree.');
  }
  const newId = options.newId ?? createIdFactory(systemClock);
  // The repositories stamp rows with their clock's time; this one tells them the original times instead.
  const original = new ReplayClock();
  const sessions = new SessionsRepository(store, original, newId);
  const messageRepo = new MessagesRepository(store, original, newId);
  const eventRepo = new EventsRepository(store, original, newId);
  return store.write((sql) => {
    original.at = data.session.createdAt;
    const session = sessions.within(sql).create({ agentId: options.agentId, title: data.session.title });
    const messages = messageRepo.within(sql);
    const newIds = new Map<string, string>();
    for (const message of ordered) {
      original.at = message.createdAt;
      const parentId = message.parentId === null ? null : required(newIds.get(message.parentId));
      const row = messages.append(session.id, parentId, {
        role: message.role,
        content: message.content,
        // Nothing will ever finish a reply that was streaming when it was exported.
        status: message.status === 'streaming' ? 'incomplete' : message.status,
        model: message.model,
        error: message.error,
      });
      if (message.updatedAt !== message.createdAt) {
        original.at = message.updatedAt;
        messages.update(row.id, {});
      }
      newIds.set(message.id, row.id);
    }
    const head = data.session.headMessageId;
    if (head !== null) {
      sessions.within(sql).setHead(session.id, required(newIds.get(head)));
    }
    const events = eventRepo.within(sql);
    const newEventIds = new Map<string, string>();
    for (const event of data.events ?? []) {
      const parent = event.parentEventId === null ? undefined : newEventIds.get(event.parentEventId);
      const written = events.append({
        // Any dotted type the schema accepted; the log's type column is free text (see EventType).
        type: event.type as EventType,
        sessionId: session.id,
        messageId: event.messageId === null ? null : required(newIds.get(event.messageId)),
        // A parent listed after its child (a hand-edited file) is dropped rather than refused: it only links calls.
        parentEventId: parent ?? null,
        startedAt: event.startedAt,
        endedAt: event.endedAt,
        durationMs: event.durationMs,
        tokens: event.tokens,
        costMicroUsd: event.costMicroUsd,
        model: event.model,
        payload: event.payload,
        // Imported figures are not search material; errors are, as the chat loop records them.
        ...(event.type === 'llm.error' ? {} : { text: '' }),
      });
      newEventIds.set(event.id, written.id);
    }
    // Read back: the messages moved its head and its last activity.
    return { session: selectSession(sql, session.id) ?? session, messages: ordered.length, events: newEventIds.size };
  });
}

class ReplayClock implements Clock {
  at = 0;
  now(): number {
    return this.at;
  }
}

function required(id: string | undefined): string {
  if (id === undefined) {
    throw new Error('A message refers to one that was not imported');
  }
  return id;
}
