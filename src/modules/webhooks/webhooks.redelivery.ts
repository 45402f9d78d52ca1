// Redeliveries: an event sent again to a subscription as a new delivery (redeliveryOf the one before) under the event's
// own id (the webhook-id), alone on request or every failed one of a window at once; and the one rule of what may be.
import type { Db } from '../../db/connection.js';
import { AppError, ERRORS } from '../../errors.js';
import { matches, queueDelivery } from './webhooks.queue.js';
import { lookThrough, type ReplayWindow } from './webhooks.replay.js';
import * as outbox from './webhooks.outbox-repository.js';
import * as replays from './webhooks.replay-repository.js';
import * as repo from './webhooks.repository.js';

/** An event as a redelivery weighs it: its type, when it was raised, and the organizations it concerned then. */
export type RedeliveredEvent = Pick<outbox.EventRow, 'type' | 'occurredAt' | 'organizationIds'>;

/** Why an event is not sent again to a subscription (redeliveryRefusal). */
export type RedeliveryRefusal =
  /** The subscription no longer lists the event's type. */
  | { reason: 'type' }
  /** The event did not concern the subscription's organization when it was raised (the subscription was moved since). */
  | { reason: 'organization' }
  /** The event was raised before `retainedFrom`: receivers may have dropped its id. */
  | { reason: 'retention'; retainedFrom: string };

/**
 * Whether the subscription, as it is now, may be sent an event again, and why not: the one rule of a single redelivery
 * and of the redelivery of a window (which also leaves webhook.test out, see wantsAgain).
 *
 * - It must still receive the event by the rule of raise time and replay (matches): the types it lists now, its
 *   organization against the organizations the event concerned when raised. So a type it stopped receiving (its
 *   waiting deliveries ended unsent, notWanted) goes again only once it receives it again, and a subscription moved to
 *   another organization is never sent an event of the one it was for. An event stored before events kept their
 *   organizations was delivered to the subscription, which then had the organization it has now (it keeps it once it
 *   has deliveries): so it concerned that organization. webhook.test passes matches whatever the types and kept no
 *   organizations: it is the subscription's own, with no organization's data.
 * - It must have been raised no earlier than `retainedFrom` (retainedFrom in webhooks.replay.ts; null: no limit):
 *   receivers are told to keep webhook-ids only WEBHOOK_LOG_DAYS, so one sent again later may be handled twice.
 *   webhook.test excepted: it tells of no change, so handling it twice does no harm.
 */
export function redeliveryRefusal(sub: repo.SubscriptionInterest, e: RedeliveredEvent, retainedFrom: string | null): RedeliveryRefusal | null {
  const event = { type: e.type, organizationIds: e.organizationIds ?? (sub.organizationId === null ? [] : [sub.organizationId]) };
  if (!matches(sub, event)) {
    // The same rule without the organization filter: if it receives the event so, its organization is what refuses.
    return { reason: matches({ events: sub.events, organizationId: null }, event) ? 'organization' : 'type' };
  }
  if (retainedFrom !== null && e.type !== 'webhook.test' && e.occurredAt < retainedFrom) return { reason: 'retention', retainedFrom };
  return null;
}

/**
 * The refusal of a single redelivery (redeliveryRefusal): why the event is not sent again, and what the caller can do.
 * Tells nothing of the organizations the event concerned: the caller may be another organization's key.
 */
export function redeliveryRefused(sub: repo.SubscriptionRow, event: outbox.EventRow, refusal: RedeliveryRefusal, logDays: number): AppError {
  const what = `event ${event.id} (${event.type})`;
  switch (refusal.reason) {
    case 'type':
      return new AppError(
        ERRORS.webhookEventNotRedeliverable,
        `the subscription no longer receives ${event.type} (its events: ${sub.events.join(', ')}), so ${what} is not sent ` +
          `to it again; add ${event.type} to its events (PATCH /v1/webhooks/${sub.id}) to send it again`,
      );
    case 'organization':
      return new AppError(
        ERRORS.webhookEventNotRedeliverable,
        `${what} did not concern organization ${sub.organizationId}, the subscription's, when it was raised: the subscription ` +
          "was for another organization then, and an event is never sent to another organization's subscription. It cannot " +
          'be sent to this subscription; a subscription of an organization it concerned, or for every organization, can send it again',
      );
    case 'retention':
      return new AppError(
        ERRORS.webhookEventNotRedeliverable,
        `${what} was raised at ${event.occurredAt}, more than the delivery log's ${logDays} days (WEBHOOK_LOG_DAYS) ago ` +
          `(before ${refusal.retainedFrom}): receivers keep webhook-ids only that long, so it is not sent again, as it could be ` +
          `handled twice; read what it tells of as it stands now instead${event.taskId === null ? '' : ` (GET /v1/tasks/${event.taskId})`}`,
      );
  }
}

/** What a redelivery is to queue: the failed deliveries, oldest event first, at most `limit`; and the time of the first one left over. */
export interface RedeliveryPlan {
  deliveries: replays.RedeliveryCandidate[];
  continueFrom: string | null;
  /** The retention limit the window was searched from (null: none), checked again when queued. */
  retainedFrom: string | null;
}

/**
 * Whether a failed delivery of a window is sent again: by the rule of a single redelivery (redeliveryRefusal), and
 * never webhook.test, sent on request only.
 */
const wantsAgain = (sub: repo.SubscriptionInterest, d: replays.RedeliveryCandidate, retainedFrom: string | null) =>
  d.type !== 'webhook.test' && redeliveryRefusal(sub, d, retainedFrom) === null;

/**
 * The deliveries of the window's events that failed last and are wanted again (lookThrough, as a replay looks). The
 * window starts no earlier than `retainedFrom` (the service's windowOf), so the rule's retention refuses none of them.
 */
export async function planRedelivery(db: Db, sub: repo.SubscriptionRow, window: ReplayWindow & { retainedFrom: string | null }): Promise<RedeliveryPlan> {
  // The types it lists now; webhook.test is in no list.
  const types = sub.events;
  const { found, continueFrom } = await lookThrough(
    (after, limit) => replays.redeliveryCandidates(db, { subscriptionId: sub.id, types, since: window.since, until: window.until, after, limit }),
    (d) => wantsAgain(sub, d, window.retainedFrom),
    window.limit,
  );
  return { deliveries: found, continueFrom, retainedFrom: window.retainedFrom };
}

/**
 * Queues, in the caller's transaction, a redelivery due at once of each planned delivery that still failed last of
 * its event (another call or a single redelivery may have come between, or the log's pruning) and whose event the
 * subscription, as it is now, still wants (a change of its types may have come between too). At most `limit` rows: a
 * short write. Returns how many.
 */
export function queueRedelivery(tx: Db, sub: repo.SubscriptionRow, plan: RedeliveryPlan, at: string, requestedByKeyId: string | null): number {
  const open = replays.stillLastFailed(tx, sub.id, plan.deliveries.map((d) => d.deliveryId));
  let queued = 0;
  for (const d of plan.deliveries) {
    if (!open.has(d.deliveryId) || !wantsAgain(sub, d, plan.retainedFrom)) continue;
    queueDelivery(tx, sub.id, d.id, at, 'redelivery', { redeliveryOf: d.deliveryId, requestedByKeyId });
    queued += 1;
  }
  return queued;
}
