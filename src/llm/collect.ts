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
  const answer: CollectedAnswer = { status: 'complete', text: '', reasoning: '', toolCalls: [], totalMs: 0 };
  try {
    for await (const chunk of stream) {
      answer.timeToFirstChunkMs ??= now() - started;
      onChunk?.(chunk);
      switch (chunk.type) {
        case 'text':
          answer.text += chunk.text;
          break;
        case 'reasoning':
          answer.reasoning += chunk.text;
          break;
        case 'tool_call':
          answer.toolCalls.push({ id: chunk.id, name: chunk.name, arguments: chunk.arguments });
          break;
        case 'usage':
          answer.usage = chunk.usage;
          break;
        case 'finish':
          answer.finishReason = chunk.reason;
          break;
      }
    }
  } catch (err) {
    answer.error =
      err instanceof ProviderError
        ? err
        : new ProviderError({ kind: 'network', provider: 'unknown', message: err instanceof Error ? err.message : String(err) });
    answer.status = statusAfter(answer.error, answer);
  }
  answer.totalMs = now() - started;
  return answer;
}

function statusAfter(error: ProviderError, answer: CollectedAnswer): AnswerStatus {
  if (error.kind === 'cancelled') {
    return 'cancelled';
  }
  const gotSomething = answer.text.length > 0 || answer.reasoning.length > 0 || answer.toolCalls.length > 0;
  return gotSomething ? 'incomplete' : 'error';
}
