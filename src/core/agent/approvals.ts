import type { Decision, PendingView } from '../../protocol/chatTools';

/**
 * The questions running turns wait on, per session: a tool call's approval, or a limit that was reached. Only
 * what is pending here can be answered, each exactly once, and only with an answer that fits its kind, so a panel
 * (or anything posing as one) cannot approve a call that is not waiting, approve it twice, or "continue" an
 * approval. Nothing a model or a tool produces reaches this class: answers come from the person's panel.
 */

export type PendingQuestion = PendingView extends infer P ? (P extends PendingView ? Omit<P, 'id'> : never) : never;

export interface Answer {
  decision: Decision;
  reason?: string;
}

interface Waiting {
  view: PendingView;
  resolve(answer: Answer): void;
}

const APPROVAL_DECISIONS: readonly Decision[] = ['approve', 'approveSession', 'deny'];
const LIMIT_DECISIONS: readonly Decision[] = ['continue', 'stop'];

export class ApprovalBroker {
  private readonly waiting = new Map<string, Map<string, Waiting>>();

  constructor(
    private readonly newId: () => string,
    /** Told the session's pending list whenever it changes. */
    private readonly onChange: (sessionId: string, pending: PendingView[]) => void,
  ) {}

  /** Waits for the person's answer; `signal` (Stop) answers 'deny' for an approval and 'stop' for a limit. */
  ask(sessionId: string, question: PendingQuestion, signal: AbortSignal): Promise<Answer> {
    const view: PendingView = { ...question, id: this.newId() };
    const onStop: Answer = { decision: view.kind === 'approval' ? 'deny' : 'stop', reason: 'Stopped.' };
    if (signal.aborted) {
      return Promise.resolve(onStop);
    }
    return new Promise<Answer>((resolve) => {
      const session = this.sessionMap(sessionId);
      const finish = (answer: Answer) => {
        signal.removeEventListener('abort', abort);
        if (session.delete(view.id)) {
          this.changed(sessionId);
        }
        resolve(answer);
      };
      const abort = () => finish(onStop);
      signal.addEventListener('abort', abort, { once: true });
      session.set(view.id, { view, resolve: finish });
      this.changed(sessionId);
    });
  }

  /**
   * The person's answer. Throws (with words for the panel) when `pendingId` is not waiting in this session or the
   * decision does not fit the question.
   */
  decide(sessionId: string, pendingId: string, answer: Answer): void {
    const waiting = this.waiting.get(sessionId)?.get(pendingId);
    if (waiting === undefined) {
      throw new Error('That question is no longer waiting for an answer (it was answered, stopped, or belongs to another session).');
    }
    const allowed = waiting.view.kind === 'approval' ? APPROVAL_DECISIONS : LIMIT_DECISIONS;
    if (!allowed.includes(answer.decision)) {
      throw new Error(`"${answer.decision}" is not an answer to this question; choose one of ${allowed.join(', ')}.`);
    }
    if (answer.decision === 'approveSession' && waiting.view.kind === 'approval' && !waiting.view.approval.canApproveForSession) {
      throw new Error('This call always asks; it can only be approved once.');
    }
    waiting.resolve(answer);
  }

  pending(sessionId: string): PendingView[] {
    return [...(this.waiting.get(sessionId)?.values() ?? [])].map((waiting) => waiting.view);
  }

  /** Whether a session's turn waits for the person (for notifications and the Sessions view). */
  isWaiting(sessionId: string): boolean {
    return (this.waiting.get(sessionId)?.size ?? 0) > 0;
  }

  private sessionMap(sessionId: string): Map<string, Waiting> {
    let session = this.waiting.get(sessionId);
    if (session === undefined) {
      session = new Map();
      this.waiting.set(sessionId, session);
    }
    return session;
  }

  private changed(sessionId: string): void {
    const pending = this.pending(sessionId);
    if (pending.length === 0) {
      this.waiting.delete(sessionId);
    }
    this.onChange(sessionId, pending);
  }
}
