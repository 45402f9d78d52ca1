// Drizzle queries on a task's status transitions: recorded as it moves, listed a page at a time.
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { taskStatusChanges } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { StatusChange } from './tasks.schemas.js';

const transitionCursor = cursorFor('taskTransitions');

export function insertStatusChange(db: Db, change: StatusChange): void {
  db.insert(taskStatusChanges)
    .values({
      id: change.id,
      taskId: change.taskId,
      fromStatus: change.from,
      toStatus: change.to,
      comment: change.comment,
      actorRole: change.actor.role,
      actorOrganizationId: change.actor.organizationId,
      actorKeyId: change.actor.keyId,
      changedAt: change.changedAt,
    })
    .run();
}

export function listStatusChanges(db: Db, taskId: string, page: { limit: number; cursor?: string | undefined }): Page<StatusChange> {
  const q = { ...page, taskId };
  const rows = db
    .select()
    .from(taskStatusChanges)
    .where(and(eq(taskStatusChanges.taskId, taskId), transitionCursor.after([taskStatusChanges.id], q)))
    .orderBy(asc(taskStatusChanges.id))
    .limit(page.limit + 1)
    .all();
  return transitionCursor.page(
    rows,
    q,
    (r) => [r.id],
    (r): StatusChange => ({
      id: r.id,
      taskId: r.taskId,
      from: r.fromStatus,
      to: r.toStatus,
      comment: r.comment,
      actor: { keyId: r.actorKeyId, role: r.actorRole as StatusChange['actor']['role'], organizationId: r.actorOrganizationId },
      changedAt: r.changedAt,
    }),
  );
}
