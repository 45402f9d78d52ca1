// Conditional requests: strong ETags on single resources, If-Match preconditions on writes (412),
// If-None-Match on reads (304). The ETag is the hash of the representation, so it is the same whether a
// read or a write computes it, and changes whenever any byte of the representation would.
import type { FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify';
import { AppError, ERRORS } from '../errors.js';
import { digestOf } from './canonical-json.js';
import type { WriteContext } from './service.js';

/** A read-only link's secret, wherever a URL carries it (its path, another path, percent-encoded letters). */
const LINK_SECRET = /cpl_[^/?#&\s]*/gi;

/**
 * A request URL as it may be logged or shown: a read-only link's secret is its path, so it never appears, whether the
 * client wrote `/v1/links/…`, `//v1/links/…` (a base URL ending in a slash) or encoded letters of it.
 */
export function withoutLinkSecret(url: string): string {
  const shown = url.replace(/^\/v1\/links\/[^/?#]+/, '/v1/links/[secret]').replace(LINK_SECRET, 'cpl_[secret]');
  // Each encoded ASCII letter on its own: a URL that is no valid percent-encoding as a whole (a stray "%", which the
  // router refuses) still has its "%63pl_" read, where decodeURIComponent would give up on all of it.
  const decoded = shown.replace(/%([0-7][0-9a-f])/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  // Encoded, the secret escaped the pattern above: nothing of the URL is shown then.
  return /cpl_(?!\[secret\])/i.test(decoded) ? '[a URL holding a link secret]' : shown;
}

/**
 * An API key or a webhook secret, wherever a URL carries it. No word boundary before the prefix: after an encoded
 * space or "=" ("Bearer%20cpt_…", "key%3Dcpt_…") there is none. A webhook secret is standard base64, so it runs over
 * "/" (one secret in two holds one, and the part after it is half the secret).
 */
const KEY_OR_WEBHOOK_SECRET = /(cpt)_[^/?#&\s]*|(whsec)_[^?#&\s]*/gi;
/** The value of a query parameter whose name says it is a credential (?access_token=, ?api_key=, ?secret=…). */
const CREDENTIAL_PARAMETER = /([?&](?:access[_-]?token|api[_-]?key|apikey|key|token|secret|password|passwd|auth|authorization|bearer)=)[^&#]*/gi;

/**
 * A request URL as it may be logged or quoted: no link secret (withoutLinkSecret), and no credential a client put in
 * it by mistake (an API key as ?access_token=, as some tools send it, is a working key in every log line kept).
 */
export function withoutSecrets(url: string): string {
  return withoutLinkSecret(url).replace(KEY_OR_WEBHOOK_SECRET, (_m, key?: string, webhook?: string) => `${key ?? webhook}_[secret]`).replace(CREDENTIAL_PARAMETER, '$1[secret]');
}

/**
 * What every answer of a link carries, found or not: nothing is cached or indexed, and the secret URL does
 * not travel on as a Referer when someone follows a link out of the page.
 */
export const LINK_HEADERS = {
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'referrer-policy': 'no-referrer',
};

/** Key order does not matter: a created resource and the same resource read back have one ETag. */
export function etagOf(representation: unknown): string {
  return `"${digestOf(representation).slice(0, 32)}"`;
}

const ENTITY_TAG = /(W\/)?"[\x21\x23-\x7e\x80-\xff]*"/g;

/** The entity-tags of an If-Match / If-None-Match header: '*' or a list; a malformed header is 400. */
function parseTags(header: string, name: string): '*' | { tag: string; weak: boolean }[] {
  const value = header.trim();
  if (value === '*') return '*';
  const tags = [...value.matchAll(ENTITY_TAG)].map((m) => ({ tag: m[0].replace(/^W\//, ''), weak: m[1] !== undefined }));
  const rest = value.replace(ENTITY_TAG, '').replace(/[\s,]/g, '');
  if (tags.length === 0 || rest !== '') {
    throw new AppError(ERRORS.badRequest, `${name} must be "*" or a list of quoted entity-tags such as "abc"`, [
      { path: `headers.${name.toLowerCase()}`, message: 'not an entity-tag list' },
    ]);
  }
  return tags;
}

/** Whether the route declares the request header (lower case) in its zod headers schema, as a route opts in to one. */
export function declaresHeader(request: FastifyRequest, name: string): boolean {
  const headers = request.routeOptions.schema?.headers as { shape?: Record<string, unknown> } | undefined;
  return headers?.shape?.[name] !== undefined;
}

/**
 * If-Match on an operation that does not take it (a creation, a read) would be ignored, and the client would believe
 * its change was conditional. It is refused, as an Idempotency-Key is where it is not taken.
 */
export const refuseUndeclaredIfMatch: preValidationHookHandler = (request, _reply, done) => {
  if (request.headers['if-match'] === undefined || request.routeOptions.url === undefined || declaresHeader(request, 'if-match')) return done();
  done(
    new AppError(
      ERRORS.badRequest,
      `${request.method} ${request.routeOptions.url} does not take If-Match: it changes no existing resource that has an ETag; send it without one`,
      [{ path: 'headers.if-match', message: 'not accepted by this operation' }],
    ),
  );
};

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The write context of a request: its actor and, when it sent If-Match, the precondition the service checks
 * inside its transaction. If-Match is optional (no 428): ministry systems that keep no ETags still work,
 * last writer wins for them; systems that send it never overwrite a change they have not seen.
 */
export function writeContext(request: FastifyRequest): WriteContext {
  const header = headerOf(request, 'if-match');
  const authorizeAgain = request.authorizeAgain ?? undefined;
  if (header === undefined) return { actor: request.actor, authorizeAgain };
  const tags = parseTags(header, 'If-Match');
  return {
    actor: request.actor,
    authorizeAgain,
    expect: (current) => {
      // Strong comparison: a weak tag never matches (RFC 9110 §13.1.1).
      if (tags === '*') return;
      const etag = etagOf(current);
      if (!tags.some((t) => !t.weak && t.tag === etag)) {
        throw new AppError(
          ERRORS.preconditionFailed,
          `the resource has changed since you read it: its ETag is now ${etag}; read it again, then retry`,
          undefined,
          { etag },
        );
      }
    },
  };
}

/**
 * Refuses a malformed If-None-Match (400) before a read does anything, as sendResource would only after it: a read
 * that records its use (opening a link touches its lastUsedAt) must not record one it then refuses.
 */
export function refuseMalformedIfNoneMatch(request: FastifyRequest): void {
  ifNoneMatchOf(request);
}

/** The entity-tags of a read's If-None-Match (400 when malformed); undefined when it sent none or is no read. */
function ifNoneMatchOf(request: FastifyRequest): ReturnType<typeof parseTags> | undefined {
  const header = headerOf(request, 'if-none-match');
  if (header === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) return undefined;
  return parseTags(header, 'If-None-Match');
}

/**
 * Sends one resource with its ETag (of the resource, unless given). A read whose If-None-Match names the current
 * ETag gets 304 and no body (weak comparison, RFC 9110 §13.1.2).
 */
export function sendResource<T>(request: FastifyRequest, reply: FastifyReply, resource: T, status = 200, etag = etagOf(resource)) {
  reply.header('etag', etag);
  if (notModified(request, etag)) return reply.code(304).send();
  return reply.code(status).send(resource);
}

/** Whether a read's If-None-Match names `etag` (weak comparison, RFC 9110 §13.1.2): it gets 304 and no body then. */
export function notModified(request: FastifyRequest, etag: string): boolean {
  const tags = ifNoneMatchOf(request);
  return tags !== undefined && (tags === '*' || tags.some((t) => t.tag === etag));
}
