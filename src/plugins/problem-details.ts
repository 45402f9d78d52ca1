// The one error path: every error, thrown anywhere, leaves as an RFC 9457 problem document; a known path
// asked with a method it does not answer is 405 with Allow, an unknown path 404.
import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { storageCondition } from '../db/connection.js';
import { AppError, ERRORS, problemType, type ErrorSpec, type FieldError } from '../errors.js';
import { PROBLEM_DETAIL_MAX, PROBLEM_INSTANCE_MAX } from '../lib/common.schemas.js';
import { RouteTable } from '../lib/route-table.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, filled by an onRoute hook: the Allow header of a 405 and the route inventory. */
    routeTable: RouteTable;
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Fastify's own client errors, which we name in our catalog. Others keep their 4xx status. */
const FASTIFY_CODES: Record<string, ErrorSpec> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ERRORS.bodyTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ERRORS.unsupportedMediaType,
  FST_ERR_CTP_EMPTY_JSON_BODY: ERRORS.malformedBody,
  FST_ERR_CTP_INVALID_JSON_BODY: ERRORS.malformedBody,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ERRORS.malformedBody,
};

function toPath(context: string | undefined, instancePath: string): string {
  const field = instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  return [context ?? 'body', field].filter(Boolean).join('.');
}

/** A request path as it may be shown: a read-only link's secret is its path, never echoed where proxies keep it. */
const shownPath = (request: FastifyRequest) =>
  (request.url.split('?')[0] ?? request.url).replace(/^\/v1\/links\/[^/]+/, '/v1/links/[secret]');

/** The problem schema bounds detail and instance; a longer one (a request with many invalid fields) is cut. */
const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

function problemBody(request: FastifyRequest, spec: ErrorSpec, detail: string, errors: FieldError[] | undefined, status: number) {
  return {
    type: problemType(spec),
    title: spec.title,
    status,
    detail: cut(detail, PROBLEM_DETAIL_MAX),
    instance: cut(shownPath(request), PROBLEM_INSTANCE_MAX),
    code: spec.code,
    requestId: String(request.id),
    ...(errors && errors.length > 0
      ? { errors: errors.slice(0, 100).map((e) => ({ path: cut(e.path, 500), message: cut(e.message, 1000) })) }
      : {}),
  };
}

function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  spec: ErrorSpec,
  detail: string,
  errors?: FieldError[],
  status = spec.status,
) {
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(problemBody(request, spec, detail, errors, status));
}

/**
 * The database refusing a write for a reason that passes, not a fault of the service (storageCondition: another
 * program holds its write lock past the busy timeout, or its disk is full). Nothing was written (the write's
 * savepoint, or its whole commit group, was rolled back), so the client may retry: 503 with Retry-After, rather
 * than a 500 that reads as a defect. Null for any other error.
 */
export function storageRefusal(err: unknown): AppError | null {
  switch (storageCondition(err)) {
    case 'full':
      return new AppError(ERRORS.unavailable, 'the database cannot grow: its disk is full. Nothing was written; retry later', undefined, {
        'retry-after': '60',
      });
    case 'busy':
      return new AppError(ERRORS.unavailable, "the database is busy with another program's write. Nothing was written; retry in a few seconds", undefined, {
        'retry-after': '5',
      });
    default:
      return null;
  }
}

/** Logs a storage refusal: a full disk needs an operator now (error); a busy database is worth a warning. */
function logStorageRefusal(request: FastifyRequest, err: unknown) {
  if (storageCondition(err) === 'full') request.log.error({ err }, 'the database disk is full: writes are refused');
  else request.log.warn({ err }, 'the database was busy: a write was refused');
}

/**
 * Turns an answer already built into the problem the error handler would have sent for the failed commit it waited
 * for (the db plugin's onSend hook): 503 for a storage refusal, else an internal error. The error handler cannot do
 * it there: Fastify runs it once per request, and an error answer that fails again would reach Fastify's default
 * handler, which writes the error's own message. Returns the new payload.
 */
export function replaceWithFailedCommit(request: FastifyRequest, reply: FastifyReply, err: unknown): string {
  for (const header of ['etag', 'location', 'idempotent-replayed', 'retry-after', 'allow', 'www-authenticate', 'content-disposition']) {
    reply.removeHeader(header);
  }
  reply.type(PROBLEM_CONTENT_TYPE);
  const refusal = storageRefusal(err);
  if (refusal) {
    logStorageRefusal(request, err);
    reply.code(refusal.spec.status).headers(refusal.headers ?? {});
    return JSON.stringify(problemBody(request, refusal.spec, refusal.detail, undefined, refusal.spec.status));
  }
  request.log.error({ err }, 'an answer waited for a commit that failed');
  reply.code(500);
  return JSON.stringify(problemBody(request, ERRORS.internal, `an unexpected error occurred; quote request id ${request.id}`, undefined, 500));
}

/**
 * onRequest hook: 405 with Allow when the path is known but the method is not one of its routes'. It runs
 * before authentication (app.ts adds it after the security headers, before auth): the routes are public in
 * /openapi.json, so a wrong method is no secret, and a client learns it whether or not it sent a key.
 */
export async function refuseUnsupportedMethod(request: FastifyRequest): Promise<void> {
  if (!request.is404) return;
  const allow = request.server.routeTable.allowedMethods(request.url);
  // A path no route matches is 404; so is one whose own method matches a pattern the router still did not route.
  if (allow.length === 0 || allow.includes(request.method)) return;
  const detail = `${request.method} is not a method of ${shownPath(request)}; it answers ${allow.join(', ')}`;
  throw new AppError(ERRORS.methodNotAllowed, detail, undefined, { allow: allow.join(', ') });
}

/**
 * Errors Fastify's router raises before any hook or handler runs (a path that is not valid percent-encoding,
 * a path parameter over the router's length limit): answered as problem documents like every other error.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : (error.statusCode ?? 400);
  return sendProblem(request, reply, ERRORS.badRequest, error.message, undefined, status >= 400 && status < 500 ? status : 400);
}

export default fp(
  async (app) => {
    const routeTable = new RouteTable();
    app.decorate('routeTable', routeTable);
    // Registered first in app.ts, so it sees every route, including those of plugins (docs, CORS preflight).
    app.addHook('onRoute', (route) => routeTable.add(route.method, route.url));

    app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      if (error instanceof AppError) {
        if (error.headers) reply.headers(error.headers);
        return sendProblem(request, reply, error.spec, error.detail, error.errors);
      }
      if (hasZodFastifySchemaValidationErrors(error)) {
        const errors = error.validation.map((v) => ({
          path: toPath(error.validationContext, v.instancePath),
          message: v.message ?? "invalid value",
        }));
        const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
        return sendProblem(request, reply, ERRORS.validationFailed, detail, errors);
      }
      const known = error.code ? FASTIFY_CODES[error.code] : undefined;
      if (known) return sendProblem(request, reply, known, error.message);
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500 && error.code?.startsWith('FST_')) {
        // Fastify's client-error messages describe the request, never our internals.
        return sendProblem(request, reply, ERRORS.badRequest, error.message, undefined, status);
      }
      const refusal = storageRefusal(error);
      if (refusal) {
        logStorageRefusal(request, error);
        reply.headers(refusal.headers ?? {});
        return sendProblem(request, reply, refusal.spec, refusal.detail);
      }
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(request, reply, ERRORS.internal, `an unexpected error occurred; quote request id ${request.id}`);
    });

    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, ERRORS.routeNotFound, `no route ${request.method} ${shownPath(request)}`),
    );
  },
  { name: 'problem-details' },
);
