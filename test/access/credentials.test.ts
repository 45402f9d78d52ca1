// Authentication from outside: every bad or missing credential is 401 and changes nothing; the failed-auth
// limit; public routes; and key management (secret shown once, secretariat only, revocation at once).
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import { knownKeys } from '../../src/plugins/auth.js';
import { assertProblem, build, json, keyFor, refused, snapshot, testClock, SECRETARIAT_TOKEN } from '../helper.js';
import { createOrganization } from '../factories.js';
import { as, type Key } from './world.js';

const TOKEN_SHAPE = /^cpt_[A-Za-z0-9_-]{43}$/;
const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';

let creations = 0;

/**
 * A POST that would create an organization, and a GET that would list commissions, with the given headers. Each POST
 * names another organization: a second of one name in a country is 409.
 */
const creating = (headers: Record<string, string | undefined>, url = '/v1/organizations'): InjectOptions => ({
  method: 'POST',
  url,
  headers,
  payload: { name: `Ministry of Energy No. ${++creations}`, kind: 'ministry', country: 'BY' },
});
const reading = (headers: Record<string, string | undefined>, url = '/v1/commissions'): InjectOptions => ({ method: 'GET', url, headers });

/** The token with its character at `index` replaced by another character of the token alphabet. */
function changedAt(token: string, index: number): string {
  const c = token[index];
  return token.slice(0, index) + (c === 'A' ? 'B' : 'A') + token.slice(index + 1);
}

/** Asserts a 401 problem with a Bearer challenge and an unchanged database, for `request`. */
async function unauthorized(t: Test, app: App, request: InjectOptions) {
  const before = snapshot(app);
  const res = await app.inject(request);
  assertProblem(t, res, 401, 'unauthorized');
  t.match(String(res.headers['www-authenticate']), /^Bearer realm="/, 'a Bearer challenge');
  t.strictSame(snapshot(app), before, 'nothing changed');
}

interface CredentialCase {
  name: string;
  /** The Authorization header (undefined: none), or a request of its own. */
  header: (k: { secretariat: Key; revoked: Key }) => string | undefined;
  query?: (k: { secretariat: Key; revoked: Key }) => string;
}

const CASES: CredentialCase[] = [
  { name: 'no Authorization header', header: () => undefined },
  { name: 'an empty Authorization header', header: () => '' },
  { name: 'Basic credentials', header: () => 'Basic dXNlcjpwYXNz' },
  { name: 'the Bearer scheme with no token', header: () => 'Bearer' },
  { name: 'the Bearer scheme and spaces only', header: () => 'Bearer     ' },
  { name: 'a valid key without a scheme', header: (k) => k.secretariat.token },
  { name: 'an unknown well-formed key', header: () => `Bearer cpt_${'Q'.repeat(43)}` },
  { name: 'an unknown key sharing a real prefix', header: (k) => `Bearer ${k.secretariat.token.slice(0, 12)}${'x'.repeat(35)}` },
  { name: 'a real key with its last character changed', header: (k) => `Bearer ${changedAt(k.secretariat.token, k.secretariat.token.length - 1)}` },
  { name: 'a real key with a middle character changed', header: (k) => `Bearer ${changedAt(k.secretariat.token, 20)}` },
  { name: 'a real key with its prefix changed', header: (k) => `Bearer ${changedAt(k.secretariat.token, 5)}` },
  { name: 'a real key truncated by one character', header: (k) => `Bearer ${k.secretariat.token.slice(0, -1)}` },
  { name: 'a real key truncated to its prefix', header: (k) => `Bearer ${k.secretariat.token.slice(0, 12)}` },
  { name: 'a real key with an extra character', header: (k) => `Bearer ${k.secretariat.token}A` },
  { name: 'a real key in lowercase', header: (k) => `Bearer ${k.secretariat.token.toLowerCase()}` },
  { name: 'a real key in uppercase', header: (k) => `Bearer ${k.secretariat.token.toUpperCase()}` },
  { name: 'the bootstrap token in uppercase', header: () => `Bearer ${SECRETARIAT_TOKEN.toUpperCase()}` },
  { name: 'a revoked key', header: (k) => k.revoked.headers.authorization },
  { name: 'a valid key in ?api_key= instead of the header', header: () => undefined, query: (k) => `api_key=${k.secretariat.token}` },
  { name: 'a valid key in ?access_token= instead of the header', header: () => undefined, query: (k) => `access_token=${k.secretariat.token}` },
  { name: 'a non-ASCII token', header: () => 'Bearer ключ-доступа-ёжик' },
  { name: 'a token with a space inside', header: (k) => `Bearer ${k.secretariat.token.slice(0, 20)} ${k.secretariat.token.slice(20)}` },
  { name: 'two schemes, Bearer first', header: (k) => `Bearer ${k.secretariat.token}, Basic dXNlcjpwYXNz` },
  { name: 'two schemes, Basic first', header: (k) => `Basic dXNlcjpwYXNz, Bearer ${k.secretariat.token}` },
  { name: 'two Bearer tokens', header: (k) => `Bearer ${k.secretariat.token} ${k.secretariat.token}` },
  { name: 'the token quoted', header: (k) => `Bearer "${k.secretariat.token}"` },
];

t.test('every bad or missing credential is 401 with a Bearer challenge and changes nothing', async (t) => {
  const app = await build(t);
  const secretariat = await keyFor(app, 'secretariat');
  const revoked = await keyFor(app, 'secretariat');
  t.equal((await app.inject(reading(revoked.headers))).statusCode, 200, 'the key to be revoked works before');
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${revoked.id}` })).statusCode, 200, 'revoked');
  const keys = { secretariat, revoked };

  for (const c of CASES) {
    t.test(c.name, async (t) => {
      const header = c.header(keys);
      const query = c.query ? `?${c.query(keys)}` : '';
      await unauthorized(t, app, creating({ authorization: header }, `/v1/organizations${query}`));
      await unauthorized(t, app, reading({ authorization: header }, `/v1/commissions${query}`));
    });
  }

  t.test('the same key, well formed, is accepted: the cases above are refused for their credential alone', async (t) => {
    const res = await app.inject(creating(secretariat.headers));
    t.equal(res.statusCode, 201, 'created with the valid key');
  });
});

t.test('a revoked key is refused on the very next request', async (t) => {
  const app = await build(t);
  const key = await keyFor(app, 'ministry', (await createOrganization(app)).id);
  t.equal((await app.inject(reading(key.headers))).statusCode, 200, 'works before revocation');
  const revoked = await app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}` });
  t.equal(revoked.statusCode, 200);
  t.match(json(revoked), { id: key.id, status: 'revoked', revokedAt: String });
  await unauthorized(t, app, reading(key.headers));
  await unauthorized(t, app, reading(key.headers, '/v1/api-keys/current'));
});

t.test('a very long token is 401 or 431, never a 500, and changes nothing', async (t) => {
  const app = await build(t);
  for (const length of [513, 10_000]) {
    for (const request of [creating({ authorization: `Bearer ${'a'.repeat(length)}` }), reading({ authorization: `Bearer ${'a'.repeat(length)}` })]) {
      const before = snapshot(app);
      const res = await app.inject(request);
      t.ok([401, 431].includes(res.statusCode), `${request.method} with a ${length}-character token: ${res.statusCode}`);
      t.strictSame(snapshot(app), before, 'nothing changed');
    }
  }
});

t.test('the scheme is case-insensitive (RFC 9110 §11.1): bearer and BEARER work with a valid key', async (t) => {
  const app = await build(t);
  const key = await keyFor(app, 'secretariat');
  for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
    const created = await app.inject(creating({ authorization: `${scheme} ${key.token}` }));
    t.equal(created.statusCode, 201, `${scheme}: POST creates`);
    const res = await app.inject(reading({ authorization: `${scheme} ${key.token}` }));
    t.equal(res.statusCode, 200, `${scheme}: GET reads`);
  }
});

t.test('a key pasted with its "Bearer " into /docs (sent as "Bearer Bearer <key>") is told to paste the key alone', async (t) => {
  const app = await build(t);
  const key = await keyFor(app, 'ministry', (await createOrganization(app)).id);
  const res = await app.inject(reading({ authorization: `Bearer Bearer ${key.token}` }));
  const problem = assertProblem(t, res, 401, 'unauthorized');
  t.match(problem.detail, /"Bearer" twice/, 'says what is wrong with the header');
  t.match(problem.detail, /the key alone/, 'and what to do instead');
  // The scheme says it where the key is entered: the Authorize dialog of /docs shows its description.
  const doc = json(await app.inject({ method: 'GET', url: '/openapi.json' }));
  t.match(doc.components.securitySchemes.apiKey.description, /the key alone/, 'the Authorize dialog asks for the key alone');
});

t.test('health and the API description answer without a key, and whatever key is sent', async (t) => {
  const app = await build(t);
  for (const authorization of [undefined, 'Bearer cpt_not-a-key', 'Basic dXNlcjpwYXNz']) {
    const health = await app.inject({ method: 'GET', url: '/health', headers: { authorization } });
    t.equal(health.statusCode, 200, `/health with ${authorization ?? 'no key'}`);
    t.same(json(health), { status: 'ok', database: 'ok' });
    const doc = await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization } });
    t.equal(doc.statusCode, 200, `/openapi.json with ${authorization ?? 'no key'}`);
    t.equal(json(doc).openapi, '3.1.0');
    const docs = await app.inject({ method: 'GET', url: '/docs', headers: { authorization } });
    t.equal(docs.statusCode, 200, `/docs with ${authorization ?? 'no key'}`);
    t.match(String(docs.headers['content-type']), /^text\/html/);
  }
});

t.test('HEAD needs a key like GET: 401 without one, 200 with one', async (t) => {
  const app = await build(t);
  for (const url of ['/v1/commissions', '/v1/tasks', '/v1/api-keys/current', '/v1/history']) {
    const res = await app.inject({ method: 'HEAD', url, headers: { authorization: undefined } });
    t.equal(res.statusCode, 401, `HEAD ${url} without a key`);
    t.match(String(res.headers['www-authenticate']), /^Bearer realm="/, 'a Bearer challenge');
    t.equal(res.body, '', 'no body on HEAD');
    t.equal((await app.inject({ method: 'HEAD', url })).statusCode, 200, `HEAD ${url} with a key`);
  }
});

t.test('an unknown route without a key is 401, not 404: the route list is not told to strangers', async (t) => {
  const app = await build(t);
  for (const [method, url] of [
    ['GET', '/v1/nothing-here'],
    ['GET', '/admin'],
    ['POST', '/v1/tasks/x/nothing'],
    ['DELETE', '/v1/commissions/x/nothing'],
    // A known path with a method it lacks (DELETE /v1/commissions) is 405 with or without a key: test/contract.test.ts.
  ] as const) {
    await unauthorized(t, app, { method, url, headers: { authorization: undefined } });
    await unauthorized(t, app, { method, url, headers: { authorization: 'Bearer cpt_unknown' } });
    const known = await app.inject({ method, url });
    t.equal(known.statusCode, 404, `${method} ${url} with a valid key is 404`);
  }
});

t.test('after AUTH_FAILURE_MAX failures from one address, it gets 429 with Retry-After, but for keys used from it lately', async (t) => {
  const clock = testClock();
  const app = await build(t, clock, { authFailureMax: 3 });
  const key = await keyFor(app, 'secretariat');
  const unused = await keyFor(app, 'observer');
  const knownObserver = await keyFor(app, 'observer');
  const toRevoke = await keyFor(app, 'secretariat');
  for (let i = 0; i < 5; i++) {
    t.equal((await app.inject(reading(key.headers))).statusCode, 200, 'successes do not count as failures');
  }
  for (const other of [knownObserver, toRevoke]) t.equal((await app.inject(reading(other.headers))).statusCode, 200, 'two more keys used from it');
  // A neighbour behind the same address with a revoked or mistyped key, or someone guessing.
  for (let i = 1; i <= 3; i++) {
    await unauthorized(t, app, reading({ authorization: `Bearer cpt_${'Z'.repeat(43)}` }));
  }
  const refusedWith429 = async (request: InjectOptions, why: string) => {
    const before = snapshot(app);
    const res = await app.inject(request);
    assertProblem(t, res, 429, 'too-many-requests');
    const retryAfter = Number(res.headers['retry-after']);
    t.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `${why}: Retry-After is 1..60 seconds (${res.headers['retry-after']})`);
    t.strictSame(snapshot(app), before, `${why}: nothing changed`);
  };
  await refusedWith429(reading({ authorization: `Bearer cpt_${'Y'.repeat(43)}` }), 'another wrong key');
  await refusedWith429(reading({ authorization: undefined }), 'no key');
  await refusedWith429(reading(unused.headers), 'a valid key never used from this address (a right guess tells nothing)');
  await refusedWith429(reading({ ...unused.headers, 'x-forwarded-for': '203.0.113.9' }), 'X-Forwarded-For does not move a caller to another address (no trusted proxy)');

  // The integration that was working goes on working.
  t.equal((await app.inject(reading(key.headers))).statusCode, 200, 'a key used from this address lately still reads');
  const created = await app.inject(creating(key.headers));
  t.equal(created.statusCode, 201, 'and writes');
  // Such a key passes without the address's failures being looked at, but still only as far as its role and its state allow.
  assertProblem(t, await app.inject(creating(knownObserver.headers)), 403, 'forbidden');
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${toRevoke.id}`, headers: key.headers })).statusCode, 200, 'a key used from it is revoked');
  await refusedWith429(reading(toRevoke.headers), 'a revoked key once used from this address (it counts as a failure there)');

  t.equal((await app.inject({ ...reading(unused.headers), remoteAddress: '198.51.100.7' })).statusCode, 200, 'another address is not limited');
  t.equal((await app.inject({ method: 'GET', url: '/health', headers: { authorization: undefined } })).statusCode, 200, 'health stays public');

  // A day without use from this address, and the key is a stranger to it again.
  clock.set(new Date(clock().getTime() + 24 * 60 * 60_000 + 1000).toISOString());
  await refusedWith429(reading(key.headers), 'a key last used from this address more than a day ago');
});

t.test('the memory of keys used from each address is bounded and forgets the longest unrefreshed first', async (t) => {
  let now = 0;
  const known = knownKeys(() => now, 1000, 3);
  known.remember('a', 'k1');
  known.remember('a', 'k2');
  known.remember('b', 'k1');
  t.ok(known.has('a', 'k1') && known.has('a', 'k2') && known.has('b', 'k1'));
  t.notOk(known.has('b', 'k2'), 'an address and key never seen together');
  now = 600;
  known.remember('a', 'k1'); // past half its time: refreshed, now the newest
  known.remember('c', 'k3'); // a fourth: the oldest (a k2) goes
  t.notOk(known.has('a', 'k2'), 'the longest unrefreshed is forgotten');
  t.ok(known.has('a', 'k1') && known.has('b', 'k1') && known.has('c', 'k3'));
  now = 1200;
  t.ok(known.has('a', 'k1'), 'refreshed at 600: valid until 1600');
  t.notOk(known.has('b', 'k1'), 'remembered at 0: expired at 1000');
});

t.test('a key is shown once: the token at creation, never after, and no hash anywhere', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'POST', url: '/v1/api-keys', payload: { name: 'Observer of the council', role: 'observer' } });
  t.equal(res.statusCode, 201);
  const created = json(res);
  t.match(created.token, TOKEN_SHAPE, 'cpt_ and 43 base64url characters');
  t.equal(created.prefix, created.token.slice(0, 12), 'the prefix is the start of the token');
  t.equal(res.headers.location, `/v1/api-keys/${created.id}`);
  t.match(created, { name: 'Observer of the council', role: 'observer', organizationId: null, status: 'active', lastUsedAt: null, revokedAt: null });
  t.notOk('hash' in created, 'no hash at creation');

  const single = await app.inject({ method: 'GET', url: `/v1/api-keys/${created.id}` });
  const list = await app.inject({ method: 'GET', url: '/v1/api-keys' });
  const current = await app.inject({ method: 'GET', url: '/v1/api-keys/current', headers: { authorization: `Bearer ${created.token}` } });
  const history = await app.inject({ method: 'GET', url: '/v1/history' });
  for (const [what, r] of [['GET /v1/api-keys/{id}', single], ['GET /v1/api-keys', list], ['GET /v1/api-keys/current', current], ['GET /v1/history', history]] as const) {
    t.equal(r.statusCode, 200, what);
    t.notOk(r.body.includes(created.token), `${what} never shows the token`);
    t.notMatch(r.body, /"(token|hash)"/, `${what} has no token or hash field`);
  }
  const { token: _token, ...stored } = created;
  t.same(json(single), stored, 'the key reads back as created, without its token');
  t.ok(json(list).items.some((k: { id: string }) => k.id === created.id), 'listed');
  t.notOk(JSON.stringify(snapshot(app)).includes(created.token), 'the database holds no clear token');
});

t.test('only the secretariat manages keys, co-chairs read them: every other role gets 403 on every /v1/api-keys operation', async (t) => {
  const app = await build(t);
  const org = await createOrganization(app);
  const target = await keyFor(app, 'observer');
  const requests: InjectOptions[] = [
    { method: 'GET', url: '/v1/api-keys' },
    { method: 'GET', url: '/v1/api-keys?status=active' },
    { method: 'POST', url: '/v1/api-keys', payload: { name: 'Escalation', role: 'secretariat' } },
    { method: 'GET', url: `/v1/api-keys/${target.id}` },
    { method: 'DELETE', url: `/v1/api-keys/${target.id}` },
  ];
  const coChair = await keyFor(app, 'co_chair');
  for (const key of [coChair, await keyFor(app, 'ministry', org.id), await keyFor(app, 'observer')]) {
    const self = { method: 'DELETE' as const, url: `/v1/api-keys/${key.id}` };
    for (const request of [...requests, self, { method: 'GET' as const, url: `/v1/api-keys/${key.id}` }]) {
      // A co-chair reads everything (DESIGN.md §3), the keys too; it changes none.
      if (key === coChair && request.method === 'GET') {
        t.equal((await app.inject(as(request, key))).statusCode, 200, `co_chair ${request.method} ${request.url}`);
        continue;
      }
      await refused(t, app, as(request, key), 403, 'forbidden');
    }
  }
});

t.test('GET /v1/api-keys/current tells each key its own role and organization', async (t) => {
  const app = await build(t);
  const org = await createOrganization(app);
  const bootstrap = json(await app.inject({ method: 'GET', url: '/v1/api-keys/current' }));
  t.match(bootstrap, { role: 'secretariat', organizationId: null, createdByKeyId: null });
  t.notOk('token' in bootstrap || 'hash' in bootstrap);
  for (const [role, organizationId] of [['secretariat', null], ['co_chair', null], ['ministry', org.id], ['observer', null]] as const) {
    const key = await keyFor(app, role, organizationId ?? undefined);
    const res = await app.inject({ method: 'GET', url: '/v1/api-keys/current', headers: key.headers });
    t.equal(res.statusCode, 200, role);
    t.match(json(res), { id: key.id, role, organizationId, status: 'active', createdByKeyId: bootstrap.id });
    t.notOk('token' in json(res) || 'hash' in json(res), `${role}: no token or hash`);
  }
});

t.test('a ministry key names its organization, other keys name none, and the organization must exist', async (t) => {
  const app = await build(t);
  const org = await createOrganization(app);
  const post = (payload: Record<string, unknown>): InjectOptions => ({ method: 'POST', url: '/v1/api-keys', payload: { name: 'k', ...payload } });
  const missing = await refused(t, app, post({ role: 'ministry' }), 400, 'validation-failed');
  t.match(missing.errors, [{ path: 'body.organizationId' }]);
  await refused(t, app, post({ role: 'ministry', organizationId: null }), 400, 'validation-failed');
  for (const role of ['secretariat', 'co_chair', 'observer']) {
    const body = await refused(t, app, post({ role, organizationId: org.id }), 400, 'validation-failed');
    t.match(body.errors, [{ path: 'body.organizationId' }], `${role} with an organization`);
  }
  await refused(t, app, post({ role: 'ministry', organizationId: MISSING_ID }), 422, 'unknown-reference');
  await refused(t, app, post({ role: 'root' }), 400, 'validation-failed');
  await refused(t, app, post({ role: 'observer', token: `cpt_${'Q'.repeat(43)}` }), 400, 'validation-failed');
  const ok = await app.inject(post({ role: 'ministry', organizationId: org.id }));
  t.equal(ok.statusCode, 201);
  t.equal(json(ok).organizationId, org.id);
});

t.test('the last active secretariat key cannot be revoked; once another exists it can, and it stops at once', async (t) => {
  const app = await build(t);
  const bootstrapId = json(await app.inject({ method: 'GET', url: '/v1/api-keys/current' })).id;
  const body = await refused(t, app, { method: 'DELETE', url: `/v1/api-keys/${bootstrapId}` }, 409, 'reference-in-use');
  t.match(body.detail, /last active secretariat key/);
  const other = await keyFor(app, 'observer');
  await refused(t, app, { method: 'DELETE', url: `/v1/api-keys/${bootstrapId}` }, 409, 'reference-in-use');
  t.ok(other, 'a key of another role does not count');

  const second = await keyFor(app, 'secretariat');
  const res = await app.inject({ method: 'DELETE', url: `/v1/api-keys/${bootstrapId}` });
  t.equal(res.statusCode, 200, 'revoked once a second secretariat key exists');
  t.match(json(res), { id: bootstrapId, status: 'revoked' });
  await unauthorized(t, app, reading({ authorization: `Bearer ${SECRETARIAT_TOKEN}` }));
  await refused(t, app, as({ method: 'DELETE', url: `/v1/api-keys/${second.id}` }, second), 409, 'reference-in-use');
  const listed = json(await app.inject({ ...reading(second.headers, '/v1/api-keys?status=revoked') }));
  t.same(listed.items.map((k: { id: string }) => k.id), [bootstrapId], 'the revoked key stays listed');
});

t.test('revoking a revoked key changes nothing; an Idempotency-Key cannot make a key replayable', async (t) => {
  const app = await build(t);
  const key = await keyFor(app, 'observer');
  const first = json(await app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}` }));
  t.equal(first.status, 'revoked');
  const before = snapshot(app);
  const again = await app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}` });
  t.equal(again.statusCode, 200);
  t.same(json(again), first, 'the same revoked key, revokedAt unchanged');
  t.strictSame(snapshot(app), before, 'nothing changed, not even the history');

  const body = await refused(
    t,
    app,
    { method: 'POST', url: '/v1/api-keys', headers: { 'idempotency-key': 'retry-1' }, payload: { name: 'k', role: 'observer' } },
    400,
    'bad-request',
  );
  t.match(body.errors, [{ path: 'headers.idempotency-key' }], 'a secret is never stored to be replayed');
  await refused(t, app, { method: 'GET', url: `/v1/api-keys/${MISSING_ID}` }, 404, 'not-found');
  await refused(t, app, { method: 'DELETE', url: `/v1/api-keys/${MISSING_ID}` }, 404, 'not-found');
});

t.test('lastUsedAt is null until the key is used, then the instant of its use', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const key = await keyFor(app, 'observer');
  const read = async () => json(await app.inject({ method: 'GET', url: `/v1/api-keys/${key.id}` })).lastUsedAt;
  t.equal(await read(), null);
  clock.set('2026-11-28T10:15:00.000Z');
  t.equal((await app.inject(reading(key.headers))).statusCode, 200);
  t.equal(await read(), '2026-11-28T10:15:00.000Z');
  clock.set('2026-11-28T11:30:00.000Z');
  await app.inject(reading(key.headers));
  t.equal(await read(), '2026-11-28T11:30:00.000Z', 'and moves on with later use');
  await app.inject(reading({ authorization: `Bearer ${key.token}x` }));
  t.equal(await read(), '2026-11-28T11:30:00.000Z', 'a failed attempt does not count as use');
});
