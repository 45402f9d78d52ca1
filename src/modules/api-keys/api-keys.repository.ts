// Drizzle queries on API keys; rows come back as API-shaped ApiKey objects, the hash only to authenticate.
import { and, asc, count, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { prepared, type Db } from '../../db/connection.js';
import { apiKeys } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { ApiKey, ListApiKeysQuery } from './api-keys.schemas.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export function toApiKey(r: ApiKeyRow): ApiKey {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    organizationId: r.organizationId,
    prefix: r.prefix,
    status: r.revokedAt === null ? 'active' : 'revoked',
    createdAt: r.createdAt,
    createdByKeyId: r.createdByKeyId,
    lastUsedAt: r.lastUsedAt,
    revokedAt: r.revokedAt,
  };
}

export function findApiKey(db: Db, id: string): ApiKey | undefined {
  const row = db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
  return row && toApiKey(row);
}

/** The active keys whose token starts like this one: almost always one, rarely more. */
/** Read on every request, so prepared once. */
export function activeKeysByPrefix(db: Db, prefix: string): ApiKeyRow[] {
  return prepared(db, 'activeKeysByPrefix', (db) =>
    db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.prefix, sql.placeholder('prefix')), isNull(apiKeys.revokedAt)))
      .prepare(),
  ).all({ prefix });
}

/** Whether the key is still active: asked again by a write, which may run long after its request was authenticated. */
export function isKeyActive(db: Db, id: string): boolean {
  return (
    prepared(db, 'isKeyActive', (db) =>
      db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(eq(apiKeys.id, sql.placeholder('id')), isNull(apiKeys.revokedAt)))
        .prepare(),
    ).get({ id }) !== undefined
  );
}

export function isHashTaken(db: Db, hash: string): boolean {
  return db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.hash, hash)).get() !== undefined;
}

export function countActiveKeys(db: Db, role: ApiKeyRow['role']): number {
  return db.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.role, role), isNull(apiKeys.revokedAt))).get()?.n ?? 0;
}

const cursor = cursorFor('apiKeys');

export function listApiKeys(db: Db, q: ListApiKeysQuery): Page<ApiKey> {
  const rows = db
    .select()
    .from(apiKeys)
    .where(
      and(
        q.status === 'active' ? isNull(apiKeys.revokedAt) : q.status === 'revoked' ? isNotNull(apiKeys.revokedAt) : undefined,
        cursor.after([apiKeys.id], q),
      ),
    )
    .orderBy(asc(apiKeys.id))
    .limit(q.limit + 1)
    .all();
  return cursor.page(rows, q, (r) => [r.id], toApiKey);
}

export function insertApiKey(db: Db, row: ApiKeyRow): void {
  db.insert(apiKeys).values(row).run();
}

export function revokeApiKey(db: Db, id: string, at: string): void {
  db.update(apiKeys).set({ revokedAt: at }).where(eq(apiKeys.id, id)).run();
}

export function touchApiKey(db: Db, id: string, at: string): void {
  db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id)).run();
}
