// The progress report as an Excel workbook (exceljs): Summary, Tasks (the plan's own table layout, so a
// later import can read it back), Overdue, Missing reports and Indicators; in English, or in Russian for ru, be and kk.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { wallClockAt } from '../../lib/dates.js';
import { breakdownGroups } from './progress.csv.js';
import { distinctSchedules } from './progress.schedules.js';
import type { ProgressReport, ReportTask } from './progress.schemas.js';
import { workbookLocale, type WorkbookLocale } from './progress.xlsx-locale.js';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface Column {
  header: string;
  width: number;
  /** Long text: wrapped. */
  wrap?: boolean;
  /** A YYYY-MM-DD value written as a real date cell, in the workbook's date format. */
  date?: boolean;
  numFmt?: string;
}

type Cell = ExcelJS.CellValue;

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF5' } };

const asDate = (value: string | null): Cell => (value === null ? null : new Date(`${value}T00:00:00Z`));

/**
 * U+FFFE and U+FFFF, which the texts of the API accept (they are no control characters) but XML 1.0 allows nowhere, and
 * exceljs writes as they are: one in a task's title made a workbook Excel calls corrupt, and every XML reader refuses.
 * Shown as U+FFFD, the replacement character, as a lone surrogate would be.
 */
const NOT_IN_XML = /[\uFFFE\uFFFF]/g;
const xmlSafe = (value: Cell): Cell => (typeof value === 'string' ? value.replace(NOT_IN_XML, '\uFFFD') : value);

/** A workbook written row by row: each row goes out when committed, so a plan of 100,000 tasks is never all in cells. */
type Workbook = ExcelJS.stream.xlsx.WorkbookWriter;

/**
 * A sheet holding one table: bold header row `headerRow` (rows above it carry `preamble` lines), frozen
 * below the header, filterable, with the given widths. `styleRow` may style a row before it is written.
 */
function addTable(
  workbook: Workbook,
  dateFormat: string,
  name: string,
  columns: Column[],
  rows: Cell[][],
  preamble: Cell[][] = [],
  styleRow?: (row: ExcelJS.Row) => void,
): void {
  const headerRow = preamble.length + 1;
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: headerRow, xSplit: 0 }] });
  sheet.columns = columns.map((c) => ({
    width: c.width,
    style: {
      alignment: c.wrap ? { wrapText: true, vertical: 'top' } : { vertical: 'top' },
      ...(c.date ? { numFmt: dateFormat } : {}),
      ...(c.numFmt ? { numFmt: c.numFmt } : {}),
    },
  }));
  const columnStyles = columns.map((_, j) => sheet.getColumn(j + 1).style);
  const write = (values: Cell[], style?: (row: ExcelJS.Row) => void) => {
    const row = sheet.addRow(values.map(xmlSafe));
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

function summarySheet(workbook: Workbook, report: ProgressReport, W: WorkbookLocale): void {
  const p = W.preamble;
  // English keeps the instant as the JSON writes it, in UTC. In Russian it is a date-time cell, which has no zone: the
  // wall clock of the commission's zone, named in the cell before it.
  const generated = W.russian ? wallClockAt(new Date(report.generatedAt), report.scope.timeZone) : report.generatedAt;
  const periodCells = (rp: ProgressReport['reportingPeriod']): Cell[] => [
    p.reportingPeriod,
    rp.current,
    p.lastDue,
    rp.lastDue ?? '—',
    p.itsDeadline,
    asDate(rp.lastDueDeadline),
  ];
  // Plans on different schedules: a row per plan, its title first, rather than the first plan's period for all.
  const schedules = distinctSchedules(report);
  const periodRows: Cell[][] = schedules ? schedules.map((s) => [s.title, ...periodCells(s.reportingPeriod)]) : [periodCells(report.reportingPeriod)];
  const deadlineColumn = schedules ? 7 : 6;
  const preamble: Cell[][] = [
    [p.title(report.scope.commissionName)],
    [p.plans, report.scope.plans.map((plan) => plan.title).join('; ')],
    [p.asOf, asDate(report.asOf), p.timeZone, report.scope.timeZone, p.generatedAt, generated],
    ...periodRows,
    [],
  ];
  const columns: Column[] = [
    { header: W.summary.group, width: 14 },
    { header: W.summary.name, width: 44, wrap: true },
    { header: W.summary.country, width: 9 },
    ...W.figures.map((f) => ({ header: f.header, width: 11, ...(f.percent ? { numFmt: '0.0' } : {}) })),
  ];
  const rows = breakdownGroups(report).map((g) => [W.groups[g.dimension], g.label, g.country, ...W.figures.map((f) => f.value(g.figures))]);
  addTable(workbook, W.dateFormat, W.sheets.summary, columns, rows, preamble, (row) => {
    if (row.number === 3) row.getCell(2).numFmt = W.dateFormat; // As of
    if (row.number === 3 && W.russian) row.getCell(6).numFmt = W.dateTimeFormat; // generated
    if (row.number >= 4 && row.number < 4 + periodRows.length) {
      row.getCell(deadlineColumn).numFmt = W.dateFormat; // the last period's deadline
      // A plan's title in the narrow first column: wrapped onto as many lines as it needs, not cut off by the period.
      if (schedules) row.getCell(1).alignment = { wrapText: true, vertical: 'top' };
    }
    if (row.number === preamble.length + 2) row.font = { bold: true }; // the Total row
  });
}

/** The executors of one party, one per line, leads first and marked "(lead)" / "(головной)", as the import reads them back. */
function executorsOf(task: ReportTask, country: string, lead: string): string {
  return task.executors
    .filter((e) => e.country === country)
    .map((e) => (e.role === 'lead' ? `${e.name} ${lead}` : e.name))
    .join('\n');
}

/**
 * The Tasks sheet columns: the plan's own table first ("No" … "Basis"), then the report's figures. With `lang`, titles
 * are translations: the header says so ("Measure (en)", "Мероприятие (kk)"), so an import reads them as such.
 */
function taskSheetColumns(parties: string[], lang: ProgressReport['lang'], W: WorkbookLocale): Column[] {
  const h = W.h;
  return [
    { header: h.code, width: 7 },
    { header: lang ? W.titleIn(lang) : h.title, width: 50, wrap: true },
    { header: h.formOfCompletion, width: 24, wrap: true },
    { header: h.expectedResult, width: 30, wrap: true },
    { header: h.deadline, width: 12, date: true },
    ...parties.map((p) => ({ header: W.executorsOf(p), width: 32, wrap: true })),
    { header: h.basis, width: 30, wrap: true },
    { header: h.area, width: 20 },
    { header: h.status, width: 12 },
    { header: h.originalDeadline, width: 12, date: true },
    { header: h.overdue, width: 9 },
    { header: h.daysOverdue, width: 9 },
    { header: h.postponements, width: 9 },
    { header: h.daysMoved, width: 9 },
    { header: h.completion, width: 10 },
    { header: h.completionAgainstOriginal, width: 12 },
    { header: h.percentComplete, width: 10 },
    { header: h.confidence, width: 11 },
    { header: h.plan, width: 30, wrap: true },
  ];
}

function planTitle(report: ProgressReport, planId: string): string {
  return report.scope.plans.find((p) => p.id === planId)?.title ?? '';
}

function tasksSheet(workbook: Workbook, report: ProgressReport, W: WorkbookLocale): void {
  const parties = report.scope.parties;
  const rows = report.tasks.map((t): Cell[] => [
    t.code,
    t.title,
    t.formOfCompletion,
    t.expectedResult,
    t.dueDate,
    ...parties.map((p) => executorsOf(t, p, W.lead) || null),
    W.basis(t),
    W.area(t.area),
    W.status(t.status),
    t.originalDueDate,
    t.overdue,
    t.daysOverdue,
    t.postponementCount,
    t.daysMoved,
    W.completion(t.completion),
    W.completion(t.completionAgainstOriginal),
    t.percentComplete,
    W.confidence(t.confidence),
    planTitle(report, t.planId),
  ]);
  addTable(workbook, W.dateFormat, W.sheets.tasks, taskSheetColumns(parties, report.lang, W), rows);
}

function overdueSheet(workbook: Workbook, report: ProgressReport, W: WorkbookLocale): void {
  const h = W.h;
  const columns: Column[] = [
    { header: h.code, width: 7 },
    { header: h.title, width: 50, wrap: true },
    { header: h.deadline, width: 12, date: true },
    { header: h.daysOverdue, width: 10 },
    { header: h.status, width: 12 },
    { header: h.postponements, width: 10 },
    { header: h.executors, width: 40, wrap: true },
    { header: h.plan, width: 30, wrap: true },
  ];
  const rows = report.overdue.map((t): Cell[] => [
    t.code,
    t.title,
    t.dueDate,
    t.daysOverdue,
    W.status(t.status),
    t.postponementCount,
    t.executors.map((e) => `${e.name} (${e.country})`).join('\n'),
    planTitle(report, t.planId),
  ]);
  addTable(workbook, W.dateFormat, W.sheets.overdue, columns, rows);
}

function missingReportsSheet(workbook: Workbook, report: ProgressReport, W: WorkbookLocale): void {
  const h = W.h;
  const columns: Column[] = [
    { header: h.code, width: 7 },
    { header: h.title, width: 50, wrap: true },
    { header: h.organization, width: 40, wrap: true },
    { header: h.country, width: 9 },
    { header: h.period, width: 10 },
    { header: h.deadline, width: 12, date: true },
    { header: h.plan, width: 30, wrap: true },
  ];
  // The task's plan, as the Overdue sheet says it: in a commission's workbook two plans may each have a task 1.1.
  const planOf = new Map(report.tasks.map((t) => [t.taskId, t.planId]));
  const rows = report.missingReports.map((m): Cell[] => [
    m.code,
    m.title,
    m.organizationName,
    m.country,
    m.period,
    m.deadline,
    planTitle(report, planOf.get(m.taskId) ?? ''),
  ]);
  addTable(workbook, W.dateFormat, W.sheets.missingReports, columns, rows);
}

function indicatorsSheet(workbook: Workbook, report: ProgressReport, W: WorkbookLocale): void {
  const codes = new Map(report.tasks.map((t) => [t.taskId, t.code]));
  const h = W.h;
  // Figures stay General: Excel shows them with the reader's decimal comma ("1196,5"), where a grouping format would
  // print a whole number with a dangling comma ("1 000,").
  const columns: Column[] = [
    { header: h.indicator, width: 44, wrap: true },
    { header: h.unit, width: 14 },
    { header: h.task, width: 8 },
    { header: h.baseline, width: 12 },
    { header: h.target, width: 12 },
    { header: h.actual, width: 12 },
    { header: h.period, width: 10 },
    { header: h.progress, width: 11, numFmt: '0.0' },
    { header: h.plan, width: 30, wrap: true },
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
    planTitle(report, i.planId),
  ]);
  addTable(workbook, W.dateFormat, W.sheets.indicators, columns, rows);
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
  const W = workbookLocale(report.lang);
  summarySheet(workbook, report, W);
  tasksSheet(workbook, report, W);
  overdueSheet(workbook, report, W);
  missingReportsSheet(workbook, report, W);
  indicatorsSheet(workbook, report, W);
  await workbook.commit();
  await ended;
  return Buffer.concat(chunks);
}
