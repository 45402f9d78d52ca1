// One HTTP attempt of a delivery: POST to the checked addresses only, no redirects, a time limit, the answer's start kept.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { RESPONSE_BODY_KEPT } from './webhooks.delivery-schemas.js';
import type { CheckedTarget } from './webhooks.url-guard.js';

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  durationMs: number;
  /** The attempt was cut short because the service is stopping: it does not count. */
  interrupted: boolean;
  /** The Retry-After header of an answer other than 2xx, as sent (the worker reads it); null without one. */
  retryAfter: string | null;
}

const USER_AGENT = 'commission-plan-tracker-webhooks/1';
/** Bytes of an answer read at most; the rest is not waited for. */
const READ_LIMIT = 4 * RESPONSE_BODY_KEPT;

/**
 * Connects only to the addresses checked beforehand, whatever the name resolves to by now: a DNS answer that
 * changed between the check and the connection (rebinding) cannot redirect the request.
 */
function pinnedLookup(target: CheckedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    const first = target.addresses[0]!;
    if ((options as { all?: boolean }).all) (callback as (e: null, a: typeof target.addresses) => void)(null, target.addresses);
    else callback(null, first.address, first.family);
  };
}

/** The longest error an attempt or a delivery keeps (the log's `error` and `lastError`, as documented). */
export const ERROR_KEPT = 1000;

export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function describeStatus(statusCode: number, location: string | undefined): string {
  const reason = http.STATUS_CODES[statusCode];
  const base = `HTTP ${statusCode}${reason ? ` ${reason}` : ''}`;
  if (statusCode >= 300 && statusCode < 400) return `${base}: redirects are not followed${location ? ` (to ${clip(location, 200)})` : ''}; subscribe the final URL`;
  return base;
}

export function sendAttempt(
  target: CheckedTarget,
  headers: Record<string, string>,
  body: string,
  { timeoutMs, signal }: { timeoutMs: number; signal: AbortSignal },
): Promise<AttemptResult> {
  // A monotonic clock: the wall clock may step back during an attempt, and a duration is never negative.
  const started = performance.now();
  if (signal.aborted) {
    // Not even connected: a request destroyed before its error listener is attached would throw "socket hang up".
    return Promise.resolve({ ok: false, statusCode: null, error: 'interrupted: the service is stopping', responseBody: null, durationMs: 0, interrupted: true, retryAfter: null });
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Omit<AttemptResult, 'durationMs' | 'interrupted' | 'retryAfter'>, interrupted = false, retryAfter: string | null = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve({ ...r, durationMs: Math.round(performance.now() - started), interrupted, retryAfter });
    };
    const transport = target.url.protocol === 'https:' ? https : http;
    const request = transport.request(target.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': USER_AGENT },
      lookup: pinnedLookup(target),
      agent: false,
    });
    /** Set once the status line arrived: then the time limit ends the attempt with that status, not as "no answer". */
    let answered: (() => void) | null = null;
    const timer = setTimeout(() => (answered ? answered() : request.destroy(new Error(`no answer within ${timeoutMs} ms`))), timeoutMs);
    const onAbort = () => {
      request.destroy();
      finish({ ok: false, statusCode: null, error: 'interrupted: the service is stopping', responseBody: null }, true);
    };
    signal.addEventListener('abort', onAbort);

    request.on('response', (response) => {
      const received = response.statusCode ?? 0;
      // Node's parser takes any three digits; RFC 9110 §15 makes those outside 100..599 invalid. Such an answer is no
      // HTTP status: the attempt fails without one (the log's statusCode is 100..599 or null, as documented).
      const valid = received >= 100 && received <= 599;
      const statusCode = valid ? received : null;
      const ok = valid && received >= 200 && received < 300;
      const chunks: Buffer[] = [];
      let size = 0;
      const retryAfter = ok || !valid ? null : (response.headers['retry-after']?.trim().slice(0, 100) ?? null);
      const done = () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const error = ok
          ? null
          : !valid
            ? `not a valid HTTP status: ${received}`
            : `${describeStatus(received, response.headers.location)}${retryAfter ? ` (Retry-After: ${retryAfter})` : ''}`;
        finish({ ok, statusCode, error, responseBody: text === '' ? null : clip(text, RESPONSE_BODY_KEPT) }, false, retryAfter || null);
        response.destroy();
      };
      // The status decides: a body still trickling in when the time is up is not waited for.
      answered = done;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // The status decides; a long answer is not waited for.
        if (size >= READ_LIMIT) done();
      });
      response.on('end', done);
      response.on('error', done);
      response.on('aborted', done);
    });
    request.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code && !err.message.includes(err.code) ? ` (${err.code})` : '';
      finish({ ok: false, statusCode: null, error: clip(`${err.message}${code}`, ERROR_KEPT), responseBody: null });
    });
    request.end(body);
  });
}
