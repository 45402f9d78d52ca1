// Drizzle queries of what a report reads of its scope beside its tasks: the commission and plans, how many tasks they hold, their deadline moves and indicators.
import { and, asc, count, eq, inArray, isNotNull, lt } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import type { PlanStatus } from '../../db/enums.js';
import { commissions, deadlineChanges, indicators, indicatorValues, plans, tasks } from '../../db/schema.js';
import type { PlanRow } from './progress.repository.js';

export type CommissionRow = typeof commissions.$inferSelect;

/** Plans a report may cover: a draft has no progress yet. */
const REPORTABLE: PlanStatus[] = ['approved', 'closed'];

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

/** Every commission's plans in force and not closed, oldest first: those the report.missing webhook event is raised for. */
export function approvedPlans(db: Db): PlanRow[] {
  return db.select().from(plans).where(eq(plans.status, 'approved')).orderBy(asc(plans.id)).all();
}

/** How many tasks a report would cover, today's: the plan's, or those of every plan of the commission (drafts too). */
export function tasksInScope(db: Db, scope: { planId?: string | undefined; commissionId?: string | undefined }): number {
  const [row] =
    scope.planId !== undefined
      ? db.select({ n: count() }).from(tasks).where(eq(tasks.planId, scope.planId)).all()
      : db.select({ n: count() }).from(tasks).innerJoin(plans, eq(plans.id, tasks.planId)).where(eq(plans.commissionId, scope.commissionId ?? '')).all();
  return row?.n ?? 0;
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

export type IndicatorRow = typeof indicators.$inferSelect & { values: { period: string; value: number; recordedAt: string }[] };

/**
 * Indicators of the plans created before `before`, by plan then creation, with their values as they are now and
 * when each was last recorded (one recorded at or after `before` was another value, or none, at the instant).
 */
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
    .select({ indicatorId: indicatorValues.indicatorId, period: indicatorValues.period, value: indicatorValues.value, recordedAt: indicatorValues.recordedAt })
    .from(indicatorValues)
    .innerJoin(indicators, eq(indicators.id, indicatorValues.indicatorId))
    .where(and(inArray(indicators.planId, planIds), lt(indicators.createdAt, before)))
    .all();
  const byIndicator = new Map<string, { period: string; value: number; recordedAt: string }[]>();
  for (const { indicatorId, ...v } of values) {
    const list = byIndicator.get(indicatorId) ?? [];
    list.push(v);
    byIndicator.set(indicatorId, list);
  }
  return rows.map((r) => ({ ...r, values: byIndicator.get(r.id) ?? [] }));
}
