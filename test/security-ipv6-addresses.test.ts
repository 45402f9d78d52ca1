// Security review: limits per client address hold for IPv6 clients, who each have a /64 of addresses to pick from.
import t from 'tap';
import type { InjectOptions } from 'fastify';
import { assertProblem, build, keyFor, testClock } from './helper.js';

const BAD = { authorization: 'Bearer cpt_not-a-key-not-a-key-not-a-key-0000' };
const from = (remoteAddress: string, headers: Record<string, string | undefined> = BAD): InjectOptions => ({
  method: 'GET',
  url: '/v1/plans',
  headers,
  remoteAddress,
});

t.test('an IPv6 client cannot escape the failed-authentication limit by moving to another address of its /64', async (t) => {
  const app = await build(t, testClock(), { authFailureMax: 3 });
  // Any host of a /64 (one home or office network, one cloud instance) may use every address of it; before the fix
  // each counted on its own, so a guesser moving to the next address was never limited: 6 × 401.
  const statuses: number[] = [];
  for (let i = 1; i <= 6; i++) statuses.push((await app.inject(from(`2001:db8:1:2::${i.toString(16)}`))).statusCode);
  t.same(statuses, [401, 401, 401, 429, 429, 429], 'the /64 is limited after 3 failures, whatever address of it they came from');
  assertProblem(t, await app.inject(from('2001:db8:1:2:aaaa:bbbb:cccc:dddd')), 429, 'too-many-requests');

  // Another network is counted on its own.
  t.equal((await app.inject(from('2001:db8:1:3::1'))).statusCode, 401, 'another /64 is not locked out');
});

t.test('a key used from an address of a /64 keeps working from the others while that /64 is over its failure limit', async (t) => {
  const app = await build(t, testClock(), { authFailureMax: 2 });
  const key = await keyFor(app, 'observer');
  // A host with temporary (privacy) addresses changes the address it calls from, within its /64.
  t.equal((await app.inject(from('2001:db8:7:7::10', key.headers))).statusCode, 200);
  for (let i = 0; i < 3; i++) await app.inject(from('2001:db8:7:7::66'));
  t.equal((await app.inject(from('2001:db8:7:7::11', key.headers))).statusCode, 200, 'the running integration is not locked out');
});

t.test('the per-address limit of public routes counts a /64 as one client', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 2 });
  const statuses: number[] = [];
  for (let i = 1; i <= 3; i++) {
    statuses.push((await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: undefined }, remoteAddress: `2001:db8:9:9::${i}` })).statusCode);
  }
  t.same(statuses, [200, 200, 429]);
});
