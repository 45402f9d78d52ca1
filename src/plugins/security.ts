// Abuse limits and browser-facing hardening: per-key rate limits, security headers, closed CORS, no-store.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import { AppError, ERRORS } from '../errors.js';
import { clientAddress } from '../lib/client-address.js';
import { refuseNonPreflight } from './problem-details.js';

export interface SecurityOptions {
  /** Requests per key per minute; 0 turns the limit off (failed authentications stay limited). */
  rateLimitMax: number;
  /** Origins CORS lets in; empty means none: no Access-Control-* header is ever sent. */
  corsOrigins: string[];
}

/**
 * The headers helmet sets, as name, value, name, value...: recorded once at start from its middleware run against a
 * stand-in response. With no function among its options (no nonce), what it sets is the same on every request, and
 * running its dozen middlewares again on each cost a cached list more than its authentication (@fastify/helmet builds
 * the middleware itself again every time). Should helmet ever do anything else to the response, start fails here.
 */
function securityHeaders(): string[] {
  const recorded: string[] = [];
  const standIn = {
    setHeader(name: string, value: unknown) {
      if (typeof value !== 'string') throw new Error(`helmet set ${name} to a ${typeof value}; expected text`);
      recorded.push(name, value);
    },
    // Fastify never sets X-Powered-By, which is all helmet removes.
    removeHeader() {},
  };
  let called = false;
  // Helmet's defaults, less upgrade-insecure-requests: served over plain HTTP on a LAN, /docs would otherwise ask the
  // browser for https subresources that do not exist.
  const middleware = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  middleware({} as IncomingMessage, standIn as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    called = true;
  });
  if (!called || recorded.length === 0) throw new Error('helmet did not set its headers synchronously');
  return recorded;
}

/** An onRequest hook that sets helmet's headers on the answer. */
export function setSecurityHeaders(): onRequestHookHandler {
  const headers = securityHeaders();
  return (_request, reply, done) => {
    const raw = reply.raw;
    for (let i = 0; i < headers.length; i += 2) raw.setHeader(headers[i]!, headers[i + 1]!);
    done();
  };
}

/** The app-wide rate limit applied to one request: resolves when it is within its allowance, rejects with the 429. */
export type RequestLimit = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * The app-wide limiter itself (its store, key and answer), for requests no route's hook counts: the plugin attaches its
 * hook to each route, and neither the 404 handler nor the 405 answer is one, so a caller could send unlimited requests
 * there. Null when the limit is off.
 */
export function appRateLimit(app: FastifyInstance, rateLimitMax: number): RequestLimit | null {
  if (rateLimitMax <= 0) return null;
  // No options: the global limiter, not a new allowance beside it.
  const limit = app.rateLimit();
  return async (request, reply) => {
    await limit.call(app, request, reply);
  };
}

/**
 * An onRequest hook that counts a request to a path no route answers against its caller's rate limit, as any route's
 * request counts: the same allowance (the key's, or the address's on a public route), past it the same 429. app.ts
 * adds it after authentication, which names the key: without a valid key such a request is 401 and counted among the
 * address's failed authentications, as on a known route, so a path tells no more of a key than a route does.
 */
export function limitUnknownPaths(limit: RequestLimit): onRequestHookHandler {
  return function (request, reply, done) {
    if (!request.is404) return done();
    limit(request, reply).then(() => done(), done);
  };
}

export default fp<SecurityOptions>(
  async (app, options) => {
    app.addHook('onRequest', setSecurityHeaders());
    if (options.corsOrigins.length > 0) {
      app.addHook('onRequest', refuseNonPreflight);
      await app.register(cors, {
        origin: options.corsOrigins.includes('*') ? '*' : options.corsOrigins,
        methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
        allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key'],
        exposedHeaders: ['ETag', 'Location', 'Retry-After', 'X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Idempotent-Replayed'],
        maxAge: 600,
      });
    }
    // Registered before auth, which uses app.createRateLimit for failed authentications. The per-key hook
    // is attached to each route, so it runs after the app-wide auth hook has named the key.
    await app.register(rateLimit, {
      global: options.rateLimitMax > 0,
      max: Math.max(options.rateLimitMax, 1),
      timeWindow: 60_000,
      keyGenerator: (request) => (request.actor?.keyId ? `key:${request.actor.keyId}` : `ip:${clientAddress(request)}`),
      errorResponseBuilder: (_request, context) =>
        new AppError(ERRORS.tooManyRequests, `more than ${context.max} requests in a minute; retry in ${context.after}`),
    });
    // What an API key may read must not stay in a shared or browser cache.
    app.addHook('onSend', (request, reply, payload, done) => {
      if (request.actor) reply.header('cache-control', 'no-store');
      done(null, payload);
    });
  },
  { name: 'security' },
);
