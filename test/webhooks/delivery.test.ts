// Tests of delivery: retries with backoff until a 2xx, the delivery log, disabling after repeated failure with its
// reason, manual redelivery, no redirects, time limits, URL checks at delivery time, and secret rotation.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { writeTransaction } from '../../src/db/connection.js';
import { retryDelayMs } from '../../src/modules/webhooks/webhooks.retry.js';
import { unwantedDeliveriesUpdate } from '../../src/modules/webhooks/webhooks.outbox-repository.js';
import { json, testClock } from '../helper.js';
import { approvedTask, transition } from '../factories.js';
import { signatureValid, startReceiver, subscribe, webhookApp, world } from './receiver.js';

const HOUR = 3_600_000;
const NOW = '2026-11-28T09:00:00.000Z';
const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

t.test('a receiver that fails twice gets the event on the third attempt, after growing delays; the log shows each attempt', async (t) => {
  const { app, clock, receiver, sub, task } = await world(t, ['task.status_changed']);
  let calls = 0;
  receiver.respond(() => (++calls <= 2 ? { status: 503, body: 'Service Unavailable: maintenance' } : { status: 204 }));
  await transition(app, task.id, 'in_progress');

  t.match(await app.webhooks.runOnce(), { attempted: 1, failed: 1 });
  let [delivery] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(delivery, { status: 'pending', attemptCount: 1, lastStatusCode: 503, lastError: 'HTTP 503 Service Unavailable' });
  const firstWait = Date.parse(delivery.nextAttemptAt) - clock().getTime();
  t.ok(firstWait >= 15_000 && firstWait <= 30_000, `first retry after 15–30 s (${firstWait} ms)`);
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'not before it is due');

  clock.set(delivery.nextAttemptAt);
  await app.webhooks.runOnce();
  [delivery] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(delivery, { status: 'pending', attemptCount: 2 });
  const secondWait = Date.parse(delivery.nextAttemptAt) - clock().getTime();
  t.ok(secondWait >= 30_000 && secondWait <= 60_000, `second retry after 30–60 s (${secondWait} ms)`);
  const midway = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` }));
  t.match(midway, { active: true, consecutiveFailures: 2, failingSince: '2026-11-28T09:00:00.000Z' });

  clock.set(delivery.nextAttemptAt);
  await app.webhooks.runOnce();
  [delivery] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(delivery, { status: 'succeeded', attemptCount: 3, nextAttemptAt: null, lastStatusCode: 204, lastError: null, completedAt: clock().toISOString() });
  t.strictSame(
    delivery.attempts.map((a: any) => [a.statusCode, a.error, a.responseBody]),
    [
      [503, 'HTTP 503 Service Unavailable', 'Service Unavailable: maintenance'],
      [503, 'HTTP 503 Service Unavailable', 'Service Unavailable: maintenance'],
      [204, null, null],
    ],
  );
  t.equal(receiver.received.length, 3);
  t.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 1, 'one webhook-id across retries');
  t.ok(receiver.received.every((r) => r.body === receiver.received[0]!.body), 'one body across retries');
  t.ok(signatureValid(sub.secret, receiver.received[2]!, clock()), 'each attempt signed at its own time');
  t.match(json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` })), { consecutiveFailures: 0, failingSince: null, lastSuccessAt: clock().toISOString() });
  const succeeded = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?status=succeeded&eventType=task.status_changed` }));
  t.equal(succeeded.items.length, 1, 'the log filters by status and type');
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?status=failed` })).items.length, 0);
});

t.test('backoff: equal jitter over a doubling window, capped at 6 hours', async (t) => {
  const settings = { retryBaseMs: 30_000, retryMaxMs: 6 * HOUR };
  t.equal(retryDelayMs(1, settings, () => 0), 15_000);
  t.equal(retryDelayMs(1, settings, () => 1), 30_000);
  t.equal(retryDelayMs(4, settings, () => 1), 240_000);
  t.equal(retryDelayMs(11, settings, () => 1), 6 * HOUR, 'capped');
  t.equal(retryDelayMs(30, settings, () => 0), 3 * HOUR);
  const minimum = Array.from({ length: 11 }, (_, i) => retryDelayMs(i + 1, settings, () => 0)).reduce((a, b) => a + b, 0);
  t.ok(minimum > 7 * HOUR, `12 attempts span at least ${(minimum / HOUR).toFixed(1)} h`);
});

t.test('after every attempt failed with nothing delivered meanwhile, the subscription is disabled with the reason; re-activated, it resumes', async (t) => {
  const { app, clock, receiver, sub, task } = await world(t, ['task.status_changed', 'task.updated']);
  receiver.respond(() => ({ status: 500, body: 'Internal Server Error' }));
  await transition(app, task.id, 'in_progress');
  await app.webhooks.runOnce();
  for (let i = 0; i < 11; i++) {
    const [d] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
    t.equal(d.status, 'pending', `pending after ${d.attemptCount} attempts`);
    clock.set(d.nextAttemptAt);
    await app.webhooks.runOnce();
  }
  const [failed] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(failed, { status: 'failed', attemptCount: 12, nextAttemptAt: null, lastStatusCode: 500 });
  t.equal(receiver.received.length, 12, 'twelve attempts by default');
  const span = Date.parse(failed.completedAt) - Date.parse('2026-11-28T09:00:00.000Z');
  t.ok(span > 7 * HOUR, `over ${(span / HOUR).toFixed(1)} hours`);
  const disabled = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` }));
  t.match(disabled, { active: false, consecutiveFailures: 12, disabledAt: failed.completedAt });
  t.match(disabled.disabledReason, /^disabled after 12 failed attempts over \d+\.\d h to deliver event [0-9a-f-]{36} with no successful delivery since 2026-11-28T09:00:00\.000Z; last: HTTP 500 Internal Server Error/);
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/webhooks?active=false` })).items.length, 1, 'listed as inactive');

  // Disabled: new events are not queued for it, and nothing is attempted.
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'While disabled' } });
  const ping = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test` }));
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'a disabled subscription gets no attempts');

  receiver.respond(() => ({ status: 200 }));
  const again = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${failed.id}/redeliver` }));
  t.match(again, { status: 'pending', redeliveryOf: failed.id });
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'a redelivery waits for the subscription to be active');
  const reactivated = json(await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: true } }));
  t.match(reactivated, { active: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0, failingSince: null });
  t.match(await app.webhooks.runOnce(), { attempted: 2, succeeded: 2 }, 'the ping and the redelivery go out');
  t.strictSame(receiver.received.slice(12).map((r) => r.json.type).sort(), ['task.status_changed', 'webhook.test']);
  const log = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?limit=2` }));
  t.strictSame(log.items.map((d: any) => d.id), [again.id, ping.id], 'newest first');
  t.ok(log.nextCursor, 'paginated');
  const rest = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?limit=2&cursor=${log.nextCursor}` }));
  t.strictSame(rest.items.map((d: any) => d.id), [failed.id]);
  t.equal(rest.nextCursor, null);
});

t.test('one delivery failing while others get through does not disable the subscription', async (t) => {
  const { app, clock, receiver, sub, task } = await world(t, ['task.status_changed', 'task.updated']);
  // The receiver cannot digest status changes, but takes updates.
  receiver.respond((r) => (r.json.type === 'task.status_changed' ? { status: 422, body: 'unknown field' } : { status: 200 }));
  await transition(app, task.id, 'in_progress');
  for (let i = 0; i < 12; i++) {
    await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: `Title ${i}` } });
    await app.webhooks.runOnce();
    const failing = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?eventType=task.status_changed` })).items[0];
    if (failing.status !== 'pending') break;
    clock.set(failing.nextAttemptAt);
  }
  const [failed] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?eventType=task.status_changed` })).items;
  t.equal(failed.status, 'failed');
  t.match(json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` })), { active: true, disabledReason: null });
});

t.test('410 Gone disables at once; redirects are not followed; a slow receiver times out', async (t) => {
  const app = await webhookApp(t, testClock(), { webhookTimeoutMs: 1000 });
  const { task } = await approvedTask(app);
  const gone = await startReceiver(t);
  const moved = await startReceiver(t);
  const slow = await startReceiver(t);
  gone.respond(() => ({ status: 410, body: 'gone' }));
  moved.respond(() => ({ status: 301, headers: { location: 'http://169.254.169.254/latest' } }));
  slow.respond(() => ({ status: 200, delayMs: 3000 }));
  const subs = {
    gone: await subscribe(app, { url: gone.url, events: ['task.status_changed'] }),
    moved: await subscribe(app, { url: moved.url, events: ['task.status_changed'] }),
    slow: await subscribe(app, { url: slow.url, events: ['task.status_changed'] }),
  };
  await transition(app, task.id, 'in_progress');
  t.match(await app.webhooks.runOnce(), { attempted: 3, failed: 3 });
  const last = async (id: string) => json(await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries` })).items[0];

  t.match(await last(subs.gone.id), { status: 'failed', attemptCount: 1, lastStatusCode: 410 });
  const goneSub = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${subs.gone.id}` }));
  t.match(goneSub, { active: false, disabledReason: /410 Gone/ });

  const redirect = await last(subs.moved.id);
  t.match(redirect, { status: 'pending', lastStatusCode: 301 });
  t.match(redirect.lastError, /redirects are not followed \(to http:\/\/169\.254\.169\.254\/latest\)/);
  t.equal(moved.received.length, 1, 'the redirect target was never asked');

  const timedOut = await last(subs.slow.id);
  t.match(timedOut, { status: 'pending', lastStatusCode: null, lastError: 'no answer within 1000 ms' });
  t.ok(timedOut.attempts[0].durationMs >= 900 && timedOut.attempts[0].durationMs < 3000, `gave up after ${timedOut.attempts[0].durationMs} ms`);
});

t.test('a long answer is cut in the log; connection errors are logged', async (t) => {
  const { app, clock, receiver, sub, task } = await world(t, ['task.status_changed']);
  receiver.respond(() => ({ status: 400, body: 'x'.repeat(50_000) }));
  await transition(app, task.id, 'in_progress');
  await app.webhooks.runOnce();
  let [d] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.equal(d.attempts[0].responseBody.length, 1000, 'the first 1000 characters');
  await receiver.close();
  clock.set(d.nextAttemptAt);
  await app.webhooks.runOnce();
  [d] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(d.attempts[1], { statusCode: null, error: /ECONNREFUSED/ });
});

t.test('a status outside HTTP\'s 100–599 (799, 099) is no valid answer: the attempt fails with statusCode null and the log still reads as documented', async (t) => {
  const app = await webhookApp(t);
  const { task } = await approvedTask(app);
  const received: string[] = [];
  const subs: Record<string, { id: string }> = {};
  for (const code of ['799', '099']) {
    // Node's HTTP client takes any three digits as a status; RFC 9110 §15: values outside 100..599 are invalid.
    const server = createNetServer((socket) => {
      socket.once('data', () => {
        received.push(code);
        socket.end(`HTTP/1.1 ${code} Odd\r\ncontent-length: 4\r\nconnection: close\r\n\r\nodd!`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.teardown(() => new Promise<void>((r) => server.close(() => r())));
    subs[code] = await subscribe(app, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, events: ['task.status_changed'] });
  }
  await transition(app, task.id, 'in_progress');
  t.match(await app.webhooks.runOnce(), { attempted: 2, succeeded: 0, failed: 2 });
  t.same(received.sort(), ['099', '799']);
  for (const code of ['799', '099']) {
    const res = await app.inject({ method: 'GET', url: `/v1/webhooks/${subs[code]!.id}/deliveries` });
    t.equal(res.statusCode, 200, `the log of the subscription answered ${code} reads (${res.body.slice(0, 200)})`);
    const [d] = json(res).items;
    t.match(d, { status: 'pending', attemptCount: 1, lastStatusCode: null, lastError: `not a valid HTTP status: ${Number(code)}` });
    t.match(d.attempts[0], { statusCode: null, error: `not a valid HTTP status: ${Number(code)}`, responseBody: 'odd!' });
    const one = await app.inject({ method: 'GET', url: `/v1/webhooks/${subs[code]!.id}/deliveries/${d.id}` });
    t.equal(one.statusCode, 200);
  }
});

t.test('the URL is checked again at delivery time: a private address is refused where the service does not allow it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-webhooks-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'tracker.db');
  const clock = testClock();
  const receiver = await startReceiver(t);

  const lenient = await webhookApp(t, clock, { databasePath });
  const { task } = await approvedTask(lenient);
  const sub = await subscribe(lenient, { url: receiver.url, events: ['task.status_changed'] });
  await transition(lenient, task.id, 'in_progress');
  await lenient.close();

  const strict = await webhookApp(t, clock, { databasePath, webhookAllowPrivate: false });
  t.match(await strict.webhooks.runOnce(), { attempted: 1, failed: 1 });
  t.equal(receiver.received.length, 0, 'nothing was sent');
  const [d] = json(await strict.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(d, { status: 'pending', lastStatusCode: null, lastError: /^URL refused: 127\.0\.0\.1 is a loopback address, allowed only where the service runs with WEBHOOK_ALLOW_PRIVATE=true/ });
});

t.test('after a secret rotation, deliveries carry both signatures for 24 hours, then only the new one', async (t) => {
  const { app, clock, receiver, sub, task } = await world(t, ['task.status_changed']);
  const rotated = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/rotate-secret` }));
  await transition(app, task.id, 'in_progress');
  await app.webhooks.runOnce();
  const first = receiver.received[0]!;
  t.equal(String(first.headers['webhook-signature']).split(' ').length, 2, 'two signatures');
  t.ok(signatureValid(sub.secret, first, clock()), 'the old secret still verifies');
  t.ok(signatureValid(rotated.secret, first, clock()), 'the new one too');

  clock.set(later(clock().toISOString(), 24 * HOUR + 1000));
  await transition(app, task.id, 'on_hold');
  await app.webhooks.runOnce();
  const second = receiver.received[1]!;
  t.equal(String(second.headers['webhook-signature']).split(' ').length, 1, 'one signature after the grace period');
  t.notOk(signatureValid(sub.secret, second, clock()), 'the old secret no longer verifies');
  t.ok(signatureValid(rotated.secret, second, clock()));
});

t.test('nothing is sent on a claim whose group fails to commit: the delivery stays due and goes out once, later', async (t) => {
  const { app, receiver, task } = await world(t, ['task.status_changed']);
  await transition(app, task.id, 'in_progress');
  // In one turn: a write whose group fails at COMMIT (a foreign key checked only then), and the worker's run, whose
  // claim joins that group. The receiver must not hear of a claim (or an event) that the failed COMMIT takes back.
  app.sqlite.pragma('defer_foreign_keys = ON');
  writeTransaction(app.db, () => {
    app.sqlite.prepare(`INSERT INTO meetings VALUES ('m1', 'no-such-commission', 'session', 'M', '2026-01-01', 'Minsk', NULL, '${NOW}', '${NOW}')`).run();
  });
  await t.rejects(app.webhooks.runOnce(), /FOREIGN KEY/, 'the run fails with its group');
  t.equal(receiver.received.length, 0, 'nothing was sent');
  app.sqlite.pragma('defer_foreign_keys = OFF');

  t.match(await app.webhooks.runOnce(), { attempted: 1, succeeded: 1 }, 'the claim was undone: the delivery is still due');
  t.equal(receiver.received.length, 1, 'and it went out once');
  t.equal(receiver.ofType('task.status_changed').length, 1);
});

t.test('events of a type the subscription stops receiving are not sent any more, also those already waiting or being attempted', async (t) => {
  const { app, clock, receiver, sub, task } = await world(t, ['task.status_changed', 'task.updated']);
  receiver.respond(() => ({ status: 503 }));
  await transition(app, task.id, 'in_progress');
  t.match(await app.webhooks.runOnce(), { attempted: 1, failed: 1 });
  const deliveries = async (query = '') => json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries${query}` })).items;
  const [waiting] = await deliveries();
  t.match(waiting, { eventType: 'task.status_changed', status: 'pending', attemptCount: 1 });
  // A ping is sent whatever the event types.
  const ping = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test` }));

  const patched = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { events: ['task.updated'] } });
  t.equal(patched.statusCode, 200);
  const ended = (await deliveries()).find((d: any) => d.id === waiting.id);
  t.match(ended, { status: 'failed', attemptCount: 1, nextAttemptAt: null, completedAt: NOW, lastError: `not sent: the subscription stopped receiving this event type at ${NOW}` });
  t.match((await deliveries()).find((d: any) => d.id === ping.id), { status: 'pending' }, 'the ping still waits');

  receiver.respond(() => ({ status: 204 }));
  clock.set(later(NOW, HOUR));
  t.match(await app.webhooks.runOnce(), { attempted: 1, succeeded: 1 }, 'only the ping goes out');
  t.strictSame(receiver.received.map((r) => r.json.type), ['task.status_changed', 'webhook.test']);
  // Nor is it sent again on request while the type is off (409), only once the type is back.
  const redeliver = { method: 'POST' as const, url: `/v1/webhooks/${sub.id}/deliveries/${waiting.id}/redeliver` };
  t.equal((await app.inject(redeliver)).statusCode, 409, 'not sent again while the subscription does not receive the type');
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { events: ['task.updated', 'task.status_changed'] } });
  const again = json(await app.inject(redeliver));
  t.match(await app.webhooks.runOnce(), { attempted: 1, succeeded: 1 }, 'a redelivery asked for is sent');
  t.match((await deliveries()).find((d: any) => d.id === again.id), { status: 'succeeded', eventType: 'task.status_changed' });

  // An attempt under way when the type is dropped: it fails, and is not tried again.
  receiver.respond(() => ({ status: 503, delayMs: 300 }));
  await transition(app, task.id, 'on_hold');
  const run = app.webhooks.runOnce();
  t.ok(await receiver.waitFor(4), 'the attempt reached the receiver');
  const dropped = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { events: ['task.updated'] } });
  t.equal(dropped.statusCode, 200);
  t.match(await run, { attempted: 1, failed: 1 });
  const [latest] = await deliveries('?eventType=task.status_changed&status=failed'); // newest first
  t.match(latest, { status: 'failed', attemptCount: 1, nextAttemptAt: null, lastStatusCode: 503 });
  t.match(latest.lastError, /^HTTP 503 Service Unavailable; not sent: the subscription stopped receiving this event type at /);
  clock.set(later(NOW, 10 * HOUR));
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'not tried again');
  t.equal((await deliveries('?status=pending')).length, 0);
});

t.test('an endpoint that answers 410 Gone is disabled also when the attempt was of an event type taken off meanwhile', async (t) => {
  const { app, receiver, sub, task } = await world(t, ['task.status_changed', 'task.updated']);
  receiver.respond(() => ({ status: 410, delayMs: 300 }));
  await transition(app, task.id, 'in_progress');
  const run = app.webhooks.runOnce();
  t.ok(await receiver.waitFor(1), 'the attempt reached the receiver');
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { events: ['task.updated'] } })).statusCode, 200);
  t.match(await run, { attempted: 1, failed: 1 });
  const [d] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(d, { status: 'failed', lastStatusCode: 410, lastError: /; not sent: the subscription stopped receiving this event type at / });
  t.match(json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` })), { active: false, disabledReason: /410 Gone/ }, 'the endpoint said it is gone');
});

t.test('taking an event type off reads the subscription’s waiting deliveries and their own events, not the whole outbox', async (t) => {
  const { app, sub, task } = await world(t, ['task.status_changed', 'task.updated']);
  await transition(app, task.id, 'in_progress');
  // The outbox is never pruned (approving a plan of 100,000 tasks alone adds as many events): reading it whole on
  // every PATCH took about half a second at 400,000 events. Each waiting delivery's event is looked up by its key.
  const { sql, params } = unwantedDeliveriesUpdate(app.db, sub.id, ['task.updated'], NOW, 'x').toSQL();
  const plan = (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
  t.notOk(plan.some((d) => /^SCAN webhook_events/.test(d)), `no scan of the outbox: ${plan.join(' | ')}`);
  t.ok(plan.some((d) => /^SEARCH webhook_events USING INDEX \S+ \(id=\?\)/.test(d)), 'the event looked up by its key');
  const patched = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { events: ['task.updated'] } });
  t.equal(patched.statusCode, 200);
  t.match(json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items, [{ eventType: 'task.status_changed', status: 'failed' }]);
});
