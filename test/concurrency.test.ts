// Requests that overlap: writes that share a commit group, reads in the turn of a write whose COMMIT then fails,
// the same Idempotency-Key or If-Match sent twice at once, unique rules met by two requests at once. Each test names
// what a caller must never see: an answer built on a write that was rolled back, two effects of one request, a 500.
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import t from 'tap';
import type { App } from '../src/app.js';
import { writeTransaction } from '../src/db/connection.js';
import { assertProblem, build, failCommits, json, keyFor, testClock, testResolver } from './helper.js';
import { seedPlan } from './factories.js';

const diskFull = () => new Database.SqliteError('database or disk is full', 'SQLITE_FULL');

/** Every string cell of a workbook. */
async function cellsOf(bytes: Buffer): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const cells: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value)))));
  return cells;
}

t.test('an import template written while the group it read from fails to commit is refused, not offered with what was rolled back', async (t) => {
  const app = await build(t);
  const { plan, by } = await seedPlan(app);
  const url = `/v1/plans/import-template?planId=${plan.id}&format=xlsx`;
  const injected = failCommits(t, app, diskFull, 1);
  // A rename in the open group, and in the same turn a read of the template, which lists the organizations: the
  // workbook is written over several turns, and the group's COMMIT fails meanwhile.
  writeTransaction(app.db, (tx) => {
    tx.run(sql`UPDATE organizations SET name = 'Rolled back with its group' WHERE id = ${by.id}`);
  });
  const read = await app.inject({ method: 'GET', url });
  injected.restore();
  t.equal(injected.left(), 0, 'the COMMIT failed');
  t.equal(app.sqlite.prepare('SELECT name FROM organizations WHERE id = ?').pluck().get(by.id), by.name, 'the rename is gone');
  assertProblem(t, read, 503, 'service-unavailable');
  t.notOk(read.headers['content-disposition'], 'not offered as a file');

  const again = await app.inject({ method: 'GET', url });
  t.equal(again.statusCode, 200);
  const cells = await cellsOf(again.rawPayload);
  t.ok(cells.includes(by.name), 'the next read lists the organization by the name it has');
  t.notOk(cells.some((c) => c.includes('Rolled back')), 'and not by the one rolled back');
});

/** Turns of the event loop until `ready()` holds (no timing: it only lets the server get on with a request). */
async function until(ready: () => boolean) {
  while (!ready()) await new Promise((resolve) => setImmediate(resolve));
}

const revoke = (app: App, keyId: string) => app.inject({ method: 'DELETE', url: `/v1/api-keys/${keyId}` });

t.test('a key revoked while its request\'s body is on the way writes nothing: 401, after the revocation was answered', async (t) => {
  const app = await build(t);
  const key = await keyFor(app, 'secretariat');
  const body = new PassThrough();
  const writing = app.inject({
    method: 'POST',
    url: '/v1/organizations',
    headers: { ...key.headers, 'content-type': 'application/json' },
    payload: body,
  });
  // The key is authenticated on the request's headers (its first use is recorded then); the body has not come.
  const lastUsed = () => app.sqlite.prepare('SELECT last_used_at FROM api_keys WHERE id = ?').pluck().get(key.id);
  await until(() => lastUsed() !== null);
  t.equal((await revoke(app, key.id)).statusCode, 200, 'the revocation is answered');
  body.end(JSON.stringify({ name: 'Written by a revoked key', kind: 'enterprise', country: 'BY' }));
  const res = await writing;
  assertProblem(t, res, 401, 'unauthorized');
  t.match(String(res.headers['www-authenticate']), /invalid_token/);
  t.same(app.sqlite.prepare('SELECT name FROM organizations').pluck().all(), [], 'nothing was written');
});

t.test('a key revoked while its write awaits (a webhook URL\'s DNS look-up) writes nothing: 401', async (t) => {
  // The look-up of one name waits until the test lets it answer.
  let started!: () => void;
  const lookingUp = new Promise<void>((resolve) => (started = resolve));
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const app = await build(t, testClock(), { webhookAllowPrivate: true, webhookPollMs: 0 }, async (host) => {
    if (host !== 'gated.example') return testResolver(host);
    started();
    await answered;
    return [{ address: '127.0.0.1', family: 4 }];
  });
  const key = await keyFor(app, 'secretariat');
  const before = app.sqlite.prepare('SELECT count(*) FROM change_history').pluck().get();
  const creating = app.inject({ method: 'POST', url: '/v1/webhooks', headers: key.headers, payload: { url: 'http://gated.example:9/hook', events: ['task.created'] } });
  await lookingUp;
  t.equal((await revoke(app, key.id)).statusCode, 200, 'the revocation is answered while the URL is checked');
  answer();
  const res = await creating;
  assertProblem(t, res, 401, 'unauthorized');
  t.same(app.sqlite.prepare('SELECT id FROM webhook_subscriptions').pluck().all(), [], 'no subscription');
  t.equal(app.sqlite.prepare('SELECT count(*) FROM change_history').pluck().get(), (before as number) + 1, 'the history holds the revocation only');
});
