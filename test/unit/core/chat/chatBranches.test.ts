import * as assert from 'node:assert/strict';
import { textOf } from '../../../../src/core/chat/chatRequest';
import { ChatRequestError } from '../../../../src/core/chat/chatTypes';
import { HISTORY_PAGE } from '../../../../src/protocol/chat';
import { FAKE_ANSWER, FakeProviderServer } from '../../../fakes/providers/fakeServer';
import { openAiProtocol } from '../../../fakes/providers/openaiProtocol';
import { chatBodies, openHarness, sentMessages, SYSTEM_PROMPT, type Harness } from './chatHarness';

describe('chat loop: retry, edit, branches, fork and the agent for the next message', function () {
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

  /** Two exchanges: question 1 → answer 1 → question 2 → answer 2. */
  async function twoExchanges() {
    const first = await h.service.send(h.session.id, { parentId: null, text: 'question 1' });
    await h.service.whenIdle(h.session.id);
    const second = await h.service.send(h.session.id, { parentId: first.assistantId, text: 'question 2' });
    await h.service.whenIdle(h.session.id);
    return { first, second };
  }
  const texts = (leafId: string) => h.repos.messages.path(leafId).map((message) => textOf(message.content));

  it('retry: a new reply beside the old one, under the same question, and it becomes the leaf', async () => {
    const { second } = await twoExchanges();
    const { assistantId } = await h.service.retry(second.assistantId, { sessionId: h.session.id });
    assert.notEqual(assistantId, second.assistantId);
    const retried = h.repos.messages.get(assistantId);
    assert.equal(retried?.parentId, second.userId);
    assert.ok(h.changes.some((change) => change.event.method === 'chat/leaf' && change.event.params.leafId === assistantId));
    await h.service.whenIdle(h.session.id);
    assert.deepEqual(
      h.repos.messages.siblings(assistantId).map((message) => message.id),
      [second.assistantId, assistantId],
    );
    assert.equal(h.repos.sessions.get(h.session.id)?.headMessageId, assistantId);
    assert.equal(h.repos.messages.get(assistantId)?.status, 'complete');
    const last = chatBodies(server).at(-1)!;
    assert.deepEqual(sentMessages(last), [`system: ${SYSTEM_PROMPT}`, 'user: question 1', `assistant: ${FAKE_ANSWER}`, 'user: question 2']);
    const started = h.repos.events.list({ sessionId: h.session.id }, { types: ['llm.request.started'] }).at(-1);
    assert.equal((started?.payload as Record<string, unknown>).trigger, 'retry');
    await assert.rejects(h.service.retry(second.userId), /Only a reply/);
  });

  it('edit: a new question beside the old one, its own reply, and the old branch intact', async () => {
    const { first, second } = await twoExchanges();
    const edited = await h.service.edit(first.userId, 'question 1, edited');
    await h.service.whenIdle(h.session.id);
    const editedUser = h.repos.messages.get(edited.userId);
    assert.equal(editedUser?.parentId, null, 'a sibling of the first question: also a root');
    assert.deepEqual(texts(edited.assistantId), ['question 1, edited', FAKE_ANSWER]);
    assert.deepEqual(texts(second.assistantId), ['question 1', FAKE_ANSWER, 'question 2', FAKE_ANSWER], 'nothing of the old branch changed');
    assert.deepEqual(sentMessages(chatBodies(server).at(-1)!), [`system: ${SYSTEM_PROMPT}`, 'user: question 1, edited'], 'the request carries only the new branch');
    await assert.rejects(h.service.edit(first.assistantId, 'nope'), /Only a message you wrote/);
  });

  it('selectBranch: the newest path below a message becomes the leaf', async () => {
    const { first, second } = await twoExchanges();
    const edited = await h.service.edit(first.userId, 'question 1, edited');
    await h.service.whenIdle(h.session.id);
    assert.deepEqual(await h.service.selectBranch(first.userId), { leafId: second.assistantId });
    assert.equal(h.repos.sessions.get(h.session.id)?.headMessageId, second.assistantId);
    assert.deepEqual(h.changes.at(-1)?.event, { method: 'chat/leaf', params: { leafId: second.assistantId } });
    assert.deepEqual(await h.service.selectBranch(edited.userId), { leafId: edited.assistantId });
    assert.equal(h.service.snapshot(h.session.id).leafId, edited.assistantId);
    const other = await h.repos.sessions.create({ agentId: h.agent.id });
    await assert.rejects(h.service.selectBranch(first.userId, { sessionId: other.id }), ChatRequestError);
  });

  it('fork: a new session with copies of the path up to the message, same agent, new ids', async () => {
    const { first, second } = await twoExchanges();
    await h.repos.sessions.rename(h.session.id, 'Original');
    await h.service.setAgent(h.session.id, h.agent.id, 'fake-slow');
    const { sessionId } = await h.service.fork(second.userId);
    assert.notEqual(sessionId, h.session.id);
    const forked = h.repos.sessions.get(sessionId);
    assert.equal(forked?.agentId, h.agent.id);
    assert.equal(forked?.title, 'Original (fork)');
    const copies = h.repos.messages.listBySession(sessionId);
    assert.deepEqual(
      copies.map((message) => textOf(message.content)),
      ['question 1', FAKE_ANSWER, 'question 2'],
    );
    const originalIds = new Set([first.userId, first.assistantId, second.userId, second.assistantId]);
    assert.ok(copies.every((message) => !originalIds.has(message.id)));
    assert.equal(forked?.headMessageId, copies.at(-1)?.id);
    const snapshot = h.service.snapshot(sessionId);
    assert.equal(snapshot.modelOverride, 'fake-slow');
    assert.equal(snapshot.leafId, copies.at(-1)?.id);
    assert.equal(h.repos.messages.listBySession(h.session.id).length, 4, 'the original session is untouched');
    // The copied reply shows the original call's footer; the call is not copied, so spend is counted once.
    const original = h.service.snapshot(h.session.id, first.assistantId).messages.find((m) => m.id === first.assistantId);
    assert.ok(original?.footer?.outputTokens !== undefined);
    assert.deepEqual(snapshot.messages[1]?.footer, original.footer);
    assert.equal(h.repos.events.list({ sessionId }).length, 0, 'no call happened in the fork');
    // A fork of the fork still finds the call.
    const again = await h.service.fork(copies.at(-1)!.id);
    assert.deepEqual(h.service.snapshot(again.sessionId).messages[1]?.footer, original.footer);
  });

  it('setAgent: the next message goes to that agent and model; the panel hears about it', async () => {
    const other = await h.repos.agents.create({ name: 'Other', provider: 'fake-openai', model: 'fake-ok', systemPrompt: '' });
    await h.service.setAgent(h.session.id, other.id, 'fake-reasoning');
    const change = h.changes.at(-1)?.event;
    assert.ok(change?.method === 'chat/session');
    assert.equal(change.params.agent?.id, other.id);
    assert.equal(change.params.modelOverride, 'fake-reasoning');
    assert.deepEqual(change.params.agents.map((agent) => agent.name), ['Other', 'Tester']);
    const { assistantId } = await h.service.send(h.session.id, { parentId: null, text: 'think' });
    await h.service.whenIdle(h.session.id);
    const body = chatBodies(server).at(-1)!;
    assert.equal(body.model, 'fake-reasoning');
    assert.deepEqual(sentMessages(body), ['user: think'], 'the other agent has no system prompt');
    const view = h.service.snapshot(h.session.id).messages.find((message) => message.id === assistantId);
    assert.equal(view?.model, 'fake-reasoning');
    assert.equal(view?.agentVersionId, other.currentVersion.id);
    assert.ok((view?.reasoning.length ?? 0) > 0, 'the reasoning is kept apart from the answer');
    assert.equal(view?.text, FAKE_ANSWER);
    await h.service.setAgent(h.session.id, other.id, null);
    assert.equal(h.service.snapshot(h.session.id).modelOverride, null);
  });

  it('snapshot: the shown path with sibling ids (not the other branches), the leaf, the agent, and nothing streaming', async () => {
    const { first, second } = await twoExchanges();
    const edited = await h.service.edit(first.userId, 'other');
    await h.service.whenIdle(h.session.id);
    const snapshot = h.service.snapshot(h.session.id, second.assistantId);
    assert.deepEqual(
      snapshot.messages.map((message) => message.id),
      [first.userId, first.assistantId, second.userId, second.assistantId],
    );
    assert.deepEqual(snapshot.messages[0]?.siblingIds, [first.userId, edited.userId], 'the switcher knows the edit without loading it');
    assert.equal(snapshot.messages[1]?.siblingIds, undefined, 'an only reply has no sibling list');
    assert.equal(snapshot.leafId, second.assistantId);
    assert.equal(snapshot.streamingId, null);
    assert.equal(snapshot.agent?.id, h.agent.id);
    assert.equal(snapshot.session.title, 'question 1');
    const answer = snapshot.messages.find((message) => message.id === second.assistantId);
    assert.equal(answer?.footer?.finishReason, 'stop');
    assert.throws(() => h.service.snapshot(h.session.id, 'not-a-message'), ChatRequestError);
    // The other branch comes as a history page when the panel switches to it.
    const branch = h.service.history(h.session.id, edited.assistantId);
    assert.deepEqual(branch.map((message) => message.id), [edited.userId, edited.assistantId]);
    assert.deepEqual(branch[0]?.siblingIds, [first.userId, edited.userId]);
    assert.equal(branch[1]?.footer?.finishReason, 'stop');
  });

  it('a long session: the snapshot holds the newest page; history pages reach the root, and a far message on request', async () => {
    // 2 x 250 messages written straight to the store: the chat loop is not what this measures.
    const ids: string[] = [];
    await h.store.write((sql) => {
      const messages = h.repos.messages.within(sql);
      let parentId: string | null = null;
      for (let i = 0; i < 500; i++) {
        const role = i % 2 === 0 ? 'user' : 'assistant';
        const message = messages.append(h.session.id, parentId, { role, content: [{ type: 'text', text: `message ${i}` }] });
        ids.push(message.id);
        parentId = message.id;
      }
    });
    const snapshot = h.service.snapshot(h.session.id);
    assert.equal(snapshot.messages.length, HISTORY_PAGE);
    assert.equal(snapshot.messages.at(-1)?.id, ids[499]);
    assert.equal(snapshot.messages[0]?.id, ids[500 - HISTORY_PAGE]);
    const older = h.service.history(h.session.id, snapshot.messages[0]!.parentId!);
    assert.deepEqual(older.map((message) => message.id), ids.slice(500 - 2 * HISTORY_PAGE, 500 - HISTORY_PAGE));
    const oldest = h.service.history(h.session.id, older[0]!.parentId!);
    assert.deepEqual(oldest.map((message) => message.id), ids.slice(0, 500 - 2 * HISTORY_PAGE));
    assert.equal(oldest[0]?.parentId, null, 'the last page starts at the root');
    // A search hit near the root, seen from the newest message: one page reaches it, with a little context above.
    const reveal = h.service.history(h.session.id, ids[499]!, { throughId: ids[30]! });
    assert.equal(reveal[0]?.id, ids[10]);
    assert.equal(reveal.length, 490);
    assert.throws(() => h.service.history(h.session.id, ids[30]!, { throughId: ids[40]! }), /not on this path/);
    const otherSession = await h.repos.sessions.create({ agentId: h.agent.id, title: 'other' });
    assert.throws(() => h.service.history(otherSession.id, ids[10]!), /not part of this session/);
  });
});
