// The response cache (src/plugins/response-cache.ts) and the cache of known keys (api-keys.service.ts): a repeated
// read is answered from memory, the same bytes as computed, only while nothing was written and within the minute;
// authentication, validation and access still run on every request.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import Database from 'better-sqlite3';
import { assertProblem, build, json, keyFor, testClock } from './helper.js';
import { approvedTask, transition } from './factories.js';
import { writeTransaction } from '../src/db/connection.js';
import type { App } from '../src/app.js';

/** The next turn of the event loop, where another connection's commit is seen (src/db/connection.ts, dataState). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const stats = (app: { responseCacheStats?: { hits: number; misses: number } }) => ({ ...app.responseCacheStats });

t.test('a repeated list is answered from memory with the same bytes, and every hook still runs', async (t) => {
  const app = await build(t);
  const { plan, task } = await approvedTask(app);
  // Text of two bytes a character: the Content-Length of a hit counts bytes, as the first answer's did.
  const renamed = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Мера «Беларус»' } });
  t.equal(renamed.statusCode, 200, renamed.body);
  const url = `/v1/tasks?planId=${plan.id}&limit=10`;
  const first = await app.inject({ method: 'GET', url });
  const before = stats(app);
  const second = await app.inject({ method: 'GET', url });
  t.same(stats(app), { hits: (before.hits ?? 0) + 1, misses: before.misses }, 'served from memory');
  t.equal(second.statusCode, 200);
  t.equal(second.body, first.body, 'the same bytes');
  for (const header of ['content-type', 'content-length', 'cache-control', 'x-content-type-options', 'content-security-policy']) {
    t.equal(second.headers[header], first.headers[header], header);
  }
  t.not(second.headers['x-request-id'], first.headers['x-request-id'], 'a request id of its own');
  t.equal(json(second).items.length, 1);
  t.equal(json(second).items[0].title, 'Мера «Беларус»');
});

t.test('a hit still authenticates: no key, an unknown key and a revoked key are refused', async (t) => {
  const app = await build(t);
  const { plan } = await approvedTask(app);
  const url = `/v1/tasks?planId=${plan.id}`;
  const observer = await keyFor(app, 'observer');
  t.equal((await app.inject({ method: 'GET', url, headers: observer.headers })).statusCode, 200);
  const before = stats(app);
  t.equal((await app.inject({ method: 'GET', url })).statusCode, 200);
  t.same(stats(app), { hits: (before.hits ?? 0) + 1, misses: before.misses }, 'the URL is answered from memory now');
  assertProblem(t, await app.inject({ method: 'GET', url, headers: { authorization: undefined } }), 401, 'unauthorized');
  assertProblem(t, await app.inject({ method: 'GET', url, headers: { authorization: 'Bearer not-a-key-of-this-tracker-0000' } }), 401, 'unauthorized');
  t.same(stats(app), { hits: (before.hits ?? 0) + 1, misses: before.misses }, 'the refused requests never reached it');
  // Revoking the observer's key is a write: the next request with it is refused, not answered from memory.
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${observer.id}` })).statusCode, 200);
  assertProblem(t, await app.inject({ method: 'GET', url, headers: observer.headers }), 401, 'unauthorized');
});

t.test('refused answers are never kept', async (t) => {
  const app = await build(t);
  const url = '/v1/reports/progress?planId=019a7c2e-0000-7000-8000-00000000dead';
  const before = stats(app);
  assertProblem(t, await app.inject({ method: 'GET', url }), 404, 'not-found');
  assertProblem(t, await app.inject({ method: 'GET', url }), 404, 'not-found');
  t.same(stats(app), { hits: before.hits, misses: (before.misses ?? 0) + 2 }, 'a 404 is computed again each time');
});

t.test('any write empties it: the next read is computed again', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await approvedTask(app);
  const url = `/v1/tasks?planId=${plan.id}`;
  t.equal(json(await app.inject({ method: 'GET', url })).items.length, 1);
  t.equal(json(await app.inject({ method: 'GET', url })).items.length, 1);
  const misses = stats(app).misses ?? 0;
  const created = await app.inject({
    method: 'POST',
    url: '/v1/tasks',
    payload: { planId: plan.id, code: '1.2', title: 'Another', area: 'trade', dueDate: '2027-01-31', assignees },
  });
  t.equal(created.statusCode, 201);
  t.equal(json(await app.inject({ method: 'GET', url })).items.length, 2, 'the new task is listed');
  t.equal(stats(app).misses, misses + 1, 'computed again after the write');
});

t.test('a commit by another connection (a command-line tool) empties it too', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'tracker.db');
  const app = await build(t, testClock(), { databasePath: file });
  const { plan, task } = await approvedTask(app);
  const url = `/v1/tasks?planId=${plan.id}`;
  await app.inject({ method: 'GET', url });
  const before = stats(app);
  t.equal(json(await app.inject({ method: 'GET', url })).items[0].title, task.title);
  t.equal(stats(app).hits, (before.hits ?? 0) + 1, 'from memory');
  const other = new Database(file);
  other.prepare('UPDATE tasks SET title = ? WHERE id = ?').run('Renamed elsewhere', task.id);
  other.close();
  // Seen from the next turn of the event loop (dataState asks data_version once per turn); a request over the network
  // after the commit comes in a later turn anyway.
  await nextTurn();
  t.equal(json(await app.inject({ method: 'GET', url })).items[0].title, 'Renamed elsewhere');
  t.equal(stats(app).misses, (before.misses ?? 0) + 1, 'computed again');
});

t.test('an answer is kept within its minute: overdue turns on at midnight in the commission\'s zone', async (t) => {
  const clock = testClock('2026-12-31T20:59:00.000Z'); // 23:59 in Minsk (UTC+3)
  const app = await build(t, clock);
  const { plan } = await approvedTask(app, { dueDate: '2026-12-31', timeZone: 'Europe/Minsk' });
  const url = `/v1/tasks?planId=${plan.id}`;
  t.equal(json(await app.inject({ method: 'GET', url })).items[0].overdue, false);
  const hits = stats(app).hits ?? 0;
  t.equal(json(await app.inject({ method: 'GET', url })).items[0].overdue, false);
  t.equal(stats(app).hits, hits + 1, 'from memory');
  clock.set('2026-12-31T21:00:00.000Z'); // midnight in Minsk
  const after = json(await app.inject({ method: 'GET', url })).items[0];
  t.equal(after.overdue, true, 'computed again in the new minute');
  t.equal(after.daysOverdue, 1);
});

t.test('a small cache keeps the latest answers', async (t) => {
  const app = await build(t, testClock(), { responseCacheMb: 0.0005 }); // about 500 bytes
  const { plan } = await approvedTask(app);
  const big = `/v1/tasks?planId=${plan.id}`;
  await app.inject({ method: 'GET', url: big });
  const misses = stats(app).misses ?? 0;
  await app.inject({ method: 'GET', url: big });
  t.equal(stats(app).misses, misses + 1, 'an answer larger than the whole cache is not kept');

  const empty = (n: number) => `/v1/tasks?planId=${plan.id}&q=nothing-${n}`;
  for (let n = 0; n < 60; n++) await app.inject({ method: 'GET', url: empty(n) }); // ~110 bytes each with its URL
  const hits = stats(app).hits ?? 0;
  await app.inject({ method: 'GET', url: empty(59) });
  t.equal(stats(app).hits, hits + 1, 'the latest answer is kept');
  await app.inject({ method: 'GET', url: empty(0) });
  t.equal(stats(app).hits, hits + 1, 'the oldest was let go');

  const conditional = await app.inject({ method: 'GET', url: empty(59), headers: { 'if-none-match': '"x"' } });
  t.equal(conditional.statusCode, 200, 'an answer without an ETag is sent whole to a conditional read, as the route would');
  t.equal(stats(app).hits, hits + 2, 'from memory');
});

t.test('a calendar program polling with If-None-Match gets 304 from the kept feed, computed once', async (t) => {
  const app = await build(t);
  const { plan } = await approvedTask(app);
  const url = `/v1/calendar.ics?planId=${plan.id}`;
  const first = await app.inject({ method: 'GET', url });
  t.equal(first.statusCode, 200);
  const etag = first.headers.etag as string;
  t.match(etag, /^"/);
  const before = stats(app);
  const poll = await app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
  t.equal(poll.statusCode, 304);
  t.equal(poll.body, '', 'no body');
  t.equal(poll.headers.etag, etag, 'with its ETag');
  t.same(stats(app), { hits: (before.hits ?? 0) + 1, misses: before.misses }, 'answered from memory');
  const weak = await app.inject({ method: 'GET', url, headers: { 'if-none-match': `"other", W/${etag}` } });
  t.equal(weak.statusCode, 304, 'a weak tag in a list matches too (RFC 9110 weak comparison)');
  const other = await app.inject({ method: 'GET', url, headers: { 'if-none-match': '"other"' } });
  t.equal(other.statusCode, 200, 'another tag: the kept feed, whole');
  t.equal(other.body, first.body);
  t.equal(other.headers.etag, etag);
  const malformed = await app.inject({ method: 'GET', url, headers: { 'if-none-match': 'no-quotes' } });
  assertProblem(t, malformed, 400, 'bad-request');

  // A write the feed shows: computed again, with a new ETag; the old one is no longer current.
  const moved = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { title: 'Plan renamed' } });
  t.equal(moved.statusCode, 200, moved.body);
  const after = await app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
  t.equal(after.statusCode, 200);
  t.not(after.headers.etag, etag);
  t.match(after.body, /Plan renamed/);
});

t.test("the co-chairs' report is kept per format chosen by Accept, with its own headers, until the next write", async (t) => {
  const app = await build(t);
  const { plan, task } = await approvedTask(app);
  const url = `/v1/reports/progress?planId=${plan.id}`;
  const asCsv = { accept: 'text/csv' };
  const json1 = await app.inject({ method: 'GET', url });
  const csv1 = await app.inject({ method: 'GET', url, headers: asCsv });
  const before = stats(app);
  const json2 = await app.inject({ method: 'GET', url });
  const csv2 = await app.inject({ method: 'GET', url, headers: asCsv });
  t.same(stats(app), { hits: (before.hits ?? 0) + 2, misses: before.misses }, 'both from memory');
  t.equal(json2.body, json1.body, 'the JSON answer again');
  t.equal(csv2.body, csv1.body, 'the CSV answer again, not the JSON one');
  t.not(csv2.body, json2.body);
  for (const header of ['content-type', 'content-disposition', 'vary']) {
    t.equal(json2.headers[header], json1.headers[header], `JSON ${header}`);
    t.equal(csv2.headers[header], csv1.headers[header], `CSV ${header}`);
  }
  t.match(csv2.headers['content-disposition'], /^attachment; filename="progress-.+\.csv"$/, 'the CSV still comes as an attachment');
  t.equal(csv2.headers.vary, 'Accept');

  const xlsx = { accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
  const workbooks = [await app.inject({ method: 'GET', url, headers: xlsx }), await app.inject({ method: 'GET', url, headers: xlsx })];
  t.ok(workbooks.every((w) => w.statusCode === 200 && w.rawPayload.subarray(0, 2).toString() === 'PK'), 'two workbooks');
  t.equal(stats(app).hits, (before.hits ?? 0) + 3, 'the second from memory: bytes are kept too');
  t.ok(workbooks[1]?.rawPayload.equals(workbooks[0]?.rawPayload as Buffer), 'the same bytes');
  t.equal(workbooks[1]?.headers['content-type'], workbooks[0]?.headers['content-type']);
  t.match(workbooks[1]?.headers['content-disposition'], /^attachment; filename="progress-.+\.xlsx"$/);

  assertProblem(t, await app.inject({ method: 'GET', url, headers: { accept: 'image/png' } }), 406, 'not-acceptable');
  await transition(app, task.id, 'in_progress');
  t.equal(json(await app.inject({ method: 'GET', url })).totals.byStatus.in_progress, 1, 'a write shows in the next report');
});

t.test('RESPONSE_CACHE_MB=0 turns it off', async (t) => {
  const app = await build(t, testClock(), { responseCacheMb: 0 });
  t.equal(app.responseCacheStats, undefined);
  const { plan } = await approvedTask(app);
  const a = await app.inject({ method: 'GET', url: `/v1/tasks?planId=${plan.id}` });
  t.equal(a.statusCode, 200, 'reads are answered as before');
  t.equal(json(a).items.length, 1);
});

/** Renames the task in a write whose group will fail at COMMIT (a foreign key checked only then). */
function doomTitle(app: App, taskId: string) {
  app.sqlite.pragma('defer_foreign_keys = ON');
  writeTransaction(app.db, () => {
    app.sqlite.prepare("UPDATE tasks SET title = 'Doomed' WHERE id = ?").run(taskId);
    app.sqlite.prepare("INSERT INTO task_assignees (task_id, organization_id, role, position, assigned_at) VALUES (?, 'no-such-organization', 'co_executor', 9, '2026-01-01T00:00:00.000Z')").run(taskId);
  });
}

t.test('a workbook computed on a group that fails to commit is a problem, not a file, and is not kept', async (t) => {
  const app = await build(t);
  const { plan, task } = await approvedTask(app);
  const url = `/v1/reports/progress?planId=${plan.id}&format=xlsx`;
  doomTitle(app, task.id);
  const read = await app.inject({ method: 'GET', url });
  assertProblem(t, read, 500, 'internal-error');
  t.notOk(read.headers['content-disposition'], 'not offered as a file');
  const before = stats(app);
  const again = await app.inject({ method: 'GET', url });
  t.equal(again.statusCode, 200);
  t.equal(stats(app).misses, (before.misses ?? 0) + 1, 'computed again, not the doomed workbook from memory');
});

t.test('a read computed on a group that fails to commit is not kept', async (t) => {
  const app = await build(t);
  const { plan, task } = await approvedTask(app);
  const url = `/v1/tasks?planId=${plan.id}`;
  // A write whose group will fail at COMMIT, and a read in the same turn that sees it.
  doomTitle(app, task.id);
  const read = await app.inject({ method: 'GET', url });
  assertProblem(t, read, 500, 'internal-error');
  const again = await app.inject({ method: 'GET', url });
  t.equal(again.statusCode, 200);
  t.equal(json(again).items[0].title, task.title, 'the doomed title is not served from memory');
});

t.test('a key revoked by another process is refused with its next request, though it was known', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-keys-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'tracker.db');
  const app = await build(t, testClock(), { databasePath: file });
  const observer = await keyFor(app, 'observer');
  t.equal((await app.inject({ method: 'GET', url: '/v1/commissions', headers: observer.headers })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/v1/commissions', headers: observer.headers })).statusCode, 200, 'known now');
  const other = new Database(file);
  other.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run('2026-11-28T09:00:00.000Z', observer.id);
  other.close();
  await nextTurn();
  assertProblem(t, await app.inject({ method: 'GET', url: '/v1/commissions', headers: observer.headers }), 401, 'unauthorized');
});

t.test('a route other than a GET that asks for its answers to be kept refuses to start', async (t) => {
  const { buildApp } = await import('../src/app.js');
  const app = await buildApp({
    config: { databasePath: ':memory:', logLevel: 'silent', bodyLimit: 65536, rateLimitMax: 0, authFailureMax: 1000 },
    logger: false,
  });
  t.teardown(() => app.close());
  t.throws(
    () => app.post('/v1/test/kept', { schema: { operationId: 'createCommission' }, config: { responseCache: true } }, async () => ({})),
    /POST \/v1\/test\/kept: only a GET route can have its answers kept/,
  );
});
