// Tests of the plan import with shapes found in real roadmaps: section rows numbered in their own cell, executors
// separated by commas, and a second header row in English under the Russian one (bilingual templates).
import ExcelJS from 'exceljs';
import t from 'tap';
import { build, json } from '../helper.js';
import { send } from './import-requests.js';
import { createOrganization, createTask, seedPlan } from '../factories.js';
import { executorLines, matchExecutorLine, organizationDirectory } from '../../src/modules/imports/imports.matching.js';
import type { Organization } from '../../src/modules/organizations/organizations.schemas.js';


const csv = (lines: string[][]) => lines.map((l) => l.map((v) => (/[";\n,]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(';')).join('\r\n') + '\r\n';
const HEADER = ['№', 'Мероприятие', 'Срок', 'Исполнители'];

t.test('a section row numbered in the number column, its heading beside it, is a heading; a measure missing its cells is still an error', async (t) => {
  // Plans typed in Word or Excel put the section's number ("II.", "1.", "Раздел 2") in the № column and its name in
  // the measure column (or merged across the rest of the row): each such row was an error row that blocked the commit.
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('План');
  ws.addRow(HEADER);
  ws.addRow(['I.', 'Торговля']);
  ws.addRow(['1.1', 'Рост товарооборота', '31.12.2026', 'Minprom\nMIC']);
  ws.addRow(['2.', 'Промышленная кооперация']);
  ws.mergeCells('B4:D4');
  ws.addRow(['2.1', 'Сборка тракторов', '31.12.2026', 'Minprom\nMIC']);
  ws.addRow(['Раздел 3', 'Цифровизация']);
  ws.addRow(['3.1', 'Электронный документооборот', '30.06.2027', 'Minprom\nMIC']);
  ws.addRow(['IV', 'Regional cooperation']);
  ws.addRow(['4.1', 'Дни регионов', '30.06.2027', 'Minprom\nMIC']);
  const body = Buffer.from(await wb.xlsx.writeBuffer());
  const preview = json(await send(app, plan.id, body));
  t.strictSame(preview.headings, [
    { row: 2, text: 'I. Торговля' },
    { row: 4, text: '2. Промышленная кооперация' },
    { row: 6, text: 'Раздел 3 Цифровизация' },
    { row: 8, text: 'IV Regional cooperation' },
  ]);
  t.same(preview.rows.map((r: { code: string; action: string }) => [r.code, r.action]), [['1.1', 'create'], ['2.1', 'create'], ['3.1', 'create'], ['4.1', 'create']]);
  const committed = await send(app, plan.id, body, true);
  t.equal(committed.statusCode, 200, committed.body);
  const codes = json(await app.inject({ method: 'GET', url: `/v1/tasks?planId=${plan.id}` })).items.map((x: { code: string }) => x.code);
  t.strictSame(codes, ['1.1', '2.1', '3.1', '4.1'], 'the measures, and no section, are tasks');

  // A measure's number with its title and no deadline nor executors is a measure missing its cells, not a section.
  const missing = json(await send(app, plan.id, csv([HEADER, ['2.3', 'Поставки комбайнов'], ['5', 'Без раздела'], ['6.1.', 'Тоже мера']])));
  t.strictSame(missing.headings, []);
  t.match(missing.rows, [
    { row: 2, code: '2.3', action: 'error', errors: [{ cell: 'C2', message: /^empty/ }, { cell: 'D2', message: /^empty/ }] },
    { row: 3, code: '5', action: 'error' },
    { row: 4, code: '6.1.', action: 'error' },
  ]);
  // "7" over a measure 7.1 heads it; and a section row with a deadline or executors is a measure.
  const numbered = json(await send(app, plan.id, csv([HEADER, ['7', 'Торговля'], ['7.1', 'Рост', '31.12.2026', 'Minprom'], ['II.', 'Сельское хозяйство', '31.12.2026', '']])));
  t.strictSame(numbered.headings, [{ row: 2, text: '7 Торговля' }]);
  t.match(numbered.rows, [{ code: '7.1', action: 'create' }, { code: 'II.', action: 'error', errors: [{ cell: 'D4', message: /^empty/ }] }]);
});

t.test('executors separated by commas are each matched, and a name with a comma in it is read whole', async (t) => {
  const app = await build(t);
  const { plan, by, kz } = await seedPlan(app);
  const agro = await createOrganization(app, { name: 'ТОО «Агро, Ltd»', kind: 'enterprise', country: 'KZ' });
  const mtz = await createOrganization(app, { name: 'Minsk Tractor Works', shortName: 'MTZ', kind: 'enterprise', country: 'BY' });
  const res = json(
    await send(
      app,
      plan.id,
      csv([
        HEADER,
        ['1.1', 'Сборка', '31.12.2026', 'Minprom, MIC'],
        ['1.2', 'Поставки', '31.12.2026', 'Minprom\nТОО «Агро, Ltd»'],
        ['1.3', 'Кооперация', '31.12.2026', 'MTZ, Minprom (головной), Агро, Ltd, MIC'],
        ['1.4', 'Ошибка', '31.12.2026', 'Minprom, Минсельхоззз'],
        ['1.5', 'Ошибка', '31.12.2026', 'Совсем, неизвестная'],
      ]),
    ),
  );
  const assignees = (i: number) => res.rows[i].changes.find((c: { field: string }) => c.field === 'assignees').after;
  t.match(res.rows[0], { code: '1.1', action: 'create' });
  t.same(assignees(0).map((a: { organizationId: string; role: string }) => [a.organizationId, a.role]), [[by.id, 'lead'], [kz.id, 'lead']]);
  t.same(assignees(1).map((a: { organizationId: string; role: string }) => [a.organizationId, a.role]), [[by.id, 'lead'], [agro.id, 'lead']], 'a comma inside a name that resolves whole');
  t.same(
    assignees(2).map((a: { organizationId: string; role: string }) => [a.organizationId, a.role]),
    [[by.id, 'lead'], [agro.id, 'lead'], [mtz.id, 'co_executor'], [kz.id, 'co_executor']],
    'the "(головной)" mark of one of them is read, and the name with a comma resolves whole where its halves do not',
  );
  t.match(res.rows[3], { code: '1.4', action: 'error', errors: [{ cell: 'D5', message: /^no organization is named "Минсельхоззз"/ }] });
  t.equal(res.rows[3].errors.length, 1, 'only the part it cannot match is an error');
  t.match(res.rows[4], { code: '1.5', action: 'error', errors: [{ cell: 'D6', message: /^no organization is named "Совсем, неизвестная"/ }] });
  t.match(res.unmatchedExecutors, [{ text: 'Минсельхоззз', rows: [5] }, { text: 'Совсем, неизвестная', rows: [6] }]);
});

t.test('a line of commas is looked up once a part, more only as far as a name of the directory holds commas', async (t) => {
  // Each part was tried as the start of a name of up to four parts: four look-ups a part, so a 5 MiB CSV of
  // "Minprom, ab, ab, …" held the service 7 s (2 s with ";"), in the commit's write transaction too.
  const org = (name: string, country: string) => ({ id: name, name, shortName: null, country }) as unknown as Organization;
  const counted = (names: [string, string][]) => {
    const directory = organizationDirectory(names.map(([n, c]) => org(n, c)), ['BY', 'KZ']);
    const counter = { calls: 0 };
    return { counter, directory: { ...directory, match: (text: string, party: string | null) => (counter.calls++, directory.match(text, party)) } };
  };
  const line = (text: string) => executorLines(text)[0]!;
  const unknown = Array.from({ length: 1000 }, (_, i) => `ab${i}`).join(', ');

  const plain = counted([['Minprom', 'BY'], ['MIC', 'KZ']]);
  const read = matchExecutorLine(plain.directory, line(`Minprom, ${unknown}, MIC`), null);
  t.same(read.map((r) => (r.found.ok ? r.found.organization.name : r.line.text)), ['Minprom', unknown, 'MIC']);
  t.ok(plain.counter.calls <= 1002 + 2, `${plain.counter.calls} look-ups for 1002 parts`);

  const withComma = counted([['Minprom', 'BY'], ['ТОО «Агро, Ltd»', 'KZ']]);
  const both = matchExecutorLine(withComma.directory, line(`Minprom, ТОО «Агро, Ltd», ${unknown}`), null);
  t.same(both.map((r) => (r.found.ok ? r.found.organization.name : r.line.text)), ['Minprom', 'ТОО «Агро, Ltd»', unknown], 'a name of two parts is still read whole');
  t.ok(withComma.counter.calls <= 2 * 1003 + 2, `${withComma.counter.calls} look-ups for 1003 parts, names of up to two`);
});

t.test('a second header row, in English under the Russian one, is skipped and reported, not an error row', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('План');
  ws.addRow(['№ п/п', 'Мероприятие', 'Срок', 'Исполнители (BY)', 'Исполнители (KZ)', 'Примечание']);
  ws.addRow(['Code', 'Title', 'Due', 'Executors (Belarus)', 'Executors (Kazakhstan)', 'Note']);
  ws.addRow(['1', '2', '3', '4', '5', '6']);
  ws.addRow(['1.1', 'Сборка тракторов', '31.12.2026', 'Minprom', 'MIC']);
  const body = Buffer.from(await wb.xlsx.writeBuffer());
  const preview = json(await send(app, plan.id, body));
  t.strictSame(preview.repeatedHeaderRows, [2], 'the second header row is reported');
  t.match(preview.rows, [{ row: 4, code: '1.1', action: 'create' }]);
  t.equal(preview.rows.length, 1);
  t.equal((await send(app, plan.id, body, true)).statusCode, 200);
  // The header repeated further down, as on each page of a table pasted from Word, is skipped too.
  const paged = json(await send(app, plan.id, csv([HEADER, ['1.2', 'Новое', '31.12.2026', 'Minprom'], ['No', 'Measure', 'Deadline', 'Executors'], ['1.3', 'Ещё', '31.12.2026', 'Minprom']])));
  t.strictSame(paged.repeatedHeaderRows, [3]);
  t.match(paged.rows, [{ row: 2, action: 'create' }, { row: 4, action: 'create' }]);

  // A row naming other fields under the columns is no header row of this table: an error row, as before.
  const other = json(await send(app, plan.id, csv([HEADER, ['Code', 'Deadline', 'Title', 'Executors'], ['1.2', 'Новое', '31.12.2026', 'Minprom']])));
  t.strictSame(other.repeatedHeaderRows, []);
  t.match(other.rows, [{ row: 2, code: 'Code', action: 'error' }, { row: 3, action: 'create' }]);
});

t.test('a numbered section row of a bilingual file, its name and the translation beside it, is a heading; a measure with its translation but no deadline is still an error', async (t) => {
  // Bilingual roadmaps (the files with an English header row under the Russian one) give a section row its translation
  // too: "II." | "Торговля" | "Trade", in the measure column and its translation column. Each such row was an error row
  // (empty deadline, empty executors, or merged cells) that blocked the commit.
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const header = ['№', 'Мероприятие', 'Title (en)', 'Срок', 'Исполнители'];
  const english = ['No', 'Measure', 'Title (en)', 'Deadline', 'Executors'];
  const measure = (code: string, ru: string, en: string) => [code, ru, en, '31.12.2026', 'Minprom\nMIC'];

  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('План');
  ws.addRow(header);
  ws.addRow(english);
  ws.addRow(['I.', 'Торговля', 'Trade']);
  ws.addRow(measure('1.1', 'Рост товарооборота', 'Trade growth'));
  ws.addRow(['II.', 'Промышленная кооперация / Industrial cooperation']);
  ws.mergeCells('B5:C5');
  ws.addRow(measure('2.1', 'Сборка тракторов', 'Tractor assembly'));
  ws.addRow(['III. Цифровизация', '', 'III. Digitalization']);
  ws.mergeCells('A7:B7');
  ws.addRow(measure('3.1', 'Электронный документооборот', 'Electronic documents'));
  ws.addRow(['IV', 'Региональное сотрудничество', 'Regional cooperation']);
  ws.mergeCells('C9:E9');
  ws.addRow(measure('4.1', 'Дни регионов', 'Days of the regions'));
  const body = Buffer.from(await wb.xlsx.writeBuffer());
  const preview = json(await send(app, plan.id, body));
  t.strictSame(preview.repeatedHeaderRows, [2]);
  t.strictSame(preview.headings, [
    { row: 3, text: 'I. Торговля / Trade' },
    { row: 5, text: 'II. Промышленная кооперация / Industrial cooperation' },
    { row: 7, text: 'III. Цифровизация / III. Digitalization' },
    { row: 9, text: 'IV Региональное сотрудничество / Regional cooperation' },
  ]);
  t.same(preview.rows.map((r: { code: string; action: string }) => [r.code, r.action]), [['1.1', 'create'], ['2.1', 'create'], ['3.1', 'create'], ['4.1', 'create']]);
  const committed = await send(app, plan.id, body, true);
  t.equal(committed.statusCode, 200, committed.body);
  const tasks = json(await app.inject({ method: 'GET', url: `/v1/tasks?planId=${plan.id}` })).items;
  t.strictSame(tasks.map((x: { code: string }) => x.code), ['1.1', '2.1', '3.1', '4.1'], 'the measures, and no section, are tasks');
  t.equal(tasks[0]?.translations?.en?.title, 'Trade growth', 'the measures keep their translations');

  // The same in CSV: the number in the № column, or in the texts themselves with the № cell empty; "4" heads 4.2.
  const sections = csv([
    header,
    english,
    ['II.', 'Торговля', 'Trade'],
    measure('2.2', 'Поставки', 'Supplies'),
    ['', 'III. Цифровизация', 'III. Digitalization'],
    ['4', 'Сельское хозяйство', 'Agriculture'],
    measure('4.2', 'Поставки зерна', 'Grain supplies'),
  ]);
  const csvPreview = json(await send(app, plan.id, sections));
  t.strictSame(csvPreview.headings, [
    { row: 3, text: 'II. Торговля / Trade' },
    { row: 5, text: 'III. Цифровизация / III. Digitalization' },
    { row: 6, text: '4 Сельское хозяйство / Agriculture' },
  ]);
  t.same(csvPreview.rows.map((r: { code: string; action: string }) => [r.code, r.action]), [['2.2', 'create'], ['4.2', 'create']]);
  t.equal((await send(app, plan.id, sections, true)).statusCode, 200);

  // A measure's number with its title and translation, but no deadline nor executors, is a measure missing its cells;
  // so is a section's number whose row has a deadline, or a text in a column other than the titles.
  const missing = json(
    await send(
      app,
      plan.id,
      csv([
        header,
        english,
        ['2.3', 'Поставки комбайнов', 'Combine deliveries'],
        ['5', 'Без раздела', 'No section'],
        ['V.', 'Сельское хозяйство', 'Agriculture', '31.12.2026', ''],
        ['VI.', 'Сельское хозяйство', 'Agriculture', '', 'Minprom'],
      ]),
    ),
  );
  t.strictSame(missing.headings, []);
  t.match(missing.rows, [
    { row: 3, code: '2.3', action: 'error', errors: [{ cell: 'D3', message: /^empty/ }, { cell: 'E3', message: /^empty/ }] },
    { row: 4, code: '5', action: 'error', errors: [{ cell: 'D4', message: /^empty/ }, { cell: 'E4', message: /^empty/ }] },
    { row: 5, code: 'V.', action: 'error', errors: [{ cell: 'E5', message: /^empty/ }] },
    { row: 6, code: 'VI.', action: 'error', errors: [{ cell: 'D6', message: /^empty/ }] },
  ]);
  t.equal(missing.rows.length, 4);
});
