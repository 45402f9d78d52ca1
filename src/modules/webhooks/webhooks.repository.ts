// Drizzle queries of webhook subscriptions: read, listed, counted per organization, what the inactive ones want, written.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { type Db, prepared } from '../../db/connection.js';
import type { WebhookEventType } from '../../db/enums.js';
import { webhookSubscriptions } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { ListWebhooksQuery, Webhook } from './webhooks.schemas.js';

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;

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

/** What a subscription receives: its event types and organization filter (see matches in webhooks.queue.ts). */
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
