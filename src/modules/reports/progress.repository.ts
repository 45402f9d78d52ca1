// Drizzle queries of the progress report: the scope's plans, tasks, assignees, transitions, deadline
// changes, progress reports and indicators, each read as it stood before an instant.
import { and, asc, eq, inArray, isNotNull, lt } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { assigneesByTask } from '../tasks/tasks.repository.js';
import type { AssigneeRole, PlanStatus, TaskStatus } from '../../db/enums.js';
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

export interface ReportTaskRow extends TaskRow {
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
 * code as people number them, id), with their assignees (leads first) and basis meeting.
 */
export function tasksOf(db: Db, planIds: string[], before: string): ReportTaskRow[] {
  if (planIds.length === 0) return [];
  const rows = db
    .select({ task: tasks, meeting: { title: meetings.title, date: meetings.date, protocolNumber: meetings.protocolNumber } })
    .from(tasks)
    .leftJoin(meetings, eq(meetings.id, tasks.basisMeetingId))
    .where(and(inArray(tasks.planId, planIds), lt(tasks.createdAt, before)))
    .orderBy(asc(tasks.planId), asc(tasks.codeSortKey), asc(tasks.id))
    .all();
  const byTask = assigneesByTask(db, inArray(tasks.planId, planIds));
  return rows.map(({ task, meeting }) => ({
    ...task,
    assignees: byTask.get(task.id) ?? [],
    basisMeeting: task.basisMeetingId && meeting ? meeting : null,
  }));
}

export interface StatusChangeRow {
  taskId: string;
  to: TaskStatus;
  changedAt: string;
}

/** Status transitions of the plans' tasks taken before `before`, oldest first per task. */
export function statusChangesOf(db: Db, planIds: string[], before: string): StatusChangeRow[] {
  if (planIds.length === 0) return [];
  return db
    .select({ taskId: taskStatusChanges.taskId, to: taskStatusChanges.toStatus, changedAt: taskStatusChanges.changedAt })
    .from(taskStatusChanges)
    .innerJoin(tasks, eq(tasks.id, taskStatusChanges.taskId))
    .where(and(inArray(tasks.planId, planIds), lt(taskStatusChanges.changedAt, before)))
    .orderBy(asc(taskStatusChanges.taskId), asc(taskStatusChanges.changedAt), asc(taskStatusChanges.id))
    .all();
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

export interface ReportRow {
  taskId: string;
  organizationId: string;
  period: string;
  percentComplete: number;
  confidence: 'green' | 'amber' | 'red';
}

/**
 * Progress reports on the plans' tasks first submitted before `before`. A revision moves `submittedAt` but the
 * report existed since its first submission (`createdAt`); its figures are those of its latest revision.
 */
export function progressReportsOf(db: Db, planIds: string[], before: string): ReportRow[] {
  if (planIds.length === 0) return [];
  return db
    .select({
      taskId: progressReports.taskId,
      organizationId: progressReports.organizationId,
      period: progressReports.period,
      percentComplete: progressReports.percentComplete,
      confidence: progressReports.confidence,
    })
    .from(progressReports)
    .innerJoin(tasks, eq(tasks.id, progressReports.taskId))
    .where(and(inArray(tasks.planId, planIds), lt(progressReports.createdAt, before)))
    .all();
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
