// A task due on the report's date is not overdue yet (it is overdue from the next day), so it is due soon: the most
// urgent task the co-chairs can still act on belongs in the due-soon list and count, not in no list at all.
import t from 'tap';
import type { ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { build, json, testClock } from '../helper.js';
import { approvePlan, createPlan, createTask, seedPlan } from '../factories.js';

t.test('a task due on the date is counted and listed as due soon, one due the day before as overdue', async (t) => {
  const app = await build(t, testClock('2026-06-15T09:00:00.000Z')); // 12:00 in Minsk, the commission's zone
  const { commission, assignees } = await seedPlan(app);
  const plan = await createPlan(app, commission.id, { title: 'Plan of 2026', periodStart: '2026-01-01', periodEnd: '2026-12-31' });
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-06-14', assignees });
  const today = await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2026-06-15', assignees });
  await createTask(app, { planId: plan.id, code: '1.3', dueDate: '2026-07-15', assignees });
  await createTask(app, { planId: plan.id, code: '1.4', dueDate: '2026-07-16', assignees });
  await approvePlan(app, plan.id);

  const res = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` });
  t.equal(res.statusCode, 200);
  const r: ProgressReport = json(res);
  t.equal(r.asOf, '2026-06-15');
  t.strictSame(r.overdue.map((x) => x.code), ['1.1'], 'due yesterday: overdue');
  t.strictSame(r.dueSoon.map((x) => x.code), ['1.2', '1.3'], 'due today and on the 30th day after: due soon; the 31st: neither');
  t.equal(r.totals.dueNext30Days, 2);
  t.strictSame(r.byOrganization.map((o) => o.dueNext30Days), [2, 2], 'each executor of both tasks counts them');

  const task = json<{ overdue: boolean }>(await app.inject({ url: `/v1/tasks/${today.id}` }));
  t.equal(task.overdue, false, 'the task itself agrees: not overdue on its due date');
  const html = (await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=html` })).body;
  t.match(html, /Open tasks due today or in the next 30 days, soonest first/);
});
