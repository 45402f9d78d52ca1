// Tests of deadline_change.requested and deadline_change.decided: a ministry's request reaches the secretariat's system
// and its own, the decision (approved or rejected) or its withdrawal reaches the requester, even once taken off the task; other
// ministries hear nothing, refused writes queue nothing, and every body is the documented WebhookEvent.
import { readFile } from 'node:fs/promises';
import t, { type Test } from 'tap';
import { json, keyFor, refused, testClock } from '../helper.js';
import { approvePlan, approvedTask, createTask, seedPlan } from '../factories.js';
import { replaceAssignees } from '../../src/modules/tasks/tasks.assignees-repository.js';
import { signatureValid, startReceiver, subscribe, webhookApp, type Receiver } from './receiver.js';

const DEADLINE_EVENTS = ['deadline_change.requested', 'deadline_change.decided'];
const seen = (r: Receiver) => r.received.map((x) => `${x.json.type} ${x.json.data.deadlineChange?.status ?? ''}`.trim());

/** A task of BY alone in an approved plan; subscriptions of the secretariat (every organization), of BY and of KZ. */
async function byTaskWorld(t: Test, events = DEADLINE_EVENTS) {
  const clock = testClock();
  const app = await webhookApp(t, clock);
  const seed = await seedPlan(app);
  const { by, kz } = seed;
  const task = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-12-31', assignees: [{ organizationId: by.id, role: 'lead' }] });
  await approvePlan(app, seed.plan.id);
  const byKey = await keyFor(app, 'ministry', by.id);
  const kzKey = await keyFor(app, 'ministry', kz.id);
  const receivers = { secretariat: await startReceiver(t), by: await startReceiver(t), kz: await startReceiver(t) };
  const subs = {
    secretariat: await subscribe(app, { url: receivers.secretariat.url, events }),
    by: await subscribe(app, { url: receivers.by.url, events }, byKey.headers),
    kz: await subscribe(app, { url: receivers.kz.url, events }, kzKey.headers),
  };
  return { app, clock, task, by, kz, byKey, kzKey, receivers, subs };
}

t.test("a ministry's request reaches the secretariat and the requester; approval and rejection reach them with the decision; another ministry hears nothing", async (t) => {
  const { app, clock, task, by, byKey, receivers, subs } = await byTaskWorld(t, [...DEADLINE_EVENTS, 'task.deadline_changed']);
  const url = `/v1/tasks/${task.id}/deadline-changes`;

  const asked = await app.inject({ method: 'POST', url, headers: byKey.headers, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Certification takes longer' } });
  t.equal(asked.statusCode, 201);
  const request = json(asked);
  await app.webhooks.runOnce();
  t.strictSame(seen(receivers.secretariat), ['deadline_change.requested pending'], 'the secretariat hears of the request');
  t.strictSame(seen(receivers.by), ['deadline_change.requested pending'], 'so does the requesting ministry');
  const [r] = receivers.secretariat.received;
  t.ok(signatureValid(subs.secretariat.secret, r!, clock()), 'signed');
  t.strictSame(Object.keys(r!.json), ['type', 'timestamp', 'data'], 'the Standard Webhooks envelope');
  t.strictSame(r!.json.data.deadlineChange, request, 'the request as GET /v1/tasks/{id}/deadline-changes/{changeId} shows it');
  t.match(r!.json, {
    timestamp: clock().toISOString(),
    data: {
      task: { id: task.id, planId: task.planId, commissionId: task.commissionId, dueDate: '2026-12-31', postponementCount: 0 },
      actor: { keyId: byKey.id, role: 'ministry', organizationId: by.id },
    },
  });

  clock.set('2026-11-28T10:00:00.000Z');
  const approved = await app.inject({
    method: 'POST',
    url: `${url}/${request.id}/decision`,
    payload: { decision: 'approve', basis: 'Protocol No. 12, item 4.1', comment: 'Certify by March.' },
  });
  t.equal(approved.statusCode, 200);
  await app.webhooks.runOnce();
  const decided = receivers.by.ofType('deadline_change.decided').map((x) => x.json);
  t.equal(decided.length, 1, 'the requester hears of the approval');
  t.strictSame(decided[0].data.deadlineChange, json(approved), 'the decided request, as the API returns it');
  t.match(decided[0], {
    timestamp: '2026-11-28T10:00:00.000Z',
    data: {
      deadlineChange: {
        status: 'approved',
        decisionBasis: 'Protocol No. 12, item 4.1',
        decisionComment: 'Certify by March.',
        decidedBy: { role: 'secretariat' },
        decidedAt: '2026-11-28T10:00:00.000Z',
      },
      task: { dueDate: '2027-03-31', postponementCount: 1 },
      actor: { role: 'secretariat', organizationId: null },
    },
  });
  const moved = receivers.by.ofType('task.deadline_changed').map((x) => x.json);
  t.equal(moved.length, 1, 'the approval also moves the date');
  t.strictSame(moved[0].data.task, decided[0].data.task, 'one write, one task: the same in both events');
  t.equal(moved[0].timestamp, decided[0].timestamp);
  t.strictSame(seen(receivers.secretariat).filter((s) => s.startsWith('deadline_change.')), ['deadline_change.requested pending', 'deadline_change.decided approved']);

  const again = json(await app.inject({ method: 'POST', url, headers: byKey.headers, payload: { kind: 'request', newDueDate: '2027-06-30', reason: 'More time' } }));
  const rejected = await app.inject({ method: 'POST', url: `${url}/${again.id}/decision`, payload: { decision: 'reject', basis: 'Protocol No. 13', comment: 'No grounds given.' } });
  t.equal(rejected.statusCode, 200);
  await app.webhooks.runOnce();
  const rejection = receivers.by.ofType('deadline_change.decided').map((x) => x.json)[1];
  t.match(rejection, {
    data: {
      deadlineChange: { id: again.id, status: 'rejected', oldDueDate: '2027-03-31', newDueDate: '2027-06-30', decisionBasis: 'Protocol No. 13', decisionComment: 'No grounds given.', decidedBy: { role: 'secretariat' } },
      task: { dueDate: '2027-03-31', postponementCount: 1 },
    },
  }, 'the requester hears of the rejection, the task unchanged');
  t.equal(receivers.by.ofType('task.deadline_changed').length, 1, 'a rejection moves nothing');
  t.strictSame(
    seen(receivers.secretariat).filter((s) => s.startsWith('deadline_change.')),
    ['deadline_change.requested pending', 'deadline_change.decided approved', 'deadline_change.requested pending', 'deadline_change.decided rejected'],
  );
  t.strictSame(seen(receivers.kz), [], 'KZ, not on the task, hears of neither');
  const all = [...receivers.secretariat.received, ...receivers.by.received];
  t.strictSame(all.filter((x) => !x.documented).map((x) => x.json.type), [], 'every body is a WebhookEvent as documented');
});

t.test('a withdrawn request reaches the secretariat and the requester as deadline_change.decided, status withdrawn; nothing moves', async (t) => {
  const { app, clock, task, by, byKey, kzKey, receivers } = await byTaskWorld(t, [...DEADLINE_EVENTS, 'task.deadline_changed']);
  const url = `/v1/tasks/${task.id}/deadline-changes`;
  const request = json(await app.inject({ method: 'POST', url, headers: byKey.headers, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Certification' } }));
  await refused(t, app, { method: 'POST', url: `${url}/${request.id}/withdrawal`, headers: kzKey.headers, payload: {} }, 403, 'forbidden');
  clock.set('2026-11-28T10:00:00.000Z');
  const withdrawn = await app.inject({ method: 'POST', url: `${url}/${request.id}/withdrawal`, headers: byKey.headers, payload: { comment: 'Asked in error' } });
  t.equal(withdrawn.statusCode, 200);
  await app.webhooks.runOnce();
  for (const receiver of [receivers.secretariat, receivers.by]) {
    t.strictSame(seen(receiver), ['deadline_change.requested pending', 'deadline_change.decided withdrawn'], 'the request, then its end');
  }
  const [, ended] = receivers.secretariat.received;
  t.strictSame(ended!.json.data.deadlineChange, json(withdrawn), 'the withdrawn request, as the API returns it');
  t.match(ended!.json, {
    timestamp: '2026-11-28T10:00:00.000Z',
    data: {
      deadlineChange: { status: 'withdrawn', decidedBy: null, withdrawnBy: { keyId: byKey.id, role: 'ministry', organizationId: by.id }, withdrawalComment: 'Asked in error' },
      task: { dueDate: '2026-12-31', postponementCount: 0 },
      actor: { keyId: byKey.id, role: 'ministry', organizationId: by.id },
    },
  });
  t.ok(ended!.documented, 'a WebhookEvent as documented');
  t.strictSame(seen(receivers.kz), [], 'KZ, not on the task, hears nothing');
  await refused(t, app, { method: 'POST', url: `${url}/${request.id}/withdrawal`, headers: byKey.headers, payload: {} }, 409, 'deadline-change-conflict');
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'nothing queued by the refusals');
});

t.test('a direct change by the secretariat is no request: it raises task.deadline_changed only', async (t) => {
  const { app, task, receivers } = await byTaskWorld(t, [...DEADLINE_EVENTS, 'task.deadline_changed']);
  const direct = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task.id}/deadline-changes`,
    payload: { kind: 'direct', newDueDate: '2027-02-28', reason: 'Moved at the session', basis: 'Protocol No. 19' },
  });
  t.equal(direct.statusCode, 201);
  await app.webhooks.runOnce();
  t.strictSame(seen(receivers.secretariat), ['task.deadline_changed'], 'the secretariat');
  t.strictSame(seen(receivers.by), ['task.deadline_changed'], 'the executor');
});

t.test('a request made by the secretariat is announced too; its decision goes to the executors', async (t) => {
  const { app, task, receivers } = await byTaskWorld(t);
  const request = json(
    await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'request', newDueDate: '2027-01-31', reason: 'Asked at the session' } }),
  );
  await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes/${request.id}/decision`, payload: { decision: 'reject', basis: 'Withdrawn' } });
  await app.webhooks.runOnce();
  t.strictSame(seen(receivers.by), ['deadline_change.requested pending', 'deadline_change.decided rejected']);
  t.match(receivers.by.received[0]!.json.data.deadlineChange, { requestedBy: { role: 'secretariat', organizationId: null } });
  t.strictSame(seen(receivers.kz), []);
});

t.test('the requesting organization hears of the decision on its request even once taken off the task, and nothing after', async (t) => {
  const app = await webhookApp(t);
  const { task, by, kz } = await approvedTask(app);
  const byKey = await keyFor(app, 'ministry', by.id);
  const kzKey = await keyFor(app, 'ministry', kz.id);
  const receiver = await startReceiver(t);
  await subscribe(app, { url: receiver.url, events: DEADLINE_EVENTS }, byKey.headers);
  const url = `/v1/tasks/${task.id}/deadline-changes`;
  const request = json(await app.inject({ method: 'POST', url, headers: byKey.headers, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Certification' } }));
  // The API refuses to take a requester off while its request waits (409): a request carried over from before that
  // rule is the state this builds, straight in the database.
  replaceAssignees(app.db, task.id, [{ organizationId: kz.id, role: 'lead' }], '2026-11-28T09:30:00.000Z');
  const decided = await app.inject({ method: 'POST', url: `${url}/${request.id}/decision`, payload: { decision: 'reject', basis: 'Protocol No. 14', comment: 'KZ leads now.' } });
  t.equal(decided.statusCode, 200);
  // KZ's own request afterwards is none of BY's business.
  const kzRequest = await app.inject({ method: 'POST', url, headers: kzKey.headers, payload: { kind: 'request', newDueDate: '2027-04-30', reason: 'KZ asks' } });
  t.equal(kzRequest.statusCode, 201);
  await app.webhooks.runOnce();
  t.strictSame(seen(receiver), ['deadline_change.requested pending', 'deadline_change.decided rejected'], 'its request and its decision, nothing of KZ');
  t.match(receiver.received[1]!.json.data, {
    deadlineChange: { id: request.id, requestedBy: { organizationId: by.id }, decisionComment: 'KZ leads now.' },
    task: { assignees: [{ organizationId: kz.id, role: 'lead' }] },
  });
});

t.test('a refused request or decision raises nothing and queues nothing', async (t) => {
  const { app, task, byKey, kzKey, receivers } = await byTaskWorld(t);
  const url = `/v1/tasks/${task.id}/deadline-changes`;
  await refused(t, app, { method: 'POST', url, headers: kzKey.headers, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Not ours' } }, 403, 'forbidden');
  await refused(t, app, { method: 'POST', url, headers: byKey.headers, payload: { kind: 'request', newDueDate: '2020-01-31', reason: 'Past' } }, 422, 'invalid-value');
  const pending = json(await app.inject({ method: 'POST', url, headers: byKey.headers, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Certification' } }));
  await app.webhooks.runOnce();
  const sent = receivers.secretariat.received.length;
  t.equal(sent, 1, 'the one accepted request');
  await refused(t, app, { method: 'POST', url, headers: byKey.headers, payload: { kind: 'request', newDueDate: '2027-04-30', reason: 'Another' } }, 409, 'deadline-change-conflict');
  await refused(t, app, { method: 'POST', url: `${url}/${pending.id}/decision`, headers: byKey.headers, payload: { decision: 'approve', basis: 'Mine' } }, 403, 'forbidden');
  await app.inject({ method: 'POST', url: `${url}/${pending.id}/decision`, payload: { decision: 'approve', basis: 'Protocol No. 1' } });
  await app.webhooks.runOnce();
  await refused(t, app, { method: 'POST', url: `${url}/${pending.id}/decision`, payload: { decision: 'reject', basis: 'Twice' } }, 409, 'deadline-change-conflict');
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'nothing queued by the refusals');
  t.strictSame(seen(receivers.secretariat), ['deadline_change.requested pending', 'deadline_change.decided approved']);
});

t.test('the published document describes both events: their webhooks entries and every field a receiver gets', async (t) => {
  const doc = JSON.parse(await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
  const resolve = (schema: any): any => (schema?.$ref ? resolve(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]) : schema);
  const { app, task, byKey, receivers } = await byTaskWorld(t);
  const request = json(await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, headers: byKey.headers, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'R' } }));
  await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes/${request.id}/decision`, payload: { decision: 'approve', basis: 'B' } });
  await app.webhooks.runOnce();
  t.equal(receivers.secretariat.received.length, 2);
  for (const r of receivers.secretariat.received) {
    const type = r.json.type as string;
    const body = resolve(doc.webhooks[type].post.requestBody.content['application/json'].schema);
    t.ok(body.properties.type.enum.includes(type), `${type}: documented under its own type`);
    // The document's own shape, object by object: every field sent is described, and every required one is sent.
    const check = (schema: any, value: any, path: string) => {
      const s = resolve(schema);
      const obj = s.anyOf ? resolve(s.anyOf.find((x: any) => resolve(x).type === 'object')) : s;
      t.strictSame(Object.keys(value).filter((k) => !(k in obj.properties)), [], `${type} ${path}: no undocumented field`);
      t.strictSame((obj.required ?? []).filter((k: string) => !(k in value)), [], `${type} ${path}: every required field`);
    };
    check(body, r.json, 'body');
    check(body.properties.data, r.json.data, 'data');
    check(resolve(body.properties.data).properties.deadlineChange, r.json.data.deadlineChange, 'deadlineChange');
    check(resolve(body.properties.data).properties.task, r.json.data.task, 'task');
    t.ok(r.documented, `${type}: a WebhookEvent as the zod schema behind the document says`);
  }
});
