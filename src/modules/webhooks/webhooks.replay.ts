// Replays: the stored events of a window that a subscription would have received and has no delivery of (raised while
// it was paused or disabled, or before it existed), queued for it now, each under its own id (the webhook-id).
import type { Db } from '../../db/connection.js';
import type { WebhookMessageType } from '../../db/enums.js';
import { matches, queueDelivery } from './webhooks.queue.js';
import * as replays from './webhooks.replay-repository.js';
import * as repo from './webhooks.repository.js';

/**
 * Never replayed. task.overdue tells of a state on one day, and the daily scan raises it only while an active
 * subscription wants it, so the log cannot promise it for the days a subscription was inactive; activated again, the
 * subscription gets the day's event within a minute, and the past days' tell of states since overtaken. report.missing
 * is raised by the same kind of scan, only while an active subscription wants it; activated again, the subscription
 * gets at the next run the events of the reports still missing, and a report submitted since is no longer missing.
 * webhook.test was one subscription's, sent on request.
 */
export const NOT_REPLAYED: readonly WebhookMessageType[] = ['task.overdue', 'report.missing', 'webhook.test'];

/** Events read per statement while looking for those to replay or redeliver; the event loop turns between two. */
const SCAN_PAGE = 2_000;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ReplayWindow {
  /** Stored instants: at or after `since`, before `until` (null: no end). */
  since: string;
  until: string | null;
  /** Events queued at most. */
  limit: number;
}

/** What a replay is to queue: the events, oldest first, at most `limit`; and the time of the first one left over. */
export interface ReplayPlan {
  events: replays.ReplayCandidate[];
  continueFrom: string | null;
}

/** The rule of raise time (matches), on the audience the event kept; an event stored before it kept one concerns no organization. */
const wants = (sub: repo.SubscriptionInterest, e: replays.ReplayCandidate) =>
  !NOT_REPLAYED.includes(e.type) && matches(sub, { type: e.type, organizationIds: e.organizationIds ?? [] });

/** A look through the outbox, oldest event first: what it keeps, at most `limit`, and the time of the first one left over. */
export interface Look<T> {
  found: T[];
  continueFrom: string | null;
}

/**
 * Reads `page` after page (SCAN_PAGE events each, by occurred_at and id, from `after`) and keeps what `wanted` takes, up
 * to `limit`. Reads only, outside any transaction, with the event loop turning between two pages: a window over a plan
 * approval's 100,000 events holds neither the write lock nor the service. Shared by replays and redeliveries.
 */
export async function lookThrough<T extends { occurredAt: string; id: string }>(
  page: (after: { occurredAt: string; id: string } | null, limit: number) => T[],
  wanted: (item: T) => boolean,
  limit: number,
): Promise<Look<T>> {
  const found: T[] = [];
  let after: { occurredAt: string; id: string } | null = null;
  for (;;) {
    const items = page(after, SCAN_PAGE);
    for (const item of items) {
      if (!wanted(item)) continue;
      if (found.length === limit) return { found, continueFrom: item.occurredAt };
      found.push(item);
    }
    const last = items.at(-1);
    if (items.length < SCAN_PAGE || last === undefined) return { found, continueFrom: null };
    after = { occurredAt: last.occurredAt, id: last.id };
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The events of the window that the subscription would have received and has no delivery of. */
export async function planReplay(db: Db, sub: repo.SubscriptionRow, window: ReplayWindow): Promise<ReplayPlan> {
  const types = sub.events.filter((type) => !NOT_REPLAYED.includes(type));
  const { found, continueFrom } = await lookThrough(
    (after, limit) => replays.replayCandidates(db, { subscriptionId: sub.id, types, since: window.since, until: window.until, after, limit }),
    (e) => wants(sub, e),
    window.limit,
  );
  return { events: found, continueFrom };
}

/**
 * Queues, in the caller's transaction, a delivery due at once of each planned event that the subscription, as it is now,
 * still wants and still has no delivery of (another replay, a change of the subscription or the log's pruning may have
 * come between). At most `limit` rows: a short write. Returns how many.
 */
export function queueReplay(tx: Db, sub: repo.SubscriptionRow, plan: ReplayPlan, at: string, requestedByKeyId: string | null): number {
  const open = replays.undeliveredEvents(tx, sub.id, plan.events.map((e) => e.id));
  let queued = 0;
  for (const e of plan.events) {
    if (!open.has(e.id) || !wants(sub, e)) continue;
    queueDelivery(tx, sub.id, e.id, at, 'replay', { requestedByKeyId });
    queued += 1;
  }
  return queued;
}

/**
 * From when the log is complete at `now`: WEBHOOK_LOG_DAYS before it (null: 0, nothing is pruned). Before it, an event
 * can outlive the deliveries that sent it (another subscription's pending delivery keeps it), so "no delivery of it"
 * no longer means the subscription never had it: a replay does not reach back that far.
 */
export function retainedFrom(now: Date, logDays: number): string | null {
  return logDays === 0 ? null : new Date(now.getTime() - logDays * DAY_MS).toISOString();
}

/**
 * From when the log holds every event the subscription, as it is set up now, would receive: the later of the retention
 * limit (events older than WEBHOOK_LOG_DAYS are pruned; 0 keeps them) and its creation or last widening.
 */
export function availableFrom(sub: repo.SubscriptionRow, now: Date, logDays: number): string {
  const kept = sub.eventsKeptSince ?? sub.createdAt;
  const retained = retainedFrom(now, logDays);
  return retained !== null && retained > kept ? retained : kept;
}
