// Drizzle queries of the task list: its filters (overdue, with the commissions' zones and closed plans it is judged by;
// awaiting; search...) and a page of tasks in the plans' order.
import { and, asc, count, eq, gte, inArray, isNotNull, lte, not, notInArray, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { type Db, jsonValueAt, prepared } from '../../db/connection.js';
import type { TaskStatus } from '../../db/enums.js';
import { commissions, deadlineChanges, organizations, plans, progressReports, taskAssignees, tasks } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import { OUT_OF_CONTROL_STATUSES } from './task-timeliness.js';
import { assignedQuery, assignedTask, baseQuery, type TaskRecord, type TaskRow, withAssignees } from './tasks.repository.js';
import type { Awaiting } from './tasks.schemas.js';

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

/**
 * `fromAssignments`: the organization is held by the query's join to its assignments (listTaskRecords), not checked
 * task by task.
 */
function filterConditions(f: TaskFilter, p: Param, fromAssignments = false): (SQL | undefined)[] {
  return [
    f.planId ? eq(tasks.planId, p('planId', f.planId)) : undefined,
    f.code ? eq(tasks.code, p('code', f.code)) : undefined,
    f.area ? eq(tasks.area, p('area', f.area)) : undefined,
    f.status ? inArray(tasks.status, f.status.map((s, i) => p(`status${i}`, s))) : undefined,
    f.dueFrom ? gte(tasks.dueDate, p('dueFrom', f.dueFrom)) : undefined,
    f.dueTo ? lte(tasks.dueDate, p('dueTo', f.dueTo)) : undefined,
    f.organizationId === undefined
      ? undefined
      : fromAssignments
        ? and(assignedTask, eq(taskAssignees.organizationId, p('organizationId', f.organizationId)))
        : sql`exists (select 1 from ${taskAssignees} where ${taskAssignees.taskId} = ${tasks.id} and ${taskAssignees.organizationId} = ${p('organizationId', f.organizationId)})`,
    f.party
      ? sql`exists (select 1 from ${taskAssignees} join ${organizations} on ${organizations.id} = ${taskAssignees.organizationId} where ${taskAssignees.taskId} = ${tasks.id} and ${organizations.country} = ${p('party', f.party)})`
      : undefined,
    f.awaiting ? or(...f.awaiting.map(awaitingCondition)) : undefined,
    f.search ? sql`${tasks.searchText} like ${p('search', `%${escapeLike(f.search)}%`)} escape '\\'` : undefined,
    f.overdue === undefined ? undefined : f.overdue ? overdueCondition(f, p) : not(overdueCondition(f, p)),
  ];
}

const taskCursor = cursorFor('tasks');

/**
 * An organization with fewer assignments than this has its list read from them (listTaskRecords). Reading and sorting
 * an assignment's task costs about 2 µs, walking a task of the order index about 0.45: on 100,000 tasks an
 * organization with 1,000 spread among them walks some 5,000 a page (about 2 ms), as long as reading all of its tasks.
 */
export const FEW_ASSIGNMENTS = 1000;

/** Whether the organization has fewer than `few` assignments: a count that stops there, by its index. */
function hasFewAssignments(db: Db, organizationId: string, few: number): boolean {
  const query = prepared(db, 'countAssignmentsUpTo', (db) => {
    const some = db
      .select({ one: sql`1` })
      .from(taskAssignees)
      .where(eq(taskAssignees.organizationId, sql.placeholder('organizationId')))
      .limit(sql.placeholder('bound'))
      .as('some');
    return db.select({ n: count() }).from(some).prepare();
  });
  return (query.get({ organizationId, bound: few })?.n ?? 0) < few;
}

/**
 * A page of tasks. The query is prepared once per shape of filter (which filters, how many statuses, overdue or
 * not, a cursor or not, an organization's few assignments or not; never how many commissions or closed plans there
 * are) and run with the values as parameters: building it with drizzle cost more than running it.
 *
 * An organization's list (what every ministry's system reads) is read from its assignments when it has few: walking
 * the order index and checking each task's assignees until a page is full, SQLite walked 25,000 tasks for a first page
 * of an organization with 200 of 100,000 (10 ms), and every task for one with none, or for the last page of one whose
 * tasks come first (40 ms). Its few tasks are now read by their ids and sorted (0.5 ms for 200). An organization with
 * many fills a page within a short walk, as before. `few`: that bound (a test lowers it).
 */
export function listTaskRecords(
  db: Db,
  f: TaskFilter,
  page: { limit: number; cursor?: string | undefined },
  few = FEW_ASSIGNMENTS,
): Page<TaskRecord> {
  const params: Record<string, unknown> = {};
  const p: Param = (name, value) => {
    params[name] = value;
    return sql.placeholder(name);
  };
  const order = [tasks.planId, tasks.codeSortKey, tasks.id];
  const fromAssignments = f.organizationId !== undefined && hasFewAssignments(db, f.organizationId, few);
  const conditions = filterConditions(f, p, fromAssignments);
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
  const shape = `listTaskRecords:${Object.keys(params).join(',')}:overdue=${f.overdue}:awaiting=${f.awaiting?.join(',') ?? ''}:assigned=${fromAssignments}`;
  const query = prepared(db, shape, (db) =>
    (fromAssignments ? assignedQuery(db) : baseQuery(db))
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
