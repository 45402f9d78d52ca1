// Tests that one slow receiver does not hold up the deliveries to others: attempts run side by side, one at a time
// per subscription, each bounded in time from the name look-up to the last byte.
import t from 'tap';
import { json, testClock } from '../helper.js';
import { approvedTask } from '../factories.js';
import { startReceiver, subscribe, webhookApp } from './receiver.js';

/** The promise's value, or 'pending' when it has not settled within `ms`. */
const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms).unref())]);

t.test('a receiver that never answers does not delay the deliveries to another receiver queued behind its backlog', async (t) => {
  const app = await webhookApp(t, testClock(), { webhookTimeoutMs: 30_000 });
  const { task } = await approvedTask(app);
  const stuck = await startReceiver(t);
  const healthy = await startReceiver(t);
  stuck.respond(() => ({ status: 200, delayMs: 120_000 }));
  await subscribe(app, { url: stuck.url, events: ['task.updated'] });
  // A backlog for the stuck receiver, due before anything for the healthy one.
  for (let i = 0; i < 8; i++) await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: `Backlog ${i}` } });
  const sub = await subscribe(app, { url: healthy.url, events: ['task.updated'] });
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'For both' } });

  const run = app.webhooks.runOnce();
  t.ok(await healthy.waitFor(1, 10_000), 'the healthy receiver got its event while the stuck one held its requests');
  t.equal(stuck.received.length, 1, 'one attempt at a time to the stuck receiver');
  const status = async () => json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items[0].status;
  for (let i = 0; i < 250 && (await status()) !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(await status(), 'succeeded', 'and its delivery is recorded as succeeded');

  // The stuck receiver goes away: the rest of its backlog fails fast and the run ends.
  await stuck.close();
  const summary = await within(run, 20_000);
  t.not(summary, 'pending', 'the run ended');
  t.match(summary, { attempted: 10, succeeded: 1, failed: 9 });
});
