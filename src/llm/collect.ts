import { ReplyAssembler } from './assemble';
import { ProviderError } from './errors';
import type { Chunk, FinishReason, Usage } from './types';

/**
 * Folds a stream into the answer the user got, including when it failed part-way: text that arrived before a
 * reset, a Stop or a missing final event is kept and labelled, never passed off as a complete answer.
 */

export type AnswerStatus = 'complete' | 'incomplete' | 'cancelled' | 'error';

export interface CollectedAnswer {
  status: AnswerStatus;
  text: string;
  reasoning: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  usage?: Usage;
  finishReason?: FinishReason;
  error?: ProviderError;
  /**
   * Everything that arrived, in stream order: `reply.parts(adapter.kind)` is the assistant message to store and
   * send back on the next step (with reasoning signatures). Optional only so that answers made up without a
   * stream (a failure before the call) need none.
   */
  reply?: ReplyAssembler;
  /** Milliseconds from the call to the first chunk, when one arrived. */
  timeToFirstChunkMs?: number;
  totalMs: number;
}

export async function collectAnswer(
  stream: AsyncIterable<Chunk>,
  onChunk?: (chunk: Chunk) => void,
  now: () => number = () => performance.now(),
): Promise<CollectedAnswer> {
  const started = now();
  const reply = new ReplyAssembler();
  const answer: CollectedAnswer = { status: 'complete', text: '', reasoning: '', toolCalls: [], reply, totalMs: 0 };
  try {
    for await (const chunk of stream) {
      answer.timeToFirstChunkMs ??= now() - started;
      onChunk?.(chunk);
      reply.add(chunk);
    }
  } catch (err) {
    answer.error =
      err instanceof ProviderError
        ? err
        : new ProviderError({ kind: 'network', provider: 'unknown', message: err instanceof Error ? err.message : String(err) });
    answer.status = reply.isEmpty ? 'error' : 'incomplete';
    if (answer.error.kind === 'cancelled') {
      answer.status = 'cancelled';
    }
  }
  answer.text = reply.text;
  answer.reasoning = reply.reasoning;
  answer.toolCalls = reply.toolCalls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args }));
  if (reply.usage) {
    answer.usage = reply.usage;
  }
  if (reply.finishReason) {
    answer.finishReason = reply.finishReason;
  }
  answer.totalMs = now() - started;
  return answer;
}
