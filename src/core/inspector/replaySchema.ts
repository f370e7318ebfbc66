import { z } from 'zod';

/**
 * The replay request as the Inspector panel edits it and sends it back: untrusted, so every string and list is
 * bounded and every object is strict (unknown keys, `__proto__` included, are refused). It depends on nothing
 * but zod, so it can move into src/protocol unchanged when the panel's protocol is written.
 *
 * The shape is what the provider is sent (src/llm's neutral request), never the stored message rows: a replay
 * is a model call, and editing it must not reach into the session's history.
 */

export const REPLAY_LIMITS = {
  id: 200,
  provider: 300,
  model: 300,
  systemPrompt: 200_000,
  messages: 2_000,
  partsPerMessage: 200,
  partText: 1_000_000,
  /** All text of a request together: system prompt, text parts, tool arguments and results. */
  totalText: 4_000_000,
  toolId: 500,
  toolName: 200,
  stop: 16,
  stopText: 500,
  temperatureMax: 2,
  maxTokens: 1_000_000,
} as const;

// eslint-disable-next-line no-control-regex -- control characters are exactly what these fields must not hold
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A name on one line: trimmed, not empty, no control characters. */
const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max)
    .refine((value) => !CONTROL.test(value), 'must be one line without control characters');

const text = z.string().max(REPLAY_LIMITS.partText);

const partSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text }),
  z.strictObject({
    type: z.literal('tool_call'),
    id: line(REPLAY_LIMITS.toolId),
    name: line(REPLAY_LIMITS.toolName),
    arguments: text,
  }),
  z.strictObject({
    type: z.literal('tool_result'),
    callId: line(REPLAY_LIMITS.toolId),
    // Empty when the call that asked for it is not on the path (the chat loop sends it so).
    name: z.string().max(REPLAY_LIMITS.toolName),
    content: text,
    isError: z.boolean().optional(),
  }),
]);

const messageSchema = z.strictObject({
  role: z.enum(['user', 'assistant', 'tool']),
  content: z.array(partSchema).min(1, 'a message needs at least one part').max(REPLAY_LIMITS.partsPerMessage),
});

export const replayParametersSchema = z.strictObject({
  temperature: z.number().finite().min(0).max(REPLAY_LIMITS.temperatureMax).optional(),
  maxTokens: z.number().int().min(1).max(REPLAY_LIMITS.maxTokens).optional(),
  stop: z.array(z.string().min(1).max(REPLAY_LIMITS.stopText)).max(REPLAY_LIMITS.stop).optional(),
});

export const replayRequestSchema = z
  .strictObject({
    /** The llm.request.started event of the call being replayed: the replay's parent event. */
    sourceEventId: line(REPLAY_LIMITS.id),
    sessionId: line(REPLAY_LIMITS.id),
    /** The provider endpoint id (EndpointConfig.id): `openai`, `ollama`, `openai-compatible:<name>`, ... */
    provider: line(REPLAY_LIMITS.provider),
    model: line(REPLAY_LIMITS.model),
    /** '' (or only white space): no system prompt, as the chat loop sends it. */
    systemPrompt: z.string().max(REPLAY_LIMITS.systemPrompt),
    parameters: replayParametersSchema,
    messages: z.array(messageSchema).min(1, 'a request needs at least one message').max(REPLAY_LIMITS.messages),
  })
  .superRefine((request, context) => {
    let total = request.systemPrompt.length;
    for (const message of request.messages) {
      for (const part of message.content) {
        total += part.type === 'text' ? part.text.length : part.type === 'tool_call' ? part.arguments.length : part.content.length;
      }
    }
    if (total > REPLAY_LIMITS.totalText) {
      context.addIssue({ code: 'custom', message: `the request holds more than ${REPLAY_LIMITS.totalText} characters of text`, path: ['messages'] });
    }
  });

/** One replayable call: exactly what was (or will be) sent, JSON-safe, editable. */
export type ReplayRequest = z.infer<typeof replayRequestSchema>;
export type ReplayParameters = z.infer<typeof replayParametersSchema>;
export type ReplayMessage = ReplayRequest['messages'][number];
