// The progress report as a CSV an aide in Minsk or Astana opens by double-click: Excel and LibreOffice with Russian
// regional settings split fields at ";" and read "16,7" as a number ("16.7" becomes the 16th of July there).
import { parse } from 'csv-parse/sync';
import t from 'tap';
import type { ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { renderProgressCsv } from '../../src/modules/reports/progress.csv.js';
import { build, json, testClock } from '../helper.js';
import { approvePlan, createTask, seedPlan, transition } from '../factories.js';
import { progressReportFixture } from './fixtures.js';

t.test('dialect=excel-ru: semicolons between fields, a decimal comma, the same figures as the JSON', async (t) => {
  const report = progressReportFixture();
  const csv = renderProgressCsv(report, 'breakdown', 'excel-ru');
  t.equal(csv.charCodeAt(0), 0xfeff, 'the BOM stays: Excel reads the Cyrillic as UTF-8');
  const [header, total] = csv.slice(1).split('\r\n');
  t.match(header, /^dimension;key;label;taskCount;/, 'fields split at ";"');
  const rows: Record<string, string>[] = parse(csv, { bom: true, columns: true, delimiter: ';' });
  const totals = rows.find((r) => r.dimension === 'total')!;
  t.equal(totals['percentByStatus.closed'], '25', 'a whole percentage as it is');
  const by = rows.find((r) => r.dimension === 'party' && r.key === 'BY')!;
  t.equal(by['percentByStatus.closed'], '33,3', 'a fraction with a decimal comma');
  t.notMatch(total, /\d\.\d/, 'no decimal point left in a figure');
});

t.test('dialect=excel-ru in the tasks table: titles with commas need no quotes, a ";" in one is quoted', async (t) => {
  const report = progressReportFixture();
  report.tasks[0]!.title = 'Сборка тракторов; комбайнов, самосвалов';
  const csv = renderProgressCsv(report, 'tasks', 'excel-ru');
  // Codes are bare text formulas (="1.1"), quotes inside an unquoted field.
  const rows: Record<string, string>[] = parse(csv, { bom: true, columns: true, delimiter: ';', relax_quotes: true });
  t.equal(rows.length, report.tasks.length);
  t.equal(rows[0]!.title, 'Сборка тракторов; комбайнов, самосвалов');
  t.match(csv, '"Сборка тракторов; комбайнов, самосвалов"');
  t.equal(rows[0]!.dueDate, '2026-09-30', 'dates in ISO form, which Excel reads as dates in any locale');
});

t.test('GET …&format=csv&dialect=excel-ru answers the regional CSV; without it the CSV is comma-separated as before', async (t) => {
  const app = await build(t, testClock('2026-11-28T09:00:00.000Z'));
  const { plan, assignees } = await seedPlan(app);
  const a = await createTask(app, { planId: plan.id, code: '1.1', title: 'Первая', dueDate: '2027-03-31', assignees });
  await createTask(app, { planId: plan.id, code: '1.2', title: 'Вторая', dueDate: '2027-03-31', assignees });
  await createTask(app, { planId: plan.id, code: '1.3', title: 'Третья', dueDate: '2027-03-31', assignees });
  await approvePlan(app, plan.id);
  await transition(app, a.id, 'in_progress');
  await transition(app, a.id, 'done');
  await transition(app, a.id, 'closed');
  const report = json<ProgressReport>(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` }));
  t.equal(report.totals.percentByStatus.closed, 33.3);

  const ru = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=csv&lang=ru&dialect=excel-ru` });
  t.equal(ru.statusCode, 200, ru.body);
  t.equal(ru.headers['content-type'], 'text/csv; charset=utf-8');
  const rows: Record<string, string>[] = parse(ru.rawPayload, { bom: true, columns: true, delimiter: ';' });
  t.equal(rows[0]!['percentByStatus.closed'], '33,3');

  const plain = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=csv&lang=ru` });
  const standard: Record<string, string>[] = parse(plain.rawPayload, { bom: true, columns: true });
  t.equal(standard[0]!['percentByStatus.closed'], '33.3', 'the default stays RFC 4180 with a decimal point');

  const bad = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=csv&dialect=excel-fr` });
  t.equal(bad.statusCode, 400, 'an unknown dialect is refused');
});

t.test('dialect=excel-ru: task codes are written ="1.3", which Excel keeps as text (bare, it read 1.3 as the 1st of March)', async (t) => {
  const report = progressReportFixture();
  report.tasks[0]!.title = '=HYPERLINK("http://example.invalid")';
  const csv = renderProgressCsv(report, 'tasks', 'excel-ru');
  const lines = csv.slice(1).split('\r\n');
  t.match(lines[0], /^code;title;/, 'the header is no formula');
  t.equal(lines[1]!.split(';')[0], `="${report.tasks[0]!.code}"`, 'the code as a text formula, unquoted');
  const rows: Record<string, string>[] = parse(csv, { bom: true, columns: true, delimiter: ';', relax_quotes: true });
  t.strictSame(
    rows.map((r) => r.code),
    report.tasks.map((x) => `="${x.code}"`),
    'every code',
  );
  t.equal(rows[0]!.title, `'=HYPERLINK("http://example.invalid")`, "a user's formula is still escaped");
  const standard = renderProgressCsv(report, 'tasks');
  const plain: Record<string, string>[] = parse(standard, { bom: true, columns: true });
  t.equal(plain[0]!.code, report.tasks[0]!.code, 'the default dialect writes the code as it is');
});
