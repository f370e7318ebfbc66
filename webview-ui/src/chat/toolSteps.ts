import type { ChatMessageView } from '../../../src/protocol/chat';
import type { ToolCallView } from '../../../src/protocol/chatTools';
import { h } from '../shared/dom';
import { formatDuration, prettyJson } from './format';
import { lastLines } from './toolCalls';

/**
 * A tool message as compact steps: one row per call, under the assistant message that made the calls. A row
 * says what the call does (its tool's icon and summary), how it stands (a badge) and how long it took, lists the
 * files it changed as links to their diffs, and opens (a disclosure button: Enter / Space, aria-expanded) onto
 * the arguments, a running command's output and the result. Everything a tool produced is untrusted text: it
 * goes into the DOM through text nodes only (h() never parses markup), in <pre> blocks, never as HTML.
 */

export interface ToolStepsContext {
  /** The arguments the model sent for a call (from the assistant message before), if the panel has them. */
  argumentsOf(callId: string): string | undefined;
  isExpanded(call: ToolCallView): boolean;
}

const ICONS: Record<string, string> = {
  read_file: 'file',
  list_files: 'list-tree',
  search_text: 'search',
  get_problems: 'warning',
  replace_in_file: 'edit',
  write_file: 'new-file',
  run_command: 'terminal',
  read_output: 'output',
  fetch_url: 'globe',
};

export function toolIcon(name: string): string {
  // MCP tools are `server__tool`.
  return ICONS[name] ?? (name.includes('__') ? 'plug' : 'tools');
}

interface Badge {
  kind: string;
  icon: string;
  text: string;
  label: string;
}

const DECIDED: Record<string, string> = {
  'policy:allow': 'Allowed by the agent’s rules',
  'person:allow': 'Approved by you',
  'session:allow': 'Approved for this session',
  'policy:deny': 'Denied by the agent’s rules',
  'person:deny': 'Denied by you',
  'session:deny': 'Denied',
};

export function badgeOf(call: ToolCallView): Badge {
  const result = call.result;
  switch (call.state) {
    case 'pending':
      return { kind: 'pending', icon: 'clock', text: 'queued', label: 'Queued: waits for an earlier call of this step' };
    case 'awaiting_approval':
      return { kind: 'waiting', icon: 'bell-dot', text: 'waiting for you', label: 'Waiting for your approval' };
    case 'running':
      return { kind: 'running', icon: 'loading codicon-modifier-spin', text: 'running', label: 'Running' };
    case 'denied':
      return { kind: 'denied', icon: 'circle-slash', text: 'denied', label: DECIDED[`${call.decidedBy ?? 'person'}:deny`] ?? 'Denied' };
    case 'interrupted':
      return { kind: 'interrupted', icon: 'debug-disconnect', text: 'interrupted — outcome unknown', label: 'Interrupted: the window closed while it ran; it is not run again by itself' };
    case 'completed':
    case 'failed': {
      const ok = call.state === 'completed' && result?.isError !== true && (result?.exitCode ?? 0) === 0;
      const exit = result?.exitCode;
      const text = result?.timedOut ? 'timed out' : typeof exit === 'number' ? `exit ${exit}` : exit === null ? 'no exit code' : ok ? 'done' : 'failed';
      const codeWords = typeof exit === 'number' ? ` (exit code ${exit})` : '';
      return { kind: ok ? 'ok' : 'failed', icon: ok ? 'check' : 'error', text, label: `${ok ? 'Succeeded' : 'Failed'}${codeWords}${result?.timedOut ? ', timed out' : ''}` };
    }
  }
}

/** The rows of a tool message's calls. */
export function buildToolSteps(message: ChatMessageView, context: ToolStepsContext): HTMLElement {
  const list = h('div', { class: 'tool-steps', role: 'list', 'aria-label': 'Tool steps' });
  (message.tools ?? []).forEach((call, index) => list.append(toolRow(message.id, call, index, context)));
  return list;
}

function toolRow(messageId: string, call: ToolCallView, index: number, context: ToolStepsContext): HTMLElement {
  const detailId = `tool-detail-${messageId}-${index}`;
  const badgeId = `tool-badge-${messageId}-${index}`;
  const badge = badgeOf(call);
  const open = context.isExpanded(call);
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'tool-step-toggle',
      'data-action': 'toggle-tool',
      'data-call-id': call.id,
      'data-focus-key': `toggle-tool:${call.id}`,
      'aria-expanded': String(open),
      'aria-controls': detailId,
      'aria-describedby': badgeId,
      title: call.summary,
    },
    h('span', { class: `codicon codicon-chevron-${open ? 'down' : 'right'} twistie`, 'aria-hidden': 'true' }),
    h('span', { class: `codicon codicon-${toolIcon(call.name)} tool-icon`, 'aria-hidden': 'true' }),
    h('span', { class: 'tool-summary' }, call.summary || call.name),
  );
  const line = h(
    'div',
    { class: 'tool-step-line' },
    toggle,
    h(
      'span',
      { class: `tool-badge tool-badge-${badge.kind}`, id: badgeId, title: badge.label, 'aria-label': badge.label },
      h('span', { class: `codicon codicon-${badge.icon}`, 'aria-hidden': 'true' }),
      h('span', { class: 'tool-badge-text', 'aria-hidden': 'true' }, badge.text),
    ),
  );
  if (call.result?.durationMs !== undefined) {
    const took = formatDuration(call.result.durationMs);
    line.append(h('span', { class: 'tool-duration', title: `Took ${took}` }, took));
  }
  const row = h('div', { class: `tool-step state-${call.state}`, role: 'listitem', 'data-call-id': call.id }, line);
  const files = filesLine(call);
  if (files) {
    row.append(files);
  }
  const detail = toolDetail(call, context);
  detail.id = detailId;
  detail.hidden = !open;
  row.append(detail);
  return row;
}

function filesLine(call: ToolCallView): HTMLElement | null {
  const files = call.result?.files ?? [];
  if (files.length === 0) {
    return null;
  }
  const line = h('div', { class: 'tool-files' }, h('span', { class: 'tool-files-count' }, `${files.length} ${files.length === 1 ? 'file' : 'files'} changed`));
  for (const file of files) {
    const letter = file.change === 'created' ? 'A' : file.change === 'deleted' ? 'D' : 'M';
    const shown = file.shown ?? file.path;
    line.append(
      h(
        'button',
        {
          type: 'button',
          class: `link-button file-link change-${file.change}`,
          'data-action': 'open-diff',
          'data-call-id': call.id,
          'data-path': file.path,
          'data-focus-key': `open-diff:${call.id}:${file.path}`,
          title: `Open the diff of ${shown} (${file.change})`,
          'aria-label': `Open the diff of ${shown} (${file.change})`,
        },
        h('span', { class: 'file-path' }, shown),
        h('span', { class: 'file-change', 'aria-hidden': 'true' }, letter),
      ),
    );
  }
  return line;
}

function toolDetail(call: ToolCallView, context: ToolStepsContext): HTMLElement {
  const detail = h('div', { class: 'tool-detail' });
  const args = context.argumentsOf(call.id);
  if (args !== undefined && args !== '') {
    detail.append(h('div', { class: 'tool-detail-label' }, 'Arguments'), h('pre', { class: 'tool-text tool-arguments-text' }, prettyJson(args)));
  }
  if (call.state === 'running' || (call.output !== undefined && call.result === undefined)) {
    const output = h('pre', { class: 'tool-text tool-output', 'aria-label': 'Output so far', tabindex: '0' }, lastLines(call.output ?? ''));
    // A rebuilt row shows the newest output, as the one it replaced did (then updateStepOutput follows the end).
    requestAnimationFrame(() => {
      output.scrollTop = output.scrollHeight;
    });
    detail.append(h('div', { class: 'tool-detail-label' }, 'Output'), output);
  }
  if (call.result) {
    const label = call.result.isError ? 'Error' : 'Result';
    detail.append(h('div', { class: 'tool-detail-label' }, label), h('pre', { class: `tool-text tool-result${call.result.isError ? ' is-error' : ''}`, tabindex: '0' }, call.result.text || '(empty)'));
  }
  const decided = call.decidedBy ? DECIDED[`${call.decidedBy}:${call.state === 'denied' ? 'deny' : 'allow'}`] : undefined;
  if (decided && call.state !== 'pending' && call.state !== 'awaiting_approval') {
    detail.append(h('div', { class: 'tool-decided' }, decided));
  }
  if (detail.childElementCount === 0) {
    detail.append(h('div', { class: 'tool-detail-label' }, 'No details yet.'));
  }
  return detail;
}

/** Opens or closes a row in place (no rebuild: focus and scroll stay where they are). */
export function setStepExpanded(row: HTMLElement, open: boolean): void {
  const toggle = row.querySelector<HTMLElement>('.tool-step-toggle');
  const detail = row.querySelector<HTMLElement>(':scope > .tool-detail');
  toggle?.setAttribute('aria-expanded', String(open));
  const twistie = toggle?.querySelector('.twistie');
  twistie?.classList.toggle('codicon-chevron-down', open);
  twistie?.classList.toggle('codicon-chevron-right', !open);
  if (detail) {
    detail.hidden = !open;
  }
}

/** Shows a running call's newest output in its row: the last lines only, following the end while it is there. */
export function updateStepOutput(article: HTMLElement, call: ToolCallView): void {
  const row = article.querySelector<HTMLElement>(`.tool-step[data-call-id="${CSS.escape(call.id)}"]`);
  const pre = row?.querySelector<HTMLElement>('.tool-output');
  if (!pre) {
    return;
  }
  const following = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 4;
  pre.textContent = lastLines(call.output ?? '');
  if (following) {
    pre.scrollTop = pre.scrollHeight;
  }
}
