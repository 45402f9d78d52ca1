// A large calendar feed is written in a report thread (src/modules/reports/progress.producer.ts), as a large report
// is: the whole commission's feed at 100,000 tasks took 3 s on the event loop, and held up every other request,
// /health included. In the thread it must be the same feed to the byte, under the same ETag, refuse as the route
// refuses, see every acknowledged write, and serve read-only links too.
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { openTaskCount } from '../../src/modules/calendar/calendar.repository.js';
import { inProcessProducer } from '../../src/modules/reports/progress.producer.js';
import { assertProblem, build, json, testClock } from '../helper.js';
import { approvePlan, createTask, seedPlan, transition } from '../factories.js';

/** An app on a database file, with an approved plan of three open tasks; the calendar goes to a thread at `workerMinTasks`. */
async function feedOnFile(t: Test, workerMinTasks = 0) {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-calendar-worker-'));
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const databasePath = join(dir, 'tracker.db');
  const app = await build(t, clock, { databasePath, reportWorkerMinTasks: workerMinTasks });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const seed = await seedPlan(app);
  const mk = (code: string, dueDate: string) =>
    createTask(app, { planId: seed.plan.id, code, dueDate, title: `Мера ${code}: поставки «Беларус»`, assignees: seed.assignees, translations: { en: { title: `Measure ${code}` } } });
  const tasks = [await mk('1.1', '2026-10-01'), await mk('1.2', '2026-12-15'), await mk('2.1', '2027-03-01')];
  await approvePlan(app, seed.plan.id);
  return { app, clock, databasePath, tasks, ...seed };
}

t.test('the feed written in a report thread is the one written in the route thread, to the byte and the ETag', async (t) => {
  const { app, clock, plan, by } = await feedOnFile(t);
  const here = inProcessProducer({ db: app.db, clock });
  for (const query of [{}, { planId: plan.id }, { planId: plan.id, lang: 'en' as const }, { organizationId: by.id }]) {
    const url = `/v1/calendar.ics?${new URLSearchParams(query as Record<string, string>)}`;
    const before = app.reportStats.calendars;
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 200, url);
    t.equal(res.headers['content-type'], 'text/calendar; charset=utf-8');
    t.equal(app.reportStats.calendars, before + 1, `${url}: written in a report thread`);
    const expected = await here.calendar(query);
    t.equal(res.body, expected.body, `${url}: the same feed`);
    t.equal(res.headers.etag, expected.etag, `${url}: the same ETag`);
    t.match(res.body, /BEGIN:VCALENDAR[\s\S]*SUMMARY:1\.1 /);
    t.equal((await app.inject({ method: 'GET', url, headers: { 'if-none-match': String(res.headers.etag) } })).statusCode, 304, `${url}: a poll gets 304`);
  }
  t.equal(app.reportStats.here, 0, 'no report was asked for');
});

t.test('the event loop answers other requests while a thread writes the feed', async (t) => {
  const { app } = await feedOnFile(t);
  const finished: string[] = [];
  const feed = app.inject({ method: 'GET', url: '/v1/calendar.ics' }).then((res) => {
    finished.push('calendar');
    return res;
  });
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  finished.push('health');
  t.equal((await feed).statusCode, 200);
  t.same(finished, ['health', 'calendar'], 'health was answered before the feed was written');
});

t.test('the thread sees every write acknowledged before the request', async (t) => {
  const { app, clock, tasks } = await feedOnFile(t);
  const first = await app.inject({ method: 'GET', url: '/v1/calendar.ics' });
  t.match(first.body, /SUMMARY:1\.1 /);
  clock.set('2026-09-02T09:00:00.000Z');
  await transition(app, tasks[0]!.id, 'cancelled');
  const second = await app.inject({ method: 'GET', url: '/v1/calendar.ics', headers: { 'if-none-match': String(first.headers.etag) } });
  t.equal(second.statusCode, 200, 'changed: not a 304');
  t.notMatch(second.body, /SUMMARY:1\.1 /, 'the cancelled task has left the feed');
  t.match(second.body, /SUMMARY:1\.2 /);
  t.not(second.headers.etag, first.headers.etag);
});

t.test('a feed the route refuses is refused from the thread alike', async (t) => {
  const { app } = await feedOnFile(t);
  const unknown = '019a7c2e-7a10-7000-8000-00000000dead';
  for (const name of ['planId', 'commissionId', 'organizationId']) {
    const res = await app.inject({ method: 'GET', url: `/v1/calendar.ics?${name}=${unknown}` });
    assertProblem(t, res, 422, 'unknown-reference');
    t.match(json(res).errors, [{ path: `querystring.${name}` }], name);
  }
});

t.test('a thread that cannot open the database answers 503 (a storage failure) without the cause, and the app goes on', async (t) => {
  const { app, databasePath, plan } = await feedOnFile(t);
  // Before any thread opened it: an open file stays readable after its name is gone.
  await unlink(databasePath);
  const res = await app.inject({ method: 'GET', url: '/v1/calendar.ics' });
  assertProblem(t, res, 503, 'service-unavailable');
  t.notMatch(res.body, /tracker\.db|ENOENT|SqliteError/i, 'neither the path nor the error');
  t.equal((await app.inject({ method: 'GET', url: `/v1/plans/${plan.id}` })).statusCode, 200, 'the app itself still reads its connection');
});

t.test("a small feed is written in the request's own turn", async (t) => {
  // With the file gone only the app's open connection reads: a feed sent to a thread would fail.
  const { app, databasePath, plan } = await feedOnFile(t, 4);
  await unlink(databasePath);
  const res = await app.inject({ method: 'GET', url: `/v1/calendar.ics?planId=${plan.id}` });
  t.equal(res.statusCode, 200, '3 open tasks, under REPORT_WORKER_MIN_TASKS');
  t.equal(app.reportStats.calendars, 0);
});

t.test("a read-only link's feed is written in a report thread too, and a link revoked meanwhile shows nothing", async (t) => {
  const { app, plan } = await feedOnFile(t);
  const created = await app.inject({ method: 'POST', url: '/v1/share-links', payload: { name: 'Outlook of the MIC', kind: 'calendar', planId: plan.id } });
  t.equal(created.statusCode, 201);
  const { url, id } = json(created);
  const open = () => app.inject({ method: 'GET', url, headers: { authorization: undefined } });
  const before = app.reportStats.calendars;
  const feed = await open();
  t.equal(feed.statusCode, 200);
  t.equal(app.reportStats.calendars, before + 1, 'in a report thread');
  const api = await app.inject({ method: 'GET', url: `/v1/calendar.ics?planId=${plan.id}` });
  t.equal(feed.body, api.body, "the API's feed");
  t.equal(feed.headers.etag, api.headers.etag);
  t.equal((await app.inject({ method: 'GET', url, headers: { authorization: undefined, 'if-none-match': String(feed.headers.etag) } })).statusCode, 304);

  // Revoked while its feed is written: the thread's answer is not sent.
  const opening = open();
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/share-links/${id}` })).statusCode, 200);
  assertProblem(t, await opening, 404, 'not-found');
});

// Counting every open task of the whole plan (100,000) only to compare the count with the threshold held the event loop
// 40-70 ms for each feed written in a thread: the longest wait of /health while the 38 MB feed was written.
t.test('deciding where a feed is written counts its open tasks only up to the threshold', async (t) => {
  const { app, plan, by, tasks } = await feedOnFile(t, 3);
  t.equal(openTaskCount(app.db, { planId: plan.id }, 2), 2, 'of three open tasks, counted up to two');
  t.equal(openTaskCount(app.db, { planId: plan.id }, 10), 3, 'all three when the threshold is higher');
  t.equal(openTaskCount(app.db, { organizationId: by.id }, 1), 1, "an organization's, counted up to one");
  const before = app.reportStats.calendars;
  t.equal((await app.inject({ method: 'GET', url: `/v1/calendar.ics?planId=${plan.id}` })).statusCode, 200);
  t.equal(app.reportStats.calendars, before + 1, 'three open tasks at a threshold of three: written in a report thread');
  await transition(app, tasks[0]!.id, 'cancelled');
  t.equal(openTaskCount(app.db, { planId: plan.id }, 3), 2, 'a cancelled task is not counted');
  t.equal((await app.inject({ method: 'GET', url: `/v1/calendar.ics?planId=${plan.id}` })).statusCode, 200);
  t.equal(app.reportStats.calendars, before + 1, 'two open tasks: written in the route thread');
});
