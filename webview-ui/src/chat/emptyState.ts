import { h } from '../shared/dom';
import type { ChatStore } from './store';

/**
 * What a new session shows instead of an empty list: who will answer, how to change that, how the keys work, and
 * a few starting points that fill the message box (they never send by themselves).
 */

const SUGGESTIONS = [
  'Explain what this project does and how its parts fit together.',
  'Write a unit test for a function that parses ISO 8601 dates.',
  'Review this code for bugs and suggest fixes:\n\n```\n\n```',
];

export function emptyState(store: ChatStore, fill: (text: string) => void): HTMLElement {
  const agent = store.agent;
  const who = agent
    ? [h('strong', {}, agent.name), ` answers, using ${agent.provider} · ${store.modelOverride ?? agent.model}.`]
    : store.agents.length > 0
      ? ['No agent is chosen for this session yet: pick one in the box under the message field.']
      : ['There are no agents yet: create one in the Agents view of the AI Studio sidebar, then pick it below.'];
  const suggestions = SUGGESTIONS.map((text) => {
    const button = h('button', { type: 'button', class: 'suggestion' }, text.split('\n')[0] ?? text);
    button.addEventListener('click', () => fill(text));
    return button;
  });
  return h(
    'div',
    { class: 'empty-inner' },
    h('span', { class: 'codicon codicon-comment-discussion empty-icon', 'aria-hidden': 'true' }),
    h('h2', {}, store.session?.title || 'New session'),
    h('p', {}, ...who),
    h(
      'p',
      { class: 'hint' },
      'Type a message below and press Enter to send it (Shift+Enter for a new line). Change the agent or the model for the next message in the bar under the message box. Every reply can be retried, every message edited: the old branch stays, switch with ‹ ›.',
    ),
    h('div', { class: 'suggestions', role: 'group', 'aria-label': 'Suggestions (fill the message box)' }, ...suggestions),
  );
}
