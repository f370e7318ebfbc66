import type { Parser } from '@vscode/tree-sitter-wasm';
import { loadShellParser, parseLine } from './commandParser';
import type { ShellCommand } from './commandTree';
import { matchesAllow, matchesDeny } from './commandMatch';
import { code, joinWords, type Words } from './commandText';
import { analyzeCommand } from './commandWrappers';
import type { CommandJudgement, CommandRule, CommandRules, JudgedVerdict, SubcommandJudgement } from './policyTypes';

/**
 * The command policy of `run_command`: the line is parsed with a real bash grammar, every simple command in it is
 * judged against the person's allow and deny rules, and whatever the parser or the policy cannot judge from the
 * text asks. Any deny wins; then any forced ask; the line is allowed only when every command in it is; otherwise
 * it is 'default' and the tool's mode decides. Never throws: a failure of its own asks.
 */

/** Longer lines are not parsed; they ask. Commands the model writes are far shorter. */
const MAX_LINE = 32_768;
/** How deep `eval`, `sh -c` and heredocs fed to a shell are followed for deny rules. */
const MAX_INNER_DEPTH = 3;

export async function judgeCommand(line: string, rules: CommandRules): Promise<CommandJudgement> {
  try {
    const early = screen(line);
    if (early) {
      return early;
    }
    let parser: Parser;
    try {
      parser = await loadShellParser();
    } catch (err) {
      return whole('ask', `the shell parser could not be loaded (${message(err)}), so every command asks`);
    }
    return judgeLine(parser, line, rules);
  } catch (err) {
    return whole('ask', `the command line could not be judged (${message(err)}), so it asks`);
  }
}

function screen(line: unknown): CommandJudgement | undefined {
  if (typeof line !== 'string' || line.trim() === '') {
    return whole('deny', 'the command line is empty');
  }
  if (line.includes('\0')) {
    return whole('deny', 'the command line holds a NUL character, which a shell cannot run as written');
  }
  if (line.length > MAX_LINE) {
    return whole('ask', `the command line is too long to judge (${line.length} characters; the policy reads up to ${MAX_LINE})`);
  }
  return undefined;
}

/** Characters that hide or disguise what runs: terminal controls, invisible and bidirectional marks. */
// eslint-disable-next-line no-control-regex
const DISGUISING = /[\x01-\x08\x0b-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

interface Collected {
  subcommands: SubcommandJudgement[];
  writes: string[];
  asks: string[];
}

function judgeLine(parser: Parser, line: string, rules: CommandRules): CommandJudgement {
  const parsed = parseLine(parser, line);
  if (!parsed) {
    return whole('ask', 'the command line took too long to parse, so it asks');
  }
  const out: Collected = { subcommands: [], writes: [], asks: [...parsed.problems] };
  const disguised = DISGUISING.exec(line);
  if (disguised) {
    out.asks.push(`the command line holds the invisible or control character U+${disguised[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}, which can hide what runs`);
  }
  if (joinsAcrossLines(line)) {
    out.asks.push('a backslash at the end of a line joins two words into one, which the parser reads differently from bash');
  }
  if (/^\s*\^/.test(line)) {
    out.asks.push('a line starting with `^` may be replaced by an earlier command (history substitution)');
  }
  for (const redirect of parsed.redirects) {
    if (redirect.writes) {
      const target = redirect.target?.value ?? redirect.target?.text ?? '';
      out.writes.push(target);
      out.asks.push(`writes ${code(target)} through a redirection`);
    }
  }
  for (const command of parsed.commands) {
    judgeSubcommand(parser, command, rules, 0, out);
  }
  return conclude(out);
}

/** An unescaped backslash-newline between two non-blank characters: bash joins them into one word (`r\\<newline>m`). */
function joinsAcrossLines(line: string): boolean {
  for (const match of line.matchAll(/\\+\r?\n/g)) {
    const backslashes = match[0].replace(/\r?\n$/, '').length;
    const before = line[match.index - 1];
    const after = line[match.index + match[0].length];
    if (backslashes % 2 === 1 && before !== undefined && /\S/.test(before) && after !== undefined && /\S/.test(after)) {
      return true;
    }
  }
  return false;
}

function judgeSubcommand(parser: Parser, command: ShellCommand, rules: CommandRules, depth: number, out: Collected): void {
  const asks = [...command.problems];
  for (const redirect of command.redirects) {
    if (redirect.writes) {
      const target = redirect.target?.value ?? redirect.target?.text ?? '';
      out.writes.push(target);
      asks.push(`writes ${code(target)} through a redirection`);
    }
  }
  if (command.assignments.length > 0) {
    asks.push(`sets ${code(command.assignments.join(' '))} for the command, which can change what it runs`);
  }
  const values = command.words.map((w) => w.value);
  const analysis = analyzeCommand(values, command.pipedInto, command.heredoc, command.words.map((w) => w.text));
  asks.push(...analysis.asks);
  const judged: SubcommandJudgement = { verdict: 'default', reason: '', text: command.text };
  if (values.every((v): v is string => v !== undefined)) {
    judged.words = values;
  }
  const deny = findDeny(rules, [...analysis.levels, ...analysis.alsoRuns]);
  const last: Words = analysis.levels[analysis.levels.length - 1] ?? [];
  const runs = (words: Words): string => (joinWords(words) === joinWords(values) ? '' : `runs ${code(joinWords(words))}, which `);
  if (deny?.match === 'maybe') {
    asks.unshift(`${code(command.text)} may be ${code(formatRule(deny.rule))}, which a deny rule names, once its words are known`);
  }
  if (deny?.match === 'yes') {
    judged.verdict = 'deny';
    judged.rule = formatRule(deny.rule);
    judged.reason = `${code(command.text)} ${runs(deny.words)}matches the deny rule ${code(judged.rule)}`;
  } else if (asks.length > 0) {
    judged.verdict = 'ask';
    judged.reason = unique(asks).join('; ');
    if (deny) {
      judged.rule = formatRule(deny.rule);
    }
  } else {
    const allow = last.length > 0 ? rules.allow.find((rule) => matchesAllow(rule, last)) : undefined;
    if (allow) {
      judged.verdict = 'allow';
      judged.rule = formatRule(allow);
      judged.reason = `${code(command.text)} ${runs(last)}matches the allow rule ${code(judged.rule)}`;
    } else {
      judged.reason = last.length > 0 ? `no rule names ${code(joinWords(last))}` : `${code(command.text)} runs no command`;
    }
  }
  out.subcommands.push(judged);
  for (const text of analysis.innerLines) {
    judgeInner(parser, text, rules, depth + 1, out);
  }
}

/** The text `eval`, `sh -c` or a heredoc fed to a shell runs: its commands are judged too, so a deny there wins. */
function judgeInner(parser: Parser, text: string, rules: CommandRules, depth: number, out: Collected): void {
  if (depth > MAX_INNER_DEPTH || text.trim() === '' || text.length > MAX_LINE) {
    return;
  }
  const parsed = parseLine(parser, text);
  for (const command of parsed?.commands ?? []) {
    judgeSubcommand(parser, command, rules, depth, out);
  }
  for (const redirect of parsed?.redirects ?? []) {
    if (redirect.writes) {
      out.writes.push(redirect.target?.value ?? redirect.target?.text ?? '');
    }
  }
}

function findDeny(rules: CommandRules, levels: Words[]): { rule: CommandRule; words: Words; match: 'yes' | 'maybe' } | undefined {
  let maybe: { rule: CommandRule; words: Words; match: 'maybe' } | undefined;
  for (const words of levels) {
    for (const rule of rules.deny) {
      const match = matchesDeny(rule, words);
      if (match === 'yes') {
        return { rule, words, match };
      }
      if (match === 'maybe') {
        maybe ??= { rule, words, match };
      }
    }
  }
  return maybe;
}

function conclude(out: Collected): CommandJudgement {
  const { subcommands } = out;
  const base = { subcommands, redirectWrites: unique(out.writes) };
  const denied = subcommands.filter((s) => s.verdict === 'deny');
  if (denied.length > 0) {
    return { ...base, verdict: 'deny', reason: unique(denied.map((s) => s.reason)).join('; ') };
  }
  const asks = unique([...out.asks, ...subcommands.filter((s) => s.verdict === 'ask').map((s) => s.reason)]);
  if (asks.length > 0) {
    return { ...base, verdict: 'ask', reason: asks.join('; ') };
  }
  if (subcommands.length === 0) {
    return { ...base, verdict: 'deny', reason: 'the command line has no command to run' };
  }
  if (subcommands.every((s) => s.verdict === 'allow')) {
    const reason = subcommands.length === 1 ? subcommands[0]!.reason : `every command matches an allow rule (${unique(subcommands.map((s) => code(s.rule))).join(', ')})`;
    return { ...base, verdict: 'allow', reason };
  }
  const unruled = subcommands.filter((s) => s.verdict === 'default');
  return { ...base, verdict: 'default', reason: unique(unruled.map((s) => s.reason)).join('; ') };
}

function whole(verdict: JudgedVerdict, reason: string): CommandJudgement {
  return { verdict, reason, subcommands: [], redirectWrites: [] };
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const PLAIN_WORD = /^[\w./:=@%+,^~-]+$/;
const EXACT = '(exact)';

/** A rule as the person reads and writes it in settings: `git status`, `git status (exact)`, `grep 'a b'`. */
export function formatRule(rule: CommandRule): string {
  const words = rule.words.map((word) => {
    if (PLAIN_WORD.test(word)) {
      return word;
    }
    return word.includes("'") ? `"${word.replace(/["\\]/g, '\\$&')}"` : `'${word}'`;
  });
  return words.join(' ') + (rule.exact ? ` ${EXACT}` : '');
}

/** The inverse of formatRule; undefined for text that names no command or has an unclosed quote. */
export function parseRule(text: string): CommandRule | undefined {
  if (typeof text !== 'string') {
    return undefined;
  }
  let body = text.trim();
  const exact = /(^|\s)\(exact\)$/i.test(body);
  if (exact) {
    body = body.slice(0, -EXACT.length);
  }
  const words: string[] = [];
  let current: string | undefined;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (/\s/.test(c)) {
      if (current !== undefined) {
        words.push(current);
      }
      current = undefined;
    } else if (c === "'" || c === '"') {
      const end = c === "'" ? body.indexOf("'", i + 1) : closingDoubleQuote(body, i + 1);
      if (end === -1) {
        return undefined;
      }
      const inner = body.slice(i + 1, end);
      current = (current ?? '') + (c === "'" ? inner : inner.replace(/\\(["\\])/g, '$1'));
      i = end;
    } else if (c === '\\' && i + 1 < body.length) {
      current = (current ?? '') + body[++i]!;
    } else {
      current = (current ?? '') + c;
    }
  }
  if (current !== undefined) {
    words.push(current);
  }
  if (words.length === 0) {
    return undefined;
  }
  return exact ? { words, exact: true } : { words };
}

function closingDoubleQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
    } else if (text[i] === '"') {
      return i;
    }
  }
  return -1;
}
