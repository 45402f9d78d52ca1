// `npx tsx scripts/profile-load.ts <database> [post|get|list] [seconds]`: a V8 CPU profile of the built service (`npm run
// build` first) under the bench's POST of a progress report, its point read, or its list with the response cache off
// (every page computed), on a copy of a database the bench kept
// (`BENCH_KEEP=1 npm run bench` prints its path), with 10 connections from autocannon. Prints the requests answered,
// the busy share of the service's main thread, and the functions with the most self time and the most inclusive time
// (the service's own, from dist/). Shares are what to read: on a shared machine the microseconds move. Nothing is
// asserted. Quoted in docs/performance.md. Only 127.0.0.1.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { START_FLAGS } from '../test/process.js';

const [source, kind = 'post', seconds = '10'] = process.argv.slice(2);
if (!source || !['post', 'get', 'list'].includes(kind)) {
  console.error('usage: npx tsx scripts/profile-load.ts <database kept by the bench> [post|get|list] [seconds]');
  process.exit(2);
}
// @ts-expect-error autocannon 9 ships no type declarations (and @types/autocannon is not installed)
const autocannon = (await import('autocannon')).default;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The bench's bootstrap token and periods (scripts/bench.ts).
const TOKEN = 'bench-bootstrap-token-0123456789abcdefghijklmnop';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const PERIODS = ['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'];

const dir = mkdtempSync(join(tmpdir(), 'tracker-profile-'));
const db = join(dir, 'tracker.db');
copyFileSync(source, db);
const sqlite = new Database(db, { readonly: true });
const open = sqlite
  .prepare(`SELECT t.id, a.organization_id AS lead FROM tasks t JOIN task_assignees a ON a.task_id = t.id AND a.role = 'lead' WHERE t.status NOT IN ('closed', 'cancelled') ORDER BY random()`)
  .all() as { id: string; lead: string }[];
const ids = (sqlite.prepare('SELECT id FROM tasks ORDER BY random()').all() as { id: string }[]).map((r) => r.id);
// The bench's list: the largest plan's tasks in progress (scripts/bench.ts).
const planId = sqlite.prepare('SELECT plan_id FROM tasks GROUP BY plan_id ORDER BY count(*) DESC LIMIT 1').pluck().get() as string;
sqlite.close();

const port = 47_000 + Math.floor(Math.random() * 900);
const child = spawn(process.execPath, [...START_FLAGS, '--cpu-prof', '--cpu-prof-dir', dir, 'dist/server.js'], {
  cwd: ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_PATH: db,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '0',
    TRACKER_BOOTSTRAP_TOKEN: TOKEN,
    ...(kind === 'list' ? { RESPONSE_CACHE_MB: '0' } : {}),
  },
});
for (;;) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
  } catch {
    // not listening yet
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}

let n = 0;
const requests =
  kind === 'post'
    ? [
        {
          method: 'POST',
          setupRequest: (req: Record<string, unknown>) => {
            const i = n++;
            const task = open[i % open.length] as (typeof open)[number];
            return {
              ...req,
              path: `/v1/tasks/${task.id}/reports`,
              headers: { ...AUTH, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
              body: JSON.stringify({ organizationId: task.lead, period: PERIODS[Math.floor(i / open.length) % PERIODS.length], percentComplete: 40, confidence: 'amber', narrative: 'Bench narrative of the quarter' }),
            };
          },
        },
      ]
    : kind === 'list'
      ? [{ method: 'GET', headers: AUTH, path: `/v1/tasks?planId=${planId}&status=in_progress&limit=50` }]
      : [{ method: 'GET', setupRequest: (req: Record<string, unknown>) => ({ ...req, headers: AUTH, path: `/v1/tasks/${ids[n++ % ids.length]}` }) }];
const result = await autocannon({ url: `http://127.0.0.1:${port}`, connections: 10, duration: Number(seconds), requests });
console.log(`${kind}: ${result.requests.total} requests, ${result.requests.average} a second, non-2xx ${result.non2xx}, errors ${result.errors}`);
child.kill('SIGTERM');
await new Promise((resolve) => child.on('exit', resolve));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('the service wrote no CPU profile');
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
rmSync(dir, { recursive: true, force: true });

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const name = (node: ProfileNode) => `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${node.callFrame.lineNumber}`;
const selfTime = new Map<number, number>();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

let total = 0;
let idle = 0;
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of selfTime) {
  const node = byId.get(id) as ProfileNode;
  total += us;
  if (node.callFrame.functionName === '(idle)') {
    idle += us;
    continue;
  }
  self.set(name(node), (self.get(name(node)) ?? 0) + us);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const key = name(byId.get(at) as ProfileNode);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
const busy = total - idle;
const share = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
console.log(`main thread busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s, ${(busy / result.requests.total).toFixed(0)} µs a request`);
console.log('-- self time');
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(share(us), key);
console.log('-- inclusive time, the service own functions');
for (const [key, us] of [...inclusive].filter(([key]) => key.includes(' dist/')).sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(share(us), key);
