// Drizzle queries of the calendar feed: the approved plans in scope, and their open tasks with executors.
import { and, asc, count, desc, eq, exists, gte, inArray, lt, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { assigneesByTask } from '../tasks/tasks.assignees-repository.js';
import type { AssigneeRole } from '../../db/enums.js';
import { changeHistory, commissions, deadlineChanges, plans, taskAssignees, tasks, taskStatusChanges, type TaskTranslations } from '../../db/schema.js';
import { OUT_OF_CONTROL_STATUSES } from '../tasks/task-timeliness.js';

export interface CalendarPlan {
  id: string;
  commissionId: string;
  commissionName: string;
  timeZone: string;
  title: string;
  periodStart: string;
  periodEnd: string;
  reportingFrequency: (typeof plans.$inferSelect)['reportingFrequency'];
  reportDueDays: number;
  /** When the plan was approved: a deadline that passed before owed no report (progress.missing.ts, owedReport). */
  approvedAt: string;
  /** How many times reportDueDays was changed, moving every submission deadline: their events' SEQUENCE. */
  reportDueDaysMoves: number;
  updatedAt: string;
}

export interface CalendarAssignee {
  organizationId: string;
  name: string;
  shortName: string | null;
  country: string;
  role: AssigneeRole;
  /** When the organization was last updated: its event shows the name, short name and country as of then. */
  organizationUpdatedAt: string;
}

export interface CalendarTask {
  id: string;
  planId: string;
  code: string;
  title: string;
  translations: TaskTranslations;
  status: (typeof tasks.$inferSelect)['status'];
  dueDate: string;
  originalDueDate: string;
  postponementCount: number;
  /** How many times the due date was moved, earlier or later: the event's SEQUENCE. */
  dueDateMoves: number;
  updatedAt: string;
  assignees: CalendarAssignee[];
}

export interface PlanScope {
  planId?: string | undefined;
  commissionId?: string | undefined;
  /** Only plans with at least one task under control that this organization executes. */
  organizationId?: string | undefined;
}

/**
 * The plan column as SQLite cannot look it up in an index, so only checked (as the task list does, `|| ''`): beside an
 * organization, whose tasks are read from its assignments.
 */
const checkedPlan = sql`(${tasks.planId} || '')`;

/**
 * "Some task of the plan still under control is executed by the organization", as a subquery correlated on plans.id:
 * once every task it executes there is closed or cancelled it owes the plan no report, and its feed shows none of the
 * plan's deadlines.
 */
function executesIn(db: Db, organizationId: string): SQL {
  return exists(
    db
      .select({ one: taskAssignees.taskId })
      .from(taskAssignees)
      .innerJoin(tasks, eq(tasks.id, taskAssignees.taskId))
      // From the organization's assignments (checkedPlan): by the plan, one with no open task there walked every task of
      // it (64 ms on 100,000), though it executes a few.
      .where(and(eq(checkedPlan, plans.id), eq(taskAssignees.organizationId, organizationId), notInArray(tasks.status, [...OUT_OF_CONTROL_STATUSES]))),
  );
}

/** An approved plan, the scope's plan or one of its commission's when it names one. */
function approvedInScope(scope: PlanScope): SQL | undefined {
  return and(
    eq(plans.status, 'approved'),
    scope.planId === undefined ? undefined : eq(plans.id, scope.planId),
    scope.commissionId === undefined ? undefined : eq(plans.commissionId, scope.commissionId),
  );
}

/** Approved plans in scope with their commission's name and time zone, oldest first. */
export function approvedPlans(db: Db, scope: PlanScope): CalendarPlan[] {
  return db
    .select({
      id: plans.id,
      commissionId: plans.commissionId,
      commissionName: commissions.name,
      timeZone: commissions.timeZone,
      title: plans.title,
      periodStart: plans.periodStart,
      periodEnd: plans.periodEnd,
      reportingFrequency: plans.reportingFrequency,
      reportDueDays: plans.reportDueDays,
      approvedAt: sql<string>`${plans.approvedAt}`,
      // The plan keeps no count of its own: its history (append-only) has every update that changed reportDueDays.
      reportDueDaysMoves: db.$count(
        changeHistory,
        and(
          eq(changeHistory.entityType, 'plan'),
          eq(changeHistory.entityId, plans.id),
          eq(changeHistory.operation, 'updatePlan'),
          sql`exists (select 1 from json_each(${changeHistory.changes}) where json_extract(value, '$.field') = 'reportDueDays')`,
        ),
      ),
      updatedAt: plans.updatedAt,
    })
    .from(plans)
    .innerJoin(commissions, eq(commissions.id, plans.commissionId))
    .where(and(approvedInScope(scope), scope.organizationId === undefined ? undefined : executesIn(db, scope.organizationId)))
    .orderBy(asc(plans.id))
    .all();
}

/**
 * The tasks of the plan the organization executes that existed at `deadlineEnd` (the end of a deadline day in the
 * commission's zone) and were under control then (their last status change before it neither closed nor cancelled;
 * none yet: not started), with since when it is on each now: what owedReport asks of a task for the deadline, before
 * whether the organization was on it then (onTaskAt). As that rule needs no more, one task it is on since before
 * `deadlineEnd`, if there is one (no read of the others); else every such task it was put on since.
 */
export function tasksUnderControlAt(db: Db, planId: string, organizationId: string, deadlineEnd: string): { taskId: string; assignedAt: string }[] {
  const statusThen = db
    .select({ to: taskStatusChanges.toStatus })
    .from(taskStatusChanges)
    .where(and(eq(taskStatusChanges.taskId, tasks.id), lt(taskStatusChanges.changedAt, deadlineEnd)))
    .orderBy(desc(taskStatusChanges.changedAt), desc(taskStatusChanges.id))
    .limit(1);
  const underControl = (assigned: SQL) =>
    db
      .select({ taskId: tasks.id, assignedAt: taskAssignees.assignedAt })
      .from(taskAssignees)
      .innerJoin(tasks, eq(tasks.id, taskAssignees.taskId))
      .where(
        and(
          // Read from the organization's assignments: by the plan, every task of it was walked (76 ms on 100,000).
          eq(checkedPlan, planId),
          eq(taskAssignees.organizationId, organizationId),
          assigned,
          lt(tasks.createdAt, deadlineEnd),
          notInArray(sql`coalesce((${statusThen}), 'not_started')`, [...OUT_OF_CONTROL_STATUSES]),
        ),
      );
  const onSinceBefore = underControl(lt(taskAssignees.assignedAt, deadlineEnd)).limit(1).get();
  return onSinceBefore === undefined ? underControl(gte(taskAssignees.assignedAt, deadlineEnd)).all() : [onSinceBefore];
}

/**
 * A task still under control (neither closed nor cancelled), executed by the organization if one is given: then one of
 * the tasks of its assignments, read by their index. Checked task by task (exists) while the plan's tasks were walked,
 * one ministry's feed read every task of the plan: 200 of 100,000 took 200 ms on the event loop (70 to count them, 130
 * to read them), where a feed of fewer than reportWorkerMinTasks tasks is written.
 */
function openTask(db: Db, organizationId: string | undefined): SQL | undefined {
  return and(
    notInArray(tasks.status, [...OUT_OF_CONTROL_STATUSES]),
    organizationId === undefined
      ? undefined
      : inArray(tasks.id, db.select({ id: taskAssignees.taskId }).from(taskAssignees).where(eq(taskAssignees.organizationId, organizationId))),
  );
}

/**
 * How many task events a feed of this scope has, counted up to `upTo` (what decides where it is written, see
 * progress.producer.ts, needs no more): counting every open task of the benchmark's plan of 100,000 held the event
 * loop 40-70 ms for each whole-plan feed, the longest wait of every other request while it was written in a thread.
 */
export function openTaskCount(db: Db, scope: PlanScope, upTo: number): number {
  const inScope = db
    .select({ one: sql`1` })
    .from(tasks)
    .innerJoin(plans, eq(plans.id, scope.organizationId === undefined ? tasks.planId : checkedPlan))
    .where(and(approvedInScope(scope), openTask(db, scope.organizationId)))
    .limit(upTo)
    .as('in_scope');
  const row = db.select({ n: count() }).from(inScope).get();
  return row?.n ?? 0;
}

/** Tasks of these plans still under control (neither closed nor cancelled), by plan then code, with executors. */
export function openTasks(db: Db, planIds: string[], organizationId?: string): CalendarTask[] {
  if (planIds.length === 0) return [];
  const inScope = and(inArray(organizationId === undefined ? sql`${tasks.planId}` : checkedPlan, planIds), openTask(db, organizationId));
  const rows = db
    .select({
      id: tasks.id,
      planId: tasks.planId,
      code: tasks.code,
      title: tasks.title,
      translations: tasks.translations,
      status: tasks.status,
      dueDate: tasks.dueDate,
      originalDueDate: tasks.originalDueDate,
      postponementCount: tasks.postponementCount,
      // In an approved plan a due date moves only by a deadline change, approved or applied directly.
      dueDateMoves: db.$count(deadlineChanges, and(eq(deadlineChanges.taskId, tasks.id), inArray(deadlineChanges.status, ['approved', 'applied']))),
      updatedAt: tasks.updatedAt,
    })
    .from(tasks)
    .where(inScope)
    .orderBy(asc(tasks.planId), asc(tasks.codeSortKey), asc(tasks.id))
    .all();
  if (rows.length === 0) return [];
  // The assignees of these tasks only: one ministry's feed read all 200,000 assignments of a 100,000-task plan. With
  // each its organization's updatedAt, read with the names, as a renamed executor revises the task's event.
  const byTask = assigneesByTask(db, inScope);
  return rows.map((r) => ({ ...r, translations: r.translations ?? {}, assignees: byTask.get(r.id) ?? [] }));
}
