import type { AgentDraft, AgentDraftField, ModelOption, ProviderOption } from '../../../src/protocol/agentEditor';
import { h } from '../shared/dom';
import { fieldRow, type FieldView, type ValueControl } from './fieldView';
import { buildToolsSection, type ToolsSection } from './toolsSection';

/**
 * The editor's fields as DOM, each with its label, its control and a message line tied to it (fieldView.ts).
 * Only builds and fills elements; when to show which message is main.ts's business.
 */

type BasicField = 'name' | 'provider' | 'model' | 'systemPrompt' | 'temperature' | 'maxTokens';

export interface EditorForm {
  root: HTMLElement;
  /** Every one-value field; the tools' modes are in `toolsSection.modes`. */
  fields: Record<AgentDraftField, FieldView>;
  toolsSection: ToolsSection;
  providerSelect: HTMLElement;
  modelList: HTMLDataListElement;
  modelStatus: HTMLElement;
  reloadModels: HTMLElement;
  providerSettings: HTMLElement;
}

const labels: Record<BasicField, string> = {
  name: 'Name',
  provider: 'Provider',
  model: 'Model',
  systemPrompt: 'System prompt',
  temperature: 'Temperature',
  maxTokens: 'Max tokens',
};

const hints: Partial<Record<BasicField, string>> = {
  systemPrompt: 'Sent before every conversation. Each save that changes it makes a new version; replies record which one answered.',
  temperature: 'From 0 (focused) to 2 (varied). Empty: the provider’s default.',
  maxTokens: 'The longest reply, in tokens. Empty: the provider’s default.',
};

function field(name: BasicField, control: ValueControl, ...extra: Node[]): { row: HTMLElement; view: FieldView } {
  return fieldRow(`field-${name}`, `field-${name}`, labels[name], control, hints[name], ...extra);
}

export function buildForm(): EditorForm {
  const name = field('name', h('vscode-textfield', { placeholder: 'e.g. Code reviewer', maxlength: '200' }));

  const providerSelect = h('vscode-single-select', { 'aria-label': 'Provider' });
  const providerSettings = h('vscode-button', { id: 'provider-settings', secondary: '', icon: 'gear', title: 'Open this provider’s settings' }, 'Settings');
  const provider = field('provider', providerSelect, providerSettings);

  // A native input: the model is free text first, and a datalist offers the listed models without a custom
  // dropdown (vscode-textfield's input lives in a shadow root, which a light-DOM datalist cannot reach).
  const modelInput = h('input', { type: 'text', class: 'text-input', list: 'model-options', spellcheck: 'false', autocomplete: 'off', placeholder: 'Type a model name or pick a listed one' });
  const modelList = h('datalist', { id: 'model-options' });
  const reloadModels = h('vscode-button', { id: 'reload-models', secondary: '', icon: 'refresh', title: 'List the provider’s models again' }, 'Reload');
  const modelStatus = h('div', { id: 'model-status', class: 'hint', role: 'status' });
  const model = field('model', modelInput, reloadModels, modelList);
  model.row.append(modelStatus);

  const systemPrompt = field('systemPrompt', h('vscode-textarea', { monospace: '', rows: '14', resize: 'vertical', placeholder: 'You are…' }));
  const temperature = field('temperature', h('vscode-textfield', { placeholder: 'provider default', inputmode: 'decimal' }));
  const maxTokens = field('maxTokens', h('vscode-textfield', { placeholder: 'provider default', inputmode: 'numeric' }));
  const toolsSection = buildToolsSection();

  const root = h(
    'form',
    { id: 'agent-form', novalidate: '' },
    h('section', { class: 'group', 'aria-labelledby': 'identity-title' }, h('h2', { id: 'identity-title' }, 'Agent'), name.row),
    h('section', { class: 'group', 'aria-labelledby': 'model-title' }, h('h2', { id: 'model-title' }, 'Model'), provider.row, model.row, temperature.row, maxTokens.row),
    h('section', { class: 'group', 'aria-labelledby': 'prompt-title' }, h('h2', { id: 'prompt-title' }, 'Instructions'), systemPrompt.row),
    toolsSection.tools,
    toolsSection.limits,
    comingLater('Routing', 'Sending some requests to another model, by rule or by cost.'),
  );
  return {
    root,
    fields: {
      name: name.view,
      provider: provider.view,
      model: model.view,
      systemPrompt: systemPrompt.view,
      temperature: temperature.view,
      maxTokens: maxTokens.view,
      ...toolsSection.fields,
    },
    toolsSection,
    providerSelect,
    modelList,
    modelStatus,
    reloadModels,
    providerSettings,
  };
}

/** A disabled section that says what will go there, so the layout already has room for it. */
function comingLater(title: string, what: string): HTMLElement {
  const id = `${title.toLowerCase()}-title`;
  return h(
    'section',
    { class: 'group later', 'aria-labelledby': id, 'aria-disabled': 'true' },
    h('h2', { id }, title, ' ', h('span', { class: 'badge' }, 'coming with Runs')),
    h('p', { class: 'hint' }, what),
  );
}

/** Fills the provider dropdown; the current choice stays selectable even when it is not configured. */
export function fillProviders(select: HTMLElement, providers: readonly ProviderOption[], selected: string): void {
  const options = providers.map((p) =>
    h('vscode-option', { value: p.id, description: p.detail, ...(p.id === selected ? { selected: '' } : {}) }, optionLabel(p)),
  );
  if (selected !== '' && !providers.some((p) => p.id === selected)) {
    options.push(h('vscode-option', { value: selected, description: 'not configured', selected: '' }, selected));
  }
  select.replaceChildren(...options);
}

/** A built-in endpoint by its name; a compatible server by its name and id, which settings and errors use. */
function optionLabel(p: ProviderOption): string {
  return p.id.includes(':') && p.id !== p.label ? `${p.label} (${p.id})` : p.label;
}

export function fillModels(list: HTMLDataListElement, models: readonly ModelOption[]): void {
  list.replaceChildren(...models.map((m) => h('option', { value: m.id }, m.label && m.label !== m.id ? m.label : '')));
}

export function setValues(form: EditorForm, draft: AgentDraft): void {
  for (const [name, view] of Object.entries(form.fields) as [AgentDraftField, FieldView][]) {
    if (name !== 'provider' && view.control.value !== draft[name]) {
      view.control.value = draft[name];
    }
  }
  for (const [name, view] of form.toolsSection.modes) {
    const mode = draft.tools.find((t) => t.name === name)?.mode ?? 'off';
    if (view.control.value !== mode) {
      view.control.value = mode;
    }
  }
}

/** The one-value fields as typed; the tools' modes are read one by one, as each select changes. */
export function readValues(form: EditorForm, provider: string): Omit<AgentDraft, 'tools'> {
  const value = (name: AgentDraftField) => form.fields[name].control.value;
  return {
    name: value('name'),
    provider,
    model: value('model'),
    systemPrompt: value('systemPrompt'),
    temperature: value('temperature'),
    maxTokens: value('maxTokens'),
    commandAllow: value('commandAllow'),
    commandDeny: value('commandDeny'),
    limitSteps: value('limitSteps'),
    limitTokens: value('limitTokens'),
    limitCostUsd: value('limitCostUsd'),
    limitMinutes: value('limitMinutes'),
  };
}
