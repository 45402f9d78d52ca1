// Tests of the change history: every kind of write leaves one entry (who, when, what, field by field),
// no-op and refused writes leave none, the feeds filter and page, and nothing can rewrite an entry.
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../src/app.js';
import { historyQuery } from '../src/modules/history/history.repository.js';
import type { HistoryEntry, HistoryFilter } from '../src/modules/history/history.schemas.js';
import { build, json, keyFor, refused, snapshot, testClock, type InjectedResponse } from './helper.js';
import { approvedTask, approvePlan, createCommission, createMeeting, createOrganization, createPlan, createTask, seedPlan } from './factories.js';

const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';
const T0 = '2026-11-28T09:00:00.000Z';
const at = (minute: number) => new Date(Date.parse(T0) + minute * 60_000).toISOString();

/** Fields of a representation that the history leaves out: identity, bookkeeping, values derived at read. */
const NOT_RECORDED = ['id', 'createdAt', 'updatedAt', 'overdue', 'daysOverdue', 'completion', 'taskCount'];
type FieldChange = { field: string; before: unknown; after: unknown };
type HistoryPage = { items: HistoryEntry[]; nextCursor: string | null };

/** What creating `rep` records: every field that has a value, each from null. */
const createdFields = (rep: Record<string, unknown>): FieldChange[] =>
  Object.entries(rep)
    .filter(([field, value]) => !NOT_RECORDED.includes(field) && value !== null)
    .map(([field, after]) => ({ field, before: null, after }));

/** What deleting `rep` records: every field that had a value, each to null. */
const deletedFields = (rep: Record<string, unknown>): FieldChange[] =>
  createdFields(rep).map(({ field, after }) => ({ field, before: after, after: null }));

const countEntries = (app: App) => (app.sqlite.prepare('SELECT count(*) AS n FROM change_history').get() as { n: number }).n;

/** Every entry of a feed (`url` with its query), walking all pages. */
async function feed(app: App, url: string, headers: Record<string, string> = {}): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res: InjectedResponse = await app.inject({ method: 'GET', url: `${url}${sep}limit=200${cursor ? `&cursor=${cursor}` : ''}`, headers });
    if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body}`);
    const page: HistoryPage = json<HistoryPage>(res);
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return entries;
}

/** The last `n` entries of the whole history, oldest first. */
const latest = async (app: App, n = 1) => (await feed(app, '/v1/history')).slice(-n);

/** Asserts an entry field by field; its id is only checked to be there. */
function assertEntry(t: Test, entry: HistoryEntry | undefined, expected: Omit<HistoryEntry, 'id'>, what: string) {
  if (!entry) return t.fail(`${what}: no entry`);
  const { id, ...rest } = entry;
  t.type(id, 'string', `${what}: has an id`);
  t.strictSame(rest, expected, what);
}

/** The key the test app's requests use by default (the bootstrap secretariat key). */
async function secretariatActor(app: App) {
  const res = await app.inject({ method: 'GET', url: '/v1/api-keys/current' });
  return { keyId: json(res).id as string, role: 'secretariat' as const, organizationId: null };
}

const patch = (url: string, payload: object, headers: Record<string, string | undefined> = {}): InjectOptions => ({ method: 'PATCH', url, payload, headers });

t.test('creating and changing a commission, an organization and a meeting is recorded field by field, with who and when', async (t) => {
  const clock = testClock(T0);
  const app = await build(t, clock);
  const actor = await secretariatActor(app);
  const none = { planId: null, taskId: null };

  clock.set(at(1));
  const commission = await createCommission(app);
  assertEntry(t, (await latest(app))[0], { at: at(1), actor, operation: 'createCommission', entityType: 'commission', entityId: commission.id, ...none, changes: createdFields(commission) }, 'createCommission');
  clock.set(at(2));
  t.equal((await app.inject(patch(`/v1/commissions/${commission.id}`, { name: 'Renamed commission' }))).statusCode, 200);
  assertEntry(t, (await latest(app))[0], {
    at: at(2), actor, operation: 'updateCommission', entityType: 'commission', entityId: commission.id, ...none,
    changes: [{ field: 'name', before: commission.name, after: 'Renamed commission' }],
  }, 'updateCommission');

  clock.set(at(3));
  const org = await createOrganization(app);
  assertEntry(t, (await latest(app))[0], { at: at(3), actor, operation: 'createOrganization', entityType: 'organization', entityId: org.id, ...none, changes: createdFields(org) }, 'createOrganization');
  clock.set(at(4));
  t.equal((await app.inject(patch(`/v1/organizations/${org.id}`, { shortName: 'Minprom' }))).statusCode, 200);
  assertEntry(t, (await latest(app))[0], {
    at: at(4), actor, operation: 'updateOrganization', entityType: 'organization', entityId: org.id, ...none,
    changes: [{ field: 'shortName', before: null, after: 'Minprom' }],
  }, 'updateOrganization');

  clock.set(at(5));
  const meeting = await createMeeting(app, commission.id);
  assertEntry(t, (await latest(app))[0], { at: at(5), actor, operation: 'createMeeting', entityType: 'meeting', entityId: meeting.id, ...none, changes: createdFields(meeting) }, 'createMeeting');
  clock.set(at(6));
  t.equal((await app.inject(patch(`/v1/meetings/${meeting.id}`, { title: 'Session in Minsk', place: 'Minsk' }))).statusCode, 200);
  assertEntry(t, (await latest(app))[0], {
    at: at(6), actor, operation: 'updateMeeting', entityType: 'meeting', entityId: meeting.id, ...none,
    changes: [
      { field: 'title', before: meeting.title, after: 'Session in Minsk' },
      { field: 'place', before: meeting.place, after: 'Minsk' },
    ],
  }, 'updateMeeting');
});

t.test('creating, changing, approving and closing a plan is recorded under the plan', async (t) => {
  const clock = testClock(T0);
  const app = await build(t, clock);
  const actor = await secretariatActor(app);
  const { plan, assignees } = await seedPlan(app);
  const entry = { actor, entityType: 'plan' as const, entityId: plan.id, planId: plan.id, taskId: null };

  const [createdEntry] = await feed(app, `/v1/plans/${plan.id}/history`);
  assertEntry(t, createdEntry, { ...entry, at: T0, operation: 'createPlan', changes: createdFields(plan) }, 'createPlan: every field from null, taskCount left out');

  clock.set(at(1));
  t.equal((await app.inject(patch(`/v1/plans/${plan.id}`, { title: 'Plan of measures, revised' }))).statusCode, 200);
  assertEntry(t, (await latest(app))[0], { ...entry, at: at(1), operation: 'updatePlan', changes: [{ field: 'title', before: plan.title, after: 'Plan of measures, revised' }] }, 'updatePlan');

  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  clock.set(at(2));
  await approvePlan(app, plan.id);
  assertEntry(t, (await latest(app))[0], {
    ...entry, at: at(2), operation: 'approvePlan',
    changes: [
      { field: 'status', before: 'draft', after: 'approved' },
      { field: 'approvedAt', before: null, after: at(2) },
    ],
  }, 'approvePlan');

  clock.set(at(3));
  t.equal((await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/close` })).statusCode, 200);
  assertEntry(t, (await latest(app))[0], {
    ...entry, at: at(3), operation: 'closePlan',
    changes: [
      { field: 'status', before: 'approved', after: 'closed' },
      { field: 'closedAt', before: null, after: at(3) },
    ],
  }, 'closePlan');
});

t.test('creating, changing, deleting and moving a task is recorded; a transition names the ministry key that took it', async (t) => {
  const clock = testClock(T0);
  const app = await build(t, clock);
  const actor = await secretariatActor(app);
  const { plan, by, assignees } = await seedPlan(app);
  const ministry = await keyFor(app, 'ministry', by.id);

  clock.set(at(1));
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const entry = { entityType: 'task' as const, entityId: task.id, planId: plan.id, taskId: task.id };
  assertEntry(t, (await latest(app))[0], { ...entry, actor, at: at(1), operation: 'createTask', changes: createdFields(task) }, 'createTask: derived fields left out');
  t.notOk((await latest(app))[0]?.changes.some((c) => ['overdue', 'daysOverdue', 'completion'].includes(c.field)), 'no derived field recorded');

  clock.set(at(2));
  t.equal((await app.inject(patch(`/v1/tasks/${task.id}`, { title: 'Assemble combines in Kostanay' }))).statusCode, 200);
  assertEntry(t, (await latest(app))[0], { ...entry, actor, at: at(2), operation: 'updateTask', changes: [{ field: 'title', before: task.title, after: 'Assemble combines in Kostanay' }] }, 'updateTask');

  const doomed = await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2026-12-31', assignees });
  clock.set(at(3));
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/tasks/${doomed.id}` })).statusCode, 204);
  assertEntry(t, (await latest(app))[0], {
    entityType: 'task', entityId: doomed.id, planId: plan.id, taskId: doomed.id, actor, at: at(3), operation: 'deleteTask', changes: deletedFields(doomed),
  }, 'deleteTask: every field to null');

  await approvePlan(app, plan.id);
  clock.set(at(4));
  const res = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'in_progress' }, headers: ministry.headers });
  t.equal(res.statusCode, 200, 'the executing ministry starts the task');
  assertEntry(t, (await latest(app))[0], {
    ...entry, at: at(4), operation: 'transitionTask',
    actor: { keyId: ministry.id, role: 'ministry', organizationId: by.id },
    changes: [
      { field: 'status', before: 'not_started', after: 'in_progress' },
      { field: 'statusChangedAt', before: at(1), after: at(4) },
    ],
  }, 'transitionTask by a ministry key');
});

t.test('a deadline request, its decision and a direct change are recorded, with the due date they move on the task', async (t) => {
  const clock = testClock(T0);
  const app = await build(t, clock);
  const secretariat = await secretariatActor(app);
  const { task, plan, by } = await approvedTask(app, { dueDate: '2026-12-31' });
  const ministry = await keyFor(app, 'ministry', by.id);
  const ministryActor = { keyId: ministry.id, role: 'ministry' as const, organizationId: by.id };
  const under = { planId: plan.id, taskId: task.id };
  const url = `/v1/tasks/${task.id}/deadline-changes`;

  // A request: one entry, the task itself does not change yet.
  clock.set(at(1));
  let count = countEntries(app);
  const asked = await app.inject({ method: 'POST', url, headers: ministry.headers, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Certification takes longer' } });
  t.equal(asked.statusCode, 201);
  const request = json(asked);
  t.equal(countEntries(app), count + 1, 'a request is one entry');
  assertEntry(t, (await latest(app))[0], {
    ...under, at: at(1), actor: ministryActor, operation: 'createDeadlineChange', entityType: 'deadline_change', entityId: request.id, changes: createdFields(request),
  }, 'createDeadlineChange (request) names the ministry');

  // Its approval: the decision, then the task's new due date and one more postponement, both under decideDeadlineChange.
  clock.set(at(2));
  count = countEntries(app);
  const decision = await app.inject({ method: 'POST', url: `${url}/${request.id}/decision`, payload: { decision: 'approve', basis: 'Protocol No. 12, item 4.1' } });
  t.equal(decision.statusCode, 200);
  t.equal(countEntries(app), count + 2, 'an approval is two entries');
  const [decided, moved] = await latest(app, 2);
  assertEntry(t, decided, {
    ...under, at: at(2), actor: secretariat, operation: 'decideDeadlineChange', entityType: 'deadline_change', entityId: request.id,
    changes: [
      { field: 'status', before: 'pending', after: 'approved' },
      { field: 'decidedBy', before: null, after: { keyId: secretariat.keyId, role: 'secretariat' } },
      { field: 'decidedAt', before: null, after: at(2) },
      { field: 'decisionBasis', before: null, after: 'Protocol No. 12, item 4.1' },
    ],
  }, 'decideDeadlineChange: the decision');
  assertEntry(t, moved, {
    ...under, at: at(2), actor: secretariat, operation: 'decideDeadlineChange', entityType: 'task', entityId: task.id,
    changes: [
      { field: 'dueDate', before: '2026-12-31', after: '2027-03-31' },
      { field: 'postponementCount', before: 0, after: 1 },
    ],
  }, 'decideDeadlineChange: the task moves');

  // A direct change: the change and the task's move, both under createDeadlineChange.
  clock.set(at(3));
  count = countEntries(app);
  const direct = await app.inject({ method: 'POST', url, payload: { kind: 'direct', newDueDate: '2027-06-30', reason: 'Agreed at the session', basis: 'Protocol No. 13' } });
  t.equal(direct.statusCode, 201);
  t.equal(countEntries(app), count + 2, 'a direct change is two entries');
  const [applied, movedAgain] = await latest(app, 2);
  assertEntry(t, applied, {
    ...under, at: at(3), actor: secretariat, operation: 'createDeadlineChange', entityType: 'deadline_change', entityId: json(direct).id, changes: createdFields(json(direct)),
  }, 'createDeadlineChange (direct): the change');
  assertEntry(t, movedAgain, {
    ...under, at: at(3), actor: secretariat, operation: 'createDeadlineChange', entityType: 'task', entityId: task.id,
    changes: [
      { field: 'dueDate', before: '2027-03-31', after: '2027-06-30' },
      { field: 'postponementCount', before: 1, after: 2 },
    ],
  }, 'createDeadlineChange (direct): the task moves');

  // A rejection: the decision only; the task keeps its date.
  const second = json(await app.inject({ method: 'POST', url, headers: ministry.headers, payload: { kind: 'request', newDueDate: '2027-09-30', reason: 'Again' } }));
  clock.set(at(4));
  count = countEntries(app);
  t.equal((await app.inject({ method: 'POST', url: `${url}/${second.id}/decision`, payload: { decision: 'reject', basis: 'No grounds', comment: 'Keep the date' } })).statusCode, 200);
  t.equal(countEntries(app), count + 1, 'a rejection is one entry');
  assertEntry(t, (await latest(app))[0], {
    ...under, at: at(4), actor: secretariat, operation: 'decideDeadlineChange', entityType: 'deadline_change', entityId: second.id,
    changes: [
      { field: 'status', before: 'pending', after: 'rejected' },
      { field: 'decidedBy', before: null, after: { keyId: secretariat.keyId, role: 'secretariat' } },
      { field: 'decidedAt', before: null, after: at(4) },
      { field: 'decisionBasis', before: null, after: 'No grounds' },
      { field: 'decisionComment', before: null, after: 'Keep the date' },
    ],
  }, 'decideDeadlineChange (reject)');
});

t.test('issuing and revoking an API key is recorded, never with its secret', async (t) => {
  const clock = testClock(T0);
  const app = await build(t, clock);
  const actor = await secretariatActor(app);
  const [bootstrap] = await feed(app, '/v1/history');
  t.match(bootstrap, { operation: 'createApiKey', entityType: 'api_key', entityId: actor.keyId, actor: { keyId: null, role: 'secretariat', organizationId: null } }, 'the bootstrap key is recorded, by the operator');

  clock.set(at(1));
  const key = await keyFor(app, 'observer');
  const issued = json((await app.inject({ method: 'GET', url: `/v1/api-keys/${key.id}` })));
  const none = { planId: null, taskId: null };
  assertEntry(t, (await latest(app))[0], { ...none, at: at(1), actor, operation: 'createApiKey', entityType: 'api_key', entityId: key.id, changes: createdFields(issued) }, 'createApiKey');
  const whole = JSON.stringify(await feed(app, '/v1/history'));
  t.notOk(whole.includes(key.token), 'the secret is not in the history');
  t.notMatch(whole, /"field":"(token|hash)"/, 'nor is its hash');

  clock.set(at(2));
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}` })).statusCode, 200);
  assertEntry(t, (await latest(app))[0], {
    ...none, at: at(2), actor, operation: 'revokeApiKey', entityType: 'api_key', entityId: key.id,
    changes: [
      { field: 'status', before: 'active', after: 'revoked' },
      { field: 'revokedAt', before: null, after: at(2) },
    ],
  }, 'revokeApiKey');

  const count = countEntries(app);
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}` })).statusCode, 200, 'revoking again is accepted');
  t.equal(countEntries(app), count, 'and changes nothing, so it leaves no entry');
});

t.test('a write that changes nothing leaves no entry', async (t) => {
  const clock = testClock(T0);
  const app = await build(t, clock);
  const { commission, by, meeting, plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  clock.set(at(1));
  const count = countEntries(app);
  const noops: [string, object][] = [
    [`/v1/commissions/${commission.id}`, { name: commission.name }],
    [`/v1/organizations/${by.id}`, { name: by.name, shortName: by.shortName }],
    [`/v1/meetings/${meeting.id}`, { title: meeting.title }],
    [`/v1/plans/${plan.id}`, { title: plan.title, periodEnd: plan.periodEnd }],
    [`/v1/tasks/${task.id}`, { title: task.title, dueDate: task.dueDate, assignees }],
  ];
  for (const [url, payload] of noops) {
    const res = await app.inject(patch(url, payload));
    t.equal(res.statusCode, 200, `PATCH ${url} with the current values is accepted`);
  }
  t.equal(countEntries(app), count, 'no entry for any of them');
});

t.test('a refused write leaves no entry', async (t) => {
  const app = await build(t);
  const { task, plan, commission, by, kz } = await approvedTask(app);
  const stranger = await createOrganization(app, { name: 'Ministry of Agriculture', country: 'BY' });
  const observer = await keyFor(app, 'observer');
  const outsider = await keyFor(app, 'ministry', stranger.id);
  const executor = await keyFor(app, 'ministry', kz.id);
  const etag = String((await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` })).headers.etag);
  const pending = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, headers: executor.headers, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Pending' } });
  t.equal(pending.statusCode, 201, 'a request is pending');

  const cases: [string, InjectOptions, number, string][] = [
    ['an observer changing a commission', patch(`/v1/commissions/${commission.id}`, { name: 'X' }, observer.headers), 403, 'forbidden'],
    ['a ministry moving a task it does not execute', { method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'in_progress' }, headers: outsider.headers }, 403, 'forbidden'],
    ['a ministry changing a deadline directly', { method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'direct', newDueDate: '2027-01-31', reason: 'X' }, headers: executor.headers }, 403, 'forbidden'],
    ['an illegal transition', { method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'closed' } }, 409, 'illegal-transition'],
    ['deleting a task of an approved plan', { method: 'DELETE', url: `/v1/tasks/${task.id}` }, 409, 'plan-state-conflict'],
    ['a second pending deadline request', { method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'request', newDueDate: '2027-04-30', reason: 'X' }, headers: executor.headers }, 409, 'deadline-change-conflict'],
    ['a stale If-Match', patch(`/v1/tasks/${task.id}`, { title: 'X' }, { 'if-match': '"stale"' }), 412, 'precondition-failed'],
    ['an unknown parent organization', patch(`/v1/organizations/${by.id}`, { parentId: MISSING_ID }), 422, 'unknown-reference'],
    ['a task with an unknown assignee', { method: 'POST', url: '/v1/tasks', payload: { planId: plan.id, code: '9.9', area: 'trade', title: 'X', dueDate: '2026-12-31', assignees: [{ organizationId: MISSING_ID, role: 'lead' }] } }, 422, 'unknown-reference'],
    ['an impossible calendar date', patch(`/v1/plans/${plan.id}`, { periodEnd: '2026-02-30' }), 400, 'validation-failed'],
    ['a malformed If-Match', patch(`/v1/tasks/${task.id}`, { title: 'X' }, { 'if-match': 'abc' }), 400, 'bad-request'],
  ];
  t.not(etag, '"stale"', 'the stale tag is not the current one');
  for (const [what, request, status, code] of cases) {
    await t.test(what, async (t) => {
      const count = countEntries(app);
      await refused(t, app, request, status, code);
      t.equal(countEntries(app), count, 'no history entry');
    });
  }
});

t.test('the history of a deleted draft task stays readable', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await app.inject(patch(`/v1/tasks/${task.id}`, { title: 'Renamed' }));
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/tasks/${task.id}` })).statusCode, 204);
  t.equal((await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` })).statusCode, 404, 'the task is gone');

  const entries = await feed(app, `/v1/tasks/${task.id}/history`);
  t.strictSame(entries.map((e) => e.operation), ['createTask', 'updateTask', 'deleteTask'], 'its history still lists every write');
  t.ok(entries.every((e) => e.taskId === task.id && e.entityId === task.id), 'all of the task');
  const missing = await app.inject({ method: 'GET', url: `/v1/tasks/${MISSING_ID}/history` });
  t.equal(missing.statusCode, 404, 'a task that never existed has no history');
});

t.test('the plan feed filters by entity type, task, operation, key, organization and time, and pages oldest first', async (t) => {
  const clock = testClock(T0);
  const app = await build(t, clock);
  const { plan, by, kz, assignees } = await seedPlan(app);
  const other = await createTask(app, { planId: (await createPlan(app, plan.commissionId, { title: 'Another plan' })).id, code: '1.1', dueDate: '2026-12-31', assignees });
  clock.set(at(1));
  const first = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const second = await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2026-12-31', assignees });
  clock.set(at(2));
  await approvePlan(app, plan.id);
  const byKey = await keyFor(app, 'ministry', by.id);
  const kzKey = await keyFor(app, 'ministry', kz.id);
  clock.set(at(3));
  await app.inject({ method: 'POST', url: `/v1/tasks/${first.id}/transitions`, payload: { to: 'in_progress' }, headers: byKey.headers });
  clock.set(at(4));
  await app.inject({ method: 'POST', url: `/v1/tasks/${second.id}/transitions`, payload: { to: 'on_hold' }, headers: kzKey.headers });
  clock.set(at(5));
  await app.inject({ method: 'POST', url: `/v1/tasks/${first.id}/deadline-changes`, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'X' }, headers: byKey.headers });

  const base = `/v1/plans/${plan.id}/history`;
  const all = await feed(app, base);
  t.strictSame(
    all.map((e) => e.operation),
    ['createPlan', 'createTask', 'createTask', 'approvePlan', 'transitionTask', 'transitionTask', 'createDeadlineChange'],
    'the plan, its tasks and their deadline changes, oldest first',
  );
  t.ok(all.every((e) => e.planId === plan.id), 'nothing of another plan');
  t.notOk(all.some((e) => e.entityId === other.id), 'the task of another plan is not listed');

  const ops = async (query: string) => (await feed(app, `${base}?${query}`)).map((e) => `${e.operation}:${e.entityId}`);
  t.strictSame(await ops('entityType=task'), [`createTask:${first.id}`, `createTask:${second.id}`, `transitionTask:${first.id}`, `transitionTask:${second.id}`], 'entityType');
  t.strictSame(await ops(`taskId=${first.id}`), [`createTask:${first.id}`, `transitionTask:${first.id}`, `createDeadlineChange:${all[6]?.entityId}`], 'taskId, with its deadline changes');
  t.strictSame(await ops('operation=transitionTask'), [`transitionTask:${first.id}`, `transitionTask:${second.id}`], 'operation');
  t.strictSame(await ops(`actorOrganizationId=${by.id}`), [`transitionTask:${first.id}`, `createDeadlineChange:${all[6]?.entityId}`], 'actorOrganizationId');
  t.strictSame(await ops(`actorKeyId=${kzKey.id}`), [`transitionTask:${second.id}`], 'actorKeyId');
  t.strictSame(await ops(`since=${at(3)}&until=${at(5)}`), [`transitionTask:${first.id}`, `transitionTask:${second.id}`], 'since is inclusive, until exclusive');
  t.strictSame(await ops(`since=${at(5)}`), [`createDeadlineChange:${all[6]?.entityId}`], 'since alone');
  t.strictSame(await ops(`until=${at(1)}`), [`createPlan:${plan.id}`], 'until alone');
  t.strictSame(await ops(`entityType=task&actorOrganizationId=${kz.id}`), [`transitionTask:${second.id}`], 'filters combine');

  // Page by page, one entry at a time, the walk gives the same entries in the same order.
  const walked: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: InjectedResponse = await app.inject({ method: 'GET', url: `${base}?limit=1${cursor ? `&cursor=${cursor}` : ''}` });
    t.equal(res.statusCode, 200);
    const page: HistoryPage = json<HistoryPage>(res);
    t.equal(page.items.length, 1, `page ${pages + 1} holds one entry`);
    walked.push(...page.items.map((e) => e.id));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 20);
  t.strictSame(walked, all.map((e) => e.id), 'limit=1 with nextCursor walks every entry, oldest first');
  t.strictSame([...all.map((e) => e.at)], [...all.map((e) => e.at)].sort(), 'in time order');

  t.equal((await app.inject({ method: 'GET', url: `/v1/plans/${MISSING_ID}/history` })).statusCode, 404, 'an unknown plan is 404');
  const bad = await app.inject({ method: 'GET', url: `${base}?since=yesterday` });
  t.equal(bad.statusCode, 400, 'a malformed instant is 400');
});

t.test("a task's entries in its plan's feed and an entity's entries are sought by index, and a task of another plan shows nothing", async (t) => {
  const app = await build(t);
  const { commission, plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const other = await createTask(app, { planId: (await createPlan(app, commission.id, { title: 'Another plan' })).id, code: '1.1', dueDate: '2026-12-31', assignees });
  // On 400,000 entries, walking the plan's entries for one task's took 90 ms, and walking every entry for one entity's 75 ms.
  const plan1 = (filter: HistoryFilter, hidden: HistoryEntry['entityType'][] = []) => {
    const { sql, params } = historyQuery(app.db, filter, hidden).toSQL();
    return (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
  };
  const inPlan = plan1({ planId: plan.id, taskId: task.id, limit: 50 }, ['share_link']);
  t.match(inPlan, /SEARCH change_history USING INDEX change_history_task_idx \(task_id=\?\)/, `a task in its plan's feed: ${inPlan}`);
  const entity = plan1({ entityId: task.id, limit: 50 });
  t.match(entity, /SEARCH change_history USING (COVERING )?INDEX change_history_entity_idx \(entity_type=\? AND entity_id=\?\)/, `an entity: ${entity}`);
  // What one key or one organization's keys did (a leaked key's changes): 65-80 ms a page on 400,000 entries, walking them all.
  const key = plan1({ actorKeyId: MISSING_ID, limit: 50 });
  t.match(key, /SEARCH change_history USING INDEX change_history_key_idx \(actor_key_id=\?\)/, `a key: ${key}`);
  const organization = plan1({ planId: plan.id, actorOrganizationId: MISSING_ID, limit: 50 }, ['share_link']);
  t.match(organization, /SEARCH change_history USING INDEX change_history_organization_idx \(actor_organization_id=\?\)/, `an organization in a plan's feed: ${organization}`);
  // But a task's or an entity's few entries, not those of a key or an organization, which may be most of the history.
  const taskByKey = plan1({ planId: plan.id, taskId: task.id, actorKeyId: MISSING_ID, actorOrganizationId: MISSING_ID, limit: 50 }, ['share_link']);
  t.match(taskByKey, /^SEARCH change_history USING INDEX change_history_task_idx \(task_id=\?\)$/, `a task's entries by a key: ${taskByKey}`);
  const entityByKey = plan1({ entityId: task.id, actorKeyId: MISSING_ID, limit: 50 });
  t.match(entityByKey, /SEARCH change_history USING (COVERING )?INDEX change_history_entity_idx \(entity_type=\? AND entity_id=\?\)/, `an entity's entries by a key: ${entityByKey}`);

  const ops = async (url: string) => (await feed(app, url)).map((e) => `${e.operation}:${e.entityId}`);
  t.strictSame(await ops(`/v1/plans/${plan.id}/history?taskId=${task.id}`), [`createTask:${task.id}`], "the task's entry in its plan's feed");
  t.strictSame(await ops(`/v1/plans/${plan.id}/history?taskId=${other.id}`), [], "a task of another plan is not in this plan's feed");
  t.strictSame(await ops(`/v1/history?entityId=${task.id}`), [`createTask:${task.id}`], 'an entity of any type by its id');
  t.strictSame(await ops(`/v1/history?entityId=${plan.id}`), [`createPlan:${plan.id}`], 'a plan by its id');
  t.strictSame(await ops(`/v1/history?entityId=${plan.id}&entityType=task`), [], 'and with another type, nothing');
});

t.test("a later page of one entity type's entries seeks past its cursor in the (type, id) index, instead of sorting every entry of the type for each page", async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  for (const code of ['1', '2', '3', '4']) await createTask(app, { planId: plan.id, code, dueDate: '2026-12-31', assignees });
  // On 390,000 entries, half of them of tasks, each page sorted all 186,000 task entries: 22 ms a page, the first as the last.
  const first = json<HistoryPage>(await app.inject({ method: 'GET', url: '/v1/history?entityType=task&limit=1' }));
  const later = (filter: HistoryFilter) => {
    const { sql, params } = historyQuery(app.db, filter).toSQL();
    return (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
  };
  const byType = later({ entityType: 'task', limit: 1, cursor: first.nextCursor! });
  t.match(byType, /^SEARCH change_history USING (COVERING )?INDEX change_history_type_idx \(entity_type=\? AND id>\?\)$/, `a later page of one type: ${byType}`);
  const firstByType = later({ entityType: 'task', limit: 1 });
  t.notMatch(firstByType, /TEMP B-TREE/, `the first page of one type: ${firstByType}`);
  // Beside a plan or a key, a type is only checked, as before: a small plan's or a key's few entries are not sought
  // among every entry of the type.
  const inPlan = later({ planId: plan.id, entityType: 'task', limit: 1 });
  t.match(inPlan, /^SEARCH change_history USING INDEX change_history_plan_idx \(plan_id=\?\)$/, `one type in a plan's feed: ${inPlan}`);
  const ofKey = later({ actorKeyId: MISSING_ID, entityType: 'task', limit: 1 });
  t.match(ofKey, /^SEARCH change_history USING INDEX change_history_key_idx \(actor_key_id=\?\)$/, `one type by a key: ${ofKey}`);
  // An entity's few entries are still sought by its id.
  const entity = later({ entityType: 'task', entityId: plan.id, limit: 1 });
  t.match(entity, /SEARCH change_history USING (COVERING )?INDEX change_history_entity_idx \(entity_type=\? AND entity_id=\?\)/, `an entity: ${entity}`);

  const walked: string[] = [];
  let next: string | null = null;
  do {
    const res: InjectedResponse = await app.inject({ method: 'GET', url: `/v1/history?limit=1&entityType=task${next ? `&cursor=${encodeURIComponent(next)}` : ''}` });
    const page = json<HistoryPage>(res);
    walked.push(...page.items.map((e) => e.id));
    next = page.nextCursor;
  } while (next !== null && walked.length < 20);
  const all = await feed(app, '/v1/history?entityType=task');
  t.equal(all.length, 4, 'four task entries');
  t.strictSame(walked, all.map((e) => e.id), 'pages of 1 give every task entry once, oldest first');
});

t.test('a history cursor is refused on another feed or under other filters; a walk with changing page sizes sees every entry once', async (t) => {
  const app = await build(t);
  const { commission, plan, assignees } = await seedPlan(app);
  const other = await createPlan(app, commission.id, { title: 'Another plan' });
  for (const code of ['1', '2', '3']) await createTask(app, { planId: plan.id, code, dueDate: '2026-12-31', assignees });
  for (const code of ['1', '2']) await createTask(app, { planId: other.id, code, dueDate: '2026-12-31', assignees });
  const tasks = await feed(app, '/v1/history?entityType=task');
  t.equal(tasks.length, 5, 'five task entries');

  const first = json<HistoryPage>(await app.inject({ method: 'GET', url: '/v1/history?entityType=task&limit=2' }));
  const cursor = `cursor=${encodeURIComponent(first.nextCursor!)}`;
  for (const [what, url] of [
    ['another entity type', '/v1/history?entityType=plan'],
    ['no filter', '/v1/history'],
    ['a filter added', `/v1/history?entityType=task&planId=${plan.id}`],
    ["a plan's feed", `/v1/plans/${plan.id}/history?entityType=task`],
  ] as const) {
    const body = await refused(t, app, { method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}${cursor}` }, 400, 'invalid-cursor');
    t.equal(body.detail, 'this cursor was issued for other filters; start again without a cursor', what);
  }
  const ofPlan = json<HistoryPage>(await app.inject({ method: 'GET', url: `/v1/plans/${plan.id}/history?limit=1` }));
  const otherPlan = await refused(t, app, { method: 'GET', url: `/v1/plans/${other.id}/history?cursor=${encodeURIComponent(ofPlan.nextCursor!)}` }, 400, 'invalid-cursor');
  t.match(otherPlan.detail, /other filters/, "one plan's cursor on another plan's feed");

  const walked: string[] = [];
  let next: string | null = null;
  let pages = 0;
  do {
    const res: InjectedResponse = await app.inject({ method: 'GET', url: `/v1/history?limit=${(pages % 2) + 1}&entityType=task${next ? `&cursor=${encodeURIComponent(next)}` : ''}` });
    t.equal(res.statusCode, 200);
    const page = json<HistoryPage>(res);
    walked.push(...page.items.map((e) => e.id));
    next = page.nextCursor;
    pages += 1;
  } while (next !== null && pages < 20);
  t.strictSame(walked, tasks.map((e) => e.id), 'pages of 1, 2, 1, … give every task entry once, oldest first');
});

t.test('the whole history is for the secretariat and co-chairs only, and filters by plan and entity', async (t) => {
  const app = await build(t);
  const { plan, by, commission } = await seedPlan(app);
  const coChair = await keyFor(app, 'co_chair');
  const ministry = await keyFor(app, 'ministry', by.id);
  const observer = await keyFor(app, 'observer');

  t.equal((await app.inject({ method: 'GET', url: '/v1/history' })).statusCode, 200, 'secretariat');
  const asCoChair = await app.inject({ method: 'GET', url: '/v1/history', headers: coChair.headers });
  t.equal(asCoChair.statusCode, 200, 'co_chair');
  t.ok(json(asCoChair).items.length > 0, 'the co-chair sees entries');
  for (const [role, key] of [['ministry', ministry], ['observer', observer]] as const) {
    await refused(t, app, { method: 'GET', url: '/v1/history', headers: key.headers }, 403, 'forbidden');
    t.pass(`${role} is refused`);
  }

  const ofPlan = await feed(app, `/v1/history?planId=${plan.id}`);
  t.strictSame(ofPlan.map((e) => e.operation), ['createPlan'], 'planId');
  const ofCommission = await feed(app, `/v1/history?entityId=${commission.id}`);
  t.strictSame(ofCommission.map((e) => `${e.entityType}:${e.operation}`), ['commission:createCommission'], 'entityId');
  const orgs = await feed(app, '/v1/history?entityType=organization');
  t.equal(orgs.length, 2, 'entityType');
});

t.test('the history is append-only: the database refuses to rewrite it and no route can', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const before = snapshot(app);

  t.throws(() => app.sqlite.prepare('UPDATE change_history SET operation = ?').run('x'), /append-only/, 'UPDATE is refused');
  t.throws(() => app.sqlite.prepare('DELETE FROM change_history').run(), /append-only/, 'DELETE is refused');
  t.strictSame(snapshot(app), before, 'every entry is still there, unchanged');

  const [entry] = await feed(app, '/v1/history');
  const paths = ['/v1/history', `/v1/history/${entry?.id}`, `/v1/tasks/${task.id}/history`, `/v1/plans/${plan.id}/history`, `/v1/tasks/${task.id}/history/${entry?.id}`];
  for (const url of paths) {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const res = await app.inject({ method, url, ...(method === 'DELETE' ? {} : { payload: { operation: 'x' } }) });
      t.ok([404, 405].includes(res.statusCode), `${method} ${url} is ${res.statusCode}`);
    }
  }
  t.strictSame(snapshot(app), before, 'nothing changed');
});
