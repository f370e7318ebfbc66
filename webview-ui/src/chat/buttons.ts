import { h } from '../shared/dom';

/**
 * Small native buttons for the message list. Native `<button>`s rather than web components: a long session
 * renders a few hundred of them as it scrolls, and they need nothing but a codicon, a label and focus styles.
 * Each carries `data-action`; one delegated listener (actions.ts) handles every click, so a message element
 * can be cached and re-attached without re-wiring anything.
 */

export interface ButtonOptions {
  icon: string;
  /** The accessible name, also the tooltip. */
  label: string;
  action: string;
  /** Visible text next to the icon; icon-only when omitted. */
  text?: string;
  data?: Record<string, string>;
  disabled?: boolean;
}

export function actionButton(options: ButtonOptions): HTMLButtonElement {
  const attributes: Record<string, string> = {
    type: 'button',
    class: options.text ? 'action-button with-text' : 'action-button',
    'data-action': options.action,
    'aria-label': options.label,
    title: options.label,
  };
  for (const [key, value] of Object.entries(options.data ?? {})) {
    attributes[`data-${key}`] = value;
  }
  const button = h('button', attributes, h('span', { class: `codicon codicon-${options.icon}`, 'aria-hidden': 'true' }));
  if (options.text) {
    button.append(h('span', { class: 'button-text' }, options.text));
  }
  button.disabled = options.disabled ?? false;
  return button;
}
