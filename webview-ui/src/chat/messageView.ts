import type { ChatMessageView } from '../../../src/protocol/chat';
import { h } from '../shared/dom';
import { branchSwitcher } from './branchSwitcher';
import { decorateCodeBlocks } from './codeBlocks';
import { inlineEditor, type InlineEditorCallbacks } from './inlineEditor';
import { renderMarkdown } from './markdown';
import { errorBlock, messageActions, messageFooter, statusBadge } from './messageParts';
import { messageTime } from './format';
import { endStreaming, renderStreaming } from './streamingMarkdown';
import type { SiblingInfo } from './store';
import { buildToolSteps, type ToolStepsContext } from './toolSteps';
import type { TurnContext } from './turns';
import { undoControls } from './undoControls';

/**
 * One message as an `<article>` of the conversation feed. User text is shown as typed (text nodes, pre-wrap);
 * assistant text as sanitized Markdown. Everything clickable carries `data-action` for the delegated handler.
 */

export interface MessageContext {
  siblings: SiblingInfo | null;
  /** The agent's name for an assistant message, when the panel knows which agent version wrote it. */
  agentName: string | null;
  /** Set while the user edits this (user) message inline. */
  edit: { draft: string; focus: boolean; callbacks: InlineEditorCallbacks } | null;
  /** Where the message sits in a turn with tool steps (turns.ts). */
  turn?: TurnContext;
  /** A tool message's rows: the calls' arguments and which rows are open. */
  tools?: ToolStepsContext;
  /** The state of this message's Undo, when it offers one. */
  undo?: { busy: boolean; notice: string | undefined };
}

const ROLE_LABELS: Record<ChatMessageView['role'], string> = { user: 'You', assistant: 'Assistant', system: 'System', tool: 'Tool' };
const ROLE_ICONS: Record<ChatMessageView['role'], string> = { user: 'account', assistant: 'sparkle', system: 'gear', tool: 'tools' };

export function buildMessage(message: ChatMessageView, context: MessageContext): HTMLElement {
  if (message.role === 'tool' && message.tools && context.tools) {
    return toolMessage(message, context.tools);
  }
  const labelId = `message-label-${message.id}`;
  const name = message.role === 'assistant' && context.agentName ? context.agentName : ROLE_LABELS[message.role];
  const header = h(
    'header',
    { class: 'message-header' },
    h('span', { class: `codicon codicon-${ROLE_ICONS[message.role]} role-icon`, 'aria-hidden': 'true' }),
    h('span', { class: 'message-author', id: labelId }, name),
    h('time', { class: 'message-time', datetime: new Date(message.createdAt).toISOString(), title: new Date(message.createdAt).toLocaleString() }, messageTime(message.createdAt)),
  );
  const badge = statusBadge(message);
  if (badge) {
    header.append(badge);
  }
  if (context.siblings) {
    header.append(branchSwitcher(context.siblings));
  }

  const article = h('article', {
    class: `message ${message.role} status-${message.status}${context.turn?.continuation ? ' continuation' : ''}`,
    'data-id': message.id,
    tabindex: '-1',
    'aria-labelledby': labelId,
    'aria-busy': String(message.status === 'streaming'),
  });
  article.append(header);

  if (context.edit && message.role === 'user') {
    article.append(inlineEditor(message.id, context.edit.draft, context.edit.callbacks, context.edit.focus));
    return article;
  }

  const body = h('div', { class: 'message-body' });
  article.append(body);
  fillBody(body, message);
  const reasoning = reasoningBlock(message);
  if (reasoning) {
    body.before(reasoning);
  }
  // Calls the tool message below shows as steps are not repeated here as raw JSON.
  for (const call of context.turn?.callsShownBelow ? [] : message.toolCalls) {
    article.append(
      h('details', { class: 'tool-call' }, h('summary', {}, `Tool call: ${call.name}`), h('pre', { class: 'tool-arguments' }, call.arguments)),
    );
  }
  if (message.error) {
    article.append(errorBlock(message));
  }
  const footer = messageFooter(message);
  if (footer) {
    article.append(footer);
  }
  const actions = messageActions(message);
  if (context.turn?.undo && context.undo) {
    actions.lastElementChild?.before(...undoControls(context.undo.busy, context.undo.notice));
  }
  article.append(actions);
  return article;
}

/**
 * A tool message: its calls as compact rows, read as part of the reply above (no header of its own; the
 * article is still a focusable item of the feed, labelled for screen readers).
 */
function toolMessage(message: ChatMessageView, tools: ToolStepsContext): HTMLElement {
  const labelId = `message-label-${message.id}`;
  const count = message.tools?.length ?? 0;
  return h(
    'article',
    {
      class: `message tool tool-message status-${message.status}`,
      'data-id': message.id,
      tabindex: '-1',
      'aria-labelledby': labelId,
      'aria-busy': String((message.tools ?? []).some((call) => call.state === 'running')),
    },
    h('span', { class: 'offscreen', id: labelId }, `Tool steps (${count} ${count === 1 ? 'call' : 'calls'})`),
    buildToolSteps(message, tools),
  );
}

/** Re-renders only the streamed parts of a message element (its text and reasoning), in place. */
export function updateStreamedText(article: HTMLElement, message: ChatMessageView): void {
  const body = article.querySelector<HTMLElement>(':scope > .message-body');
  if (body) {
    fillBody(body, message);
  }
  const existing = article.querySelector(':scope > .reasoning');
  const reasoning = reasoningBlock(message, existing?.hasAttribute('open') ?? false);
  if (existing && reasoning) {
    existing.replaceWith(reasoning);
  } else if (reasoning && body) {
    body.before(reasoning);
  }
}

function fillBody(body: HTMLElement, message: ChatMessageView): void {
  if (message.role === 'assistant' && message.status === 'streaming') {
    renderStreaming(body, message.text);
  } else if (message.role === 'assistant') {
    endStreaming(body);
    const fragment = renderMarkdown(message.text);
    decorateCodeBlocks(fragment);
    body.replaceChildren(fragment);
  } else {
    // What a person typed is shown exactly as typed, never interpreted as Markdown or HTML.
    body.replaceChildren(h('div', { class: 'plain-text' }, message.text));
  }
}

function reasoningBlock(message: ChatMessageView, open = false): HTMLElement | null {
  if (message.reasoning === '') {
    return null;
  }
  const details = h('details', { class: 'reasoning' }, h('summary', {}, 'Reasoning'), h('div', { class: 'plain-text' }, message.reasoning));
  details.toggleAttribute('open', open);
  return details;
}
