import * as assert from 'node:assert/strict';
import { ReplyAssembler } from '../../../src/llm/assemble';
import { collectAnswer } from '../../../src/llm/collect';
import { ProviderError } from '../../../src/llm/errors';
import type { Chunk } from '../../../src/llm/types';

function assemble(chunks: Chunk[]): ReplyAssembler {
  const reply = new ReplyAssembler();
  chunks.forEach((chunk) => reply.add(chunk));
  return reply;
}

describe('ReplyAssembler: a stream as the assistant message to send back', () => {
  it('keeps stream order, one part per block, each thinking block closed by its signature', () => {
    const reply = assemble([
      { type: 'reasoning', text: 'First I ' },
      { type: 'reasoning', text: 'read the file.' },
      { type: 'reasoning_signature', signature: 'sig-1' },
      { type: 'reasoning', text: 'Then the test.' },
      { type: 'reasoning_signature', signature: 'sig-2' },
      { type: 'reasoning_redacted', data: 'opaque' },
      { type: 'text', text: 'Reading ' },
      { type: 'text', text: 'both.' },
      { type: 'tool_call', id: 'a', name: 'read_file', arguments: '{"path":"a"}' },
      { type: 'tool_call', id: 'b', name: 'read_file', arguments: '{"path":"b"}', signature: 'gemini-sig' },
      { type: 'usage', usage: { inputTokens: 10, outputTokens: 4 } },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    assert.deepEqual(reply.parts('anthropic'), [
      { type: 'reasoning', text: 'First I read the file.', signature: 'sig-1', origin: 'anthropic' },
      { type: 'reasoning', text: 'Then the test.', signature: 'sig-2', origin: 'anthropic' },
      { type: 'reasoning', text: '', redacted: 'opaque', origin: 'anthropic' },
      { type: 'text', text: 'Reading both.' },
      { type: 'tool_call', id: 'a', name: 'read_file', arguments: '{"path":"a"}', origin: 'anthropic' },
      { type: 'tool_call', id: 'b', name: 'read_file', arguments: '{"path":"b"}', signature: 'gemini-sig', origin: 'anthropic' },
    ]);
    assert.equal(reply.text, 'Reading both.');
    assert.equal(reply.reasoning, 'First I read the file.Then the test.');
    assert.deepEqual(reply.toolCalls.map((call) => call.id), ['a', 'b']);
    assert.deepEqual(reply.usage, { inputTokens: 10, outputTokens: 4 });
    assert.equal(reply.finishReason, 'tool_calls');
  });

  it('keeps a signature that came without reasoning text, and text split by a call as two parts', () => {
    const reply = assemble([
      { type: 'reasoning_signature', signature: 'hidden-thinking' },
      { type: 'text', text: 'Before.' },
      { type: 'tool_call', id: 'c', name: 'run', arguments: '{}' },
      { type: 'text', text: 'After.' },
      { type: 'reasoning_signature', signature: 'end-of-text' },
    ]);
    assert.deepEqual(reply.parts('gemini'), [
      { type: 'reasoning', text: '', signature: 'hidden-thinking', origin: 'gemini' },
      { type: 'text', text: 'Before.' },
      { type: 'tool_call', id: 'c', name: 'run', arguments: '{}', origin: 'gemini' },
      { type: 'text', text: 'After.' },
      { type: 'reasoning', text: '', signature: 'end-of-text', origin: 'gemini' },
    ]);
  });

  it('gives parts that survive JSON unchanged, and copies the caller may change', () => {
    const reply = assemble([
      { type: 'reasoning', text: 'Hmm.' },
      { type: 'tool_call', id: 'x', name: 'f', arguments: '{}' },
    ]);
    const parts = reply.parts('ollama');
    assert.deepEqual(JSON.parse(JSON.stringify(parts)), parts, 'no undefined fields, nothing JSON loses');
    parts[0] = { type: 'text', text: 'changed' };
    assert.equal(reply.parts('ollama')[0]?.type, 'reasoning');
  });
});

describe('collectAnswer on top of the assembler', () => {
  async function* stream(chunks: Chunk[], error?: ProviderError): AsyncGenerator<Chunk> {
    for (const chunk of chunks) {
      yield await Promise.resolve(chunk);
    }
    if (error) {
      throw error;
    }
  }

  it('reports text, reasoning and calls as before, and keeps the parts with their signatures', async () => {
    const answer = await collectAnswer(
      stream([
        { type: 'reasoning', text: 'Think.' },
        { type: 'reasoning_signature', signature: 's' },
        { type: 'text', text: 'Hi' },
        { type: 'tool_call', id: 't', name: 'f', arguments: '{}', signature: 'g' },
        { type: 'finish', reason: 'tool_calls' },
      ]),
    );
    assert.equal(answer.status, 'complete');
    assert.equal(answer.text, 'Hi');
    assert.equal(answer.reasoning, 'Think.');
    assert.deepEqual(answer.toolCalls, [{ id: 't', name: 'f', arguments: '{}' }]);
    assert.equal(answer.finishReason, 'tool_calls');
    assert.deepEqual(answer.reply?.parts('anthropic')[0], { type: 'reasoning', text: 'Think.', signature: 's', origin: 'anthropic' });
  });

  it('calls an answer that got only a redacted block before failing incomplete, one that got nothing an error', async () => {
    const failure = new ProviderError({ kind: 'network', provider: 'P', message: 'reset' });
    const partial = await collectAnswer(stream([{ type: 'reasoning_redacted', data: 'x' }], failure));
    assert.equal(partial.status, 'incomplete');
    const none = await collectAnswer(stream([], failure));
    assert.equal(none.status, 'error');
    const stopped = await collectAnswer(stream([{ type: 'text', text: 'a' }], new ProviderError({ kind: 'cancelled', provider: 'P', message: 'Stopped.' })));
    assert.equal(stopped.status, 'cancelled');
    assert.equal(stopped.text, 'a');
  });
});
