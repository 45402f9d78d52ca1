// The real entry point as a process: it listens on 127.0.0.1, logs JSON with request ids, seeds the first key
// from TRACKER_BOOTSTRAP_TOKEN without ever logging it, and stops cleanly on SIGTERM.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import Database from 'better-sqlite3';
import t from 'tap';
import { exited, HOST, startServer, type LogEntry } from './process.js';

/** 44 characters of base64, the shape `openssl rand -base64 32` prints. */
const BOOTSTRAP_TOKEN = 'Vt3rS9kQ2mX7pL0wZ5nB8cD1fG4hJ6yU2eR7tA9sK1o=';

t.test('the server starts, serves, logs JSON with request ids and exits 0 on SIGTERM', async (t) => {
  const server = await startServer(t, { TRACKER_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN });
  const { base, health, databasePath } = server;
  t.strictSame(await health.json(), { status: 'ok', database: 'ok' }, '/health needs no key');
  const requestId = health.headers.get('x-request-id');
  t.match(requestId, /^[0-9a-f-]{36}$/, 'the response names its request');
  const withKey = { authorization: `Bearer ${BOOTSTRAP_TOKEN}` };

  const anonymous = await fetch(`${base}/v1/commissions`);
  t.equal(anonymous.status, 401, 'a /v1 request without a key is refused');
  t.match(anonymous.headers.get('www-authenticate'), /^Bearer /, 'with a Bearer challenge');
  t.match(anonymous.headers.get('content-type'), /^application\/problem\+json/);
  t.match(await anonymous.json(), { status: 401, code: 'unauthorized', requestId: anonymous.headers.get('x-request-id') });

  const wrongKey = await fetch(`${base}/v1/commissions`, { headers: { authorization: `Bearer ${'x'.repeat(44)}` } });
  t.equal(wrongKey.status, 401, 'an unknown key is refused');
  t.match(wrongKey.headers.get('www-authenticate'), /^Bearer .*error="invalid_token"/);

  const listed = await fetch(`${base}/v1/commissions`, { headers: withKey });
  t.equal(listed.status, 200, 'the bootstrap token is a working secretariat key');
  t.strictSame(await listed.json(), { items: [], nextCursor: null });
  const me = await fetch(`${base}/v1/api-keys/current`, { headers: withKey });
  t.equal(me.status, 200);
  t.match(await me.json(), { role: 'secretariat' }, 'it is the secretariat key');

  const missing = await fetch(`${base}/v1/nothing-here`, { headers: withKey });
  t.equal(missing.status, 404);
  t.match(await missing.json(), { code: 'route-not-found', requestId: missing.headers.get('x-request-id') });

  const { code, signal, stdout, stderr, lines, entries } = await server.stop();
  t.equal(signal, null, 'not killed by the signal');
  t.equal(code, 0, 'exit code 0');

  t.ok(lines.length > 0, 'the server logged something');
  t.strictSame(
    entries.filter((e) => 'unparsable' in e),
    [],
    'every log line is JSON',
  );
  t.ok(
    entries.some((e) => e.requestId === requestId),
    'the request to /health is logged with its requestId',
  );
  t.ok(entries.some((e) => e.msg === 'plan tracker ready'), 'start-up is logged');
  t.ok(
    entries.some((e) => typeof e.msg === 'string' && /TRACKER_BOOTSTRAP_TOKEN/.test(e.msg) && typeof e.keyId === 'string'),
    'seeding the first key is logged, by key id',
  );
  t.ok(entries.some((e) => e.msg === 'closing' && e.signal === 'SIGTERM'), 'the shutdown is logged with its signal');
  t.notOk(entries.some((e) => Number(e.level) >= 50), 'nothing was logged as an error');
  t.notOk(stdout.includes(BOOTSTRAP_TOKEN) || stderr.includes(BOOTSTRAP_TOKEN), 'the log never mentions the token');
  t.notOk(stdout.includes(BOOTSTRAP_TOKEN.slice(0, 12)), 'not even its beginning');
  t.notMatch(stdout, /Bearer /i, 'no Authorization header is logged');

  t.ok(existsSync(databasePath), 'the database file exists');
  const db = new Database(databasePath, { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'the database passes its integrity check');
  t.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'commissions'").get(), 'the migrations were applied');
  const keys = db.prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
  t.match(keys, [{ role: 'secretariat' }], 'one secretariat key was stored');
  t.notOk(JSON.stringify(keys).includes(BOOTSTRAP_TOKEN), 'the token itself is not stored');
});

t.test('SIGTERM lets a request already under way finish: its write is answered and kept', async (t) => {
  const server = await startServer(t, { TRACKER_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN });
  const body = JSON.stringify({ name: 'ОАО «Гомсельмаш»', kind: 'enterprise', country: 'BY' });
  const bytes = Buffer.from(body);
  const half = Math.floor(bytes.length / 2);
  // A request whose body comes in two pieces: the server has begun it (its onRequest logged it) before the signal,
  // and can only finish it once the second piece arrives, after the signal.
  const socket = connect(server.port, HOST);
  t.teardown(() => socket.destroy());
  let answer = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `POST /v1/organizations HTTP/1.1\r\nHost: ${HOST}:${server.port}\r\nAuthorization: Bearer ${BOOTSTRAP_TOKEN}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`,
  );
  socket.write(bytes.subarray(0, half));
  const logged = (pattern: RegExp) => server.output().split('\n').some((line) => pattern.test(line));
  const until = async (what: string, pattern: RegExp) => {
    for (let i = 0; i < 600 && !logged(pattern); i++) await new Promise((r) => setTimeout(r, 50));
    if (!logged(pattern)) throw new Error(`the server never logged ${what}:\n${server.output()}`);
  };
  await until('the request', /"method":"POST","url":"\/v1\/organizations".*"msg":"incoming request"/);
  server.child.kill('SIGTERM');
  await until('that it is closing', /"msg":"closing"/);
  socket.end(bytes.subarray(half));
  await ended;
  t.match(answer, /^HTTP\/1\.1 201 /, 'the request under way was answered 201');
  t.match(answer, /\r\nconnection: close\r\n/i, 'telling the client to close the connection');
  const { code, signal } = await exited(server.child, 20_000);
  t.equal(code, 0, 'the server exited with code 0');
  t.equal(signal, null);
  const db = new Database(server.databasePath, { readonly: true });
  t.teardown(() => db.close());
  t.same(db.prepare('SELECT name FROM organizations').pluck().all(), ['ОАО «Гомсельмаш»'], 'and the write it acknowledged is in the file');
});

t.test('with no bootstrap token and no key, the server starts, warns how to create a key, and refuses /v1', async (t) => {
  const server = await startServer(t, { TRACKER_BOOTSTRAP_TOKEN: undefined });
  const refused = await fetch(`${server.base}/v1/commissions`);
  t.equal(refused.status, 401, '/v1 is refused until a key exists');
  t.match(refused.headers.get('www-authenticate'), /^Bearer /);

  const { code, entries } = await server.stop();
  t.equal(code, 0, 'exit code 0');
  const warnings = entries.filter((e) => e.level === 40);
  t.equal(warnings.length, 1, 'one warning');
  t.match(warnings[0]?.msg, /key:create/, 'it tells how to create a key');
  t.match(warnings[0]?.msg, /TRACKER_BOOTSTRAP_TOKEN/, 'and names the variable that seeds one');
  t.notOk(entries.some((e) => Number(e.level) >= 50), 'nothing was logged as an error');
});
