// Tests of what a real caller would hit next: bodiless actions, role checks in every service, moving
// executors, and deadline requests for dates already past.
import t from 'tap';
import type { Actor } from '../../src/plugins/actor.js';
import { AppError } from '../../src/errors.js';
import { createCommissionService } from '../../src/modules/commissions/commissions.service.js';
import { createMeetingService } from '../../src/modules/meetings/meetings.service.js';
import { createOrganizationService } from '../../src/modules/organizations/organizations.service.js';
import { createPlanService } from '../../src/modules/plans/plans.service.js';
import { createTaskService } from '../../src/modules/tasks/tasks.service.js';
import { createDeadlineChangeService } from '../../src/modules/deadline-changes/deadline-changes.service.js';
import { build, json, refused, snapshot } from '../helper.js';
import { approvedTask, createOrganization, createTask, seedPlan } from '../factories.js';

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
  const app = await build(t);
  const { commission, by, meeting, plan, assignees: seeded } = await seedPlan(app);
  const assignees = seeded.map((a) => ({ organizationId: a.organizationId, role: a.role as 'lead' }));
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const deps = { db: app.db, clock: app.clock };
  const commissions = createCommissionService(deps);
  const organizations = createOrganizationService(deps);
  const meetings = createMeetingService(deps);
  const plans = createPlanService(deps);
  const tasks = createTaskService(deps);
  const deadlines = createDeadlineChangeService(deps);
  const party = { country: 'BY', coChair: { name: 'X', position: 'Y' } };

  const writes: [string, (actor: Actor) => unknown][] = [
    ['create a commission', (a) => commissions.create({ name: 'X', timeZone: 'UTC', parties: [party, { ...party, country: 'KZ' }] }, a)],
    ['change a commission', (a) => commissions.update(commission.id, { name: 'X' }, a)],
    ['create an organization', (a) => organizations.create({ name: 'X', kind: 'ministry', country: 'BY' }, a)],
    ['change an organization', (a) => organizations.update(by.id, { name: 'X' }, a)],
    ['record a meeting', (a) => meetings.create({ commissionId: commission.id, kind: 'other', title: 'X', date: '2026-11-04', place: 'X' }, a)],
    ['change a meeting', (a) => meetings.update(meeting.id, { title: 'X' }, a)],
    ['create a plan', (a) => plans.create({ commissionId: commission.id, title: 'X', periodStart: '2026-01-01', periodEnd: '2026-12-31' }, a)],
    ['change a plan', (a) => plans.update(plan.id, { title: 'X' }, a)],
    ['approve a plan', (a) => plans.approve(plan.id, a)],
    ['close a plan', (a) => plans.close(plan.id, a)],
    ['create a task', (a) => tasks.create({ planId: plan.id, code: '9.9', title: 'X', area: 'trade', dueDate: '2026-12-31', assignees }, a)],
    ['change a task', (a) => tasks.update(task.id, { title: 'X' }, a)],
    ['delete a task', (a) => tasks.remove(task.id, a)],
    ['change a deadline directly', (a) => deadlines.create(task.id, { kind: 'direct', newDueDate: '2027-01-31', reason: 'X' }, a)],
  ];
  const others: Actor[] = [
    { role: 'co_chair', organizationId: null },
    { role: 'observer', organizationId: null },
    // Even the executor of the task: these are the secretariat's decisions.
    { role: 'ministry', organizationId: by.id },
  ];
  const before = snapshot(app);
  for (const [what, write] of writes) {
    for (const actor of others) {
      let refusal: unknown;
      try {
        write(actor);
      } catch (err) {
        refusal = err;
      }
      t.ok(refusal instanceof AppError && refusal.spec.status === 403, `${actor.role} cannot ${what}`);
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
