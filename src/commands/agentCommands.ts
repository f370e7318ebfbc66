import * as vscode from 'vscode';
import { mergeTools } from '../core/agent/toolCatalog';
import { formFromConfig, mergeParams, newAgentToolFields, validateAgent, type AgentForm } from '../core/agentValidation';
import type { Agent } from '../db/repositories/agents';
import type { AgentsSource } from '../views/agentsSource';
import type { AgentsView } from '../views/agentsView';
import { AgentEditorPanel, type AgentEditorServices } from '../webviews/agentEditor/agentEditorPanel';
import { defaultEndpoint, endpointFacts } from '../webviews/agentEditor/agentEndpoints';

/**
 * Create, Edit, Duplicate, Archive, Unarchive and Delete Agent, and the view's archived toggle. Each takes its
 * agent from the first argument (an id, an Agents view row, or `{ agentId, ... }` for automation) or asks with a
 * quick pick. Given fields (`{ name, provider, model, ... }`), Create and Edit save directly, checked by the same
 * rules as the editor; without them they open the editor.
 */

export interface Prompt {
  message: string;
  detail: string;
  /** The buttons besides Cancel. */
  actions: string[];
}

/** A modal question; tests answer it through the test API instead of a person. */
export type AskPrompt = (prompt: Prompt) => Promise<string | undefined>;

export interface AgentCommandServices {
  source: AgentsSource;
  view: AgentsView;
  editor: AgentEditorServices;
  ask: AskPrompt;
}

export type AgentCommandHandlers = {
  createAgent(arg?: unknown): Promise<Agent | undefined>;
  editAgent(arg?: unknown): Promise<Agent | undefined>;
  duplicateAgent(arg?: unknown): Promise<Agent | undefined>;
  archiveAgent(arg?: unknown): Promise<Agent | undefined>;
  unarchiveAgent(arg?: unknown): Promise<Agent | undefined>;
  deleteAgent(arg?: unknown): Promise<boolean>;
  showArchivedAgents(): Promise<void>;
  hideArchivedAgents(): Promise<void>;
};

const formFields = ['name', 'provider', 'model', 'systemPrompt', 'temperature', 'maxTokens'] as const;

export function agentCommands(services: AgentCommandServices): AgentCommandHandlers {
  const { source, view } = services;
  const repository = () => source.repository();
  const pick = (arg: unknown, options: PickOptions) => resolveAgent(source, arg, options);

  return {
    async createAgent(arg) {
      const given = formFieldsOf(arg);
      if (!given) {
        AgentEditorPanel.show(services.editor, null);
        return undefined;
      }
      const defaults = await defaultEndpoint(services.editor.status);
      const provider = given.provider ?? defaults.provider;
      const model = given.model ?? (provider === defaults.provider ? defaults.model : defaultModelOf(services, provider));
      // A new agent starts with every built-in tool at its default mode (reads auto; edits, commands, fetch ask).
      const form: AgentForm = { name: '', systemPrompt: '', temperature: '', maxTokens: '', ...newAgentToolFields(), ...given, provider, model };
      const value = await checked(services, form, undefined);
      const agent = await (await repository()).create({ ...value, params: mergeParams({}, value.params), tools: mergeTools([], value.tools) });
      await view.reveal(agent.id);
      return agent;
    },

    async editAgent(arg) {
      const agent = await pick(arg, { title: 'AI Studio: Edit Agent', placeHolder: 'Which agent?', filter: 'all' });
      const given = isAutomation(arg) ? formFieldsOf(arg) : undefined;
      if (!agent) {
        return undefined;
      }
      if (!given) {
        AgentEditorPanel.show(services.editor, agent.id);
        return undefined;
      }
      const form: AgentForm = { ...formFromConfig({ name: agent.name, ...agent.currentVersion }), ...given };
      const value = await checked(services, form, agent.id);
      return (await repository()).update(agent.id, {
        ...value,
        params: mergeParams(agent.currentVersion.params, value.params),
        tools: mergeTools(agent.currentVersion.tools, value.tools),
      });
    },

    async duplicateAgent(arg) {
      const agent = await pick(arg, { title: 'AI Studio: Duplicate Agent', placeHolder: 'Which agent should be copied?', filter: 'all' });
      if (!agent) {
        return undefined;
      }
      const name = isAutomation(arg) && typeof arg.name === 'string' ? arg.name : undefined;
      const copy = await (await repository()).duplicate(agent.id, name);
      await view.reveal(copy.id);
      if (isInteractive(arg)) {
        // A copy is almost always made to be changed: start with its editor open, on the name.
        AgentEditorPanel.show(services.editor, copy.id);
      }
      return copy;
    },

    async archiveAgent(arg) {
      const agent = await pick(arg, { title: 'AI Studio: Archive Agent', placeHolder: 'Which agent should be archived?', filter: 'active' });
      if (!agent) {
        return undefined;
      }
      const archived = await (await repository()).archive(agent.id);
      if (!view.archivedShown) {
        vscode.window.setStatusBarMessage(`$(archive) Archived "${agent.name}"; "Show Archived Agents" lists it again.`, 5000);
      }
      return archived;
    },

    async unarchiveAgent(arg) {
      const agent = await pick(arg, { title: 'AI Studio: Unarchive Agent', placeHolder: 'Which archived agent?', filter: 'archived' });
      return agent ? (await repository()).unarchive(agent.id) : undefined;
    },

    async deleteAgent(arg) {
      const agent = await pick(arg, { title: 'AI Studio: Delete Agent', placeHolder: 'Which agent should be deleted?', filter: 'all' });
      if (!agent) {
        return false;
      }
      const sessions = await source.sessionCount(agent.id);
      const versions = (await repository()).listVersions(agent.id).length;
      const choice = await services.ask({
        message: `Delete the agent "${agent.name}"?`,
        detail: deleteDetail(sessions, versions, agent.archivedAt !== null),
        actions: agent.archivedAt === null ? ['Delete', 'Archive Instead'] : ['Delete'],
      });
      if (choice === 'Archive Instead') {
        await (await repository()).archive(agent.id);
        return false;
      }
      if (choice !== 'Delete') {
        return false;
      }
      await (await repository()).delete(agent.id);
      return true;
    },

    showArchivedAgents: () => view.setShowArchived(true),
    hideArchivedAgents: () => view.setShowArchived(false),
  };
}

export function deleteDetail(sessions: number, versions: number, archived: boolean): string {
  const kept =
    sessions === 0
      ? 'It has no sessions.'
      : `Its ${sessions === 1 ? 'session is' : `${sessions} sessions are`} kept, with every message, no longer linked to an agent.`;
  const lost = `Its ${versions === 1 ? 'version is' : `${versions} versions are`} deleted${archived ? '.' : '; to keep them, archive the agent instead.'}`;
  return `${kept} ${lost}`;
}

/** The modal confirmation a person answers (VS Code adds Cancel). */
export const askModal: AskPrompt = async ({ message, detail, actions }) =>
  vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions);

async function checked(services: AgentCommandServices, form: AgentForm, selfId: string | undefined) {
  const others = (await services.source.list(true)).filter((a) => a.id !== selfId).map((a) => a.name);
  const result = validateAgent(form, { endpoints: endpointFacts(services.editor.status.settings.current), otherNames: others });
  if (!result.ok) {
    throw new Error(Object.values(result.errors).join(' '));
  }
  return result.value;
}

function defaultModelOf(services: AgentCommandServices, provider: string): string {
  return services.editor.status.settings.current.entries.find((e) => e.id === provider)?.config?.defaultModel ?? '';
}

type Automation = { agentId: string } & Record<string, unknown>;

function isAutomation(arg: unknown): arg is Automation {
  return typeof arg === 'object' && arg !== null && typeof (arg as { agentId?: unknown }).agentId === 'string';
}

/** From the palette (no argument) or a view row (which carries its contextValue): a person is at the keyboard. */
function isInteractive(arg: unknown): boolean {
  return arg === undefined || (typeof arg === 'object' && arg !== null && 'contextValue' in arg);
}

/** The form fields an automation argument sets; numbers are accepted for temperature and max tokens. */
function formFieldsOf(arg: unknown): Partial<AgentForm> | undefined {
  if (typeof arg !== 'object' || arg === null || 'contextValue' in arg) {
    return undefined;
  }
  const value = arg as Record<string, unknown>;
  const fields: Partial<AgentForm> = {};
  for (const field of formFields) {
    const given = value[field];
    if (typeof given === 'string' || (typeof given === 'number' && Number.isFinite(given))) {
      fields[field] = String(given);
    } else if (given !== undefined && given !== null) {
      throw new Error(`${field} must be text${field === 'temperature' || field === 'maxTokens' ? ' or a number' : ''}.`);
    }
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

interface PickOptions {
  title: string;
  placeHolder: string;
  filter: 'active' | 'archived' | 'all';
}

/** The agent an argument names (an id, a view row, `{ agentId }`), or the one the person picks. */
async function resolveAgent(source: AgentsSource, arg: unknown, options: PickOptions): Promise<Agent | undefined> {
  const id = agentIdOf(arg);
  if (id !== undefined) {
    const agent = await source.get(id);
    if (!agent) {
      throw new Error(`There is no agent with the id "${id}"; it may have been deleted in another window.`);
    }
    return agent;
  }
  const agents = (await source.list(options.filter !== 'active')).filter(
    (a) => options.filter === 'all' || (options.filter === 'archived') === (a.archivedAt !== null),
  );
  if (agents.length === 0) {
    const none = options.filter === 'archived' ? 'There are no archived agents.' : 'There are no agents yet: create one with "AI Studio: Create Agent".';
    void vscode.window.showInformationMessage(none);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    agents.map((agent) => ({
      label: agent.name,
      description: `${agent.currentVersion.provider} · ${agent.currentVersion.model}`,
      detail: agent.archivedAt !== null ? 'archived' : undefined,
      id: agent.id,
    })),
    { title: options.title, placeHolder: options.placeHolder, matchOnDescription: true, ignoreFocusOut: true },
  );
  return picked ? source.get(picked.id) : undefined;
}

export function agentIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') {
    return arg;
  }
  if (typeof arg === 'object' && arg !== null) {
    const value = arg as { agentId?: unknown; id?: unknown };
    if (typeof value.agentId === 'string') {
      return value.agentId;
    }
    if (typeof value.id === 'string') {
      return value.id;
    }
  }
  return undefined;
}

/**
 * Test runs answer the confirmations from a queue the integration tests fill through the test API, and record
 * what was asked, so the wording is checked too. An unscripted question is answered like Cancel: a modal in a
 * headless test host would wait forever.
 */
export function scriptedPrompts(): { ask: AskPrompt; answerNext(answer: string | undefined): void; asked: Prompt[] } {
  const answers: (string | undefined)[] = [];
  const asked: Prompt[] = [];
  return {
    ask: (prompt) => {
      asked.push(prompt);
      return Promise.resolve(answers.shift());
    },
    answerNext: (answer) => answers.push(answer),
    asked,
  };
}
