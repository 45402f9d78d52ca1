// Drizzle queries on read-only links; rows come back as API-shaped ShareLink objects, the hash only to open them.
import { and, asc, eq, gt, isNotNull, isNull, lte } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { shareLinks } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { ListShareLinksQuery, ShareLink, ShareLinkParams } from './share-links.schemas.js';

export type ShareLinkRow = typeof shareLinks.$inferSelect;

/** The link as the API shows it; its status depends on the moment it is looked at. */
export function toShareLink(r: ShareLinkRow, now: string): ShareLink {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    params: r.params as ShareLinkParams,
    prefix: r.prefix,
    status: r.revokedAt !== null ? 'revoked' : r.expiresAt <= now ? 'expired' : 'active',
    expiresAt: r.expiresAt,
    revokedAt: r.revokedAt,
    lastUsedAt: r.lastUsedAt,
    createdAt: r.createdAt,
    createdByKeyId: r.createdByKeyId,
  };
}

export function findShareLink(db: Db, id: string, now: string): ShareLink | undefined {
  const row = db.select().from(shareLinks).where(eq(shareLinks.id, id)).get();
  return row && toShareLink(row, now);
}

/** The links whose secret starts like this one and that still open at `now`: almost always one at most. */
export function activeLinksByPrefix(db: Db, prefix: string, now: string): ShareLinkRow[] {
  return db
    .select()
    .from(shareLinks)
    .where(and(eq(shareLinks.prefix, prefix), isNull(shareLinks.revokedAt), gt(shareLinks.expiresAt, now)))
    .all();
}

const cursor = cursorFor('shareLinks');

export function listShareLinks(db: Db, q: ListShareLinksQuery, now: string): Page<ShareLink> {
  const status =
    q.status === 'revoked'
      ? isNotNull(shareLinks.revokedAt)
      : q.status === 'expired'
        ? and(isNull(shareLinks.revokedAt), lte(shareLinks.expiresAt, now))
        : q.status === 'active'
          ? and(isNull(shareLinks.revokedAt), gt(shareLinks.expiresAt, now))
          : undefined;
  const rows = db
    .select()
    .from(shareLinks)
    .where(and(q.kind === undefined ? undefined : eq(shareLinks.kind, q.kind), status, cursor.after([shareLinks.id], q)))
    .orderBy(asc(shareLinks.id))
    .limit(q.limit + 1)
    .all();
  return cursor.page(rows, q, (r) => [r.id], (r) => toShareLink(r, now));
}

export function insertShareLink(db: Db, row: ShareLinkRow): void {
  db.insert(shareLinks).values(row).run();
}

export function revokeShareLink(db: Db, id: string, at: string): void {
  db.update(shareLinks).set({ revokedAt: at }).where(eq(shareLinks.id, id)).run();
}

export function touchShareLink(db: Db, id: string, at: string): void {
  db.update(shareLinks).set({ lastUsedAt: at }).where(eq(shareLinks.id, id)).run();
}
