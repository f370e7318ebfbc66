/**
 * The small interfaces through which pure code reaches the outside world. The vscode layer implements them
 * for the real host; tests implement them in memory.
 */

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

/** Where API keys live. Values never leave the extension host: webviews only learn whether a key is set. */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
