import { h } from '../shared/dom';
import { actionButton } from './buttons';
import { autoGrow } from './autoGrow';

/**
 * Edit-and-resend in place of a user message. Enter or Ctrl+Enter sends the edit (a new sibling: the original
 * and its replies stay reachable through the branch switcher), Shift+Enter is a new line, Esc cancels. The
 * draft lives in the transcript's state, not in this element, so scrolling the message out of view and back
 * (the list is virtualized) or re-rendering it loses nothing.
 */

export interface InlineEditorCallbacks {
  onInput(messageId: string, text: string): void;
  onSubmit(messageId: string): void;
  onCancel(messageId: string): void;
}

export function inlineEditor(messageId: string, draft: string, callbacks: InlineEditorCallbacks, focus: boolean): HTMLElement {
  const input = h('textarea', { class: 'edit-input', rows: '2', 'aria-label': 'Edit message, then press Enter to send it as a new branch' });
  input.value = draft;
  input.addEventListener('input', () => {
    callbacks.onInput(messageId, input.value);
    autoGrow(input);
  });
  input.addEventListener('keydown', (event) => {
    if (event.isComposing) {
      return;
    }
    if (event.key === 'Enter' && (!event.shiftKey || event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      callbacks.onSubmit(messageId);
    } else if (event.key === 'Escape') {
      // Esc here cancels the edit; it must not also stop a streaming reply.
      event.preventDefault();
      event.stopPropagation();
      callbacks.onCancel(messageId);
    }
  });
  const editor = h(
    'div',
    { class: 'inline-editor' },
    input,
    h(
      'div',
      { class: 'inline-editor-bar' },
      h('span', { class: 'hint' }, 'Enter to send as a new branch · Shift+Enter for a new line · Esc to cancel'),
      actionButton({ icon: 'close', label: 'Cancel editing', text: 'Cancel', action: 'edit-cancel' }),
      actionButton({ icon: 'send', label: 'Send edited message', text: 'Send', action: 'edit-submit' }),
    ),
  );
  // Sized (and, when the user just chose Edit, focused) once attached: a detached textarea has no scrollHeight.
  requestAnimationFrame(() => {
    if (input.isConnected) {
      autoGrow(input);
      if (focus) {
        input.focus();
        input.setSelectionRange(input.value.length, input.value.length);
      }
    }
  });
  return editor;
}
