// Opens the SQLite database with the pragmas the tracker relies on and applies pending migrations.
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { getTableColumns, getTableName, is, max, sql, type Placeholder, type SQL, type SQLWrapper } from 'drizzle-orm';
import { SQLiteTable, type BaseSQLiteDatabase, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { RunResult } from 'better-sqlite3';
import * as schema from './schema.js';
import { StartupError } from '../errors.js';
import { idsAfter } from '../lib/ids.js';
import { clientOf, groupLost, joinGroup, lostGroups, sessionOf, writeSucceeded } from './group-commit.js';
import { rememberFile, storageCondition, writeFailed } from './storage-health.js';

export type Schema = typeof schema;
/** The drizzle handle, or a transaction on it: repositories accept either. */
export type Db = BaseSQLiteDatabase<'sync', RunResult, Schema>;

export interface Database_ {
  sqlite: Database.Database;
  db: BetterSQLite3Database<Schema>;
}

/** src/db and dist/db both sit two levels below the package root, where migrations/ lives. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

export function openDatabase(path: string): Database_ {
  if (path !== ':memory:' && !path.startsWith('file:')) {
    mkdirSync(dirname(path), { recursive: true });
    createOwnerOnly(path);
  }
  const sqlite = new Database(path);
  if (path !== ':memory:' && !path.startsWith('file:')) rememberFile(sqlite, path);
  // WAL lets readers run beside the single writer; FULL makes an acknowledged commit survive power loss.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return { sqlite, db: drizzle(sqlite, { schema }) };
}

/**
 * Creates a new database file readable and writable by its owner only: it holds API key hashes, webhook
 * secrets (kept in clear, since signing needs them) and every ministry's reports. SQLite gives its `-wal`
 * and `-shm` files the database file's permissions. An existing file keeps the permissions it has.
 */
export function createOwnerOnly(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * Refuses a database this process may only read. SQLite opens a file it may not write (its permissions, an immutable
 * flag) read-only without a word; the service then started, /health answered ok, and every keyed request was a 500,
 * since each records its key's use. The probe takes the write lock and rolls back: nothing reaches the file.
 */
export function ensureWritable(sqlite: Database.Database, path: string): void {
  try {
    sqlite.exec('BEGIN IMMEDIATE');
    try {
      sqlite.exec('CREATE TABLE main.__tracker_write_probe (x)');
    } finally {
      sqlite.exec('ROLLBACK');
    }
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SQLITE_READONLY' || sqlite.readonly) {
      throw new StartupError(
        `${path} is read-only for this process: the service writes it (and ${path}-wal, ${path}-shm beside it); ` +
          "give this user write access to the file and its folder, on a file system mounted read-write",
        { cause: err },
      );
    }
    // A full disk or another program's long write passes, and the service answers those with 503 while it reads on.
  }
}

const isFolder = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** DATABASE_PATH names a folder (with a slash at its end, or without): the database file goes in it. */
const namesAFolder = (path: string) => `${path} is a folder: DATABASE_PATH names the database file in it, e.g. ${join(path, 'tracker.db')}`;

/**
 * A failure to open or migrate the database, in words an operator acts on (src/server.ts and src/cli.ts print them
 * without a stack trace); an error of no known kind is left as it is, stack and all.
 */
export function whyNotOpened(err: unknown, path: string): unknown {
  if (err instanceof StartupError) return err;
  const { code, message } = err as { code?: unknown; message?: unknown };
  const because = (text: string) => new StartupError(text, { cause: err });
  switch (code) {
    case 'SQLITE_NOTADB':
      return because(`${path} is not a SQLite database: DATABASE_PATH names another kind of file`);
    case 'SQLITE_CORRUPT':
      return because(`${path} is damaged (${String(message)}): restore the latest backup (README, Backups)`);
    case 'SQLITE_CANTOPEN':
      if (isFolder(path)) return because(namesAFolder(path));
      // Either cause gives this code: a folder missing or closed to the user, or a file the user may not read (one
      // created by root with `npm run demo` before the service ran as its own user).
      return because(
        `cannot open ${path}: this user must be able to read and write it, and its folder must exist and be writable ` +
          `by this user, since SQLite creates ${path}-wal and ${path}-shm beside it`,
      );
    case 'SQLITE_READONLY_DIRECTORY':
      return because(
        `the folder of ${path} is read-only for this process: SQLite creates ${path}-wal and ${path}-shm beside the ` +
          'database, so give this user write access to the folder too',
      );
    case 'EISDIR':
      return because(namesAFolder(path));
    case 'SQLITE_FULL':
    case 'ENOSPC':
      return because(`the disk holding ${path} is full: free some space, then start again`);
    case 'EEXIST':
    case 'ENOTDIR':
      return because(`cannot create the folder of ${path}: part of its path is a file (${String(message)})`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return because(`cannot create ${path} or its folder: ${String(message)}`);
  }
  // SQLITE_READONLY and its other variants (a file moved under the connection, a lock it cannot take, ...).
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) {
    return because(`${path} is read-only for this process (${code}): give this user write access to the file and its folder`);
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_IOERR')) {
    return because(`cannot read or write ${path} (${code}): is its disk full or failing? See df and the system log`);
  }
  if (err instanceof Error && /dangling foreign keys|migrated by a newer release/.test(err.message)) {
    return because(`the migrations of ${path} were refused: ${err.message}`);
  }
  return err;
}

/** drizzle's journal of applied migrations, as its migrator creates it (so files migrated by either read alike). */
const JOURNAL_TABLE = `CREATE TABLE IF NOT EXISTS __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`;

/** The `when` of the newest migration the file has had applied (drizzle's journal table; null before the first). */
function lastApplied(sqlite: Database.Database): number | null {
  const journal = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  if (!journal) return null;
  const at = (sqlite.prepare('SELECT max(created_at) AS at FROM __drizzle_migrations').get() as { at: number | string | null }).at;
  return at === null ? null : Number(at);
}

/** Why `what` is refused when its newest applied migration (`last`) is newer than this release knows; null when it is not. */
function newerRelease(what: string, last: number | null, newest: number): string | null {
  if (last === null || last <= newest) return null;
  return (
    `${what} was migrated by a newer release (its last migration is of ${new Date(last).toISOString()}, this ` +
    `release knows migrations up to ${new Date(newest).toISOString()}): start that release, or restore a backup ` +
    'taken before the upgrade'
  );
}

/**
 * Why this release must not run on the file `sqlite` has open, `what` naming it: a newer release migrated it (null when
 * none did). The restore asks before it puts a backup in place, which the start would then refuse.
 */
export function migratedByNewerRelease(sqlite: Database.Database, what: string, migrationsFolder = MIGRATIONS_FOLDER): string | null {
  return newerRelease(what, lastApplied(sqlite), readMigrationFiles({ migrationsFolder }).at(-1)?.folderMillis ?? 0);
}

/** The tags of the migrations folder's journal (0000_init, …), by their `when`. */
function journalTags(migrationsFolder: string): { when: number; tag: string }[] {
  return (JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number; tag: string }[] }).entries;
}

/** How long a start waits for another process's migration of the same file (a large table's index takes a while). */
const MIGRATION_LOCK_WAIT_MS = 10 * 60_000;

/**
 * Applies pending migrations with foreign keys off: a migration that rebuilds a table would otherwise
 * cascade the drop and delete child rows. Any dangling reference left behind refuses the migration, in its own
 * transaction, so the file stays as it was and the next start refuses it again. The check reads every row, so it
 * runs only when a migration is applied (on 100,000 tasks it took a second of every start).
 *
 * What is pending is decided under the write lock (BEGIN IMMEDIATE): drizzle's migrator reads it before taking the
 * lock, so of two processes starting on the same old file (two instances, or the service and `npm run key:create`)
 * the second applied the same migrations again and died on "index already exists". A file migrated by a newer
 * release is refused: this release would run on a schema it does not know. Returns the tags of the migrations applied.
 */
export function runMigrations({ sqlite }: Database_, migrationsFolder = MIGRATIONS_FOLDER): string[] {
  const migrations = readMigrationFiles({ migrationsFolder });
  const newest = migrations.at(-1)?.folderMillis ?? 0;
  const pending = () => {
    const last = lastApplied(sqlite);
    const newer = newerRelease('the database', last, newest);
    if (newer !== null) throw new Error(newer);
    return migrations.filter((m) => last === null || m.folderMillis > last);
  };
  // Most starts have nothing to apply: they take no write lock.
  if (pending().length === 0) return [];

  sqlite.pragma('foreign_keys = OFF');
  const waited = sqlite.pragma('busy_timeout', { simple: true }) as number;
  sqlite.pragma(`busy_timeout = ${MIGRATION_LOCK_WAIT_MS}`);
  try {
    sqlite.exec('BEGIN IMMEDIATE');
    sqlite.pragma(`busy_timeout = ${waited}`);
    try {
      sqlite.exec(JOURNAL_TABLE);
      const record = sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)');
      const applied = pending();
      for (const migration of applied) {
        for (const statement of migration.sql) sqlite.exec(statement);
        record.run(migration.hash, migration.folderMillis);
      }
      const dangling = applied.length === 0 ? [] : (sqlite.pragma('foreign_key_check') as unknown[]);
      if (dangling.length > 0) throw new Error(`migration left ${dangling.length} rows with dangling foreign keys`);
      sqlite.exec('COMMIT');
      const tags = new Map(journalTags(migrationsFolder).map((e) => [e.when, e.tag]));
      return applied.map((m) => tags.get(m.folderMillis) ?? String(m.folderMillis));
    } catch (err) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      throw err;
    }
  } finally {
    sqlite.pragma(`busy_timeout = ${waited}`);
    sqlite.pragma('foreign_keys = ON');
  }
}

/** A UUID v7 as newId makes them: a greatest id of another kind says nothing of the clock of the last write. */
const V7_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7/;

/**
 * The greatest id made by newId in any table (each table whose primary key is a text `id`), or null. Not the history's
 * alone: the webhook worker's events, deliveries and attempts are written with no history entry beside them.
 */
function greatestId(db: BetterSQLite3Database<Schema>): string | null {
  let greatest: string | null = null;
  for (const table of Object.values(schema) as unknown[]) {
    if (!is(table, SQLiteTable)) continue;
    const id = (getTableColumns(table) as Record<string, SQLiteColumn | undefined>).id;
    if (!id || !id.primary || id.columnType !== 'SQLiteText') continue;
    const found = db.select({ id: max(id) }).from(table).get()?.id;
    if (typeof found === 'string' && V7_ID.test(found) && (greatest === null || found > greatest)) greatest = found;
  }
  return greatest;
}

/**
 * The database the service (or a command that writes it, key:create) works on: opened, checked writable, migrated.
 * A failure of a kind an operator acts on is a StartupError (whyNotOpened), and the connection is closed. Returns the
 * tags of the migrations applied, for the start-up log.
 */
export function openMigrated(path: string): { database: Database_; applied: string[] } {
  let database: Database_;
  try {
    database = openDatabase(path);
  } catch (err) {
    throw whyNotOpened(err, path);
  }
  try {
    if (path !== ':memory:') ensureWritable(database.sqlite, path);
    const applied = runMigrations(database);
    // The history is read in id order, and pollers resume after the last id they read: no new id may sort before one
    // written before this start, even if the clock was set back meanwhile (each primary key's index: one seek a table).
    idsAfter(greatestId(database.db));
    return { database, applied };
  } catch (err) {
    database.sqlite.close();
    throw whyNotOpened(err, path);
  }
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

export function prepared<Q>(db: Db, name: string, build: (db: Db) => Q): Q {
  let queries = preparedBySession.get(sessionOf(db));
  if (!queries) preparedBySession.set(sessionOf(db), (queries = new Map()));
  let query = queries.get(name) as Q | undefined;
  if (query === undefined) queries.set(name, (query = build(db)));
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
    const written = db.transaction((tx) => {
      const result = fn(tx);
      if (result instanceof Promise) throw new TypeError('a write transaction body must be synchronous');
      writeScope.getStore()?.onCommit?.(tx, result);
      return result;
    }, { behavior: 'immediate' });
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
