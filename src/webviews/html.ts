import { randomBytes } from 'node:crypto';

/**
 * The HTML shell of every AI Studio panel. Pure (no vscode import) so its security properties are unit-tested:
 * nothing runs without the nonce, nothing loads from outside the extension's own files, and no remote image can
 * be fetched, so model output can never call home through an `<img>`.
 */

export interface PanelHtmlOptions {
  title: string;
  /** `webview.cspSource`: the origin of the extension's local resources as the webview sees them. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: readonly string[];
  /** Loaded with the id that @vscode-elements' `<vscode-icon>` looks for. */
  codiconsUri: string;
}

export function createNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function renderPanelHtml(options: PanelHtmlOptions): string {
  const styles = options.styleUris.map((uri) => `<link rel="stylesheet" href="${escapeAttribute(uri)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(options.cspSource, options.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeText(options.title)}</title>
    <link rel="stylesheet" id="vscode-codicon-stylesheet" href="${escapeAttribute(options.codiconsUri)}">
    ${styles}
  </head>
  <body>
    <main id="app" aria-busy="true"></main>
    <script nonce="${escapeAttribute(options.nonce)}" src="${escapeAttribute(options.scriptUri)}"></script>
  </body>
</html>`;
}

function escapeAttribute(value: string): string {
  return escapeText(value).replaceAll('"', '&quot;');
}

function escapeText(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
