// The report worker: computes and renders the co-chairs' report in a thread of its own (piscina), so that the
// whole-plan report of a large plan (seconds of work) does not hold up every other request on the event loop.
//
// It reads the database file through a read-only connection of its own, each report in one read transaction: one
// snapshot of what was committed. The route waits for its connection's open write group to commit before it asks,
// so the worker sees every write made before the request. "Now" is the request's (app.clock), so tests and demos
// that fix the day fix it here too. A refusal (404, 409, 422) comes back as its problem, not as an exception: an
// AppError does not survive the thread boundary.
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { move, transferableSymbol, valueSymbol, workerData } from 'piscina';
import * as schema from '../../db/schema.js';
import { AppError, type FieldError } from '../../errors.js';
import type { ProgressReport } from './progress.schemas.js';
import { createProgressService } from './progress.service.js';
import { renderReport, type ReportRequest } from './progress.render.js';

export interface WorkerData {
  databasePath: string;
}

/** What the worker answers: the report's day and bytes, or the refusal the route throws again. */
export type WorkerAnswer = { asOf: string; body: Uint8Array } | { refused: { code: string; detail: string; errors?: FieldError[] } };

let now = 0;

/** The connection and its report computation, opened at the first report: a failure to open is that report's error. */
function open() {
  const sqlite = new Database((workerData as WorkerData).databasePath, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  const service = createProgressService({ db: drizzle(sqlite, { schema }), clock: () => new Date(now) });
  // One snapshot for the whole computation (deferred: it begins with the first read).
  return sqlite.transaction((request: ReportRequest): ProgressReport => service.build(request.query));
}
let buildInOneSnapshot: ReturnType<typeof open> | undefined;

export default async function produce(request: ReportRequest): Promise<WorkerAnswer | object> {
  now = request.now;
  buildInOneSnapshot ??= open();
  let report: ProgressReport;
  try {
    report = buildInOneSnapshot(request);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { refused: { code: err.spec.code, detail: err.detail, ...(err.errors ? { errors: err.errors } : {}) } };
  }
  const { format } = request;
  const rendered = format === 'json' ? JSON.stringify(report) : await renderReport(report, format, request.query.table);
  // Bytes of their own, handed over to the route's thread rather than copied (a whole plan's JSON is ~100 MB).
  const body = typeof rendered === 'string' ? new TextEncoder().encode(rendered) : new Uint8Array(rendered);
  const answer: WorkerAnswer = { asOf: report.asOf, body };
  return move({ [transferableSymbol]: [body.buffer], [valueSymbol]: answer });
}
