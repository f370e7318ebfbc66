import path from 'node:path';
import { judgeCommand } from '../policy/commandPolicy';
import { judgePath, type PathContext } from '../policy/pathPolicy';
import type { CommandRules, Judgement, SubcommandJudgement, Verdict } from '../policy/policyTypes';
import type { ToolCategory, ToolPlan } from '../tools/toolTypes';

/**
 * The one place a tool call's verdict is made, from the person's settings and the agent version only: the tool's
 * mode, Workspace Trust, the path policy on every path the plan reads or writes, the command policy on the
 * command line. The model's words never reach it (a file or a page that asks for "autoApprove" changes nothing,
 * because nothing here reads files or tool output). Any deny wins; any ask from a policy is forced (it asks even
 * in auto mode and after "Approve for this session"); otherwise the mode decides.
 */

export interface PolicyInput {
  tool: { name: string; category: ToolCategory };
  plan: ToolPlan;
  mode: 'ask' | 'auto';
  trusted: boolean;
  paths: PathContext;
  commandRules: CommandRules;
  /** Whether the person chose "Approve for this session" for this key. */
  approvedForSession(key: string): boolean;
}

export interface PolicyDecision {
  verdict: Verdict;
  /** Why, in words: for the approval card, the events, and the model when it is denied. */
  reasons: string[];
  /** An ask that no mode or session approval can waive. */
  forced: boolean;
  /** What "Approve for this session" remembers for this call. */
  sessionKey: string;
  /** Who decided when it did not ask. */
  decidedBy: 'policy' | 'session';
  subcommands?: SubcommandJudgement[];
}

export async function decideToolCall(input: PolicyInput): Promise<PolicyDecision> {
  const { tool, plan } = input;
  const sessionKey = plan.command ? `${tool.name}\n${plan.command.line}` : tool.name;
  const base = { sessionKey, decidedBy: 'policy' as const };
  if (!input.trusted && (tool.category === 'edit' || tool.category === 'command')) {
    return { ...base, verdict: 'deny', forced: true, reasons: ['This workspace is in Restricted Mode: edits and commands are off until you trust it (Workspace Trust).'] };
  }
  const judgements: Judgement[] = [];
  for (const read of plan.reads ?? []) {
    judgements.push(await judgePath(read, 'read', input.paths));
  }
  for (const write of plan.writes ?? []) {
    judgements.push(await judgePath(write, 'write', input.paths));
  }
  let subcommands: SubcommandJudgement[] | undefined;
  if (plan.command) {
    judgements.push(await judgePath(plan.command.cwd, 'read', input.paths));
    const command = await judgeCommand(plan.command.line, input.commandRules);
    judgements.push(command);
    subcommands = command.subcommands;
    for (const target of command.redirectWrites) {
      judgements.push(await judgePath(redirectTarget(target, plan.command.cwd, input.paths.home), 'write', input.paths));
    }
  }
  const withSubcommands = subcommands ? { subcommands } : {};
  const denied = judgements.filter((j) => j.verdict === 'deny');
  if (denied.length > 0) {
    return { ...base, ...withSubcommands, verdict: 'deny', forced: true, reasons: unique(denied.map((j) => j.reason)) };
  }
  const asked = judgements.filter((j) => j.verdict === 'ask');
  if (asked.length > 0) {
    return { ...base, ...withSubcommands, verdict: 'ask', forced: true, reasons: unique(asked.map((j) => j.reason)) };
  }
  if (!input.trusted) {
    return { ...base, ...withSubcommands, verdict: 'ask', forced: true, reasons: ['This workspace is in Restricted Mode: nothing runs without asking.'] };
  }
  if (judgements.length > 0 && judgements.every((j) => j.verdict === 'allow')) {
    return { ...base, ...withSubcommands, verdict: 'allow', forced: false, reasons: unique(judgements.map((j) => j.reason)) };
  }
  if (input.mode === 'auto') {
    return { ...base, ...withSubcommands, verdict: 'allow', forced: false, reasons: [`${tool.name} runs without asking (its mode is Auto).`] };
  }
  if (input.approvedForSession(sessionKey)) {
    return { ...base, ...withSubcommands, decidedBy: 'session', verdict: 'allow', forced: false, reasons: ['You approved this for the session.'] };
  }
  return { ...base, ...withSubcommands, verdict: 'ask', forced: false, reasons: [`${tool.name} asks before it runs (its mode is Ask).`] };
}

/** A redirection's file as the shell would open it: `~` and `$HOME` expanded, relative to the command's folder. */
function redirectTarget(target: string, cwd: string, home: string | undefined): string {
  const expanded = home === undefined ? target : target.replace(/^(~|\$HOME|\$\{HOME\})(?=\/|$)/, home);
  return path.isAbsolute(expanded) ? expanded : path.resolve(cwd, expanded);
}

function unique(reasons: string[]): string[] {
  return [...new Set(reasons)];
}
