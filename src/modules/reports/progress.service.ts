// The co-chairs' progress report: its scope and day read, the scope's tasks walked as they stood at the end of the day
// (each judged by progress.task-fact.ts, counted by progress.groups.ts, listed by progress.lists.ts), and the report
// composed of its head, figures, lists, missing reports and tasks.
import { AppError, ERRORS, notFound } from '../../errors.js';
import { dateInZone } from '../../lib/dates.js';
import { periodOf } from '../../lib/periods.js';
import type { ServiceDeps } from '../../lib/service.js';
import { latestValue, progressPercent } from '../indicators/indicator-progress.js';
import { codeSortKey } from '../tasks/task-codes.js';
import { judgementDay } from '../tasks/task-timeliness.js';
import { Groups } from './progress.groups.js';
import { closedPlansOf, listsOf } from './progress.lists.js';
import { assigneesAtOnce, endOfDay, periodsOf, type PlanPeriods } from './progress.missing.js';
import { commissionChangesSince } from './progress.history-repository.js';
import { taskRange } from './progress.ranges-repository.js';
import * as repo from './progress.repository.js';
import { Rewind } from './progress.rewind.js';
import * as scopeRepo from './progress.scope-repository.js';
import type { ProgressReport, ProgressReportQuery, ReportingPeriod, ReportTask } from './progress.schemas.js';
import { periodEnds, taskFact, type ReportContext } from './progress.task-fact.js';

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(key(item)) ?? [];
    list.push(item);
    out.set(key(item), list);
  }
  return out;
}

/** What the report says besides its breakdowns and its lists of tasks: the same in every part of a report. */
export type ReportHead = Pick<ProgressReport, 'scope' | 'asOf' | 'generatedAt' | 'lang' | 'reportingPeriod' | 'indicators'>;

/** The tasks of the report (or of one part of it), judged as of its date, and their breakdowns. */
export interface WalkedTasks {
  head: ReportHead;
  groups: Groups;
  tasks: ReportTask[];
  missingReports: ProgressReport['missingReports'];
  /** A task was renumbered after the report's day: the tasks were sorted again, so parts cannot be put together. */
  renumbered: boolean;
}

/** One of `of` consecutive parts of the report's tasks, in their order (the first is part 0). */
export interface ReportPartIndex {
  part: number;
  of: number;
}

/** The report in the order of its schema, which is the order its JSON is written in. */
export function composeReport(
  head: ReportHead,
  figures: ReturnType<Groups['figures']>,
  lists: ReturnType<typeof listsOf>,
  missingReports: ProgressReport['missingReports'],
  tasks: ReportTask[],
): ProgressReport {
  const { scope, asOf, generatedAt, lang, reportingPeriod, indicators } = head;
  return { scope, asOf, generatedAt, lang, reportingPeriod, ...figures, ...lists, missingReports, indicators, tasks };
}

/** Sorts the tasks by plan then code (as the task list orders them), and the missing reports in the same order. */
function inOrderOfCodes(tasks: ReportTask[], missing: ProgressReport['missingReports'], planIds: string[]): void {
  const planRank = new Map(planIds.map((id, i) => [id, i]));
  const key = new Map(tasks.map((t) => [t.taskId, codeSortKey(t.code)]));
  const sortKey = (t: ReportTask) => key.get(t.taskId) as string;
  tasks.sort((a, b) => {
    const byPlan = (planRank.get(a.planId) ?? 0) - (planRank.get(b.planId) ?? 0);
    return byPlan !== 0 ? byPlan : sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : a.taskId < b.taskId ? -1 : 1;
  });
  const rank = new Map(tasks.map((t, i) => [t.taskId, i]));
  // Stable: each task's missing reports keep their order.
  missing.sort((a, b) => (rank.get(a.taskId) ?? 0) - (rank.get(b.taskId) ?? 0));
}

/**
 * The commission's name and time zone at the end of a past day, undone from its edits since, and that end as an
 * instant: a renamed commission is named as it was, and a day is cut where it ended in the zone of the time.
 */
function commissionOnDay(db: ServiceDeps['db'], commission: scopeRepo.CommissionRow, asOf: string): { name: string; timeZone: string; before: string } {
  let { name, timeZone } = commission;
  // Every zone's end of the day falls after its midnight in UTC less 14 hours, so no earlier edit can matter.
  for (const { at, changes } of commissionChangesSince(db, commission.id, `${asOf}T00:00:00.000Z`)) {
    if (at < endOfDay(asOf, timeZone)) break;
    for (const c of changes) {
      if (c.field === 'name') name = c.before as string;
      if (c.field === 'timeZone') timeZone = c.before as string;
    }
  }
  return { name, timeZone, before: endOfDay(asOf, timeZone) };
}

/** What the report says of a plan's periods (ReportingPeriodSchema): the current one and the last one due. */
const reportingPeriodOf = ({ current, lastDue, lastDueDeadline }: PlanPeriods): ReportingPeriod => ({ current, lastDue, lastDueDeadline });

/** A plan as it stood on a day (see Rewind) was in force then: created before the day ended, and no longer a draft. */
const inForce = (p: repo.PlanRow, before: string) => p.createdAt < before && p.status !== 'draft';

export function createProgressService({ db, clock }: ServiceDeps) {
  function scopeOf(query: ProgressReportQuery): { commission: scopeRepo.CommissionRow; plans: repo.PlanRow[] } {
    if (query.planId !== undefined) {
      const plan = scopeRepo.findPlanRow(db, query.planId);
      if (!plan) throw notFound('plan', query.planId);
      if (plan.status === 'draft') throw new AppError(ERRORS.planStateConflict, 'a draft plan has no progress to report');
      return { commission: scopeRepo.findCommissionRow(db, plan.commissionId) as scopeRepo.CommissionRow, plans: [plan] };
    }
    const id = query.commissionId as string;
    const commission = scopeRepo.findCommissionRow(db, id);
    if (!commission) throw notFound('commission', id);
    return { commission, plans: scopeRepo.reportablePlans(db, id) };
  }

  /** The report's tasks as of its day (default today in the commission's time zone): all of them, or one part. */
  function walk(query: ProgressReportQuery, index?: ReportPartIndex): WalkedTasks {
    const now = clock();
    const scope = scopeOf(query);
    const { commission } = scope;
    const timeZone = commission.timeZone;
    const today = dateInZone(now, timeZone);
    const asOf = query.asOf ?? today;
    if (asOf > today) {
      throw new AppError(ERRORS.invalidValue, `asOf ${asOf} is after today (${today} in ${timeZone})`, [
        { path: 'querystring.asOf', message: 'a date in the future has no progress yet' },
      ]);
    }
    const lang = query.lang ?? null;
    // Everything is read as it stood before the end of the day in the commission's zone (the zone it had then).
    const then = asOf === today ? { name: commission.name, timeZone, before: endOfDay(asOf, timeZone) } : commissionOnDay(db, commission, asOf);
    const { before } = then;
    // A past day: what was changed since (titles, status, assignees, names, revisions, values) is undone from the history.
    const rewind = asOf === today ? null : new Rewind(db, scope.plans.map((p) => p.id), before);
    // A commission's report of a past day covers the plans in force then: not those created or approved since.
    const plans = rewind ? scope.plans.map((p) => rewind.plan(p)).filter((p) => query.planId !== undefined || inForce(p, before)) : scope.plans;
    // One plan asked for a day before it was in force: refused as a draft plan is today, not a report of tasks that no
    // one could report on yet (every count zero, every task "not started"), which a co-chair would read as no progress.
    const asked = query.planId === undefined ? undefined : plans[0];
    if (asked !== undefined && !inForce(asked, before)) {
      const since = dateInZone(new Date((scope.plans[0] as repo.PlanRow).approvedAt as string), then.timeZone);
      throw new AppError(ERRORS.invalidValue, `the plan was approved on ${since}: it has no progress to report on ${asOf}`, [
        { path: 'querystring.asOf', message: `a day before the plan was approved (${since}) has no progress yet` },
      ]);
    }
    const planIds = plans.map((p) => p.id);
    const assigneesAt = assigneesAtOnce(db, planIds);
    const context: ReportContext = {
      asOf,
      today,
      timeZone: then.timeZone,
      lang,
      movesByTask: groupBy(scopeRepo.dueDateMovesOf(db, planIds, before), (m) => m.taskId),
      periodEnd: periodEnds(),
      // One read of who was on the tasks at a deadline, for all the plans, and only if a task needs it (onTaskAt).
      periods: new Map(plans.map((p) => [p.id, periodsOf(p, asOf, then.timeZone, assigneesAt)])),
      // A day before the closing is judged on that day, as it was live; a later one on the closing day (judgementDay).
      judgedOn: new Map(plans.map((p) => [p.id, judgementDay(asOf, p.closedAt, then.timeZone)])),
    };
    const parties = [commission.partyACountry, commission.partyBCountry];
    const groups = new Groups(parties, asOf, new Set(plans.filter((p) => p.status === 'closed').map((p) => p.id)));
    const missingReports: ProgressReport['missingReports'] = [];
    const tasks: ReportTask[] = [];
    const range = index ? taskRange(db, planIds, index.part, index.of) : {};
    let renumbered = false;
    for (const row of repo.tasksOf(db, planIds, before, range)) {
      const past = rewind ? rewind.task(row) : row;
      renumbered ||= past.code !== row.code;
      const { task, assignments } = taskFact(past, context, missingReports);
      groups.add(task, assignments);
      tasks.push(task);
    }
    // Read in today's order (plan, code); a task renumbered since goes back to its place by the code it had then.
    if (renumbered) inOrderOfCodes(tasks, missingReports, planIds);
    const first = plans[0] ? context.periods.get(plans[0].id) : undefined;
    const head: ReportHead = {
      scope: {
        commissionId: commission.id,
        commissionName: then.name,
        timeZone: then.timeZone,
        parties,
        // Each plan's own periods: plans of one commission may report monthly or quarterly, with their own deadlines.
        plans: plans.map((p) => ({ id: p.id, title: p.title, status: p.status, reportingPeriod: reportingPeriodOf(context.periods.get(p.id) as PlanPeriods) })),
      },
      asOf,
      generatedAt: now.toISOString(),
      lang,
      reportingPeriod: first ? reportingPeriodOf(first) : { current: periodOf(asOf, 'quarterly'), lastDue: null, lastDueDeadline: null },
      indicators: scopeRepo.indicatorsOf(db, planIds, before).map((row) => {
        const i = rewind ? rewind.indicator(row, before) : row;
        const value = latestValue(i.values, asOf);
        return {
          id: i.id,
          planId: i.planId,
          name: i.name,
          unit: i.unit,
          taskId: i.taskId,
          baseline: i.baseline,
          target: i.target,
          actual: value?.value ?? null,
          actualPeriod: value?.period ?? null,
          progressPercent: progressPercent(i.baseline, i.target, value?.value ?? null),
        };
      }),
    };
    return { head, groups, tasks, missingReports, renumbered };
  }

  return {
    walk,

    /** The report of a plan or a commission as of a day (default today in the commission's time zone). */
    build(query: ProgressReportQuery): ProgressReport {
      const { head, groups, tasks, missingReports } = walk(query);
      return composeReport(head, groups.figures(head.lang), listsOf(tasks, head.asOf, closedPlansOf(head)), missingReports, tasks);
    },
  };
}
