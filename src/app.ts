// buildApp(config): registers plugins, then the API modules. It never listens and never reads process.env.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyRequest, type FastifyServerOptions, type preParsingHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createSerializerCompiler } from './lib/serializer.js';
import { validatorCompiler } from './lib/validator.js';
import { DEFAULTS, type Config } from './config.js';
import dbPlugin from './plugins/db.js';
import problemDetails, { clientErrorHandler, frameworkErrors, checkRequestLine } from './plugins/problem-details.js';
import { AppError, ERRORS } from './errors.js';
import { refuseUndeclaredIfMatch, withoutSecrets } from './lib/http.js';
import { NoQuerySchema } from './lib/common.schemas.js';
import auth from './plugins/auth.js';
import security, { appRateLimit, limitUnknownPaths } from './plugins/security.js';
import idempotency from './plugins/idempotency.js';
import responseCache from './plugins/response-cache.js';
import openapi from './plugins/openapi.js';
import healthRoutes from './modules/health/health.routes.js';
import commissionRoutes from './modules/commissions/commissions.routes.js';
import organizationRoutes from './modules/organizations/organizations.routes.js';
import meetingRoutes from './modules/meetings/meetings.routes.js';
import planRoutes from './modules/plans/plans.routes.js';
import importRoutes from './modules/imports/imports.routes.js';
import taskRoutes from './modules/tasks/tasks.routes.js';
import deadlineChangeRoutes from './modules/deadline-changes/deadline-changes.routes.js';
import historyRoutes from './modules/history/history.routes.js';
import taskReportRoutes from './modules/task-reports/task-reports.routes.js';
import indicatorRoutes from './modules/indicators/indicators.routes.js';
import shareLinkRoutes from './modules/share-links/share-links.routes.js';
import calendarRoutes from './modules/calendar/calendar.routes.js';
import reports from './modules/reports/progress.plugin.js';
import progressReportRoutes from './modules/reports/progress.routes.js';
import apiKeyRoutes from './modules/api-keys/api-keys.routes.js';
import webhooks from './modules/webhooks/webhooks.plugin.js';
import webhookRoutes from './modules/webhooks/webhooks.routes.js';
import type { Resolver } from './modules/webhooks/webhooks.url-guard.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The current instant; injectable so tests and demos can fix "today". */
    clock: () => Date;
  }
}

export type AppConfig = Pick<Config, 'databasePath' | 'logLevel' | 'bodyLimit'> &
  Partial<
    Pick<
      Config,
      | 'bootstrapToken'
      | 'rateLimitMax'
      | 'authFailureMax'
      | 'corsOrigins'
      | 'trustProxy'
      | 'webhookAllowPrivate'
      | 'webhookTimeoutMs'
      | 'webhookPollMs'
      | 'webhookMaxAttempts'
      | 'webhookLogDays'
      | 'responseCacheMb'
      | 'reportWorkerMinTasks'
      | 'reportPartsMinTasks'
    >
  >;

/** How long a request may take to arrive, headers and body (Node's http.Server requestTimeout). */
export const REQUEST_TIMEOUT_MS = 300_000;

export interface BuildOptions {
  config: AppConfig;
  clock?: () => Date;
  /** Overrides the logger (tests pass false). */
  logger?: FastifyServerOptions['logger'];
  /** Serialize every response both with zod and compiled, and fail on any difference (the test suite does). */
  verifySerializers?: boolean;
  /** Resolves webhook receivers' host names instead of the system's resolver (the test suite: no DNS traffic). */
  resolve?: Resolver;
}

/**
 * Bodies are read as sent: one compressed (Content-Encoding: gzip, say) would be parsed as garbage and refused as
 * malformed. It is 415, naming the coding, and Accept-Encoding says what is read (RFC 9110 §15.5.16, §12.5.3).
 */
const refuseContentCoding: preParsingHookHandler = (request, _reply, payload, done) => {
  const coding = request.headers['content-encoding'];
  const hasBody = request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0';
  if (coding === undefined || !hasBody || /^\s*identity\s*$/i.test(coding)) return done(null, payload);
  done(
    new AppError(ERRORS.unsupportedMediaType, `request bodies are read without a content coding; send it without Content-Encoding: ${coding.slice(0, 40)}`, undefined, {
      'accept-encoding': 'identity',
    }),
  );
};

/**
 * What the request log says of a request. A read-only link carries its secret in the path, and a client may put its
 * API key in the query by mistake, so the URL is logged without them (withoutSecrets); headers (and so the keys sent
 * as they should be) are never logged.
 */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: withoutSecrets(request.url),
    remoteAddress: request.ip,
  };
}

/**
 * The refusal of a body that is valid JSON but holds a key that JavaScript reads as an object's prototype: "__proto__",
 * or "constructor" holding "prototype" (Fastify's parser refuses both, as it should). Fastify says "not valid JSON",
 * which sent a developer to lint JSON that was fine; this names the key and where. Null when the body is not JSON at all.
 */
function forbiddenKey(body: string): AppError | null {
  let value: unknown;
  try {
    value = JSON.parse(body); // defines "__proto__" as a plain key, without touching any prototype
  } catch {
    return null;
  }
  // Breadth first with a queue, not recursion: a body nested 100,000 deep must not overflow the stack.
  const queue: [unknown, string][] = [[value, 'body']];
  let path: string | null = null;
  for (let i = 0; i < queue.length && path === null; i++) {
    const [node, at] = queue[i] as [unknown, string];
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node)) {
      if (key === '__proto__') path = `${at}.${key}`;
      else if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype')) path = `${at}.${key}.prototype`;
      else queue.push([child, `${at}.${key}`]);
      if (path !== null) break;
    }
  }
  if (path === null) return null;
  return new AppError(ERRORS.malformedBody, `the body is valid JSON, but holds a key that JavaScript reads as a prototype (${path}): no operation has such a field; leave it out`, [
    { path, message: 'a key that JavaScript reads as a prototype is not accepted' },
  ]);
}

/**
 * The refusal of a body sent to an operation that takes none (an approval, a closing, a deletion), or null when it
 * holds nothing: fields there would be ignored, and the caller would believe them kept (a comment on a closing), as
 * unknown fields are refused everywhere else. `{}` is no field, as an empty body is no body.
 */
function unexpectedBody(value: unknown): AppError | null {
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isObject && Object.keys(value).length === 0) return null;
  const errors = isObject
    ? Object.keys(value).map((key) => ({ path: `body.${key}`, message: 'not a field of this operation' }))
    : [{ path: 'body', message: 'this operation takes no body' }];
  return new AppError(ERRORS.validationFailed, 'this operation takes no body: send none (or {}); its fields would not be read', errors);
}

export async function buildApp({ config, clock = () => new Date(), logger, verifySerializers = false, resolve }: BuildOptions) {
  const app = Fastify({
    // Whatever logger options a caller passes, the request serializer that hides link secrets stays.
    logger:
      logger === false
        ? false
        : { level: config.logLevel, ...(typeof logger === 'object' ? logger : {}), serializers: { req: serializeRequest } },
    bodyLimit: config.bodyLimit,
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    routerOptions: { ignoreTrailingSlash: true },
    // Behind one reverse proxy, the client is the address that proxy appended to X-Forwarded-For: its last entry. With
    // `true` Fastify would trust every hop and take the first entry, which the client writes itself, and every limit
    // keyed on the address (failed authentications above all) would be escaped by sending a new X-Forwarded-For with
    // each request. So only the immediate peer, the proxy, is trusted (a hop count is refused by Fastify 5).
    trustProxy: config.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    // Fastify turns Node's limit on receiving a whole request off (0): a client trickling a body a byte a minute then
    // held its connection, and its memory, for ever. Five minutes (Node's own default) still take a 5 MiB workbook at
    // 150 kbit/s; a request still arriving after that is 408 (clientErrorHandler).
    requestTimeout: REQUEST_TIMEOUT_MS,
    frameworkErrors,
    clientErrorHandler,
    // A request without Host is refused by checkRequestLine (problem-details.ts), as a problem document.
    http: { requireHostHeader: false },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(createSerializerCompiler({ verify: verifySerializers }));
  app.decorate('clock', clock);
  // JSON only: a text/plain body is refused with 415 instead of reaching validation as a string.
  app.removeContentTypeParser('text/plain');
  // Many clients send content-type: application/json on every request, also on a bodiless POST such as
  // /plans/{id}/approve or a DELETE: an empty body is no body there. Where a body is expected it stays a 400.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // The body is read as UTF-8 (RFC 8259 §8.1): another declared charset would be decoded wrongly, not refused.
    const charset = /;\s*charset="?([^";\s]+)/i.exec(String(request.headers['content-type']))?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return done(new AppError(ERRORS.unsupportedMediaType, `JSON is read as UTF-8; send the body in UTF-8, not charset=${charset.slice(0, 40)}`), undefined);
    }
    const takesNoBody = request.routeOptions.schema?.body === undefined;
    if (body.length === 0 && takesNoBody) return done(null, undefined);
    parseJson(request, body as string, (err, value) => {
      if (err !== null) return done(forbiddenKey(body as string) ?? err, undefined);
      // Not on a path no route answers: it is 404 (or 405) whatever its body holds.
      done(takesNoBody && !request.is404 ? unexpectedBody(value) : null, value);
    });
  });
  // Unknown query parameters are refused, not ignored, also where an operation takes none: a client that sends one
  // believes it does something (DELETE /v1/webhooks/{id}?dryRun=true deleted the subscription, 204).
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/') || route.schema?.querystring !== undefined) return;
    route.schema = { ...route.schema, querystring: NoQuerySchema };
  });
  // On the routes that read a body (a GET pays nothing for it).
  app.addHook('onRoute', (route) => {
    if ([route.method].flat().every((m) => m === 'GET' || m === 'HEAD')) return;
    route.preParsing = [...[route.preParsing ?? []].flat(), refuseContentCoding];
  });
  await app.register(problemDetails);
  await app.register(dbPlugin, { databasePath: config.databasePath });
  // Once the app is closing, answers tell keep-alive clients not to send another request on the connection: it is
  // about to be closed, and a request sent on it now would meet a reset instead of an answer. After the db plugin's
  // onSend, which holds a response until its writes are committed: closing may have begun meanwhile.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  await app.register(security, {
    rateLimitMax: config.rateLimitMax ?? DEFAULTS.rateLimitMax,
    corsOrigins: config.corsOrigins ?? [],
  });
  // Requests no route's hook counts (a 405, a path no route answers) spend the same allowance.
  const limit = appRateLimit(app, config.rateLimitMax ?? DEFAULTS.rateLimitMax);
  // After the security headers, before authentication: no Host is 400, a wrong method on a known path 405, with or without a key.
  app.addHook('onRequest', checkRequestLine(limit));
  await app.register(auth, { bootstrapToken: config.bootstrapToken, authFailureMax: config.authFailureMax ?? DEFAULTS.authFailureMax });
  // After authentication, which names the key: a path no route answers counts against the caller's rate limit too.
  if (limit) app.addHook('onRequest', limitUnknownPaths(limit));
  await app.register(idempotency);
  app.addHook('preValidation', refuseUndeclaredIfMatch);
  await app.register(responseCache, { maxBytes: (config.responseCacheMb ?? DEFAULTS.responseCacheMb) * 1024 * 1024 });
  await app.register(openapi);
  // The webhook worker: started once the app is ready, stopped before it closes (see webhooks.plugin.ts).
  await app.register(webhooks, {
    allowPrivate: config.webhookAllowPrivate ?? DEFAULTS.webhookAllowPrivate,
    timeoutMs: config.webhookTimeoutMs ?? DEFAULTS.webhookTimeoutMs,
    pollMs: config.webhookPollMs ?? DEFAULTS.webhookPollMs,
    maxAttempts: config.webhookMaxAttempts ?? DEFAULTS.webhookMaxAttempts,
    logDays: config.webhookLogDays ?? DEFAULTS.webhookLogDays,
    resolve,
  });

  await app.register(reports, {
    workerMinTasks: config.reportWorkerMinTasks ?? DEFAULTS.reportWorkerMinTasks,
    partsMinTasks: config.reportPartsMinTasks ?? DEFAULTS.reportPartsMinTasks,
  });

  await app.register(healthRoutes);
  await app.register(
    async (v1) => {
      await v1.register(commissionRoutes);
      await v1.register(organizationRoutes);
      await v1.register(meetingRoutes);
      await v1.register(planRoutes);
      await v1.register(importRoutes);
      await v1.register(taskRoutes);
      await v1.register(deadlineChangeRoutes);
      await v1.register(taskReportRoutes);
      await v1.register(indicatorRoutes);
      await v1.register(shareLinkRoutes);
      await v1.register(calendarRoutes);
      await v1.register(progressReportRoutes);
      await v1.register(historyRoutes);
      await v1.register(apiKeyRoutes);
      await v1.register(webhookRoutes);
    },
    { prefix: '/v1' },
  );
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
