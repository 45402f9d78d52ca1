// Drizzle queries of the progress report: the scope's plans, tasks, assignees, transitions, deadline
// changes, progress reports and indicators, each read as it stood before an instant.
import { and, asc, count, eq, inArray, isNotNull, lt } from 'drizzle-orm';
import { rowDecoder, rowsOf, type Db } from '../../db/connection.js';
import { assigneesByTask } from '../tasks/tasks.repository.js';
import type { AssigneeRole, Confidence, PlanStatus, TaskStatus } from '../../db/enums.js';
import {
  commissions,
  deadlineChanges,
  indicators,
  indicatorValues,
  meetings,
  plans,
  progressReports,
  tasks,
  taskStatusChanges,
} from '../../db/schema.js';

export type CommissionRow = typeof commissions.$inferSelect;
export type PlanRow = typeof plans.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;

/** Plans a report may cover: a draft has no progress yet. */
const REPORTABLE: PlanStatus[] = ['approved', 'closed'];

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

export interface ReportTaskRow extends ReportTaskColumns {
  assignees: ReportAssignee[];
  basisMeeting: { title: string; date: string; protocolNumber: string | null } | null;
}

export function findPlanRow(db: Db, id: string): PlanRow | undefined {
  return db.select().from(plans).where(eq(plans.id, id)).get();
}

export function findCommissionRow(db: Db, id: string): CommissionRow | undefined {
  return db.select().from(commissions).where(eq(commissions.id, id)).get();
}

/** The approved and closed plans of a commission, oldest first (their ids are time-ordered). */
export function reportablePlans(db: Db, commissionId: string): PlanRow[] {
  return db
    .select()
    .from(plans)
    .where(and(eq(plans.commissionId, commissionId), inArray(plans.status, REPORTABLE)))
    .orderBy(asc(plans.id))
    .all();
}

/**
 * The tasks of the plans created before `before` (an ISO instant), in the order of GET /v1/tasks (plan,
 * code as people number them, id), with their assignees (leads first) and basis meeting, one at a time.
 */
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

/** How many tasks a report would cover, today's: the plan's, or those of every plan of the commission (drafts too). */
export function tasksInScope(db: Db, scope: { planId?: string | undefined; commissionId?: string | undefined }): number {
  const [row] =
    scope.planId !== undefined
      ? db.select({ n: count() }).from(tasks).where(eq(tasks.planId, scope.planId)).all()
      : db.select({ n: count() }).from(tasks).innerJoin(plans, eq(plans.id, tasks.planId)).where(eq(plans.commissionId, scope.commissionId ?? '')).all();
  return row?.n ?? 0;
}

export function* tasksOf(db: Db, planIds: string[], before: string): Generator<ReportTaskRow> {
  if (planIds.length === 0) return;
  const byTask = assigneesByTask(db, inArray(tasks.planId, planIds));
  const query = db
    .select(taskColumns)
    .from(tasks)
    .leftJoin(meetings, eq(meetings.id, tasks.basisMeetingId))
    .where(and(inArray(tasks.planId, planIds), lt(tasks.createdAt, before)))
    .orderBy(asc(tasks.planId), asc(tasks.codeSortKey), asc(tasks.id));
  for (const values of rowsOf(db, query)) {
    // Completed in place rather than copied: a whole plan is 100,000 of them.
    const row = decodeTask(values) as TaskWithMeeting & Partial<ReportTaskRow>;
    row.assignees = byTask.get(row.id) ?? [];
    row.basisMeeting =
      row.basisMeetingId && row.meetingTitle !== null && row.meetingDate !== null
        ? { title: row.meetingTitle, date: row.meetingDate, protocolNumber: row.meetingProtocolNumber }
        : null;
    yield row as ReportTaskRow;
  }
}

/** A status transition of a task: to which status, and when. */
export interface StatusChange {
  to: TaskStatus;
  changedAt: string;
}

/** Status transitions of the plans' tasks taken before `before`, by task, oldest first. */
export function statusChangesByTask(db: Db, planIds: string[], before: string): Map<string, StatusChange[]> {
  const byTask = new Map<string, StatusChange[]>();
  if (planIds.length === 0) return byTask;
  const rows = db
    .select({ taskId: taskStatusChanges.taskId, to: taskStatusChanges.toStatus, changedAt: taskStatusChanges.changedAt })
    .from(taskStatusChanges)
    .innerJoin(tasks, eq(tasks.id, taskStatusChanges.taskId))
    .where(and(inArray(tasks.planId, planIds), lt(taskStatusChanges.changedAt, before)))
    .orderBy(asc(taskStatusChanges.taskId), asc(taskStatusChanges.changedAt), asc(taskStatusChanges.id))
    .values() as [string, TaskStatus, string][];
  for (const [taskId, to, changedAt] of rows) pushTo(byTask, taskId, { to, changedAt });
  return byTask;
}

/** Appends `item` to the list of `key`, creating the list on its first item. */
function pushTo<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

export interface DueDateMoveRow {
  taskId: string;
  newDueDate: string;
  decidedAt: string;
}

/** Deadline changes of the plans' tasks that took effect (approved, or applied directly) before `before`, in order. */
export function dueDateMovesOf(db: Db, planIds: string[], before: string): DueDateMoveRow[] {
  if (planIds.length === 0) return [];
  return db
    .select({ taskId: deadlineChanges.taskId, newDueDate: deadlineChanges.newDueDate, decidedAt: deadlineChanges.decidedAt })
    .from(deadlineChanges)
    .innerJoin(tasks, eq(tasks.id, deadlineChanges.taskId))
    .where(
      and(
        inArray(tasks.planId, planIds),
        inArray(deadlineChanges.status, ['approved', 'applied']),
        isNotNull(deadlineChanges.decidedAt),
        lt(deadlineChanges.decidedAt, before),
      ),
    )
    .orderBy(asc(deadlineChanges.taskId), asc(deadlineChanges.decidedAt), asc(deadlineChanges.id))
    .all() as DueDateMoveRow[];
}

/**
 * A progress report as the report counts it, read by position (a whole plan is 200,000 of them): the reporting
 * organization, the period, and the figures of its latest revision.
 */
export type ReportTuple = [organizationId: string, period: string, percentComplete: number, confidence: Confidence, taskId: string];

/**
 * Progress reports on the plans' tasks first submitted before `before`, by task, in no particular order. A revision
 * moves `submittedAt` but the report existed since its first submission (`createdAt`); its figures are those of its
 * latest revision.
 */
export function progressReportsByTask(db: Db, planIds: string[], before: string): Map<string, ReportTuple[]> {
  const byTask = new Map<string, ReportTuple[]>();
  if (planIds.length === 0) return byTask;
  const rows = db
    .select({
      organizationId: progressReports.organizationId,
      period: progressReports.period,
      percentComplete: progressReports.percentComplete,
      confidence: progressReports.confidence,
      taskId: progressReports.taskId,
    })
    .from(progressReports)
    .innerJoin(tasks, eq(tasks.id, progressReports.taskId))
    .where(and(inArray(tasks.planId, planIds), lt(progressReports.createdAt, before)))
    .values() as ReportTuple[];
  for (const row of rows) pushTo(byTask, row[4], row);
  return byTask;
}

export type IndicatorRow = typeof indicators.$inferSelect & { values: { period: string; value: number }[] };

/** Indicators of the plans created before `before`, by plan then creation, with their values recorded before it. */
export function indicatorsOf(db: Db, planIds: string[], before: string): IndicatorRow[] {
  if (planIds.length === 0) return [];
  const rows = db
    .select()
    .from(indicators)
    .where(and(inArray(indicators.planId, planIds), lt(indicators.createdAt, before)))
    .orderBy(asc(indicators.planId), asc(indicators.id))
    .all();
  if (rows.length === 0) return [];
  const values = db
    .select({ indicatorId: indicatorValues.indicatorId, period: indicatorValues.period, value: indicatorValues.value })
    .from(indicatorValues)
    .innerJoin(indicators, eq(indicators.id, indicatorValues.indicatorId))
    .where(and(inArray(indicators.planId, planIds), lt(indicatorValues.recordedAt, before)))
    .all();
  const byIndicator = new Map<string, { period: string; value: number }[]>();
  for (const { indicatorId, ...v } of values) {
    const list = byIndicator.get(indicatorId) ?? [];
    list.push(v);
    byIndicator.set(indicatorId, list);
  }
  return rows.map((r) => ({ ...r, values: byIndicator.get(r.id) ?? [] }));
}
