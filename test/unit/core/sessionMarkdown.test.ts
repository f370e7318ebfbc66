import * as assert from 'node:assert/strict';
import type { ExportedMessage, SessionExport } from '../../../src/core/sessionExport';
import { branchOf, fence, sessionMarkdown } from '../../../src/core/sessionMarkdown';

const at = (minute: number) => Date.UTC(2025, 2, 4, 10, minute);

function message(id: string, parentId: string | null, role: ExportedMessage['role'], text: string, extra: Partial<ExportedMessage> = {}): ExportedMessage {
  return { id, parentId, role, content: [{ type: 'text', text }], status: 'complete', model: role === 'assistant' ? 'gpt-test' : null, error: null, createdAt: at(Number(id.slice(1))), updatedAt: at(Number(id.slice(1))), ...extra };
}

function session(messages: ExportedMessage[], headMessageId: string | null, title = 'Trees & branches'): SessionExport {
  return {
    format: 'ai-studio.session',
    version: 1,
    exportedAt: at(30),
    session: { id: 's', title, createdAt: at(0), updatedAt: at(9), headMessageId },
    agent: { name: 'Helper', model: 'gpt-test', systemPrompt: 'Be brief.', version: 3 },
    messages,
  };
}

describe('a session as Markdown (the branch shown)', () => {
  const messages = [
    message('m1', null, 'user', 'What is a tree?'),
    message('m2', 'm1', 'assistant', 'An old answer on another branch.'),
    message('m3', 'm1', 'assistant', 'A **graph** without cycles:\n\n```ts\nconst t = 1;\n```'),
    message('m4', 'm3', 'user', 'Call a tool.'),
    {
      ...message('m5', 'm4', 'assistant', 'Calling.'),
      content: [
        { type: 'reasoning', text: 'private thoughts' },
        { type: 'text', text: 'Calling.' },
        { type: 'tool_call', id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } },
      ],
      status: 'cancelled',
    } satisfies ExportedMessage,
  ];

  it('renders the path from the root to the head: headings, text as written, tool calls, and a note on a stopped reply', () => {
    assert.equal(
      sessionMarkdown(session(messages, 'm5')),
      [
        '# Trees & branches',
        '',
        'Agent: **Helper** (model `gpt-test`)  ',
        'Exported from AI Studio on 2025-03-04 10:30 UTC: 4 messages of the branch shown.',
        '',
        '---',
        '',
        '## You · 2025-03-04 10:01 UTC',
        '',
        'What is a tree?',
        '',
        '---',
        '',
        '## Assistant · gpt-test · 2025-03-04 10:03 UTC',
        '',
        'A **graph** without cycles:',
        '',
        '```ts',
        'const t = 1;',
        '```',
        '',
        '---',
        '',
        '## You · 2025-03-04 10:04 UTC',
        '',
        'Call a tool.',
        '',
        '---',
        '',
        '## Assistant · gpt-test · 2025-03-04 10:05 UTC',
        '',
        'Calling.',
        '',
        '**Tool call** `get_weather`',
        '',
        '```json',
        '{',
        '  "city": "Paris"',
        '}',
        '```',
        '',
        '> Stopped: the reply was stopped before it finished.',
        '',
      ].join('\n'),
    );
  });

  it('follows another leaf when asked, and names an untitled session like the view does', () => {
    const text = sessionMarkdown(session(messages, 'm5', ''), 'm2');
    assert.match(text, /^# New session\n/);
    assert.match(text, /An old answer on another branch\./);
    assert.doesNotMatch(text, /graph without cycles/);
    assert.deepEqual(branchOf(session(messages, null)), []);
    assert.match(sessionMarkdown(session(messages, null)), /: 0 messages of the branch shown\.\n$/);
  });

  it('says why a reply failed', () => {
    const failed = message('m2', 'm1', 'assistant', '', { status: 'error', error: { kind: 'auth', message: 'Fake needs an API key.', actions: ['setKey'] } });
    assert.match(sessionMarkdown(session([messages[0]!, failed], 'm2')), /\n> Failed\. Fake needs an API key\.\n$/);
  });

  it('fences code longer than any backtick run inside it', () => {
    assert.equal(fence('a ``` b', ''), '````\na ``` b\n````');
    assert.equal(fence('plain', 'json'), '```json\nplain\n```');
  });
});
