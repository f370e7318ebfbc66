import * as vscode from 'vscode';
import type { Agent } from '../db/repositories/agents';
import type { Run } from '../db/repositories/runs';
import { usesJavascript } from '../core/batch/batchPlan';
import { parseDataset, type Dataset, type DatasetError } from '../core/batch/dataset';
import type { BatchColumnInput, StartBatchInput } from '../core/runs/runService';
import type { RunsView } from '../views/runsView';
import type { AskPrompt } from './agentCommands';
import type { RunBudget } from './runCommands';
import { CommandIds } from './ids';

/**
 * Start Batch Run: a dataset file (the argument, the active editor's file when it is one, else an open dialog),
 * parsed whole first (a malformed one is refused with the line and field at fault and an Open File that goes
 * there), the agents to compare (each one a column, its current version pinned), then the batch starts and its
 * results open. Every step also takes its value as an argument, `{ file, columns, concurrency, allowJavascript }`,
 * for automation.
 */

export interface BatchRunsPort {
  startBatch(input: StartBatchInput): Promise<Run>;
}

export interface BatchCommandServices {
  runs: Promise<BatchRunsPort>;
  agents(): Promise<Agent[]>;
  defaultConcurrency(): number;
  defaultBudget(): RunBudget;
  openResults(runId: string): Promise<void>;
  view: RunsView;
  ask: AskPrompt;
  /** Whether the workspace is trusted (vscode.workspace.isTrusted). */
  isTrusted(): boolean;
}

export interface BatchCommandHandlers {
  startBatchRun(arg?: unknown): Promise<Run | undefined>;
}

export const DATASET_EXTENSIONS = ['jsonl', 'ndjson', 'csv', 'json', 'yaml', 'yml'];
const OPEN_FILE = 'Open File';
export const RUN_JAVASCRIPT = 'Run JavaScript';
export const WITHOUT_JAVASCRIPT = 'Run Without JavaScript';
const TITLE = 'AI Studio: Start Batch Run';

export function batchCommands(services: BatchCommandServices): BatchCommandHandlers {
  return {
    async startBatchRun(arg) {
      const given = batchArgs(arg);
      const uri = given.file ?? (await chooseDataset());
      if (uri === undefined) {
        return undefined;
      }
      const dataset = await readDataset(uri);
      if (dataset === undefined) {
        return undefined;
      }
      const javascript = usesJavascript(dataset) ? (given.allowJavascript ?? (await askJavascript(services))) : false;
      if (javascript === undefined) {
        return undefined;
      }
      const columns = given.columns ?? (await chooseColumns(await services.agents(), dataset.items.length));
      if (columns === undefined) {
        return undefined;
      }
      const source = uri.path.split('/').pop() ?? uri.path;
      const run = await (await services.runs).startBatch({
        source,
        dataset,
        columns,
        concurrency: given.concurrency ?? services.defaultConcurrency(),
        budget: services.defaultBudget(),
        allowJavascript: javascript && services.isTrusted(),
      });
      services.view.refresh();
      await services.openResults(run.id);
      return run;
    },
  };
}

/** The active editor's file when it is a dataset, else the one the person picks. */
async function chooseDataset(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && DATASET_EXTENSIONS.includes(active.path.split('.').pop()?.toLowerCase() ?? '')) {
    return active;
  }
  const picked = await vscode.window.showOpenDialog({
    title: `${TITLE}: choose a dataset`,
    openLabel: 'Run This Dataset',
    canSelectMany: false,
    filters: { 'Datasets (JSONL, CSV, promptfoo YAML)': DATASET_EXTENSIONS },
  });
  return picked?.[0];
}

/** The file parsed whole; a malformed one is refused with where and what, and nothing starts. */
async function readDataset(uri: vscode.Uri): Promise<Dataset | undefined> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await vscode.workspace.fs.readFile(uri));
  } catch (err) {
    throw new Error(`Could not read ${uri.fsPath || uri.path} as UTF-8 text: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const parsed = parseDataset(uri.path, text);
  if (parsed.ok) {
    return parsed.dataset;
  }
  void showDatasetErrors(uri, parsed.errors);
  return undefined;
}

async function showDatasetErrors(uri: vscode.Uri, errors: readonly DatasetError[]): Promise<void> {
  const name = uri.path.split('/').pop() ?? uri.path;
  const first = errors[0];
  const others = errors.slice(1, 3).map((error) => error.message);
  const rest = errors.length - 1 - others.length;
  const more = others.length > 0 ? `; also ${others.join('; ')}${rest > 0 ? ` (and ${rest} more)` : ''}` : '';
  const choice = await vscode.window.showErrorMessage(`AI Studio: the dataset ${name} cannot be run: ${first?.message ?? 'it is malformed'}${more}`, OPEN_FILE);
  if (choice === OPEN_FILE) {
    const line = Math.max(0, (first?.line ?? 1) - 1);
    const position = new vscode.Position(line, 0);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position) });
  }
}

/**
 * A dataset's `javascript` assertions run code from the file on this machine (in a worker, with a time limit,
 * but not sandboxed): only in a trusted workspace, and only when the person says so for this batch.
 */
async function askJavascript(services: BatchCommandServices): Promise<boolean | undefined> {
  if (!services.isTrusted()) {
    const choice = await services.ask({
      message: 'This dataset checks answers with JavaScript, which runs only in a trusted workspace.',
      detail: 'Run the batch without it (those assertions fail, saying why), or trust the workspace first (Workspaces: Manage Workspace Trust) and start again.',
      actions: [WITHOUT_JAVASCRIPT],
    });
    return choice === WITHOUT_JAVASCRIPT ? false : undefined;
  }
  const choice = await services.ask({
    message: 'This dataset checks answers with JavaScript. Run that code on this machine?',
    detail: 'It runs in a worker with a time limit, but it is not sandboxed: it can read your files and use the network like any script. Run it only if you trust where the dataset came from.',
    actions: [RUN_JAVASCRIPT, WITHOUT_JAVASCRIPT],
  });
  return choice === RUN_JAVASCRIPT ? true : choice === WITHOUT_JAVASCRIPT ? false : undefined;
}

/** The agents to compare, one column each (their current versions). */
async function chooseColumns(agents: readonly Agent[], items: number): Promise<BatchColumnInput[] | undefined> {
  if (agents.length === 0) {
    const choice = await vscode.window.showInformationMessage('A batch runs agents over a dataset, and there is no agent yet. Create one first.', 'Create Agent');
    if (choice === 'Create Agent') {
      await vscode.commands.executeCommand(CommandIds.createAgent);
    }
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    agents.map((agent) => ({ label: agent.name, description: `${agent.currentVersion.provider} · ${agent.currentVersion.model}`, detail: `version ${agent.currentVersion.version}`, agent })),
    {
      title: TITLE,
      placeHolder: `Which agents should answer the ${items.toLocaleString('en-US')} ${items === 1 ? 'item' : 'items'}? Each one is a column of the results.`,
      canPickMany: true,
      matchOnDescription: true,
      ignoreFocusOut: true,
    },
  );
  if (picked === undefined || picked.length === 0) {
    return undefined;
  }
  return picked.map(({ agent }) => ({ agentId: agent.id, versionId: agent.currentVersion.id }));
}

/** `{ file, columns, concurrency }`, each optional; a file as a Uri, a path or a URI string. */
function batchArgs(arg: unknown): { file?: vscode.Uri; columns?: BatchColumnInput[]; concurrency?: number; allowJavascript?: boolean } {
  if (arg instanceof vscode.Uri) {
    return { file: arg };
  }
  if (typeof arg !== 'object' || arg === null) {
    return {};
  }
  const value = arg as { file?: unknown; columns?: unknown; concurrency?: unknown; allowJavascript?: unknown };
  const file = value.file instanceof vscode.Uri ? value.file : typeof value.file === 'string' ? toUri(value.file) : undefined;
  const columns = Array.isArray(value.columns) ? value.columns.filter(isColumn) : undefined;
  return {
    ...(file ? { file } : {}),
    ...(columns && columns.length > 0 ? { columns } : {}),
    ...(typeof value.concurrency === 'number' ? { concurrency: value.concurrency } : {}),
    ...(typeof value.allowJavascript === 'boolean' ? { allowJavascript: value.allowJavascript } : {}),
  };
}

function toUri(text: string): vscode.Uri {
  return /^[a-z][\w+.-]+:/i.test(text) && !/^[a-z]:[\\/]/i.test(text) ? vscode.Uri.parse(text, true) : vscode.Uri.file(text);
}

function isColumn(value: unknown): value is BatchColumnInput {
  const column = value as Partial<BatchColumnInput> | null;
  return typeof column === 'object' && column !== null && typeof column.agentId === 'string' && (column.versionId === undefined || typeof column.versionId === 'string') && (column.model === undefined || typeof column.model === 'string');
}
