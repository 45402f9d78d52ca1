// Security review: behind a reverse proxy, the client address is the one the proxy saw, not one the client wrote.
import t from 'tap';
import { build } from './helper.js';

const BAD = { authorization: 'Bearer cpt_not-a-key-not-a-key-not-a-key-0000' };

t.test('behind a proxy (TRUST_PROXY=true), a client cannot escape the failed-authentication limit by writing X-Forwarded-For', async (t) => {
  const app = await build(t, undefined, { trustProxy: true, authFailureMax: 3 });
  // The reverse proxy appends the address it saw (nginx $proxy_add_x_forwarded_for): the client's own is last, what
  // the client sent comes before it. Before the fix Fastify (trustProxy: true) took the first: 8 × 401, never 429.
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await app.inject({ method: 'GET', url: '/v1/plans', headers: { ...BAD, 'x-forwarded-for': `203.0.113.${i}, 198.51.100.7` } });
    statuses.push(res.statusCode);
  }
  t.same(statuses, [401, 401, 401, 429, 429, 429], 'the client behind the proxy (198.51.100.7) is limited after 3 failures');

  // Another client behind the same proxy is counted on its own: the proxy's address is not the client's.
  const other = await app.inject({ method: 'GET', url: '/v1/plans', headers: { ...BAD, 'x-forwarded-for': '198.51.100.8' } });
  t.equal(other.statusCode, 401, 'another client of the proxy is not locked out');
});
