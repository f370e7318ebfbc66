import * as assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LiveTraceExporter, type LiveExportSettings } from '../../../../src/core/otel/liveTraceExporter';
import { importTraceJson } from '../../../../src/core/otel/otlpImport';
import type { TraceContent } from '../../../../src/core/otel/traceContent';
import type { Logger } from '../../../../src/core/ports';
import type { StudioEvent } from '../../../../src/db/repositories/events';
import { FakeProviderServer } from '../../../fakes/providers/fakeServer';
import { openAiProtocol } from '../../../fakes/providers/openaiProtocol';
import { openHarness } from '../chat/chatHarness';
import { EventLog, T0 } from './otelFixtures';
import { COMMAND_SECRET, recordToolTurn } from '../inspector/toolTurnRecording';

const TOKEN = 'Bearer collector-SENTINEL-token';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An OTLP/HTTP collector stand-in on 127.0.0.1 that records what it is sent and answers with `status`. */
class LoopbackCollector {
  readonly received: Received[] = [];
  status = 200;
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<LoopbackCollector> {
    const server = http.createServer();
    const collector = new LoopbackCollector(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        collector.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(collector.status, { 'content-type': 'application/json' });
        res.end(collector.status === 200 ? '{}' : '{"code":3,"message":"bad request"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return collector;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

class RecordingLog implements Logger {
  readonly lines: { level: string; message: string }[] = [];
  trace = (message: string) => this.lines.push({ level: 'trace', message });
  debug = (message: string) => this.lines.push({ level: 'debug', message });
  info = (message: string) => this.lines.push({ level: 'info', message });
  warn = (message: string) => this.lines.push({ level: 'warn', message });
  error = (message: string | Error) => this.lines.push({ level: 'error', message: String(message) });
  at(level: string): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}

function spanNames(body: string): string[] {
  const file = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] };
  return file.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name)));
}

describe('live OpenTelemetry export to an OTLP/HTTP collector on loopback', function () {
  this.timeout(15_000);
  let collector: LoopbackCollector;
  let log: RecordingLog;
  const exporters: LiveTraceExporter[] = [];

  const open = (settings: Partial<LiveExportSettings> = {}): LiveTraceExporter => {
    const exporter = new LiveTraceExporter({ enabled: true, endpoint: collector.endpoint, headers: { Authorization: TOKEN }, timeoutMs: 2_000, ...settings }, { log });
    exporters.push(exporter);
    return exporter;
  };

  beforeEach(async () => {
    collector = await LoopbackCollector.start();
    log = new RecordingLog();
  });
  afterEach(async () => {
    exporters.splice(0).forEach((exporter) => exporter.dispose());
    await collector.close();
  });

  it('sends a finished turn of a real chat as OTLP JSON, with the configured headers, and it re-imports exactly', async () => {
    const server = await FakeProviderServer.start(openAiProtocol);
    const h = await openHarness(server);
    try {
      h.providers.priceOverrides = [{ model: 'fake-ok', input: 1, output: 2 }];
      const first = await h.service.send(h.session.id, { parentId: null, text: 'Say hello.' });
      await h.service.whenIdle(h.session.id);
      const second = await h.service.send(h.session.id, { parentId: first.assistantId, text: 'Again.' });
      await h.service.whenIdle(h.session.id);
      const events = h.repos.events.list({ sessionId: h.session.id });

      await open().exportTurn(events, second.assistantId);

      assert.equal(collector.received.length, 1);
      const [request] = collector.received as [Received];
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/v1/traces');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.headers.authorization, TOKEN);
      assert.deepEqual(spanNames(request.body), ['invoke_agent', 'chat fake-ok']);
      assert.ok(!request.body.includes('SENTINEL'), 'the collector token is a header, never span data');
      const imported = importTraceJson(request.body);
      assert.ok(imported.ok);
      const secondTurn = events.filter((event) => event.messageId === second.assistantId || event.messageId === second.userId);
      assert.deepEqual(imported.value.events, secondTurn, 'exactly the second turn, every field');
      assert.deepEqual(log.at('warn'), []);
    } finally {
      await h.service.shutdown();
      h.store.close();
      await server.close();
    }
  });

  it('sends a tool turn once, when its final answer is recorded: one trace with its execute_tool spans, no content', async () => {
    const turn = await recordToolTurn();
    try {
      const events = turn.events();
      const replies = events.filter((event) => event.type === 'llm.request.started').map((event) => event.messageId!);
      const exporter = open();
      // Each step's reply ends the same way; only the last one (no tools asked) finishes the turn.
      for (const reply of replies.slice(0, -1)) {
        const upTo = events.findIndex((event) => event.type === 'message.assistant' && event.messageId === reply);
        await exporter.exportTurn(events.slice(0, upTo + 1), reply);
      }
      assert.equal(collector.received.length, 0, 'no step before the answer is sent');
      await exporter.exportTurn(events, replies.at(-1)!);
      assert.equal(collector.received.length, 1);
      const body = collector.received[0]!.body;
      assert.deepEqual(
        spanNames(body).filter((name) => name.startsWith('execute_tool')),
        ['execute_tool read_file', 'execute_tool replace_in_file', 'execute_tool run_command'],
      );
      assert.equal(spanNames(body).filter((name) => name === 'invoke_agent').length, 1);
      assert.ok(!body.includes(COMMAND_SECRET) && !body.includes('node test.js'), 'what the calls were about stays home');
    } finally {
      await turn.close();
    }
  });

  it('skips a turn that is still streaming (its spans would change after they were sent)', async () => {
    const log2 = new EventLog();
    log2.add({ type: 'message.user', messageId: 'user-1', startedAt: T0 });
    log2.add({ type: 'llm.request.started', messageId: 'reply-1', startedAt: T0, model: 'gpt-4o' });
    const exporter = open();
    await exporter.exportTurn(log2.events, 'reply-1');
    await exporter.exportTurn(log2.events, 'no-such-reply');
    assert.equal(collector.received.length, 0);
  });

  it('sends nothing at all when disabled', async () => {
    const events = turnEvents();
    const exporter = open({ enabled: false });
    assert.equal(exporter.enabled, false);
    await exporter.exportTurn(events, 'reply-1');
    await exporter.exportEvents(events);
    await exporter.flush();
    assert.equal(collector.received.length, 0);
    assert.deepEqual(log.lines, []);
  });

  it('reports a refused export to the log once per outage, never throws, never logs the token, and says when it recovers', async () => {
    const events = turnEvents();
    const exporter = open();
    collector.status = 400;
    await exporter.exportEvents(events);
    await exporter.exportEvents(events);
    assert.equal(collector.received.length, 2);
    const warnings = log.at('warn');
    assert.equal(warnings.length, 1, 'one warning for the outage, the repeat at debug level');
    assert.match(warnings[0]!, /^OpenTelemetry export of 2 spans to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed \(HTTP 400\): /);
    assert.equal(log.at('debug').length, 1);
    collector.status = 200;
    await exporter.exportEvents(events);
    assert.deepEqual(log.at('info'), [`OpenTelemetry export to ${collector.endpoint} works again`]);
    assert.ok(!JSON.stringify(log.lines).includes('SENTINEL'));
  });

  it('reports an unreachable collector after its bounded retries, without throwing', async () => {
    const events = turnEvents();
    const closed = await LoopbackCollector.start();
    const endpoint = closed.endpoint;
    await closed.close();
    const exporter = open({ endpoint, timeoutMs: 300 });
    await exporter.exportEvents(events);
    assert.equal(log.at('warn').length, 1);
    assert.match(log.at('warn')[0]!, /failed/);
  });

  it('refuses an endpoint that is not an http(s) URL: a warning, nothing sent', async () => {
    const exporter = open({ endpoint: 'file:///etc/passwd' });
    assert.equal(exporter.enabled, false);
    await exporter.exportEvents(turnEvents());
    assert.equal(log.at('warn').length, 1);
    assert.equal(collector.received.length, 0);
  });

  it('sends message content only when the setting asks for it and a content source is given', async () => {
    const content: TraceContent = {
      input: () => ({ messages: [{ role: 'user', content: [{ type: 'text', text: 'private question' }] }] }),
      output: () => ({ role: 'assistant', content: [{ type: 'text', text: 'private answer' }] }),
    };
    const exporters = [
      new LiveTraceExporter({ enabled: true, endpoint: collector.endpoint }, { log, content }),
      new LiveTraceExporter({ enabled: true, endpoint: collector.endpoint, includeContent: true }, { log, content }),
    ];
    for (const exporter of exporters) {
      await exporter.exportEvents(turnEvents());
      exporter.dispose();
    }
    assert.equal(collector.received.length, 2);
    assert.ok(!collector.received[0]!.body.includes('private'), 'off by default');
    assert.ok(collector.received[1]!.body.includes('private question'));
    assert.ok(collector.received[1]!.body.includes('private answer'));
  });

  it('sends nothing after it is disposed', async () => {
    const exporter = open();
    exporter.dispose();
    await exporter.exportEvents(turnEvents());
    assert.equal(collector.received.length, 0);
  });

  it('ignores the OTLP environment variables: headers meant for another collector never reach this one', async () => {
    const saved = process.env.OTEL_EXPORTER_OTLP_HEADERS;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-other-collector=leaked';
    try {
      await open().exportEvents(turnEvents());
    } finally {
      if (saved === undefined) {
        delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
      } else {
        process.env.OTEL_EXPORTER_OTLP_HEADERS = saved;
      }
    }
    assert.equal(collector.received.length, 1);
    assert.equal(collector.received[0]!.headers['x-other-collector'], undefined);
  });
});

function turnEvents(): StudioEvent[] {
  const log = new EventLog();
  log.turn({ at: T0, user: 'user-1', reply: 'reply-1' });
  return log.events;
}
