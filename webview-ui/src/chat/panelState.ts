import type { VsCodeApi } from '../shared/vscodeApi';

/**
 * What the panel keeps in VS Code's webview state, which survives the panel being hidden or the window reloaded:
 * the unsent draft, and which session this is, so the host's serializer can restore the panel after a reload.
 * Everything else comes from the host's snapshot (the store is the truth).
 */

export interface PanelState {
  draft: string;
  sessionId?: string;
}

export function loadPanelState(api: VsCodeApi): PanelState {
  const state: unknown = api.getState();
  const record = typeof state === 'object' && state !== null ? (state as Record<string, unknown>) : {};
  const draft = typeof record['draft'] === 'string' ? record['draft'] : '';
  const sessionId = typeof record['sessionId'] === 'string' ? record['sessionId'] : undefined;
  return sessionId === undefined ? { draft } : { draft, sessionId };
}

let timer: number | undefined;

/** Saved shortly after typing pauses: setState serializes and posts to the host, too much for every key. */
export function savePanelState(api: VsCodeApi, state: PanelState): void {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => api.setState(state), 300);
}
