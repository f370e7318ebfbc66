import * as assert from 'node:assert/strict';
import type { Session } from '../../../src/db/repositories/sessions';
import { buildSessionGroups, dayBounds, sessionLabel, type SessionRowOptions } from '../../../src/views/sessionsModel';

/** Local times (the view groups by the local calendar day), built the same way in any time zone. */
const local = (month: number, day: number, hour = 12, minute = 0) => new Date(2025, month, day, hour, minute).getTime();
const NOW = local(5, 15, 12);

let nextId = 0;
function session(title: string, updatedAt: number, agentId: string | null = 'A1'): Session {
  const id = `S${String(nextId++).padStart(25, '0')}`;
  return { id, agentId, title, headMessageId: null, createdAt: updatedAt - 1000, updatedAt, archivedAt: null };
}

function options(changes: Partial<SessionRowOptions> = {}): SessionRowOptions {
  return {
    now: NOW,
    pinned: new Set(),
    agentName: (id) => (id === 'A1' ? 'Helper' : undefined),
    streaming: () => false,
    formatTime: (at) => `t${at}`,
    ...changes,
  };
}

describe('Sessions view model', () => {
  it('groups by pin and the local day of the last activity, newest first in each group', () => {
    const sessions = {
      todayLate: session('today late', local(5, 15, 11)),
      todayMidnight: session('today at midnight', local(5, 15, 0)),
      yesterdayLate: session('yesterday late', local(5, 14, 23, 59)),
      yesterdayEarly: session('yesterday early', local(5, 14, 0)),
      twoDays: session('two days ago', local(5, 13, 9)),
      weekEdge: session('eight days ago at midnight', local(5, 7, 0)),
      older: session('nine days ago', local(5, 6, 23, 59)),
      pinnedOld: session('pinned long ago', local(0, 2)),
      future: session('from a clock ahead', local(5, 16)),
    };
    const groups = buildSessionGroups(Object.values(sessions).reverse(), options({ pinned: new Set([sessions.pinnedOld.id, 'not-a-session']) }));
    assert.deepEqual(
      groups.map((group) => [group.label, group.sessions.map((row) => row.label)]),
      [
        ['Pinned', ['pinned long ago']],
        ['Today', ['from a clock ahead', 'today late', 'today at midnight']],
        ['Yesterday', ['yesterday late', 'yesterday early']],
        ['Previous 7 Days', ['two days ago', 'eight days ago at midnight']],
        ['Older', ['nine days ago']],
      ],
    );
  });

  it('leaves out empty groups, and ties on the last activity keep a stable order', () => {
    const a = session('a', local(5, 15, 8));
    const b = session('b', local(5, 15, 8));
    const groups = buildSessionGroups([a, b], options());
    assert.deepEqual(groups.map((g) => g.id), ['today']);
    assert.deepEqual(groups[0]!.sessions.map((r) => r.label), ['b', 'a']);
    assert.deepEqual(buildSessionGroups([], options()), []);
  });

  it('shows a placeholder title until the chat loop names the session, and the agent as the description', () => {
    const [group] = buildSessionGroups([session('  ', NOW - 1), session('Named', NOW - 2, null), session('Lost agent', NOW - 3, 'A-deleted')], options());
    assert.deepEqual(
      group!.sessions.map((row) => [row.label, row.description]),
      [
        ['New session', 'Helper'],
        ['Named', 'no agent'],
        ['Lost agent', 'unknown agent'],
      ],
    );
    assert.equal(sessionLabel(''), 'New session');
  });

  it('puts the last activity in the tooltip, and the flags the menus need in contextValue', () => {
    const s = session('Plans *bold*', NOW - 5);
    const pinned = buildSessionGroups([s], options({ pinned: new Set([s.id]), streaming: (id) => id === s.id }))[0]!.sessions[0]!;
    assert.equal(pinned.contextValue, 'session pinned streaming');
    assert.equal(pinned.icon.id, 'loading~spin');
    assert.match(pinned.tooltip, /^\*\*Plans \\\*bold\\\*\*\*/);
    assert.ok(pinned.tooltip.includes(`Last activity: t${NOW - 5}`), pinned.tooltip);
    assert.ok(pinned.tooltip.includes('Pinned'));
    assert.match(pinned.accessibilityLabel, /^Plans \*bold\*, Helper, last activity t\d+, pinned, streaming$/);
    const plain = buildSessionGroups([s], options())[0]!.sessions[0]!;
    assert.deepEqual([plain.contextValue, plain.icon.id, plain.id], ['session unpinned', 'comment-discussion', s.id]);
  });

  it('shows only the sessions a filter matched', () => {
    const keep = session('keep', NOW - 1);
    const drop = session('drop', NOW - 2);
    const groups = buildSessionGroups([keep, drop], options({ only: new Set([keep.id]) }));
    assert.deepEqual(groups.flatMap((g) => g.sessions.map((r) => r.label)), ['keep']);
    assert.deepEqual(buildSessionGroups([keep, drop], options({ only: new Set() })), []);
  });

  it('counts days on the calendar, so a daylight-saving change does not move the boundaries', () => {
    const bounds = dayBounds(local(2, 31, 12));
    assert.equal(new Date(bounds.today).getDate(), 31);
    assert.equal(new Date(bounds.yesterday).getDate(), 30);
    assert.equal(new Date(bounds.weekAgo).getDate(), 23);
    assert.deepEqual([new Date(bounds.yesterday).getHours(), new Date(bounds.weekAgo).getHours()], [0, 0]);
  });
});
