// Finishing touches on the generated OpenAPI document: drop unused components, describe responses, add examples.
import { ERRORS, problemType, type ErrorSpec } from '../errors.js';
import { describeRule, ruleOf, type AccessRule } from '../lib/access.js';
import { PROBLEM_DESCRIPTIONS, ProblemSchema } from '../lib/common.schemas.js';

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

function problemExample(status: number, path: string): Json {
  const spec = EXAMPLE_SPEC[status] ?? ERRORS.internal;
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
          const example = type === 'application/problem+json' ? problemExample(code, path) : exampleOf(media);
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

const ETAG_HEADER = {
  ETag: { description: 'Strong entity-tag of this representation; send it back in If-Match or If-None-Match.', schema: { type: 'string' } },
};
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed per minute for this key.', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current minute.', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the current minute ends.', schema: { type: 'integer' } },
};

/**
 * The access rules of POLICY, written into the document from the same table the server enforces: the
 * bearer scheme, each operation's roles (text and `x-access`), and the 401/403/429 answers they imply.
 * Conditional operations get their ETag header and 304 answer.
 */
export function documentAccess(doc: Json): Json {
  doc.components = {
    ...doc.components,
    securitySchemes: {
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API key issued by the secretariat (POST /v1/api-keys), sent as `Authorization: Bearer <key>`. Each key has ' +
          'a role: secretariat, co_chair, ministry (bound to one organization) or observer.',
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
        operation['x-access'] = { roles: [...rule.roles], ...(rule.ownTask ? { ministry: 'own-tasks-only' } : {}) };
        responses['401'] ??= problemResponse(401, {
          'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750).', schema: { type: 'string' } },
        });
        if (rule.roles.length < 4 || rule.ownTask || rule.refine) responses['403'] ??= problemResponse(403);
      }
      responses['429'] ??= problemResponse(429, {
        'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
        ...RATE_LIMIT_HEADERS,
      });
      const headers = new Set((operation.parameters ?? []).filter((p: Json) => p.in === 'header').map((p: Json) => p.name));
      if (headers.has('if-match') || headers.has('if-none-match')) {
        for (const [status, response] of Object.entries<Json>(responses)) {
          if (status === '200' || status === '201') response.headers = { ...response.headers, ...ETAG_HEADER };
        }
      }
      if (headers.has('if-none-match')) {
        responses['304'] ??= { description: 'Not modified: the resource still has the ETag you sent.', headers: ETAG_HEADER };
      }
      operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  return doc;
}

export function finishDocument(doc: Json): Json {
  return describeOperations(documentAccess(pruneUnusedComponents(doc)));
}
