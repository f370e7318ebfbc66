import type { ChatErrorAction, ChatMessageView } from '../../../src/protocol/chat';
import { h } from '../shared/dom';
import { actionButton } from './buttons';
import { footerParts } from './format';

/** The smaller pieces of a message: its status badge, inline error, call footer and action bar. */

const BADGES: Partial<Record<ChatMessageView['status'], { text: string; icon: string; title: string }>> = {
  streaming: { text: 'Streaming…', icon: 'loading codicon-modifier-spin', title: 'The reply is still arriving; Esc stops it' },
  incomplete: { text: 'Incomplete', icon: 'warning', title: 'The reply ended before the model finished it' },
  cancelled: { text: 'Stopped', icon: 'debug-stop', title: 'You stopped this reply; what arrived is kept' },
  error: { text: 'Error', icon: 'error', title: 'The call failed' },
};

export function statusBadge(message: ChatMessageView): HTMLElement | null {
  const badge = BADGES[message.status];
  if (!badge) {
    return null;
  }
  return h(
    'span',
    { class: `status-badge badge-${message.status}`, title: badge.title },
    h('span', { class: `codicon codicon-${badge.icon}`, 'aria-hidden': 'true' }),
    h('span', {}, badge.text),
  );
}

const ERROR_ACTIONS: Record<ChatErrorAction, { text: string; icon: string; label: string }> = {
  setKey: { text: 'Set API Key', icon: 'key', label: "Set the provider's API key" },
  retry: { text: 'Retry', icon: 'refresh', label: 'Retry this reply' },
  openSettings: { text: 'Open Settings', icon: 'settings-gear', label: "Open the provider's settings" },
  newBranch: { text: 'Start a New Branch', icon: 'git-branch', label: 'Start a new branch from an earlier message' },
};

export function errorBlock(message: ChatMessageView): HTMLElement {
  const error = message.error!;
  const buttons = error.actions.map((action) => {
    const spec = ERROR_ACTIONS[action];
    return actionButton({ icon: spec.icon, label: spec.label, text: spec.text, action: 'error-action', data: { 'error-action': action } });
  });
  return h(
    'div',
    { class: 'message-error', role: 'group', 'aria-label': 'Error' },
    h('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }),
    h('div', { class: 'error-text' }, h('strong', {}, `${error.kind}: `), error.message),
    h('div', { class: 'error-actions' }, ...buttons),
  );
}

export function messageFooter(message: ChatMessageView): HTMLElement | null {
  if (message.role !== 'assistant') {
    return null;
  }
  const parts = footerParts(message);
  if (parts.length === 0) {
    return null;
  }
  const footer = h('footer', { class: 'message-footer' });
  parts.forEach((part, index) => {
    if (index > 0) {
      footer.append(h('span', { class: 'separator', 'aria-hidden': 'true' }, '·'));
    }
    footer.append(h('span', { 'aria-label': part.label, title: part.label }, part.text));
  });
  if (message.footer?.finishReason) {
    footer.title = `Finish reason: ${message.footer.finishReason}`;
  }
  return footer;
}

export function messageActions(message: ChatMessageView): HTMLElement {
  const bar = h('div', { class: 'message-actions', role: 'toolbar', 'aria-label': 'Message actions' });
  if (message.role === 'assistant') {
    bar.append(
      actionButton({ icon: 'refresh', label: 'Retry: ask again for another reply (a new branch)', action: 'retry' }),
      actionButton({ icon: 'repo-forked', label: 'Fork to a new session from this reply', action: 'fork' }),
      actionButton({ icon: 'inspect', label: 'Inspect this call', action: 'inspect' }),
      actionButton({ icon: 'copy', label: 'Copy message', action: 'copy-message' }),
    );
  } else if (message.role === 'user') {
    bar.append(
      actionButton({ icon: 'edit', label: 'Edit and resend (a new branch; nothing is deleted)', action: 'edit' }),
      actionButton({ icon: 'repo-forked', label: 'Fork to a new session from this message', action: 'fork' }),
      actionButton({ icon: 'copy', label: 'Copy message', action: 'copy-message' }),
    );
  } else {
    bar.append(actionButton({ icon: 'copy', label: 'Copy message', action: 'copy-message' }));
  }
  bar.append(h('span', { class: 'action-status', role: 'status', 'aria-live': 'polite' }));
  return bar;
}
