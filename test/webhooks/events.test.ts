// Tests of the events: each write raises the right event type with the right payload, signed, only to the
// subscriptions that match (event types, organization); drafts and refused writes raise nothing.
import t from 'tap';
import { json, keyFor, refused, testClock } from '../helper.js';
import { approvePlan, approvedTask, createTask, seedPlan, transition } from '../factories.js';
import { signatureValid, startReceiver, subscribe, webhookApp, world } from './receiver.js';

const ALL = ['task.created', 'task.updated', 'task.status_changed', 'task.deadline_changed', 'task.overdue', 'report.submitted', 'report.reviewed'];

t.test('task.status_changed: signed, with the task, the changed fields and who changed it', async (t) => {
  const { app, clock, receiver, sub, task, by, kz } = await world(t, ALL);
  const byKey = await keyFor(app, 'ministry', by.id);
  const res = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'in_progress' }, headers: byKey.headers });
  t.equal(res.statusCode, 200);
  t.equal(receiver.received.length, 0, 'nothing is sent inside the request');
  t.match(await app.webhooks.runOnce(), { attempted: 1, succeeded: 1, failed: 0 });

  const [r] = receiver.received;
  t.ok(r && signatureValid(sub.secret, r, clock()), 'the signature verifies with the standardwebhooks package');
  t.equal(r!.headers['content-type'], 'application/json');
  t.equal(r!.headers['webhook-timestamp'], String(Math.floor(clock().getTime() / 1000)));
  t.match(r!.headers['webhook-id'], /^[0-9a-f-]{36}$/);
  t.strictSame(Object.keys(r!.json), ['type', 'timestamp', 'data'], 'the Standard Webhooks envelope');
  t.match(r!.json, {
    type: 'task.status_changed',
    timestamp: clock().toISOString(),
    data: {
      task: {
        id: task.id,
        planId: task.planId,
        code: '1.1',
        status: 'in_progress',
        dueDate: '2026-12-31',
        overdue: false,
        assignees: [
          { organizationId: by.id, role: 'lead' },
          { organizationId: kz.id, role: 'lead' },
        ],
      },
      changes: [{ field: 'status', before: 'not_started', after: 'in_progress' }],
      actor: { keyId: byKey.id, role: 'ministry', organizationId: by.id },
      deadlineChange: null,
    },
  });
  const tampered = { ...r!, body: r!.body.replace('in_progress', 'done') };
  t.notOk(signatureValid(sub.secret, tampered, clock()), 'a changed body does not verify');
  t.notOk(signatureValid(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, r!, clock()), 'nor another secret');
});

t.test('task.created (in an approved plan, and for each task when a plan is approved), task.updated, no events for drafts', async (t) => {
  const app = await webhookApp(t);
  const receiver = await startReceiver(t);
  const seed = await seedPlan(app);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.created', 'task.updated'] });
  const draftTask = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-12-31', assignees: seed.assignees });
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${draftTask.id}`, payload: { title: 'Still a draft' } });
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'a draft plan raises nothing');

  await approvePlan(app, seed.plan.id);
  await app.webhooks.runOnce();
  t.strictSame(receiver.received.map((r) => [r.json.type, r.json.data.task.id, r.json.data.task.title]), [['task.created', draftTask.id, 'Still a draft']], 'approval announces its tasks');

  const added = await createTask(app, { planId: seed.plan.id, code: '1.2', dueDate: '2027-01-31', assignees: [seed.assignees[1]] });
  const patched = await app.inject({ method: 'PATCH', url: `/v1/tasks/${added.id}`, payload: { title: 'Joint venture for combines', expectedResult: '300 combines a year' } });
  t.equal(patched.statusCode, 200);
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${added.id}`, payload: { title: 'Joint venture for combines' } });
  await app.webhooks.runOnce();
  const [created, updated, ...rest] = receiver.received.slice(1).map((r) => r.json);
  t.match(created, { type: 'task.created', data: { task: { id: added.id, code: '1.2' }, changes: [] } });
  t.match(updated, {
    type: 'task.updated',
    data: {
      task: { id: added.id, title: 'Joint venture for combines' },
      changes: [
        { field: 'title', before: 'A measure', after: 'Joint venture for combines' },
        { field: 'expectedResult', before: null, after: '300 combines a year' },
      ],
    },
  });
  t.strictSame(rest, [], 'an update that changes nothing raises nothing');
  const log = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` }));
  t.equal(log.items.length, 3);
});

t.test('task.deadline_changed: a direct change and an approved request, with the deadline change; a rejected one raises nothing', async (t) => {
  const { app, receiver, task } = await world(t, ['task.deadline_changed', 'task.updated']);
  const direct = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task.id}/deadline-changes`,
    payload: { kind: 'direct', newDueDate: '2027-02-28', reason: 'Moved at the session', basis: 'Protocol No. 19, item 4' },
  });
  t.equal(direct.statusCode, 201);
  const request = json(
    await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Certification' } }),
  );
  await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes/${request.id}/decision`, payload: { decision: 'approve', basis: 'Protocol No. 20' } });
  const rejected = json(
    await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'request', newDueDate: '2027-06-30', reason: 'More time' } }),
  );
  await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes/${rejected.id}/decision`, payload: { decision: 'reject', basis: 'No grounds' } });
  await app.webhooks.runOnce();
  const events = receiver.received.map((r) => r.json);
  t.equal(events.length, 2, 'two moves, two events; requests and rejections move nothing');
  t.match(events[0], {
    type: 'task.deadline_changed',
    data: {
      task: { dueDate: '2027-02-28', originalDueDate: '2026-12-31', postponementCount: 1 },
      changes: [
        { field: 'dueDate', before: '2026-12-31', after: '2027-02-28' },
        { field: 'postponementCount', before: 0, after: 1 },
      ],
      deadlineChange: { id: json(direct).id, kind: 'direct', oldDueDate: '2026-12-31', newDueDate: '2027-02-28', reason: 'Moved at the session', decisionBasis: 'Protocol No. 19, item 4' },
    },
  });
  t.match(events[1], {
    type: 'task.deadline_changed',
    data: { task: { dueDate: '2027-03-31', postponementCount: 2 }, deadlineChange: { id: request.id, kind: 'request', decisionBasis: 'Protocol No. 20' } },
  });
});

t.test('report.submitted and report.reviewed carry the report and its task', async (t) => {
  const { app, receiver, task, by } = await world(t, ['report.submitted', 'report.reviewed']);
  const byKey = await keyFor(app, 'ministry', by.id);
  const report = json(
    await app.inject({
      method: 'POST',
      url: `/v1/tasks/${task.id}/reports`,
      payload: { period: '2026-Q4', percentComplete: 40, confidence: 'amber', narrative: 'Line installed.' },
      headers: byKey.headers,
    }),
  );
  await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/reports/${report.id}/review`, payload: { decision: 'returned', comment: 'Give the certification date.' } });
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}/reports/${report.id}`, payload: { narrative: 'Certification on 15 December.' }, headers: byKey.headers });
  await app.webhooks.runOnce();
  const events = receiver.received.map((r) => r.json);
  t.strictSame(events.map((e) => [e.type, e.data.report.status, e.data.report.revision]), [
    ['report.submitted', 'submitted', 1],
    ['report.reviewed', 'returned', 1],
    ['report.submitted', 'submitted', 2],
  ]);
  t.match(events[0].data, {
    report: { id: report.id, taskId: task.id, organizationId: by.id, period: '2026-Q4', percentComplete: 40, confidence: 'amber', submittedLate: false },
    task: { id: task.id, code: '1.1' },
    actor: { role: 'ministry', organizationId: by.id },
  });
  t.match(events[1].data, { report: { reviewComment: 'Give the certification date.' }, actor: { role: 'secretariat' } });
});

t.test('only matching subscriptions get an event: by event type and by organization', async (t) => {
  const app = await webhookApp(t);
  const receivers = { byAll: await startReceiver(t), kzStatus: await startReceiver(t), byCreated: await startReceiver(t), global: await startReceiver(t), paused: await startReceiver(t) };
  const seed = await seedPlan(app);
  const { by, kz } = seed;
  const byKey = await keyFor(app, 'ministry', by.id);
  const kzKey = await keyFor(app, 'ministry', kz.id);
  await subscribe(app, { url: receivers.byAll.url, events: ['task.created', 'task.status_changed'] }, byKey.headers);
  await subscribe(app, { url: receivers.kzStatus.url, events: ['task.status_changed'] }, kzKey.headers);
  await subscribe(app, { url: receivers.byCreated.url, events: ['task.created'], organizationId: by.id });
  await subscribe(app, { url: receivers.global.url, events: ['task.status_changed'] });
  await subscribe(app, { url: receivers.paused.url, events: ['task.status_changed'], active: false });
  await approvePlan(app, (await createTask(app, { planId: seed.plan.id, code: '0.1', dueDate: '2026-12-31', assignees: seed.assignees })).planId);

  const byOnly = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-12-31', assignees: [{ organizationId: by.id, role: 'lead' }] });
  const kzOnly = await createTask(app, { planId: seed.plan.id, code: '1.2', dueDate: '2026-12-31', assignees: [{ organizationId: kz.id, role: 'lead' }] });
  await transition(app, byOnly.id, 'in_progress');
  await transition(app, kzOnly.id, 'in_progress');
  await app.webhooks.runOnce();

  const seen = (r: Awaited<ReturnType<typeof startReceiver>>) => r.received.map((x) => `${x.json.type} ${x.json.data.task.code}`).sort();
  t.strictSame(seen(receivers.byAll), ['task.created 0.1', 'task.created 1.1', 'task.status_changed 1.1'], 'BY hears of its tasks only');
  t.strictSame(seen(receivers.kzStatus), ['task.status_changed 1.2'], 'KZ: its task, status changes only');
  t.strictSame(seen(receivers.byCreated), ['task.created 0.1', 'task.created 1.1']);
  t.strictSame(seen(receivers.global), ['task.status_changed 1.1', 'task.status_changed 1.2'], 'no filter: every organization');
  t.strictSame(seen(receivers.paused), [], 'a paused subscription gets nothing');

  // Taking an organization off a task: it still hears of that change, then no more.
  const moved = await app.inject({ method: 'PATCH', url: `/v1/tasks/${byOnly.id}`, payload: { assignees: [{ organizationId: kz.id, role: 'lead' }] } });
  t.equal(moved.statusCode, 200);
  await subscribe(app, { url: receivers.byAll.url, events: ['task.updated'] }, byKey.headers);
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${byOnly.id}`, payload: { title: 'Now KZ only' } });
  await app.webhooks.runOnce();
  t.strictSame(seen(receivers.byAll).filter((s) => s.startsWith('task.updated')), [], 'BY subscribed to updates after it was taken off: none');
});

t.test('an organization taken off a task hears of that change', async (t) => {
  const { app, receiver, task, kz } = await world(t, ['task.updated'], { organizationId: 'by' });
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { assignees: [{ organizationId: kz.id, role: 'lead' }] } });
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'KZ alone now' } });
  await app.webhooks.runOnce();
  t.strictSame(receiver.received.map((r) => r.json.data.changes.map((c: any) => c.field)), [['assignees']], 'the change that took BY off, nothing after');
});

t.test('a refused change raises nothing and queues nothing', async (t) => {
  const { app, receiver, task, kz, by } = await world(t, ALL);
  const kzOtherTask = await createTask(app, { planId: task.planId, code: '2.1', dueDate: '2026-12-31', assignees: [{ organizationId: kz.id, role: 'lead' }] });
  await app.webhooks.runOnce();
  const sent = receiver.received.length;
  const byKey = await keyFor(app, 'ministry', by.id);
  await refused(t, app, { method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'closed' } }, 409, 'illegal-transition');
  await refused(t, app, { method: 'POST', url: `/v1/tasks/${kzOtherTask.id}/transitions`, payload: { to: 'in_progress' }, headers: byKey.headers }, 403, 'forbidden');
  await refused(t, app, { method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { dueDate: '2027-01-01' } }, 409, 'plan-state-conflict');
  t.equal((await app.webhooks.runOnce()).attempted, 0);
  t.equal(receiver.received.length, sent, 'nothing sent');
});

t.test('the test event goes to one subscription, whatever its types; redelivery sends the same event again', async (t) => {
  const { app, clock, receiver, sub } = await world(t, ['task.overdue']);
  const ping = await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test` });
  t.equal(ping.statusCode, 202);
  const delivery = json(ping);
  t.match(delivery, { subscriptionId: sub.id, eventType: 'webhook.test', status: 'pending', attemptCount: 0, nextAttemptAt: clock().toISOString() });
  await app.webhooks.runOnce();
  t.equal(receiver.received.length, 1);
  t.match(receiver.received[0]!.json, { type: 'webhook.test', data: { subscriptionId: sub.id } });
  t.ok(signatureValid(sub.secret, receiver.received[0]!, clock()));

  const detail = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries/${delivery.id}` }));
  t.match(detail, { status: 'succeeded', attemptCount: 1, lastStatusCode: 200, payload: receiver.received[0]!.json });
  t.equal(JSON.stringify(detail.payload), receiver.received[0]!.body, 'the payload shown is the body sent, byte for byte');

  clock.set('2026-11-28T10:00:00.000Z');
  const again = await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${delivery.id}/redeliver` });
  t.equal(again.statusCode, 202);
  t.match(json(again), { redeliveryOf: delivery.id, eventId: delivery.eventId, status: 'pending' });
  t.not(json(again).id, delivery.id, 'a new delivery');
  await app.webhooks.runOnce();
  t.equal(receiver.received.length, 2);
  t.equal(receiver.received[1]!.headers['webhook-id'], receiver.received[0]!.headers['webhook-id'], 'the same webhook-id: receivers can tell a duplicate');
  t.equal(receiver.received[1]!.body, receiver.received[0]!.body, 'the same body');
  t.not(receiver.received[1]!.headers['webhook-timestamp'], receiver.received[0]!.headers['webhook-timestamp'], 'signed anew at the time of the attempt');
  t.ok(signatureValid(sub.secret, receiver.received[1]!, clock()));
  await refused(t, app, { method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/019a7c2e-0000-7000-8000-00000000dead/redeliver` }, 404, 'not-found');
});

t.test('approvedTask helper world: the overdue clock is the commission’s', async (t) => {
  // A sanity check of the fixture the other files rely on.
  const app = await webhookApp(t, testClock('2026-11-28T09:00:00.000Z'));
  const { task } = await approvedTask(app, { dueDate: '2026-11-27' });
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` })).overdue, true);
});

t.test('every event body is a WebhookEvent as documented, and the delivery log shows it', async (t) => {
  const { app, receiver, sub, task, by } = await world(t, ALL, { clock: testClock('2027-01-05T09:00:00.000Z') });
  const byKey = await keyFor(app, 'ministry', by.id);
  t.equal((await app.webhooks.runOnce()).overdueRaised, 1, 'due 2026-12-31, overdue on 5 January');
  await transition(app, task.id, 'in_progress');
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed' } });
  await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'direct', newDueDate: '2027-02-28', reason: 'Moved' } });
  const report = json(
    await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/reports`, payload: { period: '2026-Q4', percentComplete: 40, confidence: 'red', narrative: 'Late.' }, headers: byKey.headers }),
  );
  await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/reports/${report.id}/review`, payload: { decision: 'accepted' } });
  await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test` });
  await app.webhooks.runOnce();
  const types = receiver.received.map((r) => r.json.type).sort();
  t.strictSame(types, ['report.reviewed', 'report.submitted', 'task.deadline_changed', 'task.overdue', 'task.status_changed', 'task.updated', 'webhook.test']);
  t.strictSame(receiver.received.filter((r) => !r.documented).map((r) => r.json.type), [], 'each matches the documented schema');
  const log = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` }));
  for (const d of log.items) {
    const res = await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries/${d.id}` });
    t.equal(res.statusCode, 200, `${d.eventType}: the detail serializes`);
    t.equal(JSON.stringify(json(res).payload), receiver.received.find((r) => r.headers['webhook-id'] === d.eventId)!.body, `${d.eventType}: as sent`);
  }
});
