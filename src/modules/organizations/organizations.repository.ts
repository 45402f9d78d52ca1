// Drizzle queries on organizations; rows come back as API-shaped Organization objects.
import { and, asc, eq, inArray, ne, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { organizations, taskAssignees } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { ListOrganizationsQuery, Organization } from './organizations.schemas.js';

type Row = typeof organizations.$inferSelect;

function toOrganization(r: Row): Organization {
  return {
    id: r.id,
    name: r.name,
    shortName: r.shortName,
    kind: r.kind,
    country: r.country,
    parentId: r.parentId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

const YO = ['е', 'Е', 'ё', 'Ё'];

/**
 * `text` as a GLOB pattern of itself, each letter as a class of its case forms: "мТз" becomes "[мМ][тТ][зЗ]". SQLite's
 * LIKE and lower() fold ASCII only, so "мтз" would never find "МТЗ" (nor "белаз" find "БелАЗ"); GLOB is case-sensitive
 * but understands UTF-8 classes, which makes the fold exact for Cyrillic, Kazakh and Latin letters without a search
 * column. Case forms longer than one character (ß → SS) are left out. On PostgreSQL the same comparison is `ILIKE`,
 * whose folding is Unicode-aware.
 */
function caseInsensitiveClasses(text: string): string {
  let pattern = '';
  for (const ch of text) {
    // "ё" and "е" are one letter to the search, as Russian is mostly typed.
    const forms = new Set((YO.includes(ch) ? YO : [ch, ch.toLowerCase(), ch.toUpperCase()]).filter((f) => [...f].length === 1));
    if (forms.size > 1) pattern += `[${[...forms].join('')}]`;
    // *, ? and [ are GLOB's metacharacters; inside a class they stand for themselves.
    else pattern += '*?['.includes(ch) ? `[${ch}]` : ch;
  }
  return pattern;
}

/** A GLOB pattern matching `needle` anywhere, case-insensitively and "ё" as "е": "мТз" becomes "*[мМ][тТ][зЗ]*". */
export function caseInsensitiveGlob(needle: string): string {
  return `*${caseInsensitiveClasses(needle)}*`;
}

const glob = (column: SQLWrapper, pattern: string): SQL => sql`${column} GLOB ${pattern}`;

export function findOrganization(db: Db, id: string): Organization | undefined {
  const row = db.select().from(organizations).where(eq(organizations.id, id)).get();
  return row && toOrganization(row);
}

/** The organizations among `ids` that exist, ordered by name then id; unknown ids are simply absent. */
export function findOrganizationsByIds(db: Db, ids: string[]): Organization[] {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(organizations)
    .where(inArray(organizations.id, [...new Set(ids)]))
    .orderBy(asc(organizations.name), asc(organizations.id))
    .all()
    .map(toOrganization);
}

const cursor = cursorFor('organizations');

export function listOrganizations(db: Db, q: ListOrganizationsQuery): Page<Organization> {
  const pattern = q.q === undefined ? undefined : caseInsensitiveGlob(q.q);
  const rows = db
    .select()
    .from(organizations)
    .where(
      and(
        q.country === undefined ? undefined : eq(organizations.country, q.country),
        q.kind === undefined ? undefined : eq(organizations.kind, q.kind),
        q.parentId === undefined ? undefined : eq(organizations.parentId, q.parentId),
        pattern === undefined ? undefined : or(glob(organizations.name, pattern), glob(organizations.shortName, pattern)),
        cursor.after([organizations.name, organizations.id], q),
      ),
    )
    .orderBy(asc(organizations.name), asc(organizations.id))
    .limit(q.limit + 1)
    .all();
  return cursor.page(rows, q, (r) => [r.name, r.id], toOrganization);
}

export function insertOrganization(db: Db, o: Organization): void {
  db.insert(organizations).values(o).run();
}

export function updateOrganization(db: Db, o: Organization): void {
  const { id, createdAt: _createdAt, ...rest } = o;
  db.update(organizations).set(rest).where(eq(organizations.id, id)).run();
}

/**
 * An organization of `country`, other than `exceptId`, whose full name (or short name) is `name` as the search reads it:
 * the same letters whatever their case, "ё" as "е"; the first by name when rows written before names were unique share
 * it. Text is composed, trimmed and stripped of invisible characters when it comes in (`text()`), so what is left to
 * fold is case and "ё". The pattern has no wildcard: the whole name.
 */
export function findOrganizationNamed(db: Db, field: 'name' | 'shortName', name: string, country: string, exceptId: string): Organization | undefined {
  const row = db
    .select()
    .from(organizations)
    .where(and(eq(organizations.country, country), ne(organizations.id, exceptId), glob(organizations[field], caseInsensitiveClasses(name))))
    .orderBy(asc(organizations.name), asc(organizations.id))
    .limit(1)
    .get();
  return row && toOrganization(row);
}

/** Whether the organization executes any task: its country is then bound to the commissions' parties. */
export function isTaskAssignee(db: Db, id: string): boolean {
  return db.select({ id: taskAssignees.taskId }).from(taskAssignees).where(eq(taskAssignees.organizationId, id)).limit(1).get() !== undefined;
}
