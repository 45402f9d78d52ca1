// Tests of POST /v1/webhooks/{id}/replay: a subscription paused or disabled catches up on the events it missed, by the
// rule of raise time (its types, its organization), each under its own webhook-id, at most `limit` per call; the answer
// says when the log cannot hold the whole window. Refused requests change nothing.
import t, { type Test } from 'tap';
import { json, keyFor, refused, snapshot, testClock } from '../helper.js';
import { approvePlan, createTask, seedPlan, transition } from '../factories.js';
import { signatureValid, startReceiver, subscribe, webhookApp } from './receiver.js';

const DAY = 24 * 3_600_000;
const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';
const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** An approved plan with task 1.1 (both ministries) and 1.2 (Kazakhstan's only), a ministry key per side. */
async function plan(t: Test, options: { clock?: ReturnType<typeof testClock>; config?: Record<string, unknown> } = {}) {
  const clock = options.clock ?? testClock();
  const app = await webhookApp(t, clock, options.config);
  const seed = await seedPlan(app);
  const both = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-12-31', assignees: seed.assignees });
  const kzOnly = await createTask(app, { planId: seed.plan.id, code: '1.2', dueDate: '2026-12-31', assignees: [{ organizationId: seed.kz.id, role: 'lead' }] });
  await approvePlan(app, seed.plan.id);
  const byKey = await keyFor(app, 'ministry', seed.by.id);
  const kzKey = await keyFor(app, 'ministry', seed.kz.id);
  return { app, clock, ...seed, both, kzOnly, byKey, kzKey };
}

const replay = (app: Awaited<ReturnType<typeof webhookApp>>, id: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/v1/webhooks/${id}/replay`, payload: payload as object, headers });

const deliveries = async (app: Awaited<ReturnType<typeof webhookApp>>, id: string, headers: Record<string, string> = {}) =>
  json(await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries?limit=200`, headers })).items as any[];

t.test("a ministry's paused subscription replays what happened while it was paused: its organization's events only, sent once it is activated, under their own webhook-id", async (t) => {
  const { app, clock, both, kzOnly, byKey } = await plan(t);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.status_changed', 'task.updated'] }, byKey.headers);
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: false }, headers: byKey.headers });

  clock.set('2026-11-28T10:00:00.000Z');
  await transition(app, both.id, 'in_progress');
  await transition(app, kzOnly.id, 'in_progress');
  clock.set('2026-11-28T11:00:00.000Z');
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${both.id}`, payload: { title: 'Raised while paused' } });
  await app.webhooks.runOnce();
  t.equal(receiver.received.length, 0, 'nothing is sent while paused');
  t.strictSame(await deliveries(app, sub.id, byKey.headers), [], 'and nothing was queued');

  clock.set('2026-12-01T08:00:00.000Z');
  const res = await replay(app, sub.id, { since: '2026-11-28T00:00:00+03:00' }, byKey.headers);
  t.equal(res.statusCode, 202, res.body);
  t.strictSame(json(res), {
    subscriptionId: sub.id,
    since: '2026-11-27T21:00:00.000Z',
    until: null,
    queued: 2,
    more: false,
    continueFrom: null,
    availableFrom: sub.createdAt,
    gap: true,
  }, 'two events of task 1.1; the window starts before the subscription existed, so it may miss events');
  const queued = await deliveries(app, sub.id, byKey.headers);
  t.strictSame(queued.map((d) => [d.eventType, d.occurredAt, d.status]).sort(), [
    ['task.status_changed', '2026-11-28T10:00:00.000Z', 'pending'],
    ['task.updated', '2026-11-28T11:00:00.000Z', 'pending'],
  ]);

  await app.webhooks.runOnce();
  t.equal(receiver.received.length, 0, 'a paused subscription keeps them waiting');

  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: true }, headers: byKey.headers });
  await app.webhooks.runOnce();
  t.equal(receiver.received.length, 2, 'activated, it receives them');
  t.strictSame(receiver.received.map((r) => [r.json.type, r.json.timestamp, r.json.data.task.code]), [
    ['task.status_changed', '2026-11-28T10:00:00.000Z', '1.1'],
    ['task.updated', '2026-11-28T11:00:00.000Z', '1.1'],
  ], 'oldest first, each as raised: its own timestamp, not the replay’s');
  t.strictSame(
    receiver.received.map((r) => r.headers['webhook-id']).sort(),
    queued.map((d) => d.eventId).sort(),
    'the webhook-id of each is its event id',
  );
  t.ok(receiver.received.every((r) => r.documented && signatureValid(sub.secret, r, clock())), 'signed, and as documented');

  const again = json(await replay(app, sub.id, { since: '2026-11-28T00:00:00Z' }, byKey.headers));
  t.match(again, { queued: 0, more: false }, 'a second replay of the window queues nothing: each event has its delivery');
});

t.test('a subscription disabled after failures replays the events raised while it was disabled, once activated', async (t) => {
  const { app, clock, both } = await plan(t);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.status_changed'] });
  receiver.respond(() => ({ status: 410 }));
  await transition(app, both.id, 'in_progress');
  await app.webhooks.runOnce();
  t.match(json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` })), { active: false, disabledReason: /410 Gone/ });

  clock.set('2026-11-28T12:00:00.000Z');
  await transition(app, both.id, 'done');
  await app.webhooks.runOnce();
  t.equal(receiver.received.length, 1, 'the event raised while disabled is not sent');

  receiver.respond(() => ({ status: 204 }));
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: true } });
  const res = json(await replay(app, sub.id, { since: sub.createdAt }));
  t.match(res, { queued: 1, gap: false }, 'only the missed one: the failed delivery is the redeliver route’s');
  await app.webhooks.runOnce();
  t.strictSame(receiver.ofType('task.status_changed').slice(1).map((r) => r.json.data.task.status), ['done']);
});

t.test('what a paused subscription would receive is kept for it; what no subscription wants is not stored', async (t) => {
  const { app, both, kzOnly, by, kz, byKey } = await plan(t);
  const sub = await subscribe(app, { url: 'http://127.0.0.1:9/hooks', events: ['task.status_changed'], active: false }, byKey.headers);
  const events = () => app.sqlite.prepare('SELECT type, task_id AS taskId, organization_ids AS organizationIds FROM webhook_events ORDER BY rowid').all();
  await transition(app, kzOnly.id, 'in_progress');
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${both.id}`, payload: { title: 'A type it does not take' } });
  t.strictSame(events(), [], "another organization's task and a type it does not take: nothing stored");
  await transition(app, both.id, 'in_progress');
  const stored = events() as { organizationIds: string }[];
  t.equal(stored.length, 1, 'its own organization’s status change is kept');
  t.match(stored[0], { type: 'task.status_changed', taskId: both.id });
  t.strictSame(JSON.parse(stored[0]!.organizationIds).sort(), [by.id, kz.id].sort(), 'with the organizations it concerns');
  t.equal(app.sqlite.prepare('SELECT count(*) FROM webhook_deliveries').pluck().get(), 0, 'and queued for no one');
  t.match(json(await replay(app, sub.id, { since: sub.createdAt }, byKey.headers)), { queued: 1 });
});

t.test('a window with more events than the limit is replayed in parts, events of one instant included, and never twice', async (t) => {
  const clock = testClock();
  const app = await webhookApp(t, clock);
  const seed = await seedPlan(app);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.created'], active: false });
  for (const code of ['1.1', '1.2', '1.3']) await createTask(app, { planId: seed.plan.id, code, dueDate: '2026-12-31', assignees: seed.assignees });
  clock.set('2026-11-28T10:00:00.000Z');
  await approvePlan(app, seed.plan.id);

  const first = json(await replay(app, sub.id, { since: sub.createdAt, limit: 2 }));
  t.match(first, { queued: 2, more: true, continueFrom: '2026-11-28T10:00:00.000Z' }, 'three events of one instant: two now, and where to go on');
  const second = json(await replay(app, sub.id, { since: first.continueFrom, limit: 2 }));
  t.match(second, { queued: 1, more: false, continueFrom: null }, 'the rest, though it shares its instant with those queued');
  t.match(json(await replay(app, sub.id, { since: sub.createdAt, limit: 2 })), { queued: 0, more: false }, 'then nothing is left');
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: true } });
  await app.webhooks.runOnce();
  t.strictSame(receiver.received.map((r) => r.json.data.task.code).sort(), ['1.1', '1.2', '1.3'], 'each task once');
  t.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 3);
});

t.test('the answer tells of a gap: events older than WEBHOOK_LOG_DAYS are pruned, and a subscription widened later has no record of what it did not want', async (t) => {
  const { app, clock, both } = await plan(t);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.status_changed'], active: false });
  await transition(app, both.id, 'in_progress');
  const raised = clock().toISOString();

  clock.set(later(raised, 91 * DAY));
  await app.webhooks.runOnce();
  const res = json(await replay(app, sub.id, { since: raised }));
  t.strictSame(
    { queued: res.queued, availableFrom: res.availableFrom, gap: res.gap },
    { queued: 0, availableFrom: later(raised, DAY), gap: true },
    'pruned after 90 days: nothing to queue, and the answer says the log holds only the last 90 days',
  );

  await transition(app, both.id, 'done');
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { events: ['task.status_changed', 'task.updated'] } });
  const widened = clock().toISOString();
  const after = json(await replay(app, sub.id, { since: later(raised, 90 * DAY) }));
  t.match(after, { queued: 1, availableFrom: widened, gap: true }, 'what it wanted before is replayed; a type just added has no past');
  t.match(json(await replay(app, sub.id, { since: widened })), { queued: 0, gap: false }, 'from the widening on, the window is whole');
});

t.test('Idempotency-Key: a retried replay answers the first result and queues nothing more', async (t) => {
  const { app, both } = await plan(t);
  const sub = await subscribe(app, { url: 'http://127.0.0.1:9/hooks', events: ['task.status_changed'], active: false });
  await transition(app, both.id, 'in_progress');
  const headers = { 'idempotency-key': 'replay-1' };
  const first = await replay(app, sub.id, { since: sub.createdAt }, headers);
  t.equal(first.statusCode, 202);
  const before = snapshot(app);
  const retried = await replay(app, sub.id, { since: sub.createdAt }, headers);
  t.equal(retried.statusCode, 202);
  t.equal(retried.headers['idempotent-replayed'], 'true');
  t.equal(retried.body, first.body, 'the first answer, queued: 1');
  t.match(json(retried), { queued: 1 });
  t.strictSame(snapshot(app), before, 'nothing more queued');
});

t.test('refused replays change nothing: unknown subscription, another ministry’s, a bad window, a window too large, no access', async (t) => {
  const { app, both, byKey, kzKey } = await plan(t);
  const coChair = await keyFor(app, 'co_chair');
  const sub = await subscribe(app, { url: 'http://127.0.0.1:9/hooks', events: ['task.status_changed'], active: false }, byKey.headers);
  await transition(app, both.id, 'in_progress');
  const url = `/v1/webhooks/${sub.id}/replay`;
  const post = (payload: unknown, headers: Record<string, string> = byKey.headers, to = url) =>
    ({ method: 'POST' as const, url: to, payload: payload as object, headers });
  const since = sub.createdAt;

  const missing = await refused(t, app, post({ since }, byKey.headers, `/v1/webhooks/${MISSING_ID}/replay`), 404, 'not-found');
  t.match(missing.detail, MISSING_ID);
  const other = await refused(t, app, post({ since }, kzKey.headers), 403, 'forbidden');
  t.match(other.detail, 'another organization');
  await refused(t, app, post({ since }, coChair.headers), 403, 'forbidden');
  const backwards = await refused(t, app, post({ since: '2026-11-28T10:00:00Z', until: '2026-11-28T09:00:00Z' }), 400, 'validation-failed');
  t.match(backwards.errors, [{ path: 'body.until', message: /later than since/ }]);
  await refused(t, app, post({ since: '2026-11-28T10:00:00Z', until: '2026-11-28T13:00:00+03:00' }), 400, 'validation-failed');
  for (const bad of ['2026-11-28', '2026-02-30T00:00:00Z', 'yesterday', '2026-11-28T09:00:00', 1764320400000]) {
    const problem = await refused(t, app, post({ since: bad }), 400, 'validation-failed');
    t.match(problem.errors, [{ path: 'body.since' }], `since ${JSON.stringify(bad)} is not an RFC 3339 instant`);
  }
  const tooLarge = await refused(t, app, post({ since, limit: 1001 }), 400, 'validation-failed');
  t.match(tooLarge.errors, [{ path: 'body.limit' }], 'more than 1,000 deliveries in one call');
  await refused(t, app, post({ since, limit: 0 }), 400, 'validation-failed');
  await refused(t, app, post({}), 400, 'validation-failed');
  await refused(t, app, post({ since, eventTypes: ['task.created'] }), 400, 'validation-failed');

  t.strictSame(await deliveries(app, sub.id, byKey.headers), [], 'no delivery was queued by any of them');
  t.match(json(await app.inject(post({ since }))), { queued: 1 }, 'the owner’s own request goes through');
});

t.test('the secretariat replays a ministry’s subscription; a subscription for every organization gets every organization’s events', async (t) => {
  const { app, both, kzOnly, byKey } = await plan(t);
  const own = await subscribe(app, { url: 'http://127.0.0.1:9/a', events: ['task.status_changed'], active: false }, byKey.headers);
  const all = await subscribe(app, { url: 'http://127.0.0.1:9/b', events: ['task.status_changed'], active: false });
  await transition(app, both.id, 'in_progress');
  await transition(app, kzOnly.id, 'in_progress');
  t.match(json(await replay(app, own.id, { since: own.createdAt })), { queued: 1 }, "the ministry's subscription, replayed by the secretariat: its organization's task only");
  t.match(json(await replay(app, all.id, { since: all.createdAt })), { queued: 2 }, 'for every organization: both');
});

t.test('an event stored before events kept their organizations is replayed only to subscriptions for every organization', async (t) => {
  const { app, both, byKey } = await plan(t);
  const own = await subscribe(app, { url: 'http://127.0.0.1:9/a', events: ['task.status_changed'], active: false }, byKey.headers);
  const all = await subscribe(app, { url: 'http://127.0.0.1:9/b', events: ['task.status_changed'], active: false });
  await transition(app, both.id, 'in_progress');
  // As migration 0014 leaves the rows written before it.
  t.equal(app.sqlite.prepare('UPDATE webhook_events SET organization_ids = NULL').run().changes, 1);
  t.match(json(await replay(app, own.id, { since: own.createdAt })), { queued: 0 }, 'whom it concerned is unknown: not to a ministry');
  t.match(json(await replay(app, all.id, { since: all.createdAt })), { queued: 1 }, 'the secretariat’s, which gets every event, has it');
});

t.test('a replay reaching back past WEBHOOK_LOG_DAYS does not send again an event whose delivery was pruned, though another subscription still holds the event', async (t) => {
  const { app, clock, both } = await plan(t);
  const receiver = await startReceiver(t);
  const a = await subscribe(app, { url: receiver.url, events: ['task.status_changed'] });
  const b = await subscribe(app, { url: 'http://127.0.0.1:9/b', events: ['task.status_changed'] });
  await transition(app, both.id, 'in_progress');
  const raised = clock().toISOString();
  // B is paused before its delivery went out: that delivery stays pending, and with it the event.
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${b.id}`, payload: { active: false } });
  await app.webhooks.runOnce();
  t.equal(receiver.received.length, 1, 'A received the event');
  const id = receiver.received[0]!.headers['webhook-id'];

  clock.set(later(raised, 91 * DAY));
  await app.webhooks.runOnce();
  t.strictSame(await deliveries(app, a.id), [], "A's delivery ended more than 90 days ago: pruned");
  t.equal(app.sqlite.prepare('SELECT count(*) FROM webhook_events WHERE id = ?').pluck().get(id), 1, "the event stays, B's delivery still waits");

  const res = json(await replay(app, a.id, { since: raised }));
  t.match(res, { queued: 0, gap: true, availableFrom: later(raised, DAY) }, 'before availableFrom nothing is replayed: A had it, and its receiver kept its id only 90 days');
  await app.webhooks.runOnce();
  t.equal(receiver.received.length, 1, 'not sent twice');
});

t.test('paused subscriptions cost every write one interest per organization, however many there are and however they list their types', async (t) => {
  const { app, both, by, byKey } = await plan(t);
  const { inactiveInterests } = await import('../../src/modules/webhooks/webhooks.repository.js');
  const types = ['task.created', 'task.updated', 'task.status_changed', 'report.submitted', 'plan.closed'];
  // Every order of two of them, and the five alone: 25 paused subscriptions of one ministry (at most 50 are allowed).
  const lists: string[][] = types.map((x) => [x]);
  for (const x of types) for (const y of types) if (x !== y) lists.push([x, y]);
  for (const events of lists) await subscribe(app, { url: 'http://127.0.0.1:9/hooks', events, active: false }, byKey.headers);
  await subscribe(app, { url: 'http://127.0.0.1:9/all', events: ['deadline_change.decided'], active: false });

  const interests = inactiveInterests(app.db);
  t.equal(interests.length, 2, 'one for the ministry, one for every organization');
  t.strictSame(interests.find((i) => i.organizationId === by.id)?.events.sort(), [...types].sort(), 'with every type one of them lists');
  t.strictSame(interests.find((i) => i.organizationId === null)?.events, ['deadline_change.decided']);

  await app.inject({ method: 'PATCH', url: `/v1/tasks/${both.id}`, payload: { title: 'Kept for the paused ones' } });
  t.equal(app.sqlite.prepare("SELECT count(*) FROM webhook_events WHERE type = 'task.updated'").pluck().get(), 1, 'an event one of them would receive is still kept');
  await transition(app, both.id, 'in_progress');
  t.equal(app.sqlite.prepare("SELECT count(*) FROM webhook_events WHERE type = 'task.status_changed'").pluck().get(), 1);
});

t.test('thousands of events of one instant, more than a page of the scan, are replayed in parts by continueFrom: each once, and the paging ends', async (t) => {
  const { app, by, kz, byKey } = await plan(t);
  const sub = await subscribe(app, { url: 'http://127.0.0.1:9/hooks', events: ['task.created'], active: false }, byKey.headers);
  // As a plan approval leaves them: 4,500 task.created of one instant, BY's and KZ's in turn (ids not in that order).
  const at = '2026-11-28T10:00:00.000Z';
  const insert = app.sqlite.prepare("INSERT INTO webhook_events (id, type, occurred_at, body, organization_ids) VALUES (?, 'task.created', ?, '{}', ?)");
  app.sqlite.transaction(() => {
    for (let i = 0; i < 4_500; i += 1) insert.run(`019a7c2e-${String((i * 7_919) % 4_500).padStart(4, '0')}-7000-8000-${String(i).padStart(12, '0')}`, at, JSON.stringify([i % 2 ? by.id : kz.id]));
  })();
  const ours = app.sqlite.prepare('SELECT id FROM webhook_events WHERE organization_ids LIKE ? ORDER BY id').pluck().all(`%${by.id}%`);
  t.equal(ours.length, 2_250);

  const answers = [];
  let body: Record<string, unknown> = { since: sub.createdAt, limit: 1000 };
  for (let call = 0; call < 10; call += 1) {
    const res = json(await replay(app, sub.id, body, byKey.headers));
    answers.push([res.queued, res.more, res.continueFrom]);
    if (!res.more) break;
    body = { since: res.continueFrom, limit: 1000 };
  }
  t.strictSame(answers, [[1000, true, at], [1000, true, at], [250, false, null]], 'three calls from the same instant, then done');
  const queued = app.sqlite.prepare('SELECT event_id FROM webhook_deliveries WHERE subscription_id = ? ORDER BY event_id').pluck().all(sub.id);
  t.strictSame(queued, ours, "each of BY's events once, none of KZ's");

  // Each page of the scan seeks to where the last ended, in the order of an index: no sort of the instant's events.
  const { replayCandidatesQuery } = await import('../../src/modules/webhooks/webhooks.replay-repository.js');
  for (const after of [null, { occurredAt: at, id: String(ours[0]) }]) {
    const { sql, params } = replayCandidatesQuery(app.db, { subscriptionId: sub.id, types: ['task.created'], since: sub.createdAt, until: null, after, limit: 2000 }).toSQL();
    const steps = (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    t.notOk(steps.some((d) => /TEMP B-TREE/.test(d)), `no sort: ${steps.join(' | ')}`);
    t.ok(steps.some((d) => /^SEARCH webhook_events USING INDEX webhook_events_occurred_idx \((\(occurred_at,id\)>\(\?,\?\)|occurred_at>\?)\)/.test(d)), 'a range of the index');
  }
});
