// Cursor pagination: one query schema, one page envelope, and per list an opaque keyset cursor bound to its filters.
import { createHash } from 'node:crypto';
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { z } from 'zod';
import { AppError, ERRORS } from '../errors.js';

export const MAX_PAGE_SIZE = 200;

export const pageQuery = {
  // Decimal digits only: Number() would also read "0x10", "1e1" or " 7 " as numbers, which no client means.
  limit: z
    .preprocess(
      (value) => (typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value),
      z.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
    )
    .describe(`Page size, 1 to ${MAX_PAGE_SIZE}.`),
  // Keyset cursors carry the sort key, which can be a 300-character Cyrillic name (1,800 bytes as JSON).
  cursor: z
    .string()
    .max(4096)
    .optional()
    .describe('Opaque cursor from the `nextCursor` of the previous page; omit for the first page.'),
};

export function pageSchema<T extends z.ZodType>(item: T, id: string, description: string) {
  // A page shows its item's example, so every list operation documents a realistic response body.
  const itemExample = item.meta()?.example;
  const example = itemExample === undefined ? {} : { example: { items: [itemExample], nextCursor: null } };
  return z
    .object({
      items: z.array(item).max(MAX_PAGE_SIZE).describe('The items of this page, in the stable order of the list.'),
      nextCursor: z
        .string()
        .max(4096)
        .nullable()
        .describe('Cursor of the next page, or null on the last page.'),
    })
    .meta({ id, description, ...example });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type Key = (string | number)[];

/** What every list query carries besides its filters. */
export interface PageQuery {
  limit: number;
  cursor?: string | undefined;
}

/** A list's query: its page, and every filter the page is computed under (path ids included). */
export type ListQuery = PageQuery & { readonly [filter: string]: unknown };

/** The cursor codec of one list: every cursor it issues names the list and the filters of the page. */
export interface ListCursor {
  /** The sort key the query's cursor points after, or undefined on the first page. */
  keyOf(q: ListQuery, arity: number): Key | undefined;
  /**
   * The keyset condition "sort key comes after the cursor", or undefined on the first page. `held`: how many leading
   * columns of the key the query's filters hold equal (a list of one plan, ordered by plan then id). They are left out
   * of the row value: SQLite seeks a row value in an index only on the columns after those held equal, so with them in
   * each later page walked the index from the first row of the plan.
   */
  after(columns: SQLWrapper[], q: ListQuery, held?: number): SQL | undefined;
  /** Turns limit + 1 fetched rows into a page; the extra row only tells that another page exists. */
  page<R, T>(rows: R[], q: ListQuery, keyOf: (row: R) => Key, map: (row: R) => T): Page<T>;
}

const lists = new Set<string>();

/**
 * The codec of the list named `list`, created once by the repository that owns it. A cursor is only good
 * for the list and the filters it was issued under: used elsewhere, its key would silently select the wrong
 * rows (an organization's [name, id] read as a meeting's [date, id] ends the list early). `limit` may change.
 */
export function cursorFor(list: string): ListCursor {
  // Two lists under one name would accept each other's cursors.
  if (lists.has(list)) throw new Error(`cursorFor: a list named ${list} already exists`);
  lists.add(list);
  const keyOf = (q: ListQuery, arity: number): Key | undefined =>
    q.cursor === undefined ? undefined : decodeCursor(q.cursor, list, filtersHash(q), arity);
  return {
    keyOf,
    after(columns, q, held = 0) {
      const key = keyOf(q, columns.length);
      if (key === undefined) return undefined;
      return sql`(${sql.join(columns.slice(held), sql`, `)}) > (${sql.join(
        key.slice(held).map((k) => sql`${k}`),
        sql`, `,
      )})`;
    },
    page(rows, q, keyOfRow, map) {
      const hasMore = rows.length > q.limit;
      const pageRows = hasMore ? rows.slice(0, q.limit) : rows;
      const last = pageRows.at(-1);
      return {
        items: pageRows.map(map),
        nextCursor: hasMore && last !== undefined ? encodeCursor(list, filtersHash(q), keyOfRow(last)) : null,
      };
    },
  };
}

/** A short hash of every filter of the query but the page itself; absent and undefined filters are alike. */
function filtersHash(q: ListQuery): string {
  const filters = Object.entries(q)
    .filter(([name, value]) => name !== 'limit' && name !== 'cursor' && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 12);
}

// A cursor is base64url of [list, filters hash, sort key]: opaque to clients, not a secret.
function encodeCursor(list: string, filters: string, key: Key): string {
  return Buffer.from(JSON.stringify([list, filters, key]), 'utf8').toString('base64url');
}

const isKeyPart = (part: unknown) => typeof part === 'string' || (typeof part === 'number' && Number.isFinite(part));

function refuse(detail: string, message: string): never {
  throw new AppError(ERRORS.invalidCursor, detail, [{ path: 'querystring.cursor', message }]);
}

function decodeCursor(cursor: string, list: string, filters: string, arity: number): Key {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    payload = undefined;
  }
  // Cursors of the earlier format (a bare sort key) fail here too: they lived for one walk through a list.
  if (
    !Array.isArray(payload) ||
    payload.length !== 3 ||
    typeof payload[0] !== 'string' ||
    typeof payload[1] !== 'string' ||
    !Array.isArray(payload[2])
  ) {
    refuse('the cursor was not issued by this list', 'not a cursor of this list');
  }
  const [issuer, issuedFilters, key] = payload as [string, string, unknown[]];
  if (issuer !== list) refuse('this cursor was issued by another list', 'a cursor of another list');
  if (issuedFilters !== filters) {
    refuse('this cursor was issued for other filters; start again without a cursor', 'a cursor of this list under other filters');
  }
  if (key.length !== arity || !key.every(isKeyPart)) {
    refuse('the cursor was not issued by this list', 'not a cursor of this list');
  }
  return key as Key;
}
