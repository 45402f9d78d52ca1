// Tests of the overdue scheduler: task.overdue once per task and day (the commission's day), never twice across
// restarts, only for open tasks of approved plans, only to subscriptions that want it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { json, testClock } from '../helper.js';
import { createPlan, createTask, approvePlan, seedPlan, transition } from '../factories.js';
import { startReceiver, subscribe, webhookApp } from './receiver.js';
import * as outbox from '../../src/modules/webhooks/webhooks.outbox-repository.js';

/** 09:00 UTC on 28 November: noon in Minsk (UTC+3). */
const NOW = '2026-11-28T09:00:00.000Z';

async function overdueWorld(t: Test, databasePath?: string) {
  const clock = testClock(NOW);
  const app = await webhookApp(t, clock, databasePath ? { databasePath } : {});
  const seed = await seedPlan(app);
  const late = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-11-27', assignees: seed.assignees });
  const dueToday = await createTask(app, { planId: seed.plan.id, code: '1.2', dueDate: '2026-11-28', assignees: seed.assignees });
  const closedLate = await createTask(app, { planId: seed.plan.id, code: '1.3', dueDate: '2026-11-01', assignees: seed.assignees });
  const kzLate = await createTask(app, { planId: seed.plan.id, code: '1.4', dueDate: '2026-10-31', assignees: [{ organizationId: seed.kz.id, role: 'lead' }] });
  await approvePlan(app, seed.plan.id);
  await transition(app, closedLate.id, 'cancelled');
  const draft = await createPlan(app, seed.commission.id, { title: 'Draft' });
  await createTask(app, { planId: draft.id, code: '9.9', dueDate: '2026-01-01', assignees: seed.assignees });
  return { app, clock, seed, late, dueToday, kzLate };
}

t.test('overdue tasks raise task.overdue once a day; a new day in the commission’s time zone raises it again', async (t) => {
  const { app, clock, seed, late, kzLate } = await overdueWorld(t);
  const receiver = await startReceiver(t);
  const byOnly = await startReceiver(t);
  await subscribe(app, { url: receiver.url, events: ['task.overdue'] });
  await subscribe(app, { url: byOnly.url, events: ['task.overdue'], organizationId: seed.by.id });

  t.match(await app.webhooks.runOnce(), { overdueRaised: 2, attempted: 3, succeeded: 3 });
  const codes = (r: typeof receiver) => r.received.map((x) => `${x.json.data.task.code} ${x.json.data.date} ${x.json.data.task.daysOverdue}`).sort();
  t.strictSame(codes(receiver), ['1.1 2026-11-28 1', '1.4 2026-11-28 28'], 'open overdue tasks of approved plans only: not due today, not cancelled, not drafts');
  t.strictSame(codes(byOnly), ['1.1 2026-11-28 1'], 'by organization');
  t.match(receiver.received.find((r) => r.json.data.task.id === late.id)!.json, {
    type: 'task.overdue',
    timestamp: NOW,
    data: { task: { id: late.id, overdue: true, daysOverdue: 1, dueDate: '2026-11-27', status: 'not_started' }, date: '2026-11-28' },
  });

  t.equal((await app.webhooks.runOnce()).overdueRaised, 0, 'not twice the same day');
  clock.set('2026-11-28T20:59:00.000Z');
  t.equal((await app.webhooks.runOnce()).overdueRaised, 0, '23:59 in Minsk: still the same day');
  clock.set('2026-11-28T21:00:00.000Z');
  t.equal((await app.webhooks.runOnce()).overdueRaised, 3, 'midnight in Minsk (21:00 UTC): a new day');
  t.strictSame(
    codes(receiver).filter((c) => c.includes('2026-11-29')),
    ['1.1 2026-11-29 2', '1.2 2026-11-29 1', '1.4 2026-11-29 29'],
    'again, and the task due yesterday is overdue now',
  );

  await transition(app, kzLate.id, 'in_progress');
  await transition(app, kzLate.id, 'done');
  await transition(app, kzLate.id, 'closed');
  clock.set('2026-11-30T06:00:00.000Z');
  await app.webhooks.runOnce();
  t.strictSame(codes(receiver).filter((c) => c.includes('2026-11-30')), ['1.1 2026-11-30 3', '1.2 2026-11-30 2'], 'a closed task is no longer overdue');
});

t.test('no subscriber: nothing is written, and a subscriber added later that day still gets today’s event', async (t) => {
  const { app } = await overdueWorld(t);
  const count = () => app.sqlite.prepare('SELECT count(*) FROM webhook_events').pluck().get();
  t.equal((await app.webhooks.runOnce()).overdueRaised, 0);
  t.equal(count(), 0, 'no event stored for nobody');
  const other = await startReceiver(t);
  await subscribe(app, { url: other.url, events: ['task.created'] });
  t.equal((await app.webhooks.runOnce()).overdueRaised, 0, 'a subscriber of other types changes nothing');
  const receiver = await startReceiver(t);
  await subscribe(app, { url: receiver.url, events: ['task.overdue'] });
  t.equal((await app.webhooks.runOnce()).overdueRaised, 2);
});

t.test('a restart the same day does not raise the overdue events again', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-overdue-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'tracker.db');
  const { app, clock } = await overdueWorld(t, databasePath);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.overdue'] });
  t.equal((await app.webhooks.runOnce()).overdueRaised, 2);
  await app.close();

  clock.set('2026-11-28T15:00:00.000Z');
  const restarted = await webhookApp(t, clock, { databasePath });
  t.equal((await restarted.webhooks.runOnce()).overdueRaised, 0, 'not again after the restart');
  t.equal(receiver.received.length, 2);
  const log = json(await restarted.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?eventType=task.overdue` }));
  t.equal(log.items.length, 2);
  clock.set('2026-11-29T06:00:00.000Z');
  t.equal((await restarted.webhooks.runOnce()).overdueRaised, 3, 'the next day, again (and the task due the day before)');
});

t.test('the overdue scan looks up more keys than SQLite binds in one statement (a plan with 40,000 overdue tasks)', async (t) => {
  const { app, late } = await overdueWorld(t);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.overdue'] });
  await app.webhooks.runOnce();
  const key = `task.overdue:${late.id}:2026-11-28`;
  // The scan's own look-ups, with as many keys as such a plan gives (SQLite takes at most 32,766 variables).
  const keys = Array.from({ length: 40_000 }, (_, i) => `task.overdue:t${i}:2026-11-28`);
  keys.splice(35_000, 0, key);
  const raised = outbox.eventsByDedupeKey(app.db, keys);
  t.equal(raised.size, 1, 'the one raised event is found past the 32,766th key');
  const eventId = raised.get(key) as string;
  const ids = [...keys];
  ids.splice(35_000, 1, eventId);
  t.strictSame([...(outbox.subscriptionsDelivered(app.db, ids).get(eventId) ?? [])], [sub.id], 'and its delivery');
});

t.test('a closed plan raises no task.overdue: its open tasks were judged for the last time on its closing day', async (t) => {
  const { app, clock, seed } = await overdueWorld(t);
  const receiver = await startReceiver(t);
  await subscribe(app, { url: receiver.url, events: ['task.overdue'] });
  t.equal((await app.webhooks.runOnce()).overdueRaised, 2, 'while approved, its overdue tasks are told');
  const closed = await app.inject({ method: 'POST', url: `/v1/plans/${seed.plan.id}/close` });
  t.equal(closed.statusCode, 200);
  clock.set('2026-11-29T06:00:00.000Z');
  t.equal((await app.webhooks.runOnce()).overdueRaised, 0, 'closed: none the next day');
  t.equal(receiver.received.length, 2);
});
