import * as vscode from 'vscode';
import type { AskPrompt } from './commands/agentCommands';
import { batchCommands, type BatchCommandHandlers } from './commands/batchCommands';
import { runCommands, type RunCommandHandlers, type RunsPort } from './commands/runCommands';
import type { AssertionPorts } from './core/batch/assertions';
import { readBatchSpec, type BatchSpec } from './core/batch/batchPlan';
import { BatchResultsSource } from './core/batch/batchResultsSource';
import { createJavascriptPort } from './node/jsAssertion';
import type { PanelTraffic } from './webviews/webviewHost';
import { openResults as openResultsPanel, registerResultsSerializer, ResultsPanel, resultsTestApi, type ResultsPanelServices, type ResultsTestApi } from './webviews/results/resultsPanel';
import { systemClock, type Logger } from './core/ports';
import { RunService, type RunDetails } from './core/runs/runService';
import type { Store } from './db/store';
import type { RunGroup, RunRowInput } from './views/runsModel';
import { runLabel } from './views/runsModel';
import { RunsView } from './views/runsView';
import type { SessionsSource } from './views/sessionsSource';
import type { ChatRuntime } from './vscode/chatRuntime';
import { DisposableStore } from './vscode/lifecycle';
import { readRunSettings } from './vscode/config';
import { RunStatusBar } from './vscode/runStatusBar';

/**
 * The runs pillar, composed: the runner (src/core/runs) on this window's chat loop and store, the Runs view,
 * its status bar item, a notification when a run this window carries ends, and the run commands. A run's
 * transcript is its session, opened in the chat panel (approvals, Stop, the tool steps, undo all work there).
 */

export interface RunsInputs {
  extensionUri: vscode.Uri;
  onTraffic(traffic: PanelTraffic): void;
  storeReady: Promise<Store>;
  runtime: ChatRuntime;
  log: Logger;
  source: SessionsSource;
  ask: AskPrompt;
  openSession(sessionId: string): Promise<void>;
  inspectSession(sessionId: string): Promise<void>;
}

export interface RunsTestApi {
  runs: Promise<RunService>;
  /** The batch Results panels. */
  results: ResultsTestApi;
  /** What the Runs view shows now. */
  rows(): Promise<RunGroup[]>;
  /** Fires whenever the view re-reads its rows. */
  onDidChange: vscode.Event<void>;
}

export interface RunsFeature extends vscode.Disposable {
  commands: RunCommandHandlers & BatchCommandHandlers;
  /** The runner, once the store and the chat loop are ready. */
  service: Promise<RunService>;
  testApi: RunsTestApi;
  shutdown(): Promise<void>;
}

const ENDED = new Set(['completed', 'failed', 'cancelled']);

export function composeRuns(inputs: RunsInputs): RunsFeature {
  const { log } = inputs;
  const disposables = new DisposableStore();
  const ready = Promise.all([inputs.storeReady, inputs.runtime.ready]).then(
    ([store, chat]) =>
      new RunService({
        store,
        storeChanges: store,
        chat,
        clock: systemClock,
        log,
        windowId: inputs.runtime.windowId,
        maxConcurrent: () => readRunSettings().maxConcurrent,
        assertionPorts: batchAssertionPorts,
      }),
  );
  ready.catch(() => undefined);
  disposables.add({ dispose: () => void ready.then((service) => service.dispose(), () => undefined) });

  const rows = async (): Promise<RunRowInput[]> => {
    const [service, agents] = await Promise.all([ready, inputs.source.agents()]);
    const names = new Map(agents.map((agent) => [agent.id, agent.name]));
    return service.list({ limit: 1000 }).map((details) => rowInput(details, names));
  };
  const view = disposables.add(
    new RunsView(
      {
        rows,
        onDidChange: (listener) => {
          let subscription: { dispose(): void } | undefined;
          let disposed = false;
          ready.then(
            (service) => {
              if (!disposed) {
                subscription = service.onDidChange(() => listener());
              }
            },
            () => undefined,
          );
          return {
            dispose: () => {
              disposed = true;
              subscription?.dispose();
            },
          };
        },
      },
      log,
    ),
  );
  const statusBar = disposables.add(new RunStatusBar());
  disposables.add(view.onDidUpdate((groups) => statusBar.update(groups)));

  const results = resultsServices(inputs, ready);
  disposables.add(registerResultsSerializer(results));
  disposables.add({ dispose: () => ResultsPanel.releaseAll() });
  const openResults = async (runId: string): Promise<void> => {
    await ready;
    openResultsPanel(results, runId);
  };
  const notifier = new EndNotifier(inputs, openResults);
  ready.then((service) => disposables.add(service.onDidChange((change) => notifier.check(service, change.runId))), () => undefined);

  const port: Promise<RunsPort> = ready.then((service) => ({
    start: (input) => service.start(input),
    cancel: (runId) => service.cancel(runId),
    resume: (runId) => service.resume(runId),
    delete: (runId) => service.delete(runId),
    get: (runId) => service.get(runId)?.run,
    sessionOf: (runId) => service.get(runId)?.sessionId ?? undefined,
    rerunItems: (runId, ids) => service.rerunItems(runId, ids),
    itemIds: (runId) => service.items(runId).map((item) => item.id),
  }));
  port.catch(() => undefined);
  const commands = runCommands({
    runs: port,
    agents: () => inputs.source.agents(false),
    defaultBudget: () => readRunSettings().budget,
    openSession: (sessionId) => inputs.openSession(sessionId),
    inspectSession: (sessionId) => inputs.inspectSession(sessionId),
    openResults,
    view,
    ask: inputs.ask,
  });
  const batch = batchCommands({
    runs: ready,
    agents: () => inputs.source.agents(false),
    defaultConcurrency: () => readRunSettings().batchConcurrency,
    defaultBudget: () => readRunSettings().budget,
    openResults,
    view,
    ask: inputs.ask,
    isTrusted: () => vscode.workspace.isTrusted,
  });

  return {
    commands: { ...commands, ...batch },
    service: ready,
    testApi: { runs: ready, results: resultsTestApi(log), rows: () => view.groups(), onDidChange: view.onDidRefresh },
    shutdown: async () => {
      await (await ready.catch(() => undefined))?.shutdown();
    },
    dispose: () => disposables.dispose(),
  };
}

/**
 * The Results panels' port on the runner. Read synchronously by the panels, so it answers "no such batch" until
 * the runner is ready (a panel restored after a reload asks again when the runner's first change arrives).
 */
function resultsServices(inputs: RunsInputs, ready: Promise<RunService>): ResultsPanelServices {
  let service: RunService | undefined;
  ready.then((resolved) => (service = resolved), () => undefined);
  const source = new BatchResultsSource({
    get: (runId) => service?.get(runId),
    items: (runId) => service?.items(runId) ?? [],
    onDidChange: (listener) => {
      let subscription: { dispose(): void } | undefined;
      let disposed = false;
      ready.then(
        (resolved) => {
          if (!disposed) {
            subscription = resolved.onDidChange(listener);
            listener({ runId: undefined });
          }
        },
        () => undefined,
      );
      return {
        dispose: () => {
          disposed = true;
          subscription?.dispose();
        },
      };
    },
  });
  const services: ResultsPanelServices = {
    extensionUri: inputs.extensionUri,
    onTraffic: (traffic) => inputs.onTraffic(traffic),
    log: inputs.log,
    title: (runId) => source.title(runId),
    status: (runId) => service?.get(runId)?.run.status,
    table: (runId) => source.table(runId),
    progress: (runId) => {
      const progress = source.progress(runId);
      return progress && { done: progress.done, total: progress.total, running: progress.running, waitedMs: progress.waitedMs, rateLimited: progress.rateLimited };
    },
    onDidChange: (listener) => source.onDidChange((runId) => (runId === undefined ? service?.list({ limit: 50 }).forEach((details) => listener(details.run.id)) : listener(runId))),
    openTranscript: (sessionId) => inputs.openSession(sessionId),
    inspect: (sessionId) => inputs.inspectSession(sessionId),
    rerun: async (runId, runItemIds) => {
      const again = await (await ready).rerunItems(runId, runItemIds);
      openResultsPanel(services, again.id);
    },
    exportResults: async (runId, format) => {
      const text = source.exportText(runId, format);
      if (text === undefined) {
        throw new Error('That batch no longer exists; it may have been deleted in another window.');
      }
      const name = `${(source.title(runId) ?? 'batch').split(':')[0]?.replace(/\.[^.]+$/, '') ?? 'batch'}-results.${format}`;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const target = await vscode.window.showSaveDialog({
        title: 'AI Studio: Export Batch Results',
        saveLabel: 'Export',
        filters: format === 'csv' ? { CSV: ['csv'] } : { 'JSON Lines': ['jsonl'] },
        ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      });
      if (target !== undefined) {
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
        void vscode.window.showInformationMessage(`AI Studio: exported the results to ${vscode.workspace.asRelativePath(target)}.`);
      }
    },
    cancel: async (runId) => (await ready).cancel(runId),
  };
  return services;
}

function rowInput(details: RunDetails, names: ReadonlyMap<string, string>): RunRowInput {
  const agentName = details.run.agentId === null ? undefined : names.get(details.run.agentId);
  const spec = details.batch && readBatchSpec(details.run.spec);
  const result = details.run.result as { rateLimited?: number; waitedMs?: number } | null;
  const progress = details.batch?.progress;
  const batch = details.batch && {
    datasetName: spec?.source ?? details.run.task,
    items: details.batch.total,
    counts: details.batch.counts,
    columns: spec?.columns.length ?? 1,
    rateLimited: progress?.rateLimited ?? result?.rateLimited ?? 0,
    waitedMs: progress?.waitedMs ?? result?.waitedMs ?? 0,
  };
  return { run: details.run, live: details.live, steps: details.steps, costUsd: details.costUsd, ...(agentName === undefined ? {} : { agentName }), ...(batch ? { batch } : {}) };
}

/** Tells the person when a run this window carried ends (the Runs view shows the rest). */
class EndNotifier {
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly inputs: RunsInputs,
    private readonly openResults: (runId: string) => Promise<void>,
  ) {}

  check(service: RunService, runId: string | undefined): void {
    if (runId === undefined) {
      return;
    }
    // Only the status is read on every change; the rest once the run has ended.
    const run = service.run(runId);
    if (run === undefined) {
      this.seen.delete(runId);
      return;
    }
    const before = this.seen.get(runId);
    this.seen.set(runId, run.status);
    if (before === undefined || before === run.status || !ENDED.has(run.status)) {
      return;
    }
    const details = service.get(runId);
    if (details === undefined) {
      return;
    }
    const words = details.run.status === 'completed' ? 'completed' : details.run.status === 'failed' ? 'failed' : 'was cancelled';
    const sessionId = details.sessionId;
    const batch = details.run.kind === 'batch';
    const what = batch ? `the batch "${runLabel(details.run.task)}"` : `the run "${runLabel(details.run.task)}"`;
    void vscode.window.showInformationMessage(`AI Studio: ${what} ${words}.`, batch ? 'Open Results' : 'Open').then((choice) => {
      if (choice === 'Open Results') {
        void this.openResults(runId);
      } else if (choice === 'Open' && sessionId !== null) {
        void this.inputs.openSession(sessionId);
      }
    });
  }
}

const javascriptPort = createJavascriptPort();

/**
 * A batch's checks: JavaScript only when the person allowed it for this batch and the workspace is still trusted
 * (a batch resumed after trust was taken back grades without it). No judge model yet: llm-rubric says so.
 */
function batchAssertionPorts(batch: { runId: string; spec: BatchSpec }): AssertionPorts {
  return batch.spec.javascript && vscode.workspace.isTrusted ? { runJavascript: javascriptPort } : {};
}
