// A plan's approval queues its task.created events one by one as they are made (a generator) and writes them natively
// (nativeWrite): one that fails half-way through, its fourth delivery refused by the database, leaves no event and no
// delivery queued and the plan a draft; approved again, it queues each once. One refused by If-Match queues nothing.
import t from 'tap';
import { testClock } from '../helper.js';
import { planWithTasks, seedPlan } from '../factories.js';
import { subscribe, webhookApp } from '../webhooks/receiver.js';

t.test('an approval that fails half-way through queuing its events leaves nothing queued', async (t) => {
  const app = await webhookApp(t, testClock());
  const { commission, assignees } = await seedPlan(app);
  await subscribe(app, { url: 'http://127.0.0.1:9/hook', events: ['task.created', 'plan.approved'] });
  const plan = await planWithTasks(app, commission.id, 5, assignees);
  app.sqlite.exec(`CREATE TRIGGER boom BEFORE INSERT ON webhook_deliveries WHEN (SELECT count(*) FROM webhook_deliveries) >= 3 BEGIN SELECT RAISE(ABORT, 'boom'); END`);
  const res = await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/approve` });
  t.equal(res.statusCode, 500, 'the approval failed');
  t.equal(app.sqlite.prepare('SELECT count(*) FROM webhook_events').pluck().get(), 0, 'no event');
  t.equal(app.sqlite.prepare('SELECT count(*) FROM webhook_deliveries').pluck().get(), 0, 'no delivery');
  t.equal(app.sqlite.prepare('SELECT status FROM plans WHERE id = ?').pluck().get(plan.id), 'draft', 'the plan still a draft');
  app.sqlite.exec('DROP TRIGGER boom');
  const again = await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/approve` });
  t.equal(again.statusCode, 200, 'approved again');
  t.equal(app.sqlite.prepare('SELECT count(*) FROM webhook_events').pluck().get(), 6, 'plan.approved and five task.created, once each');
  // refused by If-Match
  const plan2 = await planWithTasks(app, commission.id, 3, assignees, '5');
  const r2 = await app.inject({ method: 'POST', url: `/v1/plans/${plan2.id}/approve`, headers: { 'if-match': '"nope"' } });
  t.equal(r2.statusCode, 412, 'refused by If-Match');
  t.equal(app.sqlite.prepare('SELECT count(*) FROM webhook_events').pluck().get(), 6, 'nothing more queued');
});
