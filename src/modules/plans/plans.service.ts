// Domain rules of plans: the period, and the approval cycle draft → approved → closed.
import { writeTransaction, type Db } from '../../db/connection.js';
import type { PlanStatus } from '../../db/enums.js';
import { AppError, ERRORS, notFound, unknownReference } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import { periodBounds } from '../../lib/periods.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { diffFields, recordChange } from '../history/history.recorder.js';
import { findCommission } from '../commissions/commissions.repository.js';
import * as repo from './plans.repository.js';
import type { CreatePlan, ListPlansQuery, Plan, UpdatePlan } from './plans.schemas.js';

export type PlanAction = 'approve' | 'close';

/** The whole state machine: each action moves one status to the next and stamps when. */
export const PLAN_TRANSITIONS: Record<PlanAction, { from: PlanStatus; to: PlanStatus; stamp: 'approvedAt' | 'closedAt'; rule: string }> = {
  approve: { from: 'draft', to: 'approved', stamp: 'approvedAt', rule: 'only a draft plan can be approved' },
  close: { from: 'approved', to: 'closed', stamp: 'closedAt', rule: 'only an approved plan can be closed' },
};

/** Why `action` cannot be taken on the plan now, or undefined when it can. */
export function refusePlanAction(plan: Pick<Plan, 'status' | 'taskCount'>, action: PlanAction): string | undefined {
  const { from, rule } = PLAN_TRANSITIONS[action];
  if (plan.status !== from) return `the plan is ${plan.status}; ${rule}`;
  // Approving commits the parties to the measures; a plan with none commits them to nothing.
  if (action === 'approve' && plan.taskCount === 0) return 'the plan has no tasks; an empty plan cannot be approved';
  return undefined;
}

/**
 * The longest period a plan covers. A commission's plan runs a few years; a typo such as 9999 for 2029 would make
 * every calendar feed of the plan (public through read-only links) list some 32,000 reporting deadlines, 18 MB
 * built in about 12 s on the event loop; a century of monthly reports is 1,200.
 */
export const MAX_PLAN_YEARS = 100;

/** Refuses a period that ends before it starts, or spans more than MAX_PLAN_YEARS, naming the field the caller sent. */
function assertPeriodOrdered(periodStart: string, periodEnd: string, path: 'body.periodStart' | 'body.periodEnd'): void {
  if (periodEnd < periodStart) {
    throw new AppError(ERRORS.validationFailed, `${path}: the period ends (${periodEnd}) before it starts (${periodStart})`, [
      { path, message: 'periodEnd must not be before periodStart' },
    ]);
  }
  // The same day MAX_PLAN_YEARS later is the first one too far (none within YYYY-MM-DD from 9900 on).
  const year = Number(periodStart.slice(0, 4)) + MAX_PLAN_YEARS;
  if (year <= 9999 && periodEnd >= `${String(year).padStart(4, '0')}${periodStart.slice(4)}`) {
    throw new AppError(ERRORS.invalidValue, `${path}: a plan covers at most ${MAX_PLAN_YEARS} years; ${periodStart} to ${periodEnd} is longer`, [
      { path, message: `more than ${MAX_PLAN_YEARS} years after periodStart` },
    ]);
  }
}

/**
 * Refuses a period that would leave out a reporting period the plan already has progress reports or indicator
 * values for: reports and values are accepted only for periods overlapping the plan's, so one left outside could no
 * longer be corrected, while it still counted in the plan's progress.
 */
function assertKeepsReportedPeriods(tx: Db, current: Plan, next: Plan): void {
  if (next.periodStart === current.periodStart && next.periodEnd === current.periodEnd) return;
  for (const period of repo.reportedPeriods(tx, current.id)) {
    const { start, end } = periodBounds(period);
    const within = (plan: Plan) => end >= plan.periodStart && start <= plan.periodEnd;
    // Only what the change would newly leave out: a period recorded outside before (an older rule) blocks nothing.
    if (within(next) || !within(current)) continue;
    const path = end < next.periodStart ? 'body.periodStart' : 'body.periodEnd';
    throw new AppError(
      ERRORS.invalidValue,
      `the plan has progress reports or indicator values for ${period} (${start} to ${end}): its period, ` +
        `${next.periodStart} to ${next.periodEnd}, would leave that period out`,
      [{ path, message: `would leave out ${period}, already reported` }],
    );
  }
}

/** At most this many task codes are named in a refusal; the rest are counted. */
const NAMED_CODES = 10;

/** "task 1.2", or "3 tasks: 1.2, 2.1, 4" (the first NAMED_CODES, then how many more). */
const onTasks = ({ count, codes }: repo.Awaiting) =>
  count === 1 ? `task ${codes[0]}` : `${count} tasks: ${codes.join(', ')}${count > codes.length ? ` and ${count - codes.length} more` : ''}`;

/**
 * A plan is closed once nothing in it waits for a decision: a closed plan is read-only, so a deadline change asked
 * for and not decided, a progress report submitted and not reviewed, or a task reported done and not yet closed or
 * sent back would wait there for good, whoever asked never answered. Closing is refused with what is left, by task
 * code, and the task list filter that finds each kind.
 */
function assertNothingAwaitsDecision(tx: Db, planId: string): void {
  const { deadlineRequests, reports, done } = repo.awaitingDecision(tx, planId, NAMED_CODES);
  const left = [
    deadlineRequests.count > 0 ? `deadline changes awaiting a decision (${onTasks(deadlineRequests)}; awaiting=deadline_decision)` : null,
    reports.count > 0 ? `progress reports awaiting review (${onTasks(reports)}; awaiting=report_review)` : null,
    done.count > 0 ? `tasks reported done, to be closed or sent back (${onTasks(done)}; status=done)` : null,
  ].filter((s) => s !== null);
  if (left.length === 0) return;
  const listed = left.length === 1 ? left[0] : `${left.slice(0, -1).join(', ')} and ${left.at(-1)}`;
  throw new AppError(
    ERRORS.planStateConflict,
    `the plan still has ${listed}. Decide them${deadlineRequests.count > 0 ? ' (a deadline request may also be withdrawn)' : ''}, ` +
      'then close the plan: a closed plan is read-only. ' +
      `GET /v1/tasks?planId=${planId} with each filter lists them`,
  );
}

export function createPlanService({ db, clock }: ServiceDeps) {
  function transition(id: string, action: PlanAction, ctx: WriteContext): Plan {
    return writeTransaction(db, (tx) => {
      const current = repo.findPlan(tx, id);
      if (!current) throw notFound('plan', id);
      ctx.expect?.(current);
      const refusal = refusePlanAction(current, action);
      if (refusal) throw new AppError(ERRORS.planStateConflict, refusal);
      if (action === 'close') assertNothingAwaitsDecision(tx, id);
      const now = clock().toISOString();
      const { to, stamp } = PLAN_TRANSITIONS[action];
      const next: Plan = { ...current, status: to, [stamp]: now, updatedAt: now };
      repo.updatePlan(tx, next);
      recordChange(tx, ctx.actor, now, { operation: `${action}Plan`, entity: 'plan', entityId: id, planId: id, before: current, after: next });
      return next;
    });
  }

  return {
    list: (q: ListPlansQuery) => repo.listPlans(db, q),

    get(id: string): Plan {
      const found = repo.findPlan(db, id);
      if (!found) throw notFound('plan', id);
      return found;
    },

    create(input: CreatePlan, ctx: WriteContext): Plan {
      assertPeriodOrdered(input.periodStart, input.periodEnd, 'body.periodEnd');
      const now = clock().toISOString();
      const plan: Plan = {
        id: newId(),
        ...input,
        status: 'draft',
        approvedAt: null,
        closedAt: null,
        taskCount: 0,
        createdAt: now,
        updatedAt: now,
      };
      return writeTransaction(db, (tx) => {
        if (!findCommission(tx, input.commissionId)) throw unknownReference('body.commissionId', 'commission', input.commissionId);
        repo.insertPlan(tx, plan);
        // Read back, so the creation shows the plan exactly as every later read will.
        const created = repo.findPlan(tx, plan.id) as Plan;
        recordChange(tx, ctx.actor, now, { operation: 'createPlan', entity: 'plan', entityId: plan.id, planId: plan.id, before: null, after: created });
        return created;
      });
    },

    update(id: string, patch: UpdatePlan, ctx: WriteContext): Plan {
      const now = clock().toISOString();
      return writeTransaction(db, (tx) => {
        const current = repo.findPlan(tx, id);
        if (!current) throw notFound('plan', id);
        ctx.expect?.(current);
        if (current.status === 'closed') throw new AppError(ERRORS.planStateConflict, 'the plan is closed; a closed plan is read-only');
        // Periods already reported on are written in the old frequency: changing it would mix '2026-Q4' and '2026-11'.
        if (patch.reportingFrequency !== undefined && patch.reportingFrequency !== current.reportingFrequency && repo.hasReportedPeriods(tx, id)) {
          throw new AppError(ERRORS.invalidValue, 'the plan already has progress reports or indicator values: its reporting frequency can no longer change', [
            { path: 'body.reportingFrequency', message: 'periods are already reported in the current frequency' },
          ]);
        }
        const next: Plan = { ...current, ...patch, updatedAt: now };
        assertPeriodOrdered(next.periodStart, next.periodEnd, patch.periodEnd !== undefined ? 'body.periodEnd' : 'body.periodStart');
        assertKeepsReportedPeriods(tx, current, next);
        // The same values again (a form saved unchanged) are no change: updatedAt and the ETag clients hold stay, as
        // the history, which records no entry for it, says.
        if (diffFields(current, next).length === 0) return current;
        repo.updatePlan(tx, next);
        recordChange(tx, ctx.actor, now, { operation: 'updatePlan', entity: 'plan', entityId: id, planId: id, before: current, after: next });
        return next;
      });
    },

    approve: (id: string, ctx: WriteContext) => transition(id, 'approve', ctx),

    close: (id: string, ctx: WriteContext) => transition(id, 'close', ctx),
  };
}
