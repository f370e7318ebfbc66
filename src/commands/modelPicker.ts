import * as vscode from 'vscode';
import type { EndpointEntry } from '../core/providerConfig';
import { failureOf } from './providerFixes';
import type { ProviderServices } from './providerServices';

/**
 * Picks a model for an endpoint that has no default: the models the endpoint lists (loaded while the picker is
 * already open), the last one used on top, and whatever the person types accepted as a model name too, since a
 * listing is often partial (fine-tunes, Azure deployments, models a local server loads on demand).
 */

interface ModelItem extends vscode.QuickPickItem {
  model: string;
}

const LIST_TIMEOUT_MS = 30_000;

export function pickModel(services: ProviderServices, entry: EndpointEntry, key: string | undefined, lastModel: string | undefined): Promise<string | undefined> {
  const picker = vscode.window.createQuickPick<ModelItem>();
  picker.title = `AI Studio: Ask ${entry.label}: which model?`;
  picker.placeholder = 'Loading the models… (or type a model name)';
  picker.ignoreFocusOut = true;
  picker.matchOnDescription = true;
  picker.busy = true;
  let listed: ModelItem[] = lastModel ? [{ label: lastModel, description: 'last used', model: lastModel }] : [];
  const typed = (): ModelItem[] => {
    const value = picker.value.trim();
    return value && !listed.some((item) => item.model === value) ? [{ label: value, description: 'use this model name', alwaysShow: true, model: value }] : [];
  };
  const refresh = () => {
    picker.items = [...typed(), ...listed];
  };
  refresh();

  const controller = new AbortController();
  const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(LIST_TIMEOUT_MS)]);
  const secrets = key ? [key] : [];
  void Promise.resolve()
    .then(() => services.createAdapter(entry.config!, key).listModels(signal))
    .then(
      (models) => {
        const others = models.filter((m) => m.id !== lastModel).map((m): ModelItem => ({ label: m.label ?? m.id, description: m.label ? m.id : undefined, model: m.id }));
        listed = [...listed, ...others];
        picker.placeholder = models.length > 0 ? 'Pick a model, or type any model name' : `${entry.label} listed no models: type a model name`;
      },
      (err: unknown) => {
        const failure = failureOf(err, secrets);
        services.log.warn(`Listing the models of ${entry.label} (${entry.id}) failed (${failure.kind}): ${failure.message}`);
        picker.placeholder = `Could not list the models (${failure.message}); type a model name`;
      },
    )
    .finally(() => {
      picker.busy = false;
      refresh();
    });

  return new Promise<string | undefined>((resolve) => {
    picker.onDidChangeValue(refresh);
    picker.onDidAccept(() => {
      const chosen = picker.selectedItems[0]?.model ?? (picker.value.trim() || undefined);
      if (chosen) {
        resolve(chosen);
        picker.hide();
      }
    });
    picker.onDidHide(() => {
      controller.abort();
      resolve(undefined);
      picker.dispose();
    });
    picker.show();
  });
}
