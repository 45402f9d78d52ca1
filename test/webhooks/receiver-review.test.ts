// Tests written as a ministry's integrator builds a receiver: the signature checked by hand from the README's words,
// duplicates and order, and bad receivers (slow, huge answers, dropped connections, closed ports) that must not hold
// up the deliveries to others.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { json, testClock } from '../helper.js';
import { approvedTask, transition } from '../factories.js';
import { startReceiver, subscribe, webhookApp } from './receiver.js';

/**
 * The README's "By hand, in any language": base64(hmac_sha256(base64decode(secret without "whsec_"), id + "." +
 * timestamp + "." + body)) compared in constant time with each "v1," value of the header; a timestamp more than 5
 * minutes from the receiver's clock is refused.
 */
function verifyByHand(secret: string, headers: IncomingHttpHeaders, rawBody: Buffer, nowSeconds: number): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(Number(timestamp) - nowSeconds) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), rawBody])).digest();
  return signature.split(' ').some((part) => {
    const [version, value] = part.split(',');
    if (version !== 'v1' || value === undefined) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

t.test('a receiver verifies deliveries by hand from the README alone, Cyrillic titles and a rotated secret included', async (t) => {
  const clock = testClock();
  const app = await webhookApp(t, clock);
  const { task } = await approvedTask(app);
  const raw: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      raw.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const sub = await subscribe(app, { url, events: ['task.updated'] });
  const now = () => Math.floor(clock().getTime() / 1000);

  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Расширить сборку тракторов «Беларус» в Костанае' } });
  await app.webhooks.runOnce();
  t.equal(raw.length, 1);
  t.ok(verifyByHand(sub.secret, raw[0]!.headers, raw[0]!.body, now()), 'verified with the secret as issued');
  t.notOk(verifyByHand(sub.secret, raw[0]!.headers, raw[0]!.body, now() + 301), 'refused more than 5 minutes later (a replay)');
  t.equal(JSON.parse(raw[0]!.body.toString('utf8')).data.task.title, 'Расширить сборку тракторов «Беларус» в Костанае');

  const rotated = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/rotate-secret` }));
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'After the rotation' } });
  await app.webhooks.runOnce();
  t.ok(verifyByHand(sub.secret, raw[1]!.headers, raw[1]!.body, now()), 'a receiver still on the old secret accepts it');
  t.ok(verifyByHand(rotated.secret, raw[1]!.headers, raw[1]!.body, now()), 'one already on the new secret too');
  t.notOk(verifyByHand(rotated.secret, raw[1]!.headers, Buffer.from(raw[1]!.body.toString('utf8').replace('After', 'Before')), now()), 'a changed body fails');
});

t.test('out of order after a retry: the event that arrives last carries the older timestamp, and the receiver keeps the newer state', async (t) => {
  const clock = testClock();
  const app = await webhookApp(t, clock);
  const { task } = await approvedTask(app);
  const receiver = await startReceiver(t);
  await subscribe(app, { url: receiver.url, events: ['task.status_changed'] });
  let first = true;
  receiver.respond(() => (first ? ((first = false), { status: 503 }) : { status: 204 }));
  await transition(app, task.id, 'in_progress');
  await app.webhooks.runOnce();
  clock.set('2026-11-28T09:00:05.000Z');
  await transition(app, task.id, 'done');
  await app.webhooks.runOnce();
  clock.set('2026-11-28T09:01:00.000Z');
  await app.webhooks.runOnce();
  const arrived = receiver.received.map((r) => [r.json.data.task.status, r.json.timestamp]);
  t.strictSame(arrived, [
    ['in_progress', '2026-11-28T09:00:00.000Z'],
    ['done', '2026-11-28T09:00:05.000Z'],
    ['in_progress', '2026-11-28T09:00:00.000Z'],
  ]);
  // The receiver the README describes: per task, the state of the event with the latest timestamp wins.
  const state = new Map<string, { at: string; status: string }>();
  const seen = new Set<string>();
  for (const r of receiver.received) {
    const id = String(r.headers['webhook-id']);
    if (seen.has(id)) continue;
    seen.add(id);
    const known = state.get(r.json.data.task.id);
    if (!known || known.at < r.json.timestamp) state.set(r.json.data.task.id, { at: r.json.timestamp, status: r.json.data.task.status });
  }
  t.equal(state.get(task.id)?.status, 'done');
});

t.test('an event raised while a slow receiver holds the only attempt in flight reaches another receiver without waiting for it', async (t) => {
  const app = await webhookApp(t, testClock(), { webhookTimeoutMs: 30_000 });
  const { task } = await approvedTask(app);
  const slow = await startReceiver(t);
  const healthy = await startReceiver(t);
  slow.respond(() => ({ status: 204, delayMs: 60_000 }));
  await subscribe(app, { url: slow.url, events: ['task.updated'] });
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'For the slow one' } });
  const run = app.webhooks.runOnce();
  t.ok(await slow.waitFor(1, 5_000), 'the slow receiver holds its attempt');

  // The healthy receiver subscribes, and an event is raised, while that attempt runs.
  await subscribe(app, { url: healthy.url, events: ['task.status_changed'] });
  await transition(app, task.id, 'in_progress');
  t.ok(await healthy.waitFor(1, 5_000), 'delivered within seconds, not after the slow attempt times out (30 s)');
  await slow.close();
  await run;
});

t.test('bad receivers (a huge answer, a dropped connection, a closed port, a slow one) fail alone: another receiver and the API go on', async (t) => {
  const app = await webhookApp(t, testClock(), { webhookTimeoutMs: 2_000 });
  const { task } = await approvedTask(app);
  const huge = await startReceiver(t);
  huge.respond(() => ({ status: 200, body: 'x'.repeat(20 * 1024 * 1024) }));
  const slow = await startReceiver(t);
  slow.respond(() => ({ status: 204, delayMs: 30_000 }));
  const dropper = net.createServer((socket) => socket.once('data', () => socket.destroy()));
  await new Promise<void>((r) => dropper.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => dropper.close(() => r())));
  const closed = await startReceiver(t);
  await closed.close();
  const healthy = await startReceiver(t);
  const subs = {
    huge: await subscribe(app, { url: huge.url, events: ['task.updated'] }),
    slow: await subscribe(app, { url: slow.url, events: ['task.updated'] }),
    dropper: await subscribe(app, { url: `http://127.0.0.1:${(dropper.address() as AddressInfo).port}/hook`, events: ['task.updated'] }),
    closed: await subscribe(app, { url: closed.url, events: ['task.updated'] }),
    healthy: await subscribe(app, { url: healthy.url, events: ['task.updated'] }),
  };
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'To everyone' } });
  const run = app.webhooks.runOnce();
  t.ok(await healthy.waitFor(1, 5_000), 'the healthy receiver got its event');
  const read = await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` });
  t.equal(read.statusCode, 200, 'the API answers while attempts run');
  t.match(await run, { attempted: 5, succeeded: 2, failed: 3 });
  const last = async (id: string) => json(await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries` })).items[0];
  t.match(await last(subs.huge.id), { status: 'succeeded', lastStatusCode: 200 }, 'a huge answer: judged by its status');
  t.ok((await last(subs.huge.id)).attempts[0].responseBody.length <= 1000, 'and only its start is kept');
  t.match(await last(subs.slow.id), { status: 'pending', lastError: /2000 ms/ }, 'a slow one: timed out, retried later');
  t.match(await last(subs.dropper.id), { status: 'pending', lastStatusCode: null, lastError: /socket hang up|ECONNRESET/ });
  t.match(await last(subs.closed.id), { status: 'pending', lastStatusCode: null, lastError: /ECONNREFUSED/ });
  t.match(await last(subs.healthy.id), { status: 'succeeded' });
});

t.test('a receiver finds what became of a webhook-id in the delivery log: the delivery and its redeliveries, nothing else', async (t) => {
  const app = await webhookApp(t);
  const { task } = await approvedTask(app);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.updated'] });
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'First' } });
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Second' } });
  await app.webhooks.runOnce();
  const first = receiver.received.find((r) => r.json.data.task.title === 'First')!;
  const webhookId = String(first.headers['webhook-id']);
  const log = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  const original = log.find((d: any) => d.eventId === webhookId);
  await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${original.id}/redeliver` });

  const res = await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?eventId=${webhookId}` });
  t.equal(res.statusCode, 200, res.body);
  const found = json(res).items;
  t.equal(found.length, 2, 'the delivery and its redelivery');
  t.ok(found.every((d: any) => d.eventId === webhookId));
  t.strictSame(found.map((d: any) => d.redeliveryOf), [original.id, null], 'newest first');
  const none = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?eventId=${task.id}` })).items;
  t.strictSame(none, [], 'an id of no event of the subscription: nothing');
});

t.test('a receiver back from being disabled catches up as the README says: replay from disabledAt, redeliver what failed from failingSince, dedupe by webhook-id', async (t) => {
  const clock = testClock();
  const app = await webhookApp(t, clock);
  const { task } = await approvedTask(app);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.updated'] });
  // The receiver keeps the webhook-ids it handled (answered 2xx) and handles each once.
  const handled = new Map<string, string>();
  let arrivals = 0;
  const accept = () =>
    receiver.respond((r) => {
      arrivals += 1;
      if (!handled.has(String(r.headers['webhook-id']))) handled.set(String(r.headers['webhook-id']), r.json.data.task.title);
      return { status: 204 };
    });
  accept();
  const rename = async (title: string, at: string) => {
    clock.set(at);
    await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title } });
    await app.webhooks.runOnce();
  };
  await rename('A: delivered', '2026-11-28T09:00:00.000Z');
  receiver.respond(() => ({ status: 410 }));
  await rename('B: refused with 410', '2026-11-28T10:00:00.000Z');
  await rename('C: raised while disabled', '2026-11-28T11:00:00.000Z');
  t.strictSame([...handled.values()], ['A: delivered']);
  const disabled = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` }));
  t.match(disabled, { active: false, disabledAt: '2026-11-28T10:00:00.000Z' });

  accept();
  clock.set('2026-11-29T08:00:00.000Z');
  const activated = json(await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: true } }));
  t.match(activated, { active: true, disabledAt: null }, 'activation clears disabledAt: the README says to note it before');
  const replayed = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/replay`, payload: { since: disabled.disabledAt } }));
  t.match(replayed, { queued: 1, more: false, gap: false }, 'C, the one event never queued');
  const failed = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?status=failed` })).items;
  t.equal(failed.length, 1, 'B failed');
  t.equal(disabled.failingSince, '2026-11-28T10:00:00.000Z', 'noted with disabledAt: when the failures began');
  const redelivered = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/redeliver`, payload: { since: disabled.failingSince } }));
  t.match(redelivered, { queued: 1, more: false }, 'B, sent again in one call');
  // A replay of a longer window brings nothing twice: A and B have their deliveries.
  t.match(json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/replay`, payload: { since: sub.createdAt } })), { queued: 0 });
  await app.webhooks.runOnce();
  t.strictSame([...handled.values()].sort(), ['A: delivered', 'B: refused with 410', 'C: raised while disabled'], 'every event handled');
  t.equal(arrivals, 3, 'and none sent twice');
});
