// Drizzle queries on plans; rows come back as API-shaped Plan objects with their task count.
import { and, asc, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import { prepared, type Db } from '../../db/connection.js';
import { deadlineChanges, indicators, indicatorValues, plans, progressReports, tasks } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { ListPlansQuery, Plan } from './plans.schemas.js';

type Row = typeof plans.$inferSelect;

// A correlated count rather than a join + GROUP BY keeps the keyset pagination a plain ordered scan.
// $count qualifies its columns; a raw sql`` subquery here would render "plan_id" = "id", both read from tasks.
const planColumns = (db: Db) => ({
  ...getTableColumns(plans),
  taskCount: db.$count(tasks, eq(tasks.planId, plans.id)),
});

function toPlan(r: Row & { taskCount: number }): Plan {
  return {
    id: r.id,
    commissionId: r.commissionId,
    title: r.title,
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    status: r.status,
    reportingFrequency: r.reportingFrequency,
    reportDueDays: r.reportDueDays,
    approvedAt: r.approvedAt,
    closedAt: r.closedAt,
    taskCount: r.taskCount,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function toRow({ taskCount: _taskCount, ...p }: Plan): Row {
  return p;
}

export function findPlan(db: Db, id: string): Plan | undefined {
  const row = db.select(planColumns(db)).from(plans).where(eq(plans.id, id)).get();
  return row && toPlan(row);
}

/** A plan without its task count: what the rules of other entities read (counting 100,000 tasks took 8 ms). */
export type PlanRecord = Omit<Plan, 'taskCount'>;

export function findPlanRecord(db: Db, id: string): PlanRecord | undefined {
  return prepared(db, 'findPlanRecord', (db) => db.select().from(plans).where(eq(plans.id, sql.placeholder('id'))).prepare()).get({ id });
}

const cursor = cursorFor('plans');

export function listPlans(db: Db, q: ListPlansQuery): Page<Plan> {
  const rows = db
    .select(planColumns(db))
    .from(plans)
    .where(
      and(
        q.commissionId === undefined ? undefined : eq(plans.commissionId, q.commissionId),
        q.status === undefined ? undefined : eq(plans.status, q.status),
        cursor.after([plans.id], q),
      ),
    )
    .orderBy(asc(plans.id))
    .limit(q.limit + 1)
    .all();
  return cursor.page(rows, q, (r) => [r.id], toPlan);
}

export function insertPlan(db: Db, p: Plan): void {
  db.insert(plans).values(toRow(p)).run();
}

export function updatePlan(db: Db, p: Plan): void {
  const { id, createdAt: _createdAt, ...rest } = toRow(p);
  db.update(plans).set(rest).where(eq(plans.id, id)).run();
}

/** Whether any progress report or indicator value of the plan names a reporting period. */
export function hasReportedPeriods(db: Db, planId: string): boolean {
  const report = db
    .select({ id: progressReports.id })
    .from(progressReports)
    .innerJoin(tasks, eq(tasks.id, progressReports.taskId))
    .where(eq(tasks.planId, planId))
    .limit(1)
    .get();
  if (report) return true;
  const value = db
    .select({ id: indicatorValues.indicatorId })
    .from(indicatorValues)
    .innerJoin(indicators, eq(indicators.id, indicatorValues.indicatorId))
    .where(eq(indicators.planId, planId))
    .limit(1)
    .get();
  return value !== undefined;
}

/** The reporting periods the plan's progress reports and indicator values name, each once, in order. */
export function reportedPeriods(db: Db, planId: string): string[] {
  const reports = db
    .selectDistinct({ period: progressReports.period })
    .from(progressReports)
    .innerJoin(tasks, eq(tasks.id, progressReports.taskId))
    .where(eq(tasks.planId, planId))
    .all();
  const values = db
    .selectDistinct({ period: indicatorValues.period })
    .from(indicatorValues)
    .innerJoin(indicators, eq(indicators.id, indicatorValues.indicatorId))
    .where(eq(indicators.planId, planId))
    .all();
  return [...new Set([...reports, ...values].map((r) => r.period))].sort();
}

/** Tasks waiting for one kind of decision: how many, and the codes of the first few in the plan's order. */
export interface Awaiting {
  count: number;
  codes: string[];
}

/**
 * What waits for a decision in the plan, by the codes of its first `named` tasks in the plan's order and how many there
 * are: a deadline change asked for and not decided, a progress report submitted and not reviewed, a task reported done
 * and neither closed nor sent back. Each kind is read from where it waits (the partial indexes of pending changes and
 * submitted reports, the status index), the plan only checked: checked task by task while the plan's tasks were walked,
 * closing a plan of 100,000 tasks held the event loop 95 ms when nothing waited, and 200 ms to refuse with 51,000
 * reports to review (every code read, ten named).
 */
export function awaitingDecision(db: Db, planId: string, named: number): { deadlineRequests: Awaiting; reports: Awaiting; done: Awaiting } {
  const checkedPlan = eq(sql`(${tasks.planId} || '')`, planId);
  const awaiting = (condition: SQL): Awaiting => {
    const codes = db
      .select({ code: tasks.code })
      .from(tasks)
      .where(and(checkedPlan, condition))
      .orderBy(asc(tasks.codeSortKey), asc(tasks.id))
      .limit(named)
      .all()
      .map((r) => r.code);
    const count = codes.length < named ? codes.length : (db.select({ n: sql<number>`count(*)` }).from(tasks).where(and(checkedPlan, condition)).get()?.n ?? 0);
    return { count, codes };
  };
  // The statuses written in the statement, not bound: SQLite takes a partial index only for its own WHERE, as written.
  const pendingChanges = db.select({ taskId: deadlineChanges.taskId }).from(deadlineChanges).where(sql`${deadlineChanges.status} = 'pending'`);
  const submittedReports = db.select({ taskId: progressReports.taskId }).from(progressReports).where(sql`${progressReports.status} = 'submitted'`);
  return {
    deadlineRequests: awaiting(inArray(tasks.id, pendingChanges)),
    reports: awaiting(inArray(tasks.id, submittedReports)),
    // The status index holds (status, plan, code order): sought, not checked.
    done: awaiting(and(eq(tasks.status, 'done'), eq(tasks.planId, planId)) as SQL),
  };
}
