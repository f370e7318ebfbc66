/**
 * What the policy decides and what it decides from. The model never reaches any of this: a verdict is computed
 * from the person's settings, the agent's version and the call's plan, and nothing a tool returns or a file says
 * can change them.
 */

/** allow: runs without asking; ask: the person approves first; deny: never runs (the reason goes to the model). */
export type Verdict = 'allow' | 'ask' | 'deny';

/** Per tool, in the agent's version: `auto` runs allowed calls without asking; `off` removes the tool. */
export type ToolMode = 'ask' | 'auto' | 'off';

/**
 * A command rule matches the words of one simple command (after its leading `VAR=value` assignments), word by
 * word from the first: ["git", "status"] matches `git status -s` but not `git stash`. `exact` matches only the
 * command with exactly these words. Never a string prefix: `git show > ~/.ssh/x` is `git show` plus a write.
 */
export interface CommandRule {
  words: string[];
  exact?: boolean;
}

export interface CommandRules {
  allow: readonly CommandRule[];
  deny: readonly CommandRule[];
}

/**
 * One policy's view of a call. `default`: this policy neither objects nor allows (a path inside the workspace that
 * is not protected, a command no rule names), so the tool's mode decides. `ask` from any policy is forced: it asks
 * even in `auto` mode and even after "Approve for this session".
 */
export type JudgedVerdict = Verdict | 'default';

/** Why one judgement came out as it did, in words for the approval card and for the model. */
export interface Judgement {
  verdict: JudgedVerdict;
  reason: string;
}

export interface SubcommandJudgement extends Judgement {
  /** The simple command as written, e.g. `git show HEAD`. */
  text: string;
  /** Its words with quotes removed, when they are static; absent when a word is an expansion. */
  words?: string[];
  /** The rule that matched, as the person wrote it. */
  rule?: string;
}

export interface CommandJudgement extends Judgement {
  /** Every simple command the line holds, inner ones (`$(...)`, sub-shells, pipelines) included. */
  subcommands: SubcommandJudgement[];
  /** Files the line writes through redirections (`>`, `>>`, `&>`, `tee` is a command, not a redirect). */
  redirectWrites: string[];
}

export type PathAccess = 'read' | 'write';

export interface PathJudgement extends Judgement {
  /** The real path the judgement was made on (symlinks resolved). */
  realPath?: string;
}
