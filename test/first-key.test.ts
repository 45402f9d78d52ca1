// The first key of a fresh database: from the command line, or from TRACKER_BOOTSTRAP_TOKEN at start.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { buildApp } from '../src/app.js';
import { runCli } from '../src/cli.js';
import { json } from './helper.js';

async function tempDatabase(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-first-key-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'tracker.db');
}

async function appOn(t: Test, databasePath: string, bootstrapToken?: string) {
  const app = await buildApp({ config: { databasePath, logLevel: 'silent', bodyLimit: 65536, bootstrapToken, rateLimitMax: 0 }, logger: false });
  await app.ready();
  t.teardown(() => app.close());
  return app;
}

function cli(argv: string[], databasePath: string) {
  const lines: string[] = [];
  const code = runCli(argv, { DATABASE_PATH: databasePath }, (line) => lines.push(line));
  return { code, out: lines.join('\n') };
}

t.test('key:create issues a secretariat key whose secret works once the server runs', async (t) => {
  const db = await tempDatabase(t);
  const { code, out } = cli(['key:create', '--name', 'Secretariat — Anna'], db);
  t.equal(code, 0, out);
  const token = /\n {2}(cpt_[A-Za-z0-9_-]{43})\n/.exec(out)?.[1];
  t.ok(token, 'the secret is printed once, on its own line');
  const app = await appOn(t, db);
  const res = await app.inject({ method: 'GET', url: '/v1/api-keys/current', headers: { authorization: `Bearer ${token}` } });
  t.equal(res.statusCode, 200);
  t.match(json(res), { name: 'Secretariat — Anna', role: 'secretariat', organizationId: null, createdByKeyId: null });
  const history = json(await app.inject({ method: 'GET', url: '/v1/history?entityType=api_key', headers: { authorization: `Bearer ${token}` } }));
  t.match(history.items, [{ operation: 'createApiKey', actor: { keyId: null, role: 'secretariat' } }], 'its creation is in the history, by the operator');
  t.notMatch(JSON.stringify(history), token as string, 'the history never holds the secret');
});

t.test('key:create refuses bad arguments with exit code 2 and the usage, and writes nothing', async (t) => {
  const db = await tempDatabase(t);
  for (const argv of [
    [],
    ['nonsense'],
    ['key:create'],
    ['key:create', '--name', 'x', '--bogus'],
    ['key:create', '--name', 'x', '--role', 'king'],
    ['key:create', '--name', 'x', '--role', 'ministry'],
    ['key:create', '--name', 'x', '--organization', '019a7c2e-7a10-7000-8000-000000000010'],
  ]) {
    const { code, out } = cli(argv, db);
    t.equal(code, argv.length === 0 ? 0 : 2, `${JSON.stringify(argv)} → exit code`);
    t.match(out, /usage: key:create/, 'prints the usage');
  }
  const app = await appOn(t, db);
  t.equal((await app.inject({ method: 'GET', url: '/v1/commissions' })).statusCode, 401, 'no key was created');
});

t.test('key:create of a ministry key for an organization that does not exist is refused with exit code 1', async (t) => {
  const db = await tempDatabase(t);
  const { code, out } = cli(['key:create', '--name', 'x', '--role', 'ministry', '--organization', '019a7c2e-7a10-7000-8000-000000000010'], db);
  t.equal(code, 1);
  t.match(out, /refused: organization .* does not exist/);
});

t.test('key:create on a file that is no database says so in one line, exit code 1, as the server does', async (t) => {
  const db = await tempDatabase(t);
  await writeFile(db, 'not a database\n'.repeat(100));
  const { code, out } = cli(['key:create', '--name', 'Secretariat — Anna'], db);
  t.equal(code, 1);
  t.equal(out, `key:create failed: ${db} is not a SQLite database: DATABASE_PATH names another kind of file`);
});

t.test('TRACKER_BOOTSTRAP_TOKEN becomes the first secretariat key, stored hashed, and only once', async (t) => {
  const db = await tempDatabase(t);
  const token = 'bootstrap-token-for-the-first-start-0123456789';
  const first = await appOn(t, db, token);
  const auth = { authorization: `Bearer ${token}` };
  const me = await first.inject({ method: 'GET', url: '/v1/api-keys/current', headers: auth });
  t.equal(me.statusCode, 200, 'the bootstrap token works as a secretariat key');
  t.match(json(me), { role: 'secretariat', name: /TRACKER_BOOTSTRAP_TOKEN/ });
  const stored = first.sqlite.prepare('SELECT hash, prefix FROM api_keys').all() as { hash: string; prefix: string }[];
  t.equal(stored.length, 1);
  t.not(stored[0]!.hash, token, 'the token itself is not stored');
  t.notOk(JSON.stringify(first.sqlite.prepare('SELECT * FROM api_keys').all()).includes(token), 'no column holds the token');
  await first.close();

  // A restart with the same variable set changes nothing: a secretariat key exists.
  const second = await appOn(t, db, token);
  t.equal((second.sqlite.prepare('SELECT count(*) AS n FROM api_keys').get() as { n: number }).n, 1, 'no second key');
  t.equal((await second.inject({ method: 'GET', url: '/v1/api-keys/current', headers: auth })).statusCode, 200);
});

t.test('TRACKER_BOOTSTRAP_TOKEN set while another secretariat key exists: a warning says it is no key', async (t) => {
  const db = await tempDatabase(t);
  const first = await appOn(t, db, 'bootstrap-token-for-the-first-start-0123456789');
  await first.close();
  const start = async (token: string) => {
    const lines: string[] = [];
    const app = await buildApp({
      config: { databasePath: db, logLevel: 'warn', bodyLimit: 65536, bootstrapToken: token, rateLimitMax: 0 },
      logger: { level: 'warn', stream: { write: (line: string) => lines.push(line) } },
    });
    await app.ready();
    t.teardown(() => app.close());
    return { app, warnings: lines.map((l) => JSON.parse(l).msg as string) };
  };
  const other = 'another-bootstrap-token-0123456789abcdefghij';
  const { app, warnings } = await start(other);
  t.match(warnings, [/TRACKER_BOOTSTRAP_TOKEN is set but is no API key/], 'the operator is told');
  t.notOk(warnings.join().includes(other), 'without the token itself');
  t.equal((await app.inject({ method: 'GET', url: '/v1/api-keys/current', headers: { authorization: `Bearer ${other}` } })).statusCode, 401);
  await app.close();
  t.strictSame((await start('bootstrap-token-for-the-first-start-0123456789')).warnings, [], 'the stored token is not warned about');
});

t.test('without a key or a bootstrap token the server starts, serves /health, and refuses /v1 with 401', async (t) => {
  const db = await tempDatabase(t);
  const app = await appOn(t, db);
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  const res = await app.inject({ method: 'GET', url: '/v1/plans' });
  t.equal(res.statusCode, 401);
  t.match(String(res.headers['www-authenticate']), /^Bearer realm=/);
});
