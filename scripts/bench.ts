// `npm run bench`: builds a large plan in a fresh SQLite file, starts the real service and a bare Fastify
// route as child processes on 127.0.0.1, loads both with autocannon and compares the figures with their goals.
// Writes bench/results/<timestamp>.json and bench/latest.json. BENCH_TASKS (default 100000) sets the size,
// BENCH_DURATION (seconds, default 10) the length of each load run, BENCH_ROUNDS (default 3) how many times each
// load run is repeated (figures are medians; ratios the medians of each round's ratio), BENCH_REPORT_TIMEOUT (seconds, default 180)
// the longest wait for the progress report; BENCH_KEEP=1 keeps the database for profiling.
//
// Modes (internal): `--bare <port>` runs the bare Fastify app; the default mode is the driver.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { submissionDeadline } from '../src/lib/periods.js';
import { CLOCK_TICKS, cpuTicks, otherCpuMeter, rssMb, START_FLAGS, type OtherCpu } from '../test/process.js';

/** The service as `npm start` runs it. */
const START_ARGS = [...START_FLAGS, 'dist/server.js'];

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--bare') {
  const { default: Fastify } = await import('fastify');
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => ({ status: 'ok', database: 'ok' }));
  // A floor for the point read: the same task and assignees by raw prepared statements, JSON.stringify, no
  // key, no ETag, no validation, no security headers (only when given the database). And a ceiling below.
  const dbFile = process.argv[4];
  if (dbFile) {
    const db = new Database(dbFile, { readonly: true });
    const task = db.prepare(`SELECT tasks.*, plans.commission_id, commissions.time_zone FROM tasks JOIN plans ON plans.id = tasks.plan_id
      JOIN commissions ON commissions.id = plans.commission_id WHERE tasks.id = ?`);
    const assignees = db.prepare(`SELECT a.organization_id, o.name, o.short_name, o.country, a.role FROM task_assignees a
      JOIN organizations o ON o.id = a.organization_id WHERE a.task_id = ? ORDER BY a.role DESC, a.position`);
    bare.get('/bare-task/:id', async (request) => {
      const { id } = request.params as { id: string };
      return { ...(task.get(id) as object), assignees: assignees.all(id) };
    });
    // A ceiling for the point read: every task's answer and ETag kept in memory, sent with the service's security
    // headers (helmet's, set as src/plugins/security.ts sets them), a request id and no-store; no SQL, no key.
    const { setSecurityHeaders } = await import('../src/plugins/security.js');
    const { createHash } = await import('node:crypto');
    const answers = new Map<string, { body: string; etag: string }>();
    for (const id of db.prepare('SELECT id FROM tasks').pluck().all() as string[]) {
      const body = JSON.stringify({ ...(task.get(id) as object), assignees: assignees.all(id) });
      answers.set(id, { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` });
    }
    await bare.register(async (scope) => {
      scope.addHook('onRequest', setSecurityHeaders());
      // A ceiling for the list: its answer's bytes, as the service sent them, from memory with the same headers. On one
      // machine the 48 KB written to the socket and read and parsed by the load generator bound the list, not the service.
      const listFile = process.argv[5];
      let listAnswer: { body: Buffer; etag: string } | undefined;
      scope.get('/bare-list', (_request, reply) => {
        if (!listFile) return reply.code(404).send();
        if (!listAnswer) {
          const body = readFileSync(listFile);
          listAnswer = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
        }
        reply.headers({ etag: listAnswer.etag, 'content-type': 'application/json; charset=utf-8', 'x-request-id': randomUUID(), 'cache-control': 'no-store' });
        return reply.send(listAnswer.body);
      });
      scope.get('/bare-memory/:id', (request, reply) => {
        const answer = answers.get((request.params as { id: string }).id);
        if (!answer) return reply.code(404).send();
        reply.headers({ etag: answer.etag, 'content-type': 'application/json; charset=utf-8', 'x-request-id': randomUUID(), 'cache-control': 'no-store' });
        return reply.send(answer.body);
      });
    });
  }
  await bare.listen({ port: Number(process.argv[3]), host: '127.0.0.1' });
} else {
  await main();
}

async function main(): Promise<void> {
  // @ts-expect-error autocannon 9 ships no type declarations (and @types/autocannon is not installed)
  const autocannon = (await import('autocannon')).default;
  const { openDatabase } = await import('../src/db/open.js');
  const { runMigrations } = await import('../src/db/migrate.js');
  const { newId } = await import('../src/lib/ids.js');
  const { codeSortKey } = await import('../src/modules/tasks/tasks.service.js');

  const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);
  const ORGS = Math.max(10, Math.round(TASKS / 100));
  const DURATION = Number(process.env.BENCH_DURATION ?? 10);
  const CONNECTIONS = 10;
  const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  const TOKEN = 'bench-bootstrap-token-0123456789abcdefghijklmnop';
  const AUTH = { authorization: `Bearer ${TOKEN}` };

  const work = mkdtempSync(join(os.tmpdir(), 'tracker-bench-'));
  const log = (s: string) => process.stdout.write(`${s}\n`);
  // What other programs took of the machine during each measured run: this process (the load generator and the raw
  // baselines) and the servers it starts are ours, everything else another's. Above QUIET_LIMIT of a core in any run, the
  // figures are not comparable with a quiet run's, and the bench says so.
  // The measure is off by up to about a tenth of a core either way over a few seconds (OtherCpu.measuredCores).
  const QUIET_LIMIT = 0.2;
  const ownPids: number[] = [process.pid];
  const disturbances: ({ phase: string } & OtherCpu)[] = [];
  const percentOfCore = (other: OtherCpu) =>
    `${(other.otherCores * 100).toFixed(0)}% of a core${other.stealCores >= 0.005 ? ` (and the hypervisor ${(other.stealCores * 100).toFixed(0)}%)` : ''}`;
  let roundLabel = '';
  const metered = <T>(phase: string, measure: () => T): T => {
    const stop = otherCpuMeter(() => ownPids);
    const value = measure();
    const record = (): void => {
      const other = { phase, ...stop() };
      disturbances.push(other);
      if (other.otherCores + other.stealCores > QUIET_LIMIT) log(`  (not quiet: other programs took ${percentOfCore(other)} during ${phase})`);
    };
    // autocannon answers a thenable that is no Promise: stopped at once, its run would have been metered for no time.
    if (typeof (value as { then?: unknown } | null)?.then === 'function') return Promise.resolve(value).finally(record) as T;
    record();
    return value;
  };
  const dbPath = join(work, 'tracker.db');

  // ---- 1. The large plan --------------------------------------------------------------------------
  log(`building ${TASKS} tasks, ${ORGS} organizations, ${TASKS * 2} progress reports in ${dbPath}`);
  const buildStart = performance.now();
  const handle = openDatabase(dbPath);
  runMigrations(handle);
  const s = handle.sqlite;
  s.pragma('synchronous = OFF'); // building only; the service reopens with FULL
  const now = new Date().toISOString();
  const commissionId = newId();
  const planId = newId();
  const orgIds: string[] = [];
  const STATUSES = ['not_started', 'in_progress', 'in_progress', 'on_hold', 'done', 'closed', 'cancelled'] as const;
  const AREAS = ['mechanical_engineering', 'digitalization', 'trade', 'energy', 'agriculture', 'transport_logistics'];
  const tasks: { id: string; lead: string; status: string }[] = [];

  s.transaction(() => {
    s.prepare(
      `INSERT INTO commissions (id, name, time_zone, party_a_country, party_a_co_chair_name, party_a_co_chair_position,
        party_b_country, party_b_co_chair_name, party_b_co_chair_position, created_at, updated_at)
       VALUES (?, 'Bench commission', 'Europe/Minsk', 'BY', 'A', 'Deputy PM', 'KZ', 'B', 'Deputy PM', ?, ?)`,
    ).run(commissionId, now, now);
    const org = s.prepare(
      `INSERT INTO organizations (id, name, short_name, kind, country, parent_id, created_at, updated_at) VALUES (?, ?, ?, 'ministry', ?, NULL, ?, ?)`,
    );
    for (let i = 0; i < ORGS; i++) {
      const id = newId();
      orgIds.push(id);
      org.run(id, `Ministry ${i}`, `M${i}`, i % 2 ? 'BY' : 'KZ', now, now);
    }
    s.prepare(
      `INSERT INTO plans (id, commission_id, title, period_start, period_end, status, reporting_frequency, report_due_days, approved_at, created_at, updated_at)
       VALUES (?, ?, 'Bench plan', '2025-01-01', '2027-12-31', 'approved', 'quarterly', 10, ?, ?, ?)`,
    ).run(planId, commissionId, now, now, now);
  })();

  const insTask = s.prepare(
    `INSERT INTO tasks (id, plan_id, code, code_sort_key, title, description, area, translations, search_text, due_date,
      original_due_date, postponement_count, status, status_changed_at, completed_at, closed_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
  );
  const insAssignee = s.prepare(`INSERT INTO task_assignees (task_id, organization_id, role, position, assigned_at) VALUES (?, ?, ?, ?, ?)`);
  const insStatus = s.prepare(
    `INSERT INTO task_status_changes (id, task_id, from_status, to_status, comment, actor_role, changed_at) VALUES (?, ?, 'not_started', ?, NULL, 'secretariat', ?)`,
  );
  const insReport = s.prepare(
    `INSERT INTO progress_reports (id, task_id, organization_id, period, submission_deadline, percent_complete, confidence, narrative, risks,
      status, revision, submitted_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 1, ?, ?, ?)`,
  );
  const insHistory = s.prepare(
    `INSERT INTO change_history (id, at, actor_role, operation, entity_type, entity_id, plan_id, task_id, changes) VALUES (?, ?, 'secretariat', ?, ?, ?, ?, ?, ?)`,
  );
  const CONF = ['green', 'amber', 'red'];
  const BATCH = 20_000;
  for (let from = 0; from < TASKS; from += BATCH) {
    s.transaction(() => {
      for (let i = from; i < Math.min(TASKS, from + BATCH); i++) {
        const id = newId();
        const code = `${Math.floor(i / 1000) + 1}.${(i % 1000) + 1}`;
        const title = `Task ${code}: deliver measure number ${i}`;
        const description = `Description of measure ${i}`;
        const status = STATUSES[i % STATUSES.length] as string;
        const due = `${2025 + (i % 3)}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
        const lead = orgIds[i % ORGS] as string;
        const co = orgIds[(i * 7 + 1) % ORGS] as string;
        const closed = status === 'closed' ? now : null;
        const completed = status === 'done' || status === 'closed' ? now : null;
        insTask.run(id, planId, code, codeSortKey(code), title, description, AREAS[i % AREAS.length], [code, title, description].join('\n').toLowerCase(),
          due, due, status, now, completed, closed, now, now);
        insAssignee.run(id, lead, 'lead', 0, now);
        if (co !== lead) insAssignee.run(id, co, 'co_executor', 1, now);
        insHistory.run(newId(), now, 'create', 'task', id, planId, id, JSON.stringify([{ field: 'code', before: null, after: code }]));
        if (status !== 'not_started') {
          insStatus.run(newId(), id, status, now);
          insHistory.run(newId(), now, 'transition', 'task', id, planId, id, JSON.stringify([{ field: 'status', before: 'not_started', after: status }]));
        }
        for (const period of ['2025-Q1', '2025-Q2']) {
          const rid = newId();
          insReport.run(rid, id, lead, period, submissionDeadline(period, 10), (i * 13) % 101, CONF[i % 3], `Progress of ${code} in ${period}`, i % 2 ? 'accepted' : 'submitted', now, now, now);
          insHistory.run(newId(), now, 'submit', 'progress_report', rid, planId, id, JSON.stringify([{ field: 'percentComplete', before: null, after: (i * 13) % 101 }]));
        }
        tasks.push({ id, lead, status });
      }
    })();
  }
  s.pragma('wal_checkpoint(TRUNCATE)');
  s.close();
  const buildSeconds = (performance.now() - buildStart) / 1000;
  log(`built in ${buildSeconds.toFixed(1)} s`);

  // ---- 2. Raw better-sqlite3 baselines ------------------------------------------------------------
  const ro = new Database(dbPath, { readonly: true });
  const today = new Date().toISOString().slice(0, 10);
  const in30 = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
  const rawQueries = [
    ro.prepare(`SELECT status, count(*) n FROM tasks WHERE plan_id = ? GROUP BY status`),
    ro.prepare(`SELECT count(*) n FROM tasks WHERE plan_id = ? AND due_date < '${today}' AND status NOT IN ('closed','cancelled')`),
    ro.prepare(`SELECT count(*) n FROM tasks WHERE plan_id = ? AND due_date BETWEEN '${today}' AND '${in30}' AND status NOT IN ('closed','cancelled')`),
    ro.prepare(`SELECT sum(postponement_count) n, sum(postponement_count > 0) m FROM tasks WHERE plan_id = ?`),
    ro.prepare(`SELECT t.area, t.status, count(*) n FROM tasks t WHERE t.plan_id = ? GROUP BY t.area, t.status`),
    ro.prepare(`SELECT a.organization_id, t.status, count(*) n FROM task_assignees a JOIN tasks t ON t.id = a.task_id WHERE t.plan_id = ? GROUP BY a.organization_id, t.status`),
    ro.prepare(`SELECT o.country, t.status, count(*) n FROM task_assignees a JOIN tasks t ON t.id = a.task_id JOIN organizations o ON o.id = a.organization_id
                WHERE t.plan_id = ? AND a.role = 'lead' GROUP BY o.country, t.status`),
    // Latest report per task and organization: worst confidence, lowest percent.
    ro.prepare(`SELECT r.confidence, count(*) n, min(r.percent_complete) p FROM progress_reports r JOIN tasks t ON t.id = r.task_id
                WHERE t.plan_id = ? AND r.period = (SELECT max(period) FROM progress_reports r2 WHERE r2.task_id = r.task_id AND r2.organization_id = r.organization_id)
                GROUP BY r.confidence`),
    // Missing reports for the last due period.
    ro.prepare(`SELECT count(*) n FROM task_assignees a JOIN tasks t ON t.id = a.task_id WHERE t.plan_id = ? AND t.status NOT IN ('closed','cancelled')
                AND NOT EXISTS (SELECT 1 FROM progress_reports r WHERE r.task_id = a.task_id AND r.organization_id = a.organization_id AND r.period = '2026-Q3')`),
  ];
  /** Three timed runs of the aggregates after one to warm the page cache. */
  const timeRawAggregates = (phase: string): number[] => {
    const rawAggregates = () => rawQueries.map((q) => q.all(planId));
    rawAggregates();
    return metered(phase, () => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        rawAggregates();
        runs.push(performance.now() - t0);
      }
      return runs;
    });
  };
  const rawRunsBeforeLoad = timeRawAggregates('raw SQL aggregates, before the load runs');
  // The same page as the list run, as raw SQL (its 51 task rows and their assignees): a ceiling for any answer computed.
  const rawPage = ro.prepare(`SELECT tasks.*, plans.commission_id, commissions.time_zone FROM tasks JOIN plans ON plans.id = tasks.plan_id
    JOIN commissions ON commissions.id = plans.commission_id WHERE tasks.plan_id = ? AND tasks.status IN ('in_progress')
    ORDER BY tasks.plan_id, tasks.code_sort_key, tasks.id LIMIT 51`);
  const rawAssignees = ro.prepare(`SELECT a.task_id, a.organization_id, o.name, o.short_name, o.country, a.role FROM task_assignees a
    JOIN organizations o ON o.id = a.organization_id WHERE a.task_id IN (SELECT value FROM json_each(?)) ORDER BY a.task_id, a.role DESC, a.position`);
  const pageOnce = () => rawAssignees.raw().all(JSON.stringify((rawPage.raw().all(planId) as unknown[][]).map((r) => r[0])));
  for (let i = 0; i < 50; i++) pageOnce();
  const rawPagesPerSec = metered('raw SQL of the list’s page', () => {
    const pageT0 = performance.now();
    let pages = 0;
    while (performance.now() - pageT0 < 2000) {
      pageOnce();
      pages++;
    }
    return pages / ((performance.now() - pageT0) / 1000);
  });
  log(`raw SQL of one filtered page of 50 (tasks and assignees): ${rawPagesPerSec.toFixed(0)}/s in one process`);
  log(`raw SQL aggregates of the whole plan: ${median(rawRunsBeforeLoad).toFixed(0)} ms (median of 3), before the load runs`);

  const insPath = join(work, 'insert-baseline.db');
  const ins = new Database(insPath);
  ins.pragma('journal_mode = WAL');
  ins.pragma('synchronous = FULL');
  ins.exec(`CREATE TABLE r (id TEXT PRIMARY KEY, task_id TEXT NOT NULL, organization_id TEXT NOT NULL, period TEXT NOT NULL,
    percent_complete INTEGER NOT NULL, confidence TEXT NOT NULL, narrative TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
    UNIQUE (task_id, organization_id, period))`);
  const insOne = ins.prepare(`INSERT INTO r VALUES (?, ?, ?, ?, 50, 'green', 'Bench narrative of the quarter', 'submitted', ?)`);
  const insTx = ins.transaction((i: number) => insOne.run(newId(), `t${i}`, 'o', '2026-Q1', new Date().toISOString()));
  const INSERT_SECONDS = Math.min(5, DURATION);
  let inserted = 0;
  /** Raw single-row insert transactions at synchronous=FULL, for INSERT_SECONDS: measured next to each POST run. */
  const rawInserts = (): number => {
    const from = inserted;
    const perSec = metered('raw single-row insert transactions', () => {
      const insStart = performance.now();
      while (performance.now() - insStart < INSERT_SECONDS * 1000) insTx.immediate(inserted++);
      return (inserted - from) / ((performance.now() - insStart) / 1000);
    });
    log(`raw single-row insert transactions (synchronous=FULL): ${perSec.toFixed(0)}/s`);
    return perSec;
  };

  // ---- 3. The servers -----------------------------------------------------------------------------
  const bareUrl = `http://127.0.0.1:${await freePort()}`;
  /** The list run's answer, written here once the service is up, for the bare route's copy of it (/bare-list). */
  const listAnswerPath = join(work, 'list-answer.json');
  const bareChild = spawn(process.execPath, ['--import', 'tsx', SELF, '--bare', new URL(bareUrl).port, dbPath, listAnswerPath], { cwd: ROOT, stdio: 'inherit' });
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  // The service as `npm start` runs it: compiled, plain node, with the start script's node flags.
  log('building dist/ (npm run build)');
  const built = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
  const startT0 = performance.now();
  const serviceEnv = { ...process.env, HOST: '127.0.0.1', DATABASE_PATH: dbPath, LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '0', TRACKER_BOOTSTRAP_TOKEN: TOKEN };
  const appChild = spawn(process.execPath, START_ARGS, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...serviceEnv, PORT: String(appPort) },
  });
  const children: ChildProcess[] = [bareChild, appChild];
  ownPids.push(bareChild.pid as number, appChild.pid as number);
  // Once each: a second SIGTERM would cut a child's graceful close short (close-with-grace exits at once on it).
  const stop = () => children.forEach((c) => c.killed || c.kill('SIGTERM'));
  process.on('exit', stop);
  await metered('start-up', () => waitHealthy(`${appUrl}/health`));
  const startupMs = performance.now() - startT0;
  log(`start-up to a healthy /health: ${startupMs.toFixed(0)} ms (node ${START_ARGS.join(' ')})`);
  await waitHealthy(`${bareUrl}/bare`);

  const rssSamples: number[] = [];
  const sampler = setInterval(() => rssSamples.push(rssMb(appChild.pid as number) ?? 0), 250);
  const rssIdleMb = rssMb(appChild.pid as number) ?? 0;

  /**
   * One load run. `cpuUsPerRequest` is the CPU time (user + system, all threads) the serving process spent in the
   * measured run per request answered: unlike requests a second, it does not move with how fast the load generator
   * on the other core runs.
   */
  type Figure = { rps: number; latencyP50: number; latencyP99: number; non2xx: number; errors: number; total: number; cpuUsPerRequest: number };
  const run = async (name: string, server: ChildProcess, opts: Record<string, unknown>): Promise<Figure> => {
    await autocannon({ ...opts, connections: CONNECTIONS, duration: 2 } as never); // warm-up
    const ticksBefore = cpuTicks(server.pid as number) ?? 0;
    const r = (await metered(`${name}${roundLabel}`, () => autocannon({ ...opts, connections: CONNECTIONS, duration: DURATION } as never))) as { requests: { average: number; total: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
    const ticks = (cpuTicks(server.pid as number) ?? 0) - ticksBefore;
    const cpuUsPerRequest = r.requests.total === 0 ? 0 : (ticks * 1e6) / CLOCK_TICKS / r.requests.total;
    const figure = { rps: r.requests.average, latencyP50: r.latency.p50, latencyP99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, total: r.requests.total, cpuUsPerRequest };
    log(
      `${name}: ${figure.rps.toFixed(0)} req/s, p50 ${figure.latencyP50} ms, p99 ${figure.latencyP99} ms, non-2xx ${figure.non2xx}, errors ${figure.errors}, ` +
        `service CPU ${cpuUsPerRequest.toFixed(0)} µs/request`,
    );
    return figure;
  };

  const ids = shuffle(tasks.map((t) => t.id));
  let b = 0;
  let k = 0;
  let m = 0;
  const listPath = `/v1/tasks?planId=${planId}&status=in_progress&limit=50`;
  // The same list from a second service on the same file with the response cache off: every answer computed.
  const uncachedPort = await freePort();
  const uncachedChild = spawn(process.execPath, START_ARGS, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...serviceEnv, PORT: String(uncachedPort), RESPONSE_CACHE_MB: '0' },
  });
  children.push(uncachedChild);
  ownPids.push(uncachedChild.pid as number);
  await waitHealthy(`http://127.0.0.1:${uncachedPort}/health`);
  {
    const answer = await fetch(`${appUrl}${listPath}`, { headers: AUTH });
    if (answer.status !== 200) throw new Error(`GET ${listPath}: ${answer.status}`);
    writeFileSync(listAnswerPath, Buffer.from(await answer.arrayBuffer()));
  }
  const uncachedSampler = setInterval(() => rssSamples.push(rssMb(uncachedChild.pid as number) ?? 0), 250);
  // POST a progress report: distinct task × period pairs, open tasks only, so every request is a new report.
  const open = shuffle(tasks.filter((t) => !['closed', 'cancelled'].includes(t.status)));
  const periods = ['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'];
  let p = 0;

  // The load runs, in ROUNDS rounds: this machine's speed drifts by ±20% within minutes, so each figure is measured
  // next to its reference in every round, and a ratio is the median of the rounds' ratios.
  const rounds: Record<'bare' | 'bareTask' | 'bareMemory' | 'point' | 'list' | 'bareList' | 'listUncached' | 'post', Figure>[] = [];
  const rawInsertRounds: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    log(`-- round ${round} of ${ROUNDS}`);
    roundLabel = ROUNDS > 1 ? ` (round ${round})` : '';
    const bare = await run('bare route', bareChild, { url: `${bareUrl}/bare` });
    const bareTask = await run('bare route reading the task by raw SQL', bareChild, {
      url: bareUrl,
      requests: [{ method: 'GET', setupRequest: (req: { path: string }) => ({ ...req, path: `/bare-task/${ids[b++ % ids.length]}` }) }],
    });
    const bareMemory = await run('bare route sending the task from memory with the service’s headers', bareChild, {
      url: bareUrl,
      requests: [{ method: 'GET', setupRequest: (req: { path: string }) => ({ ...req, path: `/bare-memory/${ids[m++ % ids.length]}` }) }],
    });
    const point = await run('GET /v1/tasks/{id}', appChild, {
      url: appUrl,
      headers: AUTH,
      requests: [{ method: 'GET', setupRequest: (req: { path: string }) => ({ ...req, path: `/v1/tasks/${ids[k++ % ids.length]}` }) }],
    });
    const list = await run('GET /v1/tasks?status=in_progress&limit=50', appChild, { url: `${appUrl}${listPath}`, headers: AUTH });
    const bareList = await run('bare route sending the list’s answer from memory with the service’s headers', bareChild, { url: `${bareUrl}/bare-list` });
    const listUncached = await run('GET /v1/tasks?status=in_progress&limit=50, response cache off', uncachedChild, { url: `http://127.0.0.1:${uncachedPort}${listPath}`, headers: AUTH });
    rawInsertRounds.push(rawInserts());
    const post = await run('POST /v1/tasks/{id}/reports', appChild, {
      url: appUrl,
      requests: [
        {
          method: 'POST',
          setupRequest: (req: Record<string, unknown>) => {
            const n = p++;
            const t = open[n % open.length] as (typeof open)[number];
            const period = periods[Math.floor(n / open.length) % periods.length];
            return {
              ...req,
              path: `/v1/tasks/${t.id}/reports`,
              // Each a new request with its own key: the key is recorded with the write, as a real client's would be.
              headers: { ...AUTH, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
              body: JSON.stringify({ organizationId: t.lead, period, percentComplete: 40, confidence: 'amber', narrative: 'Bench narrative of the quarter' }),
            };
          },
        },
      ],
    });
    rounds.push({ bare, bareTask, bareMemory, point, list, bareList, listUncached, post });
  }
  ins.close();
  /** A figure's median round (its latencies and counts come from that same run). */
  const medianOf = (key: keyof (typeof rounds)[number]): Figure => {
    const sorted = rounds.map((r) => r[key]).sort((x, y) => x.rps - y.rps);
    return sorted[Math.floor(sorted.length / 2)] as Figure;
  };
  const [bare, bareTask, bareMemory, point, list, bareList, listUncached, post] = (
    ['bare', 'bareTask', 'bareMemory', 'point', 'list', 'bareList', 'listUncached', 'post'] as const
  ).map(medianOf) as Figure[] as [Figure, Figure, Figure, Figure, Figure, Figure, Figure, Figure];
  const rawInsertsPerSec = median(rawInsertRounds);
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  /** The median over the rounds of a figure's ratio to its reference in the same round. */
  const roundRatio = (key: keyof (typeof rounds)[number], reference: (r: (typeof rounds)[number], i: number) => number) =>
    median(rounds.map((r, i) => ratio(r[key].rps, reference(r, i))));
  /**
   * Every round of these runs answered every request with a 2xx and no socket error. autocannon's requests a second
   * count refusals too (a 401, 404, 409 or 500 is usually faster than the real answer), so a goal is met only then.
   */
  const allAnswered = (...keys: (keyof (typeof rounds)[number])[]) => rounds.every((r) => keys.every((key) => r[key].non2xx === 0 && r[key].errors === 0));

  // The same aggregates again, on the data the report reads: the POST runs have added some 40,000 reports since.
  const rawRuns = timeRawAggregates('raw SQL aggregates, after the load runs');
  ro.close();
  const rawReportMs = median(rawRuns);
  log(`raw SQL aggregates of the whole plan, after the load runs: ${rawReportMs.toFixed(0)} ms (median of 3)`);

  // The progress report of the whole plan, JSON: a few sequential calls, timed, to the instance with the response
  // cache off, so that every call computes the report (the other would answer a repeated call from memory).
  const reportRuns: number[] = [];
  let reportBytes = 0;
  // The first call warms up; then up to 3 timed calls. When the first takes more than 10 s it is the only figure
  // (a cold call), and a call longer than BENCH_REPORT_TIMEOUT seconds (default 180) counts as that long: not met.
  const REPORT_TIMEOUT_MS = Number(process.env.BENCH_REPORT_TIMEOUT ?? 180) * 1000;
  let reportTimedOut = false;
  /**
   * Runs `work` while /health is asked every 50 ms, one at a time: the longest wait says how long the work held up the
   * others. Answers how long the work took and that wait.
   */
  const probingHealth = async (work: () => Promise<void>): Promise<{ ms: number; healthMaxMs: number }> => {
    const t0 = performance.now();
    let working = true;
    let healthMaxMs = 0;
    const probe = (async () => {
      while (working) {
        const h0 = performance.now();
        await fetch(`http://127.0.0.1:${uncachedPort}/health`).then((r) => r.arrayBuffer());
        healthMaxMs = Math.max(healthMaxMs, performance.now() - h0);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      await work();
    } finally {
      working = false;
    }
    const ms = performance.now() - t0;
    await probe;
    return { ms, healthMaxMs };
  };
  let healthWaitMaxMs = 0;
  const reportCall = async (): Promise<number> => {
    const signal = AbortSignal.timeout(REPORT_TIMEOUT_MS);
    const { ms, healthMaxMs } = await metered('progress report', () => probingHealth(async () => {
      try {
        const { status, bytes, start } = await readToTheEnd(`http://127.0.0.1:${uncachedPort}/v1/reports/progress?planId=${planId}`, { ...AUTH, accept: 'application/json' }, signal);
        if (status !== 200) throw new Error(`progress report: ${status} ${start}`);
        reportBytes = bytes;
      } catch (err) {
        if (!signal.aborted) throw err;
        reportTimedOut = true;
      }
    }));
    healthWaitMaxMs = Math.max(healthWaitMaxMs, healthMaxMs);
    return ms;
  };
  const first = await reportCall();
  if (first > 10_000) reportRuns.push(first);
  else for (let i = 0; i < 3; i++) reportRuns.push(await reportCall());
  const reportMs = median(reportRuns);
  log(`progress report (JSON, ${(reportBytes / 1e6).toFixed(1)} MB): ${reportTimedOut ? '> ' : ''}${reportMs.toFixed(0)} ms (${reportRuns.length === 1 ? 'one cold call' : `median of ${reportRuns.length}`})`);

  // The same plan's printable page through a read-only link (no key), twice: a browser opening it must not hold up
  // the ministry systems either.
  const linkRuns: number[] = [];
  let linkHealthWaitMaxMs = 0;
  if (!reportTimedOut) {
    const created = await fetch(`http://127.0.0.1:${uncachedPort}/v1/share-links`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Benchmark', kind: 'progress_report', planId }),
    });
    if (created.status !== 201) throw new Error(`share link: ${created.status} ${await created.text()}`);
    const { url } = (await created.json()) as { url: string };
    for (let i = 0; i < 2; i++) {
      const { ms, healthMaxMs } = await metered('printable page through a read-only link', () =>
        probingHealth(async () => {
          const { status, start } = await readToTheEnd(`http://127.0.0.1:${uncachedPort}${url}`, {}, AbortSignal.timeout(REPORT_TIMEOUT_MS));
          if (status !== 200) throw new Error(`share link page: ${status} ${start}`);
        }),
      );
      linkRuns.push(ms);
      linkHealthWaitMaxMs = Math.max(linkHealthWaitMaxMs, healthMaxMs);
    }
    log(`report page through a read-only link (HTML): ${linkRuns.map((ms) => ms.toFixed(0)).join(', ')} ms; longest /health meanwhile ${linkHealthWaitMaxMs.toFixed(0)} ms`);
  }
  clearInterval(sampler);
  clearInterval(uncachedSampler);
  const rssMaxMb = Math.max(...rssSamples);
  stop();
  if (reportTimedOut) uncachedChild.kill('SIGKILL'); // still busy with the report: SIGTERM waits for it

  // ---- 4. Figures, goals, output ------------------------------------------------------------------
  const cpus = os.cpus();
  const machine = {
    node: process.version,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 1e9),
    platform: `${os.type()} ${os.release()}`,
  };
  const rows = [
    { figure: 'bare Fastify route', value: bare.rps, unit: 'req/s', cpuUs: bare.cpuUsPerRequest, ratio: null, goal: '(reference)', met: null },
    { figure: 'bare route + the task by raw SQL (no key, no ETag)', value: bareTask.rps, unit: 'req/s', cpuUs: bareTask.cpuUsPerRequest, ratio: roundRatio('bareTask', (r) => r.bare.rps), goal: '(floor)', met: null },
    { figure: 'bare route + the task’s answer and ETag from memory, with the service’s headers (no SQL, no key)', value: bareMemory.rps, unit: 'req/s', cpuUs: bareMemory.cpuUsPerRequest, ratio: roundRatio('bareMemory', (r) => r.bare.rps), goal: '(ceiling)', met: null },
    { figure: 'GET /v1/tasks/{id}', value: point.rps, unit: 'req/s', cpuUs: point.cpuUsPerRequest, ratio: roundRatio('point', (r) => r.bare.rps), goal: '≥ 50% of bare', met: allAnswered('point', 'bare') && roundRatio('point', (r) => r.bare.rps) >= 0.5 },
    { figure: 'raw SQL of that page (tasks + assignees), no HTTP', value: rawPagesPerSec, unit: 'pages/s', ratio: ratio(rawPagesPerSec, bare.rps), goal: '(computing one answer)', met: null },
    { figure: 'GET /v1/tasks?…&limit=50 (filtered), the same page again and again', value: list.rps, unit: 'req/s', cpuUs: list.cpuUsPerRequest, ratio: roundRatio('list', (r) => r.bare.rps), goal: '≥ 20% of bare', met: allAnswered('list', 'bare') && roundRatio('list', (r) => r.bare.rps) >= 0.2 },
    { figure: 'bare route + the list’s answer from memory, with the service’s headers (no key)', value: bareList.rps, unit: 'req/s', cpuUs: bareList.cpuUsPerRequest, ratio: roundRatio('bareList', (r) => r.bare.rps), goal: '(ceiling)', met: null },
    { figure: 'the same list, response cache off (every answer computed)', value: listUncached.rps, unit: 'req/s', cpuUs: listUncached.cpuUsPerRequest, ratio: roundRatio('listUncached', (r) => r.bare.rps), goal: '(reference)', met: null },
    { figure: 'raw SQL report aggregates (on the same data, right before the report)', value: rawReportMs, unit: 'ms', ratio: null, goal: '(reference)', met: null },
    { figure: `progress report, whole plan (JSON${reportTimedOut ? ', timed out' : ''})`, value: reportMs, unit: 'ms', ratio: ratio(reportMs, rawReportMs), goal: '≤ 3× raw SQL', met: reportMs <= 3 * rawReportMs },
    { figure: 'longest /health answer while the report is computed', value: healthWaitMaxMs, unit: 'ms', ratio: null, goal: '(measured)', met: null },
    ...(linkRuns.length === 0
      ? []
      : [
          { figure: "the same plan's printable page through a read-only link (HTML)", value: median(linkRuns), unit: 'ms', ratio: null, goal: '(measured)', met: null },
          { figure: "longest /health answer while a link's page is computed", value: linkHealthWaitMaxMs, unit: 'ms', ratio: null, goal: '(measured)', met: null },
        ]),
    { figure: 'raw insert transactions, synchronous=FULL', value: rawInsertsPerSec, unit: 'tx/s', ratio: null, goal: '(reference)', met: null },
    { figure: 'POST /v1/tasks/{id}/reports', value: post.rps, unit: 'req/s', cpuUs: post.cpuUsPerRequest, ratio: roundRatio('post', (_r, i) => rawInsertRounds[i] as number), goal: '≥ 50% of raw inserts', met: allAnswered('post') && roundRatio('post', (_r, i) => rawInsertRounds[i] as number) >= 0.5 },
    { figure: 'start-up to healthy /health', value: startupMs, unit: 'ms', ratio: null, goal: '(measured)', met: null },
    { figure: 'resident memory, idle after start', value: rssIdleMb, unit: 'MB', ratio: null, goal: '(measured)', met: null },
    { figure: 'resident memory under load (max)', value: rssMaxMb, unit: 'MB', ratio: null, goal: '(measured)', met: null },
  ];
  // The measured run in which other programs took the most of the machine.
  const worst = disturbances.reduce((a, b) => (b.otherCores + b.stealCores > a.otherCores + a.stealCores ? b : a));
  const quiet = {
    limitCores: QUIET_LIMIT,
    quiet: worst.otherCores + worst.stealCores <= QUIET_LIMIT,
    worst,
    runs: disturbances,
  };
  const quietLine = quiet.quiet
    ? `Machine quiet: yes; other programs took at most ${percentOfCore(worst)} in any measured run (${worst.phase}).`
    : `Machine quiet: **no**; other programs took ${percentOfCore(worst)} during ${worst.phase}: these figures are not comparable with a quiet run's; run again with nothing else running.`;
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const table = [
    '| figure | value | service CPU per request | ratio | goal | met |',
    '|---|---:|---:|---:|---|---|',
    ...(rows as { figure: string; value: number; unit: string; cpuUs?: number; ratio: number | null; goal: string; met: boolean | null }[]).map(
      (r) =>
        `| ${r.figure} | ${fmt(r.value)} ${r.unit} | ${r.cpuUs === undefined ? '' : `${r.cpuUs.toFixed(0)} µs`} | ` +
        `${r.ratio === null ? '' : r.goal.includes('×') ? `${r.ratio.toFixed(2)}×` : `${(r.ratio * 100).toFixed(1)}%`} | ${r.goal} | ${r.met === null ? '' : r.met ? 'yes' : '**no**'} |`,
    ),
  ].join('\n');
  log('');
  log(table);
  log('');
  log(quietLine);
  const result = {
    at: new Date().toISOString(),
    machine,
    size: { tasks: TASKS, organizations: ORGS, progressReports: TASKS * 2, buildSeconds },
    load: { connections: CONNECTIONS, durationSeconds: DURATION, warmupSeconds: 2, rounds: ROUNDS },
    details: { bare, bareTask, bareMemory, point, list, bareList, listUncached, post, reportRuns, reportBytes, reportTimedOut, healthWaitMaxMs, linkRuns, linkHealthWaitMaxMs, rawRuns, rawRunsBeforeLoad, rawInsertsPerSec, rawInsertRounds, rawPagesPerSec, startupMs, rounds },
    rows,
    table,
    quiet,
  };
  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(join(outDir, `${result.at.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(ROOT, 'bench', 'latest.json'), json);
  log(`\n${machine.node}, ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB; ${TASKS} tasks; written to bench/latest.json`);
  if (process.env.BENCH_KEEP) log(`kept the database: ${dbPath}`);
  else rmSync(work, { recursive: true, force: true });
  process.exit(0);
}


/**
 * GETs `url` and reads the answer to its last byte without keeping it, as `curl -o /dev/null` does: the time is the
 * service's. fetch's arrayBuffer() gathers the 108 MB report into one buffer and added 0.3-0.9 s to a 3 s report.
 */
function readToTheEnd(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<{ status: number; bytes: number; start: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers, signal }, (res) => {
      let bytes = 0;
      let start = '';
      res.on('data', (chunk: Buffer) => {
        if (bytes < 300) start += chunk.subarray(0, 300 - bytes).toString();
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, start }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${url} not healthy after ${timeoutMs} ms`);
}
