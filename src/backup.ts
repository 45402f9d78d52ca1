// `npm run backup -- <file>`: a consistent online copy of the database while the service keeps writing.
//
// SQLite's online backup API copies the file page by page through a connection that holds one read transaction
// for the whole copy: in WAL mode writers go on, and the copy is the database exactly as of that transaction's
// snapshot. The same snapshot gives every table's row count first, so the copy is checked against them — as
// well as `PRAGMA integrity_check` ok, `foreign_key_check` empty, and the same applied migrations — and a backup
// that cannot be restored, or that lost or gained a row, is never reported as taken.
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { loadConfig } from './config.js';
import { createOwnerOnly } from './db/open.js';

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

const migrations = (db: Database.Database) => JSON.stringify(db.prepare('SELECT hash FROM __drizzle_migrations ORDER BY id').all());

/** How the copy differs from the source's counts, table by table (empty when it does not). */
export function countDifferences(expected: Record<string, number>, found: Record<string, number>): string[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(found)])].sort();
  return names.filter((n) => expected[n] !== found[n]).map((n) => `${n}: ${expected[n] ?? 'no table'} in the source, ${found[n] ?? 'no table'} in the copy`);
}

/**
 * Copies `sourcePath` to `target` (which must not exist) and verifies the copy. The copy is written next
 * to the target under a temporary name and renamed only once verified.
 */
export async function backupDatabase(sourcePath: string, target: string): Promise<BackupResult> {
  // resolve() drops a trailing slash: "backups/" would otherwise be written as a file named "backups".
  if (/[/\\]$/.test(target)) throw new Error(`${target} names a folder: give a file name, e.g. ${join(target, 'tracker-backup.db')}`);
  const file = resolve(target);
  if (existsSync(file)) throw new Error(`${file} already exists: give a new file name`);
  if (!existsSync(sourcePath)) throw new Error(`no database at ${sourcePath}`);
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const removePartial = () => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${partial}${suffix}`, { force: true });
  };
  removePartial();
  // Created first, readable by its owner only, as its source: the backup writes into it.
  createOwnerOnly(partial);
  const source = new Database(sourcePath, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    // One read transaction: the counts and every page copied are of the same snapshot, whatever is written meanwhile.
    source.exec('BEGIN');
    let expected: Record<string, number>;
    let sourceMigrations: string;
    try {
      expected = tableCounts(source);
      sourceMigrations = migrations(source);
      // All pages in one step: no step can see another snapshot.
      await source.backup(partial, { progress: () => Number.MAX_SAFE_INTEGER });
    } finally {
      source.exec('COMMIT');
    }
    const copy = new Database(partial, { fileMustExist: true });
    let tables: Record<string, number>;
    try {
      // A file on its own, as a restore wants it: the page copy keeps the source's WAL mode, which would need -wal and -shm.
      copy.pragma('journal_mode = DELETE');
      const integrity = copy.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') throw new Error(`the copy fails integrity_check: ${String(integrity)}`);
      const dangling = copy.pragma('foreign_key_check') as unknown[];
      if (dangling.length > 0) throw new Error(`the copy has ${dangling.length} rows with dangling foreign keys`);
      tables = tableCounts(copy);
      const differences = countDifferences(expected, tables);
      if (differences.length > 0) throw new Error(`the copy's rows differ from the source's: ${differences.join('; ')}`);
      if (migrations(copy) !== sourceMigrations) throw new Error('the copy and the source differ in applied migrations');
    } finally {
      copy.close();
    }
    renameSync(partial, file);
    return { file, bytes: statSync(file).size, tables };
  } catch (err) {
    removePartial();
    throw err;
  } finally {
    source.close();
  }
}

export async function runBackup(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const [target, ...rest] = argv;
  if (target === undefined || target.startsWith('-') || rest.length > 0) {
    out('usage: npm run backup -- <file>\n\nCopies DATABASE_PATH (default ./data/tracker.db) to <file> while the service runs, then verifies the copy.');
    return 2;
  }
  try {
    // Inside: a wrong variable is one line, as at the service's start, not a stack trace.
    const { databasePath } = loadConfig(env);
    const result = await backupDatabase(databasePath, target);
    const rows = Object.values(result.tables).reduce((a, b) => a + b, 0);
    out(`Backed up ${databasePath} to ${result.file}: ${result.bytes} bytes, ${Object.keys(result.tables).length} tables, ${rows} rows, as many in each table as the source held at the copy's moment; integrity_check ok.`);
    return 0;
  } catch (err) {
    out(`backup failed: ${(err as Error).message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exitCode = await runBackup(process.argv.slice(2), process.env, (line) => console.log(line));
}
