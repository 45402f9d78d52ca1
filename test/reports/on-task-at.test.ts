// "Was the organization on the task when the deadline day ended?" is asked in three places: the co-chairs' report
// (missingReports, today's and a past day's), an organization's calendar feed (its past deadlines) and the submission of
// a progress report (submittedLate). Each case here is an organization alone on its task with two leads, whose
// assignment is changed around the Q3 deadline; the three must give the same answer.
import t, { type Test } from 'tap';
import type { ProgressReport } from '../../src/modules/reports/progress.schemas.js';
import { build, json, preparedDuring, testClock } from '../helper.js';
import { approvePlan, createCommission, createOrganization, createPlan, createTask } from '../factories.js';
import { send } from '../modules/import-requests.js';

type Org = { id: string; name: string };
type Assignee = { organizationId: string; role: 'lead' | 'co_executor' };

/** When each change happens, what it does to the case's organization X, and how. */
type Step = [at: string, what: 'off' | 'co' | 'lead', how?: 'import'];

/**
 * The Q3 reports of a plan approved on 1 September 2026 in Minsk (UTC+3), reported on quarterly with reports due 10
 * days after a quarter, were due on 10 October: that day ended at 2026-10-10T21:00:00Z.
 */
const CASES: { name: string; start: 'off' | 'co' | 'lead'; steps: Step[]; owed: boolean }[] = [
  { name: 'on from the start, taken off and put back before the deadline', start: 'co', steps: [['2026-10-01', 'off'], ['2026-10-05', 'co']], owed: true },
  { name: 'taken off before the deadline, put back after it', start: 'co', steps: [['2026-10-05', 'off'], ['2026-10-20', 'co']], owed: false },
  { name: 'taken off and put back after the deadline', start: 'co', steps: [['2026-11-01', 'off'], ['2026-11-20', 'co']], owed: true },
  { name: 'taken off and put back twice after the deadline', start: 'co', steps: [['2026-10-15', 'off'], ['2026-10-20', 'co'], ['2026-11-01', 'off'], ['2026-11-20', 'co']], owed: true },
  { name: 'taken off and put back before the deadline, then again after it', start: 'co', steps: [['2026-10-01', 'off'], ['2026-10-05', 'co'], ['2026-10-15', 'off'], ['2026-11-20', 'co']], owed: true },
  { name: 'taken off before the deadline, put back, taken off and put back again after it', start: 'co', steps: [['2026-10-01', 'off'], ['2026-10-15', 'co'], ['2026-10-20', 'off'], ['2026-11-20', 'co']], owed: false },
  { name: 'put on only after the deadline', start: 'off', steps: [['2026-11-20', 'co']], owed: false },
  { name: 'taken off by an import after the deadline, put back by hand', start: 'co', steps: [['2026-11-01', 'off', 'import'], ['2026-11-20', 'co']], owed: true },
  { name: 'taken off after the deadline, put back by an import', start: 'co', steps: [['2026-11-01', 'off'], ['2026-11-20', 'co', 'import']], owed: true },
  { name: 'taken off before the deadline, put back by an import after it', start: 'co', steps: [['2026-10-05', 'off'], ['2026-11-20', 'co', 'import']], owed: false },
  { name: 'a co-executor made a lead after the deadline (no new assignment)', start: 'co', steps: [['2026-11-20', 'lead']], owed: true },
  { name: 'a lead made a co-executor by an import after the deadline', start: 'lead', steps: [['2026-11-20', 'co', 'import']], owed: true },
  { name: 'a lead taken off after the deadline, put back as a co-executor', start: 'lead', steps: [['2026-11-01', 'off'], ['2026-11-20', 'co']], owed: true },
  { name: 'a co-executor taken off before the deadline, put back as a lead after it', start: 'co', steps: [['2026-10-01', 'off'], ['2026-11-20', 'lead']], owed: false },
];

async function world(t: Test) {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const commission = await createCommission(app);
  const a: Org = await createOrganization(app, { name: 'A Ministry of Industry', country: 'BY' });
  const b: Org = await createOrganization(app, { name: 'B Ministry of Industry', country: 'KZ' });
  const plan = await createPlan(app, commission.id, { periodStart: '2026-01-01', periodEnd: '2027-12-31' });
  /** The assignees of a task whose case organization is `x` in the role `what`: A (or x) and B lead. */
  const assignees = (x: Org, what: 'off' | 'co' | 'lead'): Assignee[] =>
    what === 'off'
      ? [{ organizationId: a.id, role: 'lead' }, { organizationId: b.id, role: 'lead' }]
      : what === 'co'
        ? [{ organizationId: a.id, role: 'lead' }, { organizationId: b.id, role: 'lead' }, { organizationId: x.id, role: 'co_executor' }]
        : [{ organizationId: x.id, role: 'lead' }, { organizationId: b.id, role: 'lead' }, { organizationId: a.id, role: 'co_executor' }];
  const ok = async (method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>) => {
    const res = await app.inject({ method, url, payload });
    if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return json(res);
  };
  /** The task's executors written by a roadmap import: one a line, the first of each side its lead. */
  const imported = async (code: string, list: Assignee[]) => {
    const leads = list.filter((x) => x.role === 'lead').map((x) => x.organizationId);
    const cos = list.filter((x) => x.role === 'co_executor').map((x) => x.organizationId);
    const name = (id: string) => [a, b, ...orgs].find((o) => o.id === id)!.name;
    const cell = (ids: string[]) => `"${ids.map(name).join('\n')}"`;
    const csv = `№;Мероприятие;Срок;Головной исполнитель;Соисполнители\r\n${code};Measure ${code};30.06.2027;${cell(leads)};${cell(cos)}\r\n`;
    const res = await send(app, plan.id, csv, true);
    if (res.statusCode !== 200) throw new Error(`the import of ${code} answered ${res.statusCode}: ${res.body}`);
  };
  const orgs: Org[] = [];
  return { app, clock, plan, a, b, orgs, assignees, ok, imported };
}

t.test('the report, the calendar and submittedLate agree on who was on a task at the end of the deadline day', async (t) => {
  const w = await world(t);
  const tasks: { id: string; code: string; x: Org }[] = [];
  for (const [i, c] of CASES.entries()) {
    const x: Org = await createOrganization(w.app, { name: `X${i + 1} Agency`, country: 'BY' });
    w.orgs.push(x);
    const code = `1.${i + 1}`;
    const task = await createTask(w.app, { planId: w.plan.id, code, title: `Measure ${code}`, dueDate: '2027-06-30', assignees: w.assignees(x, c.start) });
    tasks.push({ id: task.id, code, x });
  }
  await approvePlan(w.app, w.plan.id);
  const steps = CASES.flatMap((c, i) => c.steps.map(([at, what, how]) => ({ at, what, how, i }))).sort((p, q) => (p.at < q.at ? -1 : p.at > q.at ? 1 : 0));
  for (const { at, what, how, i } of steps) {
    const task = tasks[i]!;
    w.clock.set(`${at}T09:00:00.000Z`);
    if (how === 'import') await w.imported(task.code, w.assignees(task.x, what));
    else await w.ok('PATCH', `/v1/tasks/${task.id}`, { assignees: w.assignees(task.x, what) });
  }

  const imports = w.app.sqlite
    .prepare(`SELECT count(*) FROM change_history WHERE operation = 'commitPlanImport' AND entity_type = 'task' AND changes LIKE '%"field":"assignees"%'`)
    .pluck()
    .get();
  t.equal(imports, CASES.flatMap((c) => c.steps).filter((s) => s[2] === 'import').length, 'each import changed its task\'s assignees');

  w.clock.set('2026-11-28T09:00:00.000Z');
  const missingOf = (r: ProgressReport) => new Set(r.missingReports.filter((m) => m.period === '2026-Q3').map((m) => `${m.taskId} ${m.organizationId}`));
  const today = missingOf(json(await w.app.inject({ url: `/v1/reports/progress?planId=${w.plan.id}` })));
  const pastDay = missingOf(json(await w.app.inject({ url: `/v1/reports/progress?planId=${w.plan.id}&asOf=2026-11-21` })));
  for (const [i, c] of CASES.entries()) {
    const { id, code, x } = tasks[i]!;
    const feed = await w.app.inject({ url: `/v1/calendar.ics?organizationId=${x.id}&planId=${w.plan.id}` });
    t.equal(feed.statusCode, 200, feed.body);
    const report = await w.ok('POST', `/v1/tasks/${id}/reports`, { organizationId: x.id, period: '2026-Q3', percentComplete: 30, confidence: 'green', narrative: 'Work goes on.' });
    t.strictSame(
      {
        missingToday: today.has(`${id} ${x.id}`),
        missingOn21November: pastDay.has(`${id} ${x.id}`),
        inItsCalendar: feed.body.includes(`report-${w.plan.id}-2026-Q3`),
        submittedLate: report.submittedLate,
      },
      { missingToday: c.owed, missingOn21November: c.owed, inItsCalendar: c.owed, submittedLate: c.owed },
      `${code}: ${c.name}: ${c.owed ? 'owed' : 'did not owe'} the Q3 report`,
    );
  }
});
t.test('a task written before the history existed: the report, the calendar and submittedLate agree', async (t) => {
  // A database older than the change history (migration 0002) has tasks with no createTask entry: migration 0012 gave
  // their assignees the task's creation time. X was on such a task from its creation, and was taken off and put back
  // after the Q3 deadline: the report and the calendar read it on the task then (the history's first change after the
  // deadline lists it), so its Q3 report is late too.
  const w = await world(t);
  const x: Org = await createOrganization(w.app, { name: 'X Agency', country: 'BY' });
  w.orgs.push(x);
  const model = await createTask(w.app, { planId: w.plan.id, code: '1.1', title: 'Measure 1.1', dueDate: '2027-06-30', assignees: w.assignees(x, 'co') });
  const columns = (w.app.sqlite.prepare(`SELECT name FROM pragma_table_info('tasks')`).pluck().all() as string[]).filter((c) => !['id', 'code', 'code_sort_key'].includes(c));
  const legacyId = '00000000-0000-4000-8000-000000000001';
  w.app.sqlite.prepare(`INSERT INTO tasks (id, code, code_sort_key, ${columns.join(', ')}) SELECT ?, '1.2', code_sort_key || '.2', ${columns.join(', ')} FROM tasks WHERE id = ?`).run(legacyId, model.id);
  w.app.sqlite
    .prepare(`INSERT INTO task_assignees (task_id, organization_id, role, position, assigned_at) SELECT ?, organization_id, role, position, assigned_at FROM task_assignees WHERE task_id = ?`)
    .run(legacyId, model.id);
  await approvePlan(w.app, w.plan.id);
  w.clock.set('2026-11-01T09:00:00.000Z');
  await w.ok('PATCH', `/v1/tasks/${legacyId}`, { assignees: w.assignees(x, 'off') });
  w.clock.set('2026-11-20T09:00:00.000Z');
  await w.ok('PATCH', `/v1/tasks/${legacyId}`, { assignees: w.assignees(x, 'co') });

  w.clock.set('2026-11-28T09:00:00.000Z');
  const r: ProgressReport = json(await w.app.inject({ url: `/v1/reports/progress?planId=${w.plan.id}` }));
  t.ok(r.missingReports.some((m) => m.taskId === legacyId && m.organizationId === x.id && m.period === '2026-Q3'), "the report lists X's Q3 report on 1.2 missing");
  const feed = await w.app.inject({ url: `/v1/calendar.ics?organizationId=${x.id}&planId=${w.plan.id}` });
  t.ok(feed.body.includes(`report-${w.plan.id}-2026-Q3`), "X's calendar shows the Q3 deadline");
  const report = await w.ok('POST', `/v1/tasks/${legacyId}/reports`, { organizationId: x.id, period: '2026-Q3', percentComplete: 30, confidence: 'green', narrative: 'Work goes on.' });
  t.equal(report.submittedLate, true, "so X's Q3 report on 1.2, submitted now, is late");
});

t.test('a report on a task created after its deadline is on time, and its submission reads no history to learn it', async (t) => {
  const w = await world(t);
  await createTask(w.app, { planId: w.plan.id, code: '1.0', title: 'Measure 1.0', dueDate: '2027-06-30', assignees: w.assignees(w.a, 'off') });
  await approvePlan(w.app, w.plan.id);
  const x: Org = await createOrganization(w.app, { name: 'X Agency', country: 'BY' });
  w.clock.set('2026-11-20T09:00:00.000Z');
  const task = await createTask(w.app, { planId: w.plan.id, code: '1.1', title: 'Measure 1.1', dueDate: '2027-06-30', assignees: w.assignees(x, 'co') });

  let report: { submittedLate?: unknown } = {};
  const historyReads = await preparedDuring(w.app, 'json_each("change_history"."changes")', async () => {
    report = await w.ok('POST', `/v1/tasks/${task.id}/reports`, { organizationId: x.id, period: '2026-Q3', percentComplete: 30, confidence: 'green', narrative: 'Work goes on.' });
  });
  t.equal(report.submittedLate, false, 'nobody owed the Q3 report of a task created after its deadline');
  t.strictSame(historyReads, [], 'who was on the task then is not read from the history');
});
