import * as vscode from 'vscode';
import { buildAskRequest, formatDuration, renderAnswerMarkdown, type AnswerView, type SelectionContext } from '../core/ask';
import type { EndpointEntry } from '../core/providerConfig';
import { costOf, resolvePrice } from '../llm/pricing';
import { collectAnswer, type AnswerStatus, type CollectedAnswer } from '../llm/collect';
import { streamChat } from '../llm/streamChat';
import type { Chunk } from '../llm/types';
import { failureOf, showProviderFailure } from './providerFixes';
import type { ProviderServices } from './providerServices';

/**
 * Streams one Ask answer into a read-only Markdown document beside the editor, under a cancellable notification.
 * The document always tells the truth about the answer: streaming, complete, stopped, incomplete or failed, with
 * the model, tokens and timings at the bottom. Only sizes and outcomes are logged: never the key, and not the
 * question or the answer either, which are the person's own.
 */

export interface AskOutcome {
  uri: string;
  status: AnswerStatus;
  text: string;
  errorKind?: string;
}

export interface AskParams {
  entry: EndpointEntry;
  key: string | undefined;
  model: string;
  question: string;
  selection?: SelectionContext;
}

export async function streamAnswer(services: ProviderServices, params: AskParams): Promise<AskOutcome> {
  const { entry, key, model, question, selection } = params;
  const config = entry.config!;
  const secrets = key ? [key] : [];
  const view: AnswerView = { question, endpointLabel: entry.label, model, state: 'waiting', text: '', ...(selection ? { selection } : {}) };
  const uri = services.answers.create(model, renderAnswerMarkdown(view));
  // Beside the code the question is about; with no editor open, in the editor area itself, not next to nothing.
  const viewColumn = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
  // The request starts while the editor opens (which can take a second in a busy window); the document already
  // holds whatever arrived by the time it shows.
  const shown = Promise.resolve(vscode.window.showTextDocument(uri, { viewColumn, preview: false, preserveFocus: true })).catch((err: unknown) =>
    services.log.warn(`Could not show the answer document: ${err instanceof Error ? err.message : String(err)}`),
  );

  services.log.info(
    `Ask ${entry.label} (${entry.id}), model ${model}: question of ${question.length} characters` +
      (selection ? `, with ${selection.text.length} characters of ${selection.fileName} as context` : ''),
  );
  const request = buildAskRequest({ model, question, ...(selection ? { selection } : {}) });

  const answer = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Asking ${model}…`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      try {
        const stream = (async function* (): AsyncGenerator<Chunk> {
          // Built inside the stream, so an adapter that cannot be created fails like any request: in the document.
          const adapter = services.createAdapter(config, key);
          yield* streamChat(adapter, request, {
            signal: controller.signal,
            watchdogs: config.watchdogs,
            retry: {
              onRetry: ({ delayMs, error }) => {
                view.note = `${failureOf(error, secrets).message} Trying again in ${formatDuration(delayMs)}.`;
                progress.report({ message: `trying again in ${formatDuration(delayMs)}` });
                services.answers.update(uri, () => renderAnswerMarkdown(view));
              },
            },
          });
        })();
        return await collectAnswer(stream, (chunk) => onChunk(chunk, view, progress));
      } finally {
        cancel.dispose();
      }
    },
  );
  function onChunk(chunk: Chunk, current: AnswerView, progress: vscode.Progress<{ message?: string }>): void {
    if (chunk.type === 'text') {
      if (current.state === 'waiting') {
        progress.report({ message: 'answering…' });
      }
      current.state = 'streaming';
      current.note = undefined;
      current.text += chunk.text;
      services.answers.update(uri, () => renderAnswerMarkdown(current));
    } else if (chunk.type === 'reasoning' && current.state === 'waiting') {
      progress.report({ message: 'thinking…' });
    } else if (chunk.type === 'usage') {
      current.usage = chunk.usage;
    }
  }

  await shown;
  finishView(view, answer, secrets);
  if (answer.usage) {
    view.costUsd = costOf(answer.usage, resolvePrice(config, model, services.priceOverrides())?.price) ?? null;
  }
  services.answers.finish(uri, renderAnswerMarkdown(view));
  report(services, entry, model, answer, view);
  return { uri: uri.toString(), status: answer.status, text: answer.text, ...(view.error ? { errorKind: view.error.kind } : {}) };
}

function finishView(view: AnswerView, answer: CollectedAnswer, secrets: string[]): void {
  view.state = answer.status;
  view.text = answer.text;
  view.note = undefined;
  view.totalMs = answer.totalMs;
  if (answer.usage) {
    view.usage = answer.usage;
  }
  if (answer.timeToFirstChunkMs !== undefined) {
    view.timeToFirstChunkMs = answer.timeToFirstChunkMs;
  }
  if (answer.error) {
    view.error = failureOf(answer.error, secrets);
  }
}

function report(services: ProviderServices, entry: EndpointEntry, model: string, answer: CollectedAnswer, view: AnswerView): void {
  const timing = `first token ${view.timeToFirstChunkMs === undefined ? 'never' : formatDuration(view.timeToFirstChunkMs)}, total ${formatDuration(answer.totalMs)}`;
  const tokens = answer.usage ? `${answer.usage.inputTokens} tokens in / ${answer.usage.outputTokens} out, ` : '';
  const outcome = `Ask ${entry.label} (${entry.id}), model ${model}: ${answer.status}, ${answer.text.length} characters, ${tokens}${timing}`;
  if (!view.error) {
    services.log.info(outcome);
    return;
  }
  services.log.warn(`${outcome}: ${view.error.kind}: ${view.error.message}`);
  if (view.error.kind !== 'cancelled') {
    const stillShown = answer.status === 'incomplete' ? ' The part that arrived is in the answer document, marked incomplete.' : '';
    void showProviderFailure(services, entry, { kind: view.error.kind, message: `${view.error.message}${stillShown}` });
  }
}
