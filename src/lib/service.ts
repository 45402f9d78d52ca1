// What every service is built from: the database handle and the clock.
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { Schema } from '../db/connection.js';

export interface ServiceDeps {
  db: BetterSQLite3Database<Schema>;
  clock: () => Date;
}
