import * as vscode from 'vscode';
import type { ChatService } from '../core/chat/chatService';
import { LiveTraceExporter } from '../core/otel/liveTraceExporter';
import { messageContent } from '../core/otel/traceContent';
import type { Logger, SecretStore } from '../core/ports';
import type { SessionRepositories } from '../views/sessionsSource';
import { affectsTraceSettings, readTraceHeaders, readTraceSettings } from './traceSettings';

/**
 * Live OpenTelemetry export: when a reply ends in this window, its turn goes to the collector the person set up
 * (`aiStudio.telemetry.otlp.*`). The exporter is rebuilt when the settings or the headers change; with export
 * off nothing is built and nothing is sent. Failures go to the log and never reach the chat.
 */
export class LiveTrace implements vscode.Disposable {
  private exporter: LiveTraceExporter | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private generation = 0;
  /** Agent names for span names (`invoke_agent Helper`), re-read before each export: agents get renamed. */
  private agentNames = new Map<string, string>();

  constructor(
    chat: Promise<ChatService>,
    private readonly repositories: Promise<SessionRepositories>,
    private readonly secrets: SecretStore,
    private readonly log: Logger,
    private readonly serviceVersion: string,
  ) {
    this.subscriptions.push(vscode.workspace.onDidChangeConfiguration((event) => affectsTraceSettings(event) && void this.configure()));
    void this.configure();
    chat.then(
      (service) =>
        this.subscriptions.push(
          service.onDidChange(({ sessionId, event }) => {
            if (event.method === 'chat/message' && event.params.role === 'assistant' && event.params.status !== 'streaming') {
              void this.exportReply(sessionId, event.params.id);
            }
          }),
        ),
      () => undefined,
    );
  }

  /** Re-reads the settings and the headers (after "Set Trace Collector Headers"). */
  async configure(): Promise<void> {
    const generation = ++this.generation;
    const settings = readTraceSettings();
    const headers = settings.liveEnabled ? await readTraceHeaders(this.secrets) : {};
    const repos = settings.liveEnabled && settings.includeContent ? await this.repositories : undefined;
    if (generation !== this.generation) {
      return;
    }
    this.exporter?.dispose();
    this.exporter = new LiveTraceExporter(
      { enabled: settings.liveEnabled, endpoint: settings.endpoint, headers, includeContent: settings.includeContent },
      {
        log: this.log,
        serviceVersion: this.serviceVersion,
        ...(repos ? { content: messageContent(repos.messages, (id) => repos.agents.getVersion(id)?.systemPrompt) } : {}),
        agentName: (agentId) => this.agentNames.get(agentId),
      },
    );
    if (this.exporter.enabled) {
      this.log.info(`OpenTelemetry: finished turns are exported live to ${settings.endpoint}${settings.includeContent ? ' with message content' : ''}`);
    }
  }

  private async exportReply(sessionId: string, messageId: string): Promise<void> {
    const exporter = this.exporter;
    if (!exporter?.enabled) {
      return;
    }
    const repos = await this.repositories;
    this.agentNames = new Map(repos.agents.list({ includeArchived: true }).map((agent) => [agent.id, agent.name]));
    // The turn starts with the reply's question: read from there, not the whole session (a long session would
    // pay a full read per reply). Without the question's event (an imported session), the whole session.
    // A later step of a tool turn hangs under a `tool` message: the question is the nearest user message above.
    const questionId = [...repos.messages.pathWindow(messageId, 200)].reverse().find((message) => message.role === 'user')?.id;
    const question = questionId ? repos.events.listForMessages([questionId], ['message.user'])[0] : undefined;
    await exporter.exportTurn(repos.events.list({ sessionId }, question ? { since: question.startedAt } : {}), messageId);
  }

  /** Waits for exports in flight (tests, shutdown). */
  flush(): Promise<void> {
    return this.exporter?.flush() ?? Promise.resolve();
  }

  dispose(): void {
    this.exporter?.dispose();
    this.exporter = undefined;
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
  }
}
