// An organization taken off a task no longer acts on it: what it asked for while it was an assignee must neither
// lock the remaining executors out nor be sent back to it for work it can no longer do.
import t from 'tap';
import { build, json, keyFor, refused } from '../helper.js';
import { LATER, seedWorld } from './world.js';

t.test('an organization with a pending deadline request is taken off the task only once the request is decided', async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  const kz = await keyFor(app, 'ministry', w.kz.id);
  const task = w.otherTask.id;
  const patch = (assignees: object[]) => ({ method: 'PATCH' as const, url: `/v1/tasks/${task}`, payload: { assignees } });
  const kzOnly = [{ organizationId: w.kz.id, role: 'lead' }];
  t.equal((await app.inject(patch([...kzOnly, { organizationId: w.by.id, role: 'co_executor' }]))).statusCode, 200, 'BY joins as co-executor');
  const asked = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task}/deadline-changes`,
    headers: w.keys.ministry.headers,
    payload: { kind: 'request', newDueDate: LATER, reason: 'Our part needs more time' },
  });
  t.equal(asked.statusCode, 201, 'BY asks for a later date');
  const request = json(asked);

  const problem = await refused(t, app, patch(kzOnly), 409, 'task-state-conflict');
  t.match(problem.detail, `organization ${w.by.id} has a deadline request pending on this task (${request.id}, to ${LATER}); decide it`);
  t.strictSame(problem.errors, [{ path: 'body.assignees', message: `leaves out ${w.by.id}, whose deadline request is pending` }]);
  t.equal((await app.inject(patch([{ organizationId: w.by.id, role: 'lead' }]))).statusCode, 200, 'assignees that keep BY are fine');

  const rejected = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task}/deadline-changes/${request.id}/decision`,
    payload: { decision: 'reject', comment: 'BY leaves the task', basis: 'Letter No. 12-07/3' },
  });
  t.equal(rejected.statusCode, 200, `the secretariat decides it: ${rejected.body.slice(0, 300)}`);
  t.equal((await app.inject(patch(kzOnly))).statusCode, 200, 'then BY is taken off');
  const kzAsks = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task}/deadline-changes`,
    headers: kz.headers,
    payload: { kind: 'request', newDueDate: '2027-04-01', reason: 'Certification takes longer' },
  });
  t.equal(kzAsks.statusCode, 201, 'and KZ, the task’s executor, may ask for a new date');
});

t.test('a report of an organization taken off the task is accepted, not returned: it could never revise it', async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  const task = w.otherTask.id;
  await app.inject({
    method: 'PATCH',
    url: `/v1/tasks/${task}`,
    payload: { assignees: [{ organizationId: w.kz.id, role: 'lead' }, { organizationId: w.by.id, role: 'co_executor' }] },
  });
  const submitted = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task}/reports`,
    headers: w.keys.ministry.headers,
    payload: { period: '2026-Q4', percentComplete: 10, confidence: 'red', narrative: 'Started late' },
  });
  t.equal(submitted.statusCode, 201);
  const report = json(submitted);
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/tasks/${task}`, payload: { assignees: [{ organizationId: w.kz.id, role: 'lead' }] } })).statusCode, 200);

  const review = (decision: string) => ({
    method: 'POST' as const,
    url: `/v1/tasks/${task}/reports/${report.id}/review`,
    headers: w.keys.co_chair.headers,
    payload: { decision, comment: 'Give figures' },
  });
  const problem = await refused(t, app, review('returned'), 409, 'task-state-conflict');
  t.equal(problem.detail, `organization ${w.by.id} no longer executes the task: it can no longer revise its report, so it cannot be returned`);
  const accepted = await app.inject(review('accepted'));
  t.equal(accepted.statusCode, 200, 'accepting it is still possible');
  t.equal(json(accepted).status, 'accepted');
});
