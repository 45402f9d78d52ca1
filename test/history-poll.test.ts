// Polling the change history for what changed: a system resumes after the last entry it read, and sees every later
// write once, however the instants of the writes run (a clock corrected back by NTP, a resumed VM).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import type { Test } from 'tap';
import type { App } from '../src/app.js';
import type { HistoryEntry } from '../src/modules/history/history.schemas.js';
import { build, json, keyFor, testClock, type InjectedResponse } from './helper.js';
import { approvedTask } from './factories.js';

type Page = { items: HistoryEntry[]; nextCursor: string | null };

/** One poll as the document says: `after` the last entry read, then `nextCursor` to the last page, two at a time. */
async function poll(t: Test, app: App, feed: string, after: string | undefined, headers: Record<string, string> = {}): Promise<HistoryEntry[]> {
  const read: HistoryEntry[] = [];
  let cursor: string | null = null;
  do {
    const query: URLSearchParams = new URLSearchParams({ limit: '2', ...(after ? { after } : {}), ...(cursor ? { cursor } : {}) });
    const res: InjectedResponse = await app.inject({ method: 'GET', url: `${feed}?${query}`, headers });
    t.equal(res.statusCode, 200, `${feed}?${query} is read (${res.statusCode === 200 ? '' : res.body})`);
    if (res.statusCode !== 200) return read;
    const page = json<Page>(res);
    read.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return read;
}

t.test('a poll after the last entry read gets every later write once, even one whose clock stepped back', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const { task, plan, by } = await approvedTask(app);
  const ministry = await keyFor(app, 'ministry', by.id);
  const feeds = [`/v1/plans/${plan.id}/history`, `/v1/tasks/${task.id}/history`, '/v1/history'];
  const last = new Map<string, string | undefined>();
  for (const feed of feeds) {
    const first = await poll(t, app, feed, undefined, feed === '/v1/history' ? {} : ministry.headers);
    t.ok(first.length > 0, `${feed}: the first poll reads the history so far`);
    last.set(feed, first.at(-1)?.id);
  }

  clock.set('2026-11-28T10:00:00.000Z');
  const started = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, headers: ministry.headers, payload: { to: 'in_progress' } });
  t.equal(started.statusCode, 200);
  // The clock is corrected back by a second (NTP steps a clock that is far off), and the ministry asks for a deadline.
  clock.set('2026-11-28T09:59:59.000Z');
  const asked = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task.id}/deadline-changes`,
    headers: ministry.headers,
    payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Component deliveries slip by a quarter.' },
  });
  t.equal(asked.statusCode, 201);

  for (const feed of feeds) {
    const headers = feed === '/v1/history' ? {} : ministry.headers;
    const read = await poll(t, app, feed, last.get(feed), headers);
    t.strictSame(read.map((e) => e.operation), ['transitionTask', 'createDeadlineChange'], `${feed}: both writes, once each, in the order written`);
    t.ok(read[1]!.at < read[0]!.at, 'the later write carries the earlier instant');
    // What `since` the last instant read would have missed: the feed's order is the order written, not of instants.
    const since = json<Page>(await app.inject({ method: 'GET', url: `${feed}?since=${encodeURIComponent(read[0]!.at)}`, headers }));
    if (feed !== `/v1/tasks/${task.id}/history`) t.notOk(since.items.some((e) => e.id === read[1]!.id), `${feed}: since the last instant misses it`);
    const again = await poll(t, app, feed, read.at(-1)!.id, headers);
    t.strictSame(again, [], `${feed}: the next poll, with nothing new, reads nothing again`);
  }
});

t.test('after combines with the filters, and a cursor is refused under another after', async (t) => {
  const app = await build(t);
  const { task, plan, by } = await approvedTask(app);
  const ministry = await keyFor(app, 'ministry', by.id);
  await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, headers: ministry.headers, payload: { to: 'in_progress' } });
  await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, headers: ministry.headers, payload: { to: 'on_hold' } });
  const feed = `/v1/plans/${plan.id}/history`;
  const all = json<Page>(await app.inject({ method: 'GET', url: `${feed}?limit=200` })).items;
  const from = all[1]!.id;
  const after = json<Page>(await app.inject({ method: 'GET', url: `${feed}?after=${from}&operation=transitionTask` })).items;
  t.strictSame(after.map((e) => e.operation), ['transitionTask', 'transitionTask'], 'only later entries that pass the filter');
  t.ok(after.every((e) => e.id > from), 'all written after it');
  const upper = json<Page>(await app.inject({ method: 'GET', url: `${feed}?after=${from.toUpperCase()}&operation=transitionTask` })).items;
  t.strictSame(upper, after, 'an id is read in either case');
  const first = json<Page>(await app.inject({ method: 'GET', url: `${feed}?after=${from}&limit=1` }));
  const moved = await app.inject({ method: 'GET', url: `${feed}?after=${all[2]!.id}&limit=1&cursor=${first.nextCursor}` });
  t.equal(moved.statusCode, 400, 'a cursor issued under another after is refused');
  t.equal(json<{ code: string }>(moved).code, 'invalid-cursor');
  const bad = await app.inject({ method: 'GET', url: `${feed}?after=yesterday` });
  t.equal(bad.statusCode, 400, 'after is an entry id');
});

t.test('the document tells a poller to resume after the last entry read, not to keep a nextCursor that is null on the last page', async (t) => {
  const app = await build(t);
  const doc = json<any>(await app.inject({ method: 'GET', url: '/openapi.json' }));
  for (const [path, op] of [['/v1/tasks/{id}/history', 'listTaskHistory'], ['/v1/plans/{id}/history', 'listPlanHistory'], ['/v1/history', 'listHistory']] as const) {
    const operation = doc.paths[path].get;
    t.equal(operation.operationId, op);
    t.notMatch(operation.description, /keep the last `nextCursor`/, `${op} does not promise a cursor the last page does not give`);
    t.match(operation.description, /`after`/, `${op} says how to poll`);
    const after = operation.parameters.find((p: { name: string }) => p.name === 'after');
    t.ok(after, `${op} takes after`);
    t.equal(after?.in, 'query');
  }
});

/** A database file of its own for the test, removed at its end. */
async function databaseFile(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'history-poll-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'tracker.db');
}

/**
 * Writes, through a connection of its own (another program, or one while the service is down), a copy of the row `id`
 * of `table` under an id an hour ahead of this machine's clock (an id carries the instant of its writing, in its first
 * 48 bits; the history is append-only, so a copy), and returns that id.
 */
function copyAhead(databasePath: string, table: string, id: string): string {
  const ahead = (Date.now() + 3_600_000).toString(16).padStart(12, '0');
  const moved = `${ahead.slice(0, 8)}-${ahead.slice(8)}${id.slice(13)}`;
  const sqlite = new Database(databasePath);
  const columns = (sqlite.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[]).filter((c) => c !== 'id');
  sqlite.prepare(`INSERT INTO ${table} (id, ${columns.join(', ')}) SELECT ?, ${columns.join(', ')} FROM ${table} WHERE id = ?`).run(moved, id);
  sqlite.close();
  return moved;
}

t.test('after a restart whose clock is behind the last entry written, a new entry still comes after it', async (t) => {
  const databasePath = await databaseFile(t);
  const first = await build(t, testClock(), { databasePath });
  const { task, plan } = await approvedTask(first);
  const feed = `/v1/plans/${plan.id}/history`;
  const written = json<Page>(await first.inject({ method: 'GET', url: `${feed}?limit=200` })).items;
  await first.close();
  // One more entry, written an hour ahead of this machine's clock now: as if the clock was set back an hour while the
  // service was down.
  const moved = copyAhead(databasePath, 'change_history', written.at(-1)!.id);

  const second = await build(t, testClock(), { databasePath });
  const started = await second.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'in_progress' } });
  t.equal(started.statusCode, 200);
  const read = await poll(t, second, feed, moved);
  t.strictSame(read.map((e) => e.operation), ['transitionTask'], 'the write after the restart comes after the last entry read');
});

t.test('after a restart whose clock is behind the last id of another table, a new entry still comes after it', async (t) => {
  // Not every row has a history entry beside it: the webhook worker's events, deliveries and attempts have none, and a
  // start raised the ids past the history's greatest only; a delivery's attempt after the restart sorted before its
  // earlier ones, and the deliveries listed newest first put the new ones under those of the hour before.
  const databasePath = await databaseFile(t);
  const first = await build(t, testClock(), { databasePath });
  const { task, plan } = await approvedTask(first);
  await first.close();
  // A row of another table written an hour ahead of this machine's clock now (a copy of a commission, which no
  // history entry names here: as a webhook attempt is written).
  const reader = new Database(databasePath, { readonly: true });
  const last = reader.prepare('SELECT max(id) FROM commissions').pluck().get() as string;
  reader.close();
  const moved = copyAhead(databasePath, 'commissions', last);

  const second = await build(t, testClock(), { databasePath });
  const started = await second.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'in_progress' } });
  t.equal(started.statusCode, 200);
  const written = json<Page>(await second.inject({ method: 'GET', url: `/v1/plans/${plan.id}/history?limit=200` })).items.at(-1)!;
  t.equal(written.operation, 'transitionTask');
  t.ok(written.id > moved, `the entry's id ${written.id} comes after the row's ${moved}`);
});

t.test('an entry another process wrote while the service runs, its id ahead of the clock, is still followed by the next write', async (t) => {
  // Two programs write one database: the service, and `npm run key:create` (or a second service beside it). Each makes
  // its ids by its own clock and state, and a start raises only the starting one past the database: the CLI run while
  // the service's ids are ahead of the clock (after a restart with the clock set back) writes above them, and the
  // service's next entry, committed after, sorted before it: a poller that had read the CLI's entry missed it for good.
  const databasePath = await databaseFile(t);
  const app = await build(t, testClock(), { databasePath });
  const { task, plan } = await approvedTask(app);
  const feed = `/v1/plans/${plan.id}/history`;
  const last = json<Page>(await app.inject({ method: 'GET', url: `${feed}?limit=200` })).items.at(-1)!.id;
  // The other program's entry, under an id an hour ahead of this machine's clock (a copy of the last: append-only).
  const moved = copyAhead(databasePath, 'change_history', last);

  const started = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'in_progress' } });
  t.equal(started.statusCode, 200);
  const read = await poll(t, app, feed, moved);
  t.strictSame(read.map((e) => e.operation), ['transitionTask'], 'the write after the other program\'s comes after it');
});
