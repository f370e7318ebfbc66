import type { ApprovalView, Decision, PendingView, SubcommandView } from '../../../src/protocol/chatTools';
import { h } from '../shared/dom';
import { diffView } from './diffView';
import { prettyJson } from './format';
import { toolIcon } from './toolSteps';

/**
 * The cards of what a turn waits on. An approval card shows exactly what will happen (the diff that will be
 * written, the command line with each sub-command's verdict and the rule that matched, the URL) and why it asks,
 * then Approve / Approve for this session (only when the ask is not forced) / Deny with an optional reason the
 * model is told. A limit card offers to continue or stop. Everything shown comes from the model or the
 * workspace and goes in as text nodes; buttons carry `data-decision`, and pendingDock.ts does the rest.
 */

export const SHORTCUTS: Partial<Record<Decision, string>> = { approve: 'Alt+A', deny: 'Alt+D' };

function button(decision: Decision, text: string, title: string, primary: boolean): HTMLElement {
  const shortcut = SHORTCUTS[decision];
  const attributes: Record<string, string> = {
    class: `decision decision-${decision}`,
    'data-decision': decision,
    title: shortcut ? `${title} (${shortcut})` : title,
  };
  if (!primary) {
    attributes.secondary = '';
  }
  if (shortcut) {
    attributes['aria-keyshortcuts'] = shortcut;
  }
  return h('vscode-button', attributes, text);
}

function titleOf(approval: ApprovalView): string {
  if (approval.edit) {
    return approval.edit.created ? 'Allow creating this file?' : 'Allow this edit?';
  }
  if (approval.command) {
    return 'Allow this command?';
  }
  if (approval.url) {
    return 'Allow this fetch?';
  }
  return `Allow ${approval.tool}?`;
}

/** Element ids for aria references; pending ids come from the host and are not trusted to be id-safe. */
let serial = 0;

export function pendingCard(pending: PendingView): HTMLElement {
  return pending.kind === 'approval' ? approvalCard(pending) : limitCard(pending);
}

function approvalCard(pending: Extract<PendingView, { kind: 'approval' }>): HTMLElement {
  const { approval } = pending;
  const titleId = `pending-title-${++serial}`;
  const summaryId = `pending-summary-${serial}`;
  const card = h('section', {
    class: 'pending-card approval-card',
    'data-pending-id': pending.id,
    'data-kind': 'approval',
    role: 'region',
    tabindex: '-1',
    'aria-labelledby': titleId,
    'aria-describedby': summaryId,
  });
  card.append(
    h(
      'header',
      { class: 'pending-header' },
      h('span', { class: 'codicon codicon-shield pending-icon', 'aria-hidden': 'true' }),
      h('h2', { class: 'pending-title', id: titleId }, titleOf(approval)),
      h('span', { class: 'pending-tool', title: 'The tool the model called' }, h('span', { class: `codicon codicon-${toolIcon(approval.tool)}`, 'aria-hidden': 'true' }), approval.tool),
    ),
  );
  const described = h('div', { id: summaryId, class: 'pending-description' }, h('p', { class: 'pending-summary' }, approval.summary));
  if (approval.reasons.length > 0) {
    described.append(
      h('div', { class: 'pending-reasons-label' }, 'Why it asks:'),
      h('ul', { class: 'pending-reasons' }, ...approval.reasons.map((reason) => h('li', {}, reason))),
    );
  }
  card.append(described);
  if (approval.edit) {
    card.append(editPart(approval.edit));
  }
  if (approval.command) {
    card.append(commandPart(approval.command));
  }
  if (approval.url !== undefined) {
    card.append(
      h(
        'div',
        { class: 'pending-url' },
        h('span', { class: 'codicon codicon-globe', 'aria-hidden': 'true' }),
        h('span', { class: 'pending-label' }, 'GET'),
        // Text, not a link: the person approves this address; it is not opened from here.
        h('code', { class: 'pending-url-text' }, approval.url),
      ),
    );
  }
  if (approval.arguments !== '') {
    card.append(argumentsPart(approval.arguments, !approval.edit && !approval.command && approval.url === undefined));
  }
  const reason = h('vscode-textfield', {
    class: 'deny-reason',
    'data-role': 'deny-reason',
    placeholder: 'Reason, if you deny (the model is told)',
    label: 'Reason for denying, sent to the model',
    'aria-label': 'Reason for denying, sent to the model',
  });
  // The reason sits by Deny, which sends it; Deny comes last, so Shift+Tab from the message box lands on the safe answer.
  const decide = h('div', { class: 'pending-decide', role: 'group', 'aria-label': 'Decision' }, button('approve', 'Approve', 'Run it this once', true));
  if (approval.canApproveForSession) {
    decide.append(button('approveSession', 'Approve for this session', 'Run it, and calls like it in this session, without asking', false));
  }
  decide.append(reason, button('deny', 'Deny', 'Do not run it; the model is told, with your reason', false));
  card.append(decide, statusLine());
  return card;
}

function editPart(edit: NonNullable<ApprovalView['edit']>): HTMLElement {
  const diff = diffView(edit.diff, `Diff of ${edit.path}`);
  const header = h(
    'div',
    { class: 'pending-path' },
    h('span', { class: `codicon codicon-${edit.created ? 'new-file' : 'file'}`, 'aria-hidden': 'true' }),
    h('span', { class: 'pending-path-text' }, edit.path),
  );
  if (edit.created) {
    header.append(h('span', { class: 'new-file-badge' }, 'new file'));
  }
  header.append(
    h(
      'span',
      { class: 'diff-stats', 'aria-label': `${lines(diff.added)} added, ${diff.removed} removed` },
      h('span', { class: 'diff-stat-added', 'aria-hidden': 'true' }, `+${diff.added}`),
      h('span', { class: 'diff-stat-removed', 'aria-hidden': 'true' }, `−${diff.removed}`),
    ),
  );
  return h('div', { class: 'pending-edit' }, header, diff.element);
}

function lines(count: number): string {
  return `${count} ${count === 1 ? 'line' : 'lines'}`;
}

const VERDICT_WORDS: Record<SubcommandView['verdict'], string> = { allow: 'allowed', ask: 'asks', deny: 'denied', default: 'no rule' };

function commandPart(command: NonNullable<ApprovalView['command']>): HTMLElement {
  const part = h(
    'div',
    { class: 'pending-command' },
    h('pre', { class: 'command-line', 'aria-label': 'Command line' }, h('span', { class: 'command-prompt', 'aria-hidden': 'true' }, '$ '), command.line),
  );
  if (command.cwd !== '') {
    part.append(h('div', { class: 'pending-cwd' }, h('span', { class: 'codicon codicon-folder', 'aria-hidden': 'true' }), h('span', {}, 'in '), h('code', {}, command.cwd)));
  }
  if (command.subcommands.length > 0) {
    const body = h('tbody', {});
    for (const sub of command.subcommands) {
      body.append(
        h(
          'tr',
          { class: `verdict-row verdict-row-${sub.verdict}` },
          h('td', {}, h('code', {}, sub.text)),
          h('td', {}, h('span', { class: `verdict verdict-${sub.verdict}` }, VERDICT_WORDS[sub.verdict])),
          h('td', { class: 'verdict-why' }, ...(sub.rule !== undefined ? [h('code', { class: 'verdict-rule' }, sub.rule), ' '] : []), sub.reason),
        ),
      );
    }
    part.append(
      h(
        'table',
        { class: 'subcommands', 'aria-label': 'Sub-commands and how each was judged' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Sub-command'), h('th', { scope: 'col' }, 'Verdict'), h('th', { scope: 'col' }, 'Rule and reason'))),
        body,
      ),
    );
  }
  return part;
}

function argumentsPart(args: string, open: boolean): HTMLElement {
  const id = `pending-args-${++serial}`;
  const toggle = h(
    'button',
    { type: 'button', class: 'disclosure', 'data-role': 'toggle-arguments', 'aria-expanded': String(open), 'aria-controls': id },
    h('span', { class: `codicon codicon-chevron-${open ? 'down' : 'right'} twistie`, 'aria-hidden': 'true' }),
    h('span', {}, 'Arguments'),
  );
  const pre = h('pre', { class: 'tool-text pending-arguments-text', id, tabindex: '0' }, prettyJson(args));
  pre.hidden = !open;
  return h('div', { class: 'pending-arguments' }, toggle, pre);
}

function limitCard(pending: Extract<PendingView, { kind: 'limit' }>): HTMLElement {
  const titleId = `pending-title-${++serial}`;
  const summaryId = `pending-summary-${serial}`;
  return h(
    'section',
    {
      class: 'pending-card limit-card',
      'data-pending-id': pending.id,
      'data-kind': 'limit',
      role: 'region',
      tabindex: '-1',
      'aria-labelledby': titleId,
      'aria-describedby': summaryId,
    },
    h('header', { class: 'pending-header' }, h('span', { class: 'codicon codicon-debug-pause pending-icon', 'aria-hidden': 'true' }), h('h2', { class: 'pending-title', id: titleId }, `Reached ${pending.reached}.`)),
    h('p', { class: 'pending-summary', id: summaryId }, `The turn is paused. Continue for ${pending.more}, or stop here.`),
    h(
      'div',
      { class: 'pending-decide', role: 'group', 'aria-label': 'Decision' },
      button('continue', `Continue for ${pending.more}`, 'Let the agent go on', true),
      button('stop', 'Stop', 'End the turn here', false),
    ),
    statusLine(),
  );
}

function statusLine(): HTMLElement {
  return h('div', { class: 'pending-status', 'data-role': 'status' });
}

/** Opens or closes the arguments of a card in place. */
export function toggleArguments(toggle: HTMLElement): void {
  const open = toggle.getAttribute('aria-expanded') !== 'true';
  toggle.setAttribute('aria-expanded', String(open));
  const twistie = toggle.querySelector('.twistie');
  twistie?.classList.toggle('codicon-chevron-down', open);
  twistie?.classList.toggle('codicon-chevron-right', !open);
  const target = toggle.nextElementSibling;
  if (target instanceof HTMLElement) {
    target.hidden = !open;
  }
}
