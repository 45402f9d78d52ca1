// The check that the database file is still the one the service opened (src/db/storage-health.ts, fileMoved): it must
// answer for every way the path can stop leading to the file, and never for the service's own working directory.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { assertProblem, build, json, testClock } from './helper.js';

const create = (n: number) => ({
  method: 'POST' as const,
  url: '/v1/organizations',
  payload: { name: `Organization ${n}`, kind: 'enterprise', country: 'BY' },
});
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const health = async (app: Awaited<ReturnType<typeof build>>) => {
  await nextTurn();
  return app.inject({ method: 'GET', url: '/health', headers: { authorization: undefined } });
};

t.test('the folder of the database replaced by a file: writes and /health are 503 (moved), not 500', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'tracker-watch-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'data'));
  const app = await build(t, testClock(), { databasePath: join(root, 'data', 'tracker.db') });
  t.equal((await app.inject(create(1))).statusCode, 201);

  // The folder moved aside and a file put where it was: the path now fails with ENOTDIR, not ENOENT.
  await rename(join(root, 'data'), join(root, 'data.old'));
  await writeFile(join(root, 'data'), 'not a folder');

  const write = await app.inject(create(2));
  assertProblem(t, write, 503, 'service-unavailable');
  t.match(json(write).detail, /moved or deleted/);
  const res = await health(app);
  assertProblem(t, res, 503, 'service-unavailable');
  t.match(json(res).detail, /moved or deleted under the running service/);
});

t.test('a relative DATABASE_PATH (the default, ./data/tracker.db): the working directory changing moves no file', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'tracker-cwd-'));
  const elsewhere = await mkdtemp(join(tmpdir(), 'tracker-cwd-elsewhere-'));
  const cwd = process.cwd();
  t.teardown(async () => {
    process.chdir(cwd);
    await rm(root, { recursive: true, force: true });
    await rm(elsewhere, { recursive: true, force: true });
  });
  process.chdir(root);
  await mkdir('data');
  const app = await build(t, testClock(), { databasePath: './data/tracker.db' });
  t.equal((await app.inject(create(1))).statusCode, 201);

  // SQLite made the path absolute when it opened the file; the service's own check must too.
  process.chdir(elsewhere);
  t.equal((await app.inject(create(2))).statusCode, 201, 'the same file: the write is taken');
  const res = await health(app);
  t.equal(res.statusCode, 200, res.body);
});
