import type { SqlWriter } from '../sql';
import type { Migration } from './migrations';

/**
 * Schema version 5: a run is a task (one item, the agent working on its own) or a batch (a dataset's items under
 * a matrix of agents, versions and models). A batch's `spec` keeps what its items share (the dataset's name, its
 * prompt template, the columns, the concurrency), so its results table can be rebuilt from the store alone.
 * Existing runs are tasks. `result` is what a batch ended with as a whole (how often it was rate limited and how
 * long it waited); an item's own result stays in its row.
 */
export const v5BatchRuns: Migration = {
  version: 5,
  name: 'batch runs',
  up(sql: SqlWriter): void {
    sql.run(`ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'task' CHECK (kind IN ('task', 'batch'))`);
    sql.run(`ALTER TABLE runs ADD COLUMN spec TEXT CHECK (spec IS NULL OR (json_valid(spec) AND json_type(spec) = 'object'))`);
    sql.run(`ALTER TABLE runs ADD COLUMN result TEXT CHECK (result IS NULL OR (json_valid(result) AND json_type(result) = 'object'))`);
  },
};
