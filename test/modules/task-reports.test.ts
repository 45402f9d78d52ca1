// Tests of /v1/tasks/{id}/reports: submitting, revising and reviewing progress reports, and every refusal.
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import type { HistoryEntry } from '../../src/modules/history/history.schemas.js';
import type { TaskReport } from '../../src/modules/task-reports/task-reports.schemas.js';
import { build, json, keyFor, refused, snapshot, stringsAt, testClock, type InjectedResponse } from '../helper.js';
import { approvedTask, approvePlan, createCommission, createOrganization, createPlan, createTask, seedPlan, transition } from '../factories.js';

const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';
/** 12:00 on 28 November 2026 in Minsk: 2026-Q4 and 2026-11 have begun, 2026-Q3's reports were due on 10 October. */
const NOW = '2026-11-28T09:00:00.000Z';

type Headers = Record<string, string | undefined>;
type Key = { id: string; headers: Record<string, string> };

const submit = (taskId: string, payload: Record<string, unknown>, headers: Headers = {}): InjectOptions => ({
  method: 'POST',
  url: `/v1/tasks/${taskId}/reports`,
  payload,
  headers,
});
const revise = (taskId: string, reportId: string, payload: Record<string, unknown>, headers: Headers = {}): InjectOptions => ({
  method: 'PATCH',
  url: `/v1/tasks/${taskId}/reports/${reportId}`,
  payload,
  headers,
});
const review = (taskId: string, reportId: string, payload: Record<string, unknown>, headers: Headers = {}): InjectOptions => ({
  method: 'POST',
  url: `/v1/tasks/${taskId}/reports/${reportId}/review`,
  payload,
  headers,
});
const read = (taskId: string, reportId: string, headers: Headers = {}): InjectOptions => ({
  method: 'GET',
  url: `/v1/tasks/${taskId}/reports/${reportId}`,
  headers,
});

const report = (period = '2026-Q4', extra: Record<string, unknown> = {}) => ({
  period,
  percentComplete: 60,
  confidence: 'amber',
  narrative: '1,120 tractors assembled in Kostanay since January.',
  risks: 'Deliveries of engines are two weeks late.',
  ...extra,
});

/** Sends a request that must succeed with `status`, and returns the report it answers with. */
async function ok(t: Test, app: App, request: InjectOptions, status = 200): Promise<TaskReport> {
  const res = await app.inject(request);
  t.equal(res.statusCode, status, `${request.method} ${request.url} answers ${status}`);
  if (res.statusCode !== status) throw new Error(res.body);
  return json(res);
}

/** The key of the test app's default requests (the bootstrap secretariat key). */
async function secretariatKeyId(app: App): Promise<string> {
  return json((await app.inject({ method: 'GET', url: '/v1/api-keys/current' }))).id as string;
}

/** Entries of the task's history about progress reports, oldest first. */
async function reportHistory(app: App, taskId: string): Promise<HistoryEntry[]> {
  const res = await app.inject({ method: 'GET', url: `/v1/tasks/${taskId}/history?limit=200` });
  return (json(res).items as HistoryEntry[]).filter((e) => e.entityType === 'progress_report');
}

/** An approved task with ministry keys of both executing organizations. */
async function scene(t: Test, now = NOW) {
  const clock = testClock(now);
  const app = await build(t, clock);
  const seed = await approvedTask(app);
  const byKey: Key = await keyFor(app, 'ministry', seed.by.id);
  const kzKey: Key = await keyFor(app, 'ministry', seed.kz.id);
  return { app, clock, ...seed, byKey, kzKey };
}

t.test('a ministry reports for its own organization; the report reads back with its period, deadline and submitter', async (t) => {
  const { app, task, plan, by, byKey } = await scene(t);
  const res = await app.inject(submit(task.id, report(), byKey.headers));
  t.equal(res.statusCode, 201);
  const created = json<TaskReport>(res);
  t.equal(res.headers.location, `/v1/tasks/${task.id}/reports/${created.id}`);
  t.same(created, {
    id: created.id,
    taskId: task.id,
    planId: plan.id,
    organizationId: by.id,
    period: '2026-Q4',
    periodStart: '2026-10-01',
    periodEnd: '2026-12-31',
    submissionDeadline: '2027-01-10',
    submittedLate: false,
    percentComplete: 60,
    confidence: 'amber',
    narrative: '1,120 tractors assembled in Kostanay since January.',
    risks: 'Deliveries of engines are two weeks late.',
    status: 'submitted',
    revision: 1,
    submittedAt: NOW,
    submittedBy: { keyId: byKey.id, role: 'ministry', organizationId: by.id },
    reviewedAt: null,
    reviewedBy: null,
    reviewComment: null,
    createdAt: NOW,
    updatedAt: NOW,
  });

  const got = await app.inject(read(task.id, created.id, byKey.headers));
  t.equal(got.statusCode, 200);
  t.same(json(got), created, 'reads back the same');
  t.type(got.headers.etag, 'string', 'a read carries an ETag');
  t.equal(got.headers.etag, res.headers.etag, 'the same ETag as the submit answered');
  const notModified = await app.inject(read(task.id, created.id, { 'if-none-match': got.headers.etag as string }));
  t.equal(notModified.statusCode, 304, 'If-None-Match with the current ETag is 304');
  t.equal(notModified.body, '');
});

t.test('the secretariat reports for an assignee it names; without a name, or naming a non-assignee, it is refused with 422', async (t) => {
  const { app, task, kz } = await scene(t);
  const stranger = await createOrganization(app, { name: 'Ministry of Agriculture of Belarus', country: 'BY' });

  const unnamed = await refused(t, app, submit(task.id, report()), 422, 'invalid-value');
  t.match(unnamed.errors, [{ path: 'body.organizationId' }]);
  const outsider = await refused(t, app, submit(task.id, report('2026-Q4', { organizationId: stranger.id })), 422, 'invalid-value');
  t.match(outsider.detail, /not an assignee/);
  t.match(outsider.errors, [{ path: 'body.organizationId', message: 'not an assignee of the task' }]);
  await refused(t, app, submit(task.id, report('2026-Q4', { organizationId: MISSING_ID })), 422, 'invalid-value');

  const created = await ok(t, app, submit(task.id, report('2026-Q4', { organizationId: kz.id })), 201);
  t.match(created, { organizationId: kz.id, submittedBy: { keyId: await secretariatKeyId(app), role: 'secretariat', organizationId: null } });
});

t.test("a ministry cannot report for another organization, even a co-executor of the task; it may name its own", async (t) => {
  const { app, task, by, kz, byKey } = await scene(t);
  const body = await refused(t, app, submit(task.id, report('2026-Q4', { organizationId: kz.id }), byKey.headers), 403, 'forbidden');
  t.match(body.detail, /its own organization/);
  const created = await ok(t, app, submit(task.id, report('2026-Q4', { organizationId: by.id }), byKey.headers), 201);
  t.equal(created.organizationId, by.id);
});

t.test('ministries of other organizations, co-chairs and observers cannot submit; every key reads', async (t) => {
  const { app, task, byKey } = await scene(t);
  const stranger = await createOrganization(app, { name: 'Ministry of Agriculture of Belarus', country: 'BY' });
  const outsider = await keyFor(app, 'ministry', stranger.id);
  const coChair = await keyFor(app, 'co_chair');
  const observer = await keyFor(app, 'observer');

  const stray = await refused(t, app, submit(task.id, report(), outsider.headers), 403, 'forbidden');
  t.match(stray.detail, /not executed by your organization/);
  await refused(t, app, submit(task.id, report('2026-Q4', { organizationId: stranger.id }), outsider.headers), 403, 'forbidden');
  for (const key of [coChair, observer]) await refused(t, app, submit(task.id, report(), key.headers), 403, 'forbidden');

  const created = await ok(t, app, submit(task.id, report(), byKey.headers), 201);
  for (const key of [outsider, coChair, observer]) {
    t.same(json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/reports`, headers: key.headers })).items, [created]);
    t.same(json(await app.inject(read(task.id, created.id, key.headers))), created);
  }
});

t.test("a report is late when first submitted after the period's deadline, by the date in the commission's time zone", async (t) => {
  const { app, clock, task, by, kz } = await scene(t, '2026-10-10T20:59:00.000Z'); // 23:59 on 10 October in Minsk
  const onTime = await ok(t, app, submit(task.id, report('2026-Q3', { organizationId: by.id })), 201);
  t.match(onTime, { submissionDeadline: '2026-10-10', submittedLate: false }, 'on the deadline day is on time');

  clock.set('2026-10-10T21:00:00.000Z'); // midnight in Minsk, still the 10th in UTC
  const late = await ok(t, app, submit(task.id, report('2026-Q3', { organizationId: kz.id })), 201);
  t.match(late, { submissionDeadline: '2026-10-10', submittedLate: true }, 'the next day in Minsk is late');

  // A return and a revision after the deadline do not make an on-time report late.
  clock.set(NOW);
  await ok(t, app, review(task.id, onTime.id, { decision: 'returned', comment: 'Give the figures of the quarter.' }));
  const revised = await ok(t, app, revise(task.id, onTime.id, { percentComplete: 55 }));
  t.match(revised, { revision: 2, submittedAt: NOW, createdAt: '2026-10-10T20:59:00.000Z', submittedLate: false });
});

t.test("the deadline is the plan's reportDueDays when the report is first submitted; a later change does not move it", async (t) => {
  const { app, clock, task, plan, by, kz } = await scene(t, '2026-09-01T09:00:00.000Z'); // approved before the Q3 deadline
  clock.set(NOW);
  const created = await ok(t, app, submit(task.id, report('2026-Q3', { organizationId: by.id })), 201);
  t.match(created, { submissionDeadline: '2026-10-10', submittedLate: true });
  const res = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { reportDueDays: 60 } });
  t.equal(res.statusCode, 200);
  t.match(json(await app.inject(read(task.id, created.id))), { submissionDeadline: '2026-10-10', submittedLate: true }, 'submitted before: kept');
  const after = await ok(t, app, submit(task.id, report('2026-Q3', { organizationId: kz.id })), 201);
  t.match(after, { submissionDeadline: '2026-11-29', submittedLate: false }, 'submitted after: the new rule');
});

t.test('a report for a deadline that passed before the plan was approved is not late: it could not be submitted in time', async (t) => {
  // Approved on 2 November: the Q3 reports were due on 10 October, when the plan was a draft and took none.
  const { app, clock, task, by, kz } = await scene(t, '2026-11-02T09:00:00.000Z');
  clock.set(NOW);
  const q3 = await ok(t, app, submit(task.id, report('2026-Q3', { organizationId: by.id })), 201);
  t.match(q3, { submissionDeadline: '2026-10-10', submittedLate: false }, 'Q3, due before the approval');
  t.match(json(await app.inject(read(task.id, q3.id))), { submittedLate: false }, 'and so read back');
  // Q4 was due after the approval: a report after its deadline is late.
  clock.set('2027-01-11T09:00:00.000Z');
  const q4 = await ok(t, app, submit(task.id, report('2026-Q4', { organizationId: kz.id })), 201);
  t.match(q4, { submissionDeadline: '2027-01-10', submittedLate: true }, 'Q4, due after the approval');
});

t.test('a report for a deadline that passed before its organization was put on the task is not late: it owed none', async (t) => {
  // The plan is in force since September; on 28 November KZ joins task 1.1 and a new task 1.2 is added, both after the
  // Q3 deadline (10 October), which the co-chairs' report does not count them missing for.
  const { app, clock, plan, task, by, kz, kzKey } = await scene(t, '2026-09-01T09:00:00.000Z');
  const byOnly = [{ organizationId: by.id, role: 'lead' }];
  let res = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { assignees: byOnly } });
  t.equal(res.statusCode, 200);
  clock.set(NOW);
  res = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { assignees: [...byOnly, { organizationId: kz.id, role: 'co_executor' }] } });
  t.equal(res.statusCode, 200);
  const added = await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2026-12-31', assignees: [{ organizationId: kz.id, role: 'lead' }] });
  const progress = json(await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}` }));
  const missing = stringsAt(progress.missingReports, 'organizationId');
  t.ok(missing.includes(by.id) && !missing.includes(kz.id), "the co-chairs' report misses BY's Q3 report, not KZ's");

  const joined = await ok(t, app, submit(task.id, report('2026-Q3'), kzKey.headers), 201);
  t.match(joined, { submissionDeadline: '2026-10-10', submittedLate: false }, 'assigned after the deadline');
  const fresh = await ok(t, app, submit(added.id, report('2026-Q3'), kzKey.headers), 201);
  t.match(fresh, { submissionDeadline: '2026-10-10', submittedLate: false }, 'a task created after the deadline');
  const owed = await ok(t, app, submit(task.id, report('2026-Q3', { organizationId: by.id })), 201);
  t.match(owed, { submissionDeadline: '2026-10-10', submittedLate: true }, 'assigned since September: late');

  // Judged at the first submission: taken off the task and put back later, the organization's report stays as it was.
  res = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { assignees: [{ organizationId: kz.id, role: 'lead' }] } });
  t.equal(res.statusCode, 200);
  clock.set('2026-11-30T09:00:00.000Z');
  res = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { assignees: [...byOnly, { organizationId: kz.id, role: 'lead' }] } });
  t.equal(res.statusCode, 200);
  t.match(json(await app.inject(read(task.id, owed.id))), { submittedLate: true }, 'a new assignment does not excuse a late report');
  t.match(json(await app.inject(read(task.id, joined.id))), { submittedLate: false });
});

t.test('the approval day is judged in the commission time zone', async (t) => {
  // 21:30 UTC on 10 October, the Q3 deadline day in UTC, is 00:30 on 11 October in Minsk (UTC+3): approved after it.
  const late = await scene(t, '2026-10-10T21:30:00.000Z');
  late.clock.set(NOW);
  t.match(await ok(t, late.app, submit(late.task.id, report('2026-Q3', { organizationId: late.by.id })), 201), { submissionDeadline: '2026-10-10', submittedLate: false });
  // 20:30 UTC is 23:30 on the deadline day in Minsk: approved in time, so a report after the deadline is late.
  const inTime = await scene(t, '2026-10-10T20:30:00.000Z');
  inTime.clock.set(NOW);
  t.match(await ok(t, inTime.app, submit(inTime.task.id, report('2026-Q3', { organizationId: inTime.by.id })), 201), { submissionDeadline: '2026-10-10', submittedLate: true });
});

t.test("the period is written in the plan's frequency: a quarterly plan refuses months with 422, anything else is 400", async (t) => {
  const { app, task, byKey } = await scene(t);
  const body = await refused(t, app, submit(task.id, report('2026-11'), byKey.headers), 422, 'invalid-value');
  t.match(body.detail, /quarterly.*"2026-Q4".*not "2026-11"/);
  t.match(body.errors, [{ path: 'body.period' }]);
  for (const period of ['2026-Q5', '2026-13', '2026-1', 'Q4-2026', '2026Q4', '2026-q4', '']) {
    const bad = await refused(t, app, submit(task.id, report(period), byKey.headers), 400, 'validation-failed');
    t.match(bad.errors, [{ path: 'body.period' }], `${JSON.stringify(period)} is not a period`);
  }
});

t.test('a monthly plan takes months, refuses quarters, and its deadlines are per month', async (t) => {
  const clock = testClock('2026-10-15T09:00:00.000Z'); // approved before October's deadline
  const app = await build(t, clock);
  const { commission, by, kz, assignees } = await seedPlan(app);
  const plan = await createPlan(app, commission.id, { title: 'Monthly plan', reportingFrequency: 'monthly', reportDueDays: 5 });
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  clock.set(NOW);
  const byKey = await keyFor(app, 'ministry', by.id);

  const body = await refused(t, app, submit(task.id, report('2026-Q4'), byKey.headers), 422, 'invalid-value');
  t.match(body.detail, /monthly.*"2026-10".*not "2026-Q4"/);
  const october = await ok(t, app, submit(task.id, report('2026-10'), byKey.headers), 201);
  t.match(october, { period: '2026-10', periodStart: '2026-10-01', periodEnd: '2026-10-31', submissionDeadline: '2026-11-05', submittedLate: true });
  const november = await ok(t, app, submit(task.id, report('2026-11', { organizationId: kz.id })), 201);
  t.match(november, { periodStart: '2026-11-01', periodEnd: '2026-11-30', submissionDeadline: '2026-12-05', submittedLate: false });
  await refused(t, app, submit(task.id, report('2026-12'), byKey.headers), 422, 'invalid-value');
});

t.test("a period must overlap the plan's period", async (t) => {
  const app = await build(t, testClock(NOW));
  const { commission, by, assignees } = await seedPlan(app);
  const plan = await createPlan(app, commission.id, { periodStart: '2026-11-15', periodEnd: '2027-06-30' });
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);

  for (const period of ['2026-Q3', '2025-Q4']) {
    const body = await refused(t, app, submit(task.id, report(period, { organizationId: by.id })), 422, 'invalid-value');
    t.match(body.detail, /outside the plan's period \(2026-11-15 – 2027-06-30\)/);
  }
  const partly = await ok(t, app, submit(task.id, report('2026-Q4', { organizationId: by.id })), 201);
  t.equal(partly.period, '2026-Q4', 'a period that overlaps the plan only in part is accepted');
});

t.test('a period of a year before 1000 is refused with 400, not a 500, even in a plan whose years it sorts between', async (t) => {
  const app = await build(t, testClock(NOW));
  const { commission, by, assignees } = await seedPlan(app);
  // "0202-Q1" has no four-digit year: its bounds read "202-01-01" to "202-03-31", which sort between 2019 and 2021.
  const plan = await createPlan(app, commission.id, { periodStart: '2019-01-01', periodEnd: '2021-12-31' });
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2021-12-31', assignees });
  await approvePlan(app, plan.id);
  for (const period of ['0202-Q1', '0000-Q1']) {
    const body = await refused(t, app, submit(task.id, report(period, { organizationId: by.id })), 400, 'validation-failed');
    t.match(body.errors, [{ path: 'body.period' }], `${period} names the period`);
  }
  const list = await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/reports?period=0202-Q1` });
  t.equal(list.statusCode, 400, 'nor is it a filter');
  t.equal((await ok(t, app, submit(task.id, report('2021-Q4', { organizationId: by.id })), 201)).period, '2021-Q4');
});

t.test("no reports for future periods, judged by today in the commission's time zone", async (t) => {
  const { app, clock, task, byKey } = await scene(t);
  const body = await refused(t, app, submit(task.id, report('2027-Q1'), byKey.headers), 422, 'invalid-value');
  t.match(body.detail, /future periods.*2027-01-01.*2026-11-28/);
  await refused(t, app, submit(task.id, report('2027-Q2'), byKey.headers), 422, 'invalid-value');

  clock.set('2026-12-31T20:59:00.000Z'); // 23:59 on 31 December in Minsk
  await refused(t, app, submit(task.id, report('2027-Q1'), byKey.headers), 422, 'invalid-value');
  clock.set('2026-12-31T21:00:00.000Z'); // 1 January in Minsk, still 2026 in UTC
  t.equal((await ok(t, app, submit(task.id, report('2027-Q1'), byKey.headers), 201)).period, '2027-Q1');
});

t.test('one report per organization and period: a second is refused with 409 pointing to the first', async (t) => {
  const { app, task, by, kz, byKey } = await scene(t);
  const first = await ok(t, app, submit(task.id, report(), byKey.headers), 201);
  const body = await refused(t, app, submit(task.id, report('2026-Q4', { percentComplete: 70 }), byKey.headers), 409, 'task-state-conflict');
  t.match(body.detail, first.id);
  t.match(body.detail, /revise it with PATCH/);
  await refused(t, app, submit(task.id, report('2026-Q4', { organizationId: by.id })), 409, 'task-state-conflict');

  // Accepted, the first is final: the refusal says so rather than point at a PATCH that would be refused too.
  await ok(t, app, review(task.id, first.id, { decision: 'accepted' }));
  const final = await refused(t, app, submit(task.id, report('2026-Q4', { percentComplete: 80 }), byKey.headers), 409, 'task-state-conflict');
  t.match(final.detail, `(report ${first.id}, accepted): it was accepted and is final; report news in the next period`);
  t.notMatch(final.detail, /PATCH/);
  const patch = await refused(t, app, revise(task.id, first.id, { percentComplete: 80 }, byKey.headers), 409, 'task-state-conflict');
  t.match(patch.detail, /accepted and is final/, 'as the PATCH itself says');

  t.equal((await ok(t, app, submit(task.id, report('2026-Q3'), byKey.headers), 201)).period, '2026-Q3', 'another period is fine');
  t.equal((await ok(t, app, submit(task.id, report('2026-Q4', { organizationId: kz.id })), 201)).organizationId, kz.id, 'another organization too');
});

t.test('reports are refused with 409 in a draft or closed plan, and on a closed or cancelled task', async (t) => {
  const app = await build(t, testClock(NOW));
  const { plan, by, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1', dueDate: '2026-12-31', assignees });
  const closed = await createTask(app, { planId: plan.id, code: '2', dueDate: '2026-12-31', assignees });
  const cancelled = await createTask(app, { planId: plan.id, code: '3', dueDate: '2026-12-31', assignees });
  const ofBy = report('2026-Q4', { organizationId: by.id });

  const draft = await refused(t, app, submit(task.id, ofBy), 409, 'plan-state-conflict');
  t.match(draft.detail, /approved plan; this plan is draft/);

  await approvePlan(app, plan.id);
  const onTask = await ok(t, app, submit(task.id, ofBy), 201);
  const onClosed = await ok(t, app, submit(closed.id, ofBy), 201);
  const onCancelled = await ok(t, app, submit(cancelled.id, ofBy), 201);
  for (const to of ['in_progress', 'done', 'closed']) await transition(app, closed.id, to);
  await transition(app, cancelled.id, 'cancelled');

  for (const [what, id, r] of [['closed', closed.id, onClosed], ['cancelled', cancelled.id, onCancelled]] as const) {
    const body = await refused(t, app, submit(id, report('2026-Q3', { organizationId: by.id })), 409, 'task-state-conflict');
    t.match(body.detail, `the task is ${what}`);
    await refused(t, app, revise(id, r.id, { percentComplete: 100 }), 409, 'task-state-conflict');
    // Its last report can still be accepted, but not returned for a revision that could never come.
    const back = await refused(t, app, review(id, r.id, { decision: 'returned', comment: 'More detail' }), 409, 'task-state-conflict');
    t.match(back.detail, /cannot be returned/);
    t.equal((await ok(t, app, review(id, r.id, { decision: 'accepted' }))).status, 'accepted');
  }

  // A report awaiting review keeps the plan from being closed: closed, it could never be reviewed.
  const awaiting = await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/close` }, 409, 'plan-state-conflict');
  t.match(awaiting.detail, 'the plan still has progress reports awaiting review (task 1; awaiting=report_review). Decide them');
  await ok(t, app, review(task.id, onTask.id, { decision: 'returned', comment: 'Figures for October are missing' }));
  t.equal((await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/close` })).statusCode, 200);
  const inClosed = await refused(t, app, submit(task.id, report('2026-Q3', { organizationId: by.id })), 409, 'plan-state-conflict');
  t.match(inClosed.detail, /this plan is closed/);
  await refused(t, app, revise(task.id, onTask.id, { percentComplete: 90 }), 409, 'plan-state-conflict');
  await refused(t, app, review(task.id, onTask.id, { decision: 'accepted' }), 409, 'plan-state-conflict');
});

t.test('bad report bodies are refused with 400 and change nothing', async (t) => {
  const { app, task, byKey } = await scene(t);
  const long = 'x'.repeat(5001);
  const cases: [Record<string, unknown>, string][] = [
    [report('2026-Q4', { percentComplete: 101 }), 'body.percentComplete'],
    [report('2026-Q4', { percentComplete: -1 }), 'body.percentComplete'],
    [report('2026-Q4', { percentComplete: 50.5 }), 'body.percentComplete'],
    [report('2026-Q4', { percentComplete: '50' }), 'body.percentComplete'],
    [report('2026-Q4', { confidence: 'blue' }), 'body.confidence'],
    [report('2026-Q4', { narrative: '' }), 'body.narrative'],
    [report('2026-Q4', { narrative: '   ' }), 'body.narrative'],
    [report('2026-Q4', { narrative: long }), 'body.narrative'],
    [report('2026-Q4', { risks: long }), 'body.risks'],
    [report('2026-Q4', { risks: null }), 'body.risks'],
    [report('2026-Q4', { organizationId: 'nope' }), 'body.organizationId'],
    [report('2026-Q4', { status: 'accepted' }), 'body'],
    [{ period: '2026-Q4', confidence: 'green', narrative: 'x' }, 'body.percentComplete'],
    [{ period: '2026-Q4', percentComplete: 10, confidence: 'green' }, 'body.narrative'],
  ];
  for (const [payload, path] of cases) {
    const body = await refused(t, app, submit(task.id, payload, byKey.headers), 400, 'validation-failed');
    t.ok(body.errors.some((e: { path: string }) => e.path.startsWith(path)), `${path} is named: ${JSON.stringify(body.errors)}`);
  }
  const edge = await ok(t, app, submit(task.id, report('2026-Q4', { percentComplete: 100, narrative: 'y'.repeat(5000), risks: undefined }), byKey.headers), 201);
  t.match(edge, { percentComplete: 100, risks: null }, 'bounds are inclusive; risks may be left out');
});

t.test('unknown ids are 404, a report of another task is 404, malformed ids are 400', async (t) => {
  const app = await build(t, testClock(NOW));
  const { plan, by, assignees } = await seedPlan(app);
  const a = await createTask(app, { planId: plan.id, code: '1', dueDate: '2026-12-31', assignees });
  const b = await createTask(app, { planId: plan.id, code: '2', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  const ofA = await ok(t, app, submit(a.id, report('2026-Q4', { organizationId: by.id })), 201);

  await refused(t, app, read(a.id, MISSING_ID), 404, 'not-found');
  const cross = await refused(t, app, read(b.id, ofA.id), 404, 'not-found');
  t.match(cross.detail, ofA.id);
  await refused(t, app, revise(b.id, ofA.id, { percentComplete: 1 }), 404, 'not-found');
  await refused(t, app, review(b.id, ofA.id, { decision: 'accepted' }), 404, 'not-found');
  await refused(t, app, revise(a.id, MISSING_ID, { percentComplete: 1 }), 404, 'not-found');
  await refused(t, app, review(a.id, MISSING_ID, { decision: 'accepted' }), 404, 'not-found');
  const missingTask = await refused(t, app, submit(MISSING_ID, report('2026-Q4', { organizationId: by.id })), 404, 'not-found');
  t.match(missingTask.detail, /task/);
  await refused(t, app, { method: 'GET', url: `/v1/tasks/${MISSING_ID}/reports` }, 404, 'not-found');
  await refused(t, app, read(MISSING_ID, ofA.id), 404, 'not-found');

  for (const url of [`/v1/tasks/nope/reports`, `/v1/tasks/${a.id}/reports/nope`, `/v1/tasks/nope/reports/${ofA.id}`]) {
    await refused(t, app, { method: 'GET', url }, 400, 'validation-failed');
  }
  await refused(t, app, review(a.id, 'nope', { decision: 'accepted' }), 400, 'validation-failed');
  await refused(t, app, revise(a.id, 'nope', { percentComplete: 1 }), 400, 'validation-failed');
});

t.test('a returned report is revised: submitted again as the next revision, its review cleared; once accepted it is final', async (t) => {
  const { app, clock, task, by, byKey } = await scene(t);
  const coChair = await keyFor(app, 'co_chair');
  const secretariat = await secretariatKeyId(app);
  const first = await ok(t, app, submit(task.id, report(), byKey.headers), 201);

  clock.set('2026-11-30T08:00:00.000Z');
  const returned = await ok(t, app, review(task.id, first.id, { decision: 'returned', comment: 'Give the figures of the quarter, not since January.' }));
  t.same(returned, {
    ...first,
    status: 'returned',
    reviewedAt: '2026-11-30T08:00:00.000Z',
    reviewedBy: { keyId: secretariat, role: 'secretariat' },
    reviewComment: 'Give the figures of the quarter, not since January.',
    updatedAt: '2026-11-30T08:00:00.000Z',
  });

  clock.set('2026-12-01T08:00:00.000Z');
  const revised = await ok(t, app, revise(task.id, first.id, { narrative: '310 tractors assembled in the quarter.', risks: null }, byKey.headers));
  t.same(revised, {
    ...first,
    narrative: '310 tractors assembled in the quarter.',
    risks: null,
    status: 'submitted',
    revision: 2,
    submittedAt: '2026-12-01T08:00:00.000Z',
    reviewedAt: null,
    reviewedBy: null,
    reviewComment: null,
    updatedAt: '2026-12-01T08:00:00.000Z',
  });
  t.same(json(await app.inject(read(task.id, first.id))), revised, 'reads back the same');

  clock.set('2026-12-02T08:00:00.000Z');
  const accepted = await ok(t, app, review(task.id, first.id, { decision: 'accepted' }, coChair.headers));
  t.match(accepted, {
    status: 'accepted',
    revision: 2,
    reviewedAt: '2026-12-02T08:00:00.000Z',
    reviewedBy: { keyId: coChair.id, role: 'co_chair' },
    reviewComment: null,
    submittedBy: { keyId: byKey.id, role: 'ministry', organizationId: by.id },
  });

  const final = await refused(t, app, revise(task.id, first.id, { percentComplete: 90 }, byKey.headers), 409, 'task-state-conflict');
  t.match(final.detail, /accepted and is final/);
  await refused(t, app, revise(task.id, first.id, { percentComplete: 90 }), 409, 'task-state-conflict');
  const twice = await refused(t, app, review(task.id, first.id, { decision: 'returned', comment: 'Again' }), 409, 'task-state-conflict');
  t.match(twice.detail, /already accepted/);
});

t.test('a report awaiting review can be revised; a revision that changes nothing is no new revision', async (t) => {
  const { app, clock, task, byKey } = await scene(t);
  const first = await ok(t, app, submit(task.id, report(), byKey.headers), 201);
  clock.set('2026-11-29T08:00:00.000Z');
  const same = await ok(t, app, revise(task.id, first.id, { percentComplete: 60, confidence: 'amber' }, byKey.headers));
  t.same(same, first, 'unchanged');
  t.equal((await reportHistory(app, task.id)).length, 1, 'no history entry for it');

  const second = await ok(t, app, revise(task.id, first.id, { percentComplete: 65, confidence: 'green' }, byKey.headers));
  t.match(second, { percentComplete: 65, confidence: 'green', status: 'submitted', revision: 2, submittedAt: '2026-11-29T08:00:00.000Z' });

  // A returned report sent back unchanged is still a new submission: the executor stands by it.
  await ok(t, app, review(task.id, first.id, { decision: 'returned', comment: 'Is 65% right?' }));
  const resent = await ok(t, app, revise(task.id, first.id, { percentComplete: 65 }, byKey.headers));
  t.match(resent, { status: 'submitted', revision: 3, reviewComment: null });
});

t.test("only the reporting organization's ministry or the secretariat may revise; the secretariat's revision names it", async (t) => {
  const { app, task, by, byKey, kzKey } = await scene(t);
  const stranger = await createOrganization(app, { name: 'Ministry of Agriculture of Belarus', country: 'BY' });
  const outsider = await keyFor(app, 'ministry', stranger.id);
  const coChair = await keyFor(app, 'co_chair');
  const observer = await keyFor(app, 'observer');
  const created = await ok(t, app, submit(task.id, report(), byKey.headers), 201);

  const other = await refused(t, app, revise(task.id, created.id, { percentComplete: 10 }, kzKey.headers), 403, 'forbidden');
  t.match(other.detail, /another organization's/);
  await refused(t, app, revise(task.id, created.id, { percentComplete: 10 }, outsider.headers), 403, 'forbidden');
  for (const key of [coChair, observer]) await refused(t, app, revise(task.id, created.id, { percentComplete: 10 }, key.headers), 403, 'forbidden');

  const bySecretariat = await ok(t, app, revise(task.id, created.id, { percentComplete: 70 }));
  t.match(bySecretariat, {
    organizationId: by.id,
    percentComplete: 70,
    revision: 2,
    submittedBy: { keyId: await secretariatKeyId(app), role: 'secretariat', organizationId: null },
  });
});

t.test('bad revisions are refused with 400 and change nothing', async (t) => {
  const { app, task, byKey } = await scene(t);
  const created = await ok(t, app, submit(task.id, report(), byKey.headers), 201);
  for (const payload of [
    {},
    { percentComplete: 101 },
    { confidence: 'blue' },
    { narrative: '' },
    { narrative: null },
    { risks: 'x'.repeat(5001) },
    { period: '2026-Q3' },
    { organizationId: created.organizationId },
    { status: 'accepted' },
  ]) {
    await refused(t, app, revise(task.id, created.id, payload, byKey.headers), 400, 'validation-failed');
  }
});

t.test('reviews are for the secretariat and co-chairs; a return needs a comment; only a submitted report is reviewed', async (t) => {
  const { app, task, byKey, kzKey } = await scene(t);
  const observer = await keyFor(app, 'observer');
  const coChair = await keyFor(app, 'co_chair');
  const created = await ok(t, app, submit(task.id, report(), byKey.headers), 201);

  for (const key of [byKey, kzKey, observer]) {
    await refused(t, app, review(task.id, created.id, { decision: 'accepted' }, key.headers), 403, 'forbidden');
  }
  const noComment = await refused(t, app, review(task.id, created.id, { decision: 'returned' }, coChair.headers), 400, 'validation-failed');
  t.match(noComment.errors, [{ path: 'body.comment', message: 'say why the report is returned' }]);
  await refused(t, app, review(task.id, created.id, { decision: 'returned', comment: '  ' }), 400, 'validation-failed');
  await refused(t, app, review(task.id, created.id, { decision: 'approve' }), 400, 'validation-failed');
  await refused(t, app, review(task.id, created.id, { decision: 'accepted', comment: 'x'.repeat(2001) }), 400, 'validation-failed');
  await refused(t, app, review(task.id, created.id, { decision: 'accepted', extra: 1 }), 400, 'validation-failed');

  const returned = await ok(t, app, review(task.id, created.id, { decision: 'returned', comment: 'Figures missing' }, coChair.headers));
  t.match(returned, { status: 'returned', reviewedBy: { keyId: coChair.id, role: 'co_chair' }, reviewComment: 'Figures missing' });
  const again = await refused(t, app, review(task.id, created.id, { decision: 'accepted' }), 409, 'task-state-conflict');
  t.match(again.detail, /already returned/);

  await ok(t, app, revise(task.id, created.id, { narrative: 'With figures: 310 tractors.' }, byKey.headers));
  const accepted = await ok(t, app, review(task.id, created.id, { decision: 'accepted', comment: 'Thank you' }));
  t.match(accepted, { status: 'accepted', reviewComment: 'Thank you', reviewedBy: { role: 'secretariat' } });
});

t.test('If-Match guards revisions and reviews: a stale ETag is 412 and changes nothing', async (t) => {
  const { app, task, byKey } = await scene(t);
  const created = await ok(t, app, submit(task.id, report(), byKey.headers), 201);
  const stale = (await app.inject(read(task.id, created.id))).headers.etag as string;
  await ok(t, app, revise(task.id, created.id, { percentComplete: 65 }, { ...byKey.headers, 'if-match': stale }));

  const body = await refused(t, app, revise(task.id, created.id, { percentComplete: 70 }, { ...byKey.headers, 'if-match': stale }), 412, 'precondition-failed');
  t.match(body.detail, /changed since you read it/);
  await refused(t, app, review(task.id, created.id, { decision: 'accepted' }, { 'if-match': stale }), 412, 'precondition-failed');

  const fresh = await app.inject(read(task.id, created.id));
  t.not(fresh.headers.etag, stale, 'the ETag changed with the revision');
  const accepted = await app.inject(review(task.id, created.id, { decision: 'accepted' }, { 'if-match': fresh.headers.etag as string }));
  t.equal(accepted.statusCode, 200, 'the current ETag passes');
  t.not(accepted.headers.etag, fresh.headers.etag, 'the answer carries the new ETag');
  t.equal(accepted.headers.etag, (await app.inject(read(task.id, created.id))).headers.etag);
});

t.test('submitting, revising and reviewing are recorded in the task history, with who did it', async (t) => {
  const { app, clock, task, plan, by, byKey } = await scene(t);
  const coChair = await keyFor(app, 'co_chair');
  const created = await ok(t, app, submit(task.id, report(), byKey.headers), 201);
  clock.set('2026-11-29T08:00:00.000Z');
  const returned = await ok(t, app, review(task.id, created.id, { decision: 'returned', comment: 'Figures missing' }, coChair.headers));
  clock.set('2026-11-30T08:00:00.000Z');
  const revised = await ok(t, app, revise(task.id, created.id, { percentComplete: 65 }, byKey.headers));

  const entries = await reportHistory(app, task.id);
  const ministry = { keyId: byKey.id, role: 'ministry', organizationId: by.id };
  const where = { entityType: 'progress_report', entityId: created.id, planId: plan.id, taskId: task.id };
  t.equal(entries.length, 3);
  t.match(entries[0], { ...where, at: NOW, operation: 'submitTaskReport', actor: ministry });
  t.same(
    entries[0]!.changes.map((c) => c.field),
    Object.keys(created).filter((f) => !['id', 'createdAt', 'updatedAt'].includes(f) && (created as Record<string, unknown>)[f] !== null),
    'a submission records every field it set',
  );
  t.ok(entries[0]!.changes.every((c) => c.before === null));
  t.match(entries[1], { ...where, at: '2026-11-29T08:00:00.000Z', operation: 'reviewTaskReport', actor: { keyId: coChair.id, role: 'co_chair', organizationId: null } });
  t.same(entries[1]!.changes, [
    { field: 'status', before: 'submitted', after: 'returned' },
    { field: 'reviewedAt', before: null, after: '2026-11-29T08:00:00.000Z' },
    { field: 'reviewedBy', before: null, after: { keyId: coChair.id, role: 'co_chair' } },
    { field: 'reviewComment', before: null, after: 'Figures missing' },
  ]);
  t.match(entries[2], { ...where, at: '2026-11-30T08:00:00.000Z', operation: 'reviseTaskReport', actor: ministry });
  t.same(entries[2]!.changes, [
    { field: 'percentComplete', before: 60, after: 65 },
    { field: 'status', before: 'returned', after: 'submitted' },
    { field: 'revision', before: 1, after: 2 },
    { field: 'submittedAt', before: NOW, after: '2026-11-30T08:00:00.000Z' },
    { field: 'reviewedAt', before: returned.reviewedAt, after: null },
    { field: 'reviewedBy', before: returned.reviewedBy, after: null },
    { field: 'reviewComment', before: 'Figures missing', after: null },
  ]);
  t.equal(revised.revision, 2);
  const planFeed = json(await app.inject({ method: 'GET', url: `/v1/plans/${plan.id}/history?entityType=progress_report` }));
  t.same(planFeed.items.map((e: HistoryEntry) => e.operation), ['submitTaskReport', 'reviewTaskReport', 'reviseTaskReport'], 'the plan feed has them too');
});

t.test('the list is ordered by period then organization, paginated, and filtered by period, organization and status', async (t) => {
  const { app, task, by, kz } = await scene(t);
  const made: TaskReport[] = [];
  for (const period of ['2026-Q3', '2026-Q1', '2026-Q4', '2026-Q2']) {
    for (const org of [kz, by]) made.push(await ok(t, app, submit(task.id, report(period, { organizationId: org.id })), 201));
  }
  const q3kz = made.find((r) => r.period === '2026-Q3' && r.organizationId === kz.id)!;
  const q1by = made.find((r) => r.period === '2026-Q1' && r.organizationId === by.id)!;
  await ok(t, app, review(task.id, q3kz.id, { decision: 'accepted' }));
  await ok(t, app, review(task.id, q1by.id, { decision: 'returned', comment: 'More detail' }));
  const current = async (id: string) => json<TaskReport>(await app.inject(read(task.id, id)));
  const expected = await Promise.all(
    [...made]
      .sort((a, b) => (a.period === b.period ? (a.organizationId < b.organizationId ? -1 : 1) : a.period < b.period ? -1 : 1))
      .map((r) => current(r.id)),
  );

  const seen: TaskReport[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: InjectedResponse = await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/reports?limit=3${cursor ? `&cursor=${cursor}` : ''}` });
    t.equal(res.statusCode, 200);
    const page: { items: TaskReport[]; nextCursor: string | null } = json(res);
    t.ok(page.items.length <= 3);
    seen.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null);
  t.equal(pages, 3, '8 reports in pages of 3');
  t.same(seen, expected, 'every report once, by period then organization');

  const list = async (query: string) => json<{ items: TaskReport[] }>(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/reports?${query}` })).items;
  t.same(await list('period=2026-Q2'), expected.filter((r) => r.period === '2026-Q2'));
  t.same(await list(`organizationId=${kz.id}`), expected.filter((r) => r.organizationId === kz.id));
  t.same(await list('status=accepted'), [await current(q3kz.id)]);
  t.same(await list('status=returned'), [await current(q1by.id)]);
  t.same(await list(`status=submitted&organizationId=${by.id}&period=2026-Q1`), []);
  t.same(await list(`status=submitted&organizationId=${by.id}`), expected.filter((r) => r.organizationId === by.id && r.status === 'submitted'));
  t.same(await list('period=2027-Q1'), []);

  await refused(t, app, { method: 'GET', url: `/v1/tasks/${task.id}/reports?cursor=bogus` }, 400, 'invalid-cursor');
  for (const query of ['period=Q3', 'status=draft', 'organizationId=nope', 'limit=0', 'limit=201', 'sort=period']) {
    await refused(t, app, { method: 'GET', url: `/v1/tasks/${task.id}/reports?${query}` }, 400, 'validation-failed');
  }
});

t.test("a task's reports cursor is refused on another task and under other filters, and taken with another limit", async (t) => {
  const { app, task, commission, assignees, by, kz } = await scene(t);
  for (const period of ['2026-Q3', '2026-Q4']) {
    for (const org of [kz, by]) await ok(t, app, submit(task.id, report(period, { organizationId: org.id })), 201);
  }
  const otherTask = await createTask(app, { planId: (await createPlan(app, commission.id, { title: 'Another plan' })).id, code: '1', dueDate: '2026-12-31', assignees });
  const url = `/v1/tasks/${task.id}/reports`;
  const all = json<{ items: TaskReport[] }>(await app.inject({ method: 'GET', url: `${url}?limit=200` })).items;
  const first = json<{ items: TaskReport[]; nextCursor: string }>(await app.inject({ method: 'GET', url: `${url}?limit=1` }));
  const cursor = `cursor=${encodeURIComponent(first.nextCursor)}`;
  for (const [what, target] of [
    ['another task', `/v1/tasks/${otherTask.id}/reports?${cursor}`],
    ['a status filter', `${url}?status=submitted&${cursor}`],
    ['a period filter', `${url}?period=2026-Q4&${cursor}`],
  ] as const) {
    const body = await refused(t, app, { method: 'GET', url: target }, 400, 'invalid-cursor');
    t.equal(body.detail, 'this cursor was issued for other filters; start again without a cursor', what);
  }
  const rest = json<{ items: TaskReport[]; nextCursor: string | null }>(await app.inject({ method: 'GET', url: `${url}?limit=3&${cursor}` }));
  t.same([...first.items, ...rest.items].map((r) => r.id), all.map((r) => r.id), 'another limit: the rest, each report once');
  t.equal(rest.nextCursor, null);
});

t.test('a task without reports lists none; the list of one task holds only its reports', async (t) => {
  const app = await build(t, testClock(NOW));
  const { plan, by, assignees } = await seedPlan(app);
  const a = await createTask(app, { planId: plan.id, code: '1', dueDate: '2026-12-31', assignees });
  const b = await createTask(app, { planId: plan.id, code: '2', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  const ofB = await ok(t, app, submit(b.id, report('2026-Q4', { organizationId: by.id })), 201);
  t.same(json(await app.inject({ method: 'GET', url: `/v1/tasks/${a.id}/reports` })), { items: [], nextCursor: null });
  t.same(json(await app.inject({ method: 'GET', url: `/v1/tasks/${b.id}/reports` })), { items: [ofB], nextCursor: null });
});

t.test('a retried submission with the same Idempotency-Key replays the first report', async (t) => {
  const { app, task, byKey } = await scene(t);
  const headers = { ...byKey.headers, 'idempotency-key': 'report-q4-by-1' };
  const first = await app.inject(submit(task.id, report(), headers));
  t.equal(first.statusCode, 201);
  const before = snapshot(app);
  const retry = await app.inject(submit(task.id, report(), headers));
  t.equal(retry.statusCode, 201);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.body, first.body);
  t.equal(retry.headers.location, first.headers.location);
  t.same(snapshot(app), before, 'nothing written twice');
});

t.test('a ministry key whose organization stops being an assignee can no longer report or revise', async (t) => {
  const app = await build(t, testClock(NOW));
  const commission = await createCommission(app);
  const by = await createOrganization(app, { name: 'Ministry of Industry of Belarus', country: 'BY' });
  const kz = await createOrganization(app, { name: 'Ministry of Industry of Kazakhstan', country: 'KZ' });
  const plan = await createPlan(app, commission.id);
  const task = await createTask(app, {
    planId: plan.id,
    code: '1',
    dueDate: '2026-12-31',
    assignees: [{ organizationId: by.id, role: 'lead' }, { organizationId: kz.id, role: 'co_executor' }],
  });
  await approvePlan(app, plan.id);
  const kzKey = await keyFor(app, 'ministry', kz.id);
  const created = await ok(t, app, submit(task.id, report(), kzKey.headers), 201);
  const res = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { assignees: [{ organizationId: by.id, role: 'lead' }] } });
  t.equal(res.statusCode, 200);

  await refused(t, app, submit(task.id, report('2026-Q3'), kzKey.headers), 403, 'forbidden');
  await refused(t, app, revise(task.id, created.id, { percentComplete: 10 }, kzKey.headers), 403, 'forbidden');
  const stale = await refused(t, app, submit(task.id, report('2026-Q3', { organizationId: kz.id })), 422, 'invalid-value');
  t.match(stale.detail, /not an assignee/);
  t.same(json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/reports`, headers: kzKey.headers })).items, [created], 'its report stays');
});
