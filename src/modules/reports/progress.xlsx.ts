// The progress report as an Excel workbook (exceljs): Summary, Tasks (the plan's own table layout, so a
// later import can read it back), Overdue, Missing reports and Indicators.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { TASK_STATUSES } from '../../db/enums.js';
import { breakdownGroups } from './progress.csv.js';
import type { Breakdown, ProgressReport, ReportTask } from './progress.schemas.js';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface Column {
  header: string;
  width: number;
  /** Long text: wrapped. */
  wrap?: boolean;
  /** A YYYY-MM-DD value written as a real date cell. */
  date?: boolean;
  numFmt?: string;
}

type Cell = ExcelJS.CellValue;

const DATE_FORMAT = 'yyyy-mm-dd';
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF5' } };

const asDate = (value: string | null): Cell => (value === null ? null : new Date(`${value}T00:00:00Z`));

/** A workbook written row by row: each row goes out when committed, so a plan of 100,000 tasks is never all in cells. */
type Workbook = ExcelJS.stream.xlsx.WorkbookWriter;

/**
 * A sheet holding one table: bold header row `headerRow` (rows above it carry `preamble` lines), frozen
 * below the header, filterable, with the given widths. `styleRow` may style a row before it is written.
 */
function addTable(workbook: Workbook, name: string, columns: Column[], rows: Cell[][], preamble: Cell[][] = [], styleRow?: (row: ExcelJS.Row) => void): void {
  const headerRow = preamble.length + 1;
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: headerRow, xSplit: 0 }] });
  sheet.columns = columns.map((c) => ({
    width: c.width,
    style: {
      alignment: c.wrap ? { wrapText: true, vertical: 'top' } : { vertical: 'top' },
      ...(c.date ? { numFmt: DATE_FORMAT } : {}),
      ...(c.numFmt ? { numFmt: c.numFmt } : {}),
    },
  }));
  const columnStyles = columns.map((_, j) => sheet.getColumn(j + 1).style);
  const write = (values: Cell[], style?: (row: ExcelJS.Row) => void) => {
    const row = sheet.addRow(values);
    style?.(row);
    styleRow?.(row);
    shareColumnStyles(row, columnStyles);
    row.commit();
  };
  preamble.forEach((line, i) => write(line, i === 0 ? (row) => (row.font = { bold: true, size: 13 }) : undefined));
  write(
    columns.map((c) => c.header),
    (header) => {
      header.font = { bold: true };
      header.alignment = { wrapText: true, vertical: 'middle' };
      header.eachCell((cell) => {
        cell.fill = HEADER_FILL;
        cell.border = { bottom: { style: 'thin' } };
      });
    },
  );
  for (const values of rows) write(values.map((v, j) => (columns[j]?.date && typeof v === 'string' ? asDate(v) : v)));
  sheet.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow, column: columns.length } };
  sheet.commit();
}

/**
 * Gives a cell styled only by its column the column's own style object. exceljs finds a style's id by writing it
 * as XML, once per style object it has not seen, and each new cell gets a copy of its row's and column's styles: on
 * the whole plan's 100,000 tasks that was a quarter of the workbook's time. A cell styled otherwise (a bold row, a
 * date format of its own) keeps its copy. After the row's styling, so nothing writes into a shared object.
 */
function shareColumnStyles(row: ExcelJS.Row, columnStyles: Partial<ExcelJS.Style>[]): void {
  row.eachCell({ includeEmpty: true }, (cell, column) => {
    const own = cell.style;
    const shared = columnStyles[column - 1];
    if (shared && own.numFmt === shared.numFmt && own.alignment === shared.alignment && !own.font && !own.border && !own.fill && !own.protection) {
      cell.style = shared;
    }
  });
}

const STATUS_HEADERS: Record<(typeof TASK_STATUSES)[number], string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  on_hold: 'On hold',
  done: 'Done',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

/** The Summary columns after Group, Name and Country: every figure of a breakdown. */
export const SUMMARY_FIGURES: { header: string; value: (b: Breakdown) => number; percent?: boolean }[] = [
  { header: 'Tasks', value: (b) => b.taskCount },
  ...TASK_STATUSES.map((s) => ({ header: STATUS_HEADERS[s], value: (b: Breakdown) => b.byStatus[s] })),
  ...TASK_STATUSES.map((s) => ({ header: `${STATUS_HEADERS[s]}, %`, value: (b: Breakdown) => b.percentByStatus[s], percent: true })),
  { header: 'Closed on time', value: (b) => b.closedOnTime },
  { header: 'Closed late', value: (b) => b.closedLate },
  { header: 'Closed by the original deadline', value: (b) => b.closedOnTimeAgainstOriginal },
  { header: 'Overdue', value: (b) => b.overdue },
  { header: 'Days overdue (sum)', value: (b) => b.overdueDays },
  { header: 'Due in 30 days', value: (b) => b.dueNext30Days },
  { header: 'Postponed tasks', value: (b) => b.postponedTasks },
  { header: 'Postponements', value: (b) => b.postponements },
  { header: 'Days moved', value: (b) => b.daysMoved },
  { header: 'Confidence: green', value: (b) => b.confidence.green },
  { header: 'Confidence: amber', value: (b) => b.confidence.amber },
  { header: 'Confidence: red', value: (b) => b.confidence.red },
  { header: 'No report yet', value: (b) => b.confidence.none },
  { header: 'Missing reports', value: (b) => b.missingReports },
];

const GROUP_NAMES = { total: 'Total', party: 'Party', organization: 'Organization', area: 'Area' } as const;

function summarySheet(workbook: Workbook, report: ProgressReport): void {
  const rp = report.reportingPeriod;
  const preamble: Cell[][] = [
    [`Progress report — ${report.scope.commissionName}`],
    ['Plans', report.scope.plans.map((p) => p.title).join('; ')],
    ['As of', asDate(report.asOf), 'Time zone', report.scope.timeZone, 'Generated at', report.generatedAt],
    ['Reporting period', rp.current, 'Last period due', rp.lastDue ?? '—', 'Its deadline', asDate(rp.lastDueDeadline)],
    [],
  ];
  const columns: Column[] = [
    { header: 'Group', width: 14 },
    { header: 'Name', width: 44, wrap: true },
    { header: 'Country', width: 9 },
    ...SUMMARY_FIGURES.map((f) => ({ header: f.header, width: 11, ...(f.percent ? { numFmt: '0.0' } : {}) })),
  ];
  const rows = breakdownGroups(report).map((g) => [
    GROUP_NAMES[g.dimension],
    g.label,
    g.country,
    ...SUMMARY_FIGURES.map((f) => f.value(g.figures)),
  ]);
  addTable(workbook, 'Summary', columns, rows, preamble, (row) => {
    if (row.number === 3) row.getCell(2).numFmt = DATE_FORMAT; // As of
    if (row.number === 4) row.getCell(6).numFmt = DATE_FORMAT; // the last period's deadline
    if (row.number === preamble.length + 2) row.font = { bold: true }; // the Total row
  });
}

/** The executors of one party, one per line, leads first and marked "(lead)", as the import reads them back. */
function executorsOf(task: ReportTask, country: string): string {
  return task.executors
    .filter((e) => e.country === country)
    .map((e) => (e.role === 'lead' ? `${e.name} (lead)` : e.name))
    .join('\n');
}

/** The Tasks sheet columns: the plan's own table first ("No" … "Basis"), then the report's figures. */
export function taskSheetHeaders(parties: string[], lang: string | null = null): string[] {
  return taskSheetColumns(parties, lang).map((c) => c.header);
}

/** With `lang`, titles are translations: the header says so ("Measure (en)"), so an import reads them as such. */
function taskSheetColumns(parties: string[], lang: string | null): Column[] {
  return [
    { header: 'No', width: 7 },
    { header: lang ? `Measure (${lang})` : 'Measure', width: 50, wrap: true },
    { header: 'Form of completion', width: 24, wrap: true },
    { header: 'Expected result', width: 30, wrap: true },
    { header: 'Deadline', width: 12, date: true },
    ...parties.map((p) => ({ header: `Executors (${p})`, width: 32, wrap: true })),
    { header: 'Basis', width: 30, wrap: true },
    { header: 'Area', width: 20 },
    { header: 'Status', width: 12 },
    { header: 'Original deadline', width: 12, date: true },
    { header: 'Overdue', width: 9 },
    { header: 'Days overdue', width: 9 },
    { header: 'Postponements', width: 9 },
    { header: 'Days moved', width: 9 },
    { header: 'Completion', width: 10 },
    { header: 'Completion against the original deadline', width: 12 },
    { header: 'Percent complete', width: 10 },
    { header: 'Confidence', width: 11 },
    { header: 'Plan', width: 30, wrap: true },
  ];
}

function planTitle(report: ProgressReport, planId: string): string {
  return report.scope.plans.find((p) => p.id === planId)?.title ?? '';
}

function tasksSheet(workbook: Workbook, report: ProgressReport): void {
  const parties = report.scope.parties;
  const rows = report.tasks.map((t): Cell[] => [
    t.code,
    t.title,
    t.formOfCompletion,
    t.expectedResult,
    t.dueDate,
    ...parties.map((p) => executorsOf(t, p) || null),
    t.basis?.text ?? null,
    t.area,
    t.status,
    t.originalDueDate,
    t.overdue,
    t.daysOverdue,
    t.postponementCount,
    t.daysMoved,
    t.completion,
    t.completionAgainstOriginal,
    t.percentComplete,
    t.confidence,
    planTitle(report, t.planId),
  ]);
  addTable(workbook, 'Tasks', taskSheetColumns(parties, report.lang), rows);
}

function overdueSheet(workbook: Workbook, report: ProgressReport): void {
  const columns: Column[] = [
    { header: 'No', width: 7 },
    { header: 'Measure', width: 50, wrap: true },
    { header: 'Deadline', width: 12, date: true },
    { header: 'Days overdue', width: 10 },
    { header: 'Status', width: 12 },
    { header: 'Postponements', width: 10 },
    { header: 'Executors', width: 40, wrap: true },
    { header: 'Plan', width: 30, wrap: true },
  ];
  const rows = report.overdue.map((t): Cell[] => [
    t.code,
    t.title,
    t.dueDate,
    t.daysOverdue,
    t.status,
    t.postponementCount,
    t.executors.map((e) => `${e.name} (${e.country})`).join('\n'),
    planTitle(report, t.planId),
  ]);
  addTable(workbook, 'Overdue', columns, rows);
}

function missingReportsSheet(workbook: Workbook, report: ProgressReport): void {
  const columns: Column[] = [
    { header: 'No', width: 7 },
    { header: 'Measure', width: 50, wrap: true },
    { header: 'Organization', width: 40, wrap: true },
    { header: 'Country', width: 9 },
    { header: 'Period', width: 10 },
    { header: 'Deadline', width: 12, date: true },
  ];
  const rows = report.missingReports.map((m): Cell[] => [m.code, m.title, m.organizationName, m.country, m.period, m.deadline]);
  addTable(workbook, 'Missing reports', columns, rows);
}

function indicatorsSheet(workbook: Workbook, report: ProgressReport): void {
  const codes = new Map(report.tasks.map((t) => [t.taskId, t.code]));
  const columns: Column[] = [
    { header: 'Indicator', width: 44, wrap: true },
    { header: 'Unit', width: 14 },
    { header: 'Task', width: 8 },
    { header: 'Baseline', width: 12 },
    { header: 'Target', width: 12 },
    { header: 'Actual', width: 12 },
    { header: 'Period', width: 10 },
    { header: 'Progress, %', width: 11, numFmt: '0.0' },
  ];
  const rows = report.indicators.map((i): Cell[] => [
    i.name,
    i.unit,
    i.taskId === null ? null : (codes.get(i.taskId) ?? null),
    i.baseline,
    i.target,
    i.actual,
    i.actualPeriod,
    i.progressPercent,
  ]);
  addTable(workbook, 'Indicators', columns, rows);
}

/** The report as an .xlsx file. */
export async function renderProgressXlsx(report: ProgressReport): Promise<Buffer> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Commission plan tracker';
  workbook.created = new Date(report.generatedAt);
  workbook.modified = workbook.created;
  summarySheet(workbook, report);
  tasksSheet(workbook, report);
  overdueSheet(workbook, report);
  missingReportsSheet(workbook, report);
  indicatorsSheet(workbook, report);
  await workbook.commit();
  await ended;
  return Buffer.concat(chunks);
}
