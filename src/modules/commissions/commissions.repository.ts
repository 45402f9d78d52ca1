// Drizzle queries on commissions; rows come back as API-shaped Commission objects.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { commissions, plans } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { Commission } from './commissions.schemas.js';

type Row = typeof commissions.$inferSelect;

function toCommission(r: Row): Commission {
  return {
    id: r.id,
    name: r.name,
    timeZone: r.timeZone,
    parties: [
      { country: r.partyACountry, coChair: { name: r.partyACoChairName, position: r.partyACoChairPosition } },
      { country: r.partyBCountry, coChair: { name: r.partyBCoChairName, position: r.partyBCoChairPosition } },
    ],
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function toRow(c: Commission): Row {
  const [a, b] = c.parties as [Commission['parties'][0], Commission['parties'][0]];
  return {
    id: c.id,
    name: c.name,
    timeZone: c.timeZone,
    partyACountry: a.country,
    partyACoChairName: a.coChair.name,
    partyACoChairPosition: a.coChair.position,
    partyBCountry: b.country,
    partyBCoChairName: b.coChair.name,
    partyBCoChairPosition: b.coChair.position,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export function findCommission(db: Db, id: string): Commission | undefined {
  const row = db.select().from(commissions).where(eq(commissions.id, id)).get();
  return row && toCommission(row);
}

const cursor = cursorFor('commissions');

export function listCommissions(db: Db, q: { limit: number; cursor?: string | undefined }): Page<Commission> {
  const rows = db
    .select()
    .from(commissions)
    .where(cursor.after([commissions.id], q))
    .orderBy(asc(commissions.id))
    .limit(q.limit + 1)
    .all();
  return cursor.page(rows, q, (r) => [r.id], toCommission);
}

export function insertCommission(db: Db, c: Commission): void {
  db.insert(commissions).values(toRow(c)).run();
}

export function updateCommission(db: Db, c: Commission): void {
  const { id, createdAt: _createdAt, ...rest } = toRow(c);
  db.update(commissions).set(rest).where(eq(commissions.id, id)).run();
}

export function commissionHasPlans(db: Db, id: string): boolean {
  return db.select({ id: plans.id }).from(plans).where(eq(plans.commissionId, id)).limit(1).get() !== undefined;
}
