import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { CommandIds } from '../../src/commands/ids';
import type { TestApi } from '../../src/composition';
import type { ChatService } from '../../src/core/chat/chatService';
import { importTraceJson, type ImportedTrace } from '../../src/core/otel/otlpImport';
import { systemClock } from '../../src/core/ports';
import type { Agent } from '../../src/db/repositories/agents';
import { EventsRepository } from '../../src/db/repositories/events';
import type { Session } from '../../src/db/repositories/sessions';
import { TRACE_HEADERS_SECRET } from '../../src/vscode/traceSettings';
import { FakeProviderServer, SENTINEL_KEY } from '../fakes/providers/fakeServer';
import { openAiProtocol } from '../fakes/providers/openaiProtocol';
import { activateStudio, fakeEndpointWithAgent, removeFakeEndpoint, waitForEvent } from './support';

/**
 * OpenTelemetry in a real extension host: a chat turn against the fake provider is exported live to an OTLP/HTTP
 * receiver on 127.0.0.1 (with the collector headers from secret storage, without message content), "Export
 * Trace" writes OTLP JSON that re-imports to exactly the stored events, and "Import Trace" opens it read-only in
 * the Inspector.
 */

const endpointId = 'openai-compatible:faketrace';
const COLLECTOR_TOKEN = 'collector-token-for-tests';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('OpenTelemetry export in a real extension host', function () {
  this.timeout(90_000);
  let api: TestApi;
  let chat: ChatService;
  let fake: FakeProviderServer;
  let agent: Agent;
  let session: Session;
  let collector: http.Server;
  let tmp: string;
  const received: Received[] = [];
  const arrivals = new vscode.EventEmitter<void>();
  const config = () => vscode.workspace.getConfiguration('aiStudio');

  before(async () => {
    api = await activateStudio();
    chat = await api.sessions.chat;
    fake = await FakeProviderServer.start(openAiProtocol);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'ais-trace-'));
    collector = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        arrivals.fire();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    ({ agent } = await fakeEndpointWithAgent(api, { name: 'faketrace', origin: fake.origin, key: SENTINEL_KEY, agentName: 'Trace tester' }));
    // Headers first: turning export on reads them.
    await api.secrets.set(TRACE_HEADERS_SECRET, JSON.stringify({ Authorization: `Bearer ${COLLECTOR_TOKEN}` }));
    const port = (collector.address() as AddressInfo).port;
    await config().update('telemetry.otlp.endpoint', `http://127.0.0.1:${port}/v1/traces`, vscode.ConfigurationTarget.Global);
    await config().update('telemetry.otlp.enabled', true, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('telemetry.otlp.enabled', undefined, vscode.ConfigurationTarget.Global);
    await config().update('telemetry.otlp.endpoint', undefined, vscode.ConfigurationTarget.Global);
    await api.secrets.delete(TRACE_HEADERS_SECRET);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeFakeEndpoint(endpointId);
    await fake?.close();
    await new Promise((resolve) => collector.close(resolve));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('exports a finished turn live to the collector: GenAI spans, the collector header, no content and no key', async () => {
    session = (await vscode.commands.executeCommand<Session | undefined>(CommandIds.newSessionWithAgent, agent.id))!;
    const arrived = waitForEvent(arrivals.event, () => true, 'the turn at the OTLP receiver');
    await api.sessions.panelRequest(session.id, 'chat/send', { text: 'A secret question about lighthouses', parentId: null });
    await chat.whenIdle(session.id);
    await arrived;
    const [first] = received;
    assert.equal(first?.headers.authorization, `Bearer ${COLLECTOR_TOKEN}`);
    assert.match(String(first?.headers['content-type']), /application\/json/);
    const spans = (JSON.parse(first.body) as { resourceSpans: { scopeSpans: { spans: { name: string; attributes: { key: string }[] }[] }[] }[] }).resourceSpans
      .flatMap((resource) => resource.scopeSpans)
      .flatMap((scope) => scope.spans);
    assert.ok(spans.some((span) => span.name === 'chat fake-ok'), spans.map((span) => span.name).join(', '));
    assert.ok(spans.some((span) => span.name.startsWith('invoke_agent')));
    const chatSpan = spans.find((span) => span.name === 'chat fake-ok')!;
    const keys = chatSpan.attributes.map((attribute) => attribute.key);
    for (const key of ['gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens']) {
      assert.ok(keys.includes(key), `${key} in ${keys.join(', ')}`);
    }
    assert.ok(!first.body.includes('lighthouses'), 'message content is opt-in');
    assert.ok(!first.body.includes(SENTINEL_KEY), 'the provider key is never exported');
    assert.ok(!first.body.includes(COLLECTOR_TOKEN), 'the collector header is not in the spans');
  });

  it('Export Trace writes OTLP JSON that re-imports to exactly the stored events; Import Trace opens it in the Inspector', async () => {
    const file = vscode.Uri.file(path.join(tmp, 'session.otlp.json'));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>(CommandIds.exportTrace, session.id, file);
    assert.equal(written?.fsPath, file.fsPath);
    const text = readFileSync(file.fsPath, 'utf8');
    const stored = new EventsRepository(await api.store, systemClock).list({ sessionId: session.id });
    assert.ok(stored.length >= 4, `${stored.length} events`);
    const parsed = importTraceJson(text);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    assert.deepEqual(parsed.value.events, stored);
    assert.ok(!text.includes(SENTINEL_KEY));

    const panelReady = waitForEvent(api.onPanelTraffic, (t) => t.panel === 'Inspector' && t.direction === 'fromPanel' && t.kind === 'ready', 'the Inspector webview to say ready');
    const imported = await vscode.commands.executeCommand<ImportedTrace | undefined>(CommandIds.importTrace, file);
    assert.equal(imported?.events.length, stored.length);
    await panelReady;

    const bad = vscode.Uri.file(path.join(tmp, 'bad.json'));
    await vscode.workspace.fs.writeFile(bad, new TextEncoder().encode('{"resourceSpans": 12}'));
    // A file that is not a trace: the person is told (the command settles without a trace), nothing opens.
    assert.equal(await vscode.commands.executeCommand(CommandIds.importTrace, bad), undefined);
  });
});
