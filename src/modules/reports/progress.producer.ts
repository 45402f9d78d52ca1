// Where the co-chairs' report is computed. A large report (the whole plan of 100,000 tasks takes seconds) in the report
// worker (progress.worker.ts), a thread of its own: on the event loop it would hold up every ministry system's request
// for as long. A small one (a real plan has hundreds of tasks: milliseconds) in the request's own turn, where a thread
// hop and a queue behind one worker would cost more than they save. An in-memory database (tests, demos), which no
// other connection can open, is always reported on in the route's thread, where the test suite's serializer check
// sees the JSON too. Both give the same bytes (test/reports/report-worker.test.ts).
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { dataState } from '../../db/connection.js';
import { committed } from '../../db/group-commit.js';
import { canonicalJson } from '../../lib/canonical-json.js';
import { AppError, ERRORS, type ErrorSpec } from '../../errors.js';
import type { ServiceDeps } from '../../lib/service.js';
import type { ProgressReportQuery, ReportFormat } from './progress.schemas.js';
import { tasksInScope } from './progress.repository.js';
import { createProgressService } from './progress.service.js';
import { renderReport, type ProducedReport, type ReportRequest } from './progress.render.js';
import type { WorkerAnswer, WorkerData } from './progress.worker.js';

export interface ReportProducer {
  produce(query: ProgressReportQuery, format: ReportFormat): Promise<ProducedReport>;
  close(): Promise<void>;
}

/** In the caller's thread, on its connection. */
export function inProcessProducer(deps: ServiceDeps): ReportProducer {
  const service = createProgressService(deps);
  return {
    async produce(query, format) {
      const report = service.build(query);
      return { asOf: report.asOf, body: format === 'json' ? report : await renderReport(report, format, query.table) };
    },
    async close() {},
  };
}

/** The worker's file beside this one: .ts when run from the sources (tsx, tap), .js when built. */
const WORKER_FILE = fileURLToPath(new URL(`./progress.worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

const SPECS: ReadonlyMap<string, ErrorSpec> = new Map(Object.values(ERRORS).map((spec) => [spec.code, spec]));

/**
 * In one worker thread, started at the first report and ended after a minute without one. Reports wait their turn:
 * one whole-plan report at a time keeps the memory it needs (over a gigabyte at 100,000 tasks) to one. The same
 * report asked again while it is computed, with nothing written meanwhile and within the minute (the co-chairs'
 * staff opening it on the eve of a visit), shares that computation. At most `maxWaiting` others wait; one more is
 * refused with 503 and Retry-After rather than left waiting behind a long queue.
 */
function workerProducer(deps: ServiceDeps & { databasePath: string; maxWaiting: number; log: (err: unknown) => void }): ReportProducer {
  const workerData: WorkerData = { databasePath: deps.databasePath };
  const pool = new Piscina<ReportRequest, WorkerAnswer>({ filename: WORKER_FILE, workerData, minThreads: 0, maxThreads: 1, idleTimeout: 60_000 });
  // A report that fails in the worker (it cannot open the database, say) is that request's 500. A worker that dies
  // outside a task is logged, and the next report starts another: without a listener, the pool's 'error' event would
  // end the process.
  pool.on('error', deps.log);
  const inFlight = new Map<string, Promise<ProducedReport>>();

  async function compute(request: ReportRequest): Promise<ProducedReport> {
    if (pool.queueSize >= deps.maxWaiting) {
      throw new AppError(ERRORS.unavailable, `${pool.queueSize} large reports are waiting to be computed; ask again in a minute`, undefined, {
        'retry-after': '60',
      });
    }
    const answer = await pool.run(request);
    if ('refused' in answer) {
      const { code, detail, errors } = answer.refused;
      throw new AppError(SPECS.get(code) ?? ERRORS.internal, detail, errors);
    }
    return { asOf: answer.asOf, body: answer.body };
  }

  return {
    async produce(query, format) {
      // The worker reads what is committed: the writes of the open group (src/db/group-commit.ts) first. Should that
      // group fail, its writes are gone, and the worker rightly does not see them.
      await committed(deps.db).catch(() => undefined);
      const now = deps.clock().getTime();
      const key = `${dataState(deps.db)}|${Math.floor(now / 60_000)}|${format}|${canonicalJson(query)}`;
      let shared = inFlight.get(key);
      if (!shared) {
        shared = compute({ query, format, now }).finally(() => inFlight.delete(key));
        inFlight.set(key, shared);
      }
      return shared;
    },
    // Closing lets the reports under way finish (their requests are still to be answered), then ends the thread.
    async close() {
      await Promise.allSettled(inFlight.values());
      await pool.destroy();
    },
  };
}

export interface ProducerOptions extends ServiceDeps {
  /** The database file the worker opens; null for an in-memory database. */
  databasePath: string | null;
  /** Reports covering at least this many tasks go to the worker (0: all). */
  workerMinTasks: number;
  /** Reports that may wait for the worker; one more is refused with 503. */
  maxWaiting?: number;
  log: (err: unknown) => void;
}

/** In the route's thread or in the worker, by the size of what is asked. */
export function reportProducer({ databasePath, workerMinTasks, maxWaiting = 16, log, ...deps }: ProducerOptions): ReportProducer {
  const here = inProcessProducer(deps);
  if (databasePath === null) return here;
  const worker = workerProducer({ ...deps, databasePath, maxWaiting, log });
  return {
    produce: (query, format) => (tasksInScope(deps.db, query) >= workerMinTasks ? worker : here).produce(query, format),
    close: () => worker.close(),
  };
}
