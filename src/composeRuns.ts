import * as vscode from 'vscode';
import type { AskPrompt } from './commands/agentCommands';
import { runCommands, type RunCommandHandlers, type RunsPort } from './commands/runCommands';
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
  /** What the Runs view shows now. */
  rows(): Promise<RunGroup[]>;
  /** Fires whenever the view re-reads its rows. */
  onDidChange: vscode.Event<void>;
}

export interface RunsFeature extends vscode.Disposable {
  commands: RunCommandHandlers;
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
  const notifier = new EndNotifier(inputs);
  ready.then((service) => disposables.add(service.onDidChange((change) => notifier.check(service, change.runId))), () => undefined);

  const port: Promise<RunsPort> = ready.then((service) => ({
    start: (input) => service.start(input),
    cancel: (runId) => service.cancel(runId),
    resume: (runId) => service.resume(runId),
    delete: (runId) => service.delete(runId),
    get: (runId) => service.get(runId)?.run,
    sessionOf: (runId) => service.get(runId)?.sessionId ?? undefined,
  }));
  port.catch(() => undefined);
  const commands = runCommands({
    runs: port,
    agents: () => inputs.source.agents(false),
    defaultBudget: () => readRunSettings().budget,
    openSession: (sessionId) => inputs.openSession(sessionId),
    inspectSession: (sessionId) => inputs.inspectSession(sessionId),
    view,
    ask: inputs.ask,
  });

  return {
    commands,
    testApi: { runs: ready, rows: () => view.groups(), onDidChange: view.onDidRefresh },
    shutdown: async () => {
      await (await ready.catch(() => undefined))?.shutdown();
    },
    dispose: () => disposables.dispose(),
  };
}

function rowInput(details: RunDetails, names: ReadonlyMap<string, string>): RunRowInput {
  const agentName = details.run.agentId === null ? undefined : names.get(details.run.agentId);
  return { run: details.run, live: details.live, steps: details.steps, costUsd: details.costUsd, ...(agentName === undefined ? {} : { agentName }) };
}

/** Tells the person when a run this window carried ends (the Runs view shows the rest). */
class EndNotifier {
  private readonly seen = new Map<string, string>();

  constructor(private readonly inputs: RunsInputs) {}

  check(service: RunService, runId: string | undefined): void {
    if (runId === undefined) {
      return;
    }
    const details = service.get(runId);
    if (details === undefined) {
      this.seen.delete(runId);
      return;
    }
    const before = this.seen.get(runId);
    this.seen.set(runId, details.run.status);
    if (before === undefined || before === details.run.status || !ENDED.has(details.run.status)) {
      return;
    }
    const words = details.run.status === 'completed' ? 'completed' : details.run.status === 'failed' ? 'failed' : 'was cancelled';
    const sessionId = details.sessionId;
    void vscode.window.showInformationMessage(`AI Studio: the run "${runLabel(details.run.task)}" ${words}.`, 'Open').then((choice) => {
      if (choice === 'Open' && sessionId !== null) {
        void this.inputs.openSession(sessionId);
      }
    });
  }
}
