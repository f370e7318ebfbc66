/* global window -- the callbacks passed to page.waitForFunction run in the panel */
// Protocol fixtures for the chat webview harness: ids, messages and snapshots shaped like src/protocol/chat.ts.

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A valid ULID-shaped id for a small number, so fixtures are readable and pass the protocol's id check. */
export function ulid(n) {
  let body = '';
  let rest = n;
  for (let i = 0; i < 16; i++) {
    body = CROCKFORD[rest % 32] + body;
    rest = Math.floor(rest / 32);
  }
  return `01HCHAT000${body}`;
}

export const AGENT = { id: ulid(900_001), name: 'Helper', provider: 'openai', model: 'gpt-test', versionId: ulid(900_002) };
export const OTHER_AGENT = { id: ulid(900_003), name: 'Reviewer', provider: 'anthropic', model: 'claude-test', versionId: ulid(900_004) };
export const SESSION = { id: ulid(900_000), title: 'Harness session', agentId: AGENT.id };

let clock = Date.UTC(2025, 0, 1, 9, 0, 0);

export function message(fields) {
  clock += 1000;
  return {
    parentId: null,
    role: 'user',
    status: 'complete',
    text: '',
    reasoning: '',
    toolCalls: [],
    model: fields.role === 'assistant' ? AGENT.model : null,
    agentVersionId: fields.role === 'assistant' ? AGENT.versionId : null,
    createdAt: clock,
    ...fields,
  };
}

export function snapshot(messages, extra = {}) {
  return {
    session: SESSION,
    messages,
    leafId: messages.at(-1)?.id ?? null,
    agent: AGENT,
    modelOverride: null,
    agents: [AGENT, OTHER_AGENT],
    streamingId: null,
    ...extra,
  };
}

/** A linear conversation of `count` messages, alternating user and assistant, each naming its index. */
export function chain(count, base = 1) {
  const messages = [];
  for (let i = 0; i < count; i++) {
    const role = i % 2 === 0 ? 'user' : 'assistant';
    messages.push(
      message({
        id: ulid(base + i),
        parentId: i === 0 ? null : ulid(base + i - 1),
        role,
        text: role === 'user' ? `Question number ${i}` : `Answer number ${i}: **bold** and \`code\`.`,
        footer: role === 'assistant' ? { inputTokens: 10 + i, outputTokens: 20, latencyMs: 850, timeToFirstTokenMs: 120 } : undefined,
      }),
    );
  }
  return messages;
}

/** Splits text into chunks of `size` characters, as a provider streams it (cutting through tags and URLs). */
export function chunks(text, size = 7) {
  const parts = [];
  for (let i = 0; i < text.length; i += size) {
    parts.push(text.slice(i, i + size));
  }
  return parts;
}

/**
 * Answers the panel's `chat/history` requests from `all` (every message the fake host holds) the way the host
 * does: a page of the path that ends at `fromId`, root side first, reaching `throughId` when given. Returns the
 * requests it answered; `stop()` ends the loop.
 */
export function serveHistory(chat, all, { page = 200 } = {}) {
  const byId = new Map(all.map((m) => [m.id, m]));
  const answered = [];
  let running = true;
  const loop = (async () => {
    let after = await chat.postedCount();
    while (running) {
      const handle = await chat.page
        .waitForFunction(
          (after) => window.__stopHistory || (window.__posted.slice(after).find((m) => m.kind === 'request' && m.method === 'chat/history') ?? false),
          after,
          { timeout: 0 },
        )
        .catch(() => undefined);
      const request = await handle?.jsonValue();
      if (!running || typeof request !== 'object') {
        return;
      }
      after = (await chat.posted()).findIndex((m) => m.kind === 'request' && m.id === request.id) + 1;
      const path = [];
      for (let id = request.params.fromId; id !== null && byId.has(id); id = byId.get(id).parentId) {
        path.push(byId.get(id));
      }
      const through = request.params.throughId === undefined ? -1 : path.findIndex((m) => m.id === request.params.throughId);
      const limit = Math.max(request.params.limit ?? page, through + 21);
      answered.push(request.params);
      await chat.respond(request, { messages: path.slice(0, limit).reverse() });
    }
  })();
  return {
    answered,
    stop: async () => {
      running = false;
      await chat.page.evaluate(() => (window.__stopHistory = true)).catch(() => {});
      await loop.catch(() => {});
    },
  };
}

/** A call of a tool message, as the host shows it (src/protocol/chatTools.ts ToolCallView). */
export function toolCall(fields) {
  return { id: 'call_1', name: 'read_file', summary: 'Read src/app.ts', state: 'completed', ...fields };
}

/**
 * A finished turn with tools, ids `base` .. `base + 3`: the question; a reply that says what it will do and makes
 * two calls; their tool message (a completed read, and a command that exited 1 and changed three files); the answer.
 */
export function toolTurn(base = 1) {
  const [user, step, tool, answer] = [0, 1, 2, 3].map((i) => ulid(base + i));
  const calls = [
    { id: 'call_read', name: 'read_file', arguments: '{"path":"test.js","startLine":1}' },
    { id: 'call_run', name: 'run_command', arguments: '{"command":"node test.js"}' },
  ];
  return [
    message({ id: user, text: 'Fix the failing test' }),
    message({ id: step, parentId: user, role: 'assistant', text: 'Let me read the test and run it.', toolCalls: calls }),
    message({
      id: tool,
      parentId: step,
      role: 'tool',
      tools: [
        toolCall({ id: 'call_read', summary: 'Read test.js, lines 1-40', decidedBy: 'policy', result: { text: 'const assert = require("node:assert");\nassert.equal(add(1, 2), 3);', isError: false, durationMs: 12 } }),
        toolCall({
          id: 'call_run',
          name: 'run_command',
          summary: 'Run node test.js',
          state: 'failed',
          decidedBy: 'person',
          result: {
            text: 'AssertionError [ERR_ASSERTION]: 4 == 3\n    at test.js:2:8',
            isError: true,
            exitCode: 1,
            durationMs: 1520,
            files: [
              { path: 'src/add.js', change: 'modified' },
              { path: 'coverage/report.txt', change: 'created' },
              { path: 'old.log', change: 'deleted' },
            ],
          },
        }),
      ],
    }),
    message({ id: answer, parentId: tool, role: 'assistant', text: 'The test fails because `add` adds one too many.', footer: { inputTokens: 300, outputTokens: 40 } }),
  ];
}

/** A question the turn waits on: an approval (ApprovalView fields override the edit below). */
export function approvalPending({ id = ulid(800), messageId = ulid(3), callId = 'call_edit', ...approval } = {}) {
  return {
    kind: 'approval',
    id,
    messageId,
    callId,
    approval: {
      tool: 'replace_in_file',
      summary: 'Edit src/add.js',
      arguments: '{"path":"src/add.js","old":"a + b + 1","new":"a + b"}',
      reasons: ['Edits ask before they are written (the agent’s policy)'],
      edit: {
        path: 'src/add.js',
        created: false,
        diff: [
          '--- a/src/add.js', '+++ b/src/add.js', '@@ -1,4 +1,4 @@', ' // Adds two numbers.', ' function add(a, b) {',
          '-  return a + b + 1;', '+  return a + b;', ' }', '',
        ].join('\n'),
      },
      canApproveForSession: true,
      ...approval,
    },
  };
}

export function limitPending({ id = ulid(850), messageId = ulid(2), reached = '25 steps', more = '25 more steps' } = {}) {
  return { kind: 'limit', id, messageId, reached, more };
}

/**
 * A turn waiting on an edit's approval, ids `base` .. `base + 2`: the question, the reply that asks to edit, and
 * its tool message with the call waiting for the person.
 */
export function awaitingTurn(base = 1, call = {}) {
  const [user, step, tool] = [0, 1, 2].map((i) => ulid(base + i));
  return [
    message({ id: user, text: 'Fix it' }),
    message({ id: step, parentId: user, role: 'assistant', text: '', toolCalls: [{ id: 'call_edit', name: 'replace_in_file', arguments: '{"path":"src/add.js"}' }] }),
    message({ id: tool, parentId: step, role: 'tool', tools: [toolCall({ id: 'call_edit', name: 'replace_in_file', summary: 'Edit src/add.js', state: 'awaiting_approval', ...call })] }),
  ];
}
