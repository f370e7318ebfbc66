import { z } from 'zod';

/**
 * The envelope every panel speaks. Requests carry an id the host answers with `response` or `error`;
 * events flow host -> webview only. Everything here is JSON-safe (no Date, Map or Uri), because it crosses
 * `postMessage` and may be persisted by the webview's state API.
 */

/** Longest method name the dispatcher will even look at; real ones are short and known. */
const MAX_METHOD_LENGTH = 100;

export const webviewMessageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ready') }),
  z.strictObject({
    kind: z.literal('request'),
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    method: z.string().min(1).max(MAX_METHOD_LENGTH),
    params: z.unknown(),
  }),
]);

export type WebviewMessage = z.infer<typeof webviewMessageSchema>;

/** A request map: for each method, the schema its params must pass and the schema of its result. */
export type RequestMap = Record<string, { params: z.ZodType; result: z.ZodType }>;

export type ParamsOf<M extends RequestMap, K extends keyof M> = z.infer<M[K]['params']>;
export type ResultOf<M extends RequestMap, K extends keyof M> = z.infer<M[K]['result']>;

/** Host handlers as a mapped type over the request map: a missing handler is a compile error. */
export type RequestHandlers<M extends RequestMap> = {
  [K in keyof M]: (params: ParamsOf<M, K>) => Promise<ResultOf<M, K>> | ResultOf<M, K>;
};

/** What the webview shows when a request fails; `code` lets it react without parsing prose. */
export interface RpcError {
  code: 'invalid_request' | 'unknown_method' | 'handler_failed';
  message: string;
}

export type HostMessage<Event, Snapshot> =
  | { kind: 'snapshot'; snapshot: Snapshot }
  | { kind: 'response'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: RpcError }
  | { kind: 'event'; event: Event };
