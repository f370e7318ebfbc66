import { z } from 'zod';

/**
 * The chat panel's view of an agent's tool steps, approvals and undo (issue 12). A reply that uses tools is a
 * chain on the message path: assistant (its tool calls) -> tool (their results) -> assistant -> ... -> the
 * answer. The panel renders each `tool` message as compact steps under the calls that asked for them, and the
 * approval card of a call that waits for the person. Only the host decides what is pending: an approval from the
 * panel names a pending call and is accepted once; anything else is refused.
 */

const id = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not an id');
/** A tool call id as the provider made it (e.g. `toolu_01…`, `call_…`): printable, bounded. */
const callId = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'not a call id');

export type ToolCallState =
  /** Planned and judged, not started (waiting for an earlier call of the same step). */
  | 'pending'
  /** Waiting for the person: the approval card is shown. */
  | 'awaiting_approval'
  | 'running'
  | 'completed'
  /** Ran and failed, or could not run (bad arguments, unknown tool): the error went back to the model. */
  | 'failed'
  /** Refused by the policy or the person: the reason went back to the model. */
  | 'denied'
  /** The window closed while it ran: its outcome is unknown, and it is never run again by itself. */
  | 'interrupted';

export interface SubcommandView {
  text: string;
  verdict: 'allow' | 'ask' | 'deny' | 'default';
  reason: string;
  rule?: string;
}

/** What the approval card shows: exactly what will run, and why it asks. */
export interface ApprovalView {
  /** The tool name as the model called it. */
  tool: string;
  summary: string;
  /** The arguments as JSON text (capped for display). */
  arguments: string;
  /** Why this call asks (the policies that asked, in words). */
  reasons: string[];
  /** An edit: the unified diff of exactly what will be written, and the workspace-relative path. */
  edit?: { path: string; diff: string; created: boolean };
  /** A command: the line, its folder and each sub-command with its verdict and the rule that matched. */
  command?: { line: string; cwd: string; subcommands: SubcommandView[] };
  url?: string;
  /** False when the ask is forced (protected path, outside the workspace, a command the parser cannot judge). */
  canApproveForSession: boolean;
}

export interface ToolCallView {
  /** The provider's call id, unique in its step. */
  id: string;
  name: string;
  /** One line, e.g. "Read src/app.ts, lines 1-200", or the raw call when it could not be planned. */
  summary: string;
  state: ToolCallState;
  approval?: ApprovalView;
  /** Who let it run, or who refused it. */
  decidedBy?: 'policy' | 'person' | 'session';
  /** Once it ended. */
  result?: {
    /** What the model got, capped for display (the whole of it is in the Inspector). */
    text: string;
    isError: boolean;
    exitCode?: number | null;
    timedOut?: boolean;
    /** `path` names the file to the host (chat/openDiff); `shown` is how the person reads it (workspace-relative). */
    files?: { path: string; shown?: string; change: 'created' | 'modified' | 'deleted' }[];
    durationMs?: number;
  };
  /** A running command's newest output (the tail, capped), while it runs. */
  output?: string;
}

/** A question the turn is waiting on: a call's approval, or a limit that was reached. */
export type PendingView =
  | { kind: 'approval'; id: string; messageId: string; callId: string; approval: ApprovalView }
  | {
      kind: 'limit';
      id: string;
      messageId: string;
      /** "25 steps", "$0.50", ...: what was reached, in words. */
      reached: string;
      /** How much more "Continue" allows, in words, e.g. "25 more steps". */
      more: string;
    };

/** Host -> panel events about tools (a ChatEvent variant each). */
export type ChatToolEvent =
  /** A call of a tool message was created or changed state. */
  | { method: 'chat/tool'; params: { messageId: string; call: ToolCallView } }
  /** Output a running command printed, appended to what the panel shows for that call. */
  | { method: 'chat/toolOutput'; params: { messageId: string; callId: string; text: string } }
  /** The questions the session is waiting on now (replaces the previous list). */
  | { method: 'chat/pending'; params: { pending: PendingView[] } };

export const decisionSchema = z.enum(['approve', 'approveSession', 'deny', 'continue', 'stop']);
export type Decision = z.infer<typeof decisionSchema>;

export const chatToolRequests = {
  /**
   * Answers a pending question: approve / approveSession / deny (with a reason the model is told) an approval,
   * continue / stop a reached limit. Refused unless `pendingId` is pending in this session right now.
   */
  'chat/decide': {
    params: z.strictObject({ pendingId: id, decision: decisionSchema, reason: z.string().max(2_000).optional() }),
    result: z.null(),
  },
  /**
   * Restores the files the agent changed: in the turn of `messageId` ('turn') or in every turn from it to the
   * end of the shown path ('since'). Files the person edited since are asked about first (in the host).
   */
  'chat/undo': {
    params: z.strictObject({ messageId: id, scope: z.enum(['turn', 'since']) }),
    result: z.strictObject({ restored: z.number().int(), skipped: z.number().int() }),
  },
  /** Opens the diff of one file a call changed (its original against the file now). */
  'chat/openDiff': {
    params: z.strictObject({ messageId: id, callId, path: z.string().min(1).max(4_096) }),
    result: z.null(),
  },
} as const;
