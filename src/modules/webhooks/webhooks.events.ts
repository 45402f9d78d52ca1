// The events: which writes raise which webhook events, their payloads, and the outbox rows that carry them — written
// in the transaction of the write itself, so an event exists exactly when its change was committed.
import type { Db } from '../../db/connection.js';
import type { WebhookDeliveryOrigin, WebhookEventType, WebhookMessageType } from '../../db/enums.js';
import type { FieldChange } from '../../db/schema.js';
import type { Actor } from '../../lib/access.js';
import { dateInZone } from '../../lib/dates.js';
import { newId } from '../../lib/ids.js';
import { periodBounds } from '../../lib/periods.js';
import { judgementDay, overdueState } from '../tasks/task-timeliness.js';
import { commissionZones, findTaskRecord, findTaskRecords, taskRecordsOfPlan, type TaskRecord } from '../tasks/tasks.repository.js';
import type { DeadlineChange } from '../deadline-changes/deadline-changes.schemas.js';
import type { Plan } from '../plans/plans.schemas.js';
import { missingReportsToday } from '../reports/progress.missing.js';
import { approvedPlans, findCommissionRow, findPlanRow, rangesBetween, taskBoundaries, type TaskRange } from '../reports/progress.repository.js';
import * as eventData from './webhooks.event-data-repository.js';
import * as outbox from './webhooks.outbox-repository.js';
import * as repo from './webhooks.repository.js';
import type { WebhookTask } from './webhooks.payloads.js';

/** A write as the history recorder sees it (see history.recorder.ts). */
export interface RecordedChange {
  operation: string;
  entity: string;
  entityId: string;
  planId?: string | null | undefined;
  taskId?: string | null | undefined;
  before: object | null;
  after: object | null;
}

/** An event about to be queued: its body, and the organizations whose subscriptions it concerns. */
interface PendingEvent {
  type: WebhookMessageType;
  taskId: string | null;
  /** Subscriptions filtered to one of these organizations receive it; those without a filter always do. */
  organizationIds: string[];
  data: object;
  dedupeKey?: string;
}

const STATUS_FIELDS = new Set(['status', 'statusChangedAt', 'completedAt', 'closedAt']);
const DEADLINE_FIELDS = new Set(['dueDate', 'postponementCount']);
/** Fields of a task representation that are derived or mirrored elsewhere in the payload, not changes of their own. */
const DERIVED_FIELDS = new Set(['overdue', 'daysOverdue', 'completion']);

/** The task as every event shows it: small, stable, as of the moment of the event. */
export function webhookTask(r: TaskRecord, at: Date): WebhookTask {
  return {
    id: r.id,
    planId: r.planId,
    commissionId: r.commissionId,
    code: r.code,
    title: r.title,
    status: r.status,
    dueDate: r.dueDate,
    originalDueDate: r.originalDueDate,
    postponementCount: r.postponementCount,
    ...overdueState(r.dueDate, r.status, judgementDay(dateInZone(at, r.timeZone), r.planClosedAt, r.timeZone)),
    assignees: r.assignees.map((a) => ({ organizationId: a.organizationId, role: a.role })),
  };
}

/** What an event is about, as far as its audience goes: a task, or a plan's tasks taken together (planAssignees). */
interface Executed {
  assignees: readonly { organizationId: string }[];
}

/**
 * The organizations an event about a task concerns: its executors now, and `also` those the event is about though they
 * may no longer be on the task (the one taken off by the change, the author of a report or of a deadline request).
 * The one rule for every event; an event about a plan concerns the executors of any of its tasks. Subscriptions without
 * an organization (the secretariat's) get them all (matches).
 */
function audienceOf(record: Executed, also: (string | null | undefined)[] = []): string[] {
  const extra = also.filter((id): id is string => typeof id === 'string');
  return [...new Set([...record.assignees.map((a) => a.organizationId), ...extra])];
}

const actorOf = (a: Actor) => ({ keyId: a.keyId, role: a.role, organizationId: a.organizationId });

const organizationsOf = (representation: object | null): string[] =>
  ((representation as { assignees?: { organizationId: string }[] } | null)?.assignees ?? []).map((a) => a.organizationId);

/** `known`: the task as it is now, already read (a plan's approval reads all of its tasks at once). */
function taskEvents(tx: Db, actor: Actor, at: string, change: RecordedChange, changes: FieldChange[], known?: TaskRecord): PendingEvent[] {
  if (change.after === null) return [];
  const record = known ?? findTaskRecord(tx, change.entityId);
  if (!record || eventData.planStatus(tx, record.planId) !== 'approved') return [];
  const task = webhookTask(record, new Date(at));
  // An organization taken off the task still hears of the change that took it off.
  const organizationIds = audienceOf(record, organizationsOf(change.before));
  const event = (type: WebhookEventType, fields: FieldChange[], extra: object = {}): PendingEvent => ({
    type,
    taskId: record.id,
    organizationIds,
    data: { task, changes: fields, actor: actorOf(actor), deadlineChange: null, ...extra },
  });
  if (change.before === null) return [event('task.created', [])];

  const relevant = changes.filter((c) => !DERIVED_FIELDS.has(c.field));
  const status = relevant.filter((c) => STATUS_FIELDS.has(c.field));
  const deadline = relevant.filter((c) => DEADLINE_FIELDS.has(c.field));
  const other = relevant.filter((c) => !STATUS_FIELDS.has(c.field) && !DEADLINE_FIELDS.has(c.field));
  const events: PendingEvent[] = [];
  if (status.some((c) => c.field === 'status')) events.push(event('task.status_changed', status));
  if (deadline.some((c) => c.field === 'dueDate')) {
    const dc = eventData.deadlineChangeDecidedAt(tx, record.id, at);
    const deadlineChange = dc
      ? { id: dc.id, kind: dc.kind, oldDueDate: dc.oldDueDate, newDueDate: dc.newDueDate, reason: dc.reason, decisionBasis: dc.decisionBasis }
      : null;
    events.push(event('task.deadline_changed', deadline, { deadlineChange }));
  }
  if (other.length > 0) events.push(event('task.updated', other));
  return events;
}

const REPORT_EVENTS: Record<string, WebhookEventType> = {
  submitTaskReport: 'report.submitted',
  reviseTaskReport: 'report.submitted',
  reviewTaskReport: 'report.reviewed',
};

function reportEvents(tx: Db, actor: Actor, at: string, change: RecordedChange): PendingEvent[] {
  const type = REPORT_EVENTS[change.operation];
  const r = change.after as Record<string, any> | null;
  if (type === undefined || r === null) return [];
  const record = findTaskRecord(tx, String(r.taskId));
  if (!record) return [];
  const report = {
    id: r.id,
    taskId: r.taskId,
    organizationId: r.organizationId,
    period: r.period,
    status: r.status,
    revision: r.revision,
    percentComplete: r.percentComplete,
    confidence: r.confidence,
    submittedAt: r.submittedAt,
    submittedLate: r.submittedLate,
    reviewedAt: r.reviewedAt,
    reviewComment: r.reviewComment,
  };
  return [
    {
      type,
      taskId: record.id,
      // The reporting organization hears of its report even once taken off the task (its report can still be accepted).
      organizationIds: audienceOf(record, [String(r.organizationId)]),
      data: { report, task: webhookTask(record, new Date(at)), actor: actorOf(actor) },
    },
  ];
}

/**
 * A request for a new deadline, made or ended: decided, or withdrawn (deadline_change.decided too, with status withdrawn:
 * whoever awaits the outcome of a request hears that it is over without subscribing anew). A direct change by the secretariat is not a request (kind direct,
 * status applied): task.deadline_changed tells of it. The decision is recorded after the date moved, so `task` is
 * the task as it stands after the write, the same as in the task.deadline_changed raised with an approval.
 */
function deadlineChangeEvents(tx: Db, actor: Actor, at: string, change: RecordedChange): PendingEvent[] {
  const dc = change.after as DeadlineChange | null;
  if (dc === null || dc.kind !== 'request') return [];
  const type: WebhookEventType | null =
    change.operation === 'createDeadlineChange' && dc.status === 'pending'
      ? 'deadline_change.requested'
      : (change.operation === 'decideDeadlineChange' && (dc.status === 'approved' || dc.status === 'rejected')) ||
          (change.operation === 'withdrawDeadlineChange' && dc.status === 'withdrawn')
        ? 'deadline_change.decided'
        : null;
  if (type === null) return [];
  const record = findTaskRecord(tx, dc.taskId);
  if (!record) return [];
  return [
    {
      type,
      taskId: record.id,
      // The requesting organization hears of the decision on its request even once taken off the task.
      organizationIds: audienceOf(record, [dc.requestedBy.organizationId]),
      data: { deadlineChange: dc, task: webhookTask(record, new Date(at)), actor: actorOf(actor) },
    },
  ];
}

const PLAN_EVENTS: Record<string, WebhookEventType> = { approvePlan: 'plan.approved', closePlan: 'plan.closed' };

/**
 * A plan put in force, or closed (read-only from then on: reports and deadline requests on its tasks are refused).
 * `plan` is the plan as the write returned it (GET /v1/plans/{id}), `tasksByStatus` how its tasks stood then; it
 * concerns every organization executing one of its tasks.
 */
function planEvents(tx: Db, actor: Actor, change: RecordedChange): PendingEvent[] {
  const type = PLAN_EVENTS[change.operation];
  const plan = change.after as Plan | null;
  if (type === undefined || plan === null) return [];
  return [
    {
      type,
      taskId: null,
      organizationIds: audienceOf({ assignees: eventData.planAssignees(tx, plan.id) }),
      data: { plan, tasksByStatus: eventData.taskCountsByStatus(tx, plan.id), actor: actorOf(actor) },
    },
  ];
}

/** Approving a plan puts its tasks in force: each is announced as created, as if added to an approved plan. */
function approvalEvents(tx: Db, actor: Actor, at: string, change: RecordedChange): PendingEvent[] {
  if (change.operation !== 'approvePlan') return [];
  // Every task with its assignees in two statements, not two for each of a plan's (up to 100,000) tasks.
  return taskRecordsOfPlan(tx, change.entityId).flatMap((record) =>
    taskEvents(tx, actor, at, { operation: 'approvePlan', entity: 'task', entityId: record.id, before: null, after: {} }, [], record),
  );
}

/**
 * Whether a subscription receives an event: the one rule, at raise time and in a replay (webhooks.replay.ts). The
 * subscription's organization filter against the organizations the event concerns; none: every organization.
 */
export const matches = (s: repo.SubscriptionInterest, e: Pick<PendingEvent, 'type' | 'organizationIds'>) =>
  (e.type === 'webhook.test' || s.events.includes(e.type)) && (s.organizationId === null || e.organizationIds.includes(s.organizationId));

/** Who may want a new event: the active subscriptions, queued for at once, and what the inactive ones would receive. */
interface Audience {
  active: repo.SubscriptionRow[];
  /** Paused or disabled subscriptions, one per organization filter and set of types: they keep an event for a replay. */
  inactive: repo.SubscriptionInterest[];
}

function audienceNow(tx: Db): Audience {
  return { active: repo.activeSubscriptions(tx), inactive: repo.inactiveInterests(tx) };
}

/**
 * Writes the event and one pending delivery per matching active subscription, due at once. An event that a paused or
 * disabled subscription would receive is stored too, without a delivery, so that the subscription can replay it
 * (until it is pruned, WEBHOOK_LOG_DAYS); an event no subscription wants is not. Returns how many deliveries were queued.
 */
function enqueue(tx: Db, audience: Audience, at: string, e: PendingEvent): number {
  const targets = audience.active.filter((s) => matches(s, e));
  if (targets.length === 0 && !audience.inactive.some((s) => matches(s, e))) return 0;
  const id = newId();
  const body = JSON.stringify({ type: e.type, timestamp: at, data: e.data });
  const row = { id, type: e.type, occurredAt: at, taskId: e.taskId, dedupeKey: e.dedupeKey ?? null, body, organizationIds: e.organizationIds };
  if (!outbox.insertEvent(tx, row)) return 0;
  for (const s of targets) queueDelivery(tx, s.id, id, at, 'event');
  return targets.length;
}

/** One pending delivery of an event to a subscription, due at once; `origin` says how it came to be. */
export function queueDelivery(
  tx: Db,
  subscriptionId: string,
  eventId: string,
  at: string,
  origin: WebhookDeliveryOrigin,
  extra: { redeliveryOf?: string; requestedByKeyId?: string | null } = {},
): string {
  const id = newId();
  outbox.insertDelivery(tx, {
    id,
    subscriptionId,
    eventId,
    status: 'pending',
    attemptCount: 0,
    nextAttemptAt: at,
    lockedUntil: null,
    firstAttemptAt: null,
    lastAttemptAt: null,
    lastStatusCode: null,
    lastError: null,
    createdAt: at,
    completedAt: null,
    redeliveryOf: extra.redeliveryOf ?? null,
    requestedByKeyId: extra.requestedByKeyId ?? null,
    origin,
  });
  return id;
}

/**
 * Called by the history recorder for every write, inside the write's transaction, with the fields it changed.
 * Cheap when nobody subscribes: one read of the subscriptions.
 */
export function enqueueEvents(tx: Db, actor: Actor, at: string, change: RecordedChange, changes: FieldChange[]): void {
  const raises =
    change.entity === 'task' ||
    change.entity === 'progress_report' ||
    change.entity === 'deadline_change' ||
    (change.entity === 'plan' && PLAN_EVENTS[change.operation] !== undefined);
  if (!raises) return;
  const audience = audienceNow(tx);
  if (audience.active.length === 0 && audience.inactive.length === 0) return;
  const events =
    change.entity === 'task'
      ? taskEvents(tx, actor, at, change, changes)
      : change.entity === 'progress_report'
        ? reportEvents(tx, actor, at, change)
        : change.entity === 'deadline_change'
          ? deadlineChangeEvents(tx, actor, at, change)
          : // The plan first, then the tasks its approval put in force.
            [...planEvents(tx, actor, change), ...approvalEvents(tx, actor, at, change)];
  for (const e of events) enqueue(tx, audience, at, e);
}

/** The subscriptions that want task.overdue, and the day of each commission at `now`. */
function overdueScanOf(tx: Db, now: Date) {
  const subscriptions = repo.activeSubscriptions(tx).filter((s) => s.events.includes('task.overdue'));
  const todayByCommission = commissionZones(tx).map((c) => ({ commissionId: c.commissionId, today: dateInZone(now, c.timeZone) }));
  return { subscriptions, todayByCommission };
}

/** The ids of the tasks overdue at `now` when a subscription wants task.overdue (none otherwise): what a scan slices. */
export function overdueCandidates(tx: Db, now: Date): string[] {
  const { subscriptions, todayByCommission } = overdueScanOf(tx, now);
  if (subscriptions.length === 0) return [];
  return eventData.overdueTaskIds(tx, todayByCommission).map((t) => t.id);
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

/** The test event of one subscription, queued for it alone whatever its event types and organization. */
export function enqueueTestEvent(tx: Db, subscription: repo.SubscriptionRow, at: string, requestedByKeyId: string | null): string {
  const eventId = newId();
  const body = JSON.stringify({
    type: 'webhook.test',
    timestamp: at,
    data: { subscriptionId: subscription.id, message: 'A test event sent on request: nothing changed in the plan.' },
  });
  outbox.insertEvent(tx, { id: eventId, type: 'webhook.test', occurredAt: at, taskId: null, dedupeKey: null, body, organizationIds: null });
  return queueDelivery(tx, subscription.id, eventId, at, 'test', { requestedByKeyId });
}
