import { h } from '../shared/dom';
import { actionButton } from './buttons';

/**
 * Gives each rendered code block a header with its language and the Copy and Insert-at-cursor buttons. Runs
 * on sanitized nodes and adds our own elements, which the sanitizer would (rightly) have removed from model
 * output. The code to copy is read back from the block's text, so no second copy of it is kept anywhere.
 */

export function decorateCodeBlocks(root: ParentNode): void {
  for (const pre of root.querySelectorAll('pre.code-block')) {
    const code = pre.querySelector('code');
    const language = /(?:^|\s)language-([\w+#.-]+)/.exec(code?.className ?? '')?.[1] ?? '';
    const header = h(
      'div',
      { class: 'code-header' },
      h('span', { class: 'code-language' }, language || 'text'),
      h('span', { class: 'code-status', role: 'status', 'aria-live': 'polite' }),
      actionButton({ icon: 'copy', label: 'Copy code', text: 'Copy', action: 'copy-code' }),
      actionButton({ icon: 'insert', label: 'Insert code at cursor', text: 'Insert', action: 'insert-code' }),
    );
    const container = h('div', { class: 'code-container' });
    pre.replaceWith(container);
    container.append(header, pre);
    // A scrollable region must be reachable from the keyboard to scroll long lines.
    pre.setAttribute('tabindex', '0');
    pre.setAttribute('aria-label', `${language || 'Code'} block`);
  }
}

/** The code of the block a button belongs to. */
export function codeOf(button: Element): string | undefined {
  return button.closest('.code-container')?.querySelector('pre code')?.textContent ?? undefined;
}
