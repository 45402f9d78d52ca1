// What a piece of work asks of SQLite, counted rather than timed: the scale tests check that it does not grow with
// the size of the plan (a test never asserts a time).
import type { App } from '../../src/app.js';

export interface SqlUsage {
  /** Statements prepared (a statement prepared once per connection is not prepared again). */
  prepared: number;
  /** Runs of statements (all, get, run, iterate; each run of a prepared statement counts once). */
  statements: number;
  /** Rows returned by all and get (iterate's rows are not counted). */
  rows: number;
}

/** Runs `fn` and counts what it asks of the app's connection meanwhile. */
export async function sqlUsage(app: App, fn: () => Promise<unknown>): Promise<SqlUsage> {
  const usage: SqlUsage = { prepared: 0, statements: 0, rows: 0 };
  const prepare = app.sqlite.prepare;
  const proto = Object.getPrototypeOf(prepare.call(app.sqlite, 'select 1')) as Record<string, (...args: unknown[]) => unknown>;
  const saved = { all: proto.all, get: proto.get, run: proto.run, iterate: proto.iterate } as Record<string, (...args: unknown[]) => unknown>;
  app.sqlite.prepare = function (this: typeof app.sqlite, source: string) {
    usage.prepared += 1;
    return prepare.call(this, source);
  } as typeof prepare;
  for (const [name, original] of Object.entries(saved)) {
    proto[name] = function (this: unknown, ...args: unknown[]) {
      usage.statements += 1;
      const out = original.apply(this, args);
      if (name === 'all') usage.rows += (out as unknown[]).length;
      else if (name === 'get' && out !== undefined) usage.rows += 1;
      return out;
    };
  }
  try {
    await fn();
  } finally {
    app.sqlite.prepare = prepare;
    Object.assign(proto, saved);
  }
  return usage;
}
