// Idempotency-Key on POST: a retried create or action returns the first response instead of acting twice.
//
// A key is scoped to the API key that sent it and kept 24 hours. It is recorded by the request's own write
// transaction, together with the write and with the result the write returned ('committed'): there is no
// moment at which the write is committed and the key is not, so no retry can act twice, even after a crash
// between the commit and the response, and a POST costs one commit, not three. A retry with the same request
// gets the response rebuilt from the kept result, the way the routes build it: the route's success status, its
// serializer, the result's ETag and, on 201, Location (test/idempotency.test.ts proves it byte-equal to the
// original for every idempotent operation), with `Idempotent-Replayed: true`. The replay is answered before
// validation and the object-level access rule: a caller that has since lost the right to do what it did still learns
// that it was done (see the preValidation hook). The same key with another request is 422. Two identical requests at once both run; the second to commit finds the key taken, its write is
// rolled back and it answers 409 (retry: the retry replays). Refused requests commit nothing, so they are not
// remembered: a client that fixes its request may retry with the same key. A request that writes nothing
// records nothing: running it again is harmless.
// Rows written by earlier versions are still honoured: 'completed' (the stored response is replayed) and
// 'pending' (409 for 5 minutes, then taken over).
import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import { and, eq, lt, or, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest, preHandlerHookHandler, preValidationHookHandler } from 'fastify';
import { prepared, writeScope, type Db, type WriteScope } from '../db/connection.js';
import { idempotencyKeys } from '../db/schema.js';
import { AppError, ERRORS } from '../errors.js';
import { canonicalJson } from '../lib/canonical-json.js';
import { declaresHeader, etagOf } from '../lib/http.js';

const KEPT_FOR_MS = 24 * 60 * 60 * 1000;
/** A 'pending' row (earlier versions) older than this belongs to a request that will never finish. */
const ABANDONED_AFTER_MS = 5 * 60 * 1000;
/** Expired keys are swept by a commit at most this often. */
const SWEEP_EVERY_MS = 60 * 1000;

/** What makes two requests "the same": method, path with query, and the validated body. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method}\n${url}\n${canonicalJson(body)}`).digest('hex');
}

/** Routes opt in by declaring the header in their zod headers schema (CreateHeadersSchema, ActionHeadersSchema). */
const declaresIdempotencyKey = (request: FastifyRequest): boolean => declaresHeader(request, 'idempotency-key');

/** The one 2xx status a route answers with (its response schema), which a replay repeats. */
function successStatusOf(request: FastifyRequest): number {
  const codes = Object.keys(request.routeOptions.schema?.response ?? {}).map(Number);
  return codes.find((code) => code >= 200 && code < 300) ?? 200;
}

/**
 * The response to a retry, rebuilt from the committed write's result as the routes build it (sendResource: ETag
 * on 200/201; Location of the new resource under the collection's path on 201).
 */
function sendRebuilt(request: FastifyRequest, reply: FastifyReply, result: unknown) {
  const status = successStatusOf(request);
  if (status === 200 || status === 201) reply.header('etag', etagOf(result));
  const id = (result as { id?: unknown } | null)?.id;
  if (status === 201 && typeof id === 'string') {
    // From the route's pattern, not the URL as sent: `POST /v1/tasks/` is the same route, its resource is not `/v1/tasks//{id}`.
    const params = request.params as Record<string, unknown>;
    const collection = (request.routeOptions.url ?? '').replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(params[name])));
    reply.header('location', `${collection}/${id}`);
  }
  return reply.code(status).header('idempotent-replayed', 'true').send(result);
}

const keyReused = () =>
  new AppError(
    ERRORS.idempotencyKeyReused,
    'this Idempotency-Key was already used for a different request (method, path or body); use a new key for a new request',
    [{ path: 'headers.idempotency-key', message: 'used before for a different request' }],
  );
const keyInProgress = () =>
  new AppError(ERRORS.idempotencyInProgress, 'a request with this Idempotency-Key is being processed or has just been; retry in a second', undefined, {
    'retry-after': '1',
  });

type KeyRow = typeof idempotencyKeys.$inferSelect;

/** A request that sent an Idempotency-Key and is not a replay (yet: see the preHandler). */
interface Claim {
  apiKeyId: string;
  key: string;
  /** Of the body as sent. */
  fingerprint: string;
  /** The key's live row, if the key was used before. */
  row: KeyRow | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: Claim | null;
  }
}

/** Answers a retry from its key's row, if the row holds an answer: a committed write's result, or a stored response. */
function replay(request: FastifyRequest, reply: FastifyReply, row: KeyRow): boolean {
  if (row.state === 'committed') {
    sendRebuilt(request, reply, JSON.parse(row.responseBody ?? 'null'));
    return true;
  }
  if (row.state === 'completed') {
    reply.code(row.statusCode ?? 200).headers({ ...(row.responseHeaders ?? {}), 'idempotent-replayed': 'true' }).send(row.responseBody ?? '');
    return true;
  }
  return false;
}

export default fp(
  async (app) => {
    app.decorateRequest('idempotency', null);
    let lastSweep = 0;
    const findKey = (apiKeyId: string, key: string) =>
      prepared(app.db, 'idempotencyKey', (db) =>
        db
          .select()
          .from(idempotencyKeys)
          .where(and(eq(idempotencyKeys.apiKeyId, sql.placeholder('apiKeyId')), eq(idempotencyKeys.key, sql.placeholder('key'))))
          .prepare(),
      ).get({ apiKeyId, key });

    /**
     * Records a key as committed; only an expired key or an abandoned claim of an earlier version is taken over
     * (0 changes otherwise). Prepared: it runs in every idempotent write.
     */
    const recordKey = (tx: Db) =>
      prepared(tx, 'recordIdempotencyKey', (db) =>
        db
          .insert(idempotencyKeys)
          .values({
            apiKeyId: sql.placeholder('apiKeyId'),
            key: sql.placeholder('key'),
            fingerprint: sql.placeholder('fingerprint'),
            state: 'committed',
            responseBody: sql.placeholder('responseBody'),
            createdAt: sql.placeholder('createdAt'),
            expiresAt: sql.placeholder('expiresAt'),
          })
          .onConflictDoUpdate({
            target: [idempotencyKeys.apiKeyId, idempotencyKeys.key],
            set: {
              fingerprint: sql`excluded.fingerprint`,
              state: 'committed',
              statusCode: null,
              responseHeaders: null,
              responseBody: sql`excluded.response_body`,
              createdAt: sql`excluded.created_at`,
              expiresAt: sql`excluded.expires_at`,
            },
            setWhere: or(
              lt(idempotencyKeys.expiresAt, sql.placeholder('createdAt')),
              and(eq(idempotencyKeys.state, 'pending'), lt(idempotencyKeys.createdAt, sql.placeholder('abandonedBefore'))),
            ),
          })
          .prepare(),
      );

    /** The write scope of a request that sent a key not seen before: its commits record the key. */
    function recordingScope(apiKeyId: string, key: string, fingerprint: string): WriteScope {
      let recorded = false;
      return {
        // Refused after an identical request (another instance's) committed the key since this one looked: the
        // refusal is of the action done twice (an illegal transition, a taken code), not this request's fate: 409, and
        // the retry replays.
        onRefused: (err) => {
          // Only a refusal of the action (an AppError): a database that cannot be read now (a full disk, a lock) keeps
          // its own answer, which the look-up would only replace with a worse one.
          if (recorded || !(err instanceof AppError) || err.spec === ERRORS.idempotencyInProgress) return;
          let row;
          try {
            row = findKey(apiKeyId, key);
          } catch {
            return;
          }
          if (row?.state === 'committed' && row.expiresAt >= app.clock().toISOString()) throw keyInProgress();
        },
        onCommit: (tx, result) => {
          const now = app.clock();
          const nowIso = now.toISOString();
          const responseBody = JSON.stringify(result ?? null);
          if (recorded) {
            // A second write of the same request: the result to rebuild from is the last one.
            tx.update(idempotencyKeys)
              .set({ responseBody })
              .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key)))
              .run();
            return;
          }
          const { changes } = recordKey(tx).run({
            apiKeyId,
            key,
            fingerprint,
            responseBody,
            createdAt: nowIso,
            expiresAt: new Date(now.getTime() + KEPT_FOR_MS).toISOString(),
            abandonedBefore: new Date(now.getTime() - ABANDONED_AFTER_MS).toISOString(),
          });
          // Another request with this key committed since this one looked: this write is rolled back.
          if (changes === 0) throw keyInProgress();
          recorded = true;
          // Expired keys are swept here, by a write, rather than by a timer (the index on expiresAt keeps it
          // cheap), and never by a refused request, which must leave the database as it was.
          if (now.getTime() - lastSweep >= SWEEP_EVERY_MS || now.getTime() < lastSweep) {
            tx.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, nowIso)).run();
            lastSweep = now.getTime();
          }
        },
      };
    }

    // Before validation and the object-level access rule (after authentication, in onRequest): a retry of a request
    // that was accepted gets its first answer even if the caller may no longer do it (its organization was taken off
    // the task since, the plan was closed). A retry is how a client learns what became of a request whose answer it
    // lost; answering it 403 would tell it the write was refused when it was made. A replay acts on nothing, and the
    // key and its fingerprint prove the same API key sent the same bytes before. Anything else goes on to
    // validation and the access rule first, as a new request.
    const lookUp: preValidationHookHandler = (request, reply, done) => {
      const header = request.headers['idempotency-key'];
      if (header === undefined) return done();
      if (!declaresIdempotencyKey(request)) {
        // Such a route (POST /v1/api-keys) could not replay safely; ignoring the key would let the client
        // believe a retry is safe when it creates a second resource.
        return done(
          new AppError(
            ERRORS.badRequest,
            `${request.method} ${request.routeOptions.url} does not take an Idempotency-Key; send it without one`,
            [{ path: 'headers.idempotency-key', message: 'not accepted by this operation' }],
          ),
        );
      }
      const apiKeyId = request.actor?.keyId;
      if (!apiKeyId) return done(); // only keyless callers (public routes) have none, and they have nothing to scope by
      const key = String(header);
      // The body as sent: a retry sends the same bytes, and validation has not run yet.
      const fingerprint = requestFingerprint(request.method, request.url, request.body);
      let stored;
      try {
        stored = findKey(apiKeyId, key);
      } catch (err) {
        return done(err as Error);
      }
      // An expired key is as good as absent (a later sweep removes it).
      const row = stored && stored.expiresAt >= app.clock().toISOString() ? stored : undefined;
      if (row?.fingerprint === fingerprint && replay(request, reply, row)) return;
      request.idempotency = { apiKeyId, key, fingerprint, row };
      done();
    };

    // A preHandler, so validation and the access policy have run: what is not a replay is a new request, and a
    // malformed key is a 400 from validation. Callback style, so that the handler runs inside the write scope
    // entered here (an async hook's context would end with it).
    const enterRecording: preHandlerHookHandler = (request, reply, done) => {
      const claim = request.idempotency;
      if (!claim) return done();
      const { apiKeyId, key, fingerprint, row } = claim;
      if (row) {
        // Keys recorded before 2026-11-28 carry the fingerprint of the validated body (defaults added).
        const recordedValidated = row.fingerprint === requestFingerprint(request.method, request.url, request.body);
        if (recordedValidated && replay(request, reply, row)) return;
        if (!recordedValidated && row.fingerprint !== fingerprint) return done(keyReused());
        if (row.state === 'pending' && row.createdAt >= new Date(app.clock().getTime() - ABANDONED_AFTER_MS).toISOString()) return done(keyInProgress());
      }
      writeScope.run(recordingScope(apiKeyId, key, fingerprint), done);
    };

    // On POST routes only (the only ones that take a key), so that no other request pays for the two hooks. Route
    // hooks run after the app's: the preHandler after the access rule.
    app.addHook('onRoute', (route) => {
      if (![route.method].flat().includes('POST')) return;
      route.preValidation = [...[route.preValidation ?? []].flat(), lookUp];
      route.preHandler = [...[route.preHandler ?? []].flat(), enterRecording];
    });
  },
  { name: 'idempotency', dependencies: ['db', 'auth'] },
);
