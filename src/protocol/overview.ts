import { z } from 'zod';
import type { RequestMap } from './rpc';

/** The Overview panel: what this build of AI Studio is, and a self-check of the host services it relies on. */

const noParams = z.strictObject({});

export const checkResultSchema = z.strictObject({
  id: z.string(),
  label: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  durationMs: z.number(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

export const overviewRequests = {
  'overview/runSelfCheck': { params: noParams, result: z.array(checkResultSchema) },
  'overview/showLog': { params: noParams, result: z.null() },
  'overview/openSettings': { params: noParams, result: z.null() },
} satisfies RequestMap;
export type OverviewRequests = typeof overviewRequests;

export interface OverviewSnapshot {
  extensionVersion: string;
  vscodeVersion: string;
  activationMs: number;
  storagePath: string;
}

/** Sent as each self-check finishes, so a slow check shows progress instead of a frozen panel. */
export type OverviewEvent = { method: 'overview/checkFinished'; params: CheckResult };
