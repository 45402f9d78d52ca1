// Redeliveries of a window: the events of a window whose last delivery to a subscription failed, sent again to it at
// once, each as a new delivery (redeliveryOf the failed one) under the event's own id (the webhook-id).
import type { Db } from '../../db/connection.js';
import { matches, queueDelivery } from './webhooks.events.js';
import { lookThrough, type ReplayWindow } from './webhooks.replay.js';
import * as repo from './webhooks.repository.js';

/** What a redelivery is to queue: the failed deliveries, oldest event first, at most `limit`; and the time of the first one left over. */
export interface RedeliveryPlan {
  deliveries: repo.RedeliveryCandidate[];
  continueFrom: string | null;
}

/**
 * Whether the subscription, as it is now, wants the event of a failed delivery again: by the rule of raise time and
 * replay (matches), so a type it stopped receiving (its waiting deliveries ended unsent, notWanted) is sent only once it
 * receives it again. Not webhook.test, sent on request only. An event stored before events kept their organizations
 * was delivered to the subscription, which then had the organization it has now (it keeps it once it has deliveries):
 * so it concerned that organization.
 */
const wantsAgain = (sub: repo.SubscriptionInterest, d: repo.RedeliveryCandidate) =>
  d.type !== 'webhook.test' &&
  matches(sub, { type: d.type, organizationIds: d.organizationIds ?? (sub.organizationId === null ? [] : [sub.organizationId]) });

/** The deliveries of the window's events that failed last and are wanted again (lookThrough, as a replay looks). */
export async function planRedelivery(db: Db, sub: repo.SubscriptionRow, window: ReplayWindow): Promise<RedeliveryPlan> {
  // The types it lists now; webhook.test is in no list.
  const types = sub.events;
  const { found, continueFrom } = await lookThrough(
    (after, limit) => repo.redeliveryCandidates(db, { subscriptionId: sub.id, types, since: window.since, until: window.until, after, limit }),
    (d) => wantsAgain(sub, d),
    window.limit,
  );
  return { deliveries: found, continueFrom };
}

/**
 * Queues, in the caller's transaction, a redelivery due at once of each planned delivery that still failed last of
 * its event (another call or a single redelivery may have come between, or the log's pruning) and whose event the
 * subscription, as it is now, still wants. At most `limit` rows: a short write. Returns how many.
 */
export function queueRedelivery(tx: Db, sub: repo.SubscriptionRow, plan: RedeliveryPlan, at: string, requestedByKeyId: string | null): number {
  const open = repo.stillLastFailed(tx, sub.id, plan.deliveries.map((d) => d.deliveryId));
  let queued = 0;
  for (const d of plan.deliveries) {
    if (!open.has(d.deliveryId) || !wantsAgain(sub, d)) continue;
    queueDelivery(tx, sub.id, d.id, at, 'redelivery', { redeliveryOf: d.deliveryId, requestedByKeyId });
    queued += 1;
  }
  return queued;
}
