// Group commit. With it on (the service turns it on; scripts and tools do not), the writes of one turn of the event
// loop share one transaction: the first opens it (BEGIN IMMEDIATE), each write runs in a savepoint of its own
// (better-sqlite3 nests a transaction so) and is undone alone if it fails, and one COMMIT, one fsync
// (synchronous=FULL), ends them all once the turn is over (setImmediate). Nobody is told about a write before that
// COMMIT: every response waits for `pendingCommit()` (the db plugin's onSend hook) and for every group the request
// wrote in (`requestGroups`: a handler may answer turns after its write), and what does not answer a request waits for
// `committed()` before it acts on what it read (the webhook worker, before it sends). If the COMMIT fails, or SQLite
// rolls the group's transaction back on its own (a full disk), every write of the group is lost together and every
// waiting request is answered an error.
//
// Why the fsync stays inside COMMIT, on the event loop: the other way was built and measured. The connection at
// synchronous=NORMAL and the log fsynced in libuv's thread pool before any answer keeps FULL's durability, but the
// fsyncs must then run one at a time (Linux reports a lost write-back to one fsync only, so a second one in flight
// could succeed over pages the first lost), and on this project's machine it gave 15–25% fewer report submissions
// a second and more CPU per request than the fsync in COMMIT. It would pay only on a disk whose fsync takes
// milliseconds (see the note of issue 6).
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import type { Database_, Db } from './connection.js';
import { refuseIfMoved, writeFailed, writeMark, writesKept } from './storage-health.js';

/** The better-sqlite3 connection under a drizzle handle or transaction. */
export const clientOf = (db: Db): Database.Database => (db as unknown as { $client: Database.Database }).$client;

/** The connection a drizzle handle or transaction runs on (a transaction has its database's session). */
export const sessionOf = (db: Db): object => (db as unknown as { session: object }).session;

interface CommitGroup {
  sqlite: Database.Database;
  /** The open group's COMMIT, while one is open. */
  open: Promise<void> | null;
  /** Commits the open group now (at the end of its turn, or when the database closes); null when none is open. */
  commitNow: (() => void) | null;
  /** Ends the open group as failed with this error, its transaction already gone; null when none is open. */
  fail: ((err: unknown) => void) | null;
  /** Groups that ended failed so far: what was read in them may be gone (dataState counts them). */
  lost: number;
  /** A group that ended failed in this turn, before its COMMIT: what was read in it this turn is gone. */
  failedThisTurn: Promise<void> | null;
  /** The mark of the open group's last write that succeeded (storage-health.ts), 0 while none has: its COMMIT keeps it. */
  wrote: number;
}

/**
 * The groups a request wrote in, for the db plugin, which runs each writing request's handler in a set of its own:
 * its answer waits for every one of them, even when it comes turns after the write, or after its group has failed
 * and a new one was opened in the same turn.
 */
export const requestGroups = new AsyncLocalStorage<Set<Promise<void>>>();
const groups = new WeakMap<object, CommitGroup>();

export function enableGroupCommit({ sqlite, db }: Database_): void {
  groups.set(sessionOf(db), { sqlite, open: null, commitNow: null, fail: null, lost: 0, failedThisTurn: null, wrote: 0 });
}

/** The COMMIT of the open group, or null when every write made so far is durable. */
export function pendingCommit(db: Db): Promise<void> | null {
  return groups.get(sessionOf(db))?.open ?? null;
}

/** How many groups have failed on the connection of `db` (0 without group commit). */
export function lostGroups(db: Db): number {
  return groups.get(sessionOf(db))?.lost ?? 0;
}

/**
 * What an answer that wrote nothing waits for: the open group's COMMIT (it may have read its writes), or a group
 * that failed in this turn (it may have read those, now gone: it rejects). Null when neither.
 */
export function readersWait(db: Db): Promise<void> | null {
  const group = groups.get(sessionOf(db));
  return group ? (group.failedThisTurn ?? group.open) : null;
}

/** Resolves when the writes made so far are durable (at once when no group is open). */
export function committed(db: Db): Promise<void> {
  return pendingCommit(db) ?? Promise.resolve();
}

/** Before the database closes: commits the open group now, if there is one. Never rejects: those who wait are told. */
export async function flushGroupCommit(db: Db): Promise<void> {
  groups.get(sessionOf(db))?.commitNow?.();
  await committed(db).catch(() => undefined);
}

/**
 * Joins the turn's group on the connection of `db`, opening it if none is open (group commit on), and counts it
 * among the groups of the request that writes.
 */
export function joinGroup(db: Db): void {
  const group = groups.get(sessionOf(db));
  if (!group) return;
  if (group.open && !group.sqlite.inTransaction) {
    // Its transaction is gone, and no failed write said so (groupLost): end it, lest this write run outside it.
    group.fail?.(new Error('the commit group was rolled back by the database'));
  }
  const open = group.open ?? openGroup(group);
  requestGroups.getStore()?.add(open);
}

function openGroup(group: CommitGroup): Promise<void> {
  refuseIfMoved(group.sqlite);
  group.sqlite.exec('BEGIN IMMEDIATE');
  const open = new Promise<void>((resolve, reject) => {
    const end = () => {
      group.commitNow = null;
      group.fail = null;
      group.open = null;
      const wrote = group.wrote;
      group.wrote = 0;
      return wrote;
    };
    const commitNow = () => {
      if (group.commitNow !== commitNow) return; // committed already (flushed before the turn ended)
      const wrote = end();
      try {
        group.sqlite.exec('COMMIT');
        writesKept(group.sqlite, wrote);
        resolve();
      } catch (err) {
        writeFailed(group.sqlite, err);
        group.lost++;
        try {
          if (group.sqlite.inTransaction) group.sqlite.exec('ROLLBACK');
        } catch {
          // The connection is gone: the transaction ended with it.
        }
        reject(err);
      }
    };
    group.commitNow = commitNow;
    group.fail = (err) => {
      end();
      group.lost++;
      reject(err);
      group.failedThisTurn = open;
      setImmediate(() => {
        if (group.failedThisTurn === open) group.failedThisTurn = null;
      });
    };
    setImmediate(commitNow);
  });
  group.open = open;
  // Requests that wait handle a failure; this keeps an unawaited one (a background write) from crashing the process.
  open.catch(() => undefined);
  return open;
}

/**
 * A write on the connection of `db` succeeded: durable at once outside a group, at the open group's COMMIT inside one
 * (storage-health.ts: only then may it end a failure of the writes).
 */
export function writeSucceeded(db: Db): void {
  const group = groups.get(sessionOf(db));
  const sqlite = group?.sqlite ?? clientOf(db);
  const mark = writeMark(sqlite);
  if (group?.open && sqlite.inTransaction) group.wrote = mark;
  else if (!sqlite.inTransaction) writesKept(sqlite, mark);
}

/**
 * After a write failed with `err`: if SQLite rolled back the whole transaction on its own (it may, on SQLITE_FULL,
 * SQLITE_IOERR, SQLITE_BUSY or SQLITE_NOMEM), the group's earlier writes are gone with it. The group ends failed
 * with that error, so every request waiting for it is told its write was not kept, and the next write opens a new
 * group rather than running alone, committed, under a group whose COMMIT would then fail.
 */
export function groupLost(db: Db, err: unknown): void {
  const group = groups.get(sessionOf(db));
  if (group?.open && !group.sqlite.inTransaction) group.fail?.(err);
}
