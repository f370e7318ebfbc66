import { buildChatRequest } from '../chat/chatRequest';
import type { StudioEvent } from '../../db/repositories/events';
import type { Message } from '../../db/repositories/messages';
import type { ChatRequest } from '../../llm/types';
import { replayParametersSchema, replayRequestSchema, type ReplayMessage, type ReplayParameters, type ReplayRequest } from './replaySchema';
import { isReplayEventType, ReplayError, type ReplayChange, type ReplayRepositories } from './replayTypes';
import { asRecord } from '../jsonFields';

/**
 * From a recorded call back to exactly what it sent. The call's event holds its shape (provider, agent version,
 * parameters, how many messages), not its text: the text is the session's message path up to the reply, and the
 * system prompt is the agent version's. Both go through the chat loop's own request builder, so what is rebuilt
 * is what the chat loop sent, by construction.
 */

const REQUEST_STARTED = 'llm.request.started';
const CALL_OUTCOMES: readonly string[] = ['llm.response.completed', 'llm.error'];

/** A recorded chat call: its events, its reply, and its request as sent. */
export interface RecordedCall {
  /** The llm.request.started event. */
  started: StudioEvent;
  /** Its llm.response.completed or llm.error, when the call has ended. */
  outcome: StudioEvent | undefined;
  /** The assistant message the call wrote. */
  reply: Message;
  request: ReplayRequest;
}

/**
 * The exact request of a call, editable, from its llm.request.started, llm.response.completed or llm.error event
 * (or from a replay event: that replay's request, still linked to the original call). Throws ReplayError.
 */
export function rebuildRequest(repos: ReplayRepositories, eventId: string): ReplayRequest {
  const event = requireEvent(repos, eventId);
  const request = isReplayEventType(event.type) ? replayedRequest(repos, event) : loadCall(repos, eventId).request;
  // A call too large for the panel to send back could never be replayed: better said now than after editing.
  return parseReplayRequest(request);
}

/** The call an event belongs to, with its request rebuilt. Throws ReplayError when it is not a chat call. */
export function loadCall(repos: ReplayRepositories, eventId: string): RecordedCall {
  const event = requireEvent(repos, eventId);
  let started = event;
  if (CALL_OUTCOMES.includes(event.type)) {
    const parent = event.parentEventId === null ? undefined : repos.events.get(event.parentEventId);
    if (parent === undefined || parent.type !== REQUEST_STARTED) {
      throw new ReplayError('deleted', 'The request of this call was not recorded, so it cannot be rebuilt.');
    }
    started = parent;
  } else if (event.type !== REQUEST_STARTED) {
    throw new ReplayError(
      'not_a_call',
      `A ${event.type} event is not a model call: replay starts from a request (llm.request.started) or its outcome (llm.response.completed, llm.error).`,
    );
  }
  if (started.sessionId === null) {
    throw new ReplayError('not_a_call', 'Only the model calls of chat sessions can be replayed for now.');
  }
  const shape = asRecord(started.payload);
  const reply = started.messageId === null ? undefined : repos.messages.get(started.messageId);
  if (reply === undefined) {
    throw new ReplayError('deleted', 'The reply of this call was deleted, and with it the conversation the call was sent.');
  }
  const versionId = typeof shape.agentVersionId === 'string' ? shape.agentVersionId : reply.agentVersionId;
  const version = versionId === null ? undefined : repos.agents.getVersion(versionId);
  if (version === undefined) {
    throw new ReplayError(
      'deleted',
      'The agent version that made this call was deleted (with its agent), and its system prompt with it: the call cannot be rebuilt exactly.',
    );
  }
  const path = reply.parentId === null ? [] : repos.messages.path(reply.parentId);
  const model = started.model ?? reply.model ?? version.model;
  const sent = buildChatRequest(version, model, path);
  if (typeof shape.messageCount === 'number' && shape.messageCount !== sent.messages.length) {
    throw new ReplayError(
      'changed',
      `The conversation before this call changed since it was made (${shape.messageCount} messages were sent, ${sent.messages.length} are there now): it cannot be rebuilt exactly.`,
    );
  }
  const request: ReplayRequest = {
    sourceEventId: started.id,
    sessionId: started.sessionId,
    provider: typeof shape.provider === 'string' ? shape.provider : version.provider,
    model,
    systemPrompt: sent.system ?? '',
    parameters: parametersOf(sent),
    // Reasoning is not editable in a replay (and its signatures are only valid unchanged): the request is sent without it.
    messages: sent.messages.flatMap((message) => {
      const content = message.content.flatMap((part): ReplayRequest['messages'][number]['content'] => {
        if (part.type === 'reasoning') {
          return [];
        }
        // The replay editor edits calls as name and arguments; provider signatures stay with the original.
        return part.type === 'tool_call' ? [{ type: 'tool_call', id: part.id, name: part.name, arguments: part.arguments }] : [part];
      });
      return content.length === 0 ? [] : [{ role: message.role, content }];
    }),
  };
  return { started, outcome: outcomeOf(repos, started), reply, request };
}

/** Checks a request coming back from a panel. Throws ReplayError('invalid') naming the first problem. */
export function parseReplayRequest(input: unknown): ReplayRequest {
  const parsed = replayRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new ReplayError('invalid', `The edited request is not valid: ${where}${issue?.message ?? 'unreadable'}.`);
  }
  return parsed.data;
}

/** What the provider is sent for a replay request; white space alone is no system prompt, as in the chat loop. */
export function toChatRequest(request: ReplayRequest): ChatRequest {
  const { temperature, maxTokens, stop } = request.parameters;
  return {
    model: request.model,
    ...(request.systemPrompt.trim() === '' ? {} : { system: request.systemPrompt }),
    messages: request.messages,
    ...(temperature === undefined ? {} : { temperature }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
    ...(stop === undefined || stop.length === 0 ? {} : { stop }),
  };
}

/** What `edited` changes from `original`, field by field, in a fixed order. */
export function diffRequests(original: ReplayRequest, edited: ReplayRequest): ReplayChange[] {
  const changes: ReplayChange[] = [];
  for (const field of ['provider', 'model'] as const) {
    if (original[field] !== edited[field]) {
      changes.push({ field, from: original[field], to: edited[field] });
    }
  }
  for (const field of ['temperature', 'maxTokens'] as const) {
    const from = original.parameters[field] ?? null;
    const to = edited.parameters[field] ?? null;
    if (from !== to) {
      changes.push({ field, from, to });
    }
  }
  const fromStop = original.parameters.stop ?? [];
  const toStop = edited.parameters.stop ?? [];
  if (!sameJson(fromStop, toStop)) {
    changes.push({ field: 'stop', from: [...fromStop], to: [...toStop] });
  }
  const fromSystem = sentSystem(original);
  const toSystem = sentSystem(edited);
  if (fromSystem !== toSystem) {
    changes.push({ field: 'systemPrompt', fromLength: fromSystem.length, toLength: toSystem.length });
  }
  const edits: number[] = [];
  const shared = Math.min(original.messages.length, edited.messages.length);
  for (let index = 0; index < shared; index++) {
    if (!sameJson(original.messages[index], edited.messages[index])) {
      edits.push(index);
    }
  }
  if (edits.length > 0 || original.messages.length !== edited.messages.length) {
    changes.push({ field: 'messages', fromCount: original.messages.length, toCount: edited.messages.length, edited: edits });
  }
  return changes;
}

/** Whether the replay asked a different question (not only another model or other settings). */
export function editsConversation(changes: readonly ReplayChange[]): boolean {
  return changes.some((change) => change.field === 'systemPrompt' || change.field === 'messages');
}

/**
 * A replay event's request: the original's, with what the replay recorded of its own (`request` in its payload:
 * provider, model and parameters always, system prompt and messages when they were edited).
 */
function replayedRequest(repos: ReplayRepositories, event: StudioEvent): ReplayRequest {
  const payload = asRecord(event.payload);
  const sourceId = typeof payload.sourceEventId === 'string' ? payload.sourceEventId : event.parentEventId;
  if (sourceId === null) {
    throw new ReplayError('deleted', 'The call this replay came from was deleted.');
  }
  const original = loadCall(repos, sourceId).request;
  const own = asRecord(payload.request ?? null);
  const parameters = replayParametersSchema.safeParse(own.parameters);
  const edited: ReplayRequest = {
    ...original,
    ...(typeof own.provider === 'string' ? { provider: own.provider } : {}),
    ...(typeof own.model === 'string' ? { model: own.model } : {}),
    ...(typeof own.systemPrompt === 'string' ? { systemPrompt: own.systemPrompt } : {}),
    ...(own.messages === undefined ? {} : { messages: own.messages as unknown as ReplayMessage[] }),
    ...(parameters.success ? { parameters: parameters.data } : {}),
  };
  return edited;
}

function outcomeOf(repos: ReplayRepositories, started: StudioEvent): StudioEvent | undefined {
  if (started.sessionId === null) {
    return undefined;
  }
  const outcomes = repos.events.list({ sessionId: started.sessionId }, { types: ['llm.response.completed', 'llm.error'] });
  return outcomes.filter((event) => event.parentEventId === started.id).at(-1);
}

function parametersOf(request: ChatRequest): ReplayParameters {
  return {
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxTokens === undefined ? {} : { maxTokens: request.maxTokens }),
    ...(request.stop === undefined ? {} : { stop: request.stop }),
  };
}

function sentSystem(request: ReplayRequest): string {
  return request.systemPrompt.trim() === '' ? '' : request.systemPrompt;
}

function requireEvent(repos: ReplayRepositories, eventId: string): StudioEvent {
  const event = repos.events.get(eventId);
  if (event === undefined) {
    throw new ReplayError('not_found', `There is no event ${eventId}; it may have been deleted with its session.`);
  }
  return event;
}

/** Equality of JSON values regardless of key order. */
function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
