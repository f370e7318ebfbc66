import type { StudioEvent } from '../../db/repositories/events';
import type { Message } from '../../db/repositories/messages';
import type { JsonValue } from '../../db/repositories/rows';
import type { InspectorDetail, InspectorDetailSection } from '../../protocol/inspector';
import { labelOf } from './eventRows';
import { redactJson } from './redact';

/**
 * The detail pane of one event: its request and its response (a model call is two events, linked by
 * parentEventId), and the message it produced, each as formatted JSON with every key-like value redacted.
 * Strings are capped so one huge tool output cannot make a multi-megabyte message.
 */

/** Longest string kept in the detail JSON; the rest is cut with a note of the full length. */
const MAX_STRING = 64 * 1024;
/** Most sections' JSON, all together. */
const MAX_JSON = 1024 * 1024;

export interface DetailContext {
  event: StudioEvent;
  /** The event this one answers (a response's request). */
  parent?: StudioEvent;
  /** Events answering this one (a request's response). */
  children: readonly StudioEvent[];
  /** The message the event belongs to, when the source can read it. */
  message?: Message;
}

export function buildDetail(context: DetailContext): InspectorDetail {
  const { event, parent, children, message } = context;
  const sections: InspectorDetailSection[] = [];
  if (event.type === 'llm.request.started') {
    sections.push(section('Request', event));
    for (const child of children) {
      sections.push(section(child.type.startsWith('llm.') ? 'Response' : 'Follow-up', child));
    }
  } else if (parent) {
    sections.push(section(parent.type === 'llm.request.started' ? 'Request' : 'Parent', parent));
    sections.push(section(event.type.startsWith('llm.') ? 'Response' : 'Event', event));
    for (const child of children) {
      sections.push(section('Follow-up', child));
    }
  } else {
    sections.push(section('Event', event));
    for (const child of children) {
      sections.push(section('Follow-up', child));
    }
  }
  if (message) {
    sections.push({ name: 'Message', eventId: null, json: format(messageJson(message)) });
  }
  let budget = MAX_JSON;
  for (const part of sections) {
    if (part.json.length > budget) {
      part.json = `${part.json.slice(0, Math.max(0, budget))}\n… (cut: the detail is larger than ${MAX_JSON / 1024} KB)`;
    }
    budget = Math.max(0, budget - part.json.length);
  }
  return { eventId: event.id, label: labelOf(event), type: event.type, startedAt: event.startedAt, sections };
}

export function eventJson(event: StudioEvent): JsonValue {
  return {
    id: event.id,
    type: event.type,
    time: new Date(event.startedAt).toISOString(),
    startedAt: event.startedAt,
    endedAt: event.endedAt,
    durationMs: event.durationMs,
    model: event.model,
    tokens: { ...event.tokens },
    costMicroUsd: event.costMicroUsd,
    costUsd: event.costMicroUsd === null ? null : event.costMicroUsd / 1e6,
    sessionId: event.sessionId,
    runId: event.runId,
    parentEventId: event.parentEventId,
    messageId: event.messageId,
    payload: event.payload,
  };
}

function section(name: string, event: StudioEvent): InspectorDetailSection {
  return { name, eventId: event.id, json: format(eventJson(event)) };
}

function messageJson(message: Message): JsonValue {
  return {
    id: message.id,
    role: message.role,
    status: message.status,
    model: message.model,
    agentVersionId: message.agentVersionId,
    createdAt: message.createdAt,
    content: message.content as unknown as JsonValue,
    error: message.error,
  };
}

function format(value: JsonValue): string {
  return JSON.stringify(cap(redactJson(value)), null, 2);
}

function cap(value: JsonValue): JsonValue {
  if (typeof value === 'string') {
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} characters)` : value;
  }
  if (Array.isArray(value)) {
    return (value as readonly JsonValue[]).map(cap);
  }
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(copy, key, { value: cap(item), enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  return value;
}
