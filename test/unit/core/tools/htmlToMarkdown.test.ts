import * as assert from 'node:assert/strict';
import { htmlToMarkdown } from '../../../../src/core/tools/htmlToMarkdown';

const base = 'https://docs.example.com/guide/start.html';

describe('htmlToMarkdown', () => {
  it('keeps the content as Markdown and the title apart', () => {
    const { title, markdown } = htmlToMarkdown(
      '<html><head><title> Getting &amp; started </title></head><body><h1>Install</h1><p>Run <code>npm i</code>, then:</p><ul><li>one</li><li><strong>two</strong></li></ul><pre><code class="language-sh">npm start\n</code></pre></body></html>',
      base,
    );
    assert.equal(title, 'Getting & started');
    assert.equal(markdown, '# Install\n\nRun `npm i`, then:\n\n-   one\n-   **two**\n\n```sh\nnpm start\n```');
  });

  it('drops scripts, styles, frames, forms, navigation and footers', () => {
    const { markdown } = htmlToMarkdown(
      '<nav><a href="/">Home</a> menu</nav><script>steal()</script><style>p{}</style><noscript>enable js</noscript>' +
        '<iframe src="https://evil.example/"></iframe><svg><text>svg text</text></svg><form><label>Email</label><input></form>' +
        '<p>The article.</p><footer>© footer</footer>',
      base,
    );
    assert.equal(markdown, 'The article.');
  });

  it('makes links absolute against the page, or its <base>', () => {
    assert.equal(htmlToMarkdown('<a href="../api/x.html#y">API</a>', base).markdown, '[API](https://docs.example.com/api/x.html#y)');
    assert.equal(htmlToMarkdown('<a href="//cdn.example.net/a">cdn</a>', base).markdown, '[cdn](https://cdn.example.net/a)');
    assert.equal(htmlToMarkdown('<head><base href="https://other.example/v2/"></head><a href="page">p</a>', base).markdown, '[p](https://other.example/v2/page)');
  });

  it('keeps a link destination in one piece', () => {
    assert.equal(htmlToMarkdown('<a href="a b(1).html">x</a>', base).markdown, '[x](https://docs.example.com/guide/a%20b%281%29.html)');
  });

  it('keeps only the text of script, data and other-scheme links', () => {
    const { markdown } = htmlToMarkdown('<p><a href="javascript:alert(1)">click</a> <a href="data:text/html,x">data</a> <a href="mailto:a@b.c">mail</a></p>', base);
    assert.equal(markdown, 'click data [mail](mailto:a@b.c)');
  });

  it('writes images as Markdown text with absolute URLs, and drops inline data', () => {
    const { markdown } = htmlToMarkdown('<p><img src="/img/a.png" alt="A [diagram]"> <img src="data:image/png;base64,AAAA" alt="inline"></p>', base);
    assert.equal(markdown, '![A \\[diagram\\]](https://docs.example.com/img/a.png) inline');
  });

  it('has no title when the page has none', () => {
    assert.deepEqual(htmlToMarkdown('<p>x</p>', base), { markdown: 'x' });
  });

  it('still gives the text of a page nested too deeply to convert, quickly', () => {
    // 2 MB of <div>: the parser alone would take hours (its cost grows with depth squared).
    const started = Date.now();
    const deep = `${'<div>'.repeat(400_000)}deep &amp; down<script>steal()</script>`;
    assert.equal(htmlToMarkdown(deep, base).markdown, 'deep & down');
    assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
  });

  it('stays quick on a flood of unclosed scripts', () => {
    const started = Date.now();
    assert.equal(htmlToMarkdown(`<p>text</p>${'<div><script>'.repeat(200_000)}`, base).markdown, 'text');
    assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
  });
});
