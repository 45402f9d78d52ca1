// Request validation: zod, through fastify-type-provider-zod, for every part of every request. A query string is
// validated once per distinct query: ministry systems and dashboards poll the same few filtered lists, and zod's
// parse of a list's query (coercions, enums, dates) cost a cached answer as much as its security headers.
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';

/**
 * Valid queries remembered, all routes together; when full, all are forgotten (a burst of one-off queries costs one
 * parse each). With the longest kept query below, a few MB at most, whatever a key sends.
 */
export const QUERIES_KEPT = 2_000;
/** A longer query is validated every time (a key that long would cost more to keep than to parse again). */
const LONGEST_KEPT_QUERY = 1_024;

/** Freezes a validated value (objects and arrays, through): one value is shared by every request with that query. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The valid queries of every route, by route and query (see validatorCompiler). */
const valid = new Map<string, { value: unknown }>();
let routes = 0;

/**
 * zod's validator, with a memo of the valid queries of each route. A query's validated value depends on the query alone
 * (no query schema reads the clock, the configuration or the database): the same text, parsed by Fastify into the same
 * strings, gives the same value, which is frozen so that no handler can change it for the next request. Refused queries
 * are not kept; they are answered with zod's own error every time. Nor is a query with a cursor: a cursor is used once.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = (route) => {
  const validate = zodValidatorCompiler(route as Parameters<typeof zodValidatorCompiler>[0]);
  if (route.httpPart !== 'querystring') return validate;
  const prefix = `${routes++}\n`;
  return (data: unknown) => {
    const query = JSON.stringify(data);
    if (query.length > LONGEST_KEPT_QUERY || (data as { cursor?: unknown }).cursor !== undefined) return validate(data);
    const key = prefix + query;
    const kept = valid.get(key);
    if (kept) return kept;
    const result = validate(data) as { value?: unknown; error?: Error | FastifySchemaValidationError[] };
    if (result.error === undefined) {
      if (valid.size >= QUERIES_KEPT) valid.clear();
      valid.set(key, { value: deepFreeze(result.value) });
    }
    return result;
  };
};
