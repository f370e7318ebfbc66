import { DEFAULT_LIMITS, DEFAULT_MODES } from '../../core/agent/agentTools';
import { mergeTools, TOOL_CATALOG } from '../../core/agent/toolCatalog';
import { formFromConfig, mergeParams, newAgentToolFields, validateAgent, type AgentValidation } from '../../core/agentValidation';
import type { Agent } from '../../db/repositories/agents';
import type { AgentDraft, AgentEditorRequests, AgentEditorSnapshot, DraftValidation } from '../../protocol/agentEditor';
import type { ResultOf } from '../../protocol/rpc';
import type { AgentsSource } from '../../views/agentsSource';
import { defaultEndpoint, endpointFacts, listEndpointModels, providerOptions, type EndpointServices, type ModelListing } from './agentEndpoints';

/**
 * The host side of one agent editor, without the webview: what the panel renders (its snapshot), checking and
 * saving a draft, and the provider's models. Kept apart from the panel so the integration tests can save through
 * exactly the code the Save button reaches.
 */

export interface AgentEditorDeps extends EndpointServices {
  source: AgentsSource;
}

export type SaveResult = ResultOf<AgentEditorRequests, 'agentEditor/save'>;

export class AgentEditorController {
  /** A new agent's defaults, fixed when the editor opens so that "unsaved changes" do not shift under the person. */
  private newDefaults: AgentDraft | undefined;
  /** The last configuration seen, so an agent deleted elsewhere still shows what it was. */
  private lastSeen: { saved: AgentDraft; version: number; updatedAt: number; archived: boolean } | undefined;
  private readonly models = new Map<string, Promise<ModelListing>>();

  constructor(
    private readonly deps: AgentEditorDeps,
    private currentId: string | null,
    /** Names a new agent's draft until its first save; then the agent id does. */
    private readonly newKey: string,
    /** Workspace Trust, which the Tools section mentions because it overrides every mode. */
    private readonly isTrusted: () => boolean = () => true,
  ) {}

  get agentId(): string | null {
    return this.currentId;
  }

  get key(): string {
    return this.currentId ?? this.newKey;
  }

  async snapshot(): Promise<AgentEditorSnapshot> {
    const agent = this.currentId ? await this.deps.source.get(this.currentId) : undefined;
    if (agent) {
      this.lastSeen = {
        saved: formFromConfig({ name: agent.name, ...agent.currentVersion }),
        version: agent.currentVersion.version,
        updatedAt: agent.updatedAt,
        archived: agent.archivedAt !== null,
      };
    }
    const saved = this.lastSeen?.saved ?? (await this.defaults());
    return {
      key: this.key,
      agentId: this.currentId,
      saved,
      version: this.lastSeen?.version ?? null,
      updatedAt: this.lastSeen?.updatedAt ?? null,
      archived: this.lastSeen?.archived ?? false,
      deleted: this.currentId !== null && agent === undefined,
      providers: await providerOptions(this.deps.status, [saved.provider]),
      tools: TOOL_CATALOG.map((tool) => ({ ...tool, defaultMode: DEFAULT_MODES[tool.category] })),
      limitDefaults: { ...DEFAULT_LIMITS },
      workspaceTrusted: this.isTrusted(),
    };
  }

  /** The saved name, for the panel's title; undefined for a new agent. */
  get savedName(): string | undefined {
    return this.lastSeen?.saved.name;
  }

  async validate(draft: AgentDraft): Promise<DraftValidation> {
    const result = await this.check(draft);
    return { errors: result.ok ? {} : result.errors, warnings: result.warnings };
  }

  async save(draft: AgentDraft): Promise<SaveResult> {
    const result = await this.check(draft);
    if (!result.ok) {
      const count = Object.keys(result.errors).length;
      return { ok: false, message: `Not saved: ${count === 1 ? 'one field needs' : `${count} fields need`} attention.`, errors: result.errors, warnings: result.warnings };
    }
    const { value } = result;
    const repository = await this.deps.source.repository();
    const existing = this.currentId ? repository.get(this.currentId) : undefined;
    let message: string;
    if (!existing) {
      const created = await repository.create({ ...value, params: mergeParams({}, value.params), tools: mergeTools([], value.tools) });
      message = this.currentId ? `The agent had been deleted: saved as a new agent, version 1.` : `Created "${created.name}", version 1.`;
      this.currentId = created.id;
    } else {
      const before = existing.currentVersion.version;
      const updated = await repository.update(existing.id, {
        ...value,
        params: mergeParams(existing.currentVersion.params, value.params),
        tools: mergeTools(existing.currentVersion.tools, value.tools),
      });
      const after = updated.currentVersion.version;
      message =
        after !== before
          ? `Saved as version ${after}.`
          : updated.name !== existing.name
            ? `Renamed; the configuration is unchanged (version ${after}).`
            : `No changes to save (version ${after}).`;
    }
    return { ok: true, message, snapshot: await this.snapshot() };
  }

  /** Cached per editor: the list rarely changes, and each listing is a network call. */
  listModels(provider: string, refresh: boolean): Promise<ModelListing> {
    const cached = refresh ? undefined : this.models.get(provider);
    if (cached) {
      return cached;
    }
    const listing = listEndpointModels(this.deps, provider);
    this.models.set(provider, listing);
    // A failure is not worth remembering: the person may set the key and try again.
    void listing.then((l) => {
      if (l.error !== null && this.models.get(provider) === listing) {
        this.models.delete(provider);
      }
    });
    return listing;
  }

  private async check(draft: AgentDraft): Promise<AgentValidation> {
    const others = (await this.deps.source.list(true)).filter((a: Agent) => a.id !== this.currentId);
    return validateAgent(draft, { endpoints: endpointFacts(this.deps.status.settings.current), otherNames: others.map((a) => a.name) });
  }

  private async defaults(): Promise<AgentDraft> {
    if (!this.newDefaults) {
      const { provider, model } = await defaultEndpoint(this.deps.status);
      this.newDefaults = { name: '', provider, model, systemPrompt: '', temperature: '', maxTokens: '', ...newAgentToolFields() };
    }
    return this.newDefaults;
  }
}
