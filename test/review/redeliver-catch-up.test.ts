// README (Building a receiver, Gaps) and the description of POST /v1/webhooks/{id}/redeliver told an integrator to send
// again what failed after an outage "with since the subscription's failingSince". The window is on the time each event
// was raised, and failingSince is the time of the first failed attempt: the event whose attempt began the failures was
// raised before it (by the worker's poll at least, by hours when its delivery was already retrying), so that recipe
// left out the first failed events, silently (gap false, queued 0). The recipe now starts a retry schedule earlier.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { json, testClock } from '../helper.js';
import { ministryWorld } from '../webhooks/receiver.js';

const DAY = 24 * 3_600_000;

t.test("after an outage, redelivering from before failingSince by the retry schedule sends again the event whose failure began it; failingSince itself misses it", async (t) => {
  const { app, clock, receiver, sub, task, byKey } = await ministryWorld(t, ['task.updated'], { clock: testClock('2026-11-28T09:00:00.000Z') });

  receiver.respond(() => ({ status: 503, body: 'Service Unavailable' }));
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Renamed while the receiver was down' } });
  // The worker attempts it a moment after it was raised, and every attempt of the schedule fails.
  const due = app.sqlite.prepare("SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'").pluck();
  clock.set('2026-11-28T09:00:01.000Z');
  for (let run = 0; run < 50; run += 1) {
    await app.webhooks.runOnce();
    const next = due.get() as string | null;
    if (next === null) break;
    if (next > clock().toISOString()) clock.set(next);
  }
  const noted = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}`, headers: byKey.headers }));
  t.match(noted, { active: false, failingSince: '2026-11-28T09:00:01.000Z' });
  const [failed] = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries?status=failed`, headers: byKey.headers })).items;
  t.ok(failed, 'the delivery failed');

  receiver.respond(() => ({ status: 204 }));
  clock.set('2026-11-29T08:00:00.000Z');
  await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: true }, headers: byKey.headers });
  const redeliver = async (since: string) =>
    json(await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/redeliver`, payload: { since }, headers: byKey.headers }));
  t.match(await redeliver(noted.failingSince), { queued: 0, gap: false }, 'from failingSince: its event was raised before, and is left out');
  t.match(await redeliver(new Date(Date.parse(noted.failingSince) - DAY).toISOString()), { queued: 1 }, 'a day (the default schedule) earlier: sent again');
});

t.test('the README and the route tell to redeliver from before failingSince, not from it', async (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  t.notOk(readme.includes("with `since` the subscription's `failingSince`"), 'README: not from failingSince itself');
  t.ok(readme.includes("with `since` earlier than the subscription's `failingSince` by the retry schedule"), 'README: a retry schedule before it');
  const openapi = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
  const description: string = openapi.paths['/v1/webhooks/{id}/redeliver'].post.description;
  t.notOk(description.includes('redeliver from `failingSince` ('), 'route: not from failingSince itself');
  t.ok(description.includes('redeliver from earlier than `failingSince` by the retry schedule'), 'route: a retry schedule before it');
});
