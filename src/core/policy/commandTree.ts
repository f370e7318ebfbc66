import type { Node } from '@vscode/tree-sitter-wasm';
import { expansionProblems, heredocHead, isWrite } from './commandNodes';
import { snippet } from './commandText';
import { wordOf, type ShellWord } from './commandWords';

/**
 * Bash command lines as a tree, with tree-sitter's bash grammar (the one VS Code's terminal auto-approval uses),
 * reduced to what the command policy judges: every simple command the line holds, wherever it sits (lists,
 * pipelines, sub-shells, groups, `$(...)`, backticks, `<(...)`, if/while/for/case bodies, function bodies,
 * heredoc bodies), with its words, leading assignments and redirections, and every construct the policy cannot
 * judge from the text as a problem. The walk knows each node type it meets; anything else (a parse error, a
 * missing token, a node type it does not know) becomes a problem, so the policy fails closed.
 */

export interface ShellRedirect {
  /** The operator as written, with its descriptor: `>`, `2>>`, `&>`, `<`, `<<`, `<<<`, `>&`. */
  operator: string;
  target?: ShellWord;
  /** Opens a file for writing. */
  writes: boolean;
}

export interface ShellCommand {
  /** As written, with its own redirections. */
  text: string;
  /** Leading `NAME=value` assignments, as written. */
  assignments: string[];
  /** The command name first; empty for a line that is only a redirection. */
  words: ShellWord[];
  redirects: ShellRedirect[];
  /** Why this command cannot be judged from its text alone. */
  problems: string[];
  /** Another command's output is piped into it. */
  pipedInto: boolean;
  /** The body of a heredoc it reads, as written. */
  heredoc?: string;
}

export interface ParsedLine {
  commands: ShellCommand[];
  /** Problems of the line rather than of one command (syntax errors, function definitions). */
  problems: string[];
  /** Redirections of a group, sub-shell or loop, or of a line that is only a redirection. */
  redirects: ShellRedirect[];
}

const MAX_DEPTH = 150;
/** A typical line has well under a hundred nodes; a script of a hundred lines, a few thousand. */
const MAX_NODES = 4000;

/** Node types the walk descends through; their commands are collected, nothing else about them matters. */
const STRUCTURE = new Set([
  'program', 'list', 'compound_statement', 'subshell', 'do_group', 'if_statement', 'elif_clause', 'else_clause',
  'while_statement', 'for_statement', 'c_style_for_statement', 'case_statement', 'case_item', 'negated_command',
  'test_command', 'binary_expression', 'unary_expression', 'parenthesized_expression', 'ternary_expression',
  'postfix_expression', 'arithmetic_expansion', 'command_substitution', 'process_substitution', 'simple_expansion',
  'string', 'raw_string', 'ansi_c_string', 'translated_string', 'concatenation', 'number', 'array', 'subscript',
  'brace_expression', 'heredoc_body', 'heredoc_content', 'heredoc_start', 'heredoc_end', 'string_content',
  'variable_name', 'special_variable_name', 'regex', 'test_operator', 'file_descriptor', 'extglob_pattern',
  'comment', 'command_name', 'word',
]);

const REDIRECTS = new Set(['file_redirect', 'heredoc_redirect', 'herestring_redirect']);

const ARITHMETIC = new Set(['test_command', 'arithmetic_expansion', 'c_style_for_statement']);

interface Context {
  owner?: ShellCommand;
  piped: boolean;
  depth: number;
  arithmetic: boolean;
}

export class Walker {
  readonly line: ParsedLine = { commands: [], problems: [], redirects: [] };
  private nodes = 0;
  /** Redirections that tree-sitter hung on a list or pipeline, for the command at this range (its last). */
  private readonly trailing = new Map<string, Node[]>();

  constructor(private readonly source: string) {}

  problem(ctx: Context, reason: string): void {
    const list = ctx.owner ? ctx.owner.problems : this.line.problems;
    if (!list.includes(reason)) {
      list.push(reason);
    }
  }

  visit(node: Node, ctx: Context): void {
    if (ctx.depth > MAX_DEPTH) {
      this.problem(ctx, 'the line is nested too deeply to judge');
      return;
    }
    if (++this.nodes > MAX_NODES) {
      this.problem({ ...ctx, owner: undefined }, 'the line is too long or complex to judge');
      return;
    }
    const inner = { ...ctx, depth: ctx.depth + 1 };
    if (node.isMissing) {
      this.problem(ctx, `the line is incomplete: ${snippet(node.type)} is missing`);
      return;
    }
    switch (node.type) {
      case 'command': {
        const key = `${node.startIndex}:${node.endIndex}`;
        const trailing = this.trailing.get(key) ?? [];
        this.trailing.delete(key);
        return this.command(node, trailing, inner);
      }
      case 'redirected_statement':
        return this.redirected(node, inner);
      case 'declaration_command':
      case 'unset_command':
        return this.declaration(node, inner);
      case 'pipeline':
        return this.pipeline(node, inner);
      case 'function_definition':
        this.problem({ ...ctx, owner: undefined }, `${snippet(node.childForFieldName('name')?.text ?? '')} is defined as a shell function, which stays defined in this terminal`);
        return this.children(node, { ...inner, owner: undefined });
      case 'variable_assignment':
      case 'variable_assignments':
        this.problem(ctx, `${snippet(node.text)} sets a shell variable that later commands in this terminal see`);
        return this.children(node, inner);
      case 'expansion':
        for (const reason of expansionProblems(node)) {
          this.problem(ctx, reason);
        }
        return this.children(node, inner);
      case 'file_redirect':
      case 'heredoc_redirect':
      case 'herestring_redirect':
        // A redirection outside a simple command (in `$(< file)`, say).
        this.line.redirects.push(...this.redirect(node, inner));
        return;
      case 'ERROR':
        this.problem(ctx, `${snippet(node.text)} could not be parsed as shell syntax`);
        return this.children(node, inner);
      default:
        if (!STRUCTURE.has(node.type)) {
          this.problem(ctx, `uses shell syntax the policy does not judge (${node.type})`);
          return;
        }
        if ((node.type === 'word' || node.type === 'string_content') && /!(?![\s=(]|$)/.test(node.text)) {
          this.problem(ctx, `${snippet(node.text)} may be replaced by an earlier command (history expansion)`);
        }
        if (ctx.arithmetic && (node.type === 'raw_string' || node.type === 'string_content') && /\$\(|`/.test(node.text)) {
          this.problem(ctx, `${snippet(node.text)} is evaluated as arithmetic, which can run text as a command`);
        }
        return this.children(node, ARITHMETIC.has(node.type) ? { ...inner, arithmetic: true } : inner);
    }
  }

  children(node: Node, ctx: Context): void {
    for (const child of node.children) {
      if (!child) {
        continue;
      }
      if (child.isNamed || child.isMissing) {
        this.visit(child, ctx);
      }
    }
  }

  pipeline(node: Node, ctx: Context): void {
    let piped = ctx.piped;
    for (const child of node.children) {
      if (!child) {
        continue;
      }
      if (!child.isNamed) {
        if (child.isMissing) {
          this.visit(child, ctx);
        }
        piped = child.type === '|' || child.type === '|&';
        continue;
      }
      this.visit(child, { ...ctx, piped });
    }
  }

  command(node: Node, outer: Node[], ctx: Context): void {
    const command: ShellCommand = { text: node.text, assignments: [], words: [], redirects: [], problems: [], pipedInto: ctx.piped };
    this.line.commands.push(command);
    const own: Context = { ...ctx, owner: command, piped: false };
    const extra: ShellWord[] = [];
    let lastWordEnd = -1;
    // tree-sitter reads `0<in` as an argument `0` and `<in`; bash reads digits right before `<` or `>` as the
    // descriptor, so `git 0<x push` is `git push` and must not slip past a deny rule as `git 0 push`.
    const dropDescriptor = (redirect: Node): void => {
      const previous = command.words[command.words.length - 1];
      if (previous && command.words.length > 1 && /^\d+$/.test(previous.text) && lastWordEnd === redirect.startIndex) {
        command.words.pop();
        lastWordEnd = -1;
      }
    };
    node.children.forEach((child, index) => {
      if (!child) {
        return;
      }
      const field = node.fieldNameForChild(index);
      if (child.isMissing) {
        this.visit(child, own);
      } else if (child.type === 'variable_assignment' && command.words.length === 0) {
        command.assignments.push(child.text);
        this.children(child, own);
      } else if (REDIRECTS.has(child.type)) {
        dropDescriptor(child);
        command.redirects.push(...this.redirect(child, own, extra));
      } else if (child.isNamed && (field === 'name' || field === 'argument')) {
        const node = child.type === 'command_name' ? child.firstNamedChild : child;
        const word = node ? wordOf(node) : { text: child.text };
        const previous = command.words[command.words.length - 1];
        if (previous && this.source.slice(lastWordEnd, child.startIndex) === '\\\n') {
          // `r\<newline>m`: bash removes the backslash-newline and reads one word, `rm`; tree-sitter reads two.
          previous.text += `\\\n${word.text}`;
          previous.value = previous.value !== undefined && word.value !== undefined ? previous.value + word.value : undefined;
          if (previous.value === undefined) {
            delete previous.value;
          }
        } else {
          command.words.push(word);
        }
        lastWordEnd = child.endIndex;
        this.visit(child, own);
      } else {
        // `=(cmd)` (zsh process substitution), `$"..."` and the like parse as odd children of a command.
        this.problem(own, `${snippet(child.text)} is shell syntax the policy does not judge`);
        this.visit(child, own);
      }
    });
    for (const redirect of outer) {
      dropDescriptor(redirect);
      command.redirects.push(...this.redirect(redirect, own, extra));
      if (redirect.type === 'heredoc_redirect') {
        command.heredoc = redirect.children.find((c) => c?.type === 'heredoc_body')?.text ?? '';
      }
    }
    command.words.push(...extra);
    if (outer.some((r) => r.type === 'heredoc_redirect')) {
      command.text = [node.text, ...outer.map((r) => (r.type === 'heredoc_redirect' ? heredocHead(r) : r.text))].join(' ');
    } else if (outer.length > 0) {
      command.text = this.source.slice(node.startIndex, Math.max(...outer.map((r) => r.endIndex)));
    }
  }

  redirected(node: Node, ctx: Context): void {
    // Node objects are fresh wrappers on every access, so children are told apart by field and type, not identity.
    let body: Node | undefined;
    const redirects: Node[] = [];
    node.children.forEach((child, index) => {
      if (!child) {
        return;
      }
      if (node.fieldNameForChild(index) === 'body') {
        body = child;
      } else if (REDIRECTS.has(child.type)) {
        redirects.push(child);
      } else if (child.isNamed || child.isMissing) {
        this.visit(child, ctx);
      }
    });
    if (body?.type === 'command') {
      this.command(body, redirects, ctx);
      return;
    }
    // tree-sitter hangs `a && b > f` and `a | b > f` on the whole list; bash redirects only `b`.
    let last = body;
    while (last && (last.type === 'list' || last.type === 'pipeline')) {
      last = last.lastNamedChild ?? undefined;
    }
    const key = last?.type === 'command' ? `${last.startIndex}:${last.endIndex}` : undefined;
    if (key) {
      this.trailing.set(key, redirects);
    }
    if (body) {
      this.visit(body, ctx);
    }
    if (key && !this.trailing.delete(key)) {
      return; // the command took them
    }
    const extra: ShellWord[] = [];
    for (const redirect of redirects) {
      this.line.redirects.push(...this.redirect(redirect, ctx, extra));
    }
    if (extra.length > 0) {
      this.problem(ctx, `${snippet(extra.map((w) => w.text).join(' '))} follows a redirection where no command takes it`);
    }
  }

  declaration(node: Node, ctx: Context): void {
    const command: ShellCommand = { text: node.text, assignments: [], words: [], redirects: [], problems: [], pipedInto: ctx.piped };
    this.line.commands.push(command);
    node.children.forEach((child, index) => {
      if (child && (child.isNamed || index === 0)) {
        // The keyword (`export`, `unset`) is an anonymous token; its operands are words or assignments.
        command.words.push(child.isNamed ? wordOf(child) : { text: child.text, value: child.text });
      }
    });
    const own = { ...ctx, owner: command, piped: false };
    this.problem(own, `${snippet(command.words[0]?.text ?? node.text)} changes shell variables for later commands in this terminal`);
    this.children(node, own);
  }

  /**
   * One redirection, and those nested in a heredoc's line. tree-sitter takes every word after `>` for a
   * destination (`git > out push`); bash takes the first, and the rest are the command's arguments: `extra`.
   */
  redirect(node: Node, ctx: Context, extra: ShellWord[] = []): ShellRedirect[] {
    const found: ShellRedirect[] = [];
    let operator = '';
    let descriptor = '';
    let target: Node | undefined;
    node.children.forEach((child, index) => {
      if (!child) {
        return;
      }
      const field = node.fieldNameForChild(index);
      if (child.isMissing || child.type === 'ERROR') {
        this.visit(child, ctx);
      } else if (field === 'descriptor') {
        descriptor = child.text;
      } else if (field === 'destination' || (node.type === 'herestring_redirect' && child.isNamed)) {
        if (target) {
          extra.push(wordOf(child));
        } else {
          target = child;
        }
        this.visit(child, ctx);
      } else if (field === 'redirect') {
        found.push(...this.redirect(child, ctx, extra));
      } else if (field === 'right') {
        // `cat <<EOF && rm x`: the rest of the list hangs off the heredoc.
        this.visit(child, { ...ctx, owner: undefined, piped: false });
      } else if (child.type === 'pipeline') {
        // `cat <<EOF | sh`: so does the rest of the pipeline.
        this.children(child, { ...ctx, owner: undefined, piped: true });
      } else if (!child.isNamed) {
        operator ||= field === 'operator' ? '' : child.text;
      } else {
        this.visit(child, ctx);
      }
    });
    const word = target ? wordOf(target) : undefined;
    if (word && /^\/dev\/(tcp|udp)\//.test(word.value ?? word.text)) {
      this.problem(ctx, `${snippet(word.text)} opens a network connection`);
    }
    const writes = node.type === 'file_redirect' && isWrite(operator, target, word);
    found.unshift({ operator: descriptor + operator, ...(word ? { target: word } : {}), writes });
    return found;
  }
}
