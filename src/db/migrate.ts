// Applies the migrations of migrations/ (drizzle-kit's output) under the write lock, and refuses a file a newer release migrated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Database_ } from './connection.js';

/** src/db and dist/db both sit two levels below the package root, where migrations/ lives. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

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
