// Where the co-chairs' report, and the calendar feed, are computed. A large report (the whole plan of 100,000 tasks takes seconds) in the report
// worker (progress.worker.ts), a thread of its own: on the event loop it would hold up every ministry system's request
// for as long. A small one (a real plan has hundreds of tasks: milliseconds) in the request's own turn, where a thread
// hop and a queue behind one worker would cost more than they save. An in-memory database (tests, demos), which no
// other connection can open, is always reported on in the route's thread, where the test suite's serializer check
// sees the JSON too. Both give the same bytes (test/reports/report-worker.test.ts). The calendar feed of a large plan
// (100,000 tasks: 34 MB in 3 s) is written in the same threads, in the same queue, by the same rule.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { dataState } from '../../db/connection.js';
import { committed, pendingCommit } from '../../db/group-commit.js';
import { canonicalJson } from '../../lib/canonical-json.js';
import { DEFAULTS } from '../../config.js';
import { AppError, ERRORS, specOf } from '../../errors.js';
import type { ServiceDeps } from '../../lib/service.js';
import type { ProgressReportQuery, ReportFormat } from './progress.schemas.js';
import { openTaskCount } from '../calendar/calendar.repository.js';
import { createCalendarService, type CalendarFeed, type CalendarQuery } from '../calendar/calendar.service.js';
import { tasksInScope } from './progress.scope-repository.js';
import { createProgressService } from './progress.service.js';
import { renderReport, type ProducedReport, type ReportRequest } from './progress.render.js';
import { transferablesOf, type ReportPart } from './progress.parts.js';
import type { WorkerAnswer, WorkerData, WorkerTask } from './progress.worker.js';

/**
 * Who asks (an API key's id, a read-only link's): a large report or feed of its own, not shared with an identical one
 * under way, counts against its PER_REQUESTER while computed.
 */
export type Requester = string | undefined;

export interface ReportProducer {
  produce(query: ProgressReportQuery, format: ReportFormat, requester?: Requester): Promise<ProducedReport>;
  /** The calendar feed (calendar.service.ts), written where a report of as many tasks would be computed. */
  calendar(query: CalendarQuery, requester?: Requester): Promise<CalendarFeed>;
  close(): Promise<void>;
  /** Where the reports computed so far were computed (tests and operators read it). */
  readonly stats: ReportProducerStats;
}

export interface ReportProducerStats {
  /** In the caller's thread. */
  here: number;
  /** Whole, in a worker thread. */
  whole: number;
  /** In parts, one per worker thread, and put together. */
  inParts: number;
  /** In parts that read different data (a write between their snapshots), so computed again whole. */
  partsDiscarded: number;
  /** Calendar feeds written in a worker thread. */
  calendars: number;
}

export const newReportStats = (): ReportProducerStats => ({ here: 0, whole: 0, inParts: 0, partsDiscarded: 0, calendars: 0 });

/** In the caller's thread, on its connection. */
export function inProcessProducer(deps: ServiceDeps, stats = newReportStats()): ReportProducer {
  const service = createProgressService(deps);
  const calendar = createCalendarService(deps);
  return {
    stats,
    // Written in this turn: the db plugin holds the answer until the writes it read are committed.
    async calendar(query) {
      return calendar.build(query);
    },
    async produce(query, format) {
      const report = service.build(query);
      // What it read may be writes of a group not yet committed; rendering may outlast the turn (a workbook), and
      // the answer must not show writes that group then lost.
      const readIn = pendingCommit(deps.db);
      stats.here++;
      const rendered = format === 'json' ? { body: report } : await renderReport(report, format, query.table, query.dialect);
      if (readIn) await readIn;
      return { asOf: report.asOf, ...rendered };
    },
    async close() {},
  };
}

/** A worker's bytes as a Buffer, which a reply sends as they are (the same memory, not a copy). */
const bytesOf = (body: Uint8Array): Buffer => Buffer.from(body.buffer, body.byteOffset, body.byteLength);

/** The worker's file beside this one: .ts when run from the sources (tsx, tap), .js when built. */
const WORKER_FILE = fileURLToPath(new URL(`./progress.worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));


/**
 * Large reports and feeds one requester may have computed at once (besides those it shares): the queue is everyone's,
 * and one observer's key asking for the report as of one past day after another would otherwise fill it, and have
 * every other caller refused. One more is 429 for that requester alone.
 */
export const PER_REQUESTER = 4;

/** Worker threads: two at most (the JSON of a very large report is computed in two parts at once), one per core. */
export const REPORT_THREADS = Math.min(2, availableParallelism());

/** A report producer that can compute a JSON report in parts (see progress.parts.ts). */
interface WorkerProducer {
  produce(query: ProgressReportQuery, format: ReportFormat, inParts: boolean, requester: Requester): Promise<ProducedReport>;
  calendar(query: CalendarQuery, requester: Requester): Promise<CalendarFeed>;
  close(): Promise<void>;
  readonly stats: ReportProducerStats;
}

/**
 * In worker threads (REPORT_THREADS), started at the first report and ended after a minute without one. Reports
 * wait their turn: a whole-plan report needs over a gigabyte at 100,000 tasks. A JSON report `inParts` is computed as
 * that many ranges of its tasks at once, one per thread, and put together by a thread (the route's would wait a tenth
 * of a second on copying 100 MB). The same report asked again while it is computed, with nothing written meanwhile
 * and within the minute (the co-chairs' staff opening it on the eve of a visit), shares that computation. At most
 * `maxWaiting` reports wait; one more is refused with 503 and Retry-After rather than left waiting behind
 * a long queue; so is, with 429, one more of a requester that has PER_REQUESTER of its own under way.
 */
function workerProducer(
  deps: ServiceDeps & { databasePath: string; maxWaiting: number; threads: number; log: (err: unknown) => void; stats: ReportProducerStats },
): WorkerProducer {
  const { threads } = deps;
  const workerData: WorkerData = { databasePath: deps.databasePath };
  const pool = new Piscina<WorkerTask, WorkerAnswer>({ filename: WORKER_FILE, workerData, minThreads: 0, maxThreads: threads, idleTimeout: 60_000 });
  // A report that fails in the worker (it cannot open the database, say) is that request's 500. A worker that dies
  // outside a task is logged, and the next report starts another: without a listener, the pool's 'error' event would
  // end the process.
  pool.on('error', deps.log);
  const inFlight = new Map<string, Promise<unknown>>();
  /** The computations under way that each requester started. */
  const started = new Map<string, number>();
  const { stats } = deps;

  /**
   * What the same request, asked again while it is computed with nothing written meanwhile and within the same minute,
   * shares; a new one is refused while `maxWaiting` wait already, or its requester has PER_REQUESTER under way.
   */
  async function shared<T>(what: string, requester: Requester, compute: () => Promise<T>): Promise<T> {
    // The worker reads what is committed: the writes of the open group (src/db/group-commit.ts) first. Should that
    // group fail, its writes are gone, and the worker rightly does not see them.
    await committed(deps.db).catch(() => undefined);
    const key = `${dataState(deps.db)}|${Math.floor(deps.clock().getTime() / 60_000)}|${what}`;
    let running = inFlight.get(key) as Promise<T> | undefined;
    if (!running) {
      // Reports, not the pool's tasks: a report in parts is one task per thread and one more to put them together.
      const waiting = inFlight.size - threads;
      if (waiting >= deps.maxWaiting) {
        throw new AppError(ERRORS.unavailable, `${waiting} large reports are waiting to be computed; ask again in a minute`, undefined, {
          'retry-after': '60',
        });
      }
      const mine = requester === undefined ? 0 : (started.get(requester) ?? 0);
      if (mine >= PER_REQUESTER) {
        throw new AppError(ERRORS.tooManyRequests, `${mine} large reports or calendar feeds asked for with this key or link are being computed; ask again once they are done`, undefined, {
          'retry-after': '10',
        });
      }
      if (requester !== undefined) started.set(requester, mine + 1);
      running = compute().finally(() => {
        inFlight.delete(key);
        if (requester === undefined) return;
        const left = (started.get(requester) ?? 1) - 1;
        if (left > 0) started.set(requester, left);
        else started.delete(requester);
      });
      inFlight.set(key, running);
    }
    return running;
  }

  /** The worker's answer, or the refusal it carries thrown again. */
  async function run(task: WorkerTask, transferList?: ArrayBuffer[]): Promise<Exclude<WorkerAnswer, { refused: unknown }>> {
    const answer = await pool.run(task, transferList ? { transferList } : {});
    if ('refused' in answer) {
      const { code, detail, errors } = answer.refused;
      throw new AppError(specOf(code) ?? ERRORS.internal, detail, errors);
    }
    return answer;
  }

  async function compute(request: ReportRequest, inParts: boolean): Promise<ProducedReport> {
    if (inParts && threads > 1) {
      const answers = await Promise.all(Array.from({ length: threads }, (_, part) => run({ ...request, part: { part, of: threads } })));
      const parts = answers.map((answer) => (answer as { part: ReportPart }).part);
      const { asOf, body } = (await run({ assemble: parts }, parts.flatMap(transferablesOf))) as { asOf: string; body: Uint8Array | null };
      if (body) {
        stats.inParts++;
        return { asOf, body: bytesOf(body) };
      }
      // The parts read different data (a write committed between their snapshots), or their day had tasks renumbered
      // since (they were split in the order of today): the report is computed whole.
      stats.partsDiscarded++;
    }
    const { asOf, body, version } = (await run(request)) as { asOf: string; body: Uint8Array; version?: string };
    stats.whole++;
    return { asOf, body: bytesOf(body), ...(version === undefined ? {} : { version }) };
  }

  return {
    stats,
    produce(query, format, inParts, requester) {
      return shared(`${format}|${canonicalJson(query)}`, requester, () => compute({ query, format, now: deps.clock().getTime() }, inParts));
    },
    calendar(query, requester) {
      return shared(`calendar|${canonicalJson(query)}`, requester, async () => {
        const { feed } = (await run({ calendar: query, now: deps.clock().getTime() })) as { feed: { name: string; body: Uint8Array; etag: string } };
        stats.calendars++;
        return { ...feed, body: bytesOf(feed.body) };
      });
    },
    // Closing lets the reports under way finish (their requests are still to be answered), then ends the threads.
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
  /** JSON reports covering at least this many tasks are computed in parts, one per worker thread. */
  partsMinTasks?: number;
  /** Worker threads (REPORT_THREADS by default); with one, no report is computed in parts. */
  threads?: number;
  /** Reports that may wait for the worker; one more is refused with 503. */
  maxWaiting?: number;
  log: (err: unknown) => void;
  /** Counts the reports into this object (a new one by default). */
  stats?: ReportProducerStats;
}

/** In the route's thread or in the worker, by the size of what is asked. */
export function reportProducer({
  databasePath,
  workerMinTasks,
  partsMinTasks = DEFAULTS.reportPartsMinTasks,
  threads = REPORT_THREADS,
  maxWaiting = 16,
  log,
  stats = newReportStats(),
  ...deps
}: ProducerOptions): ReportProducer {
  const here = inProcessProducer(deps, stats);
  if (databasePath === null) return here;
  const worker = workerProducer({ ...deps, databasePath, maxWaiting, threads, log, stats });
  return {
    stats,
    produce(query, format, requester) {
      const size = tasksInScope(deps.db, query);
      return size >= workerMinTasks ? worker.produce(query, format, format === 'json' && size >= partsMinTasks, requester) : here.produce(query, format);
    },
    calendar(query, requester) {
      return openTaskCount(deps.db, query, workerMinTasks) >= workerMinTasks ? worker.calendar(query, requester) : here.calendar(query);
    },
    close: () => worker.close(),
  };
}
