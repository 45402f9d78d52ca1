// The contract between the router and the document: every route is documented and every operation routed, every
// property described, a wrong method on a known path is 405 with Allow, and the headers the document promises
// (Location, ETag, rate limits) are the ones the server sends.
import t from 'tap';
import { RouteTable } from '../src/lib/route-table.js';
import { assertProblem, build, json, testClock } from './helper.js';
import { createCommission } from './factories.js';

type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
/** The API description and its viewer: routes that serve the document rather than operations in it. */
const isDocumentation = (url: string) => url === '/openapi.json' || url === '/docs' || url.startsWith('/docs/');
/** The router's `/v1/tasks/:id` as the document's `/v1/tasks/{id}`. */
const template = (url: string) => url.replace(/:(\w+)/g, '{$1}');

async function documentOf(app: Awaited<ReturnType<typeof build>>): Promise<Json> {
  return json<Json>(await app.inject({ method: 'GET', url: '/openapi.json' }));
}

t.test('every route the server registers is a documented operation, and every operation a route', async (t) => {
  const app = await build(t);
  const doc = await documentOf(app);
  const documented = Object.entries(doc.paths as Record<string, Json>)
    .flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
  // routes() leaves out the HEAD route Fastify adds to each GET; with CORS off there is no OPTIONS route.
  const registered = app.routeTable
    .routes()
    .filter((r) => !isDocumentation(r.url))
    .map((r) => `${r.method} ${template(r.url)}`)
    .sort();
  t.ok(registered.length >= 50, `the router holds ${registered.length} operations`);
  t.strictSame(
    registered.filter((r) => !documented.includes(r)),
    [],
    'every registered route is in openapi.json (give it a schema with an operationId; hide only documentation routes)',
  );
  t.strictSame(documented.filter((d) => !registered.includes(d)), [], 'every documented operation is a route of the server');
  t.ok(
    app.routeTable.routes().some((r) => r.url === '/openapi.json' && r.method === 'GET'),
    'the document itself is served, undocumented as an operation',
  );
});

t.test('every property of every schema in the document has a description', async (t) => {
  const app = await build(t);
  const doc = await documentOf(app);
  const components = (doc.components?.schemas ?? {}) as Record<string, Json>;
  const described = (schema: Json) =>
    typeof schema.description === 'string' ||
    (typeof schema.$ref === 'string' && typeof components[schema.$ref.split('/').pop() ?? '']?.description === 'string');
  const undescribed: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${at}/${i}`));
    if (node === null || typeof node !== 'object') return;
    const properties = (node as Json).properties;
    if (properties && typeof properties === 'object' && !Array.isArray(properties)) {
      for (const [name, schema] of Object.entries(properties as Record<string, Json>)) {
        if (!described(schema)) undescribed.push(`${at}/properties/${name}`);
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'example' && key !== 'examples') walk(value, `${at}/${key}`);
  };
  walk(doc, '#');
  t.strictSame(undescribed, [], 'no property without a description (.describe() it in its zod schema)');

  const parameters = Object.values(doc.paths as Record<string, Json>).flatMap((item) =>
    METHODS.flatMap((m) => (item[m]?.parameters ?? []) as Json[]),
  );
  t.strictSame(parameters.filter((p) => !p.description).map((p) => `${p.in} ${p.name}`), [], 'every parameter is described');
});

t.test('a known path asked with a method it does not have answers 405 with Allow, with or without a key', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  const cases: [method: 'PUT' | 'DELETE' | 'POST' | 'PATCH' | 'OPTIONS', url: string, allow: string][] = [
    ['PUT', '/v1/commissions', 'GET, HEAD, POST'],
    ['DELETE', `/v1/commissions/${commission.id}`, 'GET, HEAD, PATCH'],
    ['PATCH', '/v1/tasks/019a7c2e-7a10-7000-8000-000000000001/transitions', 'GET, HEAD, POST'],
    ['POST', '/v1/api-keys/current', 'GET, HEAD, DELETE'], // static /current for GET, /{id} for DELETE
    ['DELETE', '/v1/history/', 'GET, HEAD'], // a trailing slash is the same path, as for the router
    ['POST', '/health', 'GET, HEAD'],
    ['OPTIONS', '/v1/plans', 'GET, HEAD, POST'], // CORS is off: no OPTIONS route, so no OPTIONS in Allow
  ];
  for (const [method, url, allow] of cases) {
    for (const headers of [{}, { authorization: undefined }]) {
      const withKey = !('authorization' in headers);
      const res = await app.inject({ method, url, headers });
      const body = assertProblem(t, res, 405, 'method-not-allowed');
      t.equal(res.headers.allow, allow, `${method} ${url} ${withKey ? 'with' : 'without'} a key: Allow: ${allow}`);
      t.equal(body.instance, url, 'the instance is the path asked for');
      t.equal(res.headers['x-content-type-options'], 'nosniff', 'with the security headers of every response');
    }
  }

  const link = await app.inject({ method: 'DELETE', url: '/v1/links/cpl_some-secret-of-a-link', headers: { authorization: undefined } });
  assertProblem(t, link, 405, 'method-not-allowed');
  t.equal(link.headers.allow, 'GET, HEAD');
  t.notMatch(link.body, /some-secret/, 'the secret of a link is never echoed');

  const unknown = await app.inject({ method: 'PUT', url: '/v1/no-such-thing', headers: { authorization: undefined } });
  assertProblem(t, unknown, 401, 'unauthorized');
  assertProblem(t, await app.inject({ method: 'PUT', url: '/v1/no-such-thing' }), 404, 'route-not-found');
});

t.test('with CORS on, Allow names OPTIONS, and a preflight is still answered by CORS', async (t) => {
  const app = await build(t, testClock(), { corsOrigins: ['https://ministry.example'] });
  const res = await app.inject({ method: 'PUT', url: '/v1/plans', headers: { authorization: undefined } });
  assertProblem(t, res, 405, 'method-not-allowed');
  t.equal(res.headers.allow, 'GET, HEAD, POST, OPTIONS');
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/plans',
    headers: { authorization: undefined, origin: 'https://ministry.example', 'access-control-request-method': 'POST' },
  });
  t.equal(preflight.statusCode, 204, 'the preflight is approved');
  assertProblem(t, await app.inject({ method: 'GET', url: '/v1/nowhere' }), 404, 'route-not-found');
});

t.test('the route table: patterns, catch-alls and the order of Allow', async (t) => {
  const table = new RouteTable();
  table.add('GET', '/v1/tasks/:id');
  table.add('HEAD', '/v1/tasks/:id');
  table.add(['PATCH', 'DELETE'], '/v1/tasks/:id');
  table.add('GET', '/v1/calendar.ics');
  table.add('OPTIONS', '*');
  t.strictSame(table.allowedMethods('/v1/tasks/abc?x=1'), ['GET', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS']);
  t.strictSame(table.allowedMethods('/v1/tasks/abc/'), ['GET', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS']);
  t.strictSame(table.allowedMethods('/v1/calendarXics'), [], 'a dot in a pattern is a dot');
  t.strictSame(table.allowedMethods('/v1/tasks'), [], 'a catch-all alone makes no path known');
  t.strictSame(table.allowedMethods('/v1/tasks/a/b'), [], 'a parameter is one segment');
  t.strictSame(
    table.routes(),
    [
      { method: 'GET', url: '/v1/tasks/:id' },
      { method: 'PATCH', url: '/v1/tasks/:id' },
      { method: 'DELETE', url: '/v1/tasks/:id' },
      { method: 'GET', url: '/v1/calendar.ics' },
      { method: 'OPTIONS', url: '*' },
    ],
    'routes() leaves out the HEAD of a GET',
  );
});

t.test('the headers the document promises are the ones the server sends', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 100 });
  const doc = await documentOf(app);
  const documented = (path: string, method: string, status: string) =>
    Object.keys((doc.paths[path][method].responses[status]?.headers ?? {}) as Json).map((h) => h.toLowerCase());

  const created = await app.inject({
    method: 'POST',
    url: '/v1/commissions',
    payload: {
      name: 'Belarus–Uzbekistan Intergovernmental Commission',
      timeZone: 'Asia/Tashkent',
      parties: [
        { country: 'BY', coChair: { name: 'Co-chair BY', position: 'Minister' } },
        { country: 'UZ', coChair: { name: 'Co-chair UZ', position: 'Minister' } },
      ],
    },
  });
  t.equal(created.statusCode, 201);
  for (const name of documented('/v1/commissions', 'post', '201')) {
    if (name === 'idempotent-replayed') continue; // only on a replay
    t.ok(created.headers[name] !== undefined, `201 of createCommission sends ${name}, as documented`);
  }
  t.equal(created.headers.location, `/v1/commissions/${json(created).id}`, 'Location names the new resource');

  const key = await app.inject({ method: 'POST', url: '/v1/api-keys', payload: { name: 'An observer', role: 'observer' } });
  t.equal(key.statusCode, 201);
  t.ok(key.headers.location, 'createApiKey sends Location');
  t.equal(key.headers.etag, undefined, 'but no ETag');
  t.notOk(documented('/v1/api-keys', 'post', '201').includes('etag'), 'and its 201 documents none');
  t.ok(documented('/v1/api-keys', 'post', '201').includes('location'), 'its 201 documents Location');

  const page = await app.inject({ method: 'GET', url: '/v1/commissions' });
  for (const name of documented('/v1/commissions', 'get', '200')) t.ok(page.headers[name] !== undefined, `200 of a list sends ${name}`);
  const invalid = await app.inject({ method: 'GET', url: '/v1/commissions?limit=0' });
  t.equal(invalid.statusCode, 400);
  for (const name of documented('/v1/commissions', 'get', '400')) t.ok(invalid.headers[name] !== undefined, `a 400 sends ${name}`);

  const refused = await app.inject({ method: 'GET', url: '/v1/commissions', headers: { authorization: undefined } });
  t.equal(refused.statusCode, 401);
  t.equal(refused.headers['x-ratelimit-limit'], undefined, 'a 401 is refused before the per-key limit counts it');
  t.notOk(documented('/v1/commissions', 'get', '401').includes('x-ratelimit-limit'), 'and its 401 documents no rate-limit header');

  const malformed = await app.inject({ method: 'GET', url: '/v1/api-keys/current', headers: { 'if-none-match': 'not-a-tag' } });
  assertProblem(t, malformed, 400, 'bad-request');
  t.ok(doc.paths['/v1/api-keys/current'].get.responses['400'], 'a malformed If-None-Match is a documented 400');
});

t.test('GET /health is never rate-limited, as its document says (no 429, no rate-limit header)', async (t) => {
  const app = await build(t, testClock(), { rateLimitMax: 1 });
  for (let i = 0; i < 3; i++) {
    const res = await app.inject({ method: 'GET', url: '/health', headers: { authorization: undefined } });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['x-ratelimit-limit'], undefined);
  }
  const op = (await documentOf(app)).paths['/health'].get;
  t.notOk(op.responses['429'], 'no 429 documented');
  t.notOk(op.responses['200'].headers?.['X-RateLimit-Limit'], 'no rate-limit header documented');
});

t.test('a problem stays within the bounds its schema documents, however long the request path', async (t) => {
  const app = await build(t);
  const doc = await documentOf(app);
  const problem = doc.components.schemas.Problem.properties;
  const long = `/v1/${'a'.repeat(5000)}`;
  const body = assertProblem(t, await app.inject({ method: 'GET', url: long }), 404, 'route-not-found');
  t.ok(body.instance.length <= problem.instance.maxLength, `instance is cut to ${problem.instance.maxLength}`);
  t.ok(body.detail.length <= problem.detail.maxLength, `detail is cut to ${problem.detail.maxLength}`);
});
