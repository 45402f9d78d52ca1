// The progress report as CSV: UTF-8 with a BOM (so spreadsheets read Cyrillic right), commas (or, in the excel-ru
// dialect, semicolons and decimal commas), CRLF.
// Columns are shared with the XLSX rendering, so both say the same thing under the same names.
import { stringify, type CastingContext } from 'csv-stringify/sync';
import { TASK_STATUSES } from '../../db/enums.js';
import { reportLocale } from './progress.locale.js';
import type { Breakdown, CsvDialect, ProgressReport, ReportTask } from './progress.schemas.js';

export type CsvTable = 'breakdown' | 'tasks';

/** Every figure of a breakdown, flattened to its JSON path ("byStatus.done", "confidence.red"). */
export function breakdownFigures(b: Breakdown): [name: string, value: number][] {
  return [
    ['taskCount', b.taskCount],
    ...TASK_STATUSES.map((s): [string, number] => [`byStatus.${s}`, b.byStatus[s]]),
    ...TASK_STATUSES.map((s): [string, number] => [`percentByStatus.${s}`, b.percentByStatus[s]]),
    ['closedOnTime', b.closedOnTime],
    ['closedLate', b.closedLate],
    ['closedOnTimeAgainstOriginal', b.closedOnTimeAgainstOriginal],
    ['overdue', b.overdue],
    ['overdueDays', b.overdueDays],
    ['dueNext30Days', b.dueNext30Days],
    ['postponedTasks', b.postponedTasks],
    ['postponements', b.postponements],
    ['daysMoved', b.daysMoved],
    ['confidence.green', b.confidence.green],
    ['confidence.amber', b.confidence.amber],
    ['confidence.red', b.confidence.red],
    ['confidence.none', b.confidence.none],
    ['missingReports', b.missingReports],
  ];
}

export type BreakdownDimension = 'total' | 'party' | 'organization' | 'area';

/**
 * The groups of the report in the order every rendering lists them: total, parties, organizations, areas. A label is
 * what a reader calls the group in the report's language, the total's too ("Total", "Итого"), as the JSON's labels of
 * parties and areas are; a program goes by dimension and key.
 */
export function breakdownGroups(report: ProgressReport): { dimension: BreakdownDimension; key: string; label: string; country: string | null; figures: Breakdown }[] {
  return [
    { dimension: 'total', key: '', label: reportLocale(report.lang).w.total, country: null, figures: report.totals },
    ...report.byParty.map((g) => ({ dimension: 'party' as const, key: String(g.key), label: g.label, country: String(g.key), figures: g })),
    ...report.byOrganization.map((g) => ({ dimension: 'organization' as const, key: String(g.key), label: g.label, country: g.country, figures: g })),
    ...report.byArea.map((g) => ({ dimension: 'area' as const, key: String(g.key), label: g.label, country: null, figures: g })),
  ];
}

export const executorNames = (task: ReportTask, role: 'lead' | 'co_executor') =>
  task.executors.filter((e) => e.role === role).map((e) => e.name);

/** The columns of the tasks table, in order; the XLSX Tasks sheet shows the same after its first columns. */
export const TASK_COLUMNS = [
  'code',
  'title',
  'area',
  'status',
  'dueDate',
  'originalDueDate',
  'overdue',
  'daysOverdue',
  'postponementCount',
  'daysMoved',
  'completion',
  'completionAgainstOriginal',
  'percentComplete',
  'confidence',
  'leadExecutors',
  'coExecutors',
  'plan',
] as const;
export type TaskColumn = (typeof TASK_COLUMNS)[number];

/** The values of one task for the tasks table. */
export function taskColumns(report: ProgressReport, task: ReportTask): Record<TaskColumn, string | number | boolean | null> {
  return {
    code: task.code,
    title: task.title,
    area: task.area,
    status: task.status,
    dueDate: task.dueDate,
    originalDueDate: task.originalDueDate,
    overdue: task.overdue,
    daysOverdue: task.daysOverdue,
    postponementCount: task.postponementCount,
    daysMoved: task.daysMoved,
    completion: task.completion,
    completionAgainstOriginal: task.completionAgainstOriginal,
    percentComplete: task.percentComplete,
    confidence: task.confidence,
    leadExecutors: executorNames(task, 'lead').join('; '),
    coExecutors: executorNames(task, 'co_executor').join('; '),
    plan: report.scope.plans.find((p) => p.id === task.planId)?.title ?? '',
  };
}

/** A task code holds letters, digits, ".", "-" and "/" only: written as a text formula, it stays what it is. */
const SAFE_TEXT = /^[0-9A-Za-z\u0400-\u04FF.\-/]+$/;

function toCsv(columns: string[], rows: unknown[][], dialect: CsvDialect, textColumns: string[] = []): string {
  // Excel with Russian regional settings splits a double-clicked CSV at its list separator, ";", and reads a number
  // with its decimal separator, ",": there "16.7" would land as the 16th of July, and a comma-separated line in one cell.
  // It also reads a task's code "1.3" as the 1st of March and "2.10" as the 2nd of October: in that dialect a code is
  // written as the formula ="1.3", bare (a quoted field would double its quotes), which Excel shows as the text 1.3.
  // The formula is ours, not the user's, so it is not escaped as one; the field's own quote character is set to
  // one a code cannot hold, so that csv-stringify writes it as it is.
  const regional = dialect === 'excel-ru';
  const asText = (value: string, context: CastingContext) =>
    regional && !context.header && textColumns.includes(columns[Number(context.column)] ?? '') && SAFE_TEXT.test(value)
      ? { value: `="${value}"`, escape_formulas: false, quote: "'" }
      : value;
  return stringify(rows, {
    bom: true,
    header: true,
    columns,
    delimiter: regional ? ';' : ',',
    record_delimiter: '\r\n',
    cast: { boolean: (v) => (v ? 'true' : 'false'), number: regional ? (v) => String(v).replace('.', ',') : (v) => String(v), string: asText },
    // Users' text (titles, names, codes) starting with =, +, -, @, tab or CR would run as a formula in a spreadsheet
    // (OWASP "CSV Injection"), so csv-stringify prefixes such cells with '. It decides by the value's type: numbers,
    // -5 included, stay numbers; dates (YYYY-MM-DD) and booleans never start so. A text that merely starts with "-"
    // gets the ' too: the accepted price.
    escape_formulas: true,
  });
}

/** One table of the report as CSV text, starting with the UTF-8 BOM. Empty cells stand for null. */
export function renderProgressCsv(report: ProgressReport, table: CsvTable = 'breakdown', dialect: CsvDialect = 'rfc4180'): string {
  if (table === 'tasks') {
    return toCsv(
      [...TASK_COLUMNS],
      report.tasks.map((t) => {
        const values = taskColumns(report, t);
        return TASK_COLUMNS.map((c) => values[c]);
      }),
      dialect,
      ['code'],
    );
  }
  const groups = breakdownGroups(report);
  const columns = ['dimension', 'key', 'label', ...breakdownFigures(report.totals).map(([name]) => name)];
  return toCsv(
    columns,
    groups.map((g) => [g.dimension, g.key, g.label, ...breakdownFigures(g.figures).map(([, v]) => v)]),
    dialect,
  );
}
