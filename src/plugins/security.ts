// Abuse limits and browser-facing hardening: per-key rate limits, security headers, closed CORS, no-store.
import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import { AppError, ERRORS } from '../errors.js';
import { refuseNonPreflight } from './problem-details.js';

export interface SecurityOptions {
  /** Requests per key per minute; 0 turns the limit off (failed authentications stay limited). */
  rateLimitMax: number;
  /** Origins CORS lets in; empty means none: no Access-Control-* header is ever sent. */
  corsOrigins: string[];
}

export default fp<SecurityOptions>(
  async (app, options) => {
    // Helmet's defaults, less upgrade-insecure-requests: served over plain HTTP on a LAN, /docs would
    // otherwise ask the browser for https subresources that do not exist. The middleware is built once here:
    // @fastify/helmet builds it again on every request, which cost more than reading a task.
    const securityHeaders = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
    app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (err) => done(err as Error | undefined)));
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
      keyGenerator: (request) => (request.actor?.keyId ? `key:${request.actor.keyId}` : `ip:${request.ip}`),
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
