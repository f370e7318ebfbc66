import type { AgentEditorSnapshot, ToolOption } from '../../../src/protocol/agentEditor';
import { h } from '../shared/dom';
import { fieldRow, type FieldView } from './fieldView';

/**
 * The Tools section (one row per tool: its label, one line on what it does, and Off / Ask / Auto), run_command's
 * "Always allow" / "Always deny" rules under its row while it is on, the Workspace Trust note, and the "Limits
 * per turn" group. The tool rows come from the host's snapshot, so the list is built when it arrives.
 */

export type RuleField = 'commandAllow' | 'commandDeny';
export type LimitField = 'limitSteps' | 'limitTokens' | 'limitCostUsd' | 'limitMinutes';

export interface ToolsSection {
  tools: HTMLElement;
  limits: HTMLElement;
  fields: Record<RuleField | LimitField, FieldView>;
  /** By tool name, in the order listed. */
  modes: Map<string, FieldView>;
  list: HTMLElement;
  rules: HTMLElement;
  trust: HTMLElement;
}

const COMMAND_TOOL = 'run_command';
const MODES = [
  ['off', 'Off', 'The model does not get this tool.'],
  ['ask', 'Ask', 'You approve each call.'],
  ['auto', 'Auto', 'Runs without asking, within the policies.'],
] as const;

export function buildToolsSection(): ToolsSection {
  const list = h('div', { id: 'tool-list', class: 'tool-list' });
  const trust = h('p', { id: 'tools-trust', class: 'note', role: 'note' });

  const rule = (name: RuleField, label: string, placeholder: string) =>
    fieldRow(
      `field-${name}`,
      `field-${name} field-rules`,
      label,
      h('vscode-textarea', { label, monospace: '', rows: '4', resize: 'vertical', spellcheck: 'false', placeholder }),
    );
  const allow = rule('commandAllow', 'Always allow', 'git status\nnpm test (exact)');
  const deny = rule('commandDeny', 'Always deny', 'git push\nrm');
  const rules = h(
    'div',
    { id: 'command-rules', class: 'command-rules', role: 'group', 'aria-labelledby': 'command-rules-title', hidden: '' },
    h('h3', { id: 'command-rules-title' }, 'Rules for run_command'),
    h(
      'p',
      { class: 'hint' },
      'One rule per line, such as ',
      h('code', {}, 'git status'),
      ' or ',
      h('code', {}, 'npm test (exact)'),
      ': matched word by word against each command of a line (never as a text prefix), any deny wins, and some commands always ask (eval, bash -c, a pipe into a shell, writes to protected files).',
    ),
    allow.row,
    deny.row,
  );

  const tools = h(
    'section',
    { class: 'group', 'aria-labelledby': 'tools-title' },
    h('h2', { id: 'tools-title' }, 'Tools'),
    h('p', { class: 'hint' }, 'What the agent may do besides answering. Off: the model never sees the tool. Ask: you approve each call. Auto: it runs without asking, unless a policy asks or refuses (protected files, paths outside the workspace, commands that cannot be judged).'),
    trust,
    list,
  );

  const limit = (name: LimitField, label: string, hint: string, inputmode: string) =>
    fieldRow(`field-${name}`, `field-${name} field-limit`, label, h('vscode-textfield', { label, inputmode }), hint);
  const steps = limit('limitSteps', 'Steps', 'Model calls in one turn.', 'numeric');
  const tokens = limit('limitTokens', 'Tokens', 'Input and output tokens over the turn’s calls.', 'numeric');
  const cost = limit('limitCostUsd', 'Cost (USD)', 'Over the turn’s calls; a call of unknown cost counts as $0 and is said to be unknown.', 'decimal');
  const minutes = limit('limitMinutes', 'Minutes', 'Wall time of the turn, not counting the time it waits for your approval.', 'numeric');
  const limits = h(
    'section',
    { class: 'group', 'aria-labelledby': 'limits-title' },
    h('h2', { id: 'limits-title' }, 'Limits per turn'),
    h('p', { class: 'hint' }, 'Reaching a limit pauses the turn and asks whether to continue; it is never cut off silently. Empty: the default shown.'),
    steps.row,
    tokens.row,
    cost.row,
    minutes.row,
  );

  return {
    tools,
    limits,
    fields: { commandAllow: allow.view, commandDeny: deny.view, limitSteps: steps.view, limitTokens: tokens.view, limitCostUsd: cost.view, limitMinutes: minutes.view },
    modes: new Map(),
    list,
    rules,
    trust,
  };
}

/**
 * Builds one row per tool when the list differs from the one shown (normally once), each select calling
 * `onChange` with its tool's name. run_command's rules go right after its row, so they follow it in tab order.
 */
export function fillTools(section: ToolsSection, options: readonly ToolOption[], onChange: (name: string) => void): void {
  const names = options.map((o) => o.name);
  if (names.join('\n') === [...section.modes.keys()].join('\n')) {
    return;
  }
  section.modes.clear();
  const rows: Node[] = [];
  for (const option of options) {
    const label = `${option.label} (${option.name})`;
    const select = h(
      'vscode-single-select',
      { label, class: 'mode-select' },
      ...MODES.map(([value, text, description]) => h('vscode-option', { value, description }, text)),
    );
    const hint = h('span', {}, option.description, ' ', h('code', { class: 'tool-name' }, option.name), ` · default: ${option.defaultMode === 'auto' ? 'Auto' : 'Ask'}`);
    const { row, view } = fieldRow(`tool-${option.name}`, `field-tool tool-${option.category}`, option.label, select, hint);
    select.addEventListener('change', () => onChange(option.name));
    section.modes.set(option.name, view);
    rows.push(row);
    if (option.name === COMMAND_TOOL) {
      rows.push(section.rules);
    }
  }
  section.list.replaceChildren(...rows);
}

/** The limits' placeholders say what an empty field means. */
export function fillLimitDefaults(section: ToolsSection, defaults: AgentEditorSnapshot['limitDefaults']): void {
  const placeholders: Record<LimitField, string> = {
    limitSteps: `${defaults.steps} (default)`,
    limitTokens: `${defaults.tokens.toLocaleString('en-US')} (default)`,
    limitCostUsd: `$${defaults.costUsd.toFixed(2)} (default)`,
    limitMinutes: `${defaults.minutes} (default)`,
  };
  for (const [name, text] of Object.entries(placeholders) as [LimitField, string][]) {
    section.fields[name].control.setAttribute('placeholder', text);
  }
}

export function showTrust(section: ToolsSection, trusted: boolean): void {
  section.trust.textContent = trusted
    ? 'In an untrusted workspace (Restricted Mode) edits and commands are off and nothing runs without asking, whatever is set here.'
    : 'This workspace is in Restricted Mode: edits and commands are off and nothing runs without asking, whatever is set here, until you trust it.';
  section.trust.classList.toggle('restricted', !trusted);
}

/** run_command's rules show while it is on; while it is off its row says they are not kept. */
export function showRules(section: ToolsSection, commandMode: string | undefined): void {
  section.rules.hidden = commandMode === undefined || commandMode === 'off';
}
