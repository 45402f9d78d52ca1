// Answers a repeated read from memory while nothing has been written since it was computed.
//
// A route opts in with `config: { responseCache: true }`, or `{ vary: ['accept'] }` when a request header also chooses
// the answer (it is then part of the key); it must be a GET whose answer depends only on its URL, those headers, the
// data and the day (not on who asks: every role reads the same). Ministry systems and dashboards poll the same
// filtered lists, and a page of 50 tasks costs far more to read from SQLite and write out than to send again; the
// co-chairs' report is opened again and again on the eve of a visit.
//
// An answer is kept for one state of the database and one minute of the clock:
// - the state (dataState, src/db/connection.ts) moves with every write of the service, also one still in an open
//   group or rolled back, and every commit of another connection (from the next turn of the event loop: such a
//   commit is concurrent with the requests of the turn it lands in). Any write empties the cache.
// - the minute: "overdue" and "days overdue" follow the date in each commission's time zone, and a date changes
//   only on a whole UTC minute.
// The answer is kept only once it is sent, after the db plugin's onSend: a 200 that waited for the commit of the
// writes it saw, so no answer built on a group that failed to commit is kept. Everything before the handler still
// runs on every request: authentication, the rate limit, validation and the access rule. A conditional read is
// answered from a kept answer too: 304 when its If-None-Match names the kept ETag, the kept answer otherwise.
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { dataState } from '../db/connection.js';
import { notModified } from '../lib/http.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route's GET answers may be served again from memory (see src/plugins/response-cache.ts); `vary` names the
     * request headers (lower case) that choose the answer besides the URL.
     */
    responseCache?: boolean | { vary: readonly string[] };
  }
}

export interface ResponseCacheOptions {
  /** Bytes of answers kept (UTF-8, with their URLs); 0 turns the cache off. */
  maxBytes: number;
  /** How many answers are kept at most. */
  maxEntries?: number;
}

interface Entry {
  /** The answer as sent, as bytes (text is encoded as UTF-8 once, when it is kept). */
  body: Buffer;
  size: number;
  /** The answer's own headers, among KEPT_HEADERS (the others are set again by the hooks on every request). */
  headers: Record<string, string>;
}

/** Headers a route sets on its answer that a hit must carry too. */
const KEPT_HEADERS = ['content-type', 'etag', 'content-disposition', 'vary', 'content-security-policy'] as const;

/** The key of an answer: its URL and the request headers its route varies on. */
function keyOf(request: FastifyRequest): string {
  const option = request.routeOptions.config.responseCache;
  if (typeof option !== 'object') return request.url;
  return [request.url, ...option.vary.map((name) => String(request.headers[name] ?? ''))].join('\n');
}

/** What a request was computed against: the database's state and the clock's minute. */
const stampOf = new WeakMap<FastifyRequest, string>();

export default fp<ResponseCacheOptions>(
  async (app, { maxBytes, maxEntries = 1_000 }) => {
    // Only a read can be answered again; a route that declares itself so by mistake refuses to start.
    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat();
      if (route.config?.responseCache && methods.some((m) => m !== 'GET' && m !== 'HEAD')) {
        throw new Error(`${methods.join(',')} ${route.url}: only a GET route can have its answers kept (responseCache)`);
      }
    });
    if (maxBytes <= 0) return;
    let stamp = '';
    /** Least recently used first (a Map keeps insertion order; a hit is moved to the end). */
    const entries = new Map<string, Entry>();
    let bytes = 0;
    const stats = { hits: 0, misses: 0 };
    app.decorate('responseCacheStats', stats);

    const currentStamp = (): string => {
      const next = `${dataState(app.db)}:${Math.floor(app.clock().getTime() / 60_000)}`;
      if (next !== stamp) {
        entries.clear();
        bytes = 0;
        stamp = next;
      }
      return next;
    };

    // After authentication, validation and the access rule (preHandler hooks run in the order registered).
    app.addHook('preHandler', (request, reply, done) => {
      if (request.method !== 'GET' || !request.routeOptions.config.responseCache) return done();
      stampOf.set(request, currentStamp());
      const key = keyOf(request);
      const hit = entries.get(key);
      if (!hit) {
        stats.misses++;
        return done();
      }
      stats.hits++;
      stampOf.delete(request);
      entries.delete(key);
      entries.set(key, hit);
      // A poll with the ETag of the kept answer (a calendar program's, hourly) is 304 without computing anything.
      let unchanged: boolean;
      try {
        unchanged = hit.headers.etag !== undefined && notModified(request, hit.headers.etag);
      } catch (err) {
        return done(err as Error);
      }
      if (unchanged) {
        reply.header('etag', hit.headers.etag as string);
        if (hit.headers.vary !== undefined) reply.header('vary', hit.headers.vary);
        reply.code(304).send();
        return;
      }
      reply.headers(hit.headers);
      reply.send(hit.body);
    });

    app.addHook('onSend', (request, reply, payload, done) => {
      const computedAt = stampOf.get(request);
      if (computedAt === undefined || reply.statusCode !== 200 || !(typeof payload === 'string' || Buffer.isBuffer(payload))) return done(null, payload);
      stampOf.delete(request);
      // Its size: the answer's bytes as UTF-8 (Cyrillic text takes two per character, in memory too) and its key's.
      const key = keyOf(request);
      const size = Buffer.byteLength(payload) + key.length;
      if (computedAt === currentStamp() && !entries.has(key) && size <= maxBytes) {
        const headers: Record<string, string> = {};
        for (const name of KEPT_HEADERS) {
          const value = reply.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        // Kept as bytes, encoded once: a hit then writes them as they are, where text would be measured for its
        // Content-Length and encoded again on every hit (8% of a hit's CPU on a page of 50 tasks).
        entries.set(key, { body: typeof payload === 'string' ? Buffer.from(payload) : payload, size, headers });
        bytes += size;
        for (const [url, entry] of entries) {
          if (bytes <= maxBytes && entries.size <= maxEntries) break;
          entries.delete(url);
          bytes -= entry.size;
        }
      }
      done(null, payload);
    });
  },
  { name: 'response-cache', dependencies: ['db', 'auth'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** Answers served from the response cache and computed, since start (tests read it). */
    responseCacheStats?: { hits: number; misses: number };
  }
}
