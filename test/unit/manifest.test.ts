import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CommandIds } from '../../src/commands/ids';
import { providerSettingKeys } from '../../src/core/providerConfig';
import { ViewIds, viewContainerId } from '../../src/views/viewIds';

/** The contributions in package.json and the ids the code uses must never drift apart. */

const repoRoot = path.resolve(__dirname, '../../..');
interface Manifest {
  engines: { vscode: string };
  activationEvents: string[];
  devDependencies: Record<string, string>;
  contributes: {
    commands: { command: string; title: string; category: string }[];
    views: Record<string, { id: string; name: string }[]>;
    viewsWelcome: { view: string; contents: string }[];
    viewsContainers: { activitybar: { id: string; title: string }[] };
    configuration: { id: string; title: string; properties: Record<string, { scope?: string; markdownDescription?: string }> }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
  };
}
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const contributed = manifest.contributes.commands.map((c) => c.command).sort();
const settings = Object.assign({}, ...manifest.contributes.configuration.map((section) => section.properties)) as Manifest['contributes']['configuration'][number]['properties'];

describe('package.json contributions', () => {
  it('contributes exactly the commands the code registers', () => {
    assert.deepEqual(contributed, Object.values(CommandIds).sort());
  });

  it('puts every command under the "AI Studio" category in the palette', () => {
    for (const command of manifest.contributes.commands) {
      assert.equal(command.category, 'AI Studio', command.command);
    }
  });

  it('has one AI Studio container holding the Agents, Sessions, Runs and Providers views', () => {
    assert.deepEqual(manifest.contributes.viewsContainers.activitybar.map((c) => [c.id, c.title]), [[viewContainerId, 'AI Studio']]);
    assert.deepEqual(
      manifest.contributes.views[viewContainerId]!.map((v) => [v.id, v.name]),
      [
        [ViewIds.agents, 'Agents'],
        [ViewIds.sessions, 'Sessions'],
        [ViewIds.runs, 'Runs'],
        [ViewIds.providers, 'Providers'],
      ],
    );
  });

  it('gives every view welcome content whose buttons run contributed commands', () => {
    for (const id of Object.values(ViewIds)) {
      const welcome = manifest.contributes.viewsWelcome.find((w) => w.view === id);
      assert.ok(welcome, `${id} has welcome content`);
      const buttons = [...welcome.contents.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]!);
      assert.ok(buttons.length > 0, `${id} offers at least one button`);
      for (const command of buttons) {
        assert.ok(contributed.includes(command), `${id} links to ${command}, which is not contributed`);
      }
    }
  });

  it('activates from its contributions alone, plus the restore of chat, Inspector and Results panels after a reload', () => {
    // Views and commands imply their activation events; a webview panel restored by a serializer does not.
    assert.deepEqual(manifest.activationEvents.filter((event) => event !== 'onWebviewPanel:aiStudio.agentEditor'), [
      'onWebviewPanel:aiStudio.chat',
      'onWebviewPanel:aiStudio.inspector',
      'onWebviewPanel:aiStudio.results',
    ]);
  });

  it('does not compile against a newer VS Code API than the engine it declares', () => {
    const engine = manifest.engines.vscode.replace(/^\^/, '');
    const types = manifest.devDependencies['@types/vscode']!.replace(/^\^/, '');
    const [eMajor, eMinor] = engine.split('.').map(Number) as [number, number];
    const [tMajor, tMinor] = types.split('.').map(Number) as [number, number];
    assert.ok(tMajor < eMajor || (tMajor === eMajor && tMinor <= eMinor), `@types/vscode ${types} > engine ${engine}`);
  });

  it('declares every setting the code reads', () => {
    const source = ['config.ts', 'providerSettings.ts', 'spendStatus.ts', 'traceSettings.ts', 'windowTools.ts']
      .map((file) => readFileSync(path.join(repoRoot, 'src', 'vscode', file), 'utf8'))
      .join('\n');
    // config.get<T>('key'), and windowTools.ts's user-only readers: userSetting<T>('key'), userStrings('key'), rules('key').
    const read = [...source.matchAll(/(?:config\.get|userSetting)<[^>]+>\('([\w.]+)'|(?:userStrings|rules)\('([\w.]+)'/g)].map((m) => (m[1] ?? m[2])!);
    const expected = [...read, ...providerSettingKeys].map((key) => `aiStudio.${key}`).sort();
    assert.deepEqual(Object.keys(settings).sort(), expected);
  });

  it('describes every setting, and lets only user settings choose where requests (and keys) go', () => {
    for (const [id, setting] of Object.entries(settings)) {
      assert.ok(setting.markdownDescription, `${id} has a description`);
      if (/\.(baseUrl|endpoint|host|deployment|apiVersion|openaiCompatible)$/.test(id)) {
        // A workspace's .vscode/settings.json must not be able to point a provider (and its key) elsewhere.
        assert.equal(setting.scope, 'application', id);
      }
    }
    // `runs.budget.tokens` is a count of tokens, not a token.
    assert.ok(!Object.keys(settings).some((id) => /key|secret|token(?!s$)|password/i.test(id.replace('aiStudio.', ''))), 'no setting holds a secret');
  });

  it('puts only contributed commands in menus, and offers the provider actions inline on Providers rows', () => {
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) {
        assert.ok(contributed.includes(item.command), `${menu} lists ${item.command}, which is not contributed`);
      }
    }
    const inline = manifest.contributes.menus['view/item/context']!.filter((i) => i.group?.startsWith('inline') && i.when?.includes(`view == ${ViewIds.providers}`));
    assert.deepEqual(inline.map((i) => i.command).sort(), [CommandIds.openProviderSettings, CommandIds.setApiKey, CommandIds.testConnection].sort());
  });

  it('offers Create Agent on the empty Agents view, the archived toggle in its title, and the agent actions on its rows', () => {
    assert.match(manifest.contributes.viewsWelcome.find((w) => w.view === ViewIds.agents)!.contents, /\[Create Agent\]\(command:aiStudio\.createAgent\)/);
    const title = manifest.contributes.menus['view/title']!.filter((i) => i.when?.includes(`view == ${ViewIds.agents}`)).map((i) => i.command);
    assert.ok([CommandIds.createAgent, CommandIds.showArchivedAgents, CommandIds.hideArchivedAgents].every((c) => title.includes(c)), title.join(', '));
    const rows = manifest.contributes.menus['view/item/context']!.filter((i) => i.when?.includes(`view == ${ViewIds.agents}`));
    const agentCommands = [CommandIds.editAgent, CommandIds.duplicateAgent, CommandIds.archiveAgent, CommandIds.unarchiveAgent, CommandIds.deleteAgent, CommandIds.newSessionWithAgent, CommandIds.startRun];
    assert.deepEqual([...new Set(rows.map((i) => i.command))].sort(), agentCommands.sort());
  });

  it('offers Start Run and Start Batch Run on the empty Runs view and in its title, and the run actions on its rows by state', () => {
    const welcome = manifest.contributes.viewsWelcome.find((w) => w.view === ViewIds.runs)!.contents;
    assert.match(welcome, /\[Start Run…\]\(command:aiStudio\.startRun\)/);
    assert.match(welcome, /\[Start Batch Run…\]\(command:aiStudio\.startBatchRun\)/);
    const title = manifest.contributes.menus['view/title']!.filter((i) => i.when?.includes(`view == ${ViewIds.runs}`)).map((i) => i.command);
    assert.deepEqual(title, [CommandIds.startRun, CommandIds.startBatchRun]);
    const explorer = manifest.contributes.menus['explorer/context']!.find((i) => i.command === CommandIds.startBatchRun);
    const extensions = /\(([^)]*)\)/.exec(explorer?.when ?? '')?.[1];
    assert.deepEqual(['.jsonl', '.ndjson', '.csv', '.yaml', '.yml', '.json', '.txt'].filter((ext) => new RegExp(`^\\.(${extensions})$`).test(ext)), ['.jsonl', '.ndjson', '.csv', '.yaml', '.yml'], 'dataset files only (a .json file is too often something else)');
    const rows = manifest.contributes.menus['view/item/context']!.filter((i) => i.when?.includes(`view == ${ViewIds.runs}`));
    const forState = (contextValue: string) =>
      [...new Set(rows.filter((i) => new RegExp(`viewItem (==|=~) /?(.*)/?$`).test(i.when ?? '') && matchesWhen(i.when!, contextValue)).map((i) => i.command))].sort();
    assert.deepEqual(forState('aiStudio.run.running'), [CommandIds.cancelRun, CommandIds.deleteRun, CommandIds.inspectRun, CommandIds.openRun, CommandIds.rerun].sort());
    assert.deepEqual(forState('aiStudio.run.interrupted'), [CommandIds.cancelRun, CommandIds.deleteRun, CommandIds.inspectRun, CommandIds.openRun, CommandIds.rerun, CommandIds.resumeRun].sort());
    assert.deepEqual(forState('aiStudio.run.finished'), [CommandIds.deleteRun, CommandIds.inspectRun, CommandIds.openRun, CommandIds.rerun].sort());
  });

  it('offers New Session and Import on the Sessions view, its filter in the title, and the session actions on its rows', () => {
    const welcome = manifest.contributes.viewsWelcome.find((w) => w.view === ViewIds.sessions)!.contents;
    assert.match(welcome, /\[New Session\]\(command:aiStudio\.newSession\)/);
    assert.match(welcome, /\(command:aiStudio\.importSession\)/);
    const title = manifest.contributes.menus['view/title']!.filter((i) => i.when?.includes(`view == ${ViewIds.sessions}`));
    assert.deepEqual(
      title.filter((i) => i.group?.startsWith('navigation')).map((i) => [i.command, i.when]),
      [
        [CommandIds.newSession, `view == ${ViewIds.sessions}`],
        [CommandIds.filterSessions, `view == ${ViewIds.sessions} && !aiStudio.sessions.filtered`],
        [CommandIds.clearSessionFilter, `view == ${ViewIds.sessions} && aiStudio.sessions.filtered`],
      ],
    );
    const rows = manifest.contributes.menus['view/item/context']!.filter((i) => i.when?.includes(`view == ${ViewIds.sessions}`));
    const sessionCommands = [
      CommandIds.openSession,
      CommandIds.renameSession,
      CommandIds.pinSession,
      CommandIds.unpinSession,
      CommandIds.exportSession,
      CommandIds.exportSessionMarkdown,
      CommandIds.exportTrace,
      CommandIds.openInspector,
      CommandIds.deleteSession,
    ];
    assert.deepEqual([...new Set(rows.map((i) => i.command))].sort(), sessionCommands.sort());
    // Pin and Unpin exclude each other on a row: `pinned` is not a word inside `unpinned`.
    const pin = rows.find((i) => i.command === CommandIds.pinSession)!.when!;
    const unpin = rows.find((i) => i.command === CommandIds.unpinSession)!.when!;
    const matches = (when: string, contextValue: string) => new RegExp(/=~ \/(.*)\/$/.exec(when)![1]!).test(contextValue);
    assert.deepEqual([matches(pin, 'session unpinned'), matches(pin, 'session pinned'), matches(unpin, 'session pinned'), matches(unpin, 'session unpinned')], [true, false, true, false]);
  });
});

/** Whether a menu item's `viewItem == x` or `viewItem =~ /re/` clause admits a row with this context value. */
function matchesWhen(when: string, contextValue: string): boolean {
  const equal = /viewItem == (\S+)/.exec(when);
  if (equal) {
    return equal[1] === contextValue;
  }
  const pattern = /viewItem =~ \/(.+)\//.exec(when);
  return pattern ? new RegExp(pattern[1]!).test(contextValue) : false;
}
