// Queuing events: who receives an event (matches, the one rule), and the event and delivery rows written for them in
// the outbox in the transaction of the write that raised it; the test event of one subscription.
import type { Db } from '../../db/connection.js';
import type { WebhookDeliveryOrigin, WebhookMessageType } from '../../db/enums.js';
import { newId } from '../../lib/ids.js';
import * as outbox from './webhooks.outbox-repository.js';
import * as repo from './webhooks.repository.js';

/** An event about to be queued: its body, and the organizations whose subscriptions it concerns. */
export interface PendingEvent {
  type: WebhookMessageType;
  taskId: string | null;
  /** Subscriptions filtered to one of these organizations receive it; those without a filter always do. */
  organizationIds: string[];
  data: object;
  dedupeKey?: string;
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

export function audienceNow(tx: Db): Audience {
  return { active: repo.activeSubscriptions(tx), inactive: repo.inactiveInterests(tx) };
}

/**
 * Writes the event and one pending delivery per matching active subscription, due at once. An event that a paused or
 * disabled subscription would receive is stored too, without a delivery, so that the subscription can replay it
 * (until it is pruned, WEBHOOK_LOG_DAYS); an event no subscription wants is not. Returns how many deliveries were queued.
 */
export function enqueue(tx: Db, audience: Audience, at: string, e: PendingEvent): number {
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
