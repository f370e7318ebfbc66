import * as vscode from 'vscode';
import { agentCommands, askModal, scriptedPrompts, type Prompt } from './commands/agentCommands';
import { ask } from './commands/askCommand';
import { providerCommands } from './commands/providerCommands';
import type { ProviderServices } from './commands/providerServices';
import { registerCommands } from './commands/register';
import { composeSpending, type SpendingTestApi } from './commands/spendingCommand';
import { composeSessions, type SessionsTestApi } from './composeSessions';
import { formatBytes } from './core/format';
import type { Logger, SecretStore } from './core/ports';
import type { Probe } from './core/selfCheck';
import { sizeReport } from './db/maintenance';
import { nodeFs } from './db/fsPort';
import { probeCapabilities } from './db/sqlJs';
import type { Store } from './db/store';
import { createAdapter } from './llm/providerFactory';
import type { AgentRow } from './views/agentsModel';
import { AgentsSource } from './views/agentsSource';
import { AgentsView } from './views/agentsView';
import type { ProviderRow } from './views/providersModel';
import { createProvidersView } from './views/providersView';
import { createTreeViews } from './views/treeViews';
import { AnswerDocuments } from './vscode/answerDocuments';
import { DisposableStore } from './vscode/lifecycle';
import { ProviderKeys } from './vscode/providerKeys';
import { ProviderSettings } from './vscode/providerSettings';
import { ProviderStatus } from './vscode/providerStatus';
import { ProviderTestResults } from './vscode/providerTests';
import { recordingLogger } from './vscode/recordingLogger';
import { VscodeSecretStore } from './vscode/secretStore';
import { StoreHost } from './vscode/storeHost';
import { ensureGlobalStorage, probeWritable } from './vscode/storage';
import { AgentEditorPanel, registerAgentEditorSerializer, type AgentEditorServices } from './webviews/agentEditor/agentEditorPanel';
import type { SaveResult } from './webviews/agentEditor/agentEditorController';
import type { AgentDraft, AgentEditorSnapshot } from './protocol/agentEditor';
import { OverviewPanel } from './webviews/overview/overviewPanel';
import type { PanelTraffic } from './webviews/webviewHost';

/**
 * The composition root: builds AI Studio's services in dependency order and hands back one disposable that
 * tears all of them down. Nothing else in the extension constructs services.
 */

export interface AiStudio extends vscode.Disposable {
  readonly version: string;
  /** Test hooks, returned from `activate` only when the extension runs under a test harness. */
  readonly testApi: TestApi;
  /** For deactivate: ends the replies this window streams and waits until they are saved. */
  shutdown(): Promise<void>;
}

export interface TestApi {
  secrets: SecretStore;
  globalStoragePath: string;
  activationMs(): number;
  /** The durable store, once opened in the background. */
  store: Promise<Store>;
  /** Every message between a panel and the host, so tests can see a real webview load and answer. */
  onPanelTraffic: vscode.Event<PanelTraffic>;
  providers: ProvidersTestApi;
  agents: AgentsTestApi;
  sessions: SessionsTestApi;
  /** Today's spend in the status bar, the budget's warnings and the spending summary. */
  spending: SpendingTestApi;
}

export interface AgentsTestApi {
  /** What the Agents view shows now (archived ones only while "Show Archived Agents" is on). */
  rows(): Promise<AgentRow[]>;
  /** Fires whenever the view re-reads its rows. */
  onDidChange: vscode.Event<void>;
  /** Answers the next confirmation (the button's title; undefined = Cancel) instead of a person. */
  answerNextPrompt(answer: string | undefined): void;
  /** Every confirmation asked so far. */
  prompts(): readonly Prompt[];
  /** The agent ids (or `new:` keys) of the open agent editors. */
  openEditors(): string[];
  /** Saves a draft through the open editor of `agentIdOrKey`, exactly as its Save button does. */
  saveInEditor(agentIdOrKey: string, draft: AgentDraft): Promise<SaveResult>;
  /** The state that editor's webview is sent on `ready`. */
  editorSnapshot(agentIdOrKey: string): Promise<AgentEditorSnapshot>;
}

export interface ProvidersTestApi {
  /** What the Providers view shows now. */
  rows(): Promise<ProviderRow[]>;
  /** Fires when settings, keys or test results change. */
  onDidChange: vscode.Event<void>;
  /** Every line AI Studio logged in this session (test runs only keep them). */
  logLines(): readonly string[];
  /** All of globalState as JSON, to prove that no key is kept there. */
  globalStateJson(): string;
  /** The current text of an Ask answer document. */
  answerText(uri: string): string | undefined;
}

export interface CompositionInputs {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  /** Milliseconds from the extension module being loaded to `activate` finishing, filled in by `activate`. */
  activationMs: () => number;
}

export function compose({ context, log: channel, activationMs }: CompositionInputs): AiStudio {
  const store = new DisposableStore();
  try {
    const testMode = context.extensionMode === vscode.ExtensionMode.Test;
    const logLines: string[] = [];
    const log: Logger = testMode ? recordingLogger(channel, logLines) : channel;
    const showLog = () => channel.show();
    const storage = ensureGlobalStorage(context);
    const version = (context.extension.packageJSON as { version: string }).version;
    const secrets = new VscodeSecretStore(context.secrets);

    const storeHost = store.add(new StoreHost(context.extensionUri.fsPath, storage, log, showLog));

    for (const view of createTreeViews()) {
      store.add(view);
    }

    const providerSettings = store.add(new ProviderSettings(log));
    const providerTests = store.add(new ProviderTestResults(context.globalState));
    const status = store.add(new ProviderStatus(providerSettings, new ProviderKeys(secrets), providerTests, context.secrets.onDidChange));
    store.add(createProvidersView(status));
    const answers = store.add(new AnswerDocuments());
    const providerServices: ProviderServices = {
      status,
      log,
      showLog,
      createAdapter,
      answers,
      memento: context.globalState,
      priceOverrides: () => providerSettings.priceOverrides(),
    };

    const panelTraffic = store.add(new vscode.EventEmitter<PanelTraffic>());
    const overviewServices = {
      extensionUri: context.extensionUri,
      log,
      onTraffic: (traffic: PanelTraffic) => panelTraffic.fire(traffic),
      snapshot: () => ({
        extensionVersion: version,
        vscodeVersion: vscode.version,
        activationMs: activationMs(),
        storagePath: storage,
      }),
      probes: (): Probe[] => selfCheckProbes(storage, secrets, storeHost),
    };

    const agentsSource = store.add(new AgentsSource(storeHost.ready, log));
    const agentsView = store.add(new AgentsView(agentsSource, providerSettings, context.globalState, log));
    const agentEditorServices: AgentEditorServices = {
      extensionUri: context.extensionUri,
      log,
      onTraffic: (traffic) => panelTraffic.fire(traffic),
      source: agentsSource,
      status,
      createAdapter,
    };
    store.add(registerAgentEditorSerializer(agentEditorServices));
    // Confirmations come from a person, except in test runs, where the integration tests script the answers.
    const prompts = scriptedPrompts();
    const confirm = testMode ? prompts.ask : askModal;
    const sessions = store.add(
      composeSessions({
        context,
        log,
        storeReady: storeHost.ready,
        settings: providerSettings,
        keys: status.keys,
        createAdapter,
        ask: confirm,
        onTraffic: (traffic) => panelTraffic.fire(traffic),
        secrets,
        version,
        blobs: storeHost.blobs,
        globalStoragePath: storage,
      }),
    );
    const spending = store.add(composeSpending({ storeReady: storeHost.ready, log, memento: context.globalState }));

    for (const registration of registerCommands(
      {
        showOverview: () => OverviewPanel.show(overviewServices),
        showLog,
        openSettings: () => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${context.extension.id}`),
        ask: (arg?: unknown) => ask(providerServices, arg),
        ...providerCommands(providerServices),
        ...agentCommands({ source: agentsSource, view: agentsView, editor: agentEditorServices, ask: confirm }),
        ...sessions.commands,
        ...spending.commands,
      },
      log,
    )) {
      store.add(registration);
    }
    store.add({ dispose: () => OverviewPanel.disposeCurrent() });
    store.add({ dispose: () => AgentEditorPanel.disposeAll() });

    return {
      version,
      testApi: {
        secrets,
        globalStoragePath: storage,
        activationMs,
        onPanelTraffic: panelTraffic.event,
        store: storeHost.ready,
        providers: {
          rows: () => status.rows(),
          onDidChange: status.onDidChange,
          logLines: () => logLines,
          globalStateJson: () => JSON.stringify(Object.fromEntries(context.globalState.keys().map((key) => [key, context.globalState.get(key)]))),
          answerText: (uri) => answers.text(vscode.Uri.parse(uri)),
        },
        agents: {
          rows: () => agentsView.rows(),
          onDidChange: agentsView.onDidRefresh,
          answerNextPrompt: (answer) => prompts.answerNext(answer),
          prompts: () => prompts.asked,
          openEditors: () => AgentEditorPanel.openKeys(),
          saveInEditor: async (key, draft) => {
            const editor = AgentEditorPanel.find(key);
            if (!editor) {
              throw new Error(`No agent editor is open for ${key}`);
            }
            return editor.save(draft);
          },
          editorSnapshot: async (key) => {
            const editor = AgentEditorPanel.find(key);
            if (!editor) {
              throw new Error(`No agent editor is open for ${key}`);
            }
            return editor.controller.snapshot();
          },
        },
        sessions: sessions.testApi,
        spending: spending.testApi,
      },
      shutdown: () => sessions.shutdown(),
      dispose: () => store.dispose(),
    };
  } catch (err) {
    store.dispose();
    throw err;
  }
}

function selfCheckProbes(storage: string, secrets: SecretStore, storeHost: StoreHost): Probe[] {
  return [
    {
      id: 'store',
      label: 'History store',
      run: async () => {
        await storeHost.ready;
        const size = await sizeReport(nodeFs, storeHost.dir);
        return `Open, ${formatBytes(size.totalBytes)} (snapshots ${formatBytes(size.snapshotBytes)}, journal ${formatBytes(size.journalBytes)})`;
      },
    },
    {
      id: 'database',
      label: 'Database engine',
      run: async () => {
        const caps = probeCapabilities(await storeHost.engine);
        if (!caps.fts4 || !caps.json1) {
          throw new Error(`SQLite ${caps.sqliteVersion} lacks ${caps.fts4 ? 'JSON1' : 'FTS4'}`);
        }
        return `SQLite ${caps.sqliteVersion} with full-text search (FTS4) and JSON1`;
      },
    },
    {
      id: 'storage',
      label: 'Storage folder',
      run: async () => {
        await probeWritable(storage);
        return `Writable: ${storage}`;
      },
    },
    {
      id: 'secrets',
      label: 'Secret storage',
      run: async () => {
        const key = 'selfCheck.probe';
        const value = `probe-${Date.now()}`;
        await secrets.set(key, value);
        const readBack = await secrets.get(key);
        await secrets.delete(key);
        if (readBack !== value) {
          throw new Error('A value written to secret storage could not be read back');
        }
        return 'Available: API keys will be kept here, never in settings or files';
      },
    },
  ];
}

