import type { EndpointEntry } from '../core/providerConfig';
import { requiresKey } from '../llm/endpoints';
import type { TreeRow } from './treeRow';

/**
 * What the Providers view shows for each endpoint, computed without VS Code so the wording can be tested: one
 * line of status ("key set · ✓ 142 ms"), an icon, a tooltip with the details, and the flags the inline actions'
 * `when` clauses read. The tree provider only turns these rows into TreeItems.
 */

export interface ConnectionTestRecord {
  ok: boolean;
  /** Epoch ms. */
  at: number;
  latencyMs?: number;
  /** What the test proved, or the (redacted) error message. */
  detail: string;
  /** The ProviderError kind of a failure. */
  kind?: string;
  /** The address that was tested: after the settings point elsewhere, the result no longer applies. */
  address?: string;
}

export type KeyStatus = 'set' | 'unset' | 'unavailable';

export interface ProviderRow extends TreeRow {
  /** Configured, and holding a key when it needs one: Ask can use it now. */
  usable: boolean;
  keyStatus: KeyStatus;
  lastTest?: ConnectionTestRecord;
  problem?: string;
}

export interface RowInputs {
  entry: EndpointEntry;
  keyStatus: KeyStatus;
  lastTest?: ConnectionTestRecord;
  isDefault: boolean;
  formatTime: (epochMs: number) => string;
}

export function buildProviderRow({ entry, keyStatus, lastTest, isDefault, formatTime }: RowInputs): ProviderRow {
  const needsKey = requiresKey(entry.kind);
  const test = lastTest && lastTest.address === entry.address && entry.config ? lastTest : undefined;
  const parts: string[] = [];
  if (isDefault) {
    parts.push('default');
  }
  if (entry.problem) {
    parts.push(entry.unset ? 'not configured' : 'needs attention');
  } else {
    parts.push(keyPhrase(keyStatus, needsKey));
    if (test) {
      parts.push(test.ok ? `✓ ${test.latencyMs ?? '?'} ms` : `✗ ${failurePhrase(test.kind)}`);
    }
  }
  const usable = entry.config !== undefined && (keyStatus === 'set' || !needsKey);
  const flags = ['provider', entry.config ? 'configured' : undefined, keyStatus === 'set' ? 'hasKey' : undefined, isDefault ? 'default' : undefined];
  const row: ProviderRow = {
    id: entry.id,
    label: entry.label,
    description: parts.join(' · '),
    tooltip: tooltip(entry, keyStatus, needsKey, test, formatTime),
    icon: iconFor(entry, keyStatus, needsKey, test),
    contextValue: flags.filter((f) => f !== undefined).join(' '),
    accessibilityLabel: `${entry.label}, ${parts.join(', ').replace('✓', 'last test passed in').replace('✗', 'last test failed:')}`,
    usable,
    keyStatus,
  };
  if (test) {
    row.lastTest = test;
  }
  if (entry.problem) {
    row.problem = entry.problem;
  }
  return row;
}

function keyPhrase(status: KeyStatus, needsKey: boolean): string {
  switch (status) {
    case 'set':
      return 'key set';
    case 'unavailable':
      return 'secret storage unavailable';
    case 'unset':
      return needsKey ? 'no key' : 'no key (optional)';
  }
}

/** A failed test in two or three words, for the row; the tooltip and the notification have the whole message. */
export function failurePhrase(kind: string | undefined): string {
  switch (kind) {
    case 'auth':
      return 'key rejected';
    case 'rate_limit':
      return 'rate limited';
    case 'overloaded':
      return 'overloaded';
    case 'network':
      return 'unreachable';
    case 'timeout':
      return 'timed out';
    case 'bad_request':
      return 'request refused';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'failed';
  }
}

function iconFor(entry: EndpointEntry, keyStatus: KeyStatus, needsKey: boolean, test: ConnectionTestRecord | undefined): ProviderRow['icon'] {
  if (entry.problem) {
    return entry.unset ? { id: 'circle-large-outline' } : { id: 'warning', color: 'problemsWarningIcon.foreground' };
  }
  if (keyStatus === 'unavailable') {
    return { id: 'warning', color: 'problemsWarningIcon.foreground' };
  }
  if (test) {
    return test.ok ? { id: 'pass', color: 'testing.iconPassed' } : { id: 'error', color: 'testing.iconFailed' };
  }
  return keyStatus === 'unset' && needsKey ? { id: 'key' } : { id: 'circle-large-outline' };
}

function tooltip(
  entry: EndpointEntry,
  keyStatus: KeyStatus,
  needsKey: boolean,
  test: ConnectionTestRecord | undefined,
  formatTime: (epochMs: number) => string,
): string {
  const lines = [`**${escapeMarkdown(entry.label)}** · \`${entry.id}\``, ''];
  if (entry.problem) {
    lines.push(`$(warning) ${escapeMarkdown(entry.problem)}`, '');
  }
  lines.push(`Endpoint: ${entry.address ? escapeMarkdown(entry.address) : "the provider's default"}`);
  const model = entry.config?.defaultModel;
  lines.push(`Default model: ${model ? escapeMarkdown(model) : 'none (Ask offers the models the endpoint lists)'}`);
  const key =
    keyStatus === 'set'
      ? "set, in VS Code's secret storage"
      : keyStatus === 'unavailable'
        ? "unknown: VS Code's secret storage is not available"
        : needsKey
          ? 'not set'
          : 'not set (this endpoint may not need one)';
  lines.push(`API key: ${key}`);
  if (test) {
    const result = test.ok ? `passed in ${test.latencyMs ?? '?'} ms` : `failed (${failurePhrase(test.kind)})`;
    lines.push(`Last test: ${result}, ${escapeMarkdown(formatTime(test.at))}: ${escapeMarkdown(test.detail)}`);
  } else if (entry.config) {
    lines.push('Last test: none yet');
  }
  // Two spaces before each newline: a Markdown line break, so each fact sits on its own line.
  return lines.join('  \n');
}

/** Keeps names, URLs and messages literal in a Markdown tooltip. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>$~-]/g, '\\$&');
}
