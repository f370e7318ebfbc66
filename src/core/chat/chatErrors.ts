import type { JsonObject, JsonValue } from '../../db/repositories/rows';
import { ProviderError, redactSecrets } from '../../llm/errors';
import type { ChatErrorAction } from '../../protocol/chat';

/**
 * What a failed or cut-short reply stores in `messages.error`: the kind, a message written for people, and the
 * actions that can fix it, so a panel restored from the store offers the same buttons as the live one did.
 */
export interface StoredChatError {
  kind: string;
  message: string;
  actions: ChatErrorAction[];
  status?: number;
  retryAfterMs?: number;
}

/** Not a provider error kind: the window streaming the reply closed or crashed before it finished. */
export const INTERRUPTED_KIND = 'interrupted';

const allActions: readonly ChatErrorAction[] = ['setKey', 'retry', 'openSettings', 'newBranch'];

/** The buttons that can fix a failure of this kind; none when nothing the person can do would help. */
export function actionsFor(kind: string, quotaExhausted = false): ChatErrorAction[] {
  switch (kind) {
    case 'auth':
      return ['setKey'];
    case 'rate_limit':
      // A spent quota does not come back by asking again; the plan or the provider has to change.
      return quotaExhausted ? ['openSettings'] : ['retry'];
    case 'overloaded':
    case 'incomplete':
    case INTERRUPTED_KIND:
      return ['retry'];
    case 'network':
    case 'timeout':
      // Often passing (retry), or a wrong address or too short a timeout (the provider's settings).
      return ['retry', 'openSettings'];
    case 'bad_request':
      return ['openSettings'];
    case 'context_length':
    case 'content_filter':
      // The same request fails the same way: the conversation itself has to change.
      return ['newBranch'];
    default:
      return [];
  }
}

/** Any failure as a ProviderError: adapters and ProviderAccess throw those, anything else is a fault below them. */
export function asProviderError(err: unknown, provider: string): ProviderError {
  if (err instanceof ProviderError) {
    return err;
  }
  const detail = err instanceof Error ? err.message : String(err);
  // Key-shaped text is removed once more: this message did not come through an adapter's redaction.
  return new ProviderError({ kind: 'bad_request', provider, message: redactSecrets(detail, []) });
}

export function storedErrorOf(error: ProviderError): StoredChatError {
  return {
    kind: error.kind,
    message: error.message,
    actions: actionsFor(error.kind, error.quotaExhausted),
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}

export function interruptedError(): StoredChatError {
  return {
    kind: INTERRUPTED_KIND,
    message: 'The window writing this reply closed before it finished; what arrived is kept.',
    actions: actionsFor(INTERRUPTED_KIND),
  };
}

export function toJsonError(error: StoredChatError): JsonObject {
  return { ...error, actions: [...error.actions] };
}

/** Reads `messages.error` defensively: another window's newer AI Studio may have stored more, or less. */
export function readStoredError(value: JsonValue | null): StoredChatError | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const record = value as { readonly [key: string]: JsonValue };
  const kind = typeof record.kind === 'string' ? record.kind : 'unknown';
  const message = typeof record.message === 'string' ? record.message : 'The request failed.';
  const stored = Array.isArray(record.actions)
    ? (record.actions as readonly JsonValue[]).filter((a): a is ChatErrorAction => allActions.includes(a as ChatErrorAction))
    : actionsFor(kind);
  return { kind, message, actions: stored };
}
