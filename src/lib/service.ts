// What every service is built from, and what every write carries: who writes, and what they last saw.
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { Schema } from '../db/connection.js';
import type { Actor } from './access.js';

export interface ServiceDeps {
  db: BetterSQLite3Database<Schema>;
  clock: () => Date;
}

export interface WriteContext {
  actor: Actor;
  /**
   * The caller's If-Match precondition, if any: called inside the write transaction with the current
   * representation of the resource, it throws 412 unless that is what the caller last read.
   */
  expect?: ((current: unknown) => void) | undefined;
  /**
   * POLICY's object-level rule once more, on the data as it is now, and the caller's key still active: a write that
   * waits for something (a DNS look-up, a workbook's parsing) between the check before its handler and its
   * transaction calls this inside the transaction.
   */
  authorizeAgain?: (() => void) | undefined;
}
