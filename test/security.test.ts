// Tests of the browser-facing hardening and abuse limits: security headers, no-store on what a key reads,
// CORS closed by default and open only to configured origins, and the per-key rate limit.
import t from 'tap';
import type { Test } from 'tap';
import Fastify, { type InjectOptions } from 'fastify';
import helmet from 'helmet';
import { assertProblem, build, keyFor, refused, testClock, type InjectedResponse } from './helper.js';
import { seedPlan } from './factories.js';

const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';
const MINISTRY_ORIGIN = 'https://ministry.example';
const OTHER_ORIGIN = 'https://elsewhere.example';

const header = (res: InjectedResponse, name: string) => (res.headers[name] === undefined ? undefined : String(res.headers[name]));
const listOf = (value: string | undefined) => (value ?? '').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);
const corsHeaders = (res: InjectedResponse) => Object.keys(res.headers).filter((h) => h.startsWith('access-control-'));

function assertSecurityHeaders(t: Test, res: InjectedResponse, what: string) {
  t.equal(header(res, 'x-content-type-options'), 'nosniff', `${what}: nosniff`);
  t.equal(header(res, 'x-frame-options'), 'SAMEORIGIN', `${what}: not framed by other sites`);
  t.match(header(res, 'content-security-policy'), /default-src 'self'/, `${what}: a content security policy`);
  t.match(header(res, 'content-security-policy'), /frame-ancestors 'self'/, `${what}: frame-ancestors in the policy`);
  t.match(header(res, 'strict-transport-security'), /^max-age=\d+/, `${what}: HSTS`);
  t.equal(header(res, 'referrer-policy'), 'no-referrer', `${what}: no referrer`);
  t.equal(header(res, 'cross-origin-resource-policy'), 'same-origin', `${what}: same-origin resources`);
  t.equal(header(res, 'x-powered-by'), undefined, `${what}: no X-Powered-By`);
}

t.test('security headers are on API responses, errors and /health', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const responses: [string, InjectedResponse][] = [
    ['GET /health', await app.inject({ method: 'GET', url: '/health', headers: { authorization: undefined } })],
    ['GET a plan', await app.inject({ method: 'GET', url: `/v1/plans/${plan.id}` })],
    ['GET a list', await app.inject({ method: 'GET', url: '/v1/tasks' })],
    ['a 404', await app.inject({ method: 'GET', url: `/v1/plans/${MISSING_ID}` })],
    ['a 401', await app.inject({ method: 'GET', url: '/v1/plans', headers: { authorization: undefined } })],
  ];
  t.strictSame(responses.map(([, r]) => r.statusCode), [200, 200, 200, 404, 401], 'the responses are what they should be');
  for (const [what, res] of responses) assertSecurityHeaders(t, res, what);
});

t.test("the security headers are helmet's own, set once recorded", async (t) => {
  // Helmet as @fastify/helmet runs it: its middleware on each request's raw response, here in a bare Fastify app.
  const bare = Fastify();
  t.teardown(() => bare.close());
  const middleware = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  bare.addHook('onRequest', (request, reply, done) => middleware(request.raw, reply.raw, (err) => done(err as Error | undefined)));
  bare.get('/', async () => ({}));
  const expected = (await bare.inject({ method: 'GET', url: '/' })).headers;
  const helmetNames = Object.keys(expected).filter((name) => !['content-type', 'content-length', 'date', 'connection'].includes(name));
  t.ok(helmetNames.length >= 10, `helmet sets ${helmetNames.length} headers`);
  const app = await build(t);
  for (const url of ['/health', '/v1/plans', '/v1/nothing-here']) {
    const res = await app.inject({ method: 'GET', url });
    for (const name of helmetNames) t.equal(res.headers[name], expected[name], `${url}: ${name} as helmet sets it`);
  }
});

t.test('what a key reads is never stored by a cache, errors included', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const observer = await keyFor(app, 'observer');
  const cases: [string, InjectOptions, number][] = [
    ['a list', { method: 'GET', url: '/v1/plans' }, 200],
    ['one resource', { method: 'GET', url: `/v1/plans/${plan.id}` }, 200],
    ['a write', { method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { title: 'Renamed' } }, 200],
    ['a missing resource', { method: 'GET', url: `/v1/plans/${MISSING_ID}` }, 404],
    ['an unknown route', { method: 'GET', url: '/v1/nothing-here' }, 404],
    ['a refusal', { method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { title: 'X' }, headers: observer.headers }, 403],
    ['a validation failure', { method: 'GET', url: '/v1/plans/not-an-id' }, 400],
    ['the current key', { method: 'GET', url: '/v1/api-keys/current', headers: observer.headers }, 200],
  ];
  for (const [what, request, status] of cases) {
    const res = await app.inject(request);
    t.equal(res.statusCode, status, `${what}: ${status}`);
    t.equal(header(res, 'cache-control'), 'no-store', `${what}: Cache-Control: no-store`);
  }
  // /health reads nothing a key protects: it is public and no-store is not required there.
  const health = await app.inject({ method: 'GET', url: '/health', headers: { authorization: undefined } });
  t.equal(health.statusCode, 200, '/health answers without a key');
});

t.test('without configured origins, CORS is closed: no Access-Control-* header, not even to a preflight', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const get = await app.inject({ method: 'GET', url: `/v1/plans/${plan.id}`, headers: { origin: MINISTRY_ORIGIN } });
  t.equal(get.statusCode, 200, 'the request itself is served (it may come from a server)');
  t.strictSame(corsHeaders(get), [], 'but no CORS header lets a browser read it');

  const preflight = await app.inject({
    method: 'OPTIONS',
    url: `/v1/plans/${plan.id}`,
    headers: {
      authorization: undefined,
      origin: MINISTRY_ORIGIN,
      'access-control-request-method': 'PATCH',
      'access-control-request-headers': 'authorization, if-match',
    },
  });
  t.not(preflight.statusCode, 204, 'the preflight is not approved');
  t.ok(preflight.statusCode >= 400, `it is refused (${preflight.statusCode})`);
  t.strictSame(corsHeaders(preflight), [], 'with no CORS header');
});

t.test('with configured origins, a listed origin may call the API from a browser and others may not', async (t) => {
  const app = await build(t, testClock(), { corsOrigins: [MINISTRY_ORIGIN] });
  const { plan } = await seedPlan(app);
  const url = `/v1/plans/${plan.id}`;

  const listed = await app.inject({ method: 'GET', url, headers: { origin: MINISTRY_ORIGIN } });
  t.equal(listed.statusCode, 200);
  t.equal(header(listed, 'access-control-allow-origin'), MINISTRY_ORIGIN, 'the listed origin is allowed');
  t.ok(listOf(header(listed, 'vary')).includes('origin'), 'Vary: Origin, so caches keep origins apart');
  const exposed = listOf(header(listed, 'access-control-expose-headers'));
  for (const name of ['etag', 'location', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining']) {
    t.ok(exposed.includes(name), `${name} is exposed to the page`);
  }
  t.equal(header(listed, 'access-control-allow-credentials'), undefined, 'no credentials mode: keys travel in Authorization');

  const preflight = await app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      authorization: undefined,
      origin: MINISTRY_ORIGIN,
      'access-control-request-method': 'PATCH',
      'access-control-request-headers': 'authorization, content-type, if-match, idempotency-key',
    },
  });
  t.equal(preflight.statusCode, 204, 'a preflight needs no key and is approved');
  t.equal(header(preflight, 'access-control-allow-origin'), MINISTRY_ORIGIN);
  const allowedHeaders = listOf(header(preflight, 'access-control-allow-headers'));
  for (const name of ['authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key']) {
    t.ok(allowedHeaders.includes(name), `${name} may be sent`);
  }
  const allowedMethods = listOf(header(preflight, 'access-control-allow-methods'));
  for (const method of ['get', 'post', 'patch', 'delete']) t.ok(allowedMethods.includes(method), `${method.toUpperCase()} is allowed`);

  // A refusal must reach the page too, or it cannot tell a bad key from a network error.
  const unauthorized = await app.inject({ method: 'GET', url, headers: { origin: MINISTRY_ORIGIN, authorization: undefined } });
  t.equal(unauthorized.statusCode, 401);
  t.equal(header(unauthorized, 'access-control-allow-origin'), MINISTRY_ORIGIN, 'a 401 is readable by the listed origin');

  const other = await app.inject({ method: 'GET', url, headers: { origin: OTHER_ORIGIN } });
  t.equal(header(other, 'access-control-allow-origin'), undefined, 'another origin is not allowed');
  const otherPreflight = await app.inject({
    method: 'OPTIONS',
    url,
    headers: { authorization: undefined, origin: OTHER_ORIGIN, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization' },
  });
  t.equal(header(otherPreflight, 'access-control-allow-origin'), undefined, "another origin's preflight is not approved");

  // An OPTIONS that is no preflight is answered as with CORS off: 405 with Allow on a known path, 404 on an unknown one.
  for (const headers of [{}, { origin: MINISTRY_ORIGIN }, { 'access-control-request-method': 'GET' }]) {
    const plain = await app.inject({ method: 'OPTIONS', url, headers: { authorization: undefined, ...headers } });
    assertProblem(t, plain, 405, 'method-not-allowed');
    t.equal(header(plain, 'allow'), 'GET, HEAD, PATCH', `OPTIONS with ${JSON.stringify(headers)}: the path's methods`);
  }
  const health = await app.inject({ method: 'OPTIONS', url: '/health', headers: { authorization: undefined } });
  assertProblem(t, health, 405, 'method-not-allowed');
  t.equal(header(health, 'allow'), 'GET, HEAD');
  assertProblem(t, await app.inject({ method: 'OPTIONS', url: '/v1/no-such-thing', headers: { authorization: undefined } }), 404, 'route-not-found');
});

t.test('the rate limit counts each key on its own and answers 429 with Retry-After', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 3 });
  // The secretariat key spends one request issuing the second key.
  const limited = await keyFor(app, 'secretariat');
  const { headers } = limited;

  for (const remaining of ['2', '1', '0']) {
    const res = await app.inject({ method: 'GET', url: '/v1/commissions', headers });
    t.equal(res.statusCode, 200, `allowed while ${remaining} remain`);
    t.equal(header(res, 'x-ratelimit-limit'), '3', 'X-RateLimit-Limit');
    t.equal(header(res, 'x-ratelimit-remaining'), remaining, 'X-RateLimit-Remaining goes down');
    t.match(header(res, 'x-ratelimit-reset'), /^\d+$/, 'X-RateLimit-Reset');
  }

  // A write over the limit is refused before it runs.
  const body = await refused(
    t,
    app,
    {
      method: 'POST',
      url: '/v1/commissions',
      headers,
      payload: { name: 'X', timeZone: 'UTC', parties: [{ country: 'BY', coChair: { name: 'A', position: 'B' } }, { country: 'KZ', coChair: { name: 'C', position: 'D' } }] },
    },
    429,
    'too-many-requests',
  );
  t.match(body.detail, /3 requests/, 'the detail names the limit');
  const again = await app.inject({ method: 'GET', url: '/v1/commissions', headers });
  assertProblem(t, again, 429, 'too-many-requests');
  t.match(header(again, 'retry-after'), /^[1-9]\d*$/, 'Retry-After in seconds');
  t.equal(header(again, 'x-ratelimit-limit'), '3', 'X-RateLimit-Limit on the 429');
  t.equal(header(again, 'x-ratelimit-remaining'), '0', 'X-RateLimit-Remaining 0 on the 429');
  t.equal(header(again, 'cache-control'), 'no-store', 'no-store on the 429');

  // The other keys, from the same address, are unaffected.
  const other = await app.inject({ method: 'GET', url: '/v1/commissions' });
  t.equal(other.statusCode, 200, 'the bootstrap key still works');
  t.equal(header(other, 'x-ratelimit-remaining'), '1', 'it spent only its own requests');
  const fresh = await app.inject({ method: 'GET', url: '/v1/api-keys/current', headers: (await keyFor(app, 'observer')).headers });
  t.equal(fresh.statusCode, 200, 'a fresh key has its own allowance');
  t.equal(header(fresh, 'x-ratelimit-remaining'), '2');
});

t.test('rateLimitMax 0 turns the limit off: no 429 and no X-RateLimit headers', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 0 });
  for (let i = 0; i < 10; i++) {
    const res = await app.inject({ method: 'GET', url: '/v1/commissions' });
    t.equal(res.statusCode, 200, `request ${i + 1}`);
    t.strictSame(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit') || h === 'retry-after'), [], 'no rate-limit header');
  }
});

t.test('/health is never rate-limited: load balancers probe it often from one address', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 2 });
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: 'GET', url: '/health', headers: { authorization: undefined } });
    t.equal(res.statusCode, 200, `probe ${i + 1}`);
    t.notOk(res.headers['x-ratelimit-limit'], 'no rate-limit headers');
  }
});

t.test('requests to paths no route answers count against the key\'s rate limit: past it, 429 with Retry-After', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 3 });
  const prober = await keyFor(app, 'observer');
  const { headers } = prober;
  const unknown: InjectOptions[] = [
    { method: 'GET', url: '/v1/nothing-here', headers },
    { method: 'POST', url: '/v1/tasks/x/nothing', headers, payload: { a: 1 } },
    { method: 'GET', url: '/admin', headers },
  ];
  for (const [i, request] of unknown.entries()) {
    const res = await app.inject(request);
    assertProblem(t, res, 404, 'route-not-found');
    t.equal(header(res, 'x-ratelimit-limit'), '3', `${request.method} ${request.url}: X-RateLimit-Limit`);
    t.equal(header(res, 'x-ratelimit-remaining'), String(2 - i), `${request.method} ${request.url}: X-RateLimit-Remaining goes down`);
  }
  for (const request of [...unknown, { method: 'GET' as const, url: '/v1/commissions', headers }]) {
    const res = await app.inject(request);
    assertProblem(t, res, 429, 'too-many-requests');
    t.match(JSON.parse(res.body).detail, /3 requests/, `${request.method} ${request.url}: the detail names the limit`);
    t.match(header(res, 'retry-after'), /^[1-9]\d*$/, `${request.method} ${request.url}: Retry-After in seconds`);
    t.equal(header(res, 'x-ratelimit-remaining'), '0', `${request.method} ${request.url}: X-RateLimit-Remaining 0`);
  }
  // The same allowance, whichever routes spend it: known routes first, then an unknown path is refused too.
  const other = await keyFor(app, 'observer');
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ method: 'GET', url: '/v1/commissions', headers: other.headers })).statusCode, 200);
  assertProblem(t, await app.inject({ method: 'GET', url: '/v1/nothing-here', headers: other.headers }), 429, 'too-many-requests');
});

t.test('an unknown path tells no more of a key than a known route: a bad key is 401 there too, without rate-limit headers', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 3 });
  for (const url of ['/v1/commissions', '/v1/nothing-here']) {
    for (const authorization of [undefined, `Bearer cpt_${'Z'.repeat(43)}`]) {
      const res = await app.inject({ method: 'GET', url, headers: { authorization } });
      assertProblem(t, res, 401, 'unauthorized');
      t.strictSame(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit')), [], `${url}, ${authorization ? 'a bad key' : 'no key'}: no rate-limit header`);
    }
  }
});

t.test('without a key, unknown paths count with known routes against the address\'s failed authentications', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 100, authFailureMax: 3 });
  const none = { authorization: undefined };
  assertProblem(t, await app.inject({ method: 'GET', url: '/v1/nothing-here', headers: none }), 401, 'unauthorized');
  assertProblem(t, await app.inject({ method: 'GET', url: '/v1/commissions', headers: none }), 401, 'unauthorized');
  assertProblem(t, await app.inject({ method: 'GET', url: '/admin', headers: { authorization: `Bearer cpt_${'Z'.repeat(43)}` } }), 401, 'unauthorized');
  for (const url of ['/v1/nothing-here', '/v1/commissions']) {
    const res = await app.inject({ method: 'GET', url, headers: none });
    assertProblem(t, res, 429, 'too-many-requests');
    t.match(header(res, 'retry-after'), /^[1-9]\d*$/, `${url}: Retry-After`);
  }
});

t.test('a wrong method on a known path counts against the address\'s rate limit, with or without a key: past it, 429', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 3 });
  const { headers } = await keyFor(app, 'observer');
  const wrong: InjectOptions[] = [
    { method: 'DELETE', url: '/v1/commissions', headers },
    { method: 'PUT', url: '/v1/tasks', headers: { authorization: undefined }, payload: { a: 1 } },
    { method: 'PATCH', url: '/health', headers },
  ];
  for (const [i, request] of wrong.entries()) {
    const res = await app.inject(request);
    assertProblem(t, res, 405, 'method-not-allowed');
    t.ok(header(res, 'allow'), `${request.method} ${request.url}: Allow`);
    t.equal(header(res, 'x-ratelimit-remaining'), String(2 - i), `${request.method} ${request.url}: X-RateLimit-Remaining goes down`);
  }
  for (const request of wrong) {
    const res = await app.inject(request);
    assertProblem(t, res, 429, 'too-many-requests');
    t.match(header(res, 'retry-after'), /^[1-9]\d*$/, `${request.method} ${request.url}: Retry-After in seconds`);
  }
  // The key is not read before a 405, so its own allowance is untouched.
  const own = await app.inject({ method: 'GET', url: '/v1/commissions', headers });
  t.equal(own.statusCode, 200, 'the key still reads');
  t.equal(header(own, 'x-ratelimit-remaining'), '2', 'its allowance is its own');
});

t.test('rateLimitMax 0 leaves wrong methods unlimited too: 405 without X-RateLimit headers', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 0 });
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: 'DELETE', url: '/v1/commissions' });
    assertProblem(t, res, 405, 'method-not-allowed');
    t.strictSame(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit') || h === 'retry-after'), [], 'no rate-limit header');
  }
});

t.test('rateLimitMax 0 leaves unknown paths unlimited too: 404 without X-RateLimit headers', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 0 });
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    assertProblem(t, res, 404, 'route-not-found');
    t.strictSame(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit') || h === 'retry-after'), [], 'no rate-limit header');
  }
});
