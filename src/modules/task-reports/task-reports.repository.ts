// Drizzle queries on progress reports, read with what presenting them needs from plan, commission and key.
import { and, asc, eq, sql } from 'drizzle-orm';
import { insertRow, prepared, type Db } from '../../db/connection.js';
import type { Role } from '../../db/enums.js';
import { apiKeys, commissions, plans, progressReports, taskAssignees, tasks } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { ListTaskReportsQuery } from './task-reports.schemas.js';

export type ReportRow = typeof progressReports.$inferSelect;

/** A report row with its plan's approval, the commission's time zone and the submitting key. */
export interface ReportRecord extends ReportRow {
  planId: string;
  /** When the plan was approved: reports are accepted only from then on. */
  planApprovedAt: string | null;
  timeZone: string;
  /** Role and organization of the key that submitted the current revision; null for the command line. */
  submitterRole: Role | null;
  submitterOrganizationId: string | null;
}

function baseQuery(db: Db) {
  return db
    .select({
      report: progressReports,
      planId: tasks.planId,
      planApprovedAt: plans.approvedAt,
      timeZone: commissions.timeZone,
      submitterRole: apiKeys.role,
      submitterOrganizationId: apiKeys.organizationId,
    })
    .from(progressReports)
    .innerJoin(tasks, eq(tasks.id, progressReports.taskId))
    .innerJoin(plans, eq(plans.id, tasks.planId))
    .innerJoin(commissions, eq(commissions.id, plans.commissionId))
    // Keys are revoked, never deleted: the submitter stays known.
    .leftJoin(apiKeys, eq(apiKeys.id, progressReports.submittedByKeyId));
}

type Joined = Awaited<ReturnType<ReturnType<typeof baseQuery>['all']>>[number];

function toRecord({ report, ...rest }: Joined): ReportRecord {
  return { ...report, ...rest };
}

/** Prepared: a submission reads a report twice (is there one already; the one it wrote). */
export function findReport(db: Db, taskId: string, id: string): ReportRecord | undefined {
  const row = prepared(db, 'findReport', (db) =>
    baseQuery(db)
      .where(and(eq(progressReports.id, sql.placeholder('id')), eq(progressReports.taskId, sql.placeholder('taskId'))))
      .prepare(),
  ).get({ id, taskId });
  return row && toRecord(row);
}

/** The report of one organization for one period of a task: there is at most one. */
export function findReportFor(db: Db, taskId: string, organizationId: string, period: string): ReportRecord | undefined {
  const row = prepared(db, 'findReportFor', (db) =>
    baseQuery(db)
      .where(
        and(
          eq(progressReports.taskId, sql.placeholder('taskId')),
          eq(progressReports.organizationId, sql.placeholder('organizationId')),
          eq(progressReports.period, sql.placeholder('period')),
        ),
      )
      .prepare(),
  ).get({ taskId, organizationId, period });
  return row && toRecord(row);
}

const cursor = cursorFor('taskReports');

/** Reports of a task by period, then organization: unique per task, so a stable keyset order. */
export function listReports(db: Db, taskId: string, query: ListTaskReportsQuery): Page<ReportRecord> {
  const q = { ...query, taskId };
  const order = [progressReports.period, progressReports.organizationId];
  const rows = baseQuery(db)
    .where(
      and(
        eq(progressReports.taskId, taskId),
        q.period === undefined ? undefined : eq(progressReports.period, q.period),
        q.organizationId === undefined ? undefined : eq(progressReports.organizationId, q.organizationId),
        q.status === undefined ? undefined : eq(progressReports.status, q.status),
        cursor.after(order, q),
      ),
    )
    .orderBy(...order.map((c) => asc(c)))
    .limit(q.limit + 1)
    .all();
  return cursor.page(rows, q, (r) => [r.report.period, r.report.organizationId], toRecord);
}

/** When the organization was assigned to the task, if it is an assignee: it owes only the reports due after. Prepared: every submission reads it. */
export function assignedAt(db: Db, taskId: string, organizationId: string): string | undefined {
  return prepared(db, 'assignedAt', (db) =>
    db
      .select({ assignedAt: taskAssignees.assignedAt })
      .from(taskAssignees)
      .where(and(eq(taskAssignees.taskId, sql.placeholder('taskId')), eq(taskAssignees.organizationId, sql.placeholder('organizationId'))))
      .prepare(),
  ).get({ taskId, organizationId })?.assignedAt;
}

export function insertReport(db: Db, row: ReportRow): void {
  insertRow(db, progressReports, row);
}

/** A report's deadline and its organization's assignment were fixed when it was first submitted: no later write moves them. */
export function updateReport(
  db: Db,
  id: string,
  set: Partial<Omit<ReportRow, 'id' | 'taskId' | 'organizationId' | 'period' | 'submissionDeadline' | 'assignedAt' | 'createdAt'>>,
): void {
  db.update(progressReports).set(set).where(eq(progressReports.id, id)).run();
}
