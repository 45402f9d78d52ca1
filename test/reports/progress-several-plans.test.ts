// A commission's report over several plans names each listed task's plan, on the printable page as in the CSV's and
// the workbook's Plan columns: the same measure may stand in two plans, under the same code, and "1.1 is overdue" or
// "1.1: no report" would not say which one a co-chair is to chase.
import ExcelJS from 'exceljs';
import t, { type Test } from 'tap';
import type { ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { build, json, testClock } from '../helper.js';
import { approvePlan, createPlan, createTask, seedPlan, transition } from '../factories.js';

const OLD = 'Roadmap 2025–2026';
const NEW = 'Roadmap 2026–2027';

/**
 * Two plans of one commission with the same measure 1.1, overdue in both, at risk (1.2) and due soon (1.3) in the new
 * one, and no report on Q3 from anyone: each task is listed in the page's tables, twice under code 1.1.
 */
async function twoPlans(t: Test) {
  const clock = testClock('2026-03-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { commission, assignees } = await seedPlan(app);
  const older = await createPlan(app, commission.id, { title: OLD, periodStart: '2025-01-01', periodEnd: '2026-12-31' });
  const newer = await createPlan(app, commission.id, { title: NEW, periodStart: '2026-01-01', periodEnd: '2027-12-31' });
  const same = { code: '1.1', title: 'Assembly of tractors in Kostanay', dueDate: '2026-10-01', assignees };
  await createTask(app, { planId: older.id, ...same });
  await createTask(app, { planId: newer.id, ...same });
  const atRisk = await createTask(app, { planId: newer.id, code: '1.2', title: 'Service centre in Karaganda', dueDate: '2027-06-30', assignees });
  await createTask(app, { planId: newer.id, code: '1.3', title: 'Combine harvester plant', dueDate: '2026-11-20', assignees });
  await approvePlan(app, older.id);
  await approvePlan(app, newer.id);
  await transition(app, atRisk.id, 'in_progress');
  clock.set('2026-07-02T09:00:00.000Z');
  const res = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${atRisk.id}/reports`,
    payload: { organizationId: assignees[0]!.organizationId, period: '2026-Q2', percentComplete: 10, confidence: 'red', narrative: 'Stalled.' },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  clock.set('2026-11-01T09:00:00.000Z');
  return { app, commission, older, newer };
}

/** The text of each row of the page's table in section `id`, tags dropped. */
function rows(html: string, id: string): string[] {
  const section = new RegExp(`<section id="${id}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
  const table = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)?.[1] ?? '';
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    m[1]!.replace(/<br>/g, ' | ').replace(/<[^>]+>/g, ' ').replace(/&ndash;|–/g, '–').replace(/\s+/g, ' ').trim(),
  );
}

t.test("a commission's page names the plan of each task it lists, where plans share a code", async (t) => {
  const { app, commission } = await twoPlans(t);
  const html = (await app.inject({ url: `/v1/reports/progress?commissionId=${commission.id}&format=html` })).body;
  const overdue = rows(html, 'behind');
  t.equal(overdue.filter((r) => r.startsWith('1.1 ')).length, 2, 'the measure is overdue in both plans');
  t.ok(overdue.some((r) => r.startsWith('1.1 ') && r.includes(OLD)), `one row says ${OLD}`);
  t.ok(overdue.some((r) => r.startsWith('1.1 ') && r.includes(NEW)), `the other says ${NEW}`);
  const missing = rows(html, 'missing-reports');
  t.equal(missing.length, 8, 'both ministries lack Q3 on four tasks');
  t.equal(missing.filter((r) => r.includes(OLD)).length, 2, `${OLD}: 1.1 by both ministries`);
  t.equal(missing.filter((r) => r.includes(NEW)).length, 6, `${NEW}: 1.1, 1.2 and 1.3 by both`);
  // Due soon and at risk: the tables after the overdue one in the same section.
  const section = /<section id="behind"[\s\S]*?<\/section>/.exec(html)![0];
  const tables = [...section.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].map((m) => m[1]!);
  t.equal(tables.length, 3, 'overdue, due soon, at risk');
  t.match(tables[1]!, /Combine harvester plant[\s\S]*Roadmap 2026–2027/, 'due soon: 1.3 with its plan');
  t.match(tables[2]!, /Service centre in Karaganda[\s\S]*Roadmap 2026–2027/, 'at risk: 1.2 with its plan');
});

t.test("one plan's page says no plan beside each task: its title heads the page", async (t) => {
  const { app, newer } = await twoPlans(t);
  const html = (await app.inject({ url: `/v1/reports/progress?planId=${newer.id}&format=html` })).body;
  const body = /<main>([\s\S]*)<\/main>/.exec(html)![1]!;
  t.notMatch(body.replace(/<section id="indicators"[\s\S]*?<\/section>/, ''), NEW, 'the tables do not repeat it');
});

t.test("a commission's workbook names the plan of each missing report, as its Overdue sheet names each task's", async (t) => {
  const { app, commission } = await twoPlans(t);
  const report = json<ProgressReport>(await app.inject({ url: `/v1/reports/progress?commissionId=${commission.id}` }));
  const res = await app.inject({ url: `/v1/reports/progress?commissionId=${commission.id}&format=xlsx` });
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('Missing reports')!;
  t.equal(sheet.getRow(1).getCell(7).value, 'Plan');
  const planOf = new Map(report.tasks.map((x) => [x.taskId, report.scope.plans.find((p) => p.id === x.planId)!.title]));
  const listed = report.missingReports.map((_, i) => [sheet.getRow(2 + i).getCell(1).value, sheet.getRow(2 + i).getCell(7).value]);
  t.strictSame(
    listed,
    report.missingReports.map((m) => [m.code, planOf.get(m.taskId)]),
  );
  t.strictSame(
    listed.filter(([code]) => code === '1.1').map(([, plan]) => plan),
    [OLD, OLD, NEW, NEW],
    'the two 1.1s apart',
  );
});
