// Drizzle queries of the task list: its filters (overdue, with the commissions' zones and closed plans it is judged by;
// awaiting; search...) and a page of tasks in the plans' order.
import { and, asc, count, eq, gte, inArray, isNotNull, lte, not, notInArray, or, sql, type Placeholder, type SQL, type SQLWrapper } from 'drizzle-orm';
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

/**
 * What waits for a decision, one row per thing that waits (a task may have several): its task. The statuses are written
 * in the statement, not bound: SQLite takes a partial index (deadline_changes_pending_idx,
 * progress_reports_submitted_idx) only for its own WHERE, as written.
 */
function waiting(db: Db, what: Awaiting) {
  return what === 'deadline_decision'
    ? db.select({ taskId: deadlineChanges.taskId }).from(deadlineChanges).where(sql`${deadlineChanges.status} = 'pending'`)
    : db.select({ taskId: progressReports.taskId }).from(progressReports).where(sql`${progressReports.status} = 'submitted'`);
}

/**
 * The task waits for a decision on a deadline change, or for the review of a progress report: checked task by task
 * (`exists`) while an index of the tasks is walked, or (`fromWaiting`) the task one of those read from where they wait.
 */
function awaitingCondition(db: Db, what: Awaiting, fromWaiting: boolean): SQL {
  if (fromWaiting) return inArray(tasks.id, waiting(db, what));
  return what === 'deadline_decision'
    ? sql`exists (select 1 from ${deadlineChanges} where ${deadlineChanges.taskId} = ${tasks.id} and ${deadlineChanges.status} = 'pending')`
    : sql`exists (select 1 from ${progressReports} where ${progressReports.taskId} = ${tasks.id} and ${progressReports.status} = 'submitted')`;
}

/**
 * Which index a list of tasks is read by, where its filters leave SQLite a choice it cannot make well without
 * knowing how many tasks match (listTaskRecords counts them): `fromAssignments`, an organization's few assignments,
 * joined to the query rather than checked task by task; `byDue`, the tasks of a due range with few, read by the due
 * index and sorted (plan and status are then only checked); `walkStatuses`, several statuses with many tasks, only
 * checked while the order index is walked (with few, they are read by the status index and sorted, the plan checked);
 * `fromWaiting`, the few deadline changes or reports that wait (awaiting=), their tasks read by id and sorted, every
 * other filter only checked.
 */
interface ReadBy {
  fromAssignments: boolean;
  byDue: boolean;
  walkStatuses: boolean;
  fromWaiting: boolean;
}

/**
 * The column, or (`checked`) the text column as SQLite cannot look it up in an index, so checked row by row: `|| ''`
 * rather than a unary plus, which PostgreSQL refuses on text.
 */
const column = (c: SQLWrapper, checked: boolean) => (checked ? sql`(${c} || '')` : sql`${c}`);

function filterConditions(db: Db, f: TaskFilter, p: Param, by: ReadBy): (SQL | undefined)[] {
  const { fromAssignments, byDue, walkStatuses, fromWaiting } = by;
  const fewStatuses = (f.status?.length ?? 0) > 1 && !walkStatuses;
  const due = column(tasks.dueDate, !byDue);
  // A range open on one side SQLite deems wide, and walks the order index instead: read by the due index, it is closed
  // by a bound no date passes ('' and '9999-12-31' for YYYY-MM-DD).
  const [dueFrom, dueTo] = byDue ? [f.dueFrom ?? '', f.dueTo ?? '9999-12-31'] : [f.dueFrom, f.dueTo];
  return [
    // Beside a plan, SQLite would walk it in order rather than read a few tasks and sort them.
    f.planId ? eq(column(tasks.planId, byDue || fewStatuses || fromWaiting), p('planId', f.planId)) : undefined,
    f.code ? eq(tasks.code, p('code', f.code)) : undefined,
    f.area ? eq(tasks.area, p('area', f.area)) : undefined,
    f.status ? inArray(column(tasks.status, byDue || walkStatuses || fromWaiting), f.status.map((s, i) => p(`status${i}`, s))) : undefined,
    dueFrom !== undefined ? gte(due, p('dueFrom', dueFrom)) : undefined,
    dueTo !== undefined ? lte(due, p('dueTo', dueTo)) : undefined,
    f.organizationId === undefined
      ? undefined
      : fromAssignments
        ? and(assignedTask, eq(taskAssignees.organizationId, p('organizationId', f.organizationId)))
        : sql`exists (select 1 from ${taskAssignees} where ${taskAssignees.taskId} = ${tasks.id} and ${taskAssignees.organizationId} = ${p('organizationId', f.organizationId)})`,
    f.party
      ? sql`exists (select 1 from ${taskAssignees} join ${organizations} on ${organizations.id} = ${taskAssignees.organizationId} where ${taskAssignees.taskId} = ${tasks.id} and ${organizations.country} = ${p('party', f.party)})`
      : undefined,
    f.awaiting ? or(...f.awaiting.map((what) => awaitingCondition(db, what, fromWaiting))) : undefined,
    f.search ? sql`${tasks.searchText} like ${p('search', `%${escapeLike(f.search)}%`)} escape '\\'` : undefined,
    f.overdue === undefined ? undefined : f.overdue ? overdueCondition(f, p) : not(overdueCondition(f, p)),
  ];
}

const taskCursor = cursorFor('tasks');

/**
 * An organization with fewer assignments than this has its list read from them (listTaskRecords). Reading and sorting
 * an assignment's task costs about 2 µs, walking a task of the order index about 0.45: on 100,000 tasks an
 * organization with 1,000 spread among them walks some 5,000 a page (about 2 ms), as long as reading all of its tasks.
 * The same bound, for the same reason, decides whether a due range or several statuses are read by their index.
 */
export const FEW_ASSIGNMENTS = 1000;

/**
 * Whether fewer than `few` tasks are due in the range, or have one of these statuses: a count that stops there, by the
 * due or the status index.
 */
function hasFewTasks(db: Db, which: 'due' | 'statuses', f: TaskFilter, few: number): boolean {
  const params: Record<string, unknown> = { bound: few };
  const p: Param = (name, value) => {
    params[name] = value;
    return sql.placeholder(name);
  };
  const where =
    which === 'due'
      ? and(
          f.dueFrom !== undefined ? gte(tasks.dueDate, p('dueFrom', f.dueFrom)) : undefined,
          f.dueTo !== undefined ? lte(tasks.dueDate, p('dueTo', f.dueTo)) : undefined,
        )
      : inArray(tasks.status, (f.status ?? []).map((s, i) => p(`status${i}`, s)));
  const query = prepared(db, `countTasksUpTo:${Object.keys(params).join(',')}`, (db) => {
    const some = db.select({ one: sql`1` }).from(tasks).where(where).limit(sql.placeholder('bound')).as('some');
    return db.select({ n: count() }).from(some).prepare();
  });
  return (query.get(params)?.n ?? 0) < few;
}

/** Whether fewer than `few` deadline changes or reports wait, of these kinds: a count that stops there, by their partial indexes. */
function hasFewWaiting(db: Db, kinds: Awaiting[], few: number): boolean {
  let n = 0;
  for (const what of kinds) {
    const query = prepared(db, `countWaitingUpTo:${what}`, (db) => {
      const some = waiting(db, what).limit(sql.placeholder('bound')).as('some');
      return db.select({ n: count() }).from(some).prepare();
    });
    n += query.get({ bound: few })?.n ?? 0;
    if (n >= few) return false;
  }
  return true;
}

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
 * many fills a page within a short walk, as before.
 *
 * A due range and several statuses are alike: by their index SQLite read every task that matched and sorted them for
 * each page (a year of 100,000 tasks: 33,000, 80 ms a page; 150 ms beside an organization of 25,000; two statuses 8-12
 * ms, 25-55 ms before the status index held the order), and beside a plan or a status it walked every task of those in
 * search of a range that held none (23-31 ms). Counted the same way: a range with few tasks is read by the due index and
 * sorted; one with many, and several statuses with many, are only checked while the order (or the one status's) index
 * is walked, which then fills a page soon.
 *
 * What awaits a decision (awaiting=, the secretariat's worklist) is alike too: checked task by task while the order index
 * was walked, a deadline change or two pending among 100,000 tasks, or none, cost 10-15 ms a page, every task walked.
 * When fewer than `few` wait (counted by the partial indexes that hold only those), their tasks are read by id and
 * sorted, every other filter only checked; when many wait, a page fills soon while the order index is walked, as before.
 * An organization's few assignments still come first. `few`: the bound of every such count (a test lowers it).
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
  const fromWaiting = !fromAssignments && f.awaiting !== undefined && hasFewWaiting(db, f.awaiting, few);
  const byDue = !fromWaiting && (f.dueFrom !== undefined || f.dueTo !== undefined) && hasFewTasks(db, 'due', f, few);
  // One status is sought in the list's order by its index, however many tasks have it.
  const walkStatuses = !fromWaiting && (f.status?.length ?? 0) > 1 && !hasFewTasks(db, 'statuses', f, few);
  const conditions = filterConditions(db, f, p, { fromAssignments, byDue, walkStatuses, fromWaiting });
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
  const shape = `listTaskRecords:${Object.keys(params).join(',')}:overdue=${f.overdue}:awaiting=${f.awaiting?.join(',') ?? ''}:assigned=${fromAssignments}:byDue=${byDue}:walkStatuses=${walkStatuses}:fromWaiting=${fromWaiting}`;
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
