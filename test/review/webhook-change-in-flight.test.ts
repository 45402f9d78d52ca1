// A subscription changed while the worker's attempt for it waits on the receiver's DNS look-up: what the change
// was answered with must hold from then on (a paused subscription sends nothing; an old URL no longer hears of the
// plan, and its answer is not held against the URL the owner moved to).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { json, testClock } from '../helper.js';
import { approvedTask } from '../factories.js';
import { blockedWorker, startReceiver, subscribe, webhookApp } from '../webhooks/receiver.js';

t.test('a subscription paused while an attempt waits on DNS: nothing is sent after the pause was answered', async (t) => {
  const app = await webhookApp(t, testClock());
  const { task } = await approvedTask(app);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.updated'] });
  app.sqlite.prepare('UPDATE webhook_subscriptions SET url = ? WHERE id = ?').run(`http://hooks.example:${receiver.port}/hooks`, sub.id);
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed' } });

  const { worker, asked, answer } = blockedWorker(app);
  const run = worker.runOnce();
  await asked;
  const paused = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: false } });
  t.equal(paused.statusCode, 200, 'the pause is answered');
  answer();
  await run;
  t.equal(receiver.received.length, 0, 'nothing sent to a subscription paused before the request went out');
});

t.test('a URL changed while an attempt to the old one waits on DNS: the old URL gets nothing, and its 410 does not disable the new one', async (t) => {
  const app = await webhookApp(t, testClock());
  const { task } = await approvedTask(app);
  const old = await startReceiver(t);
  const fresh = await startReceiver(t);
  old.respond(() => ({ status: 410, body: 'gone' }));
  const sub = await subscribe(app, { url: fresh.url, events: ['task.updated'] });
  app.sqlite.prepare('UPDATE webhook_subscriptions SET url = ? WHERE id = ?').run(`http://old.example:${old.port}/hooks`, sub.id);
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed' } });

  const { worker, asked, answer } = blockedWorker(app);
  const run = worker.runOnce();
  await asked;
  // The owner moves the subscription to its new endpoint (an address literal: no look-up).
  const moved = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { url: fresh.url } });
  t.equal(moved.statusCode, 200, 'the move is answered');
  answer();
  await run;
  t.equal(old.received.length, 0, 'the old URL hears nothing after the move was answered');
  const after = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` }));
  t.match(after, { url: fresh.url, active: true, disabledReason: null }, 'the subscription at its new URL is not disabled by the old URL\'s 410');
});

t.test('a URL changed while the request to the old one is under way: the old endpoint\'s 410 does not disable the subscription at its new URL', async (t) => {
  const app = await webhookApp(t, testClock());
  const { task } = await approvedTask(app);
  const fresh = await startReceiver(t);
  const sub = await subscribe(app, { url: fresh.url, events: ['task.updated'] });
  // The old endpoint: while it holds the request, the owner moves the subscription; then it answers 410 Gone.
  const old = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      void app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { url: fresh.url } }).then((moved) => {
        t.equal(moved.statusCode, 200, 'the move is answered while the old endpoint holds the request');
        res.writeHead(410).end('gone');
      });
    });
  });
  await new Promise<void>((r) => old.listen(0, '127.0.0.1', r));
  t.teardown(() => old.close());
  app.sqlite.prepare('UPDATE webhook_subscriptions SET url = ? WHERE id = ?').run(`http://127.0.0.1:${(old.address() as AddressInfo).port}/hooks`, sub.id);
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed' } });

  await app.webhooks.runOnce();
  t.match(json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` })), { url: fresh.url, active: true, disabledReason: null, consecutiveFailures: 0 });
  await app.webhooks.runOnce();
  t.equal(fresh.received.length, 1, 'the event then goes to the new URL');
});

t.test('a redelivery asked for while an attempt of the same delivery is under way keeps its "now" when the attempt fails', async (t) => {
  const clock = testClock();
  const app = await webhookApp(t, clock);
  const { task } = await approvedTask(app);
  const receiver = await startReceiver(t);
  receiver.respond(() => ({ status: 503, body: 'busy' }));
  const sub = await subscribe(app, { url: receiver.url, events: ['task.updated'] });
  app.sqlite.prepare('UPDATE webhook_subscriptions SET url = ? WHERE id = ?').run(`http://hooks.example:${receiver.port}/hooks`, sub.id);
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed' } });
  const [delivery] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;

  const { worker, asked, answer } = blockedWorker(app);
  const run = worker.runOnce();
  await asked;
  clock.set(new Date(clock().getTime() + 5_000).toISOString());
  const again = await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${delivery.id}/redeliver` });
  t.equal(again.statusCode, 202, 'the redelivery is accepted');
  answer();
  await run;
  const after = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries/${delivery.id}` }));
  t.match(after, { status: 'pending', attemptCount: 1, lastStatusCode: 503 }, 'the attempt failed');
  t.ok(after.nextAttemptAt <= clock().toISOString(), `due at once, as asked (${after.nextAttemptAt}), not after the backoff`);
});
