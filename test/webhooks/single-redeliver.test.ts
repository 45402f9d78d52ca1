// Tests of POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver: one delivery's event sent again, by the rule of
// the redelivery of a window (what the subscription, as it is now, receives; nothing past WEBHOOK_LOG_DAYS), a test
// event whatever its types, a pending delivery made due at once. A refusal is a 409 problem that changes nothing.
import t, { type Test } from 'tap';
import { json, keyFor, refused, snapshot, testClock } from '../helper.js';
import { createOrganization } from '../factories.js';
import { ministryWorld, signatureValid } from './receiver.js';

type World = Awaited<ReturnType<typeof ministryWorld>>;
type App = World['app'];

const DAY = 24 * 3_600_000;
const T0 = '2026-11-28T10:00:00.000Z';
const CODE = 'webhook-event-not-redeliverable';
const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

const redeliverUrl = (subId: string, deliveryId: string) => `/v1/webhooks/${subId}/deliveries/${deliveryId}/redeliver`;
const redeliverOne = (subId: string, deliveryId: string, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url: redeliverUrl(subId, deliveryId),
  headers,
});

const deliveries = async (app: App, id: string, query = '') =>
  json(await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries?limit=200${query}` })).items as any[];

const patchSub = async (app: App, id: string, payload: object, headers: Record<string, string> = {}) => {
  const res = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, payload, headers });
  if (res.statusCode !== 200) throw new Error(`PATCH /v1/webhooks/${id} answered ${res.statusCode}: ${res.body}`);
};

/** The task renamed `title` at `at` (a task.updated event), then the worker run once; returns the event's delivery. */
async function rename(w: World, title: string, at: string) {
  w.clock.set(at);
  const res = await w.app.inject({ method: 'PATCH', url: `/v1/tasks/${w.task.id}`, payload: { title } });
  if (res.statusCode !== 200) throw new Error(res.body);
  await w.app.webhooks.runOnce();
  return (await deliveries(w.app, w.sub.id, '&eventType=task.updated'))[0];
}

/**
 * Moves the subscription to an organization of no task, as PATCH did before a subscription with deliveries kept its
 * organization (409 webhook-has-deliveries, 2026-11-29): a database of that time may hold such a subscription. Returns
 * the organization and a ministry key of it, the subscription's owner now.
 */
async function moveAsBefore(t: Test, w: World) {
  const other = await createOrganization(w.app, { country: 'BY' });
  const api = await refused(t, w.app, { method: 'PATCH', url: `/v1/webhooks/${w.sub.id}`, payload: { organizationId: other.id } }, 409, 'webhook-has-deliveries');
  t.ok(api, 'the API no longer moves a subscription with deliveries');
  w.app.sqlite.prepare('UPDATE webhook_subscriptions SET organization_id = ? WHERE id = ?').run(other.id, w.sub.id);
  return { other, otherKey: await keyFor(w.app, 'ministry', other.id) };
}

t.test('a delivery the subscription still wants is sent again as before: a new delivery of the same event, same body and webhook-id', async (t) => {
  const w = await ministryWorld(t, ['task.updated'], { clock: testClock(T0), config: { webhookMaxAttempts: 1 } });
  const { app, clock, receiver, sub, byKey } = w;
  const delivered = await rename(w, 'Delivered', T0);
  t.equal(delivered.status, 'succeeded');
  receiver.respond(() => ({ status: 503 }));
  await patchSub(app, sub.id, { active: true }, byKey.headers);
  const failed = await rename(w, 'Failed', later(T0, 60_000));
  t.equal(failed.status, 'failed');
  receiver.respond(() => ({ status: 204 }));
  await patchSub(app, sub.id, { active: true }, byKey.headers);

  clock.set(later(T0, DAY));
  for (const original of [delivered, failed]) {
    const res = await app.inject(redeliverOne(sub.id, original.id, byKey.headers));
    t.equal(res.statusCode, 202, res.body);
    t.match(json(res), { eventId: original.eventId, eventType: 'task.updated', redeliveryOf: original.id, origin: 'redelivery', status: 'pending', attemptCount: 0, nextAttemptAt: clock().toISOString() });
  }
  const sent = receiver.received.length;
  t.match(await app.webhooks.runOnce(), { attempted: 2, succeeded: 2 });
  const again = receiver.received.slice(sent);
  t.strictSame(again.map((r) => r.headers['webhook-id']), [delivered.eventId, failed.eventId], 'under the event ids');
  for (const r of again) {
    const first = receiver.received.find((x) => x.headers['webhook-id'] === r.headers['webhook-id']);
    t.equal(r.body, first?.body, 'the body first sent, byte for byte');
    t.ok(signatureValid(sub.secret, r, clock()), 'signed');
  }
});

t.test("an event stored before events kept their organizations is sent again to the ministry's subscription that had it", async (t) => {
  const w = await ministryWorld(t, ['task.updated'], { clock: testClock(T0) });
  const delivered = await rename(w, 'Before 0014', T0);
  // As migration 0014 leaves the rows written before it; the redelivery of a window sends it again too.
  w.app.sqlite.prepare('UPDATE webhook_events SET organization_ids = NULL').run();
  const res = await w.app.inject(redeliverOne(w.sub.id, delivered.id, w.byKey.headers));
  t.equal(res.statusCode, 202, res.body);
});

t.test("a subscription moved to another organization is never sent again an event of the one it was for: 409, nothing queued, nothing sent", async (t) => {
  const w = await ministryWorld(t, ['task.updated'], { clock: testClock(T0), config: { webhookMaxAttempts: 1 } });
  const { app, receiver, sub, by, kz, task } = w;
  const delivered = await rename(w, 'Delivered to Minprom', T0);
  receiver.respond(() => ({ status: 503 }));
  const failed = await rename(w, 'Failed at Minprom', later(T0, 60_000));
  t.strictSame([delivered.status, failed.status], ['succeeded', 'failed']);
  const ping = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test`, headers: w.byKey.headers }));
  const { other, otherKey } = await moveAsBefore(t, w);
  receiver.respond(() => ({ status: 204 }));
  await patchSub(app, sub.id, { active: true });
  await app.webhooks.runOnce();
  const sent = receiver.received.length;

  for (const [who, headers] of [['the new organization’s key', otherKey.headers], ['the secretariat', {}]] as const) {
    for (const original of [delivered, failed]) {
      const problem = await refused(t, app, redeliverOne(sub.id, original.id, headers), 409, CODE);
      t.match(problem.detail, `did not concern organization ${other.id}, the subscription's, when it was raised`, `${who}: says why`);
      t.match(problem.detail, 'never sent to another organization', `${who}: and what it cannot do`);
      for (const former of [by.id, kz.id, task.id]) t.notMatch(problem.detail, former, `${who}: names none of the organizations or tasks the event concerned`);
    }
  }
  t.strictSame(await deliveries(app, sub.id, '&origin=redelivery'), [], 'nothing was queued');
  t.match(json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/redeliver`, payload: { since: T0 } })), { queued: 0 }, 'as the redelivery of a window leaves it out');
  await app.webhooks.runOnce();
  t.equal(receiver.received.length, sent, 'nothing was sent');

  // Its own test event concerns no organization: it still goes.
  const pingAgain = await app.inject(redeliverOne(sub.id, ping.id, otherKey.headers));
  t.equal(pingAgain.statusCode, 202, pingAgain.body);
});

t.test("a pending delivery of a moved subscription is not made due at once: 409, it keeps its time", async (t) => {
  const w = await ministryWorld(t, ['task.updated'], { clock: testClock(T0) });
  const { app, receiver, sub } = w;
  receiver.respond(() => ({ status: 503 }));
  const waiting = await rename(w, 'Retrying at Minprom', T0);
  t.match(waiting, { status: 'pending', attemptCount: 1 });
  t.ok(waiting.nextAttemptAt > T0, 'its next attempt is later');
  const { other, otherKey } = await moveAsBefore(t, w);
  const problem = await refused(t, app, redeliverOne(sub.id, waiting.id, otherKey.headers), 409, CODE);
  t.match(problem.detail, `did not concern organization ${other.id}`);
  t.match((await deliveries(app, sub.id))[0], { id: waiting.id, status: 'pending', nextAttemptAt: waiting.nextAttemptAt }, 'not due sooner');
});

t.test('a subscription that no longer lists the event’s type is not sent it again until the type is back', async (t) => {
  const w = await ministryWorld(t, ['task.updated', 'task.status_changed'], { clock: testClock(T0) });
  const { app, receiver, sub, byKey } = w;
  const delivered = await rename(w, 'Delivered', T0);
  await patchSub(app, sub.id, { events: ['task.status_changed'] }, byKey.headers);
  const sent = receiver.received.length;

  const problem = await refused(t, app, redeliverOne(sub.id, delivered.id, byKey.headers), 409, CODE);
  t.equal(
    problem.detail,
    `the subscription no longer receives task.updated (its events: task.status_changed), so event ${delivered.eventId} (task.updated) is not ` +
      `sent to it again; add task.updated to its events (PATCH /v1/webhooks/${sub.id}) to send it again`,
  );
  await app.webhooks.runOnce();
  t.equal(receiver.received.length, sent, 'nothing was sent');

  await patchSub(app, sub.id, { events: ['task.status_changed', 'task.updated'] }, byKey.headers);
  const again = await app.inject(redeliverOne(sub.id, delivered.id, byKey.headers));
  t.equal(again.statusCode, 202, 'the type is back: it goes');
  t.match(json(again), { redeliveryOf: delivered.id, eventId: delivered.eventId });
  t.match(await app.webhooks.runOnce(), { attempted: 1, succeeded: 1 });
  t.equal(receiver.received.at(-1)?.headers['webhook-id'], delivered.eventId);
});

t.test('an event raised more than WEBHOOK_LOG_DAYS ago is not sent again, even while its delivery is in the log; one raised within is', async (t) => {
  const w = await ministryWorld(t, ['task.updated'], { clock: testClock(T0), config: { webhookLogDays: 10 } });
  const { app, clock, sub, byKey, task } = w;
  const old = await rename(w, 'Ten days ago', T0);
  const recent = await rename(w, 'Nine days ago', later(T0, DAY));

  // No worker run from here: it would prune the old delivery from the log.
  clock.set(later(T0, 10 * DAY));
  t.equal((await app.inject(redeliverOne(sub.id, old.id, byKey.headers))).statusCode, 202, 'raised exactly 10 days ago: within, as in a window');
  clock.set(later(T0, 10 * DAY + 60_000));
  const problem = await refused(t, app, redeliverOne(sub.id, old.id, byKey.headers), 409, CODE);
  t.equal(
    problem.detail,
    `event ${old.eventId} (task.updated) was raised at ${T0}, more than the delivery log's 10 days (WEBHOOK_LOG_DAYS) ago ` +
      `(before ${later(T0, 60_000)}): receivers keep webhook-ids only that long, so it is not sent again, as it could be handled ` +
      `twice; read what it tells of as it stands now instead (GET /v1/tasks/${task.id})`,
  );
  t.equal((await app.inject(redeliverOne(sub.id, recent.id, byKey.headers))).statusCode, 202, 'raised 9 days ago: it goes');
});

t.test('with WEBHOOK_LOG_DAYS=0 (the log kept whole) an event of any age is sent again', async (t) => {
  const w = await ministryWorld(t, ['task.updated'], { clock: testClock(T0), config: { webhookLogDays: 0 } });
  const old = await rename(w, 'A year ago', T0);
  w.clock.set(later(T0, 365 * DAY));
  t.equal((await w.app.inject(redeliverOne(w.sub.id, old.id, w.byKey.headers))).statusCode, 202);
});

t.test('a test event is sent again alone whatever the subscription’s types, and past WEBHOOK_LOG_DAYS', async (t) => {
  const w = await ministryWorld(t, ['task.updated'], { clock: testClock(T0), config: { webhookLogDays: 10 } });
  const { app, clock, receiver, sub, byKey } = w;
  const ping = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test`, headers: byKey.headers }));
  await app.webhooks.runOnce();
  await patchSub(app, sub.id, { events: ['task.status_changed'] }, byKey.headers);
  clock.set(later(T0, 11 * DAY));
  const res = await app.inject(redeliverOne(sub.id, ping.id, byKey.headers));
  t.equal(res.statusCode, 202, res.body);
  t.match(json(res), { eventType: 'webhook.test', redeliveryOf: ping.id, origin: 'redelivery' });
  await app.webhooks.runOnce();
  t.strictSame(receiver.ofType('webhook.test').map((r) => r.headers['webhook-id']), [ping.eventId, ping.eventId], 'the same test event, twice');
});

t.test('a pending delivery is made due at once, nothing queued beside it, also one that waited longer than WEBHOOK_LOG_DAYS', async (t) => {
  const w = await ministryWorld(t, ['task.updated'], { clock: testClock(T0), config: { webhookLogDays: 10 } });
  const { app, clock, receiver, sub, byKey } = w;
  receiver.respond(() => ({ status: 503 }));
  const waiting = await rename(w, 'Retrying', T0);
  t.match(waiting, { status: 'pending', attemptCount: 1 });
  t.ok(waiting.nextAttemptAt > T0);

  const soon = json(await app.inject(redeliverOne(sub.id, waiting.id, byKey.headers)));
  t.match(soon, { id: waiting.id, status: 'pending', nextAttemptAt: T0, redeliveryOf: null, origin: 'event' }, 'the same delivery, due now');
  t.equal((await deliveries(app, sub.id)).length, 1, 'no other delivery');

  // Paused 11 days: it waited, and goes when due however old its event (it is no second sending).
  await patchSub(app, sub.id, { active: false }, byKey.headers);
  clock.set(later(T0, 11 * DAY));
  const now = clock().toISOString();
  const after = json(await app.inject(redeliverOne(sub.id, waiting.id, byKey.headers)));
  t.match(after, { id: waiting.id, status: 'pending', nextAttemptAt: now });
  receiver.respond(() => ({ status: 204 }));
  await patchSub(app, sub.id, { active: true }, byKey.headers);
  t.match(await app.webhooks.runOnce(), { attempted: 1, succeeded: 1 });
  t.equal((await deliveries(app, sub.id)).length, 1);
});

t.test('the refusal is an RFC 9457 problem document, and changes no delivery', async (t) => {
  const w = await ministryWorld(t, ['task.updated', 'task.status_changed'], { clock: testClock(T0) });
  const { app, sub, byKey } = w;
  const delivered = await rename(w, 'Delivered', T0);
  await patchSub(app, sub.id, { events: ['task.status_changed'] }, byKey.headers);
  const rows = () => app.sqlite.prepare('SELECT * FROM webhook_deliveries ORDER BY id').all();
  const before = { rows: rows(), all: snapshot(app) };
  const res = await app.inject(redeliverOne(sub.id, delivered.id, byKey.headers));
  t.equal(res.statusCode, 409);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const problem = json(res);
  t.strictSame(Object.keys(problem).sort(), ['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type']);
  t.match(problem, {
    type: `https://commission-plan-tracker.example/problems/${CODE}`,
    title: 'The event is not sent again to this subscription',
    status: 409,
    code: CODE,
    instance: redeliverUrl(sub.id, delivered.id),
    detail: /^the subscription no longer receives task\.updated .*; add task\.updated to its events/,
  });
  t.strictSame(rows(), before.rows, 'the deliveries table unchanged');
  t.strictSame(snapshot(app), before.all, 'and every other');
});
