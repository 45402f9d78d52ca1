// The one error path: every error, thrown anywhere, leaves as an RFC 9457 problem document; a known path
// asked with a method it does not answer is 405 with Allow, an unknown path 404.
import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { storageCondition } from '../db/storage-health.js';
import { AppError, ERRORS, problemType, type ErrorSpec, type FieldError } from '../errors.js';
import { PROBLEM_DETAIL_MAX, PROBLEM_INSTANCE_MAX } from '../lib/common.schemas.js';
import { LINK_HEADERS, withoutLinkSecret, withoutSecrets } from '../lib/http.js';
import { RouteTable } from '../lib/route-table.js';
import type { RequestLimit } from './security.js';

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
  withoutLinkSecret(request.url.split('?')[0] ?? request.url);

/**
 * The fields at fault of one validation issue: an unknown field is named (zod names only the object holding it), and
 * a missing one is "required" (zod says "expected string, received undefined").
 */
function fieldErrors(context: string | undefined, v: { keyword: string; instancePath: string; message?: string; params?: Record<string, unknown> }): FieldError[] {
  const path = toPath(context, v.instancePath);
  const keys = v.params?.['keys'];
  if (v.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0) {
    return keys.map((key) => ({ path: `${path}.${String(key)}`, message: 'not a field of this operation' }));
  }
  if (v.keyword === 'invalid_type' && v.message?.endsWith('received undefined')) {
    return [{ path, message: `required (${String(v.params?.['expected'] ?? 'a value')})` }];
  }
  return [{ path, message: v.message ?? 'invalid value' }];
}

/** What a 415 says: the type sent, and the types the operation reads (its `consumes`, else JSON). */
function unsupportedTypeDetail(request: FastifyRequest): string {
  const sent = String(request.headers['content-type'] ?? '').slice(0, 100);
  const read = (request.routeOptions.schema?.consumes as string[] | undefined) ?? ['application/json'];
  return `${request.method} ${request.routeOptions.url ?? shownPath(request)} does not read a body of type ${sent}; send it as ${read.join(' or ')}`;
}

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
 * The database refusing a statement for a reason that passes or lies in its storage, not a fault of the service
 * (storageCondition: another program holds its write lock past the busy timeout, its disk is full, its file cannot be
 * written or read). Nothing was written (the write's savepoint, or its whole commit group, was rolled back), so the
 * client may retry: 503 with Retry-After, rather than a 500 that reads as a defect. Null for any other error. The
 * detail names the condition in plain words, never the storage's own error.
 */
export function storageRefusal(err: unknown): AppError | null {
  const refuse = (detail: string, retryAfter: string) => new AppError(ERRORS.unavailable, detail, undefined, { 'retry-after': retryAfter });
  switch (storageCondition(err)) {
    case 'full':
      return refuse('the database cannot grow: its disk is full. Nothing was written; retry later', '60');
    case 'read-only':
      return refuse('the database storage is read-only for the service. Nothing was written; retry later', '60');
    case 'io':
      return refuse('the database storage failed to read or write. Nothing was written; retry later', '60');
    case 'moved':
      return refuse('the database file was moved or deleted while the service ran. Nothing was written; the service must be restarted', '60');
    case 'busy':
      return refuse("the database is busy with another program's write. Nothing was written; retry in a few seconds", '5');
    default:
      return null;
  }
}

const STORAGE_FAILURE_LOG = {
  full: 'the database disk is full: writes are refused',
  'read-only': 'the database storage is read-only: writes are refused',
  io: 'the database storage failed to read or write: the request was refused',
  moved: 'the database file was moved or deleted under the running service: writes are refused; restart the service on its file',
} as const;

/** Logs a storage refusal: a disk full, read-only or failing needs an operator now (error); a busy database is worth a warning. */
function logStorageRefusal(request: FastifyRequest, err: unknown) {
  const condition = storageCondition(err);
  if (condition === null || condition === 'busy') request.log.warn({ err }, 'the database was busy: a write was refused');
  else request.log.error({ err }, STORAGE_FAILURE_LOG[condition]);
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
 * The onRequest hook run before authentication (app.ts adds it after the security headers, before auth):
 * - an HTTP/1.1 request without Host is 400 (RFC 9112 §3.2; Node's own check, off in app.ts, answers with no body);
 * - a known path asked with a method none of its routes has is 405 with Allow: the routes are public in
 *   /openapi.json, so a wrong method is no secret, and a client learns it whether or not it sent a key. No route's
 *   rate-limit hook runs for it, so it is counted here by `limit` (null when the limit is off); the key is not read
 *   yet, so against the address's allowance, and past it the answer is the 429.
 * Callback style: it runs on every request.
 */
export function checkRequestLine(limit: RequestLimit | null): onRequestHookHandler {
  return function (request, reply, done) {
    if (request.headers.host === undefined && request.raw.httpVersion === '1.1') {
      return done(new AppError(ERRORS.badRequest, 'an HTTP/1.1 request must carry a Host header', [{ path: 'headers.host', message: 'required' }]));
    }
    if (!request.is404) return done();
    const allow = request.server.routeTable.allowedMethods(request.url);
    // A path no route matches is 404; so is one whose own method matches a pattern the router still did not route.
    if (allow.length === 0 || allow.includes(request.method)) return done();
    const detail = `${request.method} is not a method of ${shownPath(request)}; it answers ${allow.join(', ')}`;
    const refusal = new AppError(ERRORS.methodNotAllowed, detail, undefined, { allow: allow.join(', ') });
    if (!limit) return done(refusal);
    limit(request, reply).then(() => done(refusal), done);
  };
}

/**
 * With CORS on, every OPTIONS request reaches @fastify/cors's catch-all route, which answers one that is no preflight
 * (no Origin, or no Access-Control-Request-Method) 400 in text/plain. Such a request gets what it gets with CORS off
 * instead: 405 with Allow on a known path, 404 on an unknown one. security.ts adds this before the CORS plugin.
 */
export async function refuseNonPreflight(request: FastifyRequest): Promise<void> {
  if (request.method !== 'OPTIONS' || (request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined)) return;
  const allow = request.server.routeTable.allowedMethods(request.url).filter((m) => m !== 'OPTIONS');
  if (allow.length === 0) throw new AppError(ERRORS.routeNotFound, `no route OPTIONS ${shownPath(request)}`);
  const detail = `OPTIONS on ${shownPath(request)} is answered only as a CORS preflight (with Origin and Access-Control-Request-Method); the path answers ${allow.join(', ')}`;
  throw new AppError(ERRORS.methodNotAllowed, detail, undefined, { allow: allow.join(', ') });
}

/**
 * Errors Fastify's router raises before any hook or handler runs (a path that is not valid percent-encoding,
 * a path parameter over the router's length limit): answered as problem documents like every other error.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : (error.statusCode ?? 400);
  // The router's message quotes the path, which may hold a read-only link's secret ("'/v1/links/cpl_…%' is not a valid url component").
  const detail = error.message.split(request.url).join(withoutSecrets(request.url));
  // No hook runs for these, so a link's answer would lack its headers, and its URL holds the secret: every such
  // answer gets them (a refusal is worth no cache, and helmet sends the same Referrer-Policy on every other answer).
  reply.headers(LINK_HEADERS);
  return sendProblem(request, reply, ERRORS.badRequest, detail, undefined, status >= 400 && status < 500 ? status : 400);
}

/**
 * A problem document for a request no route will see: the raw response's status line, headers and body. Nothing of
 * the request is echoed (it may not even be HTTP); the request id ties the answer to the log line.
 */
function rawProblem(spec: ErrorSpec, detail: string): { head: Record<string, string>; body: string; requestId: string } {
  const requestId = randomUUID();
  const body = JSON.stringify({ type: problemType(spec), title: spec.title, status: spec.status, detail, code: spec.code, requestId });
  const head = {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': requestId,
    connection: 'close',
  };
  return { head, body, requestId };
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (not HTTP at all, a request line or headers over the
 * size limit, a body framed two ways, a bad chunk, too slow to arrive): answered with a problem document written to
 * the socket, then the connection is closed (the parser cannot read on after such a request), as Node itself does.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [spec, detail]: [ErrorSpec, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [ERRORS.requestTimeout, 'the request was not received in time; send it again']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [ERRORS.headersTooLarge, `the request line and headers together exceed the server's limit (${maxHeaderSize / 1024} KiB); shorten the URL or the headers`]
        : [ERRORS.malformedRequest, 'the request could not be read as HTTP/1.1 (request line, header syntax or body framing)'];
  const { head, body, requestId } = rawProblem(spec, detail);
  this.log.debug({ err: { code: err.code, message: err.message }, requestId }, 'request refused by the HTTP parser');
  if (socket.writable) {
    const lines = Object.entries(head).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.write(`HTTP/1.1 ${spec.status} ${STATUS_CODES[spec.status]}\r\n${lines}\r\n${body}`);
  }
  socket.destroy(err);
}

/** An `Expect` header other than 100-continue: 417 (Node answers it itself, with no body, unless this listens). */
export function expectationFailed(request: IncomingMessage, response: ServerResponse): void {
  const { head, body } = rawProblem(ERRORS.expectationFailed, `Expect: ${String(request.headers.expect).slice(0, 100)} is not supported; only 100-continue is`);
  response.writeHead(ERRORS.expectationFailed.status, head).end(body);
}

export default fp(
  async (app) => {
    app.server.on('checkExpectation', expectationFailed);

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
        const errors = error.validation.flatMap((v) => fieldErrors(error.validationContext, v));
        const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
        return sendProblem(request, reply, ERRORS.validationFailed, detail, errors);
      }
      const known = error.code ? FASTIFY_CODES[error.code] : undefined;
      if (known === ERRORS.unsupportedMediaType) return sendProblem(request, reply, known, unsupportedTypeDetail(request));
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
