import { h } from '../shared/dom';

/**
 * A unified diff as the approval card shows it: one line element per diff line, coloured like VS Code's diff
 * editor (added / removed / hunk header / file header), its text set through text nodes only. The diff is what
 * will be written, so it is shown whole; only a diff past any real edit is cut, and says so.
 */

const MAX_LINES = 10_000;

type LineKind = 'added' | 'removed' | 'hunk' | 'meta' | 'context' | 'note';

function kindOf(line: string): LineKind {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('Index: ') || line.startsWith('====')) {
    return 'meta';
  }
  if (line.startsWith('@@')) {
    return 'hunk';
  }
  if (line.startsWith('+')) {
    return 'added';
  }
  if (line.startsWith('-')) {
    return 'removed';
  }
  if (line.startsWith('\\')) {
    return 'note';
  }
  return 'context';
}

export interface DiffView {
  element: HTMLElement;
  added: number;
  removed: number;
}

export function diffView(diff: string, label: string): DiffView {
  const lines = diff.endsWith('\n') ? diff.slice(0, -1).split('\n') : diff.split('\n');
  const pre = h('pre', { class: 'diff-view', tabindex: '0', 'aria-label': label });
  let added = 0;
  let removed = 0;
  lines.forEach((line, index) => {
    const kind = kindOf(line);
    added += Number(kind === 'added');
    removed += Number(kind === 'removed');
    if (index < MAX_LINES) {
      // The line keeps its +/- sign: colour alone would not tell a screen reader (or a colour-blind reader).
      pre.append(h('span', { class: `diff-line diff-${kind}` }, line === '' ? ' ' : line));
    }
  });
  if (lines.length > MAX_LINES) {
    pre.append(h('span', { class: 'diff-line diff-note' }, `… ${(lines.length - MAX_LINES).toLocaleString()} more lines not shown; the whole diff is in the Inspector.`));
  }
  return { element: pre, added, removed };
}
