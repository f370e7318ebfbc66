// Hostile model output for the chat webview's security tests. Each XSS payload sets its own window flag if it ever
// runs; the image payloads point at a counting server (and at the harness's own origin, which the CSP allows, so
// only the panel's renderer stands between them and a request).
import { message, ulid } from './fixtures.mjs';

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
