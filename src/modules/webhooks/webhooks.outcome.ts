// What follows from an attempt's answer, in one transaction: the attempt logged, the delivery done, retried on the
// schedule (webhooks.retry.ts), failed, or ended unsent when its type was taken off meanwhile; and the subscription's
// run of failures, which disables it when the endpoint, not one event, is broken.
import { writeTransaction, type Db } from '../../db/connection.js';
import { newId } from '../../lib/ids.js';
import * as outbox from './webhooks.outbox-repository.js';
import * as repo from './webhooks.repository.js';
import { nextAttemptDelayMs, retryAfterMs } from './webhooks.retry.js';
import { clip, ERROR_KEPT, type AttemptResult } from './webhooks.sender.js';
import type { WorkerDeps } from './webhooks.worker.js';

/**
 * The error of a delivery whose attempt failed while its type was taken off the subscription: the attempt's error, cut
 * so that the reason it is not sent again stays whole within the documented length (a TLS error naming every name of a
 * certificate may take all of it).
 */
export function notSentAfter(error: string | null, at: string): string {
  const reason = outbox.notWanted(at);
  return `${clip(error ?? 'failed', ERROR_KEPT - reason.length - 2)}; ${reason}`;
}

/**
 * Whether the subscription no longer receives the delivery's event type: not a test event, not a redelivery someone
 * asked for (see endUnwantedDeliveries).
 */
export function unwantedBy(tx: Db, delivery: outbox.DeliveryRow, sub: repo.SubscriptionRow): boolean {
  if (delivery.redeliveryOf !== null) return false;
  const type = outbox.findEvent(tx, delivery.eventId)?.type;
  return type !== undefined && type !== 'webhook.test' && !sub.events.includes(type);
}

const fmtDuration = (ms: number) => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

/** What recording an attempt takes from the worker. */
type AttemptDeps = Pick<WorkerDeps, 'db' | 'log' | 'settings'> & { random: () => number };

/** Records one attempt and what follows from it, in one transaction. */
export function recordAttempt(
  { db, settings, random, log }: AttemptDeps,
  claimed: outbox.DeliveryRow,
  url: string,
  attemptedAt: Date,
  result: AttemptResult,
): 'succeeded' | 'failed' | 'retry' {
  return writeTransaction(db, (tx) => {
    const delivery = outbox.findDeliveryRow(tx, claimed.id);
    // Deleted with its subscription while the attempt ran.
    if (!delivery) return 'failed';
    const sub = repo.findSubscription(tx, delivery.subscriptionId);
    if (!sub) return 'failed';
    const at = attemptedAt.toISOString();
    // The subscription moved to another URL while the attempt ran: the old endpoint's answer says nothing of the
    // new one, so it neither counts against the subscription nor disables it, and the event goes to the new URL.
    const moved = sub.url !== url;
    const n = delivery.attemptCount + 1;
    outbox.insertAttempt(tx, {
      id: newId(),
      deliveryId: delivery.id,
      attemptedAt: at,
      durationMs: result.durationMs,
      statusCode: result.statusCode,
      error: result.error,
      responseBody: result.responseBody,
    });
    const common = {
      attemptCount: n,
      lockedUntil: null,
      firstAttemptAt: delivery.firstAttemptAt ?? at,
      lastAttemptAt: at,
      lastStatusCode: result.statusCode,
      lastError: result.error,
    };
    if (moved && !result.ok) {
      outbox.updateDelivery(tx, delivery.id, { ...common, status: 'pending', nextAttemptAt: at });
      return 'retry';
    }
    if (result.ok) {
      outbox.updateDelivery(tx, delivery.id, { ...common, status: 'succeeded', nextAttemptAt: null, completedAt: at });
      repo.updateSubscription(tx, sub.id, { consecutiveFailures: 0, failingSince: null, lastSuccessAt: at });
      return 'succeeded';
    }
    const failingSince = sub.failingSince ?? at;
    repo.updateSubscription(tx, sub.id, { consecutiveFailures: sub.consecutiveFailures + 1, failingSince, lastFailureAt: at });
    const gone = result.statusCode === 410;
    // Its subscription stopped receiving this event type while the attempt ran (see endUnwantedDeliveries).
    const unwanted = unwantedBy(tx, delivery, sub);
    if (n < settings.maxAttempts && !gone && !unwanted) {
      // Retry-After counts from the answer, which came durationMs after the attempt began.
      const answeredAt = new Date(attemptedAt.getTime() + result.durationMs);
      const asked = retryAfterMs(result.retryAfter, answeredAt);
      const wait = nextAttemptDelayMs(n, settings, random, asked === null ? null : result.durationMs + asked);
      const scheduled = new Date(attemptedAt.getTime() + wait).toISOString();
      // Sent again on request (redeliver) while this attempt ran: that earlier time holds, not the backoff.
      const requested = delivery.nextAttemptAt !== claimed.nextAttemptAt ? delivery.nextAttemptAt : null;
      const next = requested !== null && requested < scheduled ? requested : scheduled;
      outbox.updateDelivery(tx, delivery.id, { ...common, status: 'pending', nextAttemptAt: next });
      return 'retry';
    }
    const lastError = unwanted ? notSentAfter(result.error, at) : result.error;
    outbox.updateDelivery(tx, delivery.id, { ...common, status: 'failed', nextAttemptAt: null, completedAt: at, lastError });
    // Ended early because its type was taken off: only a 410 says the endpoint is broken.
    if (unwanted && !gone && n < settings.maxAttempts) return 'failed';
    // Disabled when the endpoint says it is gone, or when every attempt of this delivery failed and nothing
    // else got through meanwhile: the endpoint, not one event, is broken.
    const firstAttempt = common.firstAttemptAt;
    const brokenThroughout = failingSince <= firstAttempt;
    if (sub.active && (gone || brokenThroughout)) {
      const span = fmtDuration(attemptedAt.getTime() - Date.parse(firstAttempt));
      const reason = gone
        ? `the endpoint answered 410 Gone to delivery ${delivery.id}; activate the subscription again (PATCH active: true) once it accepts events`
        : `disabled after ${n} failed attempts over ${span} to deliver event ${delivery.eventId} with no successful delivery since ${failingSince}; ` +
          `last: ${result.error ?? 'no answer'}. Fix the endpoint, then PATCH active: true: waiting deliveries resume, failed ones can be redelivered`;
      repo.updateSubscription(tx, sub.id, { active: false, disabledReason: reason.slice(0, 2000), disabledAt: at, updatedAt: at });
      log.warn({ subscriptionId: sub.id, reason }, 'webhook subscription disabled');
    }
    return 'failed';
  });
}
