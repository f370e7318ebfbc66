import * as vscode from 'vscode';
import { selectionNotice, type SelectionContext } from '../core/ask';
import type { EndpointEntry } from '../core/providerConfig';
import { requiresKey } from '../llm/endpoints';
import { answerScheme } from '../vscode/answerDocuments';
import { chooseEndpoint, endpointIdOf } from './endpointPicker';
import { streamAnswer, type AskOutcome } from './askStream';
import { pickModel } from './modelPicker';
import { promptForKey } from './providerCommands';
import { showConfigurationProblem } from './providerFixes';
import type { ProviderServices } from './providerServices';

/**
 * "AI Studio: Ask…": endpoint, model, question, answer. Each step is skipped when it is already decided: the
 * default provider when it is usable, the endpoint's default model, and any of them given as arguments (a
 * Providers view row, an endpoint id, or `{ endpointId, model, question }` for automation and tests).
 */

export interface AskOptions {
  endpointId?: string;
  model?: string;
  question?: string;
  /** Send the current editor selection along (default true when there is one). */
  useSelection?: boolean;
}

interface AskMemory {
  endpointId?: string;
  models?: Record<string, string>;
}
const memoryKey = 'aiStudio.ask.last';

export async function ask(services: ProviderServices, arg: unknown): Promise<AskOutcome | undefined> {
  const options = askOptionsOf(arg);
  const memory = services.memento.get<AskMemory>(memoryKey) ?? {};
  const entry = await chooseAskEndpoint(services, options, memory);
  if (!entry) {
    return undefined;
  }
  if (!entry.config) {
    void showConfigurationProblem(entry);
    return undefined;
  }
  let key = await services.status.keys.get(entry.id);
  if (requiresKey(entry.kind) && !key) {
    key = await promptForKey(entry, false, `${entry.label} needs an API key before it can answer.`);
    if (key === undefined) {
      return undefined;
    }
    await services.status.keys.set(entry.id, key);
    await services.status.tests.clear(entry.id);
  }
  const model = options.model ?? entry.config.defaultModel ?? (await pickModel(services, entry, key, memory.models?.[entry.id]));
  if (!model) {
    return undefined;
  }
  const selection = options.useSelection === false ? undefined : currentSelection();
  const question = options.question ?? (await promptForQuestion(entry, model, selection));
  if (!question) {
    return undefined;
  }
  // Not awaited: remembering the choice is a convenience, and a busy window can take a second to persist it.
  services.memento.update(memoryKey, { endpointId: entry.id, models: { ...memory.models, [entry.id]: model } } satisfies AskMemory).then(undefined, (err: unknown) =>
    services.log.warn(`Could not remember the last Ask choice: ${err instanceof Error ? err.message : String(err)}`),
  );
  return streamAnswer(services, { entry, key, model, question, ...(selection ? { selection } : {}) });
}

function askOptionsOf(arg: unknown): AskOptions {
  if (typeof arg === 'object' && arg !== null && !('label' in arg)) {
    const value = arg as Record<string, unknown>;
    const text = (field: string) => {
      const v = value[field];
      return typeof v === 'string' ? v : undefined;
    };
    const options: AskOptions = {};
    const [endpointId, model, question] = [text('endpointId'), text('model'), text('question')];
    if (endpointId) options.endpointId = endpointId;
    if (model) options.model = model;
    if (question) options.question = question;
    if (typeof value.useSelection === 'boolean') options.useSelection = value.useSelection;
    return options;
  }
  const endpointId = endpointIdOf(arg);
  return endpointId ? { endpointId } : {};
}

async function chooseAskEndpoint(services: ProviderServices, options: AskOptions, memory: AskMemory): Promise<EndpointEntry | undefined> {
  if (options.endpointId) {
    return chooseEndpoint(services, options.endpointId, { title: '', placeHolder: '' });
  }
  const { defaultProvider } = services.status.settings.current;
  if (defaultProvider) {
    const row = await services.status.row(defaultProvider);
    if (row?.usable) {
      return chooseEndpoint(services, defaultProvider, { title: '', placeHolder: '' });
    }
  }
  return chooseEndpoint(services, undefined, {
    title: 'AI Studio: Ask…',
    placeHolder: 'Which endpoint should answer? (set "aiStudio.defaultProvider" to skip this step)',
    filter: (row) => !row.problem,
    ...(memory.endpointId ? { preferred: memory.endpointId } : {}),
    emptyMessage: 'No provider endpoint is configured yet: open the Providers view to set one up.',
  });
}

/** The active editor's selection, when there is a non-blank one, described for the prompt and the model. */
function currentSelection(): SelectionContext | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty || editor.document.uri.scheme === answerScheme) {
    return undefined;
  }
  const text = editor.document.getText(editor.selection);
  if (text.trim() === '') {
    return undefined;
  }
  const { start, end } = editor.selection;
  // A selection that ends at the start of a line (a whole-line selection) does not include that line.
  const endLine = end.character === 0 && end.line > start.line ? end.line : end.line + 1;
  return {
    text,
    fileName: vscode.workspace.asRelativePath(editor.document.uri, false),
    languageId: editor.document.languageId,
    startLine: start.line + 1,
    endLine,
  };
}

async function promptForQuestion(entry: EndpointEntry, model: string, selection: SelectionContext | undefined): Promise<string | undefined> {
  const question = await vscode.window.showInputBox({
    title: `AI Studio: Ask ${model} (${entry.label})`,
    prompt: selection ? selectionNotice(selection) : 'Tip: select code in an editor first to send it along as context.',
    placeHolder: 'Your question',
    ignoreFocusOut: true,
  });
  return question?.trim() ? question.trim() : undefined;
}
