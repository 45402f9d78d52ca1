// Reads of the change history; writes happen only through history.recorder.ts.
import { and, asc, eq, gte, lt, notInArray } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { changeHistory } from '../../db/schema.js';
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

/** Entries in the order they were written (ids are time-ordered), filtered; `hidden` entity types left out. */
export function listHistory(db: Db, f: HistoryFilter, hidden: readonly HistoryEntry['entityType'][] = []): Page<HistoryEntry> {
  const rows = db
    .select()
    .from(changeHistory)
    .where(
      and(
        eqIf(changeHistory.planId, f.planId),
        eqIf(changeHistory.taskId, f.taskId),
        eqIf(changeHistory.entityType, f.entityType),
        hidden.length === 0 ? undefined : notInArray(changeHistory.entityType, [...hidden]),
        eqIf(changeHistory.entityId, f.entityId),
        eqIf(changeHistory.operation, f.operation),
        eqIf(changeHistory.actorKeyId, f.actorKeyId),
        eqIf(changeHistory.actorOrganizationId, f.actorOrganizationId),
        f.since === undefined ? undefined : gte(changeHistory.at, new Date(f.since).toISOString()),
        f.until === undefined ? undefined : lt(changeHistory.at, new Date(f.until).toISOString()),
        cursor.after([changeHistory.id], f),
      ),
    )
    .orderBy(asc(changeHistory.id))
    .limit(f.limit + 1)
    .all();
  return cursor.page(rows, f, (r) => [r.id], toEntry);
}

export function hasHistory(db: Db, column: 'taskId' | 'planId', id: string): boolean {
  return db.select({ id: changeHistory.id }).from(changeHistory).where(eq(changeHistory[column], id)).limit(1).get() !== undefined;
}
