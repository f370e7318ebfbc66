import * as assert from 'node:assert/strict';
import { noSpend, type DaySpend, type SpendTotals } from '../../../src/db/repositories/costs';
import {
  BudgetAlarm,
  budgetMessage,
  cell,
  costText,
  dayLabel,
  evaluateBudget,
  formatUsd,
  lastLocalDays,
  localDay,
  spendingReport,
  statusText,
  statusTooltip,
  type BudgetWarningRecord,
} from '../../../src/core/spending';

const HOUR = 3_600_000;
const spend = (partial: Partial<SpendTotals>): SpendTotals => ({ ...noSpend(), ...partial });

/** Runs `fn` with the process in another time zone (Node re-reads TZ when it is assigned). */
function inZone<T>(zone: string, fn: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = zone;
  try {
    return fn();
  } finally {
    if (before === undefined) {
      delete process.env.TZ;
    } else {
      process.env.TZ = before;
    }
  }
}

describe('spending', () => {
  describe('local days', () => {
    it('are midnight to midnight in the local zone, 23 and 25 hours long when the clocks change', () => {
      inZone('America/New_York', () => {
        assert.deepEqual(localDay(Date.UTC(2025, 2, 9, 12)), { start: Date.UTC(2025, 2, 9, 5), end: Date.UTC(2025, 2, 10, 4) });
        assert.deepEqual(localDay(Date.UTC(2025, 10, 2, 12)), { start: Date.UTC(2025, 10, 2, 4), end: Date.UTC(2025, 10, 3, 5) });
        // 00:30 UTC on the 10th is still the 9th in New York.
        assert.equal(localDay(Date.UTC(2025, 2, 10, 0, 30)).start, Date.UTC(2025, 2, 9, 5));
        assert.equal(localDay(Date.UTC(2025, 2, 10, 12), -1).start, Date.UTC(2025, 2, 9, 5));
        assert.equal(dayLabel(Date.UTC(2025, 2, 9, 5)), '2025-03-09 Sun');
      });
      inZone('Asia/Kathmandu', () => {
        assert.deepEqual(localDay(Date.UTC(2025, 0, 1, 12)), { start: Date.UTC(2024, 11, 31, 18, 15), end: Date.UTC(2025, 0, 1, 18, 15) });
      });
    });

    it('lists the last days oldest first, contiguous, ending with today', () => {
      inZone('Europe/Berlin', () => {
        const now = Date.UTC(2025, 2, 31, 10);
        const days = lastLocalDays(now, 7);
        assert.equal(days.length, 7);
        assert.deepEqual(days[6], localDay(now));
        for (let i = 1; i < days.length; i++) {
          assert.equal(days[i]!.start, days[i - 1]!.end);
        }
        assert.equal(days.map((day) => day.end - day.start).filter((ms) => ms === 23 * HOUR).length, 1, 'the spring change (30 March) is in the week');
      });
    });
  });

  describe('money', () => {
    it('formats micro-dollars as dollars, sub-cent amounts compact or precise', () => {
      assert.equal(formatUsd(0), '$0.00');
      assert.equal(formatUsd(420_000), '$0.42');
      assert.equal(formatUsd(1_234_500_000), '$1,234.50');
      assert.equal(formatUsd(4_200), '<$0.01');
      assert.equal(formatUsd(4_200, 'precise'), '$0.0042');
      assert.equal(formatUsd(1, 'precise'), '$0.0000010');
    });

    it('never shows an unknown cost as $0', () => {
      assert.equal(costText(spend({ calls: 2, costMicroUsd: 420_000 })), '$0.42');
      assert.equal(costText(spend({ calls: 2, costMicroUsd: 0 })), '$0.00', 'known to be free (a local model)');
      assert.equal(costText(spend({ calls: 3, unknownCostCalls: 3 })), 'cost unknown (3 calls)');
      assert.equal(costText(spend({ calls: 4, costMicroUsd: 420_000, unknownCostCalls: 1 })), '$0.42 + 1 call of unknown cost');
      assert.equal(costText(spend({ calls: 4, costMicroUsd: 0, unknownCostCalls: 1 })), '$0.00 + 1 call of unknown cost');
      assert.equal(statusText(spend({ calls: 3, unknownCostCalls: 3 })), 'cost unknown today');
      assert.equal(statusText(spend({ calls: 4, costMicroUsd: 420_000, unknownCostCalls: 1 })), '$0.42 today');
      assert.equal(statusText(noSpend()), '$0.00 today');
    });
  });

  describe('budget', () => {
    it('is under, near from 80%, and over once reached; no budget without a usable number', () => {
      assert.deepEqual(evaluateBudget(500_000, undefined), { state: 'none', budgetMicroUsd: null, spentMicroUsd: 500_000, fraction: null });
      for (const unusable of [null, Number.NaN, -1, Number.POSITIVE_INFINITY]) {
        assert.equal(evaluateBudget(500_000, unusable).state, 'none', String(unusable));
      }
      assert.equal(evaluateBudget(0, 1).state, 'under');
      assert.equal(evaluateBudget(799_999, 1).state, 'under');
      assert.equal(evaluateBudget(800_000, 1).state, 'near');
      assert.equal(evaluateBudget(999_999, 1).state, 'near');
      assert.deepEqual(evaluateBudget(1_000_000, 1), { state: 'over', budgetMicroUsd: 1_000_000, spentMicroUsd: 1_000_000, fraction: 1 });
      assert.equal(evaluateBudget(2_500_000, 1).fraction, 2.5);
      assert.equal(evaluateBudget(0, 0).state, 'under', 'a $0 budget with nothing spent');
      assert.equal(evaluateBudget(1, 0).state, 'over', 'a $0 budget warns at the first known cost');
      assert.equal(evaluateBudget(425_000, 0.5).state, 'near', 'fractional dollars');
    });

    it('warns once per day, budget and threshold, not on every call', () => {
      let record: BudgetWarningRecord | undefined;
      const memory = { get: () => record, set: (r: BudgetWarningRecord) => (record = r) };
      const alarm = new BudgetAlarm(memory);
      const day1 = { start: 0, end: 24 * HOUR };
      const day2 = { start: 24 * HOUR, end: 48 * HOUR };
      const seen = (day: typeof day1, spentMicroUsd: number, budgetUsd = 1) => alarm.check(day, evaluateBudget(spentMicroUsd, budgetUsd));

      assert.deepEqual(
        [100_000, 500_000, 850_000, 900_000, 990_000, 1_000_000, 1_200_000, 5_000_000].map((spent) => seen(day1, spent)),
        [undefined, undefined, 'near', undefined, undefined, 'over', undefined, undefined],
      );
      assert.deepEqual([seen(day2, 2_000_000), seen(day2, 2_100_000), seen(day2, 100)], ['over', undefined, undefined], 'straight past the budget: over only');
      assert.deepEqual([seen(day2, 2_500_000, 3), seen(day2, 3_000_000, 3)], ['near', 'over'], 'a new budget is warned about afresh');
      assert.equal(alarm.check(day2, evaluateBudget(9_000_000, undefined)), undefined, 'no budget, no warning');

      const otherWindow = new BudgetAlarm(memory);
      assert.equal(otherWindow.check(day2, evaluateBudget(3_100_000, 3)), undefined, 'another window sharing the memory stays quiet');
      assert.deepEqual(record, { dayStart: day2.start, budgetMicroUsd: 3_000_000, warned: ['near', 'over'] });
    });

    it('says what was spent, the unknown part, and that it does not block', () => {
      const today = spend({ calls: 5, costMicroUsd: 1_230_000, unknownCostCalls: 2 });
      const over = budgetMessage('over', today, evaluateBudget(today.costMicroUsd, 1));
      assert.equal(over, 'AI Studio has spent $1.23 today (not counting 2 calls of unknown cost), which reaches your daily budget of $1.00. The budget only warns: calls are not blocked.');
      assert.match(budgetMessage('near', spend({ costMicroUsd: 850_000, calls: 1 }), evaluateBudget(850_000, 1)), /spent \$0\.85 today, 85% of your daily budget of \$1\.00\./);
    });
  });

  describe('status bar and summary', () => {
    it('tooltips today\'s calls, the unknown part, the budget and the models', () => {
      const today = spend({ calls: 4, errors: 1, costMicroUsd: 420_000, unknownCostCalls: 1 });
      const tooltip = statusTooltip(
        today,
        [
          { ...spend({ calls: 3, costMicroUsd: 420_000 }), provider: 'openai', model: 'gpt-4o' },
          { ...spend({ calls: 1, unknownCostCalls: 1 }), provider: 'ollama', model: 'llama|3' },
        ],
        evaluateBudget(420_000, 0.5),
      );
      assert.match(tooltip, /^\*\*AI Studio: spent today\*\*\n\n\$0\.42 over 4 calls \(1 of unknown cost, not counted; 1 failed or stopped\)\.\n/);
      assert.match(tooltip, /Daily budget \$0\.50: 84% used \(nearly reached\)\./);
      assert.match(tooltip, /\| gpt-4o +\| +3 \| +\$0\.42 \|/);
      assert.match(tooltip, /\| llama\\\|3 +\| +1 \| cost unknown \(1 call\) \|/);
      assert.match(statusTooltip(noSpend(), [], evaluateBudget(0, undefined)), /No model calls today\.\n\nNo daily budget set\./);
      const unknownOnly = statusTooltip(spend({ calls: 2, unknownCostCalls: 2 }), [], evaluateBudget(0, undefined));
      assert.match(unknownOnly, /Cost unknown: 2 calls, all to models without a price\./);
      assert.ok(!unknownOnly.includes('$0'), 'never $0 for calls of unknown cost');
    });

    it('writes the summary: today, the last days, by model, by agent and top sessions, unknown costs marked', () => {
      inZone('UTC', () => {
        const now = Date.UTC(2025, 2, 10, 14, 5);
        const days: DaySpend[] = lastLocalDays(now, 3).map((day, i) => ({ ...spend(i === 2 ? { calls: 2, costMicroUsd: 420_000, unknownCostCalls: 1, tokensIn: 1500 } : i === 0 ? { calls: 1, costMicroUsd: 10_000 } : {}), ...day }));
        const today = days[2]!;
        const text = spendingReport({
          now,
          today,
          budget: evaluateBudget(today.costMicroUsd, undefined),
          days,
          windowDays: 30,
          models: [{ ...spend({ calls: 2, costMicroUsd: 420_000 }), provider: 'openai', model: 'gpt-4o' }, { ...spend({ calls: 1, unknownCostCalls: 1 }), provider: null, model: 'mystery' }],
          agents: [
            { ...spend({ calls: 2, costMicroUsd: 430_000 }), agentId: 'a1', agentName: 'Writer *bold*' },
            { ...spend({ calls: 1, unknownCostCalls: 1 }), agentId: 'a2', agentName: null },
          ],
          sessions: [{ ...spend({ calls: 3, costMicroUsd: 430_000, unknownCostCalls: 1 }), sessionId: 's1', title: 'Plan | the\ntrip', lastCallAt: now - HOUR }],
        });
        assert.match(text, /^# AI Studio spending\n\nAs of 2025-03-10 Mon 14:05 \(local time\)/);
        assert.match(text, /## Today\n\n\*\*\$0\.42\*\* over 2 calls \(1 of unknown cost, not counted\)\.\n/);
        assert.match(text, /\|\s+1,500 \|/, 'tokens with separators');
        assert.match(text, /No daily budget set\. Set one in `aiStudio\.budget\.dailyUsd`/);
        assert.match(text, /## Last 3 days\n\n\| day +\| calls \|/);
        assert.match(text, /\| 2025-03-10 Mon \(today\) \| +2 \| +1,500 \| +0 \| \$0\.42 \+ 1 call of unknown cost \|/);
        assert.match(text, /\| 2025-03-09 Sun +\| +0 \| +0 \| +0 \| +\$0\.00 \|/);
        assert.match(text, /\| \*\*total\*\* +\| +3 \|.*\$0\.43 \+ 1 call of unknown cost \|/);
        assert.match(text, /## By model \(last 30 days\)[\s\S]*\| mystery +\| — +\| +1 \|.*cost unknown \(1 call\) \|/);
        assert.match(text, /## By agent[\s\S]*\| Writer \\\*bold\\\* +\|[\s\S]*\| \(deleted agent\) +\|/);
        assert.match(text, /## Top sessions[\s\S]*\| Plan \\\| the trip \| 2025-03-10 Mon 13:05 \|/);
        // Every table row of a table has the same number of cells.
        for (const block of text.split('\n\n').filter((b) => b.startsWith('|'))) {
          const counts = new Set(block.split('\n').map((row) => row.replace(/\\\|/g, '').split('|').length));
          assert.equal(counts.size, 1, block);
        }
      });
    });

    it('says so when there is nothing to show', () => {
      const now = Date.UTC(2025, 2, 10, 14);
      const text = spendingReport({ now, today: noSpend(), budget: evaluateBudget(0, 2), days: lastLocalDays(now, 7).map((d) => ({ ...noSpend(), ...d })), windowDays: 30, models: [], agents: [], sessions: [] });
      assert.match(text, /No model calls today\.\n\nDaily budget \$2\.00: 0% used\./);
      assert.match(text, /No model calls in the last 30 days\./);
      assert.match(text, /No sessions with model calls in the last 30 days\./);
    });

    it('keeps user text to one plain cell', () => {
      assert.equal(cell('  a | b\n[link](command:x) `c` <b>  '), 'a \\| b \\[link\\](command:x) \\`c\\` \\<b\\>');
    });
  });
});
