// The column layout of an imported roadmap table: which headers (Russian or English) name which field,
// where the header row is, and which rows below it are data.
import { LANGUAGES, TASK_AREAS, type Language, type TaskArea } from '../../db/enums.js';
import { AppError, ERRORS } from '../../errors.js';
import { INVISIBLE } from '../../lib/common.schemas.js';
import { AREA_NAMES } from '../tasks/task-areas.js';
import { cellRef, type Cell, type CellValue, type Merge, type SourceRow, type SourceSheet } from './imports.files.js';

export type Field =
  | 'code'
  | 'title'
  | 'formOfCompletion'
  | 'expectedResult'
  | 'deadline'
  | 'executors'
  | 'basis'
  | 'area'
  | 'description'
  | 'translation'
  | 'plan';

export type ExecutorRole = 'auto' | 'lead' | 'co_executor';

export interface Column {
  index: number;
  /** The header as the file writes it. */
  header: string;
  field: Field;
  /** executors: the party named in the header ("BY", "Беларусь"), unresolved yet; null when the column mixes both. */
  party?: string | null;
  role?: ExecutorRole;
  /** translation: its language. */
  lang?: Language;
}

/** Header words by field, lower case, "ё" as "е". A header matches when it, or one of its " / " halves, is listed. */
export const HEADER_ALIASES: Record<Exclude<Field, 'executors' | 'translation'>, string[]> = {
  code: ['№', '№ п/п', '№п/п', 'n п/п', 'no', 'no.', 'nr', 'номер', 'код', 'номер мероприятия', 'number', 'code', '#'],
  title: ['мероприятие', 'мероприятия', 'наименование мероприятия', 'содержание мероприятия', 'measure', 'measures', 'title', 'task', 'activity'],
  formOfCompletion: ['форма завершения', 'форма реализации', 'форма исполнения', 'форма завершения мероприятия', 'form of completion', 'completion form'],
  expectedResult: ['ожидаемый результат', 'ожидаемые результаты', 'результат', 'expected result', 'expected results', 'result'],
  deadline: ['срок', 'сроки', 'срок исполнения', 'срок реализации', 'срок выполнения', 'deadline', 'due date', 'due'],
  basis: ['основание', 'основание (протокол)', 'basis'],
  area: ['сфера', 'сфера сотрудничества', 'направление', 'область', 'area'],
  description: ['описание', 'description'],
  plan: ['план', 'plan'],
};

const EXECUTOR_ALIASES: Record<ExecutorRole, string[]> = {
  auto: [
    'исполнители',
    'исполнитель',
    'ответственные исполнители',
    'ответственный исполнитель',
    'ответственные',
    'executors',
    'executor',
    'responsible executors',
    'responsible executor',
    'responsible',
  ],
  lead: ['головной исполнитель', 'головные исполнители', 'lead executor', 'lead executors', 'head executor', 'head executors'],
  co_executor: ['соисполнители', 'соисполнитель', 'co-executors', 'co-executor', 'co executors'],
};

/** The layout the template writes and the documentation shows: header in Russian / English, and what it holds. */
export const TEMPLATE_COLUMNS: { ru: string; en: string; required: boolean; ruHelp: string; enHelp: string }[] = [
  { ru: '№', en: 'No', required: true, ruHelp: 'Номер мероприятия, уникальный в плане: 1.1', enHelp: 'Number of the measure, unique in the plan: 1.1' },
  { ru: 'Мероприятие', en: 'Measure', required: true, ruHelp: 'Что должно быть сделано', enHelp: 'What is to be done' },
  { ru: 'Форма завершения', en: 'Form of completion', required: false, ruHelp: 'Чем подтверждается исполнение', enHelp: 'How completion is evidenced' },
  { ru: 'Ожидаемый результат', en: 'Expected result', required: false, ruHelp: 'Результат мероприятия', enHelp: 'The result expected' },
  { ru: 'Срок', en: 'Deadline', required: true, ruHelp: '31.12.2026, 2026-12-31, IV квартал 2026, Q4 2026, декабрь 2026', enHelp: 'Periods mean their last day' },
  { ru: 'Ответственные исполнители', en: 'Responsible executors', required: true, ruHelp: 'Организации по одной в строке, полное или краткое наименование; первая каждой стороны — головной исполнитель', enHelp: 'One organization a line, full or short name; the first of each side is the lead' },
  { ru: 'Основание', en: 'Basis', required: false, ruHelp: 'Протокол № 18 от 16.04.2026, п. 2.1', enHelp: 'Protocol No. 18 of 2026-04-16, item 2.1' },
  { ru: 'Сфера', en: 'Area', required: false, ruHelp: 'Машиностроение, Цифровизация, … (лист «Сферы»); пусто — «Прочее»', enHelp: 'Mechanical engineering, Digitalization, … (sheet "Areas"); empty: Other' },
];

/** Other names people write for an area, besides its own (AREA_NAMES) and the API's value. */
const AREA_ALSO: Partial<Record<TaskArea, string[]>> = {
  digitalization: ['цифровая трансформация', 'digitalisation'],
  food_supplies: ['продовольствие'],
  agriculture: ['агропромышленный комплекс', 'апк'],
  industrial_cooperation: ['промышленность', 'industry'],
  transport_logistics: ['транспорт', 'transport'],
  regional_cooperation: ['региональное сотрудничество', 'regions'],
  science_education: ['наука', 'образование'],
  other: ['другое', 'иное'],
};

/** Area names people write, in Russian and English, besides the API's own values. */
export const AREA_LABELS = Object.fromEntries(TASK_AREAS.map((a) => [a, { ...AREA_NAMES[a], also: AREA_ALSO[a] }])) as Record<
  TaskArea,
  { ru: string; en: string; also?: string[] }
>;

/** Text of the file quoted back in a message or a result: long cells are cut, so answers stay bounded. */
export function clip(text: string, max = 100): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const normalizeWords = (s: string) =>
  s
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[_\u2010-\u2015-]+/g, ' ')
    .replace(/co operation/g, 'cooperation')
    .replace(/\s+/g, ' ')
    .trim();

const AREA_BY_WORDS = new Map<string, TaskArea>(
  TASK_AREAS.flatMap((area) => {
    const l = AREA_LABELS[area];
    return [area, l.ru, l.en, ...(l.also ?? [])].map((w) => [normalizeWords(w), area] as [string, TaskArea]);
  }),
);

export function areaOf(text: string): TaskArea | undefined {
  return AREA_BY_WORDS.get(normalizeWords(text));
}

function normalizeHeader(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/\s+/g, ' ')
    // (?<!…): tried only where a run starts, so a long run is read once (test/regex-safety.test.ts).
    .replace(/(?<![\s:*])[\s:*]+$/, '')
    .trim();
}

/** What one header (or one of its halves) names, if anything. */
function fieldOfPart(part: string): Omit<Column, 'index' | 'header'> | undefined {
  const h = normalizeHeader(part);
  for (const [field, aliases] of Object.entries(HEADER_ALIASES)) if (aliases.includes(h)) return { field: field as Field };
  // "Исполнители (BY)", "Executors (Kazakhstan)", "Мероприятие (en)"
  // The spaces before the bracket are tried only where they start (test/regex-safety.test.ts).
  const qualified = /^(.*?(?<!\s))\s*\(([^()]+)\)$/.exec(h);
  const base = qualified ? qualified[1]! : h;
  const qualifier = qualified ? qualified[2]!.trim() : null;
  for (const [role, aliases] of Object.entries(EXECUTOR_ALIASES)) {
    if (aliases.includes(base)) return { field: 'executors', party: qualifier, role: role as ExecutorRole };
  }
  if (qualifier && HEADER_ALIASES.title.includes(base) && (LANGUAGES as readonly string[]).includes(qualifier)) {
    return { field: 'translation', lang: qualifier as Language };
  }
  return undefined;
}

export function fieldOfHeader(header: string): Omit<Column, 'index' | 'header'> | undefined {
  const whole = fieldOfPart(header);
  if (whole) return whole;
  // Bilingual headers, as the template writes them: "Срок / Deadline", or the two languages on two lines.
  // A run of spaces is tried as a separator only from its start: a cell of 32,767 tabs is read once.
  for (const part of header.split(/(?<!\s)\s+\/\s+|\n/)) {
    const found = fieldOfPart(part);
    if (found) return found;
  }
  return undefined;
}

/**
 * The text of a cell as the import reads it: trimmed, composed (NFC), line ends as "\n"; dates as YYYY-MM-DD; numbers
 * as their format shows their decimals. Composed as the API stores text: a file made on a Mac writes "й" and "ё" as a
 * letter and a combining mark, and its executors, basis, "(головной)" and "май 2027" were then read as unknown.
 */
export function cellText(cell: Cell | undefined): string {
  const v: CellValue | null | undefined = cell?.value;
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  if (typeof v === 'number' && cell?.shown !== undefined) return cell.shown;
  return String(v).replace(INVISIBLE, '').replace(/\r\n?/g, '\n').normalize('NFC').trim();
}

/**
 * The text of a cell read into a one-line field (a title): each line break or tab, with the blanks around it, becomes
 * one space. Excel users break long titles with Alt+Enter, and the API refuses line breaks in a title (line() in
 * common.schemas.ts); the row is imported as the title reads, not refused for the layout of its cell. Runs of spaces
 * alone are kept, as the API keeps them, so the export of a plan imported again changes nothing.
 */
export function oneLine(text: string): string {
  return text
    .split(/[\t\n\v\f\r\u0085\u2028\u2029]/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(' ');
}

export interface Layout {
  headerRow: number;
  columns: Column[];
  /** Headers the import does not read (the report's Status, Overdue, …). */
  ignored: string[];
}

const isEmptyRow = (r: SourceRow) => r.cells.every((c) => c === undefined || (cellText(c) === '' && !c.formula && !c.error));

/**
 * The header row: the first of the first 20 rows that names at least the number and the measure columns. A measure
 * column may be a translation alone ("Measure (en)", "Мероприятие (kk)"): the co-chairs' report asked for in a
 * language writes its titles so, and such a sheet updates the translations of the plan's tasks.
 */
export function findLayout(sheet: SourceSheet): Layout | undefined {
  for (const r of sheet.rows.slice(0, 20)) {
    const columns: Column[] = [];
    const ignored: string[] = [];
    r.cells.forEach((cell, index) => {
      const header = cellText(cell);
      if (header === '') return;
      const found = fieldOfHeader(header);
      if (found) columns.push({ index, header: clip(header, 200), ...found });
      else ignored.push(clip(header, 200));
    });
    if (columns.some((c) => c.field === 'code') && columns.some((c) => c.field === 'title' || c.field === 'translation')) return { headerRow: r.row, columns, ignored };
  }
  return undefined;
}

const invalid = (detail: string) => new AppError(ERRORS.invalidSpreadsheet, detail);

/** Refuses a layout the import cannot read unambiguously: a missing required column, or a field twice. */
export function checkLayout(layout: Layout, sheet: SourceSheet): void {
  const header = sheet.merges.find((m) => m.top <= layout.headerRow && m.bottom >= layout.headerRow);
  if (header) throw invalid(`the header row has merged cells (${header.range}): unmerge them so each column has its own header`);
  const missing = (['code', 'title', 'deadline', 'executors'] as const).filter(
    (f) => !layout.columns.some((c) => c.field === f || (f === 'title' && c.field === 'translation')),
  );
  if (missing.length > 0) {
    const names = { code: '"№" / "No"', title: '"Мероприятие" / "Measure"', deadline: '"Срок" / "Deadline"', executors: '"Ответственные исполнители" / "Responsible executors" (or one per side, e.g. "Executors (BY)")' };
    throw invalid(
      `the header row (row ${layout.headerRow}) has no column ${missing.map((f) => names[f]).join(', ')}; ` +
        'the layout is in GET /v1/plans/import-template',
    );
  }
  const seen = new Map<string, Column>();
  for (const c of layout.columns) {
    const key = c.field === 'executors' ? `executors|${c.party ?? ''}|${c.role}` : c.field === 'translation' ? `translation|${c.lang}` : c.field;
    const first = seen.get(key);
    if (first) {
      throw invalid(`the columns "${first.header}" (${cellRef(layout.headerRow, first.index)}) and "${c.header}" (${cellRef(layout.headerRow, c.index)}) hold the same field; keep one`);
    }
    seen.set(key, c);
  }
}

export interface DataRow extends SourceRow {
  /** Merged ranges that cover a cell of this row. */
  merges: Merge[];
}

/** A section heading between the measures, which the import skips: its row and its text. */
export interface Heading {
  row: number;
  text: string;
}

/** A task code alone ("1.5", "12"): a measure whose other cells are missing, not a heading. */
const CODE_ALONE = /^\d+(?:\.\d+)*\.?$/;

/** A Roman numeral up to 399, as sections are numbered; Cyrillic І, Х and С typed for I, X and C are read as those. */
const ROMAN = /^(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$/;
const roman = (s: string) => ROMAN.test(s.replace(/І/g, 'I').replace(/Х/g, 'X').replace(/С/g, 'C'));

/**
 * A section's number written in the number column, its name beside it: "II.", "IV", "Раздел 2", "Section 3." — never a
 * measure's code ("Раздел 2" is none; a plan numbering its measures I, II, … is not known). A whole number ("2", "2.")
 * is a section's only where the file has measures numbered under it ("2.1"): otherwise it is a measure's own number.
 */
function sectionNumber(text: string, sections: Set<string>): boolean {
  const bare = text.replace(/\.$/, '');
  const worded = /^(?:раздел|глава|часть|section|chapter|part)\s*(\S+)$/iu.exec(bare);
  if (worded) return /^\d+$/.test(worded[1]!) || roman(worded[1]!.toUpperCase());
  return roman(bare) || (/^\d+$/.test(bare) && sections.has(bare));
}

/** The columns of a section row: the number's, and those its name may stand in beside it (the measure's, its translations'). */
interface SectionColumns {
  code: number;
  titles: Set<number>;
}

/**
 * A row heading a section of the plan ("1. Машиностроение", "II. Agriculture", "Сельское хозяйство"), as roadmaps
 * put between their measures: one text on its row, alone in one cell or merged across several (Excel gives every cell
 * of a merged range its first cell's text), or that text beside the section's number in the number column ("II." |
 * "Торговля"), read as "II. Торговля". In a bilingual file the name comes with its translations, each in its own
 * column of the measure's title ("II." | "Торговля" | "Trade", or "III. Цифровизация" | "III. Digitalization" with the
 * number cell empty or merged into the name's), read as "II. Торговля / Trade": a text in any other column (a deadline,
 * an executor) makes the row a measure. Not a code alone, nor a measure's code beside its title and translation: those
 * are measures with their other cells missing.
 */
function headingOf(r: SourceRow, merges: Merge[], columns: SectionColumns, sections: Set<string>): string | undefined {
  const texts = r.cells.map(cellText).filter((v) => v !== '');
  const [text] = texts;
  if (text === undefined) return undefined;
  if (texts.every((v) => v === text)) return CODE_ALONE.test(text) ? undefined : text;
  // Each text once, where it is written: the first cell of its merged range. A range that reaches a title column holds
  // a name, even one begun in the number column.
  // Each merge is walked once over the row's cells: a crafted file's 2,000 merges cost no more per row than their cells.
  const mergeAt: (Merge | undefined)[] = [];
  for (const m of merges) for (let i = m.left; i <= Math.min(m.right, r.cells.length - 1); i++) mergeAt[i] ??= m;
  let number: string | undefined;
  const parts: { text: string; inTitles: boolean }[] = [];
  r.cells.forEach((cell, index) => {
    const value = cellText(cell);
    const merge = mergeAt[index];
    if (value === '' || (merge && merge.left < index)) return;
    const inTitles = [...columns.titles].some((i) => i === index || (merge !== undefined && i >= merge.left && i <= merge.right));
    if (index === columns.code && !inTitles) number = value;
    else parts.push({ text: value, inTitles });
  });
  const names = [...new Set(parts.map((p) => p.text))];
  if (names.length === 0) return undefined;
  if (names.length > 1 && (parts.some((p) => !p.inTitles) || names.some((n) => CODE_ALONE.test(n)))) return undefined;
  if (number === undefined) return names.length > 1 ? names.join(' / ') : undefined;
  return sectionNumber(number, sections) ? `${number} ${names.join(' / ')}` : undefined;
}

/**
 * A row under the header that heads the same columns again, in any language the header row may be in: the English row
 * of a bilingual template under its Russian one ("Code | Title | … | Due"), or the header repeated on each page of a
 * table pasted from Word. Every column read has its own field's header or nothing, the number and the measure columns
 * theirs; the columns not read may hold anything (their headers are not known).
 */
function repeatsHeader(r: SourceRow, layout: Layout): boolean {
  return layout.columns.every((c) => {
    const header = cellText(r.cells[c.index]);
    if (header === '') return c.field !== 'code' && c.field !== 'title' && c.field !== 'translation';
    const found = fieldOfHeader(header);
    return found !== undefined && found.field === c.field && found.role === c.role && found.lang === c.lang;
  });
}

/**
 * The data rows under the header: empty rows are skipped, so are comment rows (first cell starting with
 * "#", as the template's explanation rows), rows repeating the header (repeatsHeader), a row numbering the columns 1, 2,
 * 3, … as roadmaps often have, and section headings (headingOf); the headings and the repeated headers are returned
 * apart so that a preview lists them.
 */
export function dataRows(sheet: SourceSheet, layout: Layout): { rows: DataRow[]; headings: Heading[]; repeatedHeaders: number[] } {
  const below = sheet.rows.filter((r) => r.row > layout.headerRow && !isEmptyRow(r));
  const repeatedHeaders: number[] = [];
  const rows = below.filter((r) => {
    if (cellText(r.cells.find((c) => cellText(c) !== '')).startsWith('#')) return false;
    if (!repeatsHeader(r, layout)) return true;
    repeatedHeaders.push(r.row);
    return false;
  });
  const first = rows[0];
  if (first) {
    const values = first.cells.map(cellText).filter((v) => v !== '');
    if (values.length >= 3 && values.every((v, i) => v === String(i + 1))) rows.shift();
  }
  const columns: SectionColumns = {
    code: layout.columns.find((c) => c.field === 'code')!.index,
    titles: new Set(layout.columns.filter((c) => c.field === 'title' || c.field === 'translation').map((c) => c.index)),
  };
  // The sections the measures' numbers are under: "2" of "2.1" and "2.1.3".
  const sections = new Set(rows.map((r) => /^(\d+)\.\d/.exec(cellText(r.cells[columns.code]))?.[1]).filter((n) => n !== undefined));
  const headings: Heading[] = [];
  const measures: DataRow[] = [];
  for (const r of rows) {
    const merges = sheet.merges.filter((m) => m.top <= r.row && m.bottom >= r.row);
    const text = headingOf(r, merges, columns, sections);
    if (text !== undefined) headings.push({ row: r.row, text: clip(text, 500) });
    else measures.push({ ...r, merges });
  }
  return { rows: measures, headings, repeatedHeaders };
}
