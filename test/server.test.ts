// The real entry point as a process: it listens on 127.0.0.1, logs JSON with request ids and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';

/** A port nobody listens on right now: the OS picks it, we release it for the server. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function exited(child: ChildProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    const timer = setTimeout(() => reject(new Error(`the server did not exit within ${ms} ms`)), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

async function waitForHealth(base: string, child: ChildProcess, ms: number): Promise<Response> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/health`);
      if (res.status === 200) return res;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`GET /health did not answer 200 within ${ms} ms`);
}

t.test('the server starts, serves, logs JSON with request ids and exits 0 on SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-server-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'nested', 'tracker.db');
  const port = await freePort();

  // tap wraps spawn to measure coverage in children too; this child's code is compiled by tsx, not by
  // tap, and merging its coverage with the in-process runs garbles the report. So: no coverage here.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== 'NODE_OPTIONS' && !/^_?TAP/.test(key)),
  );
  env._TAPJS_PROCESSINFO_COVERAGE_ = '0';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST, DATABASE_PATH: databasePath, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const base = `http://${HOST}:${port}`;
  const health = await waitForHealth(base, child, 20_000).catch((err: Error) => {
    throw new Error(`${err.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  });
  t.strictSame(await health.json(), { status: 'ok', database: 'ok' });
  const requestId = health.headers.get('x-request-id');
  t.match(requestId, /^[0-9a-f-]{36}$/, 'the response names its request');

  const missing = await fetch(`${base}/v1/nothing-here`);
  t.equal(missing.status, 404);
  t.match(await missing.json(), { code: 'route-not-found', requestId: missing.headers.get('x-request-id') });

  child.kill('SIGTERM');
  const { code, signal } = await exited(child, 8_000);
  t.equal(signal, null, 'not killed by the signal');
  t.equal(code, 0, 'exit code 0');

  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  t.ok(lines.length > 0, 'the server logged something');
  const entries = lines.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return { unparsable: line };
    }
  });
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
  t.ok(entries.some((e) => e.msg === 'closing' && e.signal === 'SIGTERM'), 'the shutdown is logged with its signal');
  t.notOk(entries.some((e) => Number(e.level) >= 50), 'nothing was logged as an error');

  t.ok(existsSync(databasePath), 'the database file exists');
  const db = new Database(databasePath, { readonly: true });
  t.teardown(() => db.close());
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'the database passes its integrity check');
  t.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'commissions'").get(), 'the migrations were applied');
});
