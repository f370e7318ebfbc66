import * as assert from 'node:assert/strict';
import {
  ASK_SYSTEM_PROMPT,
  answerDocumentName,
  buildAskRequest,
  closeOpenFence,
  fenceFor,
  footer,
  formatDuration,
  renderAnswerMarkdown,
  selectionNotice,
  type AnswerView,
  type SelectionContext,
} from '../../../src/core/ask';

const selection: SelectionContext = { text: 'const a = 1;\nconst b = 2;\n', fileName: 'src/math.ts', languageId: 'typescript', startLine: 3, endLine: 4 };

const view = (extra: Partial<AnswerView> = {}): AnswerView => ({
  question: 'What does this do?',
  endpointLabel: 'LM Studio',
  model: 'qwen2.5-7b',
  state: 'complete',
  text: 'It adds.',
  ...extra,
});

describe('Ask: the request', () => {
  it('sends the question alone when nothing is selected', () => {
    const request = buildAskRequest({ model: 'm', question: '  Why?  ' });
    assert.deepEqual(request, { model: 'm', system: ASK_SYSTEM_PROMPT, messages: [{ role: 'user', content: [{ type: 'text', text: 'Why?' }] }] });
  });

  it('puts the selection before the question, fenced, with its file and lines', () => {
    const request = buildAskRequest({ model: 'm', question: 'What does this do?', selection });
    const part = request.messages[0]!.content[0]!;
    assert.equal(part.type, 'text');
    assert.equal(
      part.type === 'text' ? part.text : '',
      'Context: lines 3-4 of `src/math.ts`:\n```typescript\nconst a = 1;\nconst b = 2;\n```\n\nWhat does this do?',
    );
  });

  it('uses a fence longer than any backtick run in the selection', () => {
    assert.equal(fenceFor('plain'), '```');
    assert.equal(fenceFor('a ```js block``` inside'), '````');
    const request = buildAskRequest({ model: 'm', question: 'q', selection: { ...selection, text: '````\nx\n````', startLine: 7, endLine: 7 } });
    const text = request.messages[0]!.content[0]!.type === 'text' ? (request.messages[0]!.content[0] as { text: string }).text : '';
    assert.ok(text.startsWith('Context: line 7 of `src/math.ts`:\n`````typescript\n'), text);
  });

  it('tells the person in the question box what will be sent along', () => {
    assert.equal(selectionNotice(selection), 'The selection (lines 3-4 of src/math.ts) is sent along as context.');
  });
});

describe('Ask: the answer document', () => {
  it('shows the question, the answer, and a footer with model, tokens, timings and status', () => {
    const markdown = renderAnswerMarkdown(view({ usage: { inputTokens: 42, outputTokens: 12 }, timeToFirstChunkMs: 120.4, totalMs: 1400, selection }));
    assert.equal(
      markdown,
      [
        '**Question to qwen2.5-7b** (LM Studio)',
        '',
        '> What does this do?',
        '',
        '_With lines 3-4 of `src/math.ts` as context._',
        '',
        '---',
        '',
        'It adds.',
        '',
        '---',
        '',
        '`qwen2.5-7b` · LM Studio · 42 tokens in / 12 out · first token 120 ms · total 1.40 s · complete',
        '',
      ].join('\n'),
    );
  });

  it('says it is waiting before the first token, and streaming after', () => {
    const waiting = renderAnswerMarkdown(view({ state: 'waiting', text: '' }));
    assert.match(waiting, /_Waiting for qwen2\.5-7b to start answering…_/);
    assert.match(waiting, /· waiting…\n$/);
    assert.match(renderAnswerMarkdown(view({ state: 'streaming', text: 'It a' })), /It a\n\n---\n\n`qwen2\.5-7b` · LM Studio · streaming…\n$/);
    assert.match(renderAnswerMarkdown(view({ state: 'waiting', text: '', note: 'Rate limited. Trying again in 2.00 s.' })), /> _Rate limited\. Trying again in 2\.00 s\._/);
  });

  it('marks a partial answer incomplete and a stopped one stopped, never complete', () => {
    const incomplete = renderAnswerMarkdown(view({ state: 'incomplete', text: 'It a', error: { kind: 'network', message: 'Lost the connection to LM Studio: socket hang up' } }));
    assert.match(incomplete, /It a\n\n> \*\*Incomplete answer\.\*\* Lost the connection to LM Studio: socket hang up/);
    assert.match(incomplete, /· \*\*incomplete\*\*\n$/);
    assert.doesNotMatch(incomplete, / complete\n$/);
    const stopped = renderAnswerMarkdown(view({ state: 'cancelled', text: 'It a', error: { kind: 'cancelled', message: 'Stopped.' } }));
    assert.match(stopped, /> \*\*Stopped\.\*\* The answer above is incomplete/);
    assert.match(stopped, /· \*\*stopped\*\*\n$/);
  });

  it('shows an error inline, with its kind', () => {
    const failed = renderAnswerMarkdown(view({ state: 'error', text: '', error: { kind: 'auth', message: 'LM Studio rejected the API key.' } }));
    assert.match(failed, /_No answer arrived\._\n\n> \*\*Error \(auth\):\*\* LM Studio rejected the API key\./);
    assert.match(failed, /· \*\*failed\*\*\n$/);
  });

  it('closes a code block the answer left open, so the footer is not swallowed by it', () => {
    assert.equal(closeOpenFence('Here:\n```ts\nconst x'), 'Here:\n```ts\nconst x\n```');
    assert.equal(closeOpenFence('```\na\n```\ndone'), '```\na\n```\ndone');
    assert.equal(closeOpenFence('~~~~\n```\nstill code'), '~~~~\n```\nstill code\n~~~~');
    const partial = renderAnswerMarkdown(view({ state: 'incomplete', text: '```py\nprint(', error: { kind: 'incomplete', message: 'cut' } }));
    assert.match(partial, /```py\nprint\(\n```\n\n> \*\*Incomplete/);
  });

  it('formats durations and names documents safely', () => {
    assert.equal(formatDuration(0.4), '0 ms');
    assert.equal(formatDuration(999), '999 ms');
    assert.equal(formatDuration(1234), '1.23 s');
    assert.equal(formatDuration(61_000), '61.0 s');
    assert.equal(answerDocumentName(3, 'meta-llama/Llama-3:8b'), 'Answer 3 (meta-llama-Llama-3-8b).md');
    assert.equal(footer(view({ state: 'complete' })), '`qwen2.5-7b` · LM Studio · complete');
  });

  it('shows the cost of the call, and says when it is unknown instead of showing $0', () => {
    const usage = { inputTokens: 1200, outputTokens: 300 };
    assert.match(footer(view({ state: 'complete', usage, costUsd: 0.0042 })), / · \$0\.0042 · /);
    assert.match(footer(view({ state: 'complete', usage, costUsd: null })), / · cost unknown · /);
    assert.match(footer(view({ state: 'complete', usage, costUsd: 0 })), / · \$0 · /);
  });
});
