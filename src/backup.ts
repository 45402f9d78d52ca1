// `npm run backup -- <file>`: a consistent online copy of the database while the service keeps writing.
//
// VACUUM INTO writes a transactionally consistent snapshot (as of the start of its own read transaction)
// to a new file, compacted, without blocking writers in WAL mode. The copy is then opened read-only and
// checked — `PRAGMA integrity_check` says ok, `foreign_key_check` finds nothing, it holds every table of
// the source and the same applied migrations — so a backup that cannot be restored is never reported as
// taken. Row counts of the copy are printed; they equal the source's unless writes landed meanwhile.
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { loadConfig } from './config.js';
import { createOwnerOnly } from './db/connection.js';

export interface BackupResult {
  file: string;
  bytes: number;
  tables: Record<string, number>;
}

function tableCounts(db: Database.Database): Record<string, number> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
}

/**
 * Copies `sourcePath` to `target` (which must not exist) and verifies the copy. The copy is written next
 * to the target under a temporary name and renamed only once verified.
 */
export function backupDatabase(sourcePath: string, target: string): BackupResult {
  const file = resolve(target);
  if (existsSync(file)) throw new Error(`${file} already exists: give a new file name`);
  if (!existsSync(sourcePath)) throw new Error(`no database at ${sourcePath}`);
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  // VACUUM INTO accepts an empty file: created first, the copy is never readable by others, as its source.
  createOwnerOnly(partial);
  const source = new Database(sourcePath, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    source.prepare('VACUUM INTO ?').run(partial);
    const sourceTables = Object.keys(tableCounts(source));
    const migrations = (db: Database.Database) => JSON.stringify(db.prepare('SELECT hash FROM __drizzle_migrations ORDER BY id').all());
    const copy = new Database(partial, { readonly: true, fileMustExist: true });
    let tables: Record<string, number>;
    try {
      const integrity = copy.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') throw new Error(`the copy fails integrity_check: ${String(integrity)}`);
      const dangling = copy.pragma('foreign_key_check') as unknown[];
      if (dangling.length > 0) throw new Error(`the copy has ${dangling.length} rows with dangling foreign keys`);
      tables = tableCounts(copy);
      const missing = sourceTables.filter((t) => !(t in tables));
      if (missing.length > 0) throw new Error(`the copy lacks tables: ${missing.join(', ')}`);
      if (migrations(copy) !== migrations(source)) throw new Error('the copy and the source differ in applied migrations');
    } finally {
      copy.close();
    }
    renameSync(partial, file);
    return { file, bytes: statSync(file).size, tables };
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    source.close();
  }
}

export function runBackup(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): number {
  const [target, ...rest] = argv;
  if (target === undefined || target.startsWith('-') || rest.length > 0) {
    out('usage: npm run backup -- <file>\n\nCopies DATABASE_PATH (default ./data/tracker.db) to <file> while the service runs, then verifies the copy.');
    return 2;
  }
  const { databasePath } = loadConfig(env);
  try {
    const result = backupDatabase(databasePath, target);
    const rows = Object.values(result.tables).reduce((a, b) => a + b, 0);
    out(`Backed up ${databasePath} to ${result.file}: ${result.bytes} bytes, ${Object.keys(result.tables).length} tables, ${rows} rows; integrity_check ok.`);
    return 0;
  } catch (err) {
    out(`backup failed: ${(err as Error).message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exitCode = runBackup(process.argv.slice(2), process.env, (line) => console.log(line));
}
