// Soak harness (issue 6, item 4): the real server under mixed keep-alive load (reads, writes, progress reports)
// for a while, its resident memory sampled 4 times a second, then SIGTERM while writers are in flight. Used by
// `npm run test:soak` (scripts/soak.ts, 60 s at 50 connections) and test/soak.test.ts (a short run).
//
// Pass criteria, all in `failures`:
// - load: zero non-2xx answers, zero socket errors, zero timeouts; every write acknowledged (201) is in the file;
// - memory, judged only on runs of 30 s or more (`judgeTrend`): RSS is sampled 4 times a second; the slope of its
//   floor (the least RSS of each 2 s window) over the second half of the run is below 20 MB/min, and the mean of
//   the last quarter is at most 15% above the mean of the second quarter. Why these: V8 grows its heaps lazily
//   and SQLite fills its page cache in the first seconds, so the first half is warm-up and not judged. The
//   whole-plan report answers ~350 KB of JSON, which lifts RSS by 20-50 MB for a second or two: a fit of raw
//   samples over 30 s swings by tens of MB/min either way (it is reported as `slopeMbPerMin`), while a leak
//   raises the floor. Even the floor moves as V8 resizes its heaps: four 60 s runs on this 2-core machine gave
//   floor slopes from -38 to +13 MB/min with no leak, so a 5 MB/min limit would fail on noise about one run in
//   three. 20 MB/min (1.2 GB an hour; ~2 KB per request at the ~170 req/s this mix runs here) is what a 60 s
//   run can tell apart; to catch smaller leaks, run longer (`--duration 600`): the limit is per minute and the
//   noise of a fit shrinks with the length of its window. The quarter comparison guards against a fit that one
//   late heap shrink flattens while the level has crept up;
// - shutdown: the process exits with code 0 (close-with-grace exits 1 when closing takes over its 10 s), every
//   acknowledged write is in the file, refusals after SIGTERM are 503 or connection errors only, and no refused
//   or unanswered write left a row (an unanswered write that committed is an in-flight request that was cut).
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { CLOCK_TICKS, cpuTicks, exited, processState, prng, rssMb, spawnServer, type RunningServer } from './process.js';
import { memoryTrend, MAX_LATE_GROWTH, MAX_SLOPE_MB_PER_MIN, round, SAMPLE_EVERY_MS } from './soak-memory.js';

export const SOAK_TOKEN = 'soak-test-bootstrap-token-0123456789abcdefghij';
const AUTH = { authorization: `Bearer ${SOAK_TOKEN}` };
const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };

export interface SoakOptions {
  durationSeconds: number;
  connections: number;
  databasePath: string;
  seed?: number;
  /** Tasks in the plan the load reads and reports on. */
  tasks?: number;
  organizations?: number;
  /** Concurrent writers while SIGTERM is sent. */
  shutdownWriters?: number;
  /** Judge the memory trend (a failure when not ok); by default only for runs of 30 s or more. */
  judgeTrend?: boolean;
  log?: (line: string) => void;
}

type Kind = 'getTask' | 'listTasks' | 'submitReport' | 'createTask' | 'progressReport';
const zeroes = (): Record<Kind, number> => ({ getTask: 0, listTasks: 0, submitReport: 0, createTask: 0, progressReport: 0 });

export interface SoakSummary {
  seed: number;
  durationSeconds: number;
  connections: number;
  setup: { organizations: number; tasks: number; assignments: number; ms: number };
  /** Responses received during the load. */
  requests: number;
  byKind: Record<Kind, { responses: number; non2xx: number; meanMs: number; maxMs: number; meanKb: number }>;
  rps: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number; max: number; mean: number };
  /**
   * The longest time no response at all arrived during the load (after its first 2 s): a stall of the whole server
   * (its event loop blocked, e.g. by a slow fsync) rather than one slow request.
   */
  longestPauseMs: number;
  /** The server process: its scheduler state in the samples (R running, S sleeping, D waiting on the disk) and CPU use. */
  serverProcess: { states: Record<string, number>; cpuPercent: number };
  writes: { acknowledged: number; present: number; lost: number };
  rss: {
    samples: number;
    minMb: number;
    maxMb: number;
    firstMb: number;
    lastMb: number;
    secondQuarterMeanMb: number;
    lastQuarterMeanMb: number;
    floorSeriesMb: number[];
  };
  /** Least-squares slope of every RSS sample of the second half (reported). */
  slopeMbPerMin: number;
  /** Least-squares slope of the 2 s floors of the second half (judged). */
  floorSlopeMbPerMin: number;
  trendOk: boolean;
  trendJudged: boolean;
  shutdown: {
    writers: number;
    sent: number;
    acknowledged: number;
    /** Of the acknowledged, answered after SIGTERM: requests that were in flight and were finished. */
    acknowledgedAfterSignal: number;
    /** Answers after SIGTERM that said `Connection: close` (so the client opens no new request on that socket). */
    answeredAfterSignalWithConnectionClose: number;
    present: number;
    lost: number;
    refused503: number;
    otherStatuses: Record<string, number>;
    connectionErrors: Record<string, number>;
    /** Refused (non-2xx) or unanswered writes whose row is in the file anyway. */
    refusedButCommitted: number;
    unansweredButCommitted: number;
    exitCode: number | null;
    signal: string | null;
    ms: number;
  };
  integrity: string;
  serverWarnings: string[];
  failures: string[];
  ok: boolean;
}

const start = (databasePath: string) => spawnServer(databasePath, SOAK_TOKEN);

async function post<T>(base: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { ...JSON_AUTH, 'idempotency-key': randomUUID() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) throw new Error(`setup: POST ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

const AREAS = ['mechanical_engineering', 'digitalization', 'trade', 'energy', 'agriculture', 'transport_logistics'];

/** Months from January 2000 to the month before this one: every one has begun in any time zone. */
function pastMonths(): string[] {
  const now = new Date();
  const months: string[] = [];
  for (let y = 2000; y <= now.getUTCFullYear(); y++) {
    for (let m = 1; m <= 12; m++) {
      if (y === now.getUTCFullYear() && m >= now.getUTCMonth() + 1) break;
      months.push(`${y}-${String(m).padStart(2, '0')}`);
    }
  }
  return months;
}

/**
 * A commission, organizations of both parties, an approved monthly plan of `tasks` tasks (the one the load reads
 * and reports on) and a draft "sink" plan that receives the tasks the load creates, so reads see a plan of a
 * constant size while writes go on.
 */
async function setUp(base: string, tasks: number, organizations: number, random: () => number) {
  const commission = await post<{ id: string }>(base, '/v1/commissions', {
    name: 'Soak commission',
    timeZone: 'Europe/Minsk',
    parties: [
      { country: 'BY', coChair: { name: 'Co-chair BY', position: 'Deputy Prime Minister' } },
      { country: 'KZ', coChair: { name: 'Co-chair KZ', position: 'Deputy Prime Minister' } },
    ],
  });
  const orgIds: string[] = [];
  for (let i = 0; i < organizations; i++) {
    const org = await post<{ id: string }>(base, '/v1/organizations', {
      name: `Soak ministry ${i}`,
      shortName: `SM${i}`,
      kind: 'ministry',
      country: i % 2 ? 'KZ' : 'BY',
    });
    orgIds.push(org.id);
  }
  const plan = await post<{ id: string }>(base, '/v1/plans', {
    commissionId: commission.id,
    title: 'Soak plan',
    periodStart: '2000-01-01',
    periodEnd: '2027-12-31',
    reportingFrequency: 'monthly',
    reportDueDays: 10,
  });
  const sink = await post<{ id: string }>(base, '/v1/plans', {
    commissionId: commission.id,
    title: 'Soak sink plan',
    periodStart: '2025-01-01',
    periodEnd: '2027-12-31',
  });
  const taskIds: string[] = [];
  /** Every (task, assignee) pair: a progress report may be written for each, once per period. */
  const assignments: { taskId: string; organizationId: string }[] = [];
  await pool(
    Array.from({ length: tasks }, (_, i) => i),
    8,
    async (i) => {
      const lead = orgIds[i % organizations] as string;
      const co = orgIds[Math.floor(random() * organizations)] as string;
      const assignees = [{ organizationId: lead, role: 'lead' }];
      if (co !== lead) assignees.push({ organizationId: co, role: 'co_executor' });
      const due = `${2025 + (i % 3)}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
      const task = await post<{ id: string }>(base, '/v1/tasks', {
        planId: plan.id,
        code: `${Math.floor(i / 100) + 1}.${(i % 100) + 1}`,
        title: `Soak measure ${i}: deliver the agreed result`,
        description: `Description of soak measure ${i}`,
        area: AREAS[i % AREAS.length],
        dueDate: due,
        assignees,
      });
      taskIds[i] = task.id;
      for (const a of assignees) assignments.push({ taskId: task.id, organizationId: a.organizationId });
    },
  );
  await post(base, `/v1/plans/${plan.id}/approve`, undefined);
  return { planId: plan.id, sinkPlanId: sink.id, orgIds, taskIds, assignments };
}

type Setup = Awaited<ReturnType<typeof setUp>>;

/** A new, never repeated progress report: assignment × month, walked in order. */
function reportWriter(setup: Setup) {
  const months = pastMonths();
  let n = 0;
  return () => {
    const i = n++;
    const a = setup.assignments[i % setup.assignments.length]!;
    const period = months[months.length - 1 - (Math.floor(i / setup.assignments.length) % months.length)]!;
    if (i >= setup.assignments.length * months.length) throw new Error('soak: ran out of distinct (task, organization, period) triples');
    return {
      path: `/v1/tasks/${a.taskId}/reports`,
      triple: `${a.taskId} ${a.organizationId} ${period}`,
      body: JSON.stringify({ organizationId: a.organizationId, period, percentComplete: i % 101, confidence: 'green', narrative: `Soak report #${i}` }),
    };
  };
}

interface LoadResult {
  requests: { total: number };
  duration: number;
  latency: { p50: number; p99: number; max: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}

export async function runSoak(options: SoakOptions): Promise<SoakSummary> {
  const { durationSeconds, connections, databasePath, tasks = 300, organizations = 10, shutdownWriters = 20 } = options;
  const judgeTrend = options.judgeTrend ?? durationSeconds >= 30;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = prng(seed);
  const log = options.log ?? (() => {});
  // @ts-expect-error autocannon 9 ships no type declarations (and @types/autocannon is not installed)
  const autocannon = (await import('autocannon')).default;

  log(`soak: ${durationSeconds} s at ${connections} connections, seed ${seed}, database ${databasePath}`);
  const server = await start(databasePath);
  const pid = server.child.pid as number;
  try {
    const t0 = Date.now();
    const setup = await setUp(server.base, tasks, organizations, random);
    const setupMs = Date.now() - t0;
    log(`setup: ${organizations} organizations, ${tasks} tasks, ${setup.assignments.length} assignments in ${setupMs} ms`);

    // ---- Load ---------------------------------------------------------------------------------------
    const nextReport = reportWriter(setup);
    const acknowledgedReports = new Set<string>();
    const acknowledgedTasks = new Set<string>();
    const byKind = Object.fromEntries(
      (['getTask', 'listTasks', 'submitReport', 'createTask', 'progressReport'] as Kind[]).map((k) => [k, { responses: 0, non2xx: 0, meanMs: 0, maxMs: 0, meanKb: 0 }]),
    ) as SoakSummary['byKind'];
    /** autocannon reports a response to onResponse and then, synchronously, to its 'response' event with the latency. */
    let lastKind: Kind = 'getTask';
    const totals = { ms: { ...zeroes() }, bytes: { ...zeroes() } };
    const firstRefusals: string[] = [];
    const counted = (kind: Kind, onCreated?: (body: { id: string }) => void) => (status: number, body: string) => {
      byKind[kind].responses++;
      lastKind = kind;
      if (status < 200 || status > 299) {
        byKind[kind].non2xx++;
        if (firstRefusals.length < 5) firstRefusals.push(`${kind} ${status}: ${String(body).slice(0, 300)}`);
      } else if (onCreated) onCreated(JSON.parse(body) as { id: string });
    };
    const pickTask = () => setup.taskIds[Math.floor(random() * setup.taskIds.length)]!;
    const listQueries = [
      '',
      '&status=not_started',
      `&organizationId=${setup.orgIds[0]}`,
      '&area=energy',
      '&overdue=true',
      '&dueFrom=2026-01-01&dueTo=2026-12-31',
      '&q=deliver',
      '&party=KZ',
    ];
    let listN = 0;
    let taskN = 0;
    const getTask = {
      method: 'GET',
      setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/v1/tasks/${pickTask()}` }),
      onResponse: counted('getTask'),
    };
    const listTasks = {
      method: 'GET',
      setupRequest: (req: Record<string, unknown>) => ({
        ...req,
        path: `/v1/tasks?planId=${setup.planId}&limit=50${listQueries[listN++ % listQueries.length]}`,
      }),
      onResponse: counted('listTasks'),
    };
    const submitReport = {
      method: 'POST',
      setupRequest: (req: Record<string, unknown>) => {
        const w = nextReport();
        return { ...req, path: w.path, headers: { ...JSON_AUTH, 'idempotency-key': randomUUID() }, body: w.body };
      },
      onResponse: counted('submitReport', (b) => acknowledgedReports.add(b.id)),
    };
    const createTask = {
      method: 'POST',
      setupRequest: (req: Record<string, unknown>) => {
        const i = taskN++;
        return {
          ...req,
          path: '/v1/tasks',
          headers: { ...JSON_AUTH, 'idempotency-key': randomUUID() },
          body: JSON.stringify({
            planId: setup.sinkPlanId,
            code: `S.${i}`,
            title: `Soak created measure ${i}`,
            area: 'trade',
            dueDate: '2026-12-31',
            assignees: [{ organizationId: setup.orgIds[i % setup.orgIds.length], role: 'lead' }],
          }),
        };
      },
      onResponse: counted('createTask', (b) => acknowledgedTasks.add(b.id)),
    };
    const progressReport = {
      method: 'GET',
      path: `/v1/reports/progress?planId=${setup.planId}`,
      headers: { ...AUTH, accept: 'application/json' },
      onResponse: counted('progressReport'),
    };
    // Each connection walks this list in order: 70% reads, 20% writes, 10% whole-plan progress reports.
    const requests = [getTask, listTasks, submitReport, getTask, listTasks, progressReport, getTask, createTask, listTasks, getTask];

    const samples: { t: number; mb: number }[] = [];
    const loadStart = Date.now();
    let socketErrors = 0;
    let timeouts = 0;
    const states: Record<string, number> = {};
    const cpuAtStart = cpuTicks(pid) ?? 0;
    let lastResponseAt = 0;
    let longestPauseMs = 0;
    const sampler = setInterval(() => {
      const state = processState(pid);
      if (state !== null) states[state] = (states[state] ?? 0) + 1;
      const mb = rssMb(pid);
      if (mb !== null) samples.push({ t: (Date.now() - loadStart) / 1000, mb });
    }, SAMPLE_EVERY_MS);
    const progressEvery = Math.max(2, Math.round(durationSeconds / 6));
    const progress = setInterval(() => {
      const responses = Object.values(byKind).reduce((s, k) => s + k.responses, 0);
      const non2xx = Object.values(byKind).reduce((s, k) => s + k.non2xx, 0);
      log(
        `  ${Math.round((Date.now() - loadStart) / 1000)} s: ${responses} responses, ${non2xx} non-2xx, ${socketErrors} errors, ` +
          `${timeouts} timeouts, rss ${samples.at(-1)?.mb.toFixed(1) ?? '?'} MB`,
      );
    }, progressEvery * 1000);
    let result: LoadResult;
    let loadEnd = Date.now();
    let cpuAtEnd = cpuAtStart;
    try {
      result = await new Promise<LoadResult>((resolve, reject) => {
        const instance = autocannon(
          { url: server.base, connections, duration: durationSeconds, timeout: 10, headers: AUTH, requests },
          (err: Error | null, res: LoadResult) => (err ? reject(err) : resolve(res)),
        );
        instance.on('reqError', () => socketErrors++);
        instance.on('response', (_client: unknown, _status: number, bytes: number, ms: number) => {
          const now = Date.now();
          if (lastResponseAt > 0 && now - loadStart > 2000) longestPauseMs = Math.max(longestPauseMs, now - lastResponseAt);
          lastResponseAt = now;
          totals.ms[lastKind] += ms;
          totals.bytes[lastKind] += bytes;
          byKind[lastKind].maxMs = Math.max(byKind[lastKind].maxMs, Math.round(ms));
        });
        instance.on('timeout', () => timeouts++);
      });
      loadEnd = Date.now();
      cpuAtEnd = cpuTicks(pid) ?? cpuAtStart;
    } finally {
      clearInterval(sampler);
      clearInterval(progress);
    }
    for (const [kind, k] of Object.entries(byKind) as [Kind, SoakSummary['byKind'][Kind]][]) {
      k.meanMs = round(totals.ms[kind] / Math.max(1, k.responses));
      k.meanKb = round(totals.bytes[kind] / Math.max(1, k.responses) / 1024);
    }
    for (const line of firstRefusals) log(`  refused: ${line}`);
    const memory = memoryTrend(samples, durationSeconds);
    log(
      `load: ${result.requests.total} responses, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; ` +
        `rss ${memory.rss.firstMb} → ${memory.rss.lastMb} MB, slope ${memory.slopeMbPerMin} MB/min, floor slope ${memory.floorSlopeMbPerMin} MB/min`,
    );

    // ---- Graceful shutdown under load ---------------------------------------------------------------
    const shutdown = await shutDownUnderLoad(server, nextReport, shutdownWriters, log);

    // ---- The file -----------------------------------------------------------------------------------
    const db = new Database(databasePath, { readonly: true, fileMustExist: true });
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const reportRows = db.prepare('SELECT id, task_id AS taskId, organization_id AS organizationId, period FROM progress_reports').all() as {
      id: string;
      taskId: string;
      organizationId: string;
      period: string;
    }[];
    const taskRows = db.prepare('SELECT id FROM tasks WHERE plan_id = ?').all(setup.sinkPlanId) as { id: string }[];
    db.close();
    const reportIds = new Set(reportRows.map((r) => r.id));
    const triples = new Set(reportRows.map((r) => `${r.taskId} ${r.organizationId} ${r.period}`));
    const taskIds = new Set(taskRows.map((r) => r.id));

    const loadAcknowledged = acknowledgedReports.size + acknowledgedTasks.size;
    const loadPresent = [...acknowledgedReports].filter((id) => reportIds.has(id)).length + [...acknowledgedTasks].filter((id) => taskIds.has(id)).length;
    const ack = shutdown.writes.filter((w) => w.status === 201);
    const present = ack.filter((w) => w.id !== undefined && reportIds.has(w.id)).length;
    const refusedButCommitted = shutdown.writes.filter((w) => w.status !== undefined && w.status !== 201 && triples.has(w.triple)).length;
    const unansweredButCommitted = shutdown.writes.filter((w) => w.status === undefined && triples.has(w.triple)).length;
    const otherStatuses: Record<string, number> = {};
    for (const w of shutdown.writes) {
      if (w.status !== undefined && w.status !== 201 && w.status !== 503) otherStatuses[String(w.status)] = (otherStatuses[String(w.status)] ?? 0) + 1;
    }
    const connectionErrors: Record<string, number> = {};
    for (const w of shutdown.writes) if (w.error) connectionErrors[w.error] = (connectionErrors[w.error] ?? 0) + 1;

    const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
    const summary: SoakSummary = {
      seed,
      durationSeconds,
      connections,
      setup: { organizations, tasks, assignments: setup.assignments.length, ms: setupMs },
      requests: result.requests.total,
      byKind,
      rps: Math.round(result.requests.total / result.duration),
      non2xx: result.non2xx,
      statusCodes,
      errors: result.errors,
      timeouts: result.timeouts,
      latency: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, mean: round(result.latency.average, 2) },
      longestPauseMs,
      serverProcess: { states, cpuPercent: round(((cpuAtEnd - cpuAtStart) / CLOCK_TICKS / ((loadEnd - loadStart) / 1000)) * 100) },
      writes: { acknowledged: loadAcknowledged, present: loadPresent, lost: loadAcknowledged - loadPresent },
      ...memory,
      trendJudged: judgeTrend,
      shutdown: {
        writers: shutdownWriters,
        sent: shutdown.writes.length,
        acknowledged: ack.length,
        acknowledgedAfterSignal: ack.filter((w) => w.answeredAfterSignal).length,
        answeredAfterSignalWithConnectionClose: shutdown.writes.filter((w) => w.answeredAfterSignal && w.connectionClose).length,
        present,
        lost: ack.length - present,
        refused503: shutdown.writes.filter((w) => w.status === 503).length,
        otherStatuses,
        connectionErrors,
        refusedButCommitted,
        unansweredButCommitted,
        exitCode: shutdown.exitCode,
        signal: shutdown.signal,
        ms: shutdown.ms,
      },
      integrity,
      serverWarnings: server.output().split('\n').filter((l) => l.trim() !== '').slice(0, 10),
      failures: [],
      ok: false,
    };
    summary.failures = judge(summary);
    summary.ok = summary.failures.length === 0;
    return summary;
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await exited(server.child, 10_000).catch(() => {});
    }
  }
}

interface ShutdownWrite {
  triple: string;
  status?: number;
  id?: string;
  error?: string;
  answeredAfterSignal?: boolean;
  connectionClose?: boolean;
}

/**
 * `writers` loops POST new progress reports back to back; after a second of that, SIGTERM. Each loop goes on until
 * its request fails to connect (the server stopped listening) or the process is gone, so requests are in flight
 * when the signal lands and new ones keep arriving while the server closes.
 */
async function shutDownUnderLoad(server: RunningServer, nextReport: ReturnType<typeof reportWriter>, writers: number, log: (line: string) => void) {
  const writes: ShutdownWrite[] = [];
  let signalAt = 0;
  let gone = false;
  const writer = async () => {
    while (!gone) {
      const w = nextReport();
      const record: ShutdownWrite = { triple: w.triple };
      writes.push(record);
      try {
        const res = await fetch(`${server.base}${w.path}`, {
          method: 'POST',
          headers: { ...JSON_AUTH, 'idempotency-key': randomUUID() },
          body: w.body,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        record.status = res.status;
        record.answeredAfterSignal = signalAt > 0;
        record.connectionClose = res.headers.get('connection') === 'close';
        if (res.status === 201) record.id = (JSON.parse(text) as { id: string }).id;
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        record.error = cause?.code ?? cause?.message ?? (err as Error).name;
        return; // refused or cut: this writer is done
      }
    }
  };
  const running = Array.from({ length: writers }, () => writer());
  await new Promise((r) => setTimeout(r, 1000));
  const before = writes.length;
  signalAt = Date.now();
  server.child.kill('SIGTERM');
  let exitCode: number | null = null;
  let signal: string | null = null;
  try {
    ({ code: exitCode, signal } = await exited(server.child, 15_000));
  } catch {
    signal = 'SIGKILL (sent by the harness: no exit within 15 s)';
    server.child.kill('SIGKILL');
    await exited(server.child, 10_000).catch(() => {});
  }
  const ms = Date.now() - signalAt;
  gone = true;
  await Promise.all(running);
  log(`shutdown: ${before} writes before SIGTERM, ${writes.length - before} after; exit code ${exitCode}, signal ${signal}, ${ms} ms`);
  return { writes, exitCode, signal, ms };
}

/** The criteria of the header, as messages; empty when the run passed. */
export function judge(s: SoakSummary): string[] {
  const f: string[] = [];
  if (s.non2xx > 0) f.push(`${s.non2xx} non-2xx answers during the load (${JSON.stringify(s.statusCodes)})`);
  if (s.errors > 0) f.push(`${s.errors} request errors during the load`);
  if (s.timeouts > 0) f.push(`${s.timeouts} timeouts during the load`);
  if (s.writes.lost > 0) f.push(`${s.writes.lost} writes acknowledged during the load are not in the file`);
  if (s.writes.acknowledged === 0) f.push('no write was acknowledged during the load');
  if (s.trendJudged && !s.trendOk) {
    f.push(
      `memory trend: floor slope ${s.floorSlopeMbPerMin} MB/min (limit ${MAX_SLOPE_MB_PER_MIN}), last quarter ${s.rss.lastQuarterMeanMb} MB vs ` +
        `second quarter ${s.rss.secondQuarterMeanMb} MB (limit +${MAX_LATE_GROWTH * 100}%)`,
    );
  }
  const d = s.shutdown;
  if (d.exitCode !== 0 || d.signal !== null) f.push(`shutdown: exit code ${d.exitCode}, signal ${d.signal} (expected 0, none)`);
  if (d.acknowledged === 0) f.push('shutdown: no write was acknowledged around SIGTERM');
  if (d.lost > 0) f.push(`shutdown: ${d.lost} acknowledged writes are not in the file`);
  if (Object.keys(d.otherStatuses).length > 0) f.push(`shutdown: refusals other than 503: ${JSON.stringify(d.otherStatuses)}`);
  if (d.refusedButCommitted > 0) f.push(`shutdown: ${d.refusedButCommitted} refused writes left a row`);
  if (d.unansweredButCommitted > 0) f.push(`shutdown: ${d.unansweredButCommitted} writes committed but their response never came (cut in flight)`);
  if (s.integrity !== 'ok') f.push(`integrity_check: ${s.integrity}`);
  return f;
}
