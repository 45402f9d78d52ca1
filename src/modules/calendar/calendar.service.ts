// The calendar feed (RFC 5545): due dates of open tasks and report submission deadlines of approved plans.
import type { Language } from '../../db/enums.js';
import { unknownReference } from '../../errors.js';
import { addDays, dateAt, dateInZone } from '../../lib/dates.js';
import { etagOf } from '../../lib/http.js';
import { periodBounds, periodsBetween, submissionDeadline } from '../../lib/periods.js';
import type { ServiceDeps } from '../../lib/service.js';
import { findCommission } from '../commissions/commissions.repository.js';
import { findOrganization } from '../organizations/organizations.repository.js';
import { findPlanRecord } from '../plans/plans.repository.js';
import { assigneesAtOnce, endOfDay, wasOnTaskAt } from '../reports/progress.missing.js';
import { overdueState } from '../tasks/task-timeliness.js';
import * as repo from './calendar.repository.js';
import { calendarText, type CalendarEvent } from './calendar.ics.js';

export interface CalendarQuery {
  planId?: string | undefined;
  commissionId?: string | undefined;
  organizationId?: string | undefined;
  lang?: Language | undefined;
}

export interface CalendarFeed {
  /** The calendar's display name (X-WR-CALNAME). */
  name: string;
  /** The iCalendar text, CRLF line endings, lines folded at 75 octets; bytes when written in a report thread. */
  body: string | Buffer;
  /** Its ETag, the same wherever it was written. */
  etag: string;
}

export const CALENDAR_PRODUCT = 'commission-plan-tracker';
/** Submission deadlines this many days past stay in the feed, so a late reporter still sees the one just missed. */
export const RECENT_DEADLINE_DAYS = 92;
/** How often subscribers are asked to refresh: hourly. */
const REFRESH = 'PT1H';

/** The last day DateSchema accepts: the day after it has no YYYYMMDD form. */
const LAST_DAY = '9999-12-31';

/**
 * DTEND of a one-day all-day event: the next day (exclusive). On LAST_DAY none, which RFC 5545 §3.6.1 reads as one
 * day too, rather than a DTEND in year 10000 that is no iCalendar DATE.
 */
const allDayEnd = (date: string): string | undefined => (date < LAST_DAY ? addDays(date, 1) : undefined);

const ROLE_LABELS = { lead: 'lead', co_executor: 'co-executor' } as const;

function taskEvent(task: repo.CalendarTask, plan: repo.CalendarPlan, lang: Language | undefined, today: string): CalendarEvent {
  const title = (lang && task.translations[lang]?.title) || task.title;
  const executors = task.assignees.map((a) => `${a.shortName ?? a.name} (${a.country}, ${ROLE_LABELS[a.role]})`).join('; ');
  // The feed has approved plans only: no task of it is judged as of a closing day (judgementDay).
  const overdue = overdueState(task.dueDate, task.status, today).overdue ? ', overdue' : '';
  const lines = [
    `Plan: ${plan.title}`,
    `Executors: ${executors || 'none'}`,
    `Status: ${task.status}${overdue}`,
    ...(task.postponementCount > 0
      ? [`Postponed ${task.postponementCount} time${task.postponementCount === 1 ? '' : 's'}; originally due ${task.originalDueDate}`]
      : []),
  ];
  // DTSTAMP is the last revision of the event's information (RFC 5545 §3.8.7.2, no METHOD): the latest of the task's,
  // its plan's and its executors' organizations', since the event shows the plan's title and the executors' names, and
  // a rename revises it as much as a change of the task does. Instants are all written by toISOString: as text they
  // sort as in time.
  let revisedAt = task.updatedAt > plan.updatedAt ? task.updatedAt : plan.updatedAt;
  for (const a of task.assignees) if (a.organizationUpdatedAt > revisedAt) revisedAt = a.organizationUpdatedAt;
  return {
    uid: `task-${task.id}@${CALENDAR_PRODUCT}`,
    // A moved due date is a significant revision: a calendar program that keeps the event by UID takes the new one.
    sequence: task.dueDateMoves,
    start: task.dueDate,
    end: allDayEnd(task.dueDate),
    summary: `${task.code} ${title} — due`,
    description: lines.join('\n'),
    revisedAt: new Date(revisedAt),
  };
}

/**
 * A reporting deadline is in the feed if a report can have been owed for it: not one that passed before the plan was
 * approved (approvedOn: its day in the commission's zone), nor, in an organization's feed, one that passed while the
 * organization executed no task of the plan in force (`owedBy`), as the co-chairs' report and report.missing judge
 * (owedReport: approved, assigned and the task under control before the end of the deadline day). A deadline not yet
 * passed is shown: the feed of an organization has only the plans where it executes an open task.
 */
function deadlineEvents(plan: repo.CalendarPlan, today: string, lastDay: string, owedBy: (deadline: string) => boolean): CalendarEvent[] {
  const recent = addDays(today, -RECENT_DEADLINE_DAYS);
  const approvedOn = dateAt(new Date(plan.approvedAt), plan.timeZone);
  const oldest = approvedOn > recent ? approvedOn : recent;
  const revised = new Date(plan.updatedAt);
  return periodsBetween(plan.periodStart, lastDay, plan.reportingFrequency)
    .map((period) => ({ period, deadline: submissionDeadline(period, plan.reportDueDays) }))
    .filter(({ deadline }) => deadline >= oldest && (deadline >= today || owedBy(deadline)))
    .map(({ period, deadline }) => {
      const { start, end } = periodBounds(period);
      return {
        uid: `report-${plan.id}-${period}@${CALENDAR_PRODUCT}`,
        // A change of reportDueDays moves every deadline: a significant revision, as a task's moved due date is.
        sequence: plan.reportDueDaysMoves,
        start: deadline,
        end: allDayEnd(deadline),
        summary: `Progress reports ${period} — due: ${plan.title}`,
        description: [
          `Plan: ${plan.title}`,
          `Reporting period ${period}: ${start} to ${end}`,
          `Each executor submits a progress report on every task it executes, at the latest ${plan.reportDueDays} days after the period ends.`,
        ].join('\n'),
        revisedAt: revised,
      };
    });
}

export function createCalendarService({ db, clock }: ServiceDeps) {
  /** The name and time zone of the feed, checking that what the query names exists. */
  const describe = (query: CalendarQuery, plans: repo.CalendarPlan[]): { name: string; timeZone: string | null } => {
    let name: string;
    let timeZone: string | null;
    if (query.planId !== undefined) {
      const plan = findPlanRecord(db, query.planId);
      if (!plan) throw unknownReference('querystring.planId', 'plan', query.planId);
      const commission = findCommission(db, plan.commissionId);
      name = `${commission?.name ?? ''} — ${plan.title}`;
      timeZone = commission?.timeZone ?? null;
    } else if (query.commissionId !== undefined) {
      const commission = findCommission(db, query.commissionId);
      if (!commission) throw unknownReference('querystring.commissionId', 'commission', query.commissionId);
      name = commission.name;
      timeZone = commission.timeZone;
    } else {
      const commissions = [...new Set(plans.map((p) => p.commissionName))];
      const zones = [...new Set(plans.map((p) => p.timeZone))];
      name = commissions.length === 1 ? (commissions[0] as string) : 'Commission plan tracker';
      timeZone = zones.length === 1 ? (zones[0] as string) : null;
    }
    if (query.organizationId !== undefined) {
      const organization = findOrganization(db, query.organizationId);
      if (!organization) throw unknownReference('querystring.organizationId', 'organization', query.organizationId);
      name = `${name} — ${organization.shortName ?? organization.name}`;
    }
    return { name, timeZone };
  };

  return {
    /**
     * The feed of the approved plans in scope: without a filter every approved plan; a draft or closed plan
     * gives an empty calendar rather than an error, so a subscription outlives its plan quietly.
     */
    build(query: CalendarQuery): CalendarFeed {
      const now = clock();
      const plans = repo.approvedPlans(db, query);
      const { name, timeZone } = describe(query, plans);
      const byId = new Map(plans.map((p) => [p.id, p]));
      const todayOf = (plan: repo.CalendarPlan) => dateInZone(now, plan.timeZone);

      const tasks = repo.openTasks(db, [...byId.keys()], query.organizationId);
      const lastDay = new Map(plans.map((plan) => [plan.id, plan.periodEnd]));
      for (const task of tasks) if (task.dueDate > (lastDay.get(task.planId) as string)) lastDay.set(task.planId, task.dueDate);
      const events: CalendarEvent[] = [
        ...tasks.map((task) => {
          const plan = byId.get(task.planId) as repo.CalendarPlan;
          return taskEvent(task, plan, query.lang, todayOf(plan));
        }),
        ...plans.flatMap((plan) => {
          const { organizationId } = query;
          // By the rule of the co-chairs' report and report.missing (owedReport, wasOnTaskAt): the organization owed a
          // report for the deadline if it was on a task of the plan under control then, though taken off and put back
          // since. Who was on the tasks then is read once per deadline, only for a task it is on since, and only for
          // its tasks: for the whole plan it read every assignee change since the deadline (98 ms on 100,000 tasks).
          const owedBy = (deadline: string) => {
            if (organizationId === undefined) return true;
            const end = endOfDay(deadline, plan.timeZone);
            const tasks = repo.tasksUnderControlAt(db, plan.id, organizationId, end);
            const assigneesAt = assigneesAtOnce(db, [plan.id], () => tasks.map((t) => t.taskId));
            return tasks.some((t) => wasOnTaskAt(organizationId, t.assignedAt, end, () => assigneesAt(end).get(t.taskId)));
          };
          return deadlineEvents(plan, todayOf(plan), lastDay.get(plan.id) as string, owedBy);
        }),
      ];
      events.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.uid.localeCompare(b.uid)));

      // All-day dates need no VTIMEZONE; X-WR-TIMEZONE tells calendar programs the commission's.
      const body = calendarText({
        name,
        description: 'Due dates of open tasks and progress report deadlines',
        timeZone,
        refresh: REFRESH,
        events,
      });
      return { name, body, etag: etagOf(body) };
    },
  };
}

export type CalendarService = ReturnType<typeof createCalendarService>;
