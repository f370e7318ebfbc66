import * as assert from 'node:assert/strict';
import { AgentsRepository } from '../../../../src/db/repositories/agents';
import { EventsRepository } from '../../../../src/db/repositories/events';
import { MessagesRepository } from '../../../../src/db/repositories/messages';
import { PricesRepository } from '../../../../src/db/repositories/prices';
import { RunsRepository } from '../../../../src/db/repositories/runs';
import { SessionsRepository } from '../../../../src/db/repositories/sessions';
import { SettingsRepository } from '../../../../src/db/repositories/settings';
import { indexPendingText } from '../../../../src/db/textIndex';
import { search } from '../../../../src/db/search';
import { SqlJsExecutor } from '../../../../src/db/sql';
import {
  dumpDatabase,
  ManualClock,
  openMemoryStore,
  prepareConnection,
  replay,
  sqlJs,
  type MemoryStore,
} from '../support/memoryStore';

/**
 * The durable store journals each transaction as its statements and parameters and replays them in other windows
 * and at recovery. These tests replay what the repositories wrote onto fresh databases and demand identical
 * content, full-text index included: the proof that nothing they write depends on the replica.
 */

const nonDeterministic =
  /\b(random|randomblob|datetime|date|time|julianday|unixepoch|strftime|last_insert_rowid|changes|total_changes)\s*\(|current_(time|date|timestamp)|'now'/i;

async function workload(store: MemoryStore): Promise<void> {
  const clock = new ManualClock();
  const agents = new AgentsRepository(store, clock);
  const sessions = new SessionsRepository(store, clock);
  const messages = new MessagesRepository(store, clock);
  const events = new EventsRepository(store, clock);
  const runs = new RunsRepository(store, clock);
  const step = () => clock.advance(7);

  const agent = await agents.create({
    name: 'Helper',
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    params: { temperature: 0.5 },
  });
  step();
  await agents.update(agent.id, { systemPrompt: 'Answer in French.' });
  const spare = await agents.duplicate(agent.id);
  await agents.archive(spare.id);
  const session = await sessions.create({ agentId: agent.id, title: 'Cooking' });
  const doomed = await sessions.create({ title: 'Scratch' });
  let parent: string | null = null;
  for (let turn = 0; turn < 6; turn += 1) {
    step();
    const user = await messages.append(session.id, parent, {
      role: 'user',
      content: [{ type: 'text', text: `recipe number ${turn} with café au lait` }],
    });
    await events.append({ type: 'message.user', sessionId: session.id, messageId: user.id, payload: { turn } });
    const reply = await messages.append(session.id, user.id, {
      role: 'assistant',
      content: [],
      status: 'streaming',
      agentVersionId: agent.currentVersion.id,
    });
    await messages.update(reply.id, { content: [{ type: 'text', text: `partial ${turn}` }] });
    await messages.update(reply.id, {
      content: [{ type: 'text', text: `Voici la recette ${turn}: crêpes` }],
      status: 'complete',
    });
    await events.append({
      type: 'llm.response.completed',
      sessionId: session.id,
      messageId: reply.id,
      tokens: { input: 100 + turn, output: 50 },
      costMicroUsd: 425,
      payload: { finishReason: 'stop' },
    });
    parent = reply.id;
  }
  const edited = await messages.branch(parent!, {
    role: 'assistant',
    content: [{ type: 'blob', hash: 'f'.repeat(64), mimeType: 'image/png', size: 70_000 }],
  });
  await sessions.setHead(session.id, edited.id);
  const scratch = await messages.append(doomed.id, null, {
    role: 'user',
    content: [{ type: 'text', text: 'throwaway words' }],
  });
  await events.append({ type: 'llm.error', sessionId: doomed.id, messageId: scratch.id, payload: { kind: 'timeout' } });
  await sessions.delete(doomed.id);
  const run = await runs.create({ agentId: agent.id, task: 'translate', items: ['un', 'deux'] });
  await runs.setStatus(run.id, 'running');
  await events.append({ type: 'run.started', runId: run.id, payload: { items: 2 } });
  const [item] = runs.listItems(run.id);
  await runs.updateItem(item!.id, { status: 'completed', output: 'one', sessionId: session.id });
  await new SettingsRepository(store, clock).set('ui.lastSession', session.id);
  await new PricesRepository(store, clock).upsert({
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    effectiveFrom: 0,
    inputPerMTok: 1,
    outputPerMTok: 5,
    cacheReadPerMTok: 0.1,
    cacheWritePerMTok: 1.25,
  });
  await messages.deleteSubtree(edited.id);
  await agents.delete(spare.id);
}

describe('journal replay of repository writes', () => {
  let store: MemoryStore;
  before(async () => {
    store = await openMemoryStore();
    await workload(store);
  });
  after(() => store.close());

  it('rebuilds an identical database, search index included, from the journal alone', async () => {
    const SQL = await sqlJs();
    const replica = prepareConnection(new SQL.Database());
    try {
      replay(replica, store.journal);
      assert.equal(dumpDatabase(replica), dumpDatabase(store.db), 'the same rows, and the same rows queued for indexing');
      // Indexing is not journaled: each replica indexes its queue, and gets the identical index. (A copy of the
      // original, because the next test replays the same journal against it.)
      const copy = prepareConnection(new SQL.Database(store.db.export()));
      for (const db of [replica, copy]) {
        db.run('BEGIN');
        indexPendingText(new SqlJsExecutor(db));
        db.run('COMMIT');
      }
      const original = dumpDatabase(copy);
      assert.match(original, /messages_fts_segdir: \["\[/, 'the dump covers the index');
      assert.equal(dumpDatabase(replica), original);
      const query = (sql: SqlJsExecutor) =>
        search(sql, 'crêpes').map(({ id, snippet, score }) => ({ id, snippet, score }));
      assert.equal(query(new SqlJsExecutor(replica)).length, 6);
      assert.deepEqual(query(new SqlJsExecutor(replica)), query(new SqlJsExecutor(copy)));
      copy.close();
    } finally {
      replica.close();
    }
  });

  it('stays identical across a checkpoint: snapshot, VACUUM, then the rest of the journal', async () => {
    const SQL = await sqlJs();
    const half = Math.floor(store.journal.length / 2);
    const first = prepareConnection(new SQL.Database());
    replay(first, store.journal.slice(0, half));
    // Deleting then re-inserting leaves gaps; VACUUM may renumber implicit rowids, never INTEGER PRIMARY KEYs.
    const snapshot = prepareConnection(new SQL.Database(first.export()));
    first.close();
    try {
      snapshot.run('VACUUM');
      replay(snapshot, store.journal.slice(half));
      assert.equal(dumpDatabase(snapshot), dumpDatabase(store.db));
      assert.equal(
        new SqlJsExecutor(snapshot).get<{ ok: string }>('SELECT integrity_check AS ok FROM pragma_integrity_check')?.ok,
        'ok',
      );
    } finally {
      snapshot.close();
    }
  });

  it('journals only JSON-safe parameters and no non-deterministic SQL, schema triggers included', () => {
    const statements = store.journal.flatMap((record) => JSON.parse(record) as { sql: string; params: unknown[] }[]);
    assert.ok(statements.length > 50);
    for (const { sql, params } of statements) {
      assert.doesNotMatch(sql, nonDeterministic);
      for (const param of params) {
        assert.ok(
          param === null || typeof param === 'string' || (typeof param === 'number' && Number.isFinite(param)),
          sql,
        );
      }
    }
  });
});
