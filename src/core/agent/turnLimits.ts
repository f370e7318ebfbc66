import type { TurnLimits } from './agentTools';

/**
 * What a turn has used against its limits. Reaching one pauses the turn ("Continue for N more / Stop"); a
 * continue raises every limit that was reached by its own size again, as Roo's "yes" resets its counter, so the
 * person decides in steps of the agent's limits and a runaway turn never spends more than one more step's worth.
 */
export class TurnBudget {
  steps = 0;
  tokens = 0;
  costUsd = 0;
  /** Calls whose cost is unknown (no price): said so when the cost limit is shown. */
  unknownCostCalls = 0;
  private activeMs = 0;
  private activeSince: number | undefined;
  private readonly allowance: TurnLimits;

  constructor(
    private readonly limits: TurnLimits,
    private readonly now: () => number,
  ) {
    this.allowance = { ...limits };
    this.resume();
  }

  /** Time waiting for the person does not count against the wall-time limit. */
  pause(): void {
    if (this.activeSince !== undefined) {
      this.activeMs += this.now() - this.activeSince;
      this.activeSince = undefined;
    }
  }

  resume(): void {
    this.activeSince ??= this.now();
  }

  addCall(tokens: number, costUsd: number | undefined): void {
    this.tokens += tokens;
    if (costUsd === undefined) {
      this.unknownCostCalls += 1;
    } else {
      this.costUsd += costUsd;
    }
  }

  get minutes(): number {
    const running = this.activeSince === undefined ? 0 : this.now() - this.activeSince;
    return (this.activeMs + running) / 60_000;
  }

  /** The first limit reached before the next model call, in words, or undefined to go on. */
  reached(): { reached: string; more: string } | undefined {
    const { allowance, limits } = this;
    if (this.steps >= allowance.steps) {
      return { reached: `${allowance.steps} steps`, more: `${limits.steps} more steps` };
    }
    if (this.tokens >= allowance.tokens) {
      return { reached: `${allowance.tokens.toLocaleString('en-US')} tokens`, more: `${limits.tokens.toLocaleString('en-US')} more tokens` };
    }
    if (this.costUsd >= allowance.costUsd) {
      const unknown = this.unknownCostCalls > 0 ? ` (${this.unknownCostCalls} call(s) of unknown cost not counted)` : '';
      return { reached: `$${allowance.costUsd.toFixed(2)}${unknown}`, more: `$${limits.costUsd.toFixed(2)} more` };
    }
    if (this.minutes >= allowance.minutes) {
      return { reached: `${allowance.minutes} minutes`, more: `${limits.minutes} more minutes` };
    }
    return undefined;
  }

  /** The person chose to continue: every limit reached gets its own size again. */
  extend(): void {
    const { allowance, limits } = this;
    if (this.steps >= allowance.steps) {
      allowance.steps = this.steps + limits.steps;
    }
    if (this.tokens >= allowance.tokens) {
      allowance.tokens = this.tokens + limits.tokens;
    }
    if (this.costUsd >= allowance.costUsd) {
      allowance.costUsd = this.costUsd + limits.costUsd;
    }
    if (this.minutes >= allowance.minutes) {
      allowance.minutes = this.minutes + limits.minutes;
    }
  }
}
