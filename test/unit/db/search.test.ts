import * as assert from 'node:assert/strict';
import { AgentsRepository } from '../../../src/db/repositories/agents';
import { EventsRepository } from '../../../src/db/repositories/events';
import { MessagesRepository } from '../../../src/db/repositories/messages';
import { RunsRepository } from '../../../src/db/repositories/runs';
import { SessionsRepository, type Session } from '../../../src/db/repositories/sessions';
import { migrate } from '../../../src/db/schema/migrations';
import { bm25, search, toMatchExpression, type SearchOptions } from '../../../src/db/search';
import { searchStore } from '../../../src/db/textIndexer';
import { SqlJsExecutor } from '../../../src/db/sql';
import { ManualClock, openMemoryStore, sqlJs, type MemoryStore } from './support/memoryStore';

describe('full-text search', () => {
  let store: MemoryStore;
  let clock: ManualClock;
  let sessions: SessionsRepository;
  let messages: MessagesRepository;
  let events: EventsRepository;
  let session: Session;
  const find = (query: string, options?: SearchOptions) => searchStore(store, query, options);
  const say = (target: Session, text: string) =>
    messages.append(target.id, null, { role: 'user', content: [{ type: 'text', text }] });

  beforeEach(async () => {
    store = await openMemoryStore();
    clock = new ManualClock();
    sessions = new SessionsRepository(store, clock);
    messages = new MessagesRepository(store, clock);
    events = new EventsRepository(store, clock);
    session = await sessions.create({ title: 'search' });
  });
  afterEach(() => store.close());

  it('ranks a message with the term twice above one with it once', async () => {
    const once = await say(session, 'the kettle is on the stove tonight');
    const twice = await say(session, 'kettle on, and the kettle whistles');
    await say(session, 'nothing relevant here at all');
    const hits = await find('kettle');
    assert.deepEqual(
      hits.map((hit) => hit.id),
      [twice.id, once.id],
    );
    assert.ok(hits[0]!.score > hits[1]!.score && hits[1]!.score > 0);
  });

  it('weighs a rare term above a common one (idf)', async () => {
    for (let i = 0; i < 5; i += 1) {
      await say(session, `common filler line ${i}`);
    }
    const commonTwice = await say(session, 'common common zeppelin here');
    const rareTwice = await say(session, 'common zeppelin zeppelin here');
    assert.deepEqual(
      (await find('common zeppelin')).map((hit) => hit.id),
      [rareTwice.id, commonTwice.id],
    );
    assert.equal((await find('common')).length, 7);
  });

  it('returns a plain-text snippet with the matched words marked', async () => {
    const long = `${'filler '.repeat(40)}the secret ingredient is cardamom ${'more '.repeat(40)}`;
    const message = await say(session, long);
    const [hit] = await find('cardamom');
    assert.equal(hit?.id, message.id);
    assert.equal(hit.kind, 'message');
    assert.equal(hit.label, 'user');
    assert.equal(hit.sessionId, session.id);
    assert.equal(hit.createdAt, message.createdAt);
    assert.ok(hit.snippet.length < long.length, 'cut around the match');
    assert.match(hit.snippet, /…/);
    assert.deepEqual(
      hit.highlights.map(([start, end]) => hit.snippet.slice(start, end)),
      ['cardamom'],
    );
    assert.ok(
      !/[<>]/.test(hit.snippet) && !hit.snippet.includes('\u0002') && !hit.snippet.includes('\u0003'),
      'no markers left',
    );
  });

  it('searches by prefix with a trailing star, and folds case and accents', async () => {
    const message = await say(session, 'Streaming Café responses');
    assert.deepEqual(
      (await find('stream*')).map((hit) => hit.id),
      [message.id],
    );
    assert.deepEqual(await find('stream'), [], 'without the star, whole words only');
    assert.deepEqual(
      (await find('CAFE')).map((hit) => hit.id),
      [message.id],
    );
    assert.deepEqual(
      (await find('"café responses"')).map((hit) => hit.id),
      [message.id],
      'quoted phrase',
    );
    assert.deepEqual(await find('"responses café"'), [], 'a phrase keeps its order');
  });

  it('never throws on hostile input, and finds nothing in an empty query', async () => {
    await say(session, 'and or not near - ( ) * " : ^ all typed by a person');
    for (const query of [
      '',
      '   ',
      '"',
      '""',
      '"unbalanced',
      'AND',
      'OR',
      'NOT',
      'a OR',
      'NEAR/2',
      '-',
      '--x',
      '(',
      ')',
      '*',
      '**',
      'text:foo',
      "'; DROP TABLE messages; --",
      '^start',
      '{a b}',
      '\u0000',
      '🙂',
      'a'.repeat(5000),
      'x '.repeat(500),
      'near(a b)',
    ]) {
      await assert.doesNotReject(() => find(query), `query ${JSON.stringify(query)}`);
    }
    assert.deepEqual(await find(''), []);
    assert.deepEqual(await find('"'), []);
    assert.equal((await find('AND')).length, 1, 'operators are plain words');
    assert.equal((await find('NOT near')).length, 1);
    assert.equal(store.read((sql) => sql.get<{ n: number }>('SELECT count(*) AS n FROM messages'))?.n, 1);
  });

  it('turns input into quoted phrases', () => {
    assert.equal(toMatchExpression('Hello wor*'), '"hello" "wor*"');
    assert.equal(toMatchExpression('foo-bar "Exact Phrase" -baz ('), '"foo bar" "exact phrase" "baz"');
    assert.equal(toMatchExpression('AND OR NOT'), '"and" "or" "not"');
    assert.equal(toMatchExpression(' " ( ) * - '), undefined);
    assert.equal(toMatchExpression(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '))?.split(' ').length, 32);
  });

  it('finds event payloads, and narrows to one session or one run', async () => {
    const other = await sessions.create({ title: 'other' });
    const mine = await say(session, 'deploy the rocket');
    await say(other, 'rocket science');
    const event = await events.append({
      type: 'tool.call.completed',
      sessionId: session.id,
      payload: { tool: 'shell', output: 'rocket launched' },
    });
    const agent = await new AgentsRepository(store, clock).create({ name: 'A', provider: 'ollama', model: 'm' });
    const run = await new RunsRepository(store, clock).create({ agentId: agent.id, task: 'x' });
    const runEvent = await events.append({ type: 'run.started', runId: run.id, payload: { note: 'rocket run' } });

    assert.equal((await find('rocket')).length, 4);
    assert.deepEqual(
      new Set((await find('rocket', { sessionId: session.id })).map((hit) => hit.id)),
      new Set([mine.id, event.id]),
    );
    assert.deepEqual(
      (await find('rocket', { runId: run.id })).map((hit) => [hit.kind, hit.id, hit.runId, hit.label]),
      [['event', runEvent.id, run.id, 'run.started']],
    );
    assert.deepEqual(
      (await find('launched')).map((hit) => [hit.kind, hit.label, hit.snippet]),
      [['event', 'tool.call.completed', 'shell\nrocket launched']],
    );
    assert.equal((await find('rocket', { limit: 2 })).length, 2);
    assert.deepEqual(await find('rocket', { limit: 0 }), []);
  });

  it('says what is missing when the ranking function was not registered', async () => {
    const SQL = await sqlJs();
    const db = new SQL.Database();
    try {
      db.run('PRAGMA foreign_keys = ON');
      const sql = new SqlJsExecutor(db);
      migrate(sql);
      assert.throws(() => search(sql, 'anything'), /registerSearchFunctions\(db\)/);
    } finally {
      db.close();
    }
  });

  it('scores garbage matchinfo as zero instead of failing the query', () => {
    assert.equal(bm25(null), 0);
    assert.equal(bm25('text'), 0);
    assert.equal(bm25(new Uint8Array(3)), 0);
  });
});
