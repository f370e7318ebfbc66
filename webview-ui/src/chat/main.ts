import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { ChatEvent, ChatRequests, ChatSnapshot } from '../../../src/protocol/chat';
import { RpcClient, RpcRequestError } from '../shared/rpcClient';
import { vscodeApi } from '../shared/vscodeApi';
import { installActions, type Request } from './actions';
import { buildLayout } from './layout';
import { parseEvent, parseSnapshot } from './guards';
import { loadPanelState, savePanelState } from './panelState';
import { ChatStore } from './store';
import { Announcer } from './announcer';
import { Composer } from './composer';
import { Transcript } from './transcript';
import { HistoryLoader } from './historyLoader';
import { installKeyboard } from './keyboard';
import { rateLimited } from './problemReporter';
import { PendingDock } from './pendingDock';
import { ToolUiState } from './toolUi';
import { RunHeader } from './runHeader';
import { parseRunEvent } from './runHeaderGuards';
import '../shared/fullPanel.css';
import '../shared/actionButton.css';
import './chat.css';
import './messages.css';
import './code.css';
import './toolSteps.css';
import './pending.css';
import './runHeader.css';

/**
 * The chat panel: mirrors the host's session (snapshot on `ready`, then events), renders the shown branch and
 * sends what the user does as requests. Everything from the host is validated first (guards.ts); a bad event is
 * dropped and reported to the AI Studio log, and the panel carries on.
 */

const api = vscodeApi();
const store = new ChatStore();
const layout = buildLayout(document.getElementById('app')!);
/** Filled once every part exists: the list may render (and report its layout) while it is being constructed. */
const parts: { transcript?: Transcript; history?: HistoryLoader } = {};
const refreshLayout = () => layout.update(store, parts.transcript);

const client = new RpcClient<ChatRequests, ChatEvent, ChatSnapshot>(api, {
  onSnapshot: (raw: unknown) =>
    guarded('snapshot', () => {
      const snapshot = parseSnapshot(raw);
      if (!snapshot) {
        reportProblem('chat panel: ignored a snapshot that does not match the protocol');
        return;
      }
      store.applySnapshot(snapshot);
    }),
  onEvent: (raw: unknown) =>
    guarded('event', () => {
      const run = parseRunEvent(raw);
      if (run.kind !== 'other') {
        // The run header is the panel's own, not the conversation's: it does not go through the store.
        if (run.kind === 'invalid') {
          reportProblem('chat panel: ignored a run header that does not match the protocol');
        } else {
          runHeader.show(run.run);
        }
        return;
      }
      const event = parseEvent(raw);
      if (!event) {
        reportProblem(`chat panel: ignored an event that does not match the protocol (${describe(raw)})`);
        return;
      }
      if (store.applyEvent(event).gap) {
        // Streamed text was missed (the panel was hidden or reloaded meanwhile): ask for the whole state again.
        resync();
      }
    }),
});

const request: Request = (method, params) => client.request(method, params);
const reportProblem = rateLimited((message) => client.reportProblem(message));

function showError(what: string, error: unknown): void {
  const message = error instanceof RpcRequestError || error instanceof Error ? error.message : String(error);
  composer.showStatus(`${what}: ${message}`, 'error');
}

const toolUi = new ToolUiState();
const transcript = new Transcript(store, layout.feed, layout.sizer, {
  toolUi,
  submitEdit: (messageId, text) =>
    request('chat/edit', { messageId, text: text.slice(0, 200_000) }).then(
      () => true,
      (error: unknown) => {
        showError('Could not send the edit', error);
        return false;
      },
    ),
  onLayout: () => {
    refreshLayout();
    parts.history?.check();
  },
});
parts.transcript = transcript;
parts.history = new HistoryLoader({
  store,
  history: (params) => request('chat/history', params),
  revealTarget: () => transcript.revealTarget,
  nearTop: () => transcript.nearTop(),
  onBusy: (busy) => layout.setHistoryLoading(busy),
  onError: (error) => showError('Could not load earlier messages', error),
});
layout.feed.addEventListener('scroll', () => parts.history?.onScroll(), { passive: true });

const state = loadPanelState(api);
const composer = new Composer(
  store,
  {
    send: (text) =>
      request('chat/send', { text, parentId: store.leafId }).then(
        () => true,
        (error: unknown) => {
          showError('Could not send', error);
          return false;
        },
      ),
    stop: () => stop(),
    setAgent: (agentId, model) => void request('chat/setAgent', { agentId, model }).catch((error: unknown) => showError('Could not change the agent', error)),
    draftChanged: (draft) => {
      state.draft = draft;
      savePanelState(api, state);
    },
  },
  state.draft,
);
layout.mountComposer(composer, (text) => composer.fill(text));
layout.onInspectSession(() => void request('chat/inspect', { messageId: null }).catch((error: unknown) => showError('Could not open the Inspector', error)));

function stop(): void {
  if (store.isStreaming) {
    request('chat/stop', {}).catch((error: unknown) => showError('Could not stop the reply', error));
  }
}

const announcer = new Announcer(store, layout.announcer);
// Between the panel's title and the conversation; hidden until the host says the session is a run's.
const runHeader = new RunHeader({ request, announce: (text) => announcer.say(text), showError });
layout.feed.parentElement?.before(runHeader.element);
installActions(layout.feed, {
  store,
  transcript,
  request,
  showError,
  showInfo: (message) => composer.showStatus(message),
  tools: { store, request, ui: toolUi, refresh: (id) => transcript.refresh(id), announce: (text) => announcer.say(text), showError },
});
installKeyboard({ store, transcript, feed: layout.feed, stop });
new PendingDock({
  store,
  element: layout.pending,
  decide: (pendingId, decision, reason) => request('chat/decide', reason === undefined ? { pendingId, decision } : { pendingId, decision, reason }),
  announce: (text) => announcer.say(text),
  fallbackFocus: () => composer.input.focus(),
  resizing: (change) => {
    const atEnd = transcript.list.isAtEnd();
    change();
    if (atEnd) {
      // The conversation just got shorter (or taller) by a card; the newest message stays in view above it.
      transcript.keepEndThroughResize();
    }
  },
});
store.subscribe((change) => {
  announcer.onChange(change);
  if (store.session && store.session.id !== state.sessionId) {
    state.sessionId = store.session.id;
    savePanelState(api, state);
  }
  if (change.kind === 'reset') {
    // A fresh state from the host: a page that failed before may load now.
    parts.history?.retry();
  }
  // The hot paths (a token, a line of command output) touch one element and nothing else.
  if (change.kind !== 'delta' && change.kind !== 'toolOutput') {
    composer.update();
    refreshLayout();
  }
});

let lastResync = 0;
function resync(): void {
  const now = performance.now();
  if (now - lastResync > 2000) {
    lastResync = now;
    client.requestSnapshot();
  }
}

function guarded(what: string, action: () => void): void {
  try {
    action();
  } catch (error) {
    reportProblem(`chat panel: failed to apply a host ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

function describe(raw: unknown): string {
  const method = typeof raw === 'object' && raw !== null && 'method' in raw ? raw.method : undefined;
  return typeof method === 'string' ? `method ${method.slice(0, 60)}` : typeof raw;
}

composer.update();
refreshLayout();
client.start();
