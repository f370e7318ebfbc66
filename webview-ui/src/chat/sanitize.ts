import DOMPurify from 'dompurify';

/**
 * The last gate between model output and the DOM. markdown-it already escapes raw HTML (html: false), so in
 * practice this only sees markup our renderer produced; it still runs with a strict allowlist because one
 * renderer bug must not become script execution or a request to an attacker's server. Model output is
 * untrusted: it may have been steered by a web page or a file the model read.
 *
 * Parsing happens in an inert document (DOMParser), where an `<img>` never loads, and what comes back is a
 * fragment of plain elements: no scripts, handlers, styles, forms, frames, objects, SVG or MathML, and no URL
 * other than http(s) in a link.
 */

const ALLOWED_TAGS = [
  'a', 'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'b', 'i', 's', 'del', 'code', 'pre',
  'blockquote', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'div', 'kbd', 'sub', 'sup',
];
/** No `style` (CSS can fetch URLs), no `id`/`name` (DOM clobbering of the panel's own globals), no `src`. */
const ALLOWED_ATTR = ['href', 'title', 'class', 'start'];
/** Links: http(s) only. Everything else (javascript:, data:, vbscript:, file:, command:) loses its href. */
const SAFE_URL = /^https?:\/\//i;
/** Classes the renderer and highlight.js emit; anything else could be used to mimic the panel's own UI. */
const SAFE_CLASS = /^(?:hljs(?:-[\w-]+)?|language-[\w+#.-]{1,40}|code-block|image-placeholder|align-(?:left|center|right)|[\w-]+_)$/;

const purify = DOMPurify(window);

purify.addHook('uponSanitizeElement', (node, data) => {
  // An image that slipped past the markdown renderer is replaced by its description, never loaded.
  if (data.tagName === 'img' && node instanceof Element) {
    const alt = node.getAttribute('alt') ?? '';
    const src = node.getAttribute('src') ?? '';
    node.before(node.ownerDocument.createTextNode(`[image${alt ? `: ${alt}` : ''}${src ? ` (${src})` : ''}]`));
  }
});

purify.addHook('afterSanitizeAttributes', (node) => {
  if (!(node instanceof Element)) {
    return;
  }
  const classes = node.getAttribute('class');
  if (classes !== null) {
    const kept = classes.split(/\s+/).filter((name) => SAFE_CLASS.test(name));
    if (kept.length > 0) {
      node.setAttribute('class', kept.join(' '));
    } else {
      node.removeAttribute('class');
    }
  }
  if (node.tagName === 'A') {
    const href = node.getAttribute('href');
    if (href === null || !SAFE_URL.test(href)) {
      node.removeAttribute('href');
      return;
    }
    // The panel never navigates (clicks go to the host, which asks first); the title shows where a link leads.
    node.setAttribute('title', href);
  }
});

const CONFIG = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOWED_URI_REGEXP: SAFE_URL,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  ALLOW_SELF_CLOSE_IN_ATTR: false,
  SAFE_FOR_TEMPLATES: false,
  WHOLE_DOCUMENT: false,
  FORBID_TAGS: ['style', 'script', 'iframe', 'frame', 'object', 'embed', 'form', 'input', 'button', 'textarea', 'select', 'svg', 'math', 'img', 'picture', 'source', 'video', 'audio', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'src', 'srcset', 'action', 'formaction', 'srcdoc', 'xlink:href'],
  RETURN_DOM_FRAGMENT: true as const,
};

/** Sanitized nodes for `html`, ready to append; never assigned through innerHTML of a live element. */
export function sanitizeToFragment(html: string): DocumentFragment {
  return purify.sanitize(html, CONFIG);
}
