// GET /v1/reports/progress on hand-built plans: every figure today and on a past day, commission scope,
// languages, refusals and who may read it.
import t from 'tap';
import type { Test } from 'tap';
import type { App } from '../../src/app.js';
import { dateInZone } from '../../src/lib/dates.js';
import type { ProgressReport, ReportTask } from '../../src/modules/reports/progress.schemas.js';
import { endOfDay } from '../../src/modules/reports/progress.missing.js';
import type { Task } from '../../src/modules/tasks/tasks.schemas.js';
import { assertProblem, build, json, keyFor, testClock, type TestClock } from '../helper.js';
import { approvePlan, createOrganization, createPlan, createTask, seedPlan, transition } from '../factories.js';

const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';

async function ok(app: App, method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>) {
  const res = await app.inject({ method, url, payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

const direct = (app: App, taskId: string, newDueDate: string) =>
  ok(app, 'POST', `/v1/tasks/${taskId}/deadline-changes`, { kind: 'direct', newDueDate, reason: 'Moved by the secretariat', basis: 'Protocol No. 2, item 1' });

async function requestApproved(app: App, clock: TestClock, taskId: string, newDueDate: string, decidedAt: string) {
  const change = await ok(app, 'POST', `/v1/tasks/${taskId}/deadline-changes`, { kind: 'request', newDueDate, reason: 'Certification takes longer' });
  clock.set(decidedAt);
  await ok(app, 'POST', `/v1/tasks/${taskId}/deadline-changes/${change.id}/decision`, { decision: 'approve', basis: 'Protocol No. 3, item 2' });
}

const submitReport = (app: App, taskId: string, organizationId: string, period: string, percentComplete: number, confidence: string) =>
  ok(app, 'POST', `/v1/tasks/${taskId}/reports`, { organizationId, period, percentComplete, confidence, narrative: 'Work goes on.' });

async function report(app: App, query: Record<string, string>, headers: Record<string, string | undefined> = {}): Promise<ProgressReport> {
  const res = await app.inject({ url: `/v1/reports/progress?${new URLSearchParams(query)}`, headers });
  if (res.statusCode !== 200) throw new Error(`the report answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

async function allTasks(app: App, planId: string): Promise<Task[]> {
  const items: Task[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Task[]; nextCursor: string | null } = json(await app.inject({ url: `/v1/tasks?planId=${planId}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}` }));
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/**
 * The Belarus–Kazakhstan plan of the tests, built day by day (UTC times; Minsk is UTC+3):
 * 1.1 in progress, overdue since 1 Nov; 1.2 done 10 Oct, closed 20 Oct 23:30 Minsk (on time); 1.3 done 5 Oct
 * after its 1 Oct deadline, closed (late); 1.4 not started, moved 20 Nov → 10 Dec; 1.5 cancelled; 1.6 moved
 * 31 Dec → 31 Jan (approved) → 20 Dec (earlier: no postponement) → 1 Mar 2027, on hold from 21 Oct 00:30 Minsk;
 * 1.7 created 21 Oct 00:30 Minsk, done, overdue since 20 Nov. Today is 28 Nov 2026, 12:00 in Minsk.
 */
async function scenario(t: Test) {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const seed = await seedPlan(app);
  const { by, kz, meeting, plan, commission } = seed;
  const mtz = await createOrganization(app, { name: 'MTZ (Minsk Tractor Works)', shortName: 'MTZ', kind: 'enterprise', country: 'BY' });
  const leads = [
    { organizationId: by.id, role: 'lead' },
    { organizationId: kz.id, role: 'lead' },
  ];
  const mk = (code: string, dueDate: string, area: string, extra: Record<string, unknown> = {}) =>
    createTask(app, { planId: plan.id, code, dueDate, area, title: `Measure ${code}`, assignees: leads, ...extra });
  const t11 = await mk('1.1', '2026-11-01', 'mechanical_engineering', {
    title: 'Tractor assembly in Kostanay',
    translations: { ru: { title: 'Сборка тракторов в Костанае' } },
    formOfCompletion: 'Report to the commission',
    expectedResult: '1,000 tractors a year',
    basis: { meetingId: meeting.id, protocolItem: '4' },
  });
  const t12 = await mk('1.2', '2026-10-15', 'mechanical_engineering');
  const t13 = await mk('1.3', '2026-10-01', 'digitalization');
  const t14 = await mk('1.4', '2026-11-20', 'digitalization', {
    assignees: [...leads, { organizationId: mtz.id, role: 'co_executor' }],
  });
  const t15 = await mk('1.5', '2026-09-30', 'food_supplies', { assignees: [{ organizationId: kz.id, role: 'lead' }] });
  const t16 = await mk('1.6', '2026-12-31', 'trade');
  await approvePlan(app, plan.id);
  for (const id of [t11.id, t12.id, t13.id, t16.id]) await transition(app, id, 'in_progress');
  await transition(app, t15.id, 'cancelled');

  clock.set('2026-09-10T09:00:00.000Z');
  await requestApproved(app, clock, t16.id, '2027-01-31', '2026-09-12T09:00:00.000Z');

  const indicator = await ok(app, 'POST', '/v1/indicators', { planId: plan.id, taskId: t11.id, name: 'Tractors assembled', unit: 'tractors', baseline: 600, target: 1200 });
  const planIndicator = await ok(app, 'POST', '/v1/indicators', { planId: plan.id, name: 'Trade turnover', unit: 'USD million', baseline: 100, target: 200 });
  await ok(app, 'PUT', `/v1/indicators/${indicator.id}/values/2026-Q2`, { value: 700 });

  clock.set('2026-10-01T09:00:00.000Z');
  await direct(app, t14.id, '2026-12-10');
  await direct(app, t16.id, '2026-12-20');

  clock.set('2026-10-05T09:00:00.000Z');
  await transition(app, t13.id, 'done');
  await submitReport(app, t11.id, by.id, '2026-Q3', 50, 'green');
  await submitReport(app, t14.id, by.id, '2026-Q3', 10, 'red');
  await submitReport(app, t12.id, by.id, '2026-Q3', 80, 'amber');
  await ok(app, 'PUT', `/v1/indicators/${indicator.id}/values/2026-Q3`, { value: 900 });

  clock.set('2026-10-08T09:00:00.000Z');
  await transition(app, t13.id, 'closed');
  clock.set('2026-10-10T09:00:00.000Z');
  await transition(app, t12.id, 'done');

  clock.set('2026-10-20T20:30:00.000Z'); // 23:30 in Minsk: still 20 October
  await transition(app, t12.id, 'closed');
  clock.set('2026-10-20T21:30:00.000Z'); // 00:30 in Minsk: 21 October
  const t17 = await mk('1.7', '2026-11-20', 'trade');
  await transition(app, t16.id, 'on_hold');

  clock.set('2026-11-02T09:00:00.000Z');
  await submitReport(app, t14.id, kz.id, '2026-Q3', 20, 'amber');

  clock.set('2026-11-10T09:00:00.000Z');
  await direct(app, t16.id, '2027-03-01');
  await transition(app, t17.id, 'in_progress');
  await transition(app, t17.id, 'done');

  clock.set('2026-11-25T09:00:00.000Z');
  await submitReport(app, t11.id, by.id, '2026-Q4', 60, 'amber');
  await submitReport(app, t17.id, kz.id, '2026-Q4', 100, 'green');
  await submitReport(app, t17.id, kz.id, '2026-Q3', 90, 'red'); // an earlier period, reported later: not the latest
  await ok(app, 'PUT', `/v1/indicators/${indicator.id}/values/2026-Q4`, { value: 1000 });

  clock.set('2026-11-28T09:00:00.000Z');
  return { app, clock, commission, plan, by, kz, mtz, meeting, indicator, planIndicator, tasks: { t11, t12, t13, t14, t15, t16, t17 } };
}

const statuses = (s: Partial<Record<string, number>>) => ({ not_started: 0, in_progress: 0, on_hold: 0, done: 0, closed: 0, cancelled: 0, ...s });

t.test('every figure of a plan as of today', async (t) => {
  const { app, plan, by, kz, mtz, commission, meeting, indicator, planIndicator, tasks: T } = await scenario(t);
  const r = await report(app, { planId: plan.id });

  t.strictSame(r.scope, {
    commissionId: commission.id,
    commissionName: commission.name,
    timeZone: 'Europe/Minsk',
    parties: ['BY', 'KZ'],
    plans: [{ id: plan.id, title: plan.title, status: 'approved', reportingPeriod: { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' } }],
  });
  t.equal(r.asOf, '2026-11-28', 'today in Minsk');
  t.equal(r.generatedAt, '2026-11-28T09:00:00.000Z');
  t.equal(r.lang, null);
  t.strictSame(r.reportingPeriod, { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' });

  t.strictSame(r.totals, {
    taskCount: 7,
    byStatus: statuses({ not_started: 1, in_progress: 1, on_hold: 1, done: 1, closed: 2, cancelled: 1 }),
    percentByStatus: { not_started: 14.3, in_progress: 14.3, on_hold: 14.3, done: 14.3, closed: 28.6, cancelled: 14.3 },
    closedOnTime: 1,
    closedLate: 1,
    closedOnTimeAgainstOriginal: 1,
    overdue: 2,
    overdueDays: 27 + 8,
    dueNext30Days: 1,
    postponedTasks: 2,
    postponements: 3,
    daysMoved: 20 + 31 + 71,
    confidence: { green: 1, amber: 3, red: 1, none: 8 }, // the cancelled task's executor is left out
    missingReports: 5,
  });

  t.strictSame(
    r.byParty.map((g) => [g.key, g.label, g.taskCount, g.overdue, g.postponements, g.confidence, g.missingReports]),
    [
      ['BY', 'Belarus', 6, 2, 3, { green: 0, amber: 2, red: 1, none: 4 }, 2],
      ['KZ', 'Kazakhstan', 7, 2, 3, { green: 1, amber: 1, red: 0, none: 4 }, 3],
    ],
    'a task counts for each party among its assignees; assignments for the party of their organization',
  );
  t.strictSame(r.byParty[1]?.byStatus, statuses({ not_started: 1, in_progress: 1, on_hold: 1, done: 1, closed: 2, cancelled: 1 }));
  t.strictSame(r.byParty[0]?.byStatus, statuses({ not_started: 1, in_progress: 1, on_hold: 1, done: 1, closed: 2 }));
  t.equal(r.byParty[0]?.percentByStatus.closed, 33.3);

  t.strictSame(
    r.byOrganization.map((g) => [g.key, g.label, g.country, g.shortName, g.taskCount, g.dueNext30Days, g.confidence.none, g.missingReports]),
    [
      [by.id, by.name, 'BY', 'Minprom', 6, 1, 3, 1],
      [mtz.id, mtz.name, 'BY', 'MTZ', 1, 1, 1, 1],
      [kz.id, kz.name, 'KZ', 'MIC', 7, 1, 4, 3],
    ],
    'organizations by party, then name',
  );
  t.strictSame(
    r.byArea.map((g) => [g.key, g.label, g.taskCount, g.closedOnTime, g.closedLate, g.overdue, g.overdueDays, g.postponedTasks, g.daysMoved]),
    [
      ['mechanical_engineering', 'Mechanical engineering', 2, 1, 0, 1, 27, 0, 0],
      ['digitalization', 'Digitalization', 2, 0, 1, 0, 0, 1, 20],
      ['food_supplies', 'Food supplies', 1, 0, 0, 0, 0, 0, 0],
      ['trade', 'Trade', 2, 0, 0, 1, 8, 1, 102],
    ],
  );

  const task = (id: string) => r.tasks.find((x) => x.taskId === id) as ReportTask;
  t.strictSame(
    r.tasks.map((x) => x.code),
    ['1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7'],
    'every task, by code',
  );
  t.strictSame(task(T.t11.id), {
    taskId: T.t11.id,
    planId: plan.id,
    code: '1.1',
    title: 'Tractor assembly in Kostanay',
    area: 'mechanical_engineering',
    status: 'in_progress',
    dueDate: '2026-11-01',
    originalDueDate: '2026-11-01',
    overdue: true,
    daysOverdue: 27,
    postponementCount: 0,
    daysMoved: 0,
    completion: null,
    completionAgainstOriginal: null,
    formOfCompletion: 'Report to the commission',
    expectedResult: '1,000 tractors a year',
    basis: {
      meetingId: meeting.id,
      meetingTitle: 'Official visit to Astana',
      meetingDate: '2026-11-04',
      protocolNumber: '1',
      protocolItem: '4',
      text: 'Protocol No. 1 of 2026-11-04 (Official visit to Astana), item 4',
    },
    percentComplete: 60,
    confidence: 'amber',
    executors: [
      { organizationId: by.id, name: by.name, shortName: 'Minprom', country: 'BY', role: 'lead' },
      { organizationId: kz.id, name: kz.name, shortName: 'MIC', country: 'KZ', role: 'lead' },
    ],
  });
  t.match(task(T.t12.id), { status: 'closed', completion: 'on_time', overdue: false, basis: null, percentComplete: 80, confidence: 'amber' });
  t.match(task(T.t13.id), { status: 'closed', completion: 'late', percentComplete: null, confidence: null });
  t.match(task(T.t14.id), { status: 'not_started', dueDate: '2026-12-10', originalDueDate: '2026-11-20', postponementCount: 1, daysMoved: 20, percentComplete: 10, confidence: 'red' });
  t.strictSame(task(T.t14.id).executors.map((e) => e.role), ['lead', 'lead', 'co_executor'], 'leads first');
  t.match(task(T.t15.id), { status: 'cancelled', overdue: false, completion: null });
  t.match(task(T.t16.id), { status: 'on_hold', dueDate: '2027-03-01', originalDueDate: '2026-12-31', postponementCount: 2, daysMoved: 102 });
  t.match(task(T.t17.id), { status: 'done', overdue: true, daysOverdue: 8, completion: null, percentComplete: 100, confidence: 'green' });

  t.strictSame(r.overdue.map((x) => [x.code, x.daysOverdue]), [['1.1', 27], ['1.7', 8]], 'overdue, most days late first');
  t.strictSame(r.dueSoon.map((x) => x.code), ['1.4']);
  t.strictSame(r.mostPostponed.map((x) => [x.code, x.postponementCount, x.daysMoved]), [['1.6', 2, 102], ['1.4', 1, 20]]);
  t.strictSame(
    r.missingReports.map((m) => [m.code, m.organizationId, m.period, m.deadline]),
    [
      ['1.1', kz.id, '2026-Q3', '2026-10-10'],
      ['1.2', kz.id, '2026-Q3', '2026-10-10'],
      ['1.4', mtz.id, '2026-Q3', '2026-10-10'],
      ['1.6', by.id, '2026-Q3', '2026-10-10'],
      ['1.6', kz.id, '2026-Q3', '2026-10-10'],
    ],
    'open at the Q3 deadline, no Q3 report: 1.3 was closed by then, 1.5 cancelled, 1.7 not yet created; 1.4 KZ reported late',
  );
  t.match(r.missingReports[0], { title: 'Tractor assembly in Kostanay', organizationName: kz.name, country: 'KZ' });

  t.strictSame(r.indicators, [
    { id: indicator.id, planId: plan.id, name: 'Tractors assembled', unit: 'tractors', taskId: T.t11.id, baseline: 600, target: 1200, actual: 900, actualPeriod: '2026-Q3', progressPercent: 50 },
    { id: planIndicator.id, planId: plan.id, name: 'Trade turnover', unit: 'USD million', taskId: null, baseline: 100, target: 200, actual: null, actualPeriod: null, progressPercent: null },
  ], 'the running quarter\'s value does not count yet');
});

t.test('as of today the report agrees with GET /v1/tasks task by task', async (t) => {
  const { app, plan } = await scenario(t);
  const r = await report(app, { planId: plan.id });
  const listed = await allTasks(app, plan.id);
  t.equal(r.tasks.length, listed.length);
  for (const [i, task] of listed.entries()) {
    t.strictSame(
      r.tasks[i] && {
        id: r.tasks[i].taskId,
        status: r.tasks[i].status,
        dueDate: r.tasks[i].dueDate,
        originalDueDate: r.tasks[i].originalDueDate,
        overdue: r.tasks[i].overdue,
        daysOverdue: r.tasks[i].daysOverdue,
        postponementCount: r.tasks[i].postponementCount,
        completion: r.tasks[i].completion,
        completionAgainstOriginal: r.tasks[i].completionAgainstOriginal,
      },
      {
        id: task.id,
        status: task.status,
        dueDate: task.dueDate,
        originalDueDate: task.originalDueDate,
        overdue: task.overdue,
        daysOverdue: task.daysOverdue,
        postponementCount: task.postponementCount,
        completion: task.completion?.againstDueDate ?? null,
        completionAgainstOriginal: task.completion?.againstOriginalDueDate ?? null,
      },
      `task ${task.code}`,
    );
  }
});

t.test('as of a past day the plan is shown as it stood at the end of that day in the commission\'s zone', async (t) => {
  const { app, plan, by, kz, mtz, indicator, tasks: T } = await scenario(t);
  const r = await report(app, { planId: plan.id, asOf: '2026-10-20' });
  t.equal(r.asOf, '2026-10-20');
  t.strictSame(r.reportingPeriod, { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' });
  t.strictSame(
    r.tasks.map((x) => [x.code, x.status, x.dueDate, x.postponementCount, x.daysMoved, x.overdue, x.completion]),
    [
      ['1.1', 'in_progress', '2026-11-01', 0, 0, false, null],
      ['1.2', 'closed', '2026-10-15', 0, 0, false, 'on_time'],
      ['1.3', 'closed', '2026-10-01', 0, 0, false, 'late'],
      ['1.4', 'not_started', '2026-12-10', 1, 20, false, null],
      ['1.5', 'cancelled', '2026-09-30', 0, 0, false, null],
      ['1.6', 'in_progress', '2026-12-20', 1, 31, false, null],
    ],
    '1.2 closed at 23:30 counts; 1.7 created and 1.6 put on hold at 00:30 the next day do not',
  );
  t.strictSame(r.totals, {
    taskCount: 6,
    byStatus: statuses({ not_started: 1, in_progress: 2, closed: 2, cancelled: 1 }),
    percentByStatus: { not_started: 16.7, in_progress: 33.3, on_hold: 0, done: 0, closed: 33.3, cancelled: 16.7 },
    closedOnTime: 1,
    closedLate: 1,
    closedOnTimeAgainstOriginal: 1,
    overdue: 0,
    overdueDays: 0,
    dueNext30Days: 1,
    postponedTasks: 2,
    postponements: 2,
    daysMoved: 51,
    confidence: { green: 1, amber: 1, red: 1, none: 8 },
    missingReports: 6,
  });
  t.match(r.tasks[0], { percentComplete: 50, confidence: 'green' }, 'the Q3 report was the latest then');
  t.match(r.tasks[3], { percentComplete: 10, confidence: 'red' }, 'the KZ report of 2 November did not exist yet');
  t.strictSame(
    r.missingReports.map((m) => [m.code, m.organizationId]),
    [
      ['1.1', kz.id],
      ['1.2', kz.id],
      ['1.4', kz.id],
      ['1.4', mtz.id],
      ['1.6', by.id],
      ['1.6', kz.id],
    ],
  );
  t.strictSame(r.dueSoon.map((x) => x.code), ['1.1']);
  t.strictSame(r.mostPostponed.map((x) => x.code), ['1.6', '1.4']);
  t.match(r.indicators[0], { id: indicator.id, actual: 900, actualPeriod: '2026-Q3', progressPercent: 50 });
  t.equal(r.byOrganization.length, 3);
  t.equal(r.tasks.find((x) => x.taskId === T.t17.id), undefined);

  const early = await report(app, { planId: plan.id, asOf: '2026-09-15' });
  t.match(early.indicators[0], { actual: 700, actualPeriod: '2026-Q2', progressPercent: 16.7 }, 'a value recorded later does not count yet');
  t.match(early.tasks[5], { dueDate: '2027-01-31', postponementCount: 1, daysMoved: 31 }, 'the approved request had moved 1.6');
  t.strictSame(early.totals.byStatus, statuses({ in_progress: 4, not_started: 1, cancelled: 1 }));
  t.equal(early.totals.overdue, 0, '1.5 was cancelled before its deadline');

  const deadlineDay = await report(app, { planId: plan.id, asOf: '2026-10-10' });
  t.strictSame(deadlineDay.reportingPeriod, { current: '2026-Q4', lastDue: '2026-Q2', lastDueDeadline: '2026-07-10' }, 'Q3 reports are not late on their deadline day');
  t.equal(deadlineDay.totals.missingReports, 0, 'no task existed at the Q2 deadline');
  t.strictSame(deadlineDay.totals.byStatus, statuses({ not_started: 1, in_progress: 2, done: 1, closed: 1, cancelled: 1 }));
  t.match(deadlineDay.tasks[2], { status: 'closed', completion: 'late' });
  t.match(deadlineDay.tasks[1], { status: 'done', completion: null, overdue: false });

  // The day before the approval: the plan was not in force, as a draft is refused today (not a report of zeros).
  const before = assertProblem(t, await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-08-31` }), 422, 'invalid-value');
  t.equal(before.detail, 'the plan was approved on 2026-09-01: it has no progress to report on 2026-08-31');
});

t.test('a commission report covers its approved and closed plans, each with its own reporting periods', async (t) => {
  const { app, clock, commission, plan, kz } = await scenario(t);
  clock.set('2026-11-01T09:00:00.000Z');
  const monthly = await createPlan(app, commission.id, { title: 'Food supplies roadmap', periodStart: '2026-10-01', reportingFrequency: 'monthly', reportDueDays: 5 });
  const food = await createTask(app, { planId: monthly.id, code: '1.1', dueDate: '2027-02-01', area: 'food_supplies', assignees: [{ organizationId: kz.id, role: 'lead' }] });
  await approvePlan(app, monthly.id);
  await createPlan(app, commission.id, { title: 'A draft, left out' });
  clock.set('2026-11-28T09:00:00.000Z');

  const r = await report(app, { commissionId: commission.id });
  t.strictSame(r.scope.plans.map((p) => p.id), [plan.id, monthly.id], 'the draft is left out');
  t.equal(r.totals.taskCount, 8);
  t.strictSame(r.tasks.map((x) => x.code), ['1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.1'], 'by plan, then code');
  t.strictSame(r.reportingPeriod, { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' }, 'those of the first plan');
  t.strictSame(
    r.scope.plans.map((p) => p.reportingPeriod),
    [
      { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' },
      { current: '2026-11', lastDue: '2026-10', lastDueDeadline: '2026-11-05' },
    ],
    'and each plan its own',
  );
  t.match(
    r.missingReports.at(-1),
    { taskId: food.id, organizationId: kz.id, period: '2026-10', deadline: '2026-11-05' },
    'the monthly plan is late for October',
  );
  t.equal(r.totals.missingReports, 6);
  t.equal(r.byArea.find((g) => g.key === 'food_supplies')?.taskCount, 2);

  const single = await report(app, { planId: plan.id });
  t.equal(single.totals.taskCount, 7, 'a plan report sees only its plan');

  const csv = await app.inject({ url: `/v1/reports/progress?commissionId=${commission.id}&format=csv` });
  t.equal(csv.headers['content-disposition'], `attachment; filename="progress-${commission.id}-2026-11-28.csv"`);
});

t.test('a commission without approved plans has an empty report', async (t) => {
  const app = await build(t);
  const { commission } = await seedPlan(app);
  const r = await report(app, { commissionId: commission.id });
  t.strictSame(r.scope.plans, []);
  t.equal(r.totals.taskCount, 0);
  t.strictSame(r.reportingPeriod, { current: '2026-Q4', lastDue: null, lastDueDeadline: null });
});

t.test('lang shows translated titles and labels where they exist', async (t) => {
  const { app, plan, tasks: T } = await scenario(t);
  const ru = await report(app, { planId: plan.id, lang: 'ru' });
  t.equal(ru.lang, 'ru');
  t.equal(ru.tasks[0]?.title, 'Сборка тракторов в Костанае');
  t.equal(ru.tasks[1]?.title, 'Measure 1.2', 'untranslated titles stay as they are');
  t.equal(ru.overdue[0]?.title, 'Сборка тракторов в Костанае');
  t.equal(ru.missingReports[0]?.title, 'Сборка тракторов в Костанае');
  t.strictSame(ru.byParty.map((g) => g.label), ['Беларусь', 'Казахстан']);
  t.equal(ru.byArea[0]?.label, 'Машиностроение');
  const kk = await report(app, { planId: plan.id, lang: 'kk' });
  t.equal(kk.tasks.find((x) => x.taskId === T.t11.id)?.title, 'Tractor assembly in Kostanay', 'no Kazakh translation: the title');
  const en = await report(app, { planId: plan.id, lang: 'en' });
  t.equal(en.byArea[0]?.label, 'Mechanical engineering');
});

t.test('asked for in kk or be, parties are named in Russian as areas are, as the page and the workbook name them', async (t) => {
  const { app, plan } = await scenario(t);
  for (const lang of ['kk', 'be'] as const) {
    const r = await report(app, { planId: plan.id, lang });
    t.equal(r.byArea[0]?.label, 'Машиностроение', `${lang}: areas in Russian`);
    // In Kazakh Intl names Kazakhstan "Қазақстан": beside Russian areas, a Russian page saying "Казахстан (KZ)" and a
    // Russian workbook, the total row "Итого" and the party rows disagreed in one CSV.
    t.strictSame(r.byParty.map((g) => g.label), ['Беларусь', 'Казахстан'], `${lang}: parties in Russian`);
  }
});

t.test('refusals', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const { plan, commission, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });

  const draft = assertProblem(t, await app.inject({ url: `/v1/reports/progress?planId=${plan.id}` }), 409, 'plan-state-conflict');
  t.equal(draft.detail, 'a draft plan has no progress to report');
  await approvePlan(app, plan.id);

  const future = assertProblem(t, await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-11-29` }), 422, 'invalid-value');
  t.strictSame(future.errors, [{ path: 'querystring.asOf', message: 'a date in the future has no progress yet' }]);
  clock.set('2026-11-28T21:30:00.000Z'); // already 29 November in Minsk
  t.equal((await report(app, { planId: plan.id, asOf: '2026-11-29' })).asOf, '2026-11-29', 'today in Minsk, though not yet in UTC');
  t.equal((await report(app, { planId: plan.id })).asOf, '2026-11-29');

  const both = assertProblem(t, await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&commissionId=${commission.id}` }), 400, 'validation-failed');
  t.match(both.detail, /exactly one of planId and commissionId/);
  assertProblem(t, await app.inject({ url: '/v1/reports/progress' }), 400, 'validation-failed');
  assertProblem(t, await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&asOf=2026-02-30` }), 400, 'validation-failed');
  assertProblem(t, await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&lang=de` }), 400, 'validation-failed');
  assertProblem(t, await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&format=pdf` }), 400, 'validation-failed');
  assertProblem(t, await app.inject({ url: `/v1/reports/progress?planId=${plan.id}&colour=red` }), 400, 'validation-failed');
  assertProblem(t, await app.inject({ url: '/v1/reports/progress?planId=not-an-id' }), 400, 'validation-failed');
  assertProblem(t, await app.inject({ url: `/v1/reports/progress?planId=${MISSING_ID}` }), 404, 'not-found');
  assertProblem(t, await app.inject({ url: `/v1/reports/progress?commissionId=${MISSING_ID}` }), 404, 'not-found');
});

t.test('every role can read the report; without a key it is 401', async (t) => {
  const app = await build(t);
  const { plan, by, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  for (const [role, org] of [['co_chair'], ['observer'], ['ministry', by.id], ['secretariat']] as const) {
    const key = await keyFor(app, role, org);
    const res = await app.inject({ url: `/v1/reports/progress?planId=${plan.id}`, headers: key.headers });
    t.equal(res.statusCode, 200, `${role} reads it`);
    t.equal(json(res).totals.taskCount, 1);
  }
  const anonymous = assertProblem(t, await app.inject({ url: `/v1/reports/progress?planId=${plan.id}`, headers: { authorization: undefined } }), 401, 'unauthorized');
  t.ok(anonymous);
});

t.test('the end of a day is found in any time zone, across DST changes', async (t) => {
  const cases: [string, string][] = [
    ['2026-11-28', 'Europe/Minsk'],
    ['2026-03-28', 'Europe/Berlin'], // clocks go forward in the night after
    ['2026-03-29', 'Europe/Berlin'],
    ['2026-10-25', 'Europe/Berlin'],
    ['2026-09-05', 'America/Santiago'], // DST starts at midnight: 24:00 → 01:00
    ['2026-04-04', 'America/Santiago'],
    ['2026-06-30', 'Pacific/Kiritimati'],
    ['2026-06-30', 'Pacific/Pago_Pago'],
    ['2026-12-31', 'UTC'],
    ['2026-07-15', 'Asia/Kathmandu'],
  ];
  for (const [date, zone] of cases) {
    const end = Date.parse(endOfDay(date, zone));
    t.equal(dateInZone(new Date(end - 1), zone), date, `${zone}: the last millisecond of ${date} is still ${date}`);
    t.ok(dateInZone(new Date(end), zone) > date, `${zone}: ${endOfDay(date, zone)} is already the next day`);
  }
  t.equal(endOfDay('2026-11-28', 'Europe/Minsk'), '2026-11-28T21:00:00.000Z');
  // Kept answers (past the memo's bound, so it is emptied on the way) are the day's end, every day of twelve years.
  const day = (i: number) => new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
  let wrong = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < 12 * 366; i++) {
      const end = Date.parse(endOfDay(day(i), 'America/Santiago'));
      if (dateInZone(new Date(end - 1), 'America/Santiago') !== day(i) || !(dateInZone(new Date(end), 'America/Santiago') > day(i))) wrong++;
    }
  }
  t.equal(wrong, 0, 'every day of 2020-2031 in Santiago, asked twice, ends where its date changes');
});
