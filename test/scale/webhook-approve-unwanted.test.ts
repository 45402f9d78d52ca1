// Approving a plan announces each of its tasks (task.created) and the plan (plan.approved) in the approval's
// transaction, but only to the subscriptions that want them. Built for every task and then matched to nobody, the
// announcements held the approval of the 100,000-task bench plan 3 s on the event loop for a subscriber to task.overdue
// alone (and reading the plan's audience and counts for a plan.approved nobody wanted, 0.3 s more). The rows read
// must not grow with the plan (counted as rows SQLite returns, never as time) when nobody wants the events.
import t from 'tap';
import { approvePlan, planWithTasks, seedPlan } from '../factories.js';
import { subscribe, webhookApp } from '../webhooks/receiver.js';
import { sqlUsage } from './sql-usage.js';

t.test('approving a plan reads no more rows for 60 tasks than for 20 when no subscription wants task.created or plan.approved', async (t) => {
  const app = await webhookApp(t);
  const { commission, assignees } = await seedPlan(app);
  const overdue = await subscribe(app, { url: 'http://127.0.0.1:9/hook', events: ['task.overdue', 'task.updated'] });
  const planOf = (n: number) => planWithTasks(app, commission.id, n, assignees);
  const [warmUp, small, large] = [await planOf(2), await planOf(20), await planOf(60)];
  await approvePlan(app, warmUp.id);
  const forSmall = (await sqlUsage(app, () => approvePlan(app, small.id))).rows;
  const forLarge = (await sqlUsage(app, () => approvePlan(app, large.id))).rows;
  t.equal(forLarge, forSmall, `as many rows read for 60 tasks (${forLarge}) as for 20 (${forSmall})`);
  const events = app.sqlite.prepare(`SELECT count(*) FROM webhook_events`).pluck().get();
  t.equal(events, 0, 'no event stored: nobody wants one');

  // A subscription that wants them, paused (it keeps the events for a replay): every task is announced again.
  const created = await subscribe(app, { url: 'http://127.0.0.1:9/created', events: ['task.created', 'plan.approved'] });
  const paused = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${created.id}`, payload: { active: false } });
  t.equal(paused.statusCode, 200, paused.body);
  const another = await planOf(3);
  await approvePlan(app, another.id);
  const types = app.sqlite.prepare(`SELECT type FROM webhook_events ORDER BY rowid`).pluck().all();
  t.strictSame(types, ['plan.approved', 'task.created', 'task.created', 'task.created'], 'kept for the paused subscription that wants them');
  t.equal(app.sqlite.prepare(`SELECT count(*) FROM webhook_deliveries WHERE subscription_id = ?`).pluck().get(overdue.id), 0, 'nothing for the other');
});
