import * as vscode from 'vscode';
import type { Agent } from '../db/repositories/agents';
import type { Run } from '../db/repositories/runs';
import { runLabel } from '../views/runsModel';
import type { RunsView } from '../views/runsView';
import type { AskPrompt } from './agentCommands';
import { chooseAgent } from './agentChoice';

/**
 * The run commands: Start Run (an agent, a task from the selection or typed, the default budget from settings),
 * and Open, Cancel, Resume, Re-run, Inspect and Delete on a Runs view row. Every command also takes its target
 * as an argument (`{ agentId, task, budget }` to start; a run id or a row otherwise) for automation and tests.
 */

export interface RunBudget {
  steps?: number;
  tokens?: number;
  costUsd?: number;
  minutes?: number;
}

/** What the commands need of the runner (src/core/runs/runService.ts). */
export interface RunsPort {
  start(input: { agentId: string; task: string; budget?: RunBudget }): Promise<Run>;
  cancel(runId: string): Promise<void>;
  resume(runId: string): Promise<void>;
  delete(runId: string): Promise<void>;
  get(runId: string): Run | undefined;
  /** The session the run's transcript is in. */
  sessionOf(runId: string): string | undefined;
  /** A new batch of the given items of a batch (all of them for Re-run). */
  rerunItems(runId: string, runItemIds: readonly string[]): Promise<Run>;
  itemIds(runId: string): string[];
}

export interface RunCommandServices {
  runs: Promise<RunsPort>;
  /** Agents a run can use (not archived). */
  agents(): Promise<Agent[]>;
  defaultBudget(): RunBudget;
  openSession(sessionId: string): Promise<void>;
  inspectSession(sessionId: string): Promise<void>;
  /** A batch's results panel (a batch has no one transcript: each item has its own). */
  openResults(runId: string): Promise<void>;
  view: RunsView;
  ask: AskPrompt;
}

export type RunCommandHandlers = {
  startRun(arg?: unknown): Promise<Run | undefined>;
  openRun(arg?: unknown): Promise<void>;
  cancelRun(arg?: unknown): Promise<void>;
  resumeRun(arg?: unknown): Promise<void>;
  rerun(arg?: unknown): Promise<Run | undefined>;
  inspectRun(arg?: unknown): Promise<void>;
  deleteRun(arg?: unknown): Promise<boolean>;
  showMoreRuns(): void;
};

export const DELETE_RUN = 'Delete';

export function runCommands(services: RunCommandServices): RunCommandHandlers {
  const requireRun = async (arg: unknown): Promise<{ runs: RunsPort; run: Run }> => {
    const runs = await services.runs;
    const id = runIdOf(arg);
    const run = id === undefined ? undefined : runs.get(id);
    if (run === undefined) {
      throw new Error(id === undefined ? 'Choose a run in the Runs view first.' : 'That run no longer exists; it may have been deleted in another window.');
    }
    return { runs, run };
  };
  const sessionOf = (runs: RunsPort, run: Run): string => {
    const sessionId = runs.sessionOf(run.id);
    if (sessionId === undefined) {
      throw new Error('This run has no transcript: its session was deleted.');
    }
    return sessionId;
  };
  const start = async (agentId: string, task: string, budget: RunBudget): Promise<Run> => {
    const run = await (await services.runs).start({ agentId, task, budget });
    services.view.refresh();
    const sessionId = (await services.runs).sessionOf(run.id);
    if (sessionId !== undefined) {
      await services.openSession(sessionId);
    }
    return run;
  };

  return {
    async startRun(arg) {
      const given = startArgs(arg);
      const agentId = given.agentId ?? (await pickAgent(services))?.id;
      if (agentId === undefined) {
        return undefined;
      }
      const task = given.task ?? (await askTask());
      if (task === undefined) {
        return undefined;
      }
      return start(agentId, task, { ...services.defaultBudget(), ...given.budget });
    },
    async openRun(arg) {
      const { runs, run } = await requireRun(arg);
      await (run.kind === 'batch' ? services.openResults(run.id) : services.openSession(sessionOf(runs, run)));
    },
    async cancelRun(arg) {
      const { runs, run } = await requireRun(arg);
      await runs.cancel(run.id);
      services.view.refresh();
    },
    async resumeRun(arg) {
      const { runs, run } = await requireRun(arg);
      await runs.resume(run.id);
      services.view.refresh();
      await (run.kind === 'batch' ? services.openResults(run.id) : services.openSession(sessionOf(runs, run)));
    },
    async rerun(arg) {
      const { runs, run } = await requireRun(arg);
      if (run.kind === 'batch') {
        const again = await runs.rerunItems(run.id, runs.itemIds(run.id));
        services.view.refresh();
        await services.openResults(again.id);
        return again;
      }
      if (run.agentId === null) {
        throw new Error('The agent of this run was deleted: start a new run with another agent.');
      }
      return start(run.agentId, run.task, run.budget ?? {});
    },
    async inspectRun(arg) {
      const { runs, run } = await requireRun(arg);
      if (run.kind === 'batch') {
        // Each item has its own transcript: the results panel opens any cell's Inspector.
        await services.openResults(run.id);
        return;
      }
      await services.inspectSession(sessionOf(runs, run));
    },
    async deleteRun(arg) {
      const { runs, run } = await requireRun(arg);
      const choice = await services.ask({
        message: `Delete the run "${runLabel(run.task)}"?`,
        detail: `Its transcript and events are deleted with it. This cannot be undone.${run.status === 'running' || run.status === 'waiting' ? ' It is cancelled first.' : ''}`,
        actions: [DELETE_RUN],
      });
      if (choice !== DELETE_RUN) {
        return false;
      }
      await runs.delete(run.id);
      services.view.refresh();
      return true;
    },
    showMoreRuns() {
      services.view.showMore();
    },
  };
}

/** A run id from a string, a Runs view row (`{ kind: 'run', id }`) or `{ runId }`. */
export function runIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') {
    return arg;
  }
  if (typeof arg === 'object' && arg !== null) {
    const value = arg as { runId?: unknown; id?: unknown; kind?: unknown };
    if (typeof value.runId === 'string') {
      return value.runId;
    }
    if (value.kind === 'run' && typeof value.id === 'string') {
      return value.id;
    }
  }
  return undefined;
}

/** `{ agentId?, task?, budget? }`, or an Agents view row (`{ kind: 'agent', id }`) to start a run with that agent. */
function startArgs(arg: unknown): { agentId?: string; task?: string; budget?: RunBudget } {
  if (typeof arg !== 'object' || arg === null) {
    return {};
  }
  const value = arg as { agentId?: unknown; task?: unknown; budget?: unknown; kind?: unknown; id?: unknown };
  const agentId = typeof value.agentId === 'string' ? value.agentId : value.kind === 'agent' && typeof value.id === 'string' ? value.id : undefined;
  return {
    ...(agentId === undefined ? {} : { agentId }),
    ...(typeof value.task === 'string' ? { task: value.task } : {}),
    ...(typeof value.budget === 'object' && value.budget !== null ? { budget: value.budget } : {}),
  };
}

async function pickAgent(services: RunCommandServices): Promise<Agent | undefined> {
  return chooseAgent(await services.agents(), {
    title: 'AI Studio: Start Run',
    placeHolder: 'Which agent should carry out the task?',
    noneYet: 'A run is carried out by an agent, and there is none yet. Create one first.',
  });
}

/** The task: the editor's selection when there is one (offered, not assumed), else typed. */
async function askTask(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const selection = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection).trim() : '';
  const typed = await vscode.window.showInputBox({
    title: 'AI Studio: Start Run',
    prompt: selection === '' ? 'What should the agent do?' : 'What should the agent do? (The selection is filled in; edit it or press Enter.)',
    value: selection,
    placeHolder: 'e.g. Fix the failing test in src/calc.test.js',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? 'A run needs a task.' : undefined),
  });
  return typed?.trim() === '' ? undefined : typed?.trim();
}
