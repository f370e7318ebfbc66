import type { ExportedMessage, SessionExport } from './sessionExport';

/**
 * The branch a session shows, as Markdown to read or paste elsewhere: a heading per message, the text as it was
 * written (it is Markdown already), tool calls as fenced JSON, and a note on replies that did not finish. Other
 * branches are left out: a document reads top to bottom; the JSON export keeps every branch.
 */

const ROLE_NAMES: Record<ExportedMessage['role'], string> = { user: 'You', assistant: 'Assistant', system: 'System', tool: 'Tool' };

const STATUS_NOTES: Partial<Record<ExportedMessage['status'], string>> = {
  cancelled: 'Stopped: the reply was stopped before it finished.',
  incomplete: 'Incomplete: the reply ended before it finished.',
  streaming: 'Still streaming when this was exported.',
  error: 'Failed.',
};

/** Root first, ending at `leafId` (the session's head when not given); empty for a session without messages. */
export function branchOf(data: SessionExport, leafId: string | null = data.session.headMessageId): ExportedMessage[] {
  const byId = new Map(data.messages.map((message) => [message.id, message]));
  const path: ExportedMessage[] = [];
  const seen = new Set<string>();
  let current = leafId === null ? undefined : byId.get(leafId);
  while (current !== undefined && !seen.has(current.id)) {
    seen.add(current.id);
    path.push(current);
    current = current.parentId === null ? undefined : byId.get(current.parentId);
  }
  return path.reverse();
}

export function sessionMarkdown(data: SessionExport, leafId?: string | null): string {
  const branch = branchOf(data, leafId);
  const title = data.session.title.trim() === '' ? 'New session' : data.session.title.trim();
  const lines = [`# ${oneLine(title)}`, ''];
  if (data.agent) {
    lines.push(`Agent: **${oneLine(data.agent.name)}** (model \`${data.agent.model.replaceAll('`', '')}\`)  `);
  }
  lines.push(`Exported from AI Studio on ${formatTime(data.exportedAt)}: ${branch.length} message${branch.length === 1 ? '' : 's'} of the branch shown.`, '');
  for (const message of branch) {
    lines.push('---', '', `## ${heading(message)}`, '');
    const body = bodyOf(message);
    if (body !== '') {
      lines.push(body, '');
    }
    const note = noteOf(message);
    if (note !== undefined) {
      lines.push(`> ${note}`, '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function heading(message: ExportedMessage): string {
  const parts = [ROLE_NAMES[message.role]];
  if (message.role === 'assistant' && message.model) {
    parts.push(message.model);
  }
  parts.push(formatTime(message.createdAt));
  return parts.map(oneLine).join(' · ');
}

function bodyOf(message: ExportedMessage): string {
  const blocks: string[] = [];
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
        if (part.text.trim() !== '') {
          blocks.push(part.text.trim());
        }
        break;
      case 'tool_call':
        blocks.push(`**Tool call** \`${part.name.replaceAll('`', '')}\`\n\n${fence(typeof part.arguments === 'string' ? part.arguments : JSON.stringify(part.arguments, null, 2), 'json')}`);
        break;
      case 'tool_result':
        blocks.push(`**Tool result${part.isError ? ' (error)' : ''}**\n\n${fence(typeof part.output === 'string' ? part.output : JSON.stringify(part.output, null, 2), '')}`);
        break;
      case 'reasoning':
        // The model's reasoning is not part of the conversation as read; the JSON export keeps it.
        break;
    }
  }
  return blocks.join('\n\n');
}

function noteOf(message: ExportedMessage): string | undefined {
  const note = STATUS_NOTES[message.status];
  if (message.status === 'error' || (note !== undefined && message.error !== null)) {
    const detail = errorMessage(message.error);
    return detail === undefined ? note : `${note ?? 'Failed.'} ${oneLine(detail)}`;
  }
  return note;
}

function errorMessage(error: ExportedMessage['error']): string | undefined {
  if (typeof error === 'object' && error !== null && !Array.isArray(error)) {
    const message = (error as { readonly [key: string]: unknown }).message;
    return typeof message === 'string' ? message : undefined;
  }
  return undefined;
}

/** A code fence longer than any run of backticks inside, so the content cannot close it early. */
export function fence(text: string, language: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const marks = '`'.repeat(Math.max(3, longest + 1));
  return `${marks}${language}\n${text}\n${marks}`;
}

/** UTC, so the same session exports to the same text on every machine. */
function formatTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
