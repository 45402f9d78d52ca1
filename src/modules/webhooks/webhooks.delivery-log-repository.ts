// Drizzle queries of the delivery log as the API shows it: a subscription's deliveries, newest first, with their attempts.
import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { webhookDeliveries, webhookDeliveryAttempts, webhookEvents } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { AttemptRow, DeliveryRow, EventRow } from './webhooks.outbox-repository.js';
import type { ListWebhookDeliveriesQuery, WebhookDelivery } from './webhooks.delivery-schemas.js';

const deliveryCursor = cursorFor('webhookDeliveries');

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
