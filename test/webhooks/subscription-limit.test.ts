// The bound on active webhook subscriptions per organization (src/modules/webhooks/webhooks.service.ts), found by a security review.
import t from 'tap';
import { build, json, keyFor, refused } from '../helper.js';
import { MAX_KEPT_SUBSCRIPTIONS_PER_ORGANIZATION, MAX_SUBSCRIPTIONS_PER_ORGANIZATION } from '../../src/modules/webhooks/webhooks.service.js';
import { approvedTask } from '../factories.js';

t.test('a ministry key cannot create webhook subscriptions without end, each multiplying every event of its tasks', async (t) => {
  // Every event of a task is queued once per matching subscription, in the transaction of the write that raised it
  // (the secretariat approving a plan of thousands of tasks), and each is then POSTed by the worker. With no bound, one
  // ministry key could create thousands of subscriptions (600 a minute at the default rate limit) to its own receiver:
  // every write on its organization's tasks, by anyone, then writes and sends that many deliveries.
  const app = await build(t, undefined, { webhookAllowPrivate: true, webhookPollMs: 0 });
  const { task, by } = await approvedTask(app);
  const ministry = await keyFor(app, 'ministry', by.id);
  const hook = { url: 'http://127.0.0.1:9/hooks', events: ['task.status_changed'] };
  const create = () => app.inject({ method: 'POST', url: '/v1/webhooks', headers: ministry.headers, payload: hook });
  const created: string[] = [];
  for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_ORGANIZATION; i++) {
    const res = await create();
    t.equal(res.statusCode, 201, res.body);
    created.push(json(res).id);
  }
  const body = await refused(t, app, { method: 'POST', url: '/v1/webhooks', headers: ministry.headers, payload: hook }, 422, 'invalid-value');
  t.match(body.detail, /subscriptions/);
  // Nor may the secretariat add one more for that organization, or move one into it.
  await refused(t, app, { method: 'POST', url: '/v1/webhooks', payload: { ...hook, organizationId: by.id } }, 422, 'invalid-value');
  const elsewhere = json(await app.inject({ method: 'POST', url: '/v1/webhooks', payload: hook }));
  await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${elsewhere.id}`, payload: { organizationId: by.id } }, 422, 'invalid-value');

  // Paused ones receive nothing and are not counted, but activating one beyond the bound is refused too.
  const paused = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: ministry.headers, payload: { ...hook, active: false } });
  t.equal(paused.statusCode, 201, 'a paused subscription may still be created');
  await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${json(paused).id}`, headers: ministry.headers, payload: { active: true } }, 422, 'invalid-value');

  // Once one is paused or deleted, another may be active.
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/webhooks/${created[1]}`, headers: ministry.headers, payload: { active: false } })).statusCode, 200);
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/webhooks/${json(paused).id}`, headers: ministry.headers, payload: { active: true } })).statusCode, 200, 'activated in its place');
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/webhooks/${created[0]}`, headers: ministry.headers })).statusCode, 204);
  t.equal((await create()).statusCode, 201, 'room again after a deletion');

  // The bound is what caps the fan-out: one status change queues one delivery per subscription (and one for the
  // secretariat's subscription to every organization).
  const moved = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, headers: ministry.headers, payload: { to: 'in_progress' } });
  t.equal(moved.statusCode, 200, moved.body);
  const queued = app.sqlite.prepare('SELECT count(*) AS n FROM webhook_deliveries').get() as { n: number };
  t.equal(queued.n, MAX_SUBSCRIPTIONS_PER_ORGANIZATION + 1, `one transition queued ${queued.n} deliveries`);
});

t.test('nor paused subscriptions without end: each keeps the events it would receive, and every write reads them', async (t) => {
  const app = await build(t, undefined, { webhookAllowPrivate: true, webhookPollMs: 0 });
  const { by } = await approvedTask(app);
  const ministry = await keyFor(app, 'ministry', by.id);
  const hook = { url: 'http://127.0.0.1:9/hooks', events: ['task.status_changed'], active: false };
  const create = (payload: object = hook, headers = ministry.headers) => app.inject({ method: 'POST', url: '/v1/webhooks', headers, payload });
  const count = () => (app.sqlite.prepare('SELECT count(*) AS n FROM webhook_subscriptions').get() as { n: number }).n;
  const ids: string[] = [];
  for (let i = 0; i < MAX_KEPT_SUBSCRIPTIONS_PER_ORGANIZATION; i++) {
    const res = await create();
    t.equal(res.statusCode, 201, res.body);
    ids.push(json(res).id);
  }
  const before = count();
  const body = await refused(t, app, { method: 'POST', url: '/v1/webhooks', headers: ministry.headers, payload: hook }, 422, 'invalid-value');
  t.equal(
    body.detail,
    `there are already ${MAX_KEPT_SUBSCRIPTIONS_PER_ORGANIZATION} webhook subscriptions (paused and disabled ones included) of organization ${by.id}, ` +
      `the most allowed (${MAX_KEPT_SUBSCRIPTIONS_PER_ORGANIZATION}): one subscription receives every event type it lists; delete one of them instead`,
  );
  t.strictSame(body.errors, [{ path: 'body', message: `at most ${MAX_KEPT_SUBSCRIPTIONS_PER_ORGANIZATION} webhook subscriptions (paused and disabled ones included) per organization` }]);
  // An active one is refused by this bound as well, though the organization has no active subscription.
  await refused(t, app, { method: 'POST', url: '/v1/webhooks', headers: ministry.headers, payload: { ...hook, active: true } }, 422, 'invalid-value');
  // The secretariat cannot add one for it, nor move one there; its own for every organization are counted apart.
  await refused(t, app, { method: 'POST', url: '/v1/webhooks', payload: { ...hook, organizationId: by.id } }, 422, 'invalid-value');
  const elsewhere = json(await app.inject({ method: 'POST', url: '/v1/webhooks', payload: hook }));
  await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${elsewhere.id}`, payload: { organizationId: by.id } }, 422, 'invalid-value');
  t.equal(json(await app.inject({ url: `/v1/webhooks/${elsewhere.id}` })).organizationId, null, 'the refused move changed nothing');
  t.equal(count(), before + 1, 'the refusals left no subscription behind');
  // Activating one of them is within both bounds, and a deletion makes room.
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/webhooks/${ids[0]}`, headers: ministry.headers, payload: { active: true } })).statusCode, 200);
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/webhooks/${ids[1]}`, headers: ministry.headers })).statusCode, 204);
  t.equal((await create()).statusCode, 201, 'room again after a deletion');
});
