import * as vscode from 'vscode';
import type { EndpointEntry } from '../core/providerConfig';
import type { ProviderRow } from '../views/providersModel';
import type { ProviderServices } from './providerServices';

/**
 * Which endpoint a provider command acts on: the one it was handed (an id from automation or a test, a row from
 * the Providers view's inline actions), or the one the person picks from a list that shows each endpoint's
 * state, so the choice is informed ("no key", "✗ key rejected").
 */

/** The endpoint id in a command argument: an id string, a Providers view row, or `{ endpointId }`. */
export function endpointIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') {
    return arg;
  }
  if (typeof arg === 'object' && arg !== null) {
    const value = arg as { endpointId?: unknown; id?: unknown };
    if (typeof value.endpointId === 'string') {
      return value.endpointId;
    }
    if (typeof value.id === 'string') {
      return value.id;
    }
  }
  return undefined;
}

export interface PickOptions {
  title: string;
  placeHolder: string;
  /** Rows offered; all when omitted. */
  filter?: (row: ProviderRow) => boolean;
  /** Listed first, e.g. the endpoint asked last time. */
  preferred?: string;
  /** Said when the filter leaves nothing to pick. */
  emptyMessage?: string;
}

export async function chooseEndpoint(services: ProviderServices, arg: unknown, options: PickOptions): Promise<EndpointEntry | undefined> {
  const configuration = services.status.settings.current;
  const id = endpointIdOf(arg);
  if (id !== undefined) {
    const entry = configuration.entries.find((e) => e.id === id);
    if (!entry) {
      throw new Error(`There is no provider endpoint "${id}". The endpoints are: ${configuration.entries.map((e) => e.id).join(', ')}.`);
    }
    return entry;
  }
  const rows = (await services.status.rows()).filter(options.filter ?? (() => true));
  if (rows.length === 0) {
    void vscode.window.showInformationMessage(options.emptyMessage ?? 'AI Studio has no provider endpoint to choose from.');
    return undefined;
  }
  rows.sort((a, b) => Number(b.id === options.preferred) - Number(a.id === options.preferred));
  const items = rows.map((row) => ({
    label: row.label,
    description: row.id === row.label.toLowerCase() ? undefined : row.id,
    detail: row.problem ?? row.description,
    iconPath: new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined),
    id: row.id,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: options.title,
    placeHolder: options.placeHolder,
    matchOnDescription: true,
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  // Read again: the settings may have changed while the list was open.
  return picked ? services.status.settings.current.entries.find((e) => e.id === picked.id) : undefined;
}
