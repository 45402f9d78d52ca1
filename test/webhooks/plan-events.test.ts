// Tests of plan.approved and plan.closed: they reach the secretariat's subscriptions and those of every organization
// executing a task of the plan at the time, not a ministry with no task in it nor a subscription that does not list
// them; approval still announces each task; a refused approval or closing queues nothing; every body is documented.
import { readFile } from 'node:fs/promises';
import t, { type Test } from 'tap';
import { json, keyFor, refused, testClock } from '../helper.js';
import { approvePlan, createOrganization, createTask, seedPlan, transition } from '../factories.js';
import { signatureValid, startReceiver, subscribe, webhookApp } from './receiver.js';

const PLAN_EVENTS = ['plan.approved', 'plan.closed'];
const NO_TASKS = { not_started: 0, in_progress: 0, on_hold: 0, done: 0, closed: 0, cancelled: 0 };

/**
 * A draft plan of three tasks: 1.1 of BY, 1.2 of KZ, 1.3 of BY with Gomselmash (BY) as co-executor; MAZ (BY) executes
 * nothing. Subscriptions to `events`: the secretariat's (every organization), and one of each ministry's key.
 */
async function planWorld(t: Test, events = [...PLAN_EVENTS, 'task.created']) {
  const clock = testClock();
  const app = await webhookApp(t, clock);
  const seed = await seedPlan(app);
  const { by, kz, plan } = seed;
  const gomselmash = await createOrganization(app, { name: 'Gomselmash', shortName: 'GSM', country: 'BY' });
  const maz = await createOrganization(app, { name: 'Minsk Automobile Plant', shortName: 'MAZ', country: 'BY' });
  const tasks = {
    a: await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees: [{ organizationId: by.id, role: 'lead' }] }),
    b: await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2027-03-31', assignees: [{ organizationId: kz.id, role: 'lead' }] }),
    c: await createTask(app, {
      planId: plan.id,
      code: '1.3',
      dueDate: '2027-06-30',
      assignees: [
        { organizationId: by.id, role: 'lead' },
        { organizationId: gomselmash.id, role: 'co_executor' },
      ],
    }),
  };
  const keys = {
    by: await keyFor(app, 'ministry', by.id),
    kz: await keyFor(app, 'ministry', kz.id),
    gomselmash: await keyFor(app, 'ministry', gomselmash.id),
    maz: await keyFor(app, 'ministry', maz.id),
  };
  const receivers = {
    secretariat: await startReceiver(t),
    by: await startReceiver(t),
    kz: await startReceiver(t),
    gomselmash: await startReceiver(t),
    maz: await startReceiver(t),
  };
  const subs = {
    secretariat: await subscribe(app, { url: receivers.secretariat.url, events }),
    by: await subscribe(app, { url: receivers.by.url, events }, keys.by.headers),
    kz: await subscribe(app, { url: receivers.kz.url, events }, keys.kz.headers),
    gomselmash: await subscribe(app, { url: receivers.gomselmash.url, events }, keys.gomselmash.headers),
    maz: await subscribe(app, { url: receivers.maz.url, events }, keys.maz.headers),
  };
  return { app, clock, plan, by, kz, gomselmash, maz, tasks, keys, receivers, subs };
}

const types = (r: { received: { json: any }[] }) => r.received.map((x) => x.json.type as string);
const close = (app: Awaited<ReturnType<typeof webhookApp>>, planId: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/v1/plans/${planId}/close`, headers });

t.test('plan.approved reaches the secretariat and every executing organization before the task.created of its tasks; a ministry with no task hears nothing', async (t) => {
  const { app, clock, plan, tasks, receivers, subs } = await planWorld(t);
  clock.set('2026-11-28T10:00:00.000Z');
  const approved = await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/approve` });
  t.equal(approved.statusCode, 200);
  await app.webhooks.runOnce();

  t.strictSame(types(receivers.secretariat), ['plan.approved', 'task.created', 'task.created', 'task.created'], 'the plan first, then each of its tasks');
  t.strictSame(types(receivers.by), ['plan.approved', 'task.created', 'task.created'], 'BY: the plan and its two tasks');
  t.strictSame(types(receivers.kz), ['plan.approved', 'task.created'], 'KZ: the plan and its one task');
  t.strictSame(types(receivers.gomselmash), ['plan.approved', 'task.created'], 'a co-executor hears of the plan too');
  t.strictSame(types(receivers.maz), [], 'MAZ executes no task of the plan: nothing');
  t.strictSame(
    receivers.by.ofType('task.created').map((x) => x.json.data.task.id),
    [tasks.a.id, tasks.c.id],
    'task.created as before the plan events existed',
  );

  const [r] = receivers.secretariat.received;
  t.ok(signatureValid(subs.secretariat.secret, r!, clock()), 'signed');
  t.strictSame(Object.keys(r!.json), ['type', 'timestamp', 'data'], 'the Standard Webhooks envelope');
  t.strictSame(Object.keys(r!.json.data), ['plan', 'tasksByStatus', 'actor']);
  t.equal(r!.json.timestamp, '2026-11-28T10:00:00.000Z');
  t.strictSame(r!.json.data.plan, json(approved), 'the plan as the approval returned it (GET /v1/plans/{id})');
  t.match(r!.json.data.plan, { id: plan.id, status: 'approved', approvedAt: '2026-11-28T10:00:00.000Z', closedAt: null, taskCount: 3 });
  t.strictSame(r!.json.data.tasksByStatus, { ...NO_TASKS, not_started: 3 });
  t.match(r!.json.data.actor, { role: 'secretariat', organizationId: null });
  t.strictSame(receivers.kz.ofType('plan.approved')[0]!.json, r!.json, 'one event, the same body for every subscriber');
  t.equal(receivers.kz.ofType('plan.approved')[0]!.headers['webhook-id'], r!.headers['webhook-id'], 'and the same webhook-id');
});

t.test('plan.closed reaches the organizations executing a task when it closes, with its tasks by status; one taken off every task hears nothing', async (t) => {
  const { app, clock, plan, by, tasks, keys, receivers } = await planWorld(t, PLAN_EVENTS);
  await approvePlan(app, plan.id);
  await transition(app, tasks.a.id, 'in_progress');
  await transition(app, tasks.a.id, 'done');
  await transition(app, tasks.a.id, 'closed');
  await transition(app, tasks.b.id, 'in_progress');
  // Gomselmash leaves 1.3, its only task, before the plan closes.
  const reassigned = await app.inject({ method: 'PATCH', url: `/v1/tasks/${tasks.c.id}`, payload: { assignees: [{ organizationId: by.id, role: 'lead' }] } });
  t.equal(reassigned.statusCode, 200);
  await transition(app, tasks.c.id, 'cancelled');
  await app.webhooks.runOnce();

  clock.set('2026-12-01T08:00:00.000Z');
  const closed = await close(app, plan.id);
  t.equal(closed.statusCode, 200);
  await app.webhooks.runOnce();

  t.strictSame(types(receivers.secretariat), ['plan.approved', 'plan.closed']);
  t.strictSame(types(receivers.by), ['plan.approved', 'plan.closed']);
  t.strictSame(types(receivers.kz), ['plan.approved', 'plan.closed']);
  t.strictSame(types(receivers.gomselmash), ['plan.approved'], 'approved while it executed 1.3; closed after it left');
  t.strictSame(types(receivers.maz), []);

  const event = receivers.kz.ofType('plan.closed')[0]!.json;
  t.equal(event.timestamp, '2026-12-01T08:00:00.000Z');
  t.strictSame(event.data.plan, json(closed), 'the plan as the closing returned it');
  t.match(event.data.plan, { status: 'closed', closedAt: '2026-12-01T08:00:00.000Z', taskCount: 3 });
  t.strictSame(event.data.tasksByStatus, { ...NO_TASKS, closed: 1, in_progress: 1, cancelled: 1 }, '1.2 is left in progress, read-only');
  t.match(event.data.actor, { role: 'secretariat', organizationId: null, keyId: String });

  // What plan.closed tells a receiver: the plan's tasks take no more reports nor deadline requests.
  const report = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${tasks.b.id}/reports`,
    headers: keys.kz.headers,
    payload: { period: '2026-Q4', percentComplete: 50, confidence: 'amber', narrative: 'Half way.' },
  });
  t.equal(report.statusCode, 409, 'a report on a task of a closed plan is refused');
});

t.test('a subscription receives only the types it lists: one made for task events hears of plans once it is given them', async (t) => {
  const app = await webhookApp(t);
  const seed = await seedPlan(app);
  await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-12-31', assignees: seed.assignees });
  const byKey = await keyFor(app, 'ministry', seed.by.id);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.created', 'task.status_changed'] }, byKey.headers);
  await approvePlan(app, seed.plan.id);
  await app.webhooks.runOnce();
  t.strictSame(types(receiver), ['task.created'], 'no plan.approved for a subscription that does not list it');

  const patched = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, headers: byKey.headers, payload: { events: ['task.created', 'plan.closed'] } });
  t.equal(patched.statusCode, 200);
  t.strictSame(json(patched).events, ['task.created', 'plan.closed'], 'PATCH accepts the plan types');
  t.equal((await close(app, seed.plan.id)).statusCode, 200);
  await app.webhooks.runOnce();
  t.strictSame(types(receiver), ['task.created', 'plan.closed']);
});

t.test('a refused approval or closing raises nothing and queues nothing', async (t) => {
  const { app, plan, tasks, keys, receivers } = await planWorld(t);
  await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/close` }, 409, 'plan-state-conflict');
  await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/approve`, headers: keys.by.headers }, 403, 'forbidden');
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'a draft cannot be closed, nor a ministry approve: nothing queued');

  await approvePlan(app, plan.id);
  await app.webhooks.runOnce();
  const sent = receivers.secretariat.received.length;
  t.equal(sent, 4, 'the approval and its three tasks');
  await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/approve` }, 409, 'plan-state-conflict');

  // Something awaits a decision: 1.1 reported done, a deadline request on 1.2.
  await transition(app, tasks.a.id, 'in_progress');
  await transition(app, tasks.a.id, 'done');
  const request = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${tasks.b.id}/deadline-changes`,
    headers: keys.kz.headers,
    payload: { kind: 'request', newDueDate: '2027-06-30', reason: 'Certification' },
  });
  t.equal(request.statusCode, 201);
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'none of those is a subscribed type');
  const refusal = await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/close` }, 409, 'plan-state-conflict');
  t.match(refusal.detail, /deadline changes awaiting a decision \(task 1\.2.*tasks reported done.*\(task 1\.1/);
  await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/close`, headers: keys.by.headers }, 403, 'forbidden');
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'nothing queued by the refusals');
  t.equal(receivers.secretariat.received.length, sent);

  await transition(app, tasks.a.id, 'closed');
  await app.inject({ method: 'POST', url: `/v1/tasks/${tasks.b.id}/deadline-changes/${json(request).id}/decision`, payload: { decision: 'reject', basis: 'Protocol No. 3' } });
  t.equal((await close(app, plan.id)).statusCode, 200);
  await app.webhooks.runOnce();
  t.strictSame(types(receivers.secretariat).filter((x) => x.startsWith('plan.')), ['plan.approved', 'plan.closed'], 'one of each');
  t.equal(receivers.secretariat.ofType('plan.closed')[0]!.json.data.tasksByStatus.closed, 1);
  await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/close` }, 409, 'plan-state-conflict');
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'closing twice queues nothing');
});

t.test('the published document describes both events: their webhooks entries and every field a receiver gets', async (t) => {
  const doc = JSON.parse(await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
  const resolve = (schema: any): any => (schema?.$ref ? resolve(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]) : schema);
  const { app, plan, receivers } = await planWorld(t, PLAN_EVENTS);
  await approvePlan(app, plan.id);
  t.equal((await close(app, plan.id)).statusCode, 200);
  await app.webhooks.runOnce();
  t.strictSame(types(receivers.secretariat), PLAN_EVENTS);
  for (const r of receivers.secretariat.received) {
    const type = r.json.type as string;
    const entry = doc.webhooks[type].post.requestBody.content['application/json'].schema;
    t.equal(entry.$ref, '#/components/schemas/WebhookPlanEvent', `${type}: its own webhooks entry`);
    const body = resolve(entry);
    t.ok(body.properties.type.enum.includes(type), `${type}: documented under its own type`);
    t.equal(resolve(body.properties.data).properties.plan.$ref, '#/components/schemas/Plan', 'the plan is the API\'s Plan, by $ref');
    // The document's own shape, object by object: every field sent is described, and every required one is sent.
    const check = (schema: any, value: any, path: string) => {
      const obj = resolve(schema);
      t.strictSame(Object.keys(value).filter((k) => !(k in obj.properties)), [], `${type} ${path}: no undocumented field`);
      t.strictSame((obj.required ?? []).filter((k: string) => !(k in value)), [], `${type} ${path}: every required field`);
    };
    const data = resolve(body.properties.data);
    check(body, r.json, 'body');
    check(data, r.json.data, 'data');
    check(data.properties.plan, r.json.data.plan, 'plan');
    check(data.properties.tasksByStatus, r.json.data.tasksByStatus, 'tasksByStatus');
    check(data.properties.actor, r.json.data.actor, 'actor');
    t.ok(r.documented, `${type}: a WebhookEvent as the zod schema behind the document says`);
  }
});
