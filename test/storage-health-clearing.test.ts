// GET /health's record of failing writes is ended only by a write that was kept: a transaction that wrote nothing (the
// webhook worker's poll finding nothing due, which runs every second) says nothing of the disk.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { build, json, testClock } from './helper.js';

const create = (n: number) => ({
  method: 'POST' as const,
  url: '/v1/organizations',
  payload: { name: `Organization ${n} of the Republic ${'x'.repeat(250)}`, kind: 'enterprise', country: 'BY' },
});
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

t.test('a full disk: the webhook worker polling with nothing due does not make /health ok again', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-clearing-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const app = await build(t, testClock(), { databasePath: join(dir, 'tracker.db') });
  t.equal((await app.inject(create(0))).statusCode, 201);
  app.sqlite.pragma(`max_page_count = ${app.sqlite.pragma('page_count', { simple: true }) as number}`);
  let n = 1;
  while (n < 200 && (await app.inject(create(n))).statusCode === 201) n++;
  t.ok(n < 200, 'the file filled up');
  await nextTurn();
  t.equal((await app.inject({ method: 'GET', url: '/health', headers: { authorization: undefined } })).statusCode, 503, 'degraded');

  // What the worker does every WEBHOOK_POLL_MS: claims the due deliveries (none), prunes the log (nothing to prune).
  await app.webhooks.runOnce();
  await nextTurn();
  t.equal((await app.inject(create(n))).statusCode, 503, 'the disk is still full');
  await nextTurn();
  await app.webhooks.runOnce();
  await nextTurn();
  const res = await app.inject({ method: 'GET', url: '/health', headers: { authorization: undefined } });
  t.equal(res.statusCode, 503, '/health still says writes are failing: nothing was written since');
  t.match(json(res).detail, /its disk is full/);
});
