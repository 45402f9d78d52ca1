// Idempotency-Key on POST: a retried create or action returns the first response instead of acting twice.
//
// A key is scoped to the API key that sent it and kept 24 hours. Its first use claims it (a 'pending' row).
// The request's own write transaction marks the claim 'committed' together with the write, keeping the result
// the write returned: from that moment no retry can act again, even if the process dies before it answers.
// When the response goes out, its status, the headers a client needs (content-type, location, etag) and its
// bytes replace the result ('completed'); every retry with the same request then gets them back with
// `Idempotent-Replayed: true`, without the handler running again. A retry that finds the claim 'committed'
// (the process died between the commit and the response) gets the response rebuilt from the kept result, the
// way the routes build it: the route's success status, its serializer, the result's ETag and, on 201, Location.
// Refused requests are not remembered: a refusal deletes a claim that no write committed, so a client that fixes
// its request (or waits out a conflict) may retry with the same key. A claim left 'pending' by a process that
// died before its write counts as abandoned after 5 minutes; until then retries get 409.
import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import { and, eq, inArray, lt } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { writeScope, writeTransaction, type WriteScope } from '../db/connection.js';
import { idempotencyKeys } from '../db/schema.js';
import { AppError, ERRORS } from '../errors.js';
import { canonicalJson } from '../lib/canonical-json.js';
import { etagOf } from '../lib/http.js';

const KEPT_FOR_MS = 24 * 60 * 60 * 1000;
/** A pending claim older than this belongs to a request that will never finish (the process died). */
const ABANDONED_AFTER_MS = 5 * 60 * 1000;
/** The response headers a replay repeats; the rest (request id, rate limits) belong to each response. */
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'] as const;

/** A key this request holds; createdAt tells our claim from a later takeover of the same key. */
interface Claim {
  apiKeyId: string;
  key: string;
  createdAt: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The idempotency key this request claimed, until its response is stored or the claim released. */
    idempotencyClaim: Claim | null;
  }
}

/** What makes two requests "the same": method, path with query, and the validated body. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method}\n${url}\n${canonicalJson(body)}`).digest('hex');
}

/** Routes opt in by declaring the header in their zod headers schema (CreateHeadersSchema, ActionHeadersSchema). */
function declaresIdempotencyKey(request: FastifyRequest): boolean {
  const headers = request.routeOptions.schema?.headers as { shape?: Record<string, unknown> } | undefined;
  return headers?.shape?.['idempotency-key'] !== undefined;
}

/** The one 2xx status a route answers with (its response schema), which a rebuilt response repeats. */
function successStatusOf(request: FastifyRequest): number {
  const codes = Object.keys(request.routeOptions.schema?.response ?? {}).map(Number);
  return codes.find((code) => code >= 200 && code < 300) ?? 200;
}

/**
 * The response to a request whose write committed but whose response was never stored: built from the write's
 * result as the routes build it (sendResource: ETag on 200/201; Location of the new resource under the
 * collection's path on 201). test/idempotency.test.ts proves it equal to the original for every operation.
 */
function sendRebuilt(request: FastifyRequest, reply: FastifyReply, result: unknown) {
  const status = successStatusOf(request);
  if (status === 200 || status === 201) reply.header('etag', etagOf(result));
  const id = (result as { id?: unknown } | null)?.id;
  if (status === 201 && typeof id === 'string') reply.header('location', `${request.url.split('?')[0]}/${id}`);
  return reply.code(status).header('idempotent-replayed', 'true').send(result);
}

type Lookup =
  | { kind: 'claimed'; claim: Claim }
  | { kind: 'replay'; statusCode: number; headers: Record<string, string>; body: string }
  | { kind: 'rebuild'; claim: Claim; result: unknown }
  | { kind: 'reused' }
  | { kind: 'inProgress' };

type State = 'pending' | 'committed' | 'completed';

export default fp(
  async (app) => {
    app.decorateRequest('idempotencyClaim', null);

    const ownClaim = (claim: Claim, states: State[]) =>
      and(
        eq(idempotencyKeys.apiKeyId, claim.apiKeyId),
        eq(idempotencyKeys.key, claim.key),
        inArray(idempotencyKeys.state, states),
        eq(idempotencyKeys.createdAt, claim.createdAt),
      );
    /** Frees a key no write has committed under, so the request may be sent again. */
    const release = (claim: Claim) => app.db.delete(idempotencyKeys).where(ownClaim(claim, ['pending'])).run();

    /** Looks the key up and claims it, in one transaction so that two retries cannot both claim it. */
    function lookUp(request: FastifyRequest, apiKeyId: string, key: string): Lookup {
      const fingerprint = requestFingerprint(request.method, request.url, request.body);
      const now = app.clock();
      const nowIso = now.toISOString();
      const abandonedBefore = new Date(now.getTime() - ABANDONED_AFTER_MS).toISOString();
      return writeTransaction(app.db, (tx): Lookup => {
        const stored = tx
          .select()
          .from(idempotencyKeys)
          .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key)))
          .get();
        // An expired key is as good as absent (the sweep after the next success removes it).
        const row = stored && stored.expiresAt >= nowIso ? stored : undefined;
        if (row && row.fingerprint !== fingerprint) return { kind: 'reused' };
        if (row?.state === 'completed') {
          return { kind: 'replay', statusCode: row.statusCode ?? 200, headers: row.responseHeaders ?? {}, body: row.responseBody ?? '' };
        }
        if (row?.state === 'committed') {
          return { kind: 'rebuild', claim: { apiKeyId, key, createdAt: row.createdAt }, result: JSON.parse(row.responseBody ?? 'null') };
        }
        if (row && row.createdAt >= abandonedBefore) return { kind: 'inProgress' };
        const claim = { apiKeyId, key, createdAt: nowIso };
        const expiresAt = new Date(now.getTime() + KEPT_FOR_MS).toISOString();
        tx.insert(idempotencyKeys)
          .values({ ...claim, fingerprint, state: 'pending', expiresAt })
          .onConflictDoUpdate({
            target: [idempotencyKeys.apiKeyId, idempotencyKeys.key],
            set: { fingerprint, state: 'pending', statusCode: null, responseHeaders: null, responseBody: null, createdAt: nowIso, expiresAt },
          })
          .run();
        return { kind: 'claimed', claim };
      });
    }

    // A preHandler, so auth, validation and the access policy have already run: a caller gets a replay only
    // of what it may still do, and a malformed key is a 400 from validation. Callback style, so that the
    // handler runs inside the write scope entered here (an async hook's context would end with it).
    app.addHook('preHandler', (request, reply, done) => {
      const header = request.headers['idempotency-key'];
      if (request.method !== 'POST' || header === undefined || request.is404) return done();
      if (!declaresIdempotencyKey(request)) {
        // Such a route (POST /v1/api-keys) could not replay safely; ignoring the key would let the client
        // believe a retry is safe when it creates a second resource.
        return done(
          new AppError(
            ERRORS.badRequest,
            `${request.method} ${request.routeOptions.url} does not take an Idempotency-Key: it is not idempotent; send it without one`,
            [{ path: 'headers.idempotency-key', message: 'not accepted by this operation' }],
          ),
        );
      }
      const apiKeyId = request.actor?.keyId;
      if (!apiKeyId) return done(); // only keyless callers (public routes) have none, and they have nothing to scope by

      let found: Lookup;
      try {
        found = lookUp(request, apiKeyId, String(header));
      } catch (err) {
        return done(err as Error);
      }
      switch (found.kind) {
        case 'reused':
          return done(
            new AppError(
              ERRORS.idempotencyKeyReused,
              'this Idempotency-Key was already used for a different request (method, path or body); use a new key for a new request',
              [{ path: 'headers.idempotency-key', message: 'used before for a different request' }],
            ),
          );
        case 'inProgress':
          return done(
            new AppError(
              ERRORS.idempotencyInProgress,
              'a request with this Idempotency-Key is still being processed; retry in a few seconds',
              undefined,
              { 'retry-after': '1' },
            ),
          );
        case 'replay':
          reply.code(found.statusCode).headers({ ...found.headers, 'idempotent-replayed': 'true' }).send(found.body);
          return;
        case 'rebuild':
          // onSend stores the rebuilt bytes, so later retries get exactly these.
          request.idempotencyClaim = found.claim;
          sendRebuilt(request, reply, found.result);
          return;
        case 'claimed': {
          const claim = found.claim;
          request.idempotencyClaim = claim;
          const scope: WriteScope = {
            onCommit: (tx, result) => {
              tx.update(idempotencyKeys)
                .set({ state: 'committed', responseBody: JSON.stringify(result ?? null) })
                .where(ownClaim(claim, ['pending', 'committed']))
                .run();
            },
          };
          writeScope.run(scope, done);
        }
      }
    });

    // onSend sees the serialized payload: the exact bytes a replay must repeat.
    app.addHook('onSend', async (request, reply, payload) => {
      const claim = request.idempotencyClaim;
      if (!claim) return payload;
      const scope = writeScope.getStore();
      if (scope) scope.onCommit = null; // the claim's own writes below are not the request's write
      const succeeded = reply.statusCode >= 200 && reply.statusCode < 300;
      try {
        if (succeeded && (typeof payload === 'string' || payload == null)) {
          const headers: Record<string, string> = {};
          for (const name of REPLAYED_HEADERS) {
            const value = reply.getHeader(name);
            if (value !== undefined) headers[name] = String(value);
          }
          writeTransaction(app.db, (tx) => {
            tx.update(idempotencyKeys)
              .set({ state: 'completed', statusCode: reply.statusCode, responseHeaders: headers, responseBody: payload ?? '' })
              .where(ownClaim(claim, ['pending', 'committed']))
              .run();
            // Expired keys are swept here, after a success, rather than by a timer (the index on expiresAt
            // keeps it cheap) and never on a refused request, which must leave the database as it was.
            tx.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, app.clock().toISOString())).run();
          });
        } else {
          // A refusal that committed nothing is forgotten, so a retry runs again. A claim whose write committed
          // stays 'committed' (a failure after the commit, or a stream that cannot be stored): retries rebuild.
          release(claim);
        }
        request.idempotencyClaim = null;
      } catch (err) {
        // The response still goes out; onResponse tries to release the claim so retries are not stuck on 409.
        request.log.error({ err }, 'could not store the idempotent response');
      }
      return payload;
    });

    // A claim still held here never reached onSend with a response (or could not be stored): free the key
    // unless a write committed under it.
    app.addHook('onResponse', async (request) => {
      const claim = request.idempotencyClaim;
      if (!claim) return;
      request.idempotencyClaim = null;
      const scope = writeScope.getStore();
      if (scope) scope.onCommit = null;
      try {
        release(claim);
      } catch (err) {
        request.log.error({ err }, 'could not release an idempotency key; it frees itself after 5 minutes');
      }
    });
  },
  { name: 'idempotency', dependencies: ['db', 'auth'] },
);
