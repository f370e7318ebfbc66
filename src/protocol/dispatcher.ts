import type { z } from 'zod';
import {
  webviewMessageSchema,
  type HostMessage,
  type ParamsOf,
  type RequestHandlers,
  type RequestMap,
  type RpcError,
} from './rpc';

/**
 * The one place a webview message is trusted: it passes the envelope schema, names a method of this panel's
 * request map (own keys only, so `__proto__` or `constructor` never reach a prototype), and its params pass that
 * method's schema. Everything else is rejected with a logged error and, when it carries an id, an error reply,
 * so a buggy panel learns why instead of waiting forever.
 */

export interface DispatchLog {
  error(message: string): void;
  trace(message: string): void;
}

export type DispatchOutcome =
  | { kind: 'ready' }
  | { kind: 'reply'; message: HostMessage<never, never> }
  | { kind: 'rejected' };

/** Long enough to recognise a message in the log, short enough that a 10 MB string cannot flood it. */
const PREVIEW_LENGTH = 200;

export function createDispatcher<M extends RequestMap>(
  panel: string,
  requests: M,
  handlers: RequestHandlers<M>,
  log: DispatchLog,
): (raw: unknown) => Promise<DispatchOutcome> {
  const reject = (id: number | undefined, error: RpcError): DispatchOutcome => {
    log.error(`${panel}: rejected a message from the panel (${error.code}): ${error.message}`);
    return id === undefined ? { kind: 'rejected' } : { kind: 'reply', message: { kind: 'error', id, error } };
  };

  return async (raw) => {
    const envelope = webviewMessageSchema.safeParse(raw);
    if (!envelope.success) {
      return reject(undefined, { code: 'invalid_request', message: `${describeIssues(envelope.error)}; got ${preview(raw)}` });
    }
    const message = envelope.data;
    if (message.kind === 'ready') {
      return { kind: 'ready' };
    }
    const { id, method } = message;
    if (!Object.hasOwn(requests, method)) {
      return reject(id, { code: 'unknown_method', message: `unknown method ${preview(method)}` });
    }
    const spec = requests[method]!;
    const params = spec.params.safeParse(message.params);
    if (!params.success) {
      return reject(id, { code: 'invalid_request', message: `${method}: ${describeIssues(params.error)}` });
    }
    log.trace(`${panel}: -> ${method} #${id} ${preview(params.data)}`);
    try {
      const result: unknown = await handlers[method as keyof M](params.data as ParamsOf<M, keyof M>);
      log.trace(`${panel}: <- ${method} #${id} ${preview(result)}`);
      return { kind: 'reply', message: { kind: 'response', id, result: result ?? null } };
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      log.error(`${panel}: ${method} failed: ${err instanceof Error && err.stack ? err.stack : text}`);
      return { kind: 'reply', message: { kind: 'error', id, error: { code: 'handler_failed', message: text } } };
    }
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(message)'}: ${issue.message}`)
    .join('; ');
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}… (${text.length} chars)` : text;
}
