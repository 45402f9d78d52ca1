// The co-chairs' report counts a report missing only from an organization that was assigned to the task by the end
// of the period's deadline day: one put on the task later never owed it. An organization that stays assigned keeps
// the time it was assigned through a change of role or order; taken off and put back, it is assigned anew, but still
// owes the reports due while it was on the task before.
import t, { type Test } from 'tap';
import type { App } from '../../src/app.js';
import type { ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { build, json, testClock, type TestClock } from '../helper.js';
import { approvePlan, createCommission, createOrganization, createPlan, createTask } from '../factories.js';

async function ok(app: App, method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>) {
  const res = await app.inject({ method, url, payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

async function report(app: App, planId: string, asOf?: string): Promise<ProgressReport> {
  const res = await app.inject({ url: `/v1/reports/progress?planId=${planId}${asOf ? `&asOf=${asOf}` : ''}` });
  if (res.statusCode !== 200) throw new Error(`the report answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

type Org = { id: string; name: string };

/**
 * A plan approved on 1 September 2026 in Minsk (UTC+3), reported on quarterly with reports due 10 days after a
 * quarter: the Q3 reports were due on 10 October, which ended at 2026-10-10T21:00:00Z. Ministries A (BY) and B (KZ)
 * lead every task; C (BY) is the organization put on tasks around the deadline.
 */
async function world(t: Test) {
  const clock: TestClock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const commission = await createCommission(app);
  const a: Org = await createOrganization(app, { name: 'A Ministry of Industry', country: 'BY' });
  const b: Org = await createOrganization(app, { name: 'B Ministry of Industry', country: 'KZ' });
  const c: Org = await createOrganization(app, { name: 'C Ministry of Communications', country: 'BY' });
  const plan = await createPlan(app, commission.id, { periodStart: '2026-01-01', periodEnd: '2027-12-31' });
  const lead = (o: Org) => ({ organizationId: o.id, role: 'lead' });
  const co = (o: Org) => ({ organizationId: o.id, role: 'co_executor' });
  const task = (code: string, assignees = [lead(a), lead(b)]): Promise<{ id: string }> =>
    createTask(app, { planId: plan.id, code, dueDate: '2027-06-30', assignees });
  const assign = (taskId: string, assignees: unknown[]) => ok(app, 'PATCH', `/v1/tasks/${taskId}`, { assignees });
  const submit = (taskId: string, o: Org, period: string) =>
    ok(app, 'POST', `/v1/tasks/${taskId}/reports`, { organizationId: o.id, period, percentComplete: 30, confidence: 'green', narrative: 'Work goes on.' });
  const assignedAt = (taskId: string, o: Org) =>
    (app.sqlite.prepare('SELECT assigned_at FROM task_assignees WHERE task_id = ? AND organization_id = ?').pluck().get(taskId, o.id) as string | undefined) ?? null;
  return { app, clock, plan, a, b, c, lead, co, task, assign, submit, assignedAt, approve: () => approvePlan(app, plan.id) };
}

/** The missing reports as "code organization", in the report's order. */
const missing = (r: ProgressReport, names: Record<string, string>) => r.missingReports.map((m) => `${m.code} ${names[m.organizationId]} ${m.period}`);

t.test('an organization put on a task after the deadline of the last due period does not miss its report', async (t) => {
  const w = await world(t);
  const { a, b, c } = w;
  const names = { [a.id]: 'A', [b.id]: 'B', [c.id]: 'C' };
  const t11 = await w.task('1.1');
  const t12 = await w.task('1.2');
  const t13 = await w.task('1.3');
  const t14 = await w.task('1.4');
  await w.approve();

  w.clock.set('2026-10-01T09:00:00.000Z');
  await w.assign(t12.id, [w.lead(a), w.lead(b), w.co(c)]); // before the deadline: C owes Q3
  await w.submit(t12.id, b, '2026-Q3');
  w.clock.set('2026-10-10T20:59:59.999Z'); // 23:59:59.999 on 10 October in Minsk: the deadline day's last instant
  await w.assign(t13.id, [w.lead(a), w.lead(b), w.co(c)]);
  w.clock.set('2026-10-10T21:00:00.000Z'); // midnight in Minsk: 11 October, the deadline has passed
  await w.assign(t14.id, [w.lead(a), w.lead(b), w.co(c)]);
  w.clock.set('2026-11-20T09:00:00.000Z');
  await w.assign(t11.id, [w.lead(a), w.lead(b), w.co(c)]); // the example: C added to 1.1 on 20 November

  w.clock.set('2026-11-28T09:00:00.000Z');
  const r = await report(w.app, w.plan.id);
  t.strictSame(r.reportingPeriod, { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' });
  t.strictSame(
    missing(r, names),
    [
      '1.1 A 2026-Q3',
      '1.1 B 2026-Q3',
      '1.2 A 2026-Q3',
      '1.2 C 2026-Q3',
      '1.3 A 2026-Q3',
      '1.3 B 2026-Q3',
      '1.3 C 2026-Q3',
      '1.4 A 2026-Q3',
      '1.4 B 2026-Q3',
    ],
    'A and B, assigned from the start, miss what they did not submit; C misses Q3 only where it was assigned by the end of 10 October',
  );
  t.equal(r.totals.missingReports, 9);
  t.strictSame(
    r.byOrganization.map((g) => [g.label, g.taskCount, g.missingReports]),
    [
      ['A Ministry of Industry', 4, 4],
      ['C Ministry of Communications', 4, 2],
      ['B Ministry of Industry', 4, 3],
    ],
  );
  t.strictSame(
    r.tasks.find((x) => x.taskId === t11.id)!.executors.map((e) => e.organizationId),
    [a.id, b.id, c.id],
    'C executes 1.1 all the same',
  );
});

t.test('an organization that stays assigned keeps the time it was assigned: a new role or order is no new assignment', async (t) => {
  const w = await world(t);
  const { a, b, c } = w;
  const names = { [a.id]: 'A', [b.id]: 'B', [c.id]: 'C' };
  const before = await w.task('1.1', [w.lead(a), w.lead(b), w.co(c)]); // C assigned on 1 September
  const after = await w.task('1.2');
  await w.approve();
  w.clock.set('2026-11-20T09:00:00.000Z');
  await w.assign(after.id, [w.lead(a), w.lead(b), w.co(c)]); // C assigned after the deadline
  t.equal(w.assignedAt(before.id, c), '2026-09-01T09:00:00.000Z');
  t.equal(w.assignedAt(after.id, c), '2026-11-20T09:00:00.000Z', 'a new assignee is assigned at the time of the write');

  w.clock.set('2026-11-25T09:00:00.000Z');
  // C becomes a lead, first in the list, on both tasks; A and B change places.
  await w.assign(before.id, [w.lead(c), w.lead(b), w.co(a)]);
  await w.assign(after.id, [w.lead(c), w.lead(b), w.co(a)]);
  t.equal(w.assignedAt(before.id, c), '2026-09-01T09:00:00.000Z', 'C kept its time on 1.1');
  t.equal(w.assignedAt(after.id, c), '2026-11-20T09:00:00.000Z', 'and on 1.2');
  t.equal(w.assignedAt(before.id, a), '2026-09-01T09:00:00.000Z', 'A, now a co-executor, kept its time');

  w.clock.set('2026-11-28T09:00:00.000Z');
  const r = await report(w.app, w.plan.id);
  t.strictSame(missing(r, names), ['1.1 C 2026-Q3', '1.1 B 2026-Q3', '1.1 A 2026-Q3', '1.2 B 2026-Q3', '1.2 A 2026-Q3']);
  t.strictSame(
    r.tasks.find((x) => x.taskId === after.id)!.executors.map((e) => [e.organizationId, e.role]),
    [
      [c.id, 'lead'],
      [b.id, 'lead'],
      [a.id, 'co_executor'],
    ],
    'the roles and order are the new ones',
  );
});

t.test('an organization on a task at the end of the deadline day owes the report though taken off and put back since; one off it then owes none', async (t) => {
  // C leads 1.1 from the start, is taken off on 1 November and put back on 20 November: it was on the task when the
  // Q3 reports fell due (10 October) and owed one. D is on 1.2 from the start, taken off on 5 October and put back on
  // 20 October: off the task at the deadline, it owed none. A day's report after the put-backs, today's and the
  // calendar's organization feed say the same about Q3, and a Q3 report C submits now is late.
  const w = await world(t);
  const { a, b, c } = w;
  const d: Org = await createOrganization(w.app, { name: 'D Ministry of Agriculture', country: 'KZ' });
  const names = { [a.id]: 'A', [b.id]: 'B', [c.id]: 'C', [d.id]: 'D' };
  const t11 = await w.task('1.1', [w.lead(a), w.lead(b), w.co(c)]);
  const t12 = await w.task('1.2', [w.lead(a), w.lead(b), w.co(d)]);
  await w.approve();
  w.clock.set('2026-10-05T09:00:00.000Z');
  await w.assign(t12.id, [w.lead(a), w.lead(b)]);
  w.clock.set('2026-10-20T09:00:00.000Z');
  await w.assign(t12.id, [w.lead(a), w.lead(b), w.co(d)]);
  w.clock.set('2026-11-01T09:00:00.000Z');
  await w.assign(t11.id, [w.lead(a), w.lead(b)]);
  t.equal(w.assignedAt(t11.id, c), null, 'C is off the task');
  w.clock.set('2026-11-20T09:00:00.000Z');
  await w.assign(t11.id, [w.lead(a), w.lead(b), w.co(c)]);
  t.equal(w.assignedAt(t11.id, c), '2026-11-20T09:00:00.000Z', 'C is on it again since 20 November');

  w.clock.set('2026-11-28T09:00:00.000Z');
  const expected = ['1.1 A 2026-Q3', '1.1 B 2026-Q3', '1.1 C 2026-Q3', '1.2 A 2026-Q3', '1.2 B 2026-Q3'];
  t.strictSame(missing(await report(w.app, w.plan.id), names), expected, "today's report: C owed Q3 on 1.1, D owed nothing on 1.2");
  for (const day of ['2026-10-25', '2026-11-21', '2026-11-27']) {
    t.strictSame(missing(await report(w.app, w.plan.id, day), names), expected, `the report of ${day} says the same of Q3`);
  }
  // Between the taking off and the putting back, C executed nothing, and the report lists no report of it missing.
  t.strictSame(missing(await report(w.app, w.plan.id, '2026-11-10'), names), expected.filter((m) => m !== '1.1 C 2026-Q3'));

  const feed = async (o: Org) => {
    const res = await w.app.inject({ url: `/v1/calendar.ics?organizationId=${o.id}&planId=${w.plan.id}` });
    t.equal(res.statusCode, 200, res.body);
    return res.body.includes(`report-${w.plan.id}-2026-Q3`);
  };
  t.equal(await feed(c), true, "C's calendar shows the Q3 deadline: it owed that report");
  t.equal(await feed(d), false, "D's does not: it was off its only task at the deadline");

  const late = await w.submit(t11.id, c, '2026-Q3');
  t.equal(late.submittedLate, true, "C's Q3 report, due on 10 October when it was on the task, is late");
  const notOwed = await w.submit(t12.id, d, '2026-Q3');
  t.equal(notOwed.submittedLate, false, "D's was not owed, and is not late");
});

t.test("a past day's report counts the missing reports as that day's live report did, whatever the assignees became since", async (t) => {
  const w = await world(t);
  const { a, b, c } = w;
  const names = { [a.id]: 'A', [b.id]: 'B', [c.id]: 'C' };
  const t11 = await w.task('1.1');
  const t12 = await w.task('1.2');
  const t13 = await w.task('1.3', [w.lead(a), w.lead(b), w.co(c)]);
  await w.approve();
  w.clock.set('2026-10-01T09:00:00.000Z');
  await w.assign(t12.id, [w.lead(a), w.lead(b), w.co(c)]);
  w.clock.set('2026-11-20T09:00:00.000Z');
  await w.assign(t11.id, [w.lead(a), w.lead(b), w.co(c)]);

  w.clock.set('2026-11-28T09:00:00.000Z');
  const live = await report(w.app, w.plan.id);
  t.strictSame(missing(live, names), ['1.1 A 2026-Q3', '1.1 B 2026-Q3', '1.2 A 2026-Q3', '1.2 B 2026-Q3', '1.2 C 2026-Q3', '1.3 A 2026-Q3', '1.3 B 2026-Q3', '1.3 C 2026-Q3']);

  // Since: C is taken off 1.1 (assigned late) and 1.2 (assigned in time), and taken off 1.3 then put back; B is
  // taken off 1.2 and put back; A becomes a co-executor of 1.1.
  w.clock.set('2026-12-02T09:00:00.000Z');
  await w.assign(t11.id, [w.co(a), w.lead(b)]);
  await w.assign(t12.id, [w.lead(a)]);
  await w.assign(t13.id, [w.lead(a), w.lead(b)]);
  w.clock.set('2026-12-03T09:00:00.000Z');
  await w.assign(t12.id, [w.lead(a), w.lead(b)]);
  await w.assign(t13.id, [w.lead(a), w.lead(b), w.co(c)]);

  const past = await report(w.app, w.plan.id, '2026-11-28');
  const strip = (r: ProgressReport) => ({ ...r, generatedAt: null });
  t.strictSame(strip(past), strip(live), 'the report of 28 November, asked on 3 December, is the one asked on 28 November');
  // Today the same rule holds of today's assignees: B on 1.2 and C on 1.3, put back on 3 December, were on them at the
  // Q3 deadline and still owe that report, as the report of 28 November said; C, off 1.1 and 1.2, is not listed.
  t.strictSame(missing(await report(w.app, w.plan.id), names), [
    '1.1 B 2026-Q3',
    '1.1 A 2026-Q3',
    '1.2 A 2026-Q3',
    '1.2 B 2026-Q3',
    '1.3 A 2026-Q3',
    '1.3 B 2026-Q3',
    '1.3 C 2026-Q3',
  ]);
});
