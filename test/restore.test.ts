// `npm run restore -- <copy>`: a backup put back where DATABASE_PATH points. Copying the file by hand over that of
// a service that crashed left its -wal beside it, and SQLite replayed it onto the copy at the next start: writes
// made after the backup reappeared, on an index that no longer matched (integrity_check failed).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { backupDatabase } from '../src/backup.js';
import { runMigrations } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open.js';
import { runRestore } from '../src/restore.js';

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-restore-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const NOW = '2026-11-28T09:00:00.000Z';
const addOrganizations = (sqlite: Database.Database, from: number, n: number) => {
  const insert = sqlite.prepare(`INSERT INTO organizations (id, name, kind, country, created_at, updated_at) VALUES (?, ?, 'enterprise', 'BY', '${NOW}', '${NOW}')`);
  for (let i = from; i < from + n; i++) insert.run(`o${i}`, `Organization ${i}`);
};
/**
 * A service's database at `path`, migrated, holding `n` organizations, closed when the test ends. `keepWal`: no
 * checkpoint, so the writes stay in its -wal (as a running service's may).
 */
function liveDatabase(t: Test, path: string, n: number, { keepWal = false } = {}) {
  const service = openDatabase(path);
  t.teardown(() => service.sqlite.close());
  runMigrations(service);
  if (keepWal) service.sqlite.pragma('wal_autocheckpoint = 0');
  addOrganizations(service.sqlite, 0, n);
  return service;
}
const organizations = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return { n: (db.prepare('SELECT count(*) AS n FROM organizations').get() as { n: number }).n, integrity: db.pragma('integrity_check', { simple: true }) };
  } finally {
    db.close();
  }
};

t.test('a restore over the file of a service that crashed brings the copy back exactly, and keeps the old file aside', async (t) => {
  const dir = await tempDir(t);
  const live = join(dir, 'live.db');
  const service = liveDatabase(t, live, 200, { keepWal: true });
  const copy = join(dir, 'backups', 'copy.db');
  await backupDatabase(live, copy);
  chmodSync(copy, 0o644);
  addOrganizations(service.sqlite, 1000, 300);
  // The files as a kill -9 leaves them: the database and a -wal holding the writes made after the backup.
  const crashed = join(dir, 'tracker.db');
  for (const suffix of ['', '-wal', '-shm']) copyFileSync(`${live}${suffix}`, `${crashed}${suffix}`);

  const lines: string[] = [];
  t.equal(await runRestore([copy], { DATABASE_PATH: crashed }, (l) => lines.push(l)), 0, lines.join('\n'));
  t.match(lines.join('\n'), /Restored .*copy\.db to .*tracker\.db/);
  t.notOk(existsSync(`${crashed}-wal`), 'no -wal of the old file is left to be replayed onto the copy');
  t.equal(statSync(crashed).mode & 0o777, 0o600, 'owner only, as the service creates its file, whatever the mode of the backup');
  const restored = openDatabase(crashed);
  runMigrations(restored);
  const n = (restored.sqlite.prepare('SELECT count(*) AS n FROM organizations').get() as { n: number }).n;
  t.equal(restored.sqlite.pragma('integrity_check', { simple: true }), 'ok');
  restored.sqlite.close();
  t.equal(n, 200, 'the organizations of the copy, none written after it');
  const aside = readdirSync(dir).filter((f) => f.startsWith('tracker.db.before-restore-') && !/-(wal|shm)$/.test(f));
  t.equal(aside.length, 1, 'the old file is kept aside');
  t.strictSame(organizations(join(dir, aside[0]!)), { n: 500, integrity: 'ok' }, 'with every write it had, its -wal included');
});

t.test('a restore is refused while the service has the file open, and changes nothing', async (t) => {
  const dir = await tempDir(t);
  const live = join(dir, 'tracker.db');
  const service = liveDatabase(t, live, 10);
  const copy = join(dir, 'copy.db');
  await backupDatabase(live, copy);
  addOrganizations(service.sqlite, 100, 5);

  const lines: string[] = [];
  t.equal(await runRestore([copy], { DATABASE_PATH: live }, (l) => lines.push(l)), 1);
  t.match(lines.pop(), /is in use .*stop the service/);
  t.equal((service.sqlite.prepare('SELECT count(*) AS n FROM organizations').get() as { n: number }).n, 15, 'the live file is untouched');
});

t.test('a restore refuses a copy that is no good database, and a missing argument', async (t) => {
  const dir = await tempDir(t);
  const lines: string[] = [];
  t.equal(await runRestore([], { DATABASE_PATH: join(dir, 'tracker.db') }, (l) => lines.push(l)), 2);
  t.match(lines.pop(), /usage: npm run restore -- <backup file>/);
  const junk = join(dir, 'junk.db');
  new Database(junk).close();
  t.equal(await runRestore([junk], { DATABASE_PATH: join(dir, 'tracker.db') }, (l) => lines.push(l)), 1);
  t.match(lines.pop(), /holds no applied migrations/);
  t.equal(await runRestore([join(dir, 'none.db')], { DATABASE_PATH: join(dir, 'tracker.db') }, (l) => lines.push(l)), 1);
  t.match(lines.pop(), /no backup at/);
  t.notOk(existsSync(join(dir, 'tracker.db')), 'nothing was put in place');
});

t.test('a wrong variable is one line naming it, as at the service start, and nothing is moved', async (t) => {
  const dir = await tempDir(t);
  const lines: string[] = [];
  t.equal(await runRestore([join(dir, 'copy.db')], { DATABASE_PATH: join(dir, 'tracker.db'), PORT: 'abc' }, (l) => lines.push(l)), 1);
  t.match(lines.pop(), /^restore failed: invalid configuration: PORT/);
});

t.test('a restore that fails after its checks leaves the database where it was, not a missing file a start would recreate empty', async (t) => {
  const dir = await tempDir(t);
  const live = join(dir, 'tracker.db');
  const service = liveDatabase(t, live, 10);
  service.sqlite.close();
  const copy = join(dir, 'copy.db');
  await backupDatabase(live, copy);

  // The backup named is the database itself (a slip of the operator's): there is nothing to restore.
  const lines: string[] = [];
  t.equal(await runRestore([live], { DATABASE_PATH: live }, (l) => lines.push(l)), 1);
  t.match(lines.pop(), /restore failed: .*is the database itself/);
  t.strictSame(organizations(live), { n: 10, integrity: 'ok' }, 'the database is where it was');

  // The copy cannot be written (here a folder has the temporary name): the database stays in place.
  mkdirSync(join(dir, 'tracker.db.restoring', 'x'), { recursive: true });
  t.equal(await runRestore([copy], { DATABASE_PATH: live }, (l) => lines.push(l)), 1);
  t.match(lines.pop(), /^restore failed/);
  t.strictSame(organizations(live), { n: 10, integrity: 'ok' }, 'the database is where it was');
  t.same(readdirSync(dir).filter((f) => f.includes('before-restore')), [], 'nothing was moved aside');
});

t.test('on a new machine, where the database folder does not exist yet, the restore creates it and puts the copy there', async (t) => {
  const dir = await tempDir(t);
  const live = join(dir, 'old-machine.db');
  const service = liveDatabase(t, live, 7);
  const copy = join(dir, 'copy.db');
  await backupDatabase(live, copy);
  const target = join(dir, 'data', 'tracker.db');
  const lines: string[] = [];
  t.equal(await runRestore([copy], { DATABASE_PATH: target }, (l) => lines.push(l)), 0, lines.join('\n'));
  t.strictSame(organizations(target), { n: 7, integrity: 'ok' });
});

t.test('a restore refuses a backup taken by a newer release, which this release would refuse to start on, and moves nothing', async (t) => {
  const dir = await tempDir(t);
  const live = join(dir, 'live.db');
  const service = liveDatabase(t, live, 3);
  // A newer release applied a migration this one does not know (drizzle's journal keeps its `when`).
  service.sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-a-newer-release', Date.parse('2100-01-01'));
  service.sqlite.close();
  const copy = join(dir, 'newer.db');
  await backupDatabase(live, copy);
  // The database in place, which this release runs on.
  const current = join(dir, 'tracker.db');
  const database = openDatabase(current);
  runMigrations(database);
  addOrganizations(database.sqlite, 100, 5);
  database.sqlite.close();

  const lines: string[] = [];
  t.equal(await runRestore([copy], { DATABASE_PATH: current }, (l) => lines.push(l)), 1, lines.join('\n'));
  t.match(lines.pop(), /^restore failed: .*newer\.db was migrated by a newer release .*start that release/);
  t.strictSame(readdirSync(dir).filter((f) => f.startsWith('tracker.db')).sort(), ['tracker.db'], 'nothing moved aside, no partial copy left');
  t.strictSame(organizations(current), { n: 5, integrity: 'ok' }, 'the database in place stays where it was');
});

t.test('a copy with writes in a -wal beside it (a snapshot of a running service\'s folder) is refused, not restored without them', async (t) => {
  const dir = await tempDir(t);
  const live = join(dir, 'live.db');
  const service = liveDatabase(t, live, 40, { keepWal: true });
  // The folder copied as it is while the service runs (a file-system snapshot, a copy of the data folder): the
  // database and its -wal, which holds the 40 organizations.
  mkdirSync(join(dir, 'snapshot'));
  const snapshot = join(dir, 'snapshot', 'tracker.db');
  for (const suffix of ['', '-wal']) copyFileSync(`${live}${suffix}`, `${snapshot}${suffix}`);
  t.equal(organizations(snapshot).n, 40, 'read with its -wal, the copy holds them');

  const target = join(dir, 'tracker.db');
  const lines: string[] = [];
  t.equal(await runRestore([snapshot], { DATABASE_PATH: target }, (l) => lines.push(l)), 1, lines.join('\n'));
  t.match(lines.pop(), /^restore failed: .*snapshot\/tracker\.db-wal .*npm run backup/);
  t.notOk(existsSync(target), 'nothing was put in place');
});
