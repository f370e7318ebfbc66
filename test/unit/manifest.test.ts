import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CommandIds } from '../../src/commands/ids';
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
    configuration: { properties: Record<string, unknown> };
  };
}
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const contributed = manifest.contributes.commands.map((c) => c.command).sort();

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

  it('activates from its contributions alone', () => {
    assert.deepEqual(manifest.activationEvents, []);
  });

  it('does not compile against a newer VS Code API than the engine it declares', () => {
    const engine = manifest.engines.vscode.replace(/^\^/, '');
    const types = manifest.devDependencies['@types/vscode']!.replace(/^\^/, '');
    const [eMajor, eMinor] = engine.split('.').map(Number) as [number, number];
    const [tMajor, tMinor] = types.split('.').map(Number) as [number, number];
    assert.ok(tMajor < eMajor || (tMajor === eMajor && tMinor <= eMinor), `@types/vscode ${types} > engine ${engine}`);
  });

  it('declares every setting the code reads', () => {
    const source = readFileSync(path.join(repoRoot, 'src', 'vscode', 'config.ts'), 'utf8');
    const read = [...source.matchAll(/config\.get<[^>]+>\('([\w.]+)'/g)].map((m) => `aiStudio.${m[1]!}`).sort();
    assert.deepEqual(Object.keys(manifest.contributes.configuration.properties).sort(), read);
  });
});
