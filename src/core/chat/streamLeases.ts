import type { EventsRepository } from '../../db/repositories/events';
import type { Message, MessagesRepository } from '../../db/repositories/messages';
import { selectMessage, selectWithStatus } from '../../db/repositories/messageWrites';
import type { JsonValue } from '../../db/repositories/rows';
import type { SettingsRepository } from '../../db/repositories/settings';
import type { StorePort } from '../../db/repositories/storePort';
import type { SqlWriter } from '../../db/sql';
import { settleToolMessage } from '../agent/toolRecovery';
import type { Clock } from '../ports';
import { interruptedError, toJsonError } from './chatErrors';

/**
 * Which window is writing which streaming reply. Several VS Code windows share one store, so at startup a
 * window cannot tell a reply left 'streaming' by a crash from one another window is streaming right now. Each
 * streaming reply therefore has a lease (a settings row): the owning window and a heartbeat it renews with
 * every save and on a timer. A reply whose lease is older than the timeout, or missing, was abandoned.
 */

const LEASE_PREFIX = 'chat.streamLease.';

export interface StreamLease {
  windowId: string;
  sessionId: string;
  heartbeatAt: number;
}

export function leaseKey(messageId: string): string {
  return `${LEASE_PREFIX}${messageId}`;
}

export function readLease(value: JsonValue | undefined): StreamLease | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const record = value as { readonly [key: string]: JsonValue };
  const { windowId, sessionId, heartbeatAt } = record;
  if (typeof windowId !== 'string' || typeof sessionId !== 'string' || typeof heartbeatAt !== 'number') {
    return undefined;
  }
  return { windowId, sessionId, heartbeatAt };
}

export interface LeaseDeps {
  store: StorePort;
  clock: Clock;
  windowId: string;
  leaseTimeoutMs: number;
  messages: MessagesRepository;
  events: EventsRepository;
  settings: SettingsRepository;
}

export class StreamLeases {
  constructor(private readonly deps: LeaseDeps) {}

  /** Claims or renews the lease, inside the caller's transaction (the reply's own writes). */
  hold(sql: SqlWriter, messageId: string, sessionId: string): void {
    const lease: StreamLease = { windowId: this.deps.windowId, sessionId, heartbeatAt: this.deps.clock.now() };
    this.deps.settings.within(sql).set(leaseKey(messageId), { ...lease });
  }

  release(sql: SqlWriter, messageId: string): void {
    this.deps.settings.within(sql).delete(leaseKey(messageId));
  }

  /**
   * Marks every abandoned streaming reply incomplete (its text kept, an `interrupted` error offering Retry, an
   * llm.error event), and drops leases whose reply is no longer streaming. A reply is abandoned when its lease
   * is missing, another window's and stale, or this window's own while `streamingHere` says it is not streaming
   * it (a lease is written with its reply, in one transaction, so a reply being started here has ours). Returns
   * the replies it marked.
   */
  async recover(streamingHere: (message: Message) => boolean): Promise<Message[]> {
    const { store, clock, settings, messages, events } = this.deps;
    const leaseKeys = settings.keys(LEASE_PREFIX);
    return store.write((sql) => {
      const now = clock.now();
      const marked: Message[] = [];
      for (const message of selectWithStatus(sql, 'streaming')) {
        const lease = readLease(settings.within(sql).get(leaseKey(message.id)));
        if (lease !== undefined && this.isLive(lease, now, () => streamingHere(message))) {
          continue;
        }
        if (message.role === 'tool') {
          marked.push(messages.within(sql).update(message.id, { status: 'incomplete', content: settleToolMessage(sql, events, message) }));
          this.release(sql, message.id);
          continue;
        }
        const error = interruptedError();
        marked.push(messages.within(sql).update(message.id, { status: 'incomplete', error: toJsonError(error) }));
        events.within(sql).append({
          type: 'llm.error',
          sessionId: message.sessionId,
          messageId: message.id,
          model: message.model,
          payload: { kind: error.kind, message: error.message, status: 'incomplete' },
        });
        this.release(sql, message.id);
      }
      for (const key of leaseKeys) {
        const owner = selectMessage(sql, key.slice(LEASE_PREFIX.length));
        if (owner?.status !== 'streaming') {
          settings.within(sql).delete(key);
        }
      }
      return marked;
    });
  }

  /** Another window's lease lives by its heartbeat; ours only while this window really streams the reply. */
  private isLive(lease: StreamLease, now: number, streamingHere: () => boolean): boolean {
    if (lease.windowId === this.deps.windowId) {
      return streamingHere();
    }
    return now - lease.heartbeatAt <= this.deps.leaseTimeoutMs;
  }
}
