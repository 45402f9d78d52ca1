// The one error path: whatever goes wrong, the caller gets an RFC 9457 problem document and nothing internal.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import t from 'tap';
import { buildApp } from '../src/app.js';
import { PROBLEM_TYPE_BASE } from '../src/errors.js';
import { asSecretariat, assertProblem, build, json, refused, SECRETARIAT_TOKEN, snapshot } from './helper.js';

const PROBLEM = /^application\/problem\+json/;

const validCommission = {
  name: 'Belarus–Kazakhstan commission',
  timeZone: 'Europe/Minsk',
  parties: [
    { country: 'BY', coChair: { name: 'Ivan Petrov', position: 'Deputy Prime Minister' } },
    { country: 'KZ', coChair: { name: 'Aidar Sultanov', position: 'Deputy Prime Minister' } },
  ],
};

t.test('an unknown route answers 404 with a complete problem document', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'GET', url: '/v1/no-such-thing?x=1' });
  t.equal(res.statusCode, 404);
  t.match(res.headers['content-type'], PROBLEM);
  const body = json(res);
  t.strictSame(body, {
    type: `${PROBLEM_TYPE_BASE}route-not-found`,
    title: 'No such route',
    status: 404,
    detail: 'no route GET /v1/no-such-thing',
    instance: '/v1/no-such-thing',
    code: 'route-not-found',
    requestId: res.headers['x-request-id'],
  });
  t.match(body.requestId, /^[0-9a-f-]{36}$/, 'the request id is a UUID');
});

t.test('a text/plain body is refused with 415 and changes nothing', async (t) => {
  const app = await build(t);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/commissions',
    headers: { 'content-type': 'text/plain' },
    payload: JSON.stringify(validCommission),
  });
  t.equal(res.statusCode, 415);
  t.match(res.headers['content-type'], PROBLEM);
  t.match(json(res), { status: 415, code: 'unsupported-media-type', type: `${PROBLEM_TYPE_BASE}unsupported-media-type`, instance: '/v1/commissions' });
  t.strictSame(json(await app.inject({ url: '/v1/commissions' })).items, [], 'no commission was created');
});

t.test('a body over the limit is refused with 413', async (t) => {
  const app = await build(t); // bodyLimit 64 KiB
  const res = await app.inject({
    method: 'POST',
    url: '/v1/commissions',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ ...validCommission, name: 'x'.repeat(70 * 1024) }),
  });
  t.equal(res.statusCode, 413);
  t.match(res.headers['content-type'], PROBLEM);
  t.match(json(res), { status: 413, code: 'body-too-large', title: 'The request body is too large' });
  t.strictSame(json(await app.inject({ url: '/v1/commissions' })).items, []);
});

t.test('a body sent where none is expected is still read: 413 and 415 there too, and the document says so', async (t) => {
  const app = await build(t);
  const task = '01900000-0000-7000-8000-000000000001';
  const tooLarge = await app.inject({ method: 'DELETE', url: `/v1/tasks/${task}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'x'.repeat(70 * 1024) }) });
  assertProblem(t, tooLarge, 413, 'body-too-large');
  const plain = await app.inject({ method: 'DELETE', url: `/v1/tasks/${task}`, headers: { 'content-type': 'text/plain' }, payload: 'hello' });
  assertProblem(t, plain, 415, 'unsupported-media-type');
  // Every operation whose method may carry a body lists both, whether it takes one or not.
  const doc = json(await app.inject({ url: '/openapi.json' }));
  const missing = Object.entries<Record<string, { operationId: string; responses: Record<string, unknown> }>>(doc.paths).flatMap(([, item]) =>
    Object.entries(item)
      .filter(([method]) => ['post', 'patch', 'put', 'delete'].includes(method))
      .filter(([, op]) => !('413' in op.responses && '415' in op.responses))
      .map(([, op]) => op.operationId),
  );
  t.strictSame(missing, [], 'no write operation leaves out 413 or 415');
});

t.test('a JSON body in another charset than UTF-8 is refused with 415, not read wrongly', async (t) => {
  const app = await build(t);
  for (const type of ['application/json; charset=utf-16', 'application/json;charset="ISO-8859-1"']) {
    const res = await app.inject({ method: 'POST', url: '/v1/commissions', headers: { 'content-type': type }, payload: JSON.stringify(validCommission) });
    assertProblem(t, res, 415, 'unsupported-media-type');
  }
  for (const type of ['application/json; charset=utf-8', 'application/json; charset=UTF-8', 'application/json']) {
    const res = await app.inject({ method: 'POST', url: '/v1/commissions', headers: { 'content-type': type }, payload: JSON.stringify({ ...validCommission, name: `Commission ${type}` }) });
    t.equal(res.statusCode, 201, `${type} is read`);
  }
});

t.test('a compressed body is refused with 415 naming its coding, and changes nothing', async (t) => {
  const app = await build(t);
  const body = JSON.stringify(validCommission);
  for (const [coding, payload] of [
    ['gzip', gzipSync(body)],
    ['deflate', deflateSync(body)],
    ['br', brotliCompressSync(body)],
    ['gzip, identity', gzipSync(body)],
  ] as const) {
    const before = snapshot(app);
    const res = await app.inject({ method: 'POST', url: '/v1/commissions', headers: { 'content-type': 'application/json', 'content-encoding': coding }, payload });
    const problem = assertProblem(t, res, 415, 'unsupported-media-type');
    t.match(problem.detail, coding, `${coding}: the detail names the coding`);
    t.equal(res.headers['accept-encoding'], 'identity', 'and says what is read');
    t.strictSame(snapshot(app), before, 'nothing changed');
  }
  // An import upload is a body too.
  const csv = await app.inject({ method: 'POST', url: '/v1/plans/019a7c2e-0000-7000-8000-00000000dead/import/preview', headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' }, payload: gzipSync('code;title\n') });
  assertProblem(t, csv, 415, 'unsupported-media-type');
  const identity = await app.inject({ method: 'POST', url: '/v1/commissions', headers: { 'content-type': 'application/json', 'content-encoding': 'Identity' }, payload: body });
  t.equal(identity.statusCode, 201, 'identity is no coding at all');
  const read = await app.inject({ method: 'GET', url: '/v1/commissions', headers: { 'content-encoding': 'gzip' } });
  t.equal(read.statusCode, 200, 'a request without a body has nothing to decode');
});

t.test('malformed JSON is refused with 400 malformed-body', async (t) => {
  const app = await build(t);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/commissions',
    headers: { 'content-type': 'application/json' },
    payload: '{"name": "unterminated',
  });
  t.equal(res.statusCode, 400);
  t.match(res.headers['content-type'], PROBLEM);
  t.match(json(res), { status: 400, code: 'malformed-body', type: `${PROBLEM_TYPE_BASE}malformed-body`, instance: '/v1/commissions' });
});

t.test('valid JSON with a key JavaScript reads as a prototype is refused naming the key, not called invalid JSON, and writes nothing', async (t) => {
  const app = await build(t);
  const cases: [string, string][] = [
    ['{"name":"P1","kind":"ministry","country":"BY","__proto__":{}}', 'body.__proto__'],
    ['{"name":"P1","kind":"ministry","country":"BY","translations":{"ru":{"__proto__":{"x":1}}}}', 'body.translations.ru.__proto__'],
    ['{"name":"P1","kind":"ministry","country":"BY","constructor":{"prototype":{"admin":true}}}', 'body.constructor.prototype'],
    ['[{"a":1},{"__proto__":null}]', 'body.1.__proto__'],
  ];
  for (const [payload, path] of cases) {
    const body = await refused(t, app, { method: 'POST', url: '/v1/organizations', headers: { 'content-type': 'application/json' }, payload }, 400, 'malformed-body');
    t.match(body.detail, `valid JSON, but holds a key that JavaScript reads as a prototype (${path})`, path);
    t.notMatch(body.detail, /not valid JSON/);
    t.strictSame(body.errors, [{ path, message: 'a key that JavaScript reads as a prototype is not accepted' }]);
  }
  const constructorAlone = await app.inject({
    method: 'POST',
    url: '/v1/organizations',
    headers: { 'content-type': 'application/json' },
    payload: '{"name":"P1","kind":"ministry","country":"BY","constructor":"x"}',
  });
  t.equal(json(constructorAlone).code, 'validation-failed', 'a key named constructor without a prototype is only an unknown field');
  // Looked for without recursion: a key nested 20,000 deep (40 KB) is found, its path cut as every field's path is.
  const payload = `${'['.repeat(20_000)}{"__proto__":1}${']'.repeat(20_000)}`;
  const deep = await refused(t, app, { method: 'POST', url: '/v1/organizations', headers: { 'content-type': 'application/json' }, payload }, 400, 'malformed-body');
  t.match(deep.errors[0].path, /^body\.0\.0\.0\..*…$/, 'the path of a key nested 20,000 deep, cut');
  const broken = await refused(t, app, { method: 'POST', url: '/v1/organizations', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":' }, 400, 'malformed-body');
  t.match(broken.detail, /not valid JSON/, 'JSON that does not parse is still called so');
});

t.test('an empty JSON body is refused with 400 malformed-body', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'POST', url: '/v1/commissions', headers: { 'content-type': 'application/json' }, payload: '' });
  t.equal(res.statusCode, 400);
  t.match(json(res), { status: 400, code: 'malformed-body' });
});

t.test('a validation failure lists the fields at fault', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'POST', url: '/v1/commissions', payload: { ...validCommission, timeZone: 'Mars/Olympus' } });
  t.equal(res.statusCode, 400);
  t.match(res.headers['content-type'], PROBLEM);
  const body = json(res);
  t.match(body, { status: 400, code: 'validation-failed', errors: [{ path: 'body.timeZone', message: String }] });
  t.match(body.detail, /body\.timeZone/);
});

t.test('an unknown query parameter is refused also where the operation takes none, and the write does not happen', async (t) => {
  const app = await build(t, undefined, { webhookAllowPrivate: true });
  const hook = json(
    await app.inject({ method: 'POST', url: '/v1/webhooks', payload: { url: 'http://localhost/hook', events: ['task.created'] } }),
  );
  const key = json(await app.inject({ method: 'POST', url: '/v1/api-keys', payload: { name: 'Observer', role: 'observer' } }));
  const commission = json(await app.inject({ method: 'POST', url: '/v1/commissions', payload: validCommission }));
  // A client sending a parameter believes it does something: before, each of these was 2xx, the parameter ignored (the
  // subscription deleted, the key revoked, the commission renamed).
  for (const [request, parameter] of [
    [{ method: 'DELETE', url: `/v1/webhooks/${hook.id}?dryRun=true` }, 'dryRun'],
    [{ method: 'DELETE', url: `/v1/api-keys/${key.id}?reason=leaked` }, 'reason'],
    [{ method: 'PATCH', url: `/v1/commissions/${commission.id}?validateOnly=true`, payload: { name: 'Renamed' } }, 'validateOnly'],
  ] as const) {
    const body = await refused(t, app, request, 400, 'validation-failed');
    t.match(body.errors, [{ path: `querystring.${parameter}`, message: /not a field/ }], `${request.method} ${request.url}: names the parameter`);
  }
  for (const url of [`/v1/webhooks/${hook.id}?fields=url`, `/v1/api-keys/current?verbose=1`, `/v1/commissions/${commission.id}?lang=ru`]) {
    assertProblem(t, await app.inject({ method: 'GET', url }), 400, 'validation-failed');
  }
  t.equal((await app.inject({ method: 'GET', url: `/v1/webhooks/${hook.id}` })).statusCode, 200, 'without the parameter, the same read is 200');
  t.equal((await app.inject({ method: 'GET', url: '/health?probe=lb' })).statusCode, 200, 'outside /v1 (health, the API description) nothing changes');
});

t.test('an unexpected exception becomes a 500 problem that reveals nothing internal', async (t) => {
  const app = await buildApp({
    config: { databasePath: ':memory:', logLevel: 'silent', bodyLimit: 65536, bootstrapToken: SECRETARIAT_TOKEN },
    logger: false,
  });
  t.teardown(() => app.close());
  const secret = 'SELECT * FROM secret_table WHERE password = 42';
  // A route must have an access rule to exist at all; this one borrows listCommissions'.
  app.get('/boom', { schema: { operationId: 'listCommissions' } }, async () => {
    const err = new Error(`SQLITE_ERROR: near "${secret}": syntax error`);
    (err as Error & { code: string }).code = 'SQLITE_ERROR';
    throw err;
  });
  await app.ready();

  const res = await app.inject({ method: 'GET', url: '/boom', headers: asSecretariat });
  t.equal(res.statusCode, 500);
  t.match(res.headers['content-type'], PROBLEM);
  const body = json(res);
  t.strictSame(Object.keys(body).sort(), ['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type']);
  t.match(body, { status: 500, code: 'internal-error', title: 'Internal server error', instance: '/boom' });
  t.equal(res.headers['x-request-id'], body.requestId, 'the x-request-id header names the same request as the problem');
  t.match(body.detail, body.requestId, 'the detail quotes the request id');
  for (const leak of ['SQLITE', 'SELECT', 'secret_table', 'syntax error', 'stack', SECRETARIAT_TOKEN]) {
    t.notOk(res.body.includes(leak), `the body does not contain "${leak}"`);
  }
  t.notMatch(res.body, /\bat .+:\d+:\d+/, 'the body holds no stack frame');
});

t.test('a route that POLICY does not know keeps the app from starting (fail closed)', async (t) => {
  for (const [what, schema] of [
    ['no operationId', undefined],
    ['an operationId POLICY does not list', { operationId: 'exportEverything' }],
  ] as const) {
    const app = await buildApp({ config: { databasePath: ':memory:', logLevel: 'silent', bodyLimit: 65536 }, logger: false });
    t.teardown(() => app.close());
    app.register(async (scope) => {
      scope.get('/v1/unlisted', schema ? { schema } : {}, async () => ({ open: true }));
    });
    await t.rejects(async () => app.ready(), { message: /GET \/v1\/unlisted .*has no access rule in POLICY/ }, `a route with ${what}`);
  }
});

t.test('an unknown route asked without a key answers 401, not 404: the route list is not told to strangers', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'GET', url: '/v1/no-such-thing', headers: { authorization: undefined } });
  t.equal(res.statusCode, 401);
  t.match(res.headers['content-type'], PROBLEM);
  t.match(json(res), { status: 401, code: 'unauthorized' });
  t.match(String(res.headers['www-authenticate']), /^Bearer /);
});

t.test('every response carries an x-request-id, and ids differ between requests', async (t) => {
  const app = await build(t);
  const a = await app.inject({ url: '/health' });
  const b = await app.inject({ url: '/health' });
  t.match(a.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  t.not(a.headers['x-request-id'], b.headers['x-request-id']);
});

t.test('URLs the router cannot read are problem documents too: bad percent-encoding, an over-long parameter', async (t) => {
  const app = await build(t);
  const cases: [string, number][] = [
    ['/v1/tasks/%zz', 400],
    ['/v1/tasks/%ED%A0%80', 400],
    [`/v1/tasks/${'a'.repeat(101)}`, 414],
  ];
  for (const [url, status] of cases) {
    const res = await app.inject({ method: 'GET', url });
    assertProblem(t, res, status, 'bad-request');
  }
});
