import path from 'node:path';
import type * as vscode from 'vscode';
import type { AskPrompt } from './commands/agentCommands';
import { exportImportCommands, type ExportImportHandlers } from './commands/exportImport';
import { searchSessions, type SessionSearchHit } from './commands/searchCommand';
import { sessionCommands, type SessionCommandHandlers } from './commands/sessionCommands';
import { traceCommands, type TraceCommandHandlers } from './commands/traceCommands';
import { composeRuns, type RunsTestApi } from './composeRuns';
import { chatRunPort } from './webviews/chat/chatRunPort';
import type { BatchCommandHandlers } from './commands/batchCommands';
import type { RunCommandHandlers } from './commands/runCommands';
import { chatRepositories } from './core/chat/chatRepositories';
import type { ChatService } from './core/chat/chatService';
import { ReplayService } from './core/inspector/replayService';
import { systemClock, type Logger, type SecretStore } from './core/ports';
import type { BlobStore } from './db/blobs';
import type { Store } from './db/store';
import type { EndpointConfig } from './llm/endpoints';
import type { ProviderAdapter } from './llm/types';
import { chatRequests } from './protocol/chat';
import { createDispatcher } from './protocol/dispatcher';
import type { SessionGroup } from './views/sessionsModel';
import { SessionsSource } from './views/sessionsSource';
import { SessionsView } from './views/sessionsView';
import { ApprovalNotifier } from './vscode/approvalNotifier';
import { ChatRuntime } from './vscode/chatRuntime';
import { DisposableStore } from './vscode/lifecycle';
import { LiveTrace } from './vscode/liveTrace';
import { VscodeProviderAccess } from './vscode/providerAccess';
import { createWindowTools } from './vscode/windowTools';
import type { ProviderKeys } from './vscode/providerKeys';
import type { ProviderSettings } from './vscode/providerSettings';
import { ChatPanel, registerChatPanelSerializer, type ChatPanelServices } from './webviews/chat/chatPanel';
import { inspectorCommands, inspectorTestApi, type InspectorCommandHandlers, type InspectorTestApi } from './webviews/inspector/inspectorCommands';
import { InspectorPanel, openInspector, registerInspectorSerializer, type InspectorServices } from './webviews/inspector/inspectorPanel';
import { ChatPanelMemory } from './webviews/chat/chatPanelMemory';
import { LastTextEditor } from './webviews/chat/lastEditor';
import type { PanelTraffic } from './webviews/webviewHost';

/**
 * The sessions pillar, composed: the chat loop on the store, the Sessions view, the chat panels (and their
 * restoration after a reload), and the session, search and export commands. Kept out of composition.ts so the
 * root stays a list of features; it is built in the same synchronous pass and shares the root's disposables.
 */

export interface SessionsInputs {
  context: vscode.ExtensionContext;
  log: Logger;
  storeReady: Promise<Store>;
  settings: ProviderSettings;
  keys: ProviderKeys;
  createAdapter: (config: EndpointConfig, apiKey: string | undefined) => ProviderAdapter;
  /** Modal confirmations (delete, open a link); scripted in test runs. */
  ask: AskPrompt;
  onTraffic: (traffic: PanelTraffic) => void;
  /** Where the trace collector's headers are kept. */
  secrets: SecretStore;
  /** The extension's version, in exported traces. */
  version: string;
  /** Where large payloads (tool outputs, originals kept for undo) live, beside the store. */
  blobs: BlobStore;
  globalStoragePath: string;
}

export interface SessionsTestApi {
  chat: Promise<ChatService>;
  /** What the Sessions view shows now. */
  rows(): Promise<SessionGroup[]>;
  /** Fires whenever the view re-reads its rows. */
  onDidChange: vscode.Event<void>;
  /** The session ids of the open chat panels. */
  openPanels(): string[];
  /** Sends a request to the open panel of `sessionId` exactly as its webview would (validated, then handled). */
  panelRequest(sessionId: string, method: string, params: unknown): Promise<unknown>;
  search(query: string): Promise<SessionSearchHit[]>;
  /** The Inspector panels (issue 6). */
  inspector: InspectorTestApi;
  /** The runner and the Runs view (issue 13). */
  runs: RunsTestApi;
}

export interface SessionsFeature extends vscode.Disposable {
  commands: SessionCommandHandlers &
    ExportImportHandlers &
    InspectorCommandHandlers &
    TraceCommandHandlers &
    RunCommandHandlers &
    BatchCommandHandlers & { searchSessions(arg?: unknown): Promise<unknown> };
  testApi: SessionsTestApi;
  /** For deactivate: ends this window's streams and waits until they are saved. */
  shutdown(): Promise<void>;
}

export function composeSessions(inputs: SessionsInputs): SessionsFeature {
  const { context, log } = inputs;
  const disposables = new DisposableStore();
  const providerAccess = new VscodeProviderAccess(inputs.settings, inputs.keys, inputs.createAdapter);
  const tools = disposables.add(
    createWindowTools({ log, blobs: inputs.blobs, globalStoragePath: inputs.globalStoragePath, tempDir: path.join(inputs.globalStoragePath, 'tool-output-tmp') }),
  );
  const runtime = disposables.add(new ChatRuntime(inputs.storeReady, providerAccess, log, tools.runtime));
  // Replay of recorded model calls (the Inspector): the same provider access, on the same store.
  const replay = inputs.storeReady.then((store) => new ReplayService({ repos: chatRepositories(store, systemClock), providers: providerAccess, clock: systemClock, log }));
  replay.catch(() => undefined);
  disposables.add({ dispose: () => void replay.then((service) => service.dispose(), () => undefined) });
  const source = disposables.add(new SessionsSource(inputs.storeReady, log));
  const view = disposables.add(new SessionsView(source, (id) => runtime.isStreaming(id), log));
  const panels: ChatPanelServices = {
    extensionUri: context.extensionUri,
    log,
    onTraffic: inputs.onTraffic,
    chat: runtime.ready,
    source,
    editors: disposables.add(new LastTextEditor()),
    ask: inputs.ask,
    memory: new ChatPanelMemory(context.workspaceState),
    openDiff: async (sessionId, messageId, callId, file) => {
      const change = await (await runtime.ready).fileChange(sessionId, messageId, callId, file);
      await tools.diffs.showFileDiff(change.path, change.original);
    },
  };
  disposables.add(registerChatPanelSerializer(panels));
  let chatService: ChatService | undefined;
  runtime.ready.then((service) => (chatService = service), () => undefined);
  disposables.add(
    new ApprovalNotifier(runtime.ready, {
      isVisible: (sessionId) => ChatPanel.isVisible(sessionId),
      show: async (sessionId) => {
        await ChatPanel.show(panels, sessionId);
      },
      title: (sessionId) => chatService?.sessionInfo(sessionId).session.title || 'a chat session',
    }),
  );
  const inspector: InspectorServices = {
    extensionUri: context.extensionUri,
    log,
    onTraffic: inputs.onTraffic,
    source,
    replay,
    replayProviders: () => inputs.settings.current.entries.filter((entry) => entry.config !== undefined).map((entry) => ({ id: entry.id, label: entry.label })),
    chat: runtime.ready,
  };
  disposables.add(registerInspectorSerializer(inspector));
  disposables.add({ dispose: () => InspectorPanel.releaseAll() });
  // Streams starting and ending turn the row's spinner on and off.
  let streamingSubscription: { dispose(): void } | undefined;
  runtime.ready.then(
    (chat) => {
      streamingSubscription = chat.onDidChange(({ event }) => {
        if (event.method === 'chat/streaming') {
          view.refresh();
        }
      });
    },
    () => undefined,
  );
  disposables.add({ dispose: () => streamingSubscription?.dispose() });
  const liveTrace = disposables.add(new LiveTrace(runtime.ready, source.repositories(), inputs.secrets, log, inputs.version));
  // Runs drive this window's chat loop: added after it, so they are released first.
  const runs = disposables.add(
    composeRuns({
      extensionUri: context.extensionUri,
      onTraffic: inputs.onTraffic,
      storeReady: inputs.storeReady,
      runtime,
      log,
      source,
      ask: inputs.ask,
      openSession: async (sessionId) => {
        await ChatPanel.show(panels, sessionId);
      },
      inspectSession: async (sessionId) => {
        await openInspector(inspector, { sessionId });
      },
    }),
  );
  // The run header of a run's chat panel: the run panel is the chat panel on the run's session, plus this.
  panels.runs = disposables.add(chatRunPort(Promise.all([runs.service, inputs.storeReady]).then(([service, store]) => ({ runs: service, store }))));
  // Newest last: released before the chat loop and the view they use.
  disposables.add({ dispose: () => ChatPanel.releaseAll() });

  const commands = {
    ...sessionCommands({ source, view, panels, chat: runtime.ready, ask: inputs.ask }),
    ...exportImportCommands({ source, view, panels }),
    searchSessions: (arg?: unknown) => searchSessions({ source, panels }, arg),
    ...inspectorCommands(inspector),
    ...runs.commands,
    ...traceCommands({
      source,
      secrets: inputs.secrets,
      serviceVersion: inputs.version,
      openImported: (trace) => openInspector(inspector, { imported: trace }),
      headersChanged: () => liveTrace.configure(),
    }),
  };

  let nextRequestId = 1;
  const testApi: SessionsTestApi = {
    chat: runtime.ready,
    rows: () => view.groups(),
    onDidChange: view.onDidRefresh,
    openPanels: () => ChatPanel.openSessions(),
    panelRequest: async (sessionId, method, params) => {
      const panel = ChatPanel.find(sessionId);
      if (!panel) {
        throw new Error(`No chat panel is open for session ${sessionId}`);
      }
      const dispatch = createDispatcher('Chat (test)', chatRequests, panel.handlers, { error: (m) => log.error(m), trace: () => undefined });
      const outcome = await dispatch({ kind: 'request', id: nextRequestId++, method, params });
      if (outcome.kind !== 'reply') {
        throw new Error(`The request was ${outcome.kind}`);
      }
      if (outcome.message.kind === 'error') {
        throw new Error(`${outcome.message.error.code}: ${outcome.message.error.message}`);
      }
      return outcome.message.kind === 'response' ? outcome.message.result : undefined;
    },
    search: async (query) => (await searchSessions({ source, panels }, { query })) ?? [],
    inspector: inspectorTestApi(log),
    runs: runs.testApi,
  };

  return {
    commands,
    testApi,
    shutdown: async () => {
      ChatPanel.releaseAll();
      await Promise.all([runs.shutdown(), runtime.shutdown()]);
    },
    dispose: () => disposables.dispose(),
  };
}
