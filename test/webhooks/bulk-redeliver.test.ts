// Tests of POST /v1/webhooks/{id}/redeliver: after an outage longer than the retry schedule, the failed deliveries of
// a window are sent again in one call, each as a new delivery (redeliveryOf the failed one) under its event's
// webhook-id; not what was delivered or is waiting since, not what the subscription no longer wants, not test events,
// nothing older than the log's retention; at most `limit` per call. Refused requests change nothing.
import t, { type Test } from 'tap';
import { json, keyFor, refused, snapshot, testClock, type TestClock } from '../helper.js';
import { approvePlan, createTask, seedPlan, transition } from '../factories.js';
import { ministryWorld, signatureValid, startReceiver, subscribe, webhookApp, type Receiver } from './receiver.js';

type App = Awaited<ReturnType<typeof webhookApp>>;

const DAY = 24 * 3_600_000;
const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';
const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

const redeliver = (app: App, id: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/v1/webhooks/${id}/redeliver`, payload: payload as object, headers });

const deliveries = async (app: App, id: string, query = '') =>
  json(await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries?limit=200${query}` })).items as any[];

const patchSub = (app: App, id: string, payload: object) => app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, payload });

/** Runs the worker, the clock moved to each next attempt, until no active subscription has a delivery waiting. */
async function drive(app: App, clock: TestClock) {
  const due = app.sqlite
    .prepare(
      "SELECT min(d.next_attempt_at) FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.status = 'pending' AND s.active = 1",
    )
    .pluck();
  for (let run = 0; run < 200; run += 1) {
    await app.webhooks.runOnce();
    const next = due.get() as string | null;
    if (next === null) return;
    if (next > clock().toISOString()) clock.set(next);
  }
  throw new Error('the worker never settled');
}

/**
 * The receiver is down until `done` (every attempt 503) and each waiting delivery of `sub` fails on its last attempt.
 * The first failure disables the subscription; its owner activates it again at once, too early, and the next fails.
 */
async function outage(app: App, clock: TestClock, receiver: Receiver, sub: { id: string }) {
  receiver.respond(() => ({ status: 503, body: 'Service Unavailable' }));
  const waiting = app.sqlite.prepare("SELECT count(*) FROM webhook_deliveries WHERE subscription_id = ? AND status = 'pending'").pluck();
  for (let round = 0; round < 50; round += 1) {
    await drive(app, clock);
    if (waiting.get(sub.id) === 0) return;
    await patchSub(app, sub.id, { active: true });
  }
  throw new Error('the outage never ended');
}

/** An approved task of both ministries, a receiver, and a subscription to its changes (every attempt once: WEBHOOK_MAX_ATTEMPTS=1). */
async function world(t: Test, events = ['task.updated', 'task.status_changed'], config: Record<string, unknown> = {}) {
  const w = await ministryWorld(t, events, { config: { webhookMaxAttempts: 1, ...config } });
  const { app, clock, task } = w;
  const kzKey = await keyFor(app, 'ministry', w.kz.id);
  /** A task.updated event at `at`: the task renamed `title`. */
  const rename = async (title: string, at: string) => {
    clock.set(at);
    const res = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title } });
    if (res.statusCode !== 200) throw new Error(res.body);
  };
  return { ...w, kzKey, rename };
}

t.test('after an outage longer than the retry schedule, one call sends every failed delivery again: same body and webhook-id, oldest first, once the subscription is active', async (t) => {
  const { app, clock, receiver, sub, task, byKey } = await ministryWorld(t, ['task.updated', 'task.status_changed'], {
    clock: testClock('2026-11-28T09:00:00.000Z'),
  });

  // The receiver goes down; three changes are made while it is. The service retries each (12 attempts, 7 hours and
  // more) and disables the subscription when the first fails for good; its owner activates it again too early, and
  // the other two fail too (the failures began before it was activated: it stays active).
  receiver.respond(() => ({ status: 503, body: 'Service Unavailable' }));
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed while the receiver was down' } });
  clock.set('2026-11-28T09:10:00.000Z');
  await transition(app, task.id, 'in_progress');
  clock.set('2026-11-28T09:20:00.000Z');
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed again' } });
  await drive(app, clock);
  t.match(json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}`, headers: byKey.headers })), { active: false, disabledReason: /^disabled after 12 failed attempts/ });
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: true }, headers: byKey.headers });
  await drive(app, clock);
  const failed = await deliveries(app, sub.id, '&status=failed');
  t.equal(failed.length, 3, 'every delivery failed');
  t.ok(failed.every((d) => d.attemptCount === 12 && d.origin === 'event'), 'each after its 12 attempts');
  const sent = receiver.received.length;
  t.equal(sent, 36);

  // Back up the next day: one call, by the ministry's own key.
  receiver.respond(() => ({ status: 204 }));
  clock.set('2026-11-30T08:00:00.000Z');
  const res = await redeliver(app, sub.id, { since: '2026-11-28T00:00:00+03:00' }, byKey.headers);
  t.equal(res.statusCode, 202, res.body);
  t.strictSame(json(res), {
    subscriptionId: sub.id,
    since: '2026-11-27T21:00:00.000Z',
    until: null,
    queued: 3,
    more: false,
    continueFrom: null,
    availableFrom: later('2026-11-30T08:00:00.000Z', -90 * DAY),
    gap: false,
  });
  const queued = await deliveries(app, sub.id, '&origin=redelivery');
  t.strictSame(
    queued.map((d) => [d.eventId, d.redeliveryOf, d.status, d.attemptCount]).sort(),
    failed.map((d) => [d.eventId, d.id, 'pending', 0]).sort(),
    'a new delivery of each event, redeliveryOf the failed one, origin redelivery',
  );

  t.match(await app.webhooks.runOnce(), { attempted: 3, succeeded: 3 });
  const again = receiver.received.slice(sent);
  t.strictSame(again.map((r) => r.json.type), ['task.updated', 'task.status_changed', 'task.updated'], 'oldest first');
  for (const r of again) {
    const id = String(r.headers['webhook-id']);
    const first = receiver.received.find((x) => x.headers['webhook-id'] === id);
    t.equal(r.body, first?.body, `event ${id}: the body the failed attempts sent, byte for byte`);
    t.ok(signatureValid(sub.secret, r, clock()) && r.documented, 'signed, and as documented');
  }
  t.strictSame(again.map((r) => r.headers['webhook-id']).sort(), failed.map((d) => d.eventId).sort(), 'under the event ids');
  t.ok((await deliveries(app, sub.id, '&origin=redelivery')).every((d) => d.status === 'succeeded'));

  t.match(json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z' }, byKey.headers)), { queued: 0, more: false }, 'called again: delivered since, nothing is sent twice');
});

t.test('a window with more failed deliveries than the limit is sent again in parts, events of one instant included, each once', async (t) => {
  const clock = testClock();
  const app = await webhookApp(t, clock, { webhookMaxAttempts: 1 });
  const seed = await seedPlan(app);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.created'] });
  for (const code of ['1.1', '1.2', '1.3', '1.4', '1.5']) await createTask(app, { planId: seed.plan.id, code, dueDate: '2026-12-31', assignees: seed.assignees });
  clock.set('2026-11-28T10:00:00.000Z');
  await approvePlan(app, seed.plan.id);
  await outage(app, clock, receiver, sub);
  t.equal((await deliveries(app, sub.id, '&status=failed')).length, 5, 'five task.created of one instant failed');
  receiver.respond(() => ({ status: 204 }));

  const answers = [];
  let body: Record<string, unknown> = { since: '2026-11-28T00:00:00Z', limit: 2 };
  for (let call = 0; call < 5; call += 1) {
    const res = json(await redeliver(app, sub.id, body));
    answers.push([res.queued, res.more, res.continueFrom]);
    if (!res.more) break;
    body = { since: res.continueFrom, limit: 2 };
  }
  const at = '2026-11-28T10:00:00.000Z';
  t.strictSame(answers, [[2, true, at], [2, true, at], [1, false, null]], 'three calls from the same instant, then done');
  t.match(json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z', limit: 2 })), { queued: 0, more: false }, 'the same body again: each has its redelivery');
  await patchSub(app, sub.id, { active: true });
  await app.webhooks.runOnce();
  const redelivered = receiver.received.slice(-5);
  t.strictSame(redelivered.map((r) => r.json.data.task.code).sort(), ['1.1', '1.2', '1.3', '1.4', '1.5'], 'each task once');
  t.equal(new Set(redelivered.map((r) => r.headers['webhook-id'])).size, 5);

  const until = json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z', until: at }));
  t.match(until, { queued: 0, until: at }, '`until` is excluded');
});

t.test('each failed event is sent again once: not one redelivered and delivered since, nor one still waiting; one redelivered and failed again is', async (t) => {
  const { app, clock, receiver, sub, rename } = await world(t);
  await rename('A', '2026-11-28T10:00:00.000Z');
  await rename('B', '2026-11-28T10:01:00.000Z');
  await rename('C', '2026-11-28T10:02:00.000Z');
  await outage(app, clock, receiver, sub);
  const byTitle = async () => {
    const all = await deliveries(app, sub.id);
    const titleOf = (d: any) => JSON.parse(app.sqlite.prepare('SELECT body FROM webhook_events WHERE id = ?').pluck().get(d.eventId) as string).data.task.title;
    return all.map((d) => ({ ...d, title: titleOf(d) }));
  };
  const failed = Object.fromEntries((await byTitle()).map((d) => [d.title, d]));

  // A: sent again alone, and delivered. B: sent again alone, failed again. C: sent again alone, still waiting.
  receiver.respond((r) => ({ status: r.json.data.task.title === 'A' ? 204 : 503 }));
  await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${failed.A.id}/redeliver` });
  const bAgain = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${failed.B.id}/redeliver` }));
  await patchSub(app, sub.id, { active: true });
  await drive(app, clock);
  t.strictSame((await byTitle()).filter((d) => d.redeliveryOf !== null).map((d) => [d.title, d.status]).sort(), [['A', 'succeeded'], ['B', 'failed']]);
  await patchSub(app, sub.id, { active: false });
  const cWaiting = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${failed.C.id}/redeliver` }));
  t.equal(cWaiting.status, 'pending');

  const before = receiver.received.length;
  const res = json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z' }));
  t.match(res, { queued: 1, more: false });
  const queued = (await byTitle()).filter((d) => d.status === 'pending' && d.id !== cWaiting.id);
  t.strictSame(queued.map((d) => [d.title, d.redeliveryOf, d.origin]), [['B', bAgain.id, 'redelivery']], 'B, from its last failed delivery');
  receiver.respond(() => ({ status: 204 }));
  await patchSub(app, sub.id, { active: true });
  await app.webhooks.runOnce();
  t.strictSame(receiver.received.slice(before).map((r) => r.json.data.task.title).sort(), ['B', 'C'], 'B and C once each, A not again');
});

t.test('a delivery ended unsent because its type was taken off, and one whose type was taken off since it failed, go again only once the type is back', async (t) => {
  const { app, clock, receiver, sub, task, rename } = await world(t);
  await rename('Failed, then taken off', '2026-11-28T10:00:00.000Z');
  await outage(app, clock, receiver, sub);
  clock.set('2026-11-28T11:00:00.000Z');
  await patchSub(app, sub.id, { active: true });
  await transition(app, task.id, 'in_progress');
  // Taken off while the status change waits: it ends unsent (notWanted).
  await patchSub(app, sub.id, { events: ['task.created'] });
  const ended = (await deliveries(app, sub.id, '&eventType=task.status_changed'))[0];
  t.match(ended, { status: 'failed', attemptCount: 0, lastError: /^not sent: the subscription stopped receiving this event type/ });

  const none = json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z' }));
  t.match(none, { queued: 0 }, 'neither type is wanted now');
  await patchSub(app, sub.id, { events: ['task.created', 'task.status_changed'] });
  t.match(json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z' })), { queued: 1 }, 'task.status_changed is back: the one ended unsent goes');
  await patchSub(app, sub.id, { events: ['task.created', 'task.status_changed', 'task.updated'] });
  t.match(json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z' })), { queued: 1 }, 'task.updated is back: the failed one goes');
  t.strictSame(
    (await deliveries(app, sub.id, '&origin=redelivery')).map((d) => [d.eventType, d.redeliveryOf]).sort(),
    [['task.status_changed', ended.id], ['task.updated', (await deliveries(app, sub.id, '&eventType=task.updated'))[1].id]].sort(),
  );
});

t.test('a failed test event is not sent again, nor anything older than WEBHOOK_LOG_DAYS; the answer says where the log begins', async (t) => {
  const { app, clock, receiver, sub, rename } = await world(t, ['task.updated'], { webhookLogDays: 10 });
  await rename('Raised, then waited while paused', '2026-11-28T10:00:00.000Z');
  await patchSub(app, sub.id, { active: false });
  const ping = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test` }));
  clock.set(later('2026-11-28T10:00:00.000Z', 11 * DAY));
  await patchSub(app, sub.id, { active: true });
  await outage(app, clock, receiver, sub);
  const failed = await deliveries(app, sub.id, '&status=failed');
  t.strictSame(failed.map((d) => d.eventType).sort(), ['task.updated', 'webhook.test'], 'both failed just now, so are in the log');

  const now = clock().toISOString();
  const res = json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z' }));
  t.strictSame(
    { queued: res.queued, availableFrom: res.availableFrom, gap: res.gap },
    { queued: 0, availableFrom: later(now, -10 * DAY), gap: true },
    'the event was raised 11 days ago, before the 10 days the log keeps; the test event is never sent again in bulk',
  );
  t.match(json(await redeliver(app, sub.id, { since: later(now, -10 * DAY) })), { queued: 0, gap: false });
  const alone = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${ping.id}/redeliver` }));
  t.match(alone, { origin: 'redelivery', redeliveryOf: ping.id }, 'one can still be sent again alone');
});

t.test("an event stored before events kept their organizations is sent again to a ministry's subscription that had it", async (t) => {
  const { app, clock, receiver, sub, byKey, rename } = await world(t);
  await rename('Before 0014', '2026-11-28T10:00:00.000Z');
  await outage(app, clock, receiver, sub);
  // As migration 0014 leaves the rows written before it.
  t.equal(app.sqlite.prepare('UPDATE webhook_events SET organization_ids = NULL').run().changes, 1);
  t.match(json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z' }, byKey.headers)), { queued: 1 }, 'its failed delivery shows it concerned the organization');
});

t.test("refused requests change nothing: another ministry's subscription, no access, unknown subscription, bad windows and limits", async (t) => {
  const { app, clock, receiver, sub, byKey, kzKey, rename } = await world(t);
  await rename('Failed', '2026-11-28T10:00:00.000Z');
  await outage(app, clock, receiver, sub);
  const coChair = await keyFor(app, 'co_chair');
  const observer = await keyFor(app, 'observer');
  const url = `/v1/webhooks/${sub.id}/redeliver`;
  const post = (payload: unknown, headers: Record<string, string> = byKey.headers, to = url) => ({ method: 'POST' as const, url: to, payload: payload as object, headers });
  const since = '2026-11-28T00:00:00Z';

  const other = await refused(t, app, post({ since }, kzKey.headers), 403, 'forbidden');
  t.match(other.detail, 'another organization');
  await refused(t, app, post({ since }, coChair.headers), 403, 'forbidden');
  await refused(t, app, post({ since }, observer.headers), 403, 'forbidden');
  await refused(t, app, post({ since }, {}, `/v1/webhooks/${sub.id}/redeliver`.replace(sub.id, 'not-an-id')), 400, 'validation-failed');
  const missing = await refused(t, app, post({ since }, byKey.headers, `/v1/webhooks/${MISSING_ID}/redeliver`), 404, 'not-found');
  t.match(missing.detail, MISSING_ID);

  const backwards = await refused(t, app, post({ since: '2026-11-28T10:00:00Z', until: '2026-11-28T09:00:00Z' }), 400, 'validation-failed');
  t.match(backwards.errors, [{ path: 'body.until', message: /later than since/ }]);
  await refused(t, app, post({ since: '2026-11-28T10:00:00Z', until: '2026-11-28T13:00:00+03:00' }), 400, 'validation-failed');
  for (const bad of ['2026-11-28', '2026-02-30T00:00:00Z', 'yesterday', '2026-11-28T09:00:00', 1764320400000, null]) {
    const problem = await refused(t, app, post({ since: bad }), 400, 'validation-failed');
    t.match(problem.errors, [{ path: 'body.since' }], `since ${JSON.stringify(bad)} is not an RFC 3339 instant`);
  }
  const badUntil = await refused(t, app, post({ since, until: '2026-12-32T00:00:00Z' }), 400, 'validation-failed');
  t.match(badUntil.errors, [{ path: 'body.until' }]);
  for (const limit of [0, 1001, 2.5, '10']) {
    const problem = await refused(t, app, post({ since, limit }), 400, 'validation-failed');
    t.match(problem.errors, [{ path: 'body.limit' }], `limit ${JSON.stringify(limit)}`);
  }
  await refused(t, app, post({}), 400, 'validation-failed');
  await refused(t, app, post({ since, status: 'failed' }), 400, 'validation-failed');

  t.strictSame(await deliveries(app, sub.id, '&origin=redelivery'), [], 'nothing was queued by any of them');
  t.match(json(await app.inject(post({ since }))), { queued: 1 }, 'the owner’s own request goes through');
});

t.test('the secretariat sends again the failed deliveries of a ministry’s subscription', async (t) => {
  const { app, clock, receiver, sub, rename } = await world(t);
  await rename('Failed', '2026-11-28T10:00:00.000Z');
  await outage(app, clock, receiver, sub);
  t.match(json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z' })), { queued: 1 });
});

t.test('Idempotency-Key: a retried call answers the first result and queues nothing more', async (t) => {
  const { app, clock, receiver, sub, byKey, rename } = await world(t);
  await rename('Failed', '2026-11-28T10:00:00.000Z');
  await outage(app, clock, receiver, sub);
  const headers = { ...byKey.headers, 'idempotency-key': 'redeliver-1' };
  const first = await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z' }, headers);
  t.equal(first.statusCode, 202);
  t.match(json(first), { queued: 1 });
  const before = snapshot(app);
  const retried = await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z' }, headers);
  t.equal(retried.statusCode, 202);
  t.equal(retried.headers['idempotent-replayed'], 'true');
  t.equal(retried.body, first.body, 'the first answer, queued: 1');
  t.strictSame(snapshot(app), before, 'nothing more queued');
  const reused = await refused(t, app, { method: 'POST', url: `/v1/webhooks/${sub.id}/redeliver`, payload: { since: '2026-11-27T00:00:00Z' }, headers }, 422, 'idempotency-key-reused');
  t.ok(reused);
});

t.test('a disabled or paused subscription’s redeliveries wait, and go once it is activated', async (t) => {
  const { app, clock, receiver, sub, rename } = await world(t);
  await rename('First', '2026-11-28T10:00:00.000Z');
  await rename('Second', '2026-11-28T11:00:00.000Z');
  await outage(app, clock, receiver, sub);
  t.match(json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` })), { active: false, disabledReason: /^disabled after 1 failed attempts/ }, 'disabled by the last failure');
  receiver.respond(() => ({ status: 204 }));
  const before = receiver.received.length;

  t.match(json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z', until: '2026-11-28T11:00:00Z' })), { queued: 1 });
  clock.set(later(clock().toISOString(), DAY));
  t.match(await app.webhooks.runOnce(), { attempted: 0 }, 'disabled: nothing is attempted, however long it waits');
  await patchSub(app, sub.id, { active: true });
  t.match(await app.webhooks.runOnce(), { attempted: 1, succeeded: 1 }, 'activated, it goes');

  await patchSub(app, sub.id, { active: false });
  t.match(json(await redeliver(app, sub.id, { since: '2026-11-28T00:00:00Z' })), { queued: 1 }, 'the second, the first being delivered');
  clock.set(later(clock().toISOString(), DAY));
  t.match(await app.webhooks.runOnce(), { attempted: 0 }, 'paused: nothing is attempted');
  await patchSub(app, sub.id, { active: true });
  t.match(await app.webhooks.runOnce(), { attempted: 1, succeeded: 1 });
  t.strictSame(receiver.received.slice(before).map((r) => r.json.data.task.title), ['First', 'Second']);
});

t.test('the look for failed deliveries pages through the window by the events’ (occurredAt, id) index, with no sort', async (t) => {
  const { app, sub } = await world(t);
  const { redeliveryCandidatesQuery } = await import('../../src/modules/webhooks/webhooks.replay-repository.js');
  for (const after of [null, { occurredAt: '2026-11-28T10:00:00.000Z', id: MISSING_ID }]) {
    const query = redeliveryCandidatesQuery(app.db, { subscriptionId: sub.id, types: ['task.updated'], since: '2026-11-28T00:00:00.000Z', until: null, after, limit: 2000 });
    const { sql, params } = query.toSQL();
    const steps = (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    t.notOk(steps.some((d) => /TEMP B-TREE/.test(d)), `no sort: ${steps.join(' | ')}`);
    t.ok(steps.some((d) => /^SEARCH webhook_events USING INDEX webhook_events_occurred_idx/.test(d)), 'a range of the index');
    t.ok(steps.some((d) => /^SEARCH webhook_deliveries USING INDEX webhook_deliveries_event_idx/.test(d)), "each event's deliveries by theirs");
    t.notOk(steps.some((d) => /^SCAN|subscription_idx|due_idx/.test(d)), 'no other read');
  }
});

t.test('a delivery sent again between the look and the write, or whose type was taken off meanwhile, is not queued by the write', async (t) => {
  const { app, clock, receiver, sub, task, rename } = await world(t);
  await rename('Sent again alone meanwhile', '2026-11-28T10:00:00.000Z');
  clock.set('2026-11-28T10:01:00.000Z');
  await transition(app, task.id, 'in_progress');
  await outage(app, clock, receiver, sub);
  const { planRedelivery, queueRedelivery } = await import('../../src/modules/webhooks/webhooks.redelivery.js');
  const { findSubscription } = await import('../../src/modules/webhooks/webhooks.repository.js');
  const { writeTransaction } = await import('../../src/db/connection.js');
  const plan = await planRedelivery(app.db, findSubscription(app.db, sub.id)!, { since: '2026-11-28T00:00:00.000Z', until: null, limit: 1000, retainedFrom: null });
  t.equal(plan.deliveries.length, 2, 'the look finds both');

  const updated = (await deliveries(app, sub.id, '&eventType=task.updated'))[0];
  await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${updated.id}/redeliver` });
  await patchSub(app, sub.id, { events: ['task.updated'] });
  const queued = writeTransaction(app.db, (tx) => queueRedelivery(tx, findSubscription(tx, sub.id)!, plan, clock().toISOString(), null));
  t.equal(queued, 0, 'the one sent again has a delivery waiting; the other is of a type no longer wanted');
  t.equal((await deliveries(app, sub.id, '&origin=redelivery')).length, 1, 'only the single redelivery');
});
