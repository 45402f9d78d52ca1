// Missing progress reports once the plan period is over.
import t from 'tap';
import { build, json, testClock } from '../helper.js';
import { approvePlan, createPlan, createTask, seedPlan } from '../factories.js';

const NOW = '2026-11-28T09:00:00.000Z';

t.test('after the plan period ends, the progress report asks for no reports of periods outside the plan', async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const seed = await seedPlan(app);
  const plan = await createPlan(app, seed.commission.id, { periodStart: '2026-01-01', periodEnd: '2026-12-31' });
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees: seed.assignees });
  await approvePlan(app, plan.id);
  // 1 May 2027 in Minsk: the plan ran through 2026 and its task is still open (and overdue).
  clock.set('2027-05-01T09:00:00.000Z');
  const post = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task.id}/reports`,
    payload: { period: '2027-Q1', organizationId: seed.by.id, percentComplete: 90, confidence: 'amber', narrative: 'Nearly done.' },
  });
  t.equal(post.statusCode, 422, 'a report for 2027-Q1 is refused: outside the plan period');
  const report = json(await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}` }));
  t.equal(report.reportingPeriod.lastDue, '2026-Q4', "the last period due is the plan's last one");
  t.equal(report.reportingPeriod.lastDueDeadline, '2027-01-10');
  t.strictSame(
    [...new Set(report.missingReports.map((m: { period: string }) => m.period))],
    ['2026-Q4'],
    'missing reports name only a period that can still be reported on',
  );
  // Once reported for 2026-Q4, nothing is missing.
  for (const org of [seed.by, seed.kz]) {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/tasks/${task.id}/reports`,
      payload: { period: '2026-Q4', organizationId: org.id, percentComplete: 90, confidence: 'amber', narrative: 'Nearly done.' },
    });
    t.equal(res.statusCode, 201);
  }
  const after = json(await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}` }));
  t.equal(after.totals.missingReports, 0, 'every report the executors can give was given');
});

t.test('a task postponed past the plan end is reported on up to its due date, and owes those reports', async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const seed = await seedPlan(app);
  const plan = await createPlan(app, seed.commission.id, { periodStart: '2026-01-01', periodEnd: '2026-12-31' });
  const moved = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees: seed.assignees });
  const kept = await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2026-12-31', assignees: seed.assignees });
  await approvePlan(app, plan.id);
  const change = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${moved.id}/deadline-changes`,
    payload: { kind: 'direct', newDueDate: '2027-06-30', reason: 'Certification takes longer.', basis: 'Protocol No. 20, item 3' },
  });
  t.equal(change.statusCode, 201, 'the secretariat moves 1.1 past the plan end');
  clock.set('2027-05-01T09:00:00.000Z');
  const report = (taskId: string, period: string, org = seed.by.id) =>
    app.inject({
      method: 'POST',
      url: `/v1/tasks/${taskId}/reports`,
      payload: { period, organizationId: org, percentComplete: 90, confidence: 'amber', narrative: 'Nearly done.' },
    });
  t.equal((await report(moved.id, '2027-Q1')).statusCode, 201, 'the postponed task is reported on for 2027-Q1');
  const kept2027 = await report(kept.id, '2027-Q1');
  t.equal(kept2027.statusCode, 422, 'a task due within the plan is not');
  t.match(json(kept2027).detail, "outside the plan's period (2026-01-01 – 2026-12-31)");
  clock.set('2027-08-01T09:00:00.000Z');
  const late = await report(moved.id, '2027-Q3');
  t.equal(late.statusCode, 422, 'nor past its due date');
  t.match(json(late).detail, 'and the task is due on 2027-06-30');

  clock.set('2027-05-01T09:00:00.000Z');
  const progress = json(await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}` }));
  t.equal(progress.reportingPeriod.lastDue, '2026-Q4', "the plan's own last period stays its last one");
  const missing = progress.missingReports.map((m: { code: string; period: string; organizationId: string }) => [m.code, m.period, m.organizationId === seed.by.id ? 'BY' : 'KZ']);
  t.strictSame(
    missing,
    [
      ['1.1', '2027-Q1', 'KZ'],
      ['1.2', '2026-Q4', 'BY'],
      ['1.2', '2026-Q4', 'KZ'],
    ],
    "the postponed task owes 2027-Q1 (the Belarusian side gave it), the other the plan's last period",
  );
  const missing1 = progress.missingReports.find((m: { code: string }) => m.code === '1.1');
  t.equal(missing1.deadline, '2027-04-10', "with that period's deadline");
});
