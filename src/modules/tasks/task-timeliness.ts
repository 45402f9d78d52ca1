// Overdue and on-time rules: pure functions of due dates, status and "today" in the commission's zone, which for the
// tasks of a closed plan stops at the day it was closed.
import type { TaskStatus } from '../../db/enums.js';
import { dateAt, daysBetween } from '../../lib/dates.js';

/** Statuses that take a task out of control: it can no longer be overdue. */
export const OUT_OF_CONTROL_STATUSES: readonly TaskStatus[] = ['closed', 'cancelled'];

export interface Overdue {
  overdue: boolean;
  /** Whole days past the due date; 0 when not overdue. */
  daysOverdue: number;
}

/**
 * The day a task is judged on for overdue: `day` (today, or the date of a report), or the day its plan was closed (the
 * date of the plan's closedAt in the commission's time zone) when that came first. A closed plan is read-only: its open
 * tasks can never be done, postponed or cancelled again, so they stay as late as they were when it was closed rather
 * than later every day. The one rule of the task, the overdue filter, the co-chairs' report and webhook events.
 */
export function judgementDay(day: string, planClosedAt: string | null, timeZone: string): string {
  if (planClosedAt === null) return day;
  const closedOn = dateAt(new Date(planClosedAt), timeZone);
  return closedOn < day ? closedOn : day;
}

/** Overdue is derived, never stored: due before the day judged on (judgementDay) and neither closed nor cancelled. */
export function overdueState(dueDate: string, status: TaskStatus, today: string): Overdue {
  const overdue = dueDate < today && !OUT_OF_CONTROL_STATUSES.includes(status);
  return { overdue, daysOverdue: overdue ? daysBetween(dueDate, today) : 0 };
}

export type Timeliness = 'on_time' | 'late';

export interface Completion {
  /** The day, in the commission's time zone, the executors reported the task done. */
  completedOn: string;
  /** Against the due date in force when it was closed. */
  againstDueDate: Timeliness;
  /** Against the due date first set, before any postponement. */
  againstOriginalDueDate: Timeliness;
  /** Days after the current due date it was completed; 0 when on time. */
  daysLate: number;
}

/** How a closed task did against its deadlines; null for tasks that are not closed. */
export function completionOf(
  task: { status: TaskStatus; completedAt: string | null; dueDate: string; originalDueDate: string },
  timeZone: string,
): Completion | null {
  if (task.status !== 'closed' || task.completedAt === null) return null;
  const completedOn = dateAt(new Date(task.completedAt), timeZone);
  const judge = (due: string): Timeliness => (completedOn <= due ? 'on_time' : 'late');
  return {
    completedOn,
    againstDueDate: judge(task.dueDate),
    againstOriginalDueDate: judge(task.originalDueDate),
    daysLate: Math.max(0, daysBetween(task.dueDate, completedOn)),
  };
}
