// Tests of Retry-After from a receiver: the next attempt is not before what it asked (seconds or an HTTP-date), yet never
// sooner than the backoff would have made it nor later than the schedule's longest wait (6 hours).
import t, { type Test } from 'tap';
import { nextAttemptDelayMs, retryAfterMs } from '../../src/modules/webhooks/webhooks.retry.js';
import { json } from '../helper.js';
import { transition } from '../factories.js';
import { world } from './receiver.js';

const HOUR = 3_600_000;
const settings = { retryBaseMs: 30_000, retryMaxMs: 6 * HOUR };
const NOW = new Date('2026-11-28T09:00:00.000Z');

t.test('Retry-After is read as delta-seconds or an HTTP-date; anything else asks for nothing', async (t) => {
  t.equal(retryAfterMs('120', NOW), 120_000);
  t.equal(retryAfterMs('0', NOW), 0);
  t.equal(retryAfterMs('Sat, 28 Nov 2026 11:00:00 GMT', NOW), 2 * HOUR, 'IMF-fixdate');
  t.equal(retryAfterMs('Saturday, 28-Nov-26 11:00:00 GMT', NOW), 2 * HOUR, 'the obsolete RFC 850 form');
  t.equal(retryAfterMs('Fri, 27 Nov 2026 09:00:00 GMT', NOW), 0, 'a date already past');
  for (const bad of ['soon', '-5', '1.5', '', '12 s']) t.equal(retryAfterMs(bad, NOW), null, JSON.stringify(bad));
  t.equal(retryAfterMs(null, NOW), null);
});

t.test('only an HTTP-date is read as a date: in GMT whatever the zone the service runs in, and no other text that Date.parse would take', async (t) => {
  const zone = process.env.TZ;
  // A zone east of UTC, as the secretariat's servers run in: a date read as local time would come 5 hours early.
  process.env.TZ = 'Asia/Almaty';
  t.teardown(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });
  t.equal(retryAfterMs('Sat Nov 28 11:00:00 2026', NOW), 2 * HOUR, 'the asctime form is GMT too');
  t.equal(retryAfterMs('Sat Nov  8 11:00:00 2026', new Date('2026-11-08T09:00:00.000Z')), 2 * HOUR, 'asctime pads the day with a space');
  t.equal(retryAfterMs('Sat, 28 Nov 2026 11:00:00 GMT', NOW), 2 * HOUR);
  t.equal(retryAfterMs('Saturday, 28-Nov-26 11:00:00 GMT', NOW), 2 * HOUR);
  for (const bad of ['x 2030', 'Retry 2099', 'later 5', 'Dec 2099', 'Sat, 28 Nov 2026 11:00:00', 'Sat, 28 Nov 2026 11:00:00 +0300', 'Mon, 30 Feb 2026 11:00:00 GMT', 'Sat, 28 Nov 2026 25:00:00 GMT', '2026-11-28T11:00:00Z']) {
    t.equal(retryAfterMs(bad, NOW), null, `${JSON.stringify(bad)} is no HTTP-date`);
  }
});

t.test('the wait is the backoff, or what the receiver asked when longer, capped at the longest wait of the schedule', async (t) => {
  t.equal(nextAttemptDelayMs(1, settings, () => 0, null), 15_000, 'no Retry-After: the backoff');
  t.equal(nextAttemptDelayMs(1, settings, () => 0, 1_000), 15_000, 'asked for less: never sooner than the backoff');
  t.equal(nextAttemptDelayMs(1, settings, () => 0, 120_000), 120_000, 'asked for more: as asked');
  t.equal(nextAttemptDelayMs(1, settings, () => 0, 48 * HOUR), 6 * HOUR, 'asked for two days: 6 hours');
  t.equal(nextAttemptDelayMs(11, settings, () => 1, HOUR), 6 * HOUR, 'late in the schedule the backoff is longer than what was asked');
});

/** The one delivery of the world's subscription after its first attempt, answered with `status` and `retryAfter`. */
async function firstAttempt(t: Test, status: number, retryAfter: string) {
  const w = await world(t, ['task.status_changed']);
  w.receiver.respond(() => ({ status, headers: { 'retry-after': retryAfter } }));
  await transition(w.app, w.task.id, 'in_progress');
  t.match(await w.app.webhooks.runOnce(), { attempted: 1, failed: 1 });
  const [delivery] = json(await w.app.inject({ method: 'GET', url: `/v1/webhooks/${w.sub.id}/deliveries` })).items;
  const attemptedAt = Date.parse(delivery.attempts[0].attemptedAt);
  return { ...w, delivery, wait: Date.parse(delivery.nextAttemptAt) - attemptedAt, attemptedAt };
}

t.test('a 429 with Retry-After: 120 is attempted again after 2 minutes, not after the 15–30 s backoff; the log shows why', async (t) => {
  const { app, clock, receiver, delivery, wait, attemptedAt } = await firstAttempt(t, 429, '120');
  t.ok(wait >= 120_000 && wait < 125_000, `two minutes after the answer (${wait} ms)`);
  t.match(delivery, { status: 'pending', lastStatusCode: 429, lastError: 'HTTP 429 Too Many Requests (Retry-After: 120)' });
  clock.set(new Date(attemptedAt + 60_000).toISOString());
  t.equal((await app.webhooks.runOnce()).attempted, 0, 'a minute later: not yet, though the backoff would have allowed it');
  receiver.respond(() => ({ status: 204 }));
  clock.set(delivery.nextAttemptAt);
  t.match(await app.webhooks.runOnce(), { attempted: 1, succeeded: 1 }, 'when asked: delivered');
  t.equal(receiver.received.length, 2);
});

t.test('a 503 with an HTTP-date is attempted again at that time, read against the service clock', async (t) => {
  const { delivery } = await firstAttempt(t, 503, 'Sat, 28 Nov 2026 11:00:00 GMT');
  t.equal(delivery.nextAttemptAt, '2026-11-28T11:00:00.000Z');
  t.equal(delivery.lastError, 'HTTP 503 Service Unavailable (Retry-After: Sat, 28 Nov 2026 11:00:00 GMT)');
});

t.test('Retry-After on any failing answer only lengthens the wait: 1 s keeps the backoff, a day is cut to 6 hours', async (t) => {
  const short = await firstAttempt(t, 500, '1');
  t.ok(short.wait >= 15_000 && short.wait <= 30_000, `the backoff, 15–30 s (${short.wait} ms)`);
  const long = await firstAttempt(t, 503, '86400');
  t.equal(long.wait, 6 * HOUR, 'the longest wait of the schedule');
  const unreadable = await firstAttempt(t, 503, 'in a while');
  t.ok(unreadable.wait >= 15_000 && unreadable.wait <= 30_000, `an unreadable one: the backoff (${unreadable.wait} ms)`);
});
