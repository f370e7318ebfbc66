/* global window, document, requestAnimationFrame, MutationObserver -- page.evaluate callbacks run in the panel */
// npm run bench:chat: the chat panel and the chat loop under load, figures printed side by side (never asserted).
//  1. Opening a session of 10,000 messages, as the real host does it: ChatService.snapshot on a real store of 10,000
//     messages (the newest HISTORY_PAGE of the path, with footers and sibling lists; older pages come on scroll),
//     then that snapshot posted to dist/webview/chat.js in Chromium under the panel CSP (the e2e harness): time
//     from posting to the newest message painted, and the JS heap (after a forced GC) at 1,000 and 10,000.
//     First paint = the host's snapshot time + the webview's paint time.
//  2. Webview streaming: 2,000 tokens at 500 tokens/s as chat/delta events (with offsets) into a Markdown reply with
//     code; the longest main-thread task (PerformanceObserver 'longtask', and the longest gap between frames).
//  3. Extension host: event-loop delay of a Node process running the real ChatService on the real Store (temp dir)
//     while it streams a 2,000-token reply at 500 tokens/s from a paced loopback OpenAI SSE server (own process)
//     through the real OpenAI adapter.
// The last line is one summary. Only 127.0.0.1 traffic.
//   node bench/chat.mjs            (after `npm run build && tsc -p tsconfig.test.json`)
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const MARK = 'BENCH_RESULT ';
const TOKENS = 2000;
const TOKENS_PER_SECOND = 500;
const BENCH_MODEL = 'bench-chat';
const { HISTORY_PAGE } = require(path.join(repoRoot, 'out', 'src', 'protocol', 'chat.js'));

// ---------------------------------------------------------------------------------------------------------------
// Synthetic content: a deterministic, realistic mix of Markdown with code blocks.

function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the function returns a promise that resolves once every request has been written to the socket and the store ' +
  'commits each change in one transaction so a crash never leaves half a message behind while the panel renders ' +
  'only what is visible and keeps the rest as data which is why scrolling stays smooth even in very long sessions'
).split(' ');

const CODE = [
  ['ts', 'export async function load(path: string): Promise<Config> {\n  const text = await readFile(path, "utf8");\n  const parsed = JSON.parse(text) as Partial<Config>;\n  return { ...defaults, ...parsed };\n}'],
  ['python', 'def chunks(items, size):\n    for i in range(0, len(items), size):\n        yield items[i:i + size]\n\nprint(list(chunks([1, 2, 3, 4, 5], 2)))'],
  ['bash', 'npm run build && node bench/chat.mjs | tee bench.log\ngrep -c "longtask" bench.log'],
  ['json', '{\n  "name": "ai-studio",\n  "version": "0.1.0",\n  "engines": { "vscode": "^1.90.0" }\n}'],
  ['sql', 'SELECT m.id, m.role, count(*) AS events\nFROM messages m JOIN events e ON e.message_id = m.id\nGROUP BY m.id ORDER BY m.created_at DESC LIMIT 20;'],
];

function sentence(random, min, max) {
  const count = min + Math.floor(random() * (max - min));
  const words = [];
  for (let i = 0; i < count; i++) {
    let word = WORDS[Math.floor(random() * WORDS.length)];
    const r = random();
    if (r < 0.04) {
      word = `\`${word}()\``;
    } else if (r < 0.07) {
      word = `**${word}**`;
    }
    words.push(word);
  }
  const text = words.join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

function codeBlock(random) {
  const [language, code] = CODE[Math.floor(random() * CODE.length)];
  return `\`\`\`${language}\n${code}\n\`\`\``;
}

function userText(random) {
  const text = sentence(random, 6, 30);
  return random() < 0.2 ? `${text}\n\n${codeBlock(random)}` : text;
}

function assistantText(random) {
  const parts = [sentence(random, 15, 45)];
  const blocks = 1 + Math.floor(random() * 4);
  for (let b = 0; b < blocks; b++) {
    const r = random();
    if (r < 0.45) {
      parts.push(codeBlock(random));
    } else if (r < 0.7) {
      parts.push(['- ', '- ', '- '].map((bullet) => bullet + sentence(random, 4, 14)).join('\n'));
    } else if (r < 0.8) {
      parts.push(`### ${sentence(random, 2, 5)}`);
    } else if (r < 0.85) {
      parts.push('| Option | Default |\n|:-|-:|\n| `persistEveryMs` | 250 |\n| `heartbeatMs` | 10000 |');
    }
    parts.push(sentence(random, 10, 40));
  }
  return parts.join('\n\n');
}

/** The reply streamed in parts 2 and 3: TOKENS word-sized tokens of Markdown with code, as a tokenizer splits it. */
function streamedTokens() {
  const random = prng(7);
  let text = '';
  while (text.length < TOKENS * 5) {
    text += `${assistantText(random)}\n\n`;
  }
  const tokens = text.match(/\s*\S{1,6}|\s+/g).slice(0, TOKENS);
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------------
// Paced loopback OpenAI server (its own process: a provider is another machine, its writes are not ours).

function serve() {
  const tokens = streamedTokens();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
        return;
      }
      const request = JSON.parse(body || '{}');
      const envelope = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_735_000_000, model: request.model ?? BENCH_MODEL };
      const send = (delta, finish) =>
        res.write(`data: ${JSON.stringify({ ...envelope, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null })}\n\n`);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      send({ role: 'assistant', content: '' }, null);
      const started = performance.now();
      let sent = 0;
      // Every 10 ms, the tokens due by now: 500 tokens/s on average, without relying on 2 ms timers.
      const timer = setInterval(() => {
        const due = Math.min(tokens.length, Math.floor(((performance.now() - started) * TOKENS_PER_SECOND) / 1000));
        while (sent < due) {
          send({ content: tokens[sent++] }, null);
        }
        if (sent === tokens.length) {
          clearInterval(timer);
          send({}, 'stop');
          if (request.stream_options?.include_usage) {
            res.write(`data: ${JSON.stringify({ ...envelope, choices: [], usage: { prompt_tokens: 20, completion_tokens: tokens.length, total_tokens: 20 + tokens.length } })}\n\n`);
          }
          res.end('data: [DONE]\n\n');
        }
      }, 10);
      res.on('close', () => clearInterval(timer));
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(`${MARK}${JSON.stringify({ port: server.address().port })}`));
}

/** Starts `node bench/chat.mjs <flag>` and resolves with its first BENCH_RESULT line (and the child). */
function child(flag) {
  const proc = spawn(process.execPath, [SELF, flag], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (line) {
        resolve({ proc, result: JSON.parse(line.slice(MARK.length)) });
      }
    });
    proc.on('exit', (code) => reject(new Error(`${flag} exited with ${code} before reporting`)));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Extension host: the real ChatService on the real Store, streaming from the paced server.

async function host() {
  const out = (file) => require(path.join(repoRoot, 'out', 'src', file));
  const { ChatService } = out('core/chat/chatService.js');
  const { chatRepositories } = out('core/chat/chatRepositories.js');
  const { systemClock } = out('core/ports.js');
  const { createIdFactory } = out('db/ids.js');
  const { loadSqlJs } = out('db/sqlJs.js');
  const { openStudioStore } = out('db/studioStore.js');
  const { createAdapter } = out('llm/providerFactory.js');

  const { proc: server, result } = await child('--serve');
  let deltas = 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ais-bench-chat-'));
  const wasmPath = path.join(repoRoot, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
  const errors = [];
  try {
    const SQL = await loadSqlJs(wasmPath);
    const store = await openStudioStore({ dir, SQL, wasmPath, workerPath: path.join(repoRoot, 'out', 'src', 'db', 'checkpointWorker.js'), onError: (e) => errors.push(e) });
    const log = { trace() {}, debug() {}, info() {}, warn: (m) => errors.push(m), error: (m) => errors.push(m) };
    const endpoint = {
      id: 'bench-openai',
      kind: 'openai',
      label: 'Bench OpenAI',
      baseUrl: `http://127.0.0.1:${result.port}/v1`,
      watchdogs: { firstByteMs: 10_000, idleMs: 10_000 },
    };
    const providers = {
      open: () => Promise.resolve({ adapter: createAdapter(endpoint, 'sk-bench-loopback-only'), endpoint, priceOverrides: [] }),
    };
    const service = new ChatService({ store, clock: systemClock, log, providers, windowId: randomUUID() });
    await service.markInterrupted();
    const repos = chatRepositories(store, systemClock, createIdFactory(systemClock));
    const agent = await repos.agents.create({ name: 'Bench', provider: endpoint.id, model: BENCH_MODEL, systemPrompt: 'You are terse.' });
    const session = await repos.sessions.create({ agentId: agent.id });
    // As the panel host does: every change is serialized for webview.postMessage.
    let posted = 0;
    service.onDidChange((change) => {
      posted += JSON.stringify({ kind: 'event', event: change.event }).length;
      if (change.event.method === 'chat/delta') {
        deltas++;
      }
    });

    // Opening a long session: the snapshot of 10,000 messages (1,000 for scale), as the panel host asks for it.
    const snapshots = {};
    for (const count of [1000, 10_000]) {
      const long = await repos.sessions.create({ agentId: agent.id, title: `${count} messages` });
      const random = prng(7);
      await store.write((sql) => {
        const messages = repos.messages.within(sql);
        let parentId = null;
        for (let i = 0; i < count; i++) {
          const role = i % 2 === 0 ? 'user' : 'assistant';
          const text = role === 'user' ? userText(random) : assistantText(random);
          parentId = messages.append(long.id, parentId, { role, content: [{ type: 'text', text }], model: role === 'assistant' ? BENCH_MODEL : null }).id;
        }
      });
      const times = [];
      let bytes = 0;
      for (let run = 0; run < 7; run++) {
        const started = performance.now();
        const snapshot = service.snapshot(long.id);
        bytes = JSON.stringify({ kind: 'snapshot', snapshot }).length;
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      snapshots[count] = { ms: Math.round(times[3] * 10) / 10, kb: Math.round(bytes / 1024) };
    }

    // Idle baseline on this (shared) machine, for scale.
    const idle = monitorEventLoopDelay({ resolution: 1 });
    idle.enable();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    idle.disable();

    // Two turns: the first in a fresh host (pays the SDK's and the connection's first use), then a warm one.
    const ms = (ns) => Math.round(ns / 1e5) / 10;
    const turns = [];
    let parentId = null;
    for (let turn = 0; turn < 2; turn++) {
      deltas = 0;
      const delay = monitorEventLoopDelay({ resolution: 1 });
      const started = performance.now();
      const cpu = process.cpuUsage();
      delay.enable();
      const { assistantId } = await service.send(session.id, { parentId, text: 'Explain the chat loop, with code.' });
      await service.whenIdle(session.id);
      delay.disable();
      const elapsedMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const reply = service.snapshot(session.id).messages.find((m) => m.id === assistantId);
      parentId = assistantId;
      turns.push({
        maxMs: ms(delay.max),
        p99Ms: ms(delay.percentile(99)),
        meanMs: ms(delay.mean),
        elapsedMs: Math.round(elapsedMs),
        cpuMs: Math.round((used.user + used.system) / 1000),
        deltas,
        replyChars: reply?.text.length ?? 0,
        status: reply?.status,
      });
    }
    await service.shutdown();
    service.dispose();
    await store.close();
    console.log(
      MARK +
        JSON.stringify({
          ...turns[0],
          warm: turns[1],
          idleMaxMs: ms(idle.max),
          idleP99Ms: ms(idle.percentile(99)),
          postedKb: Math.round(posted / 2 / 1024),
          snapshots,
          expectedChars: streamedTokens().join('').length,
          errors: errors.map(String).slice(0, 3),
        }),
    );
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 1 and 2. The webview in Chromium, through the e2e harness.

function session(fixtures, count) {
  const random = prng(42);
  const messages = [];
  for (let i = 0; i < count; i++) {
    const role = i % 2 === 0 ? 'user' : 'assistant';
    messages.push(
      fixtures.message({
        id: fixtures.ulid(i + 1),
        parentId: i === 0 ? null : fixtures.ulid(i),
        role,
        text: `${role === 'user' ? userText(random) : assistantText(random)}\n\nMARK-${i}`,
        footer: role === 'assistant' ? { inputTokens: 1000 + i, outputTokens: 300, latencyMs: 2100, timeToFirstTokenMs: 350, finishReason: 'stop' } : undefined,
      }),
    );
  }
  return messages;
}

/** Opens a panel, posts the snapshot of a session of `count` messages; returns ms to the newest message painted, heap and DOM size. */
async function openSession(h, count) {
  const chat = await h.ChatPage.open(h.browser, h.origin);
  try {
    // What the host posts: the newest page of the path (ChatService.snapshot, measured in the host part).
    const messages = session(h.fixtures, count).slice(-HISTORY_PAGE);
    const cdp = await chat.page.context().newCDPSession(chat.page);
    await cdp.send('Performance.enable');
    await chat.page.evaluate((snapshot) => (window.__benchSnapshot = snapshot), h.fixtures.snapshot(messages));
    const newest = messages.at(-1).id;
    const paintMs = await chat.page.evaluate(
      (id) =>
        new Promise((resolve) => {
          const snapshot = window.__benchSnapshot;
          delete window.__benchSnapshot;
          const selector = `article.message[data-id="${id}"]`;
          let started = 0;
          const painted = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - started), 0));
          const observer = new MutationObserver(() => {
            if (document.querySelector(selector)) {
              observer.disconnect();
              painted();
            }
          });
          observer.observe(document.body, { childList: true, subtree: true });
          started = performance.now();
          window.postMessage({ kind: 'snapshot', snapshot }, '*');
        }),
      newest,
    );
    await chat.page.waitForTimeout(300);
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name) => metrics.find((m) => m.name === name)?.value ?? NaN;
    const articles = await chat.page.locator('article.message').count();
    const errors = chat.pageErrors.length;
    return { paintMs, heapMb: metric('JSHeapUsedSize') / 2 ** 20, nodes: metric('Nodes'), articles, errors };
  } finally {
    await chat.close();
  }
}

/** Streams TOKENS tokens at TOKENS_PER_SECOND into a reply after a short history; the longest task and frame gap. */
async function streamInWebview(h) {
  const chat = await h.ChatPage.open(h.browser, h.origin);
  try {
    const { message, snapshot, ulid } = h.fixtures;
    const history = session(h.fixtures, 20);
    const reply = message({ id: ulid(10_000), parentId: history.at(-1).id, role: 'assistant', status: 'streaming', text: '' });
    await chat.snapshot(snapshot([...history, reply], { streamingId: reply.id }));
    await chat.page.locator(`article.message[data-id="${reply.id}"]`).waitFor();
    const tokens = streamedTokens();
    const result = await chat.page.evaluate(
      ({ id, tokens, rate }) =>
        new Promise((resolve) => {
          const longTasks = [];
          const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
          observer.observe({ type: 'longtask' });
          let maxGap = 0;
          let last = performance.now();
          let running = true;
          const frame = (now) => {
            maxGap = Math.max(maxGap, now - last);
            last = now;
            if (running) {
              requestAnimationFrame(frame);
            }
          };
          requestAnimationFrame(frame);
          const started = performance.now();
          let sent = 0;
          let offset = 0;
          const timer = setInterval(() => {
            const due = Math.min(tokens.length, Math.floor(((performance.now() - started) * rate) / 1000));
            for (; sent < due; sent++) {
              const text = tokens[sent];
              window.postMessage({ kind: 'event', event: { method: 'chat/delta', params: { id, text, offset } } }, '*');
              offset += text.length;
            }
            if (sent === tokens.length) {
              clearInterval(timer);
              const streamMs = performance.now() - started;
              // Let the last coalesced render land, then stop measuring.
              setTimeout(() => {
                running = false;
                setTimeout(() => {
                  observer.disconnect();
                  resolve({ longTasks, maxGap, streamMs });
                }, 100);
              }, 500);
            }
          }, 10);
        }),
      { id: reply.id, tokens, rate: TOKENS_PER_SECOND },
    );
    const shown = await chat.page.locator(`article.message[data-id="${reply.id}"] .message-body`).innerText();
    const tail = tokens.slice(-40).join('').replace(/[`*#|\s-]+/g, ' ').trim().split(' ').slice(-3).join(' ');
    const resyncs = (await chat.posted()).filter((m) => m.kind === 'request' && m.method !== 'chat/inspect').length;
    return {
      longestTaskMs: result.longTasks.length ? Math.max(...result.longTasks) : 0,
      longTaskCount: result.longTasks.length,
      maxFrameGapMs: result.maxGap,
      streamMs: result.streamMs,
      complete: shown.replace(/[`*#|\s-]+/g, ' ').includes(tail),
      resyncs,
      errors: chat.pageErrors.length,
    };
  } finally {
    await chat.close();
  }
}

async function webview() {
  const bundle = path.join(repoRoot, 'dist', 'webview', 'chat.js');
  if (!existsSync(bundle)) {
    throw new Error(`${bundle} is missing: run \`npm run build\` first`);
  }
  const { launchChromium } = await import('../scripts/host/browser.mjs');
  const { ChatPage } = await import('../test/e2e/harness/chatPage.mjs');
  const fixtures = await import('../test/e2e/harness/fixtures.mjs');
  const { startHarnessServer } = await import('../test/e2e/harness/servers.mjs');
  const harness = await startHarnessServer();
  const browser = await launchChromium();
  try {
    const h = { browser, origin: harness.origin, ChatPage, fixtures };
    // A warm-up open, so the first measured one does not pay for Chromium's cold start.
    await openSession(h, 100);
    const small = await openSession(h, 1000);
    const large = await openSession(h, 10_000);
    const stream = await streamInWebview(h);
    return { small, large, stream };
  } finally {
    await browser.close();
    await harness.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`bench chat: ${os.cpus().length} cores, load average ${load()} (before)`);
  const web = await webview();
  const { proc, result: hostResult } = await child('--host');
  await new Promise((resolve) => (proc.exitCode === null ? proc.once('exit', resolve) : resolve()));

  const { small, large, stream } = web;
  const r1 = (n) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : NaN);
  const growth = large.heapMb / small.heapMb;
  const longest = stream.longTaskCount ? stream.longestTaskMs : stream.maxFrameGapMs;
  const snap = hostResult.snapshots;
  const firstPaint = (count, web) => snap[count].ms + web.paintMs;
  const rows = [
    ['host: snapshot of 1,000 / 10,000 messages (median of 7)', `${snap[1000].ms} / ${snap[10_000].ms} ms, ${snap[1000].kb} / ${snap[10_000].kb} KB`, 'flat'],
    ['first paint, newest of 1,000 messages (host + webview)', `${r1(firstPaint(1000, small))} ms (${r1(small.paintMs)} in the webview)`, '< 300 ms'],
    ['first paint, newest of 10,000 messages (host + webview)', `${r1(firstPaint(10_000, large))} ms (${r1(large.paintMs)} in the webview)`, '< 300 ms'],
    ['webview JS heap after GC, 1,000 messages', `${r1(small.heapMb)} MB`, 'flat'],
    ['webview JS heap after GC, 10,000 messages', `${r1(large.heapMb)} MB (x${r1(growth)})`, 'flat'],
    ['DOM nodes / articles, 1,000 messages', `${small.nodes} / ${small.articles}`, 'flat'],
    ['DOM nodes / articles, 10,000 messages', `${large.nodes} / ${large.articles}`, 'flat'],
    [`streaming ${TOKENS} tok @ ${TOKENS_PER_SECOND}/s: long tasks (>= 50 ms)`, `${stream.longTaskCount}, longest ${r1(stream.longestTaskMs)} ms`, 'none'],
    ['streaming: longest gap between frames', `${r1(stream.maxFrameGapMs)} ms`, '< 50 ms'],
    ['streaming: time to post all deltas, reply complete, resyncs', `${Math.round(stream.streamMs)} ms, ${stream.complete}, ${stream.resyncs}`, '~4,000 ms, true, 0'],
    ['host: event-loop delay max / p99 / mean, first turn', `${hostResult.maxMs} / ${hostResult.p99Ms} / ${hostResult.meanMs} ms`, '< 50 ms'],
    ['host: event-loop delay max / p99 / mean, warm turn', `${hostResult.warm.maxMs} / ${hostResult.warm.p99Ms} / ${hostResult.warm.meanMs} ms`, '< 50 ms'],
    ['host: idle baseline max / p99 (same process, 1.5 s)', `${hostResult.idleMaxMs} / ${hostResult.idleP99Ms} ms`, '-'],
    ['host: wall / CPU time, first turn', `${hostResult.elapsedMs} / ${hostResult.cpuMs} ms`, '~4,000 / -'],
    ['host: wall / CPU time, warm turn', `${hostResult.warm.elapsedMs} / ${hostResult.warm.cpuMs} ms`, '~4,000 / -'],
    ['host: deltas, JSON posted per turn, replies saved', `${hostResult.deltas}+${hostResult.warm.deltas}, ${hostResult.postedKb} KB, ${hostResult.replyChars}+${hostResult.warm.replyChars}/${hostResult.expectedChars} chars ${hostResult.status}/${hostResult.warm.status}`, `${TOKENS} each, -, complete`],
  ];
  const width = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
  console.log(`${'figure'.padEnd(width[0])}  ${'value'.padEnd(width[1])}  target`);
  for (const [figure, value, target] of rows) {
    console.log(`${figure.padEnd(width[0])}  ${value.padEnd(width[1])}  ${target}`);
  }
  const errors = small.errors + large.errors + stream.errors;
  if (errors || hostResult.errors.length) {
    console.log(`errors: ${errors} page errors; host: ${hostResult.errors.join('; ') || 'none'}`);
  }
  console.log(`load average ${load()} (after)`);
  console.log(
    `bench chat: first_paint_ms_10k=${Math.round(firstPaint(10_000, large))} longest_task_ms_streaming=${Math.round(longest)} ` +
      `host_loop_delay_ms=${Math.round(hostResult.maxMs)} webview_mb_10k=${r1(large.heapMb)}`,
  );
}

const mode = process.argv[2];
const run = mode === '--serve' ? async () => serve() : mode === '--host' ? host : main;
run().then(
  () => mode === '--host' && process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
