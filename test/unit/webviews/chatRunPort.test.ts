import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { systemClock } from '../../../src/core/ports';
import type { JsonValue } from '../../../src/db/repositories/rows';
import { chatRunPort } from '../../../src/webviews/chat/chatRunPort';
import { FakeProviderServer } from '../../fakes/providers/fakeServer';
import { modelForScript, type ScriptStep } from '../../fakes/providers/fakeScripts';
import { openAiProtocol } from '../../fakes/providers/openaiProtocol';
import { defaultTools, openAgentWorkspace, type AgentWorkspace } from '../core/agent/agentSupport';
import { openWindow, until, untilStatus, type RunWindow } from '../core/runs/runSupport';
import { openMemoryStore, type MemoryStore } from '../db/support/memoryStore';

/**
 * The chat panel's run port on the real runner, chat loop, store and tools (a temporary workspace), the model
 * scripted by the loopback fake: what the header says about a real run, and that what it names (a file's last
 * write, the run's first message) is what the chat panel's existing diff and undo requests accept.
 */

const EDITS_TWICE: ScriptStep[] = [
  {
    text: 'Fixing calc.js and leaving a note.',
    toolCalls: [
      { name: 'replace_in_file', arguments: { path: 'calc.js', oldText: 'a - b', newText: 'a + b' } },
      { name: 'write_file', arguments: { path: 'notes/NOTES.md', content: 'add() fixed\n' } },
    ],
  },
  { toolCalls: [{ name: 'replace_in_file', arguments: { path: 'calc.js', oldText: 'a + b', newText: 'b + a' } }] },
  { text: 'Fixed: add() subtracted.' },
];

const EDITS_BY_THEMSELVES = defaultTools({ replace_in_file: { name: 'replace_in_file', mode: 'auto' }, write_file: { name: 'write_file', mode: 'auto' } });

describe('chat run port (the run header on a real run)', function () {
  this.timeout(60_000);
  let server: FakeProviderServer;
  let ws: AgentWorkspace;
  let win: RunWindow;
  let store: MemoryStore;

  before(async () => {
    server = await FakeProviderServer.start(openAiProtocol);
  });
  after(() => server.close());
  beforeEach(async () => {
    ws = openAgentWorkspace();
    store = await openMemoryStore();
    win = openWindow(server, store, { windowId: 'window-1', clock: systemClock, tools: ws.runtime });
  });
  afterEach(async () => {
    await win.runs.shutdown();
    await win.chat.shutdown();
    ws.cleanup();
  });

  async function startRun(script: ScriptStep[], tools: JsonValue[] = EDITS_BY_THEMSELVES) {
    const name = `port${Math.random().toString(36).slice(2)}`;
    server.scripts.set(name, script);
    const agent = await win.repos.agents.create({ name: 'Runner', provider: 'fake-openai', model: modelForScript(name), tools });
    return win.runs.start({ agentId: agent.id, task: 'Fix add() in calc.js.', budget: { steps: 10, tokens: 50_000, minutes: 5 } });
  }

  it('names the files the run changed with their last write, which the diff and Undo All accept', async () => {
    const port = chatRunPort({ runs: win.runs, store });
    const run = await startRun(EDITS_TWICE);
    const done = await untilStatus(win, run.id, 'completed');
    const sessionId = done.sessionId ?? '';

    const header = port.headerOf(sessionId);
    assert.equal(header?.runId, run.id);
    assert.equal(header?.state, 'completed');
    assert.deepEqual(header?.meters.map((meter) => meter.text.replace(/[\d.,]+ \/ /, 'N / ')), ['N / 10 steps', 'N / 50,000 tokens', 'N / 5 min']);
    assert.equal(header?.meters[0]?.text, '3 / 10 steps');
    assert.deepEqual(header?.ended?.result, { text: 'Fixed: add() subtracted.', truncated: false });
    assert.match(header?.ended?.totals.label ?? '', /^3 steps · [\d,]+ tokens · /);

    const files = header?.ended?.files ?? [];
    assert.deepEqual(files.map((file) => [file.shown, file.change]), [['calc.js', 'modified'], [path.join('notes', 'NOTES.md'), 'created']]);
    const line = win.repos.messages.path(win.repos.sessions.get(sessionId)?.headMessageId ?? '');
    const toolMessages = line.filter((message) => message.role === 'tool').map((message) => message.id);
    assert.equal(toolMessages.length, 2);
    assert.equal(files[0]?.messageId, toolMessages[1], "calc.js: the second step's write is its last");
    assert.equal(files[1]?.messageId, toolMessages[0]);
    for (const file of files) {
      // What the panel's `chat/openDiff` does with these ids: refused unless that call wrote that file.
      const change = await win.chat.fileChange(sessionId, file.messageId, file.callId, file.path);
      assert.equal(change.original, file.change === 'created' ? null : readFileSync(path.join(ws.folder, 'calc.js'), 'utf8').replace('b + a', 'a - b'));
    }

    assert.equal(header?.firstMessageId, line[0]?.id);
    assert.equal(line[0]?.role, 'user');
    const undone = await win.chat.undo(sessionId, header?.firstMessageId ?? '', 'since', () => Promise.resolve(new Set()));
    assert.deepEqual(undone, { restored: 2, skipped: 0 });
    assert.match(readFileSync(path.join(ws.folder, 'calc.js'), 'utf8'), /a - b/);
  });

  it('shows a running run with Cancel, without files, and Cancel through the port ends it', async () => {
    const port = chatRunPort({ runs: win.runs, store });
    const run = await startRun([{ toolCalls: [{ name: 'run_command', arguments: { command: 'node test.js' } }] }, { text: 'done' }], defaultTools());
    const waiting = await untilStatus(win, run.id, 'waiting');
    const header = port.headerOf(waiting.sessionId ?? '');
    assert.equal(header?.state, 'waiting');
    assert.equal(header?.canCancel, true);
    assert.equal(header?.ended, undefined);
    assert.equal(header?.firstMessageId, null, 'Undo All is offered once the run ended');
    await port.cancel(run.id);
    await untilStatus(win, run.id, 'cancelled');
    assert.equal(port.headerOf(waiting.sessionId ?? '')?.state, 'cancelled');
  });

  it('an ordinary chat session has no header', async () => {
    const port = chatRunPort({ runs: win.runs, store });
    const session = await win.repos.sessions.create({});
    assert.equal(port.headerOf(session.id), undefined);
  });

  it('built on a promise, reads as no run until the runner is ready, then tells its listeners', async () => {
    let ready: (sources: { runs: RunWindow['runs']; store: MemoryStore }) => void = () => undefined;
    const port = chatRunPort(new Promise((resolve) => (ready = resolve)));
    let told = 0;
    port.onDidChange(() => (told += 1));
    const run = await startRun(EDITS_TWICE);
    const sessionId = (await untilStatus(win, run.id, 'completed')).sessionId ?? '';
    assert.equal(port.headerOf(sessionId), undefined);
    await assert.rejects(port.cancel(run.id), /not available yet/);
    ready({ runs: win.runs, store });
    await until(() => told > 0, 'the port to say it is ready');
    assert.equal(port.headerOf(sessionId)?.state, 'completed');
    port.dispose();
  });
});
