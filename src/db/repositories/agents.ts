import type { Clock } from '../../core/ports';
import { createIdFactory } from '../ids';
import type { SqlWriter } from '../sql';
import {
  AgentWrites,
  selectAgent,
  selectVersion,
  toAgent,
  toVersion,
  versionColumns,
  type AgentRow,
  type VersionRow,
} from './agentWrites';
import { required, type JsonObject, type JsonValue } from './rows';
import type { StorePort } from './storePort';

/** What an agent does: every edit of any of these makes a new, numbered version; old versions stay. */
export interface AgentConfig {
  provider: string;
  model: string;
  systemPrompt: string;
  /** Model parameters (temperature, max tokens, ...), provider-specific. */
  params: JsonObject;
  /** Tool definitions the agent may call. */
  tools: readonly JsonValue[];
}

export interface AgentVersion extends AgentConfig {
  id: string;
  agentId: string;
  version: number;
  createdAt: number;
}

export interface Agent {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  archivedAt: number | null;
  currentVersion: AgentVersion;
}

export type NewAgent = { name: string } & Pick<AgentConfig, 'provider' | 'model'> & Partial<AgentConfig>;
export type AgentChanges = { name?: string } & Partial<AgentConfig>;

/** Agents and their numbered versions: every configuration edit is a new version, and old ones stay. */
export class AgentsRepository {
  constructor(
    private readonly store: StorePort,
    private readonly clock: Clock,
    private readonly newId: () => string = createIdFactory(clock),
  ) {}

  /** The same writes, synchronous, inside a transaction the caller holds, so several make one commit. */
  within(sql: SqlWriter): AgentWrites {
    return new AgentWrites(sql, this.clock, this.newId);
  }

  /** Creates the agent and its version 1. */
  create(input: NewAgent): Promise<Agent> {
    return this.store.write((sql) => this.within(sql).create(input));
  }

  /** Renames and/or reconfigures; a configuration that differs from the current one becomes a new version. */
  update(id: string, changes: AgentChanges): Promise<Agent> {
    return this.store.write((sql) => this.within(sql).update(id, changes));
  }

  /** A new agent (with its own version 1) configured like the current version of `id`. */
  duplicate(id: string, name?: string): Promise<Agent> {
    return this.store.write((sql) => this.within(sql).duplicate(id, name));
  }

  archive(id: string): Promise<Agent> {
    return this.store.write((sql) => this.within(sql).archive(id));
  }

  unarchive(id: string): Promise<Agent> {
    return this.store.write((sql) => this.within(sql).unarchive(id));
  }

  /** Deletes the agent and its versions. Its sessions and runs stay, with their agent references cleared. */
  delete(id: string): Promise<void> {
    return this.store.write((sql) => this.within(sql).delete(id));
  }

  get(id: string): Agent | undefined {
    return this.store.read((sql) => selectAgent(sql, id));
  }

  /** Agents by name; archived ones only when asked for. */
  list(options: { includeArchived?: boolean } = {}): Agent[] {
    return this.store.read((sql) => {
      const where = options.includeArchived ? '' : 'WHERE archived_at IS NULL';
      const rows = sql.all<AgentRow>(`SELECT * FROM agents ${where} ORDER BY name COLLATE NOCASE, id`);
      const versions = new Map(
        sql
          .all<VersionRow>(
            `SELECT ${versionColumns} FROM agent_versions WHERE id IN (SELECT current_version_id FROM agents ${where})`,
          )
          .map((row) => [row.id, toVersion(row)]),
      );
      return rows.map((row) =>
        toAgent(row, required(versions.get(row.current_version_id), 'agent version', row.current_version_id)),
      );
    });
  }

  /** Every version of an agent, newest first. */
  listVersions(agentId: string): AgentVersion[] {
    return this.store.read((sql) => {
      required(sql.get('SELECT 1 AS found FROM agents WHERE id = ?', [agentId]), 'agent', agentId);
      return sql
        .all<VersionRow>(`SELECT ${versionColumns} FROM agent_versions WHERE agent_id = ? ORDER BY version DESC`, [
          agentId,
        ])
        .map(toVersion);
    });
  }

  getVersion(versionId: string): AgentVersion | undefined {
    return this.store.read((sql) => selectVersion(sql, versionId));
  }
}
