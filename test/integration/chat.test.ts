import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/commands/ids';
import type { SessionSearchHit } from '../../src/commands/searchCommand';
import type { TestApi } from '../../src/composition';
import type { ChatService } from '../../src/core/chat/chatService';
import { textOf } from '../../src/core/chat/chatRequest';
import { parseSessionExport } from '../../src/core/sessionExport';
import { systemClock } from '../../src/core/ports';
import type { Agent } from '../../src/db/repositories/agents';
import { MessagesRepository } from '../../src/db/repositories/messages';
import { SessionsRepository, type Session } from '../../src/db/repositories/sessions';
import { loadSqlJs } from '../../src/db/sqlJs';
import { openStudioStore, storeDir } from '../../src/db/studioStore';
import type { SessionGroup } from '../../src/views/sessionsModel';
import { FAKE_ANSWER, FakeProviderServer, SENTINEL_KEY } from '../fakes/providers/fakeServer';
import { openAiProtocol } from '../fakes/providers/openaiProtocol';
import { activateStudio, fakeEndpointWithAgent, removeFakeEndpoint, extensionId, waitForEvent, waitUntil } from './support';

/**
 * Sessions and the chat loop in a real extension host: agents and sessions made through the commands, messages
 * sent through a real chat panel's request handlers (validated as its webview's would be) to an OpenAI-compatible
 * fake on 127.0.0.1 through the real openai SDK, the history read back from the store's files by a second store,
 * export and import through files, search, and the Sessions view following every change.
 */

const endpointId = 'openai-compatible:fakechat';
const unique = (name: string) => `${name} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** Resolves with the view's groups once `check` holds, re-reading whenever the view refreshes (no sleeping). */
async function groupsWhen(api: TestApi, check: (groups: SessionGroup[]) => boolean, what: string, timeoutMs = 20_000): Promise<SessionGroup[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let subscription: vscode.Disposable | undefined;
    const changed = new Promise<void>((resolve) => {
      subscription = api.sessions.onDidChange(() => resolve());
    });
    try {
      const groups = await api.sessions.rows();
      if (check(groups)) {
        return groups;
      }
      const timedOut = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now())));
      if ((await Promise.race([changed, timedOut])) === 'timeout') {
        throw new Error(`Timed out waiting for ${what}; groups: ${JSON.stringify(groups.map((g) => [g.label, g.sessions.map((r) => r.label)]))}`);
      }
    } finally {
      subscription?.dispose();
    }
  }
}

const tabLabels = () => vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
const rowOf = (groups: SessionGroup[], id: string) => groups.flatMap((g) => g.sessions.map((row) => ({ group: g.id, row }))).find((r) => r.row.id === id);

describe('sessions and the chat panel in a real extension host', function () {
  this.timeout(90_000);
  let api: TestApi;
  let chat: ChatService;
  let fake: FakeProviderServer;
  let agent: Agent;
  let session: Session;
  let imported: Session;
  let tmp: string;
  const request = (method: string, params: unknown) => api.sessions.panelRequest(session.id, method, params);
  const messages = async (sessionId: string) => new MessagesRepository(await api.store, systemClock).listBySession(sessionId);

  /** Opens a session through `command` and waits until its real webview has loaded and asked for its state. */
  async function openedByCommand<T>(command: () => Thenable<T>): Promise<T> {
    const ready = waitForEvent(api.onPanelTraffic, (t) => t.panel === 'Chat' && t.direction === 'fromPanel' && t.kind === 'ready', 'the chat webview to say ready');
    const result = await command();
    await ready;
    return result;
  }

  before(async () => {
    api = await activateStudio();
    chat = await api.sessions.chat;
    fake = await FakeProviderServer.start(openAiProtocol);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'ais-chat-'));
    ({ agent } = await fakeEndpointWithAgent(api, { name: 'fakechat', origin: fake.origin, key: SENTINEL_KEY, agentName: unique('Chat tester') }));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeFakeEndpoint(endpointId);
    await fake?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('starts a session with an agent from the command, opens its chat panel, and the view shows it untitled', async () => {
    const created = await openedByCommand(() => vscode.commands.executeCommand<Session | undefined>(CommandIds.newSessionWithAgent, agent.id));
    assert.ok(created);
    session = created;
    assert.equal(session.title, '');
    assert.deepEqual(api.sessions.openPanels().filter((id) => id === session.id), [session.id]);
    const groups = await groupsWhen(api, (g) => rowOf(g, session.id) !== undefined, 'the new session in the view');
    const { group, row } = rowOf(groups, session.id)!;
    assert.deepEqual([group, row.label, row.description, row.contextValue], ['today', 'New session', agent.name, 'session unpinned']);
    // Opening it again reveals the same panel.
    await vscode.commands.executeCommand(CommandIds.openSession, session.id);
    assert.equal(api.sessions.openPanels().filter((id) => id === session.id).length, 1);
  });

  it('sends through the panel: the reply streams from the fake with the key, is saved, and names the session', async () => {
    const sent = (await request('chat/send', { text: 'Tell me about lighthouses', parentId: null })) as { userId: string; assistantId: string };
    await chat.whenIdle(session.id);
    const saved = await messages(session.id);
    assert.deepEqual(saved.map((m) => [m.id, m.role, m.status, textOf(m.content)]), [
      [sent.userId, 'user', 'complete', 'Tell me about lighthouses'],
      [sent.assistantId, 'assistant', 'complete', FAKE_ANSWER],
    ]);
    const call = fake.requests.find((r) => r.url === '/v1/chat/completions');
    assert.equal(call?.headers.authorization, `Bearer ${SENTINEL_KEY}`);
    const groups = await groupsWhen(api, (g) => rowOf(g, session.id)?.row.label === 'Tell me about lighthouses', 'the title from the first exchange');
    assert.equal(rowOf(groups, session.id)!.row.description, agent.name);
    await waitUntil(() => tabLabels().includes('Tell me about lighthouses'), vscode.window.tabGroups.onDidChangeTabs, 'the chat tab to carry the title');
  });

  it('edits the question into a second branch and switches between the branches; nothing is deleted', async () => {
    const [question, answer] = await messages(session.id);
    const edited = (await request('chat/edit', { messageId: question!.id, text: 'Tell me about harbours' })) as { userId: string; assistantId: string };
    await chat.whenIdle(session.id);
    assert.equal((await messages(session.id)).length, 4);
    const back = (await request('chat/selectBranch', { messageId: question!.id })) as { leafId: string };
    assert.equal(back.leafId, answer!.id);
    assert.equal(chat.snapshot(session.id).leafId, answer!.id);
    const forth = (await request('chat/selectBranch', { messageId: edited.userId })) as { leafId: string };
    assert.equal(forth.leafId, edited.assistantId);
  });

  it('refuses what a panel may not do: other sessions\' messages, malformed requests, non-http links; Inspect opens the Inspector', async () => {
    const other = await vscode.commands.executeCommand<Session>(CommandIds.newSessionWithAgent, agent.id);
    const [question] = await messages(session.id);
    await assert.rejects(api.sessions.panelRequest(other.id, 'chat/selectBranch', { messageId: question!.id }), /handler_failed/);
    await assert.rejects(request('chat/send', { text: '', parentId: null }), /invalid_request/);
    await assert.rejects(request('__proto__', {}), /unknown_method/);
    const inspectorReady = waitForEvent(api.onPanelTraffic, (t) => t.panel === 'Inspector' && t.direction === 'fromPanel' && t.kind === 'ready', 'the Inspector to open');
    assert.equal(await request('chat/inspect', { messageId: question!.id }), null);
    await inspectorReady;
    assert.ok(api.sessions.inspector.openPanels().includes(`session:${session.id}`));
    await assert.rejects(request('chat/openLink', { url: 'javascript:alert(1)' }), /Only http and https links/);
    api.agents.answerNextPrompt(undefined);
    assert.equal(await request('chat/openLink', { url: 'https://example.com/docs?a=1' }), null);
    assert.equal(api.agents.prompts().at(-1)?.detail.startsWith('https://example.com/docs?a=1'), true);
    api.agents.answerNextPrompt('Delete');
    assert.equal(await vscode.commands.executeCommand(CommandIds.deleteSession, other.id), true);
  });

  it('stops a reply mid-stream: the text so far is kept and the reply is marked cancelled', async () => {
    await request('chat/setAgent', { agentId: agent.id, model: 'fake-slow' });
    const leaf = chat.snapshot(session.id).leafId;
    const firstDelta = new Promise<void>((resolve) => {
      const subscription = chat.onDidChange(({ sessionId, event }) => {
        if (sessionId === session.id && event.method === 'chat/delta') {
          subscription.dispose();
          resolve();
        }
      });
    });
    const sent = (await request('chat/send', { text: 'Speak slowly', parentId: leaf })) as { assistantId: string };
    await firstDelta;
    assert.equal(await request('chat/stop', {}), null);
    const stopped = (await messages(session.id)).find((m) => m.id === sent.assistantId)!;
    assert.equal(stopped.status, 'cancelled');
    assert.ok(textOf(stopped.content).length > 0 && textOf(stopped.content).length < FAKE_ANSWER.length, textOf(stopped.content));
    await request('chat/setAgent', { agentId: agent.id, model: null });
  });

  it('fails a reply to an endpoint without its key as an auth error that offers Set API Key, and asks nobody', async () => {
    const keyless = await vscode.commands.executeCommand<Agent>(CommandIds.createAgent, { name: unique('Keyless'), provider: 'openai', model: 'gpt-4.1-mini' });
    const other = await vscode.commands.executeCommand<Session>(CommandIds.newSessionWithAgent, keyless.id);
    const before = fake.requests.length;
    const sent = (await api.sessions.panelRequest(other.id, 'chat/send', { text: 'Hello?', parentId: null })) as { assistantId: string };
    await chat.whenIdle(other.id);
    const reply = chat.snapshot(other.id).messages.find((m) => m.id === sent.assistantId)!;
    assert.equal(reply.status, 'error');
    assert.deepEqual([reply.error?.kind, reply.error?.actions], ['auth', ['setKey']]);
    assert.match(reply.error!.message, /OpenAI needs an API key/);
    assert.equal(chat.providerFor(sent.assistantId), 'openai', 'Set API Key goes to the endpoint the reply used');
    assert.equal(fake.requests.length, before);
    api.agents.answerNextPrompt('Delete');
    assert.equal(await vscode.commands.executeCommand(CommandIds.deleteSession, other.id), true);
  });

  it('keeps the history on disk: a second store opened on the same files reads every message', async () => {
    const extensionPath = vscode.extensions.getExtension(extensionId)!.extensionPath;
    const wasmPath = path.join(extensionPath, 'dist', 'sql-wasm.wasm');
    const reopened = await openStudioStore({
      dir: storeDir(api.globalStoragePath),
      SQL: await loadSqlJs(wasmPath),
      wasmPath,
      workerPath: path.join(extensionPath, 'dist', 'checkpointWorker.js'),
      onError: (error) => assert.fail(error),
    });
    try {
      const fromFiles = new MessagesRepository(reopened, systemClock).listBySession(session.id);
      const live = await messages(session.id);
      assert.deepEqual(fromFiles, live);
      assert.equal(fromFiles.length, 6);
      assert.equal(new SessionsRepository(reopened, systemClock).get(session.id)?.title, 'Tell me about lighthouses');
    } finally {
      await reopened.close();
    }
  });

  it('exports every branch to JSON and the branch shown to Markdown, and imports the JSON as a new session', async () => {
    const jsonFile = path.join(tmp, 'session.json');
    const markdownFile = path.join(tmp, 'session.md');
    await vscode.commands.executeCommand(CommandIds.exportSession, session.id, jsonFile);
    await vscode.commands.executeCommand(CommandIds.exportSessionMarkdown, session.id, markdownFile);
    const json = readFileSync(jsonFile, 'utf8');
    const markdown = readFileSync(markdownFile, 'utf8');
    for (const text of [json, markdown]) {
      assert.ok(!text.includes(SENTINEL_KEY), 'the key is in an export');
      assert.ok(!text.includes(fake.origin), 'the endpoint is in an export');
    }
    const parsed = parseSessionExport(json);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    assert.equal(parsed.value.messages.length, 6);
    assert.match(markdown, /^# Tell me about lighthouses\n/);
    assert.match(markdown, /## You · .*\n\nTell me about harbours\n/);

    const copy = await openedByCommand(() => vscode.commands.executeCommand<Session | undefined>(CommandIds.importSession, jsonFile));
    assert.ok(copy && copy.id !== session.id);
    imported = copy;
    assert.equal(imported.agentId, agent.id, 'the agent of the same name');
    const copies = await messages(imported.id);
    assert.deepEqual(copies.map((m) => textOf(m.content)), (await messages(session.id)).map((m) => textOf(m.content)));
    assert.ok(api.sessions.openPanels().includes(imported.id));
  });

  it('refuses a damaged export with the first problem named, and imports nothing', async () => {
    const broken = path.join(tmp, 'broken.json');
    const data = JSON.parse(readFileSync(path.join(tmp, 'session.json'), 'utf8')) as { messages: { role: string }[] };
    data.messages[1]!.role = 'robot';
    await vscode.workspace.fs.writeFile(vscode.Uri.file(broken), new TextEncoder().encode(JSON.stringify(data)));
    const before = (await api.sessions.rows()).flatMap((g) => g.sessions).length;
    assert.equal(await vscode.commands.executeCommand(CommandIds.importSession, broken), undefined);
    const logged = api.providers.logLines().find((line) => line.includes('Could not import broken.json'));
    assert.match(logged ?? '', /messages\[1\]\.role: Invalid option.*Nothing was imported\./);
    assert.equal((await api.sessions.rows()).flatMap((g) => g.sessions).length, before);
  });

  it('finds a word from a reply with Search Sessions, and opening the hit shows its branch', async () => {
    // Both sessions show the other branch first, so opening the hit has to switch branches.
    for (const id of [session.id, imported.id]) {
      const [question] = await messages(id);
      await chat.selectBranch(question!.id, { sessionId: id });
    }
    const hits = await vscode.commands.executeCommand<SessionSearchHit[]>(CommandIds.searchSessions, { query: 'harbours', open: true });
    assert.deepEqual(new Set(hits.map((h) => h.sessionId)), new Set([session.id, imported.id]));
    const hit = hits[0]!;
    assert.equal(hit.sessionTitle, 'Tell me about lighthouses');
    assert.equal(hit.role, 'user');
    assert.match(hit.snippet, /harbours/);
    const leaf = chat.snapshot(hit.sessionId).leafId!;
    const branch = new MessagesRepository(await api.store, systemClock).path(leaf).map((m) => m.id);
    assert.ok(branch.includes(hit.messageId), 'the branch shown holds the hit');
    assert.ok(api.sessions.openPanels().includes(hit.sessionId));
    assert.ok((await api.sessions.search('pieces')).some((h) => h.role === 'assistant' && h.sessionId === session.id), 'words of a reply are found');
  });

  it('inserts a code block at the cursor of the last text editor, also when the panel hides that editor', async () => {
    const document = await vscode.workspace.openTextDocument({ content: 'first\nlast\n', language: 'plaintext' });
    // In the panel's own editor group, so that revealing the panel hides the file's editor.
    const group = vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Tell me about lighthouses'));
    assert.ok(group, 'the panel has a tab');
    const editor = await vscode.window.showTextDocument(document, group.viewColumn);
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    await vscode.commands.executeCommand(CommandIds.openSession, session.id);
    await waitUntil(() => !vscode.window.visibleTextEditors.some((e) => e.document === document), vscode.window.onDidChangeVisibleTextEditors, 'the file hidden behind the panel');
    assert.equal(await request('chat/insertAtCursor', { code: 'const inserted = 1;\n' }), null);
    assert.equal(document.getText(), 'first\nconst inserted = 1;\nlast\n');
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('pins, renames, filters and deletes from the commands, and the view and the panel follow', async () => {
    await vscode.commands.executeCommand(CommandIds.pinSession, session.id);
    let groups = await groupsWhen(api, (g) => rowOf(g, session.id)?.group === 'pinned', 'the session pinned');
    assert.equal(rowOf(groups, session.id)!.row.contextValue, 'session pinned');
    await vscode.commands.executeCommand(CommandIds.renameSession, session.id, 'Coastal notes');
    await groupsWhen(api, (g) => rowOf(g, session.id)?.row.label === 'Coastal notes', 'the new name');
    await waitUntil(() => tabLabels().includes('Coastal notes'), vscode.window.tabGroups.onDidChangeTabs, 'the tab renamed');

    await vscode.commands.executeCommand(CommandIds.filterSessions, 'lighthouses');
    groups = await api.sessions.rows();
    const shown = groups.flatMap((g) => g.sessions);
    assert.ok(shown.some((row) => row.id === session.id), 'the session whose first message matches');
    assert.ok(shown.some((row) => row.id === imported.id), 'its import, whose title matches');
    assert.ok(!shown.some((row) => row.label === 'New session'), 'an empty session matched');
    await vscode.commands.executeCommand(CommandIds.clearSessionFilter);
    await vscode.commands.executeCommand(CommandIds.unpinSession, session.id);
    await groupsWhen(api, (g) => rowOf(g, session.id)?.group === 'today', 'the session unpinned');

    api.agents.answerNextPrompt(undefined);
    assert.equal(await vscode.commands.executeCommand(CommandIds.deleteSession, session.id), false);
    assert.ok(rowOf(await api.sessions.rows(), session.id), 'Cancel keeps the session');
    api.agents.answerNextPrompt('Delete');
    assert.equal(await vscode.commands.executeCommand(CommandIds.deleteSession, session.id), true);
    assert.match(api.agents.prompts().at(-1)!.detail, /Its 6 messages are deleted with it, every branch included\./);
    await groupsWhen(api, (g) => rowOf(g, session.id) === undefined, 'the session gone from the view');
    assert.ok(!api.sessions.openPanels().includes(session.id), 'its panel is closed');
    assert.deepEqual(await messages(session.id), []);
  });
});
