import { diffWordsWithSpace } from 'diff';
import type { CallFigures, ReplayComparison, ReplayOpen, ReplayRequest } from '../../../src/protocol/inspector';
import { h } from '../shared/dom';

/**
 * Replay in the detail pane: a "Replay…" button for a model call's events opens an editor of the exact request
 * (provider, model, temperature, max tokens, system prompt, the messages as JSON), Run sends it to the host (with
 * a progress ring and Stop), and the answer is shown beside the original: figures in two columns and the two
 * texts with a word-level diff. Opening a replay event shows its stored comparison. Model text only ever goes
 * into text nodes.
 */

const REPLAYABLE = new Set(['llm.request.started', 'llm.response.completed', 'llm.error', 'llm.replay.completed', 'llm.replay.error']);

export interface ReplayBackend {
  open(eventId: string): Promise<ReplayOpen>;
  run(request: ReplayRequest): Promise<ReplayComparison>;
  stop(): Promise<void>;
  continueAsBranch(replayEventId: string): Promise<{ sessionId: string; messageId: string }>;
}

export function isReplayable(type: string): boolean {
  return REPLAYABLE.has(type);
}

export class ReplayEditor {
  /** The section below the event's JSON: the editor and the comparison. */
  readonly element: HTMLElement;
  private eventId: string | undefined;
  private seq = 0;
  private running = false;

  constructor(
    private readonly backend: ReplayBackend,
    /** Why replay is unavailable (an imported trace), or undefined when it is. */
    private readonly unavailable: () => string | undefined,
  ) {
    this.element = h('section', { class: 'replay', id: 'replay', 'aria-label': 'Replay', hidden: '' });
  }

  /** A new event is shown in the detail pane: its button in `slot`, and a replay's stored comparison. */
  showFor(slot: HTMLElement, eventId: string, type: string): void {
    this.seq++;
    this.eventId = eventId;
    this.element.hidden = true;
    this.element.replaceChildren();
    slot.replaceChildren();
    if (!isReplayable(type)) {
      return;
    }
    const reason = this.unavailable();
    const button = h('button', { type: 'button', class: 'action-button with-text', id: 'replay-open', title: reason ?? 'Run this model call again with changes' }, 'Replay…');
    if (reason !== undefined) {
      button.setAttribute('disabled', '');
      button.setAttribute('aria-disabled', 'true');
      slot.append(button);
      return;
    }
    button.addEventListener('click', () => void this.openEditor(eventId, true));
    slot.append(button);
    if (type.startsWith('llm.replay.')) {
      void this.openEditor(eventId, false);
    }
  }

  hide(): void {
    this.seq++;
    this.eventId = undefined;
    this.element.hidden = true;
    this.element.replaceChildren();
  }

  private async openEditor(eventId: string, edit: boolean): Promise<void> {
    const seq = ++this.seq;
    this.element.hidden = false;
    this.element.replaceChildren(h('div', { class: 'replay-loading', role: 'status' }, h('vscode-progress-ring', {}), 'Rebuilding the request…'));
    try {
      const opened = await this.backend.open(eventId);
      if (seq !== this.seq) {
        return;
      }
      this.element.replaceChildren();
      if (edit) {
        this.element.append(this.form(opened));
        (this.element.querySelector<HTMLElement>('#replay-model') ?? this.element).focus();
      }
      const results = h('div', { class: 'replay-results', id: 'replay-results', 'aria-live': 'polite' });
      this.element.append(results);
      if (opened.comparison !== null) {
        results.replaceChildren(this.comparison(opened.comparison));
      }
    } catch (error) {
      if (seq === this.seq) {
        this.element.replaceChildren(alert(`Could not open the replay: ${messageOf(error)}`));
      }
    }
  }

  private form(opened: ReplayOpen): HTMLElement {
    const { request } = opened;
    const provider = input('replay-provider', request.provider);
    const providerField = field('Provider', provider);
    if (opened.providers.length > 0) {
      const list = h('datalist', { id: 'replay-providers' }, ...opened.providers.map((choice) => h('option', { value: choice.id }, choice.label)));
      provider.setAttribute('list', 'replay-providers');
      providerField.append(list);
    }
    const model = input('replay-model', request.model);
    const temperature = input('replay-temperature', request.parameters.temperature === undefined ? '' : String(request.parameters.temperature), 'number');
    temperature.setAttribute('min', '0');
    temperature.setAttribute('max', '2');
    temperature.setAttribute('step', '0.1');
    temperature.placeholder = 'provider default';
    const maxTokens = input('replay-max-tokens', request.parameters.maxTokens === undefined ? '' : String(request.parameters.maxTokens), 'number');
    maxTokens.setAttribute('min', '1');
    maxTokens.placeholder = 'provider default';
    const system = h('textarea', { id: 'replay-system', class: 'replay-textarea', rows: '4', spellcheck: 'false' });
    system.value = request.systemPrompt;
    const messages = h('textarea', { id: 'replay-messages', class: 'replay-textarea replay-json', rows: '12', spellcheck: 'false' });
    messages.value = JSON.stringify(request.messages, null, 2);
    const problem = h('div', { class: 'replay-problem', id: 'replay-problem', role: 'alert' });
    const run = h('vscode-button', { id: 'replay-run' }, 'Run');
    const stop = h('vscode-button', { id: 'replay-stop', secondary: '', hidden: '' }, 'Stop');
    const ring = h('vscode-progress-ring', { id: 'replay-progress', hidden: '', 'aria-label': 'Replaying' });
    const form = h(
      'form',
      { class: 'replay-form', id: 'replay-form', 'aria-label': 'Edit and run the request again' },
      h('h3', {}, 'Replay'),
      h('div', { class: 'replay-grid' }, providerField, field('Model', model), field('Temperature', temperature), field('Max tokens', maxTokens)),
      field('System prompt', system),
      field('Messages (JSON)', messages),
      problem,
      h('div', { class: 'replay-buttons' }, run, stop, ring),
    );
    const submit = async () => {
      if (this.running) {
        return;
      }
      problem.textContent = '';
      let edited: ReplayRequest;
      try {
        edited = {
          ...request,
          provider: provider.value.trim(),
          model: model.value.trim(),
          systemPrompt: system.value,
          parameters: {
            ...request.parameters,
            ...numberField('temperature', temperature.value, false),
            ...numberField('maxTokens', maxTokens.value, true),
          },
          messages: parseMessages(messages.value),
        };
        if (temperature.value.trim() === '') {
          delete edited.parameters.temperature;
        }
        if (maxTokens.value.trim() === '') {
          delete edited.parameters.maxTokens;
        }
      } catch (error) {
        problem.textContent = messageOf(error);
        return;
      }
      const seq = this.seq;
      this.running = true;
      run.setAttribute('disabled', '');
      stop.hidden = false;
      ring.hidden = false;
      const results = this.element.querySelector<HTMLElement>('#replay-results');
      results?.replaceChildren(h('div', { class: 'replay-loading', role: 'status' }, 'Replaying…'));
      try {
        const comparison = await this.backend.run(edited);
        if (seq === this.seq) {
          results?.replaceChildren(this.comparison(comparison));
          results?.scrollIntoView({ block: 'nearest' });
        }
      } catch (error) {
        if (seq === this.seq) {
          results?.replaceChildren();
          problem.textContent = messageOf(error);
        }
      } finally {
        this.running = false;
        run.removeAttribute('disabled');
        stop.hidden = true;
        ring.hidden = true;
      }
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void submit();
    });
    run.addEventListener('click', () => void submit());
    stop.addEventListener('click', () => void this.backend.stop());
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void submit();
      } else if (event.key === 'Escape' && this.running) {
        event.preventDefault();
        event.stopPropagation();
        void this.backend.stop();
      }
    });
    return form;
  }

  private comparison(comparison: ReplayComparison): HTMLElement {
    const changed = comparison.changes.length === 0 ? 'nothing changed' : `changed: ${comparison.changes.map((change) => change.field).join(', ')}`;
    const { original, replay } = comparison;
    const rows: [string, (side: CallFigures) => string][] = [
      ['Provider', (side) => side.provider ?? '—'],
      ['Model', (side) => side.model ?? '—'],
      ['Status', (side) => (side.error ? `${side.status}: ${side.error.message}` : side.status)],
      ['Tokens in', (side) => count(side.tokensIn)],
      ['Tokens out', (side) => count(side.tokensOut)],
      ['Cost', (side) => cost(side.costMicroUsd)],
      ['Latency', (side) => ms(side.latencyMs)],
      ['Time to first token', (side) => ms(side.timeToFirstTokenMs)],
      ['Finish reason', (side) => side.finishReason ?? '—'],
    ];
    const table = h(
      'table',
      { class: 'replay-figures', id: 'replay-figures' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), h('th', { scope: 'col' }, 'Original'), h('th', { scope: 'col' }, 'Replay'))),
      h(
        'tbody',
        {},
        ...rows.map(([name, value]) => h('tr', { 'data-figure': name }, h('th', { scope: 'row' }, name), h('td', { 'data-side': 'original' }, value(original)), h('td', { 'data-side': 'replay' }, value(replay)))),
      ),
    );
    const texts = h(
      'div',
      { class: 'replay-texts' },
      h('div', { class: 'replay-text', 'data-side': 'original' }, h('h4', {}, 'Original'), h('div', { class: 'replay-text-body', tabindex: '0' }, ...diffNodes(original.text, replay.text, 'removed'))),
      h('div', { class: 'replay-text', 'data-side': 'replay' }, h('h4', {}, 'Replay'), h('div', { class: 'replay-text-body', tabindex: '0' }, ...diffNodes(original.text, replay.text, 'added'))),
    );
    const actions = h('div', { class: 'replay-buttons' });
    const note = h('span', { class: 'replay-note', role: 'status' });
    if (replay.status === 'complete') {
      const branch = h('vscode-button', { id: 'replay-continue', secondary: '' }, 'Continue as branch');
      branch.addEventListener('click', () => {
        branch.setAttribute('disabled', '');
        this.backend.continueAsBranch(comparison.replayEventId).then(
          () => {
            note.textContent = 'Continued as a new branch in the chat.';
          },
          (error: unknown) => {
            note.textContent = `Could not continue: ${messageOf(error)}`;
            branch.removeAttribute('disabled');
          },
        );
      });
      actions.append(branch);
    }
    actions.append(note);
    return h('div', { class: 'replay-comparison', id: 'replay-comparison', 'data-replay-event': comparison.replayEventId }, h('h3', {}, `Comparison (${changed})`), table, texts, actions);
  }

  get shownEventId(): string | undefined {
    return this.eventId;
  }
}

/** One side of a word diff: the common words, and this side's own ones marked. */
function diffNodes(original: string, replay: string, mine: 'added' | 'removed'): Node[] {
  if (original.length + replay.length > 200_000) {
    return [document.createTextNode(mine === 'removed' ? original : replay)];
  }
  const nodes: Node[] = [];
  for (const part of diffWordsWithSpace(original, replay)) {
    if (part.added && mine === 'added') {
      nodes.push(h('ins', { class: 'diff-added' }, part.value));
    } else if (part.removed && mine === 'removed') {
      nodes.push(h('del', { class: 'diff-removed' }, part.value));
    } else if (!part.added && !part.removed) {
      nodes.push(document.createTextNode(part.value));
    }
  }
  if (nodes.length === 0) {
    nodes.push(h('span', { class: 'replay-empty' }, '(no text)'));
  }
  return nodes;
}

function parseMessages(text: string): ReplayRequest['messages'] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`The messages are not valid JSON: ${messageOf(error)}`, { cause: error });
  }
  if (!Array.isArray(value)) {
    throw new Error('The messages must be a JSON list of { role, content } objects.');
  }
  // The host checks every field against the replay schema and says what is wrong.
  return value as ReplayRequest['messages'];
}

function numberField(name: 'temperature' | 'maxTokens', raw: string, integer: boolean): Record<string, number> {
  const text = raw.trim();
  if (text === '') {
    return {};
  }
  const value = Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new Error(`${name === 'temperature' ? 'Temperature' : 'Max tokens'} must be ${integer ? 'a whole number' : 'a number'}.`);
  }
  return { [name]: value };
}

function input(id: string, value: string, type = 'text'): HTMLInputElement {
  const element = h('input', { id, type, class: 'replay-input', spellcheck: 'false' });
  element.value = value;
  return element;
}

function field(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'replay-field', for: control.id }, h('span', { class: 'replay-label' }, label), control);
}

function alert(message: string): HTMLElement {
  return h('div', { class: 'detail-error', role: 'alert' }, h('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }), message);
}

function count(value: number | null): string {
  return value === null ? 'unknown' : value.toLocaleString('en-US');
}

function cost(microUsd: number | null): string {
  if (microUsd === null) {
    return 'cost unknown';
  }
  const usd = microUsd / 1_000_000;
  return usd === 0 ? '$0 (free)' : usd < 0.01 ? `$${usd.toFixed(6)}` : `$${usd.toFixed(4)}`;
}

function ms(value: number | null): string {
  return value === null ? '—' : value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
