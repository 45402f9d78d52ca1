// When the database refuses a write for a reason that passes — another program holds its write lock, its disk is
// full — the caller gets 503 with Retry-After and nothing is written: not a 500, which reads as a defect of the
// service. Reads go on meanwhile, and writes are accepted again as soon as the database can take them, without a
// restart. The disk is "filled" with SQLite's max_page_count (the file may not grow: SQLITE_FULL, as on a full disk),
// the lock is another connection's BEGIN IMMEDIATE, and a failed COMMIT is injected into the group commit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import t from 'tap';
import type { Test } from 'tap';
import { writeTransaction } from '../src/db/connection.js';
import type { App } from '../src/app.js';
import { asSecretariat, assertProblem, build, failCommits, json, loggedAppOnFile, snapshot, testClock } from './helper.js';
import { approvedTask } from './factories.js';

/** The next turn of the event loop, where the commit group of this one has ended. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function appOnFile(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-storage-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'tracker.db');
  const app = await build(t, testClock(), { databasePath });
  return { app, databasePath };
}

/** A new organization with a long name: a few fill a page of the table and of the history. */
const create = (n: number, key?: string) => ({
  method: 'POST' as const,
  url: '/v1/organizations',
  headers: key ? { 'idempotency-key': key } : {},
  payload: { name: `Organization ${n} of the Republic ${'x'.repeat(250)}`, kind: 'enterprise', country: 'BY' },
});

t.test('a full disk: the write is refused with 503 and Retry-After, nothing is written, reads go on, and writes resume', async (t) => {
  const { app } = await appOnFile(t);
  t.equal((await app.inject(create(0))).statusCode, 201);
  // From here the file may not grow by a page.
  const pages = app.sqlite.pragma('page_count', { simple: true }) as number;
  app.sqlite.pragma(`max_page_count = ${pages}`);
  let n = 1;
  let refusal;
  let before = snapshot(app);
  for (; n < 200; n++) {
    before = snapshot(app);
    const res = await app.inject(create(n, `full-${n}`));
    if (res.statusCode !== 201) {
      refusal = res;
      break;
    }
  }
  t.ok(refusal, `a write was refused once the file was full (after ${n - 1} that fitted)`);
  if (!refusal) return;
  const problem = assertProblem(t, refusal, 503, 'service-unavailable');
  t.match(problem.detail, /disk is full/, 'the detail says why');
  t.equal(refusal.headers['retry-after'], '60', 'and when to try again');
  t.notOk(refusal.headers.location, 'no Location of a resource that does not exist');
  t.strictSame(snapshot(app), before, 'nothing was written');
  // Reads answered in the turn a group was lost are refused too (they may have read its writes); the next turn's are not.
  await nextTurn();
  const list = await app.inject({ method: 'GET', url: '/v1/organizations?limit=200' });
  t.equal(list.statusCode, 200, 'reads go on');
  t.equal(json(list).items.length, n, 'every write acknowledged before is there');

  app.sqlite.pragma('max_page_count = 1073741823'); // space was freed
  const retried = await app.inject(create(n, `full-${n}`));
  t.equal(retried.statusCode, 201, 'the same request with the same key succeeds once there is room');
  t.equal(retried.headers['idempotent-replayed'], undefined, 'run now, not replayed: the refusal was not remembered');
});

t.test('writes at once as the disk fills: every 201 is kept and every 503 is not, though SQLite rolls back the whole group', async (t) => {
  // SQLite ends the whole transaction on its own when a statement meets a full disk: the writes the turn made before
  // it are gone too, and must not be acknowledged; the writes after it open a group of their own.
  const { app } = await appOnFile(t);
  t.equal((await app.inject(create(0))).statusCode, 201);
  // Without free pages (a migration that rebuilds a table leaves some), the room is the 3 pages of growth alone: with
  // more, the groups that fail happened to split the 40 writes evenly, and none was left to fit.
  app.sqlite.exec('VACUUM');
  const pages = app.sqlite.pragma('page_count', { simple: true }) as number;
  app.sqlite.pragma(`max_page_count = ${pages + 3}`);
  const names = Array.from({ length: 40 }, (_, i) => create(i + 1, `at-once-${i + 1}`));
  const answers = await Promise.all(names.map((request) => app.inject(request)));
  const statuses = answers.map((res) => res.statusCode);
  t.ok(statuses.every((status) => status === 201 || status === 503), `only 201 and 503 (${statuses.join(' ')})`);
  t.ok(statuses.includes(503), 'the disk filled');
  t.ok(statuses.includes(201), 'and writes of a group that fitted were kept');
  const kept = new Set(app.sqlite.prepare('SELECT name FROM organizations').pluck().all() as string[]);
  const acknowledged = names.filter((_, i) => statuses[i] === 201).map((r) => r.payload.name);
  const refused = names.filter((_, i) => statuses[i] === 503).map((r) => r.payload.name);
  t.same(acknowledged.filter((name) => !kept.has(name)), [], `every acknowledged write is kept (${acknowledged.length})`);
  t.same(refused.filter((name) => kept.has(name)), [], `no refused write is (${refused.length})`);
  t.equal(kept.size, acknowledged.length + 1, 'and nothing else');
  t.equal(app.sqlite.pragma('integrity_check', { simple: true }), 'ok');
  app.sqlite.pragma('max_page_count = 1073741823');
  t.equal((await app.inject(create(100))).statusCode, 201, 'with room again, writes are kept');
});

t.test("another program's write lock: reads go on without waiting for it, a write past the busy timeout is a 503, then writes resume", { timeout: 60_000 }, async (t) => {
  const { app, databasePath } = await appOnFile(t);
  const other = new Database(databasePath);
  t.teardown(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  const lastUsed = () => app.sqlite.prepare('SELECT last_used_at FROM api_keys').pluck().all();
  t.same(lastUsed(), [null], 'the key has not been used yet: its first request records that, a write');
  // Were the read to wait for the lock (the key's "last used" mark), it would outlast the test's own timeout: no
  // timing is measured.
  app.sqlite.pragma('busy_timeout = 600000');
  t.equal((await app.inject({ method: 'GET', url: '/v1/organizations' })).statusCode, 200, 'a read goes on beside the lock');
  t.same(lastUsed(), [null], 'without waiting to mark the key as used (a later request will)');
  t.equal(app.sqlite.pragma('busy_timeout', { simple: true }), 600000, 'the busy timeout is as it was');

  app.sqlite.pragma('busy_timeout = 50'); // 5 s in service: not worth waiting in a test
  const before = snapshot(app);
  const busy = await app.inject(create(1));
  const problem = assertProblem(t, busy, 503, 'service-unavailable');
  t.match(problem.detail, /busy with another program's write/);
  t.equal(busy.headers['retry-after'], '5');
  t.strictSame(snapshot(app), before, 'nothing was written');
  other.exec('ROLLBACK');
  t.equal((await app.inject(create(1))).statusCode, 201, 'the lock released, the write goes through');
  t.equal(lastUsed().filter((at) => at !== null).length, 1, 'and the key is marked as used');
});

const diskFull = () => new Database.SqliteError('database or disk is full', 'SQLITE_FULL');

t.test('a COMMIT that fails for a full disk answers every write of its group 503, and none of them is kept', async (t) => {
  const { app } = await appOnFile(t);
  const injected = failCommits(t, app, diskFull, 1);
  const before = snapshot(app);
  // Both in one turn of the event loop: one group, one COMMIT.
  const answers = await Promise.all([app.inject(create(1, 'group-1')), app.inject(create(2, 'group-2'))]);
  for (const res of answers) {
    assertProblem(t, res, 503, 'service-unavailable');
    t.equal(res.headers['retry-after'], '60');
    for (const header of ['etag', 'location', 'idempotent-replayed']) t.notOk(res.headers[header], `no ${header}`);
  }
  t.equal(injected.left(), 0, 'the injected failure was met');
  t.strictSame(snapshot(app), before, 'the whole group was rolled back');
  const again = await app.inject(create(1, 'group-1'));
  t.equal(again.statusCode, 201, 'the next COMMIT succeeds');
  t.equal(again.headers['idempotent-replayed'], undefined, 'and the key was not taken by the failed one');
});

t.test('any other database error is still a 500 that says nothing of its cause', async (t) => {
  // Failures of the storage itself (read-only, I/O errors) are 503: test/storage-failures.test.ts.
  const { app } = await appOnFile(t);
  failCommits(t, app, () => new Database.SqliteError('FOREIGN KEY constraint failed', 'SQLITE_CONSTRAINT_FOREIGNKEY'));
  const res = await app.inject(create(1));
  const problem = assertProblem(t, res, 500, 'internal-error');
  t.notMatch(res.body, /foreign|constraint/i, 'the cause stays in the log');
  t.match(problem.detail, /quote request id/);
});

t.test('the operator hears of it: a full disk is logged as an error, a busy database as a warning', async (t) => {
  const { app, records } = await loggedAppOnFile(t);
  const send = (n: number) => app.inject({ ...create(n), headers: asSecretariat });
  const logged = (level: number, msg: RegExp) =>
    records<{ level: number; msg: string; err?: { code?: string } }>().filter((l) => l.level === level && msg.test(l.msg));

  const injected = failCommits(t, app, diskFull, 1);
  t.equal((await send(1)).statusCode, 503);
  t.equal(injected.left(), 0);
  t.match(logged(50, /disk is full/), [{ err: { code: 'SQLITE_FULL' } }], 'an error, with its cause');

  app.sqlite.pragma('busy_timeout = 50');
  const other = new Database(app.sqlite.name);
  t.teardown(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  t.equal((await send(2)).statusCode, 503);
  other.exec('ROLLBACK');
  t.equal(logged(40, /busy/).length, 1, 'a warning');
  t.same(logged(50, /busy/), [], 'not an error');
});

/**
 * Once a statement whose SQL matches `after` has run, one microtask later (another request's turn to run, a handler
 * awaiting), a write of another caller meets a full disk and SQLite rolls back the whole open transaction, as it
 * does: the open group is lost with every write in it.
 */
function loseGroupAfter(app: App, after: RegExp) {
  const statement = Object.getPrototypeOf(app.sqlite.prepare('SELECT 1')) as Record<'run' | 'all' | 'get' | 'iterate', (...args: unknown[]) => unknown>;
  const originals = { run: statement.run, all: statement.all, get: statement.get, iterate: statement.iterate };
  let armed = true;
  let lost: unknown = null;
  for (const method of ['run', 'all', 'get', 'iterate'] as const) {
    const original = originals[method];
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      const result = original.apply(this, args);
      if (armed && after.test(this.source)) {
        armed = false;
        queueMicrotask(() => {
          try {
            writeTransaction(app.db, () => {
              app.sqlite.exec('ROLLBACK');
              throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
            });
          } catch (err) {
            lost = err;
          }
        });
      }
      return result;
    };
  }
  return {
    restore: () => Object.assign(statement, originals),
    lost: () => lost,
  };
}

t.test('a write answered turns after it is told when its group was lost meanwhile, not acknowledged', async (t) => {
  const app = await build(t, testClock(), { webhookAllowPrivate: true, webhookPollMs: 0 });
  const created = await app.inject({ method: 'POST', url: '/v1/webhooks', payload: { url: 'http://127.0.0.1:9/hook', events: ['task.created'] } });
  t.equal(created.statusCode, 201, created.body);
  const { id } = json(created) as { id: string };
  const injected = loseGroupAfter(app, /^update "webhook_subscriptions"/i);
  t.teardown(injected.restore);
  // The handler awaits between its write and its answer: the group is lost in between.
  const patched = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, payload: { description: 'Lost with its group' } });
  injected.restore();
  t.ok(injected.lost(), 'the group was lost after the write');
  assertProblem(t, patched, 503, 'service-unavailable');
  t.equal(app.sqlite.prepare('SELECT description FROM webhook_subscriptions').pluck().get(), null, 'and indeed the write is not there');
  const again = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, payload: { description: 'Kept' } });
  t.equal(again.statusCode, 200, 'the next write is kept');
  t.equal(app.sqlite.prepare('SELECT description FROM webhook_subscriptions').pluck().get(), 'Kept');
});

/** A task renamed in the open group, and a read of `url` in the same turn after which the group is lost. */
async function readFromLostGroup(t: Test, url: (plan: { id: string }) => string) {
  const app = await build(t);
  const { plan, task } = await approvedTask(app);
  writeTransaction(app.db, (tx) => {
    tx.run(sql`UPDATE tasks SET title = 'Lost with its group' WHERE id = ${task.id}`);
  });
  const injected = loseGroupAfter(app, /from "tasks"/i);
  t.teardown(injected.restore);
  const read = await app.inject({ method: 'GET', url: url(plan) });
  injected.restore();
  t.ok(injected.lost(), 'the group was lost after the read');
  assertProblem(t, read, 503, 'service-unavailable');
  t.notMatch(read.body, /Lost with its group/);
  t.equal(app.sqlite.prepare('SELECT title FROM tasks').pluck().get(), task.title, 'the title it read is gone');
  await nextTurn();
  return { app, task, read, url: url(plan) };
}

t.test('a report read from a group that is lost while it renders is neither answered nor kept', async (t) => {
  const { app, read, url } = await readFromLostGroup(t, (plan) => `/v1/reports/progress?planId=${plan.id}&format=xlsx`);
  t.notOk(read.headers['content-disposition'], 'not offered as a file');
  const misses = app.responseCacheStats?.misses ?? 0;
  t.equal((await app.inject({ method: 'GET', url })).statusCode, 200);
  t.equal(app.responseCacheStats?.misses, misses + 1, 'computed again, not kept from the lost read');
});

t.test('a list read from a group that is lost before it is answered is neither answered nor kept', async (t) => {
  const { app, task, url } = await readFromLostGroup(t, (plan) => `/v1/tasks?planId=${plan.id}`);
  const again = await app.inject({ method: 'GET', url });
  t.equal(again.statusCode, 200);
  t.equal(json(again).items[0].title, task.title, 'the title as it is in the file');
});
