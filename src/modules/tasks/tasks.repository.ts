// Drizzle queries on tasks, their assignees and their status transitions.
import { and, asc, desc, eq, getTableColumns, gte, inArray, isNotNull, lte, ne, not, notInArray, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { type Db, inJsonArray, jsonValueAt, prepared, rowDecoder } from '../../db/connection.js';
import type { AssigneeRole, TaskStatus } from '../../db/enums.js';
import { commissions, deadlineChanges, organizations, plans, progressReports, taskAssignees, tasks, taskStatusChanges } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import { OUT_OF_CONTROL_STATUSES } from './task-timeliness.js';
import type { Awaiting, StatusChange } from './tasks.schemas.js';

export type TaskRow = typeof tasks.$inferSelect;

export interface AssigneeRecord {
  organizationId: string;
  role: AssigneeRole;
  name: string;
  shortName: string | null;
  country: string;
}

/** An assignee with when its organization was last updated, which its name, short name and country are as of. */
export interface DatedAssigneeRecord extends AssigneeRecord {
  organizationUpdatedAt: string;
}

/** A task row with what it needs from its plan, commission and assignees to be presented. */
export interface TaskRecord extends TaskRow {
  commissionId: string;
  timeZone: string;
  /** When its plan was closed (null while it is not): the task is judged for overdue as of that day (judgementDay). */
  planClosedAt: string | null;
  assignees: AssigneeRecord[];
}

export interface TaskFilter {
  planId?: string | undefined;
  code?: string | undefined;
  organizationId?: string | undefined;
  party?: string | undefined;
  area?: TaskRow['area'] | undefined;
  status?: TaskStatus[] | undefined;
  /** With `todayByCommission` and `closedPlans`: true keeps only overdue tasks, false only the others. */
  overdue?: boolean | undefined;
  todayByCommission: { commissionId: string; today: string }[];
  /** Every closed plan with the day its tasks are judged on (judgementDay: its closing day), for `overdue`. */
  closedPlans?: { planId: string; judgedOn: string }[] | undefined;
  dueFrom?: string | undefined;
  dueTo?: string | undefined;
  awaiting?: Awaiting[] | undefined;
  /** Already lower-cased by the caller: SQLite's lower() only folds ASCII. */
  search?: string | undefined;
}

const recordColumns = { ...getTableColumns(tasks), commissionId: plans.commissionId, timeZone: commissions.timeZone, planClosedAt: plans.closedAt };
type RecordRow = TaskRow & { commissionId: string; timeZone: string; planClosedAt: string | null };
const decodeRecord = rowDecoder<RecordRow>(recordColumns);

/** In the order of the report's executors (ReportTaskSchema), which are these records, written natively. */
const assigneeColumns = {
  taskId: taskAssignees.taskId,
  organizationId: taskAssignees.organizationId,
  name: organizations.name,
  shortName: organizations.shortName,
  country: organizations.country,
  role: taskAssignees.role,
};
/** Text columns all: an array row becomes the record by position. */
const decodeAssignee = rowDecoder<AssigneeRecord & { taskId: string }>(assigneeColumns);
/** Leads first ('lead' sorts after 'co_executor'), then in the order given. */
const assigneeOrder = [asc(taskAssignees.taskId), desc(taskAssignees.role), asc(taskAssignees.position)];

function groupByTask(rows: (AssigneeRecord & { taskId: string })[]): Map<string, AssigneeRecord[]> {
  const byTask = new Map<string, AssigneeRecord[]>();
  for (const { taskId, ...a } of rows) {
    const list = byTask.get(taskId);
    if (list) list.push(a);
    else byTask.set(taskId, [a]);
  }
  return byTask;
}

/**
 * The assignees, with their organization, of the tasks `where` selects (tasks and task_assignees are
 * joined), grouped by task in the order of assigneeOrder. The report and the calendar read them so, in one query.
 * Each carries its organization's updatedAt: a calendar event shows the name, and is revised when it changes.
 * A whole plan is 200,000 assignments: they are read without their organizations and unsorted (the join and
 * SQLite's sort doubled the time), then completed from one read of the organizations and ordered per task.
 */
export function assigneesByTask(db: Db, where: SQL | undefined): Map<string, DatedAssigneeRecord[]> {
  const rows = db
    .select({ taskId: taskAssignees.taskId, organizationId: taskAssignees.organizationId, role: taskAssignees.role, position: taskAssignees.position })
    .from(taskAssignees)
    .innerJoin(tasks, eq(tasks.id, taskAssignees.taskId))
    .where(where)
    .values() as AssigneeTuple[];
  const organizationById = new Map<string, OrganizationNames>();
  if (rows.length > 0) {
    for (const [id, name, shortName, country, organizationUpdatedAt] of db
      .select({
        id: organizations.id,
        name: organizations.name,
        shortName: organizations.shortName,
        country: organizations.country,
        updatedAt: organizations.updatedAt,
      })
      .from(organizations)
      .values() as [string, string, string | null, string, string][]) {
      organizationById.set(id, { name, shortName, country, organizationUpdatedAt });
    }
  }
  const byTask = new Map<string, AssigneeTuple[]>();
  for (const row of rows) {
    const list = byTask.get(row[0]);
    if (list) list.push(row);
    else byTask.set(row[0], [row]);
  }
  const ordered = new Map<string, DatedAssigneeRecord[]>();
  for (const [taskId, list] of byTask) {
    if (list.length > 1) list.sort(byAssigneeOrder);
    ordered.set(
      taskId,
      list.map(([, organizationId, role]) => {
        const { name, shortName, country, organizationUpdatedAt } = organizationById.get(organizationId) as OrganizationNames;
        return { organizationId, name, shortName, country, role, organizationUpdatedAt };
      }),
    );
  }
  return ordered;
}

/** What assigneesByTask reads of an organization. */
type OrganizationNames = Pick<DatedAssigneeRecord, 'name' | 'shortName' | 'country' | 'organizationUpdatedAt'>;

type AssigneeTuple = [taskId: string, organizationId: string, role: AssigneeRole, position: number];

/** assigneeOrder within one task: leads first ('lead' sorts after 'co_executor'), then by position. */
function byAssigneeOrder([, , roleA, positionA]: AssigneeTuple, [, , roleB, positionB]: AssigneeTuple): number {
  return roleA === roleB ? positionA - positionB : roleA < roleB ? 1 : -1;
}

/** The assignees of the tasks with these ids: one prepared statement for one task, one for any number (a JSON array). */
function assigneesOfTasks(db: Db, ids: string[]): Map<string, AssigneeRecord[]> {
  const select = (db: Db, where: SQL) =>
    db
      .select(assigneeColumns)
      .from(taskAssignees)
      .innerJoin(organizations, eq(organizations.id, taskAssignees.organizationId))
      .where(where)
      .orderBy(...assigneeOrder)
      .prepare();
  if (ids.length === 1) {
    const one = prepared(db, 'assigneesOfTask', (db) => select(db, eq(taskAssignees.taskId, sql.placeholder('id'))));
    return groupByTask(one.all({ id: ids[0] }));
  }
  const many = prepared(db, 'assigneesOfTasks', (db) =>
    select(db, inJsonArray(taskAssignees.taskId, sql.placeholder('ids'))),
  );
  return groupByTask(many.all({ ids: JSON.stringify(ids) }));
}

function withAssignees(db: Db, values: unknown[][]): TaskRecord[] {
  if (values.length === 0) return [];
  const rows = values.map(decodeRecord);
  const byTask = assigneesOfTasks(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => Object.assign(r, { assignees: byTask.get(r.id) ?? [] }));
}

function baseQuery(db: Db) {
  return db
    .select(recordColumns)
    .from(tasks)
    .innerJoin(plans, eq(plans.id, tasks.planId))
    .innerJoin(commissions, eq(commissions.id, plans.commissionId));
}

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

/**
 * Every task of a plan with its assignees, in the plan's order (code, then id), in two statements whatever its size:
 * what a plan's approval announces.
 */
export function taskRecordsOfPlan(db: Db, planId: string): TaskRecord[] {
  const rows = (baseQuery(db).where(eq(tasks.planId, planId)).orderBy(asc(tasks.codeSortKey), asc(tasks.id)).values() as unknown[][]).map(decodeRecord);
  if (rows.length === 0) return [];
  const byTask = assigneesByTask(db, eq(tasks.planId, planId));
  // Without the organizations' updatedAt, which only the calendar shows: a TaskRecord is what presentTask passes on, into
  // answers and into the history, and a field more there would be recorded as a change of every assignee.
  const undated = ({ organizationUpdatedAt: _, ...assignee }: DatedAssigneeRecord): AssigneeRecord => assignee;
  return rows.map((r) => Object.assign(r, { assignees: (byTask.get(r.id) ?? []).map(undated) }));
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

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Registers a query parameter and returns its placeholder: lists are prepared once per shape of filter. */
type Param = (name: string, value: unknown) => Placeholder;

/**
 * Overdue as presentTask judges it (open, due before the day judged on), in one statement whatever the number of
 * commissions and closed plans: each map is one JSON parameter, read by key. A parameter per commission and per closed
 * plan made a new statement, kept for good, each time a plan closed or a commission was added. A task whose key is in
 * neither map (none in practice: both are read just before) is not overdue, as before; never NULL, so `not` is its
 * complement.
 */
function overdueCondition(f: Pick<TaskFilter, 'todayByCommission' | 'closedPlans'>, p: Param): SQL {
  const today = Object.fromEntries(f.todayByCommission.map(({ commissionId, today }) => [commissionId, today]));
  // A closed plan's tasks are late only if due before the day it was closed (judgementDay), however late it is now.
  const closedOn = Object.fromEntries((f.closedPlans ?? []).map(({ planId, judgedOn }) => [planId, judgedOn]));
  const judgedOn = sql`case when ${plans.closedAt} is null
    then ${jsonValueAt(p('todayByCommission', JSON.stringify(today)), plans.commissionId)}
    else ${jsonValueAt(p('closedPlans', JSON.stringify(closedOn)), tasks.planId)} end`;
  return and(notInArray(tasks.status, [...OUT_OF_CONTROL_STATUSES]), sql`${tasks.dueDate} < coalesce(${judgedOn}, '')`) as SQL;
}

/** The task waits for a decision on a deadline change, or for the review of a progress report. */
export function awaitingCondition(what: Awaiting): SQL {
  return what === 'deadline_decision'
    ? sql`exists (select 1 from ${deadlineChanges} where ${deadlineChanges.taskId} = ${tasks.id} and ${deadlineChanges.status} = 'pending')`
    : sql`exists (select 1 from ${progressReports} where ${progressReports.taskId} = ${tasks.id} and ${progressReports.status} = 'submitted')`;
}

function filterConditions(f: TaskFilter, p: Param): (SQL | undefined)[] {
  return [
    f.planId ? eq(tasks.planId, p('planId', f.planId)) : undefined,
    f.code ? eq(tasks.code, p('code', f.code)) : undefined,
    f.area ? eq(tasks.area, p('area', f.area)) : undefined,
    f.status ? inArray(tasks.status, f.status.map((s, i) => p(`status${i}`, s))) : undefined,
    f.dueFrom ? gte(tasks.dueDate, p('dueFrom', f.dueFrom)) : undefined,
    f.dueTo ? lte(tasks.dueDate, p('dueTo', f.dueTo)) : undefined,
    f.organizationId
      ? sql`exists (select 1 from ${taskAssignees} where ${taskAssignees.taskId} = ${tasks.id} and ${taskAssignees.organizationId} = ${p('organizationId', f.organizationId)})`
      : undefined,
    f.party
      ? sql`exists (select 1 from ${taskAssignees} join ${organizations} on ${organizations.id} = ${taskAssignees.organizationId} where ${taskAssignees.taskId} = ${tasks.id} and ${organizations.country} = ${p('party', f.party)})`
      : undefined,
    f.awaiting ? or(...f.awaiting.map(awaitingCondition)) : undefined,
    f.search ? sql`${tasks.searchText} like ${p('search', `%${escapeLike(f.search)}%`)} escape '\\'` : undefined,
    f.overdue === undefined ? undefined : f.overdue ? overdueCondition(f, p) : not(overdueCondition(f, p)),
  ];
}

const taskCursor = cursorFor('tasks');
const transitionCursor = cursorFor('taskTransitions');

/**
 * A page of tasks. The query is prepared once per shape of filter (which filters, how many statuses, overdue or
 * not, a cursor or not; never how many commissions or closed plans there are) and run with the values as parameters:
 * building it with drizzle cost more than running it.
 */
export function listTaskRecords(db: Db, f: TaskFilter, page: { limit: number; cursor?: string | undefined }): Page<TaskRecord> {
  const params: Record<string, unknown> = {};
  const p: Param = (name, value) => {
    params[name] = value;
    return sql.placeholder(name);
  };
  const order = [tasks.planId, tasks.codeSortKey, tasks.id];
  const conditions = filterConditions(f, p);
  // Today is not a filter the client chose: a walk through the overdue tasks goes on past midnight.
  const { todayByCommission: _today, closedPlans: _closed, ...filters } = f;
  const q = { ...filters, ...page };
  const key = taskCursor.keyOf(q, order.length);
  // With a plan chosen, every key of the list is of that plan: the rest of the key is what the (plan, code, id) index
  // seeks past. SQLite seeks a row value only after the columns held equal, so the whole key made each later page walk
  // the plan from its first task (20 ms a page at the 30,000th task with overdue=, which reads each task's row).
  const from = f.planId ? 1 : 0;
  const after = key && sql`(${sql.join(order.slice(from), sql`, `)}) > (${sql.join(key.slice(from).map((k, i) => p(`after${i + from}`, k)), sql`, `)})`;
  params.limit = page.limit + 1;
  // The awaiting conditions are written in the statement, not passed as values: they are part of its shape.
  const shape = `listTaskRecords:${Object.keys(params).join(',')}:overdue=${f.overdue}:awaiting=${f.awaiting?.join(',') ?? ''}`;
  const query = prepared(db, shape, (db) =>
    baseQuery(db)
      .where(and(...conditions, after))
      .orderBy(...order.map((c) => asc(c)))
      .limit(sql.placeholder('limit'))
      .prepare(),
  );
  const rows = query.values(params);
  const records = withAssignees(db, rows as unknown[][]);
  return taskCursor.page(records, q, (r) => [r.planId, r.codeSortKey, r.id], (r) => r);
}

export function commissionZones(db: Db): { commissionId: string; timeZone: string }[] {
  return db.select({ commissionId: commissions.id, timeZone: commissions.timeZone }).from(commissions).all();
}

/** The closed plans, each with when it was closed and its commission's time zone. */
export function closedPlanZones(db: Db): { planId: string; closedAt: string; timeZone: string }[] {
  return db
    .select({ planId: plans.id, closedAt: plans.closedAt, timeZone: commissions.timeZone })
    .from(plans)
    .innerJoin(commissions, eq(commissions.id, plans.commissionId))
    .where(isNotNull(plans.closedAt))
    .all() as { planId: string; closedAt: string; timeZone: string }[];
}

export function isCodeTaken(db: Db, planId: string, code: string, exceptTaskId?: string): boolean {
  const found = db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.planId, planId), eq(tasks.code, code), exceptTaskId ? ne(tasks.id, exceptTaskId) : undefined))
    .get();
  return found !== undefined;
}

export function insertTask(db: Db, row: TaskRow): void {
  db.insert(tasks).values(row).run();
}

export function updateTask(db: Db, id: string, set: Partial<Omit<TaskRow, 'id' | 'planId' | 'createdAt'>>): void {
  db.update(tasks).set(set).where(eq(tasks.id, id)).run();
}

/**
 * Makes these the task's assignees, in this order. An organization that stays keeps its assignedAt, whatever its new
 * role or position (an upsert on the key, not a delete and insert); a new one, or one put back, is assigned `at`.
 */
export function replaceAssignees(db: Db, taskId: string, assignees: { organizationId: string; role: AssigneeRole }[], at: string): void {
  const kept = assignees.map((a) => a.organizationId);
  db.delete(taskAssignees)
    .where(and(eq(taskAssignees.taskId, taskId), kept.length > 0 ? notInArray(taskAssignees.organizationId, kept) : undefined))
    .run();
  if (assignees.length === 0) return;
  db.insert(taskAssignees)
    .values(assignees.map((a, position) => ({ taskId, organizationId: a.organizationId, role: a.role, position, assignedAt: at })))
    .onConflictDoUpdate({
      target: [taskAssignees.taskId, taskAssignees.organizationId],
      set: { role: sql`excluded.role`, position: sql`excluded.position` },
    })
    .run();
}

export function deleteTask(db: Db, id: string): void {
  db.delete(tasks).where(eq(tasks.id, id)).run();
}

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

/** The organizations executing a task, or null when there is no such task. */
export function assigneeOrganizationIds(db: Db, taskId: string): string[] | null {
  if (db.select({ id: tasks.id }).from(tasks).where(eq(tasks.id, taskId)).get() === undefined) return null;
  return db
    .select({ organizationId: taskAssignees.organizationId })
    .from(taskAssignees)
    .where(eq(taskAssignees.taskId, taskId))
    .all()
    .map((a) => a.organizationId);
}
