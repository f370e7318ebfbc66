import { z } from 'zod';
import type { RequestMap } from './rpc';

/** Requests every panel understands, served by the webview host itself rather than by the panel. */
export const commonRequests = {
  /** A panel reports what went wrong inside it (an exception, a blocked resource), so it reaches the log. */
  'webview/reportProblem': {
    params: z.strictObject({ message: z.string().max(4000) }),
    result: z.null(),
  },
} satisfies RequestMap;
export type CommonRequests = typeof commonRequests;
