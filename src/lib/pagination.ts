// Cursor pagination: one query schema, one page envelope, one opaque keyset cursor for every list.
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { z } from 'zod';
import { AppError, ERRORS } from '../errors.js';

export const MAX_PAGE_SIZE = 200;

export const pageQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(50)
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

export function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor for a list whose sort key has `arity` parts. */
export function decodeCursor(cursor: string, arity: number): Key {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (
    !Array.isArray(key) ||
    key.length !== arity ||
    !key.every((part) => typeof part === 'string' || (typeof part === 'number' && Number.isFinite(part)))
  ) {
    throw new AppError(ERRORS.invalidCursor, 'the cursor was not issued by this list', [
      { path: 'querystring.cursor', message: 'not a cursor of this list' },
    ]);
  }
  return key as Key;
}

/** The keyset condition "sort key comes after the cursor", or undefined on the first page. */
export function afterCursor(columns: SQLWrapper[], cursor: string | undefined): SQL | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor, columns.length);
  return sql`(${sql.join(columns, sql`, `)}) > (${sql.join(
    key.map((k) => sql`${k}`),
    sql`, `,
  )})`;
}

/** Turns limit + 1 fetched rows into a page; the extra row only tells that another page exists. */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => Key, map: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(map),
    nextCursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
