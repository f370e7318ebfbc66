import * as assert from 'node:assert/strict';
import { collectAnswer } from '../../../src/llm/collect';
import { streamChat } from '../../../src/llm/streamChat';
import type { ChatRequest, Chunk, ProviderAdapter } from '../../../src/llm/types';

const request: ChatRequest = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] };

/** An adapter that yields the given chunks, then never answers again and ignores its abort signal. */
function hangingAdapter(chunks: Chunk[]): ProviderAdapter {
  return {
    label: 'Stubborn',
    async *stream() {
      for (const chunk of chunks) {
        yield chunk;
      }
      await new Promise(() => undefined);
    },
    listModels: () => Promise.resolve([]),
    test: () => Promise.resolve({ ok: true, latencyMs: 0, detail: '' }),
  };
}

describe('streamChat watchdogs and Stop, with an adapter that ignores its signal', () => {
  it('notices silence mid-answer by the idle limit, although the first-byte limit is long', async () => {
    const started = performance.now();
    const answer = await collectAnswer(
      streamChat(hangingAdapter([{ type: 'text', text: 'Half an ans' }]), request, { watchdogs: { firstByteMs: 60_000, idleMs: 150 } }),
    );
    const elapsed = performance.now() - started;
    assert.equal(answer.error?.kind, 'timeout');
    assert.match(answer.error.message, /went silent for 0\.2 s/);
    assert.equal(answer.status, 'incomplete');
    assert.equal(answer.text, 'Half an ans');
    assert.ok(elapsed < 1_000, `took ${elapsed} ms`);
  });

  it('ends on Stop even when the adapter never returns', async () => {
    const controller = new AbortController();
    const pending = collectAnswer(
      streamChat(hangingAdapter([{ type: 'text', text: 'Hello' }]), request, {
        watchdogs: { firstByteMs: 60_000, idleMs: 60_000 },
        signal: controller.signal,
      }),
      () => setTimeout(() => controller.abort(), 20),
    );
    const answer = await pending;
    assert.equal(answer.status, 'cancelled');
    assert.equal(answer.text, 'Hello');
  });

  it('streams many chunks without the watchdog firing between them', async () => {
    const chunks: Chunk[] = Array.from({ length: 5_000 }, () => ({ type: 'text', text: 'x' }));
    const adapter: ProviderAdapter = {
      ...hangingAdapter([]),
      async *stream() {
        await Promise.resolve();
        yield* chunks;
        yield { type: 'finish', reason: 'stop' };
      },
    };
    const answer = await collectAnswer(streamChat(adapter, request, { watchdogs: { firstByteMs: 50, idleMs: 50 } }));
    assert.equal(answer.status, 'complete', answer.error?.message);
    assert.equal(answer.text.length, 5_000);
  });
});
