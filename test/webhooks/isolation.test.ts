// Tests that one slow receiver does not hold up the deliveries to others: attempts run side by side, one at a time
// per subscription, each bounded in time from the name look-up to the answer's status; a run does a bounded amount of work.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { writeTransaction } from '../../src/db/connection.js';
import { queueDelivery } from '../../src/modules/webhooks/webhooks.queue.js';
import { json, testClock } from '../helper.js';
import { approvedTask } from '../factories.js';
import { createWebhookWorker } from '../../src/modules/webhooks/webhooks.worker.js';
import { blockedWorker, startReceiver, subscribe, webhookApp } from './receiver.js';

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

t.test('a host whose name server never answers fails the attempt within the timeout instead of holding the run', async (t) => {
  const app = await webhookApp(t, testClock(), { webhookTimeoutMs: 1000 });
  const { task } = await approvedTask(app);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.updated'] });
  // The subscription's host now has a name, and its name server never answers.
  app.sqlite.prepare('UPDATE webhook_subscriptions SET url = ? WHERE id = ?').run(`http://hooks.example:${receiver.port}/`, sub.id);
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed' } });
  const worker = createWebhookWorker({
    db: app.db,
    clock: app.clock,
    log: app.log,
    settings: { ...app.webhooks.settings, retryBaseMs: 30_000, retryMaxMs: 3_600_000 },
    resolve: () => new Promise(() => undefined),
  });
  t.match(await within(worker.runOnce(), 10_000), { attempted: 1, failed: 1 }, 'the run ended');
  const [d] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(d, { status: 'pending', attemptCount: 1, lastError: 'URL refused: the host hooks.example does not resolve (no answer within 1000 ms)' });
  t.equal(receiver.received.length, 0);
});

t.test('stopping the service while an attempt waits for DNS releases it without counting it', async (t) => {
  const app = await webhookApp(t, testClock(), { webhookTimeoutMs: 1000 });
  const { task } = await approvedTask(app);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.updated'] });
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed' } });
  app.sqlite.prepare('UPDATE webhook_subscriptions SET url = ? WHERE id = ?').run(`http://hooks.example:${receiver.port}/`, sub.id);
  const { worker, asked, answer } = blockedWorker(app, { retryBaseMs: 30_000, retryMaxMs: 3_600_000 });
  const run = worker.runOnce();
  await asked;
  // The name server has not answered, and never will before the stop is done: the stop does not wait for it.
  t.not(await within(worker.stop(), 10_000), 'pending', 'the stop ended while the look-up was still unanswered');
  answer();
  t.match(await run, { attempted: 0 });
  t.equal(receiver.received.length, 0, 'nothing was sent after the stop');
  const [d] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(d, { status: 'pending', attemptCount: 0, attempts: [] });
  t.equal(app.sqlite.prepare('SELECT locked_until FROM webhook_deliveries WHERE id = ?').pluck().get(d.id), null, 'released');
});

t.test('an answer whose body trickles in past the timeout is judged by its status, which the log keeps', async (t) => {
  const app = await webhookApp(t, testClock(), { webhookTimeoutMs: 1000 });
  const { task } = await approvedTask(app);
  // Answers at once with the status its path names, then sends a byte every 50 ms and never ends the body.
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(Number(req.url?.slice(1)), { 'content-type': 'text/plain' });
    res.write('working');
    const drip = setInterval(() => res.write('.'), 50);
    res.on('close', () => clearInterval(drip));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const port = (server.address() as AddressInfo).port;
  const accepting = await subscribe(app, { url: `http://127.0.0.1:${port}/200`, events: ['task.updated'] });
  const failing = await subscribe(app, { url: `http://127.0.0.1:${port}/503`, events: ['task.updated'] });
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed' } });

  t.match(await within(app.webhooks.runOnce(), 10_000), { attempted: 2, succeeded: 1, failed: 1 });
  const last = async (id: string) => json(await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries` })).items[0];
  t.match(await last(accepting.id), { status: 'succeeded', attemptCount: 1, lastStatusCode: 200, attempts: [{ responseBody: /^working\.*$/ }] });
  t.match(await last(failing.id), { status: 'pending', attemptCount: 1, lastStatusCode: 503, lastError: 'HTTP 503 Service Unavailable' });
});

t.test('a run attempts at most 500 deliveries; the next run goes on with the rest', async (t) => {
  const app = await webhookApp(t, testClock());
  const { task } = await approvedTask(app);
  const receiver = await startReceiver(t);
  const subs: { id: string }[] = [];
  for (let i = 0; i < 3; i++) subs.push(await subscribe(app, { url: receiver.url, events: ['task.updated'] }));
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed' } });
  // A backlog as after a long outage: the event again and again (redeliveries), 510 deliveries in all.
  const eventId = app.sqlite.prepare('SELECT event_id FROM webhook_deliveries LIMIT 1').pluck().get() as string;
  writeTransaction(app.db, (tx) => {
    for (let i = 0; i < 169; i++) for (const s of subs) queueDelivery(tx, s.id, eventId, app.clock().toISOString(), 'event');
  });
  t.match(await app.webhooks.runOnce(), { attempted: 500, succeeded: 500 });
  t.match(await app.webhooks.runOnce(), { attempted: 10, succeeded: 10 });
  t.equal(receiver.received.length, 510);
});
