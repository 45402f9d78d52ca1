// What a ministry's webhook receiver, built from the README's "Webhooks" section and the OpenAPI document alone,
// found the service doing differently from what they say.
import t from 'tap';
import { testClock } from '../helper.js';
import { approvePlan, createOrganization, createTask, seedPlan } from '../factories.js';
import { startReceiver, subscribe, webhookApp } from '../webhooks/receiver.js';

/** 09:00 UTC on 28 November: noon in Minsk. */
const NOW = '2026-11-28T09:00:00.000Z';

t.test('task.overdue reaches every subscriber once a day, also one that subscribed after another subscriber got that day’s event', async (t) => {
  const clock = testClock(NOW);
  const app = await webhookApp(t, clock);
  const seed = await seedPlan(app);
  const late = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-11-20', assignees: seed.assignees });
  await approvePlan(app, seed.plan.id);

  // The secretariat's dashboard subscribed first and got today's event.
  const first = await startReceiver(t);
  await subscribe(app, { url: first.url, events: ['task.overdue'] });
  await app.webhooks.runOnce();
  t.equal(first.ofType('task.overdue').length, 1, 'the first subscriber gets today’s event');

  // The Belarus ministry subscribes later the same day, to its own organization's tasks.
  clock.set('2026-11-28T10:00:00.000Z');
  const ministry = await startReceiver(t);
  await subscribe(app, { url: ministry.url, events: ['task.overdue'], organizationId: seed.by.id });
  await app.webhooks.runOnce();
  const got = ministry.ofType('task.overdue');
  t.equal(got.length, 1, 'the later subscriber gets today’s event too: what it receives does not depend on other subscribers');
  t.match(got[0]?.json, { type: 'task.overdue', data: { task: { id: late.id, overdue: true }, date: '2026-11-28' } });
  t.equal(got[0]?.headers['webhook-id'], first.received[0]?.headers['webhook-id'], 'the same event (one webhook-id per task and day)');

  await app.webhooks.runOnce();
  t.equal(first.ofType('task.overdue').length + ministry.ofType('task.overdue').length, 2, 'and neither gets it twice the same day');

  // A subscription for an organization that does not execute the task still gets nothing.
  const other = await createOrganization(app, { name: 'Chamber of Commerce', shortName: 'CCI' });
  const outsider = await startReceiver(t);
  await subscribe(app, { url: outsider.url, events: ['task.overdue'], organizationId: other.id });
  await app.webhooks.runOnce();
  t.equal(outsider.received.length, 0, 'an organization that does not execute the task gets nothing');
});
