// Drizzle queries of replays and redeliveries: the events of a window, a page at a time, that a subscription has no
// delivery of, or whose last delivery to it failed; and whether they still are when queued.
import { and, asc, eq, exists, gte, inArray, lt, not, notExists, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { type Db, inJsonArray } from '../../db/connection.js';
import type { WebhookDeliveryStatus } from '../../db/enums.js';
import { webhookDeliveries, webhookEvents } from '../../db/schema.js';
import type { EventRow } from './webhooks.outbox-repository.js';

/** An event a replay may queue: enough to match it to a subscription (see matches in webhooks.queue.ts). */
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

/** A failed delivery a redelivery may send again, with enough of its event to match it (see matches in webhooks.queue.ts). */
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
