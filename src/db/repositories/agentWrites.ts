import type { Clock } from '../../core/ports';
import type { SqlReader, SqlWriter } from '../sql';
import type { Agent, AgentChanges, AgentConfig, AgentVersion, NewAgent } from './agents';
import { fromJson, nowMs, NotFoundError, required, toJson, type JsonObject, type JsonValue } from './rows';

/**
 * The agent writes, synchronous, inside a transaction the caller holds: `AgentsRepository.within(sql)`. Also the
 * row mapping the repository's reads share.
 */
export class AgentWrites {
  constructor(
    private readonly sql: SqlWriter,
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  /** Creates the agent and its version 1. */
  create(input: NewAgent): Agent {
    const config = checkConfig({
      provider: input.provider,
      model: input.model,
      systemPrompt: input.systemPrompt ?? '',
      params: input.params ?? {},
      tools: input.tools ?? [],
    });
    return this.insertAgent(checkName(input.name), config);
  }

  /**
   * Renames the agent and/or changes its configuration. A configuration that differs from the current one
   * becomes a new version; a rename alone, or a change to identical values, creates none.
   */
  update(id: string, changes: AgentChanges): Agent {
    const name = changes.name === undefined ? undefined : checkName(changes.name);
    const agent = required(selectAgent(this.sql, id), 'agent', id);
    const current = agent.currentVersion;
    const config = checkConfig({
      provider: changes.provider ?? current.provider,
      model: changes.model ?? current.model,
      systemPrompt: changes.systemPrompt ?? current.systemPrompt,
      params: changes.params ?? current.params,
      tools: changes.tools ?? current.tools,
    });
    const configChanged = configKey(config) !== configKey(current);
    if (!configChanged && (name === undefined || name === agent.name)) {
      return agent;
    }
    const now = nowMs(this.clock);
    let versionId = current.id;
    if (configChanged) {
      versionId = this.newId();
      const last = this.sql.get<{ last: number }>(
        'SELECT max(version) AS last FROM agent_versions WHERE agent_id = ?',
        [id],
      );
      this.insertVersion(versionId, id, (last?.last ?? 0) + 1, config, now);
    }
    this.sql.run('UPDATE agents SET name = ?, current_version_id = ?, updated_at = ? WHERE id = ?', [
      name ?? agent.name,
      versionId,
      now,
      id,
    ]);
    return required(selectAgent(this.sql, id), 'agent', id);
  }

  /** A new agent (with its own version 1) configured like the current version of `id`. */
  duplicate(id: string, name?: string): Agent {
    const source = required(selectAgent(this.sql, id), 'agent', id);
    const { provider, model, systemPrompt, params, tools } = source.currentVersion;
    return this.insertAgent(checkName(name ?? `${source.name} (copy)`), {
      provider,
      model,
      systemPrompt,
      params,
      tools,
    });
  }

  archive(id: string): Agent {
    return this.setArchivedAt(id, nowMs(this.clock));
  }

  unarchive(id: string): Agent {
    return this.setArchivedAt(id, null);
  }

  /** Deletes the agent and its versions. Its sessions and runs stay, with their agent references cleared. */
  delete(id: string): void {
    if (this.sql.run('DELETE FROM agents WHERE id = ?', [id]).changes === 0) {
      throw new NotFoundError('agent', id);
    }
  }

  private insertAgent(name: string, config: AgentConfig): Agent {
    const now = nowMs(this.clock);
    const agentId = this.newId();
    const versionId = this.newId();
    this.sql.run('INSERT INTO agents (id, name, current_version_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
      agentId,
      name,
      versionId,
      now,
      now,
    ]);
    this.insertVersion(versionId, agentId, 1, config, now);
    return required(selectAgent(this.sql, agentId), 'agent', agentId);
  }

  private insertVersion(id: string, agentId: string, version: number, config: AgentConfig, now: number): void {
    const { provider, model, systemPrompt } = config;
    this.sql.run(`INSERT INTO agent_versions (${versionColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      id,
      agentId,
      version,
      provider,
      model,
      systemPrompt,
      toJson(config.params, 'params'),
      toJson(config.tools, 'tools'),
      now,
    ]);
  }

  private setArchivedAt(id: string, archivedAt: number | null): Agent {
    if (this.sql.run('UPDATE agents SET archived_at = ? WHERE id = ?', [archivedAt, id]).changes === 0) {
      throw new NotFoundError('agent', id);
    }
    return required(selectAgent(this.sql, id), 'agent', id);
  }
}

export interface VersionRow {
  id: string;
  agent_id: string;
  version: number;
  provider: string;
  model: string;
  system_prompt: string;
  params: string;
  tools: string;
  created_at: number;
}

export interface AgentRow {
  id: string;
  name: string;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
  current_version_id: string;
}

export const versionColumns = 'id, agent_id, version, provider, model, system_prompt, params, tools, created_at';

export function selectAgent(sql: SqlReader, id: string): Agent | undefined {
  const row = sql.get<AgentRow>('SELECT * FROM agents WHERE id = ?', [id]);
  if (row === undefined) {
    return undefined;
  }
  const version = required(selectVersion(sql, row.current_version_id), 'agent version', row.current_version_id);
  return toAgent(row, version);
}

export function selectVersion(sql: SqlReader, versionId: string): AgentVersion | undefined {
  const row = sql.get<VersionRow>(`SELECT ${versionColumns} FROM agent_versions WHERE id = ?`, [versionId]);
  return row && toVersion(row);
}

export function toAgent(row: AgentRow, currentVersion: AgentVersion): Agent {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archivedAt: row.archived_at,
    currentVersion,
  };
}

export function toVersion(row: VersionRow): AgentVersion {
  return {
    id: row.id,
    agentId: row.agent_id,
    version: row.version,
    provider: row.provider,
    model: row.model,
    systemPrompt: row.system_prompt,
    params: fromJson<JsonObject>(row.params),
    tools: fromJson<JsonValue[]>(row.tools),
    createdAt: row.created_at,
  };
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') {
    throw new Error('An agent needs a name');
  }
  return trimmed;
}

function checkConfig(config: AgentConfig): AgentConfig {
  for (const field of ['provider', 'model'] as const) {
    if (config[field].trim() === '') {
      throw new Error(`An agent needs a ${field}`);
    }
  }
  if (typeof config.params !== 'object' || config.params === null || Array.isArray(config.params)) {
    throw new Error('Agent params must be a JSON object');
  }
  if (!Array.isArray(config.tools)) {
    throw new Error('Agent tools must be a JSON array');
  }
  const { provider, model, systemPrompt, params, tools } = config;
  return { provider, model, systemPrompt, params, tools };
}

function configKey(config: AgentConfig): string {
  return JSON.stringify([config.provider, config.model, config.systemPrompt, config.params, config.tools]);
}
