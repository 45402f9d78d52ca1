// Tests of the plan import with files as officers make them in Excel: task numbers Excel keeps as numbers, and
// executors columns headed by the parties' official names.
import ExcelJS from 'exceljs';
import t from 'tap';
import { build, json } from '../helper.js';
import { send } from './import-requests.js';
import { createMeeting, createTask, seedPlan } from '../factories.js';


t.test('a task number Excel keeps as a number is read as the cell shows it, and 1.1 that may be "1.10" never updates 1.1', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees, title: 'Сборка тракторов' });
  await createTask(app, { planId: plan.id, code: '1.10', dueDate: '2026-12-31', assignees, title: 'Поставки комбайнов' });

  // The number 1.1 formatted "0.00" shows "1.10": it is task 1.10.
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('План');
  ws.addRow(['№', 'Мероприятие', 'Срок', 'Исполнители']);
  ws.addRow([1.1, 'Поставки комбайнов «Гомсельмаш»', '31.12.2026', 'Minprom\nMIC']);
  ws.getCell('A2').numFmt = '0.00';
  ws.addRow([2, 'Новое', '31.12.2026', 'Minprom\nMIC']);
  const formatted = json(await send(app, plan.id, Buffer.from(await wb.xlsx.writeBuffer())));
  t.match(formatted.rows, [
    { row: 2, code: '1.10', action: 'update', changes: [{ field: 'title', before: 'Поставки комбайнов', after: 'Поставки комбайнов «Гомсельмаш»' }] },
    { row: 3, code: '2', action: 'create' },
  ]);

  // In a General cell "1.10" typed is the number 1.1, shown "1.1": while the plan has 1.10 too, the row is ambiguous.
  ws.getCell('A2').numFmt = 'General';
  const general = await send(app, plan.id, Buffer.from(await wb.xlsx.writeBuffer()), true);
  t.equal(general.statusCode, 422, 'not committed as an update of 1.1');
  const shown = json(await send(app, plan.id, Buffer.from(await wb.xlsx.writeBuffer())));
  t.match(shown.rows[0], { row: 2, code: '1.1', action: 'error', errors: [{ cell: 'A2', message: /^the number 1\.1, not the text: .*1\.10 is also in the plan; format the column as Text/ }] });
  const tasks = json(await app.inject({ method: 'GET', url: `/v1/tasks?planId=${plan.id}` })).items;
  t.strictSame(tasks.map((x: { code: string; title: string }) => [x.code, x.title]), [['1.1', 'Сборка тракторов'], ['1.10', 'Поставки комбайнов']], 'nothing changed');

  // The number 1.1 where no 1.10 is known is 1.1, as before; so is the text "1.1".
  ws.getCell('A2').value = 1.2;
  const plain = json(await send(app, plan.id, Buffer.from(await wb.xlsx.writeBuffer())));
  t.match(plain.rows[0], { code: '1.2', action: 'create' });
});

t.test("executors columns headed by a party's official name, as the parties' documents write it, are that party's", async (t) => {
  const app = await build(t);
  const { plan, by, kz } = await seedPlan(app);
  for (const [byHeader, kzHeader] of [
    ['Исполнители (Республика Беларусь)', 'Исполнители (Республика Казахстан)'],
    ['Executors (Republic of Belarus)', 'Executors (the Republic of Kazakhstan)'],
    ['Исполнители (Рэспубліка Беларусь)', 'Исполнители (Қазақстан Республикасы)'],
  ]) {
    const res = await send(app, plan.id, `№;Мероприятие;Срок;${byHeader};${kzHeader}\r\n1.1;Сборка;31.12.2026;Minprom;MIC\r\n`);
    t.equal(res.statusCode, 200, `${byHeader} / ${kzHeader}`);
    t.match(json(res).columns.slice(3), [{ reads: 'executors, BY' }, { reads: 'executors, KZ' }]);
    t.match(json(res).rows[0].changes.find((c: { field: string }) => c.field === 'assignees').after, [{ organizationId: by.id }, { organizationId: kz.id }]);
  }
  // A side the import cannot tell is refused, naming the headings it reads.
  const res = await send(app, plan.id, '№;Мероприятие;Срок;Исполнители (белорусская сторона)\r\n1.1;Сборка;31.12.2026;Minprom\r\n');
  t.equal(res.statusCode, 422);
  t.match(json(res).detail, /names белорусская сторона, which is not a party of the plan's commission \(BY, KZ\): head the column with its party as \(BY\), \(Беларусь\), \(Belarus\) or \(KZ\), \(Казахстан\), \(Kazakhstan\)/);
});

t.test('a basis naming its protocol item first ("п. 3 протокола № 19"), or several items, keeps them; an item it cannot read is an error row, never dropped', async (t) => {
  const app = await build(t);
  const { plan, commission } = await seedPlan(app);
  const session = await createMeeting(app, commission.id, { title: 'Девятнадцатое заседание Комиссии', kind: 'commission_session', date: '2026-04-16', protocolNumber: '19' });
  const read: [string, string | null][] = [
    ['Протокол № 19 от 16.04.2026, п. 3', '3'],
    ['п. 3 протокола № 19 от 16.04.2026', '3'],
    ['пункт 3.2 Протокола заседания Комиссии № 19', '3.2'],
    ['пункта 4 протокола № 19', '4'],
    ['во исполнение п. 5 протокола № 19', '5'],
    ['item 2.1 of Protocol No. 19 of 2026-04-16', '2.1'],
    ['Протокол № 19, пп. 2.1, 2.3', '2.1, 2.3'],
    ['Протокол № 19, пункты 5 и 6', '5 и 6'],
    ['Протокол № 19, п.п. 2.1-2.3', '2.1-2.3'],
    ['п.п. 4, 5 протокола № 19', '4, 5'],
    ['Протокол № 19 от 16.04.2026', null],
  ];
  const file = ['№;Мероприятие;Срок;Исполнители;Основание', ...read.map(([basis], i) => `1.${i + 1};Сборка;31.12.2026;Minprom;"${basis}"`)].join('\r\n');
  const shown = json(await send(app, plan.id, file));
  t.strictSame(
    shown.rows.map((r: { changes?: { field: string; after: unknown }[]; errors?: unknown }) => r.changes?.find((c) => c.field === 'basis')?.after ?? r.errors),
    read.map(([, protocolItem]) => ({ meetingId: session.id, protocolItem })),
    'each basis with its meeting and its item(s)',
  );
  // An item the import cannot place is not dropped with the meeting kept: the row says so, and nothing is written.
  const unread = `№;Мероприятие;Срок;Исполнители;Основание\r\n1.1;Сборка;31.12.2026;Minprom;"Протокол № 19 от 16.04.2026 (п. 3 в части поставок)"\r\n`;
  const refusedRow = json(await send(app, plan.id, unread)).rows[0];
  t.match(refusedRow, { action: 'error', errors: [{ cell: 'E2', message: /the protocol item .* cannot be read/ }] });
  t.equal((await send(app, plan.id, unread, true)).statusCode, 422);
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/tasks?planId=${plan.id}` })).items.length, 0, 'nothing imported');
});

t.test("a commit with the preview's changesDigest does exactly what the preview showed, or nothing (412)", async (t) => {
  // Found by a review: the plan's ETag (If-Match) does not cover its tasks, so a task another officer edited after the
  // preview was silently overwritten by the commit.
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees, title: 'Old' });
  await createTask(app, { planId: plan.id, code: '2.1', dueDate: '2026-12-31', assignees, title: 'Not in the file' });
  const csv = '№;Мероприятие;Срок;Исполнители\n1.1;New from the file;31.12.2026;"Minprom\nMIC"\n';
  const commit = (digest?: string) =>
    app.inject({
      method: 'POST',
      url: `/v1/plans/${plan.id}/import${digest === undefined ? '' : `?changesDigest=${digest}`}`,
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });

  const preview = json(await send(app, plan.id, csv));
  t.match(preview.changesDigest, /^[A-Za-z0-9_-]{43}$/);
  t.equal(json(await send(app, plan.id, csv)).changesDigest, preview.changesDigest, 'the same file on the same plan: the same digest');

  // Another officer edits the task after the preview; the plan's ETag stays as it was.
  const edited = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Edited by another officer' } });
  t.equal(edited.statusCode, 200, edited.body);
  const before = json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` }));
  const stale = await commit(preview.changesDigest);
  t.equal(stale.statusCode, 412, stale.body);
  t.equal(json(stale).code, 'precondition-failed');
  t.match(json(stale).detail, /would no longer do what the preview showed.*Preview the file again/);
  t.strictSame(json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` })), before, "the colleague's edit stands");

  // Previewed again, the change shows the colleague's title as "before", and the commit with the new digest applies it.
  const again = json(await send(app, plan.id, csv));
  t.not(again.changesDigest, preview.changesDigest);
  t.match(again.rows[0].changes, [{ field: 'title', before: 'Edited by another officer', after: 'New from the file' }]);
  const done = await commit(again.changesDigest);
  t.equal(done.statusCode, 200, done.body);
  t.equal(json(done).changesDigest, again.changesDigest, 'the commit answers the digest of what it did');
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` })).title, 'New from the file');

  // Without a digest the commit goes on as before; a malformed one is a 400.
  const bad = await commit('not-a-digest');
  t.equal(bad.statusCode, 400);
  t.match(json(bad).errors, [{ path: 'querystring.changesDigest' }]);
  t.equal((await commit()).statusCode, 200);
});

t.test('section headings between the measures are skipped and listed, not error rows', async (t) => {
  // Found by a review: real roadmaps head each section ("1. Машиностроение"), merged across the table or in one cell,
  // and every such row was an error ("merged cells", "empty: every measure needs its number") that blocked the commit.
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('План');
  ws.addRow(['№', 'Мероприятие', 'Срок', 'Исполнители']);
  ws.addRow(['1. Машиностроение']);
  ws.mergeCells('A2:D2');
  ws.addRow(['1.1', 'Сборка тракторов «Беларус»', '31.12.2026', 'Minprom\nMIC']);
  ws.addRow([null, 'II. Сельское хозяйство']);
  ws.addRow(['2.1', 'Поставки комбайнов', '30.06.2027', 'Minprom\nMIC']);
  // A number alone is a measure with its other cells missing: still an error row.
  ws.addRow(['2.2']);
  const body = Buffer.from(await wb.xlsx.writeBuffer());
  const preview = json(await send(app, plan.id, body));
  t.strictSame(preview.headings, [
    { row: 2, text: '1. Машиностроение' },
    { row: 4, text: 'II. Сельское хозяйство' },
  ]);
  t.match(preview.rows, [{ row: 3, code: '1.1', action: 'create' }, { row: 5, code: '2.1', action: 'create' }, { row: 6, code: '2.2', action: 'error' }]);
  t.equal(preview.rows.length, 3, 'the headings are no rows of measures');
  t.same(preview.summary, { create: 2, update: 0, unchanged: 0, errors: 1 });

  ws.spliceRows(6, 1);
  const committed = await send(app, plan.id, Buffer.from(await wb.xlsx.writeBuffer()), true);
  t.equal(committed.statusCode, 200, committed.body);
  const codes = json(await app.inject({ method: 'GET', url: `/v1/tasks?planId=${plan.id}` })).items.map((x: { code: string }) => x.code);
  t.strictSame(codes, ['1.1', '2.1'], 'the measures, and no heading, are tasks');
});
