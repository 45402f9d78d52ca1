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
// read never shows what is not yet durable either. What does not answer a request waits for `committed()` before
// it acts on what it read (the webhook worker, before it sends). An fsync that began after a COMMIT covers it; one
// runs at a time (see syncLog). The log is the same file for as long as the connection is open: SQLite truncates it
// but deletes it only when the last connection closes. Another process reading the file (a backup) may see a commit
// before its fsync ends; nobody has been told about it yet.
//
// A failed fsync leaves the state of the disk unknown (the kernel may have dropped the pages it could not write), so
// the connection stops acknowledging anything: every later response is a 500 until the service is restarted and
// SQLite recovers from what the disk holds. Writes that were answered 500 are retried by their clients with their
// Idempotency-Key; none was acknowledged.
import { closeSync, fsync, openSync } from 'node:fs';
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
  /** Commits the open group now (at the end of its turn, or when the database closes); null when none is open. */
  commitNow: (() => void) | null;
  /** The latest fsync of groups already committed, until it ends. */
  syncing: Promise<void> | null;
  /** Set once an fsync failed: nothing is acknowledged any more. */
  failure: Error | null;
  /** Set once flushed for closing: the log's descriptor is closed and no fsync starts again. */
  closed: boolean;
}
const groups = new WeakMap<object, CommitGroup>();

/** The log of the file SQLite opened: it follows a symbolic link, so the log sits beside the link's target. */
function walPathOf(sqlite: Database.Database): string | null {
  if (sqlite.memory || sqlite.pragma('journal_mode', { simple: true }) !== 'wal') return null;
  const main = (sqlite.pragma('database_list') as { name: string; file: string }[]).find((d) => d.name === 'main');
  return main?.file ? `${main.file}-wal` : null;
}

export function enableGroupCommit({ sqlite, db }: Database_, { fileSync = promisify(fsync) }: GroupCommitOptions = {}): void {
  const walPath = walPathOf(sqlite);
  if (walPath !== null) sqlite.pragma('synchronous = NORMAL');
  groups.set(sessionOf(db), { sqlite, walPath, walFd: null, fileSync, open: null, commitNow: null, syncing: null, failure: null, closed: false });
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

/**
 * Before the database closes: commits the open group now, if there is one, waits until every group is synced (or
 * has failed), then closes the log's descriptor. Never rejects: those who wait for the groups are told.
 */
export async function flushGroupCommit(db: Db): Promise<void> {
  const group = groups.get(sessionOf(db));
  if (!group) return;
  try {
    group.commitNow?.();
    await committed(db).catch(() => undefined);
  } finally {
    group.closed = true;
    if (group.walFd !== null) closeSync(group.walFd);
    group.walFd = null;
  }
}

/** Opens the turn's group on the connection of `db`, if group commit is on and none is open. */
export function joinGroup(db: Db): void {
  const group = groups.get(sessionOf(db));
  if (!group || group.open) return;
  if (group.failure) throw group.failure;
  group.sqlite.exec('BEGIN IMMEDIATE');
  const open = new Promise<void>((resolve, reject) => {
    const commitNow = () => {
      if (group.commitNow !== commitNow) return; // committed already (flushed before the turn ended)
      group.commitNow = null;
      try {
        group.sqlite.exec('COMMIT');
      } catch (err) {
        try {
          if (group.sqlite.inTransaction) group.sqlite.exec('ROLLBACK');
        } catch {
          // The connection is gone: the transaction ended with it.
        }
        group.open = null;
        return reject(err);
      }
      group.open = null;
      syncLog(group).then(resolve, reject);
    };
    group.commitNow = commitNow;
    setImmediate(commitNow);
  });
  group.open = open;
  // Requests that wait handle a failure; this keeps an unawaited one (a background write) from crashing the process.
  open.catch(() => undefined);
}

/**
 * Syncs the log, which makes every COMMIT made before the fsync began durable. One fsync at a time, each after the
 * one before has succeeded: Linux reports a failed write-back to one fsync only, so two at once could let the later
 * one succeed over pages the earlier one lost.
 */
function syncLog(group: CommitGroup): Promise<void> {
  const walPath = group.walPath;
  if (walPath === null) return Promise.resolve();
  const fail = (err: Error): never => {
    group.failure ??= new Error(`the write-ahead log could not be synced to disk; restart the service: ${err.message}`, { cause: err });
    throw group.failure;
  };
  const sync: Promise<void> = (group.syncing ?? Promise.resolve())
    .then(() => {
      if (group.failure) throw group.failure;
      if (group.closed) throw new Error('the database is closed');
      group.walFd ??= openSync(walPath, 'r+');
      return group.fileSync(group.walFd);
    })
    .then(() => {
      if (group.syncing === sync) group.syncing = null;
    }, fail);
  group.syncing = sync;
  sync.catch(() => undefined);
  return sync;
}
