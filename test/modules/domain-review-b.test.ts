// Review of progress reports, indicators, the calendar and the history against the brief: each test names a
// behaviour a user would have found wrong, and fails without its fix.
import t from 'tap';
import type { App } from '../../src/app.js';
import { build, json, testClock } from '../helper.js';
import { approvePlan, createMeeting, createOrganization, createTask, seedPlan } from '../factories.js';

async function ok(app: App, method: 'POST' | 'PUT' | 'PATCH', url: string, payload: Record<string, unknown>) {
  const res = await app.inject({ method, url, payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

t.test("a past day's report shows the plan as it stood then, not as it was edited since", async (t) => {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan, by, kz, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', title: 'Tractor assembly', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  const indicator = await ok(app, 'POST', '/v1/indicators', { planId: plan.id, name: 'Trade turnover', unit: 'USD million', baseline: 100, target: 200 });

  clock.set('2026-10-05T09:00:00.000Z');
  const byReport = await ok(app, 'POST', `/v1/tasks/${task.id}/reports`, { organizationId: by.id, period: '2026-Q3', percentComplete: 40, confidence: 'red', narrative: 'Line installed.' });
  await ok(app, 'POST', `/v1/tasks/${task.id}/reports`, { organizationId: kz.id, period: '2026-Q3', percentComplete: 50, confidence: 'amber', narrative: 'Site ready.' });
  await ok(app, 'PUT', `/v1/indicators/${indicator.id}/values/2026-Q3`, { value: 150 });

  // After the day of the report: the BY report is returned and revised, the Q3 value corrected, the ministry
  // renamed, the task retitled, its target raised, and a new co-executor added.
  clock.set('2026-10-20T09:00:00.000Z');
  await ok(app, 'POST', `/v1/tasks/${task.id}/reports/${byReport.id}/review`, { decision: 'returned', comment: 'Too gloomy?' });
  await ok(app, 'PATCH', `/v1/tasks/${task.id}/reports/${byReport.id}`, { percentComplete: 70, confidence: 'green' });
  await ok(app, 'PUT', `/v1/indicators/${indicator.id}/values/2026-Q3`, { value: 160, note: 'Corrected per customs' });
  await ok(app, 'PATCH', `/v1/indicators/${indicator.id}`, { target: 300 });
  await ok(app, 'PATCH', `/v1/organizations/${by.id}`, { name: 'Ministry of Industry (renamed)', shortName: 'MinInd' });
  const mtz = await createOrganization(app, { name: 'MTZ', kind: 'enterprise', country: 'BY' });
  await ok(app, 'PATCH', `/v1/tasks/${task.id}`, { title: 'Tractor and combine assembly', assignees: [...assignees, { organizationId: mtz.id, role: 'co_executor' }] });

  clock.set('2026-11-28T09:00:00.000Z');
  const then = json(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-10-15` }));
  const [row] = then.tasks;
  t.equal(row.title, 'Tractor assembly', 'the title it had then');
  t.strictSame(
    row.executors.map((e: { organizationId: string; name: string; shortName: string | null }) => [e.organizationId, e.name, e.shortName]),
    [
      [by.id, 'Ministry of Industry of Belarus', 'Minprom'],
      [kz.id, 'Ministry of Industry and Construction of Kazakhstan', 'MIC'],
    ],
    'the executors it had then, under the names they had then',
  );
  t.strictSame(then.missingReports, [], 'a co-executor added later owed no report then');
  t.strictSame(
    then.byOrganization.map((o: { label: string }) => o.label),
    ['Ministry of Industry of Belarus', 'Ministry of Industry and Construction of Kazakhstan'],
  );
  t.match(row, { percentComplete: 40, confidence: 'red' }, 'the BY report as submitted, before its revision');
  t.match(then.indicators[0], { target: 200, actual: 150, actualPeriod: '2026-Q3', progressPercent: 50 }, 'the value and target then');

  const now = json(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` }));
  t.equal(now.tasks[0].title, 'Tractor and combine assembly');
  t.equal(now.tasks[0].executors.length, 3);
  t.match(now.tasks[0], { percentComplete: 50, confidence: 'amber' }, 'today: the revised BY report is 70 green, KZ 50 amber');
  t.match(now.indicators[0], { target: 300, actual: 160, progressPercent: 30 });
});

t.test("a commission's report of a past day names its plans as they were then, and leaves out plans approved since", async (t) => {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { commission, plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  const later = json(await app.inject({ method: 'POST', url: '/v1/plans', payload: { commissionId: commission.id, title: 'Roadmap on digitalization', periodStart: '2026-01-01', periodEnd: '2027-12-31' } }));
  await createTask(app, { planId: later.id, code: '1.1', dueDate: '2026-12-31', assignees });

  clock.set('2026-10-20T09:00:00.000Z');
  await approvePlan(app, later.id);
  await ok(app, 'PATCH', `/v1/plans/${plan.id}`, { title: 'Plan of measures 2026–2027 (amended)' });
  await ok(app, 'POST', `/v1/plans/${plan.id}/close`, {});

  clock.set('2026-11-28T09:00:00.000Z');
  const then = json(await app.inject({ url: `/v1/reports/progress?commissionId=${commission.id}&asOf=2026-10-15` }));
  t.strictSame(then.scope.plans, [{ id: plan.id, title: 'Plan of measures 2026–2027', status: 'approved', reportingPeriod: { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' } }], 'in force then, under its title then');
  t.equal(then.totals.taskCount, 1, "the draft's task is not counted");
  const single = json(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-10-15` }));
  t.strictSame(single.scope.plans, [{ id: plan.id, title: 'Plan of measures 2026–2027', status: 'approved', reportingPeriod: { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' } }]);

  const now = json(await app.inject({ url: `/v1/reports/progress?commissionId=${commission.id}` }));
  t.strictSame(now.scope.plans.map((p: { status: string }) => p.status), ['closed', 'approved']);
  t.equal(now.totals.taskCount, 2);
});

t.test("a past day's reporting period and missing reports follow the plan's settings of that day", async (t) => {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  clock.set('2026-10-15T09:00:00.000Z');
  const url = `/v1/reports/progress?planId=${plan.id}&asOf=2026-10-15`;
  const before = json(await app.inject({ url }));
  t.match(before.reportingPeriod, { lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' }, 'Q3 reports were due on 10 October');
  t.equal(before.missingReports.length, 2, 'and both assignees had missed it');

  clock.set('2026-10-20T09:00:00.000Z');
  await ok(app, 'PATCH', `/v1/plans/${plan.id}`, { reportDueDays: 30 });
  clock.set('2026-11-28T09:00:00.000Z');
  const after = json(await app.inject({ url }));
  t.strictSame(after.reportingPeriod, before.reportingPeriod, 'the settings changed later do not move that day');
  t.strictSame(after.missingReports, before.missingReports);
});

t.test("a past day's report with more reports revised since than SQLite takes variables is computed", async (t) => {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  // 33,000 revisions recorded after the day (of reports the test does not create: only their number matters).
  const insert = app.sqlite.prepare(
    "INSERT INTO change_history (id, at, actor_role, operation, entity_type, entity_id, plan_id, changes) VALUES (?, '2026-10-20T09:00:00.000Z', 'secretariat', 'reviseTaskReport', 'progress_report', ?, ?, ?)",
  );
  app.sqlite.transaction(() => {
    for (let i = 0; i < 33_000; i++) {
      const id = `01a2c000-0000-7000-8000-${String(i).padStart(12, '0')}`;
      insert.run(id, id, plan.id, JSON.stringify([{ field: 'percentComplete', before: 10, after: 20 }]));
    }
  })();
  clock.set('2026-11-28T09:00:00.000Z');
  const res = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-10-15` });
  t.equal(res.statusCode, 200, res.statusCode === 200 ? 'computed' : res.body.slice(0, 300));
});

t.test("a past day's report shows each task's basis as it stood: the meeting and item cited then, under the meeting's title then", async (t) => {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { commission, plan, assignees } = await seedPlan(app);
  const visit = await createMeeting(app, commission.id, { title: 'Official visit to Astana', date: '2026-06-04', protocolNumber: '18' });
  const session = await createMeeting(app, commission.id, { kind: 'commission_session', title: 'Commission session', date: '2026-08-20', protocolNumber: '19' });
  const cited = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees, basis: { meetingId: visit.id, protocolItem: '2.1' } });
  await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2026-12-31', assignees, basis: { meetingId: visit.id, protocolItem: '2.2' } });
  await approvePlan(app, plan.id);

  clock.set('2026-10-20T09:00:00.000Z');
  await ok(app, 'PATCH', `/v1/meetings/${visit.id}`, { title: 'Official visit of the Prime Minister to Astana', protocolNumber: '18/1' });
  await ok(app, 'PATCH', `/v1/tasks/${cited.id}`, { basis: { meetingId: session.id, protocolItem: '3.4' } });

  clock.set('2026-11-28T09:00:00.000Z');
  const then = json(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-10-15` }));
  t.strictSame(
    then.tasks.map((task: { basis: { text: string } | null }) => task.basis?.text),
    ['Protocol No. 18 of 2026-06-04 (Official visit to Astana), item 2.1', 'Protocol No. 18 of 2026-06-04 (Official visit to Astana), item 2.2'],
    'the basis cited then, under the title and number the meeting had then',
  );
  const now = json(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` }));
  t.strictSame(
    now.tasks.map((task: { basis: { text: string } | null }) => task.basis?.text),
    ['Protocol No. 19 of 2026-08-20 (Commission session), item 3.4', 'Protocol No. 18/1 of 2026-06-04 (Official visit of the Prime Minister to Astana), item 2.2'],
  );
});
