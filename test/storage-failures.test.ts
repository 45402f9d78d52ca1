// When the storage itself refuses writes while the service runs — its disk full, its files no longer writable, the disk
// failing — a write is a 503 problem that says so in plain words, nothing of it is kept, reads go on, and GET /health
// answers 503 (a problem document saying why and since when) until a write is kept again.
//
// How a file becomes unwritable under a running connection, as tried on this project's machine (Linux, ext4, root):
// - chmod 0444 of the file, its -wal and -shm (also as an unprivileged user, also with the folder 0555), unlinking or
//   renaming the file: no effect at all. SQLite keeps the files it opened and writes on through them; only the next
//   start sees the permissions (and refuses the file: test/startup-errors.test.ts).
// - remounting the file system read-only (`mount -o remount,ro`, also a bind mount): refused by the kernel, "busy",
//   while the service holds the files open for writing.
// - ext4 remounting itself read-only after an error (errors=remount-ro, triggered on a loop-mounted image through
//   /sys/fs/ext4/<dev>/trigger_fs_error): writes fail with SQLITE_IOERR_WRITE, a checkpoint with SQLITE_IOERR_FSYNC.
//   Not SQLITE_READONLY: that code comes from a file opened read-only, i.e. at start.
// - the immutable flag (chattr +i) on the file and its -wal: writes fail as on the read-only file system
//   (SQLITE_IOERR_WRITE). That is the test below, run where chattr works (root on ext4). Never on the -shm: SQLite
//   maps it, and writing a mapped immutable page kills the process with SIGBUS.
// The codes no honest trick produced here (SQLITE_READONLY and its variants, SQLITE_CANTOPEN, other I/O errors) are
// injected at COMMIT.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import type { Test } from 'tap';
import type { App } from '../src/app.js';
import { writeFailed, writeFailure, writeMark, writesKept, watchWrites } from '../src/db/storage-health.js';
import { assertProblem, build, DEFAULT_NOW, failCommits, json, loggedAppOnFile, SECRETARIAT_TOKEN, snapshot, testClock, type TestClock } from './helper.js';

const LATER = '2026-11-28T09:07:00.000Z';

async function appOnFile(t: Test, clock: TestClock = testClock()) {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-storage-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'tracker.db');
  const app = await build(t, clock, { databasePath });
  return { app, dir, databasePath };
}

const create = (n: number) => ({
  method: 'POST' as const,
  url: '/v1/organizations',
  payload: { name: `Organization ${n} of the Republic ${'x'.repeat(250)}`, kind: 'enterprise', country: 'BY' },
});

/**
 * The next turn of the event loop. An answer given in the turn a commit group was lost is refused like the group's
 * writes (it may have read them: test/storage-refusals.test.ts), /health's too; the next turn's are not.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const health = async (app: App) => {
  await nextTurn();
  return app.inject({ method: 'GET', url: '/health', headers: { authorization: undefined } });
};

const OK = { status: 'ok', database: 'ok' };

const REASON_WORDS: Record<string, RegExp> = {
  'disk-full': /its disk is full/,
  'read-only': /its storage became read-only/,
  'io-error': /its disk failed a read or write/,
  moved: /its file was moved or deleted under the running service/,
};

/** Asserts GET /health says writes are failing, for `reason`, since `since`, and returns its problem document. */
async function assertDegraded(t: Test, app: App, reason: string, since: string, lastFailedAt = since) {
  const res = await health(app);
  assertProblem(t, res, 503, 'service-unavailable');
  t.equal(res.headers['retry-after'], '60');
  const body = json(res);
  t.match(body.detail, REASON_WORDS[reason] as RegExp, `/health says why: ${reason}`);
  t.match(body.detail, `writes are failing since ${since}`, 'and since when');
  t.match(body.detail, `the latest failure at ${lastFailedAt}`);
  t.match(body.detail, /Reads are served/);
  t.notMatch(res.body, /SQLITE|errno|\/tmp|tracker\.db/i, 'nothing internal');
  return body;
}

/** Whether the immutable flag can be set on a file of the temp folder (root, on a file system that has it). */
async function canMakeImmutable(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-chattr-'));
  const probe = join(dir, 'probe');
  await writeFile(probe, '');
  try {
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const immutable = await canMakeImmutable();

t.test(
  'a database made unwritable under the running service: 503 not 500, reads go on, /health degraded until a write is kept',
  { skip: immutable ? false : 'chattr +i is not available here (needs root on a file system with the immutable flag)' },
  async (t) => {
    const clock = testClock();
    const { app, databasePath } = await appOnFile(t, clock);
    t.equal((await app.inject(create(0))).statusCode, 201);
    const files = [databasePath, `${databasePath}-wal`];
    const writable = () => execFileSync('chattr', ['-i', ...files], { stdio: 'ignore' });
    execFileSync('chattr', ['+i', ...files]);
    t.teardown(writable);

    const before = snapshot(app);
    const refused = await app.inject(create(1));
    const problem = assertProblem(t, refused, 503, 'service-unavailable');
    t.equal(problem.detail, 'the database storage failed to read or write. Nothing was written; retry later');
    t.equal(refused.headers['retry-after'], '60', 'when to retry, as for a full disk');
    t.notOk(refused.headers.location);
    t.notMatch(refused.body, /I\/O|disk I\/O|tracker\.db|\/tmp/, 'nothing internal');
    t.strictSame(snapshot(app), before, 'nothing was written');
    await assertDegraded(t, app, 'io-error', DEFAULT_NOW);

    // A minute later the key's next request marks it used, a write the storage refuses too: the read is answered all the same.
    clock.set(LATER);
    const list = await app.inject({ method: 'GET', url: '/v1/organizations' });
    t.equal(list.statusCode, 200, 'reads go on, also one whose "last used" mark fails');
    t.equal(json(list).items.length, 1);
    await assertDegraded(t, app, 'io-error', DEFAULT_NOW, LATER);

    writable();
    t.equal((await app.inject(create(2))).statusCode, 201, 'writable again: the write is kept, without a restart');
    const res = await health(app);
    t.equal(res.statusCode, 200);
    t.strictSame(json(res), OK, 'and /health is ok again');
  },
);

const refusals = [
  { code: 'SQLITE_READONLY', message: 'attempt to write a readonly database', reason: 'read-only', detail: /read-only/ },
  { code: 'SQLITE_READONLY_DBMOVED', message: 'attempt to write a readonly database', reason: 'moved', detail: /moved or deleted/ },
  { code: 'SQLITE_IOERR_FSYNC', message: 'disk I/O error', reason: 'io-error', detail: /failed to read or write/ },
  { code: 'SQLITE_CANTOPEN', message: 'unable to open database file', reason: 'io-error', detail: /failed to read or write/ },
  { code: 'SQLITE_FULL', message: 'database or disk is full', reason: 'disk-full', detail: /disk is full/ },
];

for (const { code, message, reason, detail } of refusals) {
  t.test(`a COMMIT refused with ${code}: 503 with Retry-After, nothing kept, /health degraded (${reason}), then healthy after a kept write`, async (t) => {
    const clock = testClock();
    const { app } = await appOnFile(t, clock);
    // The write's COMMIT, then the trial write of the first GET /health (none for a moved file: only a restart mends it).
    const injected = failCommits(t, app, () => new Database.SqliteError(message, code), reason === 'moved' ? 1 : 2);
    const before = snapshot(app);
    const res = await app.inject(create(1));
    const problem = assertProblem(t, res, 503, 'service-unavailable');
    t.match(problem.detail, detail);
    t.notMatch(res.body, new RegExp(message, 'i'), "the storage's own words stay in the log");
    t.equal(res.headers['retry-after'], '60');
    t.strictSame(snapshot(app), before, 'nothing was written');
    await assertDegraded(t, app, reason, DEFAULT_NOW);
    t.equal(injected.left(), 0, 'each COMMIT refused');
    t.equal((await app.inject({ method: 'GET', url: '/v1/organizations' })).statusCode, 200, 'reads go on');
    clock.set(LATER);
    t.equal((await app.inject(create(2))).statusCode, 201);
    t.strictSame(json(await health(app)), OK, 'the kept write ends it');
  });
}

t.test('a full disk: /health is degraded from the first refusal, keeps that time across the next ones, and is ok once a write fits', async (t) => {
  const clock = testClock();
  const { app } = await appOnFile(t, clock);
  t.equal((await app.inject(create(0))).statusCode, 201);
  t.strictSame(json(await health(app)), OK);
  app.sqlite.pragma(`max_page_count = ${app.sqlite.pragma('page_count', { simple: true }) as number}`);
  let n = 1;
  while (n < 200 && (await app.inject(create(n))).statusCode === 201) n++;
  t.ok(n < 200, 'the file filled up');
  await assertDegraded(t, app, 'disk-full', DEFAULT_NOW);
  clock.set(LATER);
  t.equal((await app.inject(create(n))).statusCode, 503, 'still full');
  await assertDegraded(t, app, 'disk-full', DEFAULT_NOW, LATER);
  await nextTurn();
  t.equal((await app.inject({ method: 'GET', url: '/v1/organizations?limit=200' })).statusCode, 200, 'reads go on');
  await assertDegraded(t, app, 'disk-full', DEFAULT_NOW, LATER);

  app.sqlite.pragma('max_page_count = 1073741823');
  t.equal((await app.inject(create(n))).statusCode, 201);
  t.strictSame(json(await health(app)), OK);
});

t.test('a full disk made free again while no caller writes: /health is ok again by its own trial write, tried at most every 10 s', async (t) => {
  // A load balancer takes an instance whose /health is 503 out of service, and then no caller sends it the write that
  // would show the disk free again: without a trial write of its own, /health stayed 503 for good.
  const clock = testClock();
  const { app } = await appOnFile(t, clock);
  t.equal((await app.inject(create(0))).statusCode, 201);
  const pages = app.sqlite.pragma('page_count', { simple: true }) as number;
  app.sqlite.pragma(`max_page_count = ${pages}`);
  let n = 1;
  while (n < 200 && (await app.inject(create(n))).statusCode === 201) n++;
  t.ok(n < 200, 'the file filled up');
  const rows = () => app.sqlite.prepare('SELECT count(*) FROM organizations').pluck().get();
  const organizations = rows();
  const changes = () => app.sqlite.prepare('SELECT total_changes()').pluck().get() as number;

  // The refused writes were at DEFAULT_NOW; a trial write refused at 09:00:05 is one more failure, at that time.
  clock.set('2026-11-28T09:00:05.000Z');
  await assertDegraded(t, app, 'disk-full', DEFAULT_NOW, '2026-11-28T09:00:05.000Z');
  t.equal(app.sqlite.prepare('SELECT count(*) FROM storage_probes').pluck().get(), 0, 'nothing of the trial kept');

  app.sqlite.pragma('max_page_count = 1073741823');
  // No second trial within 10 s (the disk is free now, so one would have been kept): /health stays cheap for a monitor.
  clock.set('2026-11-28T09:00:14.999Z');
  await assertDegraded(t, app, 'disk-full', DEFAULT_NOW, '2026-11-28T09:00:05.000Z');

  clock.set('2026-11-28T09:00:15.000Z');
  let before = changes();
  const res = await health(app);
  t.strictSame(json(res), OK, 'the trial write is kept: healthy again without a write of a caller');
  t.equal(changes(), before + 2, 'its row inserted and deleted');
  t.equal(app.sqlite.prepare('SELECT count(*) FROM storage_probes').pluck().get(), 0, 'the trial row is gone');
  t.equal(rows(), organizations, 'nothing else written');
  before = changes();
  t.strictSame(json(await health(app)), OK);
  t.equal(changes(), before, 'and no trial write while writes succeed');
  t.equal((await app.inject(create(n))).statusCode, 201, 'writes are taken');
});

t.test("/health's trial write does not wait for another program's write lock, and is tried again by the next /health", { timeout: 30_000 }, async (t) => {
  const clock = testClock();
  const { app, databasePath } = await appOnFile(t, clock);
  t.equal((await app.inject(create(0))).statusCode, 201);
  app.sqlite.pragma(`max_page_count = ${app.sqlite.pragma('page_count', { simple: true }) as number}`);
  let n = 1;
  while (n < 200 && (await app.inject(create(n))).statusCode === 201) n++;
  t.ok(n < 200, 'the file filled up');
  app.sqlite.pragma('max_page_count = 1073741823');

  // Another program holds the write lock; the connection would wait 10 minutes for it (the test's timeout is 30 s).
  const other = new Database(databasePath);
  t.teardown(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  app.sqlite.pragma('busy_timeout = 600000');
  clock.set('2026-11-28T09:00:05.000Z');
  await assertDegraded(t, app, 'disk-full', DEFAULT_NOW, DEFAULT_NOW);
  t.equal(app.sqlite.pragma('busy_timeout', { simple: true }), 600000, "the connection's busy timeout is as it was");

  // The lock released a second later: the next /health tries at once, not 10 s after the busy try.
  other.exec('ROLLBACK');
  clock.set('2026-11-28T09:00:06.000Z');
  t.strictSame(json(await health(app)), OK, 'the trial write is kept: healthy again');
});

t.test('/health stays ok for what is no failure of the storage: a refused request, a busy database', { timeout: 60_000 }, async (t) => {
  const { app, databasePath } = await appOnFile(t);
  t.equal((await app.inject({ ...create(1), payload: { name: '' } })).statusCode, 400);
  t.equal((await app.inject({ method: 'PATCH', url: '/v1/organizations/019a7c2e-7a10-7000-8000-000000000001', payload: { name: 'X' } })).statusCode, 404);
  t.strictSame(json(await health(app)), OK, 'after a validation error and a 404');
  const other = new Database(databasePath);
  t.teardown(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  app.sqlite.pragma('busy_timeout = 50');
  t.equal((await app.inject(create(1))).statusCode, 503);
  other.exec('ROLLBACK');
  t.strictSame(json(await health(app)), OK, "another program's lock passes on its own: not a failing disk");
});

t.test('/health needs no key, its degraded answer is the same for any caller, and it writes nothing while writes succeed', async (t) => {
  const { app } = await appOnFile(t);
  const changes = () => app.sqlite.prepare('SELECT total_changes()').pluck().get();
  let before = changes();
  t.strictSame(json(await health(app)), OK);
  t.equal(changes(), before, 'healthy: no write');

  failCommits(t, app, () => new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'));
  t.equal((await app.inject(create(1))).statusCode, 503);
  before = changes();
  const answers = await Promise.all(
    [undefined, 'Bearer not-a-key', `Bearer ${SECRETARIAT_TOKEN}`].map((authorization) => app.inject({ method: 'GET', url: '/health', headers: { authorization } })),
  );
  t.same(answers.map((r) => r.statusCode), [503, 503, 503]);
  t.same(new Set(answers.map((r) => json(r).detail)).size, 1, 'one answer for all');
  t.equal(changes(), (before as number) + 2, 'one trial write for the three (its row inserted and deleted, then rolled back)');
  t.equal(app.sqlite.prepare('SELECT count(*) FROM storage_probes').pluck().get(), 0, 'nothing of it kept');
});

t.test('a failing storage is logged as an error for the operator, with its cause', async (t) => {
  const { app, records } = await loggedAppOnFile(t);
  const send = () => app.inject({ ...create(1), headers: { authorization: `Bearer ${SECRETARIAT_TOKEN}` } });
  const errors = () => records<{ level: number; msg: string; err?: { code?: string } }>().filter((l) => l.level === 50);
  failCommits(t, app, () => new Database.SqliteError('attempt to write a readonly database', 'SQLITE_READONLY'), 1);
  t.equal((await send()).statusCode, 503);
  t.match(errors(), [{ msg: /read-only: writes are refused/, err: { code: 'SQLITE_READONLY' } }]);
  failCommits(t, app, () => new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'), 1);
  t.equal((await send()).statusCode, 503);
  t.match(errors()[1], { msg: /failed to read or write/, err: { code: 'SQLITE_IOERR_WRITE' } });
});

t.test('the failure of writes, without HTTP: only a write made after the last failure and kept ends it', async (t) => {
  const sqlite = new Database(':memory:');
  t.teardown(() => sqlite.close());
  const clock = testClock();
  const full = new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
  t.equal(writeFailure(sqlite), null, 'unwatched: nothing recorded');
  writeFailed(sqlite, full);
  t.equal(writeFailure(sqlite), null);

  watchWrites(sqlite, clock);
  writeFailed(sqlite, new Error('not a storage error'));
  writeFailed(sqlite, new Database.SqliteError('database is locked', 'SQLITE_BUSY'));
  t.equal(writeFailure(sqlite), null, 'a domain error or a busy database is no failure of the storage');

  // One group: a write that fitted, then one refused for a full disk; the group's COMMIT keeps the first.
  const fitted = writeMark(sqlite);
  writeFailed(sqlite, full);
  writesKept(sqlite, fitted);
  t.match(writeFailure(sqlite), { kind: 'full', since: new Date(DEFAULT_NOW) }, 'a failure after the kept write stands');

  clock.set(LATER);
  writeFailed(sqlite, new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE'));
  t.strictSame(writeFailure(sqlite), { kind: 'io', since: new Date(DEFAULT_NOW), lastAt: new Date(LATER) }, 'the kind is the latest, the time the first');
  // drizzle wraps the driver's error in its own.
  writeFailed(sqlite, new Error('Failed query', { cause: new Database.SqliteError('attempt to write a readonly database', 'SQLITE_READONLY_CANTLOCK') }));
  t.equal(writeFailure(sqlite)?.kind, 'read-only');

  writesKept(sqlite, writeMark(sqlite));
  t.equal(writeFailure(sqlite), null, 'a write kept after the failure ends it');
});

t.test('a database file moved, replaced or deleted under the running service: writes refused with 503, /health says so', async (t) => {
  // SQLite writes on through the file it has open, without an error in WAL mode: each write would be acknowledged into
  // a file the next start does not open, and lost then. Found by a review; before, every write below was a 201.
  const { app, dir, databasePath } = await appOnFile(t);
  t.equal((await app.inject(create(1))).statusCode, 201);
  const count = async () => json<{ items: unknown[] }>(await app.inject({ method: 'GET', url: '/v1/organizations?limit=200' })).items.length;
  const aside = join(dir, 'moved-away.db');

  const assertRefused = async (what: string) => {
    const before = await count();
    const res = await health(app);
    assertProblem(t, res, 503, 'service-unavailable');
    t.match(json(res).detail, /the database file was moved or deleted under the running service/, `${what}: /health says so at once`);
    t.equal(res.headers['retry-after'], '60');
    const write = await app.inject(create(2));
    assertProblem(t, write, 503, 'service-unavailable');
    t.match(json(write).detail, /moved or deleted while the service ran\. Nothing was written; the service must be restarted/, `${what}: the write is refused`);
    t.notMatch(write.body, /tracker\.db|moved-away|SQLITE/, 'neither the path nor the code');
    t.equal(await count(), before, `${what}: reads go on, and nothing was added`);
  };

  await rename(databasePath, aside);
  await assertRefused('renamed');

  // Moved back: the same file again, and writes are taken.
  await rename(aside, databasePath);
  t.equal((await app.inject(create(3))).statusCode, 201, 'back in place: a write is taken again');
  t.strictSame(json(await health(app)), OK, 'and the service is healthy');

  // Another file put in its place (a backup moved over it by hand): not the file the service writes.
  await copyFile(databasePath, aside);
  await rename(aside, databasePath);
  await assertRefused('replaced');

  await unlink(databasePath);
  await assertRefused('deleted');
});
