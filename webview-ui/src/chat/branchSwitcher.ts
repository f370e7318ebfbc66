import { h } from '../shared/dom';
import { actionButton } from './buttons';
import type { SiblingInfo } from './store';

/**
 * ‹ 2/3 › on a message that has siblings (edits of a question, retries of a reply). Each arrow asks the host
 * for the newest path through that sibling (chat/selectBranch) and the panel then shows the leaf it returns.
 * Real buttons, so Tab reaches them and Enter/Space work; the group's label says where you are.
 */

export function branchSwitcher(siblings: SiblingInfo): HTMLElement {
  const position = `${siblings.index + 1} of ${siblings.count}`;
  const previous = actionButton({
    icon: 'chevron-left',
    label: `Previous branch (this is ${position})`,
    action: 'select-branch',
    data: siblings.previousId ? { target: siblings.previousId, direction: 'previous' } : { direction: 'previous' },
    disabled: siblings.previousId === null,
  });
  const next = actionButton({
    icon: 'chevron-right',
    label: `Next branch (this is ${position})`,
    action: 'select-branch',
    data: siblings.nextId ? { target: siblings.nextId, direction: 'next' } : { direction: 'next' },
    disabled: siblings.nextId === null,
  });
  return h(
    'div',
    { class: 'branch-switcher', role: 'group', 'aria-label': `Branch ${position}` },
    previous,
    h('span', { class: 'branch-position', 'aria-hidden': 'true' }, `${siblings.index + 1}/${siblings.count}`),
    next,
  );
}
