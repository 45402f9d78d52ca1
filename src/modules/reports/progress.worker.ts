// The report worker: computes and renders the co-chairs' report in a thread of its own (piscina), so that the
// whole-plan report of a large plan (seconds of work) does not hold up every other request on the event loop; and
// writes a large calendar feed, for the same reason.
//
// It reads the database file through a read-only connection of its own, each report in one read transaction: one
// snapshot of what was committed. The route waits for its connection's open write group to commit before it asks,
// so the worker sees every write made before the request. "Now" is the request's (app.clock), so tests and demos
// that fix the day fix it here too. A refusal (404, 409, 422) comes back as its problem, not as an exception: an
// AppError does not survive the thread boundary.
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { move, transferableSymbol, valueSymbol, workerData } from 'piscina';
import * as schema from '../../db/schema.js';
import { AppError, type FieldError } from '../../errors.js';
import type { ProgressReport } from './progress.schemas.js';
import { assembleReport, reportPart, transferablesOf, type ReportPart } from './progress.parts.js';
import { historyMark } from './progress.history-repository.js';
import { createProgressService, type ReportPartIndex } from './progress.service.js';
import { renderReport, type ReportRequest } from './progress.render.js';
import { createCalendarService, type CalendarQuery } from '../calendar/calendar.service.js';

/** How much lower than the event loop's the report threads' priority is (nice 10: about a tenth of its weight). */
export const REPORT_THREAD_NICE = 10;

export interface WorkerData {
  databasePath: string;
}

/** A calendar feed to write, as of `now` (the request's clock). */
export interface CalendarRequest {
  calendar: CalendarQuery;
  now: number;
}

/** What the worker is asked: a report; one part of a JSON report; the JSON of a report from its parts; a calendar feed. */
export type WorkerTask = ReportRequest | (ReportRequest & { part: ReportPartIndex }) | { assemble: ReportPart[] } | CalendarRequest;

type Refusal = { refused: { code: string; detail: string; errors?: FieldError[] } };
/** What the worker answers: the report's day and bytes (null: its parts read different data), a part, or a refusal. */
export type WorkerAnswer =
  | { asOf: string; body: Uint8Array | null; version?: string }
  | { part: ReportPart }
  | { feed: { name: string; body: Uint8Array; etag: string } }
  | Refusal;

let now = 0;

/**
 * On Linux the nice value is a thread's own (setpriority(2), NOTES): the report threads yield the cores to the event
 * loop, which answers everyone else, and take what it leaves. Elsewhere it would lower the whole process: left as is.
 * Only in a worker thread: a module importing this one for its types or constants must not lower its own thread.
 */
if (process.platform === 'linux' && !isMainThread) {
  try {
    setPriority(REPORT_THREAD_NICE);
  } catch {
    // Not allowed here (a container without the capability): the threads keep the process's priority.
  }
}

/** The connection and its report computations, opened at the first report: a failure to open is that report's error. */
function open() {
  const sqlite = new Database((workerData as WorkerData).databasePath, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  const service = createProgressService({ db, clock: () => new Date(now) });
  const calendar = createCalendarService({ db, clock: () => new Date(now) });
  // One snapshot for each computation (deferred: it begins with the first read).
  return {
    build: sqlite.transaction((request: ReportRequest): ProgressReport => service.build(request.query)),
    calendar: sqlite.transaction((request: CalendarRequest) => calendar.build(request.calendar)),
    part: sqlite.transaction((request: ReportRequest & { part: ReportPartIndex }): ReportPart => reportPart(service.walk(request.query, request.part), historyMark(db))),
  };
}
let inOneSnapshot: ReturnType<typeof open> | undefined;

/** A refusal (AppError) as data: it does not survive the thread boundary as an exception. */
function refusal(err: unknown): Refusal {
  if (!(err instanceof AppError)) throw err;
  return { refused: { code: err.spec.code, detail: err.detail, ...(err.errors ? { errors: err.errors } : {}) } };
}

export default async function produce(task: WorkerTask): Promise<WorkerAnswer | object> {
  if ('assemble' in task) {
    const body = assembleReport(task.assemble);
    const answer: WorkerAnswer = { asOf: (task.assemble[0] as ReportPart).head.asOf, body };
    return body ? move({ [transferableSymbol]: [body.buffer], [valueSymbol]: answer }) : answer;
  }
  now = task.now;
  inOneSnapshot ??= open();
  if ('calendar' in task) {
    let feed;
    try {
      feed = inOneSnapshot.calendar(task);
    } catch (err) {
      return refusal(err);
    }
    const body = new TextEncoder().encode(feed.body as string);
    return move({ [transferableSymbol]: [body.buffer], [valueSymbol]: { feed: { ...feed, body } } satisfies WorkerAnswer });
  }
  if ('part' in task) {
    let part: ReportPart;
    try {
      part = inOneSnapshot.part(task);
    } catch (err) {
      return refusal(err);
    }
    return move({ [transferableSymbol]: transferablesOf(part), [valueSymbol]: { part } satisfies WorkerAnswer });
  }
  const request = task;
  let report: ProgressReport;
  try {
    report = inOneSnapshot.build(request);
  } catch (err) {
    return refusal(err);
  }
  const { format } = request;
  const { body: rendered, version } = format === 'json' ? { body: JSON.stringify(report) } : await renderReport(report, format, request.query.table, request.query.dialect);
  // Bytes of their own, handed over to the route's thread rather than copied (a whole plan's JSON is ~100 MB).
  const body = typeof rendered === 'string' ? new TextEncoder().encode(rendered) : new Uint8Array(rendered);
  const answer: WorkerAnswer = { asOf: report.asOf, body, ...(version === undefined ? {} : { version }) };
  return move({ [transferableSymbol]: [body.buffer], [valueSymbol]: answer });
}
