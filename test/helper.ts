// Test helpers: build(t) gives each test its own app on a fresh in-memory database and a clock it controls.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import { buildApp, type App, type AppConfig } from '../src/app.js';
import type { Resolver } from '../src/modules/webhooks/webhooks.url-guard.js';

/** The secretariat key of every test app, stored at start as TRACKER_BOOTSTRAP_TOKEN would be. */
export const SECRETARIAT_TOKEN = 'test-secretariat-token-0123456789abcdef';
export const asSecretariat = { authorization: `Bearer ${SECRETARIAT_TOKEN}` };

export const DEFAULT_NOW = '2026-11-28T09:00:00.000Z';

export interface TestClock {
  (): Date;
  set(iso: string): void;
}

export function testClock(iso = DEFAULT_NOW): TestClock {
  let now = new Date(iso);
  const clock = (() => now) as TestClock;
  clock.set = (next) => {
    now = new Date(next);
  };
  return clock;
}

/**
 * Webhook host names in tests never reach a name server: `localhost` is the loopback, and every other name does
 * not resolve, as names under `.example`, `.test` and `.invalid` (RFC 6761) do not. The fuzzer's random names too.
 */
export const testResolver: Resolver = async (host) => {
  if (host.toLowerCase() === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

/**
 * A fresh app on an in-memory database. Requests injected without an Authorization header act as the
 * secretariat, so tests about something else need not repeat it; a test about access sends its own
 * header, or `authorization: undefined` to send none.
 */
export async function build(t: Test, clock: TestClock = testClock(), config: Partial<AppConfig> = {}, resolve: Resolver = testResolver): Promise<App> {
  const app = await buildApp({
    config: {
      databasePath: ':memory:',
      logLevel: 'silent',
      bodyLimit: 64 * 1024,
      bootstrapToken: SECRETARIAT_TOKEN,
      rateLimitMax: 0,
      authFailureMax: 1_000_000,
      ...config,
    },
    clock,
    logger: false,
    verifySerializers: true,
    resolve,
  });
  await app.ready();
  t.teardown(() => app.close());
  const inject = app.inject.bind(app);
  app.inject = ((options: InjectOptions) => {
    const headers = { ...(options.headers ?? {}) } as Record<string, unknown>;
    if (!('authorization' in headers)) headers.authorization = asSecretariat.authorization;
    for (const [k, v] of Object.entries(headers)) if (v === undefined) delete headers[k];
    return inject({ ...options, headers: headers as InjectOptions['headers'] });
  }) as typeof app.inject;
  return app;
}

/** Issues an API key through the API and returns the headers that use it. */
export async function keyFor(app: App, role: 'secretariat' | 'co_chair' | 'ministry' | 'observer', organizationId?: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    payload: { name: `${role} test key`, role, ...(organizationId ? { organizationId } : {}) },
  });
  if (res.statusCode !== 201) throw new Error(`POST /v1/api-keys answered ${res.statusCode}: ${res.body}`);
  const key = JSON.parse(res.body) as { id: string; token: string };
  return { id: key.id, token: key.token, headers: { authorization: `Bearer ${key.token}` } };
}

/** Every string value of `key` anywhere in a JSON document (every `$ref`, every `pattern`), in document order. */
export function stringsAt(value: unknown, key: string, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) stringsAt(v, key, found);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key && typeof v === 'string') found.push(v);
      else stringsAt(v, key, found);
    }
  }
  return found;
}

/** Parses a JSON response body, failing loudly when it is not JSON. */
export function json<T = any>(res: { body: string }): T {
  return JSON.parse(res.body) as T;
}

/**
 * A full database snapshot (every table, every row), to prove a refused request changed nothing. The one
 * column left out is api_keys.last_used_at: using a key is not a change of data.
 */
export function snapshot(app: App): Record<string, unknown[]> {
  const tables = app.sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map(({ name }) => {
      const rows = app.sqlite.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all() as Record<string, unknown>[];
      return [name, name === 'api_keys' ? rows.map(({ last_used_at: _used, ...rest }) => rest) : rows];
    }),
  );
}

export type InjectedResponse = { statusCode: number; headers: Record<string, unknown>; body: string };

/**
 * Asserts a problem document (RFC 9457) of the given status and code, with nothing internal leaking,
 * and returns its parsed body.
 */
export function assertProblem(t: Test, res: InjectedResponse, status: number, code: string) {
  t.equal(res.statusCode, status, `status ${status}`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'problem media type');
  const body = json(res);
  t.equal(body.status, status, 'body.status');
  t.equal(body.code, code, 'body.code');
  t.equal(body.type, `https://commission-plan-tracker.example/problems/${code}`, 'body.type');
  t.type(body.title, 'string', 'body.title');
  t.type(body.detail, 'string', 'body.detail');
  t.notMatch(res.body, /SQLITE|at .+\.ts:\d+/, 'nothing internal leaks');
  return body;
}

/** Sends a request that must be refused with `status` and a problem `code`, and proves the refusal changed nothing. */
export async function refused(t: Test, app: App, request: InjectOptions, status: number, code: string) {
  const before = snapshot(app);
  const body = assertProblem(t, await app.inject(request), status, code);
  t.strictSame(snapshot(app), before, 'nothing changed');
  return body;
}

/**
 * PATCHes `url` (the resource as created, `created`) with values it already has, an hour later and with the ETag a
 * client read: the answer must be the resource unchanged, the ETag still good, and nothing written, no history entry.
 */
export async function patchChangesNothing(t: Test, app: App, clock: TestClock, url: string, created: unknown, payload: object) {
  const read = await app.inject({ method: 'GET', url });
  clock.set('2026-11-29T12:00:00.000Z');
  const before = snapshot(app);
  const res = await app.inject({ method: 'PATCH', url, headers: { 'if-match': String(read.headers.etag) }, payload });
  t.equal(res.statusCode, 200);
  t.strictSame(json(res), created, 'updatedAt has not moved');
  t.equal(res.headers.etag, read.headers.etag, 'the ETag a client holds stays good');
  t.strictSame(snapshot(app), before, 'nothing was written, no history entry either');
}

/**
 * Makes the next `times` COMMITs of the app's connection fail with `error` (every one by default), before anything
 * is committed; undone when the test ends, or by `restore()`.
 */
export function failCommits(t: Test, app: App, error: () => Error, times = Number.POSITIVE_INFINITY) {
  const exec = app.sqlite.exec.bind(app.sqlite);
  let left = times;
  app.sqlite.exec = (statement: string) => {
    if (statement === 'COMMIT' && left > 0) {
      left--;
      throw error();
    }
    return exec(statement);
  };
  const restore = () => {
    app.sqlite.exec = exec;
  };
  t.teardown(restore);
  return { left: () => left, restore };
}

/** The SQL of each statement prepared on the app's connection while `fn` runs whose text includes `part`. */
export async function preparedDuring(app: App, part: string, fn: () => Promise<unknown>): Promise<string[]> {
  const texts: string[] = [];
  const sqlite = app.sqlite as unknown as { prepare: (source: string) => unknown };
  const original = sqlite.prepare;
  sqlite.prepare = function (this: unknown, source: string) {
    if (source.includes(part)) texts.push(source);
    return original.call(this, source);
  };
  try {
    await fn();
  } finally {
    sqlite.prepare = original;
  }
  return texts;
}

/** A stream to pass as a test app's log stream, and what was written to it: as text, or as parsed JSON lines. */
export function logCapture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const text = () => chunks.join('');
  return {
    stream,
    text,
    records: <R = Record<string, any>>(): R[] =>
      text()
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as R),
  };
}

/** An app on a database file of its own (removed after the test), logging at `info` into a logCapture. */
export async function loggedAppOnFile(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-logged-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = logCapture();
  const app = await buildApp({
    config: { databasePath: join(dir, 'tracker.db'), logLevel: 'info', bodyLimit: 65536, bootstrapToken: SECRETARIAT_TOKEN, rateLimitMax: 0 },
    logger: { stream: log.stream },
  });
  t.teardown(() => app.close());
  return { app, ...log };
}
