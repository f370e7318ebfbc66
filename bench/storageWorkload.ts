import type { Clock } from '../src/core/ports';
import { EventsRepository } from '../src/db/repositories/events';
import { MessagesRepository, type Message } from '../src/db/repositories/messages';
import { SessionsRepository } from '../src/db/repositories/sessions';
import type { StorePort } from '../src/db/repositories/storePort';
import type { SqlWriter } from '../src/db/sql';

/**
 * Synthetic but realistic history for the storage benchmark: sessions of alternating user/assistant messages
 * (a few hundred to a few thousand characters of varied words) with three events per exchange, written through
 * the real repositories, so the rows, indexes and full-text index are those the product writes.
 */

/** Deterministic pseudo-random numbers, so every run measures the same data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qu', 'or', 'en', 'ax', 'il', 'um'];

/** ~4000 distinct words with a long-tailed frequency, like natural text. */
export function vocabulary(random: () => number): string[] {
  const words = new Set<string>();
  while (words.size < 4000) {
    const length = 2 + Math.floor(random() * 3);
    words.add(Array.from({ length }, () => syllables[Math.floor(random() * syllables.length)]).join(''));
  }
  return [...words];
}

export function sentence(random: () => number, words: readonly string[], chars: number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < chars) {
    // Squaring skews toward the start of the list: a few words are common, most are rare.
    const word = words[Math.floor(random() ** 2 * words.length)]!;
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ');
}

/** Repositories used only through `within(sql)`: their writes join a transaction the caller already holds. */
const noStore: StorePort = {
  read: () => {
    throw new Error('the benchmark reads through within(sql)');
  },
  write: () => Promise.reject(new Error('the benchmark writes through within(sql)')),
  maintain: () => Promise.reject(new Error('the benchmark writes through within(sql)')),
};

/** One chat exchange as the chat loop writes it, in one transaction: the user message, the reply, three events. */
export function writeExchange(sql: SqlWriter, clock: Clock, sessionId: string, parentId: string | null, text: () => string): Message {
  const messages = new MessagesRepository(noStore, clock).within(sql);
  const events = new EventsRepository(noStore, clock).within(sql);
  const user = messages.append(sessionId, parentId, { role: 'user', content: [{ type: 'text', text: text() }] });
  events.append({ type: 'llm.request.started', sessionId, messageId: user.id, payload: { model: 'bench-model', messages: 12 } });
  const reply = messages.append(sessionId, user.id, { role: 'assistant', content: [{ type: 'text', text: text() }], model: 'bench-model' });
  events.append({
    type: 'llm.response.completed',
    sessionId,
    messageId: reply.id,
    tokens: { input: 1200, output: 450 },
    costMicroUsd: 5400,
    model: 'bench-model',
    payload: { finishReason: 'stop', latencyMs: 2300, firstTokenMs: 410 },
  });
  events.append({ type: 'message.assistant', sessionId, messageId: reply.id, payload: { chars: 1800 } });
  return reply;
}

export function createSession(sql: SqlWriter, clock: Clock, title: string): string {
  return new SessionsRepository(noStore, clock).within(sql).create({ title }).id;
}
