// Databases as a release before a migration left them: a file migrated up to the migration before `tag`, and rows
// written into it as the service wrote them then (past the API, which now refuses some of them).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { type Database_ } from '../src/db/connection.js';
import { MIGRATIONS_FOLDER, runMigrations } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open.js';

/** A database file migrated up to the migration before `tag`, closed when the test ends; `path` to start an app on. */
export async function databaseBefore(t: Test, tag: string): Promise<{ path: string; database: Database_ }> {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-before-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const folder = join(dir, 'migrations-before');
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journal = JSON.parse(await readFile(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const upTo = journal.entries.findIndex((e) => e.tag === tag);
  t.ok(upTo > 0, `${tag} is in the journal`);
  await writeFile(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }));
  const path = join(dir, 'tracker.db');
  const database = openDatabase(path);
  t.teardown(() => {
    if (database.sqlite.open) database.sqlite.close();
  });
  runMigrations(database, folder);
  return { path, database };
}

/** Inserts a row by column name; an object or array value is written as JSON, as drizzle writes a JSON column. */
export function insertRow(database: Database_, table: string, row: Record<string, unknown>): void {
  const columns = Object.keys(row);
  database.sqlite
    .prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`)
    .run(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v !== null && typeof v === 'object' ? JSON.stringify(v) : v])));
}

/** A commission in Minsk and one Belarusian ministry, as every release wrote them: what most fixtures' plans hang on. */
export function insertCommissionAndMinistry(database: Database_, ids: { commission: string; ministry: string }, at: string): void {
  const stamps = { created_at: at, updated_at: at };
  insertRow(database, 'commissions', {
    id: ids.commission, name: 'Commission', time_zone: 'Europe/Minsk', party_a_country: 'BY', party_a_co_chair_name: 'A', party_a_co_chair_position: 'P',
    party_b_country: 'KZ', party_b_co_chair_name: 'B', party_b_co_chair_position: 'P', ...stamps,
  });
  insertRow(database, 'organizations', { id: ids.ministry, name: 'Ministry of Industry', short_name: 'Minprom', kind: 'ministry', country: 'BY', ...stamps });
}
