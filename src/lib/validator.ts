// Request validation: zod, through fastify-type-provider-zod, for every part of every request. A query string is
// validated once per distinct query: ministry systems and dashboards poll the same few filtered lists, and zod's
// parse of a list's query (coercions, enums, dates, cursor) cost a cached answer as much as its security headers.
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';

/** Distinct queries remembered per route; when full, all are forgotten (a burst of one-off queries costs one re-parse each). */
const QUERIES_PER_ROUTE = 500;
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

/**
 * zod's validator, with a memo of the valid queries of each route. A query's validated value depends on the query alone
 * (no query schema reads the clock or the database): the same text, parsed by Fastify into the same strings, gives the
 * same value, which is frozen so that no handler can change it for the next request. Refused queries are not kept;
 * they are answered with zod's own error every time.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = (route) => {
  const validate = zodValidatorCompiler(route as Parameters<typeof zodValidatorCompiler>[0]);
  if (route.httpPart !== 'querystring') return validate;
  const valid = new Map<string, { value: unknown }>();
  return (data: unknown) => {
    const key = JSON.stringify(data);
    const kept = valid.get(key);
    if (kept) return kept;
    const result = validate(data) as { value?: unknown; error?: Error | FastifySchemaValidationError[] };
    if (result.error === undefined && key.length <= LONGEST_KEPT_QUERY) {
      if (valid.size >= QUERIES_PER_ROUTE) valid.clear();
      valid.set(key, { value: deepFreeze(result.value) });
    }
    return result;
  };
};
