import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INTERRUPTED_RESULT } from '../../../../src/core/agent/toolRecovery';
import { systemClock } from '../../../../src/core/ports';
import { mapEventsToSpans } from '../../../../src/core/otel/spanMapping';
import type { Agent } from '../../../../src/db/repositories/agents';
import type { StudioEvent } from '../../../../src/db/repositories/events';
import type { JsonValue } from '../../../../src/db/repositories/rows';
import type { StorePort } from '../../../../src/db/repositories/storePort';
import type { Store } from '../../../../src/db/store';
import { FAKE_ANSWER, FakeProviderServer } from '../../../fakes/providers/fakeServer';
import { modelForScript, type ScriptStep } from '../../../fakes/providers/fakeScripts';
import { openAiProtocol } from '../../../fakes/providers/openaiProtocol';
import { defaultTools, openAgentWorkspace, openAgentWorkspaceAt, type AgentWorkspace } from '../agent/agentSupport';
import { chatBodies } from '../chat/chatHarness';
import { openMemoryStore, type MemoryStore } from '../../db/support/memoryStore';
import { openDurableStore, openWindow, pendingOf, until, untilStatus, type RunWindow } from './runSupport';

/**
 * Runs end to end in plain Node: the real run service on the real chat service and a real store, the real OpenAI
 * SDK against the scripted loopback fake, the real tools on a temporary workspace. A script is what the model
 * "decides"; queueing, statuses, approvals, limits, leases and recovery are the product's.
 */

/** The OTLP trace a run's events export as: how many traces, the root spans, the kinds of their children. */
function traceShape(events: readonly StudioEvent[]): { traces: number; roots: string[]; children: string[] } {
  const spans = mapEventsToSpans(events);
  return {
    traces: new Set(spans.map((span) => span.traceId)).size,
    roots: spans.filter((span) => span.parentSpanId === null).map((span) => span.name.split(' ')[0] ?? ''),
    children: spans.filter((span) => span.parentSpanId !== null).map((span) => span.name.split(' ')[0] ?? '').sort(),
  };
}

const ASKS_TO_RUN: ScriptStep[] = [{ toolCalls: [{ name: 'run_command', arguments: { command: 'node test.js' } }] }, { text: 'The test says: {{lastToolResult}}' }];

describe('runs: an agent carrying out a task by itself', function () {
  this.timeout(60_000);
  let server: FakeProviderServer;
  let ws: AgentWorkspace;
  let win: RunWindow;
  let store: MemoryStore;

  before(async () => {
    server = await FakeProviderServer.start(openAiProtocol);
  });
  after(() => server.close());
  afterEach(async () => {
    await win.runs.shutdown();
    await win.chat.shutdown();
    ws.cleanup();
  });

  async function open(maxConcurrent = 3): Promise<void> {
    ws = openAgentWorkspace();
    store = await openMemoryStore();
    win = openWindow(server, store, { windowId: 'window-1', clock: systemClock, tools: ws.runtime, maxConcurrent });
  }

  async function agentWith(script: ScriptStep[], tools: JsonValue[] = defaultTools()): Promise<Agent> {
    const name = `run${Math.random().toString(36).slice(2)}`;
    server.scripts.set(name, script);
    return win.repos.agents.create({ name: 'Runner', provider: 'fake-openai', model: modelForScript(name), tools });
  }

  /** Model calls the fake received whose conversation contains `text`. */
  function callsWith(text: string): number {
    return chatBodies(server).filter((body) => JSON.stringify(body.messages).includes(text)).length;
  }

  /** Every status each run went through, as run change events told them (repeats folded). */
  function statusesSeen(): Map<string, string[]> {
    const seen = new Map<string, string[]>();
    win.runs.onDidChange(() => {
      for (const { run } of win.runs.list()) {
        const list = seen.get(run.id) ?? [];
        if (list.at(-1) !== run.status) {
          seen.set(run.id, [...list, run.status]);
        }
      }
    });
    return seen;
  }

  async function approveIn(window: RunWindow, runId: string): Promise<void> {
    const pending = await pendingOf(window, runId, 'approval');
    window.chat.decide(window.runs.get(runId)?.sessionId ?? '', pending.id, 'approve');
  }

  const approve = (runId: string) => approveIn(win, runId);

  it('reads a file and answers: completed, with the answer as its output and its steps; delete removes it and its session', async () => {
    await open();
    const agent = await agentWith([{ text: 'Looking.', toolCalls: [{ name: 'read_file', arguments: { path: 'calc.js' } }] }, { text: 'calc.js says: {{lastToolResult}}' }]);
    const statuses = statusesSeen();
    const run = await win.runs.start({ agentId: agent.id, task: 'Read calc.js and say what add does.' });
    assert.equal(run.status, 'queued');
    assert.equal(run.agentVersionId, agent.currentVersion.id);

    const done = await untilStatus(win, run.id, 'completed');
    assert.equal(done.state, 'completed');
    assert.equal(done.live, false);
    assert.equal(done.steps, 2);
    assert.equal(done.item?.status, 'completed');
    const output = done.item?.output as { text?: string; steps?: number };
    assert.match(output.text ?? '', /^calc\.js says: .*a - b/s);
    assert.equal(output.steps, 2);
    assert.ok(done.run.startedAt !== null && done.run.endedAt !== null && done.run.startedAt <= done.run.endedAt);
    assert.deepEqual(statuses.get(run.id)?.slice(-2), ['running', 'completed']);
    const sessionId = done.sessionId ?? '';
    const path_ = win.repos.messages.path(win.repos.sessions.get(sessionId)?.headMessageId ?? '');
    assert.deepEqual(path_.map((m) => m.role), ['user', 'assistant', 'tool', 'assistant']);
    assert.deepEqual(path_[0]?.content, [{ type: 'text', text: 'Read calc.js and say what add does.' }]);
    assert.deepEqual(win.repos.settings.keys('runs.'), [], 'no lease is left behind');
    assert.deepEqual(traceShape(win.repos.events.list({ sessionId })), { traces: 1, roots: ['invoke_agent'], children: ['chat', 'chat', 'execute_tool'] }, 'an exported run is one trace: invoke_agent with its steps as children');

    await win.runs.delete(run.id);
    assert.equal(win.runs.get(run.id), undefined);
    assert.equal(win.repos.sessions.get(sessionId), undefined);
  });

  it('a command that asks makes the run wait; approved, it goes on and completes', async () => {
    await open();
    const agent = await agentWith(ASKS_TO_RUN);
    const statuses = statusesSeen();
    const run = await win.runs.start({ agentId: agent.id, task: 'Run the tests.' });
    const waiting = await untilStatus(win, run.id, 'waiting');
    assert.equal(waiting.state, 'waiting');
    assert.equal(waiting.live, true);
    assert.equal(waiting.item?.status, 'running');
    const pending = await pendingOf(win, run.id, 'approval');
    assert.equal(pending.kind === 'approval' && pending.approval.tool, 'run_command');
    win.chat.decide(waiting.sessionId ?? '', pending.id, 'approve');
    const done = await untilStatus(win, run.id, 'completed');
    assert.match((done.item?.output as { text?: string }).text ?? '', /The test says: .*FAIL: add\(2, 3\) = -1/s);
    assert.deepEqual(statuses.get(run.id)?.slice(-4), ['running', 'waiting', 'running', 'completed']);
  });

  it('runs beyond the cap wait queued, sending nothing, until a slot is free; each keeps to the agent version it was started with', async () => {
    await open(2);
    const agent = await agentWith(ASKS_TO_RUN);
    const first = await win.runs.start({ agentId: agent.id, task: 'First task.' });
    const second = await win.runs.start({ agentId: agent.id, task: 'Second task.' });
    const third = await win.runs.start({ agentId: agent.id, task: 'Third task.' });
    await untilStatus(win, first.id, 'waiting');
    await untilStatus(win, second.id, 'waiting');
    const queued = win.runs.get(third.id);
    assert.equal(queued?.state, 'queued');
    assert.equal(queued?.run.startedAt, null);
    assert.equal(callsWith('Third task.'), 0, 'the third run sent nothing');
    // Saved while the third run waits: a new version whose model the fake does not know.
    await win.repos.agents.update(agent.id, { model: 'fake-no-such-model' });

    await approve(first.id);
    await untilStatus(win, first.id, 'completed');
    await untilStatus(win, third.id, 'waiting');
    await approve(second.id);
    await approve(third.id);
    await untilStatus(win, second.id, 'completed');
    await untilStatus(win, third.id, 'completed');
    assert.equal(callsWith('Third task.'), 2);
    const replies = win.repos.messages.path(win.repos.sessions.get(win.runs.get(third.id)?.sessionId ?? '')?.headMessageId ?? '').filter((m) => m.role === 'assistant');
    assert.deepEqual(replies.map((m) => m.agentVersionId), [third.agentVersionId, third.agentVersionId]);
  });

  it('a window closing leaves its run running: interrupted everywhere at once, and another window carries it on', async () => {
    await open();
    const agent = await agentWith(ASKS_TO_RUN);
    const run = await win.runs.start({ agentId: agent.id, task: 'Run the tests before the window closes.' });
    await untilStatus(win, run.id, 'waiting');
    await win.chat.shutdown();
    await win.runs.whenDone(run.id);
    await win.runs.shutdown();
    const left = win.runs.get(run.id);
    assert.ok(left?.run.status === 'running' || left?.run.status === 'waiting', `left ${left?.run.status ?? 'gone'}`);
    assert.equal(left?.state, 'interrupted', 'no lease is left to wait out');

    const next = openWindow(server, store, { windowId: 'window-2', clock: systemClock, tools: ws.runtime });
    try {
      assert.equal(next.runs.get(run.id)?.state, 'interrupted');
      await next.runs.resume(run.id);
      const done = await untilStatus(next, run.id, 'completed');
      assert.doesNotMatch((done.item?.output as { text?: string }).text ?? '', /FAIL|PASS/, 'the command that waited for approval never ran');
      assert.equal(callsWith('Run the tests before the window closes.'), 2);
    } finally {
      await next.runs.shutdown();
      await next.chat.shutdown();
    }
  });

  it('a run still queued when its window closes shows interrupted, is started by no other window by itself, and Resume queues it where it is asked', async () => {
    await open(1);
    const agent = await agentWith(ASKS_TO_RUN);
    const first = await win.runs.start({ agentId: agent.id, task: 'Keep the only slot busy.' });
    const left = await win.runs.start({ agentId: agent.id, task: 'Queued when the window closed.' });
    await untilStatus(win, first.id, 'waiting');
    assert.equal(win.runs.get(left.id)?.state, 'queued');
    const next = openWindow(server, store, { windowId: 'window-2', clock: systemClock, tools: ws.runtime });
    try {
      assert.equal(next.runs.get(left.id)?.state, 'queued', 'while its window lives, another window sees it queued there');
      await win.chat.shutdown();
      await win.runs.whenDone(first.id);
      await win.runs.shutdown();
      const seen = next.runs.get(left.id);
      assert.equal(seen?.run.status, 'queued');
      assert.equal(seen?.state, 'interrupted', 'its window is gone: offered for Resume, not left waiting for a slot forever');
      assert.equal(callsWith('Queued when the window closed.'), 0, 'nothing of it ran');
      await next.runs.resume(left.id);
      await untilStatus(next, left.id, 'waiting');
      await approveIn(next, left.id);
      await untilStatus(next, left.id, 'completed');
      assert.equal(callsWith('Queued when the window closed.'), 2);
    } finally {
      await next.runs.shutdown();
      await next.chat.shutdown();
    }
  });

  it('cancel: a queued run never starts; a running one stops mid-stream and ends cancelled', async () => {
    await open(1);
    const agent = await agentWith([{ text: 'unused: the run asks another model' }]);
    const talking = await win.runs.start({ agentId: agent.id, task: 'Talk slowly.', model: 'fake-slow' });
    const waiting = await win.runs.start({ agentId: agent.id, task: 'Never sent.' });
    const sessionId = (await untilStatus(win, talking.id, 'running')).sessionId ?? '';
    await until(() => win.changes.some((c) => c.sessionId === sessionId && c.event.method === 'chat/delta'), 'the first words of the reply');

    await win.runs.cancel(waiting.id);
    const cancelled = win.runs.get(waiting.id);
    assert.equal(cancelled?.run.status, 'cancelled');
    assert.equal(cancelled?.item?.status, 'cancelled');
    assert.equal(cancelled?.run.startedAt, null);

    await win.runs.cancel(talking.id);
    const stopped = win.runs.get(talking.id);
    assert.equal(stopped?.run.status, 'cancelled', 'saved by the time cancel resolves');
    assert.equal(stopped?.item?.status, 'cancelled');
    const reply = win.repos.messages.get(win.repos.sessions.get(sessionId)?.headMessageId ?? '');
    assert.equal(reply?.status, 'cancelled');
    const text = reply?.content.map((part) => (part.type === 'text' ? part.text : '')).join('') ?? '';
    assert.ok(text.length > 0 && text.length < FAKE_ANSWER.length && FAKE_ANSWER.startsWith(text), `the stream was cut: "${text}"`);
    assert.equal(chatBodies(server).filter((body) => JSON.stringify(body.messages).includes('Talk slowly.'))[0]?.model, 'fake-slow');
    assert.equal(callsWith('Never sent.'), 0);
    await assert.rejects(win.runs.cancel(talking.id), /already ended \(cancelled\)/);
  });

  it('a budget of 2 steps pauses the run as waiting on the limit question; Continue goes on to the end', async () => {
    await open();
    const read = (line: number): ScriptStep => ({ toolCalls: [{ name: 'read_file', arguments: { path: 'calc.js', startLine: line } }] });
    const agent = await agentWith([read(1), read(2), read(3), { text: 'Read it all.' }]);
    const run = await win.runs.start({ agentId: agent.id, task: 'Read calc.js line by line.', budget: { steps: 2 } });
    const waiting = await untilStatus(win, run.id, 'waiting');
    const limit = await pendingOf(win, run.id, 'limit');
    assert.equal(limit.kind === 'limit' && limit.reached, '2 steps', "the run's budget, not the agent's 25 steps");
    assert.equal(waiting.steps, 2);
    win.chat.decide(waiting.sessionId ?? '', limit.id, 'continue');
    const done = await untilStatus(win, run.id, 'completed');
    assert.equal(done.steps, 4);
  });

  it('refuses what it cannot do, saying why', async () => {
    await open();
    const agent = await agentWith([{ text: 'ok' }]);
    await assert.rejects(win.runs.start({ agentId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', task: 'x' }), /There is no agent .*Choose another agent/);
    await assert.rejects(win.runs.start({ agentId: agent.id, task: '  ' }), /A run needs a task/);
    await assert.rejects(win.runs.start({ agentId: agent.id, task: 'x', budget: { steps: 1.5 } }), /budget of steps must be a whole number above 0/);
    await assert.rejects(win.runs.cancel('01ARZ3NDEKTSV4RRFFQ69G5FAV'), /There is no run/);
    await assert.rejects(win.runs.resume('01ARZ3NDEKTSV4RRFFQ69G5FAV'), /There is no run/);
    const run = await win.runs.start({ agentId: agent.id, task: 'Say ok.' });
    await untilStatus(win, run.id, 'completed');
    await assert.rejects(win.runs.resume(run.id), /Only an interrupted run can be resumed; this one is completed/);
    assert.equal(win.runs.list().length, 1, 'nothing refused was written');
  });
});

describe('runs across windows sharing one store folder', function () {
  this.timeout(60_000);
  let server: FakeProviderServer;
  let root: string;
  const cleanups: (() => Promise<void> | void)[] = [];

  before(async () => {
    server = await FakeProviderServer.start(openAiProtocol);
  });
  after(() => server.close());
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ais-runs-'));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup();
    }
    rmSync(root, { recursive: true, force: true });
  });

  async function store(): Promise<Store> {
    const opened = await openDurableStore(path.join(root, 'store'));
    cleanups.push(() => opened.close());
    return opened;
  }

  function window(storePort: StorePort, changes: Store, windowId: string, clock = systemClock, ws?: AgentWorkspace): RunWindow {
    const opened = openWindow(server, storePort, { windowId, clock, storeChanges: changes, timing: { heartbeatMs: 100 }, ...(ws ? { tools: ws.runtime } : {}) });
    cleanups.push(async () => {
      await opened.runs.shutdown();
      await opened.chat.shutdown();
    });
    return opened;
  }

  async function scriptedAgent(win: RunWindow, script: ScriptStep[], tools: JsonValue[]): Promise<Agent> {
    const name = `run${Math.random().toString(36).slice(2)}`;
    server.scripts.set(name, script);
    return win.repos.agents.create({ name: 'Runner', provider: 'fake-openai', model: modelForScript(name), tools });
  }

  it('a run left running by a window that died shows interrupted, and resumes to completion without running the cut-off call again', async () => {
    const storeA = await store();
    const wsA = openAgentWorkspaceAt(root);
    const logFile = path.join(wsA.folder, 'log.txt');
    // Window A dies the moment its command has done its work: none of its writes reaches the store from then on,
    // so the store holds what a killed window leaves (the call approved and running, no result, a stale lease).
    const dying: StorePort = {
      read: (fn) => storeA.read(fn),
      maintain: (fn) => storeA.maintain(fn),
      write: (fn, options) => (existsSync(logFile) ? new Promise(() => undefined) : storeA.write(fn, options)),
    };
    const a = openWindow(server, dying, { windowId: 'window-a', clock: systemClock, tools: wsA.runtime, storeChanges: storeA, timing: { heartbeatMs: 100 } });
    const script: ScriptStep[] = [{ toolCalls: [{ name: 'run_command', arguments: { command: 'echo ran | tee -a log.txt' } }] }, { text: 'Done: {{lastToolResult}}' }];
    const agent = await scriptedAgent(a, script, [{ name: 'run_command', mode: 'auto' }]);
    const run = await a.runs.start({ agentId: agent.id, task: 'Append a line to log.txt.' });
    await until(() => existsSync(logFile) && readFileSync(logFile, 'utf8') === 'ran\n', 'the command to run');
    a.runs.dispose();

    // Window B opens a minute later as far as leases go: A's are stale.
    const storeB = await store();
    const later = { now: () => Date.now() + 60_000 };
    const b = window(storeB, storeB, 'window-b', later, openAgentWorkspaceAt(root));
    const interrupted = b.runs.get(run.id);
    assert.equal(interrupted?.state, 'interrupted');
    assert.equal(interrupted?.live, false);
    // The person saves a new version meanwhile: the run keeps to the version it started with.
    await b.repos.agents.update(agent.id, { model: 'fake-no-such-model' });

    await b.runs.resume(run.id);
    const done = await untilStatus(b, run.id, 'completed');
    // The model was told the call's outcome is unknown (OpenAI's SDK adapter marks an error result 'Error: ').
    assert.equal((done.item?.output as { text?: string }).text, `Done: Error: ${INTERRUPTED_RESULT}`);
    assert.equal(readFileSync(logFile, 'utf8'), 'ran\n', 'the command ran once');
    const events = b.repos.events.list({ sessionId: done.sessionId ?? '' });
    assert.equal(events.filter((e) => e.type === 'tool.call.approved').length, 1);
    assert.equal(events.filter((e) => e.type === 'tool.call.failed' && (e.payload as { outcomeUnknown?: boolean }).outcomeUnknown).length, 1);
    const steps = chatBodies(server).filter((body) => JSON.stringify(body.messages).includes('Append a line to log.txt.'));
    assert.equal(steps.length, 2, 'one model call per step, none repeated');
    assert.ok(steps.every((body) => body.model === agent.currentVersion.model));
    const head = b.repos.messages.get(b.repos.sessions.get(done.sessionId ?? '')?.headMessageId ?? '');
    assert.equal(head?.agentVersionId, run.agentVersionId);
    assert.deepEqual(traceShape(events), { traces: 1, roots: ['invoke_agent'], children: ['chat', 'chat', 'execute_tool'] }, 'the resumed run exports as one trace');
  });

  it('cancel from another window: the window carrying the run stops it, and the command never runs', async () => {
    const storeA = await store();
    const wsA = openAgentWorkspaceAt(root);
    cleanups.push(() => wsA.cleanup());
    const a = window(storeA, storeA, 'window-a', systemClock, wsA);
    const script: ScriptStep[] = [{ toolCalls: [{ name: 'run_command', arguments: { command: 'echo hi > out.txt' } }] }, { text: 'done' }];
    const agent = await scriptedAgent(a, script, [{ name: 'run_command', mode: 'ask' }]);
    const run = await a.runs.start({ agentId: agent.id, task: 'Write out.txt.' });
    await untilStatus(a, run.id, 'waiting');

    const storeB = await store();
    const b = window(storeB, storeB, 'window-b');
    await untilStatus(b, run.id, 'waiting');
    assert.equal(b.runs.get(run.id)?.live, true, "A's lease is fresh");
    await b.runs.cancel(run.id);
    await untilStatus(a, run.id, 'cancelled');
    await untilStatus(b, run.id, 'cancelled');
    assert.equal(existsSync(path.join(wsA.folder, 'out.txt')), false);
    assert.deepEqual(a.repos.settings.keys('runs.'), [], 'the request and the lease are gone with the run');
  });
});
