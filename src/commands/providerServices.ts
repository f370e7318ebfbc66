import type { PriceOverride } from '../llm/pricing';
import type * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import type { EndpointConfig } from '../llm/endpoints';
import type { ProviderAdapter } from '../llm/types';
import type { AnswerDocuments } from '../vscode/answerDocuments';
import type { ProviderStatus } from '../vscode/providerStatus';

/** What the provider commands and Ask need, handed in by the composition root. */
export interface ProviderServices {
  status: ProviderStatus;
  log: Logger;
  showLog(): void;
  /** `createAdapter` from src/llm; a seam, so nothing here imports an SDK directly. */
  createAdapter(config: EndpointConfig, apiKey: string | undefined): ProviderAdapter;
  answers: AnswerDocuments;
  /** Where Ask remembers the last endpoint and model (globalState: not secret). */
  memento: vscode.Memento;
  /** The user's `aiStudio.prices` entries, for the cost of a call. */
  priceOverrides(): PriceOverride[];
}
