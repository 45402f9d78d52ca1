// Which progress reports are owed and missing: the one rule, read by the co-chairs' report (missingReports) and by the
// report.missing webhook event, so that what a ministry is told it lacks is what the co-chairs read.
import type { TaskStatus } from '../../db/enums.js';
import { dateInZone } from '../../lib/dates.js';
import { lastDuePeriod, periodOf, submissionDeadline } from '../../lib/periods.js';
import { OUT_OF_CONTROL_STATUSES } from '../tasks/task-timeliness.js';
import * as repo from './progress.repository.js';

const DAY_MS = 86_400_000;

/**
 * The first instant (ISO, UTC) whose date in `timeZone` is after `date`: "at or before the end of that
 * day" is "before this instant". Found by bisection over the widest span of UTC offsets, so DST changes
 * (even at midnight) need no special case.
 */
export function endOfDay(date: string, timeZone: string): string {
  const after = (ms: number) => dateInZone(new Date(ms), timeZone) > date;
  const nextMidnightUtc = Date.parse(`${date}T00:00:00Z`) + DAY_MS;
  let lo = nextMidnightUtc - 15 * 3_600_000; // UTC+14 is the easternmost offset
  let hi = nextMidnightUtc + 13 * 3_600_000; // UTC−12 the westernmost
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (after(mid)) hi = mid;
    else lo = mid;
  }
  return new Date(hi).toISOString();
}

export function statusAt(changes: repo.StatusChange[], before: string): TaskStatus {
  return changes.findLast((c) => c.changedAt < before)?.to ?? 'not_started';
}

export interface PlanPeriods {
  current: string;
  lastDue: string | null;
  lastDueDeadline: string | null;
  /** The end of the deadline day, as an instant: what was open then owed a report. */
  deadlineEnd: string | null;
  /** The plan's last day: a task due later is reported on up to its due date (forTaskDueOn). */
  planEnd: string;
  /** When the plan was approved; null while a draft. Reports are accepted only from then on. */
  approvedAt: string | null;
  /** When the plan was closed; null while it is not. A closed plan is read-only: it takes no report from then on. */
  closedAt: string | null;
  /** The periods of a task due after the plan's end (postponed past it), remembered per due date. */
  forTaskDueOn(dueDate: string): PlanPeriods;
}

/**
 * The periods a plan's tasks are judged by on `asOf`: the last whose reports were due by then. A task due after the
 * plan's end (a postponement past it) is reported on up to its due date, as task reports accept: its periods are
 * those of the plan running until that date.
 */
export function periodsOf(plan: repo.PlanRow, asOf: string, timeZone: string, periodEnd = plan.periodEnd): PlanPeriods {
  const lastDue = lastDuePeriod(asOf, plan.reportingFrequency, plan.reportDueDays, plan.periodStart, periodEnd);
  const deadline = lastDue === null ? null : submissionDeadline(lastDue, plan.reportDueDays);
  const later = new Map<string, PlanPeriods>();
  return {
    current: periodOf(asOf, plan.reportingFrequency),
    lastDue,
    lastDueDeadline: deadline,
    deadlineEnd: deadline === null ? null : endOfDay(deadline, timeZone),
    planEnd: periodEnd,
    approvedAt: plan.approvedAt,
    closedAt: plan.closedAt,
    forTaskDueOn(dueDate) {
      let periods = later.get(dueDate);
      if (!periods) later.set(dueDate, (periods = periodsOf(plan, asOf, timeZone, dueDate)));
      return periods;
    },
  };
}

/** The report a task owed for its last period due, and which of its assignees lack it (in the order of `assignees`). */
export interface OwedReport {
  period: string;
  deadline: string;
  lacking: boolean[];
}

/**
 * What `row` (as it stood on the date, due on `dueDate` then) owed for the last period due, or null when it owed
 * nothing. A report was owed by the assignees of a task that existed and was under control at the deadline, in a plan
 * in force by then (a draft's tasks are reported on only once it is approved: task reports refuse them before) and not
 * closed before it ended (a closed plan is read-only: its executors could not have submitted it), each one that was
 * assigned by then: an organization assigned after the deadline could never have met it. It lacks it
 * without a report for that period among `row.reports` (those first submitted before the end of the date).
 */
export function owedReport(row: repo.ReportTaskRow, dueDate: string, plan: PlanPeriods): OwedReport | null {
  const { lastDue, lastDueDeadline, deadlineEnd, approvedAt, closedAt } = dueDate > plan.planEnd ? plan.forTaskDueOn(dueDate) : plan;
  const owed =
    lastDue !== null &&
    lastDueDeadline !== null &&
    deadlineEnd !== null &&
    approvedAt !== null &&
    approvedAt < deadlineEnd &&
    // Closed on the deadline day or before: the plan took reports no longer than that, and owes none for the period.
    (closedAt === null || closedAt >= deadlineEnd) &&
    row.createdAt < deadlineEnd &&
    !OUT_OF_CONTROL_STATUSES.includes(statusAt(row.changes, deadlineEnd));
  if (!owed) return null;
  const lacking = row.assignees.map(
    (a, i) => (row.assignedAt[i] as string) < deadlineEnd && !row.reports.some((r) => r[0] === a.organizationId && r[1] === lastDue),
  );
  return { period: lastDue, deadline: lastDueDeadline, lacking };
}

/** One missing report: the task (as the report reads it), the organization lacking it, its period and deadline. */
export interface MissingReport {
  task: repo.ReportTaskRow;
  organizationId: string;
  period: string;
  deadline: string;
}

/**
 * The missing reports of a plan's tasks today (`today` in the commission's `timeZone`), the tasks as they stand now,
 * through the report's own read (tasksOf) and rule (owedReport); a range reads part of the tasks. For the report of a
 * past day the report replays the tasks first (progress.service.ts), with the same rule.
 */
export function* missingReportsToday(db: Parameters<typeof repo.tasksOf>[0], plan: repo.PlanRow, today: string, timeZone: string, range: repo.TaskRange = {}): Generator<MissingReport> {
  const periods = periodsOf(plan, today, timeZone);
  if (periods.lastDue === null && periods.planEnd >= today) return;
  for (const row of repo.tasksOf(db, [plan.id], endOfDay(today, timeZone), range)) {
    const owed = owedReport(row, row.dueDate, periods);
    if (owed === null) continue;
    for (const [i, a] of row.assignees.entries()) {
      if (owed.lacking[i]) yield { task: row, organizationId: a.organizationId, period: owed.period, deadline: owed.deadline };
    }
  }
}
