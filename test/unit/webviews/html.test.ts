import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, createNonce, renderPanelHtml } from '../../../src/webviews/html';

const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

describe('panel HTML and content security policy', () => {
  const nonce = createNonce();
  const csp = directives(contentSecurityPolicy(cspSource, nonce));

  it('denies everything by default', () => {
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
  });

  it('runs only scripts that carry the nonce', () => {
    assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
  });

  it('never lets an image load from the network, so model output cannot call home', () => {
    const img = csp.get('img-src') ?? [];
    assert.deepEqual(img, [cspSource, 'data:']);
    for (const directive of csp.values()) {
      assert.ok(!directive.includes('https:') && !directive.includes('http:') && !directive.includes('*'));
    }
  });

  it('makes a fresh, unguessable nonce every time', () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    assert.equal(nonces.size, 100);
    assert.ok(nonce.length >= 24);
  });

  it('puts the nonce on its only script and links the codicons where vscode-elements looks', () => {
    const html = renderPanelHtml({
      title: 'Overview',
      cspSource,
      nonce,
      scriptUri: `${cspSource}/dist/webview/overview.js`,
      styleUris: [`${cspSource}/dist/webview/overview.css`],
      codiconsUri: `${cspSource}/dist/webview/codicons/codicon.css`,
    });
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.ok(scripts.every((script) => script.includes(`nonce="${nonce}"`)));
    assert.match(html, /<link rel="stylesheet" id="vscode-codicon-stylesheet" href="[^"]+codicon\.css">/);
  });

  it('escapes what it interpolates', () => {
    const html = renderPanelHtml({
      title: '</title><script>alert(1)</script>',
      cspSource,
      nonce,
      scriptUri: 'x.js" onload="alert(1)',
      styleUris: [],
      codiconsUri: 'c.css',
    });
    assert.ok(!html.includes('<script>alert(1)'));
    assert.ok(!html.includes('" onload="'));
  });
});
