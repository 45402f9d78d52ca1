// Domain rules of webhook subscriptions: who sees and manages which (a ministry its own organization's only),
// URL checks, secrets shown once and rotated with a grace period, test events, the delivery log, redelivery and replay.
import { writeTransaction, type Db } from '../../db/connection.js';
import { AppError, ERRORS, notFound, unknownReference } from '../../errors.js';
import type { Actor } from '../../lib/access.js';
import { instantBound } from '../../lib/dates.js';
import { newId } from '../../lib/ids.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { recordChange } from '../history/history.recorder.js';
import { findOrganization } from '../organizations/organizations.repository.js';
import { enqueueTestEvent, queueDelivery } from './webhooks.queue.js';
import { planRedelivery, queueRedelivery, redeliveryRefusal, redeliveryRefused } from './webhooks.redelivery.js';
import { availableFrom, planReplay, queueReplay, retainedFrom } from './webhooks.replay.js';
import * as deliveryLog from './webhooks.delivery-log-repository.js';
import * as outbox from './webhooks.outbox-repository.js';
import * as repo from './webhooks.repository.js';
import type { ListWebhookDeliveriesQuery, WebhookDelivery, WebhookDeliveryDetail } from './webhooks.delivery-schemas.js';
import type { RedeliverWebhookDeliveries, ReplayWebhookEvents, WebhookRedelivery, WebhookReplay } from './webhooks.replay-schemas.js';
import type { CreatedWebhook, CreateWebhook, ListWebhooksQuery, UpdateWebhook, Webhook } from './webhooks.schemas.js';
import { generateSecret } from './webhooks.signing.js';
import { checkTarget, RefusedUrlError, type Resolver } from './webhooks.url-guard.js';

/** How long the previous secret keeps signing after a rotation, so receivers can switch without losing events. */
export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Active subscriptions one organization may have (and those for every organization, together). Every event is queued
 * once per active subscription that wants it, inside the transaction of the write that raised it, and then sent:
 * without a bound, one ministry key could multiply every event about its organization's tasks by thousands of
 * subscriptions. One subscription takes every event type, so a few receivers per organization need no more. Paused
 * subscriptions receive nothing and are not counted.
 */
export const MAX_SUBSCRIPTIONS_PER_ORGANIZATION = 10;

/**
 * Subscriptions an organization may have in all, paused and disabled ones too. Those receive nothing, but each keeps
 * the events it would receive for a replay, and every write that may raise an event reads what they want: without a
 * bound, a ministry key could create paused subscriptions without end (600 a minute at the default rate limit).
 */
export const MAX_KEPT_SUBSCRIPTIONS_PER_ORGANIZATION = 50;

const LIMITS = {
  active: { max: MAX_SUBSCRIPTIONS_PER_ORGANIZATION, what: 'active webhook subscriptions', instead: 'change, pause or delete one of them instead' },
  all: { max: MAX_KEPT_SUBSCRIPTIONS_PER_ORGANIZATION, what: 'webhook subscriptions (paused and disabled ones included)', instead: 'delete one of them instead' },
} as const;

/**
 * Refuses a subscription just made active for `organizationId` (created, activated, moved there), or just made for it
 * at all (created, moved there), when that makes more than the limit: checked after the write, inside its transaction,
 * which the refusal rolls back.
 */
function refuseBeyondLimit(tx: Db, organizationId: string | null, which: keyof typeof LIMITS): void {
  const { max, what, instead } = LIMITS[which];
  const count = repo.countSubscriptionsOf(tx, organizationId, which);
  if (count <= max) return;
  const whose = organizationId === null ? 'for every organization' : `of organization ${organizationId}`;
  throw new AppError(
    ERRORS.invalidValue,
    `there are already ${count - 1} ${what} ${whose}, the most allowed (${max}): one subscription receives every event type it lists; ${instead}`,
    [{ path: 'body', message: `at most ${max} ${what} per organization` }],
  );
}

export interface WebhookServiceDeps extends ServiceDeps {
  allowPrivate: boolean;
  /** WEBHOOK_LOG_DAYS: how far back a replay can promise every event (0: no limit). */
  logDays: number;
  resolve?: Resolver | undefined;
}

/**
 * The organization a subscription is for: a ministry's own (POLICY refuses another one), the secretariat's choice,
 * or every one. POLICY also keeps a ministry key to its own organization's subscriptions.
 */
function organizationFor(tx: Db, actor: Actor, requested: string | null | undefined): string | null {
  if (actor.role === 'ministry') return actor.organizationId;
  const org = requested ?? null;
  if (org !== null && !findOrganization(tx, org)) throw unknownReference('body.organizationId', 'organization', org);
  return org;
}

/**
 * A subscription keeps its organization once an event was queued for it: its deliveries were chosen for that
 * organization, their log (bodies included) is readable by the subscription's owner, and its secret is known to the
 * receiver it was set up for. Moving it would hand all of that to another organization.
 */
function refuseMoveWithDeliveries(tx: Db, sub: repo.SubscriptionRow): void {
  if (!deliveryLog.hasDeliveries(tx, sub.id)) return;
  const now = sub.organizationId === null ? 'every organization' : `organization ${sub.organizationId}`;
  throw new AppError(
    ERRORS.webhookHasDeliveries,
    `the subscription has deliveries for ${now}, and their log and payloads stay with it; create a subscription for the ` +
      'other organization (it gets its own secret), then pause or delete this one',
    [{ path: 'body.organizationId', message: 'cannot change once the subscription has deliveries' }],
  );
}

export function createWebhookService({ db, clock, allowPrivate, logDays, resolve }: WebhookServiceDeps) {
  /**
   * A window of a replay or a redelivery: as asked (in UTC), and as searched, from no earlier than the retention limit.
   * An event older than it may have been sent to the subscription already, its delivery pruned since, and its receiver
   * is told to keep ids only that long.
   */
  const windowOf = (input: { since: string; until?: string | undefined }) => {
    const since = instantBound(input.since);
    const until = input.until === undefined ? null : instantBound(input.until);
    const retained = retainedFrom(clock(), logDays);
    return { asked: { since, until }, searched: { since: retained !== null && retained > since ? retained : since, until }, retained };
  };

  const load = (tx: Db, id: string): repo.SubscriptionRow => {
    const sub = repo.findSubscription(tx, id);
    if (!sub) throw notFound('webhook subscription', id);
    return sub;
  };

  /** The URL in the form deliveries use, once its form and every address it resolves to are acceptable. */
  const checkedUrl = async (raw: string): Promise<string> => {
    try {
      return (await checkTarget(raw, allowPrivate, resolve)).url.href;
    } catch (err) {
      if (!(err instanceof RefusedUrlError)) throw err;
      throw new AppError(ERRORS.invalidValue, `the webhook URL is refused: ${err.message}`, [{ path: 'body.url', message: err.message }]);
    }
  };

  const record = (tx: Db, ctx: WriteContext, at: string, operation: string, id: string, before: Webhook | null, after: Webhook | null) =>
    recordChange(tx, ctx.actor, at, { operation, entity: 'webhook_subscription', entityId: id, before, after });

  return {
    list(query: ListWebhooksQuery, actor: Actor) {
      return repo.listSubscriptions(db, { ...query, ownOrganizationId: actor.role === 'ministry' ? (actor.organizationId ?? '') : undefined });
    },

    get(id: string): Webhook {
      return repo.toWebhook(load(db, id));
    },

    async create(input: CreateWebhook, ctx: WriteContext): Promise<CreatedWebhook> {
      // The organization first (an unknown one is 422), then the URL, which may take DNS look-ups.
      organizationFor(db, ctx.actor, input.organizationId);
      const url = await checkedUrl(input.url);
      const at = clock().toISOString();
      return writeTransaction(db, (tx) => {
        // The key may have been revoked while the URL was checked.
        ctx.authorizeAgain?.();
        const organizationId = organizationFor(tx, ctx.actor, input.organizationId);
        const row: repo.SubscriptionRow = {
          id: newId(),
          description: input.description ?? null,
          url,
          events: input.events,
          organizationId,
          secret: generateSecret(),
          previousSecret: null,
          previousSecretExpiresAt: null,
          active: input.active,
          disabledReason: null,
          disabledAt: null,
          consecutiveFailures: 0,
          failingSince: null,
          lastSuccessAt: null,
          lastFailureAt: null,
          createdAt: at,
          updatedAt: at,
          createdByKeyId: ctx.actor.keyId,
          eventsKeptSince: at,
        };
        repo.insertSubscription(tx, row);
        refuseBeyondLimit(tx, organizationId, 'all');
        if (row.active) refuseBeyondLimit(tx, organizationId, 'active');
        const created = repo.toWebhook(row);
        record(tx, ctx, at, 'createWebhook', row.id, null, created);
        return { ...created, secret: row.secret };
      });
    },

    async update(id: string, patch: UpdateWebhook, ctx: WriteContext): Promise<Webhook> {
      load(db, id);
      if (patch.organizationId !== undefined) organizationFor(db, ctx.actor, patch.organizationId);
      const url = patch.url === undefined ? undefined : await checkedUrl(patch.url);
      const at = clock().toISOString();
      return writeTransaction(db, (tx) => {
        // The subscription may have moved to another organization while its URL was checked.
        ctx.authorizeAgain?.();
        const current = load(tx, id);
        const before = repo.toWebhook(current);
        ctx.expect?.(before);
        const reactivated = patch.active === true && !current.active;
        const organizationId = patch.organizationId === undefined ? undefined : organizationFor(tx, ctx.actor, patch.organizationId);
        const moved = organizationId !== undefined && organizationId !== current.organizationId;
        if (moved) refuseMoveWithDeliveries(tx, current);
        // Widened (a type added, another organization): the outbox kept what it now wants only if another subscription
        // wanted it, so a replay can promise that only from now on.
        const widened = moved || (patch.events ?? []).some((type) => !current.events.includes(type));
        repo.updateSubscription(tx, id, {
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(url !== undefined ? { url } : {}),
          ...(patch.events !== undefined ? { events: patch.events } : {}),
          ...(organizationId !== undefined ? { organizationId } : {}),
          ...(patch.active !== undefined ? { active: patch.active } : {}),
          // Activated again: a fresh start, and what waited is sent.
          ...(reactivated ? { disabledReason: null, disabledAt: null, consecutiveFailures: 0, failingSince: null } : {}),
          ...(widened ? { eventsKeptSince: at } : {}),
          updatedAt: at,
        });
        const after = repo.toWebhook(repo.findSubscription(tx, id)!);
        // Active now where it was not counted before (activated, or moved to another organization): within the bound.
        if (moved) refuseBeyondLimit(tx, after.organizationId, 'all');
        if (after.active && (reactivated || moved)) refuseBeyondLimit(tx, after.organizationId, 'active');
        // Events of a type it no longer receives are not sent any more, also those already waiting.
        if (patch.events !== undefined) outbox.endUnwantedDeliveries(tx, id, after.events, at, outbox.notWanted(at));
        record(tx, ctx, at, 'updateWebhook', id, before, after);
        return after;
      });
    },

    remove(id: string, ctx: WriteContext): void {
      const at = clock().toISOString();
      writeTransaction(db, (tx) => {
        const current = load(tx, id);
        const before = repo.toWebhook(current);
        ctx.expect?.(before);
        repo.deleteSubscription(tx, id);
        record(tx, ctx, at, 'deleteWebhook', id, before, null);
      });
    },

    /** A new secret, shown this once; the previous one keeps signing beside it for ROTATION_GRACE_MS. */
    rotateSecret(id: string, ctx: WriteContext): CreatedWebhook {
      const now = clock();
      const at = now.toISOString();
      return writeTransaction(db, (tx) => {
        const current = load(tx, id);
        const before = repo.toWebhook(current);
        ctx.expect?.(before);
        const secret = generateSecret();
        repo.updateSubscription(tx, id, {
          secret,
          previousSecret: current.secret,
          previousSecretExpiresAt: new Date(now.getTime() + ROTATION_GRACE_MS).toISOString(),
          updatedAt: at,
        });
        const after = repo.toWebhook(repo.findSubscription(tx, id)!);
        record(tx, ctx, at, 'rotateWebhookSecret', id, before, after);
        return { ...after, secret };
      });
    },

    /** Queues a webhook.test event for this subscription alone; it goes out at once if the subscription is active. */
    ping(id: string, ctx: WriteContext): WebhookDelivery {
      const at = clock().toISOString();
      return writeTransaction(db, (tx) => {
        const sub = load(tx, id);
        const deliveryId = enqueueTestEvent(tx, sub, at, ctx.actor.keyId);
        return strip(deliveryLog.findDelivery(tx, id, deliveryId)!);
      });
    },

    listDeliveries(id: string, query: ListWebhookDeliveriesQuery) {
      load(db, id);
      return deliveryLog.listDeliveries(db, id, query);
    },

    getDelivery(id: string, deliveryId: string): WebhookDeliveryDetail {
      load(db, id);
      const found = deliveryLog.findDelivery(db, id, deliveryId);
      if (!found) throw notFound('webhook delivery', deliveryId);
      const { body, ...delivery } = found;
      return { ...delivery, payload: JSON.parse(body) };
    },

    /**
     * Sends an event again: a delivery that succeeded or failed gets a new delivery of the same event (same
     * webhook-id, so receivers that keep ids see a duplicate); a pending one is made due at once. Only an event the
     * subscription would be sent again in a window's redelivery (redeliveryRefusal: its types and organization now,
     * raised within WEBHOOK_LOG_DAYS), and webhook.test; otherwise 409 and nothing changes. A pending delivery made due
     * is sent now, so the subscription must still receive its event; but it is no second sending (it goes when due
     * anyway, however long it waited), so the retention limit is not its.
     */
    redeliver(id: string, deliveryId: string, ctx: WriteContext): WebhookDelivery {
      const now = clock();
      const at = now.toISOString();
      return writeTransaction(db, (tx) => {
        const sub = load(tx, id);
        const original = outbox.findDeliveryRow(tx, deliveryId);
        if (!original || original.subscriptionId !== id) throw notFound('webhook delivery', deliveryId);
        // A delivery keeps its event: an event is pruned only once no delivery refers to it.
        const event = outbox.findEvent(tx, original.eventId)!;
        const pending = original.status === 'pending';
        const refusal = redeliveryRefusal(sub, event, pending ? null : retainedFrom(now, logDays));
        if (refusal !== null) throw redeliveryRefused(sub, event, refusal, logDays);
        if (pending) {
          outbox.updateDelivery(tx, original.id, { nextAttemptAt: at });
          return strip(deliveryLog.findDelivery(tx, id, original.id)!);
        }
        const again = queueDelivery(tx, id, original.eventId, at, 'redelivery', { redeliveryOf: original.id, requestedByKeyId: ctx.actor.keyId });
        return strip(deliveryLog.findDelivery(tx, id, again)!);
      });
    },

    /**
     * Queues a delivery of each stored event of the window that the subscription would have received (its types, its
     * organization filter against the organizations the event concerned when raised) and has no delivery of, at most
     * `limit`; they go out when it is active. Looked for outside the write transaction, queued in one short one.
     */
    async replay(id: string, input: ReplayWebhookEvents, ctx: WriteContext): Promise<WebhookReplay> {
      const window = windowOf(input);
      const plan = await planReplay(db, load(db, id), { ...window.searched, limit: input.limit });
      return writeTransaction(db, (tx) => {
        // The key may have been revoked, or the subscription moved or deleted, while the log was read.
        ctx.authorizeAgain?.();
        const sub = load(tx, id);
        const now = clock();
        const queued = queueReplay(tx, sub, plan, now.toISOString(), ctx.actor.keyId);
        const available = availableFrom(sub, now, logDays);
        const { since, until } = window.asked;
        return { subscriptionId: id, since, until, queued, more: plan.continueFrom !== null, continueFrom: plan.continueFrom, availableFrom: available, gap: since < available };
      });
    },

    /**
     * Sends again each event of the window whose last delivery to the subscription failed and that it still wants (its
     * types and organization now, as a replay), at most `limit`: a new delivery of each, redeliveryOf the failed one;
     * they go out when it is active. Looked for outside the write transaction, queued in one short one.
     */
    async redeliverFailed(id: string, input: RedeliverWebhookDeliveries, ctx: WriteContext): Promise<WebhookRedelivery> {
      const window = windowOf(input);
      const plan = await planRedelivery(db, load(db, id), { ...window.searched, limit: input.limit, retainedFrom: window.retained });
      return writeTransaction(db, (tx) => {
        // The key may have been revoked, or the subscription moved or deleted, while the log was read.
        ctx.authorizeAgain?.();
        const sub = load(tx, id);
        const queued = queueRedelivery(tx, sub, plan, clock().toISOString(), ctx.actor.keyId);
        const { since, until } = window.asked;
        const available = window.retained;
        return { subscriptionId: id, since, until, queued, more: plan.continueFrom !== null, continueFrom: plan.continueFrom, availableFrom: available, gap: available !== null && since < available };
      });
    },
  };
}

const strip = ({ body: _body, ...delivery }: WebhookDelivery & { body: string }): WebhookDelivery => delivery;

export type WebhookService = ReturnType<typeof createWebhookService>;
