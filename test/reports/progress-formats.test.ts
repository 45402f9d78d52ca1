// The progress report as CSV and XLSX, read back with a parser and compared with the JSON; content negotiation.
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import t from 'tap';
import type { Test } from 'tap';
import type { App } from '../../src/app.js';
import { TASK_STATUSES } from '../../src/db/enums.js';
import { renderProgressCsv } from '../../src/modules/reports/progress.csv.js';
import { ProgressReportSchema, type Breakdown, type ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { assertProblem, build, json, testClock } from '../helper.js';
import { approvePlan, createCommission, createMeeting, createOrganization, createPlan, createTask, transition } from '../factories.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function ok(app: App, url: string, payload: Record<string, unknown>, method: 'POST' | 'PUT' = 'POST') {
  const res = await app.inject({ method, url, payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

/** A small plan in Russian, as the signed documents are: overdue, postponed, closed, reported and unreported tasks. */
async function russianPlan(t: Test) {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const commission = await createCommission(app, { name: 'Межправительственная комиссия Беларусь — Казахстан' });
  const minprom = await createOrganization(app, { name: 'Министерство промышленности Республики Беларусь', shortName: 'Минпром', country: 'BY' });
  const mtz = await createOrganization(app, { name: 'ОАО «МТЗ»', kind: 'enterprise', country: 'BY' });
  const mic = await createOrganization(app, { name: 'Министерство промышленности и строительства РК', shortName: 'МПС', country: 'KZ' });
  const meeting = await createMeeting(app, commission.id, { title: 'Официальный визит, Астана', protocolNumber: '19' });
  const plan = await createPlan(app, commission.id, { title: 'План мероприятий («дорожная карта») на 2026–2027 годы' });
  const both = [
    { organizationId: minprom.id, role: 'lead' },
    { organizationId: mic.id, role: 'lead' },
  ];
  const t1 = await createTask(app, {
    planId: plan.id,
    code: '1.1',
    title: 'Расширение сборки тракторов «Беларус» в Костанае',
    translations: { en: { title: 'Expanding the assembly of Belarus tractors in Kostanay' } },
    formOfCompletion: 'Информация в комиссию',
    expectedResult: 'Не менее 1 000 тракторов в год',
    basis: { meetingId: meeting.id, protocolItem: '4' },
    dueDate: '2026-11-01',
    assignees: [...both, { organizationId: mtz.id, role: 'co_executor' }],
  });
  const t2 = await createTask(app, { planId: plan.id, code: '1.2', title: 'Цифровая платформа прослеживаемости', area: 'digitalization', dueDate: '2026-10-15', assignees: both });
  const t3 = await createTask(app, { planId: plan.id, code: '2.10', title: 'Поставки продовольствия', area: 'food_supplies', dueDate: '2026-12-15', assignees: [{ organizationId: mic.id, role: 'lead' }] });
  await approvePlan(app, plan.id);
  await transition(app, t1.id, 'in_progress');
  await transition(app, t2.id, 'in_progress');
  await ok(app, `/v1/tasks/${t3.id}/deadline-changes`, { kind: 'direct', newDueDate: '2026-12-20', reason: 'Перенос по решению комиссии' });
  await ok(app, `/v1/tasks/${t1.id}/reports`, { organizationId: minprom.id, period: '2026-Q3', percentComplete: 40, confidence: 'amber', narrative: 'Идёт работа.' });
  const indicator = await ok(app, '/v1/indicators', { planId: plan.id, taskId: t1.id, name: 'Собрано тракторов', unit: 'шт.', baseline: 600, target: 1200 });
  await ok(app, `/v1/indicators/${indicator.id}/values/2026-Q2`, { value: 750 }, 'PUT');
  clock.set('2026-10-12T09:00:00.000Z');
  await transition(app, t2.id, 'done');
  await transition(app, t2.id, 'closed');
  clock.set('2026-11-28T09:00:00.000Z');
  return { app, plan, commission, minprom, mtz, mic };
}

const figureNames = [
  'taskCount',
  ...TASK_STATUSES.map((s) => `byStatus.${s}`),
  ...TASK_STATUSES.map((s) => `percentByStatus.${s}`),
  'closedOnTime',
  'closedLate',
  'closedOnTimeAgainstOriginal',
  'overdue',
  'overdueDays',
  'dueNext30Days',
  'postponedTasks',
  'postponements',
  'daysMoved',
  'confidence.green',
  'confidence.amber',
  'confidence.red',
  'confidence.none',
  'missingReports',
];
const pick = (b: Breakdown, path: string): number => path.split('.').reduce<any>((o, k) => o[k], b);

/** The groups as the CSV and the workbook list them; the total's label is in the report's language, as the others are. */
function groupsOf(r: ProgressReport) {
  return [
    { dimension: 'total', key: '', label: r.lang === null || r.lang === 'en' ? 'Total' : 'Итого', figures: r.totals as Breakdown },
    ...r.byParty.map((g) => ({ dimension: 'party', key: String(g.key), label: g.label, figures: g as Breakdown })),
    ...r.byOrganization.map((g) => ({ dimension: 'organization', key: String(g.key), label: g.label, figures: g as Breakdown })),
    ...r.byArea.map((g) => ({ dimension: 'area', key: String(g.key), label: g.label, figures: g as Breakdown })),
  ];
}

t.test('the CSV breakdown: BOM, CRLF, one row per group, every figure equal to the JSON', async (t) => {
  const { app, plan } = await russianPlan(t);
  const report = json<ProgressReport>(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&lang=ru` }));
  const res = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&lang=ru&format=csv` });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  t.equal(res.headers['content-disposition'], `attachment; filename="progress-${plan.id}-2026-11-28.csv"`);
  t.strictSame([...res.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 BOM');
  t.ok(res.body.includes('\r\n') && !/[^\r]\n/.test(res.body), 'every line ends with CRLF');

  const rows: Record<string, string>[] = parse(res.rawPayload, { bom: true, columns: true });
  t.strictSame(Object.keys(rows[0] ?? {}), ['dimension', 'key', 'label', ...figureNames], 'the header names every figure');
  const groups = groupsOf(report);
  t.equal(rows.length, groups.length, 'one row per group');
  groups.forEach((g, i) => {
    const row = rows[i] as Record<string, string>;
    t.strictSame([row.dimension, row.key, row.label], [g.dimension, g.key, g.label], `${g.dimension} ${g.label}`);
    t.strictSame(
      figureNames.map((n) => Number(row[n])),
      figureNames.map((n) => pick(g.figures, n)),
      `${g.label}: every figure equals the JSON`,
    );
  });
  t.ok(rows.some((r) => r.label === 'Беларусь') && rows.some((r) => r.label === 'Министерство промышленности Республики Беларусь'), 'Cyrillic intact');
  t.strictSame([rows[0]?.dimension, rows[0]?.label], ['total', 'Итого'], 'in Russian the total row says so beside "Беларусь"; its dimension stays "total"');
  const english: Record<string, string>[] = parse((await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=csv&lang=en` })).rawPayload, { bom: true, columns: true });
  t.strictSame([english[0]?.label, english[1]?.label], ['Total', 'Belarus'], 'in English, English labels');
  t.equal(rows.find((r) => r.dimension === 'total')?.['percentByStatus.closed'], '33.3', 'percentages with one decimal, a point as separator');
});

t.test('the CSV tasks table: one row per task, Cyrillic titles intact, values equal to the JSON', async (t) => {
  const { app, plan } = await russianPlan(t);
  const report = json<ProgressReport>(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` }));
  const res = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=csv&table=tasks` });
  t.equal(res.statusCode, 200);
  t.equal(res.body.charCodeAt(0), 0xfeff, 'BOM');
  const rows: Record<string, string>[] = parse(res.rawPayload, { bom: true, columns: true });
  t.strictSame(Object.keys(rows[0] ?? {}), [
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
  ]);
  t.equal(rows.length, report.tasks.length);
  report.tasks.forEach((task, i) => {
    const row = rows[i] as Record<string, string>;
    t.strictSame(row, {
      code: task.code,
      title: task.title,
      area: task.area,
      status: task.status,
      dueDate: task.dueDate,
      originalDueDate: task.originalDueDate,
      overdue: String(task.overdue),
      daysOverdue: String(task.daysOverdue),
      postponementCount: String(task.postponementCount),
      daysMoved: String(task.daysMoved),
      completion: task.completion ?? '',
      completionAgainstOriginal: task.completionAgainstOriginal ?? '',
      percentComplete: task.percentComplete === null ? '' : String(task.percentComplete),
      confidence: task.confidence ?? '',
      leadExecutors: task.executors.filter((e) => e.role === 'lead').map((e) => e.name).join('; '),
      coExecutors: task.executors.filter((e) => e.role === 'co_executor').map((e) => e.name).join('; '),
      plan: 'План мероприятий («дорожная карта») на 2026–2027 годы',
    }, `task ${task.code}`);
  });
  t.equal(rows[0]?.title, 'Расширение сборки тракторов «Беларус» в Костанае');
  t.equal(rows[0]?.coExecutors, 'ОАО «МТЗ»');
  t.strictSame(rows.map((r) => r.code), ['1.1', '1.2', '2.10'], 'in numbering order');

  const english = parse((await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=csv&table=tasks&lang=en` })).rawPayload, { bom: true, columns: true }) as Record<string, string>[];
  t.equal(english[0]?.title, 'Expanding the assembly of Belarus tractors in Kostanay', 'lang applies to the CSV too');
});

t.test('CSV cells of users\' text that a spreadsheet would run as a formula start with a quote; figures stay numbers', async (t) => {
  const app = await build(t, testClock('2026-09-01T09:00:00.000Z'));
  const commission = await createCommission(app);
  const evil = await createOrganization(app, { name: '=cmd|" /C calc"!A0' });
  const plan = await createPlan(app, commission.id, { title: '@SUM(A1:A9)' });
  const task = await createTask(app, {
    planId: plan.id,
    code: '1.1',
    title: '=HYPERLINK("http://evil","x")',
    dueDate: '2026-11-01',
    assignees: [{ organizationId: evil.id, role: 'lead' }],
  });
  await createTask(app, { planId: plan.id, code: '1.2', title: '-2+3', dueDate: '2026-11-01', assignees: [{ organizationId: evil.id, role: 'lead' }] });
  await approvePlan(app, plan.id);
  await ok(app, `/v1/tasks/${task.id}/deadline-changes`, { kind: 'direct', newDueDate: '2026-11-06', reason: 'Moved' });

  const tasksRes = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=csv&table=tasks` });
  const rows: Record<string, string>[] = parse(tasksRes.rawPayload, { bom: true, columns: true });
  t.has(rows[0], {
    title: '\'=HYPERLINK("http://evil","x")',
    leadExecutors: '\'=cmd|" /C calc"!A0',
    plan: '\'@SUM(A1:A9)',
    dueDate: '2026-11-06',
    daysMoved: '5',
    postponementCount: '1',
    overdue: 'false',
  });
  t.equal(rows[1]?.title, '\'-2+3', 'a text starting with "-" is quoted too');

  const breakdown: Record<string, string>[] = parse((await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=csv` })).rawPayload, { bom: true, columns: true });
  t.equal(breakdown.find((r) => r.dimension === 'organization')?.label, '\'=cmd|" /C calc"!A0', 'the breakdown\'s labels too');

  // No figure of the report is negative today; the rule goes by type, so one that were would stay a number.
  const report = json<ProgressReport>(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` }));
  const negative = renderProgressCsv({ ...report, tasks: report.tasks.map((r) => ({ ...r, daysMoved: -5 })) }, 'tasks');
  t.equal((parse(negative, { bom: true, columns: true }) as Record<string, string>[])[0]?.daysMoved, '-5', 'a negative number is not quoted');
});

t.test('a text holding U+FFFE or U+FFFF, which XML allows nowhere, still makes a workbook that opens: shown as U+FFFD', async (t) => {
  const app = await build(t, testClock('2026-09-01T09:00:00.000Z'));
  const commission = await createCommission(app, { name: 'Commission \uFFFF' });
  const org = await createOrganization(app, { name: 'Ministry \uFFFE of Industry' });
  const plan = await createPlan(app, commission.id, { title: 'Plan \uFFFF' });
  await createTask(app, { planId: plan.id, code: '1.1', title: 'Assembly \uFFFF of tractors', dueDate: '2026-08-01', assignees: [{ organizationId: org.id, role: 'lead' }] });
  await approvePlan(app, plan.id);
  const res = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=xlsx` });
  t.equal(res.statusCode, 200);
  const workbook = new ExcelJS.Workbook();
  // exceljs reads the XML as Excel does: a character XML does not allow is a corrupt file.
  await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const tasks = workbook.getWorksheet('Tasks')!;
  t.equal(tasks.getRow(2).getCell(2).value, 'Assembly \uFFFD of tractors');
  t.equal(tasks.getRow(2).getCell(6).value, 'Ministry \uFFFD of Industry (lead)');
  t.equal(workbook.getWorksheet('Overdue')!.getRow(2).getCell(8).value, 'Plan \uFFFD');
  t.equal(workbook.getWorksheet('Summary')!.getRow(1).getCell(1).value, 'Progress report — Commission \uFFFD');
});

const cellValue = (v: ExcelJS.CellValue): unknown => {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (v !== null && typeof v === 'object' && 'richText' in v) return v.richText.map((p) => p.text).join('');
  return v ?? null;
};
const rowValues = (sheet: ExcelJS.Worksheet, n: number, columns: number) =>
  Array.from({ length: columns }, (_, i) => cellValue(sheet.getRow(n).getCell(i + 1).value));

t.test('the XLSX workbook reads back with exceljs and says what the JSON says', async (t) => {
  const { app, plan, minprom, mtz, mic } = await russianPlan(t);
  const report = json<ProgressReport>(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` }));
  const res = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}`, headers: { accept: XLSX } });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], XLSX);
  t.equal(res.headers['content-disposition'], `attachment; filename="progress-${plan.id}-2026-11-28.xlsx"`);
  t.strictSame([...res.rawPayload.subarray(0, 2)], [0x50, 0x4b], 'a zip container');

  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  t.strictSame(workbook.worksheets.map((s) => s.name), ['Summary', 'Tasks', 'Overdue', 'Missing reports', 'Indicators']);

  // Summary: a preamble, then one table of every group with bold, frozen headers.
  const summary = workbook.getWorksheet('Summary') as ExcelJS.Worksheet;
  t.equal(summary.getCell('A1').value, `Progress report — ${report.scope.commissionName}`);
  t.equal(cellValue(summary.getCell('B3').value), '2026-11-28', 'as of, a real date');
  const headerRow = 6;
  t.equal(summary.getCell(`A${headerRow}`).value, 'Group');
  t.equal(summary.getRow(headerRow).font?.bold, true, 'bold headers');
  t.match(summary.views[0], { state: 'frozen', ySplit: headerRow }, 'frozen below the header');
  const groups = groupsOf(report);
  const figureCount = 1 + 2 * TASK_STATUSES.length + 14;
  groups.forEach((g, i) => {
    const values = rowValues(summary, headerRow + 1 + i, 3 + figureCount);
    t.strictSame(values.slice(1, 2), [g.label], `row of ${g.label}`);
    t.strictSame(values.slice(3), figureNames.map((n) => pick(g.figures, n)), `${g.label}: every figure equals the JSON`);
  });
  t.strictSame(
    groups.map((_, i) => summary.getCell(`A${headerRow + 1 + i}`).value),
    ['Total', 'Party', 'Party', 'Organization', 'Organization', 'Organization', 'Area', 'Area', 'Area'],
  );
  t.ok((summary.getColumn(2).width ?? 0) >= 30, 'names get a wide column');

  // Tasks: the plan's own table layout first, so it can be imported back.
  const tasks = workbook.getWorksheet('Tasks') as ExcelJS.Worksheet;
  const header = rowValues(tasks, 1, 20);
  t.strictSame(header, [
    'No',
    'Measure',
    'Form of completion',
    'Expected result',
    'Deadline',
    'Executors (BY)',
    'Executors (KZ)',
    'Basis',
    'Area',
    'Status',
    'Original deadline',
    'Overdue',
    'Days overdue',
    'Postponements',
    'Days moved',
    'Completion',
    'Completion against the original deadline',
    'Percent complete',
    'Confidence',
    'Plan',
  ]);
  t.equal(tasks.getRow(1).font?.bold, true);
  t.match(tasks.views[0], { state: 'frozen', ySplit: 1 });
  t.equal(tasks.rowCount, 1 + report.tasks.length);
  report.tasks.forEach((task, i) => {
    const names = (country: string) =>
      task.executors
        .filter((e) => e.country === country)
        .map((e) => (e.role === 'lead' ? `${e.name} (lead)` : e.name))
        .join('\n');
    t.strictSame(
      rowValues(tasks, 2 + i, 20),
      [
        task.code,
        task.title,
        task.formOfCompletion,
        task.expectedResult,
        task.dueDate,
        names('BY') || null,
        names('KZ') || null,
        task.basis?.text ?? null,
        task.area,
        task.status,
        task.originalDueDate,
        task.overdue,
        task.daysOverdue,
        task.postponementCount,
        task.daysMoved,
        task.completion,
        task.completionAgainstOriginal,
        task.percentComplete,
        task.confidence,
        report.scope.plans[0]?.title,
      ],
      `task ${task.code}`,
    );
  });
  t.equal(tasks.getCell('F2').value, `${minprom.name} (lead)\n${mtz.name}`, 'the BY lead, marked, then its co-executor, one per line');
  t.equal(tasks.getCell('G2').value, `${mic.name} (lead)`);
  t.equal(tasks.getCell('H2').value, 'Protocol No. 19 of 2026-11-04 (Официальный визит, Астана), item 4');

  const overdue = workbook.getWorksheet('Overdue') as ExcelJS.Worksheet;
  t.strictSame(
    report.overdue.map((_, i) => rowValues(overdue, 2 + i, 4)),
    report.overdue.map((x) => [x.code, x.title, x.dueDate, x.daysOverdue]),
  );
  t.ok(report.overdue.length > 0, 'something is overdue');
  // Every data cell carries its column's style (the workbook shares one style object per column), the header its own.
  report.overdue.forEach((_, i) => {
    const row = overdue.getRow(2 + i);
    t.match(row.getCell(1).style, { alignment: { vertical: 'top' } }, 'No: top');
    t.notOk(row.getCell(1).alignment?.wrapText, 'No: not wrapped');
    t.match(row.getCell(2).alignment, { wrapText: true, vertical: 'top' }, 'Measure: wrapped');
    t.equal(row.getCell(3).numFmt, 'yyyy-mm-dd', 'Deadline: a date format');
    t.notOk(row.getCell(2).font?.bold, 'not bold');
  });
  t.equal(overdue.getRow(1).getCell(2).font?.bold, true, 'the header stays bold');
  t.match(overdue.getRow(1).getCell(2).alignment, { wrapText: true, vertical: 'middle' }, 'the header keeps its alignment');

  const missing = workbook.getWorksheet('Missing reports') as ExcelJS.Worksheet;
  t.ok(report.missingReports.length > 0, 'reports are missing');
  t.strictSame(
    report.missingReports.map((_, i) => rowValues(missing, 2 + i, 7)),
    report.missingReports.map((m) => [m.code, m.title, m.organizationName, m.country, m.period, m.deadline, report.scope.plans[0]!.title]),
  );

  const indicators = workbook.getWorksheet('Indicators') as ExcelJS.Worksheet;
  t.strictSame(rowValues(indicators, 1, 8), ['Indicator', 'Unit', 'Task', 'Baseline', 'Target', 'Actual', 'Period', 'Progress, %']);
  t.strictSame(rowValues(indicators, 2, 8), ['Собрано тракторов', 'шт.', '1.1', 600, 1200, 750, '2026-Q2', 25]);
  t.equal(indicators.getRow(2).getCell(8).numFmt, '0.0', 'progress with one decimal');
});

t.test('the format follows format=, else the Accept header; anything else is 406', async (t) => {
  const { app, plan } = await russianPlan(t);
  const url = `/v1/reports/progress?planId=${plan.id}`;
  const typeOf = async (accept: string | undefined, query = '') => {
    const res = await app.inject({ url: url + query, headers: accept === undefined ? {} : { accept } });
    return [res.statusCode, String(res.headers['content-type']).split(';')[0]];
  };
  t.strictSame(await typeOf(undefined), [200, 'application/json'], 'JSON by default');
  t.strictSame(await typeOf('*/*'), [200, 'application/json']);
  t.strictSame(await typeOf('application/*'), [200, 'application/json']);
  t.strictSame(await typeOf('application/json'), [200, 'application/json']);
  t.strictSame(await typeOf('text/csv'), [200, 'text/csv']);
  t.strictSame(await typeOf('text/*'), [200, 'text/csv'], 'text/*: the first text format');
  t.strictSame(await typeOf(XLSX), [200, XLSX]);
  t.strictSame(await typeOf('text/html'), [200, 'text/html']);
  t.strictSame(
    await typeOf('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'),
    [200, 'text/html'],
    'a browser gets the printable page',
  );
  t.strictSame(await typeOf('text/csv;q=0.5, application/json'), [200, 'application/json'], 'by quality');
  t.strictSame(await typeOf('text/csv, application/json'), [200, 'text/csv'], 'equal quality: the client\'s order');
  t.strictSame(await typeOf('*/*;q=0.1, text/csv;q=0'), [200, 'application/json'], 'q=0 refuses CSV only');
  t.strictSame(await typeOf('image/png', '&format=csv'), [200, 'text/csv'], 'format= wins over Accept');
  t.strictSame(await typeOf('text/csv', '&format=json'), [200, 'application/json']);
  t.strictSame(await typeOf(undefined, '&format=xlsx'), [200, XLSX]);

  const html = await app.inject({ url: `${url}&format=html` });
  t.equal(html.headers['content-type'], 'text/html; charset=utf-8');
  t.match(html.body, /<html/i);
  t.equal(html.headers['content-disposition'], undefined, 'the page opens in place');

  for (const accept of ['image/png', 'application/pdf, text/plain', 'text/csv;q=0, application/json;q=0, text/html;q=0, application/*;q=0']) {
    const body = assertProblem(t, await app.inject({ url, headers: { accept } }), 406, 'not-acceptable');
    t.match(body.detail, /text\/csv/, 'the problem names what is available');
  }
});

t.test('the OpenAPI document shows the JSON schema and the other three media types', async (t) => {
  const app = await build(t);
  const doc = json(await app.inject({ url: '/openapi.json' }));
  const op = doc.paths['/v1/reports/progress'].get;
  t.equal(op.operationId, 'getProgressReport');
  const content = op.responses['200'].content;
  t.strictSame(Object.keys(content).sort(), ['application/json', 'text/csv', 'text/html', XLSX].sort());
  t.strictSame(content['application/json'].schema, { $ref: '#/components/schemas/ProgressReport' });
  t.ok(doc.components.schemas.ProgressReport.properties.totals, 'the report schema is a component');
  t.ok(op.responses['406'], '406 is documented');
  t.ok(content['application/json'].example, 'with an example of the JSON');
  t.ok(ProgressReportSchema.safeParse(content['application/json'].example).success, 'the example is a valid report');
  t.strictSame(
    op.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name).sort(),
    ['asOf', 'commissionId', 'dialect', 'format', 'lang', 'planId', 'table'],
  );
});
