import type { Session } from '../db/repositories/sessions';
import { escapeMarkdown } from './providersModel';
import type { TreeRow } from './treeRow';

/**
 * What the Sessions view shows, computed without VS Code so grouping, ordering and wording are unit-tested from
 * plain data: pinned sessions first, then the rest by the local calendar day of their last activity, newest first
 * in each group. The tree provider only turns these into TreeItems.
 */

export const UNTITLED_SESSION = 'New session';

export type SessionGroupId = 'pinned' | 'today' | 'yesterday' | 'previous7Days' | 'older';

export const GROUP_LABELS: Record<SessionGroupId, string> = {
  pinned: 'Pinned',
  today: 'Today',
  yesterday: 'Yesterday',
  previous7Days: 'Previous 7 Days',
  older: 'Older',
};

const GROUP_ORDER: readonly SessionGroupId[] = ['pinned', 'today', 'yesterday', 'previous7Days', 'older'];

export interface SessionRow extends TreeRow {
  kind: 'session';
  pinned: boolean;
  updatedAt: number;
}

export interface SessionGroup {
  kind: 'group';
  id: SessionGroupId;
  label: string;
  sessions: SessionRow[];
}

export interface SessionRowOptions {
  now: number;
  pinned: ReadonlySet<string>;
  /** The agent's name; undefined when the session has none or its agent was deleted. */
  agentName(agentId: string | null): string | undefined;
  streaming(sessionId: string): boolean;
  formatTime(epochMs: number): string;
  /** Only these sessions (a filter is on); undefined shows all. */
  only?: ReadonlySet<string>;
}

/** Groups in display order; empty groups are left out. */
export function buildSessionGroups(sessions: readonly Session[], options: SessionRowOptions): SessionGroup[] {
  const bounds = dayBounds(options.now);
  const groups = new Map<SessionGroupId, SessionRow[]>();
  const sorted = sessions
    .filter((session) => options.only === undefined || options.only.has(session.id))
    .slice()
    .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  for (const session of sorted) {
    const row = buildSessionRow(session, options);
    const group = row.pinned ? 'pinned' : groupOf(session.updatedAt, bounds);
    const rows = groups.get(group) ?? [];
    rows.push(row);
    groups.set(group, rows);
  }
  return GROUP_ORDER.flatMap((id) => {
    const rows = groups.get(id);
    return rows ? [{ kind: 'group' as const, id, label: GROUP_LABELS[id], sessions: rows }] : [];
  });
}

export function buildSessionRow(session: Session, options: Omit<SessionRowOptions, 'now' | 'only'>): SessionRow {
  const pinned = options.pinned.has(session.id);
  const streaming = options.streaming(session.id);
  const label = sessionLabel(session.title);
  const agent = options.agentName(session.agentId);
  const description = agent ?? (session.agentId === null ? 'no agent' : 'unknown agent');
  const lastActivity = options.formatTime(session.updatedAt);
  const tooltip = [
    `**${escapeMarkdown(label)}**`,
    '',
    `Agent: ${escapeMarkdown(description)}`,
    `Last activity: ${escapeMarkdown(lastActivity)}`,
    `Started: ${escapeMarkdown(options.formatTime(session.createdAt))}`,
    ...(pinned ? ['Pinned'] : []),
    ...(streaming ? ['A reply is streaming'] : []),
  ].join('  \n');
  const flags = ['session', pinned ? 'pinned' : 'unpinned', ...(streaming ? ['streaming'] : [])];
  return {
    kind: 'session',
    id: session.id,
    label,
    description,
    tooltip,
    icon: streaming ? { id: 'loading~spin' } : pinned ? { id: 'pinned' } : { id: 'comment-discussion' },
    contextValue: flags.join(' '),
    accessibilityLabel: `${label}, ${description}, last activity ${lastActivity}${pinned ? ', pinned' : ''}${streaming ? ', streaming' : ''}`,
    pinned,
    updatedAt: session.updatedAt,
  };
}

/** Sessions are created untitled ('') and named after their first exchange; until then they show this. */
export function sessionLabel(title: string): string {
  const trimmed = title.trim();
  return trimmed === '' ? UNTITLED_SESSION : trimmed;
}

interface DayBounds {
  today: number;
  yesterday: number;
  weekAgo: number;
}

/** Local midnights, from the calendar (not 24 h steps), so a daylight-saving change does not shift a group. */
export function dayBounds(now: number): DayBounds {
  const day = (offset: number) => {
    const date = new Date(now);
    date.setHours(0, 0, 0, 0);
    date.setDate(date.getDate() - offset);
    return date.getTime();
  };
  return { today: day(0), yesterday: day(1), weekAgo: day(8) };
}

/** "Previous 7 Days" are the seven days before yesterday. A time in the future (another machine's clock) is today. */
function groupOf(updatedAt: number, bounds: DayBounds): SessionGroupId {
  if (updatedAt >= bounds.today) {
    return 'today';
  }
  if (updatedAt >= bounds.yesterday) {
    return 'yesterday';
  }
  if (updatedAt >= bounds.weekAgo) {
    return 'previous7Days';
  }
  return 'older';
}
