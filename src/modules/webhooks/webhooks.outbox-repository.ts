// Drizzle queries of the outbox: events and their deliveries as written, claimed by the worker, attempted, ended
// unsent and pruned.
import { and, asc, eq, exists, getTableColumns, inArray, isNotNull, isNull, lt, lte, notExists, notInArray, or, type Placeholder, sql, type SQL } from 'drizzle-orm';
import { type Db, inJsonArray, nativeWrite, prepared } from '../../db/connection.js';
import type { WebhookDeliveryStatus } from '../../db/enums.js';
import { webhookDeliveries, webhookDeliveryAttempts, webhookEvents, webhookSubscriptions } from '../../db/schema.js';

export type EventRow = typeof webhookEvents.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AttemptRow = typeof webhookDeliveryAttempts.$inferSelect;

/**
 * Inserts an event unless one with its dedupe key exists; false when it did (nothing written). Prepared once and run
 * natively (nativeWrite), as are the deliveries: approving a plan of 100,000 tasks queues as many of each in its
 * transaction; drizzle building each statement anew took most of the 14 s the event loop was held, and filling in
 * the placeholders of each run 0.6 s of the 4.8 s left.
 */
export function insertEvent(db: Db, row: EventRow): boolean {
  const run = nativeWrite(db, 'insertEvent', (db) =>
    db
      .insert(webhookEvents)
      .values({
        id: sql.placeholder('id'),
        type: sql.placeholder('type'),
        occurredAt: sql.placeholder('occurredAt'),
        taskId: sql.placeholder('taskId'),
        dedupeKey: sql.placeholder('dedupeKey'),
        body: sql.placeholder('body'),
        // Bound as text (JSON or NULL), as nativeWrite binds every value.
        organizationIds: sql`${sql.placeholder('organizationIds')}`,
      })
      .onConflictDoNothing(),
  );
  const { id, type, occurredAt, taskId, dedupeKey, body } = row;
  const organizationIds = row.organizationIds === null ? null : JSON.stringify(row.organizationIds);
  return run({ id, type, occurredAt, taskId, dedupeKey, body, organizationIds }).changes > 0;
}

/** A delivery, every column given (as queueDelivery gives them, webhooks.queue.ts). */
export function insertDelivery(db: Db, row: DeliveryRow): void {
  const run = nativeWrite(db, 'insertDelivery', (db) =>
    db.insert(webhookDeliveries).values(Object.fromEntries(Object.keys(getTableColumns(webhookDeliveries)).map((k) => [k, sql.placeholder(k)])) as { [K in keyof DeliveryRow]: Placeholder }),
  );
  run(row);
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

export function findEvent(db: Db, id: string): EventRow | undefined {
  return db.select().from(webhookEvents).where(eq(webhookEvents.id, id)).get();
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
 * (the worker ends those after the attempt, see recordAttempt in webhooks.outcome.ts). Returns how many.
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
