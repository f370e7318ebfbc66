/* global window, document, Image -- the callbacks passed to page.evaluate run in the panel, not in Node */
// Security assertions on a rendered chat panel, shared by the harness tests.
import assert from 'node:assert/strict';

const FORBIDDEN_TAGS = [
  'script', 'iframe', 'frame', 'object', 'embed', 'svg', 'math', 'img', 'style', 'form', 'input', 'link', 'meta', 'base',
  'video', 'audio', 'picture', 'source',
];
const FORBIDDEN_ATTRIBUTES = ['style', 'src', 'srcdoc', 'srcset', 'action', 'formaction', 'background', 'poster'];

/**
 * Nothing active survived in rendered messages (no element that runs or loads anything, no handler, no URL but
 * http(s)), no payload flag was set, no dialog opened. Structural, so it also covers what would run later.
 * @param {import('./chatPage.mjs').ChatPage} chat
 */
export async function assertInert(chat) {
  const found = await chat.page.evaluate(
    ({ tags, attributes }) => {
      const bad = [];
      for (const element of document.querySelectorAll('.message-body *')) {
        const tag = element.tagName.toLowerCase();
        // The only buttons in a message body are the panel's own, on code blocks.
        if (tags.includes(tag) || (tag === 'button' && !element.closest('.code-header'))) {
          bad.push(tag);
        }
        for (const { name, value } of element.attributes) {
          if (/^on/i.test(name) || attributes.includes(name)) {
            bad.push(`${tag}[${name}]`);
          }
          if (name === 'href' && !/^https?:\/\//i.test(value)) {
            bad.push(`${tag}[href=${value}]`);
          }
        }
      }
      return { bad, flags: Object.keys(window).filter((key) => key.startsWith('__xss_')), images: document.images.length };
    },
    { tags: FORBIDDEN_TAGS, attributes: FORBIDDEN_ATTRIBUTES },
  );
  assert.deepEqual(found, { bad: [], flags: [], images: 0 });
  assert.deepEqual(chat.dialogs, [], 'dialogs opened');
}

/**
 * Clicks every link in the rendered replies: none may run script, navigate, or reach the host as anything but
 * an http(s) chat/openLink request.
 */
export async function clickAllLinks(chat) {
  const url = chat.page.url();
  for (const link of await chat.page.locator('.message-body a').all()) {
    await link.click({ noWaitAfter: true });
  }
  const opened = await chat.requests('chat/openLink');
  assert.ok(opened.every((r) => /^https?:\/\//.test(r.params.url)), JSON.stringify(opened));
  assert.equal(chat.page.url(), url, 'the panel navigated');
}

/**
 * Loads one image from an address the CSP allows, after rendering. Once it has completed, any image the renderer
 * had created would have been requested before it, so the leak counters can be read as final.
 */
export async function settleRequests(chat, origin) {
  await chat.page.evaluate(
    (src) =>
      new Promise((resolve) => {
        const probe = new Image();
        probe.onload = probe.onerror = resolve;
        probe.src = src;
      }),
    `${origin}/control-${Date.now()}`,
  );
}

/** The panel's own controls in tool steps and cards; anything else that can be clicked came from somewhere else. */
const OWN_CONTROLS = new Set(['toggle-tool', 'open-diff', 'undo-turn', 'undo-menu', 'undo-since']);

/**
 * Tool steps, approval and limit cards are text only: no element from a payload (none of the forbidden tags, no
 * link at all), no handler or loading attribute, every button one of the panel's own; no payload flag, no dialog.
 * @param {import('./chatPage.mjs').ChatPage} chat
 */
export async function assertToolsInert(chat) {
  const found = await chat.page.evaluate(
    ({ tags, attributes, own }) => {
      const bad = [];
      const scopes = document.querySelectorAll('.tool-message, .pending-dock');
      for (const scope of scopes) {
        for (const element of scope.querySelectorAll('*')) {
          const tag = element.tagName.toLowerCase();
          if (tags.includes(tag) || tag === 'a') {
            bad.push(tag);
          }
          if (tag === 'button' && !own.includes(element.dataset.action) && element.dataset.role !== 'toggle-arguments') {
            bad.push(`button[${element.dataset.action}]`);
          }
          for (const { name } of element.attributes) {
            if (/^on/i.test(name) || attributes.includes(name) || name === 'href') {
              bad.push(`${tag}[${name}]`);
            }
          }
        }
      }
      return { scopes: scopes.length, bad, flags: Object.keys(window).filter((key) => key.startsWith('__xss_')), images: document.images.length };
    },
    { tags: FORBIDDEN_TAGS, attributes: FORBIDDEN_ATTRIBUTES, own: [...OWN_CONTROLS] },
  );
  assert.ok(found.scopes > 0, 'no tool steps or cards were rendered');
  assert.deepEqual({ ...found, scopes: undefined }, { scopes: undefined, bad: [], flags: [], images: 0 });
  assert.deepEqual(chat.dialogs, [], 'dialogs opened');
}
