// Group commit, with the fsync that makes a commit durable done off the event loop.
//
// With it on (the service turns it on; scripts and tools do not), the writes of one turn of the event loop share one
// transaction: the first opens it (BEGIN IMMEDIATE), each write runs in a savepoint of its own (better-sqlite3 nests
// a transaction so) and is undone alone if it fails, and one COMMIT ends them all once the turn is over
// (setImmediate). If the COMMIT fails every write of the group is lost together and every waiting request answers 500.
//
// Durability is that of synchronous=FULL: nobody is told about a write before the write-ahead log holding it is on
// disk. SQLite would fsync the log inside COMMIT, on the event loop, where every other request waits for the disk.
// Here the connection runs at synchronous=NORMAL (COMMIT writes the log without syncing it; SQLite still syncs the
// log before each checkpoint and its header when it restarts) and the group's fsync of the log runs in libuv's
// thread pool: the next group is prepared meanwhile. Every response waits for `pendingCommit()` (the db plugin's
// onSend hook): the open group's COMMIT and fsync, or the fsync still running for groups already committed, so a
// read never shows what is not yet durable either. An fsync that began after a COMMIT covers it, so fsyncs need no
// order among themselves. The log is the same file for as long as the connection is open: SQLite truncates it but
// deletes it only when the last connection closes.
//
// A failed fsync leaves the state of the disk unknown (the kernel may have dropped the pages it could not write), so
// the connection stops acknowledging anything: every later response is a 500 until the service is restarted and
// SQLite recovers from what the disk holds. Writes that were answered 500 are retried by their clients with their
// Idempotency-Key; none was acknowledged.
import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { promisify } from 'node:util';
import type Database from 'better-sqlite3';
import type { Database_, Db } from './connection.js';

/** The connection a drizzle handle or transaction runs on (a transaction has its database's session). */
export const sessionOf = (db: Db): object => (db as unknown as { session: object }).session;

/** Makes what was written to the file behind `fd` durable; injectable so tests can hold or fail it. */
export type FileSync = (fd: number) => Promise<void>;

export interface GroupCommitOptions {
  fileSync?: FileSync;
}

interface CommitGroup {
  sqlite: Database.Database;
  /** The write-ahead log, for a database in WAL mode on a file; null otherwise (FULL is kept: COMMIT syncs). */
  walPath: string | null;
  walFd: number | null;
  fileSync: FileSync;
  /** The open group's durability (its COMMIT, then the log's fsync), while one is open. */
  open: Promise<void> | null;
  /** The latest fsync of groups already committed, until it ends. */
  syncing: Promise<void> | null;
  /** Set once an fsync failed: nothing is acknowledged any more. */
  failure: Error | null;
}
const groups = new WeakMap<object, CommitGroup>();

export function enableGroupCommit({ sqlite, db }: Database_, { fileSync = promisify(fsync) }: GroupCommitOptions = {}): void {
  const wal = !sqlite.memory && sqlite.pragma('journal_mode', { simple: true }) === 'wal';
  if (wal) sqlite.pragma('synchronous = NORMAL');
  groups.set(sessionOf(db), { sqlite, walPath: wal ? `${sqlite.name}-wal` : null, walFd: null, fileSync, open: null, syncing: null, failure: null });
}

/** The durability of every write made so far: null when all are durable, a promise otherwise (rejected for good after a failed fsync). */
export function pendingCommit(db: Db): Promise<void> | null {
  const group = groups.get(sessionOf(db));
  if (!group) return null;
  if (group.failure) return Promise.reject(group.failure);
  return group.open ?? group.syncing;
}

/** Resolves when the writes made so far are durable (at once when no group is open). */
export function committed(db: Db): Promise<void> {
  return pendingCommit(db) ?? Promise.resolve();
}

/** Commits the open group now, if there is one, and syncs the log, waiting for it (before the database closes). */
export function flushGroupCommit(db: Db): Promise<void> {
  const group = groups.get(sessionOf(db));
  if (!group) return Promise.resolve();
  if (group.open && group.sqlite.inTransaction) group.sqlite.exec('COMMIT');
  if (group.walFd !== null) {
    if (!group.failure) fsyncSync(group.walFd);
    closeSync(group.walFd);
    group.walFd = null;
  }
  return committed(db).catch(() => undefined);
}

/** Opens the turn's group on the connection of `db`, if group commit is on and none is open. */
export function joinGroup(db: Db): void {
  const group = groups.get(sessionOf(db));
  if (!group || group.open) return;
  if (group.failure) throw group.failure;
  group.sqlite.exec('BEGIN IMMEDIATE');
  const open = new Promise<void>((resolve, reject) => {
    setImmediate(() => {
      if (group.sqlite.inTransaction) {
        try {
          group.sqlite.exec('COMMIT');
        } catch (err) {
          if (group.sqlite.inTransaction) group.sqlite.exec('ROLLBACK');
          group.open = null;
          return reject(err);
        }
      } // else: flushed already
      group.open = null;
      syncLog(group).then(resolve, reject);
    });
  });
  group.open = open;
  // Requests that wait handle a failure; this keeps an unawaited one (a background write) from crashing the process.
  open.catch(() => undefined);
}

/** Starts an fsync of the log, which makes every COMMIT made so far durable. */
function syncLog(group: CommitGroup): Promise<void> {
  if (group.walPath === null) return Promise.resolve();
  if (group.failure) return Promise.reject(group.failure);
  const fail = (err: Error) => {
    group.failure = new Error(`the write-ahead log could not be synced to disk; restart the service: ${err.message}`, { cause: err });
    throw group.failure;
  };
  let started: Promise<void>;
  try {
    group.walFd ??= openSync(group.walPath, 'r+');
    started = group.fileSync(group.walFd);
  } catch (err) {
    started = Promise.reject(err as Error);
  }
  const sync: Promise<void> = started.then(() => {
    if (group.syncing === sync) group.syncing = null;
  }, fail);
  group.syncing = sync;
  sync.catch(() => undefined);
  return sync;
}
