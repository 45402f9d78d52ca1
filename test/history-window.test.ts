// The history's time windows are bounded by ids (history.repository.ts windowIds), since the feed is in id order and
// its instants are not: whatever the order of the instants, each window and filter pages exactly the entries a plain
// filter keeps, and a recent `since` or an empty window seeks instead of walking every entry.
import t from 'tap';
import fc from 'fast-check';
import type { App } from '../src/app.js';
import { historyQuery, listHistory, WINDOW_PROBE } from '../src/modules/history/history.repository.js';
import type { HistoryFilter } from '../src/modules/history/history.schemas.js';
import { newId } from '../src/lib/ids.js';
import { build, json } from './helper.js';

const T0 = Date.parse('2026-11-28T09:00:00.000Z');
const minute = (m: number) => new Date(T0 + m * 60_000).toISOString();
const PLANS = ['019a7c2e-7a10-7000-8000-0000000000a1', '019a7c2e-7a10-7000-8000-0000000000a2'];
const TASK = '019a7c2e-7a10-7000-8000-0000000000b1';

interface Stored {
  id: string;
  at: string;
  planId: string;
  taskId: string | null;
  operation: string;
}

/**
 * `minutes.length` entries written in that order (ids rising) at those minutes (in any order): a request that began
 * earlier can be written later, and a test clock moves back and forth.
 */
function write(app: App, minutes: number[]): Stored[] {
  const insert = app.sqlite.prepare(
    `INSERT INTO change_history (id, at, actor_role, operation, entity_type, entity_id, plan_id, task_id, changes)
     VALUES (?, ?, 'secretariat', ?, 'task', ?, ?, ?, '[]')`,
  );
  return minutes.map((m, i) => {
    const row = { id: newId(), at: minute(m), planId: PLANS[i % 2]!, taskId: i % 5 === 0 ? TASK : null, operation: i % 3 === 0 ? 'updateTask' : 'createTask' };
    insert.run(row.id, row.at, row.operation, row.taskId ?? row.id, row.planId, row.taskId);
    return row;
  });
}

/** Every id of the feed under `filter`, walking its pages of `limit`. */
function walk(app: App, filter: Omit<HistoryFilter, 'limit' | 'cursor'>, limit: number, probe: number): string[] {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = listHistory(app.db, { ...filter, limit, ...(cursor === undefined ? {} : { cursor }) }, [], probe);
    ids.push(...page.items.map((e) => e.id));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
}

const plan = (app: App, filter: HistoryFilter, probe = WINDOW_PROBE) => {
  const { sql, params } = historyQuery(app.db, filter, [], probe).toSQL();
  return (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
};

t.test('every window pages exactly the entries of its instants, whatever their order and the probe', async (t) => {
  const app = await build(t);
  // The test key's entry, if any, is one more instant.
  const before = app.sqlite.prepare('SELECT id, at, plan_id AS planId, task_id AS taskId, operation FROM change_history').all() as Stored[];
  // Mostly rising, as in service, with entries written out of their instants' order.
  const minutes = Array.from({ length: 120 }, (_, i) => (i % 7 === 3 ? i - 30 : i % 11 === 5 ? i + 25 : i));
  const all = [...before, ...write(app, minutes)].sort((a, b) => (a.id < b.id ? -1 : 1));
  const instant = fc.option(fc.integer({ min: -40, max: 160 }).map(minute), { nil: undefined });
  let checked = 0;
  fc.assert(
    fc.property(
      instant,
      instant,
      fc.constantFrom(undefined, PLANS[0]!),
      fc.constantFrom(undefined, TASK),
      fc.constantFrom(undefined, 'updateTask' as const),
      fc.constantFrom(1, 3, 10, 50),
      fc.constantFrom(1, 2, 7, 50, WINDOW_PROBE),
      (since, until, planId, taskId, operation, probe, limit) => {
        const filter = { since, until, planId, taskId, operation };
        const expected = all
          .filter(
            (e) =>
              (since === undefined || e.at >= since) &&
              (until === undefined || e.at < until) &&
              (planId === undefined || e.planId === planId) &&
              (taskId === undefined || e.taskId === taskId) &&
              (operation === undefined || e.operation === operation),
          )
          .map((e) => e.id);
        const got = walk(app, filter, limit, probe);
        checked += 1;
        return JSON.stringify(got) === JSON.stringify(expected);
      },
    ),
    { numRuns: 400 },
  );
  t.equal(checked, 400, '400 windows, filters, probes and page sizes agree with a plain filter of every entry');
});

t.test('a recent since and an empty window seek ids; an early since and a window without since walk from the first', async (t) => {
  const app = await build(t);
  write(app, Array.from({ length: 40 }, (_, i) => i));
  // With a probe of 5 the 40 entries are a "large" history.
  t.match(plan(app, { since: minute(38), limit: 50 }, 5), /SEARCH change_history USING INDEX \S+ \(id>\? AND id<\?\)/, 'a window of two: both ids');
  t.match(plan(app, { since: minute(20), limit: 50 }, 5), /SEARCH change_history USING INDEX \S+ \(id>\?\)/, 'a large window after many entries: its least id');
  t.match(plan(app, { since: minute(20), planId: PLANS[0]!, limit: 50 }, 5), /SEARCH change_history USING INDEX change_history_plan_idx \(plan_id=\? AND id>\?\)/, "and in a plan's feed");
  t.notMatch(plan(app, { since: minute(1), limit: 50 }, 5), /id>\?/, 'a since before all but a few: the walk from the first id is as short');
  t.notMatch(plan(app, { until: minute(30), limit: 50 }, 5), /id[<>]\?/, 'a large window without since: its first page is among the first ids');
  const next = listHistory(app.db, { since: minute(30), limit: 2 }, [], 5).nextCursor ?? undefined;
  t.match(plan(app, { since: minute(30), limit: 2, cursor: next }, 5), /SEARCH change_history USING INDEX \S+ \(id>\?\)$/, 'a later page of a large window: its cursor seeks');
  const both = { since: minute(1), until: minute(39), limit: 2 };
  const bothPlan = plan(app, { ...both, cursor: listHistory(app.db, both, [], 5).nextCursor ?? undefined }, 5);
  t.match(bothPlan, /^SEARCH change_history USING INDEX sqlite_autoindex_change_history_1 \(id>\?\)$/, `a later page of a large window with since and until walks the ids: ${bothPlan}`);
  t.notMatch(bothPlan, /TEMP B-TREE|change_history_at_idx/, 'not the whole window by instant, sorted for each page (40 ms a page of 385,000 entries)');
  const small = listHistory(app.db, { since: minute(36), until: minute(39), limit: 2 }, [], 5).nextCursor ?? undefined;
  t.match(
    plan(app, { since: minute(36), until: minute(39), limit: 2, cursor: small }, 5),
    /SEARCH change_history USING INDEX \S+ \(id>\? AND id<\?\)$/,
    "a later page of a small window: its greatest id ends the walk, which read every entry after the window",
  );
  t.strictSame(walk(app, { until: minute(-60) }, 50, 5), [], 'an empty window answers nothing');

  const res = await app.inject({ method: 'GET', url: `/v1/history?since=${encodeURIComponent(minute(38))}` });
  t.equal(res.statusCode, 200);
  t.strictSame(
    (json(res).items as { at: string }[]).map((e) => e.at),
    [minute(38), minute(39)],
    'the route reads the window',
  );
});
