import { z } from 'zod';
import type { RequestMap } from './rpc';

/**
 * The agent editor's protocol. The host owns the truth (the store and the provider settings); the panel owns the
 * draft, which it keeps in its webview state so a hidden or reloaded panel loses no typing. Every string from the
 * panel is bounded here; the friendly limits and messages come from src/core/agentValidation.ts, on the host.
 * Provider options carry labels and flags only: no key ever crosses into the panel.
 */

/** The editor's fields as typed (numbers as text: "" means the provider's default). */
export const agentDraftSchema = z.strictObject({
  name: z.string().max(1_000),
  provider: z.string().max(300),
  model: z.string().max(1_000),
  systemPrompt: z.string().max(200_000),
  temperature: z.string().max(100),
  maxTokens: z.string().max(100),
  /** Every tool the editor lists, with the mode chosen: 'off', 'ask' or 'auto' (checked on the host). */
  tools: z.array(z.strictObject({ name: z.string().max(100), mode: z.string().max(20) })).max(200),
  /** run_command's rules, one per line. */
  commandAllow: z.string().max(50_000),
  commandDeny: z.string().max(50_000),
  /** Limits per turn as typed; "" means the default. */
  limitSteps: z.string().max(100),
  limitTokens: z.string().max(100),
  limitCostUsd: z.string().max(100),
  limitMinutes: z.string().max(100),
});
export type AgentDraft = z.infer<typeof agentDraftSchema>;
/** The draft's one-value fields; each tool's mode is a field of its own, `tool:<name>`. */
export type AgentDraftField = Exclude<keyof AgentDraft, 'tools'>;
export type ToolField = `tool:${string}`;
export type MessageField = AgentDraftField | ToolField;

const fieldSchema = z.union([
  z.enum(['name', 'provider', 'model', 'systemPrompt', 'temperature', 'maxTokens', 'commandAllow', 'commandDeny', 'limitSteps', 'limitTokens', 'limitCostUsd', 'limitMinutes']),
  z.templateLiteral(['tool:', z.string()]),
]);
const fieldMessagesSchema = z.partialRecord(fieldSchema, z.string());
export type FieldMessages = z.infer<typeof fieldMessagesSchema>;

const validationSchema = z.strictObject({ errors: fieldMessagesSchema, warnings: fieldMessagesSchema });
export type DraftValidation = z.infer<typeof validationSchema>;

/** A provider endpoint the agent can use, as the dropdown shows it. */
export interface ProviderOption {
  id: string;
  label: string;
  /** Its state in a few words: "key set", "no key", "not configured". */
  detail: string;
  /** Configured, and holding a key when it needs one. */
  usable: boolean;
  defaultModel: string | null;
}

/** A tool as the editor lists it: what it is called, what it does, and the mode a new agent gives it. */
export interface ToolOption {
  name: string;
  label: string;
  description: string;
  category: 'read' | 'edit' | 'command' | 'fetch';
  defaultMode: 'ask' | 'auto';
}

export interface AgentEditorSnapshot {
  /** Names the draft in the webview state: the agent id, or `new:<id>` until a new agent is first saved. */
  key: string;
  agentId: string | null;
  /** The stored configuration, or a new agent's defaults: what "unsaved changes" are measured against. */
  saved: AgentDraft;
  version: number | null;
  updatedAt: number | null;
  archived: boolean;
  /** The agent was deleted while the editor was open; saving creates a new agent from the form. */
  deleted: boolean;
  providers: ProviderOption[];
  /** The tools the Tools section lists, in order. */
  tools: ToolOption[];
  /** What an empty limit means: the placeholders of the limit fields. */
  limitDefaults: { steps: number; tokens: number; costUsd: number; minutes: number };
  /** Workspace Trust: in Restricted Mode edits and commands are off and nothing runs without asking. */
  workspaceTrusted: boolean;
}

const modelSchema = z.strictObject({ id: z.string(), label: z.string().nullable() });
export type ModelOption = z.infer<typeof modelSchema>;

export const agentEditorRequests = {
  /** Checks the draft as typed; the panel shows the messages next to the fields. */
  'agentEditor/validate': { params: z.strictObject({ draft: agentDraftSchema }), result: validationSchema },
  /** Saves the draft: a new agent, or a new version of this one when its configuration changed. */
  'agentEditor/save': {
    params: z.strictObject({ draft: agentDraftSchema }),
    result: z.discriminatedUnion('ok', [
      z.strictObject({ ok: z.literal(true), message: z.string(), snapshot: z.custom<AgentEditorSnapshot>() }),
      z.strictObject({ ok: z.literal(false), message: z.string(), errors: fieldMessagesSchema, warnings: fieldMessagesSchema }),
    ]),
  },
  /** The models the endpoint lists; `error` says why there are none (the model field still takes any name). */
  'agentEditor/listModels': {
    params: z.strictObject({ provider: z.string().min(1).max(300), refresh: z.boolean() }),
    result: z.strictObject({ models: z.array(modelSchema), error: z.string().nullable() }),
  },
  /** Whether the draft differs from what is saved, for the ● in the editor's title. */
  'agentEditor/setDirty': { params: z.strictObject({ dirty: z.boolean() }), result: z.null() },
  /** Opens the settings of the chosen endpoint, to fix what keeps it from working. */
  'agentEditor/openProviderSettings': { params: z.strictObject({ provider: z.string().min(1).max(300) }), result: z.null() },
} satisfies RequestMap;
export type AgentEditorRequests = typeof agentEditorRequests;

/** Host -> panel: the stored agent or the provider list changed (another window, the Agents view, settings). */
export type AgentEditorEvent = { method: 'agentEditor/state'; params: AgentEditorSnapshot };

/** What the panel keeps in its webview state (also handed back to the host when VS Code restores the panel). */
export const agentEditorStateSchema = z.object({
  key: z.string().max(100),
  agentId: z.string().max(100).nullable(),
  // A draft kept by an older build lacks newer fields: it is dropped, not the editor's agent with it.
  draft: agentDraftSchema.optional().catch(undefined),
});
export type AgentEditorState = z.infer<typeof agentEditorStateSchema>;
