import { h } from '../shared/dom';

/**
 * One labelled field of the editor: its label tied to the control (`for`), a message line and an optional hint,
 * both tied to it through `aria-describedby`, so a screen reader reads the error with the field. Shared by the
 * form's fields and the Tools section's rows, so every error shows the same way next to its field.
 */

/** The value-holding part of every control used here (vscode-textfield, -textarea, -single-select, input). */
export interface ValueControl extends HTMLElement {
  value: string;
}

export interface FieldView {
  control: ValueControl;
  message: HTMLElement;
}

export function fieldRow(
  id: string,
  className: string,
  label: string,
  control: ValueControl,
  hint?: string | Node,
  ...extra: Node[]
): { row: HTMLElement; view: FieldView } {
  control.id = id;
  const message = h('div', { id: `${id}-message`, class: 'message', 'aria-live': 'polite' });
  const hintLine = hint !== undefined ? h('div', { id: `${id}-hint`, class: 'hint' }, hint) : undefined;
  control.setAttribute('aria-describedby', [message.id, hintLine?.id].filter(Boolean).join(' '));
  const row = h(
    'div',
    { class: `field ${className}` },
    h('label', { for: id, class: 'field-label' }, label),
    h('div', { class: 'field-control' }, control, ...extra),
    message,
    ...(hintLine ? [hintLine] : []),
  );
  return { row, view: { control, message } };
}

/** Shows one field's message: an error (which marks the control invalid), a warning, or nothing. */
export function showMessage(view: FieldView, error: string | undefined, warning: string | undefined): void {
  const text = error ?? warning ?? '';
  view.message.textContent = text;
  view.message.className = `message${error ? ' error' : warning ? ' warning' : ''}`;
  view.control.toggleAttribute('invalid', error !== undefined);
  view.control.setAttribute('aria-invalid', String(error !== undefined));
}
