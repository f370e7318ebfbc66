import type { VsCodeApi } from '../shared/vscodeApi';

/**
 * What the panel keeps in VS Code's webview state, which survives the panel being hidden or the window reloaded:
 * only the unsent draft. Everything else comes from the host's snapshot (the store is the truth).
 */

export interface PanelState {
  draft: string;
}

export function loadPanelState(api: VsCodeApi): PanelState {
  const state: unknown = api.getState();
  const draft = typeof state === 'object' && state !== null && 'draft' in state ? state.draft : '';
  return { draft: typeof draft === 'string' ? draft : '' };
}

let timer: number | undefined;

/** Saved shortly after typing pauses: setState serializes and posts to the host, too much for every key. */
export function savePanelState(api: VsCodeApi, state: PanelState): void {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => api.setState(state), 300);
}
