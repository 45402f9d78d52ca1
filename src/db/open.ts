// Opens the SQLite database file with the pragmas the tracker relies on, refuses one it cannot use in words an
// operator acts on, and migrates it (migrate.ts).
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { getTableColumns, is, max } from 'drizzle-orm';
import { SQLiteTable, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import * as schema from './schema.js';
import { StartupError } from '../errors.js';
import { idsAfter } from '../lib/ids.js';
import type { Database_, Schema } from './connection.js';
import { runMigrations } from './migrate.js';
import { rememberFile } from './storage-health.js';

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
