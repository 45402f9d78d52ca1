// `npm run backup -- <file>`: an online copy taken while the real server keeps writing, verified, and
// restorable: a server started on the copy serves every write acknowledged before the backup began.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { countDifferences, runBackup } from '../src/backup.js';
import { openMigrated } from '../src/db/open.js';
import { exited, ROOT, startServer } from './process.js';

const TOKEN = 'backup-test-bootstrap-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** Runs the backup command as its own process, as an operator would beside the running service. */
function backupProcess(databasePath: string, target: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !/^_?TAP/.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/backup.ts', target], {
    cwd: ROOT,
    env: { ...env, _TAPJS_PROCESSINFO_COVERAGE_: '0', DATABASE_PATH: databasePath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  return exited(child, 30_000).then(({ code }) => ({ code, out }));
}

t.test('a backup taken while writes go on is consistent, and a server restored from it serves what was acknowledged', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-backup-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const live = await startServer(t, { TRACKER_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '0' }, join(dir, 'live.db'));

  let acknowledged = 0;
  const create = async (i: number) => {
    const res = await fetch(`${live.base}/v1/organizations`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: `Organization ${i}`, kind: 'enterprise', country: 'BY' }),
    });
    if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
    acknowledged++;
  };
  for (let i = 0; i < 50; i++) await create(i);
  const beforeBackup = acknowledged;

  // Writers keep going while the backup runs in its own process.
  let writing = true;
  const writer = (async () => {
    for (let i = 1000; writing; i++) await create(i);
  })();
  const copy = join(dir, 'backups', 'copy.db');
  const backup = await backupProcess(live.databasePath, copy);
  writing = false;
  await writer;
  t.equal(backup.code, 0, backup.out);
  t.match(backup.out, /as many in each table as the source held at the copy's moment; integrity_check ok/);
  t.ok(acknowledged > beforeBackup, `writes went on during the backup (${acknowledged - beforeBackup} more)`);

  const db = new Database(copy, { readonly: true });
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'the copy passes integrity_check');
  const inCopy = (db.prepare('SELECT count(*) AS n FROM organizations').get() as { n: number }).n;
  db.close();
  t.ok(inCopy >= beforeBackup && inCopy <= acknowledged, `the copy holds ${inCopy} organizations: every one acknowledged before it began (${beforeBackup}), none invented`);
  const stopped = await live.stop();
  t.equal(stopped.code, 0);

  // Restore = start the service on the copy.
  const restored = await startServer(t, { LOG_LEVEL: 'warn' }, copy);
  // Every page: the list is ordered by name, so the writes made during the backup sort among the first ones.
  const served = new Set<string>();
  const statuses = new Set<number>();
  for (let cursor: string | null = ''; cursor !== null; ) {
    const res = await fetch(`${restored.base}/v1/organizations?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: auth });
    statuses.add(res.status);
    if (res.status !== 200) break;
    const page = (await res.json()) as { items: { name: string }[]; nextCursor: string | null };
    for (const o of page.items) served.add(o.name);
    cursor = page.nextCursor;
  }
  t.same([...statuses], [200], 'the restored service accepts the same key');
  const missing = Array.from({ length: beforeBackup }, (_, i) => `Organization ${i}`).filter((name) => !served.has(name));
  t.same(missing, [], `and serves every organization acknowledged before the backup began (${beforeBackup})`);
  t.equal((await restored.stop()).code, 0);
});

t.test('the backup command refuses a missing argument, an existing file, a missing database and a wrong variable', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-backup-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  const out = (line: string) => lines.push(line);
  t.equal(await runBackup([], { DATABASE_PATH: join(dir, 'none.db') }, out), 2, 'no file: usage');
  t.match(lines.pop(), /usage: npm run backup -- <file>/);
  t.equal(await runBackup([join(dir, 'copy.db')], { DATABASE_PATH: join(dir, 'none.db') }, out), 1, 'no database');
  t.match(lines.pop(), /no database at/);
  t.equal(await runBackup([join(dir, 'copy.db')], { DATABASE_PATH: join(dir, 'none.db'), LOG_LEVEL: 'loud' }, out), 1, 'a wrong variable');
  t.match(lines.pop(), /^backup failed: invalid configuration: LOG_LEVEL/, 'one line naming it, not a stack trace');
  const source = join(dir, 'src.db');
  new Database(source).close();
  const target = join(dir, 'exists.db');
  const existing = new Database(target);
  existing.exec("CREATE TABLE kept (note TEXT); INSERT INTO kept VALUES ('an older backup')");
  existing.close();
  t.equal(await runBackup([target], { DATABASE_PATH: source }, out), 1, 'an existing target is refused');
  t.match(lines.pop(), /already exists/);
  const after = new Database(target, { readonly: true });
  t.same(after.prepare('SELECT note FROM kept').pluck().all(), ['an older backup'], 'and left as it was');
  after.close();
  t.notOk(existsSync(`${target}.partial`), 'no partial file is left behind');
  // A name ending in a slash names a folder: it is refused, not written as a file named without the slash.
  const migrated = join(dir, 'tracker.db');
  openMigrated(migrated).database.sqlite.close();
  t.equal(await runBackup([`${join(dir, 'nightly')}/`], { DATABASE_PATH: migrated }, out), 1, 'a folder name is refused');
  t.match(lines.pop(), /names a folder.*give a file name/);
  t.notOk(existsSync(join(dir, 'nightly')), 'and nothing is written');
});

t.test('the copy is compared with the source table by table: a row lost or gained, or a table missing, is named', async (t) => {
  t.same(countDifferences({ a: 1, b: 2 }, { a: 1, b: 2 }), []);
  t.same(countDifferences({ a: 1, b: 2, c: 0 }, { a: 1, b: 3, d: 4 }), [
    'b: 2 in the source, 3 in the copy',
    'c: 0 in the source, no table in the copy',
    'd: no table in the source, 4 in the copy',
  ]);
});
