import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { CheckResult, OverviewEvent, OverviewRequests, OverviewSnapshot } from '../../../src/protocol/overview';
import { h } from '../shared/dom';
import { RpcClient } from '../shared/rpcClient';
import { vscodeApi } from '../shared/vscodeApi';
import './overview.css';

/** The Overview panel: build facts from the host's snapshot, and a self-check that round-trips a request. */

const app = document.getElementById('app')!;
const results = h('ul', { id: 'check-results', class: 'checks', 'aria-label': 'Self-check results' });
const status = h('p', { id: 'check-status', role: 'status', 'aria-live': 'polite' });
const runButton = h('vscode-button', { id: 'run-self-check', icon: 'pass' }, 'Run self-check');

const client = new RpcClient<OverviewRequests, OverviewEvent, OverviewSnapshot>(vscodeApi(), {
  onSnapshot: render,
  onEvent: (event) => {
    if (event.method === 'overview/checkFinished') {
      showResult(event.params);
    }
  },
});

function render(snapshot: OverviewSnapshot): void {
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Version'),
    h('dd', { id: 'extension-version' }, snapshot.extensionVersion),
    h('dt', {}, 'VS Code'),
    h('dd', {}, snapshot.vscodeVersion),
    h('dt', {}, 'Activation'),
    h('dd', { id: 'activation-ms' }, snapshot.activationMs >= 0 ? `${snapshot.activationMs} ms` : 'in progress'),
    h('dt', {}, 'Data folder'),
    h('dd', { class: 'path' }, snapshot.storagePath),
  );
  const showLog = h('vscode-button', { id: 'show-log', secondary: '', icon: 'output' }, 'Show Log');
  const settings = h('vscode-button', { id: 'open-settings', secondary: '', icon: 'settings-gear' }, 'Open Settings');
  showLog.addEventListener('click', () => void client.request('overview/showLog', {}).catch(showError));
  settings.addEventListener('click', () => void client.request('overview/openSettings', {}).catch(showError));

  app.replaceChildren(
    h('header', {}, h('h1', {}, 'AI Studio'), h('p', { class: 'tagline' }, 'Build, run and inspect LLM agents without leaving the editor.')),
    facts,
    h('vscode-divider', {}),
    h('section', { 'aria-labelledby': 'self-check-title' },
      h('h2', { id: 'self-check-title' }, 'Self-check'),
      h('p', {}, 'Checks the services AI Studio keeps your data in: the history store, the database engine, the data folder and secret storage.'),
      h('div', { class: 'actions' }, runButton, showLog, settings),
      status,
      results,
    ),
  );
  app.setAttribute('aria-busy', 'false');
}

function showResult(result: CheckResult): void {
  const existing = results.querySelector(`[data-check="${CSS.escape(result.id)}"]`);
  const item = h(
    'li',
    { 'data-check': result.id, class: result.ok ? 'ok' : 'failed' },
    h('vscode-icon', { name: result.ok ? 'pass-filled' : 'error', label: result.ok ? 'Passed' : 'Failed' }),
    h('span', { class: 'label' }, result.label),
    h('span', { class: 'detail' }, result.detail),
  );
  if (existing) {
    existing.replaceWith(item);
  } else {
    results.append(item);
  }
}

function showError(error: unknown): void {
  status.textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
}

runButton.addEventListener('click', () => {
  runButton.setAttribute('disabled', '');
  results.replaceChildren();
  status.textContent = 'Running…';
  client
    .request('overview/runSelfCheck', {})
    .then((all) => {
      all.forEach(showResult);
      const failed = all.filter((result) => !result.ok).length;
      status.textContent = failed === 0 ? `All ${all.length} checks passed.` : `${failed} of ${all.length} checks failed.`;
    })
    .catch(showError)
    .finally(() => runButton.removeAttribute('disabled'));
});

client.start();
