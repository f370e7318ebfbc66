import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { OpenAI } from 'openai';
import type { Browser, Page } from 'playwright-core';
import type { ChatSnapshot } from '../../src/protocol/chat';
import { chatRequests, type ChatEvent, type ChatRequests } from '../../src/protocol/chat';
import { commonRequests } from '../../src/protocol/common';
import { createDispatcher } from '../../src/protocol/dispatcher';
import type { HostMessage, RequestHandlers } from '../../src/protocol/rpc';
import { modelForScript, postScript, type ScriptStep } from '../../test/fakes/providers/fakeScripts';
import { autoTools, BENCH_KEY, openBenchHost, repoRoot, type BenchHost } from './host';

/**
 * Part 3: time to first token through the whole stack, against the raw SDK's on the same fake in the same run.
 * One Node process is the extension host (the real ChatService, agent loop with its tools, durable store and
 * adapter) and drives Chromium, where the real chat bundle runs under the panel CSP (panel.mjs). A sample: the
 * composer gets a question, Enter is pressed; the panel posts chat/send; the real dispatcher hands it to
 * ChatService.send (as chatHandlers does); every change goes back to the page in order; the sample ends when the
 * reply's first token is painted. All four page times are on the page's clock, so the e2e figure needs no
 * clock matching: keydown -> painted. Beside it, on the host's clock, the host part (chat/send received ->
 * first chat/delta emitted). Raw: the OpenAI SDK alone (one client, as its README shows) asking the same fake
 * for a reply of the same shape, to its first content chunk. Raw and e2e samples alternate.
 *
 * The harness's transport (a Playwright binding one way, page.evaluate the other) stands in for VS Code's
 * postMessage; its round trip is measured on its own and printed, and it is inside the e2e figure.
 */

interface PanelSample {
  marker: string;
  keydownAt?: number;
  postedAt?: number;
  /** When the host's batch with the first delta ran in the page (before its window.postMessage). */
  batchAt?: number;
  deltaAt?: number;
  seenAt?: number;
  seenInFrame?: boolean;
  paintedAt?: number;
  nextFrameAt?: number;
}

interface Panel {
  page: Page;
  pageErrors: string[];
  post(json: string): Promise<void>;
  transportRoundTrip(): Promise<number>;
  pong(): Promise<void>;
  arm(marker: string): Promise<void>;
  painted(): Promise<PanelSample>;
  settled(marker: string): Promise<unknown>;
  close(): Promise<void>;
}

export interface TtftSample {
  rawMs: number;
  e2eMs: number;
  /** keydown -> chat/send posted (the composer). */
  composerMs: number;
  /** chat/send posted -> first chat/delta in the window (transport, host, provider, transport). */
  roundTripMs: number;
  /** chat/send posted -> the batch with the first delta evaluated in the page. */
  toBatchMs: number;
  /** That batch evaluated -> its chat/delta message event dispatched (the page's main thread was busy). */
  batchToDeltaMs: number;
  /** chat/send received -> the batch with the first delta queued for page.evaluate (host clock; setImmediate batching). */
  hostFlushMs: number;
  /** First chat/delta in the window -> painted (the webview). */
  webviewMs: number;
  /** The same with bench:chat's rule (one more frame after the text is in the DOM): an upper bound. */
  webviewNextFrameMs: number;
  /** Whether the text reached the DOM in a frame callback (so it was painted in that frame). */
  inFrame: boolean;
  /** chat/send received by the host -> first chat/delta emitted (host clock). */
  hostMs: number;
  /** ChatService.send's part of it: the turn's rows written, the reply streaming. */
  hostSendMs: number;
}

interface HostTimes {
  receivedAt: number;
  sentAt?: number;
  deltaAt?: number;
  flushAt?: number;
}

export interface TtftResult {
  samples: TtftSample[];
  transportRoundTripMs: number[];
  pageErrors: string[];
  errors: string[];
}

const WARMUP = 3;
const answer = (marker: string) => `${marker} is the first token of this reply, and the rest of it follows in two more pieces.`;

export async function measureTtft(origin: string, count: number): Promise<TtftResult> {
  const bundle = path.join(repoRoot, 'dist', 'webview', 'chat.js');
  if (!existsSync(bundle)) {
    throw new Error(`${bundle} is missing: run \`npm run build\` first`);
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'ais-bench-agent-ttft-'));
  const folder = path.join(root, 'ws');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'README.md'), '# Bench\n');
  const total = WARMUP + count;
  const name = `ttft-${process.pid}-${Date.now()}`;
  const markers = Array.from({ length: total }, (_, i) => `Zq${i}x`);
  // Step k answers the request whose history holds k-1 replies: sample k of the session.
  await postScript(origin, name, markers.map((marker): ScriptStep => ({ text: answer(marker) })));
  await postScript(origin, `${name}-raw`, [{ text: answer('Zq0x') }]);

  const importFile = (file: string) => import(pathToFileURL(path.join(repoRoot, file)).href);
  const { launchChromium } = (await importFile('scripts/host/browser.mjs')) as { launchChromium: () => Promise<Browser> };
  const { startHarnessServer } = (await importFile('test/e2e/harness/servers.mjs')) as { startHarnessServer: () => Promise<{ origin: string; close(): Promise<void> }> };
  const { openPanel } = (await importFile('bench/agent/panel.mjs')) as {
    openPanel: (browser: Browser, origin: string, onMessage: (json: string) => unknown) => Promise<Panel>;
  };

  let host: BenchHost | undefined;
  const harness = await startHarnessServer();
  const browser = await launchChromium();
  try {
    host = await openBenchHost({
      origin,
      dir: path.join(root, 'host'),
      workspaceFolder: folder,
      model: modelForScript(name),
      tools: autoTools(['read_file', 'search_text', 'list_files', 'replace_in_file', 'run_command']),
    });
    const { service } = host;
    const sessionId = host.session.id;
    const dispatchErrors: string[] = [];
    let hostTimes: HostTimes | undefined;
    const dispatch = createDispatcher('Chat (bench)', { ...commonRequests, ...chatRequests }, { ...commonHandlers(dispatchErrors), ...benchHandlers(host, sessionId) }, {
      error: (message) => dispatchErrors.push(message),
      trace: () => undefined,
    });

    // Host -> panel, in order: everything queued in one turn of the host's loop goes in one page.evaluate.
    // The panel says ready while it loads, before openPanel returns: its snapshot waits for the page handle.
    let panelOpened: (panel: Panel) => void = () => undefined;
    const opened = new Promise<Panel>((resolve) => (panelOpened = resolve));
    let queue: HostMessage<ChatEvent, ChatSnapshot>[] = [];
    let flushing = Promise.resolve();
    const post = (message: HostMessage<ChatEvent, ChatSnapshot>) => {
      queue.push(message);
      if (queue.length === 1) {
        setImmediate(() => {
          const batch = JSON.stringify(queue);
          const times = hostTimes;
          const withDelta = times?.deltaAt !== undefined && times.flushAt === undefined;
          queue = [];
          if (withDelta) {
            times.flushAt = performance.now();
          }
          flushing = flushing.then(async () => (await opened).post(batch)).catch((err: unknown) => void dispatchErrors.push(String(err)));
        });
      }
    };
    service.onDidChange(({ sessionId: changed, event }) => {
      if (changed !== sessionId) {
        return;
      }
      if (hostTimes && hostTimes.deltaAt === undefined && event.method === 'chat/delta' && event.params.text) {
        hostTimes.deltaAt = performance.now();
      }
      post({ kind: 'event', event });
    });
    const onMessage = async (json: string) => {
      const raw = JSON.parse(json) as { kind?: string; method?: string };
      if (raw.kind === '__ping') {
        await (await opened).pong();
        return;
      }
      if (raw.kind === 'request' && raw.method === 'chat/send' && hostTimes) {
        hostTimes.receivedAt = performance.now();
      }
      const outcome = await dispatch(raw);
      if (outcome.kind === 'ready') {
        post({ kind: 'snapshot', snapshot: service.snapshot(sessionId) });
      } else if (outcome.kind === 'reply') {
        if (raw.method === 'chat/send' && hostTimes) {
          hostTimes.sentAt = performance.now();
        }
        post(outcome.message);
      }
    };
    const panel = await openPanel(browser, harness.origin, onMessage);
    panelOpened(panel);
    await panel.page.locator('#composer-input').waitFor();

    const raw = new OpenAI({ apiKey: BENCH_KEY, baseURL: `${origin}/v1`, maxRetries: 0 });
    const rawTtft = async () => {
      const started = performance.now();
      let first: number | undefined;
      const stream = await raw.chat.completions.create({
        model: modelForScript(`${name}-raw`),
        messages: [{ role: 'user', content: 'Question' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content) {
          first ??= performance.now();
        }
      }
      return (first ?? NaN) - started;
    };
    const e2e = async (index: number): Promise<Omit<TtftSample, 'rawMs'>> => {
      const marker = markers[index]!;
      const times: HostTimes = { receivedAt: NaN };
      hostTimes = times;
      await panel.arm(marker);
      const input = panel.page.locator('#composer-input');
      await input.fill(`Question ${index}`);
      await input.press('Enter');
      const sample = await panel.painted();
      await service.whenIdle(sessionId);
      await panel.settled(marker);
      hostTimes = undefined;
      const at = (value: number | undefined) => value ?? NaN;
      return {
        e2eMs: at(sample.paintedAt) - at(sample.keydownAt),
        composerMs: at(sample.postedAt) - at(sample.keydownAt),
        roundTripMs: at(sample.deltaAt) - at(sample.postedAt),
        toBatchMs: at(sample.batchAt) - at(sample.postedAt),
        batchToDeltaMs: at(sample.deltaAt) - at(sample.batchAt),
        hostFlushMs: at(times.flushAt) - times.receivedAt,
        webviewMs: at(sample.paintedAt) - at(sample.deltaAt),
        webviewNextFrameMs: at(sample.nextFrameAt) - at(sample.deltaAt),
        inFrame: sample.seenInFrame === true,
        hostMs: at(times.deltaAt) - times.receivedAt,
        hostSendMs: at(times.sentAt) - times.receivedAt,
      };
    };

    for (let i = 0; i < WARMUP; i++) {
      await rawTtft();
      await e2e(i);
    }
    const samples: TtftSample[] = [];
    const transportRoundTripMs: number[] = [];
    for (let i = 0; i < count; i++) {
      // Alternating which side goes first, so neither always runs right after the other's garbage.
      let rawMs: number;
      let rest: Omit<TtftSample, 'rawMs'>;
      if (i % 2 === 0) {
        rawMs = await rawTtft();
        rest = await e2e(WARMUP + i);
      } else {
        rest = await e2e(WARMUP + i);
        rawMs = await rawTtft();
      }
      samples.push({ rawMs, ...rest });
      transportRoundTripMs.push(await panel.transportRoundTrip());
    }
    await flushing;
    const pageErrors = [...panel.pageErrors];
    await panel.close();
    return { samples, transportRoundTripMs, pageErrors, errors: [...dispatchErrors, ...host.errors].slice(0, 5) };
  } finally {
    await host?.close();
    await browser.close();
    await harness.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function commonHandlers(problems: string[]): RequestHandlers<typeof commonRequests> {
  return {
    'webview/reportProblem': ({ message }) => {
      problems.push(`panel: ${message}`);
      return null;
    },
  };
}

/**
 * What src/webviews/chat/chatHandlers.ts does for the requests a chat turn uses (it imports vscode, so it cannot
 * run here); the ones that open editors, links or other panels are not part of the benchmark.
 */
function benchHandlers(host: BenchHost, sessionId: string): RequestHandlers<ChatRequests> {
  const { service: chat } = host;
  const scope = { sessionId };
  const notHere = () => Promise.reject(new Error('Not part of the benchmark host'));
  return {
    'chat/send': ({ text, parentId }) => chat.send(sessionId, { text, parentId }),
    'chat/stop': async () => {
      await chat.stop(sessionId);
      return null;
    },
    'chat/retry': ({ messageId }) => chat.retry(messageId, scope),
    'chat/edit': ({ messageId, text }) => chat.edit(messageId, text, scope),
    'chat/history': ({ fromId, limit, throughId }) => ({ messages: chat.history(sessionId, fromId, { limit, throughId }) }),
    'chat/selectBranch': ({ messageId }) => chat.selectBranch(messageId, scope),
    'chat/fork': notHere,
    'chat/cancelRun': notHere,
    'chat/resumeRun': notHere,
    'chat/setAgent': async ({ agentId, model }) => {
      await chat.setAgent(sessionId, agentId, model);
      return null;
    },
    'chat/insertAtCursor': notHere,
    'chat/openLink': notHere,
    'chat/runErrorAction': notHere,
    'chat/decide': ({ pendingId, decision, reason }) => {
      chat.decide(sessionId, pendingId, decision, reason);
      return null;
    },
    'chat/undo': notHere,
    'chat/openDiff': notHere,
    'chat/inspect': notHere,
  };
}
