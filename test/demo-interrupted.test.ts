// `npm run demo` cut short: its output piped into `head`, which closes the pipe after a few lines. The run must
// not die with the keys it issued still active (nobody holds their secrets), nor lose its loader key's secret on a
// database whose only secretariat key it is.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs the demo on `databasePath`, closing its stdout after its first output, as `| head -1` does. */
function demoCutShort(databasePath: string, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  // As test/server.test.ts: the child runs under tsx, not tap, so it measures no coverage.
  const env: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== 'NODE_OPTIONS' && !/^_?TAP/.test(key)),
  );
  Object.assign(env, { _TAPJS_PROCESSINFO_COVERAGE_: '0', DATABASE_PATH: databasePath, LOG_LEVEL: 'silent', ...extraEnv });
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: ROOT, env: env as NodeJS.ProcessEnv });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

t.test('cut short, the demo revokes the keys it issued and prints its loader key on a database without one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-demo-cut-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'tracker.db');
  const { code, stderr } = await demoCutShort(databasePath);
  t.equal(code, 0, `the run ends on its own: ${stderr}`);
  const token = /export TRACKER_KEY=(cpt_[A-Za-z0-9_-]+)/.exec(stderr)?.[1];
  t.ok(token, 'the loader key’s secret is on stderr');
  const db = new Database(databasePath, { readonly: true });
  t.teardown(() => db.close());
  const active = db.prepare('SELECT role, name FROM api_keys WHERE revoked_at IS NULL').all();
  t.strictSame(active, [{ role: 'secretariat', name: 'Demo loader (npm run demo)' }], 'only the loader key, whose secret was printed, is active');
});

t.test('cut short on a database with a secretariat key, the demo leaves only that key active', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-demo-cut-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'tracker.db');
  const { code, stderr } = await demoCutShort(databasePath, { TRACKER_BOOTSTRAP_TOKEN: 'review-bootstrap-token-0123456789abcdefghij' });
  t.equal(code, 0, `the run ends on its own: ${stderr}`);
  t.notMatch(stderr, /TRACKER_KEY=/, 'no key of the demo is left to print');
  const db = new Database(databasePath, { readonly: true });
  t.teardown(() => db.close());
  const active = db.prepare('SELECT role, name FROM api_keys WHERE revoked_at IS NULL').all() as { role: string; name: string }[];
  t.equal(active.length, 1, `only the bootstrap key stays active: ${JSON.stringify(active)}`);
  t.not(active[0]?.name, 'Demo loader (npm run demo)');
});
