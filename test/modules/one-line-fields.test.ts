// Tests of one-line fields (names, titles, numbers, units): a line break, tab or other control character there is
// refused with 400 and writes nothing, the same text in a multi-line field is kept, a spreadsheet title broken with
// Alt+Enter is imported on one line, and a row written before with a line break is still served.
import ExcelJS from 'exceljs';
import t, { type Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import { build, json, refused } from '../helper.js';
import { approvedTask, createMeeting, createTask, seedPlan } from '../factories.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** What a one-line field refuses, by name: LF, CR, CRLF, the Unicode line separator, NEL, a tab. */
const BREAKS: Record<string, string> = {
  LF: 'First line\nsecond line',
  CR: 'First line\rsecond line',
  CRLF: 'First line\r\nsecond line',
  'U+2028': 'First line\u2028second line',
  'U+2029': 'First line\u2029second line',
  'U+0085': 'First line\u0085second line',
  tab: 'First\tsecond',
};

async function createIndicator(app: App, payload: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/v1/indicators', payload });
  if (res.statusCode !== 201) throw new Error(`POST /v1/indicators answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

/** Refuses `request` with `value` in it for each break: 400, the field named in errors[].path, nothing written. */
async function refusesEveryBreak(t: Test, app: App, path: string, request: (value: string) => InjectOptions) {
  for (const [name, value] of Object.entries(BREAKS)) {
    const body = await refused(t, app, request(value), 400, 'validation-failed');
    t.match(
      body.errors,
      [{ path, message: /line breaks, tabs and other control characters are not accepted in a one-line field/ }],
      `${name} in ${path} is refused and named`,
    );
  }
}

t.test('a line break, CR, U+2028, NEL or tab in a task title is refused on create and update, and nothing is written', async (t) => {
  const app = await build(t);
  const { plan, assignees, meeting } = await seedPlan(app);
  const body = { planId: plan.id, code: '1.1', area: 'trade', dueDate: '2026-12-31', assignees };
  await refusesEveryBreak(t, app, 'body.title', (title) => ({ method: 'POST', url: '/v1/tasks', payload: { ...body, title } }));
  const task = await createTask(app, { ...body, title: 'Trade houses' });
  await refusesEveryBreak(t, app, 'body.title', (title) => ({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title } }));
  await refusesEveryBreak(t, app, 'body.translations.ru.title', (title) => ({
    method: 'PATCH',
    url: `/v1/tasks/${task.id}`,
    payload: { translations: { ru: { title } } },
  }));
  await refusesEveryBreak(t, app, 'body.basis.protocolItem', (protocolItem) => ({
    method: 'PATCH',
    url: `/v1/tasks/${task.id}`,
    payload: { basis: { meetingId: meeting.id, protocolItem } },
  }));
});

t.test('a line break in the name of an organization, commission or co-chair is refused', async (t) => {
  const app = await build(t);
  const { commission, by } = await seedPlan(app);
  await refusesEveryBreak(t, app, 'body.name', (name) => ({ method: 'POST', url: '/v1/organizations', payload: { name, kind: 'ministry', country: 'BY' } }));
  await refusesEveryBreak(t, app, 'body.shortName', (shortName) => ({ method: 'PATCH', url: `/v1/organizations/${by.id}`, payload: { shortName } }));
  await refusesEveryBreak(t, app, 'body.name', (name) => ({ method: 'PATCH', url: `/v1/commissions/${commission.id}`, payload: { name } }));
  await refusesEveryBreak(t, app, 'body.parties.0.coChair.name', (name) => ({
    method: 'PATCH',
    url: `/v1/commissions/${commission.id}`,
    payload: {
      parties: [
        { country: 'BY', coChair: { name, position: 'Deputy Prime Minister' } },
        { country: 'KZ', coChair: { name: 'Co-chair KZ', position: 'Deputy Prime Minister' } },
      ],
    },
  }));
});

t.test('a line break in the title of a plan or a meeting, or the place or protocol number of a meeting, is refused', async (t) => {
  const app = await build(t);
  const { commission, plan } = await seedPlan(app);
  await refusesEveryBreak(t, app, 'body.title', (title) => ({
    method: 'POST',
    url: '/v1/plans',
    payload: { commissionId: commission.id, title, periodStart: '2026-01-01', periodEnd: '2026-12-31' },
  }));
  await refusesEveryBreak(t, app, 'body.title', (title) => ({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { title } }));
  const meeting = await createMeeting(app, commission.id);
  await refusesEveryBreak(t, app, 'body.title', (title) => ({ method: 'PATCH', url: `/v1/meetings/${meeting.id}`, payload: { title } }));
  await refusesEveryBreak(t, app, 'body.place', (place) => ({ method: 'PATCH', url: `/v1/meetings/${meeting.id}`, payload: { place } }));
  await refusesEveryBreak(t, app, 'body.protocolNumber', (protocolNumber) => ({
    method: 'POST',
    url: '/v1/meetings',
    payload: { commissionId: commission.id, kind: 'commission_session', title: 'Session', date: '2026-11-04', place: 'Minsk', protocolNumber },
  }));
});

t.test("a line break in an indicator's name or unit, a key's or link's name, a webhook's description or a decision's basis is refused", async (t) => {
  const app = await build(t);
  const { plan, task } = await approvedTask(app);
  const indicator = { planId: plan.id, name: 'Tractors assembled', unit: 'tractors', baseline: 0, target: 100 };
  await refusesEveryBreak(t, app, 'body.name', (name) => ({ method: 'POST', url: '/v1/indicators', payload: { ...indicator, name } }));
  await refusesEveryBreak(t, app, 'body.unit', (unit) => ({ method: 'POST', url: '/v1/indicators', payload: { ...indicator, unit } }));
  const created = await createIndicator(app, indicator);
  await refusesEveryBreak(t, app, 'body.name', (name) => ({ method: 'PATCH', url: `/v1/indicators/${created.id}`, payload: { name } }));
  await refusesEveryBreak(t, app, 'body.name', (name) => ({ method: 'POST', url: '/v1/api-keys', payload: { name, role: 'observer' } }));
  await refusesEveryBreak(t, app, 'body.name', (name) => ({
    method: 'POST',
    url: '/v1/share-links',
    payload: { name, kind: 'progress_report', planId: plan.id },
  }));
  await refusesEveryBreak(t, app, 'body.description', (description) => ({
    method: 'POST',
    url: '/v1/webhooks',
    payload: { description, url: 'https://hooks.example/tracker', events: ['task.created'] },
  }));
  await refusesEveryBreak(t, app, 'body.basis', (basis) => ({
    method: 'POST',
    url: `/v1/tasks/${task.id}/deadline-changes`,
    payload: { kind: 'direct', newDueDate: '2027-03-31', reason: 'Certification takes longer.', basis },
  }));
});

t.test('other control characters are refused in a one-line field too; trailing line breaks are trimmed, other spaces kept', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const body = { planId: plan.id, area: 'trade', dueDate: '2026-12-31', assignees };
  for (const [i, title] of ['a\u0000b', 'a\u000Bb', 'a\u000Cb', 'a\u001Fb', 'a\u007Fb', 'a\u0080b', 'a\u009Fb'].entries()) {
    const problem = await refused(t, app, { method: 'POST', url: '/v1/tasks', payload: { ...body, code: `1.${i}`, title } }, 400, 'validation-failed');
    t.equal(problem.errors[0].path, 'body.title', JSON.stringify(title));
  }
  const task = await createTask(app, { ...body, code: '2', title: '\n  Trade  houses\u00A0in Astana\r\n' });
  t.equal(task.title, 'Trade  houses\u00A0in Astana', 'a line break at either end is trimmed as any blank; spaces and a no-break space inside stay');
});

t.test('the same line breaks and tabs are kept in multi-line fields (each break as LF): descriptions, report texts, reasons, comments, notes', async (t) => {
  const app = await build(t);
  const { plan, task } = await approvedTask(app);
  const sent = 'Line one\r\nLine two\nthree\u2028four\tfive';
  const text = 'Line one\nLine two\nthree\nfour\tfive';

  const patched = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { description: sent, expectedResult: sent, formOfCompletion: sent } });
  t.equal(patched.statusCode, 200);
  t.match(json(patched), { description: text, expectedResult: text, formOfCompletion: text });

  const report = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task.id}/reports`,
    payload: { organizationId: task.assignees[0]!.organizationId, period: '2026-Q4', percentComplete: 10, confidence: 'green', narrative: sent, risks: sent },
  });
  t.equal(report.statusCode, 201);
  t.match(json(report), { narrative: text, risks: text });

  const change = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'request', newDueDate: '2027-03-31', reason: sent } });
  t.equal(change.statusCode, 201);
  t.equal(json(change).reason, text);

  const moved = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'in_progress', comment: sent } });
  t.equal(moved.statusCode, 200);

  const indicator = await createIndicator(app, { planId: plan.id, name: 'Tractors assembled', unit: 'tractors', baseline: 0, target: 100 });
  const value = await app.inject({ method: 'PUT', url: `/v1/indicators/${indicator.id}/values/2026-Q4`, payload: { value: 10, note: sent } });
  t.equal(value.statusCode, 200);
});

t.test('rows written before with line breaks in one-line fields are still served, listed and changed in other fields', async (t) => {
  const app = await build(t);
  const { commission, by, plan, task } = await approvedTask(app);
  const meeting = await createMeeting(app, commission.id);
  app.sqlite.prepare('UPDATE organizations SET name = ?, short_name = ? WHERE id = ?').run('Ministry of Industry\nof Belarus', 'Min\tprom', by.id);
  app.sqlite.prepare('UPDATE tasks SET title = ?, translations = ? WHERE id = ?').run('Old\r\ntitle', JSON.stringify({ ru: { title: 'Старое\nназвание' } }), task.id);
  app.sqlite.prepare('UPDATE plans SET title = ? WHERE id = ?').run('Plan\nof measures', plan.id);
  app.sqlite.prepare('UPDATE meetings SET title = ?, place = ? WHERE id = ?').run('Official\nvisit', 'As\u2028tana', meeting.id);
  app.sqlite.prepare('UPDATE commissions SET name = ?, party_a_co_chair_name = ? WHERE id = ?').run('Commission\nBY–KZ', 'Co-chair\nBY', commission.id);

  const org = await app.inject({ method: 'GET', url: `/v1/organizations/${by.id}` });
  t.equal(org.statusCode, 200);
  t.match(json(org), { name: 'Ministry of Industry\nof Belarus', shortName: 'Min\tprom' });
  t.equal((await app.inject({ method: 'GET', url: '/v1/organizations' })).statusCode, 200);

  const read = await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` });
  t.equal(read.statusCode, 200);
  t.match(json(read), { title: 'Old\r\ntitle', translations: { ru: { title: 'Старое\nназвание' } }, assignees: [{ name: 'Ministry of Industry\nof Belarus' }] });
  t.equal((await app.inject({ method: 'GET', url: `/v1/tasks?planId=${plan.id}` })).statusCode, 200);
  t.match(json(await app.inject({ method: 'GET', url: `/v1/plans/${plan.id}` })), { title: 'Plan\nof measures' });
  t.match(json(await app.inject({ method: 'GET', url: `/v1/meetings/${meeting.id}` })), { title: 'Official\nvisit', place: 'As\u2028tana' });
  t.match(json(await app.inject({ method: 'GET', url: `/v1/commissions/${commission.id}` })), { name: 'Commission\nBY–KZ', parties: [{ coChair: { name: 'Co-chair\nBY' } }] });
  const report = await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-11-28` });
  t.equal(report.statusCode, 200, 'the progress report is served');

  const kind = await app.inject({ method: 'PATCH', url: `/v1/organizations/${by.id}`, payload: { kind: 'agency' } });
  t.equal(kind.statusCode, 200, 'another field of an old row changes');
  t.equal(json(kind).name, 'Ministry of Industry\nof Belarus', 'and its name stays as it was');
  const renamed = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: 'Old title' } });
  t.equal(renamed.statusCode, 200, 'the title is mended on one line');
  t.equal(json(renamed).title, 'Old title');
});

// ---------------------------------------------------------------------------------------------------
// The spreadsheet import

async function workbook(rows: (string | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('План');
  rows.forEach((r, i) => (ws.getRow(i + 1).values = r));
  // As Excel saves a cell typed with Alt+Enter: the line break in the text, and the cell set to wrap.
  ws.getColumn(2).alignment = { wrapText: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const upload = (planId: string, body: Buffer, commit = false): InjectOptions => ({
  method: 'POST',
  url: `/v1/plans/${planId}/import${commit ? '' : '/preview'}`,
  headers: { 'content-type': XLSX },
  payload: body,
});

t.test('a workbook whose title cells hold Alt+Enter line breaks and tabs imports with each title on one line', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const file = await workbook([
    ['№', 'Мероприятие', 'Мероприятие (en)', 'Описание', 'Срок', 'Ответственные исполнители'],
    ['1.1', 'Сборка тракторов «Беларус»\nв Костанае', 'Assembly of tractors \r\n\r\n in Kostanay', 'Первый этап.\nВторой этап.', '31.12.2026', 'Minprom\nMIC'],
    ['1.2', 'Торговые\tдома\u2028в Астане', null, null, '30.06.2027', 'MIC'],
  ]);
  const shown = await app.inject(upload(plan.id, file));
  t.equal(shown.statusCode, 200);
  t.equal(json(shown).summary.errors, 0, 'no row is refused for the line breaks of its title');
  t.match(json(shown).rows[0].changes, [{ field: 'title', after: 'Сборка тракторов «Беларус» в Костанае' }]);

  const committed = await app.inject(upload(plan.id, file, true));
  t.equal(committed.statusCode, 200);
  t.match(json(committed), { committed: true, summary: { create: 2 } });
  const tasks = json(await app.inject({ method: 'GET', url: `/v1/tasks?planId=${plan.id}` })).items;
  t.match(tasks, [
    {
      code: '1.1',
      title: 'Сборка тракторов «Беларус» в Костанае',
      translations: { en: { title: 'Assembly of tractors in Kostanay' } },
      description: 'Первый этап.\nВторой этап.',
      assignees: [{ shortName: 'Minprom' }, { shortName: 'MIC' }],
    },
    { code: '1.2', title: 'Торговые дома в Астане' },
  ]);

  const again = await app.inject(upload(plan.id, file));
  t.match(json(again).summary, { unchanged: 2, errors: 0 }, 'the same file again changes nothing');
});

t.test('a task written before with a line break in its title is imported again unchanged, and its other cells update', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', title: 'Trade houses in Astana', dueDate: '2026-12-31', assignees });
  app.sqlite.prepare('UPDATE tasks SET title = ?, translations = ? WHERE id = ?').run('Trade houses\nin Astana', JSON.stringify({ ru: { title: 'Торговые дома\nв Астане' } }), task.id);
  const same = await workbook([
    ['№', 'Мероприятие', 'Мероприятие (ru)', 'Срок', 'Ответственные исполнители'],
    ['1.1', 'Trade houses\nin Astana', 'Торговые дома\nв Астане', '31.12.2026', 'Minprom\nMIC'],
  ]);
  t.match(json(await app.inject(upload(plan.id, same))).rows, [{ action: 'unchanged' }]);

  const later = await workbook([
    ['№', 'Мероприятие', 'Срок', 'Ответственные исполнители'],
    ['1.1', 'Trade houses\nin Astana', '31.03.2027', 'Minprom\nMIC'],
  ]);
  const committed = await app.inject(upload(plan.id, later, true));
  t.equal(committed.statusCode, 200);
  t.match(json(committed).rows, [{ action: 'update', changes: [{ field: 'dueDate' }] }]);
  t.equal(json(committed).rows[0].changes.length, 1, 'the title is no change');
  t.match(json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` })), { title: 'Trade houses\nin Astana', dueDate: '2027-03-31' }, 'and keeps its line break');
});
