import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { systemClock } from '../src/core/ports';
import { migrate, readUserVersion, latestSchemaVersion } from '../src/db/schema/migrations';
import { registerSearchFunctions } from '../src/db/search';
import { checksumName, snapshotName } from '../src/db/storeFiles';
import { workerSnapshotBuilder } from '../src/db/snapshotWorker';
import { SqlJsExecutor, type SqlReader } from '../src/db/sql';
import { loadSqlJs } from '../src/db/sqlJs';
import { Store } from '../src/db/store';
import { indexPendingText } from '../src/db/textIndex';
import { searchStore, TextIndexer } from '../src/db/textIndexer';
import { configureConnection, snapshotChecksum } from '../src/db/replay';
import { type NativeExecutor, openNativeStore } from './nativeStore';
import { createSession, prng, sentence, vocabulary, writeExchange } from './storageWorkload';

/**
 * npm run bench:storage: the durable store against two peers, measured in the same run on the same synthetic
 * history of ~10, 50 and 200 MB:
 *   - naive: sql.js export() + atomic rewrite of the whole file per commit (what we must beat by far);
 *   - native: SQLite itself through better-sqlite3 (bench/nativeStore.ts), WAL with synchronous=FULL, in a file
 *     next to ours holding the same schema (migrate()) and the same history, committing the same exchanges with
 *     the same text as our measured commits, each its own transaction (what we can at best approach).
 * Each size runs in its own process so peak RSS is per size. Prints the load average, a table and, last, one
 * summary line (`bench storage: ...`).
 *   BENCH_SIZES=10,50 npm run bench:storage     other sizes (MB)
 *   BENCH_RUNS=3 npm run bench:storage          the whole set of sizes 3 times, each run's table and summary
 *                                               (`run 1: ...`), then the summary line of the per-figure medians
 */

const repoRoot = path.resolve(__dirname, '../..');
const wasmPath = path.join(repoRoot, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
const workerPath = path.join(repoRoot, 'out', 'src', 'db', 'checkpointWorker.js');
const MARK = 'BENCH_RESULT ';

interface Result {
  sizeMb: number;
  exchanges: number;
  buildMs: number;
  openMs: number;
  commitP50: number;
  commitP99: number;
  commitStallMs: number;
  checkpointMs: number;
  checkpointStallMs: number;
  searchMs: number;
  /** Indexing the text the COMMITS exchanges queued and the idle indexer had not reached yet. */
  indexMs: number;
  naiveP50: number;
  naiveP99: number;
  /**
   * Native SQLite (WAL, synchronous=FULL) committing the same COMMITS exchanges on the same history; to 0.01 ms,
   * since a native commit can take well under a millisecond where fsync is fast.
   */
  nativeP50: number;
  nativeP99: number;
  /** commit p50 / native p50, from the unrounded percentiles. */
  commitP50VsNative: number;
  /** The native file after building the history, for a check that it holds as much as ours. */
  nativeSizeMb: number;
  nativeBuildMs: number;
  peakRssMb: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const round = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;
/** Commits measured per size: enough that p99 is not just the third-worst of a few hundred. */
const COMMITS = 1000;

/** The workload's text, from a fixed seed: every history built from it holds the same words in the same rows. */
function workloadText(): { words: string[]; text: () => string } {
  const random = prng(42);
  const words = vocabulary(random);
  return { words, text: () => sentence(random, words, 300 + Math.floor(random() * 1700)) };
}

/** Pages in use (the file after VACUUM), in MB. */
const sizeOf = (sql: SqlReader) =>
  (sql.get<{ n: number }>('SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()')!.n) / 2 ** 20;

/**
 * Step 1 of measure() again, natively: the same migrations, then `exchanges` exchanges in the same sessions and
 * batches with the same text, the queued text indexed, VACUUM, and the WAL emptied, as a checkpoint leaves it.
 */
function buildNativeHistory(file: string, exchanges: number): NativeExecutor {
  const native = openNativeStore(file);
  try {
    const { text } = workloadText();
    native.transaction((writer) => migrate(writer));
    for (let built = 0; built < exchanges; ) {
      native.transaction((writer) => {
        for (let s = 0; s < 20; s++) {
          const session = createSession(writer, systemClock, `Session ${built}`);
          let parent: string | null = null;
          for (let m = 0; m < 10; m++, built++) {
            parent = writeExchange(writer, systemClock, session, parent, text).id;
          }
        }
      });
    }
    native.transaction((writer) => indexPendingText(writer));
    native.db.exec('VACUUM');
    native.db.pragma('wal_checkpoint(TRUNCATE)');
    return native;
  } catch (err) {
    native.close();
    throw err;
  }
}

async function measure(targetMb: number): Promise<Result> {
  const SQL = await loadSqlJs(wasmPath);
  const { words, text } = workloadText();

  // 1. Build the history directly in memory (one long transaction per batch), then save it as snapshot 1.
  let started = performance.now();
  const db = new SQL.Database();
  configureConnection(db);
  registerSearchFunctions(db);
  const sql = new SqlJsExecutor(db);
  migrate(sql);
  let exchanges = 0;
  const sizeMb = () => (sql.get<{ page_count: number }>('pragma page_count')!.page_count * 4096) / 2 ** 20;
  while (sizeMb() < targetMb) {
    db.run('BEGIN');
    for (let s = 0; s < 20; s++) {
      const session = createSession(sql, systemClock, `Session ${exchanges}`);
      let parent: string | null = null;
      for (let m = 0; m < 10; m++, exchanges++) {
        parent = writeExchange(sql, systemClock, session, parent, text).id;
      }
    }
    db.run('COMMIT');
  }
  // As a checkpoint leaves it: the queued text indexed, the file compacted.
  db.run('BEGIN');
  indexPendingText(sql);
  db.run('COMMIT');
  db.run('VACUUM');
  const bytes = db.export();
  db.close();
  const buildMs = performance.now() - started;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ais-bench-'));
  // As a checkpoint would have written it: with its checksum, so opening skips the full scan.
  writeFileSync(path.join(dir, checksumName(1)), snapshotChecksum(bytes));
  writeFileSync(path.join(dir, snapshotName(1)), bytes);

  try {
    // 2. Open: newest snapshot + journal replay.
    started = performance.now();
    const store = await Store.open({
      dir,
      SQL,
      buildSnapshot: workerSnapshotBuilder(workerPath, wasmPath),
      prepare: registerSearchFunctions,
      migrate: { needed: (reader) => readUserVersion(reader) < latestSchemaVersion, run: (writer) => migrate(writer) },
      checkpointBytes: Number.MAX_SAFE_INTEGER,
    });
    const openMs = performance.now() - started;
    // As the product runs it: queued text indexed when the host is idle (here: at most every 5 s).
    const indexer = new TextIndexer(store, { onError: (err) => console.error(err) });
    const session = await store.write((writer) => createSession(writer, systemClock, 'bench'));
    let parent: string | null = null;
    // Kept, so the native peer commits exactly this text.
    const commitTexts: string[] = [];
    const recordedText = () => {
      const drawn = text();
      commitTexts.push(drawn);
      return drawn;
    };
    const commit = async () => {
      const begun = performance.now();
      parent = (await store.write((writer) => writeExchange(writer, systemClock, session, parent, recordedText))).id;
      return performance.now() - begun;
    };

    // 3. Commits: one "message + 3 events" exchange each, durable when the call returns.
    const stall = monitorEventLoopDelay({ resolution: 1 });
    stall.enable();
    const latencies: number[] = [];
    for (let i = 0; i < COMMITS; i++) {
      latencies.push(await commit());
    }
    stall.disable();
    const commitStallMs = stall.max / 1e6;

    // 3b. Indexing what the commits queued (what the idle indexer has not yet done), in one go.
    started = performance.now();
    await indexer.flush();
    const indexMs = performance.now() - started;
    indexer.dispose();

    // 4. A checkpoint on its own: the stall is what the host thread feels while the worker builds the snapshot.
    // (Commits during a checkpoint are measured by the tests; here they would mix their own FTS work into it.)
    const checkpointStall = monitorEventLoopDelay({ resolution: 1 });
    checkpointStall.enable();
    started = performance.now();
    await store.checkpoint();
    const checkpointMs = performance.now() - started;
    checkpointStall.disable();

    // 5. Full-text search: a common word, a rare word, a prefix.
    const queries = [words[3]!, words[2500]!, `${words[40]!.slice(0, 3)}*`];
    const searchTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      for (const query of queries) {
        const begun = performance.now();
        await searchStore(store, query, { limit: 50 });
        searchTimes.push(performance.now() - begun);
      }
    }
    await store.close();

    // 6. The naive design on the same history: export the whole database and rewrite the file on every commit.
    const naiveDb = new SQL.Database(bytes);
    configureConnection(naiveDb);
    registerSearchFunctions(naiveDb);
    const naive = new SqlJsExecutor(naiveDb);
    const naiveSession = createSession(naive, systemClock, 'naive');
    let naiveParent: string | null = null;
    const naiveLatencies: number[] = [];
    const file = path.join(dir, 'naive.sqlite');
    for (let i = 0; i < (targetMb >= 200 ? 8 : 20); i++) {
      const begun = performance.now();
      naiveDb.run('BEGIN');
      naiveParent = writeExchange(naive, systemClock, naiveSession, naiveParent, text).id;
      naiveDb.run('COMMIT');
      const image = naiveDb.export();
      const fd = openSync(`${file}.tmp`, 'w');
      writeSync(fd, image);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(`${file}.tmp`, file);
      naiveLatencies.push(performance.now() - begun);
    }
    naiveDb.close();

    // 7. Native SQLite on the same history: the same COMMITS exchanges with the same text, each its own
    // transaction, durable (fsynced to the WAL) when it returns.
    started = performance.now();
    const native = buildNativeHistory(path.join(dir, 'native.sqlite'), exchanges);
    const nativeBuildMs = performance.now() - started;
    const nativeSizeMb = sizeOf(native);
    const nativeLatencies: number[] = [];
    try {
      let next = 0;
      const replayedText = () => commitTexts[next++]!;
      const nativeSession = native.transaction((writer) => createSession(writer, systemClock, 'native'));
      let nativeParent: string | null = null;
      for (let i = 0; i < COMMITS; i++) {
        const begun = performance.now();
        nativeParent = native.transaction((writer) => writeExchange(writer, systemClock, nativeSession, nativeParent, replayedText)).id;
        nativeLatencies.push(performance.now() - begun);
      }
      if (next !== commitTexts.length) {
        throw new Error(`the native peer committed ${next} texts, our store ${commitTexts.length}`);
      }
    } finally {
      native.close();
    }

    return {
      sizeMb: round(bytes.length / 2 ** 20),
      exchanges,
      buildMs: Math.round(buildMs),
      openMs: round(openMs),
      commitP50: round(percentile(latencies, 50)),
      commitP99: round(percentile(latencies, 99)),
      commitStallMs: round(commitStallMs),
      indexMs: round(indexMs),
      checkpointMs: Math.round(checkpointMs),
      checkpointStallMs: round(checkpointStall.max / 1e6),
      searchMs: round(percentile(searchTimes, 50)),
      naiveP50: round(percentile(naiveLatencies, 50)),
      naiveP99: round(percentile(naiveLatencies, 99)),
      nativeP50: round2(percentile(nativeLatencies, 50)),
      nativeP99: round2(percentile(nativeLatencies, 99)),
      commitP50VsNative: round(percentile(latencies, 50) / percentile(nativeLatencies, 50)),
      nativeSizeMb: round(nativeSizeMb),
      nativeBuildMs: Math.round(nativeBuildMs),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(results: Result[]): void {
  const columns: [string, (r: Result) => string | number][] = [
    ['size MB', (r) => r.sizeMb],
    ['exchanges', (r) => r.exchanges],
    ['open ms', (r) => r.openMs],
    ['commit p50', (r) => r.commitP50],
    ['commit p99', (r) => r.commitP99],
    ['naive p50', (r) => r.naiveP50],
    ['naive p99', (r) => r.naiveP99],
    ['p99 vs naive', (r) => `${round(r.naiveP99 / r.commitP99)}x`],
    ['native p50', (r) => r.nativeP50],
    ['native p99', (r) => r.nativeP99],
    ['p50 vs native', (r) => `${r.commitP50VsNative}x`],
    ['commit stall', (r) => r.commitStallMs],
    [`index ${COMMITS}`, (r) => r.indexMs],
    ['checkpoint ms', (r) => r.checkpointMs],
    ['ckpt stall', (r) => r.checkpointStallMs],
    ['search ms', (r) => r.searchMs],
    ['peak RSS MB', (r) => r.peakRssMb],
  ];
  const rows = [columns.map(([name]) => name), ...results.map((r) => columns.map(([, get]) => String(get(r))))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) {
    console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
  }
  console.log(
    '(times in ms; "stall" = longest event-loop delay of the host thread; naive = export() + atomic rewrite per commit; ' +
      'native = better-sqlite3, WAL, synchronous=FULL, the same commits)',
  );
  for (const r of results) {
    // Same seed and exchange count, so the same history: a file much smaller or larger would mean it is not.
    if (Math.abs(r.nativeSizeMb - r.sizeMb) > 0.1 * r.sizeMb) {
      console.log(`warning: at ${r.sizeMb} MB the native history file is ${r.nativeSizeMb} MB`);
    }
  }
}

/** The summary line's figures, in its order. */
function summary(results: Result[]): [string, number][] {
  const largest = results[results.length - 1]!;
  const smallest = results[0]!;
  return [
    ['commit_p99_ms_200mb', largest.commitP99],
    ['commit_p99_ratio_200_10', round(largest.commitP99 / smallest.commitP99)],
    ['checkpoint_stall_ms', Math.max(...results.map((r) => r.checkpointStallMs))],
    ['naive_commit_p99_ms_200mb', largest.naiveP99],
    ['open_ms_200mb', largest.openMs],
    ['search_ms', Math.max(...results.map((r) => r.searchMs))],
    ['native_commit_p50_ms_200mb', largest.nativeP50],
    ['commit_p50_vs_native', largest.commitP50VsNative],
  ];
}

const formatSummary = (figures: [string, number][]) => figures.map(([name, value]) => `${name}=${value}`).join(' ');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : round2((sorted[middle - 1]! + sorted[middle]!) / 2);
};

function measureSizes(sizes: number[]): Result[] {
  const results: Result[] = [];
  for (const size of sizes) {
    console.log(`measuring ${size} MB…`);
    const child = spawnSync(process.execPath, ['--max-old-space-size=8192', __filename, '--size', String(size)], { encoding: 'utf8' });
    const line = child.stdout.split('\n').find((l) => l.startsWith(MARK));
    if (!line) {
      throw new Error(`the ${size} MB run failed:\n${child.stdout}\n${child.stderr}`);
    }
    results.push(JSON.parse(line.slice(MARK.length)) as Result);
  }
  return results;
}

async function main(): Promise<void> {
  const sizeArg = process.argv.indexOf('--size');
  if (sizeArg !== -1) {
    console.log(MARK + JSON.stringify(await measure(Number(process.argv[sizeArg + 1]))));
    return;
  }
  const sizes = (process.env.BENCH_SIZES ?? '10,50,200').split(',').map(Number);
  const runs = Number(process.env.BENCH_RUNS ?? '1');
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`BENCH_RUNS must be a whole number of at least 1, not ${process.env.BENCH_RUNS}`);
  }
  const summaries: [string, number][][] = [];
  for (let run = 1; run <= runs; run++) {
    // Other work on the machine moves every figure: this says how much of it there was.
    const load = os.loadavg().map((value) => value.toFixed(2));
    console.log(`${runs > 1 ? `run ${run} of ${runs}: ` : ''}load average ${load.join(' ')} (1, 5, 15 min; ${os.cpus().length} CPUs)`);
    const results = measureSizes(sizes);
    report(results);
    summaries.push(summary(results));
    if (runs > 1) {
      console.log(`run ${run}: ${formatSummary(summaries[summaries.length - 1]!)}`);
    }
  }
  if (runs > 1) {
    console.log(`median of ${runs} runs:`);
  }
  const medians = summaries[0]!.map(([name], i): [string, number] => [name, median(summaries.map((figures) => figures[i]![1]))]);
  console.log(`bench storage: ${formatSummary(medians)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
