import type { AgentDraft, AgentDraftField, ModelOption, ProviderOption } from '../../../src/protocol/agentEditor';
import { h } from '../shared/dom';

/**
 * The editor's fields as DOM: each with its label, its control and a message line tied to it through
 * `aria-describedby`, so a screen reader reads the error with the field. Only builds and fills elements; when to
 * show which message is main.ts's business.
 */

/** The value-holding part of every control used here (vscode-textfield, -textarea, -single-select, input). */
interface ValueControl extends HTMLElement {
  value: string;
}

export interface FieldView {
  control: ValueControl;
  message: HTMLElement;
}

export interface EditorForm {
  root: HTMLElement;
  fields: Record<AgentDraftField, FieldView>;
  providerSelect: HTMLElement;
  modelList: HTMLDataListElement;
  modelStatus: HTMLElement;
  reloadModels: HTMLElement;
  providerSettings: HTMLElement;
}

const labels: Record<AgentDraftField, string> = {
  name: 'Name',
  provider: 'Provider',
  model: 'Model',
  systemPrompt: 'System prompt',
  temperature: 'Temperature',
  maxTokens: 'Max tokens',
};

const hints: Partial<Record<AgentDraftField, string>> = {
  systemPrompt: 'Sent before every conversation. Each save that changes it makes a new version; replies record which one answered.',
  temperature: 'From 0 (focused) to 2 (varied). Empty: the provider’s default.',
  maxTokens: 'The longest reply, in tokens. Empty: the provider’s default.',
};

function field(name: AgentDraftField, control: ValueControl, ...extra: Node[]): { row: HTMLElement; view: FieldView } {
  const id = `field-${name}`;
  control.id = id;
  const message = h('div', { id: `${id}-message`, class: 'message', 'aria-live': 'polite' });
  const hint = hints[name] ? h('div', { id: `${id}-hint`, class: 'hint' }, hints[name]) : undefined;
  control.setAttribute('aria-describedby', [message.id, hint?.id].filter(Boolean).join(' '));
  const row = h(
    'div',
    { class: `field field-${name}` },
    h('label', { for: id, class: 'field-label' }, labels[name]),
    h('div', { class: 'field-control' }, control, ...extra),
    message,
    ...(hint ? [hint] : []),
  );
  return { row, view: { control, message } };
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

  const root = h(
    'form',
    { id: 'agent-form', novalidate: '' },
    h('section', { class: 'group', 'aria-labelledby': 'identity-title' }, h('h2', { id: 'identity-title' }, 'Agent'), name.row),
    h('section', { class: 'group', 'aria-labelledby': 'model-title' }, h('h2', { id: 'model-title' }, 'Model'), provider.row, model.row, temperature.row, maxTokens.row),
    h('section', { class: 'group', 'aria-labelledby': 'prompt-title' }, h('h2', { id: 'prompt-title' }, 'Instructions'), systemPrompt.row),
    comingLater('Tools', 'The tools this agent may call, and which ones ask you first.'),
    comingLater('Routing', 'Sending some requests to another model, by rule or by cost.'),
  );
  return {
    root,
    fields: { name: name.view, provider: provider.view, model: model.view, systemPrompt: systemPrompt.view, temperature: temperature.view, maxTokens: maxTokens.view },
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
}

export function readValues(form: EditorForm, provider: string): AgentDraft {
  const value = (name: AgentDraftField) => form.fields[name].control.value;
  return {
    name: value('name'),
    provider,
    model: value('model'),
    systemPrompt: value('systemPrompt'),
    temperature: value('temperature'),
    maxTokens: value('maxTokens'),
  };
}

/** Shows one field's message: an error (which marks the control invalid), a warning, or nothing. */
export function showMessage(view: FieldView, error: string | undefined, warning: string | undefined): void {
  const text = error ?? warning ?? '';
  view.message.textContent = text;
  view.message.className = `message${error ? ' error' : warning ? ' warning' : ''}`;
  view.control.toggleAttribute('invalid', error !== undefined);
  view.control.setAttribute('aria-invalid', String(error !== undefined));
}
