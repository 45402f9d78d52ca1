// Domain rules of indicators: a plan's or task's target, values by period of the plan, progress toward the target.
import { writeTransaction, type Db } from '../../db/connection.js';
import { AppError, ERRORS, notFound, unknownReference } from '../../errors.js';
import { dateInZone } from '../../lib/dates.js';
import { newId } from '../../lib/ids.js';
import { frequencyOf, periodBounds } from '../../lib/periods.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { diffFields, recordChange } from '../history/history.recorder.js';
import { findPlanRecord } from '../plans/plans.repository.js';
import { latestValue, progressPercent } from './indicator-progress.js';
import * as repo from './indicators.repository.js';
import type { CreateIndicator, Indicator, ListIndicatorsQuery, RecordIndicatorValue, UpdateIndicator } from './indicators.schemas.js';

const PERIOD_EXAMPLES = { quarterly: 'a quarter such as 2026-Q4', monthly: 'a month such as 2026-11' } as const;

export function presentIndicator(r: repo.IndicatorRecord, now: Date): Indicator {
  // Periods of one indicator share the plan's frequency unless the plan changed it; order by date either way.
  const values = r.values
    .map((v) => ({ period: v.period, value: v.value, note: v.note, recordedAt: v.recordedAt }))
    .sort((a, b) => periodBounds(a.period).start.localeCompare(periodBounds(b.period).start) || a.period.localeCompare(b.period));
  const latest = latestValue(values, dateInZone(now, r.timeZone));
  return {
    id: r.id,
    planId: r.planId,
    taskId: r.taskId,
    name: r.name,
    unit: r.unit,
    baseline: r.baseline,
    target: r.target,
    direction: r.target > r.baseline ? 'increase' : 'decrease',
    values,
    latest,
    progressPercent: progressPercent(r.baseline, r.target, latest?.value ?? null),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/**
 * What the history keeps of an indicator's own fields. Values are recorded one period at a time (field
 * `values.<period>`), and direction, latest and progressPercent are derived, so none of them is a fact here.
 */
function factsOf(i: Indicator) {
  return { id: i.id, planId: i.planId, taskId: i.taskId, name: i.name, unit: i.unit, baseline: i.baseline, target: i.target };
}

function refuseClosedPlan(status: string): void {
  if (status === 'closed') {
    throw new AppError(ERRORS.planStateConflict, 'the plan is closed: its indicators can no longer change');
  }
}

/**
 * Progress is measured from baseline to target, so the two must differ, by more than the last digits a number keeps
 * (a baseline 0.1 and a target 0.1000000000000001 made every value a progress of 10^33 percent).
 */
function refuseFlatTarget(baseline: number, target: number, path: string): void {
  if (Math.abs(target - baseline) > 1e-9 * Math.max(Math.abs(baseline), Math.abs(target))) return;
  throw new AppError(ERRORS.invalidValue, `the target (${target}) equals the baseline: there is no way to measure progress toward it`, [
    { path, message: 'target must differ from baseline' },
  ]);
}

/** The task must exist and be one of the plan's. */
function checkTask(tx: Db, planId: string, taskId: string): void {
  const taskPlanId = repo.planIdOfTask(tx, taskId);
  if (taskPlanId === undefined) throw unknownReference('body.taskId', 'task', taskId);
  if (taskPlanId !== planId) {
    throw new AppError(ERRORS.invalidValue, 'the task belongs to another plan than the indicator', [
      { path: 'body.taskId', message: 'not a task of the plan' },
    ]);
  }
}

/**
 * A period is recorded in the plan's frequency, within the plan's period, and once it has begun. A task postponed
 * past the plan's end stays under control until its due date, as its progress reports do: its indicators are
 * measured up to that date too.
 */
function checkPeriod(record: repo.IndicatorRecord, period: string, today: string): void {
  const refuse = (detail: string, message: string) => {
    throw new AppError(ERRORS.invalidValue, detail, [{ path: 'params.period', message }]);
  };
  const { reportingFrequency, periodStart, periodEnd } = record.plan;
  if (frequencyOf(period) !== reportingFrequency) {
    refuse(`the plan reports ${reportingFrequency}: record ${PERIOD_EXAMPLES[reportingFrequency]}, not ${period}`, `not a ${reportingFrequency} period`);
  }
  const { start, end } = periodBounds(period);
  const dueDate = record.taskDueDate;
  const lastDay = dueDate !== null && dueDate > periodEnd ? dueDate : periodEnd;
  if (end < periodStart || start > lastDay) {
    const span = lastDay === periodEnd ? '' : `, and its task is due on ${dueDate}`;
    refuse(`${period} (${start} to ${end}) is outside the plan's period, ${periodStart} to ${periodEnd}${span}`, 'outside the plan period');
  }
  if (start > today) {
    refuse(`${period} starts on ${start}, after today (${today}): a value is recorded once its period has begun`, 'not begun yet');
  }
}

export function createIndicatorService({ db, clock }: ServiceDeps) {
  const load = (tx: Db, id: string): repo.IndicatorRecord => {
    const record = repo.findIndicatorRecord(tx, id);
    if (!record) throw notFound('indicator', id);
    return record;
  };

  /** A write to an indicator of a plan not closed, in one transaction: loaded, its ETag checked, then `fn`. */
  const change = <T>(id: string, ctx: WriteContext, fn: (tx: Db, current: repo.IndicatorRecord, before: Indicator, now: Date) => T): T => {
    const now = clock();
    return writeTransaction(db, (tx) => {
      const current = load(tx, id);
      const before = presentIndicator(current, now);
      ctx.expect?.(before);
      refuseClosedPlan(current.plan.status);
      return fn(tx, current, before, now);
    });
  };

  /** The history entry of a write to the indicator `current`. */
  const record = (tx: Db, ctx: WriteContext, now: Date, current: Pick<Indicator, 'id' | 'planId' | 'taskId'>, operation: string, before: object | null, after: object | null) =>
    recordChange(tx, ctx.actor, now.toISOString(), { operation, entity: 'indicator', entityId: current.id, planId: current.planId, taskId: current.taskId, before, after });

  return {
    list(q: ListIndicatorsQuery) {
      const now = clock();
      const page = repo.listIndicatorRecords(db, q);
      return { items: page.items.map((r) => presentIndicator(r, now)), nextCursor: page.nextCursor };
    },

    get(id: string): Indicator {
      return presentIndicator(load(db, id), clock());
    },

    create(input: CreateIndicator, ctx: WriteContext): Indicator {
      const now = clock();
      const at = now.toISOString();
      const id = newId();
      return writeTransaction(db, (tx) => {
        const plan = findPlanRecord(tx, input.planId);
        if (!plan) throw unknownReference('body.planId', 'plan', input.planId);
        refuseClosedPlan(plan.status);
        if (input.taskId != null) checkTask(tx, plan.id, input.taskId);
        refuseFlatTarget(input.baseline, input.target, 'body.target');
        repo.insertIndicator(tx, {
          id,
          planId: plan.id,
          taskId: input.taskId ?? null,
          name: input.name,
          unit: input.unit,
          baseline: input.baseline,
          target: input.target,
          createdAt: at,
          updatedAt: at,
        });
        const created = presentIndicator(load(tx, id), now);
        record(tx, ctx, now, created, 'createIndicator', null, factsOf(created));
        return created;
      });
    },

    update(id: string, patch: UpdateIndicator, ctx: WriteContext): Indicator {
      return change(id, ctx, (tx, current, before, now) => {
        const baseline = patch.baseline ?? current.baseline;
        const target = patch.target ?? current.target;
        refuseFlatTarget(baseline, target, patch.target !== undefined ? 'body.target' : 'body.baseline');
        // The same values again (a directory synchronised as a whole) are no change: updatedAt and the ETag clients
        // hold stay, as the history, which records no entry for it, says.
        if (diffFields(factsOf(before), { ...factsOf(before), ...patch }).length === 0) return before;
        repo.updateIndicator(tx, id, { ...patch, updatedAt: now.toISOString() });
        const after = presentIndicator(load(tx, id), now);
        record(tx, ctx, now, current, 'updateIndicator', factsOf(before), factsOf(after));
        return after;
      });
    },

    /**
     * Records (or corrects) the actual value of a period. Recording the same value and note again changes
     * nothing: no write, no history entry, the first recordedAt stays.
     */
    recordValue(id: string, period: string, input: RecordIndicatorValue, ctx: WriteContext): Indicator {
      return change(id, ctx, (tx, current, before, now) => {
        checkPeriod(current, period, dateInZone(now, current.timeZone));
        const previous = current.values.find((v) => v.period === period);
        const note = input.note ?? null;
        if (previous && previous.value === input.value && previous.note === note) return before;
        const at = now.toISOString();
        repo.upsertValue(tx, { indicatorId: id, period, value: input.value, note, recordedAt: at, recordedByKeyId: ctx.actor.keyId });
        repo.updateIndicator(tx, id, { updatedAt: at });
        const field = `values.${period}`;
        record(tx, ctx, now, current, 'recordIndicatorValue', { [field]: previous ? { value: previous.value, note: previous.note } : null }, { [field]: { value: input.value, note } });
        return presentIndicator(load(tx, id), now);
      });
    },

    /**
     * Withdraws the value recorded for a period (one recorded for the wrong period, or in error): the period then has
     * no value, as before it was first recorded. The history keeps the value withdrawn, so a past day's report still
     * shows it on the days it stood.
     */
    withdrawValue(id: string, period: string, ctx: WriteContext): Indicator {
      return change(id, ctx, (tx, current, _before, now) => {
        const previous = current.values.find((v) => v.period === period);
        if (!previous) throw new AppError(ERRORS.notFound, `the indicator has no value recorded for ${period}`);
        repo.deleteValue(tx, id, period);
        repo.updateIndicator(tx, id, { updatedAt: now.toISOString() });
        const field = `values.${period}`;
        record(tx, ctx, now, current, 'withdrawIndicatorValue', { [field]: { value: previous.value, note: previous.note } }, { [field]: null });
        return presentIndicator(load(tx, id), now);
      });
    },

    /**
     * Deletes an indicator of a draft plan (one created by mistake) with its values; once the plan is approved its
     * indicators stay, as its tasks do. The history records the deletion as deleting a draft task records its indicators'.
     */
    remove(id: string, ctx: WriteContext): void {
      change(id, ctx, (tx, current, before, now) => {
        if (current.plan.status !== 'draft') {
          throw new AppError(ERRORS.planStateConflict, `the plan is ${current.plan.status}: its indicators are kept; only a draft plan's are deleted`);
        }
        repo.deleteIndicator(tx, id);
        record(tx, ctx, now, current, 'deleteIndicator', before, null);
      });
    },
  };
}
