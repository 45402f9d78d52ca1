// Test helpers: build(t) gives each test its own app on a fresh in-memory database and a clock it controls.
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import { buildApp, type App } from '../src/app.js';

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

export async function build(t: Test, clock: TestClock = testClock()): Promise<App> {
  const app = await buildApp({
    config: { databasePath: ':memory:', logLevel: 'silent', bodyLimit: 64 * 1024 },
    clock,
    logger: false,
  });
  await app.ready();
  t.teardown(() => app.close());
  return app;
}

/** Parses a JSON response body, failing loudly when it is not JSON. */
export function json<T = any>(res: { body: string }): T {
  return JSON.parse(res.body) as T;
}

/** A full database snapshot (every table, every row), to prove a refused request changed nothing. */
export function snapshot(app: App): Record<string, unknown[]> {
  const tables = app.sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, app.sqlite.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]));
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
