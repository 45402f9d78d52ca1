// A commission's report over plans on different reporting schedules (a quarterly and a monthly plan): each plan's
// period and deadline are said with its plan, in the JSON, on the page and in the workbook; never one plan's period
// beside the count of every plan's missing reports.
import ExcelJS from 'exceljs';
import t from 'tap';
import type { App } from '../../src/app.js';
import type { ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { build, json, testClock, type TestClock } from '../helper.js';
import { approvePlan, createPlan, createTask, seedPlan } from '../factories.js';

const QUARTERLY = 'Roadmap of industrial co-operation';
const MONTHLY = 'Food supplies roadmap';

/**
 * A commission with a quarterly plan (reports due 10 days after a quarter) and a monthly plan (5 days after a month),
 * two tasks each, both ministries executing every task, created and approved on 1 November 2026; nobody has reported
 * since. The clock is then at 15 February 2027: Q4 reports were due on 10 January, January's on 5 February.
 */
async function twoSchedules(t: Parameters<typeof build>[0]) {
  const clock = testClock('2026-11-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { commission, assignees, plan: draft } = await seedPlan(app);
  await ok(app, 'PATCH', `/v1/plans/${draft.id}`, { title: 'A draft, left out' });
  const quarterly = await createPlan(app, commission.id, { title: QUARTERLY, reportingFrequency: 'quarterly', reportDueDays: 10 });
  const monthly = await createPlan(app, commission.id, { title: MONTHLY, reportingFrequency: 'monthly', reportDueDays: 5 });
  for (const plan of [quarterly, monthly]) {
    for (const code of ['1.1', '1.2']) await createTask(app, { planId: plan.id, code, dueDate: '2027-12-01', assignees });
    await approvePlan(app, plan.id);
  }
  clock.set('2027-02-15T09:00:00.000Z');
  return { app, clock, commission, quarterly, monthly, assignees };
}

async function ok(app: App, method: 'PATCH' | 'POST', url: string, payload: Record<string, unknown>) {
  const res = await app.inject({ method, url, payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

const get = (app: App, query: string) => app.inject({ url: `/v1/reports/progress?${query}` });
const report = async (app: App, query: string) => json<ProgressReport>(await get(app, query));

const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const text = (html: string) => decode(html.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim();

/** The missing-reports card of the key figures: its value and its note, as read. */
function missingCard(html: string, label: string): { value: string; note: string } {
  const m = new RegExp(`<dt>${label}</dt><dd><span class="value">([^<]*)</span><span class="note">([\\s\\S]*?)</span></dd>`).exec(html);
  if (!m) throw new Error(`no card "${label}"`);
  return { value: text(m[1]!), note: text(m[2]!) };
}

function missingIntro(html: string): string {
  const m = /<section id="missing-reports"[^>]*><h2[^>]*>[\s\S]*?<\/h2><p class="intro">([\s\S]*?)<\/p>/.exec(html);
  if (!m) throw new Error('no intro to the missing reports');
  return text(m[1]!);
}

async function workbook(app: App, query: string) {
  const res = await get(app, `${query}&format=xlsx`);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  return wb;
}

const cell = (v: ExcelJS.CellValue): unknown => (v instanceof Date ? v.toISOString().slice(0, 10) : (v ?? null));
const rowOf = (sheet: ExcelJS.Worksheet, n: number, length: number) => Array.from({ length }, (_, i) => cell(sheet.getRow(n).getCell(i + 1).value));

const Q4 = { current: '2027-Q1', lastDue: '2026-Q4', lastDueDeadline: '2027-01-10' };
const JANUARY = { current: '2027-02', lastDue: '2027-01', lastDueDeadline: '2027-02-05' };

t.test("a commission's JSON report gives each plan its own reporting period, and each missing report its plan's", async (t) => {
  const { app, commission, quarterly, monthly } = await twoSchedules(t);
  const r = await report(app, `commissionId=${commission.id}`);
  t.strictSame(
    r.scope.plans.map((p) => [p.title, p.reportingPeriod]),
    [
      [QUARTERLY, Q4],
      [MONTHLY, JANUARY],
    ],
  );
  t.strictSame(r.reportingPeriod, Q4, "the head keeps the first plan's, as documented");
  t.equal(r.totals.missingReports, 8);
  const planOf = new Map(r.tasks.map((x) => [x.taskId, x.planId]));
  const periods = (planId: string) => [...new Set(r.missingReports.filter((m) => planOf.get(m.taskId) === planId).map((m) => `${m.period} ${m.deadline}`))];
  t.strictSame(periods(quarterly.id), ['2026-Q4 2027-01-10'], 'the quarterly plan lacks its Q4 reports');
  t.strictSame(periods(monthly.id), ['2027-01 2027-02-05'], "the monthly plan lacks January's");
  t.equal(r.missingReports.length, 8);

  const single = await report(app, `planId=${monthly.id}`);
  t.strictSame(single.scope.plans.map((p) => p.reportingPeriod), [JANUARY], "a plan's report: its own");
  t.strictSame(single.reportingPeriod, JANUARY);
});

t.test('a past day gives each plan the periods of that day, by its settings of that day', async (t) => {
  const { app, clock, commission, monthly } = await twoSchedules(t);
  // Changed since: the monthly plan's reports were due 5 days after a month then, not 20.
  await ok(app, 'PATCH', `/v1/plans/${monthly.id}`, { reportDueDays: 20 });
  clock.set('2027-02-16T09:00:00.000Z');
  const r = await report(app, `commissionId=${commission.id}&asOf=2027-01-08`);
  t.strictSame(
    r.scope.plans.map((p) => [p.title, p.reportingPeriod]),
    [
      [QUARTERLY, { current: '2027-Q1', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' }],
      [MONTHLY, { current: '2027-01', lastDue: '2026-12', lastDueDeadline: '2027-01-05' }],
    ],
  );
  t.strictSame(
    [...new Set(r.missingReports.map((m) => `${m.period} ${m.deadline}`))],
    ['2026-12 2027-01-05'],
    'the tasks did not exist at the Q3 deadline; December was late on the 8th',
  );
  const html = (await get(app, `commissionId=${commission.id}&asOf=2027-01-08&format=html`)).body;
  t.equal(missingCard(html, 'Missing reports').note, `${QUARTERLY}: for 2026-Q3, due 10 Oct 2026; ${MONTHLY}: for 2026-12, due 5 Jan 2027`);
  const today = await report(app, `commissionId=${commission.id}`);
  t.strictSame(today.scope.plans[1]!.reportingPeriod, { current: '2027-02', lastDue: '2026-12', lastDueDeadline: '2027-01-20' }, 'today, by the new setting');
});

t.test("the page says each plan's period and deadline, never one period for every plan's count", async (t) => {
  const { app, commission } = await twoSchedules(t);
  const html = (await get(app, `commissionId=${commission.id}&format=html`)).body;
  t.strictSame(missingCard(html, 'Missing reports'), {
    value: '8',
    note: `${QUARTERLY}: for 2026-Q4, due 10 Jan 2027; ${MONTHLY}: for 2027-01, due 5 Feb 2027`,
  });
  t.equal(
    missingIntro(html),
    `${QUARTERLY}: progress reports for 2026-Q4 were due 10 Jan 2027; the current period is 2027-Q1. ` +
      `${MONTHLY}: progress reports for 2027-01 were due 5 Feb 2027; the current period is 2027-02.`,
  );
  t.match(text(/<p class="meta">([\s\S]*?)<\/p>/.exec(html)![1]!), `Reporting period ${QUARTERLY}: 2027-Q1; ${MONTHLY}: 2027-02`);
  t.notMatch(text(html), /Missing reports 8 for 2026-Q4/, 'the old, wrong sentence is gone');

  const ru = (await get(app, `commissionId=${commission.id}&format=html&lang=ru`)).body;
  t.equal(missingCard(ru, 'Нет отчётов').note, `${QUARTERLY}: за 2026-Q4, срок 10.01.2027; ${MONTHLY}: за 2027-01, срок 05.02.2027`);
  t.equal(
    missingIntro(ru),
    `${QUARTERLY}: отчёты за 2026-Q4 следовало представить до 10.01.2027; текущий период — 2027-Q1. ` +
      `${MONTHLY}: отчёты за 2027-01 следовало представить до 05.02.2027; текущий период — 2027-02.`,
  );
});

t.test("a plan with no period due yet says so beside another plan's period", async (t) => {
  const { app, commission, assignees } = await twoSchedules(t);
  const late = await createPlan(app, commission.id, { title: 'Plan of 2027', periodStart: '2027-01-01', periodEnd: '2027-12-31' });
  await createTask(app, { planId: late.id, code: '1.1', dueDate: '2027-12-01', assignees });
  await approvePlan(app, late.id);
  const html = (await get(app, `commissionId=${commission.id}&format=html`)).body;
  t.equal(
    missingCard(html, 'Missing reports').note,
    `${QUARTERLY}: for 2026-Q4, due 10 Jan 2027; ${MONTHLY}: for 2027-01, due 5 Feb 2027; Plan of 2027: no reporting period due yet`,
  );
  t.match(missingIntro(html), /the current period is 2027-02\. Plan of 2027: no reporting period has reached its deadline yet; the current period is 2027-Q1\.$/);
});

t.test('the Summary sheet has a period row per plan, and the table below moves down', async (t) => {
  const { app, commission } = await twoSchedules(t);
  for (const [lang, labels] of [
    ['en', ['Reporting period', 'Last period due', 'Its deadline', 'Group', 'Total']],
    ['ru', ['Отчётный период', 'Последний истёкший период', 'Срок отчётов за него', 'Группа', 'Итого']],
  ] as const) {
    const wb = await workbook(app, `commissionId=${commission.id}&lang=${lang}`);
    const summary = wb.worksheets[0]!;
    t.strictSame(rowOf(summary, 4, 7), [QUARTERLY, labels[0], '2027-Q1', labels[1], '2026-Q4', labels[2], '2027-01-10'], `${lang}: the quarterly plan`);
    t.strictSame(rowOf(summary, 5, 7), [MONTHLY, labels[0], '2027-02', labels[1], '2027-01', labels[2], '2027-02-05'], `${lang}: the monthly plan`);
    t.equal(summary.getRow(4).getCell(7).numFmt, lang === 'en' ? 'yyyy-mm-dd' : 'dd.mm.yyyy', 'the deadline shown as a date');
    t.equal(summary.getRow(5).getCell(7).numFmt, lang === 'en' ? 'yyyy-mm-dd' : 'dd.mm.yyyy');
    for (const n of [4, 5]) t.equal(summary.getRow(n).getCell(1).alignment?.wrapText, true, `row ${n}: the plan's title wraps in its narrow column`);
    t.equal(summary.getCell('A7').value, labels[3], 'the header row after a blank line');
    t.match(summary.views[0], { state: 'frozen', ySplit: 7 });
    t.equal(summary.getCell('A8').value, labels[4]);
    t.equal(summary.getRow(8).font?.bold, true, 'the Total row stays bold');
  }
});

t.test('one plan, or plans on one schedule, read as they always did', async (t) => {
  const { app, quarterly } = await twoSchedules(t);
  const html = (await get(app, `planId=${quarterly.id}&format=html`)).body;
  t.strictSame(missingCard(html, 'Missing reports'), { value: '4', note: 'for 2026-Q4, due 10 Jan 2027' });
  t.equal(missingIntro(html), 'Progress reports for 2026-Q4 were due 10 Jan 2027; the current period is 2027-Q1.');
  const wb = await workbook(app, `planId=${quarterly.id}`);
  t.strictSame(rowOf(wb.worksheets[0]!, 4, 7), ['Reporting period', '2027-Q1', 'Last period due', '2026-Q4', 'Its deadline', '2027-01-10', null]);
  t.equal(wb.worksheets[0]!.getCell('A6').value, 'Group');

  // A second quarterly plan with the same due days: one schedule, said once, for the whole count.
  const other = await seedPlan(app);
  const second = await createPlan(app, other.commission.id, { title: 'Second quarterly plan' });
  const first = await createPlan(app, other.commission.id, { title: 'First quarterly plan' });
  for (const plan of [first, second]) {
    await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2027-12-01', assignees: other.assignees });
    await approvePlan(app, plan.id);
  }
  const same = (await get(app, `commissionId=${other.commission.id}&format=html`)).body;
  t.strictSame(missingCard(same, 'Missing reports'), { value: '0', note: 'for 2026-Q4, due 10 Jan 2027' }, 'said once, without plan titles');
  t.equal(missingIntro(same), 'Progress reports for 2026-Q4 were due 10 Jan 2027; the current period is 2027-Q1.');
  t.strictSame(rowOf((await workbook(app, `commissionId=${other.commission.id}`)).worksheets[0]!, 4, 7), [
    'Reporting period',
    '2027-Q1',
    'Last period due',
    '2026-Q4',
    'Its deadline',
    '2027-01-10',
    null,
  ]);
});

t.test('two quarterly plans with different due days: each deadline with its plan', async (t) => {
  const { app, commission, monthly } = await twoSchedules(t);
  await ok(app, 'PATCH', `/v1/plans/${monthly.id}`, { reportingFrequency: 'quarterly', reportDueDays: 20 });
  const html = (await get(app, `commissionId=${commission.id}&format=html`)).body;
  t.equal(missingCard(html, 'Missing reports').note, `${QUARTERLY}: for 2026-Q4, due 10 Jan 2027; ${MONTHLY}: for 2026-Q4, due 20 Jan 2027`);
  t.match(text(/<p class="meta">([\s\S]*?)<\/p>/.exec(html)![1]!), 'Reporting period 2027-Q1', 'one current period: said once');
});
