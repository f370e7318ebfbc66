import { addTotals, noSpend, type AgentSpend, type DaySpend, type ModelSpend, type SessionSpend, type SpendTotals, type TimeRange } from '../db/repositories/costs';

/**
 * Today's spend and the daily budget, as the status bar and the spending summary show them. Pure: the caller
 * passes the time and the store's roll-ups (src/db/repositories/costs.ts).
 *
 * Money is integer micro-dollars throughout. A known cost is shown as dollars; calls without a price are
 * counted beside it ("$0.42 + 3 calls of unknown cost"), and a day with only such calls reads "cost unknown",
 * never $0.00. The budget compares the known part only, and its messages say when some of the spend is unknown.
 */

/** "Near" the budget from this fraction of it. */
export const NEAR_BUDGET = 0.8;

const MICRO = 1_000_000;
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

// ---------------------------------------------------------------------------------------------------- days

/**
 * The local calendar day holding `at`, shifted by `offsetDays`: [midnight, next midnight) in the host's time
 * zone, so 23 or 25 hours long on the days the clocks change. (Where the clocks change at midnight, the day
 * starts at the first instant that exists.)
 */
export function localDay(at: number, offsetDays = 0): TimeRange {
  const date = new Date(at);
  const y = date.getFullYear();
  const m = date.getMonth();
  const d = date.getDate() + offsetDays;
  return { start: new Date(y, m, d).getTime(), end: new Date(y, m, d + 1).getTime() };
}

/** The last `count` local days up to and including today's, oldest first. */
export function lastLocalDays(at: number, count: number): TimeRange[] {
  return Array.from({ length: count }, (_, i) => localDay(at, i - count + 1));
}

/** "2025-03-10 Mon", from the local date of `start`. */
export function dayLabel(start: number): string {
  const date = new Date(start);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${DAY_NAMES[date.getDay()]}`;
}

// ---------------------------------------------------------------------------------------------------- money

/**
 * Dollars from micro-dollars: "$0.00", "$0.42", "$1,234.50". Below a cent, "<$0.01" (compact, the status bar)
 * or two significant digits, "$0.0042" (precise, the tables).
 */
export function formatUsd(microUsd: number, style: 'compact' | 'precise' = 'compact'): string {
  if (microUsd <= 0) {
    return '$0.00';
  }
  if (microUsd < 10_000) {
    return style === 'compact' ? '<$0.01' : `$${(microUsd / MICRO).toPrecision(2)}`;
  }
  return `$${(microUsd / MICRO).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/**
 * The cost of a set of calls, unknown parts apart: "$0.42", "$0.42 + 3 calls of unknown cost", "cost unknown
 * (3 calls)"; "$0.00" only when every call's cost is known.
 */
export function costText(totals: Pick<SpendTotals, 'costMicroUsd' | 'unknownCostCalls' | 'calls'>, style: 'compact' | 'precise' = 'precise'): string {
  const unknown = totals.unknownCostCalls;
  if (unknown === 0) {
    return formatUsd(totals.costMicroUsd, style);
  }
  if (unknown === totals.calls && totals.costMicroUsd === 0) {
    return `cost unknown (${plural(unknown, 'call')})`;
  }
  return `${formatUsd(totals.costMicroUsd, style)} + ${plural(unknown, 'call')} of unknown cost`;
}

// ---------------------------------------------------------------------------------------------------- budget

export type BudgetState = 'none' | 'under' | 'near' | 'over';

export interface BudgetStatus {
  state: BudgetState;
  /** null: no budget set. */
  budgetMicroUsd: number | null;
  spentMicroUsd: number;
  /** spent / budget; null without a budget (or with a budget of 0). */
  fraction: number | null;
}

/**
 * Where today's known spend stands against a budget in dollars (undefined, null, negative or not a number: no
 * budget). Near from 80%, over once the budget is reached; nothing spent is always under (a $0 budget warns at
 * the first known cost).
 */
export function evaluateBudget(spentMicroUsd: number, budgetUsd: number | null | undefined): BudgetStatus {
  if (typeof budgetUsd !== 'number' || !Number.isFinite(budgetUsd) || budgetUsd < 0) {
    return { state: 'none', budgetMicroUsd: null, spentMicroUsd, fraction: null };
  }
  const budgetMicroUsd = Math.round(budgetUsd * MICRO);
  const fraction = budgetMicroUsd === 0 ? null : spentMicroUsd / budgetMicroUsd;
  let state: BudgetState = 'under';
  if (spentMicroUsd > 0 && spentMicroUsd >= budgetMicroUsd) {
    state = 'over';
  } else if (spentMicroUsd > 0 && spentMicroUsd >= NEAR_BUDGET * budgetMicroUsd) {
    state = 'near';
  }
  return { state, budgetMicroUsd, spentMicroUsd, fraction };
}

/** Which warnings were shown, for which day and budget: kept where every window sees it (global state). */
export interface BudgetWarningRecord {
  dayStart: number;
  budgetMicroUsd: number;
  warned: ('near' | 'over')[];
}

export interface BudgetWarningMemory {
  get(): BudgetWarningRecord | undefined;
  set(record: BudgetWarningRecord): void;
}

/**
 * Decides when to warn: once per local day, budget and threshold, when spend is first seen past it, not on every
 * call after. Jumping straight past the budget warns "over" only. Changing the budget starts afresh (a person
 * who raised it after a warning is told again when the new one is crossed). The memory is read at each check, so
 * a warning another window already showed is not shown again.
 */
export class BudgetAlarm {
  constructor(private readonly memory: BudgetWarningMemory) {}

  /** The threshold just crossed, to warn about now; undefined when there is nothing new to say. */
  check(day: TimeRange, status: BudgetStatus): 'near' | 'over' | undefined {
    if ((status.state !== 'near' && status.state !== 'over') || status.budgetMicroUsd === null) {
      return undefined;
    }
    const stored = this.memory.get();
    const record: BudgetWarningRecord =
      stored && stored.dayStart === day.start && stored.budgetMicroUsd === status.budgetMicroUsd
        ? { ...stored, warned: [...stored.warned] }
        : { dayStart: day.start, budgetMicroUsd: status.budgetMicroUsd, warned: [] };
    const threshold = status.state;
    if (record.warned.includes(threshold)) {
      return undefined;
    }
    record.warned.push(...(threshold === 'over' ? (['near', 'over'] as const) : (['near'] as const)).filter((t) => !record.warned.includes(t)));
    this.memory.set(record);
    return threshold;
  }
}

/** What the notification says when a threshold is crossed. */
export function budgetMessage(threshold: 'near' | 'over', today: SpendTotals, status: BudgetStatus): string {
  const budget = formatUsd(status.budgetMicroUsd ?? 0);
  const spent = formatUsd(today.costMicroUsd);
  const unknown = today.unknownCostCalls > 0 ? ` (not counting ${plural(today.unknownCostCalls, 'call')} of unknown cost)` : '';
  const head =
    threshold === 'over'
      ? `AI Studio has spent ${spent} today${unknown}, which reaches your daily budget of ${budget}.`
      : `AI Studio has spent ${spent} today${unknown}, ${percent(status.fraction)} of your daily budget of ${budget}.`;
  return `${head} The budget only warns: calls are not blocked.`;
}

// ---------------------------------------------------------------------------------------------------- status bar

/** The status bar's text (without its icon): "$0.42 today", or "cost unknown today" when no call had a price. */
export function statusText(today: SpendTotals): string {
  if (today.costMicroUsd === 0 && today.unknownCostCalls > 0) {
    return 'cost unknown today';
  }
  return `${formatUsd(today.costMicroUsd)} today`;
}

/** The status bar's tooltip, as Markdown: today's calls and cost, the unknown part, the budget, and by model. */
export function statusTooltip(today: SpendTotals, models: readonly ModelSpend[], status: BudgetStatus): string {
  const lines = ['**AI Studio: spent today**', ''];
  lines.push(spendSummary(today), '', budgetLine(status));
  if (models.length > 0) {
    lines.push('', table(['model', 'calls', 'cost'], 'lrr', models.slice(0, 5).map((m) => [modelName(m), formatCount(m.calls), costText(m)])));
    if (models.length > 5) {
      lines.push('', `and ${plural(models.length - 5, 'other model')}`);
    }
  }
  lines.push('', 'Click for the spending summary.');
  return lines.join('\n');
}

/**
 * One sentence on a day's calls: "$0.42 over 14 calls (2 of unknown cost, not counted; 1 failed or stopped).",
 * "Cost unknown: 2 calls, all to models without a price.", "No model calls today."; `strong` marks the amount.
 */
export function spendSummary(today: SpendTotals, strong = ''): string {
  if (today.calls === 0) {
    return 'No model calls today.';
  }
  const failed = today.errors > 0 ? `${formatCount(today.errors)} failed or stopped` : '';
  if (today.unknownCostCalls === today.calls && today.costMicroUsd === 0) {
    return `${strong}Cost unknown${strong}: ${plural(today.calls, 'call')}, all to models without a price${failed ? ` (${failed})` : ''}.`;
  }
  const notes = [today.unknownCostCalls > 0 ? `${formatCount(today.unknownCostCalls)} of unknown cost, not counted` : '', failed].filter((note) => note !== '');
  return `${strong}${formatUsd(today.costMicroUsd, 'precise')}${strong} over ${plural(today.calls, 'call')}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}.`;
}

function budgetLine(status: BudgetStatus): string {
  if (status.budgetMicroUsd === null) {
    return 'No daily budget set.';
  }
  const budget = formatUsd(status.budgetMicroUsd);
  const used = status.fraction === null ? '' : `: ${percent(status.fraction)} used`;
  const note = status.state === 'over' ? ' (reached)' : status.state === 'near' ? ' (nearly reached)' : '';
  return `Daily budget ${budget}${used}${note}.`;
}

// ---------------------------------------------------------------------------------------------------- summary

export interface SpendingReportInput {
  now: number;
  today: SpendTotals;
  budget: BudgetStatus;
  /** The last days, oldest first (today last). */
  days: readonly DaySpend[];
  /** Over `windowDays` days: */
  windowDays: number;
  models: readonly ModelSpend[];
  agents: readonly AgentSpend[];
  sessions: readonly SessionSpend[];
}

/** The spending summary as a Markdown document: today, the last days, by model, by agent, top sessions. */
export function spendingReport(input: SpendingReportInput): string {
  const { today, budget, windowDays } = input;
  const window = `last ${windowDays} days`;
  const lines: string[] = [
    '# AI Studio spending',
    '',
    `As of ${dayLabel(input.now)} ${timeOfDay(input.now)} (local time). Costs are estimates from the price table in force at each ` +
      'call; a call to a model without a price is counted as _unknown_, never as $0.',
    '',
    '## Today',
    '',
  ];
  lines.push(spendSummary(today, '**'));
  if (today.calls > 0) {
    lines.push(
      '',
      table(
        ['tokens in', 'tokens out', 'cache read', 'cache write', 'reasoning'],
        'rrrrr',
        [[today.tokensIn, today.tokensOut, today.tokensCacheRead, today.tokensCacheWrite, today.tokensReasoning].map(formatCount)],
      ),
    );
  }
  lines.push('', budgetLine(budget) + (budget.budgetMicroUsd === null ? ' Set one in `aiStudio.budget.dailyUsd` to be warned when it is reached.' : ''));

  lines.push('', `## Last ${input.days.length} days`, '');
  const dayRows = [...input.days].reverse().map((day, index) => [dayLabel(day.start) + (index === 0 ? ' (today)' : ''), ...figures(day)]);
  const total = input.days.reduce<SpendTotals>((sum, day) => addTotals(sum, day), noSpend());
  lines.push(table(['day', 'calls', 'tokens in', 'tokens out', 'cost'], 'lrrrr', [...dayRows, ['**total**', ...figures(total)]]));

  lines.push('', `## By model (${window})`, '');
  lines.push(
    input.models.length === 0
      ? `No model calls in the ${window}.`
      : table(['model', 'provider', 'calls', 'tokens in', 'tokens out', 'cost'], 'llrrrr', input.models.map((m) => [modelName(m), cell(m.provider ?? '—'), ...figures(m)])),
  );

  lines.push('', `## By agent (${window})`, '');
  lines.push(
    input.agents.length === 0
      ? `No model calls in the ${window}.`
      : table(['agent', 'calls', 'tokens in', 'tokens out', 'cost'], 'lrrrr', input.agents.map((a) => [agentName(a), ...figures(a)])),
  );

  lines.push('', `## Top sessions (${window})`, '');
  lines.push(
    input.sessions.length === 0
      ? `No sessions with model calls in the ${window}.`
      : table(
          ['session', 'last call', 'calls', 'tokens in', 'tokens out', 'cost'],
          'llrrrr',
          input.sessions.map((s) => [cell(s.title.trim() === '' ? 'New session' : s.title), `${dayLabel(s.lastCallAt)} ${timeOfDay(s.lastCallAt)}`, ...figures(s)]),
        ),
  );
  lines.push('', '_Tokens in_ are input tokens billed at the input price; cached tokens are counted apart.', '');
  return lines.join('\n');
}

function figures(totals: SpendTotals): string[] {
  return [formatCount(totals.calls), formatCount(totals.tokensIn), formatCount(totals.tokensOut), costText(totals)];
}

function modelName(model: ModelSpend): string {
  return cell(model.model ?? '(no model)');
}

function agentName(agent: AgentSpend): string {
  if (agent.agentId === null) {
    return '(no agent)';
  }
  return agent.agentName === null ? '(deleted agent)' : cell(agent.agentName);
}

/**
 * A Markdown table whose columns are padded to one width, so it reads as a table in the editor too. `align` has
 * one letter per column: l or r.
 */
export function table(headers: readonly string[], align: string, rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(3, header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (values: readonly string[]) =>
    `| ${values.map((value, i) => (align[i] === 'r' ? value.padStart(widths[i]!) : value.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((width, i) => (align[i] === 'r' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** Text from the user (titles, names) made safe for one table cell: one line, no pipes or Markdown markup. */
export function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/[\\`*_[\]<>|]/g, '\\$&');
}

function percent(fraction: number | null): string {
  return fraction === null ? '—' : `${Math.floor(fraction * 100)}%`;
}

function timeOfDay(at: number): string {
  const date = new Date(at);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
