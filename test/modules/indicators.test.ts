// Tests of /v1/indicators: targets of plans and tasks, values by period, progress, refusals, history, ETags, lists.
import t from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import type { HistoryEntry } from '../../src/modules/history/history.schemas.js';
import type { Indicator } from '../../src/modules/indicators/indicators.schemas.js';
import { assertProblem, build, DEFAULT_NOW, json, keyFor, patchChangesNothing, refused, snapshot, testClock } from '../helper.js';
import { approvedTask, approvePlan, createPlan, createTask, seedPlan } from '../factories.js';

const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';

const tractors = (planId: string, extra: Record<string, unknown> = {}) => ({
  planId,
  name: 'Tractors assembled at the joint venture in Kostanay',
  unit: 'tractors',
  baseline: 600,
  target: 1200,
  ...extra,
});

/** Creates an indicator through the API, failing loudly when refused. */
async function createIndicator(app: App, body: Record<string, unknown>): Promise<Indicator> {
  const res = await app.inject({ method: 'POST', url: '/v1/indicators', payload: body });
  if (res.statusCode !== 201) throw new Error(`POST /v1/indicators answered ${res.statusCode}: ${res.body}`);
  return json<Indicator>(res);
}

const putValue = (id: string, period: string, payload: unknown, headers: Record<string, string> = {}): InjectOptions => ({
  method: 'PUT',
  url: `/v1/indicators/${id}/values/${period}`,
  payload: payload as object,
  headers,
});

/** Records a value, failing loudly when refused. */
async function record(app: App, id: string, period: string, payload: Record<string, unknown>): Promise<Indicator> {
  const res = await app.inject(putValue(id, period, payload));
  if (res.statusCode !== 200) throw new Error(`PUT value ${period} answered ${res.statusCode}: ${res.body}`);
  return json<Indicator>(res);
}

async function read(app: App, id: string): Promise<Indicator> {
  const res = await app.inject({ method: 'GET', url: `/v1/indicators/${id}` });
  if (res.statusCode !== 200) throw new Error(`GET indicator answered ${res.statusCode}: ${res.body}`);
  return json<Indicator>(res);
}

/** Every history entry of one indicator, oldest first. */
async function historyOf(app: App, id: string): Promise<HistoryEntry[]> {
  const res = await app.inject({ method: 'GET', url: `/v1/history?entityId=${id}&limit=200` });
  if (res.statusCode !== 200) throw new Error(`GET /v1/history answered ${res.statusCode}: ${res.body}`);
  return json<{ items: HistoryEntry[] }>(res).items;
}

async function closePlan(app: App, planId: string) {
  const res = await app.inject({ method: 'POST', url: `/v1/plans/${planId}/close` });
  if (res.statusCode !== 200) throw new Error(`close answered ${res.statusCode}: ${res.body}`);
}

t.test('creating a plan indicator answers 201 with a Location and a representation without values yet', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const res = await app.inject({ method: 'POST', url: '/v1/indicators', payload: tractors(plan.id) });
  t.equal(res.statusCode, 201);
  const created = json<Indicator>(res);
  t.match(created.id, /^[0-9a-f-]{36}$/);
  t.strictSame(created, {
    id: created.id,
    planId: plan.id,
    taskId: null,
    name: 'Tractors assembled at the joint venture in Kostanay',
    unit: 'tractors',
    baseline: 600,
    target: 1200,
    direction: 'increase',
    values: [],
    latest: null,
    progressPercent: null,
    createdAt: DEFAULT_NOW,
    updatedAt: DEFAULT_NOW,
  });
  t.equal(res.headers.location, `/v1/indicators/${created.id}`);
  t.ok(res.headers.etag, 'carries an ETag');

  const got = await app.inject({ method: 'GET', url: res.headers.location as string });
  t.equal(got.statusCode, 200);
  t.strictSame(json(got), created, 'reads back the same');
  t.equal(got.headers.etag, res.headers.etag, 'the same ETag on read');
});

t.test('an indicator of a task names the task; a target below the baseline is a decreasing one', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '2.1', dueDate: '2027-06-30', assignees });
  const created = await createIndicator(app, {
    planId: plan.id,
    taskId: task.id,
    name: 'Share of imported components in the assembled combines',
    unit: '%',
    baseline: 30,
    target: 10,
  });
  t.equal(created.taskId, task.id);
  t.equal(created.direction, 'decrease');
  const explicitNull = await createIndicator(app, tractors(plan.id, { taskId: null }));
  t.equal(explicitNull.taskId, null, 'a null taskId is a plan indicator');
});

t.test('creation refuses unknown plans and tasks, a task of another plan, a flat target and a closed plan', async (t) => {
  const app = await build(t);
  const { plan, commission, assignees, task: approvedOne } = await approvedTask(app);
  const approved = plan;
  const other = await createPlan(app, commission.id, { title: 'Another plan' });
  const otherTask = await createTask(app, { planId: other.id, code: '1.1', dueDate: '2027-06-30', assignees });
  const post = (payload: unknown): InjectOptions => ({ method: 'POST', url: '/v1/indicators', payload: payload as object });

  const unknownPlan = await refused(t, app, post(tractors(MISSING_ID)), 422, 'unknown-reference');
  t.strictSame(unknownPlan.errors, [{ path: 'body.planId', message: 'no plan with this id' }]);

  const unknownTask = await refused(t, app, post(tractors(plan.id, { taskId: MISSING_ID })), 422, 'unknown-reference');
  t.strictSame(unknownTask.errors, [{ path: 'body.taskId', message: 'no task with this id' }]);

  const foreign = await refused(t, app, post(tractors(approved.id, { taskId: otherTask.id })), 422, 'invalid-value');
  t.strictSame(foreign.errors, [{ path: 'body.taskId', message: 'not a task of the plan' }]);

  const flat = await refused(t, app, post(tractors(plan.id, { baseline: 5, target: 5 })), 422, 'invalid-value');
  t.strictSame(flat.errors, [{ path: 'body.target', message: 'target must differ from baseline' }]);
  // Equal but for the last digits a number keeps: every value would be a progress of 10^33 percent (found by a review).
  const hair = await refused(t, app, post(tractors(plan.id, { baseline: 0.1, target: 0.1000000000000001 })), 422, 'invalid-value');
  t.strictSame(hair.errors, [{ path: 'body.target', message: 'target must differ from baseline' }]);
  const small = await app.inject(post(tractors(plan.id, { baseline: 0.001, target: 0.002 })));
  t.equal(small.statusCode, 201, 'small figures that differ are fine');

  await closePlan(app, approved.id);
  const closed = await refused(t, app, post(tractors(approved.id, { taskId: approvedOne.id })), 409, 'plan-state-conflict');
  t.match(closed.detail, /closed/);
});

t.test('invalid create bodies are refused with 400 naming the field, and change nothing', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const good = tractors(plan.id);
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown field', { ...good, frequency: 'quarterly' }, 'body.frequency'],
    ['a missing plan', { ...good, planId: undefined }, 'body.planId'],
    ['a plan id that is not a uuid', { ...good, planId: 'plan-1' }, 'body.planId'],
    ['a task id that is not a uuid', { ...good, taskId: 12 }, 'body.taskId'],
    ['a missing name', { ...good, name: undefined }, 'body.name'],
    ['a blank name', { ...good, name: '   ' }, 'body.name'],
    ['a name over 300 characters', { ...good, name: 'Т'.repeat(301) }, 'body.name'],
    ['a missing unit', { ...good, unit: undefined }, 'body.unit'],
    ['a unit over 50 characters', { ...good, unit: 'u'.repeat(51) }, 'body.unit'],
    ['a baseline given as text', { ...good, baseline: '600' }, 'body.baseline'],
    ['a missing target', { ...good, target: undefined }, 'body.target'],
    ['a target beyond any plausible figure', { ...good, target: 1e16 }, 'body.target'],
    ['a baseline below any plausible figure', { ...good, baseline: -1e16 }, 'body.baseline'],
  ];
  const before = snapshot(app);
  for (const [what, payload, path] of cases) {
    const body = assertProblem(t, await app.inject({ method: 'POST', url: '/v1/indicators', payload }), 400, 'validation-failed');
    t.ok(
      body.errors.some((e: { path: string }) => e.path === path),
      `${what} is blamed on ${path}: ${JSON.stringify(body.errors)}`,
    );
  }
  t.strictSame(snapshot(app), before, 'nothing changed');
});

t.test('recorded values are listed by period; latest is the last period that has ended, with its progress', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan } = await seedPlan(app);
  const indicator = await createIndicator(app, tractors(plan.id));

  clock.set('2026-11-28T10:00:00.000Z');
  const running = await record(app, indicator.id, '2026-Q4', { value: 900, note: 'Preliminary' });
  t.strictSame(running.values, [{ period: '2026-Q4', value: 900, note: 'Preliminary', recordedAt: '2026-11-28T10:00:00.000Z' }]);
  t.equal(running.latest, null, 'the running quarter does not count yet');
  t.equal(running.progressPercent, null);
  t.equal(running.updatedAt, '2026-11-28T10:00:00.000Z', 'recording a value updates the indicator');

  const withQ3 = await record(app, indicator.id, '2026-Q3', { value: 750 });
  t.strictSame(
    withQ3.values.map((v) => [v.period, v.value, v.note]),
    [
      ['2026-Q3', 750, null],
      ['2026-Q4', 900, 'Preliminary'],
    ],
    'ordered by period, whatever the order of recording',
  );
  t.strictSame(withQ3.latest, { period: '2026-Q3', value: 750 });
  t.equal(withQ3.progressPercent, 25, '(750 − 600) / (1200 − 600)');

  // New Year's Eve, 23:30 in Minsk (UTC+3) but not yet in UTC: the fourth quarter has ended there.
  clock.set('2026-12-31T20:30:00.000Z');
  const atYearEnd = await read(app, indicator.id);
  t.strictSame(atYearEnd.latest, { period: '2026-Q4', value: 900 }, 'a quarter counts from its last day, in the commission\'s zone');
  t.equal(atYearEnd.progressPercent, 50);
  clock.set('2026-12-30T20:59:59.000Z');
  t.strictSame((await read(app, indicator.id)).latest, { period: '2026-Q3', value: 750 }, 'the day before, in Minsk, it has not');
});

t.test('recording a period again corrects its value; the same value and note again changes nothing', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const { plan } = await seedPlan(app);
  const indicator = await createIndicator(app, tractors(plan.id));
  await record(app, indicator.id, '2026-Q3', { value: 700, note: 'Preliminary' });

  clock.set('2026-11-28T12:00:00.000Z');
  const corrected = await record(app, indicator.id, '2026-Q3', { value: 720 });
  t.strictSame(corrected.values, [{ period: '2026-Q3', value: 720, note: null, recordedAt: '2026-11-28T12:00:00.000Z' }]);
  t.equal(corrected.progressPercent, 20);
  t.equal(snapshot(app).indicator_values!.length, 1, 'still one value for the period');

  clock.set('2026-11-28T13:00:00.000Z');
  const before = snapshot(app);
  const again = await app.inject(putValue(indicator.id, '2026-Q3', { value: 720, note: null }));
  t.equal(again.statusCode, 200);
  t.strictSame(json(again), corrected, 'answers with the indicator as it was');
  t.strictSame(snapshot(app), before, 'no write, no history entry, the first recordedAt stays');
});

t.test('the history records creation, updates and each value as values.<period>, before and after', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2027-06-30', assignees });
  const current = json((await app.inject({ method: 'GET', url: '/v1/api-keys/current' })));
  const actor = { keyId: current.id, role: 'secretariat', organizationId: null };

  const indicator = await createIndicator(app, tractors(plan.id, { taskId: task.id }));
  clock.set('2026-11-28T10:00:00.000Z');
  await app.inject({ method: 'PATCH', url: `/v1/indicators/${indicator.id}`, payload: { target: 1500, unit: 'units' } });
  clock.set('2026-11-28T11:00:00.000Z');
  await record(app, indicator.id, '2026-Q3', { value: 700 });
  clock.set('2026-11-28T12:00:00.000Z');
  await record(app, indicator.id, '2026-Q3', { value: 720, note: 'Corrected per the statement' });

  const entries = await historyOf(app, indicator.id);
  const common = { actor, entityType: 'indicator', entityId: indicator.id, planId: plan.id, taskId: task.id };
  t.strictSame(
    entries.map(({ id: _id, ...e }) => e),
    [
      {
        ...common,
        at: DEFAULT_NOW,
        operation: 'createIndicator',
        changes: [
          { field: 'planId', before: null, after: plan.id },
          { field: 'taskId', before: null, after: task.id },
          { field: 'name', before: null, after: 'Tractors assembled at the joint venture in Kostanay' },
          { field: 'unit', before: null, after: 'tractors' },
          { field: 'baseline', before: null, after: 600 },
          { field: 'target', before: null, after: 1200 },
        ],
      },
      {
        ...common,
        at: '2026-11-28T10:00:00.000Z',
        operation: 'updateIndicator',
        changes: [
          { field: 'unit', before: 'tractors', after: 'units' },
          { field: 'target', before: 1200, after: 1500 },
        ],
      },
      {
        ...common,
        at: '2026-11-28T11:00:00.000Z',
        operation: 'recordIndicatorValue',
        changes: [{ field: 'values.2026-Q3', before: null, after: { value: 700, note: null } }],
      },
      {
        ...common,
        at: '2026-11-28T12:00:00.000Z',
        operation: 'recordIndicatorValue',
        changes: [{ field: 'values.2026-Q3', before: { value: 700, note: null }, after: { value: 720, note: 'Corrected per the statement' } }],
      },
    ],
  );
  const taskFeed = json((await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/history` }))).items as HistoryEntry[];
  t.equal(taskFeed.filter((e) => e.entityType === 'indicator').length, 4, 'a task\'s indicators show in its history');
  const planFeed = json((await app.inject({ method: 'GET', url: `/v1/plans/${plan.id}/history?entityType=indicator` }))).items;
  t.equal(planFeed.length, 4, 'and in its plan\'s history');
});

t.test('a period must be in the plan\'s frequency, overlap the plan\'s period and have begun', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const { commission } = await seedPlan(app);
  // The plan runs from mid-February 2026 to mid-November 2027.
  const plan = await createPlan(app, commission.id, { periodStart: '2026-02-15', periodEnd: '2027-11-15' });
  const indicator = await createIndicator(app, tractors(plan.id));

  const monthly = await refused(t, app, putValue(indicator.id, '2026-10', { value: 1 }), 422, 'invalid-value');
  t.strictSame(monthly.errors, [{ path: 'params.period', message: 'not a quarterly period' }]);
  t.match(monthly.detail, /quarterly/);

  const before = await refused(t, app, putValue(indicator.id, '2025-Q4', { value: 1 }), 422, 'invalid-value');
  t.strictSame(before.errors, [{ path: 'params.period', message: 'outside the plan period' }]);
  const after = await refused(t, app, putValue(indicator.id, '2028-Q1', { value: 1 }), 422, 'invalid-value');
  t.strictSame(after.errors, [{ path: 'params.period', message: 'outside the plan period' }]);

  const future = await refused(t, app, putValue(indicator.id, '2027-Q1', { value: 1 }), 422, 'invalid-value');
  t.strictSame(future.errors, [{ path: 'params.period', message: 'not begun yet' }]);

  t.equal((await record(app, indicator.id, '2026-Q1', { value: 610 })).values.length, 1, 'a quarter partly in the plan counts');
  t.equal((await record(app, indicator.id, '2026-Q4', { value: 650 })).values.length, 2, 'the running quarter may be recorded');

  // 2027-Q1 begins at midnight in Minsk, three hours before UTC.
  clock.set('2026-12-31T20:59:59.000Z');
  await refused(t, app, putValue(indicator.id, '2027-Q1', { value: 1 }), 422, 'invalid-value');
  clock.set('2026-12-31T21:00:00.000Z');
  t.equal((await record(app, indicator.id, '2027-Q1', { value: 700 })).values.length, 3, 'from its first day in the commission\'s zone');
  clock.set('2027-11-01T09:00:00.000Z');
  t.equal((await record(app, indicator.id, '2027-Q4', { value: 800 })).values.length, 4, 'the last quarter overlaps the plan');
});

t.test('a monthly plan records months, not quarters, and its latest is the last month ended', async (t) => {
  const app = await build(t);
  const { commission } = await seedPlan(app);
  const plan = await createPlan(app, commission.id, { reportingFrequency: 'monthly' });
  const indicator = await createIndicator(app, {
    planId: plan.id,
    name: 'Mutual trade turnover',
    unit: 'USD million',
    baseline: 100,
    target: 150,
  });
  const quarter = await refused(t, app, putValue(indicator.id, '2026-Q3', { value: 1 }), 422, 'invalid-value');
  t.strictSame(quarter.errors, [{ path: 'params.period', message: 'not a monthly period' }]);
  await refused(t, app, putValue(indicator.id, '2026-12', { value: 1 }), 422, 'invalid-value');

  await record(app, indicator.id, '2026-10', { value: 120 });
  await record(app, indicator.id, '2026-09', { value: 110 });
  const got = await record(app, indicator.id, '2026-11', { value: 140 });
  t.strictSame(got.values.map((v) => v.period), ['2026-09', '2026-10', '2026-11']);
  t.strictSame(got.latest, { period: '2026-10', value: 120 }, 'November is still running on the 28th');
  t.equal(got.progressPercent, 40);
});

t.test('progress toward a decreasing target', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const indicator = await createIndicator(app, {
    planId: plan.id,
    name: 'Share of imported components in the assembled combines',
    unit: '%',
    baseline: 30,
    target: 10,
  });
  t.equal((await record(app, indicator.id, '2026-Q2', { value: 20 })).progressPercent, 50, 'baseline 30, target 10, actual 20 → 50');
  t.equal((await record(app, indicator.id, '2026-Q3', { value: 33 })).progressPercent, -15, 'moving away from the target is negative');
  t.equal((await record(app, indicator.id, '2026-Q3', { value: 7.5 })).progressPercent, 112.5, 'past the target is above 100');
});

t.test('malformed periods and bodies of a value are 400; an unknown indicator is 404', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const indicator = await createIndicator(app, tractors(plan.id));
  for (const period of ['2026-Q5', '2026-Q0', '2026-13', '2026-00', 'Q4-2026', '2026-q4', '26-Q4', '2026-1']) {
    await refused(t, app, putValue(indicator.id, period, { value: 1 }), 400, 'validation-failed');
  }
  const bodies: [string, unknown, string][] = [
    ['no value', {}, 'body.value'],
    ['a value as text', { value: '12' }, 'body.value'],
    ['a value beyond any plausible figure', { value: 2e15 }, 'body.value'],
    ['an unknown field', { value: 1, period: '2026-Q3' }, 'body.period'],
    ['a note over 2000 characters', { value: 1, note: 'n'.repeat(2001) }, 'body.note'],
    ['a blank note', { value: 1, note: ' ' }, 'body.note'],
  ];
  for (const [what, payload, path] of bodies) {
    const body = await refused(t, app, putValue(indicator.id, '2026-Q3', payload), 400, 'validation-failed');
    t.ok(body.errors.some((e: { path: string }) => e.path === path), `${what} is blamed on ${path}: ${JSON.stringify(body.errors)}`);
  }
  await refused(t, app, putValue('not-a-uuid', '2026-Q3', { value: 1 }), 400, 'validation-failed');
  const missing = await refused(t, app, putValue(MISSING_ID, '2026-Q3', { value: 1 }), 404, 'not-found');
  t.match(missing.detail, MISSING_ID);
  await refused(t, app, { method: 'GET', url: `/v1/indicators/${MISSING_ID}` }, 404, 'not-found');
  await refused(t, app, { method: 'PATCH', url: `/v1/indicators/${MISSING_ID}`, payload: { name: 'x' } }, 404, 'not-found');
});

t.test('an update changes only the given fields; the target must stay apart from the baseline', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const { plan } = await seedPlan(app);
  const indicator = await createIndicator(app, tractors(plan.id));
  await record(app, indicator.id, '2026-Q3', { value: 900 });

  clock.set('2026-11-29T09:00:00.000Z');
  const res = await app.inject({ method: 'PATCH', url: `/v1/indicators/${indicator.id}`, payload: { baseline: 1200, target: 600 } });
  t.equal(res.statusCode, 200);
  const flipped = json<Indicator>(res);
  t.match(flipped, { name: indicator.name, unit: 'tractors', baseline: 1200, target: 600, direction: 'decrease', progressPercent: 50 });
  t.equal(flipped.updatedAt, '2026-11-29T09:00:00.000Z');
  t.equal(flipped.createdAt, indicator.createdAt);
  t.strictSame(await read(app, indicator.id), flipped);

  const byBaseline = await refused(t, app, { method: 'PATCH', url: `/v1/indicators/${indicator.id}`, payload: { baseline: 600 } }, 422, 'invalid-value');
  t.strictSame(byBaseline.errors, [{ path: 'body.baseline', message: 'target must differ from baseline' }]);
  const byTarget = await refused(t, app, { method: 'PATCH', url: `/v1/indicators/${indicator.id}`, payload: { target: 1200 } }, 422, 'invalid-value');
  t.strictSame(byTarget.errors, [{ path: 'body.target', message: 'target must differ from baseline' }]);

  const patch = (payload: unknown): InjectOptions => ({ method: 'PATCH', url: `/v1/indicators/${indicator.id}`, payload: payload as object });
  await refused(t, app, patch({}), 400, 'validation-failed');
  for (const payload of [{ planId: plan.id }, { taskId: null }, { values: [] }, { name: '' }, { unit: 'u'.repeat(51) }, { target: null }]) {
    await refused(t, app, patch(payload), 400, 'validation-failed');
  }
});

t.test('a closed plan refuses updates and values of its indicators', async (t) => {
  const app = await build(t);
  const { plan, task } = await approvedTask(app);
  const indicator = await createIndicator(app, tractors(plan.id, { taskId: task.id }));
  await record(app, indicator.id, '2026-Q3', { value: 700 });
  await closePlan(app, plan.id);
  await refused(t, app, { method: 'PATCH', url: `/v1/indicators/${indicator.id}`, payload: { target: 1500 } }, 409, 'plan-state-conflict');
  await refused(t, app, putValue(indicator.id, '2026-Q4', { value: 800 }), 409, 'plan-state-conflict');
  await refused(t, app, putValue(indicator.id, '2026-Q3', { value: 710 }), 409, 'plan-state-conflict');
  const still = await read(app, indicator.id);
  t.strictSame(still.latest, { period: '2026-Q3', value: 700 }, 'it stays readable');
});

t.test('writes honour If-Match: a stale ETag is 412 and changes nothing; reads answer If-None-Match with 304', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const indicator = await createIndicator(app, tractors(plan.id));
  const url = `/v1/indicators/${indicator.id}`;
  const first = String((await app.inject({ method: 'GET', url })).headers.etag);

  const notModified = await app.inject({ method: 'GET', url, headers: { 'if-none-match': first } });
  t.equal(notModified.statusCode, 304);
  t.equal(notModified.body, '');

  const patched = await app.inject({ method: 'PATCH', url, payload: { name: 'Tractors assembled' }, headers: { 'if-match': first } });
  t.equal(patched.statusCode, 200, 'the current ETag lets the write through');
  const second = String(patched.headers.etag);
  t.not(second, first, 'a new ETag');
  t.equal(String((await app.inject({ method: 'GET', url })).headers.etag), second, 'the write answers with the ETag a read gives');

  const stalePatch = await refused(t, app, { method: 'PATCH', url, payload: { name: 'Lost update' }, headers: { 'if-match': first } }, 412, 'precondition-failed');
  t.match(stalePatch.detail, second);
  await refused(t, app, putValue(indicator.id, '2026-Q3', { value: 700 }, { 'if-match': first }), 412, 'precondition-failed');

  const recorded = await app.inject(putValue(indicator.id, '2026-Q3', { value: 700 }, { 'if-match': second }));
  t.equal(recorded.statusCode, 200);
  t.not(String(recorded.headers.etag), second, 'a recorded value changes the ETag');
  await refused(t, app, { method: 'PATCH', url, payload: { unit: 'units' }, headers: { 'if-match': second } }, 412, 'precondition-failed');
});

t.test('every key reads indicators; only the secretariat creates, updates and records', async (t) => {
  const app = await build(t);
  const { plan, by, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2027-06-30', assignees });
  const indicator = await createIndicator(app, tractors(plan.id, { taskId: task.id }));
  const keys = {
    co_chair: await keyFor(app, 'co_chair'),
    observer: await keyFor(app, 'observer'),
    'ministry of an assignee': await keyFor(app, 'ministry', by.id),
  };
  for (const [who, key] of Object.entries(keys)) {
    const list = await app.inject({ method: 'GET', url: `/v1/indicators?planId=${plan.id}`, headers: key.headers });
    t.equal(list.statusCode, 200, `${who} lists`);
    t.equal(json(list).items.length, 1);
    t.equal((await app.inject({ method: 'GET', url: `/v1/indicators/${indicator.id}`, headers: key.headers })).statusCode, 200, `${who} reads`);
    await refused(t, app, { method: 'POST', url: '/v1/indicators', payload: tractors(plan.id), headers: key.headers }, 403, 'forbidden');
    await refused(t, app, { method: 'PATCH', url: `/v1/indicators/${indicator.id}`, payload: { target: 1 }, headers: key.headers }, 403, 'forbidden');
    await refused(t, app, { ...putValue(indicator.id, '2026-Q3', { value: 700 }), headers: key.headers }, 403, 'forbidden');
  }
  await refused(t, app, { method: 'GET', url: '/v1/indicators', headers: { authorization: undefined } }, 401, 'unauthorized');
});

t.test('a retried create with the same Idempotency-Key returns the first indicator', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const request: InjectOptions = { method: 'POST', url: '/v1/indicators', payload: tractors(plan.id), headers: { 'idempotency-key': 'ind-1' } };
  const first = await app.inject(request);
  t.equal(first.statusCode, 201);
  const retry = await app.inject(request);
  t.equal(retry.statusCode, 201);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.strictSame(json(retry), json(first));
  t.equal(json((await app.inject({ method: 'GET', url: '/v1/indicators' }))).items.length, 1, 'created once');
});

t.test('lists page by plan then creation, and filter by plan and task', async (t) => {
  const app = await build(t);
  const { commission, plan, assignees } = await seedPlan(app);
  const other = await createPlan(app, commission.id, { title: 'Plan of measures on digitalization' });
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2027-06-30', assignees });
  const created: Indicator[] = [];
  for (let i = 0; i < 3; i++) created.push(await createIndicator(app, tractors(plan.id, { name: `Plan indicator ${i}` })));
  for (let i = 0; i < 2; i++) created.push(await createIndicator(app, tractors(plan.id, { taskId: task.id, name: `Task indicator ${i}` })));
  for (let i = 0; i < 2; i++) created.push(await createIndicator(app, tractors(other.id, { name: `Other plan indicator ${i}` })));
  await record(app, created[0]!.id, '2026-Q3', { value: 900 });

  const expected = [...created]
    .sort((a, b) => (a.planId === b.planId ? a.id.localeCompare(b.id) : a.planId.localeCompare(b.planId)))
    .map((i) => i.id);
  const walked: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await app.inject({ method: 'GET', url: `/v1/indicators?limit=3${cursor ? `&cursor=${cursor}` : ''}` });
    t.equal(res.statusCode, 200);
    const page: { items: Indicator[]; nextCursor: string | null } = json(res);
    t.ok(page.items.length <= 3);
    walked.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null);
  t.strictSame(walked, expected, 'every indicator once, by plan then creation');
  t.equal(pages, 3);

  const inPlan = json((await app.inject({ method: 'GET', url: `/v1/indicators?planId=${plan.id}` }))).items as Indicator[];
  t.strictSame(inPlan.map((i) => i.id), created.slice(0, 5).map((i) => i.id));
  const first = inPlan[0]!;
  t.strictSame(first.latest, { period: '2026-Q3', value: 900 }, 'list items carry values, latest and progress');
  t.equal(first.progressPercent, 50);
  t.strictSame(inPlan[1]!.values, [], 'and only their own values');

  const ofTask = json((await app.inject({ method: 'GET', url: `/v1/indicators?taskId=${task.id}` }))).items as Indicator[];
  t.strictSame(ofTask.map((i) => i.name), ['Task indicator 0', 'Task indicator 1']);
  const both = json((await app.inject({ method: 'GET', url: `/v1/indicators?planId=${other.id}&taskId=${task.id}` }))).items;
  t.strictSame(both, [], 'filters combine');
  t.strictSame(json((await app.inject({ method: 'GET', url: `/v1/indicators?planId=${MISSING_ID}` }))).items, [], 'an unknown plan lists nothing');

  await refused(t, app, { method: 'GET', url: '/v1/indicators?cursor=bogus' }, 400, 'invalid-cursor');
  await refused(t, app, { method: 'GET', url: '/v1/indicators?limit=0' }, 400, 'validation-failed');
  await refused(t, app, { method: 'GET', url: '/v1/indicators?limit=201' }, 400, 'validation-failed');
  await refused(t, app, { method: 'GET', url: '/v1/indicators?planId=nope' }, 400, 'validation-failed');
  await refused(t, app, { method: 'GET', url: '/v1/indicators?status=open' }, 400, 'validation-failed');
});

t.test('an indicator of a draft plan can be created before the plan is approved, and stays after approval', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2027-06-30', assignees });
  const indicator = await createIndicator(app, tractors(plan.id, { taskId: task.id }));
  await approvePlan(app, plan.id);
  const after = await record(app, indicator.id, '2026-Q3', { value: 800 });
  t.equal(after.progressPercent, 33.3, 'one decimal');
});

t.test('once values are recorded, the plan\'s reporting frequency can no longer change; before, it can', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const indicator = await createIndicator(app, tractors(plan.id));
  const early = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { reportingFrequency: 'monthly' } });
  t.equal(early.statusCode, 200, 'no period reported yet: the frequency may change');
  await record(app, indicator.id, '2026-10', { value: 700 });
  await refused(t, app, { method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { reportingFrequency: 'quarterly' } }, 422, 'invalid-value');
  const same = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { reportingFrequency: 'monthly', reportDueDays: 15 } });
  t.equal(same.statusCode, 200, 'naming the same frequency, and changing the due days, stay allowed');
});

t.test('deleting a draft task records the deletion of its indicators too', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const created = await app.inject({
    method: 'POST',
    url: '/v1/indicators',
    payload: { planId: plan.id, taskId: task.id, name: 'Tractors assembled', unit: 'tractors', baseline: 0, target: 1500 },
  });
  t.equal(created.statusCode, 201);
  const indicator = json(created);
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/tasks/${task.id}` })).statusCode, 204);
  t.equal((await app.inject({ method: 'GET', url: `/v1/indicators/${indicator.id}` })).statusCode, 404, 'the indicator went with the task');
  const history = json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/history` }));
  const deletion = history.items.find((e: any) => e.entityType === 'indicator' && e.operation === 'deleteTask');
  t.ok(deletion, 'its deletion is in the task history');
  t.match(deletion?.changes, [{ field: 'planId', after: null }], 'every field goes to null');
});

t.test('an indicator of a draft plan created by mistake is deleted with its values; once the plan is approved it stays', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan, by, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2027-06-30', assignees });
  const kept = await createIndicator(app, tractors(plan.id));
  const mistake = await createIndicator(app, tractors(plan.id, { name: 'Tractors assembled (twice by mistake)' }));
  await record(app, mistake.id, '2026-Q3', { value: 700 });
  const url = `/v1/indicators/${mistake.id}`;
  const etag = String((await app.inject({ url })).headers.etag);

  for (const key of [await keyFor(app, 'co_chair'), await keyFor(app, 'observer'), await keyFor(app, 'ministry', by.id)]) {
    await refused(t, app, { method: 'DELETE', url, headers: key.headers }, 403, 'forbidden');
  }
  await refused(t, app, { method: 'DELETE', url, headers: { 'if-match': '"stale"' } }, 412, 'precondition-failed');
  clock.set('2026-11-28T10:00:00.000Z');
  const deleted = await app.inject({ method: 'DELETE', url, headers: { 'if-match': etag } });
  t.equal(deleted.statusCode, 204, deleted.body);
  t.equal(deleted.body, '');
  await refused(t, app, { method: 'GET', url }, 404, 'not-found');
  await refused(t, app, { method: 'DELETE', url }, 404, 'not-found');
  t.strictSame(json<{ items: Indicator[] }>(await app.inject({ url: `/v1/indicators?planId=${plan.id}` })).items.map((i) => i.id), [kept.id], 'the other stays');
  t.equal(snapshot(app).indicator_values!.length, 0, 'its values went with it');
  const [entry] = json<{ items: HistoryEntry[] }>(await app.inject({ url: `/v1/history?entityId=${mistake.id}&operation=deleteIndicator` })).items;
  t.match(entry, { entityType: 'indicator', planId: plan.id, at: '2026-11-28T10:00:00.000Z' }, 'the deletion is recorded');
  t.match(
    entry?.changes.filter((c) => ['name', 'values'].includes(c.field)),
    [
      { field: 'name', before: 'Tractors assembled (twice by mistake)', after: null },
      { field: 'values', before: [{ period: '2026-Q3', value: 700 }], after: null },
    ],
    'with what it was, values included',
  );

  await approvePlan(app, plan.id);
  const body = await refused(t, app, { method: 'DELETE', url: `/v1/indicators/${kept.id}` }, 409, 'plan-state-conflict');
  t.equal(body.detail, "the plan is approved: its indicators are kept; only a draft plan's are deleted");
});

t.test('a period of a year before 1000 is refused with 400, as dates are, even in a plan whose years it sorts between', async (t) => {
  const app = await build(t);
  const { commission } = await seedPlan(app);
  // "0202-Q1" has no four-digit year: its bounds read "202-01-01" to "202-03-31", which sort between 2019 and 2021.
  const plan = await createPlan(app, commission.id, { periodStart: '2019-01-01', periodEnd: '2021-12-31' });
  const indicator = await createIndicator(app, tractors(plan.id));
  for (const period of ['0202-Q1', '0202-03', '0000-Q1']) {
    const body = await refused(t, app, putValue(indicator.id, period, { value: 900 }), 400, 'validation-failed');
    t.match(body.errors, [{ path: 'params.period' }], `${period} names the period`);
  }
  t.equal((await record(app, indicator.id, '2020-Q1', { value: 900 })).latest?.period, '2020-Q1', 'a period of the plan is recorded');
});

t.test('a task postponed past the plan\'s end is measured up to its due date, as it is reported on', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const { commission, assignees } = await seedPlan(app);
  const plan = await createPlan(app, commission.id, { periodStart: '2026-01-01', periodEnd: '2026-12-31' });
  const moved = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const kept = await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  const ofMoved = await createIndicator(app, tractors(plan.id, { taskId: moved.id }));
  const ofKept = await createIndicator(app, tractors(plan.id, { taskId: kept.id }));
  const ofPlan = await createIndicator(app, tractors(plan.id));
  const change = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${moved.id}/deadline-changes`,
    payload: { kind: 'direct', newDueDate: '2027-06-30', reason: 'Certification takes longer.' },
  });
  t.equal(change.statusCode, 201, 'the secretariat moves 1.1 past the plan end');

  clock.set('2027-05-01T09:00:00.000Z');
  const got = await record(app, ofMoved.id, '2027-Q1', { value: 1100 });
  t.strictSame(got.latest, { period: '2027-Q1', value: 1100 }, 'the postponed task\'s indicator takes 2027-Q1');
  const keptValue = await refused(t, app, putValue(ofKept.id, '2027-Q1', { value: 1 }), 422, 'invalid-value');
  t.strictSame(keptValue.errors, [{ path: 'params.period', message: 'outside the plan period' }], 'a task due within the plan: not');
  await refused(t, app, putValue(ofPlan.id, '2027-Q1', { value: 1 }), 422, 'invalid-value');
  clock.set('2027-08-01T09:00:00.000Z');
  const late = await refused(t, app, putValue(ofMoved.id, '2027-Q3', { value: 1 }), 422, 'invalid-value');
  t.match(late.detail, 'and its task is due on 2027-06-30', 'nor past the task\'s due date');
});

t.test('the co-chairs\' report tells whose indicator each row is: its plan and its task, in every format', async (t) => {
  const app = await build(t);
  const { commission, assignees } = await seedPlan(app);
  const industry = await createPlan(app, commission.id, { title: 'Roadmap: industry' });
  const food = await createPlan(app, commission.id, { title: 'Roadmap: food supplies' });
  const industryTask = await createTask(app, { planId: industry.id, code: '1.1', dueDate: '2027-06-30', assignees });
  const foodTask = await createTask(app, { planId: food.id, code: '1.1', dueDate: '2027-06-30', assignees });
  await approvePlan(app, industry.id);
  await approvePlan(app, food.id);
  // The same measure in both plans, of the plan and of its task 1.1, far apart: 10 % in one, 90 % in the other.
  const ids = new Map<string, string>();
  for (const [plan, task, value] of [[industry, industryTask, 10], [food, foodTask, 90]] as const) {
    for (const taskId of [null, task.id]) {
      const created = await createIndicator(app, { planId: plan.id, taskId, name: 'Экспорт', unit: 'млн долл. США', baseline: 0, target: 100 });
      await record(app, created.id, '2026-Q3', { value });
      ids.set(created.id, `${plan.title} ${taskId === null ? '(plan)' : '1.1'}`);
    }
  }
  const url = `/v1/reports/progress?commissionId=${commission.id}`;
  const report = json<{ indicators: { id: string; planId: string; taskId: string | null }[] }>(await app.inject({ url }));
  t.strictSame(
    report.indicators.map((i) => [ids.get(i.id), i.planId === industry.id ? industry.title : i.planId === food.id ? food.title : i.planId]),
    [...ids.values()].map((label) => [label, label.replace(/ (\(plan\)|1\.1)$/, '')]),
    'each indicator of the JSON names its plan',
  );

  const html = (await app.inject({ url: `${url}&format=html` })).body;
  const section = html.slice(html.indexOf('id="indicators"'), html.indexOf('</section>', html.indexOf('id="indicators"')));
  const rows = [...section.matchAll(/<tr>(.*?)<\/tr>/g)].slice(1).map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
  t.equal(rows.length, 4);
  t.match(rows[0], /Roadmap: industry/, 'the page names the plan of a plan\'s indicator');
  t.match(rows[1], /1\.1.*Roadmap: industry/, 'and the task and plan of a task\'s');
  t.match(rows[3], /1\.1.*Roadmap: food supplies/);

  const xlsx = await app.inject({ url: `${url}&format=xlsx` });
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('Indicators')!;
  t.equal(sheet.getRow(1).getCell(9).value, 'Plan', 'the workbook has a Plan column');
  t.strictSame(
    [2, 3, 4, 5].map((r) => [sheet.getRow(r).getCell(3).value, sheet.getRow(r).getCell(9).value]),
    [
      [null, 'Roadmap: industry'],
      ['1.1', 'Roadmap: industry'],
      [null, 'Roadmap: food supplies'],
      ['1.1', 'Roadmap: food supplies'],
    ],
  );
});

const withdraw = (id: string, period: string, headers: Record<string, string> = {}): InjectOptions => ({ method: 'DELETE', url: `/v1/indicators/${id}/values/${period}`, headers });

t.test('a value recorded for the wrong period is withdrawn: the period has none again, and the history keeps what was withdrawn', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan, by, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2027-06-30', assignees });
  const indicator = await createIndicator(app, tractors(plan.id, { taskId: task.id }));
  await record(app, indicator.id, '2026-Q2', { value: 700 });
  const wrong = await record(app, indicator.id, '2026-Q3', { value: 1100, note: 'Meant for the fourth quarter' });
  t.strictSame(wrong.latest, { period: '2026-Q3', value: 1100 });

  clock.set('2026-11-28T10:00:00.000Z');
  const etag = String((await app.inject({ method: 'GET', url: `/v1/indicators/${indicator.id}` })).headers.etag);
  const res = await app.inject(withdraw(indicator.id, '2026-Q3', { 'if-match': etag }));
  t.equal(res.statusCode, 200, res.body);
  const after = json<Indicator>(res);
  t.strictSame(after.values.map((v) => [v.period, v.value]), [['2026-Q2', 700]], 'the period has no value any more');
  t.strictSame(after.latest, { period: '2026-Q2', value: 700 }, 'the latest is the period before again');
  t.equal(after.progressPercent, 16.7);
  t.equal(after.updatedAt, '2026-11-28T10:00:00.000Z');
  t.not(String(res.headers.etag), etag, 'a new ETag');
  t.strictSame(await read(app, indicator.id), after, 'as a read shows it');
  t.equal(snapshot(app).indicator_values!.length, 1);

  const entries = json<{ items: HistoryEntry[] }>(await app.inject({ url: `/v1/history?entityId=${indicator.id}&operation=withdrawIndicatorValue` })).items;
  t.equal(entries.length, 1, 'one history entry');
  t.match(entries[0], {
    entityType: 'indicator',
    planId: plan.id,
    taskId: task.id,
    at: '2026-11-28T10:00:00.000Z',
    changes: [{ field: 'values.2026-Q3', before: { value: 1100, note: 'Meant for the fourth quarter' }, after: null }],
  });

  // Nothing to withdraw, a stale ETag, a closed plan, another role: refused, and nothing changes.
  const none = await refused(t, app, withdraw(indicator.id, '2026-Q3'), 404, 'not-found');
  t.equal(none.detail, 'the indicator has no value recorded for 2026-Q3');
  await refused(t, app, withdraw(indicator.id, '2026-Q1'), 404, 'not-found');
  await refused(t, app, withdraw(MISSING_ID, '2026-Q2'), 404, 'not-found');
  await refused(t, app, withdraw(indicator.id, '2026-Q5'), 400, 'validation-failed');
  await refused(t, app, withdraw(indicator.id, '2026-Q2', { 'if-match': etag }), 412, 'precondition-failed');
  for (const key of [await keyFor(app, 'co_chair'), await keyFor(app, 'observer'), await keyFor(app, 'ministry', by.id)]) {
    await refused(t, app, withdraw(indicator.id, '2026-Q2', key.headers), 403, 'forbidden');
  }
  await approvePlan(app, plan.id);
  await closePlan(app, plan.id);
  await refused(t, app, withdraw(indicator.id, '2026-Q2'), 409, 'plan-state-conflict');
  t.strictSame((await read(app, indicator.id)).values.map((v) => v.period), ['2026-Q2'], 'the value stays');
});

t.test("a past day's report shows a value withdrawn since as it stood that day, and not one recorded after it", async (t) => {
  const clock = testClock('2026-10-05T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2027-06-30', assignees });
  await approvePlan(app, plan.id);
  const indicator = await createIndicator(app, tractors(plan.id));
  await record(app, indicator.id, '2026-Q3', { value: 900 });
  const report = async (asOf?: string) => {
    const body = json<{ indicators: unknown[] }>(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}${asOf ? `&asOf=${asOf}` : ''}` }));
    return { ...body, generatedAt: null };
  };
  const day1 = await report();
  t.match(day1.indicators[0], { actual: 900, actualPeriod: '2026-Q3' });

  clock.set('2026-10-06T09:00:00.000Z');
  await record(app, indicator.id, '2026-Q3', { value: 950 }); // corrected
  const day2 = await report();
  clock.set('2026-10-07T09:00:00.000Z');
  await record(app, indicator.id, '2026-Q2', { value: 800 }); // recorded after day 2, withdrawn before the next day
  t.equal((await app.inject(withdraw(indicator.id, '2026-Q2'))).statusCode, 200);
  t.equal((await app.inject(withdraw(indicator.id, '2026-Q3'))).statusCode, 200);
  const day3 = await report();
  t.match(day3.indicators[0], { actual: null, actualPeriod: null }, 'no value is left today');

  clock.set('2026-11-28T09:00:00.000Z');
  t.strictSame(await report('2026-10-05'), day1, 'the first day: the value first recorded');
  t.strictSame(await report('2026-10-06'), day2, 'the second day: the corrected value');
  t.strictSame(await report('2026-10-07'), day3, 'the day they were withdrawn: none, and not the second quarter recorded and withdrawn that day');
});

t.test('an update that changes nothing leaves the indicator as it is: same updatedAt and ETag, no history entry', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const { plan } = await seedPlan(app);
  const created = await createIndicator(app, tractors(plan.id));
  // A directory synchronised as a whole sends every field again, the unit with a trailing blank it trims away.
  await patchChangesNothing(t, app, clock, `/v1/indicators/${created.id}`, created, { name: created.name, unit: 'tractors ', baseline: 600, target: 1200 });
});
