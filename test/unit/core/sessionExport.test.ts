import * as assert from 'node:assert/strict';
import { textOf } from '../../../src/core/chat/chatRequest';
import { buildSessionExport, parseSessionExport, type SessionExport } from '../../../src/core/sessionExport';
import { importSession } from '../../../src/core/sessionImport';
import { chatRepositories } from '../../../src/core/chat/chatRepositories';
import { systemClock } from '../../../src/core/ports';
import type { StorePort } from '../../../src/db/repositories/storePort';
import { FakeProviderServer, SENTINEL_KEY } from '../../fakes/providers/fakeServer';
import { openAiProtocol } from '../../fakes/providers/openaiProtocol';
import { openMemoryStore } from '../db/support/memoryStore';
import { NO_KEY_PROVIDER, openHarness, type Harness } from './chat/chatHarness';

/**
 * Session export and import against a real chat history: replies streamed through the real OpenAI SDK from the
 * loopback fake (with the sentinel key), retries and edits as branches, a failed reply, and their events.
 */

/** Ids replaced by their position, and the export time dropped: what must survive a round trip. */
function normalized(data: SessionExport): unknown {
  const names = new Map<string, string>();
  data.messages.forEach((message, index) => names.set(message.id, `m${index}`));
  (data.events ?? []).forEach((event, index) => names.set(event.id, `e${index}`));
  const name = (id: string | null) => (id === null ? null : (names.get(id) ?? `unknown:${id}`));
  return {
    ...data,
    exportedAt: 0,
    session: { ...data.session, id: 'session', headMessageId: name(data.session.headMessageId) },
    messages: data.messages.map((message) => ({ ...message, id: name(message.id), parentId: name(message.parentId) })),
    events: (data.events ?? []).map((event) => ({ ...event, id: name(event.id), parentEventId: name(event.parentEventId), messageId: name(event.messageId) })),
  };
}

describe('session export and import', function () {
  this.timeout(10_000);
  let server: FakeProviderServer;
  let h: Harness;
  before(async () => {
    server = await FakeProviderServer.start(openAiProtocol);
  });
  beforeEach(async () => {
    server.reset();
    h = await openHarness(server);
  });
  afterEach(async () => {
    await h.service.shutdown();
    h.store.close();
  });
  after(() => server.close());

  /** Question → reply, a retried reply, an edited question with its reply, and a reply that failed (no key). */
  async function branchyHistory(): Promise<{ editedReply: string }> {
    const sessionId = h.session.id;
    const first = await h.service.send(sessionId, { parentId: null, text: 'What is a **branch**?' });
    await h.service.whenIdle(sessionId);
    h.clock.advance(1000);
    await h.service.retry(first.assistantId, { sessionId });
    await h.service.whenIdle(sessionId);
    h.clock.advance(1000);
    const edited = await h.service.edit(first.userId, 'What is a tree?', { sessionId });
    await h.service.whenIdle(sessionId);
    h.clock.advance(1000);
    await h.repos.agents.update(h.agent.id, { provider: NO_KEY_PROVIDER });
    const failed = await h.service.send(sessionId, { parentId: edited.assistantId, text: 'And then?' });
    await h.service.whenIdle(sessionId);
    assert.equal(h.repos.messages.get(failed.assistantId)?.status, 'error');
    // Show the edited branch's reply, not the newest leaf: the head must survive the trip too.
    await h.repos.sessions.setHead(sessionId, edited.assistantId);
    return { editedReply: edited.assistantId };
  }

  const repos = () => chatRepositories(h.store, systemClock);

  it('round-trips: export, import as a new session, export again gives the same file but for the ids', async () => {
    await branchyHistory();
    const first = buildSessionExport(repos(), h.session.id, { now: 1 });
    assert.equal(first.messages.length, 7);
    assert.ok((first.events ?? []).length >= 8, 'calls and messages are in the log');

    const parsed = parseSessionExport(JSON.stringify(first));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    const result = await importSession(h.store, parsed.value, { agentId: h.agent.id });
    assert.notEqual(result.session.id, h.session.id);
    assert.equal(result.messages, 7);
    const second = buildSessionExport(repos(), result.session.id, { now: 2 });
    assert.deepEqual(normalized(second), normalized(first));

    // New rows, not moved ones: the original is untouched, and no id is shared.
    assert.equal(h.repos.messages.listBySession(h.session.id).length, 7);
    const oldIds = new Set(first.messages.map((m) => m.id));
    assert.ok(second.messages.every((m) => !oldIds.has(m.id)));
    // The branch shown is the same conversation.
    const path = (leaf: string | null) => (leaf === null ? [] : h.repos.messages.path(leaf).map((m) => textOf(m.content)));
    assert.deepEqual(path(result.session.headMessageId), path(h.repos.sessions.get(h.session.id)!.headMessageId));
  });

  it('never exports a key, the endpoint an agent uses, or agent ids, even after a failed call', async () => {
    await branchyHistory();
    const text = JSON.stringify(buildSessionExport(repos(), h.session.id, { now: 1 }));
    assert.ok(!text.includes(SENTINEL_KEY), 'the key is in the export');
    assert.ok(!text.includes(server.origin) && !text.includes('127.0.0.1'), 'an endpoint address is in the export');
    assert.ok(!text.includes(NO_KEY_PROVIDER) && !text.includes('fake-openai'), 'an endpoint id is in the export');
    assert.ok(!text.includes(h.agent.id) && !text.includes(h.agent.currentVersion.id), 'an agent id is in the export');
    assert.ok(text.includes('"name":"Tester"'), 'the agent summary is there');
  });

  it('imports into another store with no agents: a new session without an agent, every branch kept', async () => {
    await branchyHistory();
    const data = buildSessionExport(repos(), h.session.id, { now: 1, includeEvents: false });
    assert.equal(data.events, undefined);
    const other = await openMemoryStore();
    try {
      const parsed = parseSessionExport(JSON.stringify(data));
      assert.ok(parsed.ok);
      const { session, messages, events } = await importSession(other, parsed.value, { agentId: null });
      assert.equal(session.agentId, null);
      assert.deepEqual([messages, events], [7, 0]);
      const otherRepos = chatRepositories(other, systemClock);
      const roots = otherRepos.messages.listBySession(session.id).filter((m) => m.parentId === null);
      assert.deepEqual(roots.map((m) => textOf(m.content)), ['What is a **branch**?', 'What is a tree?']);
    } finally {
      other.close();
    }
  });

  it('writes nothing when the import fails halfway', async () => {
    await branchyHistory();
    const parsed = parseSessionExport(JSON.stringify(buildSessionExport(repos(), h.session.id, { now: 1 })));
    assert.ok(parsed.ok);
    const count = () => h.store.read((sql) => sql.get<{ n: number }>('SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM messages) + (SELECT count(*) FROM events) AS n')!.n);
    const before = count();
    // The session and every message are written when the first event fails (a full disk, say).
    const failing: StorePort = {
      read: (fn) => h.store.read(fn),
      maintain: (fn) => h.store.maintain(fn),
      write: (fn) =>
        h.store.write((sql) =>
          fn({
            all: (query, params) => sql.all(query, params),
            get: (query, params) => sql.get(query, params),
            run: (query, params) => {
              if (query.startsWith('INSERT INTO events')) {
                throw new Error('disk full');
              }
              return sql.run(query, params);
            },
          }),
        ),
    };
    await assert.rejects(importSession(failing, parsed.value, { agentId: h.agent.id }), /disk full/);
    assert.equal(count(), before);
    // An agent that does not exist fails the very first insert.
    await assert.rejects(importSession(h.store, parsed.value, { agentId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }), /agent/);
    assert.equal(count(), before);
  });
});

describe('session export files that are refused', () => {
  const valid = (): SessionExport => ({
    format: 'ai-studio.session',
    version: 1,
    exportedAt: 10,
    session: { id: 's', title: 'T', createdAt: 1, updatedAt: 2, headMessageId: 'b' },
    agent: null,
    messages: [
      { id: 'a', parentId: null, role: 'user', content: [{ type: 'text', text: 'hi' }], status: 'complete', model: null, error: null, createdAt: 1, updatedAt: 1 },
      { id: 'b', parentId: 'a', role: 'assistant', content: [{ type: 'text', text: 'yo' }], status: 'complete', model: 'm', error: null, createdAt: 2, updatedAt: 2 },
    ],
  });
  const refusal = (data: unknown) => {
    const result = parseSessionExport(typeof data === 'string' ? data : JSON.stringify(data));
    assert.equal(result.ok, false, 'the file was accepted');
    return result.ok ? '' : result.error;
  };

  it('accepts a valid file', () => {
    assert.equal(parseSessionExport(JSON.stringify(valid())).ok, true);
  });

  it('names the first problem, where it is', () => {
    assert.match(refusal('{"format": '), /^The file is not JSON \(/);
    assert.match(refusal({ ...valid(), format: 'something.else' }), /not an AI Studio session export/);
    assert.match(refusal([1, 2]), /not an AI Studio session export/);
    assert.match(refusal({ ...valid(), version: 2 }), /version 2 session export; this AI Studio reads version 1\. Update AI Studio/);
    const badRole = valid();
    (badRole.messages[1] as { role: string }).role = 'robot';
    assert.match(refusal(badRole), /^messages\[1\]\.role: Invalid option: expected one of/);
    const badPart = valid();
    (badPart.messages[0]!.content[0] as { type: string }).type = 'blob';
    assert.match(refusal(badPart), /^messages\[0\]\.content\[0\]\.type: /);
    const noMessages: Partial<SessionExport> = valid();
    delete noMessages.messages;
    assert.match(refusal(noMessages), /^messages: /);
    assert.match(refusal({ ...valid(), exportedAt: -1 }), /^exportedAt: /);
  });

  it('refuses a broken tree: a missing parent, a duplicate id, a loop, a head that is not there', () => {
    const orphan = valid();
    orphan.messages[1]!.parentId = 'zzz';
    assert.equal(refusal(orphan), 'messages[1].parentId: no message in the file has the id "zzz".');
    const duplicate = valid();
    duplicate.messages[1]!.id = 'a';
    duplicate.session.headMessageId = 'a';
    assert.equal(refusal(duplicate), 'messages[1].id: "a" is used by another message too.');
    const loop = valid();
    loop.messages[0]!.parentId = 'b';
    assert.match(refusal(loop), /form a loop/);
    const head = valid();
    head.session.headMessageId = 'nope';
    assert.equal(refusal(head), 'session.headMessageId: no message in the file has the id "nope".');
  });

  it('refuses events the log would refuse, before writing anything', () => {
    const event = {
      id: 'e',
      parentEventId: null,
      messageId: 'b',
      type: 'llm.response.completed',
      startedAt: 5,
      endedAt: 6,
      durationMs: 1,
      tokens: { input: 1, output: 2, cacheRead: null, cacheWrite: null, reasoning: null },
      costMicroUsd: null,
      model: 'm',
      payload: {},
    };
    assert.equal(parseSessionExport(JSON.stringify({ ...valid(), events: [event] })).ok, true);
    assert.match(refusal({ ...valid(), events: [{ ...event, type: 'Not A Type' }] }), /^events\[0\]\.type: not an event type/);
    assert.equal(refusal({ ...valid(), events: [{ ...event, messageId: 'x' }] }), 'events[0].messageId: no message in the file has the id "x".');
    assert.equal(refusal({ ...valid(), events: [{ ...event, endedAt: 1 }] }), 'events[0].endedAt: it ends before it starts.');
    assert.match(refusal({ ...valid(), events: [{ ...event, tokens: { ...event.tokens, input: 1.5 } }] }), /^events\[0\]\.tokens\.input: /);
  });
});
