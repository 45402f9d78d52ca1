// The downloadable template of the import: the column layout with Russian / English headers, a row of
// explanations and an example row (both skipped by the import: they start with "#"), and for XLSX the
// instructions, the areas and, for a plan, the commission's organizations and meetings.
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { TASK_AREAS } from '../../db/enums.js';
import { bareProtocolNumber } from '../meetings/meeting-citation.js';
import type { Meeting } from '../meetings/meetings.schemas.js';
import type { Organization } from '../organizations/organizations.schemas.js';
import { AREA_LABELS, TEMPLATE_COLUMNS } from './imports.columns.js';
import { DEADLINE_FORMS } from './imports.deadlines.js';
import { IMPORT_LIMITS } from './imports.schemas.js';
import { ZIP_LIMITS } from './imports.zip-guard.js';

export interface TemplateContext {
  /** The parties of the plan's commission: one executors column each; none, one mixed column. */
  parties: string[];
  organizations: Organization[];
  meetings: Meeting[];
}

interface TemplateColumn {
  header: string;
  help: string;
  example: string;
  width: number;
}

const EXECUTORS = TEMPLATE_COLUMNS[5]!;

function columnsFor(ctx: TemplateContext): TemplateColumn[] {
  const orgOf = (country: string | null, i: number) => ctx.organizations.filter((o) => country === null || o.country === country)[i]?.name;
  const meeting = ctx.meetings.find((m) => m.protocolNumber) ?? ctx.meetings[0];
  const examples: Record<string, string> = {
    '№': '1.1',
    Мероприятие: 'Наращивание объёмов сборки тракторов «Беларус» на совместном предприятии',
    'Форма завершения': 'Информация сопредседателям Комиссии',
    'Ожидаемый результат': 'Собрано не менее 1 200 тракторов за год',
    Срок: 'IV квартал 2026',
    Основание: meeting?.protocolNumber ? `Протокол № ${bareProtocolNumber(meeting.protocolNumber)} от ${meeting.date.split('-').reverse().join('.')}, п. 2.1` : 'Протокол № 18 от 16.04.2026, п. 2.1',
    Сфера: 'Машиностроение',
  };
  const plain = (c: (typeof TEMPLATE_COLUMNS)[number]): TemplateColumn => ({
    header: `${c.ru} / ${c.en}`,
    help: `${c.required ? 'Обязательно' : 'Необязательно'}. ${c.ruHelp} / ${c.required ? 'Required' : 'Optional'}. ${c.enHelp}`,
    example: examples[c.ru] ?? '',
    width: c.ru === 'Мероприятие' ? 50 : c.ru === '№' ? 8 : 26,
  });
  const executors: TemplateColumn[] =
    ctx.parties.length === 0
      ? [{ ...plain(EXECUTORS), example: [orgOf(null, 0) ?? 'Министерство промышленности Республики Беларусь', orgOf(null, 1) ?? 'Минпром'].join('\n'), width: 36 }]
      : ctx.parties.map((p) => ({
          header: `${EXECUTORS.ru} (${p}) / ${EXECUTORS.en} (${p})`,
          help: `Обязательно для одной из сторон. Организации ${p} по одной в строке; первая — головной исполнитель / Organizations of ${p}, one a line; the first is the lead`,
          example: [orgOf(p, 0), orgOf(p, 1)].filter(Boolean).join('\n'),
          width: 36,
        }));
  return [...TEMPLATE_COLUMNS.slice(0, 5).map(plain), ...executors, ...TEMPLATE_COLUMNS.slice(6).map(plain)];
}

/** The rules, as the Instructions sheet and the CSV's comment rows state them. */
export const TEMPLATE_RULES: [string, string][] = [
  ['Строки, первая ячейка которых начинается с «#», пустые строки и строка с номерами столбцов 1, 2, 3… пропускаются.', 'Rows whose first cell starts with "#", empty rows and a row numbering the columns 1, 2, 3… are skipped.'],
  ['Столбцы узнаются по заголовку на русском или английском, в любом порядке; прочие столбцы не читаются.', 'Columns are recognized by their Russian or English header, in any order; other columns are not read.'],
  ['Мероприятие с номером, который уже есть в плане, обновляется; с новым номером — создаётся. Задачи плана, которых нет в файле, не меняются.', 'A measure whose number is already in the plan is updated; a new number creates it. Tasks of the plan missing from the file stay as they are.'],
  [`Срок: ${DEADLINE_FORMS}. Квартал, месяц, полугодие и год означают их последний день.`, `Deadline: ${DEADLINE_FORMS}. A quarter, month, half-year or year means its last day.`],
  ['В утверждённом плане срок существующего мероприятия меняется только через перенос срока (с обоснованием); тексты и исполнителей можно обновить, новые мероприятия — добавить.', 'In an approved plan, the deadline of an existing measure changes only through a deadline change (with a reason); texts and executors may be updated and new measures added.'],
  ['Исполнители: полное или краткое наименование организации, по одной в строке ячейки (или через «;» или запятую; название с запятой, «ТОО «Агро, Ltd»», читается целиком). Первая организация каждой стороны — головной исполнитель, остальные — соисполнители; «(головной)» после названия указывает головного явно.', 'Executors: the full or short name of the organization, one a line of the cell (or separated by ";" or commas; a name holding a comma, "Agro, Ltd", is read whole). The first of each side is the lead, the others co-executors; "(lead)" after a name marks the lead explicitly.'],
  ['Основание: номер и дата протокола заседания Комиссии и пункт, например «Протокол № 18 от 16.04.2026, п. 2.1».', 'Basis: the number and date of the protocol of a meeting of the commission and its item, e.g. "Protocol No. 18 of 2026-04-16, item 2.1".'],
  ['Формулы и объединённые ячейки не допускаются: вставьте значения и разъедините ячейки.', 'No formulas and no merged cells: paste values and unmerge cells.'],
  [`Файл: .xlsx или CSV в UTF-8 (с BOM или без), разделитель «;» или «,»; не более ${IMPORT_LIMITS.fileBytes / 1024 / 1024} МиБ (${ZIP_LIMITS.maxUncompressedBytes / 1024 / 1024} МиБ в распакованном виде), до 2000 строк.`, `File: .xlsx, or CSV in UTF-8 (with or without BOM), ";" or "," separated; at most ${IMPORT_LIMITS.fileBytes / 1024 / 1024} MiB (${ZIP_LIMITS.maxUncompressedBytes / 1024 / 1024} MiB unpacked), up to 2000 rows.`],
  ['Сначала предпросмотр (POST /v1/plans/{id}/import/preview), затем загрузка (POST /v1/plans/{id}/import): всё или ничего.', 'Preview first (POST /v1/plans/{id}/import/preview), then commit (POST /v1/plans/{id}/import): all rows or none.'],
];

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF5' } };
const NOTE_FONT: Partial<ExcelJS.Font> = { italic: true, color: { argb: 'FF666666' } };

function table(sheet: ExcelJS.Worksheet, headers: string[], rows: (string | null)[][], widths: number[]): void {
  sheet.getRow(1).values = headers;
  sheet.getRow(1).font = { bold: true };
  rows.forEach((r, i) => (sheet.getRow(i + 2).values = r));
  widths.forEach((w, i) => {
    sheet.getColumn(i + 1).width = w;
    sheet.getColumn(i + 1).alignment = { wrapText: true, vertical: 'top' };
  });
}

export async function renderTemplateXlsx(ctx: TemplateContext): Promise<Buffer> {
  const columns = columnsFor(ctx);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Commission plan tracker';
  const plan = workbook.addWorksheet('План (Plan)', { views: [{ state: 'frozen', ySplit: 1 }] });
  columns.forEach((c, i) => {
    const column = plan.getColumn(i + 1);
    column.width = c.width;
    column.alignment = { wrapText: true, vertical: 'top' };
    // Text cells: Excel would otherwise read "1.10" as the number 1.1 and "31.12.2026" in its own way.
    column.numFmt = '@';
  });
  const header = plan.getRow(1);
  header.values = columns.map((c) => c.header);
  header.font = { bold: true };
  header.eachCell((cell) => (cell.fill = HEADER_FILL));
  const help = plan.getRow(2);
  help.values = columns.map((c, i) => (i === 0 ? `# ${c.help}` : c.help));
  help.font = NOTE_FONT;
  const example = plan.getRow(3);
  example.values = columns.map((c, i) => (i === 0 ? `# ${c.example}` : c.example));
  example.font = NOTE_FONT;

  const instructions = workbook.addWorksheet('Инструкция (Instructions)');
  table(
    instructions,
    ['Столбец / Column', 'Обязательный / Required', 'Описание', 'Description'],
    [
      ...TEMPLATE_COLUMNS.map((c) => [`${c.ru} / ${c.en}`, c.required ? 'да / yes' : 'нет / no', c.ruHelp, c.enHelp]),
      [],
      ...TEMPLATE_RULES.map(([ru, en]) => [null, null, ru, en]),
    ],
    [34, 14, 60, 60],
  );

  const areas = workbook.addWorksheet('Сферы (Areas)');
  table(areas, ['Сфера', 'Area', 'API'], TASK_AREAS.map((a) => [AREA_LABELS[a].ru, AREA_LABELS[a].en, a]), [34, 34, 26]);

  if (ctx.parties.length > 0) {
    const orgs = workbook.addWorksheet('Организации (Organizations)');
    table(
      orgs,
      ['Наименование / Name', 'Краткое / Short name', 'Страна / Country'],
      ctx.organizations.filter((o) => ctx.parties.includes(o.country)).map((o) => [o.name, o.shortName, o.country]),
      [60, 26, 10],
    );
    const meetings = workbook.addWorksheet('Заседания (Meetings)');
    table(
      meetings,
      ['Дата / Date', 'Заседание / Meeting', 'Протокол / Protocol', 'Основание / Basis'],
      ctx.meetings.map((m) => [
        m.date,
        m.title,
        m.protocolNumber,
        m.protocolNumber ? `Protocol No. ${bareProtocolNumber(m.protocolNumber)} of ${m.date}, item …` : `${m.title}, ${m.date}, item …`,
      ]),
      [12, 60, 14, 50],
    );
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The CSV template: UTF-8 with BOM, ";"-separated as spreadsheets in the region write it, CRLF. */
export function renderTemplateCsv(ctx: TemplateContext): string {
  const columns = columnsFor(ctx);
  const records = [
    columns.map((c) => c.header),
    columns.map((c, i) => (i === 0 ? `# ${c.help}` : c.help)),
    columns.map((c, i) => (i === 0 ? `# ${c.example}` : c.example)),
  ];
  // Organizations' and meetings' names are users' text: one starting with = or + would run as a formula in a
  // spreadsheet, so csv-stringify prefixes it with ' (as the report's CSV does, progress.csv.ts).
  return `\uFEFF${stringify(records, { delimiter: ';', record_delimiter: '\r\n', escape_formulas: true })}`;
}
