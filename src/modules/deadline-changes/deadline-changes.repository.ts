// Drizzle queries on deadline changes.
import { and, asc, eq, sql } from 'drizzle-orm';
import { prepared, type Db } from '../../db/connection.js';
import type { Role } from '../../db/enums.js';
import { deadlineChanges } from '../../db/schema.js';
import { daysBetween } from '../../lib/dates.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { DeadlineChange } from './deadline-changes.schemas.js';

type Row = typeof deadlineChanges.$inferSelect;

function toChange(r: Row): DeadlineChange {
  return {
    id: r.id,
    taskId: r.taskId,
    kind: r.kind,
    status: r.status,
    oldDueDate: r.oldDueDate,
    newDueDate: r.newDueDate,
    daysMoved: daysBetween(r.oldDueDate, r.newDueDate),
    reason: r.reason,
    requestedBy: { keyId: r.requestedByKeyId, role: r.requestedByRole as Role, organizationId: r.requestedByOrganizationId },
    requestedAt: r.requestedAt,
    decidedBy: r.decidedByRole ? { keyId: r.decidedByKeyId, role: r.decidedByRole as Role } : null,
    decidedAt: r.decidedAt,
    decisionBasis: r.decisionBasis,
    decisionComment: r.decisionComment,
    withdrawnBy: r.withdrawnByRole
      ? { keyId: r.withdrawnByKeyId, role: r.withdrawnByRole as Role, organizationId: r.withdrawnByOrganizationId }
      : null,
    withdrawnAt: r.withdrawnAt,
    withdrawalComment: r.withdrawalComment,
  };
}

function toRow(c: DeadlineChange): Row {
  return {
    id: c.id,
    taskId: c.taskId,
    kind: c.kind,
    status: c.status,
    oldDueDate: c.oldDueDate,
    newDueDate: c.newDueDate,
    reason: c.reason,
    requestedByRole: c.requestedBy.role,
    requestedByOrganizationId: c.requestedBy.organizationId,
    requestedByKeyId: c.requestedBy.keyId,
    requestedAt: c.requestedAt,
    decidedByRole: c.decidedBy?.role ?? null,
    decidedByKeyId: c.decidedBy?.keyId ?? null,
    decidedAt: c.decidedAt,
    decisionBasis: c.decisionBasis,
    decisionComment: c.decisionComment,
    withdrawnByRole: c.withdrawnBy?.role ?? null,
    withdrawnByOrganizationId: c.withdrawnBy?.organizationId ?? null,
    withdrawnByKeyId: c.withdrawnBy?.keyId ?? null,
    withdrawnAt: c.withdrawnAt,
    withdrawalComment: c.withdrawalComment,
  };
}

export function findDeadlineChange(db: Db, taskId: string, id: string): DeadlineChange | undefined {
  const row = db
    .select()
    .from(deadlineChanges)
    .where(and(eq(deadlineChanges.id, id), eq(deadlineChanges.taskId, taskId)))
    .get();
  return row && toChange(row);
}

/** Prepared once: an import asks it for every row of its file. */
export function findPendingRequest(db: Db, taskId: string): DeadlineChange | undefined {
  const query = prepared(db, 'findPendingRequest', (db) =>
    db
      .select()
      .from(deadlineChanges)
      .where(and(eq(deadlineChanges.taskId, sql.placeholder('taskId')), eq(deadlineChanges.status, 'pending')))
      .prepare(),
  );
  const row = query.get({ taskId });
  return row && toChange(row);
}

const cursor = cursorFor('deadlineChanges');

export function listDeadlineChanges(db: Db, taskId: string, page: { limit: number; cursor?: string | undefined }): Page<DeadlineChange> {
  const q = { ...page, taskId };
  const rows = db
    .select()
    .from(deadlineChanges)
    .where(and(eq(deadlineChanges.taskId, taskId), cursor.after([deadlineChanges.id], q)))
    .orderBy(asc(deadlineChanges.id))
    .limit(page.limit + 1)
    .all();
  return cursor.page(rows, q, (r) => [r.id], toChange);
}

export function insertDeadlineChange(db: Db, change: DeadlineChange): void {
  db.insert(deadlineChanges).values(toRow(change)).run();
}

/** Saves the end of a pending request: its decision, or its withdrawal. */
export function saveDecision(db: Db, change: DeadlineChange): void {
  const { id, ...rest } = toRow(change);
  db.update(deadlineChanges).set(rest).where(eq(deadlineChanges.id, id)).run();
}
