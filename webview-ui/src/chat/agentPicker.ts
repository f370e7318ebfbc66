import { h } from '../shared/dom';
import type { ChatStore } from './store';

/**
 * Who answers the next message: the agent (a dropdown of the session's agents) and an optional model override
 * (free text, because providers add models faster than any list). Both go to the host with chat/setAgent, which
 * answers with a chat/session event; until then the picker shows what the user chose.
 */

export class AgentPicker {
  readonly element: HTMLElement;
  private readonly select: HTMLElementTagNameMap['vscode-single-select'];
  private readonly model: HTMLElementTagNameMap['vscode-textfield'];
  private optionsKey = '';
  /** The model last sent, so Enter followed by the field's change event posts it once. */
  private sentModel: string | null | undefined;

  constructor(
    private readonly store: ChatStore,
    private readonly setAgent: (agentId: string, model: string | null) => void,
  ) {
    // The picker sits at the bottom of the panel: its list opens upwards, into the panel, not off its edge.
    this.select = h('vscode-single-select', { id: 'agent-select', label: 'Agent for the next message', class: 'agent-select', position: 'above' });
    this.model = h('vscode-textfield', { id: 'model-input', label: 'Model for the next message (empty: the agent’s own)', class: 'model-input' });
    this.element = h(
      'div',
      { class: 'agent-picker' },
      h('span', { class: 'codicon codicon-hubot', 'aria-hidden': 'true' }),
      this.select,
      this.model,
    );
    this.select.addEventListener('change', () => {
      const agentId = this.select.value;
      if (agentId && agentId !== this.store.agent?.id) {
        // A different agent starts from its own model; an override for the old one rarely fits the new one.
        this.model.value = '';
        this.setAgent(agentId, null);
      }
    });
    this.model.addEventListener('change', () => this.commitModel());
    this.model.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        this.commitModel();
      }
    });
  }

  update(): void {
    const { agents, agent, modelOverride } = this.store;
    const key = JSON.stringify(agents.map((a) => [a.id, a.name, a.provider, a.model]));
    if (key !== this.optionsKey) {
      this.optionsKey = key;
      const options = agents.map((a) => h('vscode-option', { value: a.id, description: `${a.provider} · ${a.model}` }, a.name));
      if (agent && !agents.some((a) => a.id === agent.id)) {
        options.unshift(h('vscode-option', { value: agent.id }, agent.name));
      }
      if (options.length === 0) {
        options.push(h('vscode-option', { value: '' }, 'No agents yet: create one in the Agents view'));
      } else if (!agent) {
        // Without this the first agent would look chosen, and choosing it would fire no change.
        options.unshift(h('vscode-option', { value: '' }, 'Choose an agent…'));
      }
      this.select.replaceChildren(...options);
    }
    this.select.toggleAttribute('disabled', agents.length === 0 && !agent);
    if (agent && this.select.value !== agent.id) {
      this.select.value = agent.id;
    }
    this.model.placeholder = agent ? `${agent.model} (agent default)` : 'model';
    this.model.toggleAttribute('disabled', !agent);
    this.sentModel = modelOverride;
    // Never overwrite what the user is typing.
    if (!this.model.matches(':focus-within')) {
      this.model.value = modelOverride ?? '';
    }
  }

  private commitModel(): void {
    const agent = this.store.agent;
    if (!agent) {
      return;
    }
    const model = this.model.value.trim().slice(0, 200) || null;
    if (model !== this.sentModel) {
      this.sentModel = model;
      this.setAgent(agent.id, model);
    }
  }
}
