import * as assert from 'node:assert/strict';
import type { ChatEvent } from '../../../src/protocol/chat';
import type { RunHeaderView } from '../../../src/protocol/runHeader';
import { RunHeaderSync, type ChatRunPort, type SessionChanges } from '../../../src/webviews/chat/runHeaderSync';

/** The chat panel's side of the run header, on a fake port: what it posts, when, and what it lets the panel do. */

const SESSION = '01HSESSION0000000000000000';
const RUN = '01HRUN0000000000000000000A';
const OTHER_RUN = '01HRUN0000000000000000000B';

function header(fields: Partial<RunHeaderView> = {}): RunHeaderView {
  return { runId: RUN, state: 'running', stateLabel: 'Running', task: 'Fix it', meters: [], canCancel: true, canResume: false, firstMessageId: null, ...fields };
}

class FakePort implements ChatRunPort {
  current: RunHeaderView | undefined = header();
  reads = 0;
  cancelled: string[] = [];
  resumed: string[] = [];
  fail = false;
  private readonly listeners = new Set<() => void>();

  headerOf(sessionId: string): RunHeaderView | undefined {
    this.reads += 1;
    if (this.fail) {
      throw new Error('store closed');
    }
    return sessionId === SESSION ? this.current : undefined;
  }
  onDidChange(listener: () => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  fire(): void {
    this.listeners.forEach((listener) => listener());
  }
  get listening(): number {
    return this.listeners.size;
  }
  cancel(runId: string): Promise<void> {
    this.cancelled.push(runId);
    return Promise.resolve();
  }
  resume(runId: string): Promise<void> {
    this.resumed.push(runId);
    return Promise.resolve();
  }
}

class FakeChat implements SessionChanges {
  private readonly listeners = new Set<(change: { sessionId: string; event: ChatEvent }) => void>();
  onDidChange(listener: (change: { sessionId: string; event: ChatEvent }) => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  emit(sessionId: string, event: ChatEvent): void {
    this.listeners.forEach((listener) => listener({ sessionId, event }));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('run header sync (chat panel host)', () => {
  let sync: RunHeaderSync | undefined;
  afterEach(() => sync?.dispose());

  function open(port: ChatRunPort | undefined, options: { chat?: FakeChat; coalesceMs?: number; tickMs?: number } = {}) {
    const posted: (RunHeaderView | null)[] = [];
    const warnings: string[] = [];
    sync = new RunHeaderSync(
      port,
      SESSION,
      (event) => {
        assert.equal(event.method, 'chat/run');
        posted.push(event.method === 'chat/run' ? event.params.run : null);
      },
      { warn: (message) => warnings.push(message) },
      { coalesceMs: options.coalesceMs ?? 40, tickMs: options.tickMs ?? 60_000 },
    );
    sync.start(options.chat);
    // As the host does on the document's ready, with its snapshot.
    sync.documentReady();
    return { posted, warnings, sync };
  }

  it('sends the header when the document is ready, and null for a session that is no run', () => {
    const port = new FakePort();
    assert.deepEqual(open(port).posted, [header()]);
    sync?.dispose();
    port.current = undefined;
    assert.deepEqual(open(port).posted, [null]);
  });

  it('turns a burst of run changes into one post, and sends nothing when nothing changed', async () => {
    const port = new FakePort();
    const { posted } = open(port);
    port.current = header({ meters: [{ kind: 'steps', used: 2, limit: 30, label: '2 of 30 steps', text: '2 / 30 steps', warning: false }] });
    for (let i = 0; i < 20; i++) {
      port.fire();
    }
    await sleep(100);
    assert.equal(posted.length, 2);
    assert.equal(port.reads, 2, 'read once for the burst');
    port.fire();
    await sleep(100);
    assert.equal(posted.length, 2, 'the same header is not sent again');
  });

  it("follows the session's steps, not other sessions'", async () => {
    const port = new FakePort();
    const chat = new FakeChat();
    const { posted } = open(port, { chat });
    port.current = header({ state: 'waiting', stateLabel: 'Waiting for you' });
    chat.emit('01HOTHER000000000000000000', { method: 'chat/streaming', params: { streamingId: null } });
    chat.emit(SESSION, { method: 'chat/delta', params: { id: RUN, text: 'x' } });
    await sleep(100);
    assert.equal(posted.length, 1, 'deltas and other sessions move no meter');
    chat.emit(SESSION, { method: 'chat/streaming', params: { streamingId: null } });
    await sleep(100);
    assert.equal(posted.at(-1)?.state, 'waiting');
  });

  it('reads a run that has not ended again on a timer, and stops once it ended', async () => {
    const port = new FakePort();
    const { posted } = open(port, { tickMs: 30 });
    port.current = header({ meters: [{ kind: 'minutes', used: 0.1, limit: 15, label: '0.1 of 15 minutes', text: '0.1 / 15 min', warning: false }] });
    await until(() => posted.length >= 2);
    port.current = header({ state: 'completed', canCancel: false });
    await until(() => posted.at(-1)?.state === 'completed');
    const reads = port.reads;
    await sleep(120);
    assert.equal(port.reads, reads, 'no ticks after the end');
  });

  it('sends the header again to a reloaded document, and nothing while none listens', async () => {
    const port = new FakePort();
    const { posted, sync: opened } = open(port, { tickMs: 20 });
    opened.documentGone();
    port.current = header({ state: 'waiting', stateLabel: 'Waiting for you' });
    port.fire();
    const reads = port.reads;
    await sleep(100);
    assert.equal(port.reads, reads, 'no reads or ticks while hidden');
    assert.deepEqual(posted, [header()]);
    opened.documentReady();
    assert.deepEqual(posted, [header(), port.current]);
    opened.documentReady();
    assert.equal(posted.length, 3, 'a reload gets it even unchanged');
  });

  it("acts only on the session's own run", async () => {
    const port = new FakePort();
    const { sync: opened } = open(port);
    assert.equal(await opened.handlers['chat/cancelRun']({ runId: RUN }), null);
    assert.equal(await opened.handlers['chat/resumeRun']({ runId: RUN }), null);
    await assert.rejects(Promise.resolve(opened.handlers['chat/cancelRun']({ runId: OTHER_RUN })), /not the run of this session/);
    port.current = undefined;
    await assert.rejects(Promise.resolve(opened.handlers['chat/resumeRun']({ runId: RUN })), /not the run of this session/);
    assert.deepEqual([port.cancelled, port.resumed], [[RUN], [RUN]]);
  });

  it('without a runner: sends nothing, and refuses Cancel', async () => {
    const { posted, sync: opened } = open(undefined);
    assert.deepEqual(posted, []);
    await assert.rejects(Promise.resolve(opened.handlers['chat/cancelRun']({ runId: RUN })), /not the run of this session/);
  });

  it('a failed read keeps the header as it was and says so in the log; dispose lets go of the port', async () => {
    const port = new FakePort();
    const { posted, warnings, sync: opened } = open(port);
    port.fail = true;
    port.fire();
    await sleep(100);
    assert.equal(posted.length, 1);
    assert.match(warnings.join('\n'), /could not read the run of session .*store closed/);
    opened.dispose();
    assert.equal(port.listening, 0);
  });
});

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await sleep(5);
  }
}
