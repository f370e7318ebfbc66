import type { Node } from '@vscode/tree-sitter-wasm';
import { snippet } from './commandText';
import type { ShellWord } from './commandWords';

/** Small judgements on single tree-sitter nodes, for the walk in commandTree.ts. */

/** Why a `${...}` expansion cannot be judged from the text: CVE-2025-58370's `${x@P}` and `${!x}`, and assignments. */
export function expansionProblems(node: Node): string[] {
  const problems: string[] = [];
  const operators = node.children.filter((child, index): child is Node => !!child && node.fieldNameForChild(index) === 'operator').map((o) => o.text);
  if (node.children[1]?.type === '!') {
    problems.push(`${snippet(node.text)} names another variable only when it runs (indirect expansion)`);
  }
  if (operators.includes('@')) {
    problems.push(`${snippet(node.text)} transforms a value in ways that can run commands`);
  }
  if (operators.some((o) => o === '=' || o === ':=')) {
    problems.push(`${snippet(node.text)} assigns a shell variable as a side effect`);
  }
  return problems;
}

/** How a heredoc is shown in a command's text: `<<EOF`, without its body. */
export function heredocHead(redirect: Node): string {
  const operator = redirect.children.find((c) => c && !c.isNamed)?.text ?? '<<';
  return operator + (redirect.children.find((c) => c?.type === 'heredoc_start')?.text ?? '');
}

/** Redirect targets that are not files. */
const HARMLESS_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);

/** Whether a redirection opens a file for writing; duplicating or closing a descriptor does not. */
export function isWrite(op: string, target: Node | undefined, word: ShellWord | undefined): boolean {
  if (target?.type === 'process_substitution' || op === '>&-' || op === '<&-' || HARMLESS_TARGETS.has(word?.value ?? '')) {
    return false;
  }
  if (op === '>&' || op === '<&') {
    return op === '>&' && !(target?.type === 'number' || target?.text === '-');
  }
  return op.startsWith('>') || op.startsWith('&>');
}
