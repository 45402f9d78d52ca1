// The events: which writes raise which webhook events, their payloads, and whom each concerns — queued (webhooks.queue.ts)
// in the transaction of the write itself, so an event exists exactly when its change was committed.
import type { Db } from '../../db/connection.js';
import type { WebhookEventType } from '../../db/enums.js';
import type { FieldChange } from '../../db/schema.js';
import type { Actor } from '../../lib/access.js';
import { dateInZone } from '../../lib/dates.js';
import { judgementDay, overdueState } from '../tasks/task-timeliness.js';
import { findTaskRecord } from '../tasks/tasks.repository.js';
import type { DeadlineChange } from '../deadline-changes/deadline-changes.schemas.js';
import type { Plan } from '../plans/plans.schemas.js';
import * as eventData from './webhooks.event-data-repository.js';
import { audienceNow, enqueue, type PendingEvent } from './webhooks.queue.js';
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

const STATUS_FIELDS = new Set(['status', 'statusChangedAt', 'completedAt', 'closedAt']);
const DEADLINE_FIELDS = new Set(['dueDate', 'postponementCount']);
/** Fields of a task representation that are derived or mirrored elsewhere in the payload, not changes of their own. */
const DERIVED_FIELDS = new Set(['overdue', 'daysOverdue', 'completion']);

/** The task as every event shows it: small, stable, as of the moment of the event. */
export function webhookTask(r: eventData.AnnouncedTask, at: Date): WebhookTask {
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
export function audienceOf(record: Executed, also: (string | null | undefined)[] = []): string[] {
  const extra = also.filter((id): id is string => typeof id === 'string');
  return [...new Set([...record.assignees.map((a) => a.organizationId), ...extra])];
}

const actorOf = (a: Actor) => ({ keyId: a.keyId, role: a.role, organizationId: a.organizationId });

const organizationsOf = (representation: object | null): string[] =>
  ((representation as { assignees?: { organizationId: string }[] } | null)?.assignees ?? []).map((a) => a.organizationId);

/**
 * `known`: the task as it is now, already read, of a plan known to be approved (a plan's approval reads all of its
 * tasks at once, and has just approved their plan: its status is not read back for each of them).
 */
function taskEvents(tx: Db, actor: Actor, at: string, change: RecordedChange, changes: FieldChange[], known?: eventData.AnnouncedTask): PendingEvent[] {
  if (change.after === null) return [];
  const record = known ?? findTaskRecord(tx, change.entityId);
  if (!record || (known === undefined && eventData.planStatus(tx, record.planId) !== 'approved')) return [];
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

/** Whether a subscription, active or kept for a replay, wants events of this type (for some organization or all). */
const wanted = (audience: ReturnType<typeof audienceNow>, type: WebhookEventType) =>
  [...audience.active, ...audience.inactive].some((s) => s.events.includes(type));

const PLAN_EVENTS: Record<string, WebhookEventType> = { approvePlan: 'plan.approved', closePlan: 'plan.closed' };

/**
 * A plan put in force, or closed (read-only from then on: reports and deadline requests on its tasks are refused).
 * `plan` is the plan as the write returned it (GET /v1/plans/{id}), `tasksByStatus` how its tasks stood then; it
 * concerns every organization executing one of its tasks.
 */
function planEvents(tx: Db, actor: Actor, change: RecordedChange, audience: ReturnType<typeof audienceNow>): PendingEvent[] {
  const type = PLAN_EVENTS[change.operation];
  const plan = change.after as Plan | null;
  if (type === undefined || plan === null) return [];
  // Its audience and counts read the whole plan (0.3 s on 100,000 tasks): not for an event nobody wants.
  if (!wanted(audience, type)) return [];
  return [
    {
      type,
      taskId: null,
      organizationIds: audienceOf({ assignees: eventData.planAssignees(tx, plan.id) }),
      data: { plan, tasksByStatus: eventData.taskCountsByStatus(tx, plan.id), actor: actorOf(actor) },
    },
  ];
}

/**
 * Approving a plan puts its tasks in force: each is announced as created, as if added to an approved plan. Only when a
 * subscription, active or kept for a replay, wants task.created: built for every task of the plan and then matched to
 * nobody, the events held the approval of a 100,000-task plan 3 s on the event loop, in its transaction, for a
 * subscriber to task.overdue alone.
 */
function* approvalEvents(tx: Db, actor: Actor, at: string, change: RecordedChange, audience: ReturnType<typeof audienceNow>): Generator<PendingEvent> {
  if (change.operation !== 'approvePlan') return;
  if (!wanted(audience, 'task.created')) return;
  // Every task with its assignees in two statements, not two for each of a plan's (up to 100,000) tasks. Each event
  // is queued as it is made, in the plan's order, rather than all of them held until the last is made.
  for (const record of eventData.announcedTasksOfPlan(tx, change.entityId)) {
    yield* taskEvents(tx, actor, at, { operation: 'approvePlan', entity: 'task', entityId: record.id, before: null, after: {} }, [], record);
  }
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
  const events: Iterable<PendingEvent> =
    change.entity === 'task'
      ? taskEvents(tx, actor, at, change, changes)
      : change.entity === 'progress_report'
        ? reportEvents(tx, actor, at, change)
        : change.entity === 'deadline_change'
          ? deadlineChangeEvents(tx, actor, at, change)
          : // The plan first, then the tasks its approval put in force (made one by one as they are queued).
            (function* () {
              yield* planEvents(tx, actor, change, audience);
              yield* approvalEvents(tx, actor, at, change, audience);
            })();
  for (const e of events) enqueue(tx, audience, at, e);
}
