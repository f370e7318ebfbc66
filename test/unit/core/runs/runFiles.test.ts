import * as assert from 'node:assert/strict';
import { FILE_WRITTEN_EVENT } from '../../../../src/core/agent/undoRecords';
import { changedFiles } from '../../../../src/core/runs/runFiles';
import type { StudioEvent } from '../../../../src/db/repositories/events';
import type { ContentPart, Message } from '../../../../src/db/repositories/messages';
import type { JsonValue } from '../../../../src/db/repositories/rows';

/** The run header's "Files changed", folded from a session's file-written events, on plain data. */

const TOOL_1 = '01HTOOL0000000000000000001';
const TOOL_2 = '01HTOOL0000000000000000002';
const TURN = '01HUSER0000000000000000001';

let order = 0;
function written(messageId: string | null, payload: JsonValue): StudioEvent {
  order += 1;
  return {
    id: `01HEVENT${String(order).padStart(18, '0')}`,
    sessionId: '01HSESSION0000000000000000',
    runId: null,
    parentEventId: null,
    messageId,
    type: FILE_WRITTEN_EVENT,
    startedAt: order,
    endedAt: null,
    durationMs: null,
    tokens: { input: null, output: null, cacheRead: null, cacheWrite: null, reasoning: null },
    costMicroUsd: null,
    model: null,
    payload,
  };
}

function step(callId: string, files: JsonValue[]): ContentPart {
  return { type: 'tool_step', callId, name: 'replace_in_file', summary: 'Edit', state: 'completed', details: { files } };
}

function messages(byId: Record<string, Pick<Message, 'role' | 'content'>>) {
  const asked: string[] = [];
  return {
    asked,
    lookup: (id: string) => {
      asked.push(id);
      return byId[id];
    },
  };
}

describe('files a run changed', () => {
  it('lists each path once with its last write, and the call of that write', () => {
    const store = messages({
      [TOOL_1]: {
        role: 'tool',
        content: [
          step('call_a', [{ path: '/w/src/add.js', shown: 'src/add.js', change: 'modified' }]),
          step('call_b', [{ path: '/w/NOTES.md', shown: 'NOTES.md', change: 'created' }]),
        ],
      },
      [TOOL_2]: { role: 'tool', content: [step('call_c', [{ path: '/w/src/add.js', shown: 'src/add.js', change: 'modified' }])] },
    });
    const files = changedFiles(
      [
        written(TOOL_1, { turnId: TURN, path: '/w/src/add.js', sha256: 'aa' }),
        written(TOOL_1, { turnId: TURN, path: '/w/NOTES.md', sha256: 'bb' }),
        written(TOOL_2, { turnId: TURN, path: '/w/src/add.js', sha256: 'cc' }),
      ],
      store.lookup,
    );
    assert.deepEqual(files, [
      { path: '/w/src/add.js', shown: 'src/add.js', change: 'modified', messageId: TOOL_2, callId: 'call_c' },
      { path: '/w/NOTES.md', shown: 'NOTES.md', change: 'created', messageId: TOOL_1, callId: 'call_b' },
    ]);
    assert.deepEqual(store.asked, [TOOL_2, TOOL_1], 'each tool message read once');
  });

  it('takes the later of two calls of one step that wrote the same file', () => {
    const store = messages({ [TOOL_1]: { role: 'tool', content: [step('call_a', [{ path: 'x.txt', change: 'modified' }]), step('call_b', [{ path: 'x.txt', change: 'modified' }])] } });
    const [file] = changedFiles([written(TOOL_1, { turnId: TURN, path: 'x.txt', sha256: 'aa' })], store.lookup);
    assert.equal(file?.callId, 'call_b');
    assert.equal(file?.shown, 'x.txt', 'the path itself when the step names no shown form');
  });

  it('says a deleted file was deleted when the step does not say how it changed', () => {
    const store = messages({ [TOOL_1]: { role: 'tool', content: [step('call_rm', [{ path: 'old.log' }])] } });
    assert.equal(changedFiles([written(TOOL_1, { turnId: TURN, path: 'old.log', sha256: null })], store.lookup)[0]?.change, 'deleted');
  });

  it('leaves out what it cannot offer a diff for: bad records, no message, a message that is no tool message, no call naming the file', () => {
    const store = messages({
      [TOOL_1]: { role: 'tool', content: [step('call_a', [{ path: 'other.txt', change: 'modified' }]), { type: 'text', text: 'x.txt' }] },
      [TOOL_2]: { role: 'assistant', content: [step('call_b', [{ path: 'y.txt', change: 'modified' }])] },
    });
    const files = changedFiles(
      [
        written(TOOL_1, { turnId: TURN, path: 'x.txt', sha256: 'aa' }),
        written(TOOL_2, { turnId: TURN, path: 'y.txt', sha256: 'aa' }),
        written(null, { turnId: TURN, path: 'z.txt', sha256: 'aa' }),
        written('01HTOOL0000000000000000009', { turnId: TURN, path: 'gone.txt', sha256: 'aa' }),
        written(TOOL_1, { path: 'no-turn.txt', sha256: 'aa' }),
        written(TOOL_1, { turnId: TURN, path: 'bad-hash.txt', sha256: 5 }),
        written(TOOL_1, 'not an object'),
      ],
      store.lookup,
    );
    assert.deepEqual(files, []);
  });
});
