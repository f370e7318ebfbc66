// Loopback servers for the chat webview harness: one serves the harness page and the built webview bundle (its
// origin plays the part of `webview.cspSource`), the other only counts requests, to catch exfiltration.
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// CHAT_WEBVIEW_DIST points the harness at another build of the webviews (e.g. a deliberately broken one, to check
// that these tests catch the break); by default, the build `npm run build` wrote.
const webviewDist = path.resolve(process.env.CHAT_WEBVIEW_DIST ?? path.join(repoRoot, 'dist', 'webview'));
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };
// A 1x1 transparent GIF, so a request that does get through looks like a working image.
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * The panel HTML exactly as the extension renders it: src/webviews/html.ts compiled on the fly, so the harness
 * runs under the same CSP the host sets, and a change to that CSP is tested here too.
 */
export async function loadPanelHtml() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ais-panel-harness-'));
  try {
    const result = await esbuild.build({
      entryPoints: [path.join(repoRoot, 'src/webviews/html.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const file = path.join(dir, 'html.mjs');
    await writeFile(file, result.outputFiles[0].text);
    return await import(pathToFileURL(file).href);
  } finally {
    // esbuild's service process kept mocha from exiting after the last test once in CI: stop it; a later build
    // starts a new one.
    await esbuild.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

/** Counts every request it gets; `hits` lists the paths, in order. */
export async function startCountingServer() {
  const hits = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url);
    res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
    res.end(GIF);
  });
  const origin = await listen(server);
  return { origin, hits, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * Serves `/` (the panel HTML for the `chat` bundle; `/?csp=off` without its CSP meta, to test the sanitizer
 * alone) and `/webview/*` from dist/webview. Any other path is counted in `strayHits`: nothing but the bundle,
 * its stylesheets and fonts should ever be requested from this origin.
 */
export async function startHarnessServer() {
  const { renderPanelHtml, createNonce } = await loadPanelHtml();
  const strayHits = [];
  let origin = '';
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, origin);
    if (url.pathname === '/') {
      let html = renderPanelHtml({
        title: 'Chat harness',
        cspSource: origin,
        nonce: createNonce(),
        scriptUri: `${origin}/webview/chat.js`,
        styleUris: [`${origin}/webview/chat.css`],
        codiconsUri: `${origin}/webview/codicons/codicon.css`,
      });
      if (url.searchParams.get('csp') === 'off') {
        html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    const file = path.normalize(path.join(webviewDist, decodeURIComponent(url.pathname.replace(/^\/webview\//, ''))));
    if (url.pathname.startsWith('/webview/') && file.startsWith(webviewDist + path.sep)) {
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
        res.end(body);
        return;
      } catch {
        // Falls through to 404.
      }
    }
    strayHits.push(req.url);
    res.writeHead(404, { 'content-type': 'image/gif' });
    res.end(GIF);
  });
  origin = await listen(server);
  return { origin, strayHits, close: () => new Promise((resolve) => server.close(resolve)) };
}
