// Finishing touches on the generated OpenAPI document: drop unused components, write in the access rules and the
// answers and headers every operation has by the way the server works, describe responses, add examples.
import { ERRORS, problemType, type ErrorSpec } from '../errors.js';
import { describeRule, ruleOf, type AccessRule } from '../lib/access.js';
import { PROBLEM_DESCRIPTIONS, ProblemSchema } from '../lib/common.schemas.js';
import { RAISED_WHEN } from '../modules/webhooks/webhooks.payloads.js';

type Json = Record<string, any>;

const COMPONENT_PREFIX = '#/components/schemas/';

function refsIn(value: unknown, found: Set<string>): void {
  JSON.stringify(value, (key, v) => {
    if (key === '$ref' && typeof v === 'string' && v.startsWith(COMPONENT_PREFIX)) found.add(v.slice(COMPONENT_PREFIX.length));
    return v;
  });
}

/** Drops components nothing references: zod emits an input and an output twin of every named schema. */
export function pruneUnusedComponents(doc: Json): Json {
  const schemas: Json = doc.components?.schemas ?? {};
  const used = new Set<string>();
  refsIn({ ...doc, components: { ...doc.components, schemas: undefined } }, used);
  // Follow references between components until nothing new turns up.
  let frontier = [...used];
  while (frontier.length > 0) {
    const next = new Set<string>();
    for (const name of frontier) refsIn(schemas[name], next);
    frontier = [...next].filter((n) => !used.has(n));
    for (const n of frontier) used.add(n);
  }
  const kept = Object.fromEntries(
    Object.keys(schemas)
      .filter((name) => used.has(name))
      .sort()
      .map((name) => [name, schemas[name]]),
  );
  return { ...doc, components: { ...doc.components, schemas: kept } };
}

/** The catalog entry that best illustrates a status in a problem example. */
const EXAMPLE_SPEC: Record<number, ErrorSpec> = {
  400: ERRORS.validationFailed,
  401: ERRORS.unauthorized,
  403: ERRORS.forbidden,
  412: ERRORS.preconditionFailed,
  429: ERRORS.tooManyRequests,
  404: ERRORS.notFound,
  406: ERRORS.notAcceptable,
  405: ERRORS.methodNotAllowed,
  409: ERRORS.planStateConflict,
  413: ERRORS.bodyTooLarge,
  415: ERRORS.unsupportedMediaType,
  422: ERRORS.unknownReference,
  500: ERRORS.internal,
  503: ERRORS.unavailable,
};

function problemExample(spec: ErrorSpec, path: string): Json {
  const { status } = spec;
  return {
    type: problemType(spec),
    title: spec.title,
    status,
    detail: status === 400 ? 'body.dueDate: no such calendar date' : spec.title,
    instance: path.replace(/\{(\w+)\}/g, '019a7c2e-7a10-7000-8000-000000000001'),
    code: spec.code,
    requestId: '6f1c1d7e-3d44-4a6c-9d0e-2f8f8a1b2c3d',
    ...(status === 400 ? { errors: [{ path: 'body.dueDate', message: 'no such calendar date' }] } : {}),
  };
}

/**
 * The catalog entries of `status` a problem response's description names (as `code`), in its order: those the operation
 * answers with.
 */
export function codesListedIn(status: number, description: string): ErrorSpec[] {
  const at = (s: ErrorSpec) => description.indexOf(`\`${s.code}\``);
  return Object.values<ErrorSpec>(ERRORS)
    .filter((s) => s.status === status && at(s) >= 0)
    .sort((a, b) => at(a) - at(b));
}

/**
 * The example of a problem response: one for each code its description lists (problemResponses writes them), or the
 * status's illustrative one.
 */
function exampleOfProblem(media: Json, status: number, description: string, path: string): void {
  const listed = codesListedIn(status, description);
  if (listed.length > 1) {
    media.examples = Object.fromEntries(listed.map((spec) => [spec.code, { summary: spec.title, value: problemExample(spec, path) }]));
  } else {
    media.example = problemExample(listed[0] ?? EXAMPLE_SPEC[status] ?? ERRORS.internal, path);
  }
}

const SUCCESS_DESCRIPTIONS: Record<string, string> = { '200': 'OK.', '201': 'Created.', '204': 'No content.' };

/**
 * Gives every response a real description and every media type an example: the component's own
 * example for successes and request bodies, a problem document of the right status for errors.
 */
export function describeOperations(doc: Json): Json {
  const schemas: Json = doc.components?.schemas ?? {};
  const exampleOf = (media: Json): unknown => {
    const ref: string | undefined = media?.schema?.$ref;
    return ref ? schemas[ref.slice(COMPONENT_PREFIX.length)]?.example : undefined;
  };
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const operation of Object.values<Json>(item)) {
      for (const media of Object.values<Json>(operation.requestBody?.content ?? {})) {
        const example = exampleOf(media);
        if (example !== undefined) media.example = example;
      }
      for (const [status, response] of Object.entries<Json>(operation.responses ?? {})) {
        const code = Number(status);
        for (const [type, media] of Object.entries<Json>(response.content ?? {})) {
          if (type === 'application/problem+json') {
            exampleOfProblem(media, code, String(response.description ?? ''), path);
            continue;
          }
          const example = exampleOf(media);
          if (example !== undefined) media.example = example;
        }
        if (response.description === 'Default Response' || !response.description) {
          const ref: string | undefined = Object.values<Json>(response.content ?? {})[0]?.schema?.$ref;
          const described = ref ? schemas[ref.slice(COMPONENT_PREFIX.length)]?.description : undefined;
          response.description = [SUCCESS_DESCRIPTIONS[status] ?? 'Response.', described].filter(Boolean).join(' ');
        }
      }
    }
  }
  return doc;
}

const problemResponse = (status: number, headers?: Json): Json => ({
  description: PROBLEM_DESCRIPTIONS[status] ?? 'Error.',
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: { $ref: `${COMPONENT_PREFIX}Problem` } } },
});

/** An integer header: the linters, and clients, want its range. */
const integer = (minimum: number, maximum: number) => ({ type: 'integer', format: 'int32', minimum, maximum });

const ETAG_HEADER = {
  ETag: {
    description: 'Strong entity-tag of this representation; send it back in If-Match or If-None-Match.',
    schema: { type: 'string', maxLength: 64 },
  },
};
/**
 * Where the answer is not the resource that If-Match names, its ETag says whose it is: the import's result is not the
 * plan, and sent back in the next commit's If-Match it was refused (412).
 */
const OTHER_ETAG_HEADERS: Record<string, Json> = {
  commitPlanImport: {
    ETag: {
      description:
        "Entity-tag of this import's result, not of the plan: a later commit's If-Match takes the plan's ETag, from GET /v1/plans/{id} " +
        "(it covers the plan and its task count; the preview's changesDigest covers the tasks the file touches).",
      schema: { type: 'string', maxLength: 64 },
    },
  },
};
const CURRENT_ETAG_HEADER = {
  ETag: { description: 'The entity-tag the resource has now: read it again, then retry with this one.', schema: { type: 'string', maxLength: 64 } },
};
const LOCATION_HEADER = {
  Location: {
    description: 'Path of the resource just created (relative to the server), where it can be read.',
    schema: { type: 'string', format: 'uri-reference', maxLength: 2048 },
  },
};
const contentDisposition = (description: string) => ({
  'Content-Disposition': { description, schema: { type: 'string', maxLength: 300, example: 'attachment; filename="progress-2026-11-28.csv"' } },
});
/** What the downloads send besides their body: the file's name, and for the progress report what chose its format. */
const DOWNLOAD_HEADERS: Record<string, Json> = {
  getProgressReport: {
    ...contentDisposition('With format csv or xlsx: `attachment; filename="progress-<plan or commission id>-<asOf>.<format>"`. Absent for JSON and HTML.'),
    Vary: { description: 'Accept: the format follows the Accept header when `format` is not given.', schema: { type: 'string', enum: ['Accept'] } },
  },
  getCalendar: contentDisposition('`inline; filename="calendar.ics"`.'),
  getPlanImportTemplate: contentDisposition('`attachment; filename="<the template\'s file name>"`, .xlsx or .csv.'),
  openShareLink: contentDisposition('`inline; filename="progress-report.html"` or `inline; filename="calendar.ics"`, as the link opens.'),
};
const REPLAYED_HEADER = {
  'Idempotent-Replayed': {
    description: 'Present (true) when this is the stored response to an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
};
// Sent by the per-key limit (per client address without a key) on every response it counted; absent when
// the deployment turns it off (RATE_LIMIT_MAX=0) and on refusals that come before the count: 401, and a 403
// for the caller's role. Hence not on 401 (.spectral.yaml narrows the OWASP rule accordingly).
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': {
    description:
      'Requests allowed per minute for this key, or for the client address without one (RATE_LIMIT_MAX). Absent when the ' +
      'limit is off, and on a 403 that refuses the role itself (the request was not counted).',
    schema: integer(1, 1_000_000),
  },
  'X-RateLimit-Remaining': { description: 'Requests left in the current minute.', schema: integer(0, 1_000_000) },
  'X-RateLimit-Reset': { description: 'Seconds until the current minute ends.', schema: integer(0, 60) },
};
const RETRY_AFTER_HEADER = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: integer(0, 60) },
};
const BUSY_RETRY_AFTER = {
  'Retry-After': {
    description:
      'Sent when the service is busy or its storage refuses writes rather than the service being down (large progress reports ' +
      "already waiting for their turn, another program's write on the database, its disk full, read-only or failing): seconds " +
      'to wait before retrying.',
    schema: integer(0, 60),
  },
};
const IN_PROGRESS_RETRY_AFTER = {
  'Retry-After': { description: 'Sent when the conflict is an Idempotency-Key whose first request is still running or has just committed: seconds to wait before the retry, which then replays.', schema: integer(0, 60) },
};

/** What the router knows of a route and the document cannot say by itself. */
export interface RouteFacts {
  /** operationIds whose route is exempt from the per-key rate limit (`config: { rateLimit: false }`). */
  unlimited: ReadonlySet<string>;
}

const NO_FACTS: RouteFacts = { unlimited: new Set() };

function headerParameters(operation: Json): Set<string> {
  return new Set((operation.parameters ?? []).filter((p: Json) => p.in === 'header').map((p: Json) => String(p.name).toLowerCase()));
}

/**
 * The access rules of POLICY, written into the document from the same table the server enforces: the
 * bearer scheme, each operation's roles (text and `x-access`), and the 401/403/429 answers they imply.
 */
export function documentAccess(doc: Json, facts: RouteFacts = NO_FACTS): Json {
  doc.components = {
    ...doc.components,
    securitySchemes: {
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API key issued by the secretariat (POST /v1/api-keys), sent as `Authorization: Bearer <key>`. Each key has ' +
          'a role: secretariat, co_chair, ministry (bound to one organization) or observer. Here, under Authorize, enter ' +
          'the key alone (`cpt_…`): the page adds `Bearer `.',
      },
    },
  };
  doc.security = [{ apiKey: [] }];
  for (const item of Object.values<Json>(doc.paths ?? {})) {
    for (const operation of Object.values<Json>(item)) {
      const rule: AccessRule | undefined = ruleOf(operation.operationId);
      if (!rule) continue;
      operation.description = [operation.description, describeRule(rule)].filter(Boolean).join('\n\n');
      const responses: Json = (operation.responses ??= {});
      if (rule.roles === 'public') {
        operation.security = [];
        operation['x-access'] = { public: true };
      } else {
        operation['x-access'] = { roles: [...rule.roles], ...(rule.owns?.includes('task') ? { ministry: 'own-tasks-only' } : {}) };
        responses['401'] ??= problemResponse(401, {
          'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750).', schema: { type: 'string', maxLength: 1000 } },
        });
        if (rule.roles.length < 4 || rule.owns || rule.refine) responses['403'] ??= problemResponse(403);
      }
      // 429 comes from the per-key limit, or, on an operation that needs a key, from too many failed
      // authentications from one address; a public operation exempt from the limit (GET /health) never answers it.
      const rateLimited = !facts.unlimited.has(operation.operationId);
      if (rateLimited || rule.roles !== 'public') {
        responses['429'] ??= problemResponse(429, { ...RETRY_AFTER_HEADER, ...(rateLimited ? RATE_LIMIT_HEADERS : {}) });
      }
    }
  }
  return doc;
}

/** The codes of an Idempotency-Key's refusals, in the description of the 409 and 422 of each operation that takes one. */
const IDEMPOTENCY_CODES = {
  409: `With an Idempotency-Key, \`${ERRORS.idempotencyInProgress.code}\` when the first request with that key is still running.`,
  422: `With an Idempotency-Key, \`${ERRORS.idempotencyKeyReused.code}\` when the key was used for a different request.`,
};

/**
 * The response headers and answers every operation has by the way the server works, not by its own schema:
 * rate-limit headers, Location on 201, ETag and 304 where the representation is conditional, the replay
 * marker of idempotent requests; 400 for a malformed If-Match / If-None-Match, 412 for a stale one, 409 and
 * 422 for an Idempotency-Key in use or reused, 500, and 503 on every write (the database busy, its disk full, read-only
 * or failing).
 */
export function documentResponses(doc: Json, facts: RouteFacts = NO_FACTS): Json {
  for (const item of Object.values<Json>(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries<Json>(item)) {
      const responses: Json = (operation.responses ??= {});
      const headers = headerParameters(operation);
      const conditional = headers.has('if-match') || headers.has('if-none-match');
      const idempotent = headers.has('idempotency-key');
      // sendResource (src/lib/http.ts) sets the ETag: every conditional operation uses it, and so does every
      // idempotent create, whose replay repeats the ETag. The two creates that show a secret once use neither.
      const sendsEtag = conditional || idempotent;
      if (headers.has('if-none-match')) {
        responses['304'] ??= { description: 'Not modified: the resource still has the ETag you sent.', headers: { ...ETAG_HEADER } };
      }
      if (conditional) responses['400'] ??= problemResponse(400); // a malformed entity-tag list
      if (headers.has('if-match')) responses['412'] ??= problemResponse(412);
      if (idempotent) {
        (responses['409'] ??= problemResponse(409)).description += ` ${IDEMPOTENCY_CODES[409]}`;
        (responses['422'] ??= problemResponse(422)).description += ` ${IDEMPOTENCY_CODES[422]}`;
      }
      responses['500'] ??= problemResponse(500);
      // A write the database refuses for a passing reason or its storage (another program's write lock, a full, read-only or
      // failing disk): nothing done.
      if (method !== 'get' && method !== 'head') responses['503'] ??= problemResponse(503);
      // Fastify reads a body sent with any of these methods, also where none is expected (a DELETE, an action):
      // too large is 413, of another media type than JSON is 415.
      if (method === 'post' || method === 'patch' || method === 'put' || method === 'delete') {
        responses['413'] ??= problemResponse(413);
        responses['415'] ??= problemResponse(415);
      }
      const rateLimited = !facts.unlimited.has(operation.operationId);
      for (const [status, response] of Object.entries<Json>(responses)) {
        const success = /^2\d\d$/.test(status);
        response.headers = {
          ...response.headers,
          ...(status === '201' ? LOCATION_HEADER : {}),
          ...(status === '200' ? (DOWNLOAD_HEADERS[operation.operationId] ?? {}) : {}),
          ...((status === '200' || status === '201') && sendsEtag ? (OTHER_ETAG_HEADERS[operation.operationId] ?? ETAG_HEADER) : {}),
          ...(success && idempotent ? REPLAYED_HEADER : {}),
          ...(status === '412' ? CURRENT_ETAG_HEADER : {}),
          ...(status === '409' && idempotent ? IN_PROGRESS_RETRY_AFTER : {}),
          ...(status === '503' ? BUSY_RETRY_AFTER : {}),
          ...(rateLimited && (success || status === '304' || (/^4\d\d$/.test(status) && status !== '401')) ? RATE_LIMIT_HEADERS : {}),
        };
        if (Object.keys(response.headers).length === 0) delete response.headers;
      }
      operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  return doc;
}

const INT32 = 2 ** 31;

/**
 * zod states an integer's bounds but its JSON Schema has no int32/int64: the format follows from the bounds
 * (a safe integer, zod's default range, is int64).
 */
export function formatIntegers(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) formatIntegers(v);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const node = value as Json;
  const isInteger = node.type === 'integer' || (Array.isArray(node.type) && node.type.includes('integer'));
  if (isInteger && node.format === undefined) {
    const fits = typeof node.minimum === 'number' && typeof node.maximum === 'number' && node.minimum >= -INT32 && node.maximum < INT32;
    node.format = fits ? 'int32' : 'int64';
  }
  for (const [key, v] of Object.entries(node)) if (key !== 'example' && key !== 'examples') formatIntegers(v);
}

/** The event bodies a subscription receives, by the component that describes them (each lists its types). */
const EVENT_SCHEMAS = ['WebhookTaskChangeEvent', 'WebhookTaskOverdueEvent', 'WebhookReportEvent', 'WebhookReportMissingEvent', 'WebhookDeadlineChangeEvent', 'WebhookPlanEvent', 'WebhookTestEvent'];
const WEBHOOK_HEADERS: Json[] = [
  { name: 'webhook-id', description: 'The event id: the same on every retry, redelivery and replay, so ignore one you have handled.', schema: { type: 'string', maxLength: 64 } },
  { name: 'webhook-timestamp', description: 'Unix seconds of this attempt: refuse one more than 5 minutes from your clock.', schema: { type: 'string', pattern: '^[0-9]{1,12}$', maxLength: 12 } },
  {
    name: 'webhook-signature',
    description: '`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{raw body}">`, several separated by spaces while a rotated secret is in its grace period.',
    schema: { type: 'string', maxLength: 1000 },
  },
].map((h) => ({ in: 'header', required: true, ...h }));

/**
 * The events a subscription receives, as OpenAPI 3.1 `webhooks`: one POST per event type, its body the component of
 * that type, with the Standard Webhooks headers, so a generated client types the receiving end too.
 */
export function documentWebhooks(doc: Json): Json {
  const schemas: Json = doc.components?.schemas ?? {};
  const webhooks: Json = {};
  for (const name of EVENT_SCHEMAS) {
    const schema = schemas[name];
    for (const type of (schema?.properties?.type?.enum ?? []) as string[]) {
      webhooks[type] = {
        post: {
          operationId: `receive_${type.replace('.', '_')}`,
          tags: ['Webhooks'],
          summary: `The ${type} event, POSTed to a subscription's URL`,
          description:
            `${RAISED_WHEN[type as keyof typeof RAISED_WHEN] ?? schema.description ?? ''} Verify the signature (any Standard Webhooks library ` +
            'does) and answer 2xx within the timeout; any other answer is retried, but 410 Gone disables the subscription.',
          security: [],
          parameters: WEBHOOK_HEADERS,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: `${COMPONENT_PREFIX}${name}` } } } },
          responses: {
            '200': { description: 'Received: any 2xx acknowledges the delivery.' },
            '400': { description: 'Refused (a bad signature, say): any other status than 2xx is retried, 410 disables the subscription.' },
          },
        },
      };
    }
  }
  return Object.keys(webhooks).length === 0 ? doc : { ...doc, webhooks };
}

/**
 * An optional parameter keeps its example as JSON Schema `examples`, which "Try it out" in /docs does not copy into
 * the input: swagger-ui starts an input with `example`, so every list came filtered to 2026-12-31 and the progress
 * report asked about a day in the future (422) unless the reader emptied the field. Required ones keep `example`.
 */
export function quietOptionalParameters(doc: Json): Json {
  for (const item of Object.values<Json>(doc.paths ?? {})) {
    for (const operation of Object.values<Json>(item)) {
      for (const parameter of (operation?.parameters ?? []) as Json[]) {
        const schema: Json | undefined = parameter.schema;
        if (parameter.required || schema?.example === undefined) continue;
        schema.examples ??= [schema.example];
        delete schema.example;
      }
    }
  }
  return doc;
}

export function finishDocument(doc: Json, facts: RouteFacts = NO_FACTS): Json {
  const finished = quietOptionalParameters(describeOperations(documentResponses(documentAccess(documentWebhooks(pruneUnusedComponents(doc)), facts), facts)));
  formatIntegers(finished);
  return finished;
}
