// The database holds API key hashes, webhook secrets in clear and every ministry's reports: a new file, its
// WAL and its backups are readable by their owner only, whatever the umask.
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { backupDatabase } from '../src/backup.js';
import { runMigrations } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open.js';

const mode = (file: string) => statSync(file).mode & 0o777;

t.test('a new database, its -wal and -shm files and a backup of it are created owner-only', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-mode-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const previous = process.umask(0o022);
  t.teardown(() => process.umask(previous));
  const path = join(dir, 'nested', 'tracker.db');
  const database = openDatabase(path);
  runMigrations(database);
  database.sqlite.prepare("INSERT INTO organizations (id, name, kind, country, created_at, updated_at) VALUES ('o1', 'Org', 'ministry', 'BY', 'x', 'x')").run();
  for (const file of [path, `${path}-wal`, `${path}-shm`]) t.equal(mode(file), 0o600, `${file.slice(dir.length)} is 0600`);

  const copy = join(dir, 'backups', 'copy.db');
  await backupDatabase(path, copy);
  database.sqlite.close();
  t.equal(mode(copy), 0o600, 'the backup is 0600');
});

t.test('an existing database keeps the permissions its operator gave it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-mode-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'tracker.db');
  writeFileSync(path, '');
  chmodSync(path, 0o640);
  const database = openDatabase(path);
  runMigrations(database);
  database.sqlite.close();
  t.equal(mode(path), 0o640);
});
