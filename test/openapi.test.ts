// The published contract: the committed openapi/openapi.json is what the app serves, and it is complete.
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { ROLES } from '../src/db/enums.js';
import { POLICY, type AccessRule } from '../src/lib/access.js';
import { build, json, stringsAt } from './helper.js';

const COMMITTED = new URL('../openapi/openapi.json', import.meta.url);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

type Json = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  op: Json;
}

function operationsOf(doc: Json): Operation[] {
  return Object.entries(doc.paths as Record<string, Json>)
    .filter(([path]) => path === '/health' || path.startsWith('/v1/') || path === '/v1')
    .flatMap(([path, item]) =>
      METHODS.filter((m) => item[m] !== undefined).map((method) => ({ method, path, op: item[method] as Json })),
    );
}

/** Follows a local JSON pointer such as `#/components/schemas/Task`; undefined when it leads nowhere. */
function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

/** The media-type objects of an operation's request body and success responses (those with content). */
function payloads(op: Json): Json[] {
  const bodies = Object.values((op.requestBody?.content ?? {}) as Record<string, Json>);
  const successes = Object.entries((op.responses ?? {}) as Record<string, Json>)
    .filter(([status]) => /^2\d\d$/.test(status))
    .flatMap(([, response]) => Object.values((response.content ?? {}) as Record<string, Json>));
  return [...bodies, ...successes];
}

function hasExample(doc: Json, media: Json): boolean {
  if (media.example !== undefined || media.examples !== undefined) return true;
  let schema = media.schema as Json | undefined;
  if (schema?.$ref) schema = resolvePointer(doc, schema.$ref) as Json | undefined;
  return schema !== undefined && (schema.example !== undefined || (Array.isArray(schema.examples) && schema.examples.length > 0));
}

t.test('the served document is exactly the committed openapi/openapi.json', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  const committed = JSON.parse(await readFile(COMMITTED, 'utf8'));
  t.strictSame(
    json(res),
    committed,
    'openapi/openapi.json is out of date: run `npm run openapi` and commit the result',
  );
});

t.test('the document is OpenAPI 3.1.0 and describes every operation fully', async (t) => {
  const app = await build(t);
  const doc = json<Json>(await app.inject({ method: 'GET', url: '/openapi.json' }));
  t.equal(doc.openapi, '3.1.0');
  t.ok(doc.info?.title, 'the document has a title');

  const operations = operationsOf(doc);
  t.ok(operations.some((o) => o.path === '/health'), 'GET /health is documented');
  t.ok(operations.some((o) => o.path.startsWith('/v1/')), 'the /v1 API is documented');

  const ids = operations.map((o) => o.op.operationId);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  t.strictSame(duplicates, [], 'operationIds are unique');

  const declaredTags = new Set(((doc.tags ?? []) as Json[]).map((tag) => tag.name));
  for (const { method, path, op } of operations) {
    const name = `${method.toUpperCase()} ${path}`;
    t.test(name, async (t) => {
      t.match(op.operationId, /^[a-z][A-Za-z]+$/, 'has a camelCase operationId');
      t.ok(Array.isArray(op.tags) && op.tags.length > 0, 'has a tag');
      for (const tag of op.tags ?? []) t.ok(declaredTags.has(tag), `tag "${tag}" is declared at the top level`);
      t.ok(typeof op.summary === 'string' && op.summary.trim().length > 0, 'has a summary');
      t.ok(typeof op.description === 'string' && op.description.trim().length > 0, 'has a description');

      // An operation that takes no input at all (GET /health) cannot be refused with a 4xx; its
      // failure (503) must still be a problem document.
      const takesInput = (op.parameters ?? []).length > 0 || op.requestBody !== undefined;
      const errorStatus = takesInput ? /^4\d\d$/ : /^[45]\d\d$/;
      const problems = Object.entries((op.responses ?? {}) as Record<string, Json>).filter(
        ([status, response]) => errorStatus.test(status) && response.content?.['application/problem+json']?.schema,
      );
      t.ok(
        problems.length > 0,
        takesInput
          ? 'declares at least one 4xx application/problem+json response'
          : 'declares at least one error response as application/problem+json',
      );

      const media = payloads(op);
      // An operation with neither a request body nor a response body (a 204 delete) has nothing to exemplify.
      if (media.length > 0) {
        t.ok(
          media.some((m) => hasExample(doc, m)),
          'its request body or success response carries an example',
        );
      }
    });
  }
});

t.test('the access matrix is documented per operation, from the same POLICY the server enforces', async (t) => {
  const app = await build(t);
  const doc = json<Json>(await app.inject({ method: 'GET', url: '/openapi.json' }));
  t.match(doc.components?.securitySchemes?.apiKey, { type: 'http', scheme: 'bearer' }, 'the API key is an HTTP bearer scheme');
  t.strictSame(doc.security, [{ apiKey: [] }], 'a key is required unless an operation says otherwise');

  const operations = operationsOf(doc);
  t.strictSame(
    operations.map((o) => o.op.operationId).sort(),
    Object.keys(POLICY).sort(),
    'every operation of POLICY is documented, and every documented operation is in POLICY',
  );

  for (const { method, path, op } of operations) {
    const rule: AccessRule | undefined = (POLICY as Record<string, AccessRule>)[op.operationId];
    if (!rule) continue; // reported by the comparison above
    t.test(`${method.toUpperCase()} ${path}`, async (t) => {
      const responses = (op.responses ?? {}) as Record<string, Json>;
      t.match(op.description, /\n\n\*\*Access:\*\* [^\n]+\.$/, 'the description ends with an "**Access:**" line');
      // GET /health needs no key and is exempt from the rate limit (load balancers probe it): nothing answers it 429.
      if (op.operationId === 'getHealth') t.notOk(responses['429'], 'cannot answer 429');
      else t.ok(responses['429']?.content?.['application/problem+json'], 'declares 429 as a problem');
      if (rule.roles === 'public') {
        t.strictSame(op.security, [], 'needs no key');
        t.strictSame(op['x-access'], { public: true });
        t.match(op.description, /\*\*Access:\*\* public/);
        t.notOk(responses['401'], 'cannot answer 401');
        return;
      }
      t.equal(op.security, undefined, 'inherits the top-level security');
      t.strictSame(op['x-access']?.roles, [...rule.roles], 'x-access lists the roles of POLICY, in order');
      t.equal(op['x-access']?.ministry, rule.owns?.includes('task') ? 'own-tasks-only' : undefined, 'a ministry is limited to its own tasks exactly where POLICY says');
      t.ok(responses['401']?.content?.['application/problem+json'], 'declares 401 as a problem');
      t.ok(responses['401']?.headers?.['WWW-Authenticate'], 'with its WWW-Authenticate challenge');
      const roleLine = rule.roles.length === ROLES.length ? 'any API key' : rule.roles.map((r) => `\`${r}\``).join(', ');
      t.ok(String(op.description).includes(`**Access:** ${roleLine}`), `the Access line says "${roleLine}"`);
      if (rule.roles.length < ROLES.length || rule.owns || rule.refine) {
        t.ok(responses['403']?.content?.['application/problem+json'], 'some keys are refused: declares 403');
      }
    });
  }
  t.ok(operations.some((o) => o.path === '/health' && o.op.security?.length === 0), '/health is public');
});

t.test('"Try it out" in /docs fills in no optional parameter: none carries an example the page would prefill', async (t) => {
  const app = await build(t);
  const doc = json<Json>(await app.inject({ method: 'GET', url: '/openapi.json' }));
  // swagger-ui starts a parameter's input with its `example` (or its schema's `example`, or an `examples` entry):
  // an optional filter prefilled narrows a list to one day, or asks the report about a day in the future (422).
  const prefilled = operationsOf(doc).flatMap(({ op }) =>
    ((op.parameters ?? []) as Json[])
      .filter((p) => !p.required && (p.example !== undefined || p.examples !== undefined || p.schema?.example !== undefined))
      .map((p) => `${op.operationId} ${p.in} ${p.name}`),
  );
  t.strictSame(prefilled, [], 'no optional parameter starts filled in');
  const dueFrom = (doc.paths['/v1/tasks'].get.parameters as Json[]).find((p) => p.name === 'dueFrom');
  t.strictSame(dueFrom?.schema?.examples, ['2026-12-31'], 'the example stays in the schema, as JSON Schema `examples`');
});

t.test('a parameter that takes a list of values names them in its description: /docs shows it as a text field', async (t) => {
  const app = await build(t);
  const doc = json<Json>(await app.inject({ method: 'GET', url: '/openapi.json' }));
  // A plain enum is a drop-down in /docs; a comma-separated or repeated list (anyOf string | array) is a bare text
  // field typed "string | (string | array<string>)", so only the description can say what to type.
  const lists = operationsOf(doc).flatMap(({ op }) => ((op.parameters ?? []) as Json[]).filter((p) => p.schema?.anyOf).map((p) => ({ op, p })));
  t.ok(lists.length > 0, 'there are list parameters');
  for (const { op, p } of lists) {
    const values: string[] = (p.schema.anyOf as Json[]).flatMap((branch) => branch.items?.enum ?? []);
    const unnamed = values.filter((v) => !String(p.description).includes(`\`${v}\``));
    t.strictSame(unnamed, [], `${op.operationId} ${p.name}: every value is named in the description`);
  }
});

t.test('every $ref in the document resolves', async (t) => {
  const app = await build(t);
  const doc = json<Json>(await app.inject({ method: 'GET', url: '/openapi.json' }));
  const refs = stringsAt(doc, '$ref');
  t.ok(refs.length > 0, 'the document uses named components');
  const dangling = [...new Set(refs)].filter((ref) => resolvePointer(doc, ref) === undefined);
  t.strictSame(dangling, [], 'no $ref points nowhere');
});

t.test('the interactive documentation answers at /docs with HTML', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'GET', url: '/docs' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html/);
  t.match(res.body, /<html/i);
});

t.test('every event a subscription can receive is an OpenAPI webhook: its body schema and the signature headers', async (t) => {
  const { WEBHOOK_MESSAGE_TYPES } = await import('../src/db/enums.js');
  const doc = JSON.parse(await readFile(new URL('../openapi/openapi.json', import.meta.url), 'utf8'));
  t.strictSame(Object.keys(doc.webhooks).sort(), [...WEBHOOK_MESSAGE_TYPES].sort(), 'one per event type');
  for (const type of WEBHOOK_MESSAGE_TYPES) {
    const post = doc.webhooks[type].post;
    const ref: string = post.requestBody.content['application/json'].schema.$ref;
    const schema = doc.components.schemas[ref.replace('#/components/schemas/', '')];
    t.ok(schema.properties.type.enum.includes(type), `${type}: its body is ${ref}, whose type is ${type}`);
    t.strictSame(
      post.parameters.map((p: { in: string; name: string; required: boolean }) => `${p.in} ${p.name} ${p.required}`),
      ['header webhook-id true', 'header webhook-timestamp true', 'header webhook-signature true'],
      `${type}: the Standard Webhooks headers`,
    );
  }
});

t.test('an integrator finds every stable error code in the document: Problem.code lists the catalog with its status', async (t) => {
  // The codes are the stable part of a problem document a client branches on (illegal-transition, plan-state-conflict,
  // duplicate-task-code…); a client generated from the document had only "string", and each operation's 409 example
  // showed plan-state-conflict alone. The catalog, src/errors.ts, is not in the document's reader's hands.
  const app = await build(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as Json;
  const description = String(doc.components.schemas.Problem.properties.code.description);
  const { ERRORS } = await import('../src/errors.js');
  for (const spec of Object.values(ERRORS)) {
    t.match(description, `\`${spec.code}\` (${[spec.status, ...(spec.alsoStatuses ?? [])].join(' or ')}, `, `${spec.code} is listed with its status`);
  }
});

t.test("each operation's 409 and 422 name the codes it answers with, and show an example of each", async (t) => {
  // Every 409 example was plan-state-conflict, also where the operation could not answer it (a commission's create,
  // whose only conflict is an Idempotency-Key still in use) and where another was the one to expect (illegal-transition).
  const app = await build(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as Json;
  const { codesListedIn } = await import('../src/plugins/openapi-document.js');
  let checked = 0;
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const operation of Object.values<Json>(item)) {
      const idempotent = (operation.parameters ?? []).some((p: Json) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
      for (const status of [409, 422]) {
        const response = operation.responses?.[status];
        if (!response) continue;
        checked++;
        const codes = codesListedIn(status, String(response.description)).map((s) => s.code);
        t.ok(codes.length > 0, `${operation.operationId} ${status} names its codes`);
        if (idempotent) t.ok(codes.includes(status === 409 ? 'idempotency-in-progress' : 'idempotency-key-reused'), `${operation.operationId} ${status}: its Idempotency-Key`);
        const media = response.content['application/problem+json'];
        const shown = codes.length > 1 ? Object.values<Json>(media.examples).map((e) => e.value.code) : [media.example.code];
        t.strictSame(shown, codes, `${operation.operationId} ${status}: an example of each code, in order (${path})`);
      }
    }
  }
  t.ok(checked >= 60, `${checked} responses checked`);
  const transition = doc.paths['/v1/tasks/{id}/transitions'].post.responses[409];
  t.match(transition.description, /`illegal-transition`/, 'a transition names illegal-transition');
  const commission = doc.paths['/v1/commissions'].post.responses[409];
  t.strictSame(codesListedIn(409, commission.description).map((s) => s.code), ['idempotency-in-progress'], 'a commission create conflicts only on its key');
});

t.test("createApiKey's 422 lists only unknown-reference: the token it hashes is 32 random bytes of its own, never one already a key", async (t) => {
  // invalid-value ("this token is already a key") is the operator's refusal, for a token given to the command line or
  // TRACKER_BOOTSTRAP_TOKEN; POST /v1/api-keys makes its own token and cannot answer it. Listed, a generated client
  // branched on a conflict no request can meet, and the example showed it.
  const app = await build(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as Json;
  const { codesListedIn } = await import('../src/plugins/openapi-document.js');
  const response = doc.paths['/v1/api-keys'].post.responses[422];
  t.strictSame(codesListedIn(422, String(response.description)).map((s) => s.code), ['unknown-reference']);
  t.equal(response.content['application/problem+json'].example.code, 'unknown-reference', 'its example is the one it answers');
  const unknown = await app.inject({ method: 'POST', url: '/v1/api-keys', payload: { name: 'x', role: 'ministry', organizationId: '019a7c2e-7a10-7000-8000-0000000000ff' } });
  t.equal(unknown.statusCode, 422);
  t.equal(json<{ code: string }>(unknown).code, 'unknown-reference');
});

t.test('Problem.code names every status a code is sent with: bad-request is also a 414, for a path segment over the router\'s limit', async (t) => {
  // The catalog listed bad-request as 400 alone; a client that maps codes to statuses from the document met it as 414.
  const app = await build(t);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as Json;
  const description = String(doc.components.schemas.Problem.properties.code.description);
  const long = await app.inject({ method: 'GET', url: `/v1/tasks/${'a'.repeat(101)}` });
  const problem = json<{ code: string; status: number }>(long);
  t.strictSame([long.statusCode, problem.code, problem.status], [414, 'bad-request', 414]);
  t.match(description, '`bad-request` (400 or 414, ', 'the catalog names both statuses of bad-request');
});
