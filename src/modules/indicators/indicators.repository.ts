// Drizzle queries on indicators and their values by period; rows come back with what presenting them needs.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import type { PlanStatus, ReportingFrequency } from '../../db/enums.js';
import { commissions, indicators, indicatorValues, plans, tasks } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { ListIndicatorsQuery } from './indicators.schemas.js';

export type IndicatorRow = typeof indicators.$inferSelect;
export type IndicatorValueRow = typeof indicatorValues.$inferSelect;

/** An indicator with its values and what its plan decides: "today" (the commission's zone), frequency, period, state. */
export interface IndicatorRecord extends IndicatorRow {
  timeZone: string;
  /** The due date of the indicator's task (null for a plan's indicator): a task postponed past the plan's end is measured up to it. */
  taskDueDate: string | null;
  plan: { status: PlanStatus; reportingFrequency: ReportingFrequency; periodStart: string; periodEnd: string };
  /** Ordered by period text; the service orders mixed quarter/month forms by date. */
  values: IndicatorValueRow[];
}

const recordColumns = {
  indicator: indicators,
  timeZone: commissions.timeZone,
  taskDueDate: tasks.dueDate,
  status: plans.status,
  reportingFrequency: plans.reportingFrequency,
  periodStart: plans.periodStart,
  periodEnd: plans.periodEnd,
};

type JoinedRow = { indicator: IndicatorRow; timeZone: string; taskDueDate: string | null } & IndicatorRecord['plan'];

function baseQuery(db: Db) {
  return db
    .select(recordColumns)
    .from(indicators)
    .innerJoin(plans, eq(plans.id, indicators.planId))
    .innerJoin(commissions, eq(commissions.id, plans.commissionId))
    .leftJoin(tasks, eq(tasks.id, indicators.taskId));
}

/** Attaches the values of every indicator of `rows` in one query. */
function withValues(db: Db, rows: JoinedRow[]): IndicatorRecord[] {
  if (rows.length === 0) return [];
  const values = db
    .select()
    .from(indicatorValues)
    .where(
      inArray(
        indicatorValues.indicatorId,
        rows.map((r) => r.indicator.id),
      ),
    )
    .orderBy(asc(indicatorValues.indicatorId), asc(indicatorValues.period))
    .all();
  const byIndicator = new Map<string, IndicatorValueRow[]>();
  for (const v of values) {
    const list = byIndicator.get(v.indicatorId) ?? [];
    list.push(v);
    byIndicator.set(v.indicatorId, list);
  }
  return rows.map(({ indicator, timeZone, taskDueDate, ...plan }) => ({
    ...indicator,
    timeZone,
    taskDueDate,
    plan,
    values: byIndicator.get(indicator.id) ?? [],
  }));
}

export function findIndicatorRecord(db: Db, id: string): IndicatorRecord | undefined {
  const row = baseQuery(db).where(eq(indicators.id, id)).get();
  return row && withValues(db, [row])[0];
}

const cursor = cursorFor('indicators');

export function listIndicatorRecords(db: Db, q: ListIndicatorsQuery): Page<IndicatorRecord> {
  const rows = baseQuery(db)
    .where(
      and(
        q.planId === undefined ? undefined : eq(indicators.planId, q.planId),
        q.taskId === undefined ? undefined : eq(indicators.taskId, q.taskId),
        // With a plan chosen, its id is held equal: the (plan, id) index seeks past the cursor's id.
        cursor.after([indicators.planId, indicators.id], q, q.planId === undefined ? 0 : 1),
      ),
    )
    .orderBy(asc(indicators.planId), asc(indicators.id))
    .limit(q.limit + 1)
    .all();
  const page = cursor.page(rows, q, (r) => [r.indicator.planId, r.indicator.id], (r) => r);
  return { items: withValues(db, page.items), nextCursor: page.nextCursor };
}

/** The plan a task belongs to, or undefined when there is no such task. */
export function planIdOfTask(db: Db, taskId: string): string | undefined {
  return db.select({ planId: tasks.planId }).from(tasks).where(eq(tasks.id, taskId)).get()?.planId;
}

export function insertIndicator(db: Db, row: IndicatorRow): void {
  db.insert(indicators).values(row).run();
}

export function updateIndicator(db: Db, id: string, set: Partial<Omit<IndicatorRow, 'id' | 'planId' | 'taskId' | 'createdAt'>>): void {
  db.update(indicators).set(set).where(eq(indicators.id, id)).run();
}

/** Records the value of a period, replacing the one recorded before for that period. */
export function upsertValue(db: Db, row: IndicatorValueRow): void {
  const { indicatorId: _indicatorId, period: _period, ...set } = row;
  db.insert(indicatorValues)
    .values(row)
    .onConflictDoUpdate({ target: [indicatorValues.indicatorId, indicatorValues.period], set })
    .run();
}

/** Deletes the indicator; its values go with it (ON DELETE CASCADE). */
export function deleteIndicator(db: Db, id: string): void {
  db.delete(indicators).where(eq(indicators.id, id)).run();
}

export function deleteValue(db: Db, indicatorId: string, period: string): void {
  db.delete(indicatorValues).where(and(eq(indicatorValues.indicatorId, indicatorId), eq(indicatorValues.period, period))).run();
}

/** The indicators of one task, with their values: what deleting the task would take with it. */
export function indicatorsOfTask(db: Db, taskId: string): IndicatorRecord[] {
  return withValues(db, baseQuery(db).where(eq(indicators.taskId, taskId)).orderBy(asc(indicators.id)).all());
}
