// Drizzle queries of webhooks: subscriptions, the outbox of events and deliveries, attempts, and what the worker claims.
import { and, asc, desc, eq, exists, gte, inArray, isNotNull, isNull, lt, lte, not, notExists, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { type Db, inJsonArray, insertRow, prepared } from '../../db/connection.js';
import { TASK_STATUSES, type TaskStatus, type WebhookDeliveryStatus, type WebhookEventType } from '../../db/enums.js';
import {
  deadlineChanges,
  plans,
  taskAssignees,
  tasks,
  webhookDeliveries,
  webhookDeliveryAttempts,
  webhookEvents,
  webhookSubscriptions,
} from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import { OUT_OF_CONTROL_STATUSES } from '../tasks/task-timeliness.js';
import type { ListWebhookDeliveriesQuery, ListWebhooksQuery, Webhook, WebhookDelivery } from './webhooks.schemas.js';

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type EventRow = typeof webhookEvents.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AttemptRow = typeof webhookDeliveryAttempts.$inferSelect;

/** The subscription as the API shows it: everything but its secrets. */
export function toWebhook(r: SubscriptionRow): Webhook {
  return {
    id: r.id,
    description: r.description,
    url: r.url,
    events: r.events,
    organizationId: r.organizationId,
    active: r.active,
    disabledReason: r.disabledReason,
    disabledAt: r.disabledAt,
    consecutiveFailures: r.consecutiveFailures,
    failingSince: r.failingSince,
    lastSuccessAt: r.lastSuccessAt,
    lastFailureAt: r.lastFailureAt,
    previousSecretExpiresAt: r.previousSecretExpiresAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    createdByKeyId: r.createdByKeyId,
  };
}

export function findSubscription(db: Db, id: string): SubscriptionRow | undefined {
  return db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)).get();
}

/** How many active subscriptions are filtered to this organization (null: those for every organization). */
/** The subscriptions of an organization (null: those for every organization), only the active ones or all of them. */
export function countSubscriptionsOf(db: Db, organizationId: string | null, which: 'active' | 'all'): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(webhookSubscriptions)
    .where(
      and(
        which === 'active' ? eq(webhookSubscriptions.active, true) : undefined,
        organizationId === null ? isNull(webhookSubscriptions.organizationId) : eq(webhookSubscriptions.organizationId, organizationId),
      ),
    )
    .get();
  return Number(row?.n ?? 0);
}

const subscriptionCursor = cursorFor('webhooks');
const deliveryCursor = cursorFor('webhookDeliveries');

export function listSubscriptions(db: Db, q: ListWebhooksQuery & { ownOrganizationId?: string | undefined }): Page<Webhook> {
  const org = q.ownOrganizationId ?? q.organizationId;
  const rows = db
    .select()
    .from(webhookSubscriptions)
    .where(
      and(
        org === undefined ? undefined : eq(webhookSubscriptions.organizationId, org),
        // A ministry asking for another organization's subscriptions sees none.
        q.ownOrganizationId !== undefined && q.organizationId !== undefined && q.organizationId !== q.ownOrganizationId ? sql`0 = 1` : undefined,
        q.active === undefined ? undefined : eq(webhookSubscriptions.active, q.active),
        subscriptionCursor.after([webhookSubscriptions.id], q),
      ),
    )
    .orderBy(asc(webhookSubscriptions.id))
    .limit(q.limit + 1)
    .all();
  return subscriptionCursor.page(rows, q, (r) => [r.id], toWebhook);
}

/** Active subscriptions, the candidates for every new event: a handful, read on each write that raises events. */
/** Read by every write that may raise an event, so prepared. */
export function activeSubscriptions(db: Db): SubscriptionRow[] {
  return prepared(db, 'activeSubscriptions', (db) => db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.active, true)).prepare()).all();
}

/** What a subscription receives: its event types and organization filter (see matches in webhooks.events.ts). */
export type SubscriptionInterest = Pick<SubscriptionRow, 'events' | 'organizationId'>;

/**
 * What the paused and disabled subscriptions would receive: one interest per organization filter (null: every
 * organization), with every type one of them lists. An event is kept for a replay when one of them would receive it,
 * which is when this union would (matches). Distinct (organization, type) pairs, not lists of types: a list is stored
 * as written, so subscriptions listing the same types in another order, or other subsets of them, would each be a row
 * that every event is matched against, and inactive subscriptions are not bounded in number. Read by every write that
 * may raise an event, so prepared.
 */
export function inactiveInterests(db: Db): SubscriptionInterest[] {
  const pairs = prepared(db, 'inactiveInterests', (db) =>
    db
      .selectDistinct({ organizationId: sql<string | null>`s.organization_id`, type: sql<WebhookEventType>`j.value` })
      .from(sql`${webhookSubscriptions} s, json_each(s.events) j`)
      .where(sql`s.active = 0`)
      .prepare(),
  ).all();
  const byOrganization = new Map<string | null, WebhookEventType[]>();
  for (const { organizationId, type } of pairs) {
    const types = byOrganization.get(organizationId);
    if (types) types.push(type);
    else byOrganization.set(organizationId, [type]);
  }
  return [...byOrganization].map(([organizationId, events]) => ({ organizationId, events }));
}

export function insertSubscription(db: Db, row: SubscriptionRow): void {
  db.insert(webhookSubscriptions).values(row).run();
}

export function updateSubscription(db: Db, id: string, set: Partial<Omit<SubscriptionRow, 'id' | 'createdAt'>>): void {
  db.update(webhookSubscriptions).set(set).where(eq(webhookSubscriptions.id, id)).run();
}

export function deleteSubscription(db: Db, id: string): void {
  db.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)).run();
}

// --- Outbox -----------------------------------------------------------------------------------------------

/**
 * Inserts an event unless one with its dedupe key exists; false when it did (nothing written). Prepared once, as
 * are the deliveries: approving a plan of 100,000 tasks queues as many of each in its transaction, and drizzle
 * building each statement anew took most of the 14 s the event loop was held.
 */
export function insertEvent(db: Db, row: EventRow): boolean {
  const query = prepared(db, 'insertEvent', (db) =>
    db
      .insert(webhookEvents)
      .values({
        id: sql.placeholder('id'),
        type: sql.placeholder('type'),
        occurredAt: sql.placeholder('occurredAt'),
        taskId: sql.placeholder('taskId'),
        dedupeKey: sql.placeholder('dedupeKey'),
        body: sql.placeholder('body'),
        // Bound as text here (JSON or NULL): a bare placeholder would be JSON-encoded by the column, null as 'null'.
        organizationIds: sql`${sql.placeholder('organizationIds')}`,
      })
      .onConflictDoNothing()
      .prepare(),
  );
  const { id, type, occurredAt, taskId, dedupeKey, body } = row;
  const organizationIds = row.organizationIds === null ? null : JSON.stringify(row.organizationIds);
  return query.run({ id, type, occurredAt, taskId, dedupeKey, body, organizationIds }).changes > 0;
}

export function insertDelivery(db: Db, row: DeliveryRow): void {
  insertRow(db, webhookDeliveries, row);
}

/**
 * The events already raised under these dedupe keys: key → event id. The keys go as one JSON array to a statement
 * prepared once: a list as long as a plan's overdue tasks can pass the 32,766 variables SQLite binds, and drizzle's
 * building of an IN list for every slice, with SQLite's preparing it, cost more than the lookups (a later report.missing
 * look on 100,000 tasks in slices of 200, 400 keys each: 4.6 s with such lists, 3.3 s without).
 */
export function eventsByDedupeKey(db: Db, keys: string[]): Map<string, string> {
  if (keys.length === 0) return new Map();
  const query = prepared(db, 'eventsByDedupeKey', (db) =>
    db
      .select({ key: webhookEvents.dedupeKey, id: webhookEvents.id })
      .from(webhookEvents)
      .where(inJsonArray(webhookEvents.dedupeKey, sql.placeholder('keys')))
      .prepare(),
  );
  return new Map(query.all({ keys: JSON.stringify(keys) }).map((r) => [r.key as string, r.id]));
}

/** Which subscriptions have a delivery of each of these events (any status): event id → subscription ids. */
export function subscriptionsDelivered(db: Db, eventIds: string[]): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  if (eventIds.length === 0) return found;
  // As eventsByDedupeKey: one JSON array, one statement prepared once.
  const query = prepared(db, 'subscriptionsDelivered', (db) =>
    db
      .select({ eventId: webhookDeliveries.eventId, subscriptionId: webhookDeliveries.subscriptionId })
      .from(webhookDeliveries)
      .where(inJsonArray(webhookDeliveries.eventId, sql.placeholder('ids')))
      .prepare(),
  );
  for (const r of query.all({ ids: JSON.stringify(eventIds) })) {
    let subs = found.get(r.eventId);
    if (!subs) found.set(r.eventId, (subs = new Set()));
    subs.add(r.subscriptionId);
  }
  return found;
}

/** An event a replay may queue: enough to match it to a subscription (see matches in webhooks.events.ts). */
export type ReplayCandidate = Pick<EventRow, 'id' | 'type' | 'occurredAt' | 'organizationIds'>;

/**
 * Up to `limit` events of these types raised in [since, until) (until null: no end), after `after` in the order
 * (occurredAt, id), of which the subscription has no delivery (of any status): what a replay looks through, a page at
 * a time. By the events' (occurredAt, id) index, a page starting where the last ended (a row value the index seeks to,
 * so neither the events of one instant are sorted nor those of earlier pages read again for each page); each event's
 * deliveries by theirs.
 */
export function replayCandidates(db: Db, q: ReplayCandidatesQuery): ReplayCandidate[] {
  if (q.types.length === 0) return [];
  return replayCandidatesQuery(db, q).all();
}

export interface ReplayCandidatesQuery {
  subscriptionId: string;
  types: readonly string[];
  since: string;
  until: string | null;
  after: { occurredAt: string; id: string } | null;
  limit: number;
}

/**
 * The events of one page of a window, for replays and redeliveries: of these types, raised before `until`, and from
 * `since` on, or after `after` (the last of the page before, which is in the window already) in (occurredAt, id).
 */
const windowPage = (q: ReplayCandidatesQuery) => [
  q.after === null ? gte(webhookEvents.occurredAt, q.since) : sql`(${webhookEvents.occurredAt}, ${webhookEvents.id}) > (${q.after.occurredAt}, ${q.after.id})`,
  q.until === null ? undefined : lt(webhookEvents.occurredAt, q.until),
  inArray(webhookEvents.type, [...q.types] as EventRow['type'][]),
];

/** The event (webhook_events, the outer query) has no delivery to the subscription: what a replay queues. */
const neverSentTo = (db: Db, subscriptionId: string) =>
  notExists(
    db
      .select({ one: sql`1` })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.eventId, webhookEvents.id), eq(webhookDeliveries.subscriptionId, subscriptionId))),
  );

/** The SELECT of replayCandidates, unrun (its query plan is tested). */
export function replayCandidatesQuery(db: Db, q: ReplayCandidatesQuery) {
  return db
    .select({ id: webhookEvents.id, type: webhookEvents.type, occurredAt: webhookEvents.occurredAt, organizationIds: webhookEvents.organizationIds })
    .from(webhookEvents)
    .where(
      and(
        ...windowPage(q),
        neverSentTo(db, q.subscriptionId),
      ),
    )
    .orderBy(asc(webhookEvents.occurredAt), asc(webhookEvents.id))
    .limit(q.limit);
}

/** Those of these events that still exist (not pruned) and of which the subscription still has no delivery. */
export function undeliveredEvents(db: Db, subscriptionId: string, eventIds: string[]): Set<string> {
  if (eventIds.length === 0) return new Set();
  const rows = db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(
      and(
        inJsonArray(webhookEvents.id, eventIds),
        neverSentTo(db, subscriptionId),
      ),
    )
    .all();
  return new Set(rows.map((r) => r.id));
}

/** A failed delivery a redelivery may send again, with enough of its event to match it (see matches in webhooks.events.ts). */
export type RedeliveryCandidate = ReplayCandidate & { deliveryId: string };

export type RedeliveryCandidatesQuery = ReplayCandidatesQuery;

/**
 * The deliveries that are the last the subscription had of their event and failed, nothing of it pending either: up
 * to `limit` events of these types raised in [since, until), after `after` in the order (occurredAt, id). A failed
 * delivery sent again since (another call, a single redelivery) has a later delivery and is not one of them, unless
 * that one failed too: then that one is. Read as replayCandidates reads the window, by the events' (occurredAt, id)
 * index, a page starting where the last ended; each event's deliveries by theirs.
 */
export function redeliveryCandidates(db: Db, q: RedeliveryCandidatesQuery): RedeliveryCandidate[] {
  if (q.types.length === 0) return [];
  return redeliveryCandidatesQuery(db, q).all();
}

const otherDelivery = alias(webhookDeliveries, 'other_delivery');

/** Whether the subscription has, of the event of `webhookDeliveries`' row, a later delivery or one pending. */
const sentAgainOrWaiting = (db: Db) =>
  exists(
    db
      .select({ one: sql`1` })
      .from(otherDelivery)
      .where(
        and(
          eq(otherDelivery.eventId, webhookDeliveries.eventId),
          eq(otherDelivery.subscriptionId, webhookDeliveries.subscriptionId),
          or(sql`${otherDelivery.id} > ${webhookDeliveries.id}`, eq(otherDelivery.status, 'pending' satisfies WebhookDeliveryStatus)),
        ),
      ),
  );

/** The subscription's delivery of the outer query's event that failed last, nothing of the event pending. */
const failedLastDelivery = (db: Db, subscriptionId: string) =>
  db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.eventId, webhookEvents.id),
        eq(webhookDeliveries.subscriptionId, subscriptionId),
        eq(webhookDeliveries.status, 'failed' satisfies WebhookDeliveryStatus),
        not(sentAgainOrWaiting(db)),
      ),
    );

/**
 * The SELECT of redeliveryCandidates, unrun (its query plan is tested). The events are the outer query and their
 * deliveries a subquery, as in replayCandidatesQuery: joined, SQLite would read the subscription's deliveries first and
 * sort a page out of them all.
 */
export function redeliveryCandidatesQuery(db: Db, q: RedeliveryCandidatesQuery) {
  return db
    .select({
      // At most one: the last delivery, by its time-ordered id.
      deliveryId: sql<string>`(${failedLastDelivery(db, q.subscriptionId)})`,
      id: webhookEvents.id,
      type: webhookEvents.type,
      occurredAt: webhookEvents.occurredAt,
      organizationIds: webhookEvents.organizationIds,
    })
    .from(webhookEvents)
    .where(
      and(
        ...windowPage(q),
        exists(failedLastDelivery(db, q.subscriptionId)),
      ),
    )
    .orderBy(asc(webhookEvents.occurredAt), asc(webhookEvents.id))
    .limit(q.limit);
}

/** Those of these deliveries of the subscription that still failed last of their event, with nothing of it pending. */
export function stillLastFailed(db: Db, subscriptionId: string, deliveryIds: string[]): Set<string> {
  if (deliveryIds.length === 0) return new Set();
  const rows = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        inJsonArray(webhookDeliveries.id, deliveryIds),
        eq(webhookDeliveries.subscriptionId, subscriptionId),
        eq(webhookDeliveries.status, 'failed' satisfies WebhookDeliveryStatus),
        not(sentAgainOrWaiting(db)),
      ),
    )
    .all();
  return new Set(rows.map((r) => r.id));
}

export function findEvent(db: Db, id: string): EventRow | undefined {
  return db.select().from(webhookEvents).where(eq(webhookEvents.id, id)).get();
}

// --- Deliveries -------------------------------------------------------------------------------------------

function attemptsOf(db: Db, deliveryIds: string[]): Map<string, AttemptRow[]> {
  const byDelivery = new Map<string, AttemptRow[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const rows = db
    .select()
    .from(webhookDeliveryAttempts)
    .where(inArray(webhookDeliveryAttempts.deliveryId, deliveryIds))
    .orderBy(asc(webhookDeliveryAttempts.deliveryId), asc(webhookDeliveryAttempts.id))
    .all();
  for (const r of rows) byDelivery.set(r.deliveryId, [...(byDelivery.get(r.deliveryId) ?? []), r]);
  return byDelivery;
}

const deliveryColumns = { delivery: webhookDeliveries, eventType: webhookEvents.type, occurredAt: webhookEvents.occurredAt };

function toDelivery(r: { delivery: DeliveryRow; eventType: EventRow['type']; occurredAt: string }, attempts: AttemptRow[]): WebhookDelivery {
  const d = r.delivery;
  return {
    id: d.id,
    subscriptionId: d.subscriptionId,
    eventId: d.eventId,
    eventType: r.eventType,
    occurredAt: r.occurredAt,
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: d.nextAttemptAt,
    lastAttemptAt: d.lastAttemptAt,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: d.createdAt,
    completedAt: d.completedAt,
    redeliveryOf: d.redeliveryOf,
    origin: d.origin,
    attempts: attempts.map((a) => ({
      attemptedAt: a.attemptedAt,
      durationMs: a.durationMs,
      statusCode: a.statusCode,
      error: a.error,
      responseBody: a.responseBody,
    })),
  };
}

/** A subscription's deliveries, newest first, each with its attempts. */
export function listDeliveries(db: Db, subscriptionId: string, query: ListWebhookDeliveriesQuery): Page<WebhookDelivery> {
  const q = { ...query, subscriptionId };
  const key = deliveryCursor.keyOf(q, 1);
  const before = key === undefined ? undefined : lt(webhookDeliveries.id, String(key[0]));
  const rows = db
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(
      and(
        eq(webhookDeliveries.subscriptionId, subscriptionId),
        q.status === undefined ? undefined : eq(webhookDeliveries.status, q.status),
        q.eventType === undefined ? undefined : eq(webhookEvents.type, q.eventType),
        q.eventId === undefined ? undefined : eq(webhookDeliveries.eventId, q.eventId),
        q.origin === undefined ? undefined : eq(webhookDeliveries.origin, q.origin),
        before,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(q.limit + 1)
    .all();
  const attempts = attemptsOf(db, rows.slice(0, q.limit).map((r) => r.delivery.id));
  return deliveryCursor.page(rows, q, (r) => [r.delivery.id], (r) => toDelivery(r, attempts.get(r.delivery.id) ?? []));
}

export function findDelivery(db: Db, subscriptionId: string, id: string): (WebhookDelivery & { body: string }) | undefined {
  const row = db
    .select({ ...deliveryColumns, body: webhookEvents.body })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.subscriptionId, subscriptionId)))
    .get();
  return row && { ...toDelivery(row, attemptsOf(db, [id]).get(id) ?? []), body: row.body };
}

/** Whether any event was ever queued for the subscription (pending, sent or failed). */
export function hasDeliveries(db: Db, subscriptionId: string): boolean {
  return db.select({ one: sql`1` }).from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subscriptionId)).limit(1).get() !== undefined;
}

export function findDeliveryRow(db: Db, id: string): DeliveryRow | undefined {
  return db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).get();
}

export function updateDelivery(db: Db, id: string, set: Partial<Omit<DeliveryRow, 'id' | 'subscriptionId' | 'eventId' | 'createdAt'>>): void {
  db.update(webhookDeliveries).set(set).where(eq(webhookDeliveries.id, id)).run();
}

export function insertAttempt(db: Db, row: AttemptRow): void {
  db.insert(webhookDeliveryAttempts).values(row).run();
}

/**
 * Deletes up to `limit` deliveries that ended (sent or failed) before `before`, oldest first, with their attempts
 * (ON DELETE CASCADE); then up to `limit` events older than `before` that no delivery refers to any more (those of
 * deleted subscriptions too). Pending deliveries, however old (a paused subscription's), and their events stay.
 * Returns how many of each.
 */
export function pruneDeliveryLog(db: Db, before: string, limit: number): { deliveries: number; events: number } {
  const ended = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(isNotNull(webhookDeliveries.completedAt), lt(webhookDeliveries.completedAt, before)))
    .orderBy(asc(webhookDeliveries.completedAt))
    .limit(limit);
  const deliveries = db.delete(webhookDeliveries).where(inArray(webhookDeliveries.id, ended)).run().changes;
  const unreferenced = db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(
      and(
        lt(webhookEvents.occurredAt, before),
        notExists(db.select({ one: sql`1` }).from(webhookDeliveries).where(eq(webhookDeliveries.eventId, webhookEvents.id))),
      ),
    )
    .limit(limit);
  const events = db.delete(webhookEvents).where(inArray(webhookEvents.id, unreferenced)).run().changes;
  return { deliveries, events };
}

/** Why a waiting delivery ended without being sent: its subscription stopped receiving its event type. */
export const notWanted = (at: string) => `not sent: the subscription stopped receiving this event type at ${at}`;

/**
 * Ends as failed, without sending them, the pending deliveries of a subscription whose event type it no longer
 * receives (`events`), except test events and redeliveries someone asked for, and except those an attempt holds now
 * (the worker ends those after the attempt, see webhooks.worker.ts). Returns how many.
 */
export function endUnwantedDeliveries(db: Db, subscriptionId: string, events: readonly string[], now: string, lastError: string): number {
  return unwantedDeliveriesUpdate(db, subscriptionId, events, now, lastError).run().changes;
}

/** The UPDATE of endUnwantedDeliveries, unrun (its query plan is tested). */
export function unwantedDeliveriesUpdate(db: Db, subscriptionId: string, events: readonly string[], now: string, lastError: string) {
  return db
    .update(webhookDeliveries)
    .set({ status: 'failed' satisfies WebhookDeliveryStatus, nextAttemptAt: null, completedAt: now, lastError })
    .where(
      and(
        eq(webhookDeliveries.subscriptionId, subscriptionId),
        eq(webhookDeliveries.status, 'pending' satisfies WebhookDeliveryStatus),
        isNull(webhookDeliveries.redeliveryOf),
        free(now),
        // Each waiting delivery's own event, by its key: not a list of every event in the outbox, which is never
        // pruned (approving a plan of 100,000 tasks alone adds as many) and would be read whole on every PATCH.
        exists(
          db
            .select({ one: sql`1` })
            .from(webhookEvents)
            .where(
              and(
                eq(webhookEvents.id, webhookDeliveries.eventId),
                sql`${webhookEvents.type} <> 'webhook.test'`,
                events.length === 0 ? undefined : notInArray(webhookEvents.type, [...events] as EventRow['type'][]),
              ),
            ),
        ),
      ),
    );
}

const free = (now: string) => or(isNull(webhookDeliveries.lockedUntil), lte(webhookDeliveries.lockedUntil, now)) as SQL;

/**
 * The deliveries due at `now` whose subscription is active and that no worker holds, oldest due first, at most one
 * per subscription and none of the subscriptions in `busy` (those with an attempt in flight): one slow receiver
 * never takes more than one of the worker's slots. Claimed (held until `lockedUntil`) in the caller's transaction,
 * so two processes on one database never send one twice.
 */
export function claimDueDeliveries(db: Db, now: string, limit: number, lockedUntil: string, skip: string[], busy: string[] = []): DeliveryRow[] {
  const candidates = db
    .select({ delivery: webhookDeliveries })
    .from(webhookDeliveries)
    .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
    .where(
      and(
        eq(webhookDeliveries.status, 'pending' satisfies WebhookDeliveryStatus),
        isNotNull(webhookDeliveries.nextAttemptAt),
        lte(webhookDeliveries.nextAttemptAt, now),
        eq(webhookSubscriptions.active, true),
        free(now),
        skip.length === 0 ? undefined : notInArray(webhookDeliveries.id, skip),
        busy.length === 0 ? undefined : notInArray(webhookDeliveries.subscriptionId, busy),
      ),
    )
    .orderBy(asc(webhookDeliveries.nextAttemptAt), asc(webhookDeliveries.id))
    // Room for a few subscriptions' backlogs ahead of the next subscription's first delivery.
    .limit(limit * 16)
    .all();
  const rows: DeliveryRow[] = [];
  const taken = new Set<string>();
  for (const { delivery } of candidates) {
    if (rows.length === limit) break;
    if (taken.has(delivery.subscriptionId)) continue;
    taken.add(delivery.subscriptionId);
    rows.push(delivery);
  }
  if (rows.length > 0) {
    db.update(webhookDeliveries)
      .set({ lockedUntil })
      .where(inArray(webhookDeliveries.id, rows.map((r) => r.id)))
      .run();
  }
  return rows;
}

// --- What events are made of ------------------------------------------------------------------------------

/** Asked for every task event (all of a plan's tasks when it is approved), so prepared. */
export function planStatus(db: Db, planId: string): string | undefined {
  return prepared(db, 'webhookPlanStatus', (db) => db.select({ status: plans.status }).from(plans).where(eq(plans.id, sql.placeholder('planId'))).prepare()).get({
    planId,
  })?.status;
}

/** The organizations executing at least one task of the plan, each once: those a plan's events concern. */
export function planAssignees(db: Db, planId: string): { organizationId: string }[] {
  return db
    .selectDistinct({ organizationId: taskAssignees.organizationId })
    .from(taskAssignees)
    .innerJoin(tasks, eq(tasks.id, taskAssignees.taskId))
    .where(eq(tasks.planId, planId))
    .orderBy(asc(taskAssignees.organizationId))
    .all();
}

/** How many tasks of the plan are in each status, every status named (0 for none). */
export function taskCountsByStatus(db: Db, planId: string): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  const rows = db
    .select({ status: tasks.status, n: sql<number>`count(*)` })
    .from(tasks)
    .where(eq(tasks.planId, planId))
    .groupBy(tasks.status)
    .all();
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

/** The deadline change a due-date move at `at` carried out: applied directly or approved then. */
export function deadlineChangeDecidedAt(db: Db, taskId: string, at: string) {
  return db
    .select()
    .from(deadlineChanges)
    .where(and(eq(deadlineChanges.taskId, taskId), eq(deadlineChanges.decidedAt, at), inArray(deadlineChanges.status, ['applied', 'approved'])))
    .orderBy(desc(deadlineChanges.id))
    .get();
}

/**
 * Open tasks of approved plans due before "today" of their commission: the overdue ones, by id; with `ids`, only
 * those of these tasks that still are (a scan goes through tens of thousands a slice at a time).
 */
export function overdueTaskIds(
  db: Db,
  todayByCommission: { commissionId: string; today: string }[],
  ids: string[] | null = null,
): { id: string; commissionId: string }[] {
  if (todayByCommission.length === 0 || ids?.length === 0) return [];
  return db
    .select({ id: tasks.id, commissionId: plans.commissionId })
    .from(tasks)
    .innerJoin(plans, eq(plans.id, tasks.planId))
    .where(
      and(
        eq(plans.status, 'approved'),
        notInArray(tasks.status, [...OUT_OF_CONTROL_STATUSES]),
        or(...todayByCommission.map((c) => and(eq(plans.commissionId, c.commissionId), lt(tasks.dueDate, c.today)))),
        ids === null ? undefined : inJsonArray(tasks.id, ids),
      ),
    )
    .orderBy(asc(tasks.id))
    .all();
}

/** The organizations executing each of these tasks (one statement: a JSON array of ids). */
export function assigneeOrganizationsOf(db: Db, taskIds: string[]): Map<string, string[]> {
  const byTask = new Map<string, string[]>();
  if (taskIds.length === 0) return byTask;
  const rows = db
    .select({ taskId: taskAssignees.taskId, organizationId: taskAssignees.organizationId })
    .from(taskAssignees)
    .where(inJsonArray(taskAssignees.taskId, taskIds))
    .all();
  for (const r of rows) {
    const list = byTask.get(r.taskId);
    if (list) list.push(r.organizationId);
    else byTask.set(r.taskId, [r.organizationId]);
  }
  return byTask;
}
