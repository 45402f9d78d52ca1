// Tests of the outbox across restarts, with the worker loop running as in production: a change made while nothing
// could deliver it goes out after a restart; an attempt cut short by a shutdown is released, not lost or counted.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { openDatabase } from '../../src/db/open.js';
import { json, testClock } from '../helper.js';
import { approvedTask, transition } from '../factories.js';
import { signatureValid, startReceiver, subscribe, webhookApp } from './receiver.js';

async function databaseFile(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-restart-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'tracker.db');
}

const pending = (app: Awaited<ReturnType<typeof webhookApp>>) =>
  app.sqlite.prepare("SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'").pluck().get();

t.test('a change made while the worker could not deliver goes out after a restart, from the running loop', async (t) => {
  const databasePath = await databaseFile(t);
  // Real time here: the loop runs on its own timer, and the receiver checks the signature's timestamp.
  const clock = testClock(new Date().toISOString());
  const receiver = await startReceiver(t);
  const first = await webhookApp(t, clock, { databasePath });
  const { task } = await approvedTask(first);
  const sub = await subscribe(first, { url: receiver.url, events: ['task.status_changed'] });
  await transition(first, task.id, 'in_progress');
  t.equal(pending(first), 1, 'the event waits in the outbox, committed with the change');
  await first.close();
  t.equal(receiver.received.length, 0, 'nothing was sent before the restart');

  const second = await webhookApp(t, clock, { databasePath, webhookPollMs: 50 });
  t.ok(await receiver.waitFor(1), 'the restarted service delivered it by itself');
  const [r] = receiver.received;
  t.match(r!.json, { type: 'task.status_changed', data: { task: { id: task.id, status: 'in_progress' } } });
  t.ok(signatureValid(sub.secret, r!, clock()), 'signed with the subscription’s secret');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const [d] = json(await second.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(d, { status: 'succeeded', attemptCount: 1 });
});

t.test('a receiver down during the first attempt gets the retry after a restart', async (t) => {
  const databasePath = await databaseFile(t);
  const clock = testClock();
  const receiver = await startReceiver(t);
  const port = receiver.port;
  const first = await webhookApp(t, clock, { databasePath });
  const { task } = await approvedTask(first);
  const sub = await subscribe(first, { url: receiver.url, events: ['task.status_changed'] });
  await receiver.close();
  await transition(first, task.id, 'in_progress');
  t.match(await first.webhooks.runOnce(), { attempted: 1, failed: 1 });
  const [failed] = json(await first.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(failed, { status: 'pending', attemptCount: 1, lastError: /ECONNREFUSED/ });
  await first.close();

  const back = await startReceiver(t, port);
  clock.set(failed.nextAttemptAt);
  const second = await webhookApp(t, clock, { databasePath });
  t.match(await second.webhooks.runOnce(), { attempted: 1, succeeded: 1 });
  t.equal(back.received.length, 1);
  t.ok(signatureValid(sub.secret, back.received[0]!, clock()));
  const [d] = json(await second.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(d, { status: 'succeeded', attemptCount: 2 });
});

/** A service on a file whose worker is in the middle of an attempt to a receiver that takes 30 s to answer. */
async function attemptUnderWay(t: Test, events: string[]) {
  const databasePath = await databaseFile(t);
  const clock = testClock(new Date().toISOString());
  const receiver = await startReceiver(t);
  receiver.respond(() => ({ status: 200, delayMs: 30_000 }));
  const first = await webhookApp(t, clock, { databasePath, webhookPollMs: 50 });
  const { task } = await approvedTask(first);
  const sub = await subscribe(first, { url: receiver.url, events });
  await transition(first, task.id, 'in_progress');
  t.ok(await receiver.waitFor(1), 'the attempt started');
  return { databasePath, clock, receiver, first, sub };
}

t.test('closing the service in the middle of an attempt releases the delivery; the next start sends it', async (t) => {
  const { databasePath, clock, receiver, first, sub } = await attemptUnderWay(t, ['task.status_changed']);
  const started = Date.now();
  await first.close();
  t.ok(Date.now() - started < 5000, 'closing does not wait for the slow receiver');
  const peek = openDatabase(databasePath);
  t.match(peek.sqlite.prepare('SELECT status, attempt_count, locked_until FROM webhook_deliveries').all(), [{ status: 'pending', attempt_count: 0, locked_until: null }], 'released, not counted');
  peek.sqlite.close();

  receiver.respond(() => ({ status: 200 }));
  const second = await webhookApp(t, clock, { databasePath, webhookPollMs: 50 });
  t.ok(await receiver.waitFor(2), 'sent again after the restart');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const [d] = json(await second.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items;
  t.match(d, { status: 'succeeded', attemptCount: 1 }, 'the interrupted attempt was not counted');
  t.equal(receiver.received[0]!.headers['webhook-id'], receiver.received[1]!.headers['webhook-id'], 'the same event');
});

t.test('the loop raises overdue events at start without being asked', async (t) => {
  const databasePath = await databaseFile(t);
  const clock = testClock();
  const receiver = await startReceiver(t);
  const first = await webhookApp(t, clock, { databasePath });
  await subscribe(first, { url: receiver.url, events: ['task.overdue'] });
  await approvedTask(first, { dueDate: '2026-11-01' });
  await first.close();
  t.equal(receiver.received.length, 0);
  await webhookApp(t, clock, { databasePath, webhookPollMs: 50 });
  t.ok(await receiver.waitFor(1), 'task.overdue delivered by the loop');
  t.equal(receiver.received[0]!.json.type, 'task.overdue');
});

t.test('an attempt cut short by a shutdown after its event type was taken off the subscription is not sent after the restart', async (t) => {
  const { databasePath, clock, receiver, first, sub } = await attemptUnderWay(t, ['task.status_changed', 'task.updated']);
  // Taken off while the attempt runs: the delivery is held, so the PATCH leaves it to the worker.
  const patched = await first.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { events: ['task.updated'] } });
  t.equal(patched.statusCode, 200);
  await first.close();
  const peek = openDatabase(databasePath);
  t.match(
    peek.sqlite.prepare('SELECT status, attempt_count, locked_until, next_attempt_at, last_error FROM webhook_deliveries').all(),
    [{ status: 'failed', attempt_count: 0, locked_until: null, next_attempt_at: null, last_error: /^not sent: the subscription stopped receiving this event type at / }],
    'ended when released, not left waiting',
  );
  peek.sqlite.close();

  receiver.respond(() => ({ status: 200 }));
  const second = await webhookApp(t, clock, { databasePath, webhookPollMs: 50 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(receiver.received.length, 1, 'not sent again after the restart');
  t.match(json(await second.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries` })).items, [{ status: 'failed', attemptCount: 0 }]);
});
