/**
 * Saves a streaming reply often enough that a crash or a reload loses little (at most `everyMs` of text, or
 * `everyChars` characters), and rarely enough that a fast stream does not turn into a commit per token: every
 * save is an fsync'd journal record. One save at a time; what arrives during a save is picked up by the next.
 */
export interface StreamSaverOptions {
  everyMs: number;
  everyChars: number;
  /** Writes the reply's current state (and renews its lease). */
  save(): Promise<void>;
  onError(err: unknown): void;
  now?: () => number;
}

export class StreamSaver {
  private readonly now: () => number;
  private lastSavedAt: number;
  private unsavedChars = 0;
  private dirty = false;
  private saving: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: StreamSaverOptions) {
    this.now = options.now ?? (() => performance.now());
    this.lastSavedAt = this.now();
  }

  /** Something new arrived: save now if enough time or text has built up, else soon. */
  changed(chars: number): void {
    this.dirty = true;
    this.unsavedChars += chars;
    this.consider();
  }

  /** Saves now (unless a save is running) even with nothing new: renews the lease while the provider is silent. */
  heartbeat(): void {
    if (!this.closed && this.saving === undefined) {
      this.start();
    }
  }

  /** Stops saving and waits for a save in flight; the caller writes the final state itself. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.saving !== undefined) {
      await this.saving;
    }
  }

  private consider(): void {
    if (this.closed || !this.dirty || this.saving !== undefined) {
      return;
    }
    const due = this.lastSavedAt + this.options.everyMs;
    if (this.unsavedChars >= this.options.everyChars || this.now() >= due) {
      this.start();
    } else if (this.timer === undefined) {
      // Text that arrives just before a pause must not wait for the next chunk, which may never come.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.consider();
      }, Math.max(0, due - this.now()));
    }
  }

  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
    this.unsavedChars = 0;
    this.lastSavedAt = this.now();
    this.saving = this.options
      .save()
      .catch((err: unknown) => this.options.onError(err))
      .finally(() => {
        this.saving = undefined;
        this.consider();
      });
  }
}
