// Tests of /v1/plans: creation, reading, filters, pagination, the approval cycle and every refusal.
import t from 'tap';
import type { App } from '../../src/app.js';
import { tasks } from '../../src/db/schema.js';
import { newId } from '../../src/lib/ids.js';
import type { Plan } from '../../src/modules/plans/plans.schemas.js';
import { refusePlanAction } from '../../src/modules/plans/plans.service.js';
import { DEFAULT_NOW, assertProblem, build, json, patchChangesNothing, refused, snapshot, testClock } from '../helper.js';
import { approvePlan, createTask, seedPlan } from '../factories.js';

const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';

/** Creates a commission with the full Belarus–Kazakhstan name and returns only its id. */
async function createCommissionId(app: App): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/commissions',
    payload: {
      name: 'Intergovernmental Commission on Trade and Economic Co-operation between Belarus and Kazakhstan',
      timeZone: 'Europe/Minsk',
      parties: [
        { country: 'BY', coChair: { name: 'Ivan Petrov', position: 'Deputy Prime Minister of the Republic of Belarus' } },
        { country: 'KZ', coChair: { name: 'Aidar Sultanov', position: 'Deputy Prime Minister of the Republic of Kazakhstan' } },
      ],
    },
  });
  if (res.statusCode !== 201) throw new Error(`commission not created: ${res.body}`);
  return json(res).id;
}

function planInput(commissionId: string, overrides: Record<string, unknown> = {}) {
  return {
    commissionId,
    title: 'Plan of measures for 2026–2027 on industrial co-operation in mechanical engineering',
    periodStart: '2026-11-15',
    periodEnd: '2027-12-31',
    ...overrides,
  };
}

/** Creates a plan from `planInput` (period from 2026-11-15, unlike the factory) and requires a 201. */
async function createPlanFromInput(app: App, commissionId: string, overrides: Record<string, unknown> = {}): Promise<Plan> {
  const res = await app.inject({ method: 'POST', url: '/v1/plans', payload: planInput(commissionId, overrides) });
  if (res.statusCode !== 201) throw new Error(`plan not created: ${res.body}`);
  return json(res);
}

/** Puts a task row straight into the database: the tasks API is built separately. */
function addTask(app: App, planId: string, code = '1.1'): void {
  const now = app.clock().toISOString();
  app.db
    .insert(tasks)
    .values({
      id: newId(),
      planId,
      code,
      codeSortKey: code
        .split('.')
        .map((n) => n.padStart(6, '0'))
        .join('.'),
      title: 'Organize assembly of MTZ tractors at a joint venture in Kostanay',
      area: 'mechanical_engineering',
      searchText: `${code} organize assembly of mtz tractors at a joint venture in kostanay`,
      dueDate: '2027-06-30',
      originalDueDate: '2027-06-30',
      status: 'not_started',
      statusChangedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .run();
}

const action = (app: App, id: string, name: 'approve' | 'close') => app.inject({ method: 'POST', url: `/v1/plans/${id}/${name}` });

t.test('creating a plan returns a draft with Location, and reading it returns the same plan', async (t) => {
  const app = await build(t);
  const commissionId = await createCommissionId(app);

  const res = await app.inject({ method: 'POST', url: '/v1/plans', payload: planInput(commissionId) });
  t.equal(res.statusCode, 201);
  const plan = json<Plan>(res);
  t.match(plan.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUIDv7 id');
  t.same(plan, {
    id: plan.id,
    commissionId,
    title: 'Plan of measures for 2026–2027 on industrial co-operation in mechanical engineering',
    periodStart: '2026-11-15',
    periodEnd: '2027-12-31',
    status: 'draft',
    reportingFrequency: 'quarterly',
    reportDueDays: 10,
    approvedAt: null,
    closedAt: null,
    taskCount: 0,
    createdAt: DEFAULT_NOW,
    updatedAt: DEFAULT_NOW,
  });
  t.equal(res.headers.location, `/v1/plans/${plan.id}`);

  const read = await app.inject({ method: 'GET', url: res.headers.location as string });
  t.equal(read.statusCode, 200);
  t.same(json(read), plan);
});

t.test('a one-day period (periodEnd equal to periodStart) is accepted', async (t) => {
  const app = await build(t);
  const plan = await createPlanFromInput(app, await createCommissionId(app), { periodStart: '2026-11-04', periodEnd: '2026-11-04' });
  t.equal(plan.periodStart, '2026-11-04');
  t.equal(plan.periodEnd, '2026-11-04');
});

t.test('taskCount counts the tasks of the plan and only of that plan', async (t) => {
  const app = await build(t);
  const commissionId = await createCommissionId(app);
  const a = await createPlanFromInput(app, commissionId);
  const b = await createPlanFromInput(app, commissionId);
  addTask(app, a.id, '1.1');
  addTask(app, a.id, '1.2');
  addTask(app, b.id, '1.1');

  t.equal(json(await app.inject({ method: 'GET', url: `/v1/plans/${a.id}` })).taskCount, 2);
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/plans/${b.id}` })).taskCount, 1);
  const list = json(await app.inject({ method: 'GET', url: '/v1/plans' }));
  t.same(
    list.items.map((p: Plan) => [p.id, p.taskCount]),
    [
      [a.id, 2],
      [b.id, 1],
    ],
  );
});

t.test('a plan goes through its whole life: draft → approved → closed', async (t) => {
  const clock = testClock('2026-11-05T08:00:00.000Z');
  const app = await build(t, clock);
  const plan = await createPlanFromInput(app, await createCommissionId(app));
  addTask(app, plan.id);

  clock.set('2026-11-20T10:30:00.000Z');
  const approved = await action(app, plan.id, 'approve');
  t.equal(approved.statusCode, 200);
  t.same(json(approved), {
    ...plan,
    status: 'approved',
    approvedAt: '2026-11-20T10:30:00.000Z',
    taskCount: 1,
    updatedAt: '2026-11-20T10:30:00.000Z',
  });

  clock.set('2027-12-31T15:00:00.000Z');
  const closed = await action(app, plan.id, 'close');
  t.equal(closed.statusCode, 200);
  t.same(json(closed), {
    ...plan,
    status: 'closed',
    approvedAt: '2026-11-20T10:30:00.000Z',
    closedAt: '2027-12-31T15:00:00.000Z',
    taskCount: 1,
    updatedAt: '2027-12-31T15:00:00.000Z',
  });

  const read = await app.inject({ method: 'GET', url: `/v1/plans/${plan.id}` });
  t.same(json(read), json(closed), 'the stored plan is what close returned');
});

t.test('approving an empty plan is refused with 409 and changes nothing', async (t) => {
  const app = await build(t);
  const plan = await createPlanFromInput(app, await createCommissionId(app));
  const before = snapshot(app);

  const res = await action(app, plan.id, 'approve');
  const body = assertProblem(t, res, 409, 'plan-state-conflict');
  t.match(body.detail, /no tasks/);
  t.same(snapshot(app), before);
});

t.test('approving an already approved plan is refused with 409 and changes nothing', async (t) => {
  const app = await build(t);
  const plan = await createPlanFromInput(app, await createCommissionId(app));
  addTask(app, plan.id);
  t.equal((await action(app, plan.id, 'approve')).statusCode, 200);
  const before = snapshot(app);

  const body = assertProblem(t, await action(app, plan.id, 'approve'), 409, 'plan-state-conflict');
  t.match(body.detail, /approved; only a draft plan can be approved/);
  t.same(snapshot(app), before);
});

t.test('closing a draft plan is refused with 409 and changes nothing', async (t) => {
  const app = await build(t);
  const plan = await createPlanFromInput(app, await createCommissionId(app));
  addTask(app, plan.id);
  const before = snapshot(app);

  const body = assertProblem(t, await action(app, plan.id, 'close'), 409, 'plan-state-conflict');
  t.match(body.detail, /the plan is draft; only an approved plan can be closed/);
  t.same(snapshot(app), before);
});

t.test('a closed plan is read-only: patch, approve and close again are refused with 409 and change nothing', async (t) => {
  const app = await build(t);
  const plan = await createPlanFromInput(app, await createCommissionId(app));
  addTask(app, plan.id);
  await action(app, plan.id, 'approve');
  await action(app, plan.id, 'close');
  const before = snapshot(app);

  const patch = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { title: 'Renamed after closing' } });
  t.match(assertProblem(t, patch, 409, 'plan-state-conflict').detail, /closed/);
  assertProblem(t, await action(app, plan.id, 'approve'), 409, 'plan-state-conflict');
  assertProblem(t, await action(app, plan.id, 'close'), 409, 'plan-state-conflict');
  t.same(snapshot(app), before);
});

t.test('patching changes the given fields, keeps the others and stamps updatedAt', async (t) => {
  const clock = testClock('2026-11-05T08:00:00.000Z');
  const app = await build(t, clock);
  const plan = await createPlanFromInput(app, await createCommissionId(app));

  clock.set('2026-11-06T08:00:00.000Z');
  const res = await app.inject({
    method: 'PATCH',
    url: `/v1/plans/${plan.id}`,
    payload: { title: '  Roadmap on food supplies 2027  ', periodEnd: '2028-06-30' },
  });
  t.equal(res.statusCode, 200);
  const expected = { ...plan, title: 'Roadmap on food supplies 2027', periodEnd: '2028-06-30', updatedAt: '2026-11-06T08:00:00.000Z' };
  t.same(json(res), expected, 'title trimmed, periodStart kept');
  t.same(json(await app.inject({ method: 'GET', url: `/v1/plans/${plan.id}` })), expected);
});

t.test('an update with the values the plan already has changes nothing: same updatedAt and ETag, no history entry', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const plan = await createPlanFromInput(app, await createCommissionId(app));
  addTask(app, plan.id);
  const approved = json(await action(app, plan.id, 'approve'));
  await patchChangesNothing(t, app, clock, `/v1/plans/${plan.id}`, approved, {
    title: ` ${plan.title}`,
    periodStart: plan.periodStart,
    periodEnd: plan.periodEnd,
    reportingFrequency: 'quarterly',
    reportDueDays: 10,
  });
});

t.test('an approved plan can still be retitled and its period changed', async (t) => {
  const app = await build(t);
  const plan = await createPlanFromInput(app, await createCommissionId(app));
  addTask(app, plan.id);
  await action(app, plan.id, 'approve');

  const res = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { periodStart: '2026-12-01' } });
  t.equal(res.statusCode, 200);
  t.match(json(res), { status: 'approved', periodStart: '2026-12-01', periodEnd: '2027-12-31', taskCount: 1 });
});

t.test('a patch that would leave the period reversed is refused with 400 naming the field and changes nothing', async (t) => {
  const app = await build(t);
  const plan = await createPlanFromInput(app, await createCommissionId(app)); // 2026-11-15 .. 2027-12-31
  const before = snapshot(app);

  const startOnly = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { periodStart: '2028-01-01' } });
  t.same(assertProblem(t, startOnly, 400, 'validation-failed').errors, [
    { path: 'body.periodStart', message: 'periodEnd must not be before periodStart' },
  ]);

  const endOnly = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { periodEnd: '2026-11-14' } });
  t.same(assertProblem(t, endOnly, 400, 'validation-failed').errors, [
    { path: 'body.periodEnd', message: 'periodEnd must not be before periodStart' },
  ]);

  const both = await app.inject({
    method: 'PATCH',
    url: `/v1/plans/${plan.id}`,
    payload: { periodStart: '2027-03-01', periodEnd: '2027-02-01' },
  });
  t.same(assertProblem(t, both, 400, 'validation-failed').errors, [
    { path: 'body.periodEnd', message: 'periodEnd must not be before periodStart' },
  ]);
  t.same(snapshot(app), before);
});

t.test('a patch with no field, an unknown field, a null or an impossible date is refused with 400', async (t) => {
  const app = await build(t);
  const plan = await createPlanFromInput(app, await createCommissionId(app));
  const before = snapshot(app);
  const patch = (payload: unknown) => app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: payload as object });

  assertProblem(t, await patch({}), 400, 'validation-failed');
  const unknown = assertProblem(t, await patch({ status: 'closed' }), 400, 'validation-failed');
  t.match(unknown.errors, [{ path: 'body.status', message: 'not a field of this operation' }], 'status cannot be patched; it moves only by actions');
  t.match(assertProblem(t, await patch({ title: null }), 400, 'validation-failed').errors, [{ path: 'body.title' }]);
  t.match(assertProblem(t, await patch({ periodEnd: '2027-02-30' }), 400, 'validation-failed').errors, [
    { path: 'body.periodEnd', message: 'no such calendar date' },
  ]);
  t.same(snapshot(app), before);
});

t.test('creating a plan with bad input is refused with 400 naming the field and changes nothing', async (t) => {
  const app = await build(t);
  const commissionId = await createCommissionId(app);
  const before = snapshot(app);
  const create = (overrides: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/plans', payload: planInput(commissionId, overrides) });

  const unknown = assertProblem(t, await create({ status: 'approved' }), 400, 'validation-failed');
  t.match(unknown.errors, [{ path: 'body.status', message: 'not a field of this operation' }], 'unknown field refused');

  const reversed = assertProblem(t, await create({ periodStart: '2027-01-01', periodEnd: '2026-12-31' }), 400, 'validation-failed');
  t.same(reversed.errors, [{ path: 'body.periodEnd', message: 'periodEnd must not be before periodStart' }]);

  const impossible = assertProblem(t, await create({ periodStart: '2026-02-30' }), 400, 'validation-failed');
  t.same(impossible.errors, [{ path: 'body.periodStart', message: 'no such calendar date' }]);

  const badFormat = assertProblem(t, await create({ periodEnd: '31.12.2027' }), 400, 'validation-failed');
  t.match(badFormat.errors, [{ path: 'body.periodEnd' }]);

  t.match(assertProblem(t, await create({ title: '   ' }), 400, 'validation-failed').errors, [{ path: 'body.title' }], 'blank title');
  t.match(assertProblem(t, await create({ title: 'x'.repeat(501) }), 400, 'validation-failed').errors, [{ path: 'body.title' }]);
  t.match(assertProblem(t, await create({ commissionId: 'not-a-uuid' }), 400, 'validation-failed').errors, [
    { path: 'body.commissionId' },
  ]);

  const missing = await app.inject({ method: 'POST', url: '/v1/plans', payload: { commissionId } });
  const paths = (assertProblem(t, missing, 400, 'validation-failed').errors as { path: string }[]).map((e) => e.path).sort();
  t.same(paths, ['body.periodEnd', 'body.periodStart', 'body.title'], 'every missing field named');

  t.same(snapshot(app), before);
});

t.test('creating a plan of an unknown commission is refused with 422 and changes nothing', async (t) => {
  const app = await build(t);
  await createCommissionId(app);
  const before = snapshot(app);

  const res = await app.inject({ method: 'POST', url: '/v1/plans', payload: planInput(MISSING_ID) });
  const body = assertProblem(t, res, 422, 'unknown-reference');
  t.same(body.errors, [{ path: 'body.commissionId', message: 'no commission with this id' }]);
  t.same(snapshot(app), before);
});

t.test('a malformed plan id is refused with 400 on every route', async (t) => {
  const app = await build(t);
  const requests = [
    { method: 'GET' as const, url: '/v1/plans/not-a-uuid' },
    { method: 'PATCH' as const, url: '/v1/plans/not-a-uuid', payload: { title: 'x' } },
    { method: 'POST' as const, url: '/v1/plans/not-a-uuid/approve' },
    { method: 'POST' as const, url: '/v1/plans/not-a-uuid/close' },
  ];
  for (const req of requests) {
    const body = assertProblem(t, await app.inject(req), 400, 'validation-failed');
    t.match(body.errors, [{ path: 'params.id' }], `${req.method} ${req.url}`);
  }
});

t.test('an unknown plan id is 404 on every route and nothing changes', async (t) => {
  const app = await build(t);
  await createPlanFromInput(app, await createCommissionId(app));
  const before = snapshot(app);
  const requests = [
    { method: 'GET' as const, url: `/v1/plans/${MISSING_ID}` },
    { method: 'PATCH' as const, url: `/v1/plans/${MISSING_ID}`, payload: { title: 'x' } },
    { method: 'POST' as const, url: `/v1/plans/${MISSING_ID}/approve` },
    { method: 'POST' as const, url: `/v1/plans/${MISSING_ID}/close` },
  ];
  for (const req of requests) {
    const body = assertProblem(t, await app.inject(req), 404, 'not-found');
    t.match(body.detail, MISSING_ID, `${req.method} ${req.url}`);
  }
  t.same(snapshot(app), before);
});

t.test('the list filters by commission and by status', async (t) => {
  const app = await build(t);
  const c1 = await createCommissionId(app);
  const c2 = await createCommissionId(app);
  const draft1 = await createPlanFromInput(app, c1);
  const approved1 = await createPlanFromInput(app, c1);
  const draft2 = await createPlanFromInput(app, c2);
  addTask(app, approved1.id);
  await action(app, approved1.id, 'approve');
  const ids = async (query: string) =>
    json(await app.inject({ method: 'GET', url: `/v1/plans${query}` })).items.map((p: Plan) => p.id);

  t.same(await ids(''), [draft1.id, approved1.id, draft2.id], 'all, in creation order');
  t.same(await ids(`?commissionId=${c1}`), [draft1.id, approved1.id]);
  t.same(await ids(`?commissionId=${c2}`), [draft2.id]);
  t.same(await ids('?status=draft'), [draft1.id, draft2.id]);
  t.same(await ids('?status=approved'), [approved1.id]);
  t.same(await ids('?status=closed'), []);
  t.same(await ids(`?commissionId=${c2}&status=approved`), []);
  t.same(await ids(`?commissionId=${MISSING_ID}`), [], 'an unknown commission simply has no plans');

  const list = json(await app.inject({ method: 'GET', url: `/v1/plans?commissionId=${c1}&status=approved` }));
  t.same(list, {
    items: [{ ...approved1, status: 'approved', approvedAt: DEFAULT_NOW, taskCount: 1, updatedAt: DEFAULT_NOW }],
    nextCursor: null,
  });
});

t.test('bad list queries are refused with 400', async (t) => {
  const app = await build(t);
  const get = (query: string) => app.inject({ method: 'GET', url: `/v1/plans${query}` });
  t.match(assertProblem(t, await get('?status=archived'), 400, 'validation-failed').errors, [{ path: 'querystring.status' }]);
  t.match(assertProblem(t, await get('?commissionId=42'), 400, 'validation-failed').errors, [{ path: 'querystring.commissionId' }]);
  t.match(assertProblem(t, await get('?limit=0'), 400, 'validation-failed').errors, [{ path: 'querystring.limit' }]);
  t.match(assertProblem(t, await get('?limit=201'), 400, 'validation-failed').errors, [{ path: 'querystring.limit' }]);
  assertProblem(t, await get('?colour=red'), 400, 'validation-failed');
});

t.test('walking the list two at a time sees every plan exactly once, in creation order', async (t) => {
  const app = await build(t);
  const commissionId = await createCommissionId(app);
  const created: string[] = [];
  for (let i = 1; i <= 5; i++) created.push((await createPlanFromInput(app, commissionId, { title: `Plan of measures no. ${i}` })).id);

  const seen: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
    const res = await app.inject({ method: 'GET', url: `/v1/plans${query}` });
    t.equal(res.statusCode, 200);
    const page = json<{ items: Plan[]; nextCursor: string | null }>(res);
    pageSizes.push(page.items.length);
    seen.push(...page.items.map((p) => p.id));
    cursor = page.nextCursor;
  } while (cursor !== null && pageSizes.length < 10);

  t.same(pageSizes, [2, 2, 1]);
  t.same(seen, created);
});

t.test('a garbage cursor is refused with 400', async (t) => {
  const app = await build(t);
  for (const cursor of ['garbage', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
    const res = await app.inject({ method: 'GET', url: `/v1/plans?cursor=${cursor}` });
    t.same(assertProblem(t, res, 400, 'invalid-cursor').errors, [{ path: 'querystring.cursor', message: 'not a cursor of this list' }]);
  }
});

t.test('the plan state machine, as a table', async (t) => {
  const cases: [Plan['status'], number, 'approve' | 'close', RegExp | undefined][] = [
    ['draft', 1, 'approve', undefined],
    ['draft', 0, 'approve', /no tasks/],
    ['draft', 1, 'close', /only an approved plan can be closed/],
    ['approved', 1, 'approve', /only a draft plan/],
    ['approved', 1, 'close', undefined],
    ['approved', 0, 'close', undefined],
    ['closed', 1, 'approve', /only a draft plan/],
    ['closed', 1, 'close', /only an approved plan can be closed/],
  ];
  for (const [status, taskCount, act, refusal] of cases) {
    const got = refusePlanAction({ status, taskCount }, act);
    if (refusal) t.match(got, refusal, `${act} a ${status} plan with ${taskCount} tasks is refused`);
    else t.equal(got, undefined, `${act} a ${status} plan with ${taskCount} tasks is allowed`);
  }
});

t.test('a plan where something awaits a decision is not closed; the refusal names the tasks, and the task list finds them', async (t) => {
  const app = await build(t, testClock('2026-11-28T09:00:00Z'));
  const { plan, by, assignees } = await seedPlan(app);
  const codes = Array.from({ length: 12 }, (_, i) => `${i + 1}`);
  const tasks = [];
  for (const code of codes) tasks.push(await createTask(app, { planId: plan.id, code, dueDate: '2026-12-31', assignees }));
  await approvePlan(app, plan.id);
  const post = async (url: string, payload: object, status = 201) => {
    const res = await app.inject({ method: 'POST', url, payload });
    t.equal(res.statusCode, status, `${url}: ${res.body}`);
    return json(res);
  };
  // Requests on tasks 12 and 2 (named in the plan's order), reports on all twelve, task 7 reported done.
  const requests = [];
  for (const task of [tasks[11]!, tasks[1]!]) {
    requests.push({ task, change: await post(`/v1/tasks/${task.id}/deadline-changes`, { kind: 'request', newDueDate: '2027-03-31', reason: 'Equipment delivered late' }) });
  }
  const reports = [];
  for (const task of tasks) {
    reports.push({ task, report: await post(`/v1/tasks/${task.id}/reports`, { organizationId: by.id, period: '2026-Q4', percentComplete: 50, confidence: 'green', narrative: 'On track' }) });
  }
  for (const to of ['in_progress', 'done']) await post(`/v1/tasks/${tasks[6]!.id}/transitions`, { to }, 200);

  const listed = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/v1/tasks?planId=${plan.id}&${query}` });
    t.equal(res.statusCode, 200, `${query}: ${res.body}`);
    return json(res).items.map((task: { code: string }) => task.code);
  };
  t.strictSame(await listed('awaiting=deadline_decision'), ['2', '12'], 'the tasks with a deadline change to decide');
  t.strictSame(await listed('awaiting=report_review&limit=3'), ['1', '2', '3'], 'the tasks with a report to review');
  t.strictSame(await listed('awaiting=deadline_decision&status=in_progress'), [], 'with the other filters');
  t.strictSame(await listed('status=done'), ['7']);

  const close = { method: 'POST' as const, url: `/v1/plans/${plan.id}/close` };
  const body = await refused(t, app, close, 409, 'plan-state-conflict');
  t.equal(
    body.detail,
    'the plan still has deadline changes awaiting a decision (2 tasks: 2, 12; awaiting=deadline_decision), progress reports ' +
      'awaiting review (12 tasks: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more; awaiting=report_review) and tasks reported done, to be ' +
      'closed or sent back (task 7; status=done). Decide them (a deadline request may also be withdrawn), then close the plan: ' +
      'a closed plan is read-only. ' +
      `GET /v1/tasks?planId=${plan.id} with each filter lists them`,
  );

  for (const { task, change } of requests) await post(`/v1/tasks/${task.id}/deadline-changes/${change.id}/decision`, { decision: 'reject', basis: 'Protocol 21, item 4' }, 200);
  t.strictSame(await listed('awaiting=deadline_decision'), []);
  for (const { task, report } of reports.slice(1)) await post(`/v1/tasks/${task.id}/reports/${report.id}/review`, { decision: 'accepted' }, 200);
  await post(`/v1/tasks/${tasks[6]!.id}/transitions`, { to: 'closed' }, 200);
  t.strictSame(await listed('awaiting=report_review,deadline_decision'), ['1']);
  t.match((await refused(t, app, close, 409, 'plan-state-conflict')).detail, /^the plan still has progress reports awaiting review \(task 1; awaiting=report_review\)\. Decide them/);
  const last = reports[0]!;
  await post(`/v1/tasks/${last.task.id}/reports/${last.report.id}/review`, { decision: 'returned', comment: 'Add the figures' }, 200);
  t.strictSame(await listed('awaiting=report_review'), [], 'a returned report waits for its assignee, not for a decision');
  const closed = await app.inject(close);
  t.equal(closed.statusCode, 200, 'closed once nothing awaits a decision');
  t.equal(json(closed).status, 'closed');
});

t.test('bad awaiting filters are refused with 400', async (t) => {
  const app = await build(t);
  for (const awaiting of ['review', 'deadline_decision,review', '', ',', 'deadline_decision,report_review,deadline_decision', 'deadline_decision;report_review']) {
    const body = assertProblem(t, await app.inject({ method: 'GET', url: `/v1/tasks?awaiting=${encodeURIComponent(awaiting)}` }), 400, 'validation-failed');
    t.equal(body.errors[0].path, 'querystring.awaiting');
  }
  const named = assertProblem(t, await app.inject({ method: 'GET', url: '/v1/tasks?awaiting=review' }), 400, 'validation-failed');
  t.match(named.detail, 'querystring.awaiting: one or more of deadline_decision, report_review, separated by commas', 'the values are named');
  const repeated = assertProblem(t, await app.inject({ method: 'GET', url: '/v1/tasks?awaiting=review&awaiting=report_review' }), 400, 'validation-failed');
  t.match(repeated.errors[0].path, /^querystring\.awaiting/);
});

t.test('the awaiting filter and the closing of a plan probe the changes and reports awaiting a decision by index, not every row of each task', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  // The statements the service prepares, as SQLite reads them (the list's is prepared on its first use).
  const seen: string[] = [];
  const prepare = app.sqlite.prepare.bind(app.sqlite);
  app.sqlite.prepare = ((source: string) => {
    seen.push(source);
    return prepare(source);
  }) as typeof app.sqlite.prepare;
  t.teardown(() => {
    app.sqlite.prepare = prepare;
  });
  t.equal((await app.inject({ method: 'GET', url: `/v1/tasks?planId=${plan.id}&awaiting=deadline_decision,report_review` })).statusCode, 200);
  // Every report of a plan of 100,000 tasks is a row to read when the probe of each task goes through the
  // (task, organization, period) index: 130 ms a page when few wait. The probes read only the few that wait.
  const probes = (statement: string) => {
    const unbound = (statement.match(/\?/g) ?? []).map(() => null);
    const plan = (prepare(`EXPLAIN QUERY PLAN ${statement}`).all(...unbound) as { detail: string }[]).map((r) => r.detail);
    return plan.filter((d) => /deadline_changes|progress_reports/.test(d) || / (d|r) /.test(d));
  };
  const listing = seen.find((s) => s.includes('from "tasks"') && s.includes('"progress_reports"') && s.includes('"deadline_changes"'));
  t.ok(listing, 'the list statement was prepared');
  const plan1 = probes(listing!);
  // Nothing waits here: the list reads the partial indexes whole, which hold only what waits, and their tasks by id
  // (task-list-seek.test.ts; with many waiting, it probes them task by task as the order index is walked).
  t.ok(plan1.some((d) => /^SCAN deadline_changes USING COVERING INDEX deadline_changes_pending_idx$/.test(d)), `deadline changes: ${plan1.join(' | ')}`);
  t.ok(plan1.some((d) => /^SCAN progress_reports USING COVERING INDEX progress_reports_submitted_idx$/.test(d)), `reports: ${plan1.join(' | ')}`);
  t.equal((await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/close` })).statusCode, 200);
  for (const [table, index] of [['deadline_changes', 'deadline_changes_pending_idx'], ['progress_reports', 'progress_reports_submitted_idx']]) {
    const check = seen.find((s) => s.startsWith('select "code" from "tasks"') && s.includes(`"${table}"`));
    t.ok(check, `the closing's look-up of ${table} was prepared`);
    const plan2 = probes(check!);
    // The closing reads the partial index whole, which holds only the rows that wait, then seeks their tasks: not the
    // plan's tasks one by one (plan-close-seek.test.ts).
    t.ok(plan2.some((d) => new RegExp(`^SCAN ${table} USING COVERING INDEX ${index}$`).test(d)), `closing, ${table}: ${plan2.join(' | ')}`);
  }
});

t.test('an action that takes no body refuses one with fields rather than ignore them, and changes nothing', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const draft = await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2026-12-31', assignees });
  // A comment the caller believes is kept with the approval, closing or deletion: refused, as unknown fields are.
  const approve = await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/approve`, payload: { comment: 'Protocol No. 19, item 4' } }, 400, 'validation-failed');
  t.strictSame(approve.errors, [{ path: 'body.comment', message: 'not a field of this operation' }]);
  const deleted = await refused(t, app, { method: 'DELETE', url: `/v1/tasks/${draft.id}`, payload: { force: true } }, 400, 'validation-failed');
  t.strictSame(deleted.errors, [{ path: 'body.force', message: 'not a field of this operation' }]);
  const list = await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/approve`, payload: [task.id] }, 400, 'validation-failed');
  t.strictSame(list.errors, [{ path: 'body', message: 'this operation takes no body' }]);
  // No body, an empty one, or an object with no field at all is no body.
  const headers = { 'content-type': 'application/json' };
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/tasks/${draft.id}`, headers, payload: '{}' })).statusCode, 204);
  t.equal((await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/approve`, payload: {} })).statusCode, 200);
  const closed = await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/close`, headers, payload: '' });
  t.equal(closed.statusCode, 200);
  t.equal(json(closed).status, 'closed');
});
