/**
 * A fetched page as Markdown for the model: the text, headings, lists, code and links, without the parts that are
 * not content (scripts, styles, navigation, forms). Links stay absolute so the model can follow them with another
 * fetch; images become `![alt](url)` text and are never loaded. turndown parses with its bundled DOM (domino) in
 * Node, so this stays pure.
 */
import TurndownService from 'turndown';

/** The little of a DOM element the rules read (the DOM lib is not part of the host's types). */
interface DomElement {
  nodeName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
}

const DROPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'IFRAME', 'SVG', 'FORM', 'NAV', 'FOOTER', 'TEMPLATE', 'OBJECT', 'EMBED', 'CANVAS']);
const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

const element = (node: unknown): DomElement => node as DomElement;

/** An absolute URL for a link or image, or undefined for one that is invalid or of a scheme a model must not get. */
function absoluteUrl(raw: string | null, base: string, schemes: ReadonlySet<string>): string | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim(), base);
  } catch {
    return undefined;
  }
  if (!schemes.has(url.protocol)) return undefined;
  // Parentheses would end a Markdown link destination early.
  return url.href.replace(/\(/g, '%28').replace(/\)/g, '%29');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function escapeLabel(text: string): string {
  return oneLine(text).replace(/([\\[\]])/g, '\\$1');
}

// Elements whose end tag may be left out (`<li>a<li>b` is two siblings) and void elements: neither nests.
const NON_NESTING = new Set(
  'area base br col embed hr img input link meta param source track wbr keygen p li dt dd option optgroup tr td th thead tbody tfoot colgroup rp rt rb rtc caption html head body'.split(' '),
);
/** turndown recurses per level (it overflows the stack near 1,500) and domino's parser slows with depth squared. */
const MAX_DEPTH = 1000;

/** An upper bound, near enough, of how deep the elements nest; one linear pass over the tags. */
function nestingDepth(html: string): number {
  let depth = 0;
  let deepest = 0;
  for (const match of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/g)) {
    const name = (match[2] ?? '').toLowerCase();
    if (NON_NESTING.has(name)) continue;
    depth = match[1] === '/' ? Math.max(0, depth - 1) : depth + 1;
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

const RAW_TEXT = new Set(['script', 'style', 'noscript', 'template', 'svg', 'textarea', 'title']);
const LINE_BREAKS = new Set(['br', 'p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'blockquote', 'section', 'article']);

/**
 * The text of a page too deeply nested to convert (a hostile page can be 100,000 `<div>`s deep). Linear on any
 * input: indexOf scans only, no backtracking regular expressions.
 */
function plainText(html: string): string {
  const lower = html.toLowerCase();
  let out = '';
  let i = 0;
  while (i < html.length) {
    const open = html.indexOf('<', i);
    if (open === -1) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, open);
    const close = html.indexOf('>', open);
    if (close === -1) break;
    const name = /^<\/?([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(open, Math.min(close + 1, open + 40)))?.[1]?.toLowerCase() ?? '';
    i = close + 1;
    if (RAW_TEXT.has(name) && html[open + 1] !== '/') {
      const end = lower.indexOf(`</${name}`, i);
      const after = end === -1 ? -1 : html.indexOf('>', end);
      i = after === -1 ? html.length : after + 1;
    }
    out += LINE_BREAKS.has(name) ? '\n' : ' ';
  }
  return out
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n[ \n]*/g, '\n')
    .trim();
}

export function htmlToMarkdown(html: string, baseUrl: string): { title?: string; markdown: string } {
  let base = baseUrl;
  let baseSet = false;
  let title: string | undefined;
  const service = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', hr: '---' });
  service.remove((node) => DROPPED.has(element(node).nodeName.toUpperCase()));
  service.addRule('title', {
    filter: (node) => element(node).nodeName === 'TITLE',
    replacement: (_content, node) => {
      title ??= oneLine(element(node).textContent ?? '') || undefined;
      return '';
    },
  });
  service.addRule('base', {
    // The first <base href> decides where relative links point, as in a browser. Nodes are visited in document
    // order, and <base> sits in <head>, before the links.
    filter: (node) => element(node).nodeName === 'BASE',
    replacement: (_content, node) => {
      const href = absoluteUrl(element(node).getAttribute('href'), baseUrl, new Set(['http:', 'https:']));
      if (!baseSet && href !== undefined) {
        base = href;
        baseSet = true;
      }
      return '';
    },
  });
  service.addRule('link', {
    filter: (node) => element(node).nodeName === 'A',
    replacement: (content, node) => {
      const href = absoluteUrl(element(node).getAttribute('href'), base, LINK_SCHEMES);
      const text = content.trim();
      if (href === undefined) return content;
      return `[${text === '' ? href : text}](${href})`;
    },
  });
  service.addRule('image', {
    filter: (node) => element(node).nodeName === 'IMG',
    replacement: (_content, node) => {
      const img = element(node);
      const alt = escapeLabel(img.getAttribute('alt') ?? '');
      const src = absoluteUrl(img.getAttribute('src'), base, new Set(['http:', 'https:']));
      if (src === undefined) return alt;
      return `![${alt}](${src})`;
    },
  });
  let markdown: string;
  if (nestingDepth(html) > MAX_DEPTH) {
    markdown = plainText(html);
  } else {
    try {
      markdown = service.turndown(html).trim();
    } catch (err) {
      // Deeper than the estimate saw (implied elements): still the text rather than nothing.
      if (!(err instanceof RangeError)) throw err;
      markdown = plainText(html);
    }
  }
  return title === undefined ? { markdown } : { title, markdown };
}
