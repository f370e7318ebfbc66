import * as assert from 'node:assert/strict';
import { actionsFor, readStoredError } from '../../../../src/core/chat/chatErrors';
import { agentParameters, historyFor, replyContent, titleFrom } from '../../../../src/core/chat/chatRequest';
import { StreamSaver } from '../../../../src/core/chat/streamSaver';
import type { Message } from '../../../../src/db/repositories/messages';
import { sleep } from './chatHarness';

describe('chat loop: titles, parameters, history, error actions', () => {
  it('titles a session from the first question: one line, cut at a word boundary near 60 characters', () => {
    assert.equal(titleFrom('  How do I\n\nsort a list?  '), 'How do I sort a list?');
    const long = 'Explain the difference between optimistic and pessimistic locking in databases, with examples';
    const title = titleFrom(long);
    assert.ok(title.length <= 61, title);
    assert.equal(title, 'Explain the difference between optimistic and pessimistic…');
    assert.equal(titleFrom('x'.repeat(100)), `${'x'.repeat(60)}…`, 'one long word is cut where it must be');
  });

  it('reads the agent parameters it understands and ignores values of the wrong type', () => {
    assert.deepEqual(agentParameters({ temperature: 0.2, maxTokens: 100, stop: 'END' }), { temperature: 0.2, maxTokens: 100, stop: ['END'] });
    assert.deepEqual(agentParameters({ temperature: 'hot', maxTokens: -1, stop: [1, ''] }), {});
  });

  it('sends the path without failed empty replies, reasoning or system rows; partial replies stay', () => {
    const message = (role: Message['role'], content: Message['content']): Pick<Message, 'role' | 'content'> => ({ role, content });
    const history = historyFor([
      message('system', [{ type: 'text', text: 'ignored' }]),
      message('user', [{ type: 'text', text: 'q1' }]),
      message('assistant', []),
      message('user', [{ type: 'text', text: 'q2' }]),
      message('assistant', replyContent('partial', 'hidden thoughts', [{ id: 'c1', name: 'lookup', arguments: '{"a":1}' }])),
      message('tool', [{ type: 'tool_result', callId: 'c1', output: { found: true } }]),
    ]);
    assert.deepEqual(history, [
      { role: 'user', content: [{ type: 'text', text: 'q1' }] },
      { role: 'user', content: [{ type: 'text', text: 'q2' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'partial' },
          { type: 'tool_call', id: 'c1', name: 'lookup', arguments: '{"a":1}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool_result', callId: 'c1', name: 'lookup', content: '{"found":true}' }] },
    ]);
  });

  it('offers the action that fixes each kind of failure', () => {
    assert.deepEqual(actionsFor('auth'), ['setKey']);
    assert.deepEqual(actionsFor('rate_limit'), ['retry']);
    assert.deepEqual(actionsFor('rate_limit', true), ['openSettings']);
    assert.deepEqual(actionsFor('overloaded'), ['retry']);
    assert.deepEqual(actionsFor('timeout'), ['retry', 'openSettings']);
    assert.deepEqual(actionsFor('bad_request'), ['openSettings']);
    assert.deepEqual(actionsFor('context_length'), ['newBranch']);
    assert.deepEqual(actionsFor('cancelled'), []);
  });

  it('reads a stored error defensively', () => {
    assert.deepEqual(readStoredError({ kind: 'auth', message: 'no', actions: ['setKey', 'format disk'] }), { kind: 'auth', message: 'no', actions: ['setKey'] });
    assert.deepEqual(readStoredError({ kind: 'network' }), { kind: 'network', message: 'The request failed.', actions: ['retry', 'openSettings'] });
    assert.equal(readStoredError(null), undefined);
    assert.equal(readStoredError('text'), undefined);
  });
});

describe('chat loop: saving a streaming reply', () => {
  function saver(everyMs: number, everyChars: number) {
    const saves: number[] = [];
    let release: (() => void) | undefined;
    let hold = false;
    const instance = new StreamSaver({
      everyMs,
      everyChars,
      save: () => {
        saves.push(performance.now());
        return hold ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
      },
      onError: () => undefined,
    });
    return { instance, saves, holdSaves: () => (hold = true), release: () => release?.() };
  }

  it('saves at most every interval while text trickles in, and once more for text before a pause', async () => {
    const { instance, saves } = saver(100, 10_000);
    const began = performance.now();
    for (let i = 0; i < 10; i++) {
      instance.changed(1);
      await sleep(10);
    }
    const lastChange = performance.now();
    await sleep(200);
    await instance.close();
    const gaps = saves.slice(1).map((at, i) => at - saves[i]!);
    assert.ok(gaps.every((gap) => gap >= 95), `saves ${gaps.map(Math.round).join(', ')} ms apart`);
    assert.ok(saves.length <= Math.ceil((lastChange - began) / 100) + 1, `${saves.length} saves`);
    assert.ok(saves.at(-1)! >= lastChange - 100, 'the text that arrived last was saved after the pause');
  });

  it('saves at once when enough text arrived, and never two saves at a time', async () => {
    const { instance, saves, holdSaves, release } = saver(10_000, 100);
    holdSaves();
    instance.changed(150);
    assert.equal(saves.length, 1);
    instance.changed(500);
    assert.equal(saves.length, 1, 'the text that arrived during a save waits for it');
    release();
    await sleep(0);
    await sleep(0);
    assert.equal(saves.length, 2, 'then it is saved');
    release();
    await instance.close();
  });

  it('saves nothing after close', async () => {
    const { instance, saves } = saver(10, 10_000);
    instance.changed(1);
    await instance.close();
    const count = saves.length;
    instance.changed(5_000);
    instance.heartbeat();
    await sleep(30);
    assert.equal(saves.length, count);
  });
});
