import type { RunItem } from '../../db/repositories/runs';
import type { RunDetails } from '../runs/runService';
import type { Disposable } from '../chat/chatTypes';
import { readBatchSpec } from './batchPlan';
import { batchResultsTable } from './batchResults';
import { exportCsv, exportJsonl, type ResultsTable } from './results';

/**
 * What a batch's results panel reads, from the runner alone: its title, its table (rebuilt from the run's items),
 * its progress, and the exports. No VS Code here: the panel and the commands use it.
 */

/** The runner as far as results go (RunService). */
export interface BatchRunsReader {
  get(runId: string): Pick<RunDetails, 'run' | 'state' | 'costUsd' | 'batch'> | undefined;
  items(runId: string): RunItem[];
  onDidChange(listener: (change: { runId: string | undefined }) => void): Disposable;
}

export interface BatchProgressView {
  state: string;
  total: number;
  done: number;
  running: number;
  rateLimited: number;
  waitedMs: number;
  costUsd: number | null;
}

export class BatchResultsSource {
  constructor(private readonly runs: BatchRunsReader) {}

  title(runId: string): string | undefined {
    const run = this.runs.get(runId)?.run;
    return run?.kind === 'batch' ? run.task : undefined;
  }

  /** Undefined for a run that is not a batch (or is gone, or whose spec is damaged). */
  table(runId: string): ResultsTable | undefined {
    const run = this.runs.get(runId)?.run;
    const spec = run?.kind === 'batch' ? readBatchSpec(run.spec) : undefined;
    return spec && batchResultsTable(spec, this.runs.items(runId));
  }

  progress(runId: string): BatchProgressView | undefined {
    const details = this.runs.get(runId);
    const batch = details?.batch;
    if (details === undefined || batch === undefined) {
      return undefined;
    }
    const counts = batch.counts;
    const running = counts.running ?? 0;
    const result = details.run.result as { rateLimited?: unknown; waitedMs?: unknown } | null;
    // Live figures while this window carries it; what it ended with once it did.
    const rateLimited = batch.progress?.rateLimited ?? (typeof result?.rateLimited === 'number' ? result.rateLimited : 0);
    const waitedMs = batch.progress?.waitedMs ?? (typeof result?.waitedMs === 'number' ? result.waitedMs : 0);
    return { state: details.state, total: batch.total, done: batch.total - running - (counts.queued ?? 0), running, rateLimited, waitedMs, costUsd: details.costUsd };
  }

  exportText(runId: string, format: 'jsonl' | 'csv'): string | undefined {
    const table = this.table(runId);
    return table && (format === 'csv' ? exportCsv(table) : exportJsonl(table));
  }

  onDidChange(listener: (runId: string | undefined) => void): Disposable {
    return this.runs.onDidChange((change) => listener(change.runId));
  }
}
