// Property: for many generated plans lived day by day, every figure of the progress report equals an
// independent count over GET /v1/tasks — today, and on each past day from the list saved that day.
import { deepStrictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import t from 'tap';
import type { App } from '../../src/app.js';
import { TASK_STATUSES, type TaskStatus } from '../../src/db/enums.js';
import type { Breakdown, ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { TASK_TRANSITIONS } from '../../src/modules/tasks/task-status.js';
import type { Task } from '../../src/modules/tasks/tasks.schemas.js';
import { build, json, testClock } from '../helper.js';
import { approvePlan, createCommission, createOrganization, createPlan, createTask } from '../factories.js';

// ---- the independent arithmetic of the test: calendar days, periods, zones ----

const DAY = 86_400_000;
const plus = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const diff = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY);
const dayIn = (instant: string, zone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));

type Frequency = 'quarterly' | 'monthly';
/** Every period of a frequency from the year 2026 on: its name and last day. */
function periods(frequency: Frequency): { name: string; end: string }[] {
  const out: { name: string; end: string }[] = [];
  for (const year of [2026, 2027]) {
    const months = frequency === 'quarterly' ? [3, 6, 9, 12] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    for (const m of months) {
      const end = new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10);
      const name = frequency === 'quarterly' ? `${year}-Q${m / 3}` : `${year}-${String(m).padStart(2, '0')}`;
      out.push({ name, end });
    }
  }
  return out;
}

// ---- the generated world ----

const ORGS = 4; // two of each party
const PARTY_OF = ['BY', 'BY', 'KZ', 'KZ'];
const START = '2026-03-01';

const taskArb = fc.record({
  dueOffset: fc.integer({ min: -30, max: 200 }),
  area: fc.constantFrom('trade', 'digitalization', 'energy'),
  orgs: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 1 }),
  co: fc.array(fc.boolean(), { minLength: ORGS, maxLength: ORGS }),
});
const actionArb = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('transition' as const), task: fc.nat(), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('direct' as const), task: fc.nat(), days: fc.integer({ min: -40, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('request' as const), task: fc.nat(), days: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('decide' as const), task: fc.nat(), approve: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('report' as const),
      task: fc.nat(),
      org: fc.nat(),
      back: fc.integer({ min: 0, max: 2 }),
      percent: fc.integer({ min: 0, max: 100 }),
      confidence: fc.constantFrom('green', 'amber', 'red'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('create' as const), task: taskArb }) },
);
const worldArb = fc.record({
  zone: fc.constantFrom('Europe/Minsk', 'Asia/Almaty', 'UTC', 'America/Santiago'),
  frequency: fc.constantFrom<Frequency>('quarterly', 'monthly'),
  dueDays: fc.integer({ min: 0, max: 15 }),
  startMinute: fc.integer({ min: 0, max: 24 * 60 - 1 }),
  tasks: fc.array(taskArb, { minLength: 1, maxLength: 6 }),
  steps: fc.array(fc.record({ minutes: fc.integer({ min: 1, max: 25 * 24 * 60 }), actions: fc.array(actionArb, { maxLength: 6 }) }), {
    minLength: 2,
    maxLength: 10,
  }),
});
type World = typeof worldArb extends fc.Arbitrary<infer W> ? W : never;
type TaskSpec = World['tasks'][number];

interface SubmittedReport {
  taskId: string;
  organizationId: string;
  period: string;
  createdAt: string;
  confidence: 'green' | 'amber' | 'red';
}

interface Change {
  status: string;
  daysMoved: number;
  decidedAt: string | null;
}

async function listTasks(app: App, planId: string): Promise<Task[]> {
  const items: Task[] = [];
  let cursor: string | null = null;
  do {
    // Small pages, so the count also goes through pagination.
    const res = await app.inject({ url: `/v1/tasks?planId=${planId}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}` });
    const page: { items: Task[]; nextCursor: string | null } = json(res);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

// ---- the independent count ----

interface Known {
  zone: string;
  frequency: Frequency;
  dueDays: number;
  periodStart: string;
  reports: SubmittedReport[];
  changes: Map<string, Change[]>;
  /** GET /v1/tasks as it was at the end of each day something happened, oldest first. */
  saved: { day: string; tasks: Task[] }[];
}

const OUT: TaskStatus[] = ['closed', 'cancelled'];
const FORWARD: Record<TaskStatus, TaskStatus> = {
  not_started: 'in_progress',
  in_progress: 'done',
  done: 'closed',
  on_hold: 'in_progress',
  closed: 'in_progress',
  cancelled: 'in_progress',
};

function lastDue(day: string, k: Known): { name: string; deadline: string } | null {
  const due = periods(k.frequency)
    .filter((p) => p.end >= k.periodStart)
    .map((p) => ({ name: p.name, deadline: plus(p.end, k.dueDays) }))
    .filter((p) => p.deadline < day);
  return due.at(-1) ?? null;
}

interface Assignment {
  organizationId: string;
  country: string;
  confidence: 'green' | 'amber' | 'red' | null;
  missing: boolean;
}

/** Every figure of the report as of `day`, counted from the task list saved that day. */
function expectedFigures(list: Task[], day: string, k: Known) {
  const due = lastDue(day, k);
  const atDeadline = due ? k.saved.filter((s) => s.day <= due.deadline).at(-1)?.tasks ?? [] : [];
  const known = k.reports.filter((r) => dayIn(r.createdAt, k.zone) <= day);
  const rows = list.map((task) => {
    const moved = (k.changes.get(task.id) ?? []).filter(
      (c) => (c.status === 'approved' || c.status === 'applied') && c.decidedAt !== null && dayIn(c.decidedAt, k.zone) <= day && c.daysMoved > 0,
    );
    const thenTask = atDeadline.find((x) => x.id === task.id);
    const owesReport = due !== null && thenTask !== undefined && !OUT.includes(thenTask.status);
    const assignments: Assignment[] = task.assignees.map((a) => {
      const mine = known.filter((r) => r.taskId === task.id && r.organizationId === a.organizationId).sort((x, y) => x.period.localeCompare(y.period));
      return {
        organizationId: a.organizationId,
        country: a.country,
        confidence: mine.at(-1)?.confidence ?? null,
        missing: owesReport && !mine.some((r) => r.period === due?.name),
      };
    });
    return { task, daysMoved: moved.reduce((s, c) => s + c.daysMoved, 0), postponements: moved.length, assignments };
  });
  type Row = (typeof rows)[number];

  const figures = (group: Row[], assignments: Assignment[]): Breakdown => {
    const count = (p: (r: Row) => boolean) => group.filter(p).length;
    const byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, count((r) => r.task.status === s)])) as Breakdown['byStatus'];
    const overdue = group.filter((r) => r.task.overdue);
    // Confidence leaves cancelled tasks out: they will not be delivered.
    const live = assignments.filter((a) => group.find((r) => r.assignments.includes(a))?.task.status !== 'cancelled');
    return {
      taskCount: group.length,
      byStatus,
      percentByStatus: Object.fromEntries(
        TASK_STATUSES.map((s) => [s, group.length === 0 ? 0 : Number(((100 * byStatus[s]) / group.length).toFixed(1))]),
      ) as Breakdown['percentByStatus'],
      closedOnTime: count((r) => r.task.completion?.againstDueDate === 'on_time'),
      closedLate: count((r) => r.task.completion?.againstDueDate === 'late'),
      closedOnTimeAgainstOriginal: count((r) => r.task.completion?.againstOriginalDueDate === 'on_time'),
      overdue: overdue.length,
      overdueDays: overdue.reduce((s, r) => s + r.task.daysOverdue, 0),
      dueNext30Days: count((r) => !OUT.includes(r.task.status) && diff(day, r.task.dueDate) >= 0 && diff(day, r.task.dueDate) <= 30),
      postponedTasks: count((r) => r.task.postponementCount > 0),
      postponements: group.reduce((s, r) => s + r.task.postponementCount, 0),
      daysMoved: group.reduce((s, r) => s + r.daysMoved, 0),
      confidence: {
        green: live.filter((a) => a.confidence === 'green').length,
        amber: live.filter((a) => a.confidence === 'amber').length,
        red: live.filter((a) => a.confidence === 'red').length,
        none: live.filter((a) => a.confidence === null).length,
      },
      missingReports: assignments.filter((a) => a.missing).length,
    };
  };

  const all = rows.flatMap((r) => r.assignments);
  const orgIds = [...new Set(rows.flatMap((r) => r.assignments.map((a) => a.organizationId)))].sort();
  const areas = [...new Set(rows.map((r) => r.task.area))].sort();
  return {
    rows,
    totals: figures(rows, all),
    byParty: Object.fromEntries(
      ['BY', 'KZ'].map((p) => {
        const group = rows.filter((r) => r.assignments.some((a) => a.country === p));
        return [p, figures(group, all.filter((a) => a.country === p))];
      }),
    ),
    byOrganization: Object.fromEntries(
      orgIds.map((o) => {
        const group = rows.filter((r) => r.assignments.some((a) => a.organizationId === o));
        return [o, figures(group, all.filter((a) => a.organizationId === o))];
      }),
    ),
    byArea: Object.fromEntries(areas.map((area) => {
      const group = rows.filter((r) => r.task.area === area);
      return [area, figures(group, group.flatMap((r) => r.assignments))];
    })),
    missing: rows.flatMap((r) => r.assignments.filter((a) => a.missing).map((a) => `${r.task.code} ${a.organizationId}`)).sort(),
  };
}

const onlyFigures = <G extends Breakdown>(g: G): Breakdown => {
  const { taskCount, byStatus, percentByStatus, closedOnTime, closedLate, closedOnTimeAgainstOriginal, overdue, overdueDays, dueNext30Days, postponedTasks, postponements, daysMoved, confidence, missingReports } = g;
  return { taskCount, byStatus, percentByStatus, closedOnTime, closedLate, closedOnTimeAgainstOriginal, overdue, overdueDays, dueNext30Days, postponedTasks, postponements, daysMoved, confidence, missingReports };
};
const keyed = (groups: (Breakdown & { key: unknown })[]) => Object.fromEntries(groups.map((g) => [String(g.key), onlyFigures(g)]));

function check(report: ProgressReport, list: Task[], day: string, k: Known, what: string): void {
  const want = expectedFigures(list, day, k);
  deepStrictEqual(report.asOf, day, `${what}: asOf`);
  deepStrictEqual(report.totals, want.totals, `${what}: totals`);
  deepStrictEqual(keyed(report.byParty), want.byParty, `${what}: byParty`);
  deepStrictEqual(keyed(report.byOrganization), want.byOrganization, `${what}: byOrganization`);
  deepStrictEqual(keyed(report.byArea), want.byArea, `${what}: byArea`);
  deepStrictEqual(
    report.tasks.map((x) => [x.taskId, x.status, x.dueDate, x.overdue, x.daysOverdue, x.postponementCount, x.daysMoved, x.completion]),
    want.rows.map((r) => [r.task.id, r.task.status, r.task.dueDate, r.task.overdue, r.task.daysOverdue, r.task.postponementCount, r.daysMoved, r.task.completion?.againstDueDate ?? null]),
    `${what}: tasks`,
  );
  deepStrictEqual(report.overdue.map((x) => x.taskId).sort(), list.filter((x) => x.overdue).map((x) => x.id).sort(), `${what}: overdue list`);
  deepStrictEqual(report.dueSoon.length, want.totals.dueNext30Days, `${what}: due-soon list`);
  deepStrictEqual(report.missingReports.map((m) => `${m.code} ${m.organizationId}`).sort(), want.missing, `${what}: missing reports`);
}

// ---- living a world ----

async function live(app: App, w: World, clock: ReturnType<typeof testClock>) {
  // The world begins at its start: its commission, organizations and plan are created then, not at the test clock's
  // default day, months later (a plan created after its approval, which a past day's report refuses as not yet in force).
  clock.set(new Date(Date.parse(`${START}T00:00:00Z`) + w.startMinute * 60_000).toISOString());
  const commission = await createCommission(app, { timeZone: w.zone });
  const orgs = await Promise.all(
    PARTY_OF.map((country, i) => createOrganization(app, { name: `Organization ${i} of ${country}`, country, kind: 'ministry' })),
  );
  const plan = await createPlan(app, commission.id, { periodStart: '2026-01-01', reportingFrequency: w.frequency, reportDueDays: w.dueDays });
  const k: Known = { zone: w.zone, frequency: w.frequency, dueDays: w.dueDays, periodStart: '2026-01-01', reports: [], changes: new Map(), saved: [] };
  const model: { id: string; status: TaskStatus; due: string; orgs: string[]; pending: { id: string; newDueDate: string } | null }[] = [];
  let now = Date.parse(`${START}T00:00:00Z`) + w.startMinute * 60_000;
  const iso = () => new Date(now).toISOString();
  const today = () => dayIn(iso(), w.zone);
  clock.set(iso());

  const create = async (spec: TaskSpec) => {
    const dueDate = plus(today(), spec.dueOffset);
    const assignees = spec.orgs.map((o, i) => ({ organizationId: orgs[o].id, role: i === 0 || !spec.co[o] ? 'lead' : 'co_executor' }));
    const task: Task = await createTask(app, { planId: plan.id, code: `${model.length + 1}`, dueDate, area: spec.area, assignees });
    model.push({ id: task.id, status: 'not_started', due: dueDate, orgs: spec.orgs.map((o) => orgs[o].id), pending: null });
  };
  const save = async () => {
    const tasks = await listTasks(app, plan.id);
    const day = today();
    if (k.saved.at(-1)?.day === day) k.saved.pop();
    k.saved.push({ day, tasks });
  };

  for (const spec of w.tasks) await create(spec);
  await approvePlan(app, plan.id);
  await save();

  for (const step of w.steps) {
    now += step.minutes * 60_000;
    clock.set(iso());
    for (const a of step.actions) {
      if (a.kind === 'create') {
        await create(a.task);
        continue;
      }
      const m = model[a.task % model.length] as (typeof model)[number];
      if (a.kind === 'transition') {
        // Mostly forward, so plans get done and closed; otherwise any legal transition.
        const options = TASK_TRANSITIONS.filter((x) => x.from === m.status);
        const to = a.pick % 5 < 3 ? FORWARD[m.status] : (options[a.pick % options.length]?.to as TaskStatus);
        const res = await app.inject({ method: 'POST', url: `/v1/tasks/${m.id}/transitions`, payload: { to } });
        if (res.statusCode !== 200) throw new Error(`a legal transition was refused: ${res.body}`);
        m.status = to;
      } else if (a.kind === 'direct') {
        const newDueDate = plus(m.due, a.days);
        const res = await app.inject({
          method: 'POST',
          url: `/v1/tasks/${m.id}/deadline-changes`,
          payload: { kind: 'direct', newDueDate, reason: 'Moved by the secretariat' },
        });
        if (res.statusCode === 201) m.due = newDueDate;
      } else if (a.kind === 'request') {
        // Asked now, decided (if ever) at a later action: the due date moves when it is decided, not asked.
        const newDueDate = plus(m.due > today() ? m.due : today(), a.days);
        const res = await app.inject({ method: 'POST', url: `/v1/tasks/${m.id}/deadline-changes`, payload: { kind: 'request', newDueDate, reason: 'More time' } });
        if (res.statusCode === 201) m.pending = { id: json(res).id, newDueDate };
      } else if (a.kind === 'decide') {
        if (m.pending === null) continue;
        const res = await app.inject({
          method: 'POST',
          url: `/v1/tasks/${m.id}/deadline-changes/${m.pending.id}/decision`,
          payload: { decision: a.approve ? 'approve' : 'reject', basis: 'Protocol No. 5' },
        });
        if (res.statusCode === 200 && a.approve) m.due = m.pending.newDueDate;
        if (res.statusCode === 200) m.pending = null;
      } else {
        const organizationId = m.orgs[a.org % m.orgs.length] as string;
        const all = periods(w.frequency);
        const current = all.findIndex((p) => p.end >= today());
        const period = all[Math.max(0, current - a.back)]?.name as string;
        const res = await app.inject({
          method: 'POST',
          url: `/v1/tasks/${m.id}/reports`,
          payload: { organizationId, period, percentComplete: a.percent, confidence: a.confidence, narrative: 'Progress.' },
        });
        if (res.statusCode === 201) k.reports.push({ taskId: m.id, organizationId, period, createdAt: iso(), confidence: a.confidence });
      }
    }
    await save();
  }
  for (const m of model) {
    const res = await app.inject({ url: `/v1/tasks/${m.id}/deadline-changes?limit=200` });
    k.changes.set(m.id, json(res).items);
  }
  return { commission, plan, k, today: today() };
}

t.test('the report agrees with an independent count over the task list, today and on every past day', async (t) => {
  let runs = 0;
  let pastDays = 0;
  let figuresSeen = 0;
  let closedOnPastDays = 0;
  let reportsOutOfOrder = 0;
  await fc.assert(
    fc.asyncProperty(worldArb, async (w) => {
      const clock = testClock();
      const app = await build(t, clock);
      try {
        const { commission, plan, k, today } = await live(app, w, clock);
        const get = async (query: string): Promise<ProgressReport> => {
          const res = await app.inject({ url: `/v1/reports/progress?${query}` });
          if (res.statusCode !== 200) throw new Error(`the report answered ${res.statusCode}: ${res.body}`);
          return json(res);
        };

        const current = await listTasks(app, plan.id);
        const todayReport = await get(`planId=${plan.id}`);
        check(todayReport, current, today, k, `today ${today}`);
        const commissionReport = await get(`commissionId=${commission.id}`);
        deepStrictEqual(commissionReport.totals, todayReport.totals, 'the commission of one plan reports the same');

        for (const saved of k.saved.filter((s) => s.day < today)) {
          check(await get(`planId=${plan.id}&asOf=${saved.day}`), saved.tasks, saved.day, k, `as of ${saved.day}`);
          pastDays += 1;
          closedOnPastDays += saved.tasks.filter((x) => x.status === 'closed').length;
        }
        runs += 1;
        reportsOutOfOrder += k.reports.filter((r, i) =>
          k.reports.slice(0, i).some((e) => e.taskId === r.taskId && e.organizationId === r.organizationId && e.period > r.period),
        ).length;
        figuresSeen += todayReport.totals.postponements + todayReport.totals.missingReports + todayReport.totals.overdue;
      } finally {
        await app.close();
      }
    }),
    { numRuns: 25, seed: Number(process.env.PROPERTY_SEED ?? 20261128), endOnFailure: true },
  );
  t.equal(runs, 25, '25 generated plans');
  t.ok(pastDays > 25, `${pastDays} past days checked`);
  t.ok(figuresSeen > 0, 'the generated plans have overdue tasks, postponements and missing reports to count');
  t.ok(closedOnPastDays > 0, `${closedOnPastDays} closed tasks on past days`);
  t.comment(`reports of an earlier period submitted after a later one: ${reportsOutOfOrder}`);
});
