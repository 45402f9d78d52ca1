// `npm run restore -- <backup file>`: puts a backup back where DATABASE_PATH points, with the service stopped.
//
// Copying the backup over the file by hand is not enough after a crash: the old file's -wal stays beside it, and
// SQLite replays it onto the copy at the next start (writes made after the backup come back on pages that no longer
// match, and integrity_check fails). So the copy is checked and written under a temporary name, then the old file goes
// aside with its -wal and -shm and the copy is renamed into place.
import { chmodSync, copyFileSync, mkdirSync, existsSync, fsyncSync, openSync, closeSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { loadConfig } from './config.js';
import { migratedByNewerRelease } from './db/migrate.js';
import { createOwnerOnly } from './db/open.js';

const SIDE_FILES = ['-wal', '-shm', '-journal'];

/** Checks that `backup` is a whole database of this service: integrity_check ok, applied migrations, none newer than this release's. */
function checkBackup(backup: string): void {
  if (!existsSync(backup)) throw new Error(`no backup at ${backup}`);
  // A backup made by npm run backup is one file. A database with a -wal beside it (a copy of a running service's folder,
  // a file-system snapshot) has its latest writes there: read with it, the checks below pass, and the file copied
  // alone would be put in place without them, silently.
  const wal = `${backup}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new Error(
      `${wal} beside it holds writes the file alone does not: make a backup of it first (DATABASE_PATH=${backup} npm run backup -- <new file>) and restore that`,
    );
  }
  const db = new Database(backup, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`${backup} fails integrity_check: ${String(integrity)}`);
    const journal = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
    if (!journal || (db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n === 0) {
      throw new Error(`${backup} holds no applied migrations: it is no backup of this service`);
    }
    // Put in place, it would be refused at the next start, with the file that was there already moved aside.
    const newer = migratedByNewerRelease(db, backup);
    if (newer !== null) throw new Error(newer);
  } finally {
    db.close();
  }
}

/**
 * Moves the database at `path` aside, its -wal and -shm with it, refusing while another connection has it open (the
 * service): leaving WAL mode needs the only connection, and does not wait here.
 */
function moveAside(path: string): string | null {
  if (existsSync(path)) {
    let db: Database.Database | null = null;
    try {
      db = new Database(path, { fileMustExist: true });
      db.pragma('busy_timeout = 0');
      // A WAL left by a crash is replayed into the old file here, so what is kept aside holds every write it had.
      const mode = db.pragma('journal_mode = DELETE', { simple: true });
      if (mode !== 'delete') throw Object.assign(new Error('still in WAL mode'), { code: 'SQLITE_BUSY' });
    } catch (err) {
      if (String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY')) {
        throw new Error(`${path} is in use by another process: stop the service (and any npm run demo or key:create) first`);
      }
      // Not a database, or a damaged one: it is moved aside as it is.
    } finally {
      db?.close();
    }
  } else if (!SIDE_FILES.some((s) => existsSync(`${path}${s}`))) {
    return null;
  }
  const aside = `${path}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  if (existsSync(path)) renameSync(path, aside);
  for (const suffix of SIDE_FILES) if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${aside}${suffix}`);
  return aside;
}

/** Whether two paths name one file (the same inode, whatever the links or relative parts between them). */
function sameFile(a: string, b: string): boolean {
  if (!existsSync(a) || !existsSync(b)) return false;
  const [x, y] = [statSync(a), statSync(b)];
  return x.dev === y.dev && x.ino === y.ino;
}

function syncPath(path: string, flags: 'r' | 'r+'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function runRestore(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const [backup, ...rest] = argv;
  if (backup === undefined || backup.startsWith('-') || rest.length > 0) {
    out(
      'usage: npm run restore -- <backup file>\n\nWith the service stopped, puts <backup file> (made by npm run backup) where DATABASE_PATH ' +
        '(default ./data/tracker.db) points; the file there goes aside as <file>.before-restore-<time>, its -wal and -shm with it.',
    );
    return 2;
  }
  let target: string;
  try {
    // A wrong variable is one line, as at the service's start, not a stack trace.
    target = resolve(loadConfig(env).databasePath);
  } catch (err) {
    out(`restore failed: ${(err as Error).message}`);
    return 1;
  }
  const partial = `${target}.restoring`;
  let written = false;
  try {
    if (sameFile(resolve(backup), target)) throw new Error(`${resolve(backup)} is the database itself: name a backup made by npm run backup`);
    checkBackup(resolve(backup));
    // The copy is made before the file in place goes aside: a copy that fails (a full disk, a name taken) must leave
    // the database where it was, not a missing file the next start would recreate empty.
    // On a new machine the database's folder may not exist yet: the service would create it, so does the restore.
    mkdirSync(dirname(target), { recursive: true });
    rmSync(partial, { force: true });
    createOwnerOnly(partial);
    written = true;
    copyFileSync(resolve(backup), partial);
    // copyFileSync gives the copy the backup's mode: the database holds webhook secrets in clear, so owner only.
    chmodSync(partial, 0o600);
    syncPath(partial, 'r+');
    const aside = moveAside(target);
    renameSync(partial, target);
    // The rename is durable once the folder is: a power cut right after must not bring the old name back.
    syncPath(dirname(target), 'r');
    out(`Restored ${resolve(backup)} to ${target}${aside ? `; the file that was there is kept as ${aside}` : ''}. Start the service.`);
    return 0;
  } catch (err) {
    if (written) rmSync(partial, { force: true });
    out(`restore failed: ${(err as Error).message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exitCode = await runRestore(process.argv.slice(2), process.env, (line) => console.log(line));
}
