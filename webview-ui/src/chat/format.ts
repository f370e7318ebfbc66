import type { ChatMessageView } from '../../../src/protocol/chat';

/** How a reply's call figures read in its footer: short, and never a made-up number (unknown cost stays unknown). */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatTokens(count: number): string {
  return integer.format(count);
}

export function formatCost(usd: number | undefined): string {
  if (usd === undefined) {
    return 'cost unknown';
  }
  if (usd === 0) {
    return '$0';
  }
  // Small calls cost fractions of a cent; two significant digits say more than "$0.00".
  return usd < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(usd < 1 ? 3 : 2)}`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export interface FooterPart {
  text: string;
  /** The full wording for screen readers and the tooltip ("1,234 input tokens"). */
  label: string;
}

export function footerParts(message: ChatMessageView): FooterPart[] {
  const footer = message.footer;
  if (!footer) {
    return message.model ? [{ text: message.model, label: `Model ${message.model}` }] : [];
  }
  const parts: FooterPart[] = [];
  if (message.model) {
    parts.push({ text: message.model, label: `Model ${message.model}` });
  }
  if (footer.inputTokens !== undefined || footer.outputTokens !== undefined) {
    const input = footer.inputTokens === undefined ? '?' : formatTokens(footer.inputTokens);
    const output = footer.outputTokens === undefined ? '?' : formatTokens(footer.outputTokens);
    parts.push({ text: `${input} in / ${output} out`, label: `${input} input tokens, ${output} output tokens` });
  }
  const cost = formatCost(footer.costUsd);
  parts.push({ text: cost, label: footer.costUsd === undefined ? 'Cost unknown' : `Cost ${cost}` });
  if (footer.latencyMs !== undefined) {
    parts.push({ text: formatDuration(footer.latencyMs), label: `Took ${formatDuration(footer.latencyMs)}` });
  }
  if (footer.timeToFirstTokenMs !== undefined) {
    const ttft = formatDuration(footer.timeToFirstTokenMs);
    parts.push({ text: `TTFT ${ttft}`, label: `First token after ${ttft}` });
  }
  return parts;
}

export function messageTime(epochMs: number, now = Date.now()): string {
  const date = new Date(epochMs);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : date.toLocaleString();
}

/** JSON arguments indented for reading; anything that is not JSON (a model's broken call) exactly as it came. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
