// GET /health: 200 while the database answers, a 503 problem once it does not.
import t from 'tap';
import { build, json } from './helper.js';

t.test('health answers 200 with the service and the database ok', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  t.strictSame(json(res), { status: 'ok', database: 'ok' });
});

t.test('health needs no API key, and a wrong one does not get in its way', async (t) => {
  const app = await build(t);
  for (const authorization of [undefined, 'Bearer not-a-key-at-all', 'Basic Zm9vOmJhcg==']) {
    const res = await app.inject({ method: 'GET', url: '/health', headers: { authorization } });
    t.equal(res.statusCode, 200, `authorization: ${authorization ?? 'none'}`);
    t.strictSame(json(res), { status: 'ok', database: 'ok' });
    t.equal(res.headers['www-authenticate'], undefined, 'no challenge');
  }
});

t.test('health answers 503 with a problem document when the database is closed', async (t) => {
  const app = await build(t);
  app.sqlite.close();
  const res = await app.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 503);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const body = json(res);
  t.match(body, {
    status: 503,
    code: 'service-unavailable',
    title: 'The service is not available',
    detail: 'the database does not answer',
    instance: '/health',
    requestId: res.headers['x-request-id'],
  });
  t.notMatch(res.body, /database connection is not open/i, 'the driver error stays in the log');
});
