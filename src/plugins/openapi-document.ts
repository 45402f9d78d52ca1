// Finishing touches on the generated OpenAPI document: drop unused components, describe responses, add examples.
import { ERRORS, problemType, type ErrorSpec } from '../errors.js';

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
  403: ERRORS.forbidden,
  404: ERRORS.notFound,
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

export function finishDocument(doc: Json): Json {
  return describeOperations(pruneUnusedComponents(doc));
}
