import * as assert from 'node:assert/strict';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { Logger } from '../../src/core/ports';
import type { CommandOutcome, CommandRequest } from '../../src/core/tools/toolTypes';
import { createProcessCommandPort } from '../../src/node/processRunner';
import { createDiffViews, diffScheme } from '../../src/vscode/tools/diffViews';
import { createTerminalCommandPort, terminalName } from '../../src/vscode/tools/terminalCommands';
import { createTerminalTextCleaner } from '../../src/vscode/tools/terminalText';
import { createVscodeWorkspace } from '../../src/vscode/tools/vscodeWorkspace';
import { waitForEvent, waitUntil } from './support';

/** The ports of src/vscode/tools against the real editor: documents, WorkspaceEdit, ripgrep, terminals, diffs. */

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string | Error) => lines.push(`${level} ${message instanceof Error ? message.message : message}`);
  return { lines, trace: keep('trace'), debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

const never = new AbortController().signal;

async function setSetting(section: string, key: string, value: unknown): Promise<void> {
  const changed = waitForEvent(vscode.workspace.onDidChangeConfiguration, (event) => event.affectsConfiguration(`${section}.${key}`), `${section}.${key}`);
  await vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Global);
  await changed;
}

/** Closes every editor; unsaved ones are reverted first (closing them would ask, and no one would answer). */
async function closeEditors(): Promise<void> {
  for (const document of vscode.workspace.textDocuments.filter((candidate) => candidate.isDirty)) {
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('the VS Code tool ports in a real extension host', () => {
  let root: string;
  let dir: string;

  before(() => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test host opens a workspace folder');
    root = realpathSync(folder.uri.fsPath);
    dir = mkdtempSync(path.join(root, 'tools-'));
  });

  after(async () => {
    await closeEditors();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the workspace', () => {
    const log = recordingLog();
    const workspace = createVscodeWorkspace({ log });
    after(() => {
      workspace.dispose();
    });

    it('is the open folder, realpath’d, and trusted (trust is off in the test host)', async () => {
      assert.deepEqual(workspace.folders(), [root]);
      assert.equal(workspace.isTrusted(), vscode.workspace.isTrusted);
      mkdirSync(path.join(dir, 'real'));
      symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
      assert.equal(await workspace.realpath(path.join(dir, 'link', 'new', 'file.txt')), path.join(dir, 'real', 'new', 'file.txt'));
      // A dangling link is judged where a write through it would land.
      symlinkSync(path.join(dir, 'real', 'target.txt'), path.join(dir, 'dangling'));
      assert.equal(await workspace.realpath(path.join(dir, 'dangling')), path.join(dir, 'real', 'target.txt'));
      assert.equal((await workspace.stat(path.join(dir, 'link')))?.type, 'directory');
      assert.equal(await workspace.stat(path.join(dir, 'missing.txt')), undefined);
      writeFileSync(path.join(dir, 'plain.txt'), 'x');
      assert.equal(await workspace.stat(path.join(dir, 'plain.txt', 'below')), undefined);
      assert.deepEqual({ ...(await workspace.stat(path.join(dir, 'plain.txt'))), mtimeMs: 0 }, { type: 'file', size: 1, mtimeMs: 0 });
    });

    it('writes through a WorkspaceEdit: saved to disk, and the editor’s Undo takes the change back', async () => {
      const file = path.join(dir, 'undo.txt');
      writeFileSync(file, 'one\ntwo\nthree\n');
      const document = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(document);

      await workspace.writeText(file, 'one\nTWO\nthree\n');
      assert.equal(document.getText(), 'one\nTWO\nthree\n');
      assert.equal(document.isDirty, false, 'saved');
      assert.equal(readFileSync(file, 'utf8'), 'one\nTWO\nthree\n', 'on disk, for tools that read files');

      const undone = waitForEvent(
        vscode.workspace.onDidChangeTextDocument,
        (event) => event.document === document && event.reason === vscode.TextDocumentChangeReason.Undo,
        'the undo',
      );
      await vscode.commands.executeCommand('undo');
      await undone;
      assert.equal(document.getText(), 'one\ntwo\nthree\n', 'Undo restores the text in the open editor');
      await closeEditors();
    });

    it('creates a new file and its folders, with the text on the editor’s undo stack', async () => {
      const file = path.join(dir, 'made', 'deep', 'new.ts');
      await workspace.writeText(file, 'export const made = 1;\n');
      assert.equal(readFileSync(file, 'utf8'), 'export const made = 1;\n');
      const document = await vscode.workspace.openTextDocument(file);
      assert.equal(document.isDirty, false);
      // Writing it again with its own text changes nothing and still succeeds.
      await workspace.writeText(file, 'export const made = 1;\n');
      assert.equal(readFileSync(file, 'utf8'), 'export const made = 1;\n');

      await vscode.window.showTextDocument(document);
      const undone = waitForEvent(vscode.workspace.onDidChangeTextDocument, (event) => event.document === document && event.reason === vscode.TextDocumentChangeReason.Undo, 'the undo');
      await vscode.commands.executeCommand('undo');
      await undone;
      assert.equal(document.getText(), '', 'Undo takes the new text out again');
      await closeEditors();
    });

    it('reads an open editor’s unsaved text, else the file’s, and says when a file is missing', async () => {
      const file = path.join(dir, 'unsaved.txt');
      writeFileSync(file, 'on disk\n');
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
      assert.ok(await editor.edit((builder) => builder.insert(new vscode.Position(0, 0), 'typed but not saved, ')));
      assert.equal(await workspace.readText(file), 'typed but not saved, on disk\n');
      assert.equal(readFileSync(file, 'utf8'), 'on disk\n');
      await closeEditors();

      writeFileSync(path.join(dir, 'closed.txt'), 'from the file\n');
      assert.equal(await workspace.readText(path.join(dir, 'closed.txt')), 'from the file\n');
      await assert.rejects(workspace.readText(path.join(dir, 'nope.txt')), /No such file: .*nope\.txt/);
    });

    it('deletes a file through a WorkspaceEdit, and throws a clear error when VS Code refuses', async () => {
      const file = path.join(dir, 'doomed.txt');
      writeFileSync(file, 'bye\n');
      await workspace.deleteFile(file);
      assert.equal(await workspace.stat(file), undefined);
      await assert.rejects(workspace.deleteFile(file), /VS Code did not delete .*doomed\.txt/);
    });

    it('lists files with the ripgrep of VS Code’s appRoot, honouring .gitignore and files.exclude', async () => {
      const sub = path.join(dir, 'list');
      mkdirSync(path.join(sub, 'nested'), { recursive: true });
      writeFileSync(path.join(sub, '.gitignore'), 'ignored.txt\n');
      for (const name of ['ignored.txt', 'kept.txt', 'notes.hidden-by-setting', 'nested/deep.txt']) {
        writeFileSync(path.join(sub, name), `${name}\n`);
      }
      await setSetting('files', 'exclude', { '**/*.hidden-by-setting': true });
      try {
        const { files, truncated } = await workspace.listFiles({ glob: '**/*.*', cwd: sub, limit: 100 }, never);
        const names = files.map((file) => path.relative(sub, file)).filter((name) => name !== '.gitignore').sort();
        assert.deepEqual(names, ['kept.txt', path.join('nested', 'deep.txt')]);
        assert.equal(truncated, false);
        const one = await workspace.listFiles({ glob: '**/*.txt', cwd: sub, limit: 1 }, never);
        assert.equal(one.files.length, 1);
        assert.equal(one.truncated, true);
      } finally {
        await setSetting('files', 'exclude', undefined);
      }
      const used = log.lines.find((line) => line.startsWith('info ripgrep: '));
      assert.ok(used, log.lines.join('\n'));
      assert.ok(used.includes(vscode.env.appRoot), `${used} is under ${vscode.env.appRoot}`);
    });

    it('searches text with ripgrep, honouring .gitignore, files.exclude and search.exclude', async () => {
      const sub = path.join(dir, 'search');
      mkdirSync(sub);
      writeFileSync(path.join(sub, '.gitignore'), 'ignored.txt\n');
      writeFileSync(path.join(sub, 'a.txt'), 'hay\nneedle one\n');
      writeFileSync(path.join(sub, 'b.md'), 'NEEDLE two\n');
      writeFileSync(path.join(sub, 'ignored.txt'), 'needle ignored\n');
      writeFileSync(path.join(sub, 'c.searchexcluded'), 'needle excluded by search.exclude\n');
      writeFileSync(path.join(sub, 'd.filesexcluded'), 'needle excluded by files.exclude\n');
      await setSetting('search', 'exclude', { '**/*.searchexcluded': true });
      await setSetting('files', 'exclude', { '**/*.filesexcluded': true });
      try {
        const all = await workspace.searchText({ pattern: 'needle', isRegex: false, caseSensitive: false, cwd: sub, maxResults: 50 }, never);
        const found = all.matches.map((match) => `${path.relative(sub, match.path)}:${match.line}:${match.text.trim()}`).sort();
        assert.deepEqual(found, ['a.txt:2:needle one', 'b.md:1:NEEDLE two']);
        const exact = await workspace.searchText({ pattern: 'needle', isRegex: false, caseSensitive: true, cwd: sub, maxResults: 50 }, never);
        assert.deepEqual(exact.matches.map((match) => path.basename(match.path)), ['a.txt']);
        // A glob narrows the search; it must not bring back what .gitignore hides.
        const txt = await workspace.searchText({ pattern: 'needle', isRegex: false, caseSensitive: false, glob: '**/*.txt', cwd: sub, maxResults: 50 }, never);
        assert.deepEqual(txt.matches.map((match) => path.basename(match.path)), ['a.txt']);
        const regex = await workspace.searchText({ pattern: 'ne+dle\\s+t', isRegex: true, caseSensitive: false, cwd: sub, maxResults: 50 }, never);
        assert.deepEqual(regex.matches.map((match) => path.basename(match.path)), ['b.md']);
      } finally {
        await setSetting('search', 'exclude', undefined);
        await setSetting('files', 'exclude', undefined);
      }
    });

    it('without ripgrep, lists files through VS Code’s file search (files.exclude applied) and says search needs it', async () => {
      const fallbackLog = recordingLog();
      const plain = createVscodeWorkspace({ log: fallbackLog, ripgrep: null });
      const sub = path.join(dir, 'norg');
      mkdirSync(path.join(sub, 'nested'), { recursive: true });
      for (const name of ['a.txt', 'b.hidden-by-setting', 'nested/c.txt']) {
        writeFileSync(path.join(sub, name), `${name}\n`);
      }
      await setSetting('files', 'exclude', { '**/*.hidden-by-setting': true });
      try {
        const { files, truncated } = await plain.listFiles({ glob: '**/*', cwd: sub, limit: 10 }, never);
        assert.deepEqual(files.map((file) => path.relative(sub, file)), ['a.txt', path.join('nested', 'c.txt')]);
        assert.equal(truncated, false);
        assert.equal((await plain.listFiles({ glob: '**/*', cwd: sub, limit: 1 }, never)).truncated, true);
        await assert.rejects(plain.searchText({ pattern: 'a', isRegex: false, caseSensitive: false, cwd: sub, maxResults: 5 }, never), /needs the ripgrep/);
        assert.ok(fallbackLog.lines.some((line) => line.includes('ripgrep was not found')));
      } finally {
        plain.dispose();
        await setSetting('files', 'exclude', undefined);
      }
    });

    it('reports the Problems panel 1-based, with severity names, sources and codes', async () => {
      const file = path.join(dir, 'problems.ts');
      writeFileSync(file, 'let a = 1;\n\nfoo(bar);\n');
      const uri = vscode.Uri.file(file);
      const collection = vscode.languages.createDiagnosticCollection('ai-studio-test');
      try {
        const warning = new vscode.Diagnostic(new vscode.Range(2, 4, 2, 7), "Cannot find name 'bar'.", vscode.DiagnosticSeverity.Warning);
        warning.source = 'ts';
        warning.code = { value: 2304, target: vscode.Uri.parse('https://example.invalid/2304') };
        const hint = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 3), 'prefer const', vscode.DiagnosticSeverity.Hint);
        collection.set(uri, [warning, hint]);
        assert.deepEqual(await workspace.problems(file), [
          { path: file, line: 3, column: 5, severity: 'warning', message: "Cannot find name 'bar'.", source: 'ts', code: '2304' },
          { path: file, line: 1, column: 1, severity: 'hint', message: 'prefer const' },
        ]);
        assert.ok((await workspace.problems()).some((problem) => problem.path === file && problem.line === 3));
      } finally {
        collection.dispose();
      }
    });

    it('reports a real language server’s error (the built-in JSON one) for an open file', async () => {
      const file = path.join(dir, 'broken.json');
      writeFileSync(file, '{ "a": 1,, }\n');
      const uri = vscode.Uri.file(file);
      const reported = waitForEvent(
        vscode.languages.onDidChangeDiagnostics,
        (event) => event.uris.some((changed) => changed.toString() === uri.toString()) && vscode.languages.getDiagnostics(uri).length > 0,
        'JSON diagnostics',
      );
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await reported;
      const problems = await workspace.problems(file);
      assert.ok(problems.some((problem) => problem.severity === 'error' && problem.line === 1 && problem.column > 1), JSON.stringify(problems));
      await closeEditors();
    });
  });

  describe('commands in a terminal', () => {
    const log = recordingLog();
    // Generous: the first terminal of a cold host on 2 cores can take more than the 3 s a person gets.
    const commands = createTerminalCommandPort({ log, fallback: createProcessCommandPort(), shellIntegrationTimeoutMs: 15_000 });
    after(() => {
      commands.dispose();
    });

    const run = async (line: string, options: Partial<CommandRequest> = {}, signal = never) => {
      let output = '';
      const outcome = await commands.run({ line, cwd: dir, timeoutMs: 30_000, ...options }, signal, (text) => (output += text));
      return { ...outcome, output };
    };
    const ours = () => vscode.window.terminals.filter((terminal) => terminal.name === terminalName);

    it('cleans escape sequences even when a chunk cuts one in half', () => {
      const cleaner = createTerminalTextCleaner();
      const chunks = ['\u001b]633;C\u0007\u001b[1;3', '2mhi\u001b[0m\r', '\nthere\u001b]633;D;0\u001b', '\\', '\u001b['];
      assert.equal(chunks.map((chunk) => cleaner.push(chunk)).join('') + cleaner.flush(), 'hi\nthere');
    });

    it('runs a command through shell integration: clean output and its exit code', async () => {
      const result = await run(`echo hi; sh -c 'exit 3'`);
      assert.deepEqual({ exitCode: result.exitCode, timedOut: result.timedOut, via: result.via }, { exitCode: 3, timedOut: false, via: 'terminal' }, log.lines.join('\n'));
      assert.equal(result.output.trim(), 'hi');
      for (const residue of ['\u001b', '\u0007', '\r', '633;']) {
        assert.ok(!result.output.includes(residue), JSON.stringify(result.output));
      }
      assert.equal(ours().length, 1, 'one AI Studio terminal');
    });

    it('reuses the idle terminal of that folder, which starts there', async () => {
      const terminal = ours()[0];
      const result = await run('pwd');
      assert.equal(result.via, 'terminal');
      assert.equal(result.exitCode, 0);
      assert.equal(result.output.trim(), dir);
      assert.deepEqual(ours(), [terminal]);
    });

    it('reports the shell’s exit code when a command exits the shell', async () => {
      const result = await run('echo bye; exit 4');
      assert.equal(result.via, 'terminal');
      assert.equal(result.exitCode, 4);
      assert.equal(ours().length, 0, 'the terminal closed with its shell');
    });

    it('leaves a busy terminal alone, and Stop ends a sleep 100 within 2 s', async () => {
      const stop = new AbortController();
      const started = waitForEvent(vscode.window.onDidStartTerminalShellExecution, (event) => event.execution.commandLine.value === 'sleep 100', 'sleep to start');
      const sleeping = run('sleep 100', {}, stop.signal);
      const busy = (await started).terminal;

      const second = await run('echo while busy');
      assert.equal(second.via, 'terminal');
      assert.equal(second.output.trim(), 'while busy');
      assert.equal(ours().length, 2, 'a second terminal for the second command');

      const t0 = Date.now();
      stop.abort();
      const stopped = await sleeping;
      assert.ok(Date.now() - t0 < 2_000, `stopped after ${Date.now() - t0} ms`);
      assert.deepEqual({ exitCode: stopped.exitCode, timedOut: stopped.timedOut, via: stopped.via }, { exitCode: null, timedOut: false, via: 'terminal' });
      assert.ok(ours().includes(busy), 'Ctrl+C sufficed: the terminal stays for the next command');
    });

    it('never interrupts a command the person typed into an AI Studio terminal', async () => {
      const terminal = ours().find((candidate) => candidate.shellIntegration !== undefined);
      assert.ok(terminal, 'an idle AI Studio terminal from the tests before');
      const theirs = waitForEvent(vscode.window.onDidStartTerminalShellExecution, (event) => event.terminal === terminal, 'the person’s command');
      terminal.sendText('sleep 100');
      const { execution } = await theirs;
      let theirsEnded = false;
      const watch = vscode.window.onDidEndTerminalShellExecution((event) => {
        theirsEnded ||= event.execution === execution;
      });
      try {
        const result = await run('echo mine');
        assert.equal(result.output.trim(), 'mine');
        assert.equal(theirsEnded, false, 'the person’s sleep still runs');
        const ended = waitForEvent(vscode.window.onDidEndTerminalShellExecution, (event) => event.execution === execution, 'the person’s Ctrl+C');
        terminal.sendText('\u0003', false);
        await ended;
      } finally {
        watch.dispose();
      }
    });

    it('closes the terminal of a command that ignores Ctrl+C, killing it', async () => {
      const fifo = path.join(dir, 'held.fifo');
      execFileSync('mkfifo', [fifo]);
      // The sleep holds the FIFO's only writer: the reader sees its end when, and only when, the process is gone.
      const reader = createReadStream(fifo);
      const opened = new Promise<void>((resolve) => reader.once('open', () => resolve()));
      const gone = new Promise<void>((resolve) => reader.on('end', resolve).on('close', resolve).resume());
      const stop = new AbortController();
      const started = waitForEvent(vscode.window.onDidStartTerminalShellExecution, (event) => event.execution.commandLine.value.includes('trap'), 'the stubborn command to start');
      const stubborn = run(`bash -c 'trap "" INT; exec sleep 100' > '${fifo}'`, {}, stop.signal);
      await started;
      await opened;
      const t0 = Date.now();
      stop.abort();
      const outcome = await stubborn;
      assert.ok(Date.now() - t0 < 2_500, `ended after ${Date.now() - t0} ms`);
      assert.equal(outcome.exitCode, null);
      assert.equal(outcome.via, 'terminal');
      await gone;
      assert.ok(log.lines.some((line) => line.includes('did not end') && line.includes('closing its terminal')), log.lines.join('\n'));
    });

    it('times out: Ctrl+C, timedOut and no exit code', async () => {
      const t0 = Date.now();
      const result = await run('sleep 100', { timeoutMs: 1_000 });
      assert.deepEqual({ exitCode: result.exitCode, timedOut: result.timedOut, via: result.via }, { exitCode: null, timedOut: true, via: 'terminal' });
      assert.ok(Date.now() - t0 < 5_000, `${Date.now() - t0} ms`);
    });

    it('runs bash, whatever the person’s default terminal profile is (the policy judged the line as bash)', async () => {
      await setSetting('terminal.integrated', 'profiles.linux', { plainSh: { path: '/bin/sh' } });
      await setSetting('terminal.integrated', 'defaultProfile.linux', 'plainSh');
      try {
        const cwd = path.join(dir, 'bash');
        mkdirSync(cwd);
        const result = await run('echo "bash $BASH_VERSION"', { cwd });
        assert.equal(result.via, 'terminal');
        assert.match(result.output.trim(), /^bash \d+\.\d+/);
      } finally {
        await setSetting('terminal.integrated', 'defaultProfile.linux', undefined);
        await setSetting('terminal.integrated', 'profiles.linux', undefined);
      }
    });

    it('runs a multi-line command as a child process (shell integration never reports its end)', async () => {
      const result = await run('echo one\necho two');
      assert.equal(result.via, 'process');
      assert.equal(result.exitCode, 0);
      assert.deepEqual(result.output.trim().split(/\r?\n/), ['one', 'two']);
      assert.ok(log.lines.some((line) => line.includes('multi-line')));
    });

    it('runs as a child process when shell integration is turned off', async () => {
      await setSetting('terminal.integrated', 'shellIntegration.enabled', false);
      try {
        const before = ours().length;
        const result = await run(`echo off; sh -c 'exit 5'`);
        assert.deepEqual({ exitCode: result.exitCode, via: result.via, output: result.output.trim() }, { exitCode: 5, via: 'process', output: 'off' });
        assert.equal(ours().length, before, 'no terminal was opened for it');
        assert.ok(log.lines.some((line) => line.includes('shellIntegration.enabled is off')));
      } finally {
        await setSetting('terminal.integrated', 'shellIntegration.enabled', undefined);
      }
    });

    it('runs as a child process when the shell has no shell integration (sh)', async () => {
      const plainLog = recordingLog();
      // dash: a shell VS Code cannot inject shell integration into.
      const plain = createTerminalCommandPort({ log: plainLog, fallback: createProcessCommandPort(), shellIntegrationTimeoutMs: 1_500, shellPath: '/bin/sh' });
      try {
        const cwd = path.join(dir, 'plain');
        mkdirSync(cwd);
        let output = '';
        const outcome: CommandOutcome = await plain.run({ line: 'pwd; exit 6', cwd, timeoutMs: 30_000 }, never, (text) => (output += text));
        assert.deepEqual(outcome, { exitCode: 6, timedOut: false, via: 'process' });
        assert.equal(output.trim(), cwd);
        assert.ok(plainLog.lines.some((line) => line.includes('shell integration did not activate within 1500 ms')), plainLog.lines.join('\n'));
        // The next command does not wait again for a terminal that has shown it will not integrate.
        const t0 = Date.now();
        assert.equal((await plain.run({ line: 'true', cwd, timeoutMs: 30_000 }, never, () => undefined)).via, 'process');
        assert.ok(Date.now() - t0 < 1_500, `${Date.now() - t0} ms`);
      } finally {
        plain.dispose();
      }
    });
  });

  describe('diff views', () => {
    const diffs = createDiffViews();
    after(() => {
      diffs.dispose();
    });

    const diffTab = (label: string) =>
      vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((tab) => tab.label === label && tab.input instanceof vscode.TabInputTextDiff);
    const textOf = async (uri: vscode.Uri) => (await vscode.workspace.openTextDocument(uri)).getText();

    it('opens a proposed change as a diff editor of texts held in memory', async () => {
      const file = path.join(dir, 'app.ts');
      await diffs.show('app.ts: proposed edit', file, 'const a = 1;\n', 'const a = 2;\n');
      await waitUntil(() => diffTab('app.ts: proposed edit') !== undefined, vscode.window.tabGroups.onDidChangeTabs, 'the diff tab');
      const input = diffTab('app.ts: proposed edit')?.input as vscode.TabInputTextDiff;
      assert.equal(input.original.scheme, diffScheme);
      assert.equal(input.modified.scheme, diffScheme);
      assert.equal(path.basename(input.original.path), 'app.ts', 'named like the file, so it gets its language');
      assert.equal(await textOf(input.original), 'const a = 1;\n');
      assert.equal(await textOf(input.modified), 'const a = 2;\n');

      await diffs.show('new.ts: proposed file', path.join(dir, 'new.ts'), null, 'export {};\n');
      await waitUntil(() => diffTab('new.ts: proposed file') !== undefined, vscode.window.tabGroups.onDidChangeTabs, 'the new-file diff tab');
      assert.equal(await textOf((diffTab('new.ts: proposed file')?.input as vscode.TabInputTextDiff).original), '');
    });

    it('diffs a kept original against the file on disk', async () => {
      const file = path.join(dir, 'kept.txt');
      writeFileSync(file, 'changed by the agent\n');
      await diffs.showFileDiff(file, 'the original\n', 'kept.txt since the turn');
      await waitUntil(() => diffTab('kept.txt since the turn') !== undefined, vscode.window.tabGroups.onDidChangeTabs, 'the file diff tab');
      const input = diffTab('kept.txt since the turn')?.input as vscode.TabInputTextDiff;
      assert.equal(await textOf(input.original), 'the original\n');
      assert.equal(input.modified.toString(), vscode.Uri.file(file).toString());
      await closeEditors();
    });
  });
});
