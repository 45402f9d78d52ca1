// The lists of the co-chairs' report: its overdue, due-soon and most postponed tasks, and what "due soon" is.
import { addDays } from '../../lib/dates.js';
import { OUT_OF_CONTROL_STATUSES } from '../tasks/task-timeliness.js';
import type { ProgressReport, ReportTask } from './progress.schemas.js';

const DUE_SOON_DAYS = 30;
export const MOST_POSTPONED = 10;

type Listed = Pick<ReportTask, 'daysOverdue' | 'dueDate' | 'postponementCount' | 'daysMoved'>;

/** What "due soon" is judged against: the report's date, DUE_SOON_DAYS after it, and the plans closed by then. */
export interface DueSoon {
  from: string;
  to: string;
  closedPlans: ReadonlySet<string>;
}

export const dueSoonWindow = (asOf: string, closedPlans: ReadonlySet<string>): DueSoon => ({ from: asOf, to: addDays(asOf, DUE_SOON_DAYS), closedPlans });

/**
 * Due soon: neither closed nor cancelled, due from the date itself (a task due on the date is not yet overdue) to
 * DUE_SOON_DAYS after it, in a plan not closed by the date: a closed plan is read-only, so no one will act on its
 * open tasks, whatever their dates (they are judged as of its closing day, judgementDay).
 */
export function isDueSoon(t: Pick<ReportTask, 'status' | 'dueDate' | 'planId'>, w: DueSoon): boolean {
  return !OUT_OF_CONTROL_STATUSES.includes(t.status) && t.dueDate >= w.from && t.dueDate <= w.to && !w.closedPlans.has(t.planId);
}

/** The plans of a report closed as of its date (their status then), whose tasks are due soon no more. */
export function closedPlansOf(head: Pick<ProgressReport, 'scope'>): ReadonlySet<string> {
  return new Set(head.scope.plans.filter((p) => p.status === 'closed').map((p) => p.id));
}

/** The order of the overdue (most days late first), due-soon (soonest first) and most postponed lists. */
export const LIST_ORDER = {
  overdue: (a: Listed, b: Listed) => b.daysOverdue - a.daysOverdue,
  dueSoon: (a: Listed, b: Listed) => a.dueDate.localeCompare(b.dueDate),
  mostPostponed: (a: Listed, b: Listed) => b.postponementCount - a.postponementCount || b.daysMoved - a.daysMoved,
};

/**
 * The overdue, due-soon and most postponed (MOST_POSTPONED) tasks; ties stay in task order, as each list is
 * filtered from the tasks in order and sorted stably (as Array.prototype.sort has been since ES2019).
 */
export function listsOf(tasks: ReportTask[], asOf: string, closedPlans: ReadonlySet<string>) {
  const dueSoon = dueSoonWindow(asOf, closedPlans);
  return {
    overdue: tasks.filter((t) => t.overdue).sort(LIST_ORDER.overdue),
    dueSoon: tasks.filter((t) => isDueSoon(t, dueSoon)).sort(LIST_ORDER.dueSoon),
    mostPostponed: tasks
      .filter((t) => t.postponementCount > 0)
      .sort(LIST_ORDER.mostPostponed)
      .slice(0, MOST_POSTPONED),
  };
}
