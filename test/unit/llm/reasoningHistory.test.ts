import * as assert from 'node:assert/strict';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { AnthropicStreamReader, DEFAULT_MAX_TOKENS, toCreateParams, toMessageParams } from '../../../src/llm/adapters/anthropicMapping';
import { functionResponseOf, toGeminiContents, toGeminiParameters } from '../../../src/llm/adapters/geminiMapping';
import { toOllamaMessages } from '../../../src/llm/adapters/ollamaMapping';
import { toChatMessages } from '../../../src/llm/adapters/openaiMapping';
import type { ChatMessage, Chunk, ContentPart } from '../../../src/llm/types';

/**
 * Reasoning in the history, provider by provider: each adapter sends back only what its own provider produced,
 * in that provider's shape, and drops the rest (a signature means nothing to another provider, and reasoning
 * sent as text would read as a new answer).
 */

const user: ChatMessage = { role: 'user', content: [{ type: 'text', text: 'Go.' }] };
const claudeThinking: ContentPart = { type: 'reasoning', text: 'Claude thinks.', signature: 'claude-sig', origin: 'anthropic' };
const claudeRedacted: ContentPart = { type: 'reasoning', text: '', redacted: 'opaque', origin: 'anthropic' };
const geminiThought: ContentPart = { type: 'reasoning', text: 'Gemini thinks.', signature: 'gemini-sig', origin: 'gemini' };
const ollamaThinking: ContentPart = { type: 'reasoning', text: 'Qwen thinks.', origin: 'ollama' };
const call: ContentPart = { type: 'tool_call', id: 'c1', name: 'read_file', arguments: '{"path":"a"}' };
const assistant = (...content: ContentPart[]): ChatMessage => ({ role: 'assistant', content });

describe('Anthropic: thinking in the request and in the history', () => {
  it('asks for adaptive thinking, or a budget with room for the answer above it', () => {
    const plain = toCreateParams({ model: 'm', messages: [user] });
    assert.equal('thinking' in plain, false);
    assert.deepEqual(toCreateParams({ model: 'm', messages: [user], thinking: {} }).thinking, { type: 'adaptive' });
    const budgeted = toCreateParams({ model: 'm', messages: [user], thinking: { budgetTokens: 8000 } });
    assert.deepEqual(budgeted.thinking, { type: 'enabled', budget_tokens: 8000 });
    assert.equal(budgeted.max_tokens, 8000 + DEFAULT_MAX_TOKENS);
    assert.equal(toCreateParams({ model: 'm', messages: [user], maxTokens: 20_000, thinking: { budgetTokens: 8000 } }).max_tokens, 20_000);
  });

  it('sends its own signed and redacted blocks back in place, and drops unsigned or foreign reasoning', () => {
    const unsigned: ContentPart = { type: 'reasoning', text: 'cut off before the signature', origin: 'anthropic' };
    const sent = toMessageParams([user, assistant(claudeThinking, claudeRedacted, unsigned, geminiThought, ollamaThinking, call)]);
    assert.deepEqual(sent[1]?.content, [
      { type: 'thinking', thinking: 'Claude thinks.', signature: 'claude-sig' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'tool_use', id: 'c1', name: 'read_file', input: { path: 'a' } },
    ]);
    assert.deepEqual(toMessageParams([{ role: 'user', content: [claudeThinking, { type: 'text', text: 'Hi' }] }])[0]?.content, [{ type: 'text', text: 'Hi' }]);
  });

  it('reads a signature sent in pieces as one, a redacted block, and signed thinking without text', () => {
    const reader = new AnthropicStreamReader();
    const events = [
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hm.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'Eq' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'Qb' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'opaque' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'signature_delta', signature: 'hidden' } },
      { type: 'content_block_stop', index: 2 },
    ] as unknown as RawMessageStreamEvent[];
    const chunks: Chunk[] = events.flatMap((event) => reader.read(event));
    assert.deepEqual(chunks, [
      { type: 'reasoning', text: 'Hm.' },
      { type: 'reasoning_signature', signature: 'EqQb' },
      { type: 'reasoning_redacted', data: 'opaque' },
      { type: 'reasoning_signature', signature: 'hidden' },
    ]);
  });
});

describe('Gemini: thoughts and signatures in the history', () => {
  it('sends its own thoughts with their signatures, an empty signed part as one, and nothing of other providers', () => {
    const endSignature: ContentPart = { type: 'reasoning', text: '', signature: 'end-sig', origin: 'gemini' };
    const unsignedThought: ContentPart = { type: 'reasoning', text: 'Summary only.', origin: 'gemini' };
    const contents = toGeminiContents([user, assistant(geminiThought, unsignedThought, claudeThinking, claudeRedacted, { type: 'text', text: 'Done.' }, endSignature)]);
    assert.deepEqual(contents[1]?.parts, [
      { text: 'Gemini thinks.', thought: true, thoughtSignature: 'gemini-sig' },
      { text: 'Summary only.', thought: true },
      { text: 'Done.' },
      { text: '', thoughtSignature: 'end-sig' },
    ]);
  });

  it('passes the thinking budget, and gives every function response an object', () => {
    assert.deepEqual(toGeminiParameters({ model: 'm', messages: [user], thinking: { budgetTokens: 512 } }, true).config.thinkingConfig, {
      includeThoughts: true,
      thinkingBudget: 512,
    });
    assert.deepEqual(functionResponseOf('{"lines":3}', false), { lines: 3 });
    assert.deepEqual(functionResponseOf('[1,2]', false), { result: '[1,2]' });
    assert.deepEqual(functionResponseOf('plain text', false), { result: 'plain text' });
    assert.deepEqual(functionResponseOf('no such file', true), { error: 'no such file' });
  });
});

describe('Chat Completions and Ollama: reasoning in the history', () => {
  it('Chat Completions sends no reasoning, and no empty assistant message for reasoning alone', () => {
    const messages = toChatMessages(undefined, [user, assistant(claudeThinking), assistant(geminiThought, { type: 'text', text: 'Hi' }), assistant(ollamaThinking, call)]);
    assert.deepEqual(messages, [
      { role: 'user', content: 'Go.' },
      { role: 'assistant', content: 'Hi' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } }] },
    ]);
  });

  it("Ollama sends its own thinking back in `thinking`, never another provider's", () => {
    const messages = toOllamaMessages(undefined, [user, assistant(ollamaThinking, call), assistant(claudeThinking), assistant(geminiThought, { type: 'text', text: 'Hi' })]);
    assert.deepEqual(messages, [
      { role: 'user', content: 'Go.' },
      { role: 'assistant', content: '', thinking: 'Qwen thinks.', tool_calls: [{ function: { name: 'read_file', arguments: { path: 'a' } } }] },
      { role: 'assistant', content: 'Hi' },
    ]);
  });
});
