// The co-chairs' report in each of its formats, as one computation: the route runs it in its own thread on an
// in-memory database, the report worker (progress.worker.ts) on a database file. Both give the same bytes.
import { renderProgressCsv, type CsvTable } from './progress.csv.js';
import { renderProgressHtml } from './progress.html.js';
import type { ProgressReport, ProgressReportQuery, ReportFormat } from './progress.schemas.js';
import { renderProgressXlsx } from './progress.xlsx.js';

/** A report to produce: what was asked, in which format, and the instant that counts as now. */
export interface ReportRequest {
  query: ProgressReportQuery;
  format: ReportFormat;
  /** app.clock() of the request, in milliseconds: the worker's "today" is the route's. */
  now: number;
}

/** A produced report: its day, and its body (the JSON report as an object when produced in the route's thread). */
export interface ProducedReport {
  asOf: string;
  body: ProgressReport | string | Uint8Array;
}

/** The report in a format other than JSON (whose serialization is the route's, or the worker's JSON.stringify). */
export async function renderReport(report: ProgressReport, format: Exclude<ReportFormat, 'json'>, table: CsvTable | undefined): Promise<string | Buffer> {
  switch (format) {
    case 'csv':
      return renderProgressCsv(report, table ?? 'breakdown');
    case 'xlsx':
      return renderProgressXlsx(report);
    case 'html':
      return renderProgressHtml(report);
  }
}
