// Reads of the change history; writes happen only through history.recorder.ts.
import { and, asc, eq, gt, gte, inArray, lt, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { HISTORY_ENTITIES } from '../../db/enums.js';
import { changeHistory } from '../../db/schema.js';
import { instantBound } from '../../lib/dates.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import { shownChanges } from './history.recorder.js';
import type { HistoryEntry, HistoryFilter } from './history.schemas.js';

type Row = typeof changeHistory.$inferSelect;

function toEntry(r: Row): HistoryEntry {
  return {
    id: r.id,
    at: r.at,
    actor: { keyId: r.actorKeyId, role: r.actorRole as HistoryEntry['actor']['role'], organizationId: r.actorOrganizationId },
    operation: r.operation,
    entityType: r.entityType,
    entityId: r.entityId,
    planId: r.planId,
    taskId: r.taskId,
    changes: shownChanges(r.entityType, r.changes),
  };
}

const eqIf = <T>(column: Parameters<typeof eq>[0], value: T | undefined) => (value === undefined ? undefined : eq(column, value));

const cursor = cursorFor('history');

/** Entries a time window's probes read at most (the (at, id) index alone): a window this small is bounded by its ids. */
export const WINDOW_PROBE = 1000;

/**
 * Bounds on the ids of the entries of a page of a time window, read from the (at, id) index, or null when the
 * window holds no entry. The feed is in id order and its instants need not be (an entry's id is made by the uuid
 * library as it is written, its instant by the service's clock just before its transaction; another program writes
 * too, and a clock can step back), so SQLite walks the ids from the first and checks each instant: `since` an
 * hour ago read every older entry first (80–110 ms on 400,000 entries), and an `until` before every entry read them
 * all (70–120 ms). The least (and greatest) id of the window is exact whatever the order of the instants, and seeks:
 * - a window of fewer than `probe` entries: both, from a covering read of those entries (an empty one answers at once);
 * - a larger window with `since`: its least id, unless fewer than `probe` entries come before it (a walk from the first
 *   id is then as short), from a covering read of the window (23 ms over 400,000 entries, the worst, against 80);
 * - otherwise none: the first page is among the first ids walked.
 * With a cursor, only a small window's: the cursor seeks the start of a later page, and the greatest id ends the walk of
 * the last one, which otherwise read every entry after the window. Not with a task or an entity named (their indexes
 * seek a few entries).
 */
function windowIds(db: Db, f: HistoryFilter, probe: number): { from?: string; to?: string } | null {
  if (f.taskId !== undefined || f.entityId !== undefined) return {};
  const since = f.since === undefined ? undefined : instantBound(f.since);
  const until = f.until === undefined ? undefined : instantBound(f.until);
  if (since === undefined && until === undefined) return {};
  const within = (lo: string | undefined, hi: string | undefined) =>
    and(lo === undefined ? undefined : gte(changeHistory.at, lo), hi === undefined ? undefined : lt(changeHistory.at, hi));
  const atLeast = (where: SQL | undefined) => db.select({ one: sql`1` }).from(changeHistory).where(where).limit(probe).all().length >= probe;
  // `+id`: the least id of the window by the (at, id) index, not by walking every id from the first in search of one.
  const ids = () =>
    db
      .select({ from: sql<string | null>`min(+${changeHistory.id})`, to: sql<string | null>`max(+${changeHistory.id})` })
      .from(changeHistory)
      .where(within(since, until))
      .get();
  if (!atLeast(within(since, until))) {
    const { from, to } = ids() ?? { from: null, to: null };
    return from === null || to === null ? null : { from, to };
  }
  // A later page starts after its cursor, in the window already; a small window's bounds (above) still end its walk.
  if (f.cursor !== undefined || since === undefined || !atLeast(within(undefined, since))) return {};
  const from = ids()?.from;
  return from === null || from === undefined ? null : { from };
}

/**
 * The query of listHistory (exported so that a test can read how SQLite runs it). Two filters are written so that the
 * most selective index serves them; on 400,000 entries each walked a whole index otherwise (75–90 ms):
 * - a task's entries all carry its plan, so with a task named the plan is only checked (an expression no index
 *   serves), and SQLite seeks the task's entries rather than walk every entry of the plan;
 * - an entity's id alone cannot seek the (entity type, entity id) index, so the types asked are named;
 * - with a task or an entity named, a key or an organization is only checked (below);
 * - an entity type alone seeks the (type, id) index; with anything else named it is only checked (below).
 * A time window is bounded by ids as well (windowIds).
 */
export function historyQuery(db: Db, f: HistoryFilter, hidden: readonly HistoryEntry['entityType'][] = [], probe = WINDOW_PROBE) {
  const types = f.entityType !== undefined ? [f.entityType] : f.entityId !== undefined ? HISTORY_ENTITIES.filter((e) => !hidden.includes(e)) : undefined;
  const ids = windowIds(db, f, probe);
  // A task's or an entity's index seeks a few entries; a key's or an organization's may hold most of the history (a
  // ministry's system writes them all), and SQLite, knowing neither, took the latter: so with a task or an entity named
  // the key and the organization are only checked (`+`).
  const fewNamed = f.taskId !== undefined || f.entityId !== undefined;
  // A type alone is sought by the (type, id) index, past the cursor. Beside a plan, a task, a key or an organization it
  // is only checked (`+`), as before that index: SQLite, knowing neither count, took it, and walked every entry of the
  // type in search of a small plan's or a key's few (67 ms for none on 390,000 entries, against 1 ms).
  const typeSought = f.entityId !== undefined || (f.planId === undefined && f.taskId === undefined && f.actorKeyId === undefined && f.actorOrganizationId === undefined);
  return db
    .select()
    .from(changeHistory)
    .where(
      and(
        f.planId === undefined ? undefined : f.taskId === undefined ? eq(changeHistory.planId, f.planId) : sql`(${changeHistory.planId} || '') = ${f.planId}`,
        eqIf(changeHistory.taskId, f.taskId),
        types === undefined ? undefined : typeSought ? inArray(changeHistory.entityType, types) : inArray(sql`+${changeHistory.entityType}`, types),
        hidden.length === 0 ? undefined : notInArray(changeHistory.entityType, [...hidden]),
        eqIf(changeHistory.entityId, f.entityId),
        eqIf(changeHistory.operation, f.operation),
        eqIf(fewNamed ? sql`+${changeHistory.actorKeyId}` : changeHistory.actorKeyId, f.actorKeyId),
        eqIf(fewNamed ? sql`+${changeHistory.actorOrganizationId}` : changeHistory.actorOrganizationId, f.actorOrganizationId),
        // Checked, not sought (`+`): by the index of instants SQLite would read the whole window and sort it for each page
        // (40 ms a page of a window of 385,000 entries); the ids bound it (windowIds) and the order is theirs.
        f.since === undefined ? undefined : gte(sql`+${changeHistory.at}`, instantBound(f.since)),
        f.until === undefined ? undefined : lt(sql`+${changeHistory.at}`, instantBound(f.until)),
        f.after === undefined ? undefined : gt(changeHistory.id, f.after),
        ids === null ? sql`0` : undefined,
        ids?.from === undefined ? undefined : gte(changeHistory.id, ids.from),
        ids?.to === undefined ? undefined : lte(changeHistory.id, ids.to),
        cursor.after([changeHistory.id], f),
      ),
    )
    .orderBy(asc(changeHistory.id))
    .limit(f.limit + 1);
}

/** Entries in the order they were written (ids are time-ordered), filtered; `hidden` entity types left out. */
export function listHistory(db: Db, f: HistoryFilter, hidden: readonly HistoryEntry['entityType'][] = [], probe = WINDOW_PROBE): Page<HistoryEntry> {
  return cursor.page(historyQuery(db, f, hidden, probe).all(), f, (r) => [r.id], toEntry);
}

export function hasHistory(db: Db, column: 'taskId' | 'planId', id: string): boolean {
  return db.select({ id: changeHistory.id }).from(changeHistory).where(eq(changeHistory[column], id)).limit(1).get() !== undefined;
}
