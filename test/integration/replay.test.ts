import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/commands/ids';
import type { TestApi } from '../../src/composition';
import type { ChatService } from '../../src/core/chat/chatService';
import { systemClock } from '../../src/core/ports';
import type { Agent } from '../../src/db/repositories/agents';
import { EventsRepository } from '../../src/db/repositories/events';
import { MessagesRepository } from '../../src/db/repositories/messages';
import { SessionsRepository, type Session } from '../../src/db/repositories/sessions';
import type { InspectorView, ReplayComparison, ReplayOpen } from '../../src/protocol/inspector';
import { FAKE_ANSWER, FakeProviderServer, SENTINEL_KEY } from '../fakes/providers/fakeServer';
import { openAiProtocol } from '../fakes/providers/openaiProtocol';
import { activateStudio, fakeEndpointWithAgent, removeFakeEndpoint } from './support';

/**
 * Replay in a real extension host: a chat turn against the loopback fake provider, the Inspector opened on its
 * session, and the replay requests sent exactly as its webview sends them (validated first): open the call's
 * request, run it with another model, read the comparison, see the replay event in the timeline, and continue it
 * as a new branch that the chat panel shows.
 */

const endpointId = 'openai-compatible:fakereplay';

describe('replay in the Inspector, in a real extension host', function () {
  this.timeout(90_000);
  let api: TestApi;
  let chat: ChatService;
  let fake: FakeProviderServer;
  let agent: Agent;
  let session: Session;
  let key: string;
  const request = <T>(method: string, params: unknown) => api.sessions.inspector.request(key, method, params) as Promise<T>;

  before(async () => {
    api = await activateStudio();
    chat = await api.sessions.chat;
    fake = await FakeProviderServer.start(openAiProtocol);
    ({ agent } = await fakeEndpointWithAgent(api, { name: 'fakereplay', origin: fake.origin, key: SENTINEL_KEY, agentName: 'Replay tester' }));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeFakeEndpoint(endpointId);
    await fake?.close();
  });

  it('replays a chat call with another model, compares it, and continues it as a branch shown in the chat', async () => {
    session = (await vscode.commands.executeCommand<Session | undefined>(CommandIds.newSessionWithAgent, agent.id))!;
    const { assistantId } = (await api.sessions.panelRequest(session.id, 'chat/send', { text: 'Say hello.', parentId: null })) as { assistantId: string };
    await chat.whenIdle(session.id);
    const store = await api.store;
    const events = new EventsRepository(store, systemClock);
    const started = events.list({ sessionId: session.id }).find((event) => event.type === 'llm.request.started' && event.messageId === assistantId)!;
    assert.ok(started, 'the call was recorded');

    await vscode.commands.executeCommand(CommandIds.openInspector, { sessionId: session.id });
    key = `session:${session.id}`;
    assert.ok(api.sessions.inspector.openPanels().includes(key));

    const opened = await request<ReplayOpen>('inspector/replay/open', { eventId: started.id });
    assert.equal(opened.request.sourceEventId, started.id);
    assert.equal(opened.request.provider, endpointId);
    assert.equal(opened.request.model, 'fake-ok');
    assert.equal(opened.request.systemPrompt, 'You answer briefly.');
    assert.ok(opened.providers.some((choice) => choice.id === endpointId), 'the configured endpoints are offered');
    assert.equal(opened.comparison, null);
    assert.ok(!JSON.stringify(opened).includes(SENTINEL_KEY), 'no key in what the panel gets');

    // A hostile edit is refused by the schema before anything runs.
    await assert.rejects(request('inspector/replay/run', { request: { ...opened.request, messages: [] } }), /invalid_request/);

    const comparison = await request<ReplayComparison>('inspector/replay/run', { request: { ...opened.request, model: 'fake-reasoning' } });
    assert.equal(comparison.sourceEventId, started.id);
    assert.equal(comparison.original.model, 'fake-ok');
    assert.equal(comparison.replay.model, 'fake-reasoning');
    assert.equal(comparison.replay.status, 'complete');
    assert.equal(comparison.replay.text, FAKE_ANSWER);
    assert.equal(comparison.original.text, FAKE_ANSWER);
    assert.ok((comparison.replay.tokensIn ?? 0) > 0 && (comparison.replay.tokensOut ?? 0) > 0, 'the replay has its usage');
    assert.deepEqual(
      comparison.changes.map((change) => change.field),
      ['model'],
    );
    assert.equal(fake.hits('reasoning'), 1);

    // The replay is an event of the session: the timeline has it, and opening it gives the stored comparison.
    const view = await request<InspectorView>('inspector/query', { filter: { text: '', types: ['llm.replay.completed'] } });
    assert.equal(view.count, 1);
    assert.equal(view.head.rows[0]!.id, comparison.replayEventId);
    await request('inspector/query', { filter: { text: '', types: [] } });
    const reopened = await request<ReplayOpen>('inspector/replay/open', { eventId: comparison.replayEventId });
    assert.equal(reopened.comparison?.replayEventId, comparison.replayEventId);
    assert.equal(reopened.request.model, 'fake-reasoning');

    // Continue as a branch: a sibling of the original reply, the session's head, in the chat panel.
    const branch = await request<{ sessionId: string; messageId: string }>('inspector/replay/continue', { replayEventId: comparison.replayEventId });
    assert.equal(branch.sessionId, session.id);
    const messages = new MessagesRepository(store, systemClock);
    const made = messages.get(branch.messageId)!;
    const original = messages.get(assistantId)!;
    assert.equal(made.parentId, original.parentId, 'a sibling of the original reply');
    assert.equal(made.model, 'fake-reasoning');
    assert.ok(api.sessions.openPanels().includes(session.id), 'the chat panel of the session is open');
    assert.equal(new SessionsRepository(store, systemClock).get(session.id)?.headMessageId, branch.messageId, 'the chat shows the new branch');
  });

  it('stops a running replay from the panel: it is recorded as cancelled', async () => {
    const store = await api.store;
    const started = new EventsRepository(store, systemClock).list({ sessionId: session.id }).find((event) => event.type === 'llm.request.started')!;
    const opened = await request<ReplayOpen>('inspector/replay/open', { eventId: started.id });
    const running = request<ReplayComparison>('inspector/replay/run', { request: { ...opened.request, model: 'fake-slow' } });
    await waitForHit(fake, 'slow');
    await request('inspector/replay/stop', {});
    const comparison = await running;
    assert.equal(comparison.replay.status, 'cancelled');
  });
});

/** Resolves once the fake provider has received a request for `scenario`. */
async function waitForHit(fake: FakeProviderServer, scenario: 'slow'): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (fake.hits(scenario) === 0) {
    if (Date.now() > deadline) {
      throw new Error(`the fake provider never received a ${scenario} request`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
