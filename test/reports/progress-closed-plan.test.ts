// A closed plan is read-only: it takes no progress report. The co-chairs' report counts a report missing only where
// it could still be submitted at the end of its deadline day, so a plan closed before that deadline owes none.
import t, { type Test } from 'tap';
import type { App } from '../../src/app.js';
import type { ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { build, json, testClock } from '../helper.js';
import { approvePlan, createPlan, createTask, seedPlan, transition } from '../factories.js';

async function report(app: App, query: string): Promise<ProgressReport> {
  const res = await app.inject({ url: `/v1/reports/progress?${query}` });
  if (res.statusCode !== 200) throw new Error(`the report answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

/**
 * A plan of 2026 (Minsk), quarterly, reports due 10 days after a quarter: the 2026-Q4 reports are due on 10 January
 * 2027. Its one task is in progress, and no executor has reported on 2026-Q4.
 */
async function world(t: Test) {
  const clock = testClock('2026-03-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { commission, assignees } = await seedPlan(app);
  const plan = await createPlan(app, commission.id, { title: 'Plan of 2026', periodStart: '2026-01-01', periodEnd: '2026-12-31' });
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-01', assignees });
  await approvePlan(app, plan.id);
  await transition(app, task.id, 'in_progress');
  const close = async (at: string) => {
    clock.set(at);
    const res = await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/close` });
    if (res.statusCode !== 200) throw new Error(`closing answered ${res.statusCode}: ${res.body}`);
  };
  return { app, clock, commission, plan, task, assignees, close };
}

t.test('a plan closed before the last deadline owes no report for it: its executors could not have submitted one', async (t) => {
  const w = await world(t);
  await w.close('2027-01-05T09:00:00.000Z');
  w.clock.set('2027-02-01T09:00:00.000Z');
  // What the executors were told when they tried: the plan takes no reports.
  const refused = await w.app.inject({
    method: 'POST',
    url: `/v1/tasks/${w.task.id}/reports`,
    payload: { organizationId: w.assignees[0]!.organizationId, period: '2026-Q4', percentComplete: 80, confidence: 'green', narrative: 'Done mostly.' },
  });
  t.equal(refused.statusCode, 409, 'a closed plan takes no report');
  const r = await report(w.app, `planId=${w.plan.id}`);
  t.strictSame(r.reportingPeriod, { current: '2027-Q1', lastDue: '2026-Q4', lastDueDeadline: '2027-01-10' });
  t.equal(r.totals.missingReports, 0);
  t.strictSame(r.missingReports, []);
  t.strictSame(r.byParty.map((p) => p.missingReports), [0, 0]);
  t.strictSame(r.byOrganization.map((o) => o.missingReports), [0, 0]);
  const commission = await report(w.app, `commissionId=${w.commission.id}`);
  t.equal(commission.totals.missingReports, 0, "in the commission's report too");
  const html = (await w.app.inject({ url: `/v1/reports/progress?planId=${w.plan.id}&format=html` })).body;
  t.match(html, /Every assignment has reported for the last period due\./, 'the page lists no missing report');
});

t.test('closed on the deadline day, before its end: the executors lost the rest of that day, and owe nothing', async (t) => {
  const w = await world(t);
  await w.close('2027-01-10T12:00:00.000Z'); // 15:00 in Minsk
  w.clock.set('2027-01-11T09:00:00.000Z');
  t.equal((await report(w.app, `planId=${w.plan.id}`)).totals.missingReports, 0);
});

t.test('a plan closed after the deadline keeps the reports missing then: they were owed while it took reports', async (t) => {
  const w = await world(t);
  await w.close('2027-01-15T09:00:00.000Z');
  w.clock.set('2027-02-01T09:00:00.000Z');
  const r = await report(w.app, `planId=${w.plan.id}`);
  t.equal(r.totals.missingReports, 2);
  t.strictSame(
    r.missingReports.map((m) => [m.code, m.period, m.deadline]),
    [
      ['1.1', '2026-Q4', '2027-01-10'],
      ['1.1', '2026-Q4', '2027-01-10'],
    ],
  );
  // A past day between the deadline and the closing reads as it did live that day.
  const past = await report(w.app, `planId=${w.plan.id}&asOf=2027-01-12`);
  t.equal(past.totals.missingReports, 2);
});

t.test("a past day before a plan's early closing owed the reports due by then, as the live report said", async (t) => {
  const w = await world(t);
  // Q3 reports were due on 10 October 2026, while the plan took reports; none was submitted.
  w.clock.set('2026-10-20T09:00:00.000Z');
  const live = await report(w.app, `planId=${w.plan.id}`);
  t.equal(live.totals.missingReports, 2);
  await w.close('2027-01-05T09:00:00.000Z');
  w.clock.set('2027-02-01T09:00:00.000Z');
  const past = await report(w.app, `planId=${w.plan.id}&asOf=2026-10-20`);
  t.strictSame({ ...past, generatedAt: null, scope: null }, { ...live, generatedAt: null, scope: null });
});
