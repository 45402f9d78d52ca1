// Two identical POSTs with one Idempotency-Key at once, on two instances of the service on one database file (a
// client's retry, sent to another instance, racing its original): one runs, the other is told so, by a replay or by
// 409 idempotency-in-progress (src/plugins/idempotency.ts) — never by the refusal the action gets when run twice,
// which the client would take for the fate of its request, though that request succeeded.
//
// The race, made deterministic: the other instance commits the original (its write and its key) between this
// instance's look-up of the key and its write. The look-up reads the clock right after the key; the test's clock runs
// the other instance's commit there, on a connection of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { requestFingerprint } from '../../src/plugins/idempotency.js';
import { build, json, testClock, assertProblem } from '../helper.js';
import { approvedTask } from '../factories.js';

const KEY = '5f0c2a7e-9d41-4b6a-8e3f-1c2d3e4f5a6b';

t.test('a transition whose key another instance committed meanwhile answers 409 idempotency-in-progress, not 409 illegal-transition', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-idem-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'tracker.db');
  const base = testClock();
  let onCall: ((n: number) => void) | null = null;
  let calls = 0;
  const clock = Object.assign(() => {
    calls += 1;
    onCall?.(calls);
    return base();
  }, { set: base.set });
  const app = await build(t, clock, { databasePath: file });
  const { task } = await approvedTask(app);
  const apiKeyId = (app.sqlite.prepare('SELECT id FROM api_keys ORDER BY rowid LIMIT 1').pluck().get() as string);
  const body = { to: 'in_progress' };
  const url = `/v1/tasks/${task.id}/transitions`;

  // The other instance: the original request, committed with its key.
  const other = new Database(file);
  t.teardown(() => other.close());
  const commitOriginal = () => {
    const now = base().toISOString();
    other.transaction(() => {
      other.prepare("UPDATE tasks SET status = 'in_progress', status_changed_at = ?, updated_at = ? WHERE id = ?").run(now, now, task.id);
      other
        .prepare("INSERT INTO idempotency_keys (api_key_id, key, fingerprint, state, response_body, created_at, expires_at) VALUES (?, ?, ?, 'committed', ?, ?, ?)")
        .run(apiKeyId, KEY, requestFingerprint('POST', url, body), JSON.stringify({ ...task, status: 'in_progress' }), now, '2026-11-29T09:00:00.000Z');
    })();
  };
  // Authentication reads the clock first (call 1), the key's look-up next (call 2), right after reading the key.
  calls = 0;
  onCall = (n) => {
    if (n === 2) commitOriginal();
  };
  const res = await app.inject({ method: 'POST', url, payload: body, headers: { 'idempotency-key': KEY } });
  onCall = null;
  t.equal(calls >= 2, true, 'the original committed during the request');
  if (res.statusCode === 200) t.equal(res.headers['idempotent-replayed'], 'true', 'a replay');
  else assertProblem(t, res, 409, 'idempotency-in-progress');
  // Its retry replays the original.
  const retry = await app.inject({ method: 'POST', url, payload: body, headers: { 'idempotency-key': KEY } });
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(json(await app.inject({ method: 'GET', url })).items.length, 0, 'this instance took no transition');
});
