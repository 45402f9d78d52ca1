// Tests of one quarter-end cycle: what a ministry key may still do around a period's end, and whether the co-chairs'
// report agrees with the task, deadline-change and progress-report resources it is made of.
import t from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import type { ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { build, json, keyFor, refused, testClock } from '../helper.js';
import { approvedTask, approvePlan, createTask, getTask, seedPlan } from '../factories.js';
import { world } from '../webhooks/receiver.js';

/** 12:00 in Minsk on 5 October 2026: 2026-Q3 is over, its reports are due by 10 October. */
const NOW = '2026-10-05T09:00:00.000Z';

const post = (url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}): InjectOptions => ({ method: 'POST', url, payload, headers });

async function ok(app: App, request: InjectOptions) {
  const res = await app.inject(request);
  if (res.statusCode >= 300) throw new Error(`${request.method} ${request.url} answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

async function report(app: App, planId: string): Promise<ProgressReport> {
  return json(await app.inject({ url: `/v1/reports/progress?planId=${planId}` }));
}

t.test('a ministry cannot ask to move the deadline of a task it has reported done', async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const { task, plan, by } = await approvedTask(app, { dueDate: '2026-09-30' });
  const byKey = await keyFor(app, 'ministry', by.id);
  await ok(app, post(`/v1/tasks/${task.id}/transitions`, { to: 'in_progress' }, byKey.headers));
  await ok(app, post(`/v1/tasks/${task.id}/transitions`, { to: 'done' }, byKey.headers));
  // Reported done five days after its deadline: late, whatever is asked afterwards.
  const body = await refused(
    t,
    app,
    post(`/v1/tasks/${task.id}/deadline-changes`, { kind: 'request', newDueDate: '2026-10-31', reason: 'More time' }, byKey.headers),
    409,
    'task-state-conflict',
  );
  t.match(body.detail, /reported done/);
  await ok(app, post(`/v1/tasks/${task.id}/transitions`, { to: 'closed' }));
  const closed = (await report(app, plan.id)).tasks[0];
  t.equal(closed?.completion, 'late', 'the co-chairs see it closed late');
  t.equal((await getTask(app, task.id)).completion?.againstDueDate, 'late');
});

t.test('a deadline request asked in time and still pending when the task is reported done may be approved, or rejected', async (t) => {
  const clock = testClock('2026-09-25T09:00:00.000Z');
  const app = await build(t, clock);
  const judged = async (decision: 'approve' | 'reject') => {
    const { task, plan, by } = await approvedTask(app, { dueDate: '2026-09-30' });
    const byKey = await keyFor(app, 'ministry', by.id);
    clock.set('2026-09-25T09:00:00.000Z');
    await ok(app, post(`/v1/tasks/${task.id}/transitions`, { to: 'in_progress' }, byKey.headers));
    const change = await ok(app, post(`/v1/tasks/${task.id}/deadline-changes`, { kind: 'request', newDueDate: '2026-10-31', reason: 'More time' }, byKey.headers));
    clock.set(NOW);
    await ok(app, post(`/v1/tasks/${task.id}/transitions`, { to: 'done' }, byKey.headers));
    const decided = await ok(app, post(`/v1/tasks/${task.id}/deadline-changes/${change.id}/decision`, { decision, basis: 'Protocol No. 3, item 1' }));
    t.equal(decided.status, decision === 'approve' ? 'approved' : 'rejected');
    await ok(app, post(`/v1/tasks/${task.id}/transitions`, { to: 'closed' }));
    const r = await report(app, plan.id);
    return [r.tasks[0]?.completion, r.totals.postponements];
  };
  // Asked five days before the deadline, decided five days after it: the secretariat's delay is not the executors'.
  t.strictSame(await judged('approve'), ['on_time', 1], 'approved: judged against the date asked for in time');
  t.strictSame(await judged('reject'), ['late', 0], 'rejected: late');
});

t.test('no report is missing for a period whose deadline passed before the plan was approved: none could be submitted then', async (t) => {
  const clock = testClock('2026-07-01T09:00:00.000Z');
  const app = await build(t, clock);
  const seed = await seedPlan(app);
  const task = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-12-31', assignees: seed.assignees });
  const byKey = await keyFor(app, 'ministry', seed.by.id);
  clock.set(NOW);
  // On 5 October the plan is a draft: the Q3 report the co-chairs' report would ask for is refused.
  await refused(
    t,
    app,
    post(`/v1/tasks/${task.id}/reports`, { period: '2026-Q3', percentComplete: 10, confidence: 'green', narrative: 'Started.' }, byKey.headers),
    409,
    'plan-state-conflict',
  );
  clock.set('2026-11-02T09:00:00.000Z');
  await approvePlan(app, seed.plan.id);
  const today = await report(app, seed.plan.id);
  t.equal(today.reportingPeriod.lastDue, '2026-Q3');
  t.strictSame(today.missingReports, [], 'nobody owed a Q3 report on 10 October: the plan was not in force');
  t.equal(today.totals.missingReports, 0);
  t.strictSame(today.byParty.map((p) => p.missingReports), [0, 0]);
  clock.set('2026-11-10T09:00:00.000Z');
  const past = json<ProgressReport>(await app.inject({ url: `/v1/reports/progress?planId=${seed.plan.id}&asOf=2026-11-02` }));
  t.strictSame([past.missingReports, past.totals.missingReports], [[], 0], 'the past-day view of the same day agrees');
});

t.test("an organization taken off a task still hears its own report's review", async (t) => {
  const { app, receiver, task, by, kz } = await world(t, ['report.submitted', 'report.reviewed'], { clock: testClock(NOW), organizationId: 'by' });
  const byKey = await keyFor(app, 'ministry', by.id);
  const q3 = await ok(app, post(`/v1/tasks/${task.id}/reports`, { period: '2026-Q3', percentComplete: 70, confidence: 'green', narrative: 'Line installed.' }, byKey.headers));
  const patched = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { assignees: [{ organizationId: kz.id, role: 'lead' }] } });
  t.equal(patched.statusCode, 200, 'Minprom is taken off the task');
  const accepted = await ok(app, post(`/v1/tasks/${task.id}/reports/${q3.id}/review`, { decision: 'accepted' }));
  t.equal(accepted.organizationId, by.id, "the report stays Minprom's");
  await app.webhooks.runOnce();
  t.strictSame(
    receiver.received.map((r) => [r.json.type, r.json.data.report.id, r.json.data.report.status]),
    [
      ['report.submitted', q3.id, 'submitted'],
      ['report.reviewed', q3.id, 'accepted'],
    ],
    "Minprom's subscription receives the review of Minprom's report",
  );
});
