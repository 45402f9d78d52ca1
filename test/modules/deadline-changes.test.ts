// Tests of /v1/tasks/{id}/deadline-changes: requests, decisions, direct changes, the log, and every refusal.
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import type { DeadlineChange } from '../../src/modules/deadline-changes/deadline-changes.schemas.js';
import type { Task } from '../../src/modules/tasks/tasks.schemas.js';
import { assertProblem, build, json, keyFor, refused, snapshot, testClock, type InjectedResponse } from '../helper.js';
import { approvedTask, approvePlan, createOrganization, createTask, getTask, seedPlan, transition } from '../factories.js';

const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';
const NOW = '2026-11-28T09:00:00.000Z';

const ask = (taskId: string, payload: Record<string, unknown>): InjectOptions => ({
  method: 'POST',
  url: `/v1/tasks/${taskId}/deadline-changes`,
  payload,
});
const decide = (taskId: string, changeId: string, payload: Record<string, unknown>): InjectOptions => ({
  method: 'POST',
  url: `/v1/tasks/${taskId}/deadline-changes/${changeId}/decision`,
  payload,
});
const request = (newDueDate: string, reason = 'Certification of the assembled combines takes longer than planned') => ({
  kind: 'request',
  newDueDate,
  reason,
});

async function created(t: Test, app: App, taskId: string, payload: Record<string, unknown>): Promise<DeadlineChange> {
  const res = await app.inject(ask(taskId, payload));
  t.equal(res.statusCode, 201, `${payload.kind} for ${payload.newDueDate} is accepted`);
  if (res.statusCode !== 201) throw new Error(res.body);
  return json(res);
}

async function decided(t: Test, app: App, taskId: string, changeId: string, payload: Record<string, unknown>): Promise<DeadlineChange> {
  const res = await app.inject(decide(taskId, changeId, payload));
  t.equal(res.statusCode, 200, `${payload.decision} is accepted`);
  if (res.statusCode !== 200) throw new Error(res.body);
  return json(res);
}

/** The id of the secretariat key the test app's requests use by default. */
async function secretariatKeyId(app: App): Promise<string> {
  return json<{ id: string }>(await app.inject({ method: 'GET', url: '/v1/api-keys/current' })).id;
}

t.test('a request is pending and leaves the due date as it is', async (t) => {
  const app = await build(t, testClock(NOW));
  const keyId = await secretariatKeyId(app);
  const { task } = await approvedTask(app);
  const res = await app.inject(ask(task.id, request('2027-03-31')));
  t.equal(res.statusCode, 201);
  const change = json<DeadlineChange>(res);
  t.equal(res.headers.location, `/v1/tasks/${task.id}/deadline-changes/${change.id}`);
  t.same(change, {
    id: change.id,
    taskId: task.id,
    kind: 'request',
    status: 'pending',
    oldDueDate: '2026-12-31',
    newDueDate: '2027-03-31',
    daysMoved: 90,
    reason: 'Certification of the assembled combines takes longer than planned',
    requestedBy: { keyId, role: 'secretariat', organizationId: null },
    requestedAt: NOW,
    decidedBy: null,
    decidedAt: null,
    decisionBasis: null,
    decisionComment: null,
    withdrawnBy: null,
    withdrawnAt: null,
    withdrawalComment: null,
  });
  t.same(json(await app.inject({ method: 'GET', url: res.headers.location as string })), change, 'reads back the same');
  t.match(await getTask(app, task.id), { dueDate: '2026-12-31', originalDueDate: '2026-12-31', postponementCount: 0, updatedAt: task.updatedAt });
});

t.test('approving a request moves the due date, counts a postponement, keeps the original date and records the basis', async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const keyId = await secretariatKeyId(app);
  const { task } = await approvedTask(app);
  const change = await created(t, app, task.id, request('2027-03-31'));

  clock.set('2026-12-02T10:00:00.000Z');
  const approved = await decided(t, app, task.id, change.id, {
    decision: 'approve',
    basis: 'Protocol of the 18th session, item 3.4',
    comment: 'Agreed by both co-chairs',
  });
  t.same(approved, {
    ...change,
    status: 'approved',
    decidedBy: { keyId, role: 'secretariat' },
    decidedAt: '2026-12-02T10:00:00.000Z',
    decisionBasis: 'Protocol of the 18th session, item 3.4',
    decisionComment: 'Agreed by both co-chairs',
  });
  t.match(await getTask(app, task.id), {
    dueDate: '2027-03-31',
    originalDueDate: '2026-12-31',
    postponementCount: 1,
    updatedAt: '2026-12-02T10:00:00.000Z',
  });
  t.same(json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/deadline-changes/${change.id}` })), approved);
});

t.test('rejecting a request moves nothing and records the decision', async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const keyId = await secretariatKeyId(app);
  const { task } = await approvedTask(app);
  const change = await created(t, app, task.id, request('2027-03-31'));
  const before = await getTask(app, task.id);

  clock.set('2026-12-02T10:00:00.000Z');
  const rejected = await decided(t, app, task.id, change.id, { decision: 'reject', basis: 'Protocol 18, item 3.5' });
  t.same(rejected, {
    ...change,
    status: 'rejected',
    decidedBy: { keyId, role: 'secretariat' },
    decidedAt: '2026-12-02T10:00:00.000Z',
    decisionBasis: 'Protocol 18, item 3.5',
    decisionComment: null,
    withdrawnBy: null,
    withdrawnAt: null,
    withdrawalComment: null,
  });
  t.same(await getTask(app, task.id), before, 'the task is untouched');

  const next = await created(t, app, task.id, request('2027-01-31'));
  t.equal(next.status, 'pending', 'a new request can follow a rejected one');
});

t.test('a second request while one is pending is refused with 409, and so is a direct change', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const pending = await created(t, app, task.id, request('2027-03-31'));
  const body = await refused(t, app, ask(task.id, request('2027-06-30')), 409, 'deadline-change-conflict');
  t.match(body.detail, pending.id);
  await refused(t, app, ask(task.id, { kind: 'direct', newDueDate: '2027-06-30', reason: 'Protocol 19' }), 409, 'deadline-change-conflict');
});

t.test('a request is decided once: deciding again is refused with 409', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const a = await created(t, app, task.id, request('2027-03-31'));
  await decided(t, app, task.id, a.id, { decision: 'approve', basis: 'Protocol 18' });
  for (const decision of ['approve', 'reject']) {
    const body = await refused(t, app, decide(task.id, a.id, { decision, basis: 'Protocol 19' }), 409, 'deadline-change-conflict');
    t.match(body.detail, /already approved/);
  }
  const b = await created(t, app, task.id, request('2027-06-30'));
  await decided(t, app, task.id, b.id, { decision: 'reject', basis: 'Protocol 19' });
  await refused(t, app, decide(task.id, b.id, { decision: 'approve', basis: 'Protocol 20' }), 409, 'deadline-change-conflict');
  t.match(await getTask(app, task.id), { dueDate: '2027-03-31', postponementCount: 1 });
});

t.test('a direct change applies at once, with status applied and its basis', async (t) => {
  const app = await build(t, testClock(NOW));
  const keyId = await secretariatKeyId(app);
  const { task } = await approvedTask(app);
  const change = await created(t, app, task.id, {
    kind: 'direct',
    newDueDate: '2027-02-15',
    reason: 'Moved by decision of the co-chairs',
    basis: 'Protocol of the official visit, item 2',
  });
  t.same(change, {
    id: change.id,
    taskId: task.id,
    kind: 'direct',
    status: 'applied',
    oldDueDate: '2026-12-31',
    newDueDate: '2027-02-15',
    daysMoved: 46,
    reason: 'Moved by decision of the co-chairs',
    requestedBy: { keyId, role: 'secretariat', organizationId: null },
    requestedAt: NOW,
    decidedBy: { keyId, role: 'secretariat' },
    decidedAt: NOW,
    decisionBasis: 'Protocol of the official visit, item 2',
    decisionComment: null,
    withdrawnBy: null,
    withdrawnAt: null,
    withdrawalComment: null,
  });
  t.match(await getTask(app, task.id), { dueDate: '2027-02-15', originalDueDate: '2026-12-31', postponementCount: 1, updatedAt: NOW });
  await refused(t, app, decide(task.id, change.id, { decision: 'approve', basis: 'x' }), 409, 'deadline-change-conflict');

  const noBasis = await created(t, app, task.id, { kind: 'direct', newDueDate: '2027-04-01', reason: 'Again' });
  t.equal(noBasis.decisionBasis, null, 'a direct change without a basis keeps it null');
  t.match(await getTask(app, task.id), { dueDate: '2027-04-01', postponementCount: 2 }, 'each later date counts');
});

t.test('moving a date earlier is not a postponement', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const direct = await created(t, app, task.id, { kind: 'direct', newDueDate: '2026-12-01', reason: 'Needed before the visit' });
  t.equal(direct.daysMoved, -30);
  t.match(await getTask(app, task.id), { dueDate: '2026-12-01', originalDueDate: '2026-12-31', postponementCount: 0 });

  const req = await created(t, app, task.id, request('2026-11-30'));
  await decided(t, app, task.id, req.id, { decision: 'approve', basis: 'Protocol 18' });
  t.match(await getTask(app, task.id), { dueDate: '2026-11-30', postponementCount: 0 });

  const later = await created(t, app, task.id, request('2027-01-31'));
  await decided(t, app, task.id, later.id, { decision: 'approve', basis: 'Protocol 19' });
  t.match(await getTask(app, task.id), { dueDate: '2027-01-31', originalDueDate: '2026-12-31', postponementCount: 1 });
});

t.test('a new due date equal to the current one is refused with 422', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  for (const kind of ['request', 'direct']) {
    const body = await refused(t, app, ask(task.id, { kind, newDueDate: '2026-12-31', reason: 'No change' }), 422, 'invalid-value');
    t.same(body.errors, [{ path: 'body.newDueDate', message: 'equals the current due date' }]);
  }
});

t.test('bad deadline-change bodies are refused with 400 and change nothing', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const cases: [string, Record<string, unknown>, string][] = [
    ['a basis on a request', { ...request('2027-03-31'), basis: 'Protocol 18' }, 'body.basis'],
    ['an impossible date', request('2026-02-30'), 'body.newDueDate'],
    ['no reason', { kind: 'request', newDueDate: '2027-03-31' }, 'body.reason'],
    ['a blank reason', request('2027-03-31', '   '), 'body.reason'],
    ['a reason over 2000 characters', request('2027-03-31', 'x'.repeat(2001)), 'body.reason'],
    ['an unknown kind', { ...request('2027-03-31'), kind: 'silent' }, 'body.kind'],
    ['an unknown field', { ...request('2027-03-31'), oldDueDate: '2026-12-31' }, 'body'],
  ];
  for (const [what, payload, path] of cases) {
    const body = await refused(t, app, ask(task.id, payload), 400, 'validation-failed');
    t.ok(body.errors.some((e: { path: string }) => e.path.startsWith(path)), `${what}: names ${path}`);
  }
  const change = await created(t, app, task.id, request('2027-03-31'));
  for (const [what, payload] of [
    ['no basis', { decision: 'approve' }],
    ['an unknown decision', { decision: 'maybe', basis: 'x' }],
    ['an unknown field', { decision: 'approve', basis: 'x', newDueDate: '2028-01-01' }],
  ] as [string, Record<string, unknown>][]) {
    const body = await refused(t, app, decide(task.id, change.id, payload), 400, 'validation-failed');
    t.ok(body.errors.length > 0, `decision with ${what}`);
  }
});

t.test('deadline changes are refused with 409 in a draft plan and in a closed plan', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1', dueDate: '2026-12-31', assignees });
  const draft = await refused(t, app, ask(task.id, request('2027-03-31')), 409, 'plan-state-conflict');
  t.match(draft.detail, /draft/);
  await refused(t, app, ask(task.id, { kind: 'direct', newDueDate: '2027-03-31', reason: 'x' }), 409, 'plan-state-conflict');

  await approvePlan(app, plan.id);
  const pending = await created(t, app, task.id, request('2027-03-31'));
  // A request awaiting a decision keeps the plan from being closed: closed, it could never be decided.
  const awaiting = await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/close` }, 409, 'plan-state-conflict');
  t.match(awaiting.detail, 'the plan still has deadline changes awaiting a decision (task 1; awaiting=deadline_decision). Decide them');
  // A plan closed with a request left pending, by a version before that rule:
  app.sqlite.prepare("UPDATE plans SET status = 'closed', closed_at = updated_at WHERE id = ?").run(plan.id);
  await refused(t, app, ask(task.id, { kind: 'direct', newDueDate: '2027-06-30', reason: 'x' }), 409, 'plan-state-conflict');
  await refused(t, app, decide(task.id, pending.id, { decision: 'approve', basis: 'Protocol 20' }), 409, 'plan-state-conflict');

  // A closed plan is read-only: rejecting the leftover request must not write either.
  const before = snapshot(app);
  const res = await app.inject(decide(task.id, pending.id, { decision: 'reject', basis: 'Protocol 20' }));
  t.equal(res.statusCode, 409, 'rejecting in a closed plan is refused');
  t.same(snapshot(app), before, 'nothing changed');
});

t.test('deadline changes are refused with 409 on a closed or cancelled task', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const closed = await createTask(app, { planId: plan.id, code: '1', dueDate: '2026-12-31', assignees });
  const cancelled = await createTask(app, { planId: plan.id, code: '2', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  for (const to of ['in_progress', 'done', 'closed']) await transition(app, closed.id, to);
  await transition(app, cancelled.id, 'cancelled');

  for (const [what, task] of [
    ['closed', closed],
    ['cancelled', cancelled],
  ] as const) {
    const body = await refused(t, app, ask(task.id, request('2027-03-31')), 409, 'task-state-conflict');
    t.match(body.detail, what);
    await refused(t, app, ask(task.id, { kind: 'direct', newDueDate: '2027-03-31', reason: 'x' }), 409, 'task-state-conflict');
  }
});

t.test('a pending request cannot be approved once the task is closed, but it can be rejected', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const pending = await created(t, app, task.id, request('2027-03-31'));
  for (const to of ['in_progress', 'done', 'closed']) await transition(app, task.id, to);

  await refused(t, app, decide(task.id, pending.id, { decision: 'approve', basis: 'Protocol 20' }), 409, 'task-state-conflict');
  const rejected = await decided(t, app, task.id, pending.id, { decision: 'reject', basis: 'The task is closed' });
  t.equal(rejected.status, 'rejected');
  t.match(await getTask(app, task.id), { dueDate: '2026-12-31', postponementCount: 0 });
});

t.test('unknown ids are 404, a change id of another task is 404, malformed ids are 400', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const a = await createTask(app, { planId: plan.id, code: '1', dueDate: '2026-12-31', assignees });
  const b = await createTask(app, { planId: plan.id, code: '2', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  const ofA = await created(t, app, a.id, request('2027-03-31'));

  await refused(t, app, { method: 'GET', url: `/v1/tasks/${a.id}/deadline-changes/${MISSING_ID}` }, 404, 'not-found');
  await refused(t, app, { method: 'GET', url: `/v1/tasks/${b.id}/deadline-changes/${ofA.id}` }, 404, 'not-found');
  await refused(t, app, decide(a.id, MISSING_ID, { decision: 'approve', basis: 'x' }), 404, 'not-found');
  const cross = await refused(t, app, decide(b.id, ofA.id, { decision: 'approve', basis: 'x' }), 404, 'not-found');
  t.match(cross.detail, ofA.id);
  t.match(await getTask(app, b.id), { dueDate: '2026-12-31' }, 'the other task did not move');

  const missingTask = await refused(t, app, ask(MISSING_ID, request('2027-03-31')), 404, 'not-found');
  t.match(missingTask.detail, /task/);
  await refused(t, app, { method: 'GET', url: `/v1/tasks/${MISSING_ID}/deadline-changes` }, 404, 'not-found');
  await refused(t, app, { method: 'GET', url: `/v1/tasks/${MISSING_ID}/deadline-changes/${ofA.id}` }, 404, 'not-found');

  for (const url of [
    `/v1/tasks/nope/deadline-changes`,
    `/v1/tasks/${a.id}/deadline-changes/nope`,
    `/v1/tasks/nope/deadline-changes/${ofA.id}`,
  ]) {
    await refused(t, app, { method: 'GET', url }, 400, 'validation-failed');
  }
  await refused(t, app, ask('nope', request('2027-03-31')), 400, 'validation-failed');
  await refused(t, app, decide(a.id, 'nope', { decision: 'approve', basis: 'x' }), 400, 'validation-failed');
});

t.test('the list is paginated and oldest first, and keeps every change', async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const { task } = await approvedTask(app);
  const made: DeadlineChange[] = [];
  const dates = ['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31'];
  for (const [i, date] of dates.entries()) {
    clock.set(`2026-12-0${i + 1}T08:00:00.000Z`);
    if (i % 2 === 0) {
      const c = await created(t, app, task.id, request(date));
      made.push(await decided(t, app, task.id, c.id, { decision: i === 2 ? 'reject' : 'approve', basis: `Protocol ${i}` }));
    } else {
      made.push(await created(t, app, task.id, { kind: 'direct', newDueDate: date, reason: `Direct ${i}` }));
    }
  }
  const pending = await created(t, app, task.id, request('2027-06-30'));
  made.push(pending);

  const all = json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/deadline-changes` }));
  t.same(all, { items: made, nextCursor: null }, 'every change, oldest first, as returned when made');
  t.same(
    all.items.map((c: DeadlineChange) => [c.kind, c.status, c.oldDueDate, c.newDueDate]),
    [
      ['request', 'approved', '2026-12-31', '2027-01-31'],
      ['direct', 'applied', '2027-01-31', '2027-02-28'],
      ['request', 'rejected', '2027-02-28', '2027-03-31'],
      ['direct', 'applied', '2027-02-28', '2027-04-30'],
      ['request', 'approved', '2027-04-30', '2027-05-31'],
      ['request', 'pending', '2027-05-31', '2027-06-30'],
    ],
  );
  t.match(await getTask(app, task.id), { dueDate: '2027-05-31', originalDueDate: '2026-12-31', postponementCount: 4 });

  const walked: DeadlineChange[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: InjectedResponse = await app.inject({
      method: 'GET',
      url: `/v1/tasks/${task.id}/deadline-changes?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    });
    t.equal(res.statusCode, 200);
    const page = json<{ items: DeadlineChange[]; nextCursor: string | null }>(res);
    t.ok(page.items.length <= 4);
    walked.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 10);
  t.equal(pages, 2, 'six changes in pages of four');
  t.same(walked, made, 'the walk sees each change once, in order');

  await refused(t, app, { method: 'GET', url: `/v1/tasks/${task.id}/deadline-changes?limit=0` }, 400, 'validation-failed');
  await refused(t, app, { method: 'GET', url: `/v1/tasks/${task.id}/deadline-changes?limit=201` }, 400, 'validation-failed');
  await refused(t, app, { method: 'GET', url: `/v1/tasks/${task.id}/deadline-changes?cursor=bogus` }, 400, 'invalid-cursor');
  await refused(t, app, { method: 'GET', url: `/v1/tasks/${task.id}/deadline-changes?status=pending` }, 400, 'validation-failed');
});

t.test('a task with no deadline changes has an empty list; the list of one task holds only its changes', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const a = await createTask(app, { planId: plan.id, code: '1', dueDate: '2026-12-31', assignees });
  const b = await createTask(app, { planId: plan.id, code: '2', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  t.same(json(await app.inject({ method: 'GET', url: `/v1/tasks/${a.id}/deadline-changes` })), { items: [], nextCursor: null });
  const change = await created(t, app, b.id, request('2027-03-31'));
  t.same(json(await app.inject({ method: 'GET', url: `/v1/tasks/${a.id}/deadline-changes` })).items, []);
  t.same(json(await app.inject({ method: 'GET', url: `/v1/tasks/${b.id}/deadline-changes` })).items, [change]);
});

t.test('an executor may ask, another ministry may not; only the secretariat changes directly or decides', async (t) => {
  const app = await build(t, testClock(NOW));
  const { task, by } = await approvedTask(app);
  const stranger = await createOrganization(app, { name: 'Ministry of Agriculture of Belarus', country: 'BY' });
  const executor = await keyFor(app, 'ministry', by.id);
  const outsider = await keyFor(app, 'ministry', stranger.id);
  const coChair = await keyFor(app, 'co_chair');
  const observer = await keyFor(app, 'observer');
  const as = (key: { headers: Record<string, string> }, req: InjectOptions): InjectOptions => ({ ...req, headers: key.headers });
  const asking = { kind: 'request', newDueDate: '2027-03-31', reason: 'Supplier delays' };
  const direct = { kind: 'direct', newDueDate: '2027-03-31', reason: 'x', basis: 'Protocol 3' };

  const stray = await refused(t, app, as(outsider, ask(task.id, asking)), 403, 'forbidden'); // a stranger ministry cannot ask
  t.match(stray.detail, /not executed by your organization/);
  await refused(t, app, as(outsider, ask(task.id, direct)), 403, 'forbidden'); // nor change it directly
  const own = await refused(t, app, as(executor, ask(task.id, direct)), 403, 'forbidden'); // an executor cannot change directly
  t.match(own.detail, /only the secretariat changes a deadline directly/);
  for (const key of [coChair, observer]) {
    await refused(t, app, as(key, ask(task.id, asking)), 403, 'forbidden'); // a co-chair or an observer cannot ask
    await refused(t, app, as(key, ask(task.id, { kind: 'bogus' })), 403, 'forbidden'); // refused before validation
  }
  await refused(t, app, as(executor, ask(task.id, { ...asking, newDueDate: '2027-02-30' })), 400, 'validation-failed'); // an executor's request is validated

  const res = await app.inject(as(executor, ask(task.id, asking)));
  t.equal(res.statusCode, 201, 'an executor asks');
  const asked = json<DeadlineChange>(res);
  t.match(asked, { status: 'pending', requestedBy: { keyId: executor.id, role: 'ministry', organizationId: by.id } }, 'the request names the ministry and its key');
  t.match(await getTask(app, task.id), { dueDate: '2026-12-31' }, 'asking moves nothing');

  const approve = decide(task.id, asked.id, { decision: 'approve', basis: 'Protocol 3' });
  await refused(t, app, as(executor, approve), 403, 'forbidden'); // an executor cannot decide its own request
  await refused(t, app, as(outsider, approve), 403, 'forbidden');
  await refused(t, app, as(coChair, approve), 403, 'forbidden'); // a co-chair does not decide deadline changes
  await refused(t, app, as(observer, approve), 403, 'forbidden');

  t.match(await decided(t, app, task.id, asked.id, { decision: 'approve', basis: 'Protocol 3' }), { status: 'approved' }, 'the secretariat decides');
  t.match(await getTask(app, task.id), { dueDate: '2027-03-31', postponementCount: 1 });
  const listed = await app.inject(as(executor, { method: 'GET', url: `/v1/tasks/${task.id}/deadline-changes` }));
  t.equal(listed.statusCode, 200, 'the executor reads the outcome');
  t.match(json(listed).items, [{ id: asked.id, status: 'approved' }]);
});
