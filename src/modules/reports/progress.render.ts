// The co-chairs' report in each of its formats, as one computation: the route runs it in its own thread on an
// in-memory database, the report worker (progress.worker.ts) on a database file. Both give the same bytes.
import { createHash } from 'node:crypto';
import { renderProgressCsv, type CsvTable } from './progress.csv.js';
import { renderVersionedProgressHtml } from './progress.html.js';
import type { CsvDialect, ProgressReport, ProgressReportQuery, ReportFormat } from './progress.schemas.js';
import { renderProgressXlsx } from './progress.xlsx.js';

/** A report to produce: what was asked, in which format, and the instant that counts as now. */
export interface ReportRequest {
  query: ProgressReportQuery;
  format: ReportFormat;
  /** app.clock() of the request, in milliseconds: the worker's "today" is the route's. */
  now: number;
}

/** A produced report: its day, its body and (the printable page) its version. */
export interface ProducedReport extends Pick<RenderedReport, 'version'> {
  asOf: string;
  /** The JSON report as an object when produced in the route's thread; a report thread's bytes as a Buffer. */
  body: ProgressReport | string | Buffer;
}

/** A report in a format other than JSON. */
export interface RenderedReport {
  body: string | Buffer;
  /**
   * The printable page only: a digest of the page as it would read whenever it was generated (it shows the instant
   * it was), for an ETag that changes only when the data or the day does (a read-only link polled with If-None-Match).
   */
  version?: string;
}

/** The report in a format other than JSON (whose serialization is the route's, or the worker's JSON.stringify). */
export async function renderReport(
  report: ProgressReport,
  format: Exclude<ReportFormat, 'json'>,
  table: CsvTable | undefined,
  dialect?: CsvDialect,
): Promise<RenderedReport> {
  switch (format) {
    case 'csv':
      return { body: renderProgressCsv(report, table ?? 'breakdown', dialect ?? 'rfc4180') };
    case 'xlsx':
      return { body: await renderProgressXlsx(report) };
    case 'html': {
      const { html, version } = renderVersionedProgressHtml(report);
      return { body: html, version: createHash('sha256').update(version).digest('base64url') };
    }
  }
}
