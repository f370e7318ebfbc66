import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applyUndo, type UndoResult } from '../../../../src/core/agent/undoApply';
import { planUndo, type UndoFile, type UndoInput, type UndoPlan } from '../../../../src/core/agent/undo';
import { FileOriginals } from '../../../../src/core/agent/undoOriginals';
import { FILE_ORIGINAL_EVENT, UNDO_EVENT } from '../../../../src/core/agent/undoRecords';
import { systemClock } from '../../../../src/core/ports';
import type { WorkspacePort } from '../../../../src/core/tools/toolTypes';
import { BlobStore } from '../../../../src/db/blobs';
import { nodeFs } from '../../../../src/db/fsPort';
import { EventsRepository } from '../../../../src/db/repositories/events';
import { MessagesRepository, type Message } from '../../../../src/db/repositories/messages';
import { SessionsRepository } from '../../../../src/db/repositories/sessions';
import type { Store } from '../../../../src/db/store';
import { openStudioStore } from '../../../../src/db/studioStore';
import { sqlJs, wasmPath, workerPath } from '../../db/support/engine';

/**
 * Undo over the product's durable store in a temp folder, real blob files, and real files in a temp workspace.
 * The workspace is a small fs-backed WorkspacePort (src/node/nodeWorkspace.ts was not there yet when this was
 * written); undo uses only stat, readText, writeText and deleteFile of it.
 */

type FileWorkspace = Pick<WorkspacePort, 'stat' | 'readText' | 'writeText' | 'deleteFile'>;

const fsWorkspace: FileWorkspace = {
  async stat(absolute) {
    try {
      const stat = await fs.stat(absolute);
      return { type: stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other', size: stat.size, mtimeMs: stat.mtimeMs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
  },
  readText: (absolute) => fs.readFile(absolute, 'utf8'),
  async writeText(absolute, text) {
    await fs.mkdir(path.dirname(absolute), { recursive: true });
    await fs.writeFile(absolute, text);
  },
  deleteFile: (absolute) => fs.rm(absolute),
};

/** One edit an agent's tool makes: new text, or null to delete the file. */
type Edit = [relative: string, text: string | null];

interface Turn {
  user: Message;
  tool: Message;
  answer: Message;
}

describe('undo of an agent turn’s file changes', function () {
  this.timeout(30_000);
  let root: string;
  let work: string;
  let store: Store;
  let blobs: BlobStore;
  let events: EventsRepository;
  let messages: MessagesRepository;
  let sessions: SessionsRepository;
  let sessionId: string;

  const storeDir = () => path.join(root, 'store');
  const openStore = async () => openStudioStore({ dir: storeDir(), SQL: await sqlJs(), wasmPath, workerPath, onError: (err) => assert.fail(err) });
  const file = (relative: string) => path.join(work, relative);
  const put = (relative: string, text: string) => {
    mkdirSync(path.dirname(file(relative)), { recursive: true });
    writeFileSync(file(relative), text);
  };
  const read = (relative: string) => (existsSync(file(relative)) ? readFileSync(file(relative), 'utf8') : undefined);
  /** Every file of the workspace with its text: what a person would find in the folder. */
  const tree = () =>
    Object.fromEntries(
      readdirSync(work, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(work, path.join(entry.parentPath, entry.name)))
        .sort()
        .map((relative) => [relative, read(relative)]),
    );

  beforeEach(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ais-undo-'));
    work = path.join(root, 'work');
    mkdirSync(work);
    store = await openStore();
    blobs = new BlobStore(nodeFs, path.join(storeDir(), 'blobs'));
    events = new EventsRepository(store, systemClock);
    messages = new MessagesRepository(store, systemClock);
    sessions = new SessionsRepository(store, systemClock);
    sessionId = (await sessions.create({ title: 'Agent at work' })).id;
  });
  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  const originalsFor = (turnId: string, messageId: () => string) =>
    new FileOriginals({ store, events, blobs, workspace: fsWorkspace, sessionId, turnId, messageId });

  /** Runs the edits the way the tool loop does (keep, write, record); `user` starts the turn, as a reply or a branch. */
  async function runTools(user: Message, edits: Edit[], assistantParent: Message | { branchOf: Message } = user): Promise<Turn> {
    const callContent = [{ type: 'tool_call' as const, id: 'call-1', name: 'write_file', arguments: {} }];
    const call =
      'branchOf' in assistantParent
        ? await messages.branch(assistantParent.branchOf.id, { role: 'assistant', content: callContent })
        : await messages.append(sessionId, assistantParent.id, { role: 'assistant', content: callContent });
    const tool = await messages.append(sessionId, call.id, { role: 'tool', content: [{ type: 'tool_result', callId: 'call-1', output: 'ok' }] });
    const originals = originalsFor(user.id, () => tool.id);
    for (const [relative, text] of edits) {
      await originals.keep(file(relative));
      if (text === null) {
        unlinkSync(file(relative));
      } else {
        put(relative, text);
      }
      await originals.recordWritten(file(relative), text);
    }
    const answer = await messages.append(sessionId, tool.id, { role: 'assistant', content: [{ type: 'text', text: 'Done.' }] });
    return { user, tool, answer };
  }

  async function agentTurn(edits: Edit[], after: Message | { branchOf: Message } | null): Promise<Turn> {
    const content = [{ type: 'text' as const, text: 'Please change the files.' }];
    const user =
      after !== null && 'branchOf' in after
        ? await messages.branch(after.branchOf.id, { role: 'user', content })
        : await messages.append(sessionId, after?.id ?? null, { role: 'user', content });
    return runTools(user, edits);
  }

  const plan = (messageId: string, scope: UndoInput['scope']) =>
    planUndo({ events, messages, sessions, blobs, workspace: fsWorkspace }, { sessionId, messageId, scope });
  const apply = (undo: UndoPlan, resolve: (files: UndoFile[]) => Promise<Set<string>> = noConflictsExpected) =>
    applyUndo({ store, events, blobs, workspace: fsWorkspace }, undo, resolve);
  const actions = (undo: UndoPlan) => undo.files.map((entry) => [path.relative(work, entry.path), entry.action]);
  const counts = (result: UndoResult) => ({ restored: result.restored, skipped: result.skipped });
  const undoEvents = () => events.list({ sessionId }, { types: [UNDO_EVENT] });

  const BOM_CRLF = '\uFEFFline 1\r\nline 2\r\n';

  async function modifyCreateDelete(): Promise<Turn> {
    put('src/app.ts', BOM_CRLF);
    put('src/gone.ts', 'export const gone = 1;\n');
    put('src/untracked.ts', 'never touched by the agent\n');
    const turn = await agentTurn(
      [
        ['src/app.ts', 'rewritten by the agent\n'],
        ['src/made.ts', 'created by the agent\n'],
        ['src/gone.ts', null],
      ],
      null,
    );
    // The person adds a file of their own in the same folder after the turn.
    put('src/mine.ts', 'the person wrote this\n');
    return turn;
  }

  it('restores the modified file byte for byte, deletes the created one, recreates the deleted one and leaves every other file alone', async () => {
    const turn = await modifyCreateDelete();
    const undo = await plan(turn.answer.id, 'turn');
    assert.deepEqual(undo.turnIds, [turn.user.id]);
    assert.deepEqual(actions(undo), [
      ['src/app.ts', 'restore'],
      ['src/gone.ts', 'restore'],
      ['src/made.ts', 'delete'],
    ]);

    const result = await apply(undo);
    assert.deepEqual(counts(result), { restored: 3, skipped: 0 });
    assert.deepEqual(readFileSync(file('src/app.ts')), Buffer.from(BOM_CRLF), 'the BOM and the CRLFs are back as they were');
    assert.deepEqual(tree(), {
      'src/app.ts': BOM_CRLF,
      'src/gone.ts': 'export const gone = 1;\n',
      'src/mine.ts': 'the person wrote this\n',
      'src/untracked.ts': 'never touched by the agent\n',
    });
    const [recorded, ...more] = undoEvents();
    assert.equal(more.length, 0);
    assert.equal(recorded?.messageId, turn.answer.id);
    assert.deepEqual(recorded?.payload, {
      turnIds: [turn.user.id],
      scope: 'turn',
      files: [
        { path: file('src/app.ts'), action: 'restore', outcome: 'restored' },
        { path: file('src/gone.ts'), action: 'restore', outcome: 'restored' },
        { path: file('src/made.ts'), action: 'delete', outcome: 'deleted' },
      ],
    });
  });

  it('does nothing harmful when the same turn is undone a second time', async () => {
    const turn = await modifyCreateDelete();
    await apply(await plan(turn.answer.id, 'turn'));
    const afterFirst = tree();

    const again = await plan(turn.user.id, 'turn');
    assert.deepEqual(actions(again), [
      ['src/app.ts', 'unchanged'],
      ['src/gone.ts', 'unchanged'],
      ['src/made.ts', 'unchanged'],
    ]);
    assert.deepEqual(counts(await apply(again)), { restored: 0, skipped: 0 });
    assert.deepEqual(tree(), afterFirst);
    assert.equal(undoEvents().length, 2);
  });

  it('skips a file the person edited after the agent unless they approve restoring it anyway', async () => {
    put('notes.md', 'original notes\n');
    put('config.json', '{"a": 1}\n');
    const turn = await agentTurn(
      [
        ['notes.md', 'agent notes\n'],
        ['config.json', '{"a": 2}\n'],
      ],
      null,
    );
    put('notes.md', 'agent notes\nand a line the person added\n');

    const undo = await plan(turn.answer.id, 'turn');
    assert.deepEqual(actions(undo), [
      ['config.json', 'restore'],
      ['notes.md', 'conflict'],
    ]);
    assert.match(undo.files[1]!.reason, /changed since the agent wrote it/);
    const asked: string[][] = [];
    const declined = await apply(undo, (files) => {
      asked.push(files.map((entry) => path.relative(work, entry.path)));
      return Promise.resolve(new Set());
    });
    assert.deepEqual(asked, [['notes.md']]);
    assert.deepEqual(counts(declined), { restored: 1, skipped: 1 });
    assert.equal(read('notes.md'), 'agent notes\nand a line the person added\n', 'the person’s edit is kept');
    assert.equal(read('config.json'), '{"a": 1}\n');

    const approved = await apply(await plan(turn.answer.id, 'turn'), (files) => Promise.resolve(new Set(files.map((entry) => entry.path))));
    assert.deepEqual(counts(approved), { restored: 1, skipped: 0 });
    assert.equal(read('notes.md'), 'original notes\n');
  });

  it('treats a file that changed between planning and applying as a conflict, checked right before writing', async () => {
    put('a.txt', 'before\n');
    const turn = await agentTurn([['a.txt', 'agent\n']], null);
    const undo = await plan(turn.answer.id, 'turn');
    assert.deepEqual(actions(undo), [['a.txt', 'restore']]);
    put('a.txt', 'edited while the undo dialog was open\n');

    let offered: UndoFile[] = [];
    const result = await apply(undo, (files) => {
      offered = files;
      return Promise.resolve(new Set());
    });
    assert.deepEqual(
      offered.map((entry) => [path.relative(work, entry.path), entry.action]),
      [['a.txt', 'conflict']],
    );
    assert.match(offered[0]!.reason, /after the undo was planned/);
    assert.deepEqual(counts(result), { restored: 0, skipped: 1 });
    assert.equal(read('a.txt'), 'edited while the undo dialog was open\n');

    // Approved, but changed again while the person was deciding: still not written over.
    const second = await apply(await plan(turn.answer.id, 'turn'), (files) => {
      put('a.txt', 'changed once more\n');
      return Promise.resolve(new Set(files.map((entry) => entry.path)));
    });
    assert.deepEqual(counts(second), { restored: 0, skipped: 1 });
    assert.equal(read('a.txt'), 'changed once more\n');
  });

  it('undoes one turn or everything since it, going back to the earliest original', async () => {
    put('shared.txt', 'v0\n');
    put('second.txt', 'c0\n');
    const first = await agentTurn(
      [
        ['shared.txt', 'v1\n'],
        ['one.txt', 'made in turn 1\n'],
      ],
      null,
    );
    const second = await agentTurn(
      [
        ['shared.txt', 'v2\n'],
        ['second.txt', 'c1\n'],
      ],
      first.answer,
    );

    const secondOnly = await plan(second.answer.id, 'turn');
    assert.deepEqual(secondOnly.turnIds, [second.user.id]);
    assert.deepEqual(actions(secondOnly), [
      ['second.txt', 'restore'],
      ['shared.txt', 'restore'],
    ]);

    const firstOnly = await plan(first.tool.id, 'turn');
    assert.deepEqual(firstOnly.turnIds, [first.user.id]);
    assert.deepEqual(actions(firstOnly), [
      ['one.txt', 'delete'],
      ['shared.txt', 'conflict'],
    ]);
    assert.match(firstOnly.files[1]!.reason, /later turn/);
    assert.deepEqual(counts(await apply(firstOnly, () => Promise.resolve(new Set()))), { restored: 1, skipped: 1 });
    assert.deepEqual(tree(), { 'second.txt': 'c1\n', 'shared.txt': 'v2\n' }, 'only the first turn’s own file was undone');

    const since = await plan(first.user.id, 'since');
    assert.deepEqual(since.turnIds, [first.user.id, second.user.id]);
    assert.deepEqual(actions(since), [
      ['one.txt', 'unchanged'],
      ['second.txt', 'restore'],
      ['shared.txt', 'restore'],
    ]);
    assert.deepEqual(counts(await apply(since)), { restored: 2, skipped: 0 });
    assert.deepEqual(tree(), { 'second.txt': 'c0\n', 'shared.txt': 'v0\n' });
  });

  it('never touches what a branch the session does not show did', async () => {
    put('a.txt', 'a0\n');
    const first = await agentTurn([['a.txt', 'a1\n']], null);
    const hidden = await agentTurn([['hidden.txt', 'from a branch not shown\n']], first.answer);
    // The person edits their message: a new branch beside `hidden`, and the session now shows it.
    const shown = await agentTurn([['shown.txt', 'from the branch shown\n']], { branchOf: hidden.user });

    const since = await plan(first.answer.id, 'since');
    assert.deepEqual(since.turnIds, [first.user.id, shown.user.id]);
    assert.deepEqual(actions(since), [
      ['a.txt', 'restore'],
      ['shown.txt', 'delete'],
    ]);
    assert.deepEqual(counts(await apply(since)), { restored: 2, skipped: 0 });
    assert.deepEqual(tree(), { 'a.txt': 'a0\n', 'hidden.txt': 'from a branch not shown\n' });
    await assert.rejects(plan(hidden.answer.id, 'turn'), /not on the branch the session shows/);
  });

  it('undoes only the reply shown when a retry gave the same turn two replies', async () => {
    const user = await messages.append(sessionId, null, { role: 'user', content: [{ type: 'text', text: 'Write a file.' }] });
    const firstTry = await runTools(user, [['first-try.txt', 'first try\n']]);
    const firstCall = messages.get(firstTry.tool.parentId!)!;
    const retry = await runTools(user, [['retry.txt', 'retry\n']], { branchOf: firstCall });

    const undo = await plan(retry.answer.id, 'turn');
    assert.deepEqual(undo.turnIds, [user.id]);
    assert.deepEqual(actions(undo), [['retry.txt', 'delete']]);
    await apply(undo);
    assert.deepEqual(tree(), { 'first-try.txt': 'first try\n' });
  });

  it('reports an original whose blob is gone and leaves that file as it is', async () => {
    put('a.txt', 'before\n');
    put('b.txt', 'b before\n');
    const turn = await agentTurn(
      [
        ['a.txt', 'agent\n'],
        ['b.txt', 'b agent\n'],
      ],
      null,
    );
    const [kept] = events.list({ sessionId }, { types: [FILE_ORIGINAL_EVENT] });
    const hash = (kept!.payload as { original: { hash: string } }).original.hash;
    unlinkSync(path.join(storeDir(), 'blobs', hash.slice(0, 2), hash));

    const undo = await plan(turn.answer.id, 'turn');
    assert.deepEqual(actions(undo), [
      ['a.txt', 'missing-original'],
      ['b.txt', 'restore'],
    ]);
    assert.match(undo.files[0]!.reason, /gone/);
    assert.deepEqual(counts(await apply(undo)), { restored: 1, skipped: 1 });
    assert.deepEqual(tree(), { 'a.txt': 'agent\n', 'b.txt': 'b before\n' });
  });

  it('keeps one original per path and turn, also when asked concurrently, and never replaces it after a write', async () => {
    put('a.txt', 'first content\n');
    put('b.txt', 'other\n');
    const user = await messages.append(sessionId, null, { role: 'user', content: [{ type: 'text', text: 'Go.' }] });
    const originals = originalsFor(user.id, () => user.id);
    await assert.rejects(originals.recordWritten(file('b.txt'), 'x'), /before keep/);
    await Promise.all([...Array.from({ length: 5 }, () => originals.keep(file('a.txt'))), originals.keep(file('b.txt'))]);
    put('a.txt', 'written by the agent\n');
    await originals.keep(file('a.txt'));

    const kept = events.list({ sessionId }, { types: [FILE_ORIGINAL_EVENT] });
    assert.deepEqual(kept.map((event) => path.relative(work, (event.payload as { path: string }).path)).sort(), ['a.txt', 'b.txt']);
    const ofA = kept.find((event) => (event.payload as { path: string }).path === file('a.txt'))!;
    const blob = (ofA.payload as { original: { hash: string } }).original;
    assert.equal(Buffer.from(await blobs.get(blob.hash)).toString('utf8'), 'first content\n');
  });

  it('has the original on disk before keep() resolves: another window opening the store finds it', async () => {
    put('a.txt', 'precious\n');
    const user = await messages.append(sessionId, null, { role: 'user', content: [{ type: 'text', text: 'Go.' }] });
    await originalsFor(user.id, () => user.id).keep(file('a.txt'));
    await originalsFor(user.id, () => user.id).keep(file('new.txt'));

    // A second store on the same folder reads only what is on disk (the first one is never closed or flushed).
    const other = await openStore();
    try {
      const found = new EventsRepository(other, systemClock).list({ sessionId }, { types: [FILE_ORIGINAL_EVENT] });
      const byPath = new Map(found.map((event) => [(event.payload as { path: string }).path, event.payload as { original: { hash: string } | null }]));
      assert.equal(byPath.get(file('new.txt'))?.original, null, 'a file the turn creates is kept as null');
      const hash = byPath.get(file('a.txt'))?.original?.hash;
      assert.ok(hash, JSON.stringify(found));
      const fromDisk = new BlobStore(nodeFs, path.join(storeDir(), 'blobs'));
      assert.equal(Buffer.from(await fromDisk.get(hash)).toString('utf8'), 'precious\n');
    } finally {
      await other.close();
    }
  });
});

function noConflictsExpected(files: UndoFile[]): Promise<Set<string>> {
  return Promise.reject(new Error(`no conflicts were expected, got ${files.map((file) => file.path).join(', ')}`));
}
