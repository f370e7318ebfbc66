import type { StudioEvent } from '../../db/repositories/events';
import type { Message } from '../../db/repositories/messages';
import type { JsonValue } from '../../db/repositories/rows';
import type { InspectorDetail, InspectorDetailSection } from '../../protocol/inspector';
import { labelOf } from './eventRows';
import { redactJson } from './redact';
import { member, toolCallFacts } from './toolCalls';

/**
 * The detail pane of one event: its request and its response (a model call is two events, linked by
 * parentEventId), or a tool call's steps (its events, linked by message and call id) under a summary of the call,
 * and the message it produced, each as formatted JSON with every key-like value redacted (a call's arguments are
 * read as the JSON they are, so a secret-named member in them is hidden too). Undo's file originals are blob
 * references: their text stays in the blob and is never read here. Strings are capped so one huge tool output
 * cannot make a multi-megabyte message.
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
  /** For a tool call's event: every event of that call, in order (the event itself among them). */
  call?: readonly StudioEvent[];
}

export function buildDetail(context: DetailContext): InspectorDetail {
  const { event, parent, children, message, call } = context;
  const sections: InspectorDetailSection[] = [];
  if (call !== undefined && call.length > 0) {
    sections.push({ name: 'Tool call', eventId: null, json: format(callJson(call)) });
    for (const step of call) {
      sections.push(section(stepName(step.type), step));
    }
  } else if (event.type === 'llm.request.started') {
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
  return { name, eventId: event.id, json: format(eventJson(readableToolPayload(event))) };
}

/** `tool.call.approved` -> `Approved`. */
function stepName(type: string): string {
  const step = type.slice(type.lastIndexOf('.') + 1);
  return step.charAt(0).toUpperCase() + step.slice(1);
}

/** What the Inspector makes of a call as a whole (the row's figures), for the top of its detail. */
function callJson(call: readonly StudioEvent[]): JsonValue {
  const facts = toolCallFacts(call);
  return {
    tool: facts.name,
    callId: facts.callId,
    summary: facts.summary,
    state: facts.state,
    verdict: facts.verdict,
    decidedBy: facts.decidedBy,
    approvalWaitMs: facts.waitMs,
    runMs: facts.runMs,
    exitCode: facts.exitCode,
    timedOut: facts.timedOut,
    filesChanged: facts.files,
    error: facts.error,
  };
}

/**
 * A tool call's arguments are recorded as the model's JSON text: shown as the JSON they hold, so they read as
 * arguments and a secret-named member in them (`"apiKey": ...`) is redacted like any other.
 */
function readableToolPayload(event: StudioEvent): StudioEvent {
  const args = member(event.payload, 'arguments');
  if (!event.type.startsWith('tool.call.') || typeof args !== 'string') {
    return event;
  }
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(args) as JsonValue;
  } catch {
    return event;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return event;
  }
  const payload: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(event.payload as Record<string, JsonValue>)) {
    Object.defineProperty(payload, key, { value: key === 'arguments' ? parsed : value, enumerable: true, writable: true, configurable: true });
  }
  return { ...event, payload };
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
