import type { VsCodeApi } from '../shared/vscodeApi';
import type { Scale } from './rowView';

/**
 * What the panel keeps in VS Code's webview state, which survives the panel being hidden or the window reloaded:
 * which session it shows (so the host's serializer can restore it after a reload) and the bars' scale. The
 * filter is the host's to remember; everything else comes from the host's snapshot.
 */

export interface PanelState {
  sessionId?: string;
  scale?: Scale;
}

export function loadPanelState(api: VsCodeApi): PanelState {
  const state: unknown = api.getState();
  const record = typeof state === 'object' && state !== null ? (state as Record<string, unknown>) : {};
  const result: PanelState = {};
  if (typeof record['sessionId'] === 'string') {
    result.sessionId = record['sessionId'];
  }
  if (record['scale'] === 'turn' || record['scale'] === 'session') {
    result.scale = record['scale'];
  }
  return result;
}

export function savePanelState(api: VsCodeApi, state: PanelState): void {
  api.setState({ ...state });
}
