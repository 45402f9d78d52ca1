// The daily scans: task.overdue for the overdue tasks of approved plans, report.missing for the reports owed and not
// given, each raised once (its dedupe key) and sent on to a subscription that starts wanting it later.
import type { Db } from '../../db/connection.js';
import type { WebhookEventType } from '../../db/enums.js';
import { dateInZone } from '../../lib/dates.js';
import { periodBounds } from '../../lib/periods.js';
import { commissionZones } from '../tasks/tasks.list-repository.js';
import { findTaskRecords, type TaskRecord } from '../tasks/tasks.repository.js';
import { missingReportsToday } from '../reports/progress.missing.js';
import { rangesBetween, taskBoundaries } from '../reports/progress.ranges-repository.js';
import type { TaskRange } from '../reports/progress.repository.js';
import { approvedPlans, findCommissionRow, findPlanRow } from '../reports/progress.scope-repository.js';
import * as eventData from './webhooks.event-data-repository.js';
import { audienceOf, webhookTask } from './webhooks.events.js';
import * as outbox from './webhooks.outbox-repository.js';
import { enqueue, matches, queueDelivery, type PendingEvent } from './webhooks.queue.js';
import * as repo from './webhooks.repository.js';

/** The subscriptions that want task.overdue, and the day of each commission at `now`. */
function overdueScanOf(tx: Db, now: Date) {
  const subscriptions = repo.activeSubscriptions(tx).filter((s) => s.events.includes('task.overdue'));
  const todayByCommission = commissionZones(tx).map((c) => ({ commissionId: c.commissionId, today: dateInZone(now, c.timeZone) }));
  return { subscriptions, todayByCommission };
}

/**
 * One page of the overdue scan: the ids of the tasks overdue at `now` among the next `walk` tasks after `after` ('' for
 * the first), when a subscription wants task.overdue (none otherwise, and no page after), and where the next page
 * starts (null: none). Read a page a turn: the overdue tasks of 100,000 read at once (47,620, sorted) held the event
 * loop 140 ms on every scan, once a minute.
 */
export function overdueCandidates(tx: Db, now: Date, after: string, walk: number): { ids: string[]; next: string | null } {
  const { subscriptions, todayByCommission } = overdueScanOf(tx, now);
  if (subscriptions.length === 0) return { ids: [], next: null };
  const { overdue, last } = eventData.overduePage(tx, todayByCommission, after, walk);
  return { ids: overdue.map((t) => t.id), next: last };
}

/**
 * The tasks of a scan's slice, read together when the first of its events is built (none when no event is): a read of
 * each task as its event is built (two for a task owing two reports) made a first look for missing reports on 100,000
 * tasks take 14.5 s instead of 11.3 (slices of 200).
 */
function recordsOnDemand(tx: Db, ids: () => string[]): (id: string) => TaskRecord | undefined {
  let records: Map<string, TaskRecord> | undefined;
  return (id) => (records ??= new Map(findTaskRecords(tx, [...new Set(ids())]).map((r) => [r.id, r]))).get(id);
}

/** An event a scan may raise: its dedupe key, and the event itself, read only when a subscription is waiting for it. */
interface ScanCandidate {
  key: string;
  build(): PendingEvent | null;
}

/**
 * Raises each candidate at most once (its dedupe key, so a restart never raises it twice), for the active
 * `subscriptions` that want its type. One raised already goes on to the subscriptions that have no delivery of it (they
 * started wanting it since): what one subscriber receives does not depend on the others. `audience` says, for the
 * candidates someone waits for, which organizations each concerns, so that a candidate nobody waiting wants is not read
 * in full on every scan. Not kept for inactive subscriptions: scanned events are not replayed (webhooks.replay.ts).
 * Returns how many events were raised or sent on.
 */
function raiseOnce<C extends ScanCandidate>(
  tx: Db,
  at: string,
  type: WebhookEventType,
  subscriptions: repo.SubscriptionRow[],
  candidates: C[],
  audience: (waited: C[]) => (c: C) => string[],
): number {
  const raisedAs = outbox.eventsByDedupeKey(tx, candidates.map((c) => c.key));
  const deliveredTo = outbox.subscriptionsDelivered(tx, [...raisedAs.values()]);
  const waitingFor = (c: C) => {
    const eventId = raisedAs.get(c.key);
    return eventId === undefined ? subscriptions : subscriptions.filter((s) => !deliveredTo.get(eventId)?.has(s.id));
  };
  const organizationsOf = audience(candidates.filter((c) => waitingFor(c).length > 0));
  let raised = 0;
  for (const c of candidates) {
    const waiting = waitingFor(c);
    if (waiting.length === 0) continue;
    if (!waiting.some((s) => matches(s, { type, organizationIds: organizationsOf(c) }))) continue;
    const event = c.build();
    if (event === null) continue;
    const eventId = raisedAs.get(c.key);
    if (eventId === undefined) {
      if (enqueue(tx, { active: subscriptions, inactive: [] }, at, { ...event, dedupeKey: c.key }) > 0) raised += 1;
      continue;
    }
    const targets = waiting.filter((s) => matches(s, event));
    for (const s of targets) queueDelivery(tx, s.id, eventId, at, 'event');
    if (targets.length > 0) raised += 1;
  }
  return raised;
}

/**
 * Raises task.overdue for those of the tasks `ids` still overdue, at most once per task and day (the day in its
 * commission's time zone, kept as the event's dedupe key, so a restart never raises it twice). A task no active
 * subscription wants is left alone and looked at again on the next scan. A subscription that starts wanting the task
 * after that day's event was raised for others (created, activated, or given task.overdue since) is sent that same
 * event on the next scan (raiseOnce). The worker goes through overdueCandidates a slice per transaction and lets the
 * event loop turn in between: 47,620 overdue tasks in one go held the service 7 s when first raised, and 1.5 s on every
 * scan after. Returns how many events were raised or sent on to such a subscription.
 */
export function raiseOverdueSlice(tx: Db, now: Date, ids: string[]): number {
  const { subscriptions, todayByCommission } = overdueScanOf(tx, now);
  if (subscriptions.length === 0) return 0;
  const today = new Map(todayByCommission.map((c) => [c.commissionId, c.today]));
  const overdue = eventData.overdueTaskIds(tx, todayByCommission, ids);
  const recordOf = recordsOnDemand(tx, () => overdue.map((t) => t.id));
  const candidates = overdue.map((t) => ({
    id: t.id,
    key: `task.overdue:${t.id}:${today.get(t.commissionId)}`,
    build(): PendingEvent | null {
      const record = recordOf(t.id);
      if (!record) return null;
      return { type: 'task.overdue', taskId: record.id, organizationIds: audienceOf(record), data: { task: webhookTask(record, now), date: today.get(t.commissionId) } };
    },
  }));
  // Which subscriptions want a task depends on its organizations alone: read for all at once.
  return raiseOnce(tx, now.toISOString(), 'task.overdue', subscriptions, candidates, (waited) => {
    const organizationsOf = eventData.assigneeOrganizationsOf(tx, waited.map((c) => c.id));
    return (c) => organizationsOf.get(c.id) ?? [];
  });
}

/** The active subscriptions that want report.missing. */
const missingSubscriptions = (tx: Db) => repo.activeSubscriptions(tx).filter((s) => s.events.includes('report.missing'));

/**
 * What decides whether a look for missing reports can find anything new: each commission's day (a deadline passes only
 * as a day ends) and the subscriptions that want report.missing, as last changed (one created, activated or given the
 * type since hears of the reports still missing). The worker looks again only when this changes: a look reads every
 * task of the approved plans as the co-chairs' report does (3 s on 100,000 tasks, in slices), so not on every run.
 * Empty when no subscription wants the type.
 */
export function missingLookKey(db: Db, now: Date): string {
  const subscriptions = missingSubscriptions(db);
  if (subscriptions.length === 0) return '';
  const days = commissionZones(db).map((c) => `${c.commissionId}:${dateInZone(now, c.timeZone)}`);
  return [...days, ...subscriptions.map((s) => `${s.id}:${s.updatedAt}`)].join(' ');
}

/** A part of one approved plan's tasks, in the report's order: what one transaction of the report.missing scan reads. */
export interface MissingSlice {
  planId: string;
  range: TaskRange;
}

/**
 * The slices of `size` tasks of every approved plan with a period already due, when a subscription wants report.missing
 * (none otherwise). Only approved plans: a draft owes nothing yet, and a closed plan refuses reports.
 */
export function missingCandidates(db: Db, now: Date, size: number): MissingSlice[] {
  if (missingSubscriptions(db).length === 0) return [];
  return approvedPlans(db).flatMap((plan) => rangesBetween(taskBoundaries(db, plan.id, size)).map((range) => ({ planId: plan.id, range })));
}

/**
 * Raises report.missing for the reports the tasks of a slice owe and lack today, in the commission's time zone: by the
 * co-chairs' report's own rule and read (missingReportsToday), so the events of a day are its missingReports (those of
 * approved plans). Once per task, organization and period (the dedupe key); to the secretariat's subscriptions and to
 * that organization's only, not to the task's other executors. Returns how many events were raised or sent on.
 */
export function raiseMissingSlice(tx: Db, now: Date, slice: MissingSlice): number {
  const subscriptions = missingSubscriptions(tx);
  if (subscriptions.length === 0) return 0;
  const plan = findPlanRow(tx, slice.planId);
  const commission = plan && findCommissionRow(tx, plan.commissionId);
  if (!plan || plan.status !== 'approved' || !commission) return 0;
  const today = dateInZone(now, commission.timeZone);
  const missing = [...missingReportsToday(tx, plan, today, commission.timeZone, slice.range)];
  const recordOf = recordsOnDemand(tx, () => missing.map((m) => m.task.id));
  const candidates = missing.map((m) => ({
    key: `report.missing:${m.task.id}:${m.organizationId}:${m.period}`,
    organizationId: m.organizationId,
    build(): PendingEvent | null {
      const record = recordOf(m.task.id);
      if (!record) return null;
      const { start, end } = periodBounds(m.period);
      return {
        type: 'report.missing',
        taskId: record.id,
        // The organization that owes the report, alone: the task's other executors are not told of another's report.
        organizationIds: [m.organizationId],
        data: { task: webhookTask(record, now), organizationId: m.organizationId, period: m.period, periodStart: start, periodEnd: end, submissionDeadline: m.deadline },
      };
    },
  }));
  return raiseOnce(tx, now.toISOString(), 'report.missing', subscriptions, candidates, () => (c) => [c.organizationId]);
}
