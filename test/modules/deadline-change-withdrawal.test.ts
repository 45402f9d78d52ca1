// Tests of POST /v1/tasks/{id}/deadline-changes/{changeId}/withdrawal: the organization that asked (or the
// secretariat) takes back a pending request; nothing moves, a new request may follow, and every refusal changes nothing.
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import type { DeadlineChange } from '../../src/modules/deadline-changes/deadline-changes.schemas.js';
import type { ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { build, json, keyFor, refused, snapshot, testClock } from '../helper.js';
import { approvedTask, createOrganization, getTask } from '../factories.js';

const NOW = '2026-11-28T09:00:00.000Z';
const LATER = '2026-12-02T10:00:00.000Z';

type Key = Awaited<ReturnType<typeof keyFor>>;

const as = (key: Key | null, req: InjectOptions): InjectOptions => (key ? { ...req, headers: { ...(req.headers ?? {}), ...key.headers } } : req);
const ask = (taskId: string, newDueDate = '2027-03-31'): InjectOptions => ({
  method: 'POST',
  url: `/v1/tasks/${taskId}/deadline-changes`,
  payload: { kind: 'request', newDueDate, reason: 'Certification of the assembled combines takes longer than planned' },
});
const withdraw = (taskId: string, changeId: string, payload: Record<string, unknown> = {}): InjectOptions => ({
  method: 'POST',
  url: `/v1/tasks/${taskId}/deadline-changes/${changeId}/withdrawal`,
  payload,
});
const decide = (taskId: string, changeId: string, decision: 'approve' | 'reject'): InjectOptions => ({
  method: 'POST',
  url: `/v1/tasks/${taskId}/deadline-changes/${changeId}/decision`,
  payload: { decision, basis: 'Protocol of the 18th session, item 3.4' },
});

async function ok<T = DeadlineChange>(t: Test, app: App, req: InjectOptions, status = 200): Promise<T> {
  const res = await app.inject(req);
  t.equal(res.statusCode, status, `${req.method} ${req.url}: ${status}`);
  if (res.statusCode !== status) throw new Error(res.body);
  return json(res);
}

/** A task of BY and KZ in an approved plan, a key of each and of the other roles, and a pending request asked by BY. */
async function world(t: Test) {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const { task, by, kz, plan } = await approvedTask(app);
  const byKey = await keyFor(app, 'ministry', by.id);
  const byOtherKey = await keyFor(app, 'ministry', by.id);
  const kzKey = await keyFor(app, 'ministry', kz.id);
  const stranger = await createOrganization(app, { name: 'Ministry of Agriculture of Belarus', country: 'BY' });
  const strangerKey = await keyFor(app, 'ministry', stranger.id);
  const coChair = await keyFor(app, 'co_chair');
  const observer = await keyFor(app, 'observer');
  const pending = await ok(t, app, as(byKey, ask(task.id)), 201);
  return { app, clock, task, by, kz, plan, byKey, byOtherKey, kzKey, strangerKey, coChair, observer, pending };
}

t.test('the organization that asked withdraws its pending request: kept as withdrawn, no decision, nothing moves', async (t) => {
  const { app, clock, task, by, byOtherKey, pending } = await world(t);
  const taskBefore = await getTask(app, task.id);

  clock.set(LATER);
  // Another key of the same organization: the request is the organization's, not one key's.
  const withdrawn = await ok(t, app, as(byOtherKey, withdraw(task.id, pending.id, { comment: 'The supplier delivered after all' })));
  t.same(withdrawn, {
    ...pending,
    status: 'withdrawn',
    withdrawnBy: { keyId: byOtherKey.id, role: 'ministry', organizationId: by.id },
    withdrawnAt: LATER,
    withdrawalComment: 'The supplier delivered after all',
  });
  t.equal(withdrawn.decidedBy, null, 'no decision was made');
  t.equal(withdrawn.decidedAt, null);
  t.same(json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/deadline-changes/${pending.id}` })), withdrawn, 'reads back the same');
  t.same(json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/deadline-changes` })).items, [withdrawn], 'the list keeps it, as withdrawn');
  t.same(await getTask(app, task.id), taskBefore, 'the task is untouched: due date, postponements, updatedAt');

  const history = json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/history?limit=200` })).items as any[];
  const entries = history.filter((e) => e.operation === 'withdrawDeadlineChange');
  t.equal(entries.length, 1, 'one history entry, for the change only');
  t.match(entries[0], {
    at: LATER,
    entityType: 'deadline_change',
    entityId: pending.id,
    actor: { keyId: byOtherKey.id, role: 'ministry', organizationId: by.id },
  });
  t.same(
    entries[0].changes,
    [
      { field: 'status', before: 'pending', after: 'withdrawn' },
      { field: 'withdrawnBy', before: null, after: { keyId: byOtherKey.id, role: 'ministry', organizationId: by.id } },
      { field: 'withdrawnAt', before: null, after: LATER },
      { field: 'withdrawalComment', before: null, after: 'The supplier delivered after all' },
    ],
    'the history says withdrawn, not rejected',
  );
  t.notOk(history.some((e) => e.operation === 'decideDeadlineChange'), 'no decision in the history');
});

t.test('after a withdrawal the task takes a new request, and nothing awaits a decision any more', async (t) => {
  const { app, task, plan, byKey, pending } = await world(t);
  await refused(t, app, as(byKey, ask(task.id, '2027-02-28')), 409, 'deadline-change-conflict');
  const awaiting = () => app.inject({ method: 'GET', url: `/v1/tasks?planId=${plan.id}&awaiting=deadline_decision` });
  t.same(json(await awaiting()).items.map((x: { id: string }) => x.id), [task.id], 'awaiting a decision while pending');

  await ok(t, app, as(byKey, withdraw(task.id, pending.id)));
  t.same(json(await awaiting()).items, [], 'no longer awaiting a decision');
  const next = await ok(t, app, as(byKey, ask(task.id, '2027-02-28')), 201);
  t.match(next, { status: 'pending', oldDueDate: '2026-12-31', newDueDate: '2027-02-28' }, 'the corrected request');
  const approved = await ok(t, app, decide(task.id, next.id, 'approve'));
  t.equal(approved.status, 'approved');
  t.match(await getTask(app, task.id), { dueDate: '2027-02-28', postponementCount: 1 }, 'one postponement: the withdrawn request is none');
});

t.test("the co-chairs' report is the same before and after a withdrawal: it counts no withdrawn request", async (t) => {
  const { app, task, plan, byKey, pending } = await world(t);
  const report = async () => {
    const r = json<ProgressReport>(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` }));
    return { ...r, generatedAt: undefined };
  };
  const before = await report();
  await ok(t, app, as(byKey, withdraw(task.id, pending.id)));
  t.same(await report(), before, 'totals, postponements and lists unchanged');
  t.match(before.totals, { postponements: 0 }, 'a pending request is no postponement either');
  const direct = await ok(t, app, { method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'direct', newDueDate: '2027-01-31', reason: 'Agreed' } }, 201);
  t.equal(direct.status, 'applied');
  t.match(json<ProgressReport>(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` })).totals, { postponements: 1 }, 'a real move is counted');
  // The plan closes: nothing awaits a decision.
  await ok(t, app, { method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'cancelled' } });
  await ok(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/close` });
});

t.test('the secretariat withdraws any pending request, also one it asked for itself', async (t) => {
  const { app, clock, task, pending } = await world(t);
  const secretariatKeyId = json<{ id: string }>(await app.inject({ method: 'GET', url: '/v1/api-keys/current' })).id;
  clock.set(LATER);
  const byMinistry = await ok(t, app, withdraw(task.id, pending.id));
  t.match(byMinistry, { status: 'withdrawn', withdrawnBy: { keyId: secretariatKeyId, role: 'secretariat', organizationId: null }, withdrawnAt: LATER, withdrawalComment: null });
  const own = await ok(t, app, ask(task.id, '2027-01-31'), 201);
  t.match(await ok(t, app, withdraw(task.id, own.id, { comment: 'Asked in error' })), { status: 'withdrawn', withdrawalComment: 'Asked in error' });
});

t.test('nobody else withdraws: another executor, a ministry off the task, a co-chair, an observer; and it changes nothing', async (t) => {
  const { app, task, kzKey, strangerKey, coChair, observer, byKey, pending } = await world(t);
  const sameTask = await refused(t, app, as(kzKey, withdraw(task.id, pending.id)), 403, 'forbidden');
  t.match(sameTask.detail, /not asked for by your organization/, 'another executor of the same task');
  const offTask = await refused(t, app, as(strangerKey, withdraw(task.id, pending.id)), 403, 'forbidden');
  t.match(offTask.detail, /not executed by your organization/, 'a ministry off the task is told no more than on any task write');
  for (const key of [coChair, observer]) await refused(t, app, as(key, withdraw(task.id, pending.id)), 403, 'forbidden');

  // A request the secretariat asked for is the secretariat's to take back, even on the executor's own task.
  const bySecretariat = json(await app.inject(withdraw(task.id, pending.id)));
  t.equal(bySecretariat.status, 'withdrawn');
  const secretariatRequest = await ok(t, app, ask(task.id, '2027-01-31'), 201);
  await refused(t, app, as(byKey, withdraw(task.id, secretariatRequest.id)), 403, 'forbidden');
  t.match(json(await app.inject({ url: `/v1/tasks/${task.id}/deadline-changes/${secretariatRequest.id}` })), { status: 'pending' });
});

t.test('a refusal to another organization tells nothing of the request: 403 whatever its status', async (t) => {
  const { app, task, kzKey, strangerKey, pending } = await world(t);
  await ok(t, app, decide(task.id, pending.id, 'reject'));
  // Decided: the requester would get 409, another organization still gets the same 403.
  const a = await refused(t, app, as(kzKey, withdraw(task.id, pending.id)), 403, 'forbidden');
  t.notMatch(a.detail, /rejected/);
  await refused(t, app, as(strangerKey, withdraw(task.id, pending.id)), 403, 'forbidden');
  // A stale If-Match from another organization is 403, not 412.
  await refused(t, app, as(kzKey, { ...withdraw(task.id, pending.id), headers: { 'if-match': '"stale"' } }), 403, 'forbidden');
});

t.test('only a pending request is withdrawn: approved, rejected, withdrawn (twice) and direct changes are 409', async (t) => {
  const { app, task, byKey, pending } = await world(t);
  await ok(t, app, decide(task.id, pending.id, 'approve'));
  const approved = await refused(t, app, as(byKey, withdraw(task.id, pending.id)), 409, 'deadline-change-conflict');
  t.match(approved.detail, 'the change is already approved: only a pending request can be withdrawn');
  await refused(t, app, withdraw(task.id, pending.id), 409, 'deadline-change-conflict');

  const second = await ok(t, app, as(byKey, ask(task.id, '2027-06-30')), 201);
  await ok(t, app, decide(task.id, second.id, 'reject'));
  const rejected = await refused(t, app, as(byKey, withdraw(task.id, second.id)), 409, 'deadline-change-conflict');
  t.match(rejected.detail, /already rejected/);

  const third = await ok(t, app, as(byKey, ask(task.id, '2027-06-30')), 201);
  await ok(t, app, as(byKey, withdraw(task.id, third.id)));
  const twice = await refused(t, app, as(byKey, withdraw(task.id, third.id)), 409, 'deadline-change-conflict');
  t.match(twice.detail, /already withdrawn/);
  await refused(t, app, decide(task.id, third.id, 'approve'), 409, 'deadline-change-conflict'); // nor decided once withdrawn

  const direct = await ok(t, app, { method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'direct', newDueDate: '2027-09-30', reason: 'Agreed' } }, 201);
  const applied = await refused(t, app, withdraw(task.id, direct.id), 409, 'deadline-change-conflict');
  t.match(applied.detail, /direct change/);
});

t.test('a closed plan is read-only: a request left pending in it is not withdrawn (409)', async (t) => {
  const { app, task, plan, byKey, pending } = await world(t);
  // A plan is not closed while a request waits; one closed so by a version before that rule:
  app.sqlite.prepare("UPDATE plans SET status = 'closed', closed_at = updated_at WHERE id = ?").run(plan.id);
  const body = await refused(t, app, as(byKey, withdraw(task.id, pending.id)), 409, 'plan-state-conflict');
  t.match(body.detail, /closed/);
  await refused(t, app, withdraw(task.id, pending.id), 409, 'plan-state-conflict');
});

t.test('a request on a task closed meanwhile is still withdrawn: nothing moves', async (t) => {
  const { app, task, byKey, pending } = await world(t);
  for (const to of ['in_progress', 'done', 'closed']) await ok(t, app, { method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to } });
  t.equal((await ok(t, app, as(byKey, withdraw(task.id, pending.id)))).status, 'withdrawn');
});

t.test('If-Match is the request\'s ETag: a stale one is 412 and changes nothing, the current one withdraws', async (t) => {
  const { app, task, byKey, pending } = await world(t);
  const url = `/v1/tasks/${task.id}/deadline-changes/${pending.id}`;
  const etag = String((await app.inject(as(byKey, { method: 'GET', url }))).headers.etag);
  const stale = await refused(t, app, as(byKey, { ...withdraw(task.id, pending.id), headers: { 'if-match': '"stale-etag"' } }), 412, 'precondition-failed');
  t.type(stale.detail, 'string');
  const res = await app.inject(as(byKey, { ...withdraw(task.id, pending.id), headers: { 'if-match': etag } }));
  t.equal(res.statusCode, 200);
  t.not(res.headers.etag, etag, 'a new ETag');
  t.equal(res.headers.etag, (await app.inject({ method: 'GET', url })).headers.etag, 'the one a fresh read gives');
});

t.test('a retried withdrawal with its Idempotency-Key replays 200 instead of 409', async (t) => {
  const { app, task, byKey, pending } = await world(t);
  const req = as(byKey, { ...withdraw(task.id, pending.id, { comment: 'Asked in error' }), headers: { 'idempotency-key': 'withdraw-1' } });
  const first = await app.inject(req);
  t.equal(first.statusCode, 200);
  const before = snapshot(app);
  const again = await app.inject(req);
  t.equal(again.statusCode, 200, 'replayed');
  t.equal(again.body, first.body);
  t.same(snapshot(app), before, 'nothing written again');
});

t.test('bad withdrawal bodies and ids are refused and change nothing', async (t) => {
  const { app, task, byKey, pending } = await world(t);
  for (const [what, payload] of [
    ['an unknown field', { reason: 'x' }],
    ['a comment over 2000 characters', { comment: 'x'.repeat(2001) }],
    ['a blank comment', { comment: '   ' }],
  ] as [string, Record<string, unknown>][]) {
    const body = await refused(t, app, as(byKey, withdraw(task.id, pending.id, payload)), 400, 'validation-failed');
    t.ok(body.errors.length > 0, what);
  }
  await refused(t, app, as(byKey, withdraw(task.id, '019a7c2e-0000-7000-8000-00000000dead')), 404, 'not-found');
  await refused(t, app, as(byKey, withdraw(task.id, 'nope')), 400, 'validation-failed');
  const other = await approvedTask(app);
  // The change exists, but not on this task.
  await refused(t, app, withdraw(other.task.id, pending.id), 404, 'not-found');
  t.match(json(await app.inject({ url: `/v1/tasks/${task.id}/deadline-changes/${pending.id}` })), { status: 'pending' });
});
