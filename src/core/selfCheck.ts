import type { Clock } from './ports';

/**
 * A self-check is a list of named probes of the services AI Studio depends on. Each probe runs on its own:
 * one that throws or hangs is reported as failed with its reason, and never hides the results of the others.
 */

export interface Probe {
  id: string;
  label: string;
  /** Resolves to a human-readable detail on success; throws with the reason on failure. */
  run(): Promise<string>;
}

export interface ProbeResult {
  id: string;
  label: string;
  ok: boolean;
  detail: string;
  durationMs: number;
}

export async function runProbes(
  probes: readonly Probe[],
  clock: Clock,
  timeoutMs: number,
  onResult: (result: ProbeResult) => void = () => {},
): Promise<ProbeResult[]> {
  return Promise.all(
    probes.map(async (probe) => {
      const started = clock.now();
      let ok = true;
      let detail: string;
      try {
        detail = await withTimeout(probe.run(), timeoutMs, `${probe.label} did not answer within ${timeoutMs} ms`);
      } catch (err) {
        ok = false;
        detail = err instanceof Error ? err.message : String(err);
      }
      const result = { id: probe.id, label: probe.label, ok, detail, durationMs: clock.now() - started };
      onResult(result);
      return result;
    }),
  );
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
