import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type {
  AgentDraft,
  AgentDraftField,
  AgentEditorEvent,
  AgentEditorRequests,
  AgentEditorSnapshot,
  AgentEditorState,
  FieldMessages,
  MessageField,
} from '../../../src/protocol/agentEditor';
import { h } from '../shared/dom';
import { RpcClient } from '../shared/rpcClient';
import { vscodeApi } from '../shared/vscodeApi';
import { showMessage, type FieldView } from './fieldView';
import { buildForm, fillModels, fillProviders, readValues, setValues } from './form';
import { fillLimitDefaults, fillTools, showRules, showTrust } from './toolsSection';
import './agentEditor.css';

/**
 * The agent editor panel. The host sends the stored agent (snapshot on `ready`, `agentEditor/state` when it
 * changes elsewhere); the panel owns the draft and keeps it in the webview state on every keystroke, so hiding or
 * reloading the panel loses nothing. Errors appear next to a field once it was edited or a save was tried.
 */

const api = vscodeApi();
const app = document.getElementById('app')!;
const form = buildForm();
const title = h('h1', { id: 'agent-title' }, 'Agent');
const meta = h('p', { id: 'agent-meta', class: 'meta' });
const banner = h('div', { id: 'agent-banner', class: 'banner', role: 'note', hidden: '' });
const status = h('p', { id: 'save-status', class: 'status', role: 'status', 'aria-live': 'polite' });
const saveButton = h('vscode-button', { id: 'save-agent', icon: 'save', title: 'Save (Ctrl+S)' }, 'Save');

let snapshot: AgentEditorSnapshot | undefined;
let draft: AgentDraft | undefined;
let reportedDirty: boolean | undefined;
let attempted = false;
const touched = new Set<MessageField>();
let messages: { errors: FieldMessages; warnings: FieldMessages } = { errors: {}, warnings: {} };
let validateTimer: ReturnType<typeof setTimeout> | undefined;
let modelsFor = '';

const client = new RpcClient<AgentEditorRequests, AgentEditorEvent, AgentEditorSnapshot>(api, {
  onSnapshot: (next) => {
    const stored = api.getState() as Partial<AgentEditorState> | undefined;
    // A draft kept by an older build may lack newer fields: those start from what is saved.
    adopt(next, stored?.key === next.key && stored.draft ? { ...next.saved, ...stored.draft } : next.saved);
    app.setAttribute('aria-busy', 'false');
  },
  onEvent: (event) => {
    if (event.method === 'agentEditor/state' && snapshot && draft) {
      const previous = snapshot;
      const clean = same(draft, previous.saved);
      adopt(event.params, clean ? event.params.saved : draft);
      if (!clean && event.params.version !== previous.version && event.params.version !== null) {
        showBanner(`Version ${event.params.version} was saved elsewhere. Your unsaved changes are kept; saving them makes the next version.`);
      }
    }
  },
});

/** Takes a new host state with the draft to show, and renders both. */
function adopt(next: AgentEditorSnapshot, nextDraft: AgentDraft): void {
  snapshot = next;
  // One mode per listed tool, in the listed order: a tool the draft does not know yet takes its saved mode.
  const modeOf = (name: string, tools: AgentDraft['tools']) => tools.find((t) => t.name === name)?.mode;
  const tools = next.tools.map((t) => ({ name: t.name, mode: modeOf(t.name, nextDraft.tools) ?? modeOf(t.name, next.saved.tools) ?? 'off' }));
  draft = { ...nextDraft, tools };
  fillProviders(form.providerSelect, next.providers, draft.provider);
  fillTools(form.toolsSection, next.tools, (name) => onEdit(`tool:${name}`));
  fillLimitDefaults(form.toolsSection, next.limitDefaults);
  showTrust(form.toolsSection, next.workspaceTrusted);
  setValues(form, draft);
  showRules(form.toolsSection, modeOf('run_command', draft.tools));
  renderHeader();
  persist();
  scheduleValidation(0);
  void loadModels(false);
}

function renderHeader(): void {
  if (!snapshot) {
    return;
  }
  title.textContent = snapshot.agentId ? snapshot.saved.name || 'Agent' : 'New agent';
  const facts = snapshot.version === null ? ['Not saved yet'] : [`Version ${snapshot.version}`];
  if (snapshot.updatedAt !== null) {
    facts.push(`updated ${new Date(snapshot.updatedAt).toLocaleString()}`);
  }
  if (snapshot.archived) {
    facts.push('archived');
  }
  meta.textContent = facts.join(' · ');
  if (snapshot.deleted) {
    showBanner('This agent was deleted (its sessions were kept). Saving creates a new agent from this form.');
  } else if (snapshot.archived) {
    showBanner('This agent is archived: the Agents view hides it until you unarchive it. Saving keeps it archived.');
  } else {
    banner.hidden = true;
  }
}

function showBanner(text: string): void {
  banner.textContent = text;
  banner.hidden = false;
}

/** Keeps the draft in the webview state, and tells the host whether the title needs its ●. */
function persist(): void {
  if (!snapshot || !draft) {
    return;
  }
  const state: AgentEditorState = { key: snapshot.key, agentId: snapshot.agentId, draft };
  api.setState(state);
  const dirty = !same(draft, snapshot.saved);
  if (dirty !== reportedDirty) {
    reportedDirty = dirty;
    void client.request('agentEditor/setDirty', { dirty }).catch(showFailure);
  }
}

function same(a: AgentDraft, b: AgentDraft): boolean {
  const { tools: toolsA, ...restA } = a;
  const { tools: toolsB, ...restB } = b;
  const modes = (tools: AgentDraft['tools']) => JSON.stringify([...tools].sort((x, y) => (x.name < y.name ? -1 : 1)));
  return (Object.keys(restA) as AgentDraftField[]).every((key) => restA[key] === restB[key]) && modes(toolsA) === modes(toolsB);
}

/** Every field with a message line, in the order the form shows them (the tools' modes after the prompt). */
function views(): [MessageField, FieldView][] {
  const all = Object.entries(form.fields) as [AgentDraftField, FieldView][];
  const tools = [...form.toolsSection.modes].map(([name, view]): [MessageField, FieldView] => [`tool:${name}`, view]);
  const firstOfTools = all.findIndex(([name]) => name === 'commandAllow');
  return [...all.slice(0, firstOfTools), ...tools, ...all.slice(firstOfTools)];
}

function scheduleValidation(delayMs: number): void {
  clearTimeout(validateTimer);
  validateTimer = setTimeout(() => {
    if (!draft) {
      return;
    }
    const checked = draft;
    client
      .request('agentEditor/validate', { draft: checked })
      .then((result) => {
        if (checked === draft) {
          messages = result;
          renderMessages();
        }
      })
      .catch(showFailure);
  }, delayMs);
}

function renderMessages(): void {
  for (const [name, view] of views()) {
    const showError = attempted || touched.has(name);
    showMessage(view, showError ? messages.errors[name] : undefined, messages.warnings[name]);
  }
}

async function loadModels(refresh: boolean): Promise<void> {
  const provider = draft?.provider ?? '';
  if (provider === '' || (provider === modelsFor && !refresh)) {
    return;
  }
  modelsFor = provider;
  form.modelStatus.textContent = 'Loading the models…';
  form.modelStatus.className = 'hint';
  fillModels(form.modelList, []);
  try {
    const listing = await client.request('agentEditor/listModels', { provider, refresh });
    if (provider !== draft?.provider) {
      return;
    }
    fillModels(form.modelList, listing.models);
    form.modelStatus.textContent =
      listing.error ?? (listing.models.length > 0 ? `${listing.models.length} models listed; any other model name works too.` : 'The provider listed no models; type a model name.');
    form.modelStatus.className = listing.error ? 'hint warning' : 'hint';
  } catch (err) {
    modelsFor = '';
    showFailure(err);
  }
}

function onEdit(field: MessageField): void {
  if (!draft || !snapshot) {
    return;
  }
  touched.add(field);
  const provider = draft.provider;
  let tools = draft.tools;
  if (field.startsWith('tool:')) {
    const name = field.slice('tool:'.length);
    const mode = form.toolsSection.modes.get(name)?.control.value ?? 'off';
    tools = tools.map((t) => (t.name === name ? { name, mode } : t));
    if (name === 'run_command') {
      showRules(form.toolsSection, mode);
    }
  }
  draft = { ...readValues(form, field === 'provider' ? form.fields.provider.control.value : provider), tools };
  if (field === 'provider' && draft.provider !== provider) {
    // A model name rarely carries over between providers: follow the new one's default unless one was typed.
    const before = snapshot.providers.find((p) => p.id === provider)?.defaultModel ?? '';
    const after = snapshot.providers.find((p) => p.id === draft!.provider)?.defaultModel ?? '';
    if (draft.model === '' || draft.model === before) {
      draft.model = after;
      setValues(form, draft);
    }
    void loadModels(false);
  }
  status.textContent = '';
  persist();
  scheduleValidation(250);
}

async function save(): Promise<void> {
  if (!draft || saveButton.hasAttribute('disabled')) {
    return;
  }
  clearTimeout(validateTimer);
  attempted = true;
  saveButton.setAttribute('disabled', '');
  status.textContent = 'Saving…';
  try {
    const result = await client.request('agentEditor/save', { draft });
    if (result.ok) {
      touched.clear();
      attempted = false;
      adopt(result.snapshot, result.snapshot.saved);
    } else {
      messages = { errors: result.errors, warnings: result.warnings };
      renderMessages();
      focusFirstError();
    }
    status.textContent = result.message;
  } catch (err) {
    showFailure(err);
  } finally {
    saveButton.removeAttribute('disabled');
  }
}

function focusFirstError(): void {
  const first = views().find(([name]) => messages.errors[name]);
  if (first) {
    first[1].control.focus();
  }
}

function showFailure(error: unknown): void {
  status.textContent = `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}

for (const [name, view] of Object.entries(form.fields) as [AgentDraftField, (typeof form.fields)[AgentDraftField]][]) {
  view.control.addEventListener(name === 'provider' ? 'change' : 'input', () => onEdit(name));
}
form.reloadModels.addEventListener('click', () => void loadModels(true));
form.providerSettings.addEventListener('click', () => {
  if (draft?.provider) {
    void client.request('agentEditor/openProviderSettings', { provider: draft.provider }).catch(showFailure);
  }
});
form.root.addEventListener('submit', (event) => {
  event.preventDefault();
  void save();
});
saveButton.addEventListener('click', () => void save());
// Ctrl+S (Cmd+S): VS Code's own Save has nothing to save in a webview, so the panel saves the agent.
document.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
    event.preventDefault();
    void save();
  }
});

app.replaceChildren(
  h('header', { class: 'editor-header' }, h('div', { class: 'heading' }, title, meta), h('div', { class: 'actions' }, status, saveButton)),
  banner,
  form.root,
);
client.start();
