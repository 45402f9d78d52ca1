// Tests of a delivery's origin: the delivery log says how each delivery came to be (raised with its event, found by a
// scan, a test event, a redelivery, a replay), and filters by it.
import t from 'tap';
import { json, refused, testClock } from '../helper.js';
import { approvedTask, transition } from '../factories.js';
import { startReceiver, subscribe, webhookApp } from './receiver.js';

t.test('each delivery says how it came to be: with its event (a change or the overdue scan), a test, a redelivery, a replay; the log filters by it', async (t) => {
  const clock = testClock();
  const app = await webhookApp(t, clock);
  const { task } = await approvedTask(app, { dueDate: '2026-11-27' });
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events: ['task.status_changed', 'task.overdue'] });
  const log = async (query = '') => json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?limit=200${query}` }));

  await transition(app, task.id, 'in_progress');
  await app.webhooks.runOnce();
  const ping = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test` }));
  t.equal(ping.origin, 'test', 'the test event, as POST /test answers it');
  await app.webhooks.runOnce();
  const changed = (await log('&eventType=task.status_changed')).items[0];
  const again = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${changed.id}/redeliver` }));
  t.match(again, { origin: 'redelivery', redeliveryOf: changed.id }, 'a redelivery, as POST …/redeliver answers it');
  const pingAgain = json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${ping.id}/redeliver` }));
  t.equal(pingAgain.origin, 'redelivery', 'a test event sent again is a redelivery');

  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: false } });
  clock.set('2026-11-28T10:00:00.000Z');
  await transition(app, task.id, 'done');
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: true } });
  t.match(json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/replay`, payload: { since: sub.createdAt } })), { queued: 1 });

  const all = (await log()).items;
  t.strictSame(
    all.map((d: any) => [d.eventType, d.origin, d.redeliveryOf]).reverse(),
    [
      ['task.status_changed', 'event', null],
      ['task.overdue', 'event', null],
      ['webhook.test', 'test', null],
      ['task.status_changed', 'redelivery', changed.id],
      ['webhook.test', 'redelivery', ping.id],
      ['task.status_changed', 'replay', null],
    ],
    'oldest first: the change and the scan queued with their events, then the test, the redeliveries, the replay',
  );
  const detail = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries/${all[0].id}` }));
  t.equal(detail.origin, 'replay', 'one delivery read alone says it too');

  t.strictSame((await log('&origin=redelivery')).items.map((d: any) => d.id), [pingAgain.id, again.id], 'filtered: the redeliveries, newest first');
  t.strictSame((await log('&origin=replay&eventType=task.status_changed')).items.map((d: any) => d.origin), ['replay'], 'with the other filters');
  const first = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?limit=1&origin=event` }));
  t.equal(first.items[0].eventType, 'task.overdue');
  const next = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?limit=1&origin=event&cursor=${first.nextCursor}` }));
  t.strictSame([next.items[0].eventType, next.nextCursor], ['task.status_changed', null], 'paged under the filter');
  await refused(t, app, { method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?limit=1&origin=test&cursor=${first.nextCursor}` }, 400, 'invalid-cursor');
  const bad = await refused(t, app, { method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?origin=retry` }, 400, 'validation-failed');
  t.match(bad.errors, [{ path: 'querystring.origin' }]);
});
