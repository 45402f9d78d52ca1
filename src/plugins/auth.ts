// Authentication and authorization of every request, in one place: the bearer key becomes an Actor, and
// the access rule of the route (src/lib/access.ts) decides, first on the role, then on the object.
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/connection.js';
import { AppError, ERRORS } from '../errors.js';
import { authorizeObject, authorizeRole, ruleOf, type AccessRule, type Actor, type OwnersOf } from '../lib/access.js';
import { clientAddress } from '../lib/client-address.js';
import { createApiKeyService } from '../modules/api-keys/api-keys.service.js';
import { findDeadlineChange } from '../modules/deadline-changes/deadline-changes.repository.js';
import { findReport } from '../modules/task-reports/task-reports.repository.js';
import { assigneeOrganizationIds } from '../modules/tasks/tasks.assignees-repository.js';
import { findSubscription } from '../modules/webhooks/webhooks.repository.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller; set on every route that needs a key, before its handler runs. */
    actor: Actor;
    /** Checks the route's object-level rule again (see WriteContext.authorizeAgain); set with the first check. */
    authorizeAgain: (() => void) | null;
  }
  interface FastifyContextConfig {
    /** The access rule of the route, attached at start from POLICY; absent only for the 404 handler. */
    access?: AccessRule;
  }
}

export interface AuthOptions {
  /** TRACKER_BOOTSTRAP_TOKEN: becomes the first secretariat key when there is none. */
  bootstrapToken?: string | undefined;
  /** Failed authentications allowed per client address per minute before it gets 429. */
  authFailureMax: number;
}

/** How long a key that authenticated from an address stays usable from it while that address is over its failure limit. */
const KNOWN_KEY_MS = 24 * 60 * 60_000;
/** Addresses × keys remembered; beyond, the longest-unrefreshed go first. */
const KNOWN_KEYS_MAX = 10_000;

/**
 * The keys that authenticated from each address lately. When an address is over its limit of failed authentications
 * (someone guessing, or a neighbour behind the same NAT with a revoked key), those keys still pass: a ministry's running
 * integration is not locked out by another system of its network, while a guess, even a right one, still gets 429.
 */
export function knownKeys(now: () => number, ttlMs = KNOWN_KEY_MS, max = KNOWN_KEYS_MAX) {
  const until = new Map<string, number>();
  return {
    remember(address: string, keyId: string): void {
      const entry = `${address} ${keyId}`;
      const t = now();
      const expires = until.get(entry);
      // Refreshed at most every half TTL: a re-insertion on every request would cost the hot path for nothing.
      if (expires !== undefined && expires - t > ttlMs / 2) return;
      until.delete(entry);
      until.set(entry, t + ttlMs);
      if (until.size > max) until.delete(until.keys().next().value as string);
    },
    has(address: string, keyId: string): boolean {
      const expires = until.get(`${address} ${keyId}`);
      return expires !== undefined && expires > now();
    },
  };
}

/** Routes with no operationId that are public by nature: the API description and its viewer. */
const isDocumentationRoute = (url: string) => url === '/openapi.json' || url === '/docs' || url.startsWith('/docs/');

const REALM = 'Bearer realm="commission-plan-tracker"';

function unauthorized(detail: string, error?: 'invalid_request' | 'invalid_token'): AppError {
  const challenge = error ? `${REALM}, error="${error}", error_description="${detail.replace(/"/g, "'")}"` : REALM;
  return new AppError(ERRORS.unauthorized, detail, undefined, { 'www-authenticate': challenge });
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 9110 §11.1). */
function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined || header === '') {
    throw unauthorized('send an API key as "Authorization: Bearer <key>"; ask the secretariat for one');
  }
  // Node keeps the first Authorization header and drops the others: a request carrying two keys would run as one the
  // caller may not have meant. It is a singleton field (RFC 9110 §11.6.2), so two of them are refused, whatever they hold.
  const raw = request.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 13 && raw[i]!.toLowerCase() === 'authorization') count++;
  if (count > 1) {
    throw unauthorized('send one Authorization header, not several: which key should act?', 'invalid_request');
  }
  // The Authorize dialog of /docs adds "Bearer " itself: a key pasted with it arrives as "Bearer Bearer <key>".
  if (/^Bearer +Bearer(?: |$)/i.test(header)) {
    throw unauthorized('the Authorization header says "Bearer" twice: send "Bearer " and the key alone (in /docs, paste the key alone into Authorize)', 'invalid_request');
  }
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match?.[1]) {
    throw unauthorized('the Authorization header must be "Bearer <key>"', 'invalid_request');
  }
  return match[1];
}

/** The organizations each object POLICY's rules name belongs to (a subscription for every organization: none). */
export function objectOwners(db: Db): OwnersOf {
  return (object, params) => {
    switch (object) {
      case 'task':
        return assigneeOrganizationIds(db, String(params.id));
      case 'taskReport': {
        const report = findReport(db, String(params.id), String(params.reportId));
        return report ? [report.organizationId] : null;
      }
      case 'deadlineChange': {
        const change = findDeadlineChange(db, String(params.id), String(params.changeId));
        if (!change) return null;
        return change.requestedBy.organizationId === null ? [] : [change.requestedBy.organizationId];
      }
      case 'webhook': {
        const subscription = findSubscription(db, String(params.id));
        return subscription ? (subscription.organizationId === null ? [] : [subscription.organizationId]) : null;
      }
    }
  };
}

export default fp<AuthOptions>(
  async (app, options) => {
    const keys = createApiKeyService({ db: app.db, clock: app.clock });
    const failedAuth = app.createRateLimit({
      max: options.authFailureMax,
      timeWindow: 60_000,
      keyGenerator: (request) => `failed-auth:${clientAddress(request)}`,
    });

    const known = knownKeys(() => app.clock().getTime());

    app.decorateRequest('actor', null as unknown as Actor);
    app.decorateRequest('authorizeAgain', null);

    // Fail closed: a route that POLICY does not know refuses to start instead of being open.
    app.addHook('onRoute', (route) => {
      const operationId = route.schema?.operationId;
      const rule = ruleOf(operationId);
      if (rule) route.config = { ...route.config, access: rule };
      else if (isDocumentationRoute(route.url)) route.config = { ...route.config, access: { roles: 'public' } };
      else throw new Error(`${route.method} ${route.url} (${operationId ?? 'no operationId'}) has no access rule in POLICY`);
    });

    /** The request's key is the caller; its role must be one the route admits. */
    const admit = (request: FastifyRequest, actor: Actor, rule: AccessRule | undefined) => {
      known.remember(clientAddress(request), actor.keyId ?? '');
      request.actor = { keyId: actor.keyId, role: actor.role, organizationId: actor.organizationId };
      if (rule) authorizeRole(rule, request.actor, String(request.routeOptions.schema?.operationId));
    };

    /** The address's failed authentications decide: a failure counts one more; over the limit, only a known key passes. */
    const judgeByAddress = async (request: FastifyRequest, actor: Actor | null, failure: unknown, rule: AccessRule | undefined) => {
      const limit = await failedAuth(request, { increment: false });
      const locked = !limit.isAllowed && limit.remaining === 0;
      const tooMany = () => {
        const retry = limit.isAllowed ? 60 : limit.ttlInSeconds;
        return new AppError(
          ERRORS.tooManyRequests,
          `too many failed authentications from this address; retry in ${retry} s (a key used from it in the last day still works)`,
          undefined,
          { 'retry-after': String(retry) },
        );
      };
      if (!actor) {
        await failedAuth(request);
        throw locked ? tooMany() : failure;
      }
      if (locked && !known.has(clientAddress(request), actor.keyId ?? '')) throw tooMany();
      admit(request, actor, rule);
    };

    // Callback style, with no look-up of the address's failures for a key that authenticated from it lately (it passes
    // whatever they are): that is every request of a running integration, and the look-up cost it a tenth of a cached list.
    app.addHook('onRequest', (request, _reply, done) => {
      const rule = request.routeOptions.config.access;
      if (rule?.roles === 'public') return done();
      // Unknown routes need a key too: the route list is not told to strangers.
      let actor: Actor | null = null;
      let failure: unknown;
      try {
        actor = keys.authenticate(bearerToken(request));
        if (!actor) throw unauthorized('the API key is unknown or revoked', 'invalid_token');
      } catch (err) {
        failure = err;
      }
      if (actor && known.has(clientAddress(request), actor.keyId ?? '')) {
        try {
          admit(request, actor, rule);
        } catch (err) {
          return done(err as Error);
        }
        return done();
      }
      judgeByAddress(request, actor, failure, rule).then(() => done(), done);
    });

    const ownersOf = objectOwners(app.db);

    /**
     * A write is refused once its key is revoked, also when the revocation came after the key was authenticated: the
     * key is checked on the request's headers (onRequest), and its body may arrive many turns later (a workbook
     * uploaded slowly), its handler may await before writing (a webhook URL's DNS look-up, a workbook's parsing).
     * Without this, a write of a key revoked meanwhile was committed after the revocation had been answered.
     */
    const refuseRevoked = (actor: Actor) => {
      if (!keys.stillActive(actor.keyId)) throw unauthorized('the API key is unknown or revoked', 'invalid_token');
    };

    // After validation: the object-level rule sees well-formed params and body. Callback style: it runs on every request.
    app.addHook('preHandler', (request, _reply, done) => {
      const rule = request.routeOptions.config.access;
      if (!rule || rule.roles === 'public') return done();
      const objectRule = () =>
        authorizeObject(rule, request.actor, { params: request.params as Record<string, unknown>, body: request.body }, ownersOf);
      try {
        // A read needs no second look: it writes nothing, and has no body to wait for.
        if (request.method !== 'GET' && request.method !== 'HEAD') refuseRevoked(request.actor);
        objectRule();
      } catch (err) {
        return done(err as Error);
      }
      request.authorizeAgain = () => {
        refuseRevoked(request.actor);
        objectRule();
      };
      done();
    });

    const bootstrapped = keys.bootstrap(options.bootstrapToken);
    if (bootstrapped) app.log.info({ keyId: bootstrapped.id }, 'stored TRACKER_BOOTSTRAP_TOKEN as the first secretariat key');
    else if (options.bootstrapToken !== undefined && !keys.isActiveToken(options.bootstrapToken)) {
      // Set, but a secretariat key existed already: the token was never stored, and every request with it is 401.
      app.log.warn(
        'TRACKER_BOOTSTRAP_TOKEN is set but is no API key: it is stored only while no secretariat key exists, and one ' +
          'does; requests with it are refused (401). Use an existing secretariat key, or create one with "npm run key:create -- --name <name>"',
      );
    } else if (!keys.hasSecretariatKey()) {
      app.log.warn(
        'no secretariat API key exists: create one with "npm run key:create -- --name <name>" ' +
          'or start once with TRACKER_BOOTSTRAP_TOKEN set; every /v1 request is refused until then',
      );
    }
  },
  { name: 'auth', dependencies: ['db'] },
);
