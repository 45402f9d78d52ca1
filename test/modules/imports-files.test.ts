// Bad files for the plan import: each gets a problem document (never a 500) or error rows, and a commit of
// any of them writes nothing. The files are made here: workbooks with exceljs, zips by hand, CSV as text.
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import { assertProblem, build, json, refused, snapshot, type InjectedResponse } from '../helper.js';
import { seedPlan } from '../factories.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MiB = 1024 * 1024;
const HEADER = ['№', 'Мероприятие', 'Срок', 'Исполнители'];

type Cell = string | number | Date | null | { formula: string; result?: unknown };

async function workbook(rows: Cell[][], edit?: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('План');
  rows.forEach((r, i) => {
    if (r.length > 0) ws.getRow(i + 1).values = r as ExcelJS.CellValue[];
  });
  edit?.(ws);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const csv = (lines: string[][]) => lines.map((l) => l.join(';')).join('\r\n') + '\r\n';

function upload(planId: string, body: Buffer | string, { commit = false, type }: { commit?: boolean; type?: string } = {}): InjectOptions {
  return {
    method: 'POST',
    url: `/v1/plans/${planId}/import${commit ? '' : '/preview'}`,
    headers: { 'content-type': type ?? (typeof body === 'string' ? 'text/csv' : XLSX) },
    payload: body,
  };
}

/** A zip archive written by hand, so its declared sizes can say anything. */
function zip(entries: { name: string; data: Buffer; declaredSize: number; method?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.method ?? 8, 8);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.declaredSize, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.method ?? 8, 10);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.declaredSize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += 30 + name.length + e.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Preview and commit both refused with `status`/`code`, and nothing written. */
async function refusedBoth(t: Test, app: App, planId: string, body: Buffer | string, status: number, code: string, type?: string) {
  const shown = await refused(t, app, upload(planId, body, { type }), status, code);
  await refused(t, app, upload(planId, body, { commit: true, type }), status, code);
  return shown;
}

/** Preview shows error rows; the commit is refused with 422 import-rows-invalid and writes nothing. */
async function errorRows(t: Test, app: App, planId: string, body: Buffer | string) {
  const res = await app.inject(upload(planId, body));
  t.equal(res.statusCode, 200, 'the preview reads the file');
  const shown = json(res);
  t.ok(shown.summary.errors > 0, 'and reports error rows');
  const problem = await refused(t, app, upload(planId, body, { commit: true }), 422, 'import-rows-invalid');
  t.ok(problem.errors.length > 0, 'the refusal lists the errors');
  return shown;
}

const messages = (shown: { rows: { row: number; errors?: { cell: string | null; message: string }[] }[] }) =>
  shown.rows.flatMap((r) => (r.errors ?? []).map((e) => `${r.row} ${e.cell ?? '-'}: ${e.message}`));

t.test('what is not a spreadsheet is 422 invalid-spreadsheet, whatever it claims to be', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  t.match((await refusedBoth(t, app, plan.id, png, 422, 'invalid-spreadsheet')).detail, /not a zip archive/);
  const xls = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(512)]);
  t.match((await refusedBoth(t, app, plan.id, xls, 422, 'invalid-spreadsheet')).detail, /Excel 97–2003 \(\.xls\)/);
  t.match((await refusedBoth(t, app, plan.id, xls, 422, 'invalid-spreadsheet', 'text/csv')).detail, /\.xls/);
  const notWorkbook = zip([{ name: 'hello.txt', data: Buffer.from('hello'), declaredSize: 5, method: 0 }]);
  await refusedBoth(t, app, plan.id, notWorkbook, 422, 'invalid-spreadsheet');
  const truncated = (await workbook([HEADER, ['1', 'x', '31.12.2026', 'Minprom']])).subarray(0, 600);
  await refusedBoth(t, app, plan.id, truncated, 422, 'invalid-spreadsheet');
  const real = await workbook([HEADER, ['1', 'x', '31.12.2026', 'Minprom']]);
  t.match((await refusedBoth(t, app, plan.id, real, 422, 'invalid-spreadsheet', 'text/csv')).detail, /\.xlsx workbook .* sent as CSV/);
  t.match((await refusedBoth(t, app, plan.id, Buffer.from('№;Мероприятие\r\n\u0000\u0001', 'utf8'), 422, 'invalid-spreadsheet', 'text/csv')).detail, /binary/);
  const cp1251 = Buffer.from([0xb9, 0x3b, 0xcc, 0xe5, 0xf0, 0xee, 0xef, 0xf0, 0xe8, 0xff, 0xf2, 0xe8, 0xe5, 0x0d, 0x0a]);
  t.match((await refusedBoth(t, app, plan.id, cp1251, 422, 'invalid-spreadsheet', 'text/csv')).detail, /not UTF-8/);
  t.match((await refusedBoth(t, app, plan.id, '№;Мероприятие\r\n"1.1;unclosed\r\n', 422, 'invalid-spreadsheet')).detail, /cannot be read/);
  t.match((await refusedBoth(t, app, plan.id, '', 422, 'invalid-spreadsheet')).detail, /empty/);
});

t.test('an oversized file is 413 before it is read; a zip bomb is refused before it is unpacked', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const big = Buffer.alloc(5 * MiB + 1, 0x41);
  await refusedBoth(t, app, plan.id, big, 413, 'body-too-large', 'text/csv');
  // Just under the limit is read (and is no table): the 64 KiB limit of the JSON API does not apply here.
  await refusedBoth(t, app, plan.id, Buffer.alloc(5 * MiB - 100, 0x41), 422, 'invalid-spreadsheet', 'text/csv');

  const zeros = deflateRawSync(Buffer.alloc(60 * MiB));
  t.ok(zeros.length < 100 * 1024, `60 MiB of zeros pack into ${zeros.length} bytes`);
  const declared = zip([{ name: 'xl/worksheets/sheet1.xml', data: zeros, declaredSize: 60 * MiB }]);
  t.match((await refusedBoth(t, app, plan.id, declared, 413, 'body-too-large')).detail, /unpacks to more than 50 MiB/);
  const lying = zip([{ name: 'xl/worksheets/sheet1.xml', data: zeros, declaredSize: 1000 }]);
  t.match((await refusedBoth(t, app, plan.id, lying, 422, 'invalid-spreadsheet')).detail, /does not unpack within its declared size/);
  const many = zip(Array.from({ length: 2001 }, (_, i) => ({ name: `p${i}`, data: Buffer.alloc(0), declaredSize: 0, method: 0 })));
  t.match((await refusedBoth(t, app, plan.id, many, 422, 'invalid-spreadsheet')).detail, /2001 parts/);
});

/** A workbook whose first sheet's XML is edited after exceljs wrote it, so it can hold what exceljs would not write. */
async function editedWorkbook(edit: (sheetXml: string) => string): Promise<Buffer> {
  const zip = await JSZip.loadAsync(await workbook([HEADER, ['1', 'x', '31.12.2026', 'Minprom']]));
  const sheet = zip.file('xl/worksheets/sheet1.xml') as JSZip.JSZipObject;
  zip.file('xl/worksheets/sheet1.xml', edit(await sheet.async('string')));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

const withMerges = (refs: string[]) => (xml: string) =>
  xml.replace(/<mergeCells[^]*?<\/mergeCells>/, '').replace('</sheetData>', `</sheetData><mergeCells count="${refs.length}">${refs.map((r) => `<mergeCell ref="${r}"/>`).join('')}</mergeCells>`);

t.test('merged ranges that would cost the reader its memory or minutes are refused before it reads them', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  // One range over the whole sheet: 15 KB that exceljs would expand into 17 billion cell objects.
  const whole = await editedWorkbook(withMerges(['A1:XFD1048576']));
  t.ok(whole.length < 20_000, `a small file (${whole.length} bytes)`);
  t.match((await refusedBoth(t, app, plan.id, whole, 422, 'invalid-spreadsheet')).detail, /cover more than 400,000 cells/);
  // 20,000 two-cell ranges: exceljs compares each with every other (half a minute).
  const many = await editedWorkbook(withMerges(Array.from({ length: 20_000 }, (_, i) => `A${2 * i + 100}:B${2 * i + 100}`)));
  t.match((await refusedBoth(t, app, plan.id, many, 422, 'invalid-spreadsheet')).detail, /more than 2000 ranges/);
  // A few merged title cells, as roadmaps have, are read (and reported where they hold data).
  const few = await editedWorkbook(withMerges(['F5:H6', 'F8:G8']));
  t.equal((await app.inject(upload(plan.id, few))).statusCode, 200, 'a few merges are read');
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'the service is up');
});

t.test('a part hidden from the zip guard by an end record that counts one part fewer is refused', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  // JSZip reads every directory record it finds; the guard read only as many as the end record declares.
  const hidden = zip([
    { name: 'xl/worksheets/sheet1.xml', data: deflateRawSync(Buffer.from('<worksheet/>')), declaredSize: 12 },
    { name: 'zzz/hidden.bin', data: deflateRawSync(Buffer.alloc(MiB)), declaredSize: MiB },
  ]);
  const end = hidden.length - 22;
  hidden.writeUInt16LE(1, end + 8);
  hidden.writeUInt16LE(1, end + 10);
  t.match((await refusedBoth(t, app, plan.id, hidden, 422, 'invalid-spreadsheet')).detail, /holds more than the parts the archive declares/);
});

t.test('a workbook that needs more memory or time than the reader has is refused, and the service goes on', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  // A million one-cell rows: 4 MB packed, within every size limit, but exceljs holds the whole sheet in memory.
  const rows = Array.from({ length: 1_000_000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>1</v></c></row>`).join('');
  const big = await editedWorkbook((xml) => xml.replace(/<sheetData>[^]*<\/sheetData>/, `<sheetData>${rows}</sheetData>`));
  t.ok(big.length < 5 * MiB, `within the body limit (${(big.length / MiB).toFixed(1)} MiB)`);
  const health = app.inject({ method: 'GET', url: '/health' });
  // Three at once: two are read (one thread each), the third is told to come back rather than wait its time out.
  const before = snapshot(app);
  const [first, second, third] = await Promise.all([0, 1, 2].map(() => app.inject(upload(plan.id, big))));
  t.strictSame(snapshot(app), before, 'nothing changed');
  for (const res of [first, second]) {
    const shown = assertProblem(t, res as InjectedResponse, 422, 'invalid-spreadsheet');
    // Read in this thread it would take 1.7 GB and then be refused for its rows: the reader's limit refuses it first.
    t.match(shown.detail, /needs more than 256 MB to read|did not read within 20 s/);
  }
  assertProblem(t, third as InjectedResponse, 503, 'service-unavailable');
  t.equal((third as InjectedResponse).headers['retry-after'], '5', 'with Retry-After');
  t.equal((await health).statusCode, 200, 'the service answered meanwhile');
  t.equal((await app.inject(upload(plan.id, await workbook([HEADER, ['1', 'x', '31.12.2026', 'Minprom']])))).statusCode, 200, 'and reads the next workbook');
});

t.test('formulas are error rows naming their cell, in a workbook or in CSV', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const file = await workbook([
    HEADER,
    ['1.1', 'Tractors', { formula: 'DATE(2026,12,31)', result: new Date(Date.UTC(2026, 11, 31)) }, 'Minprom'],
    ['1.2', 'Combines', '31.12.2026', 'Minprom'],
  ]);
  const shown = await errorRows(t, app, plan.id, file);
  t.strictSame(messages(shown), ['2 C2: a formula: the import takes values only (copy the column and paste it as values)']);
  t.equal(shown.rows[1].action, 'create', 'the other row is fine');
  const fromCsv = await errorRows(t, app, plan.id, csv([HEADER, ['1.1', '=SUM(A1:A2)', '31.12.2026', 'Minprom']]));
  t.match(messages(fromCsv), [/^2 B2: a formula/]);
});

t.test('merged cells are error rows in the table and a refused file in the header', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const inRows = await workbook(
    [HEADER, ['1.1', 'Tractors', '31.12.2026', 'Minprom'], ['1.2', 'Combines', null, 'Minprom'], ['1.3', 'Trucks', '31.12.2026', 'Minprom']],
    (ws) => ws.mergeCells('C2:C3'),
  );
  const shown = await errorRows(t, app, plan.id, inRows);
  t.strictSame(messages(shown), [
    '2 C2: merged cells C2:C3: unmerge them; each row is one measure with its own cells',
    '3 C3: merged cells C2:C3: unmerge them; each row is one measure with its own cells',
  ]);
  t.equal(shown.rows[2].action, 'create');
  const inHeader = await workbook([[...HEADER, 'Исполнители'], ['1.1', 'Tractors', '31.12.2026', 'Minprom']], (ws) => ws.mergeCells('D1:E1'));
  t.match((await refusedBoth(t, app, plan.id, inHeader, 422, 'invalid-spreadsheet')).detail, /header row has merged cells \(D1:E1\)/);
  // A merged title above the table is how roadmaps begin: it is not part of the table.
  const titled = await workbook([['План мероприятий'], HEADER, ['1.1', 'Tractors', '31.12.2026', 'Minprom']], (ws) => ws.mergeCells('A1:D1'));
  const ok = json(await app.inject(upload(plan.id, titled)));
  t.match(ok, { headerRow: 2, summary: { create: 1, errors: 0 } });
  // Nor is a merge in a column the import does not read, as a note shared by several measures.
  const noted = await workbook(
    [[...HEADER, 'Примечание'], ['1.1', 'Tractors', '31.12.2026', 'Minprom', 'В рамках визита'], ['1.2', 'Combines', '31.12.2026', 'Minprom']],
    (ws) => ws.mergeCells('E2:E3'),
  );
  t.match(json(await app.inject(upload(plan.id, noted))), { ignoredColumns: ['Примечание'], summary: { create: 2, errors: 0 } });
});

t.test('empty rows are skipped and rows keep their spreadsheet numbers; a table with no rows is refused', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const gaps = await workbook([HEADER, ['1', '2', '3', '4'], ['1.1', 'Tractors', '31.12.2026', 'Minprom'], [], [], ['1.2', 'Combines', '31.12.2026', 'Minprom']]);
  const shown = json(await app.inject(upload(plan.id, gaps)));
  t.strictSame(shown.rows.map((r: { row: number; code: string }) => [r.row, r.code]), [[3, '1.1'], [6, '1.2']], 'the column numbering row and empty rows are skipped');
  const csvGaps = json(await app.inject(upload(plan.id, `${HEADER.join(';')}\r\n\r\n;;;\r\n1.1;Tractors;31.12.2026;Minprom\r\n`)));
  t.strictSame(csvGaps.rows.map((r: { row: number }) => r.row), [4]);
  t.match((await refusedBoth(t, app, plan.id, await workbook([HEADER, [], []]), 422, 'invalid-spreadsheet')).detail, /no rows under its header/);
  t.match((await refusedBoth(t, app, plan.id, `${HEADER.join(';')}\r\n# 1.1;example\r\n`, 422, 'invalid-spreadsheet')).detail, /no rows/);
});

t.test('a workbook whose rows are numbered past the 1,048,576 rows of a worksheet is refused as not written by a spreadsheet program, never a 500', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const before = await snapshot(app);
  // Excel and every spreadsheet program stop at row 1,048,576; only a hand-made file numbers a row past it.
  const beyond = await editedWorkbook((xml) => xml.replace(/<row r="2"([^>]*)>(.*?)<\/row>/, (_m, attrs: string, cells: string) => `<row r="1048577"${attrs}>${cells.replace(/r="([A-Z]+)2"/g, 'r="$11048577"')}</row>`));
  t.match((await refusedBoth(t, app, plan.id, beyond, 422, 'invalid-spreadsheet')).detail, /row 1048577.*1,048,576/);
  t.strictSame(await snapshot(app), before, 'nothing written');
  // The last row a worksheet has is read as any other.
  const last = await editedWorkbook((xml) => xml.replace(/<row r="2"([^>]*)>(.*?)<\/row>/, (_m, attrs: string, cells: string) => `<row r="1048576"${attrs}>${cells.replace(/r="([A-Z]+)2"/g, 'r="$11048576"')}</row>`));
  const shown = json(await app.inject(upload(plan.id, last)));
  t.strictSame(shown.rows.map((r: { row: number; code: string }) => [r.row, r.code]), [[1048576, '1']]);
});

t.test("a CSV ending in the empty rows of its sheet's used range (thousands of \";;;\" lines, as Excel saves them) reads its measures, as its workbook does", async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const table = `${HEADER.join(';')}\r\n1.1;Tractors;31.12.2026;Minprom\r\n;;;\r\n1.2;Combines;31.12.2026;Minprom\r\n`;
  const commas = `${HEADER.join(',')}\n1.1,Tractors,31.12.2026,Minprom\n,,,\n1.2,Combines,31.12.2026,Minprom\n`;
  for (const file of [table + ';;;\r\n'.repeat(3000), `${table}${';;;\r\n'.repeat(2500)}\r\n  \r\n;;;`, commas + ',,,\n'.repeat(2500)]) {
    const shown = json(await app.inject(upload(plan.id, file)));
    t.strictSame(shown.rows?.map((r: { row: number; code: string }) => [r.row, r.code]), [[2, '1.1'], [4, '1.2']], 'the measures, with their row numbers');
  }
  const committed = await app.inject(upload(plan.id, table + ';;;\r\n'.repeat(3000), { commit: true }));
  t.equal(committed.statusCode, 200, 'and commits');
  t.match(json(committed).summary, { create: 2, errors: 0 });
  // Rows that hold something still count: a table of more rows than the import reads is refused as before.
  const rows = Array.from({ length: 1999 }, (_, i) => `${i + 1};Measure;31.12.2026;Minprom`).join('\r\n');
  t.match((await refusedBoth(t, app, plan.id, `${HEADER.join(';')}\r\n${rows}\r\n;;;\r\nx;;;\r\n;;;\r\n`, 422, 'invalid-spreadsheet')).detail, /more rows than the import reads \(2000\)/);
});

t.test('a CSV whose cells hold quotes without being quoted (ТОО "Агро", as scripts and other systems write it) is read as Excel opens it, not refused', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const file = `${HEADER.join(';')}\r\n1.1;Создать ТОО "Агро" и ОАО "БЕЛАЗ";31.12.2026;Minprom\r\n1.2;"Quoted; as Excel writes it";31.12.2026;Minprom\r\n`;
  const res = await app.inject(upload(plan.id, file));
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  t.strictSame(
    json(res).rows.map((r: { changes: { field: string; after: unknown }[] }) => r.changes.find((c) => c.field === 'title')?.after),
    ['Создать ТОО "Агро" и ОАО "БЕЛАЗ"', 'Quoted; as Excel writes it'],
    'the quotes kept as written; a quoted cell read as before',
  );
  // Excel's way to keep "1.10" a text in a CSV is a formula, ="1.10": an error row naming the cell, not a refused file.
  const shown = await errorRows(t, app, plan.id, `${HEADER.join(';')}\r\n="1.10";Tractors;31.12.2026;Minprom\r\n`);
  t.match(messages(shown), [/^2 A2: a formula/]);
});

t.test('duplicate codes are errors on every row that repeats them', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const shown = await errorRows(
    t,
    app,
    plan.id,
    csv([HEADER, ['1.1', 'Tractors', '31.12.2026', 'Minprom'], ['1.2', 'Combines', '31.12.2026', 'Minprom'], ['1.1', 'Trucks', '31.12.2026', 'Minprom']]),
  );
  t.strictSame(messages(shown), ['2 A2: the number 1.1 is in rows 2, 4: each measure once', '4 A4: the number 1.1 is in rows 2, 4: each measure once']);
});

t.test('unknown organizations are error rows and listed once with their rows', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const shown = await errorRows(
    t,
    app,
    plan.id,
    csv([HEADER, ['1.1', 'Tractors', '31.12.2026', 'ОАО «Белшина»'], ['1.2', 'Tyres', '31.12.2026', 'Minprom\nОАО «Белшина»']]),
  );
  t.strictSame(shown.unmatchedExecutors, [{ text: 'ОАО «Белшина»', rows: [2, 3] }]);
  t.match(messages(shown), [/^2 D2: no organization is named "ОАО «Белшина»"/, /^3 D3: no organization/]);
});

t.test('impossible and unreadable dates are error rows', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const bad = ['31.02.2026', '2026-02-30', '29.02.2027', '32.01.2026', '2026-13-01', 'V квартал 2026', 'скоро', '45123.5'];
  const shown = await errorRows(t, app, plan.id, csv([HEADER, ...bad.map((d, i) => [`${i + 1}`, 'Measure', d, 'Minprom'])]));
  t.strictSame(messages(shown), [
    '2 C2: no such calendar date: 31.02.2026',
    '3 C3: no such calendar date: 2026-02-30',
    '4 C4: no such calendar date: 29.02.2027',
    '5 C5: no such calendar date: 32.01.2026',
    '6 C6: no such calendar date: 2026-13-01',
    ...['V квартал 2026', 'скоро', '45123.5'].map((d, i) => `${7 + i} C${7 + i}: not a deadline: "${d}"; write it as 31.12.2026, 2026-12-31, 31 декабря 2026, декабрь 2026, IV квартал 2026, Q4 2026, II полугодие 2026, 2026`),
  ]);
  const numeric = await errorRows(t, app, plan.id, await workbook([HEADER, ['1', 'Measure', 46387.5, 'Minprom']]));
  t.match(messages(numeric), [/^2 C2: a number \(46387\.5\), not a date/]);
});

t.test('empty required cells, bad codes, long texts, unknown areas and rows of another plan are error rows', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const shown = await errorRows(
    t,
    app,
    plan.id,
    csv([
      [...HEADER, 'Сфера', 'План'],
      ['', 'No number', '31.12.2026', 'Minprom', '', ''],
      ['1.2', '', '', '', '', ''],
      ['1.3!', 'x'.repeat(1001), '31.12.2026', 'Minprom', 'Космос', ''],
      ['1.4', 'Measure', '31.12.2026', 'Minprom', 'trade', 'Другой план'],
      ['1.5', 'Fine', '31.12.2026', 'Minprom', 'Транспорт и логистика', plan.title],
    ]),
  );
  t.match(messages(shown), [
    '2 A2: empty: every measure needs its number',
    '3 B3: empty: write what is to be done',
    '3 C3: empty: every measure needs a deadline',
    /^3 D3: empty: name the executors/,
    /^4 E4: unknown area "Космос": write one of Машиностроение \/ Mechanical engineering, /,
    /^4 A4: letters, digits/,
    /^4 B4: .*1000/,
    /^5 F5: this row is of the plan "Другой план"/,
  ]);
  t.match(shown.rows[4], { action: 'create', changes: [{ field: 'title' }, { field: 'dueDate' }, { field: 'assignees' }, { field: 'area', after: 'transport_logistics' }] });
});

t.test('a table the import cannot lay out is refused: no header, a required column missing, a column twice, a foreign party, too many rows', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  t.match((await refusedBoth(t, app, plan.id, csv([['a', 'b'], ['1', '2']]), 422, 'invalid-spreadsheet')).detail, /header row naming the columns "№"\/"No" and "Мероприятие"\/"Measure"/);
  t.match((await refusedBoth(t, app, plan.id, csv([['№', 'Мероприятие', 'Исполнители'], ['1', 'x', 'Minprom']]), 422, 'invalid-spreadsheet')).detail, /no column "Срок" \/ "Deadline"/);
  t.match(
    (await refusedBoth(t, app, plan.id, csv([['№', 'Мероприятие', 'Срок', 'Deadline', 'Исполнители'], ['1', 'x', '2026-12-31', '2026-12-31', 'Minprom']]), 422, 'invalid-spreadsheet')).detail,
    /the columns "Срок" \(C1\) and "Deadline" \(D1\) hold the same field/,
  );
  t.match(
    (await refusedBoth(t, app, plan.id, csv([['№', 'Мероприятие', 'Срок', 'Исполнители (RU)'], ['1', 'x', '2026-12-31', 'Minprom']]), 422, 'invalid-spreadsheet')).detail,
    /names ru, which is not a party of the plan's commission \(BY, KZ\)/,
  );
  const rows = Array.from({ length: 2001 }, (_, i) => [`${i + 1}`, 'Measure', '31.12.2026', 'Minprom']);
  t.match((await refusedBoth(t, app, plan.id, csv([HEADER, ...rows]), 422, 'invalid-spreadsheet')).detail, /more rows than the import reads \(2000\)/);
});

t.test('huge cells are cut short in the answer, never a 500', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const huge = 'Ж'.repeat(5000);
  const shown = await errorRows(
    t,
    app,
    plan.id,
    await workbook([
      [...HEADER, `Примечание ${huge}`],
      [`1.${huge}`, 'Measure', `до ${huge}`, `Minprom\n${huge}`, 'x'],
    ]),
  );
  t.equal(shown.ignoredColumns[0].length, 200, 'an ignored header is cut to 200 characters');
  t.equal(shown.rows[0].code.length, 200, 'so is the code');
  t.equal(shown.unmatchedExecutors[0].text.length, 300, 'and an unmatched executor to 300');
  t.ok(shown.rows[0].errors.every((e: { message: string }) => e.message.length <= 2000), 'every message is bounded');
});

t.test('a CSV header of hundreds of columns is read like a workbook, up to column 200, never a 500', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const extra = Array.from({ length: 300 }, (_, i) => `Примечание ${i + 1}`);
  const res = await app.inject(upload(plan.id, csv([[...HEADER, ...extra], ['1.1', 'Measure', '31.12.2026', 'Minprom', ...extra]])));
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const shown = json(res);
  t.equal(shown.ignoredColumns.length, 196, 'the columns after the 200th are not read, as in a workbook');
  t.equal(shown.ignoredColumns.at(-1), 'Примечание 196');
  t.match(shown.rows, [{ code: '1.1', action: 'create' }]);
});

t.test('a file naming thousands of unknown executors lists the first 2000, never a 500', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const names = Array.from({ length: 2100 }, (_, i) => `Неизвестная организация ${i + 1}`);
  const shown = await errorRows(t, app, plan.id, `${HEADER.join(';')}\r\n1.1;Measure;31.12.2026;"${names.join('\n')}"\r\n`);
  t.equal(shown.unmatchedExecutors.length, 2000, 'the first 2000');
  t.strictSame(shown.unmatchedExecutors[0], { text: 'Неизвестная организация 1', rows: [2] });
  t.equal(shown.rows[0].errors.length, 50, "and the row's own errors, cut as ever");
});

t.test('a cell naming one unknown executor 200,000 times is read in one pass and listed once with its row', { timeout: 120_000 }, async (t) => {
  // Each mention copied the list of the rows naming it, growing: a 160 KB CSV ("Minprom; ab; ab; …") held the service
  // 12 s, and a 5 MiB one (the limit) for hours, inside the commit's write transaction too. Read in one pass, 1-2 s.
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const shown = await errorRows(t, app, plan.id, `${HEADER.join(';')}\r\n1.1;Measure;31.12.2026;"Minprom${'; ab'.repeat(200_000)}"\r\n`);
  t.strictSame(shown.unmatchedExecutors, [{ text: 'ab', rows: [2] }]);
  t.equal(shown.rows[0].errors.length, 50, "the row's own errors, cut as ever");
});

t.test('a code that Excel turned into a date (2.3 typed in a General cell) is an error row, not a task numbered 2026-03-02', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const shown = await errorRows(
    t,
    app,
    plan.id,
    await workbook([HEADER, [new Date(Date.UTC(2026, 2, 2)), 'Measure', '31.12.2026', 'Minprom'], ['2.4', 'Typed as text', '31.12.2026', 'Minprom']], (ws) => {
      ws.getCell('A2').numFmt = '[$-419]d mmm;@';
    }),
  );
  t.match(messages(shown), [/^2 A2: a date, not a number \(2\.3\?\): .*format the column as Text/]);
  t.match(shown.rows, [{ code: null, action: 'error' }, { code: '2.4', action: 'create' }]);
});
