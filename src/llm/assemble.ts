import type { ProviderKind } from './endpoints';
import type { Chunk, ContentPart, FinishReason, Usage } from './types';

/**
 * Folds a stream of chunks into the assistant message it stands for, in the order the model produced it:
 * reasoning blocks with their signatures, text, tool calls. That order is what the providers that sign their
 * reasoning want back (Anthropic: thinking blocks unmodified and in place before the tool_use blocks; Gemini:
 * each signature on the part it came on), so the parts are stored as they are and sent back on the next step.
 * Pure: no I/O, no clock.
 */

export type AssembledToolCall = { id: string; name: string; arguments: string; signature?: string };

type ReasoningPart = Extract<ContentPart, { type: 'reasoning' }>;

export class ReplyAssembler {
  private readonly assembled: ContentPart[] = [];
  /** The reasoning block still receiving deltas; a signature, a redacted block or any other part closes it. */
  private openReasoning: ReasoningPart | undefined;
  private lastUsage: Usage | undefined;
  private finish: FinishReason | undefined;

  add(chunk: Chunk): void {
    switch (chunk.type) {
      case 'text': {
        this.openReasoning = undefined;
        const last = this.assembled[this.assembled.length - 1];
        if (last?.type === 'text') {
          last.text += chunk.text;
        } else {
          this.assembled.push({ type: 'text', text: chunk.text });
        }
        break;
      }
      case 'reasoning':
        if (this.openReasoning) {
          this.openReasoning.text += chunk.text;
        } else {
          this.openReasoning = { type: 'reasoning', text: chunk.text };
          this.assembled.push(this.openReasoning);
        }
        break;
      case 'reasoning_signature':
        if (this.openReasoning) {
          this.openReasoning.signature = chunk.signature;
        } else {
          // Signed hidden thinking, or a signature on a part that had no reasoning text (Gemini).
          this.assembled.push({ type: 'reasoning', text: '', signature: chunk.signature });
        }
        this.openReasoning = undefined;
        break;
      case 'reasoning_redacted':
        this.openReasoning = undefined;
        this.assembled.push({ type: 'reasoning', text: '', redacted: chunk.data });
        break;
      case 'tool_call':
        this.openReasoning = undefined;
        this.assembled.push({
          type: 'tool_call',
          id: chunk.id,
          name: chunk.name,
          arguments: chunk.arguments,
          ...(chunk.signature === undefined ? {} : { signature: chunk.signature }),
        });
        break;
      case 'usage':
        this.lastUsage = chunk.usage;
        break;
      case 'finish':
        this.finish = chunk.reason;
        break;
    }
  }

  /**
   * The assistant message's parts in stream order, each reasoning and tool call stamped with `origin` (the kind
   * of the endpoint that answered), so an adapter of another kind knows to drop what it cannot verify. Copies:
   * the caller may keep or change them while the assembler goes on.
   */
  parts(origin: ProviderKind): ContentPart[] {
    return this.assembled.map((part): ContentPart => {
      switch (part.type) {
        case 'reasoning':
        case 'tool_call':
          return { ...part, origin };
        default:
          return { ...part };
      }
    });
  }

  /** All answer text, joined. */
  get text(): string {
    return this.assembled.map((part) => (part.type === 'text' ? part.text : '')).join('');
  }

  /** All readable reasoning, joined (redacted blocks have none). */
  get reasoning(): string {
    return this.assembled.map((part) => (part.type === 'reasoning' ? part.text : '')).join('');
  }

  get toolCalls(): AssembledToolCall[] {
    return this.assembled.flatMap((part) =>
      part.type === 'tool_call'
        ? [{ id: part.id, name: part.name, arguments: part.arguments, ...(part.signature === undefined ? {} : { signature: part.signature }) }]
        : [],
    );
  }

  get usage(): Usage | undefined {
    return this.lastUsage;
  }

  get finishReason(): FinishReason | undefined {
    return this.finish;
  }

  /** Whether anything of an answer arrived (text, reasoning of any kind, a call). */
  get isEmpty(): boolean {
    return this.assembled.length === 0;
  }
}
