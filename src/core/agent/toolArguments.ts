import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ToolDefinition } from '../tools/toolTypes';

/**
 * A model's tool call arguments, from the JSON text it produced to an object its tool's schema accepts. Every
 * failure is a message for the model ("`path` must be a string"), which goes back to it as the call's error
 * result, so it can fix the call; nothing runs on arguments that did not pass.
 */

/** Arguments larger than this are refused before parsing: no tool needs them, and parsing them costs. */
export const MAX_ARGUMENT_CHARS = 1_000_000;

export type ParsedArguments = { ok: true; args: Record<string, unknown> } | { ok: false; error: string };

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
const validators = new WeakMap<ToolDefinition, ValidateFunction>();

export function parseArguments(tool: ToolDefinition, text: string): ParsedArguments {
  if (text.length > MAX_ARGUMENT_CHARS) {
    return { ok: false, error: `The arguments are ${text.length.toLocaleString('en-US')} characters long; ${tool.name} accepts at most ${MAX_ARGUMENT_CHARS.toLocaleString('en-US')}. Split the work into smaller calls.` };
  }
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `The arguments are not valid JSON (${err instanceof Error ? err.message : String(err)}). Call ${tool.name} again with a JSON object.` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `The arguments must be a JSON object, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}.` };
  }
  let validate = validators.get(tool);
  if (validate === undefined) {
    validate = ajv.compile(tool.parameters);
    validators.set(tool, validate);
  }
  if (!validate(value)) {
    return { ok: false, error: `Invalid arguments for ${tool.name}: ${describeErrors(validate.errors ?? [])}.` };
  }
  return { ok: true, args: value as Record<string, unknown> };
}

function describeErrors(errors: readonly ErrorObject[]): string {
  const messages = errors.slice(0, 5).map((error) => {
    const where = error.instancePath === '' ? 'the arguments' : `\`${error.instancePath.slice(1).replace(/\//g, '.')}\``;
    switch (error.keyword) {
      case 'required':
        return `\`${String((error.params as { missingProperty?: unknown }).missingProperty)}\` is required`;
      case 'additionalProperties':
        return `${where} has an unknown property \`${String((error.params as { additionalProperty?: unknown }).additionalProperty)}\``;
      default:
        return `${where} ${error.message ?? 'is invalid'}`;
    }
  });
  const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
  return messages.join('; ') + more;
}
