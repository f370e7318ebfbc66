import { z } from 'zod';
import type { AgentsRepository } from '../db/repositories/agents';
import type { EventsRepository, StudioEvent } from '../db/repositories/events';
import type { ContentPart, Message, MessagesRepository } from '../db/repositories/messages';
import type { JsonValue } from '../db/repositories/rows';
import type { SessionsRepository } from '../db/repositories/sessions';

/**
 * A session as a file: every branch (messages keep their parentId), its events when asked for, and a summary of
 * its agent. Versioned, so a later AI Studio can read files written by this one, and validated with zod on the
 * way in, so a hand-edited or truncated file is refused with the first problem named instead of half-imported.
 * Nothing secret is in the store, and the export also leaves out what only makes sense on this machine: the
 * agent's provider endpoint and the ids of agents and agent versions.
 */

export const SESSION_FORMAT = 'ai-studio.session';
export const SESSION_FORMAT_VERSION = 1;

const time = z.number().int().nonnegative();
const count = z.number().int().nonnegative().nullable();
const exportedId = z.string().min(1).max(200);
/** Any JSON value, typed as the repositories type one (read-only), so parsed data goes straight into them. */
const json = z.json() as unknown as z.ZodType<JsonValue>;

/** Attachments (blob parts) are not in v1 files: their bytes live beside the database, not in the file. */
const contentPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('reasoning'), text: z.string(), signature: z.string().optional(), redacted: z.string().optional(), origin: z.string().max(100).optional() }),
  z.object({ type: z.literal('tool_call'), id: z.string(), name: z.string(), arguments: json, signature: z.string().optional(), origin: z.string().max(100).optional() }),
  z.object({ type: z.literal('tool_result'), callId: z.string(), output: json, isError: z.boolean().optional() }),
  z.object({
    type: z.literal('tool_step'),
    callId: z.string(),
    name: z.string(),
    summary: z.string(),
    state: z.enum(['pending', 'awaiting_approval', 'running', 'completed', 'failed', 'denied', 'interrupted']),
    decidedBy: z.enum(['policy', 'person', 'session']).optional(),
    details: json.optional(),
    durationMs: z.number().nonnegative().optional(),
  }),
]);

const messageSchema = z.object({
  id: exportedId,
  parentId: exportedId.nullable(),
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.array(contentPartSchema),
  status: z.enum(['streaming', 'complete', 'incomplete', 'cancelled', 'error']),
  model: z.string().max(500).nullable(),
  error: json.nullable(),
  createdAt: time,
  updatedAt: time,
});

const eventSchema = z.object({
  id: exportedId,
  parentEventId: exportedId.nullable(),
  messageId: exportedId.nullable(),
  // The same rule the events table enforces, checked here so an import fails before it writes anything.
  type: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'not an event type (dotted lower case, like llm.error)'),
  startedAt: time,
  endedAt: time.nullable(),
  durationMs: count,
  tokens: z.object({ input: count, output: count, cacheRead: count, cacheWrite: count, reasoning: count }),
  costMicroUsd: count,
  model: z.string().max(500).nullable(),
  payload: json,
});

export const sessionExportSchema = z.object({
  format: z.literal(SESSION_FORMAT),
  version: z.literal(SESSION_FORMAT_VERSION),
  exportedAt: time,
  session: z.object({
    id: exportedId,
    title: z.string().max(1000),
    createdAt: time,
    updatedAt: time,
    headMessageId: exportedId.nullable(),
  }),
  agent: z
    .object({ name: z.string().max(1000), model: z.string().max(500), systemPrompt: z.string(), version: z.number().int().positive() })
    .nullable(),
  messages: z.array(messageSchema),
  events: z.array(eventSchema).optional(),
});

export type SessionExport = z.infer<typeof sessionExportSchema>;
export type ExportedMessage = SessionExport['messages'][number];
export type ExportedEvent = NonNullable<SessionExport['events']>[number];

export interface ExportRepositories {
  sessions: SessionsRepository;
  messages: MessagesRepository;
  events: EventsRepository;
  agents: AgentsRepository;
}

export interface ExportOptions {
  /** The events (calls, tokens, costs, errors) too; default true. */
  includeEvents?: boolean;
  now: number;
}

export function buildSessionExport(repos: ExportRepositories, sessionId: string, options: ExportOptions): SessionExport {
  const session = repos.sessions.get(sessionId);
  if (session === undefined) {
    throw new Error('That session no longer exists; it may have been deleted in another window.');
  }
  const agent = session.agentId === null ? undefined : repos.agents.get(session.agentId);
  const exported: SessionExport = {
    format: SESSION_FORMAT,
    version: SESSION_FORMAT_VERSION,
    exportedAt: options.now,
    session: { id: session.id, title: session.title, createdAt: session.createdAt, updatedAt: session.updatedAt, headMessageId: session.headMessageId },
    agent:
      agent === undefined
        ? null
        : { name: agent.name, model: agent.currentVersion.model, systemPrompt: agent.currentVersion.systemPrompt, version: agent.currentVersion.version },
    messages: repos.messages.listBySession(sessionId).map(exportMessage),
  };
  if (options.includeEvents !== false) {
    exported.events = repos.events.list({ sessionId }).map(exportEvent);
  }
  return exported;
}

function exportMessage(message: Message): ExportedMessage {
  return {
    id: message.id,
    parentId: message.parentId,
    role: message.role,
    content: message.content.map(exportPart),
    status: message.status,
    model: message.model,
    error: message.error,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
  };
}

/** The bytes of an attachment stay behind; the file says what was there instead of pointing at nothing. */
function exportPart(part: ContentPart): ExportedMessage['content'][number] {
  if (part.type !== 'blob') {
    return part;
  }
  const name = part.name === undefined ? '' : `${part.name}, `;
  return { type: 'text', text: `[Attachment not included in the export: ${name}${part.mimeType}, ${part.size} bytes]` };
}

/** Which endpoint, agent and agent version a call went to: ids of this machine, meaningless (or private) elsewhere. */
const localPayloadKeys = new Set(['provider', 'agentId', 'agentVersionId']);

function exportEvent(event: StudioEvent): ExportedEvent {
  return {
    id: event.id,
    parentEventId: event.parentEventId,
    messageId: event.messageId,
    type: event.type,
    startedAt: event.startedAt,
    endedAt: event.endedAt,
    durationMs: event.durationMs,
    tokens: event.tokens,
    costMicroUsd: event.costMicroUsd,
    model: event.model,
    payload: withoutLocalKeys(event.payload),
  };
}

function withoutLocalKeys(payload: JsonValue): JsonValue {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return payload;
  }
  return Object.fromEntries(Object.entries(payload).filter(([key]) => !localPayloadKeys.has(key)));
}

export type ParseResult = { ok: true; value: SessionExport } | { ok: false; error: string };

/** Reads a file's text as a session export, or says what is wrong with it (the first problem, with its place). */
export function parseSessionExport(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `The file is not JSON (${err instanceof Error ? err.message : String(err)}).` };
  }
  const header = z.object({ format: z.unknown(), version: z.unknown() }).safeParse(raw);
  if (!header.success || header.data.format !== SESSION_FORMAT) {
    return { ok: false, error: `The file is not an AI Studio session export (its "format" is not "${SESSION_FORMAT}").` };
  }
  const version = header.data.version;
  if (typeof version === 'number' && version > SESSION_FORMAT_VERSION) {
    return { ok: false, error: `The file is a version ${version} session export; this AI Studio reads version ${SESSION_FORMAT_VERSION}. Update AI Studio to import it.` };
  }
  const parsed = sessionExportSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: issue ? `${placeOf(issue.path)}: ${issue.message}` : 'The file does not match the session format.' };
  }
  const problem = treeProblem(parsed.data);
  return problem === undefined ? { ok: true, value: parsed.data } : { ok: false, error: problem };
}

/** `messages[3].content[0].type`, as a person would look it up in the file. */
function placeOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) {
    return 'The file';
  }
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}

/** What the schema cannot see: ids are unique, every parent is in the file, and the messages form a tree. */
function treeProblem(data: SessionExport): string | undefined {
  const byId = new Map<string, ExportedMessage>();
  for (const [index, message] of data.messages.entries()) {
    if (byId.has(message.id)) {
      return `messages[${index}].id: "${message.id}" is used by another message too.`;
    }
    byId.set(message.id, message);
  }
  for (const [index, message] of data.messages.entries()) {
    if (message.parentId !== null && !byId.has(message.parentId)) {
      return `messages[${index}].parentId: no message in the file has the id "${message.parentId}".`;
    }
  }
  if (insertionOrder(data.messages) === undefined) {
    return 'messages: the parentIds form a loop, so they are not a conversation tree.';
  }
  if (data.session.headMessageId !== null && !byId.has(data.session.headMessageId)) {
    return `session.headMessageId: no message in the file has the id "${data.session.headMessageId}".`;
  }
  const eventIds = new Set<string>();
  for (const [index, event] of (data.events ?? []).entries()) {
    if (eventIds.has(event.id)) {
      return `events[${index}].id: "${event.id}" is used by another event too.`;
    }
    eventIds.add(event.id);
    if (event.messageId !== null && !byId.has(event.messageId)) {
      return `events[${index}].messageId: no message in the file has the id "${event.messageId}".`;
    }
    if (event.endedAt !== null && event.endedAt < event.startedAt) {
      return `events[${index}].endedAt: it ends before it starts.`;
    }
  }
  return undefined;
}

/**
 * The messages in an order where every parent comes before its children, keeping the file's order otherwise (so
 * branches keep their order among siblings); undefined when parentIds form a loop.
 */
export function insertionOrder(messages: readonly ExportedMessage[]): ExportedMessage[] | undefined {
  const placed = new Set<string>();
  const order: ExportedMessage[] = [];
  let pending = [...messages];
  while (pending.length > 0) {
    const waiting: ExportedMessage[] = [];
    for (const message of pending) {
      if (message.parentId === null || placed.has(message.parentId)) {
        placed.add(message.id);
        order.push(message);
      } else {
        waiting.push(message);
      }
    }
    if (waiting.length === pending.length) {
      return undefined;
    }
    pending = waiting;
  }
  return order;
}
