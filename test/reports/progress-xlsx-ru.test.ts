// The report's workbook asked for in Russian (lang=ru, be or kk) reads as Russian to a co-chair's aide: sheet names,
// headings, the preamble, statuses, areas, confidence and completion as the printable page says them, dates and
// the generation instant as typed cells shown dd.mm.yyyy. In English, or with no language, it stays as it was.
import ExcelJS from 'exceljs';
import t from 'tap';
import type { ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { renderProgressXlsx } from '../../src/modules/reports/progress.xlsx.js';
import { progressReportFixture } from './fixtures.js';

async function workbookOf(report: ProgressReport) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await renderProgressXlsx(report)) as unknown as ArrayBuffer);
  return workbook;
}

const text = (v: ExcelJS.CellValue): unknown => (v !== null && typeof v === 'object' && 'richText' in v ? v.richText.map((p) => p.text).join('') : (v ?? null));
const row = (sheet: ExcelJS.Worksheet, n: number) => Array.from({ length: sheet.columnCount }, (_, i) => text(sheet.getRow(n).getCell(i + 1).value));

t.test('in Russian, the sheets, their headings and the preamble are Russian', async (t) => {
  const wb = await workbookOf(progressReportFixture({ lang: 'ru' }));
  t.strictSame(wb.worksheets.map((s) => s.name), ['Сводка', 'Задачи', 'Просроченные', 'Нет отчётов', 'Индикаторы']);

  const summary = wb.getWorksheet('Сводка')!;
  t.equal(summary.getCell('A1').value, 'Отчёт о ходе выполнения — Межправительственная комиссия по торгово-экономическому сотрудничеству Беларусь – Казахстан');
  t.strictSame([summary.getCell('A2').value, summary.getCell('A3').value, summary.getCell('C3').value, summary.getCell('E3').value], ['Планы', 'По состоянию на', 'Часовой пояс', 'Сформирован']);
  t.strictSame([summary.getCell('A4').value, summary.getCell('C4').value, summary.getCell('E4').value], ['Отчётный период', 'Последний истёкший период', 'Срок отчётов за него']);
  const head = row(summary, 6);
  t.strictSame(head.slice(0, 4), ['Группа', 'Наименование', 'Страна', 'Задач']);
  t.ok(head.includes('В работе') && head.includes('Снята с контроля, %') && head.includes('Зелёный: по плану') && head.includes('Отчёта ещё нет'), 'statuses and confidence as the page names them');
  // Beside "Задач с переносом срока" and "Переносов", on_hold labelled "Отложена" (postponed) read as a moved deadline.
  t.ok(head.includes('Приостановлена') && !head.some((h) => typeof h === 'string' && h.startsWith('Отложен')), 'a task on hold is suspended, not postponed');
  t.strictSame(
    Array.from({ length: 4 }, (_, i) => summary.getCell(`A${7 + i}`).value),
    ['Итого', 'Сторона', 'Сторона', 'Организация'],
  );
  t.equal(summary.getCell('B7').value, 'Итого', 'the total row says so in Russian');

  t.strictSame(row(wb.getWorksheet('Задачи')!, 1), [
    '№',
    'Мероприятие (ru)',
    'Форма завершения',
    'Ожидаемый результат',
    'Срок',
    'Исполнители (BY)',
    'Исполнители (KZ)',
    'Основание',
    'Направление',
    'Статус',
    'Первоначальный срок',
    'Просрочено',
    'Дней просрочки',
    'Переносов',
    'Дней переноса',
    'Снятие с контроля',
    'Снятие с контроля к первоначальному сроку',
    '% выполнения',
    'Уверенность',
    'План',
  ]);
  t.strictSame(row(wb.getWorksheet('Просроченные')!, 1), ['№', 'Мероприятие', 'Срок', 'Дней просрочки', 'Статус', 'Переносов', 'Исполнители', 'План']);
  t.strictSame(row(wb.getWorksheet('Нет отчётов')!, 1), ['№', 'Мероприятие', 'Организация', 'Страна', 'Период', 'Срок', 'План']);
  t.strictSame(row(wb.getWorksheet('Индикаторы')!, 1), ['Индикатор', 'Ед. изм.', '№ задачи', 'Базовое', 'Целевое', 'Фактическое', 'Период', 'Прогресс, %', 'План']);
});

t.test('in Russian, status, area, confidence, completion and the lead mark are words, not codes', async (t) => {
  const wb = await workbookOf(progressReportFixture({ lang: 'ru' }));
  const tasks = wb.getWorksheet('Задачи')!;
  const byCode = new Map(Array.from({ length: tasks.rowCount - 1 }, (_, i) => [String(tasks.getCell(`A${i + 2}`).value), row(tasks, i + 2)]));
  const r11 = byCode.get('1.1')!;
  t.equal(r11[5], 'Министерство промышленности Республики Беларусь (головной)\nОАО «Минский тракторный завод»', 'the lead marked as the import reads it');
  t.equal(r11[7], 'Протокол № 19 от 04.11.2026 (Официальный визит в Астану), п. 1', 'the basis cited as the page cites it');
  t.strictSame([r11[8], r11[9], r11[18]], ['Машиностроение', 'В работе', 'Жёлтый: есть риски']);
  t.strictSame([byCode.get('1.2')![15], byCode.get('3.1')![16]], ['В срок', 'С опозданием']);
  t.equal(byCode.get('2.2')![9], 'Доложено об исполнении', 'no soft hyphen in a cell: Excel would print it');
  t.equal(byCode.get('3.2')![18], 'Отчёта ещё нет', 'no report: said, as on the page');
  t.equal(byCode.get('1.1')![11], true, 'overdue stays a boolean cell, which Excel shows as ИСТИНА');

  const overdue = wb.getWorksheet('Просроченные')!;
  t.strictSame([overdue.getCell('E2').value, overdue.getCell('E3').value], ['В работе', 'Не начата']);
});

t.test('in Russian, dates are date cells shown dd.mm.yyyy, and "generated" is a date-time in the commission\'s zone', async (t) => {
  const wb = await workbookOf(progressReportFixture({ lang: 'ru' }));
  const summary = wb.getWorksheet('Сводка')!;
  const asOf = summary.getCell('B3');
  t.ok(asOf.value instanceof Date, 'as of: a date');
  t.equal(asOf.numFmt, 'dd.mm.yyyy');
  const generated = summary.getCell('F3');
  t.ok(generated.value instanceof Date, 'generated: a date-time, not text');
  // 09:00 UTC is 12:00 in Minsk: a spreadsheet date-time has no zone, so it holds the wall clock of the zone beside it.
  t.equal((generated.value as Date).toISOString(), '2026-11-28T12:00:00.000Z');
  t.equal(generated.numFmt, 'dd.mm.yyyy hh:mm');
  t.equal(summary.getCell('F4').numFmt, 'dd.mm.yyyy', 'the deadline of the last period');
  const tasks = wb.getWorksheet('Задачи')!;
  t.ok(tasks.getCell('E2').value instanceof Date);
  t.equal(tasks.getCell('E2').numFmt, 'dd.mm.yyyy');
  t.equal(tasks.getCell('K2').numFmt, 'dd.mm.yyyy');
  t.equal(wb.getWorksheet('Нет отчётов')!.getCell('F2').numFmt, 'dd.mm.yyyy');
  const indicators = wb.getWorksheet('Индикаторы')!;
  t.strictSame(row(indicators, 2), ['Товарооборот между Беларусью и Казахстаном', 'млн долл. США', null, 1000, 1500, 1210, '2026-Q3', 42, 'План мероприятий по итогам официального визита 4 ноября 2026 г.']);
  // Numbers, not text: General shows them with the reader's decimal comma ("1196,5"); a grouping format would print
  // a whole number with a dangling comma ("1 000,").
  t.equal(indicators.getCell('D2').numFmt, undefined, 'figures as General');
  t.equal(indicators.getCell('H2').numFmt, '0.0', 'a format code Excel shows with the reader\'s decimal comma');
});

t.test('Belarusian and Kazakh workbooks are in Russian too, the title column naming the language asked', async (t) => {
  for (const lang of ['be', 'kk'] as const) {
    const wb = await workbookOf(progressReportFixture({ lang }));
    t.equal(wb.worksheets[1]?.name, 'Задачи', lang);
    t.equal(wb.worksheets[1]?.getCell('B1').value, `Мероприятие (${lang})`, lang);
  }
});

t.test('in English, or with no language, the workbook keeps its English names, codes and ISO dates', async (t) => {
  for (const lang of ['en', null] as const) {
    const wb = await workbookOf(progressReportFixture({ lang }));
    t.strictSame(wb.worksheets.map((s) => s.name), ['Summary', 'Tasks', 'Overdue', 'Missing reports', 'Indicators']);
    const summary = wb.getWorksheet('Summary')!;
    t.equal(summary.getCell('B7').value, 'Total');
    t.equal(summary.getCell('F3').value, '2026-11-28T09:00:00.000Z', 'generated: the instant as the JSON gives it');
    const tasks = wb.getWorksheet('Tasks')!;
    t.strictSame([tasks.getCell('I2').value, tasks.getCell('J2').value, tasks.getCell('S2').value], ['mechanical_engineering', 'in_progress', 'amber']);
    t.equal(tasks.getCell('E2').numFmt, 'yyyy-mm-dd');
    t.equal(wb.getWorksheet('Indicators')!.getCell('D2').numFmt, undefined, 'figures as General');
  }
});
