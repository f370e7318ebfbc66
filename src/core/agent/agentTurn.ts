import type { SqlWriter } from '../../db/sql';
import type { CommandRules } from '../policy/policyTypes';
import type { ToolDefinition } from '../tools/toolTypes';
import type { Message } from '../../db/repositories/messages';
import { ChatTurn, describe, type TurnContext, type TurnPlan } from '../chat/chatTurn';
import type { ConversationStep } from '../chat/chatRequest';
import type { ToolCallsWriter } from '../chat/turnRecorder';
import type { ApprovalBroker } from './approvals';
import type { AgentToolSettings } from './agentTools';
import { LoopGuard } from './loopGuard';
import { runToolCall, type CallContext } from './toolCall';
import { ToolMessage } from './toolMessage';
import type { ToolRuntime } from './toolRuntime';
import { TurnBudget } from './turnLimits';
import type { FileOriginals } from './undoOriginals';

/**
 * The agent loop: one turn is many steps. A step streams the model's answer (ChatTurn: retries, watchdogs, Stop,
 * saved as it streams); when it asks for tools, every call of it gets a result (toolCall.ts: policy, approval,
 * run, all durable before their effects) in one `tool` message, and the next step starts from there, until the
 * model answers without a tool, the person stops, or a limit pauses the turn and the person says stop. Chat
 * sessions use it now; runs (issue 13) will use the same class.
 */

export interface AgentContext {
  broker: ApprovalBroker;
  runtime: ToolRuntime;
  /** "Approve for this session" keys, per session (in memory: a new window asks again). */
  sessionApprovals(sessionId: string): Set<string>;
  /** Undo's keeper of originals for one turn. */
  originals(sessionId: string, turnId: string, toolMessageId: () => string): FileOriginals;
}

export interface AgentTurnSetup {
  /** The user message the turn answers (undo groups a turn's changes by it). */
  turnId: string;
  tools: ReadonlyMap<string, { tool: ToolDefinition; mode: 'ask' | 'auto' }>;
  settings: AgentToolSettings;
  /**
   * Writes the next step's assistant message (streaming) under the tool message, with its request event;
   * `prelude` runs first in the same transaction.
   */
  nextStep(toolMessageId: string, prelude?: (sql: SqlWriter) => void, history?: () => readonly ConversationStep[]): Promise<TurnPlan>;
  /** The conversation the first step was asked (path and question); the loop adds each step's reply and results. */
  conversation: readonly ConversationStep[];
}

export class AgentTurn {
  private readonly controller = new AbortController();
  private step: ChatTurn;
  private stopped = false;
  private interrupted = false;
  private readonly guard = new LoopGuard();
  private readonly budget: TurnBudget;
  private toolMessageId: string | undefined;
  /** The tool message the last recorded reply created (toolCallsWriter). */
  private created: ToolMessage | undefined;
  /** The messages of this turn's path as written, for the next request (no read back from the store). */
  private readonly conversation: ConversationStep[];

  constructor(
    private readonly context: TurnContext,
    private readonly agent: AgentContext | undefined,
    firstPlan: TurnPlan,
    private readonly setup: AgentTurnSetup | undefined,
  ) {
    this.conversation = [...(setup?.conversation ?? [])];
    this.step = new ChatTurn(context, firstPlan, this.toolCallsWriter());
    this.budget = new TurnBudget(setup?.settings.limits ?? { steps: 1, tokens: Infinity, costUsd: Infinity, minutes: Infinity }, () => Date.now());
  }

  /** The assistant message of the step streaming now (or the last one). */
  get assistantId(): string {
    return this.step.assistantId;
  }

  get live(): { text: string; reasoning: string } {
    return this.step.live;
  }

  /** Whether `messageId` is this turn's streaming step or its running tool message (for recovery). */
  owns(messageId: string): boolean {
    return this.step.assistantId === messageId || this.toolMessageId === messageId;
  }

  get sessionId(): string {
    return this.step.plan.sessionId;
  }

  /** Stop: the streaming step ends as cancelled, a running tool is killed, pending questions are answered "stop". */
  stop(): void {
    this.stopped = true;
    this.controller.abort();
    this.step.stop();
  }

  /** The window is closing: like Stop, but the step ends as incomplete (interrupted). */
  interrupt(): void {
    this.interrupted = true;
    this.stopped = true;
    this.controller.abort();
    this.step.interrupt();
  }

  async run(): Promise<void> {
    const { agent, setup } = this;
    for (;;) {
      this.created = undefined;
      const recorded = await this.step.run();
      this.budget.steps += 1;
      this.budget.addCall(recorded.tokens, recorded.costUsd);
      // Written with the reply (toolCallsWriter): a complete reply with calls always has its tool message.
      const toolMessage = this.created as ToolMessage | undefined;
      if (agent === undefined || setup === undefined || recorded.deleted || recorded.status !== 'complete' || toolMessage === undefined) {
        return;
      }
      if (this.stopped) {
        // Stop came as the reply ended: its calls are on record, and say they were not run.
        await toolMessage.finish('cancelled');
        return;
      }
      if (recorded.message) {
        this.conversation.push(recorded.message);
      }
      const plan = await this.runTools(agent, setup, toolMessage, recorded.toolCalls);
      if (plan === undefined) {
        return;
      }
      this.step = new ChatTurn(this.context, plan, this.toolCallsWriter());
      if (this.stopped) {
        if (this.interrupted) {
          this.step.interrupt();
        } else {
          this.step.stop();
        }
      }
    }
  }

  /** Creates the step's tool message in the transaction that records a reply asking for tools. */
  private toolCallsWriter(): ToolCallsWriter | undefined {
    if (this.agent === undefined || this.setup === undefined) {
      return undefined;
    }
    const { context } = this;
    return (sql, calls) => {
      const deps = { repos: context.repos, leases: context.leases, emitter: context.emitter, sessionId: this.sessionId, heartbeatMs: context.timing.heartbeatMs };
      this.created = ToolMessage.createWithin(sql, deps, this.step.assistantId, calls);
    };
  }

  /** Runs every call of the step; returns the next step's plan, or undefined when the turn ends here. */
  private async runTools(agent: AgentContext, setup: AgentTurnSetup, toolMessage: ToolMessage, calls: readonly { id: string; name: string; arguments: string }[]): Promise<TurnPlan | undefined> {
    const { context } = this;
    const sessionId = this.sessionId;
    toolMessage.started();
    this.toolMessageId = toolMessage.id;
    context.emitter.emit(sessionId, { method: 'chat/leaf', params: { leafId: toolMessage.id } });
    const originals = agent.originals(sessionId, setup.turnId, () => toolMessage.id);
    const rules: CommandRules = mergeRules(agent.runtime.globalCommandRules(), setup.settings.commandRules);
    let pauseForRepeat = false;
    let mistakes = false;
    for (const call of calls) {
      if (this.stopped) {
        break;
      }
      const callContext: CallContext = {
        sessionId,
        runtime: agent.runtime,
        tools: setup.tools,
        commandRules: rules,
        broker: agent.broker,
        sessionApprovals: agent.sessionApprovals(sessionId),
        guard: this.guard,
        budget: this.budget,
        signal: this.controller.signal,
        monotonic: context.monotonic,
        toolMessageId: toolMessage.id,
        recorder: toolMessage.recorder(call.id),
        progress: (text) => context.emitter.emit(sessionId, { method: 'chat/toolOutput', params: { messageId: toolMessage.id, callId: call.id, text } }),
        beforeChange: (path) => originals.keep(path),
        afterWrite: (path, text) => originals.recordWritten(path, text),
      };
      try {
        const outcome = await runToolCall(call, callContext);
        pauseForRepeat ||= outcome.repeated;
        if (outcome.mistake && this.guard.mistake()) {
          mistakes = true;
        }
      } catch (err) {
        // A failure of ours (the store, a port), not the model's: the call is recorded as failed, the turn goes on.
        context.log.error(`Tool call ${call.id} (${call.name}) failed inside AI Studio: ${describe(err)}`);
        await callContext.recorder
          .record({ type: 'tool.call.failed', payload: { callId: call.id, tool: call.name, error: describe(err) } }, { state: 'failed', summary: call.name, result: { content: `AI Studio could not run ${call.name}: ${describe(err)}`, isError: true } })
          .catch(() => undefined);
      }
    }
    if (this.stopped) {
      await toolMessage.finish('cancelled');
      return undefined;
    }
    if (!pauseForRepeat && !mistakes && this.budget.reached() === undefined) {
      // The usual step: the tool message is finished in the transaction that starts the next step.
      return this.nextStep(setup, toolMessage);
    }
    // A question comes first: the message is finished on its own, so a window closed while it waits loses nothing.
    const finished = await toolMessage.finish('complete');
    if (pauseForRepeat || mistakes) {
      const reached = pauseForRepeat ? 'the same call 5 times' : 'three invalid tool calls in a row';
      const answer = await this.ask(agent, toolMessage.id, reached, 'the turn to go on');
      if (answer !== 'continue') {
        return undefined;
      }
      this.guard.resetMistakes();
    }
    if (!(await this.withinLimits(agent, toolMessage.id))) {
      return undefined;
    }
    return this.nextStep(setup, undefined, finished);
  }

  /**
   * Starts the next step after `tool`: a tool message still to be finished in the same transaction, or one that
   * already was.
   */
  private async nextStep(setup: AgentTurnSetup, finishing: ToolMessage | undefined, done?: Message): Promise<TurnPlan | undefined> {
    let finished = done;
    const toolMessageId = finishing?.id ?? done?.id ?? '';
    const prelude = finishing && ((sql: SqlWriter) => void (finished = finishing.finishWithin(sql, 'complete')));
    // Evaluated inside the transaction, after the prelude finished the tool message.
    const history = () => (finished === undefined ? this.conversation : [...this.conversation, finished]);
    try {
      const plan = await setup.nextStep(toolMessageId, prelude, history);
      if (finished !== undefined) {
        this.conversation.push(finished);
        if (finishing) {
          finishing.finished(finished);
        }
      }
      return plan;
    } catch (err) {
      this.context.log.error(`Turn ${setup.turnId}: could not start the next step: ${describe(err)}`);
      // Nothing of that transaction remains: the tool message still needs its end.
      await finishing?.finish('complete').catch((finishError: unknown) => this.context.log.error(`Turn ${setup.turnId}: could not finish its tool message: ${describe(finishError)}`));
      return undefined;
    }
  }

  /** Before the next model call: a limit reached pauses the turn until the person says continue or stop. */
  private async withinLimits(agent: AgentContext, toolMessageId: string): Promise<boolean> {
    const reached = this.budget.reached();
    if (reached === undefined) {
      return true;
    }
    const answer = await this.ask(agent, toolMessageId, reached.reached, reached.more);
    if (answer === 'continue') {
      this.budget.extend();
      return true;
    }
    return false;
  }

  private async ask(agent: AgentContext, messageId: string, reached: string, more: string): Promise<'continue' | 'stop'> {
    this.budget.pause();
    const answer = await agent.broker.ask(this.sessionId, { kind: 'limit', messageId, reached, more }, this.controller.signal);
    this.budget.resume();
    this.context.log.info(`Turn in session ${this.sessionId} reached ${reached}: the person chose ${answer.decision}`);
    return answer.decision === 'continue' && !this.stopped ? 'continue' : 'stop';
  }
}

function mergeRules(global: CommandRules, agent: CommandRules): CommandRules {
  return { allow: [...global.allow, ...agent.allow], deny: [...global.deny, ...agent.deny] };
}
