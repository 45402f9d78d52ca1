// The report worker (src/modules/reports/progress.producer.ts and progress.worker.ts): on a database file the
// co-chairs' report is computed in a thread of its own, so the event loop keeps answering everyone else meanwhile.
// It must answer exactly what the route's own thread computes (which the rest of the suite checks, on in-memory
// databases), refuse as the route refuses, and see every write acknowledged before the request.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import t from 'tap';
import type { Test } from 'tap';
import type { App } from '../../src/app.js';
import { etagOf } from '../../src/lib/http.js';
import type { AppError } from '../../src/errors.js';
import { assembleReport, reportPart, type ReportPart } from '../../src/modules/reports/progress.parts.js';
import { inProcessProducer, PER_REQUESTER, REPORT_THREADS, reportProducer } from '../../src/modules/reports/progress.producer.js';
import { historyMark } from '../../src/modules/reports/progress.history-repository.js';
import { createProgressService } from '../../src/modules/reports/progress.service.js';
import { REPORT_THREAD_NICE } from '../../src/modules/reports/progress.worker.js';
import type { ProgressReportQuery, ReportFormat } from '../../src/modules/reports/progress.schemas.js';
import { assertProblem, build, json, keyFor, testClock, type TestClock } from '../helper.js';
import { approvePlan, createOrganization, createPlan, createTask, seedPlan, transition } from '../factories.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An app on a database file of its own, with a small plan: overdue, postponed, done, reported and unreported tasks. */
async function planOnFile(t: Test, { deleteFile = false, workerMinTasks = 0 } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-report-worker-'));
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const databasePath = join(dir, 'tracker.db');
  const app = await build(t, clock, { databasePath, reportWorkerMinTasks: workerMinTasks });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const seed = await seedPlan(app);
  const { by, kz, plan, commission } = seed;
  const mtz = await createOrganization(app, { name: 'ОАО «Минский тракторный завод»', shortName: 'МТЗ', kind: 'enterprise', country: 'BY' });
  const mk = (code: string, dueDate: string, extra: Record<string, unknown> = {}) =>
    createTask(app, { planId: plan.id, code, dueDate, title: `Мера ${code}: сборка тракторов «Беларус»`, assignees: seed.assignees, ...extra });
  const t1 = await mk('1.1', '2026-10-01', { translations: { en: { title: 'Tractor assembly' } } });
  const t2 = await mk('1.2', '2026-12-15', { area: 'trade', assignees: [{ organizationId: kz.id, role: 'lead' }, { organizationId: mtz.id, role: 'co_executor' }] });
  const t3 = await mk('2.1', '2027-03-01', { area: 'energy' });
  await approvePlan(app, plan.id);
  clock.set('2026-10-15T09:00:00.000Z');
  await transition(app, t2.id, 'in_progress');
  await transition(app, t3.id, 'in_progress');
  await transition(app, t3.id, 'done');
  const moved = await app.inject({ method: 'POST', url: `/v1/tasks/${t2.id}/deadline-changes`, payload: { kind: 'direct', newDueDate: '2027-02-01', reason: 'Поставка оборудования', basis: 'Протокол № 2, пункт 1' } });
  if (moved.statusCode >= 300) throw new Error(`deadline change answered ${moved.statusCode}: ${moved.body}`);
  const reported = await app.inject({ method: 'POST', url: `/v1/tasks/${t2.id}/reports`, payload: { organizationId: kz.id, period: '2026-Q4', percentComplete: 40, confidence: 'amber', narrative: 'Идёт поставка' } });
  if (reported.statusCode !== 201) throw new Error(`report answered ${reported.statusCode}: ${reported.body}`);
  clock.set('2026-11-28T09:00:00.000Z');
  if (deleteFile) await unlink(databasePath);
  return { app, clock, plan, commission, by, kz, tasks: { t1, t2, t3 }, databasePath };
}

/** The same report computed in the test's thread, on the app's connection, as the route computes it in memory. */
async function inThisThread(app: App, clock: TestClock, query: ProgressReportQuery, format: ReportFormat): Promise<string | Buffer> {
  const { body } = await inProcessProducer({ db: app.db, clock }).produce(query, format);
  return typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
}

async function sheets(bytes: Buffer): Promise<Record<string, unknown[]>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return Object.fromEntries(workbook.worksheets.map((sheet) => [sheet.name, sheet.getSheetValues()]));
}

t.test('on a database file the worker answers the same bytes as the route computes in its own thread', async (t) => {
  const { app, clock, plan, commission } = await planOnFile(t);
  const cases: [Record<string, string>, ReportFormat, string][] = [
    [{ planId: plan.id }, 'json', 'application/json; charset=utf-8'],
    [{ planId: plan.id, lang: 'en' }, 'json', 'application/json; charset=utf-8'],
    [{ planId: plan.id, asOf: '2026-10-01' }, 'json', 'application/json; charset=utf-8'],
    [{ commissionId: commission.id }, 'json', 'application/json; charset=utf-8'],
    [{ planId: plan.id, format: 'csv' }, 'csv', 'text/csv; charset=utf-8'],
    [{ planId: plan.id, format: 'csv', table: 'tasks' }, 'csv', 'text/csv; charset=utf-8'],
    [{ planId: plan.id, format: 'html' }, 'html', 'text/html; charset=utf-8'],
  ];
  for (const [query, format, type] of cases) {
    const res = await app.inject({ method: 'GET', url: `/v1/reports/progress?${new URLSearchParams(query)}` });
    t.equal(res.statusCode, 200, `${format} ${JSON.stringify(query)}`);
    t.equal(res.headers['content-type'], type);
    t.equal(res.body, await inThisThread(app, clock, query as ProgressReportQuery, format), 'the same bytes');
  }
  const csv = await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}&format=csv` });
  t.equal(csv.headers['content-disposition'], `attachment; filename="progress-${plan.id}-2026-11-28.csv"`);
  const report = json(await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}` }));
  t.equal(report.generatedAt, '2026-11-28T09:00:00.000Z', "the worker's now is the app's clock");
  t.equal(report.totals.overdue, 1, 'task 1.1 is overdue');
  t.equal(report.totals.postponedTasks, 1, 'task 1.2 was postponed');

  const workbook = await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}`, headers: { accept: XLSX } });
  t.equal(workbook.statusCode, 200);
  t.equal(workbook.headers['content-type'], XLSX);
  t.equal(workbook.headers['content-disposition'], `attachment; filename="progress-${plan.id}-2026-11-28.xlsx"`);
  const local = (await inThisThread(app, clock, { planId: plan.id }, 'xlsx')) as Buffer;
  t.same(await sheets(workbook.rawPayload), await sheets(local), 'the same sheets, cell by cell');
});

t.test('the worker refuses as the route does, with problem documents', async (t) => {
  const { app, commission } = await planOnFile(t);
  const missing = assertProblem(t, await app.inject({ method: 'GET', url: '/v1/reports/progress?planId=019a7c2e-0000-7000-8000-00000000dead' }), 404, 'not-found');
  t.match(missing.detail, /plan "019a7c2e-0000-7000-8000-00000000dead" does not exist/);
  const draft = await createPlan(app, commission.id, { title: 'A draft' });
  assertProblem(t, await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${draft.id}&format=csv` }), 409, 'plan-state-conflict');
  // A draft is refused before its date is looked at: 409, not the 422 of a future date.
  assertProblem(t, await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${draft.id}&asOf=2030-01-01` }), 409, 'plan-state-conflict');
  const late = assertProblem(t, await app.inject({ method: 'GET', url: `/v1/reports/progress?commissionId=${commission.id}&asOf=2030-01-01` }), 422, 'invalid-value');
  t.same(late.errors, [{ path: 'querystring.asOf', message: 'a date in the future has no progress yet' }], 'with the field it is about');
});

t.test('the worker sees every write acknowledged before the request', async (t) => {
  const { app, plan, tasks } = await planOnFile(t);
  const url = `/v1/reports/progress?planId=${plan.id}`;
  t.equal(json(await app.inject({ method: 'GET', url })).totals.byStatus.not_started, 1);
  t.equal(json(await app.inject({ method: 'GET', url })).totals.byStatus.not_started, 1, 'asked again (from memory)');
  await transition(app, tasks.t1.id, 'in_progress');
  const after = json(await app.inject({ method: 'GET', url }));
  t.equal(after.totals.byStatus.not_started, 0, 'the transition is in the next report');
  t.equal(after.totals.byStatus.in_progress, 2);
});

t.test('the event loop answers other requests while the worker computes a report', async (t) => {
  const { app, plan } = await planOnFile(t);
  const before = { ...app.reportStats };
  const finished: string[] = [];
  const report = app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}&format=html` }).then((res) => {
    finished.push('report');
    return res;
  });
  const health = await app.inject({ method: 'GET', url: '/health' });
  finished.push('health');
  t.equal(health.statusCode, 200);
  t.equal((await report).statusCode, 200);
  t.same(finished, ['health', 'report'], 'health was answered before the report was done');
  t.same(app.reportStats, { ...before, whole: before.whole + 1 }, 'the report was computed in a worker thread');
});

t.test("a read-only link's report is the API's page, computed in a report thread, and answers a poll with 304", async (t) => {
  const { app, clock, plan } = await planOnFile(t);
  const created = await app.inject({ method: 'POST', url: '/v1/share-links', payload: { name: 'Co-chair KZ', kind: 'progress_report', planId: plan.id, lang: 'en' } });
  t.equal(created.statusCode, 201);
  const { url } = json(created);
  const openLink = (headers: Record<string, string | undefined> = {}) => app.inject({ method: 'GET', url, headers: { authorization: undefined, ...headers } });

  // Computed apart: on a large plan, on the event loop it would hold up every other request for seconds.
  const before = { ...app.reportStats };
  const finished: string[] = [];
  const opening = openLink().then((res) => {
    finished.push('link');
    return res;
  });
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  finished.push('health');
  const page = await opening;
  t.equal(page.statusCode, 200);
  t.same(finished, ['health', 'link'], 'health was answered while the page was computed');
  t.same(app.reportStats, { ...before, whole: before.whole + 1 }, 'in a report thread');
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  const api = await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}&lang=en&format=html` });
  t.equal(page.body, api.body, "the same page as the API's, to the byte");

  // Its ETag is taken of the page without the instant it was generated, in the thread as in the route's own.
  const here = await inProcessProducer({ db: app.db, clock }).produce({ planId: plan.id, lang: 'en' }, 'html');
  t.equal(page.headers.etag, etagOf(here.version), 'the same version computed in this thread');
  clock.set('2026-11-28T09:00:42.000Z');
  const later = await openLink();
  t.not(later.body, page.body, 'a later page says when it was generated');
  t.equal(later.headers.etag, page.headers.etag, 'under the same ETag');
  t.equal((await openLink({ 'if-none-match': String(page.headers.etag) })).statusCode, 304, 'a poll gets 304');
});

t.test('a worker that cannot open the database answers 503 (a storage failure) without the cause, and the app goes on', async (t) => {
  const { app, plan } = await planOnFile(t, { deleteFile: true });
  const res = await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}` });
  assertProblem(t, res, 503, 'service-unavailable');
  t.notMatch(res.body, /tracker\.db|ENOENT|SqliteError|directory/i, 'neither the path nor the error');
  t.equal((await app.inject({ method: 'GET', url: `/v1/plans/${plan.id}` })).statusCode, 200, 'the app itself still reads its connection');
});

t.test("a report of fewer tasks than REPORT_WORKER_MIN_TASKS is computed in the request's own turn", async (t) => {
  // With the file gone, only the app's open connection can read: a report that reaches the worker fails, one computed
  // in the route's thread does not.
  // (A write to a file deleted under the service is refused: the other plan is made first.)
  const { app, plan, commission, by, databasePath } = await planOnFile(t, { workerMinTasks: 4 });
  const other = await createPlan(app, commission.id, { title: 'Another plan' });
  await createTask(app, { planId: other.id, code: '1.1', dueDate: '2027-01-31', assignees: [{ organizationId: by.id, role: 'lead' }] });
  await unlink(databasePath);
  const small = await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}` });
  t.equal(small.statusCode, 200, 'the plan (3 tasks) in the route thread');
  t.same(app.reportStats, { here: 1, whole: 0, inParts: 0, partsDiscarded: 0, calendars: 0 }, 'counted there');
  // The commission (4 tasks) goes to the worker, which cannot open the deleted file.
  assertProblem(t, await app.inject({ method: 'GET', url: `/v1/reports/progress?commissionId=${commission.id}` }), 503, 'service-unavailable');
  t.equal(app.reportStats.here, 1, 'not computed in the route thread');
});

/** The app's report producer, sending every report to one worker thread that lets `maxWaiting` wait. */
function producerOf(app: App, clock: TestClock, maxWaiting = 16) {
  return reportProducer({ db: app.db, clock, databasePath: app.sqlite.name, workerMinTasks: 0, threads: 1, maxWaiting, log: () => undefined });
}

t.test('the same report asked while it is computed shares the computation; a write in between does not', async (t) => {
  const { app, clock, plan, tasks } = await planOnFile(t);
  const producer = producerOf(app, clock);
  t.teardown(() => producer.close());
  const query = { planId: plan.id };
  const [a, b] = await Promise.all([producer.produce(query, 'json'), producer.produce({ ...query }, 'json')]);
  t.equal(a.body, b.body, 'one computation, one body');
  const [csv, json2] = await Promise.all([producer.produce(query, 'csv'), producer.produce(query, 'json')]);
  t.not(csv.body, json2.body, 'another format is another computation');
  t.not(json2.body, a.body, 'asked after it was done: computed again');
  const first = producer.produce(query, 'json');
  await transition(app, tasks.t1.id, 'in_progress');
  const second = producer.produce(query, 'json');
  const [before, after] = await Promise.all([first, second]);
  t.not(after.body, before.body, 'asked after a write: computed apart');
  const statuses = (r: { body: unknown }) => JSON.parse(Buffer.from(r.body as Uint8Array).toString()).totals.byStatus;
  t.equal(statuses(after).in_progress, 2, 'and it shows the write');
});

t.test('when the worker has enough reports waiting, one more is refused with 503 and Retry-After', async (t) => {
  const { app, clock, plan } = await planOnFile(t);
  const producer = producerOf(app, clock, 1);
  t.teardown(() => producer.close());
  const asked = ['2026-11-01', '2026-11-02', '2026-11-03'].map((asOf) =>
    producer.produce({ planId: plan.id, asOf }, 'json').then(
      () => 'done',
      (err: unknown) => err,
    ),
  );
  const [running, waiting, refused] = await Promise.all(asked);
  t.equal(running, 'done', 'the first is computed');
  t.equal(waiting, 'done', 'the second waited its turn');
  t.match(refused, { spec: { status: 503, code: 'service-unavailable' }, headers: { 'retry-after': '60' } }, 'the third is refused');
  t.equal(await producer.produce({ planId: plan.id }, 'json').then(() => 'done'), 'done', 'then reports are computed again');
});

t.test('closing the app lets a report under way finish before the worker ends', async (t) => {
  const { app, plan } = await planOnFile(t);
  const report = app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}&format=csv` });
  await new Promise((resolve) => setImmediate(resolve));
  await app.close();
  const res = await report;
  t.equal(res.statusCode, 200, 'answered in full');
  t.match(res.body, /^\uFEFFdimension,/, 'the CSV');
  t.equal(app.reportStats.whole, 1, 'computed by the worker, which the close waited for');
});

t.test('over HTTP: with 16 large reports waiting, one more is a 503 problem with Retry-After, and the others are answered', async (t) => {
  const { app, plan } = await planOnFile(t);
  // Different reports at once (one day each): one computed by each worker thread, 16 waiting, one refused.
  // Asked with several keys, none over its own PER_REQUESTER (see the test after this one).
  const days = Array.from({ length: REPORT_THREADS + 17 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);
  const keys = await Promise.all(Array.from({ length: Math.ceil(days.length / PER_REQUESTER) }, () => keyFor(app, 'observer')));
  const answers = await Promise.all(
    days.map((asOf, i) => app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}&asOf=${asOf}`, headers: keys[i % keys.length]!.headers })),
  );
  const refused = answers.filter((res) => res.statusCode === 503);
  t.equal(refused.length, 1, 'one refused');
  const [busy] = refused;
  if (busy) {
    const problem = assertProblem(t, busy, 503, 'service-unavailable');
    t.match(problem.detail, /16 large reports are waiting/);
    t.equal(busy.headers['retry-after'], '60');
  }
  t.equal(answers.filter((res) => res.statusCode === 200).length, REPORT_THREADS + 16, 'the others are computed in turn');
});

t.test('one requester has at most PER_REQUESTER large reports or feeds under way; one more is 429 for it alone', async (t) => {
  const { app, clock, plan } = await planOnFile(t);
  const producer = producerOf(app, clock);
  t.teardown(() => producer.close());
  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'done',
      (err: { spec: { status: number }; headers?: Record<string, string> }) => `${err.spec.status} ${err.headers?.['retry-after']}`,
    );
  const day = (i: number) => `2026-11-${String(i + 1).padStart(2, '0')}`;
  // An observer's key asking for the report as of one past day after another, and a calendar feed. Each outcome is
  // taken at once: a refusal comes before the others are done.
  const mine = [
    ...Array.from({ length: PER_REQUESTER - 1 }, (_, i) => outcome(producer.produce({ planId: plan.id, asOf: day(i) }, 'json', 'key-a'))),
    outcome(producer.calendar({ planId: plan.id }, 'key-a')),
  ];
  const oneMore = outcome(producer.produce({ planId: plan.id, asOf: day(20) }, 'json', 'key-a'));
  // The same report another requester asked for is shared, not counted; another requester has room of its own.
  const sharedWithB = outcome(producer.produce({ planId: plan.id, asOf: day(0) }, 'json', 'key-b'));
  const others = Array.from({ length: PER_REQUESTER }, (_, i) => outcome(producer.produce({ planId: plan.id, asOf: day(10 + i) }, 'csv', 'key-b')));
  const joining = outcome(producer.produce({ planId: plan.id, asOf: day(10) }, 'csv', 'key-a'));
  const unnamed = outcome(producer.produce({ planId: plan.id, asOf: day(25) }, 'json'));
  t.same(await Promise.all(mine), Array(PER_REQUESTER).fill('done'), `${PER_REQUESTER} of key-a computed`);
  t.equal(await oneMore, '429 10', 'one more of key-a is refused, with Retry-After');
  t.equal(await sharedWithB, 'done', "key-b shares key-a's report");
  t.same(await Promise.all(others), Array(PER_REQUESTER).fill('done'), 'key-b has room of its own');
  t.equal(await joining, 'done', "key-a may join key-b's report under way");
  t.equal(await unnamed, 'done', 'an unnamed requester (the command line) is not counted');
  t.equal(await outcome(producer.produce({ planId: plan.id, asOf: day(21) }, 'json', 'key-a')), 'done', 'once they are done, key-a has room again');
});

t.test('over HTTP: the 429 is a problem document for that key, and another key or a read-only link is still answered', async (t) => {
  const { app, plan } = await planOnFile(t);
  const observer = await keyFor(app, 'observer');
  const link = json(await app.inject({ method: 'POST', url: '/v1/share-links', payload: { name: 'Co-chair BY', kind: 'progress_report', planId: plan.id } }));
  const days = Array.from({ length: PER_REQUESTER + 1 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')}`);
  const [answers, other, viaLink] = await Promise.all([
    Promise.all(days.map((asOf) => app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}&asOf=${asOf}`, headers: observer.headers }))),
    app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-09-30` }),
    app.inject({ method: 'GET', url: link.url, headers: { authorization: undefined } }),
  ]);
  const refused = answers.filter((res) => res.statusCode === 429);
  t.equal(refused.length, 1, 'one of the observer key refused');
  const problem = assertProblem(t, refused[0]!, 429, 'too-many-requests');
  t.match(problem.detail, new RegExp(`${PER_REQUESTER} large reports or calendar feeds asked for with this key or link are being computed`));
  t.equal(refused[0]!.headers['retry-after'], '10');
  t.equal(answers.filter((res) => res.statusCode === 200).length, PER_REQUESTER, 'the others of that key are answered');
  t.equal(other.statusCode, 200, "the secretariat's key is not refused for the observer's");
  t.equal(viaLink.statusCode, 200, 'nor is a read-only link');
});

/**
 * A plan of 14 tasks for reports in parts: overdue tasks with the same days late in different parts (ties keep the
 * task order across parts), postponed ones, reports owed and missing, executors of both parties; and a second plan.
 */
async function largerPlanOnFile(t: Test) {
  const { app, clock, plan, commission, by, kz, tasks } = await planOnFile(t);
  clock.set('2026-09-01T09:00:00.000Z');
  const plan2 = await createPlan(app, commission.id, { title: 'Second plan' });
  const more = [];
  for (let i = 0; i < 10; i++) {
    more.push(
      await createTask(app, {
        planId: plan2.id,
        code: `3.${10 - i}`,
        title: `Мера 3.${10 - i}`,
        area: i % 2 ? 'trade' : 'energy',
        dueDate: i % 3 === 0 ? '2026-10-01' : i % 3 === 1 ? '2026-11-20' : '2026-12-10',
        assignees: i % 2 ? [{ organizationId: by.id, role: 'lead' }] : [{ organizationId: kz.id, role: 'lead' }, { organizationId: by.id, role: 'co_executor' }],
      }),
    );
  }
  await approvePlan(app, plan2.id);
  clock.set('2026-10-15T09:00:00.000Z');
  for (const task of more.slice(0, 4)) await transition(app, task.id, 'in_progress');
  for (const [i, task] of more.slice(4, 8).entries()) {
    const moved = await app.inject({
      method: 'POST',
      url: `/v1/tasks/${task.id}/deadline-changes`,
      payload: { kind: 'direct', newDueDate: `2027-0${1 + (i % 2)}-15`, reason: 'Поставка', basis: 'Протокол № 3' },
    });
    t.equal(moved.statusCode, 201, moved.body);
  }
  const reported = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${(more[0] as { id: string }).id}/reports`,
    payload: { organizationId: kz.id, period: '2026-Q3', percentComplete: 70, confidence: 'red', narrative: 'Задержка' },
  });
  t.equal(reported.statusCode, 201, reported.body);
  clock.set('2026-11-28T09:00:00.000Z');
  return { app, clock, plan, plan2, commission, tasks };
}

t.test('a JSON report computed in parts, one range of tasks per thread, is byte for byte the whole report', async (t) => {
  const { app, clock, plan, plan2, commission } = await largerPlanOnFile(t);
  for (const threads of [2, 3, 5]) {
    const producer = reportProducer({ db: app.db, clock, databasePath: app.sqlite.name, workerMinTasks: 0, partsMinTasks: 0, threads, log: () => undefined });
    t.teardown(() => producer.close());
    const queries: ProgressReportQuery[] = [
      { planId: plan2.id },
      { planId: plan2.id, lang: 'en' },
      { planId: plan2.id, asOf: '2026-10-20' },
      { planId: plan.id },
      { commissionId: commission.id },
      { commissionId: commission.id, asOf: '2026-09-01' },
    ];
    for (const query of queries) {
      const { body } = await producer.produce(query, 'json');
      t.ok(body instanceof Uint8Array, 'bytes from the workers');
      t.equal(Buffer.from(body as Uint8Array).toString(), await inThisThread(app, clock, query, 'json'), `${threads} parts: ${JSON.stringify(query)}`);
    }
    const report = JSON.parse(Buffer.from((await producer.produce({ commissionId: commission.id }, 'json')).body as Uint8Array).toString());
    t.equal(report.tasks.length, 13, 'every task once');
    t.ok(report.overdue.length >= 4, 'overdue tasks from several parts');
    // Not the fallback: every one of them was put together from its parts, none computed again whole.
    t.same(producer.stats, { here: 0, whole: 0, inParts: queries.length + 1, partsDiscarded: 0, calendars: 0 }, `${threads} parts: all put together from parts`);
  }
});

t.test('a part that refuses refuses the report; parts that read different data are not put together', async (t) => {
  const { app, clock, plan, tasks } = await largerPlanOnFile(t);
  const producer = reportProducer({ db: app.db, clock, databasePath: app.sqlite.name, workerMinTasks: 0, partsMinTasks: 0, threads: 2, log: () => undefined });
  t.teardown(() => producer.close());
  const refusal = (query: ProgressReportQuery) => producer.produce(query, 'json').then(() => null, (err: AppError) => [err.spec.code, err.detail]);
  t.match(await refusal({ planId: '019a7c2e-0000-7000-8000-00000000dead' }), ['not-found', /does not exist/]);
  t.match(await refusal({ planId: plan.id, asOf: '2030-01-01' }), ['invalid-value', /after today/]);

  // Parts as the workers make them, each with the mark of what it read; a real write lands between two parts' reads.
  const service = createProgressService({ db: app.db, clock });
  const partOf = (part: number) => reportPart(service.walk({ planId: plan.id }, { part, of: 2 }), historyMark(app.db));
  const assembled = (parts: ReportPart[]) => {
    const body = assembleReport(parts);
    return body === null ? null : Buffer.from(body).toString();
  };
  const first = partOf(0);
  const before = await inThisThread(app, clock, { planId: plan.id }, 'json');
  t.equal(assembled([first, partOf(1)]), before, 'the same data: the report');
  await transition(app, tasks.t1.id, 'in_progress');
  t.equal(assembled([first, partOf(1)]), null, 'a write committed between the parts: nothing put together');
  const after = await inThisThread(app, clock, { planId: plan.id }, 'json');
  t.not(after, before, 'the write changed the report');
  t.equal(assembled([partOf(0), partOf(1)]), after, 'both parts read again: the report after the write');
});

t.test('parts larger than their first buffer (64 KB) are put together byte for byte', async (t) => {
  const { app, clock, plan, by } = await planOnFile(t);
  // Titles of 1,000 characters, mostly Cyrillic (two bytes each in UTF-8): about 75 KB of tasks in each half.
  for (let i = 0; i < 80; i++) {
    await createTask(app, { planId: plan.id, code: `9.${i + 1}`, dueDate: '2027-06-30', title: `${i} ${'Поставка '.repeat(111)}`.slice(0, 1000), assignees: [{ organizationId: by.id, role: 'lead' }] });
  }
  const service = createProgressService({ db: app.db, clock });
  const parts = [0, 1].map((part) => reportPart(service.walk({ planId: plan.id }, { part, of: 2 }), historyMark(app.db)));
  t.ok(parts.every((part) => part.tasks.length > 65_536), `each part outgrew its first buffer (${parts.map((p) => p.tasks.length).join(', ')} bytes)`);
  t.equal(Buffer.from(assembleReport(parts) as Uint8Array).toString(), await inThisThread(app, clock, { planId: plan.id }, 'json'));
});

t.test('the report threads run at a lower priority than the event loop (Linux: nice is per thread)', { skip: process.platform !== 'linux' }, async (t) => {
  const { app, clock, plan } = await planOnFile(t);
  const nice = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]); // field 19 of proc(5)
  const niceOf = (tid: string | number) => nice(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'));
  const main = niceOf(process.pid);
  const lowered = () => readdirSync('/proc/self/task').filter((tid) => niceOf(tid) === main + REPORT_THREAD_NICE).length;
  const before = lowered();
  const producer = producerOf(app, clock);
  t.teardown(() => producer.close());
  await producer.produce({ planId: plan.id }, 'json');
  t.equal(niceOf(process.pid), main, 'the event loop keeps its priority');
  t.ok(lowered() > before, 'the thread that computed the report runs lower');
});

t.test('the waiting line counts reports, not the pieces a report in parts is computed in', async (t) => {
  const { app, clock, plan } = await largerPlanOnFile(t);
  const producer = reportProducer({ db: app.db, clock, databasePath: app.sqlite.name, workerMinTasks: 0, partsMinTasks: 0, threads: 2, maxWaiting: 1, log: () => undefined });
  t.teardown(() => producer.close());
  // Two computed at once (one per thread), one waiting, the fourth refused: each in parts is three pool tasks.
  const asked = ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04'].map((asOf) =>
    producer.produce({ planId: plan.id, asOf }, 'json').then(
      () => 'done',
      (err: AppError) => `${err.spec.status} ${err.detail}`,
    ),
  );
  t.same(await Promise.all(asked), ['done', 'done', 'done', '503 1 large reports are waiting to be computed; ask again in a minute']);
});
