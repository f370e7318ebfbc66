import * as assert from 'node:assert/strict';
import { buildRunHeader, durationText, RESULT_PREVIEW_CHARS, spendFacts, type RunHeaderFacts } from '../../../../src/core/runs/runHeader';
import type { RunDetails } from '../../../../src/core/runs/runService';
import { noSpend } from '../../../../src/db/repositories/costs';
import type { Run, RunItem } from '../../../../src/db/repositories/runs';

const RUN_ID = '01HRUN0000000000000000000A';
const SESSION_ID = '01HSESSION0000000000000000';
const STARTED = Date.UTC(2025, 0, 1, 9, 0, 0);
const MINUTE = 60_000;

function details(overrides: { run?: Partial<Run>; item?: Partial<RunItem>; state?: RunDetails['state']; steps?: number; costUsd?: number | null; live?: boolean } = {}): RunDetails {
  const run: Run = {
    id: RUN_ID,
    agentId: '01HAGENT000000000000000000',
    agentVersionId: '01HVERSION0000000000000000',
    status: 'running',
    kind: 'task',
    task: 'Fix the failing test\nand tell me why it failed',
    budget: { steps: 30, tokens: 100_000, costUsd: 1, minutes: 15 },
    spec: null,
    result: null,
    error: null,
    createdAt: STARTED - 1000,
    updatedAt: STARTED,
    startedAt: STARTED,
    endedAt: null,
    ...overrides.run,
  };
  const item: RunItem = {
    id: '01HITEM0000000000000000000',
    runId: RUN_ID,
    position: 0,
    input: run.task,
    status: 'running',
    output: null,
    sessionId: SESSION_ID,
    error: null,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    ...overrides.item,
  };
  return {
    run,
    item,
    sessionId: SESSION_ID,
    live: overrides.live ?? true,
    state: overrides.state ?? run.status,
    steps: overrides.steps ?? 12,
    costUsd: overrides.costUsd === undefined ? 0.12 : overrides.costUsd,
  };
}

function facts(overrides: Partial<RunHeaderFacts> = {}): RunHeaderFacts {
  return { tokens: 45_200, knownCostUsd: 0.12, unknownCostCalls: 0, files: [], firstMessageId: null, ...overrides };
}

const FILE_A = { path: '/work/app/src/add.js', shown: 'src/add.js', change: 'modified' as const, messageId: '01HTOOL0000000000000000001', callId: 'call_edit' };
const FILE_B = { path: '/work/app/README.md', shown: 'README.md', change: 'created' as const, messageId: '01HTOOL0000000000000000002', callId: 'call_write' };

describe('run header model', () => {
  it('shows a running run with one meter per budget limit, in words and figures', () => {
    const header = buildRunHeader(details(), facts(), STARTED + 3.5 * MINUTE);
    assert.equal(header.runId, RUN_ID);
    assert.equal(header.state, 'running');
    assert.equal(header.stateLabel, 'Running');
    assert.deepEqual(
      header.meters.map((m) => [m.kind, m.text, m.label, m.warning]),
      [
        ['steps', '12 / 30 steps', '12 of 30 steps', false],
        ['tokens', '45,200 / 100,000 tokens', '45,200 of 100,000 tokens', false],
        ['costUsd', '$0.12 / $1.00', '$0.12 of $1.00', false],
        ['minutes', '3.5 / 15 min', '3.5 of 15 minutes', false],
      ],
    );
    assert.equal(header.canCancel, true);
    assert.equal(header.canResume, false);
    assert.equal(header.ended, undefined, 'no result while it runs');
  });

  it('shows only the limits the run was given', () => {
    const header = buildRunHeader(details({ run: { budget: { steps: 10 } } }), facts(), STARTED);
    assert.deepEqual(header.meters.map((m) => m.kind), ['steps']);
    assert.deepEqual(buildRunHeader(details({ run: { budget: null } }), facts(), STARTED).meters, []);
    // A stored figure that is not usable is the agent's limit, not a meter.
    assert.deepEqual(buildRunHeader(details({ run: { budget: { steps: -1, tokens: 'many' } } }), facts(), STARTED).meters, []);
  });

  it('warns from 80 % of a limit on, and says when a limit is reached', () => {
    const header = buildRunHeader(details({ steps: 24, run: { budget: { steps: 30, minutes: 10 } } }), facts(), STARTED + 10 * MINUTE);
    const [steps, minutes] = header.meters;
    assert.equal(steps?.warning, true);
    assert.equal(steps?.label, '24 of 30 steps: close to the limit');
    assert.equal(minutes?.warning, true);
    assert.equal(minutes?.label, '10 of 10 minutes: limit reached');
    const below = buildRunHeader(details({ steps: 23, run: { budget: { steps: 30 } } }), facts(), STARTED);
    assert.equal(below.meters[0]?.warning, false);
  });

  it('says which calls the cost meter cannot count', () => {
    const header = buildRunHeader(details({ costUsd: null, run: { budget: { costUsd: 0.5 } } }), facts({ knownCostUsd: 0.1, unknownCostCalls: 2 }), STARTED);
    assert.equal(header.meters[0]?.label, '$0.10 of $0.50 (2 calls of unknown cost not counted)');
    assert.equal(header.meters[0]?.used, 0.1);
  });

  it('counts minutes from the start to the end, and not before the run started', () => {
    const queued = buildRunHeader(details({ state: 'queued', run: { status: 'queued', startedAt: null } }), facts(), STARTED + 5 * MINUTE);
    assert.equal(queued.meters.find((m) => m.kind === 'minutes')?.used, 0);
    assert.equal(queued.stateLabel, 'Queued: starts when a run slot is free');
    assert.equal(queued.canCancel, true);
    const ended = buildRunHeader(details({ state: 'completed', run: { status: 'completed', endedAt: STARTED + 2 * MINUTE } }), facts(), STARTED + 60 * MINUTE);
    assert.equal(ended.meters.find((m) => m.kind === 'minutes')?.text, '2 / 15 min');
  });

  it('offers Resume, not Cancel, for an interrupted run, and neither once it ended', () => {
    const interrupted = buildRunHeader(details({ state: 'interrupted', live: false }), facts(), STARTED);
    assert.deepEqual([interrupted.canCancel, interrupted.canResume], [false, true]);
    assert.match(interrupted.stateLabel, /^Interrupted: .*Resume/);
    const waiting = buildRunHeader(details({ state: 'waiting', run: { status: 'waiting' } }), facts(), STARTED);
    assert.deepEqual([waiting.canCancel, waiting.canResume], [true, false]);
    assert.equal(waiting.stateLabel, 'Waiting for you: the agent needs an answer or an approval');
    for (const state of ['completed', 'failed', 'cancelled'] as const) {
      const ended = buildRunHeader(details({ state, run: { status: state, endedAt: STARTED + MINUTE } }), facts(), STARTED);
      assert.deepEqual([ended.canCancel, ended.canResume], [false, false], state);
    }
  });

  it('ends a completed run with its answer, totals, files and the message Undo All starts from', () => {
    const run = details({
      state: 'completed',
      run: { status: 'completed', endedAt: STARTED + 200_000 },
      item: { status: 'completed', output: { text: '\n  The test failed because add() added one.  \n', steps: 12 } },
    });
    const header = buildRunHeader(run, facts({ files: [FILE_A, FILE_B], firstMessageId: '01HUSER0000000000000000001' }), STARTED + 999 * MINUTE);
    assert.equal(header.stateLabel, 'Completed');
    assert.deepEqual(header.ended?.result, { text: 'The test failed because add() added one.', truncated: false });
    assert.equal(header.ended?.error, undefined);
    assert.equal(header.ended?.totals.label, '12 steps · 45,200 tokens · $0.12 · 3 min 20 s');
    assert.equal(header.ended?.totals.durationMs, 200_000);
    assert.deepEqual(header.ended?.files.map((file) => file.shown), ['README.md', 'src/add.js'], 'sorted by the path people read');
    assert.deepEqual(header.ended?.files[1], FILE_A, 'each file keeps what chat/openDiff needs');
    assert.equal(header.firstMessageId, '01HUSER0000000000000000001');
  });

  it('cuts a long answer to a preview, by code point', () => {
    const long = `${'é'.repeat(RESULT_PREVIEW_CHARS - 1)}😀😀 and more`;
    const run = details({ state: 'completed', run: { status: 'completed', endedAt: STARTED + 1000 }, item: { output: { text: long } } });
    const result = buildRunHeader(run, facts(), STARTED).ended?.result;
    assert.equal(result?.truncated, true);
    assert.equal([...(result?.text ?? '')].length, RESULT_PREVIEW_CHARS + 1, 'the preview and an ellipsis');
    assert.ok(result?.text.endsWith('😀…'), 'the emoji is whole');
  });

  it('ends a failed run with the error in words, from the item first, then the run', () => {
    const failed = (item: RunItem['error'], run: Run['error']) =>
      buildRunHeader(details({ state: 'failed', run: { status: 'failed', endedAt: STARTED + 1000, error: run }, item: { error: item } }), facts(), STARTED).ended;
    assert.equal(failed({ kind: 'auth', message: 'The API key was refused.' }, { message: 'run error' })?.error, 'The API key was refused.');
    assert.equal(failed(null, 'The run ended before the agent answered.')?.error, 'The run ended before the agent answered.');
    assert.match(failed(null, { code: 7 })?.error ?? '', /^The run failed/);
    assert.equal(failed(null, null)?.result, undefined);
  });

  it('ends a cancelled run with totals but no result; a run that never started has no duration', () => {
    const ended = buildRunHeader(details({ state: 'cancelled', steps: 0, run: { status: 'cancelled', startedAt: null, endedAt: STARTED } }), facts({ tokens: 0, knownCostUsd: 0 }), STARTED).ended;
    assert.equal(ended?.result, undefined);
    assert.equal(ended?.error, undefined);
    assert.equal(ended?.totals.durationMs, null);
    assert.equal(ended?.totals.label, '0 steps · 0 tokens · $0.00');
  });

  it('says in the totals when some calls had no price', () => {
    const run = details({ state: 'completed', steps: 1, costUsd: null, run: { status: 'completed', endedAt: STARTED + 45_000 } });
    const totals = buildRunHeader(run, facts({ tokens: 10, knownCostUsd: 0, unknownCostCalls: 1 }), STARTED).ended?.totals;
    assert.equal(totals?.label, '1 step · 10 tokens · $0.00 + 1 of unknown cost · 45 s');
    assert.equal(totals?.costUnknown, true);
  });

  it('caps a huge task', () => {
    const header = buildRunHeader(details({ run: { task: 'x'.repeat(50_000) } }), facts(), STARTED);
    assert.ok(header.task.length <= 4_001);
  });

  it('counts the tokens the budget counts: cached input included', () => {
    const spend = spendFacts({ ...noSpend(), tokensIn: 100, tokensCacheRead: 900, tokensCacheWrite: 50, tokensOut: 25, tokensReasoning: 10, costMicroUsd: 1_500, unknownCostCalls: 1 });
    assert.deepEqual(spend, { tokens: 1_075, knownCostUsd: 0.0015, unknownCostCalls: 1 });
  });

  it('says durations the way people read them', () => {
    assert.deepEqual([durationText(400), durationText(45_000), durationText(120_000), durationText(200_000), durationText(3_600_000), durationText(7_500_000)], [
      '0 s',
      '45 s',
      '2 min',
      '3 min 20 s',
      '1 h',
      '2 h 5 min',
    ]);
  });
});
