// Every operation × every role, read from the running app: POLICY's answer is what a caller gets, and a
// refusal changes nothing. A route without a rule, a rule without a route, or a route without a request
// builder here fails the suite.
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import type { Role } from '../../src/db/enums.js';
import { POLICY, ruleOf } from '../../src/lib/access.js';
import { build, json, keyFor, refused } from '../helper.js';
import { transition } from '../factories.js';
import { as, fitsTemplate, LATER, operationsOf, ROLE_NAMES, routesOf, seedWorld, type World } from './world.js';
import { BUILDERS, get, patch, post } from './builders.js';

const sorted = (xs: Iterable<string>) => [...xs].sort();

/** A write that names a task in its path: where a ministry's ownership is at stake. */
const namesATask = (op: { method: string; path: string }) => op.method !== 'GET' && op.path.startsWith('/v1/tasks/{id}');

t.test('the inventory: every route has a rule in POLICY, every rule a route, every operation a request builder here', async (t) => {
  const app = await build(t);
  const ops = operationsOf(app);
  const ids = ops.map((o) => o.operationId);
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  t.strictSame(sorted(ids), sorted(Object.keys(POLICY)), 'the documented operations are exactly the keys of POLICY');
  t.strictSame(
    sorted(ids.filter((id) => !Object.hasOwn(BUILDERS, id))),
    [],
    'every operation has a request builder in test/access/matrix.test.ts (add one for a new route)',
  );
  t.strictSame(sorted(Object.keys(BUILDERS).filter((id) => !ids.includes(id))), [], 'no builder for an operation that is gone');

  const routes = routesOf(app);
  t.ok(routes.length >= ops.length, `the router lists ${routes.length} routes`);
  const undocumented = routes.filter(
    (r) =>
      !(r.path === '/openapi.json' || r.path === '/docs' || r.path.startsWith('/docs/') || r.path.startsWith('/docs*')) &&
      !ops.some((o) => o.method === r.method && o.path === r.path.replace(/:(\w+)/g, '{$1}')),
  );
  t.strictSame(undocumented, [], 'every route of the router is a documented operation or the API description');
  for (const o of ops) {
    t.ok(
      routes.some((r) => r.method === o.method && r.path.replace(/:(\w+)/g, '{$1}') === o.path),
      `${o.method} ${o.path} is a route of the router`,
    );
  }
  const ownTaskOps = Object.entries(POLICY).filter(([, rule]) => 'owns' in rule && (rule.owns as readonly string[]).includes('task')).map(([id]) => id);
  t.ok(ownTaskOps.length > 0, `ownTask operations: ${ownTaskOps.join(', ')}`);
  for (const id of ownTaskOps) {
    const op = ops.find((o) => o.operationId === id);
    t.ok(op && namesATask(op), `${id} is a write naming a task, so the ministry column below covers it`);
  }
  // Fail closed for the objects a ministry owns: a route that a ministry key may call and that names a webhook
  // subscription, or writes a task's progress report, must say so in POLICY, or another organization's would be open.
  const owns = (id: string) => ((ruleOf(id) as { owns?: readonly string[] }).owns ?? []) as readonly string[];
  const forMinistry = ops.filter((o) => {
    const rule = ruleOf(o.operationId);
    return rule !== undefined && rule.roles !== 'public' && rule.roles.includes('ministry');
  });
  const subscriptionOps = forMinistry.filter((o) => o.path.startsWith('/v1/webhooks/{id}'));
  t.ok(subscriptionOps.length >= 8, `operations on one subscription: ${subscriptionOps.map((o) => o.operationId).join(', ')}`);
  for (const o of subscriptionOps) t.ok(owns(o.operationId).includes('webhook'), `${o.operationId} checks the subscription is the ministry's`);
  const reportWrites = forMinistry.filter((o) => o.method !== 'GET' && o.path.startsWith('/v1/tasks/{id}/reports/{reportId}'));
  t.ok(reportWrites.length >= 1, `writes on one progress report: ${reportWrites.map((o) => o.operationId).join(', ')}`);
  for (const o of reportWrites) t.ok(owns(o.operationId).includes('taskReport'), `${o.operationId} checks the report is the ministry's organization's`);
  const changeWrites = forMinistry.filter((o) => o.method !== 'GET' && o.path.startsWith('/v1/tasks/{id}/deadline-changes/{changeId}'));
  t.ok(changeWrites.length >= 1, `writes on one deadline change: ${changeWrites.map((o) => o.operationId).join(', ')}`);
  for (const o of changeWrites) t.ok(owns(o.operationId).includes('deadlineChange'), `${o.operationId} checks the request is the ministry's organization's`);
});

/** Sends `request` as `role` and checks the answer against POLICY. */
async function check(t: Test, app: App, w: World, operationId: string, role: Role | 'anonymous', request: InjectOptions) {
  const rule = ruleOf(operationId);
  if (!rule) return t.fail(`${operationId} has no rule`);
  if (role === 'anonymous') {
    if (rule.roles === 'public') {
      const res = await app.inject(as(request, null));
      return t.ok(res.statusCode >= 200 && res.statusCode < 300, `anonymous: public, answered ${res.statusCode}`);
    }
    return refused(t, app, as(request, null), 401, 'unauthorized');
  }
  const allowed = rule.roles === 'public' || rule.roles.includes(role);
  if (!allowed) return refused(t, app, as(request, w.keys[role]), 403, 'forbidden');
  const res = await app.inject(as(request, w.keys[role]));
  t.not(res.statusCode, 401, `${role}: not 401`);
  t.not(res.statusCode, 403, `${role}: not 403`);
  t.ok(res.statusCode >= 200 && res.statusCode < 300, `${role}: allowed, and the well-formed request succeeds (${res.statusCode} ${res.statusCode >= 300 ? res.body : ''})`);
}

t.test('every operation × every role (and no key): allowed means not 401/403, denied means 403 and nothing changed', async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  for (const op of operationsOf(app)) {
    t.test(`${op.operationId} (${op.method} ${op.path})`, async (t) => {
      const builder = BUILDERS[op.operationId];
      if (!builder) {
        t.fail(`no request builder for ${op.operationId}: add one to BUILDERS in test/access/matrix.test.ts`);
        return;
      }
      for (const role of [...ROLE_NAMES, 'anonymous'] as const) {
        const request = await builder(w, app, 'own');
        t.equal(request.method, op.method, `the builder sends ${op.method}`);
        t.ok(fitsTemplate(request.url as string, op.path), `the builder's ${request.url} is ${op.path}`);
        await check(t, app, w, op.operationId, role, request);
      }
    });
  }
});

t.test("a ministry key on a task its organization does not execute: every task write is 403 and changes nothing", async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  const writes = operationsOf(app).filter(namesATask);
  t.ok(writes.length >= 5, `task writes: ${writes.map((o) => o.operationId).join(', ')}`);
  for (const op of writes) {
    t.test(op.operationId, async (t) => {
      const builder = BUILDERS[op.operationId];
      if (!builder) return t.fail(`no request builder for ${op.operationId}`);
      const request = await builder(w, app, 'other');
      const taskId = /^\/v1\/tasks\/([^/?]+)/.exec(request.url as string)?.[1];
      const task = json(await app.inject(get(`/v1/tasks/${taskId}`)));
      t.strictSame(task.assignees.map((a: { organizationId: string }) => a.organizationId), [w.kz.id], 'the task is executed by KZ only');
      const body = await refused(t, app, as(request, w.keys.ministry), 403, 'forbidden');
      t.type(body.detail, 'string');
      const again = json(await app.inject(get(`/v1/tasks/${taskId}`)));
      t.strictSame(again, task, 'the task reads the same');

      // The same request on the ministry's own task is refused only when the role may not do it at all.
      const rule = ruleOf(op.operationId);
      const own = await builder(w, app, 'own');
      const res = await app.inject(as(own, w.keys.ministry));
      const mayAct = rule !== undefined && rule.roles !== 'public' && rule.roles.includes('ministry');
      t.equal(res.statusCode === 403, !mayAct, `on its own task: ${res.statusCode}`);
    });
  }
});

t.test("on its own task a ministry key is still refused what is the secretariat's alone, and nothing changes", async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  const task = await w.freshTask('own');
  const direct = { kind: 'direct', newDueDate: '2027-01-15', reason: 'Moved at the session', basis: 'Protocol No. 19' };
  const body = await refused(t, app, as(post(`/v1/tasks/${task.id}/deadline-changes`, direct), w.keys.ministry), 403, 'forbidden');
  t.match(body.detail, /secretariat/, 'a direct deadline change is the secretariat’s');
  await refused(t, app, as(post(`/v1/tasks/${task.id}/transitions`, { to: 'cancelled' }), w.keys.ministry), 403, 'forbidden');
  await transition(app, task.id, 'in_progress');
  await transition(app, task.id, 'done');
  for (const to of ['closed', 'in_progress', 'cancelled']) {
    await refused(t, app, as(post(`/v1/tasks/${task.id}/transitions`, { to }), w.keys.ministry), 403, 'forbidden');
  }
  // Sent back first: a task reported done keeps the deadline its completion is judged by.
  await transition(app, task.id, 'in_progress');
  const asked = await app.inject(as(post(`/v1/tasks/${task.id}/deadline-changes`, { ...direct, kind: 'request', basis: undefined }), w.keys.ministry));
  t.equal(asked.statusCode, 201, 'asking for the same date is the ministry’s to do');
  await refused(
    t,
    app,
    as(post(`/v1/tasks/${task.id}/deadline-changes/${json(asked).id}/decision`, { decision: 'approve', basis: 'Self-approved' }), w.keys.ministry),
    403,
    'forbidden',
  );
});

t.test('ownership is read on every request: re-assigning a task moves who may work on it, at once', async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  const kzKey = await keyFor(app, 'ministry', w.kz.id);
  const shared = await w.freshTask('own');
  const assign = async (...orgs: string[]) => {
    const res = await app.inject(patch(`/v1/tasks/${shared.id}`, { assignees: orgs.map((organizationId) => ({ organizationId, role: 'lead' })) }));
    t.equal(res.statusCode, 200, `assigned to ${orgs.length} organization(s)`);
  };
  await refused(t, app, as(post(`/v1/tasks/${shared.id}/transitions`, { to: 'on_hold' }), kzKey), 403, 'forbidden');

  await assign(w.by.id, w.kz.id);
  const byStarts = await app.inject(as(post(`/v1/tasks/${shared.id}/transitions`, { to: 'in_progress' }), w.keys.ministry));
  t.equal(byStarts.statusCode, 200, 'BY, one of two executors, may act');
  const kzHolds = await app.inject(as(post(`/v1/tasks/${shared.id}/transitions`, { to: 'on_hold' }), kzKey));
  t.equal(kzHolds.statusCode, 200, 'KZ, the other executor, may act');

  await assign(w.kz.id);
  await refused(t, app, as(post(`/v1/tasks/${shared.id}/transitions`, { to: 'in_progress' }), w.keys.ministry), 403, 'forbidden');
  await refused(
    t,
    app,
    as(post(`/v1/tasks/${shared.id}/deadline-changes`, { kind: 'request', newDueDate: LATER, reason: 'x' }), w.keys.ministry),
    403,
    'forbidden',
  );
  const kzResumes = await app.inject(as(post(`/v1/tasks/${shared.id}/transitions`, { to: 'in_progress' }), kzKey));
  t.equal(kzResumes.statusCode, 200, 'KZ still may');
});
