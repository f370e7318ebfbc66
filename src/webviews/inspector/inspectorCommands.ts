import type { Logger } from '../../core/ports';
import type { ImportedTrace } from '../../core/inspector/source';
import { createDispatcher } from '../../protocol/dispatcher';
import { inspectorRequests, type InspectorSnapshot } from '../../protocol/inspector';
import { resolveSession } from '../../commands/sessionPicker';
import { InspectorPanel, openInspector, type InspectorServices } from './inspectorPanel';

/**
 * `AI Studio: Open Inspector`: on the session of its first argument (an id, a Sessions view row, `{ sessionId }`,
 * optionally with `eventId` or `messageId` to focus), on an imported trace (`{ imported: { title, events } }`), or
 * on a session the person picks. A second string argument is the event (or message) to focus.
 */

export interface InspectorCommandHandlers {
  openInspector(arg?: unknown, focus?: unknown): Promise<InspectorPanel | undefined>;
}

export function inspectorCommands(services: InspectorServices): InspectorCommandHandlers {
  return {
    async openInspector(arg, focusArg) {
      const focus = typeof focusArg === 'string' ? focusArg : focusOf(arg);
      const imported = importedOf(arg);
      if (imported) {
        return openInspector(services, { imported }, focus);
      }
      const session = await resolveSession(services.source, arg, { title: 'AI Studio: Open Inspector', placeHolder: 'Which session should the Inspector show?' });
      return session ? openInspector(services, { sessionId: session.id }, focus) : undefined;
    },
  };
}

function focusOf(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null) {
    return undefined;
  }
  const value = arg as { eventId?: unknown; messageId?: unknown };
  return typeof value.eventId === 'string' ? value.eventId : typeof value.messageId === 'string' ? value.messageId : undefined;
}

function importedOf(arg: unknown): ImportedTrace | undefined {
  if (typeof arg !== 'object' || arg === null || !('imported' in arg)) {
    return undefined;
  }
  const imported = arg.imported;
  if (typeof imported !== 'object' || imported === null) {
    throw new Error('The trace to inspect is malformed.');
  }
  const { title, events } = imported as { title?: unknown; events?: unknown };
  if (typeof title !== 'string' || !Array.isArray(events)) {
    throw new Error('The trace to inspect is malformed: it needs a title and a list of events.');
  }
  return { title, events: events as ImportedTrace['events'] };
}

/** Test hooks: the open panels, and their requests answered exactly as their webviews' are (validated first). */
export interface InspectorTestApi {
  /** Keys of the open Inspector panels: `session:<id>` or `imported:<n>`. */
  openPanels(): string[];
  request(key: string, method: string, params: unknown): Promise<unknown>;
  snapshot(key: string): InspectorSnapshot;
}

export function inspectorTestApi(log: Logger): InspectorTestApi {
  let nextId = 1;
  const find = (key: string) => {
    const panel = InspectorPanel.byKey(key);
    if (!panel) {
      throw new Error(`No Inspector panel is open for ${key}`);
    }
    return panel;
  };
  return {
    openPanels: () => InspectorPanel.openKeys(),
    request: async (key, method, params) => {
      const dispatch = createDispatcher('Inspector (test)', inspectorRequests, find(key).controller.handlers, { error: (m) => log.error(m), trace: () => undefined });
      const outcome = await dispatch({ kind: 'request', id: nextId++, method, params });
      if (outcome.kind !== 'reply') {
        throw new Error(`The request was ${outcome.kind}`);
      }
      if (outcome.message.kind === 'error') {
        throw new Error(`${outcome.message.error.code}: ${outcome.message.error.message}`);
      }
      return outcome.message.kind === 'response' ? outcome.message.result : undefined;
    },
    snapshot: (key) => find(key).controller.snapshot(),
  };
}
