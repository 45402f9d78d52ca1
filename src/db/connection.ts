// The database connection as the code uses it: its types, write transactions (in the turn's commit group), queries
// prepared once per connection, rows read raw, and the token of what the database holds. Opening it: open.ts.
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { getTableName, is, Param, Placeholder, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { BaseSQLiteDatabase, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { RunResult } from 'better-sqlite3';
import type * as schema from './schema.js';
import { clientOf, groupLost, joinGroup, lostGroups, sessionOf, writeSucceeded } from './group-commit.js';
import { storageCondition, writeFailed } from './storage-health.js';

export type Schema = typeof schema;
/** The drizzle handle, or a transaction on it: repositories accept either. */
export type Db = BaseSQLiteDatabase<'sync', RunResult, Schema>;

export interface Database_ {
  sqlite: Database.Database;
  db: BetterSQLite3Database<Schema>;
}

/**
 * What the request being served wants written in the same transaction as each of its writes, with the
 * write's result: the idempotency plugin records there that the request's key has been acted on, so a
 * crash between the commit and the response cannot let a retry act twice.
 */
export interface WriteScope {
  onCommit: ((tx: Db, result: unknown) => void) | null;
  /**
   * When a write of the request is refused (its transaction rolled back): may throw another error in its place (the
   * idempotency plugin: the request's key was committed meanwhile by an identical request, which the refusal is then
   * about, not this request's fate).
   */
  onRefused?: ((err: unknown) => void) | undefined;
}
export const writeScope = new AsyncLocalStorage<WriteScope>();

/**
 * A query built and prepared once per database connection, then run with placeholders (`sql.placeholder`) as often
 * as needed: the hot paths (a task by id, the key of every request) skip drizzle's query building and SQLite's
 * statement preparation. A transaction shares its database's connection (drizzle's `session`), so it shares the
 * cache too; `name` must be unique per query.
 */
const preparedBySession = new WeakMap<object, Map<string, unknown>>();

/**
 * How many queries a connection keeps prepared. Some names are shapes a client chooses (a task list's combination of
 * filters, a PATCH's set of fields): tens of thousands can be asked for, each a statement of 10-30 KB held for good.
 * The service prepares a few hundred; past the bound the query kept longest is let go (built again if asked again).
 */
export const PREPARED_KEPT = 2_000;

export function prepared<Q>(db: Db, name: string, build: (db: Db) => Q): Q {
  let queries = preparedBySession.get(sessionOf(db));
  if (!queries) preparedBySession.set(sessionOf(db), (queries = new Map()));
  let query = queries.get(name) as Q | undefined;
  if (query === undefined) {
    if (queries.size >= PREPARED_KEPT) queries.delete(queries.keys().next().value as string);
    queries.set(name, (query = build(db)));
  }
  return query;
}

/**
 * What the database holds, as a token that changes with every write made on this connection (total_changes(): also
 * one in a group not yet committed, and one rolled back) and every commit made by another connection (data_version,
 * say `npm run key:create`). What was read under one token may be reused while the token is the same.
 *
 * Another connection's commit is seen from the next turn of the event loop: data_version is asked once per turn (in
 * WAL mode it checks the shared-memory index, and asked twice per request it cost 15% of a cached list's CPU). Such
 * a commit is concurrent with every request of the turn it lands in, which may then read as of just before it; the
 * token only ever lags what a read sees, so nothing read after such a commit is kept under an older token beyond the
 * turn. This connection's own writes still change the token at once.
 */
interface StateQueries {
  own: Database.Statement;
  others: Database.Statement;
  /** data_version as read in this turn of the event loop; undefined until asked in it. */
  othersThisTurn: number | undefined;
}
const stateQueries = new WeakMap<object, StateQueries>();
function stateQueriesOf(client: Database.Database): StateQueries {
  let queries = stateQueries.get(client);
  if (!queries) {
    queries = { own: client.prepare('SELECT total_changes()').pluck(), others: client.prepare('PRAGMA data_version').pluck(), othersThisTurn: undefined };
    stateQueries.set(client, queries);
  }
  return queries;
}

export function dataState(db: BetterSQLite3Database<Schema>): string {
  const queries = stateQueriesOf(clientOf(db));
  if (queries.othersThisTurn === undefined) {
    const turn = queries;
    turn.othersThisTurn = turn.others.get() as number;
    setImmediate(() => {
      turn.othersThisTurn = undefined;
    });
  }
  // A failed group leaves total_changes() where its writes took it: what was read in it is gone all the same.
  return `${queries.own.get() as number}:${queries.othersThisTurn}:${lostGroups(db)}`;
}

/** Rows inserted, updated or deleted on the connection since it opened (SQLite's total_changes()). */
function totalChanges(client: Database.Database): number {
  return stateQueriesOf(client).own.get() as number;
}

/**
 * `column IN` the values of a JSON array: a list of any length in one bound parameter (an array, or a placeholder of a
 * prepared statement given its JSON), so a statement is prepared once whatever the count, where `inArray` writes one
 * parameter per value (and SQLite refuses more than 32,766). SQLite's json_each: the one place to change for another
 * engine (PostgreSQL: `= any(...)`).
 */
export function inJsonArray(column: SQLWrapper, values: readonly (string | number)[] | Placeholder): SQL {
  return sql`${column} in (select value from json_each(${Array.isArray(values) ? JSON.stringify(values) : values}))`;
}

/**
 * The text value at `key` of a JSON object (a placeholder of a prepared statement given its JSON, `{"<id>": "<value>"}`),
 * or NULL when the object has no such key: a map of any size in one bound parameter, so a statement is prepared once
 * whatever its size. SQLite's `->>` (it parses the parameter once per statement run, not per row); PostgreSQL has the
 * same operator, on the parameter cast to jsonb.
 */
export function jsonValueAt(object: Placeholder, key: SQLWrapper): SQL {
  return sql`(${object} ->> ${key})`;
}

/**
 * Runs a write that is bookkeeping, not what the request asked (a key's or a link's "last used"): when the database
 * refuses it for a passing reason or for its storage (busy, full, read-only, I/O: storageCondition), it is skipped and
 * tried again by a later request, so that a read is neither refused nor held for it: outside a transaction it does not
 * wait for another program's write lock (the busy timeout would hold the event loop, every request with it, for
 * seconds). Any other error is thrown. A storage failure of it counts among the writes' (storage-health.ts), its
 * success does not end one: a key's mark rewrites a page in place, which a full disk may still take when no new row fits.
 */
export function bookkeeping(db: Db, write: () => void): void {
  const client = clientOf(db);
  const waited = client.inTransaction ? null : (client.pragma('busy_timeout', { simple: true }) as number);
  if (waited !== null) client.pragma('busy_timeout = 0');
  try {
    write();
  } catch (err) {
    groupLost(db, err);
    writeFailed(client, err);
    if (storageCondition(err) === null) throw err;
  } finally {
    if (waited !== null) client.pragma(`busy_timeout = ${waited}`);
  }
}

/**
 * The rows of a drizzle query as arrays, one at a time (better-sqlite3's iterate(); drizzle has no iterator): a
 * large read, such as a whole plan's 100,000 tasks, can then be turned row by row into what is kept, each row
 * dying young instead of all of them being held and copied into the old generation first.
 */
export function* rowsOf(db: Db, query: { toSQL(): { sql: string; params: unknown[] } }): Generator<unknown[]> {
  const { sql, params } = query.toSQL();
  // A transaction has no $client of its own: it runs on its database's session, whose connection is the same.
  const client = clientOf(db) ?? (sessionOf(db) as unknown as { client: Database.Database }).client;
  yield* client.prepare(sql).raw().iterate(...params) as IterableIterator<unknown[]>;
}

/**
 * Decodes rows read as arrays (`.values()`) of a flat selection of columns as drizzle decodes them (null stays
 * null, any other value goes through its column's mapFromDriverValue), without drizzle's per-row walk of the
 * selection, which cost more than SQLite's reading on pages of tasks and on the whole-plan report.
 */
export function rowDecoder<R>(selection: Record<string, { mapFromDriverValue(value: unknown): unknown }>): (values: unknown[]) => R {
  const fields = Object.entries(selection);
  return (values) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const [key, column] = fields[i] as (typeof fields)[number];
      const value = values[i];
      out[key] = value === null ? null : column.mapFromDriverValue(value);
    }
    return out as R;
  };
}

/**
 * A write built by drizzle once per connection and run by better-sqlite3 itself, each placeholder given its value
 * by name and encoded by its column as drizzle encodes it: for rows written by the hundred thousand in one
 * transaction (a plan's approval queues an event and a delivery for each of its tasks), drizzle's own filling of the
 * placeholders, which looks up the kind of every parameter on every run, cost 3-4 µs a row, half of SQLite's writing it.
 */
export function nativeWrite(db: Db, name: string, build: (db: Db) => { toSQL(): { sql: string; params: unknown[] } }): (values: Record<string, unknown>) => RunResult {
  return prepared(db, `native:${name}`, (db) => {
    const { sql: text, params } = build(db).toSQL();
    const client = clientOf(db) ?? (sessionOf(db) as unknown as { client: Database.Database }).client;
    const statement = client.prepare(text);
    // What drizzle's fillPlaceholders does for each parameter, decided once: a column's placeholder, a bare one, a value.
    const binders = params.map((p): ((values: Record<string, unknown>) => unknown) => {
      if (is(p, Param) && is(p.value, Placeholder)) {
        const { encoder, value } = p as Param<unknown, unknown> & { value: Placeholder };
        return (values) => (encoder as { mapToDriverValue(v: unknown): unknown }).mapToDriverValue(values[value.name]);
      }
      if (is(p, Placeholder)) return (values) => values[p.name];
      return () => p;
    });
    return (values: Record<string, unknown>) => statement.run(...binders.map((bind) => bind(values)));
  });
}

/**
 * Inserts `row` into `table` through a statement prepared once per table and set of columns (a null value is
 * written as a literal NULL, as drizzle writes it, rather than through the column's encoder).
 */
export function insertRow<T extends SQLiteTable>(db: Db, table: T, row: T['$inferInsert']): RunResult {
  const values = row as Record<string, unknown>;
  const keys = Object.keys(values).filter((k) => values[k] !== undefined);
  const name = `insert:${getTableName(table)}:${keys.map((k) => (values[k] === null ? `${k}=null` : k)).join(',')}`;
  const query = prepared(db, name, (db) =>
    db
      .insert(table)
      .values(Object.fromEntries(keys.map((k) => [k, values[k] === null ? sql`null` : sql.placeholder(k)])) as T['$inferInsert'])
      .prepare(),
  );
  return query.run(values);
}

/**
 * Runs fn in a write transaction opened with BEGIN IMMEDIATE, so two writers queue on the lock
 * instead of deadlocking on an upgrade (with group commit, src/db/group-commit.ts: in a savepoint of the turn's
 * transaction).
 * fn must be synchronous: better-sqlite3 cannot await. Nor may it catch a database error and go on writing: after a
 * full disk SQLite may have ended the whole transaction, and what fn wrote next would commit alone.
 */
export function writeTransaction<T>(db: BetterSQLite3Database<Schema>, fn: (tx: Db) => T): T {
  const client = clientOf(db);
  try {
    joinGroup(db);
  } catch (err) {
    // Opening the turn's group (BEGIN IMMEDIATE) may be refused by the storage too.
    writeFailed(client, err);
    throw err;
  }
  try {
    const before = totalChanges(client);
    // better-sqlite3's own transaction, fn given the database itself: one connection, so the same session and prepared
    // statements. drizzle's transaction object built a relational query builder for each of the schema's tables on
    // every write (2% of a report submission's CPU), for an API no write uses.
    const written = client.transaction(() => {
      const result = fn(db);
      if (result instanceof Promise) throw new TypeError('a write transaction body must be synchronous');
      writeScope.getStore()?.onCommit?.(db, result);
      return result;
    }).immediate();
    // Only a transaction that changed rows wrote anything: one that found nothing to do (the webhook worker's poll,
    // every second) commits without touching the file, and says nothing of whether the storage takes writes again.
    if (totalChanges(client) !== before) writeSucceeded(db);
    return written;
  } catch (err) {
    groupLost(db, err);
    writeFailed(client, err);
    writeScope.getStore()?.onRefused?.(err);
    throw err;
  }
}
