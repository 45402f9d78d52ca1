// Reading an uploaded table: an .xlsx workbook (exceljs, after the zip guard) or a UTF-8 CSV file, into
// plain rows of cells that the rest of the import reads the same way whatever the format.
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { Piscina } from 'piscina';
import { AppError, ERRORS, specOf } from '../../errors.js';
import type { XlsxAnswer } from './imports.xlsx-worker.js';
import { checkZip, ZIP_LIMITS } from './imports.zip-guard.js';

export type CellValue = string | number | boolean | Date;

export interface Cell {
  value: CellValue | null;
  /** The cell holds a formula (its cached result is `value`): the import takes values only. */
  formula?: true;
  /** A spreadsheet error value such as #N/A. */
  error?: string;
  /**
   * A date cell whose format shows only its month and year ("дек.26"), or only its year: it stands for that period, as
   * "декабрь 2026" written as text does. Excel makes "декабрь 2026" typed in a cell such a date, of the month's first day.
   */
  period?: 'month' | 'year';
  /**
   * A number as its cell shows it, when the cell's format fixes its decimals: 1.1 formatted "0.00" is "1.10" on the
   * screen, and a task number typed so is 1.10, not 1.1.
   */
  shown?: string;
}

export interface SourceRow {
  /** The row number as the spreadsheet shows it (1-based; for CSV, the record number). */
  row: number;
  /** Cells by column, 0-based; holes are empty cells. */
  cells: (Cell | undefined)[];
}

export interface Merge {
  range: string;
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export interface SourceSheet {
  /** The worksheet name; null for CSV. */
  name: string | null;
  hidden: boolean;
  rows: SourceRow[];
  merges: Merge[];
  /** More non-empty rows than the import reads: the sheet is refused if chosen. */
  truncated: boolean;
}

export interface SourceFile {
  format: 'xlsx' | 'csv';
  /** The CSV separator found; null for XLSX. */
  separator: Separator | null;
  sheets: SourceSheet[];
}

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The rows of a worksheet (Excel's and the format's limit): a row numbered past it was written by hand. */
export const WORKSHEET_ROWS = 1_048_576;

/** Rows a sheet may hold (title, header and task rows); a plan has tens to hundreds of measures. */
export const MAX_SHEET_ROWS = 2000;

/** Columns read, in a workbook or a CSV file: a roadmap table has about ten, and the answer lists at most 200. */
export const MAX_COLUMNS = 200;

const invalid = (detail: string) => new AppError(ERRORS.invalidSpreadsheet, detail);

/** "B7" from a 1-based row and a 0-based column. */
export function cellRef(row: number, column: number): string {
  let n = column + 1;
  let letters = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `${letters}${row}`;
}

function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

function parseRange(range: string): Merge | null {
  const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/i.exec(range);
  if (!m) return null;
  return { range, top: Number(m[2]), left: columnIndex(m[1]!), bottom: Number(m[4]), right: columnIndex(m[3]!) };
}

/** The period a date format shows when it shows no day (nor time): "mmm.yy" a month, "yyyy" a year. */
function periodShown(numFmt: string | undefined): Cell['period'] {
  if (!numFmt) return undefined;
  // Quoted text, [$-419] and [Red] parts and escaped characters are not parts of the date. ([^[\]]: a bracket part ends
  // at the next bracket, so no stretch is read again from each of many "["; test/regex-safety.test.ts.)
  const parts = numFmt.split(';')[0]!.replace(/"[^"]*"|\[[^[\]]*\]|\\./g, '').toLowerCase();
  if (/[dhs]/.test(parts)) return undefined;
  if (parts.includes('y')) return parts.includes('m') ? 'month' : 'year';
  return undefined;
}

/** The decimals a number format fixes ("0.00", "#,##0.0", "0.00;[Red]-0.00"): undefined when it fixes none. */
export function decimalsShown(numFmt: string | undefined): number | undefined {
  if (!numFmt) return undefined;
  const first = numFmt.split(';')[0]!.replace(/"[^"]*"|\[[^[\]]*\]|\\./g, '');
  // A percentage, a fraction or an exponent shows something other than the number's decimals.
  if (/[%/eE]/.test(first)) return undefined;
  const m = /[0#?]\.(0+)/.exec(first);
  return m ? m[1]!.length : undefined;
}

/** A cell of exceljs as a plain value: rich text and hyperlinks become their text, formulas are flagged. */
function readCell(cell: ExcelJS.Cell): Cell | undefined {
  const v = cell.value as unknown;
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) {
    const period = periodShown(cell.numFmt);
    return period ? { value: v, period } : { value: v };
  }
  if (typeof v === 'number') {
    const decimals = decimalsShown(cell.numFmt);
    return decimals !== undefined && Number.isFinite(v) && decimals <= 20 ? { value: v, shown: v.toFixed(decimals) } : { value: v };
  }
  if (typeof v === 'string' || typeof v === 'boolean') return { value: v };
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('formula' in o || 'sharedFormula' in o) {
      const result = o.result;
      const value = result instanceof Date || ['string', 'number', 'boolean'].includes(typeof result) ? (result as CellValue) : null;
      return { value, formula: true };
    }
    if ('error' in o) return { value: null, error: String(o.error) };
    if (Array.isArray(o.richText)) return { value: (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('') };
    if ('text' in o) {
      const text = o.text;
      if (typeof text === 'string') return { value: text };
      if (text && typeof text === 'object' && Array.isArray((text as { richText?: unknown }).richText)) {
        return { value: ((text as { richText: { text?: string }[] }).richText).map((r) => r.text ?? '').join('') };
      }
    }
  }
  return { value: String(v) };
}

/** Limits of the thread that reads a workbook (see imports.xlsx-worker.ts). */
export const XLSX_READ_LIMITS = {
  /** A legitimate plan of 2,000 rows reads in well under 100 MB. */
  heapMb: 256,
  seconds: 20,
  /** Workbooks read at once. */
  threads: 2,
};

const WORKER_FILE = fileURLToPath(new URL(`./imports.xlsx-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

export interface XlsxReader {
  read(bytes: Buffer): Promise<SourceFile>;
  close(): Promise<void>;
}

/**
 * Reads workbooks in worker threads, each of which may use at most `heapMb` of memory and `seconds` of time: a file
 * that asks for more is refused (422), and the thread is replaced. At most `threads` at once, and none waits: a
 * waiting workbook's time would run out in the queue and be refused as if it were too slow, so one more is a 503 to
 * retry in a few seconds (imports are rare; each may take the whole limit).
 */
export function xlsxReader(limits = XLSX_READ_LIMITS): XlsxReader {
  const pool = new Piscina<Uint8Array, XlsxAnswer>({
    filename: WORKER_FILE,
    minThreads: 0,
    maxThreads: limits.threads,
    idleTimeout: 30_000,
    resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 16 },
  });
  // A worker that dies between tasks must not end the process (an unhandled 'error' event would).
  pool.on('error', () => {});
  let reading = 0;
  return {
    async read(bytes) {
      if (reading >= limits.threads) {
        throw new AppError(ERRORS.unavailable, `${reading} workbooks are being read; send this one again in a few seconds`, undefined, { 'retry-after': '5' });
      }
      const signal = AbortSignal.timeout(limits.seconds * 1000);
      let answer: XlsxAnswer;
      reading++;
      try {
        answer = await pool.run(bytes, { signal });
      } catch (err) {
        if (signal.aborted) {
          throw invalid(`the workbook did not read within ${limits.seconds} s (merged ranges or rows by the hundred thousand?): save the plan's table alone in a new workbook, or as CSV`);
        }
        if ((err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
          throw invalid(`the workbook needs more than ${limits.heapMb} MB to read (a merged range over a whole sheet, or rows by the hundred thousand): save the plan's table alone in a new workbook, or as CSV`);
        }
        throw err;
      } finally {
        reading--;
      }
      if ('refused' in answer) throw new AppError(specOf(answer.refused.code) ?? ERRORS.invalidSpreadsheet, answer.refused.detail);
      return answer.file;
    },
    close: () => pool.destroy(),
  };
}

/** Reads a workbook in this thread: what the worker runs. */
export async function parseXlsx(bytes: Buffer): Promise<SourceFile> {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0xd0cf11e0) {
    throw invalid('this is an Excel 97–2003 (.xls) file: save it as an .xlsx workbook or as CSV UTF-8, then import that');
  }
  const zip = checkZip(bytes);
  if (!zip.ok) {
    if (zip.reason === 'too-large') throw new AppError(ERRORS.bodyTooLarge, zip.detail);
    throw invalid(zip.reason === 'not-zip' ? `${zip.detail}; send an .xlsx workbook or a CSV file` : zip.detail);
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw invalid('the file is a zip archive but not a readable .xlsx workbook');
  }
  if (workbook.worksheets.length === 0) throw invalid('the workbook has no worksheets');
  const sheets = workbook.worksheets.map((ws): SourceSheet => {
    const rows: SourceRow[] = [];
    let truncated = false;
    ws.eachRow({ includeEmpty: false }, (row, number) => {
      if (number > WORKSHEET_ROWS) {
        throw invalid(`row ${number} of sheet "${ws.name.slice(0, 31)}" is past the ${WORKSHEET_ROWS.toLocaleString('en')} rows a worksheet has: the file was not written by a spreadsheet program; save the plan's table from Excel or LibreOffice`);
      }
      if (rows.length >= MAX_SHEET_ROWS) {
        truncated = true;
        return;
      }
      const cells: (Cell | undefined)[] = [];
      row.eachCell({ includeEmpty: false }, (cell, column) => {
        // Beyond the columns a roadmap table can have: never read, so a stray far cell costs nothing.
        if (column > MAX_COLUMNS) return;
        cells[column - 1] = readCell(cell);
      });
      rows.push({ row: number, cells });
    });
    const merges = ws.model.merges.map(parseRange).filter((m): m is Merge => m !== null);
    return { name: ws.name.slice(0, 31), hidden: ws.state !== 'visible', rows, merges, truncated };
  });
  return { format: 'xlsx', separator: null, sheets };
}

type Separator = ';' | ',' | '\t';

/** The separators by how often they occur, outside quotes, on the first lines (a title line above the table counts little). */
function separatorsByUse(text: string): Separator[] {
  const counts = { ';': 0, ',': 0, '\t': 0 };
  let quoted = false;
  let lines = 0;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ';' || ch === ',' || ch === '\t')) counts[ch]++;
    else if (!quoted && ch === '\n' && ++lines >= 20) break;
  }
  return ([';', ',', '\t'] as const).filter((c) => counts[c] > 0 || c === ';').sort((a, b) => counts[b] - counts[a]);
}

/**
 * Reads a CSV file. The separator is the one under which `hasHeader` finds the table's header, trying the most used
 * first: Excel in Russian saves with ";" and leaves commas in titles unquoted, so a file may hold more commas than
 * semicolons. When none finds it, the most used one is kept, and the caller reports the missing header.
 */
export function readCsv(bytes: Buffer, hasHeader: (sheet: SourceSheet) => boolean = () => true): SourceFile {
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) {
    throw invalid(`this is an .xlsx workbook (a zip archive) sent as CSV: send it with Content-Type ${XLSX_MEDIA_TYPE}`);
  }
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0xd0cf11e0) {
    throw invalid('this is an Excel 97–2003 (.xls) file, not CSV: save it as CSV UTF-8 or as an .xlsx workbook, then import that');
  }
  let text: string;
  try {
    // A UTF-8 byte-order mark, as Excel writes "CSV UTF-8", is dropped by the decoder.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('the file is not UTF-8 text: in Excel choose "CSV UTF-8 (comma delimited)" when saving, or send the .xlsx workbook');
  }
  if (text.includes('\u0000')) throw invalid('the file holds binary data, not CSV text');
  text = withoutTrailingEmptyRecords(text);
  const candidates = separatorsByUse(text);
  let first: SourceFile | undefined;
  let firstError: unknown;
  for (const separator of candidates) {
    let file: SourceFile;
    try {
      file = csvFile(text, separator);
    } catch (err) {
      firstError ??= err;
      continue;
    }
    if (hasHeader(file.sheets[0] as SourceSheet)) return file;
    first ??= file;
  }
  if (first) return first;
  throw firstError;
}

/** What a record that holds nothing may consist of, under any of the separators. */
const BLANK_IN_CSV = new Set([';', ',', '\t', ' ', '\r', '\n']);

/**
 * The text without the records at its end that hold nothing but separators and blanks. Excel saves a sheet's used
 * range, so a table whose rows below were once formatted or cleared ends in thousands of ";;;" lines: the workbook's
 * reader never sees such rows (they have no values), but counted as records they made a plan of 30 measures "more rows
 * than the import reads". Cut by one scan from the end: a record only ends where a line does, and a line of blanks
 * after the last character that is not one cannot be inside a quoted cell that is closed.
 */
function withoutTrailingEmptyRecords(text: string): string {
  let last = text.length - 1;
  while (last >= 0 && BLANK_IN_CSV.has(text[last]!)) last--;
  const lineEnd = text.indexOf('\n', last + 1);
  return lineEnd === -1 ? text : text.slice(0, lineEnd + 1);
}

function csvFile(text: string, separator: Separator): SourceFile {
  let records: string[][];
  try {
    records = parseCsv(text, {
      delimiter: separator,
      relax_column_count: true,
      // A quote inside a cell that does not start with one is part of its text (ТОО "Агро"), as Excel opens such a file;
      // scripts and other systems write them so, and the whole file was refused for it.
      relax_quotes: true,
      skip_empty_lines: false,
      max_record_size: 1024 * 1024,
      to: MAX_SHEET_ROWS + 1,
    }) as string[][];
  } catch (err) {
    const message = err instanceof Error ? err.message : 'unreadable';
    throw invalid(`the CSV file cannot be read: ${message.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  const truncated = records.length > MAX_SHEET_ROWS;
  const rows = records.slice(0, MAX_SHEET_ROWS).map((record, i): SourceRow => ({
    row: i + 1,
    // As in a workbook, cells beyond the columns a roadmap table can have are not read.
    cells: record.slice(0, MAX_COLUMNS).map((raw) => {
      const value = raw.trim();
      if (value === '') return undefined;
      // A CSV cell has no formulas; one that starts with "=" was one, exported as its text.
      return value.startsWith('=') ? { value, formula: true } : { value };
    }),
  }));
  return { format: 'csv', separator, sheets: [{ name: null, hidden: false, rows, merges: [], truncated }] };
}

export { ZIP_LIMITS };
