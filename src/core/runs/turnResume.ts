import type { Message } from '../../db/repositories/messages';
import type { RunChat } from './runCarrier';
import type { RunBudget } from './runOutcome';

/**
 * Starts the turn that carries an agent's work on from `head`, its session's last durable message: no message
 * yet sends the task; a reply cut off is asked again; a step whose tools ran (a call cut off says "interrupted,
 * outcome unknown") goes on to the next model call. Nothing that ran is run again. A turn that had ended starts
 * nothing: its outcome is read from that message. Returns whether a turn was started.
 */
export async function continueTurn(
  chat: Pick<RunChat, 'send' | 'retry' | 'continueAfter'>,
  sessionId: string,
  head: Message | undefined,
  task: string,
  limits: RunBudget,
): Promise<boolean> {
  const scope = { sessionId };
  if (head === undefined) {
    await chat.send(sessionId, { parentId: null, text: task, limits });
    return true;
  }
  if (head.role === 'assistant' && head.status === 'incomplete') {
    await chat.retry(head.id, scope, { limits });
    return true;
  }
  if (head.role === 'tool') {
    await chat.continueAfter(head.id, scope, { limits });
    return true;
  }
  return false;
}
