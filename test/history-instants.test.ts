// The history's since and until filters read any RFC 3339 instant: with an offset, and with more than milliseconds.
import t from 'tap';
import type { Test } from 'tap';
import { build, json, testClock } from './helper.js';
import { createCommission } from './factories.js';

/** The commission is created at 09:00:00.000 UTC: its history entries are all at that instant. */
const T0 = '2026-11-28T09:00:00.000Z';

async function world(t: Test) {
  const app = await build(t, testClock(T0));
  await createCommission(app);
  const count = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/v1/history?${query}` });
    t.equal(res.statusCode, 200, `${query} is read (${res.statusCode}: ${res.statusCode === 200 ? '' : res.body})`);
    return res.statusCode === 200 ? (json(res).items as unknown[]).length : -1;
  };
  const all = await count('limit=200');
  t.ok(all > 0, 'entries at 09:00:00.000');
  return { app, count, all };
}

t.test('an instant with an offset, as RFC 3339 and the published format date-time allow, names the same instant as in UTC', async (t) => {
  const { count, all } = await world(t);
  // 10:00+01:00 is 09:00Z (Python's isoformat() writes UTC as +00:00).
  t.equal(await count(`since=${encodeURIComponent('2026-11-28T10:00:00+01:00')}`), all, 'since 10:00+01:00 holds the 09:00Z entries');
  t.equal(await count(`until=${encodeURIComponent('2026-11-28T10:00:00+01:00')}`), 0, 'until 10:00+01:00 excludes them');
  t.equal(await count(`since=${encodeURIComponent('2026-11-28T09:00:00+00:00')}`), all, '+00:00 is UTC');
  t.equal(await count(`since=${encodeURIComponent('2026-11-28T08:00:00.001-01:00')}`), 0, 'a millisecond later, west of UTC');
  // A wall-clock time Berlin skips (02:30 on 29 March 2026) is still one instant once its offset is written.
  t.equal(await count(`until=${encodeURIComponent('2026-03-29T02:30:00+01:00')}`), 0);
});

t.test('an offset that carries an instant past 9999 or before 0000 still compares with every stored instant', async (t) => {
  const { count, all } = await world(t);
  // 9999-12-31T23:00-05:00 is 10000-01-01T04:00Z, which toISOString writes "+010000-…" and which sorted before "2026-…".
  t.equal(await count(`since=${encodeURIComponent('9999-12-31T23:00:00-05:00')}`), 0, 'nothing is after the year 9999');
  t.equal(await count(`until=${encodeURIComponent('9999-12-31T23:00:00-05:00')}`), all, 'everything is before it');
  t.equal(await count(`since=${encodeURIComponent('0000-01-01T00:00:00+01:00')}`), all, 'everything is after the year 0000');
  t.equal(await count(`until=${encodeURIComponent('0000-01-01T00:00:00+01:00')}`), 0, 'nothing before');
  t.equal(await count('until=9999-12-31T23:59:59.999Z'), all, 'the last instant a date-time of four-digit years has');
});

t.test('a fraction finer than the millisecond is not cut off: since and until keep their sense', async (t) => {
  const { count, all } = await world(t);
  t.equal(await count('since=2026-11-28T09:00:00.0005Z'), 0, 'the entries of 09:00:00.000 are before 09:00:00.0005');
  t.equal(await count('until=2026-11-28T09:00:00.0005Z'), all, 'and so they are before the until');
  t.equal(await count('since=2026-11-28T09:00:00.000000Z'), all, 'zeros are no later instant');
  t.equal(await count('until=2026-11-28T09:00:00.000000Z'), 0);
  t.equal(await count('since=9999-12-31T23:59:59.9999Z'), 0, 'past the last millisecond of 9999');
});
