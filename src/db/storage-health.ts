// Why the storage refuses a statement (storageCondition), and whether the service's writes are failing now: the
// last refusal of a write by the storage itself, kept until a later write is durable (GET /health reports it).
import { statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';

/**
 * What the storage refused a write for: its disk is full; the file became read-only under the running connection; or
 * the disk failed a read or write (SQLite's I/O errors, which is also how a file system remounted read-only after an
 * error shows, and how a file made immutable does: the connection keeps its open file, only writing to it fails); or
 * the file was moved or deleted under the running service (fileMoved), whose writes would go to a file no start opens.
 */
export type StorageFailureKind = 'full' | 'read-only' | 'io' | 'moved';

/**
 * Why the database refused a statement, when the reason is the storage or passes, not a fault of the service: 'full'
 * (SQLITE_FULL: the file cannot grow), 'moved' (SQLITE_READONLY_DBMOVED, as refuseIfMoved raises it), 'read-only'
 * (SQLITE_READONLY and its other variants), 'io' (SQLITE_IOERR and
 * SQLITE_CANTOPEN variants: a read or write of the file, its -wal or -shm failed), 'busy' when another connection
 * held the write lock past the busy timeout (SQLITE_BUSY). Null for any other error. drizzle wraps the driver's error
 * in its own (its `cause`), so the chain is followed.
 */
export function storageCondition(err: unknown): StorageFailureKind | 'busy' | null {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (code === 'SQLITE_FULL') return 'full';
    if (code === 'SQLITE_READONLY_DBMOVED') return 'moved';
    if (code.startsWith('SQLITE_READONLY')) return 'read-only';
    if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return 'io';
    // Not SQLITE_LOCKED: in WAL mode without a shared cache another program's lock is BUSY; LOCKED is a conflict
    // within this connection, a defect.
    if (code.startsWith('SQLITE_BUSY')) return 'busy';
  }
  return null;
}

/** Writes are failing: the kind of the last failure, the time of the first one since writes last succeeded, and of the last. */
export interface WriteFailure {
  kind: StorageFailureKind;
  since: Date;
  lastAt: Date;
}

interface Watch {
  clock: () => Date;
  failure: WriteFailure | null;
  /** The mark of the last failure: only a write made after it (a higher mark) ends it. */
  failedAt: number;
  /** Counts failures and writes on the connection, so that a commit ends only the failures before its writes. */
  marks: number;
  /** When retryWrites last tried a write of its own (ms since the epoch, by `clock`). */
  triedAt: number;
}
const watches = new WeakMap<Database.Database, Watch>();

/** Keeps the state of the writes of `sqlite` from now on, timed by `clock` (the db plugin: the service's connection). */
export function watchWrites(sqlite: Database.Database, clock: () => Date): void {
  watches.set(sqlite, { clock, failure: null, failedAt: 0, marks: 0, triedAt: -Infinity });
}

/** The failure writes on `sqlite` are in, or null when the last write that failed for its storage was followed by one that was kept. */
export function writeFailure(sqlite: Database.Database): WriteFailure | null {
  return watches.get(sqlite)?.failure ?? null;
}

/**
 * A write on `sqlite` failed with `err`: recorded when the storage refused it (full, read-only, I/O). Another
 * program's lock (busy) passes on its own and says nothing of the disk; a domain error is no failure of writes.
 */
export function writeFailed(sqlite: Database.Database, err: unknown): void {
  const watch = watches.get(sqlite);
  const kind = storageCondition(err);
  if (!watch || kind === null || kind === 'busy') return;
  const now = watch.clock();
  watch.failure = { kind, since: watch.failure?.since ?? now, lastAt: now };
  watch.failedAt = ++watch.marks;
}

/**
 * A write on `sqlite` succeeded, not yet durable (in a commit group): its mark, to pass to `writesKept` once its
 * COMMIT succeeded. 0 when writes on `sqlite` are not watched.
 */
export function writeMark(sqlite: Database.Database): number {
  const watch = watches.get(sqlite);
  return watch ? ++watch.marks : 0;
}

/**
 * The writes on `sqlite` up to `mark` are durable: a failure recorded before the last of them is over. One recorded
 * after it (a later write of the same group refused for a full disk while an earlier one fitted) stands.
 */
export function writesKept(sqlite: Database.Database, mark: number): void {
  const watch = watches.get(sqlite);
  if (watch && mark > watch.failedAt) watch.failure = null;
}

/** How often, at most, retryWrites tries a write of its own while writes are failing. */
export const RETRY_WRITES_MS = 10_000;

/**
 * The failure writes on `sqlite` are in, after trying a write of its own when one is recorded and none was tried in
 * the last RETRY_WRITES_MS: a row of 8 KB inserted and deleted in one transaction, whose commit needs new pages and a
 * durable write to the log as the service's writes do. Kept, it ends the failure; refused, it is one more failure.
 * Without it the failure ended only with a write of a caller, and a load balancer that stops sending requests to an
 * instance whose /health is 503 never sent it one: a disk made free again, the instance stayed out for good. Not
 * tried while a transaction of the connection is open (a commit group of this turn, whose COMMIT tells the same), nor
 * for a moved file, which only a restart mends; nor waiting for another program's write lock.
 */
export function retryWrites(sqlite: Database.Database): WriteFailure | null {
  const watch = watches.get(sqlite);
  if (!watch?.failure || watch.failure.kind === 'moved' || sqlite.inTransaction) return watch?.failure ?? null;
  const now = watch.clock().getTime();
  if (now - watch.triedAt < RETRY_WRITES_MS) return watch.failure;
  const triedBefore = watch.triedAt;
  watch.triedAt = now;
  // Not waiting for another program's write lock (the CLI's, a second instance's): the busy timeout (5 s) would hold the
  // event loop, every request with it, for a check a monitor repeats anyway. A busy database is tried again by the
  // next /health, as if this one had not tried.
  const waited = sqlite.pragma('busy_timeout', { simple: true }) as number;
  sqlite.pragma('busy_timeout = 0');
  try {
    // BEGIN and COMMIT as the commit groups write them (src/db/group-commit.ts), not better-sqlite3's transaction().
    sqlite.exec('BEGIN IMMEDIATE');
    try {
      refuseIfMoved(sqlite);
      sqlite.prepare('INSERT INTO storage_probes (filler) VALUES (zeroblob(8192))').run();
      sqlite.prepare('DELETE FROM storage_probes').run();
      sqlite.exec('COMMIT');
    } catch (err) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      throw err;
    }
    writesKept(sqlite, writeMark(sqlite));
  } catch (err) {
    const condition = storageCondition(err);
    if (condition === null) throw err;
    if (condition === 'busy') watch.triedAt = triedBefore;
    writeFailed(sqlite, err);
  } finally {
    sqlite.pragma(`busy_timeout = ${waited}`);
  }
  return watch.failure;
}

/** The file each connection opened, as the file system knew it then: its path, device and inode. */
const files = new WeakMap<Database.Database, { path: string; dev: number; ino: number }>();

/** Remembers which file `sqlite` opened at `path` (not an in-memory database), for fileMoved. */
export function rememberFile(sqlite: Database.Database, path: string): void {
  // Absolute, as SQLite made it when it opened the file: a relative path (the default ./data/tracker.db) must not
  // name another file once the process's working directory changes.
  const absolute = resolve(path);
  const { dev, ino } = statSync(absolute);
  files.set(sqlite, { path: absolute, dev, ino });
}

/**
 * Whether the file `sqlite` opened is no longer the one at its path: deleted, renamed, or replaced by another (a
 * backup moved over it by hand). SQLite goes on writing through the file it has open, in WAL mode without an error:
 * every write would be acknowledged into a file that the next start does not open. False for an in-memory database.
 */
export function fileMoved(sqlite: Database.Database): boolean {
  const file = files.get(sqlite);
  if (!file) return false;
  let now: Stats | undefined;
  try {
    now = statSync(file.path, { throwIfNoEntry: false });
  } catch {
    // Not only ENOENT: a folder of the path replaced by a file (ENOTDIR), one no longer searchable (EACCES), a loop
    // (ELOOP). The path no longer leads to the file either, and a stat error must not turn every write into a 500.
    return true;
  }
  return now === undefined || now.dev !== file.dev || now.ino !== file.ino;
}

/**
 * Refuses a write, before it begins, when the connection's file has moved (fileMoved): with SQLite's own code for it,
 * which storageCondition reads as 'moved' (a 503, and GET /health says so). A stat, once a turn that writes.
 */
export function refuseIfMoved(sqlite: Database.Database): void {
  if (fileMoved(sqlite)) {
    throw new Database.SqliteError('the database file was moved or deleted while the service ran', 'SQLITE_READONLY_DBMOVED');
  }
}
