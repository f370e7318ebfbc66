/**
 * Coalesces streamed text into at most one re-render per animation frame. A model sends tokens far faster than
 * 60 per second; re-parsing Markdown per token would block the thread. The re-render covers only the messages
 * that received text, and when one gets expensive (a very long reply) the next is pushed back in proportion, so
 * a frame never turns into a long task and input stays responsive.
 */
export class StreamScheduler {
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private notBefore = 0;

  constructor(private readonly render: (id: string) => void) {}

  mark(id: string): void {
    this.dirty.add(id);
    if (this.scheduled) {
      return;
    }
    this.scheduled = true;
    const wait = this.notBefore - performance.now();
    if (wait > 0) {
      window.setTimeout(() => requestAnimationFrame(() => this.flush()), wait);
    } else {
      requestAnimationFrame(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const started = performance.now();
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      this.render(id);
    }
    const cost = performance.now() - started;
    // A render that took 20 ms waits ~40 ms before the next: at most a third of the time goes to re-rendering.
    this.notBefore = started + cost * 3;
  }
}
