// Tests of what a real caller would hit next: bodiless actions, a role check on every secretariat write, moving
// executors, and deadline requests for dates already past.
import t from 'tap';
import type { InjectOptions } from 'fastify';
import { POLICY, type OperationId } from '../../src/lib/access.js';
import { build, json, keyFor, refused, snapshot, testClock } from '../helper.js';
import { approvedTask, approvePlan, createOrganization, createTask, seedPlan } from '../factories.js';

t.test('a bodiless action accepts content-type application/json with an empty body', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const headers = { 'content-type': 'application/json' };

  const deleted = await app.inject({ method: 'DELETE', url: `/v1/tasks/${task.id}`, headers, payload: '' });
  t.equal(deleted.statusCode, 204, 'DELETE with an empty JSON body');
  await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2026-12-31', assignees });
  const approved = await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/approve`, headers, payload: '' });
  t.equal(approved.statusCode, 200, 'approve with an empty JSON body');
  t.equal(json(approved).status, 'approved');
  // Where a body is expected, an empty one is still refused.
  await refused(t, app, { method: 'POST', url: '/v1/tasks', headers, payload: '' }, 400, 'malformed-body');
  // And a bodiless action still refuses malformed JSON rather than ignoring it.
  await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/close`, headers, payload: '{' }, 400, 'malformed-body');
});

t.test('every secretariat-only write refuses the other roles with 403 and changes nothing', async (t) => {
  const app = await build(t, testClock('2026-11-28T09:00:00.000Z'));
  const { commission, by, meeting, plan, assignees: seeded } = await seedPlan(app);
  const assignees = seeded.map((a) => ({ organizationId: a.organizationId, role: a.role as 'lead' }));
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  const asked = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'request', newDueDate: '2027-01-31', reason: 'X' } });
  t.equal(asked.statusCode, 201, 'a pending request to decide');
  const pending = json(asked);
  const someKey = await keyFor(app, 'observer');
  const party = { country: 'BY', coChair: { name: 'X', position: 'Y' } };
  const indicator = json(
    await app.inject({ method: 'POST', url: '/v1/indicators', payload: { planId: plan.id, name: 'X', unit: 'tractors', baseline: 0, target: 10 } }),
  );
  const link = json(await app.inject({ method: 'POST', url: '/v1/share-links', payload: { name: 'X', kind: 'calendar', planId: plan.id } }));

  const writes: [OperationId, string, InjectOptions][] = [
    ['createCommission', 'create a commission', { method: 'POST', url: '/v1/commissions', payload: { name: 'X', timeZone: 'UTC', parties: [party, { ...party, country: 'KZ' }] } }],
    ['updateCommission', 'change a commission', { method: 'PATCH', url: `/v1/commissions/${commission.id}`, payload: { name: 'X' } }],
    ['createOrganization', 'create an organization', { method: 'POST', url: '/v1/organizations', payload: { name: 'X', kind: 'ministry', country: 'BY' } }],
    ['updateOrganization', 'change an organization', { method: 'PATCH', url: `/v1/organizations/${by.id}`, payload: { name: 'X' } }],
    ['createMeeting', 'record a meeting', { method: 'POST', url: '/v1/meetings', payload: { commissionId: commission.id, kind: 'other', title: 'X', date: '2026-11-04', place: 'X' } }],
    ['updateMeeting', 'change a meeting', { method: 'PATCH', url: `/v1/meetings/${meeting.id}`, payload: { title: 'X' } }],
    ['createPlan', 'create a plan', { method: 'POST', url: '/v1/plans', payload: { commissionId: commission.id, title: 'X', periodStart: '2026-01-01', periodEnd: '2026-12-31' } }],
    ['updatePlan', 'change a plan', { method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { title: 'X' } }],
    ['approvePlan', 'approve a plan', { method: 'POST', url: `/v1/plans/${plan.id}/approve` }],
    ['closePlan', 'close a plan', { method: 'POST', url: `/v1/plans/${plan.id}/close` }],
    ['createTask', 'create a task', { method: 'POST', url: '/v1/tasks', payload: { planId: plan.id, code: '9.9', title: 'X', area: 'trade', dueDate: '2026-12-31', assignees } }],
    ['updateTask', 'change a task', { method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'X' } }],
    ['deleteTask', 'delete a task', { method: 'DELETE', url: `/v1/tasks/${task.id}` }],
    ['createDeadlineChange', 'change a deadline directly', { method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'direct', newDueDate: '2027-01-31', reason: 'X' } }],
    ['decideDeadlineChange', 'decide a deadline request', { method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes/${pending.id}/decision`, payload: { decision: 'approve', basis: 'X' } }],
    ['createApiKey', 'issue an API key', { method: 'POST', url: '/v1/api-keys', payload: { name: 'X', role: 'secretariat' } }],
    ['revokeApiKey', 'revoke an API key', { method: 'DELETE', url: `/v1/api-keys/${someKey.id}` }],
    ['previewPlanImport', 'preview a plan import', { method: 'POST', url: `/v1/plans/${plan.id}/import/preview`, headers: { 'content-type': 'text/csv' }, payload: `№;Мероприятие;Срок;Исполнители\r\n7.1;Imported measure;31.12.2027;${by.name}\r\n` }],
    ['commitPlanImport', 'import a plan', { method: 'POST', url: `/v1/plans/${plan.id}/import`, headers: { 'content-type': 'text/csv' }, payload: `№;Мероприятие;Срок;Исполнители\r\n7.1;Imported measure;31.12.2027;${by.name}\r\n` }],
    ['createIndicator', 'create an indicator', { method: 'POST', url: '/v1/indicators', payload: { planId: plan.id, name: 'X', unit: 'tractors', baseline: 0, target: 10 } }],
    ['updateIndicator', 'change an indicator', { method: 'PATCH', url: `/v1/indicators/${indicator.id}`, payload: { target: 20 } }],
    ['recordIndicatorValue', 'record an indicator value', { method: 'PUT', url: `/v1/indicators/${indicator.id}/values/2026-Q3`, payload: { value: 5 } }],
    ['deleteIndicator', 'delete an indicator', { method: 'DELETE', url: `/v1/indicators/${indicator.id}` }],
    ['withdrawIndicatorValue', 'withdraw an indicator value', { method: 'DELETE', url: `/v1/indicators/${indicator.id}/values/2026-Q3` }],
    ['createShareLink', 'create a read-only link', { method: 'POST', url: '/v1/share-links', payload: { name: 'X', kind: 'calendar', planId: plan.id } }],
    ['revokeShareLink', 'revoke a read-only link', { method: 'DELETE', url: `/v1/share-links/${link.id}` }],
  ];
  // Every write POLICY keeps for the secretariat is in the list above (reads are list*/get*).
  const secretariatOnly = Object.entries(POLICY)
    .filter(([id, rule]) => !/^(list|get)/.test(id) && Array.isArray(rule.roles) && rule.roles.length === 1 && rule.roles[0] === 'secretariat')
    .map(([id]) => id);
  t.strictSame(
    secretariatOnly.filter((id) => !writes.some(([op]) => op === id)),
    [],
    'no secretariat-only write of POLICY is left out',
  );

  const others = [
    ['co_chair', await keyFor(app, 'co_chair')],
    ['observer', await keyFor(app, 'observer')],
    // Even the executor of the task: these are the secretariat's decisions.
    ['ministry', await keyFor(app, 'ministry', by.id)],
  ] as const;
  const before = snapshot(app);
  for (const [, what, request] of writes) {
    for (const [role, key] of others) {
      await t.test(`${role} cannot ${what}`, async (t) => {
        await refused(t, app, { ...request, headers: { ...(request.headers ?? {}), ...key.headers } }, 403, 'forbidden');
      });
    }
  }
  t.strictSame(snapshot(app), before, 'no refused write changed anything');
});

t.test('an organization that executes tasks cannot move to another country; one that does not can', async (t) => {
  const app = await build(t);
  const { by, plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const body = await refused(t, app, { method: 'PATCH', url: `/v1/organizations/${by.id}`, payload: { country: 'RU' } }, 409, 'reference-in-use');
  t.same(body.errors, [{ path: 'body.country', message: 'the organization is an assignee of tasks' }]);

  const renamed = await app.inject({ method: 'PATCH', url: `/v1/organizations/${by.id}`, payload: { country: 'BY', name: 'Renamed' } });
  t.equal(renamed.statusCode, 200, 'restating the same country is fine');
  const idle = await createOrganization(app, { name: 'Not an executor', country: 'BY' });
  const moved = await app.inject({ method: 'PATCH', url: `/v1/organizations/${idle.id}`, payload: { country: 'KZ' } });
  t.equal(moved.statusCode, 200);
  t.equal(json(moved).country, 'KZ');
});

t.test('a deadline request cannot ask for a date already past; a direct change may record one', async (t) => {
  const app = await build(t); // today is 2026-11-28 in Europe/Minsk
  const { task } = await approvedTask(app, { dueDate: '2026-11-20' });
  const url = `/v1/tasks/${task.id}/deadline-changes`;
  const body = await refused(t, app, { method: 'POST', url, payload: { kind: 'request', newDueDate: '2026-11-27', reason: 'late' } }, 422, 'invalid-value');
  t.same(body.errors, [{ path: 'body.newDueDate', message: "before today in the commission's time zone" }]);

  const today = await app.inject({ method: 'POST', url, payload: { kind: 'request', newDueDate: '2026-11-28', reason: 'today is fine' } });
  t.equal(today.statusCode, 201, 'today itself is not past');
  const decided = await app.inject({
    method: 'POST',
    url: `${url}/${json(today).id}/decision`,
    payload: { decision: 'reject', basis: 'Protocol 3' },
  });
  t.equal(decided.statusCode, 200);
  const direct = await app.inject({ method: 'POST', url, payload: { kind: 'direct', newDueDate: '2026-11-25', reason: 'recorded late', basis: 'Protocol 3' } });
  t.equal(direct.statusCode, 201, 'the secretariat may record a past date');
  t.equal(json(direct).status, 'applied');
});
