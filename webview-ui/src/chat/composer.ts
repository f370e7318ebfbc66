import { h } from '../shared/dom';
import { AgentPicker } from './agentPicker';
import { autoGrow } from './autoGrow';
import type { ChatStore } from './store';

/**
 * The message box at the bottom. Enter sends (after the current leaf), Shift+Enter is a new line, and while a
 * reply streams Send becomes Stop (Esc works from anywhere in the panel). Text is never lost: it is cleared only
 * once the host accepted it, restored if sending failed, and kept as a draft across a panel reload.
 */

/** The protocol's bound on a user message; longer text is refused here with a reason instead of by the host. */
const MAX_MESSAGE_LENGTH = 200_000;

export interface ComposerHooks {
  send(text: string): Promise<boolean>;
  stop(): void;
  setAgent(agentId: string, model: string | null): void;
  draftChanged(text: string): void;
}

export class Composer {
  readonly element: HTMLElement;
  readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLElement;
  private readonly stopButton: HTMLElement;
  private readonly status: HTMLElement;
  private readonly picker: AgentPicker;
  private sending = false;

  constructor(
    private readonly store: ChatStore,
    private readonly hooks: ComposerHooks,
    draft: string,
  ) {
    this.input = h('textarea', { id: 'composer-input', class: 'composer-input', rows: '1', 'aria-describedby': 'composer-hint' });
    this.input.value = draft;
    this.sendButton = h('vscode-button', { id: 'send-button', icon: 'send', title: 'Send (Enter)' }, 'Send');
    this.stopButton = h('vscode-button', { id: 'stop-button', icon: 'debug-stop', secondary: '', title: 'Stop the reply (Esc)', hidden: '' }, 'Stop');
    this.status = h('div', { id: 'composer-status', class: 'composer-status', role: 'status', 'aria-live': 'polite' });
    this.picker = new AgentPicker(store, (agentId, model) => hooks.setAgent(agentId, model));
    this.element = h(
      'div',
      { class: 'composer' },
      this.status,
      h('div', { class: 'composer-box' }, this.input, h('div', { class: 'composer-buttons' }, this.sendButton, this.stopButton)),
      h(
        'div',
        { class: 'composer-bar' },
        this.picker.element,
        h('span', { id: 'composer-hint', class: 'hint' }, 'Enter to send · Shift+Enter for a new line · Esc stops a reply'),
      ),
    );

    this.input.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.input.addEventListener('input', () => {
      autoGrow(this.input);
      hooks.draftChanged(this.input.value);
    });
    this.sendButton.addEventListener('click', () => void this.send());
    this.stopButton.addEventListener('click', () => hooks.stop());
    requestAnimationFrame(() => autoGrow(this.input));
  }

  /** Re-reads the store: streaming state, agent and model. */
  update(): void {
    const streaming = this.store.isStreaming;
    this.sendButton.toggleAttribute('hidden', streaming);
    this.stopButton.toggleAttribute('hidden', !streaming);
    this.sendButton.toggleAttribute('disabled', this.sending || !this.store.loaded);
    this.picker.update();
    const agent = this.store.agent;
    const who = agent ? `${agent.name} (${this.store.modelOverride ?? agent.model})` : 'the agent';
    this.input.setAttribute('aria-label', `Message to ${who}`);
    this.input.placeholder = agent ? `Message ${agent.name}…` : 'Choose an agent below, then type a message…';
  }

  /** Puts text into the box (an empty-state suggestion) without sending it. */
  fill(text: string): void {
    this.input.value = text;
    autoGrow(this.input);
    this.hooks.draftChanged(text);
    this.input.focus();
  }

  showStatus(message: string, kind: 'info' | 'error' = 'info'): void {
    this.status.textContent = message;
    this.status.classList.toggle('error', kind === 'error');
    this.status.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.isComposing) {
      return;
    }
    if (event.shiftKey && !event.ctrlKey && !event.metaKey) {
      // Shift+Enter: the textarea's own new line.
      return;
    }
    event.preventDefault();
    void this.send();
  }

  private async send(): Promise<void> {
    const text = this.input.value;
    if (text.trim() === '' || this.sending) {
      return;
    }
    if (this.store.isStreaming) {
      this.showStatus('A reply is still streaming: press Esc (or Stop) to stop it, or wait for it to finish.');
      return;
    }
    if (text.length > MAX_MESSAGE_LENGTH) {
      this.showStatus(`The message is too long (${text.length.toLocaleString()} characters; the limit is ${MAX_MESSAGE_LENGTH.toLocaleString()}).`, 'error');
      return;
    }
    this.sending = true;
    this.update();
    this.showStatus('');
    this.input.value = '';
    autoGrow(this.input);
    // A host that never answers (it crashed, the panel was moved) must not leave Send disabled for good.
    const unstick = window.setTimeout(() => {
      this.sending = false;
      this.update();
    }, 20_000);
    try {
      const sent = await this.hooks.send(text);
      if (!sent && this.input.value === '') {
        // Give the text back: the host refused or failed, and the reason is in the status line.
        this.input.value = text;
        autoGrow(this.input);
      }
      this.hooks.draftChanged(this.input.value);
    } finally {
      window.clearTimeout(unstick);
      this.sending = false;
      this.update();
    }
  }
}
