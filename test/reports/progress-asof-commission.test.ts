// A past day's report names the commission, and cuts the day, as the commission stood then: renamed or moved
// to another zone since, it reads as it was read live that day.
import t from 'tap';
import type { App } from '../../src/app.js';
import { build, json, testClock } from '../helper.js';
import { approvePlan, createTask, seedPlan, transition } from '../factories.js';

async function ok(app: App, method: 'POST' | 'PUT' | 'PATCH', url: string, payload?: Record<string, unknown>) {
  const res = await app.inject({ method, url, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

const strip = (x: any) => ({ ...x, generatedAt: null });

t.test('a commission renamed since: the past report names it as it was', async (t) => {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan, commission, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-01', assignees });
  await approvePlan(app, plan.id);
  await transition(app, task.id, 'in_progress');
  const then = json(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` }));
  clock.set('2026-09-10T09:00:00.000Z');
  await ok(app, 'PATCH', `/v1/commissions/${commission.id}`, { name: 'Renamed commission' });
  const past = json(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-09-01` }));
  t.strictSame(strip(past), strip(then));
});

t.test('a commission moved to another zone since: the past day ends where it ended then', async (t) => {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan, commission, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-01', assignees });
  await approvePlan(app, plan.id);
  clock.set('2026-09-01T20:30:00.000Z'); // 23:30 in Minsk
  await transition(app, task.id, 'in_progress');
  const then = json(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` }));
  clock.set('2026-09-10T09:00:00.000Z');
  await ok(app, 'PATCH', `/v1/commissions/${commission.id}`, { timeZone: 'Asia/Almaty' });
  const past = json(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-09-01` }));
  t.strictSame(strip(past), strip(then));
});

t.test('one plan asked for a day before it was approved: 422 naming the day, as a draft plan is refused today', async (t) => {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-01', assignees });
  clock.set('2026-09-03T20:30:00.000Z'); // 23:30 in Minsk: approved on 3 September there, the 3rd in UTC too
  await approvePlan(app, plan.id);
  clock.set('2026-09-10T09:00:00.000Z');
  for (const asOf of ['2026-08-15', '2026-09-01', '2026-09-02']) {
    const res = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=${asOf}` });
    t.equal(res.statusCode, 422, asOf);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    const problem = json(res);
    t.equal(problem.type.endsWith('/invalid-value'), true);
    t.equal(problem.detail, `the plan was approved on 2026-09-03: it has no progress to report on ${asOf}`);
    t.strictSame(problem.errors.map((e: any) => e.path), ['querystring.asOf']);
    for (const format of ['csv', 'xlsx', 'html']) {
      t.equal((await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=${asOf}&format=${format}` })).statusCode, 422, `${asOf} ${format}`);
    }
  }
  const day = json(await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-09-03` }));
  t.equal(day.asOf, '2026-09-03', 'the day of the approval has its report');
  t.equal(day.totals.taskCount, 1, 'with its task');
});

t.test("a commission's report of a day before its plan was approved leaves the plan out rather than refusing", async (t) => {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan, commission, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-01', assignees });
  clock.set('2026-09-05T09:00:00.000Z');
  await approvePlan(app, plan.id);
  clock.set('2026-09-10T09:00:00.000Z');
  const before = json(await app.inject({ url: `/v1/reports/progress?commissionId=${commission.id}&asOf=2026-09-02` }));
  t.strictSame(before.scope.plans, []);
  t.equal(before.totals.taskCount, 0);
  const after = json(await app.inject({ url: `/v1/reports/progress?commissionId=${commission.id}&asOf=2026-09-06` }));
  t.strictSame(after.scope.plans.map((p: any) => p.id), [plan.id]);
});
