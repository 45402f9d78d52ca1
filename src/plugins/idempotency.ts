// Idempotency-Key on POST: a retried create or action returns the first response instead of acting twice.
//
// A key is scoped to the API key that sent it and kept 24 hours. Its first use claims it (a 'pending' row);
// a 2xx response completes it with the status, the headers a client needs (content-type, location, etag)
// and the body, which every retry with the same request then gets back with `Idempotent-Replayed: true`,
// without the handler running again. Refused requests are not remembered: any other status deletes the
// claim, so a client that fixes its request (or waits out a conflict) may retry with the same key.
// The claim is written apart from the handler's own transaction: if the process dies between the two, the
// key stays pending (409) until it counts as abandoned after 5 minutes, and the next retry runs again.
import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { writeTransaction } from '../db/connection.js';
import { idempotencyKeys } from '../db/schema.js';
import { AppError, ERRORS } from '../errors.js';
import { canonicalJson } from '../lib/canonical-json.js';

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

type Lookup =
  | { kind: 'claimed'; claim: Claim }
  | { kind: 'replay'; statusCode: number; headers: Record<string, string>; body: string }
  | { kind: 'reused' }
  | { kind: 'inProgress' };

export default fp(
  async (app) => {
    app.decorateRequest('idempotencyClaim', null);

    const ownClaim = (claim: Claim) =>
      and(
        eq(idempotencyKeys.apiKeyId, claim.apiKeyId),
        eq(idempotencyKeys.key, claim.key),
        eq(idempotencyKeys.state, 'pending'),
        eq(idempotencyKeys.createdAt, claim.createdAt),
      );
    const release = (claim: Claim) => app.db.delete(idempotencyKeys).where(ownClaim(claim)).run();

    // A preHandler, so auth, validation and the access policy have already run: a caller gets a replay only
    // of what it may still do, and a malformed key is a 400 from validation.
    app.addHook('preHandler', async (request, reply) => {
      const header = request.headers['idempotency-key'];
      if (request.method !== 'POST' || header === undefined || request.is404) return;
      if (!declaresIdempotencyKey(request)) {
        // Such a route (POST /v1/api-keys) could not replay safely; ignoring the key would let the client
        // believe a retry is safe when it creates a second resource.
        throw new AppError(
          ERRORS.badRequest,
          `${request.method} ${request.routeOptions.url} does not take an Idempotency-Key: it is not idempotent; send it without one`,
          [{ path: 'headers.idempotency-key', message: 'not accepted by this operation' }],
        );
      }
      const apiKeyId = request.actor?.keyId;
      if (!apiKeyId) return; // only keyless callers (public routes) have none, and they have nothing to scope by

      const key = String(header);
      const fingerprint = requestFingerprint(request.method, request.url, request.body);
      const now = app.clock();
      const nowIso = now.toISOString();
      const abandonedBefore = new Date(now.getTime() - ABANDONED_AFTER_MS).toISOString();

      const found = writeTransaction(app.db, (tx): Lookup => {
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

      switch (found.kind) {
        case 'reused':
          throw new AppError(
            ERRORS.idempotencyKeyReused,
            'this Idempotency-Key was already used for a different request (method, path or body); use a new key for a new request',
            [{ path: 'headers.idempotency-key', message: 'used before for a different request' }],
          );
        case 'inProgress':
          throw new AppError(
            ERRORS.idempotencyInProgress,
            'a request with this Idempotency-Key is still being processed; retry in a few seconds',
            undefined,
            { 'retry-after': '1' },
          );
        case 'replay':
          return reply.code(found.statusCode).headers({ ...found.headers, 'idempotent-replayed': 'true' }).send(found.body);
        case 'claimed':
          request.idempotencyClaim = found.claim;
      }
    });

    // onSend sees the serialized payload: the exact bytes a replay must repeat.
    app.addHook('onSend', async (request, reply, payload) => {
      const claim = request.idempotencyClaim;
      if (!claim) return payload;
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
              .where(ownClaim(claim))
              .run();
            // Expired keys are swept here, after a success, rather than by a timer (the index on expiresAt
            // keeps it cheap) and never on a refused request, which must leave the database as it was.
            tx.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, app.clock().toISOString())).run();
          });
        } else {
          // A refusal changed nothing, so a retry must run again; a stream cannot be stored for replay.
          release(claim);
        }
        request.idempotencyClaim = null;
      } catch (err) {
        // The response still goes out; onResponse tries to release the claim so retries are not stuck on 409.
        request.log.error({ err }, 'could not store the idempotent response');
      }
      return payload;
    });

    // A claim still held here never reached onSend with a response (or could not be stored): free the key.
    app.addHook('onResponse', async (request) => {
      const claim = request.idempotencyClaim;
      if (!claim) return;
      request.idempotencyClaim = null;
      try {
        release(claim);
      } catch (err) {
        request.log.error({ err }, 'could not release an idempotency key; it frees itself after 5 minutes');
      }
    });
  },
  { name: 'idempotency', dependencies: ['db', 'auth'] },
);
