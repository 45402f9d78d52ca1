// A closed plan is read-only: its open tasks can never change again, so every derived view judges them as of the
// plan's closing day (in the commission's time zone), not today: the task, the overdue filter, the co-chairs' report.
import t, { type Test } from 'tap';
import type { App } from '../../src/app.js';
import type { ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import type { Task } from '../../src/modules/tasks/tasks.schemas.js';
import { build, json, testClock } from '../helper.js';
import { approvePlan, createPlan, createTask, getTask, seedPlan } from '../factories.js';

async function ok<T = any>(app: App, url: string): Promise<T> {
  const res = await app.inject({ url });
  if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

/**
 * A plan approved on 28 November 2026 (Minsk, UTC+3) with an open task due 10 December, one due 19 December, one due
 * 15 January 2027, closed at 22:30 UTC on 19 December, which is 01:30 on 20 December in Minsk: its closing day is 20
 * December. Today is 1 March 2027.
 */
async function world(t: Test) {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const seed = await seedPlan(app);
  const task = (code: string, dueDate: string) => createTask(app, { planId: seed.plan.id, code, dueDate, assignees: seed.assignees }) as Promise<Task>;
  const early = await task('1.1', '2026-12-10');
  const eve = await task('1.2', '2026-12-19');
  const later = await task('1.3', '2027-01-15');
  await approvePlan(app, seed.plan.id);
  clock.set('2026-12-19T22:30:00.000Z');
  const closed = await app.inject({ method: 'POST', url: `/v1/plans/${seed.plan.id}/close` });
  if (closed.statusCode !== 200) throw new Error(`closing answered ${closed.statusCode}: ${closed.body}`);
  clock.set('2027-03-01T09:00:00.000Z');
  return { app, clock, seed, early, eve, later };
}

t.test("a closed plan's open task is judged as of the plan's closing day, not today", async (t) => {
  const w = await world(t);
  const early = await getTask(w.app, w.early.id);
  t.match(early, { status: 'not_started', overdue: true, daysOverdue: 10 }, 'due 10 December: 10 days late on 20 December, not 81');
  t.match(await getTask(w.app, w.eve.id), { overdue: true, daysOverdue: 1 }, "due the day before the closing day in Minsk (the UTC date was still the 19th)");
  t.match(await getTask(w.app, w.later.id), { overdue: false, daysOverdue: 0 }, 'due after the closing: never overdue, the plan ended first');
  w.clock.set('2028-03-01T09:00:00.000Z');
  t.match(await getTask(w.app, w.early.id), { overdue: true, daysOverdue: 10 }, 'a year on: still 10 days, not growing');
});

t.test('the overdue filter agrees with the tasks: a task due after its plan closed is not overdue', async (t) => {
  const w = await world(t);
  const codes = async (query: string) => (await ok<{ items: Task[] }>(w.app, `/v1/tasks?planId=${w.seed.plan.id}&${query}`)).items.map((x) => x.code);
  t.strictSame(await codes('overdue=true'), ['1.1', '1.2']);
  t.strictSame(await codes('overdue=false'), ['1.3']);
});

t.test("the co-chairs' report counts a closed plan's late tasks to its closing day; a past day before it as before", async (t) => {
  const w = await world(t);
  const report = (query = '') => ok<ProgressReport>(w.app, `/v1/reports/progress?planId=${w.seed.plan.id}${query}`);
  const now = await report();
  t.strictSame(
    now.overdue.map((x) => [x.code, x.daysOverdue]),
    [
      ['1.1', 10],
      ['1.2', 1],
    ],
    'the overdue list: the days late as of 20 December',
  );
  t.match(now.totals, { overdue: 2, overdueDays: 11 });
  t.strictSame(now.byOrganization.map((o) => [o.overdue, o.overdueDays]), [[2, 11], [2, 11]], "the organizations' overdue chart");
  t.match(now.tasks.find((x) => x.code === '1.3'), { overdue: false, daysOverdue: 0 });

  const afterClosing = await report('&asOf=2027-01-20');
  t.strictSame(afterClosing.overdue.map((x) => [x.code, x.daysOverdue]), [['1.1', 10], ['1.2', 1]], 'a past day after the closing: the same');

  const beforeClosing = await report('&asOf=2026-12-15');
  t.strictSame(beforeClosing.overdue.map((x) => [x.code, x.daysOverdue]), [['1.1', 5]], 'a past day before the closing: judged on that day');
  t.match(beforeClosing.totals, { overdue: 1, overdueDays: 5 });
});

t.test('a webhook event shows a closed plan\'s task as GET /v1/tasks/{id} does', async (t) => {
  const { webhookTask } = await import('../../src/modules/webhooks/webhooks.events.js');
  const { findTaskRecord } = await import('../../src/modules/tasks/tasks.repository.js');
  const w = await world(t);
  const record = findTaskRecord(w.app.db, w.early.id)!;
  t.match(webhookTask(record, w.clock()), { overdue: true, daysOverdue: 10 }, "an event's task is judged as GET /v1/tasks/{id} judges it");
});

t.test("a closed plan's open tasks are not due soon: no one will act on them; on a day before the closing they were", async (t) => {
  const w = await world(t);
  // 1 January 2027, after the closing: 1.3, due 15 January, is open and within 30 days, but its plan has ended.
  const after = await ok<ProgressReport>(w.app, `/v1/reports/progress?planId=${w.seed.plan.id}&asOf=2027-01-01`);
  t.strictSame(after.dueSoon, [], 'not listed');
  t.equal(after.totals.dueNext30Days, 0, 'not counted');
  t.strictSame(after.byOrganization.map((o) => o.dueNext30Days), [0, 0], "nor by its executors");
  // 18 December, the day before the closing: 1.2 (the 19th) and 1.3 (15 January) were due soon then.
  const before = await ok<ProgressReport>(w.app, `/v1/reports/progress?planId=${w.seed.plan.id}&asOf=2026-12-18`);
  t.strictSame(before.dueSoon.map((x) => x.code), ['1.2', '1.3']);
  t.equal(before.totals.dueNext30Days, 2);
});

t.test("the printable report's at-risk list leaves out a closed plan's open tasks, as the due-soon list does", async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const seed = await seedPlan(app);
  const other = await createPlan(app, seed.commission.id, { title: 'Plan still in force' });
  const closing = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2027-06-30', title: 'Assembly of combines', assignees: seed.assignees });
  const running = await createTask(app, { planId: other.id, code: '1.1', dueDate: '2027-06-30', title: 'Assembly of tractors', assignees: seed.assignees });
  await approvePlan(app, seed.plan.id);
  await approvePlan(app, other.id);
  for (const task of [closing, running]) {
    const url = `/v1/tasks/${task.id}/reports`;
    const res = await app.inject({ method: 'POST', url, payload: { organizationId: seed.by.id, period: '2026-Q4', percentComplete: 10, confidence: 'red', narrative: 'The line is not delivered' } });
    t.equal(res.statusCode, 201, res.body);
    const review = await app.inject({ method: 'POST', url: `${url}/${json(res).id}/review`, payload: { decision: 'accepted' } });
    t.equal(review.statusCode, 200, review.body);
  }
  clock.set('2026-12-01T09:00:00.000Z');
  t.equal((await app.inject({ method: 'POST', url: `/v1/plans/${seed.plan.id}/close` })).statusCode, 200);
  clock.set('2027-02-01T09:00:00.000Z');

  const atRisk = async (query: string) => {
    const html = (await app.inject({ url: `/v1/reports/progress?${query}&format=html` })).body;
    const section = /<caption>Open tasks not yet overdue[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    return ['Assembly of combines', 'Assembly of tractors'].filter((title) => section.includes(title));
  };
  // Due after the closing, the closed plan's task is never overdue: it would stay "at risk" for good, on a plan no one acts on.
  t.strictSame(await atRisk(`commissionId=${seed.commission.id}`), ['Assembly of tractors'], "a commission's report: the plan in force only");
  t.strictSame(await atRisk(`planId=${seed.plan.id}`), [], 'the closed plan alone: none');
  t.strictSame(await atRisk(`planId=${seed.plan.id}&asOf=2026-11-30`), ['Assembly of combines'], 'a day before the closing: it was at risk then');
});
