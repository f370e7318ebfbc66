import type { StorePort } from '../../db/repositories/storePort';
import type { EndpointConfig } from '../../llm/endpoints';
import type { PriceOverride } from '../../llm/pricing';
import type { ProviderAdapter } from '../../llm/types';
import type { ChatEvent } from '../../protocol/chat';
import type { TurnLimits } from '../agent/agentTools';
import type { ToolRuntime } from '../agent/toolRuntime';
import type { Clock, Logger } from '../ports';

/**
 * The ports and public shapes of the chat loop. The vscode layer implements `ProviderAccess` (settings, secret
 * storage, createAdapter) and listens to `ChatChange`s to drive the chat panels; nothing here knows VS Code.
 */

/** One provider endpoint, ready to call, for one turn. */
export interface ProviderConnection {
  adapter: ProviderAdapter;
  /** Its watchdogs bound the stream; its kind and base URL decide which price applies. */
  endpoint: EndpointConfig;
  /** The user's price overrides (setting `aiStudio.prices`). */
  priceOverrides: readonly PriceOverride[];
}

export interface ProviderAccess {
  /**
   * Opens the endpoint an agent names (EndpointConfig.id). Throws `ProviderError` kind 'auth' when it needs a key
   * and none is set, kind 'bad_request' when its settings are incomplete; the message is shown to the person.
   */
  open(providerId: string): Promise<ProviderConnection>;
}

/** How often a streaming reply is saved, and how long a window's claim on a streaming reply lasts. */
export interface ChatTiming {
  /** A streaming reply is saved at least this often while text arrives (a crash loses at most this much). */
  persistEveryMs: number;
  /** ...or as soon as this many characters arrived since the last save. */
  persistEveryChars: number;
  /** The lease on a streaming reply is renewed this often, also while the provider is silent. */
  heartbeatMs: number;
  /** A lease not renewed for this long belongs to a window that is gone. */
  leaseTimeoutMs: number;
}

export const defaultChatTiming: ChatTiming = {
  persistEveryMs: 250,
  persistEveryChars: 2048,
  heartbeatMs: 10_000,
  leaseTimeoutMs: 30_000,
};

export interface ChatServiceDeps {
  store: StorePort;
  clock: Clock;
  log: Logger;
  providers: ProviderAccess;
  /** Unique per window (extension host) and run: owns the leases of the replies this window streams. */
  windowId: string;
  /** Row ids; defaults to the store's ULID factory on `clock`. */
  newId?: () => string;
  /** A monotonic clock in ms for latencies (default performance.now): wall time can jump. */
  monotonic?: () => number;
  timing?: Partial<ChatTiming>;
  /** What agents act with (tools, ports, the person's rules). Without it, agents only talk. */
  tools?: ToolRuntime;
}

/** What changed in one session, as the chat panel protocol's host -> panel event. */
export interface ChatChange {
  sessionId: string;
  event: ChatEvent;
}

export type ChatListener = (change: ChatChange) => void;

export interface Disposable {
  dispose(): void;
}

/** What a caller (a run) may set for one turn, beyond what the session's agent says. */
export interface TurnOptions {
  /** Limits for this turn, field by field over the agent version's (a missing field keeps the agent's). */
  limits?: Partial<TurnLimits>;
}

export interface SendInput extends TurnOptions {
  /** The message this one answers: null for a first message. */
  parentId: string | null;
  text: string;
}

/**
 * The agent version (and model) a session's turns use instead of the agent's current ones: a run keeps to the
 * version it was started with, whatever the person saves meanwhile. In memory, per window.
 */
export interface VersionPin {
  versionId: string;
  /** Instead of the version's model (and of the session's model override). */
  model?: string;
}

export interface TurnIds {
  userId: string;
  assistantId: string;
}

/** Restricts a message-based call to one session: a panel may only touch its own session's messages. */
export interface SessionScope {
  sessionId?: string;
}

/** Thrown for requests the chat loop refuses (busy session, wrong role, no agent); the message is for people. */
export class ChatRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChatRequestError';
  }
}
