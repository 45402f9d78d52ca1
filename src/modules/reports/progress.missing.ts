// Which progress reports are owed and missing: the one rule, read by the co-chairs' report (missingReports) and by the
// report.missing webhook event, so that what a ministry is told it lacks is what the co-chairs read.
import type { Db } from '../../db/connection.js';
import type { TaskStatus } from '../../db/enums.js';
import { dateInZone } from '../../lib/dates.js';
import { lastDuePeriod, periodOf, submissionDeadline } from '../../lib/periods.js';
import { OUT_OF_CONTROL_STATUSES } from '../tasks/task-timeliness.js';
import * as assigneeHistory from './progress.assignee-history-repository.js';
import * as repo from './progress.repository.js';
import { assignedSince } from './progress.rewind.js';

const DAY_MS = 86_400_000;

/** endOfDay's answers by zone and date: a bisection is some 40 date formattings, and a report submission asks one. */
const ends = new Map<string, string>();
const ENDS_KEPT = 4096;

/**
 * The first instant (ISO, UTC) whose date in `timeZone` is after `date`: "at or before the end of that
 * day" is "before this instant". Found by bisection over the widest span of UTC offsets, so DST changes
 * (even at midnight) need no special case; kept, since it depends on nothing else.
 */
export function endOfDay(date: string, timeZone: string): string {
  const key = `${timeZone} ${date}`;
  let end = ends.get(key);
  if (end === undefined) {
    if (ends.size >= ENDS_KEPT) ends.clear();
    ends.set(key, (end = bisectEndOfDay(date, timeZone)));
  }
  return end;
}

function bisectEndOfDay(date: string, timeZone: string): string {
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
  /** Who was on the tasks (those changed since) at an instant: read once per deadline, and only when needed. */
  assigneesAt: AssigneesAt;
}

/** Who executed each task at an instant, for the tasks whose assignees changed since it (assigneeHistory.assigneesAt). */
export type AssigneesAt = (at: string) => Map<string, Set<string>>;

/**
 * assigneeHistory.assigneesAt for these plans, read at most once per instant: the report's walk asks it only for a
 * task one of whose assignees was put on it after the deadline (rare), so a walk reads it once or never, and no query
 * per task.
 */
export function assigneesAtOnce(db: Parameters<typeof assigneeHistory.assigneesAt>[0], planIds: string[], taskIds?: () => string[]): AssigneesAt {
  const read = new Map<string, Map<string, Set<string>>>();
  return (at) => {
    let then = read.get(at);
    if (!then) read.set(at, (then = assigneeHistory.assigneesAt(db, planIds, at, taskIds?.())));
    return then;
  };
}

/**
 * Whether an organization, on the task now since `assignedAt` (undefined: not on it now), was on it at the instant
 * `end` (the end of a deadline day): assigned before it and on it since, or on it then by the history (`then`: who was
 * on the task at `end` by assigneeHistory.assigneesThen, undefined if its assignees have not changed since; asked only
 * when needed), taken off and put back since. The one rule of who owed a period's report: an organization on the task at
 * the end of the deadline day owed it, whatever was done to its assignment afterwards; one put on after owed none.
 * The co-chairs' report and report.missing ask it (onTaskAt), the calendar (calendar.service.ts) and the submission
 * of a report (assignmentAt).
 */
export function wasOnTaskAt(organizationId: string, assignedAt: string | undefined, end: string, then: () => Set<string> | undefined): boolean {
  if (assignedAt !== undefined && assignedAt < end) return true;
  return then()?.has(organizationId) ?? false;
}

/** wasOnTaskAt of the `i`th assignee of `row`, who was on the task at `end` read once for the plan (assigneesAt). */
export function onTaskAt(row: repo.ReportTaskRow, i: number, end: string, assigneesAt: AssigneesAt): boolean {
  const organizationId = (row.assignees[i] as repo.ReportAssignee).organizationId;
  return wasOnTaskAt(organizationId, row.assignedAt[i], end, () => assigneesAt(end).get(row.id));
}

/**
 * The periods a plan's tasks are judged by on `asOf`: the last whose reports were due by then. A task due after the
 * plan's end (a postponement past it) is reported on up to its due date, as task reports accept: its periods are
 * those of the plan running until that date.
 */
export function periodsOf(plan: repo.PlanRow, asOf: string, timeZone: string, assigneesAt: AssigneesAt, periodEnd = plan.periodEnd): PlanPeriods {
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
      if (!periods) later.set(dueDate, (periods = periodsOf(plan, asOf, timeZone, assigneesAt, dueDate)));
      return periods;
    },
    assigneesAt,
  };
}

/**
 * The assignment a report is judged by (submittedLate): since when the organization had been on the task at `end`, the
 * end of the report's deadline day, if it was on it then by the rule of wasOnTaskAt; otherwise `current`, since when
 * it is on it now (after `end`: it owed no report). On it then, taken off and put back since, the earlier assignment,
 * so that the report is late as the co-chairs' report counted it missing. Reads the history only when the organization
 * is on the task since `end`: one statement when it was put on after the deadline, two when it was on it then.
 */
export function assignmentAt(db: Db, task: { id: string; createdAt: string }, organizationId: string, current: string | undefined, end: string): string | undefined {
  if (current === undefined || current < end) return current;
  // A task created after `end` had nobody on it then: no read of the history (a task added after a past deadline).
  if (task.createdAt >= end || !wasOnTaskAt(organizationId, current, end, () => assigneeHistory.taskAssigneesAt(db, task.id, end))) return current;
  // A task written before the history existed has no entry of its first assignees: on it since its creation.
  return assignedSince(assigneeHistory.assigneeWritesBefore(db, [task.id], end)).get(task.id)?.get(organizationId) ?? task.createdAt;
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
 * on the task at the end of the deadline day (onTaskAt): an organization assigned after the deadline could never have
 * met it, and one that was on it then owed it even if taken off and put back since. It lacks it
 * without a report for that period among `row.reports` (those first submitted before the end of the date).
 */
export function owedReport(row: repo.ReportTaskRow, dueDate: string, plan: PlanPeriods): OwedReport | null {
  const { lastDue, lastDueDeadline, deadlineEnd, approvedAt, closedAt, assigneesAt } = dueDate > plan.planEnd ? plan.forTaskDueOn(dueDate) : plan;
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
    (a, i) => onTaskAt(row, i, deadlineEnd, assigneesAt) && !row.reports.some((r) => r[0] === a.organizationId && r[1] === lastDue),
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
 * past day the report replays the tasks first (replay in progress.task-fact.ts), with the same rule.
 */
export function* missingReportsToday(db: Parameters<typeof repo.tasksOf>[0], plan: repo.PlanRow, today: string, timeZone: string, range: repo.TaskRange = {}): Generator<MissingReport> {
  let rows: repo.ReportTaskRow[] = [];
  // A slice (a range) asks the history of its own tasks only, if any of them needs it: not every write of the plan.
  const sliced = range.from !== undefined || range.to !== undefined;
  const periods = periodsOf(plan, today, timeZone, assigneesAtOnce(db, [plan.id], sliced ? () => rows.map((r) => r.id) : undefined));
  if (periods.lastDue === null && periods.planEnd >= today) return;
  const read = repo.tasksOf(db, [plan.id], endOfDay(today, timeZone), range);
  // A slice's rows are few and read first, for their ids; a whole plan's stream by, as the report's walk reads them.
  if (sliced) rows = [...read];
  for (const row of sliced ? rows : read) {
    const owed = owedReport(row, row.dueDate, periods);
    if (owed === null) continue;
    for (const [i, a] of row.assignees.entries()) {
      if (owed.lacking[i]) yield { task: row, organizationId: a.organizationId, period: owed.period, deadline: owed.deadline };
    }
  }
}
