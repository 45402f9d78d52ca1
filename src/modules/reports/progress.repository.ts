// Drizzle queries of the report's tasks as they stood before an instant: the walk over a scope's tasks with their
// assignees, transitions and progress reports.
import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { type Db, rowDecoder, rowsOf } from '../../db/connection.js';
import type { AssigneeRole, Confidence, TaskStatus } from '../../db/enums.js';
import { meetings, organizations, plans, progressReports, taskAssignees, tasks, taskStatusChanges } from '../../db/schema.js';

export type PlanRow = typeof plans.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;

export interface ReportAssignee {
  organizationId: string;
  role: AssigneeRole;
  name: string;
  shortName: string | null;
  country: string;
}

/** The columns of a task the report shows or judges by (not its description or search text). */
export type ReportTaskColumns = Pick<
  TaskRow,
  | 'id' | 'planId' | 'code' | 'title' | 'translations' | 'area' | 'formOfCompletion' | 'expectedResult' | 'basisMeetingId'
  | 'basisProtocolItem' | 'dueDate' | 'originalDueDate' | 'postponementCount' | 'status' | 'completedAt' | 'createdAt'
>;

/** A task with all the report judges it by. */
export interface ReportTaskRow extends ReportTaskColumns {
  /** Leads first, then in the order given. */
  assignees: ReportAssignee[];
  /**
   * When each of the assignees was assigned to the task, in their order: kept apart, as the assignees are the report's
   * executors as they are (shared, not copied), and the report shows no such date.
   */
  assignedAt: string[];
  basisMeeting: { title: string; date: string; protocolNumber: string | null } | null;
  /** Its status transitions taken before the instant, oldest first. */
  changes: StatusChange[];
  /** Its progress reports first submitted before the instant, in no particular order. */
  reports: ReportTuple[];
}

/** The columns of a task the report reads, with its basis meeting. */
const taskColumns = {
  id: tasks.id,
  planId: tasks.planId,
  code: tasks.code,
  title: tasks.title,
  translations: tasks.translations,
  area: tasks.area,
  formOfCompletion: tasks.formOfCompletion,
  expectedResult: tasks.expectedResult,
  basisMeetingId: tasks.basisMeetingId,
  basisProtocolItem: tasks.basisProtocolItem,
  dueDate: tasks.dueDate,
  originalDueDate: tasks.originalDueDate,
  postponementCount: tasks.postponementCount,
  status: tasks.status,
  completedAt: tasks.completedAt,
  createdAt: tasks.createdAt,
  meetingTitle: meetings.title,
  meetingDate: meetings.date,
  meetingProtocolNumber: meetings.protocolNumber,
};
type TaskWithMeeting = ReportTaskColumns & { meetingTitle: string | null; meetingDate: string | null; meetingProtocolNumber: string | null };
/** 100,000 tasks in a plan: read as arrays and decoded by position (see rowDecoder). */
const decodeTask = rowDecoder<TaskWithMeeting>(taskColumns);

/** A status transition of a task: to which status, and when. */
export interface StatusChange {
  to: TaskStatus;
  changedAt: string;
}

/**
 * A progress report as the report counts it, read by position (a whole plan is 200,000 of them): the reporting
 * organization, the period, the figures of its latest revision, and its task's key (see taskKey). A revision moves `submittedAt` but
 * the report existed since its first submission (`createdAt`).
 */
export type ReportTuple = [organizationId: string, period: string, percentComplete: number, confidence: Confidence, taskKey: number];

const NONE: never[] = [];

/**
 * The rowid of a task: what the walk matches rows to their task by. A number costs better-sqlite3 no string to make,
 * where the task's id would be half a million strings for a whole plan; it stays the same within a read transaction.
 */
const taskKey = sql<number>`${tasks}.rowid`;

/**
 * Rows of a query in the order of tasksOf, each ending with its task's id, taken task by task as tasksOf walks the
 * tasks: what belongs to one task is read next to it and can die young with it, with no map of 100,000 tasks.
 */
class TaskCursor<R extends unknown[]> {
  /** The next row; its query starts at the first take, inside tasksOf's try, so that close() always ends it. */
  private current: IteratorResult<unknown[]> | undefined;

  constructor(private readonly rows: Generator<unknown[]>) {}

  /** The rows of the task of rowid `key`, which come next if it has any. */
  take(key: number): R[] {
    let taken: R[] | undefined;
    let next = (this.current ??= this.rows.next());
    while (!next.done && next.value[next.value.length - 1] === key) {
      (taken ??= []).push(next.value as R);
      next = this.current = this.rows.next();
    }
    return taken ?? NONE;
  }

  /** After the last task: a row left over belongs to no task walked, so the two orders disagree (a bug, not data). */
  finish(what: string): void {
    const next = (this.current ??= this.rows.next());
    if (!next.done) throw new Error(`${what} of task rowid ${String(next.value.at(-1))} left over: the report's reads are out of step`);
  }

  close(): void {
    this.rows.return(undefined);
  }
}

/** Where a task stands in the report's order of tasks: its plan, its code as people number them, its id. */
export type TaskPosition = [planId: string, codeSortKey: string, id: string];

/** The tasks from `from` (the first when absent) to before `to` (to the end when absent). */
export interface TaskRange {
  from?: TaskPosition | undefined;
  to?: TaskPosition | undefined;
}

/**
 * The statements tasksOf runs for these plans, instant and range: the tasks (with their basis meetings), and their
 * assignees, transitions and progress reports in the tasks' order, each row ending with its task's key (taskKey).
 * Built apart so that a test can read SQLite's plan of each (test/reports/task-range-plan.test.ts): a range must be
 * sought in the order index, not its whole plan read and filtered.
 */
export function taskQueries(db: Db, planIds: string[], before: string, { from, to }: TaskRange = {}) {
  const position = sql`(${tasks.planId}, ${tasks.codeSortKey}, ${tasks.id})`;
  // A bound within the one plan asked for is on (code, id) after the plan's equality, a range SQLite seeks in the order
  // index; a row value starting with the plan is not used as a range once the plan is matched by equality, so each part
  // read its whole plan (100,000 tasks: 20 ms a query instead of 1, four queries a part).
  const bound = (p: TaskPosition, op: '>=' | '<') =>
    planIds.length === 1 && p[0] === planIds[0]
      ? sql`(${tasks.codeSortKey}, ${tasks.id}) ${sql.raw(op)} (${p[1]}, ${p[2]})`
      : sql`${position} ${sql.raw(op)} (${p[0]}, ${p[1]}, ${p[2]})`;
  const inScope = and(inArray(tasks.planId, planIds), lt(tasks.createdAt, before), from && bound(from, '>='), to && bound(to, '<'));
  const inTaskOrder = [asc(tasks.planId), asc(tasks.codeSortKey), asc(tasks.id)];
  return {
    tasks: db
      .select({ ...taskColumns, taskKey })
      .from(tasks)
      .leftJoin(meetings, eq(meetings.id, tasks.basisMeetingId))
      .where(inScope)
      .orderBy(...inTaskOrder),
    assignees: db
      .select({ organizationId: taskAssignees.organizationId, role: taskAssignees.role, assignedAt: taskAssignees.assignedAt, taskKey })
      .from(tasks)
      .innerJoin(taskAssignees, eq(taskAssignees.taskId, tasks.id))
      .where(inScope)
      // Leads first ('lead' sorts after 'co_executor'), then in the order given.
      .orderBy(...inTaskOrder, desc(taskAssignees.role), asc(taskAssignees.position)),
    changes: db
      .select({ to: taskStatusChanges.toStatus, changedAt: taskStatusChanges.changedAt, taskKey })
      .from(tasks)
      .innerJoin(taskStatusChanges, eq(taskStatusChanges.taskId, tasks.id))
      .where(and(inScope, lt(taskStatusChanges.changedAt, before)))
      .orderBy(...inTaskOrder, asc(taskStatusChanges.changedAt), asc(taskStatusChanges.id)),
    reports: db
      .select({
        organizationId: progressReports.organizationId,
        period: progressReports.period,
        percentComplete: progressReports.percentComplete,
        confidence: progressReports.confidence,
        taskKey,
      })
      .from(tasks)
      .innerJoin(progressReports, eq(progressReports.taskId, tasks.id))
      .where(and(inScope, lt(progressReports.createdAt, before)))
      .orderBy(...inTaskOrder),
  };
}

/**
 * The tasks of the plans created before `before` (an ISO instant), in the order of GET /v1/tasks (plan, code as
 * people number them, id), one at a time, each with its basis meeting, its assignees (with their organizations),
 * and its transitions and progress reports known before `before`. Those three are read by queries in the same
 * order, walked in step with the tasks (taskQueries). A range leaves out the tasks before `from` and from `to` on.
 */
export function* tasksOf(db: Db, planIds: string[], before: string, range: TaskRange = {}): Generator<ReportTaskRow> {
  if (planIds.length === 0) return;
  const queries = taskQueries(db, planIds, before, range);
  // Every organization, for a range too: those of a slice of 200 tasks' assignees (a subquery over its range) cost
  // no less than all 1,000 beside 100,000 tasks (1.5 ms against 1.3, scratch timing).
  const organizationById = new Map<string, Omit<ReportAssignee, 'role'>>();
  for (const [id, name, shortName, country] of db
    .select({ id: organizations.id, name: organizations.name, shortName: organizations.shortName, country: organizations.country })
    .from(organizations)
    .values() as [string, string, string | null, string][]) {
    organizationById.set(id, { organizationId: id, name, shortName, country });
  }
  const inStep = <R extends unknown[]>(query: Parameters<typeof rowsOf>[1]) => new TaskCursor<R>(rowsOf(db, query));
  const assignees = inStep<[organizationId: string, role: AssigneeRole, assignedAt: string, taskKey: number]>(queries.assignees);
  const changes = inStep<[to: TaskStatus, changedAt: string, taskKey: number]>(queries.changes);
  const reports = inStep<ReportTuple>(queries.reports);
  const query = queries.tasks;
  try {
    for (const values of rowsOf(db, query)) {
      // Completed in place rather than copied: a whole plan is 100,000 of them.
      const row = decodeTask(values) as TaskWithMeeting & Partial<ReportTaskRow>;
      const key = values[values.length - 1] as number;
      const assigned = assignees.take(key);
      row.assignees = assigned.map(([organizationId, role]) => {
        // The organization's id as read once with it: one string per organization, not one per assignment.
        const organization = organizationById.get(organizationId) as Omit<ReportAssignee, 'role'>;
        return { organizationId: organization.organizationId, name: organization.name, shortName: organization.shortName, country: organization.country, role };
      });
      row.assignedAt = assigned.map((a) => a[2]);
      row.basisMeeting =
        row.basisMeetingId && row.meetingTitle !== null && row.meetingDate !== null
          ? { title: row.meetingTitle, date: row.meetingDate, protocolNumber: row.meetingProtocolNumber }
          : null;
      row.changes = changes.take(key).map(([to, changedAt]) => ({ to, changedAt }));
      row.reports = reports.take(key);
      yield row as ReportTaskRow;
    }
    assignees.finish('assignees');
    changes.finish('transitions');
    reports.finish('progress reports');
  } finally {
    assignees.close();
    changes.close();
    reports.close();
  }
}
