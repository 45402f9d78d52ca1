// The delivery log is kept WEBHOOK_LOG_DAYS (default 90) after a delivery ends: then it goes, with its attempts and
// the events no delivery refers to any more. Pending deliveries stay however old; 0 keeps everything.
import t from 'tap';
import { json, snapshot, testClock } from '../helper.js';
import { transition } from '../factories.js';
import { startReceiver, subscribe, webhookApp, world } from './receiver.js';

const DAY = 24 * 3_600_000;
const count = (app: Awaited<ReturnType<typeof webhookApp>>, table: string) =>
  (app.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

t.test('ended deliveries older than WEBHOOK_LOG_DAYS leave the log with their attempts and events; pending ones stay', async (t) => {
  const { app, clock, receiver, sub, task } = await world(t, ['task.status_changed']);
  const log = async (id: string) => json(await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries` }));
  const paused = await subscribe(app, { url: receiver.url, events: ['task.status_changed'], active: false });
  await transition(app, task.id, 'in_progress');
  t.match(await app.webhooks.runOnce(), { attempted: 1, succeeded: 1, pruned: 0 }, 'sent to the active subscription');
  const sentAt = clock().getTime();
  const [sent] = (await log(sub.id)).items;
  const attemptsOf = (id: string) => (app.sqlite.prepare('SELECT count(*) AS n FROM webhook_delivery_attempts WHERE delivery_id = ?').get(id) as { n: number }).n;
  t.equal(attemptsOf(sent.id), 1);
  t.equal((await log(sub.id)).items.length, 1);
  t.equal((await log(paused.id)).items.length, 0, 'a paused subscription queues nothing');

  // A second event that the paused subscription, activated and paused again, keeps pending.
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${paused.id}`, payload: { active: true } });
  receiver.respond(() => ({ status: 503 }));
  await transition(app, task.id, 'on_hold');
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${paused.id}`, payload: { active: false } });
  await app.webhooks.runOnce();
  const pending = (await log(paused.id)).items;
  t.match(pending, [{ status: 'pending' }], 'a delivery waits for the paused subscription');

  clock.set(new Date(sentAt + 90 * DAY - 60_000).toISOString());
  t.equal((await app.webhooks.runOnce()).pruned, 0, 'a minute short of 90 days: kept');
  t.equal((await log(sub.id)).items.length, 2, 'both of the active subscription’s deliveries are still there');

  clock.set(new Date(sentAt + 91 * DAY).toISOString());
  const summary = await app.webhooks.runOnce();
  t.ok(summary.pruned >= 1, `ended deliveries pruned (${summary.pruned})`);
  t.strictSame((await log(sub.id)).items.filter((d: { status: string }) => d.status !== 'pending'), [], 'no ended delivery is left in the log');
  t.match((await log(paused.id)).items, [{ id: pending[0].id, status: 'pending' }], 'the pending one stays, however old');
  t.equal(attemptsOf(sent.id), 0, 'their attempts went with them');
  const orphans = app.sqlite
    .prepare('SELECT count(*) AS n FROM webhook_events e WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)')
    .get() as { n: number };
  t.equal(orphans.n, 0, 'no event is left that no delivery refers to');
  t.equal(count(app, 'webhook_events'), 1, 'the pending delivery’s event stays');
});

t.test('the events of a deleted subscription leave once older than the log’s days', async (t) => {
  const { app, clock, sub, task } = await world(t, ['task.status_changed']);
  await transition(app, task.id, 'in_progress');
  await app.webhooks.runOnce();
  await app.inject({ method: 'DELETE', url: `/v1/webhooks/${sub.id}` });
  t.equal(count(app, 'webhook_deliveries'), 0, 'its deliveries went with it');
  t.equal(count(app, 'webhook_events'), 1, 'its event was left behind');
  clock.set(new Date(clock().getTime() + 89 * DAY).toISOString());
  await app.webhooks.runOnce();
  t.equal(count(app, 'webhook_events'), 1, 'kept for the log’s days');
  clock.set(new Date(clock().getTime() + 2 * DAY).toISOString());
  await app.webhooks.runOnce();
  t.equal(count(app, 'webhook_events'), 0, 'then pruned');
});

t.test('WEBHOOK_LOG_DAYS=0 keeps every delivery and event', async (t) => {
  const clock = testClock();
  const app = await webhookApp(t, clock, { webhookLogDays: 0 });
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.created'] });
  await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test` });
  t.match(await app.webhooks.runOnce(), { succeeded: 1 });
  clock.set(new Date(clock().getTime() + 10_000 * DAY).toISOString());
  const before = snapshot(app);
  t.equal((await app.webhooks.runOnce()).pruned, 0);
  t.strictSame(snapshot(app), before, 'nothing deleted');
  t.equal(count(app, 'webhook_deliveries'), 1);
});
