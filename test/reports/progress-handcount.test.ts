// The co-chairs' report on a hand-built plan of twelve measures over two countries and six organizations, in a
// commission whose zone (Asia/Tokyo, UTC+9) is a day ahead of UTC at the report's hour: every figure the
// OpenAPI document promises is counted by hand below and compared with the API, today and on a past day.
import t from 'tap';
import type { Test } from 'tap';
import type { App } from '../../src/app.js';
import type { Breakdown, ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { build, json, testClock, type TestClock } from '../helper.js';
import { approvePlan, createCommission, createOrganization, createPlan, createTask, transition } from '../factories.js';

async function ok(app: App, method: 'POST' | 'PUT' | 'PATCH', url: string, payload: Record<string, unknown>) {
  const res = await app.inject({ method, url, payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

const direct = (app: App, taskId: string, newDueDate: string) =>
  ok(app, 'POST', `/v1/tasks/${taskId}/deadline-changes`, { kind: 'direct', newDueDate, reason: 'Moved by the secretariat', basis: 'Protocol No. 2, item 1' });

const submit = (app: App, taskId: string, organizationId: string, period: string, percentComplete: number, confidence: string) =>
  ok(app, 'POST', `/v1/tasks/${taskId}/reports`, { organizationId, period, percentComplete, confidence, narrative: 'Work goes on.' });

async function report(app: App, query: Record<string, string>): Promise<ProgressReport> {
  const res = await app.inject({ url: `/v1/reports/progress?${new URLSearchParams(query)}` });
  if (res.statusCode !== 200) throw new Error(`the report answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

/** Tokyo is UTC+9: 00:00Z is 09:00 the same day there. */
let onDayEnd: ((day: string) => Promise<void>) | null = null;
async function at(clock: TestClock, day: string) {
  if (onDayEnd) await onDayEnd(clock().toISOString().slice(0, 10));
  clock.set(`${day}T00:00:00.000Z`);
}

export function handPlanWith(tell: (app: App, planId: string) => void) {
  return (t: Test) => handPlan(t, {}, tell);
}

export async function handPlan(t: Test, config: Record<string, unknown> = {}, tell?: (app: App, planId: string) => void) {
  const clock = testClock('2026-09-01T00:00:00.000Z');
  const app = await build(t, clock, config);
  const commission = await createCommission(app, { timeZone: 'Asia/Tokyo' });
  const org = (name: string, country: string, kind = 'ministry') => createOrganization(app, { name, country, kind });
  // Names chosen so that "by party, then name" is this order.
  const minprom = await org('A Ministry of Industry (BY)', 'BY');
  const mincom = await org('B Ministry of Communications (BY)', 'BY');
  const mtz = await org('C MTZ (BY)', 'BY', 'enterprise');
  const kazagro = await org('D KazAgro (KZ)', 'KZ', 'enterprise');
  const mic = await org('E Ministry of Industry (KZ)', 'KZ');
  const minagri = await org('F Ministry of Agriculture (KZ)', 'KZ');
  const plan = await createPlan(app, commission.id, { periodStart: '2026-01-01', periodEnd: '2027-12-31' });
  const lead = (o: { id: string }) => ({ organizationId: o.id, role: 'lead' });
  const co = (o: { id: string }) => ({ organizationId: o.id, role: 'co_executor' });
  const mk = (code: string, dueDate: string, area: string, assignees: unknown[]) =>
    createTask(app, { planId: plan.id, code, dueDate, area, title: `Measure ${code}`, assignees });
  const T: Record<string, { id: string }> = {};
  T['1.1'] = await mk('1.1', '2026-11-01', 'mechanical_engineering', [lead(minprom), lead(mic)]);
  T['1.2'] = await mk('1.2', '2026-10-15', 'mechanical_engineering', [lead(minprom), lead(mtz), lead(mic)]);
  T['1.3'] = await mk('1.3', '2026-10-01', 'digitalization', [lead(mincom), co(mic)]);
  T['1.4'] = await mk('1.4', '2026-11-20', 'digitalization', [lead(minprom), lead(mic)]);
  T['1.5'] = await mk('1.5', '2026-09-30', 'food_supplies', [lead(kazagro)]);
  T['1.6'] = await mk('1.6', '2026-12-31', 'trade', [lead(minprom), lead(mic)]);
  T['1.7'] = await mk('1.7', '2026-11-20', 'agriculture', [lead(minagri), co(kazagro)]);
  T['1.8'] = await mk('1.8', '2027-03-01', 'trade', [lead(minprom), lead(mic)]);
  T['1.9'] = await mk('1.9', '2027-06-30', 'regional_cooperation', [lead(mtz), lead(kazagro)]);
  T['1.10'] = await mk('1.10', '2026-10-31', 'energy', [lead(minprom), lead(mic)]);
  T['1.11'] = await mk('1.11', '2026-09-30', 'science_education', [lead(mincom), lead(mic)]);
  await approvePlan(app, plan.id);
  tell?.(app, plan.id);
  for (const c of ['1.1', '1.2', '1.3', '1.6', '1.7', '1.8', '1.10', '1.11']) await transition(app, T[c]!.id, 'in_progress');
  await transition(app, T['1.5']!.id, 'cancelled');

  const i1 = await ok(app, 'POST', '/v1/indicators', { planId: plan.id, taskId: T['1.1']!.id, name: 'Tractors', unit: 'tractors', baseline: 600, target: 1200 });
  const i2 = await ok(app, 'POST', '/v1/indicators', { planId: plan.id, name: 'Import share', unit: '%', baseline: 30, target: 10 });
  const i3 = await ok(app, 'POST', '/v1/indicators', { planId: plan.id, name: 'Joint ventures', unit: 'JV', baseline: 0, target: 3 });

  await at(clock, '2026-09-10');
  await ok(app, 'PUT', `/v1/indicators/${i1.id}/values/2026-Q2`, { value: 700 });
  const req = await ok(app, 'POST', `/v1/tasks/${T['1.6']!.id}/deadline-changes`, { kind: 'request', newDueDate: '2027-01-31', reason: 'Certification' });
  await at(clock, '2026-09-12');
  await ok(app, 'POST', `/v1/tasks/${T['1.6']!.id}/deadline-changes/${req.id}/decision`, { decision: 'approve', basis: 'Protocol No. 3, item 2' });
  await at(clock, '2026-09-20');
  await direct(app, T['1.11']!.id, '2026-10-31');

  await at(clock, '2026-10-01');
  await direct(app, T['1.4']!.id, '2026-12-10');
  await ok(app, 'PUT', `/v1/indicators/${i2.id}/values/2026-Q3`, { value: 25 });
  await ok(app, 'PUT', `/v1/indicators/${i3.id}/values/2026-Q3`, { value: 1 });

  await at(clock, '2026-10-05');
  await transition(app, T['1.3']!.id, 'done');
  await submit(app, T['1.1']!.id, minprom.id, '2026-Q3', 50, 'green');
  const r14 = await submit(app, T['1.4']!.id, minprom.id, '2026-Q3', 10, 'red');
  const r16 = await submit(app, T['1.6']!.id, mic.id, '2026-Q3', 30, 'amber');
  await submit(app, T['1.8']!.id, minprom.id, '2026-Q3', 20, 'green');
  await ok(app, 'PUT', `/v1/indicators/${i1.id}/values/2026-Q3`, { value: 900 });
  await at(clock, '2026-10-06');
  await ok(app, 'POST', `/v1/tasks/${T['1.4']!.id}/reports/${r14.id}/review`, { decision: 'returned', comment: 'Give figures' });
  await at(clock, '2026-10-07');
  await ok(app, 'PATCH', `/v1/tasks/${T['1.4']!.id}/reports/${r14.id}`, { percentComplete: 15, confidence: 'amber' });
  await at(clock, '2026-10-08');
  await ok(app, 'POST', `/v1/tasks/${T['1.4']!.id}/reports/${r14.id}/review`, { decision: 'accepted' });
  await transition(app, T['1.3']!.id, 'closed');
  await at(clock, '2026-10-10');
  await transition(app, T['1.2']!.id, 'done');
  await at(clock, '2026-10-12');
  await transition(app, T['1.2']!.id, 'closed');
  await at(clock, '2026-10-15');
  await submit(app, T['1.1']!.id, mic.id, '2026-Q3', 40, 'amber'); // late: after the 10 October deadline
  T['1.12'] = await mk('1.12', '2026-12-20', 'industrial_cooperation', [lead(minprom), lead(mic)]);
  await transition(app, T['1.12']!.id, 'in_progress');
  await at(clock, '2026-10-20');
  await transition(app, T['1.11']!.id, 'done');
  await at(clock, '2026-10-22');
  await transition(app, T['1.11']!.id, 'closed');
  await at(clock, '2026-10-25');
  await transition(app, T['1.10']!.id, 'done');
  await at(clock, '2026-10-26');
  await transition(app, T['1.10']!.id, 'closed');

  // After the past day of the tests (2026-10-30):
  await at(clock, '2026-11-01');
  await transition(app, T['1.6']!.id, 'on_hold');
  await at(clock, '2026-11-05');
  await transition(app, T['1.10']!.id, 'in_progress'); // reopened
  await at(clock, '2026-11-10');
  await ok(app, 'PATCH', `/v1/tasks/${T['1.8']!.id}`, { assignees: [lead(mtz), lead(mic)] }); // reassigned from the BY ministry to MTZ
  await at(clock, '2026-11-15');
  await direct(app, T['1.4']!.id, '2026-12-05'); // earlier: no postponement
  await at(clock, '2026-11-20');
  await ok(app, 'PATCH', `/v1/tasks/${T['1.6']!.id}/reports/${r16.id}`, { percentComplete: 25, confidence: 'red' });
  await ok(app, 'PUT', `/v1/indicators/${i1.id}/values/2026-Q3`, { value: 960 });
  await ok(app, 'PATCH', `/v1/indicators/${i2.id}`, { target: 20 });
  await transition(app, T['1.7']!.id, 'done');
  await at(clock, '2026-11-25');
  await submit(app, T['1.1']!.id, minprom.id, '2026-Q4', 60, 'red');
  await submit(app, T['1.12']!.id, mic.id, '2026-Q4', 5, 'green');
  await ok(app, 'PUT', `/v1/indicators/${i1.id}/values/2026-Q4`, { value: 1000 });

  if (onDayEnd) await onDayEnd(clock().toISOString().slice(0, 10));
  clock.set('2026-11-27T16:30:00.000Z'); // 28 November, 01:30 in Tokyo; still 27 November in UTC
  return { app, clock, commission, plan, T, orgs: { minprom, mincom, mtz, kazagro, mic, minagri }, indicators: { i1, i2, i3 } };
}

const statuses = (s: Partial<Record<string, number>>) => ({ not_started: 0, in_progress: 0, on_hold: 0, done: 0, closed: 0, cancelled: 0, ...s });
const figures = (b: Breakdown) => {
  const { key: _k, label: _l, country: _c, shortName: _s, ...rest } = b as Breakdown & Record<string, unknown>;
  return rest;
};

t.test('today (28 November in Tokyo, 27 in UTC): every figure as counted by hand', async (t) => {
  const { app, plan, T, orgs: O, indicators: I } = await handPlan(t);
  const r = await report(app, { planId: plan.id });
  t.equal(r.asOf, '2026-11-28');
  t.strictSame(r.reportingPeriod, { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' });
  t.strictSame(
    r.tasks.map((x) => [x.code, x.status, x.dueDate, x.overdue, x.daysOverdue, x.postponementCount, x.daysMoved, x.completion, x.completionAgainstOriginal]),
    [
      ['1.1', 'in_progress', '2026-11-01', true, 27, 0, 0, null, null],
      ['1.2', 'closed', '2026-10-15', false, 0, 0, 0, 'on_time', 'on_time'],
      ['1.3', 'closed', '2026-10-01', false, 0, 0, 0, 'late', 'late'],
      ['1.4', 'not_started', '2026-12-05', false, 0, 1, 20, null, null],
      ['1.5', 'cancelled', '2026-09-30', false, 0, 0, 0, null, null],
      ['1.6', 'on_hold', '2027-01-31', false, 0, 1, 31, null, null],
      ['1.7', 'done', '2026-11-20', true, 8, 0, 0, null, null],
      ['1.8', 'in_progress', '2027-03-01', false, 0, 0, 0, null, null],
      ['1.9', 'not_started', '2027-06-30', false, 0, 0, 0, null, null],
      ['1.10', 'in_progress', '2026-10-31', true, 28, 0, 0, null, null],
      // Done on 20 October: on time for the deadline moved to 31 October, late for the original 30 September.
      ['1.11', 'closed', '2026-10-31', false, 0, 1, 31, 'on_time', 'late'],
      ['1.12', 'in_progress', '2026-12-20', false, 0, 0, 0, null, null],
    ],
  );
  t.strictSame(figures(r.totals as never), {
    taskCount: 12,
    byStatus: statuses({ not_started: 2, in_progress: 4, on_hold: 1, done: 1, closed: 3, cancelled: 1 }),
    percentByStatus: { not_started: 16.7, in_progress: 33.3, on_hold: 8.3, done: 8.3, closed: 25, cancelled: 8.3 },
    closedOnTime: 2,
    closedLate: 1,
    closedOnTimeAgainstOriginal: 1,
    overdue: 3,
    overdueDays: 27 + 8 + 28,
    dueNext30Days: 2,
    postponedTasks: 3,
    postponements: 3,
    daysMoved: 20 + 31 + 31,
    confidence: { green: 1, amber: 2, red: 2, none: 18 },
    // MTZ, put on 1.8 on 10 November, owed no report of the Q3 reports due on 10 October.
    missingReports: 14,
  });
  // BY: every task with a BY executor (not 1.5, 1.7); KZ: all twelve.
  t.strictSame(
    r.byParty.map((g) => [g.key, g.taskCount, g.overdue, g.overdueDays, g.closedOnTime, g.closedLate, g.closedOnTimeAgainstOriginal, g.confidence, g.missingReports]),
    [
      ['BY', 10, 2, 55, 2, 1, 1, { green: 0, amber: 1, red: 1, none: 9 }, 6],
      ['KZ', 12, 3, 63, 2, 1, 1, { green: 1, amber: 1, red: 1, none: 9 }, 8],
    ],
  );
  t.strictSame(
    r.byOrganization.map((g) => [g.label, g.taskCount, g.overdue, g.dueNext30Days, g.postponements, g.confidence, g.missingReports]),
    [
      ['A Ministry of Industry (BY)', 6, 2, 2, 2, { green: 0, amber: 1, red: 1, none: 4 }, 3],
      ['B Ministry of Communications (BY)', 2, 0, 0, 1, { green: 0, amber: 0, red: 0, none: 2 }, 1],
      ['C MTZ (BY)', 3, 0, 0, 0, { green: 0, amber: 0, red: 0, none: 3 }, 2],
      ['D KazAgro (KZ)', 3, 1, 0, 0, { green: 0, amber: 0, red: 0, none: 2 }, 2],
      ['E Ministry of Industry (KZ)', 9, 2, 2, 3, { green: 1, amber: 1, red: 1, none: 6 }, 5],
      ['F Ministry of Agriculture (KZ)', 1, 1, 0, 0, { green: 0, amber: 0, red: 0, none: 1 }, 1],
    ],
  );
  t.strictSame(
    r.byArea.map((g) => [g.key, g.taskCount, g.closedOnTime, g.closedLate, g.overdue, g.overdueDays, g.postponedTasks, g.daysMoved, g.missingReports]),
    [
      ['mechanical_engineering', 2, 1, 0, 1, 27, 0, 0, 3],
      ['digitalization', 2, 0, 1, 0, 0, 1, 20, 1],
      ['food_supplies', 1, 0, 0, 0, 0, 0, 0, 0],
      ['agriculture', 1, 0, 0, 1, 8, 0, 0, 2],
      ['trade', 2, 0, 0, 0, 0, 1, 31, 2],
      ['industrial_cooperation', 1, 0, 0, 0, 0, 0, 0, 0],
      ['energy', 1, 0, 0, 1, 28, 0, 0, 2],
      ['regional_cooperation', 1, 0, 0, 0, 0, 0, 0, 2],
      ['science_education', 1, 1, 0, 0, 0, 1, 31, 2],
    ],
  );
  t.strictSame(r.overdue.map((x) => [x.code, x.daysOverdue]), [['1.10', 28], ['1.1', 27], ['1.7', 8]]);
  t.strictSame(r.dueSoon.map((x) => x.code), ['1.4', '1.12']);
  t.strictSame(r.mostPostponed.map((x) => x.code), ['1.6', '1.11', '1.4']);
  t.strictSame(
    r.missingReports.map((m) => [m.code, m.organizationName]),
    [
      ['1.2', 'A Ministry of Industry (BY)'],
      ['1.2', 'C MTZ (BY)'],
      ['1.2', 'E Ministry of Industry (KZ)'],
      ['1.4', 'E Ministry of Industry (KZ)'],
      ['1.6', 'A Ministry of Industry (BY)'],
      ['1.7', 'F Ministry of Agriculture (KZ)'],
      ['1.7', 'D KazAgro (KZ)'],
      ['1.8', 'E Ministry of Industry (KZ)'],
      ['1.9', 'C MTZ (BY)'],
      ['1.9', 'D KazAgro (KZ)'],
      ['1.10', 'A Ministry of Industry (BY)'],
      ['1.10', 'E Ministry of Industry (KZ)'],
      ['1.11', 'B Ministry of Communications (BY)'],
      ['1.11', 'E Ministry of Industry (KZ)'],
    ],
  );
  const task = (c: string) => r.tasks.find((x) => x.taskId === T[c]!.id)!;
  t.match(task('1.1'), { percentComplete: 40, confidence: 'red' });
  t.match(task('1.4'), { percentComplete: 15, confidence: 'amber' });
  t.match(task('1.6'), { percentComplete: 25, confidence: 'red' });
  t.match(task('1.8'), { percentComplete: null, confidence: null }, "the BY ministry's report is no longer an assignee's");
  t.strictSame(task('1.8').executors.map((e) => e.organizationId), [O.mtz.id, O.mic.id]);
  t.strictSame(
    r.indicators.map((i) => [i.id, i.actual, i.actualPeriod, i.progressPercent]),
    [
      [I.i1.id, 960, '2026-Q3', 60],
      [I.i2.id, 25, '2026-Q3', 50],
      [I.i3.id, 1, '2026-Q3', 33.3],
    ],
  );
  for (const i of [I.i1, I.i2, I.i3]) {
    const got = json(await app.inject({ url: `/v1/indicators/${i.id}` }));
    t.equal(got.progressPercent, r.indicators.find((x) => x.id === i.id)?.progressPercent, `indicator ${i.name}: the same progress in both`);
  }
});

t.test('a past day (30 October) as counted by hand, after the later changes', async (t) => {
  const { app, plan, T, orgs: O, indicators: I } = await handPlan(t);
  const r = await report(app, { planId: plan.id, asOf: '2026-10-30' });
  t.strictSame(
    r.tasks.map((x) => [x.code, x.status, x.dueDate, x.overdue, x.postponementCount, x.daysMoved, x.completion, x.completionAgainstOriginal]),
    [
      ['1.1', 'in_progress', '2026-11-01', false, 0, 0, null, null],
      ['1.2', 'closed', '2026-10-15', false, 0, 0, 'on_time', 'on_time'],
      ['1.3', 'closed', '2026-10-01', false, 0, 0, 'late', 'late'],
      ['1.4', 'not_started', '2026-12-10', false, 1, 20, null, null],
      ['1.5', 'cancelled', '2026-09-30', false, 0, 0, null, null],
      ['1.6', 'in_progress', '2027-01-31', false, 1, 31, null, null],
      ['1.7', 'in_progress', '2026-11-20', false, 0, 0, null, null],
      ['1.8', 'in_progress', '2027-03-01', false, 0, 0, null, null],
      ['1.9', 'not_started', '2027-06-30', false, 0, 0, null, null],
      ['1.10', 'closed', '2026-10-31', false, 0, 0, 'on_time', 'on_time'],
      ['1.11', 'closed', '2026-10-31', false, 1, 31, 'on_time', 'late'],
      ['1.12', 'in_progress', '2026-12-20', false, 0, 0, null, null],
    ],
  );
  t.strictSame(figures(r.totals as never), {
    taskCount: 12,
    byStatus: statuses({ not_started: 2, in_progress: 5, closed: 4, cancelled: 1 }),
    percentByStatus: { not_started: 16.7, in_progress: 41.7, on_hold: 0, done: 0, closed: 33.3, cancelled: 8.3 },
    closedOnTime: 3,
    closedLate: 1,
    closedOnTimeAgainstOriginal: 2,
    overdue: 0,
    overdueDays: 0,
    dueNext30Days: 2,
    postponedTasks: 3,
    postponements: 3,
    daysMoved: 82,
    confidence: { green: 2, amber: 3, red: 0, none: 18 },
    missingReports: 14,
  });
  const task = (c: string) => r.tasks.find((x) => x.taskId === T[c]!.id)!;
  t.strictSame(task('1.8').executors.map((e) => e.organizationId), [O.minprom.id, O.mic.id], 'assigned to the BY ministry then');
  t.match(task('1.8'), { percentComplete: 20, confidence: 'green' });
  t.match(task('1.6'), { percentComplete: 30, confidence: 'amber' }, 'before its revision of 20 November');
  t.match(task('1.1'), { percentComplete: 40, confidence: 'amber' });
  t.strictSame(
    r.byOrganization.map((g) => [g.label, g.taskCount]),
    [
      ['A Ministry of Industry (BY)', 7],
      ['B Ministry of Communications (BY)', 2],
      ['C MTZ (BY)', 2],
      ['D KazAgro (KZ)', 3],
      ['E Ministry of Industry (KZ)', 9],
      ['F Ministry of Agriculture (KZ)', 1],
    ],
  );
  t.strictSame(
    r.indicators.map((i) => [i.id, i.actual, i.progressPercent]),
    [
      [I.i1.id, 900, 50],
      [I.i2.id, 25, 25],
      [I.i3.id, 1, 33.3],
    ],
  );
  t.strictSame(r.dueSoon.map((x) => x.code), ['1.1', '1.7']);
});

t.test('a past day\'s report is what the report said on that day', async (t) => {
  const said = new Map<string, { app: App; body: ProgressReport }>();
  let planId = '';
  let theApp: App | null = null;
  onDayEnd = async (day) => {
    if (!theApp || !planId) return;
    const res = await theApp.inject({ url: `/v1/reports/progress?planId=${planId}` });
    if (res.statusCode === 200) said.set(day, { app: theApp, body: json(res) });
  };
  // The hook needs the app and plan as soon as they exist: peek at them through the factories' first report.
  const origBuild = build;
  void origBuild;
  const { app, plan } = await (async () => {
    const p = handPlanWith((a, id) => {
      theApp = a;
      planId = id;
    });
    return p(t);
  })();
  onDayEnd = null;
  t.ok(said.size > 5, `${said.size} days said`);
  for (const [day, { body }] of said) {
    const now = await report(app, { planId: plan.id, asOf: day });
    const strip = (r: ProgressReport) => ({ ...r, generatedAt: '' });
    t.strictSame(strip(now), strip(body), `as of ${day}`);
  }
});

t.test('the hand-built plan computed in parts by worker threads is the whole report, today and on past days', async (t) => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { reportProducer, inProcessProducer } = await import('../../src/modules/reports/progress.producer.js');
  const dir = await mkdtemp(join(tmpdir(), 'h-report-parts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { app, clock, plan, commission } = await handPlan(t, { databasePath: join(dir, 'tracker.db') });
  for (const threads of [2, 3, 4]) {
    const producer = reportProducer({ db: app.db, clock, databasePath: app.sqlite.name, workerMinTasks: 0, partsMinTasks: 0, threads, log: () => undefined });
    t.teardown(() => producer.close());
    for (const query of [{ planId: plan.id }, { planId: plan.id, asOf: '2026-10-30' }, { commissionId: commission.id, asOf: '2026-10-10' }, { commissionId: commission.id }]) {
      const { body } = await producer.produce(query, 'json');
      const whole = await inProcessProducer({ db: app.db, clock }).produce(query, 'json');
      t.strictSame(JSON.parse(Buffer.from(body as Uint8Array).toString()), JSON.parse(JSON.stringify(whole.body)), `${threads} parts: ${JSON.stringify(query)}`);
    }
    t.equal(producer.stats.partsDiscarded, 0);
  }
});

t.test('CSV and XLSX say the same numbers as the JSON of the hand-built plan', async (t) => {
  const ExcelJS = (await import('exceljs')).default;
  const { app, plan } = await handPlan(t);
  for (const asOf of [undefined, '2026-10-30']) {
    const q = asOf ? `&asOf=${asOf}` : '';
    const r = await report(app, asOf ? { planId: plan.id, asOf } : { planId: plan.id });
    const csv = (await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=csv${q}` })).body.replace(/^\uFEFF/, '');
    const lines = csv.trim().split('\r\n').map((l) => l.split(','));
    const header = lines[0]!;
    const total = Object.fromEntries(header.map((h, i) => [h, lines[1]![i]]));
    t.equal(Number(total['taskCount']), r.totals.taskCount);
    t.equal(Number(total['overdueDays']), r.totals.overdueDays);
    t.equal(Number(total['missingReports']), r.totals.missingReports);
    t.equal(Number(total['percentByStatus.in_progress']), r.totals.percentByStatus.in_progress);
    t.equal(lines.length - 1, 1 + r.byParty.length + r.byOrganization.length + r.byArea.length);
    const tasksCsv = (await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=csv&table=tasks${q}` })).body.replace(/^\uFEFF/, '');
    const trows = tasksCsv.trim().split('\r\n').slice(1).map((l) => l.split(','));
    t.strictSame(trows.map((row) => [row[0], row[3], row[4], Number(row[7]), Number(row[8]), Number(row[9]), row[10]]),
      r.tasks.map((x) => [x.code, x.status, x.dueDate, x.daysOverdue, x.postponementCount, x.daysMoved, x.completion ?? '']));
    const xlsx = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=xlsx${q}` });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const summary = wb.getWorksheet('Summary')!;
    const rows = summary.getSheetValues().filter(Boolean) as unknown[][];
    const headRow = rows.find((row) => row.includes('Group'))!;
    const totalRow = rows.find((row) => row[1] === 'Total' && row !== rows[0])!;
    const col = (name: string) => headRow.indexOf(name);
    t.equal(totalRow[col('Tasks')], r.totals.taskCount);
    t.equal(totalRow[col('Days overdue (sum)')], r.totals.overdueDays);
    t.equal(totalRow[col('Missing reports')], r.totals.missingReports);
    t.equal(totalRow[col('No report yet')], r.totals.confidence.none);
    t.equal(wb.getWorksheet('Tasks')!.rowCount - 1, r.tasks.length);
    t.equal(wb.getWorksheet('Overdue')!.rowCount - 1, r.overdue.length);
    t.equal(wb.getWorksheet('Missing reports')!.rowCount - 1, r.missingReports.length);
  }
});

t.test('renumbered after a past day, the tasks of that day are listed by their code then, as the report said', async (t) => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { reportProducer } = await import('../../src/modules/reports/progress.producer.js');
  const dir = await mkdtemp(join(tmpdir(), 'h-report-renumbered-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = testClock('2026-09-01T00:00:00.000Z');
  const app = await build(t, clock, { databasePath: join(dir, 'tracker.db') });
  const commission = await createCommission(app, { timeZone: 'Asia/Tokyo' });
  const by = await createOrganization(app, { name: 'Ministry BY', country: 'BY' });
  const plan = await createPlan(app, commission.id);
  const mk = (code: string) => createTask(app, { planId: plan.id, code, dueDate: '2027-06-30', title: `Measure ${code}`, assignees: [{ organizationId: by.id, role: 'lead' }] });
  const a = await mk('1.1');
  await mk('1.2');
  await mk('1.3');
  await approvePlan(app, plan.id);
  await at(clock, '2026-09-05');
  const said = await report(app, { planId: plan.id });
  t.strictSame(said.tasks.map((x) => x.code), ['1.1', '1.2', '1.3']);
  await at(clock, '2026-09-10');
  await ok(app, 'PATCH', `/v1/tasks/${a.id}`, { code: '1.4' }); // 1.1 renumbered after the 5th
  const then = await report(app, { planId: plan.id, asOf: '2026-09-05' });
  t.strictSame(then.tasks.map((x) => x.code), said.tasks.map((x) => x.code), 'by plan then code, as on the day');
  t.strictSame(then.missingReports.map((x) => x.code), said.missingReports.map((x) => x.code), 'the missing reports too');

  // In parts, split in today's order, the day cannot be put together: it is computed whole, in the same order.
  const producer = reportProducer({ db: app.db, clock, databasePath: app.sqlite.name, workerMinTasks: 0, partsMinTasks: 0, threads: 2, log: () => undefined });
  t.teardown(() => producer.close());
  const { body } = await producer.produce({ planId: plan.id, asOf: '2026-09-05' }, 'json');
  const inParts = JSON.parse(Buffer.from(body as Uint8Array).toString());
  t.strictSame(inParts.tasks.map((x: { code: string }) => x.code), said.tasks.map((x) => x.code), 'in parts as well');
  t.equal(producer.stats.partsDiscarded, 1, 'the parts were set aside');
});
