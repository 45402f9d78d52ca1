// Drizzle queries of who was on a task at an instant, read from the history of its assignees' writes: what the report,
// the calendar and the submission of a report ask to learn whether an organization owed a period's report.
import { and, asc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { type Db, inJsonArray, prepared } from '../../db/connection.js';
import { changeHistory, type FieldChange } from '../../db/schema.js';

/** The writes that set a task's assignees: each records the whole list before and after (tasks.service, imports). */
const ASSIGNEE_WRITES = ['createTask', 'updateTask', 'commitPlanImport'];

/** A history entry that changed the assignees: only those are returned of a task's writes (not its titles, say). */
const changedAssignees = sql`exists (select 1 from json_each(${changeHistory.changes}) where json_extract(value, '$.field') = 'assignees')`;

/** The entries of the tasks `tasks` picks that changed their assignees, `when` picks the instants: sought by the entity index. */
const assigneeWritesOf = (tasks: SQL, when: SQL) =>
  and(eq(changeHistory.entityType, 'task'), tasks, when, inArray(changeHistory.operation, ASSIGNEE_WRITES), changedAssignees);

/** A write of a task's assignees recorded in the history: when, and the fields it changed. */
export interface TaskWrite {
  taskId: string;
  at: string;
  changes: FieldChange[];
}

/**
 * The writes of these tasks' assignees recorded before `before`, oldest first, by task: replayed (assignedSince) to
 * learn since when each organization on a task at the instant had been on it. Prepared: the submission of a report
 * asks it for one task when its organization was taken off and put back since the deadline.
 */
export function assigneeWritesBefore(db: Db, taskIds: string[], before: string): TaskWrite[] {
  if (taskIds.length === 0) return [];
  return prepared(db, 'assigneeWritesBefore', assigneeWritesBeforeQuery).all({ taskIds: JSON.stringify(taskIds), before });
}

/** The statement of assigneeWritesBefore, with placeholders `taskIds` (a JSON array) and `before` (its query plan is tested). */
export function assigneeWritesBeforeQuery(db: Db) {
  return db
    .select({ taskId: changeHistory.entityId, at: changeHistory.at, changes: changeHistory.changes })
    .from(changeHistory)
    // As one JSON array: the tasks whose assignees changed since a day months back may be more than SQLite takes variables.
    .where(assigneeWritesOf(inJsonArray(changeHistory.entityId, sql.placeholder('taskIds')), lt(changeHistory.at, sql.placeholder('before'))))
    .orderBy(asc(changeHistory.entityId), asc(changeHistory.at), asc(changeHistory.id))
    .prepare();
}

/**
 * Who was on each task at an instant, from the writes of its assignees at or after it, oldest first: the list before
 * the first that changed them. A task none changed is left out: who is on it now was on it then (or it did not exist).
 * The one reading of the history behind "was it on the task then" (progress.missing.ts, onTaskAt).
 */
export function assigneesThen(writes: Iterable<{ taskId: string; changes: FieldChange[] }>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const write of writes) {
    if (out.has(write.taskId)) continue;
    const change = write.changes.find((c) => c.field === 'assignees');
    if (!change) continue;
    const before = Array.isArray(change.before) ? (change.before as { organizationId: string }[]) : [];
    out.set(write.taskId, new Set(before.map((a) => a.organizationId)));
  }
  return out;
}

/**
 * Who executed each task of these plans at the instant `at`, for the tasks whose assignees changed at or after it (the
 * `before` of their first such change; a task created since had none): the others' assignees are today's. An
 * organization owes a period's report only if it was on the task at the end of the deadline day, and task_assignees
 * keeps only since when it has been on it this time: one taken off and put back since is found here.
 */
export function assigneesAt(db: Db, planIds: string[], at: string, taskIds?: string[]): Map<string, Set<string>> {
  if (planIds.length === 0) return new Map();
  return assigneesThen(assigneesAtQuery(db, planIds, at, taskIds).all());
}

/** The SELECT of assigneesAt, unrun (its query plan is tested). */
export function assigneesAtQuery(db: Db, planIds: string[], at: string, taskIds?: string[]) {
  return db
    .select({ taskId: changeHistory.entityId, changes: changeHistory.changes })
    .from(changeHistory)
    .where(
      and(
        gte(changeHistory.at, at),
        inArray(changeHistory.operation, ASSIGNEE_WRITES),
        // Checked, not sought, as in changesSinceQuery: the entries since `at` are sought by the (at, id) index; those of
        // a few tasks (a slice of the report.missing worker) by the entity index, not every write of the plan since.
        inArray(sql`+${changeHistory.planId}`, planIds),
        taskIds === undefined ? eq(sql`+${changeHistory.entityType}`, 'task') : eq(changeHistory.entityType, 'task'),
        taskIds === undefined ? undefined : inJsonArray(changeHistory.entityId, taskIds),
      ),
    )
    .orderBy(asc(changeHistory.at), asc(changeHistory.id));
}

/**
 * Who was on one task at the instant `at` (assigneesAt of one task): undefined when its assignees have not changed
 * since. Prepared, by the entity index: the submission of a report asks it when its organization is on the task only
 * since the report's deadline.
 */
export function taskAssigneesAt(db: Db, taskId: string, at: string): Set<string> | undefined {
  return assigneesThen(prepared(db, 'taskAssigneesAt', taskAssigneesAtQuery).all({ taskId, at })).get(taskId);
}

/** The statement of taskAssigneesAt, with placeholders `taskId` and `at` (its query plan is tested). */
export function taskAssigneesAtQuery(db: Db) {
  return db
    .select({ taskId: changeHistory.entityId, changes: changeHistory.changes })
    .from(changeHistory)
    .where(assigneeWritesOf(eq(changeHistory.entityId, sql.placeholder('taskId')), gte(changeHistory.at, sql.placeholder('at'))))
    .orderBy(asc(changeHistory.at), asc(changeHistory.id))
    // The first is enough (assigneesThen): a task's assignees may have changed again and again since.
    .limit(1)
    .prepare();
}
