// Drizzle queries on the task record: a task with what it is presented with, read by id, by code or by plan, and written.
import { and, asc, eq, getTableColumns, ne, sql } from 'drizzle-orm';
import { type Db, inJsonArray, insertRow, prepared, rowDecoder } from '../../db/connection.js';
import { sessionOf } from '../../db/group-commit.js';
import { commissions, plans, taskAssignees, tasks } from '../../db/schema.js';
import { type AssigneeRecord, assigneesOfTasks } from './tasks.assignees-repository.js';

export type TaskRow = typeof tasks.$inferSelect;

/** A task row with what it needs from its plan, commission and assignees to be presented. */
export interface TaskRecord extends TaskRow {
  commissionId: string;
  timeZone: string;
  /** When its plan was closed (null while it is not): the task is judged for overdue as of that day (judgementDay). */
  planClosedAt: string | null;
  assignees: AssigneeRecord[];
}

const recordColumns = { ...getTableColumns(tasks), commissionId: plans.commissionId, timeZone: commissions.timeZone, planClosedAt: plans.closedAt };
type RecordRow = TaskRow & { commissionId: string; timeZone: string; planClosedAt: string | null };
const decodeRecord = rowDecoder<RecordRow>(recordColumns);

/** Rows of baseQuery, read as arrays, made records with their assignees (one more statement; the list reads so too). */
export function withAssignees(db: Db, values: unknown[][]): TaskRecord[] {
  if (values.length === 0) return [];
  const rows = values.map(decodeRecord);
  const byTask = assigneesOfTasks(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => Object.assign(r, { assignees: byTask.get(r.id) ?? [] }));
}

/** A task with its plan's commission, time zone and closing: what every read of records selects from. */
export function baseQuery(db: Db) {
  return db
    .select(recordColumns)
    .from(tasks)
    .innerJoin(plans, eq(plans.id, tasks.planId))
    .innerJoin(commissions, eq(commissions.id, plans.commissionId));
}

/**
 * baseQuery read from assignments: `cross join` makes SQLite read the assignments first (by the organization's index,
 * when the caller names one) and each one's task by its id, whatever else the query holds. The caller's conditions
 * join them: `assignedTask` and the organization's.
 */
export function assignedQuery(db: Db) {
  return db
    .select(recordColumns)
    .from(taskAssignees)
    .crossJoin(tasks)
    .innerJoin(plans, eq(plans.id, tasks.planId))
    .innerJoin(commissions, eq(commissions.id, plans.commissionId));
}

/** The condition that joins assignedQuery's assignment to its task. */
export const assignedTask = eq(tasks.id, taskAssignees.taskId);

/** A task with what it is presented with; the hottest read of the API, so prepared once. */
export function findTaskRecord(db: Db, id: string): TaskRecord | undefined {
  const query = prepared(db, 'findTaskRecord', (db) => baseQuery(db).where(eq(tasks.id, sql.placeholder('id'))).prepare());
  return withAssignees(db, query.values({ id }) as unknown[][])[0];
}

/** These tasks with what they are presented with, in no particular order: one statement whatever their number (a JSON array). */
export function findTaskRecords(db: Db, ids: string[]): TaskRecord[] {
  if (ids.length === 0) return [];
  const query = prepared(db, 'findTaskRecords', (db) =>
    baseQuery(db).where(inJsonArray(tasks.id, sql.placeholder('ids'))).prepare(),
  );
  return withAssignees(db, query.values({ ids: JSON.stringify(ids) }) as unknown[][]);
}

/**
 * The tasks of a plan that have these codes, with their assignees, in no particular order: one statement whatever the
 * number of codes (a JSON array), so that an import reads the tasks its file names rather than the whole plan. Not
 * ordered, so that SQLite looks each code up in (plan_id, code) rather than walk the plan in its order.
 */
export function findTaskRecordsByCode(db: Db, planId: string, codes: string[]): TaskRecord[] {
  if (codes.length === 0) return [];
  const query = prepared(db, 'findTaskRecordsByCode', (db) =>
    baseQuery(db)
      .where(and(eq(tasks.planId, sql.placeholder('planId')), inJsonArray(tasks.code, sql.placeholder('codes'))))
      .prepare(),
  );
  return withAssignees(db, query.values({ planId, codes: JSON.stringify(codes) }) as unknown[][]);
}

/** The codes of a plan's tasks, in the plan's order. */
export function taskCodesOfPlan(db: Db, planId: string): string[] {
  return db
    .select({ code: tasks.code })
    .from(tasks)
    .where(eq(tasks.planId, planId))
    .orderBy(asc(tasks.codeSortKey), asc(tasks.id))
    .all()
    .map((r) => r.code);
}

export function isCodeTaken(db: Db, planId: string, code: string, exceptTaskId?: string): boolean {
  const found = db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.planId, planId), eq(tasks.code, code), exceptTaskId ? ne(tasks.id, exceptTaskId) : undefined))
    .get();
  return found !== undefined;
}

/** Prepared once per set of columns (insertRow): an import of 2,000 tasks builds no statement per row. */
export function insertTask(db: Db, row: TaskRow): void {
  insertRow(db, tasks, row);
}

/**
 * How many sets of fields changed keep their UPDATE prepared, per connection. An import or the usual PATCHes need a
 * few dozen; the bodies PATCH /v1/tasks takes can make some 5,000, about 14 KB each if all were kept (a review).
 */
export const UPDATE_SHAPES_KEPT = 128;
const updateShapes = new WeakMap<object, Set<string>>();

/**
 * Prepared once per set of fields changed (a null written as a literal NULL, as insertRow does), for the first
 * UPDATE_SHAPES_KEPT sets on the connection; any other is built and run each time, as every update was before: an
 * import updating 2,000 tasks had drizzle build, and SQLite prepare, an UPDATE for each.
 */
export function updateTask(db: Db, id: string, set: Partial<Omit<TaskRow, 'id' | 'planId' | 'createdAt'>>): void {
  const values = set as Record<string, unknown>;
  const keys = Object.keys(values).filter((k) => values[k] !== undefined);
  if (keys.length === 0) return;
  const shape = `updateTask:${keys.map((k) => (values[k] === null ? `${k}=null` : k)).join(',')}`;
  let kept = updateShapes.get(sessionOf(db));
  if (!kept) updateShapes.set(sessionOf(db), (kept = new Set()));
  if (!kept.has(shape)) {
    if (kept.size >= UPDATE_SHAPES_KEPT) {
      db.update(tasks).set(set).where(eq(tasks.id, id)).run();
      return;
    }
    kept.add(shape);
  }
  const query = prepared(db, shape, (db) =>
    db
      .update(tasks)
      .set(Object.fromEntries(keys.map((k) => [k, values[k] === null ? sql`null` : sql.placeholder(k)])))
      .where(eq(tasks.id, sql.placeholder('updatedTaskId')))
      .prepare(),
  );
  query.run({ ...values, updatedTaskId: id });
}

export function deleteTask(db: Db, id: string): void {
  db.delete(tasks).where(eq(tasks.id, id)).run();
}
