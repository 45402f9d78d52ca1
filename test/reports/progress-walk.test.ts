// The report's walk over the tasks of its scope (tasksOf in progress.repository.ts): each task comes with its
// assignees, transitions and progress reports, read by queries in the tasks' order and taken in step with them.
// The report tests check what is computed from it; these check the walk itself: every row lands on its own task,
// nothing of a task created or written after the instant shows, and leaving the walk early ends its queries.
import t from 'tap';
import { asc, eq } from 'drizzle-orm';
import { progressReports, taskStatusChanges } from '../../src/db/schema.js';
import { tasksOf } from '../../src/modules/reports/progress.repository.js';
import { build, testClock } from '../helper.js';
import { approvePlan, createOrganization, createTask, seedPlan, transition } from '../factories.js';

t.test('each task carries its own assignees, transitions and reports, as of the instant', async (t) => {
  const clock = testClock('2026-09-01T09:00:00.000Z');
  const app = await build(t, clock);
  const { by, kz, plan } = await seedPlan(app);
  const mtz = await createOrganization(app, { name: 'MTZ', shortName: 'MTZ', kind: 'enterprise', country: 'BY' });
  // Codes out of creation order: the walk follows the codes as people number them (2.10 after 2.9).
  const codes = ['2.10', '1.1', '2.9', '1.2'];
  const created = [];
  for (const code of codes) {
    created.push(
      await createTask(app, {
        planId: plan.id,
        code,
        dueDate: '2026-12-31',
        title: `Task ${code}`,
        assignees: [
          { organizationId: mtz.id, role: 'co_executor' },
          { organizationId: kz.id, role: 'lead' },
          { organizationId: by.id, role: 'lead' },
        ],
      }),
    );
  }
  await approvePlan(app, plan.id);
  clock.set('2026-10-15T09:00:00.000Z');
  for (const task of created.slice(0, 3)) await transition(app, task.id, 'in_progress');
  for (const [i, task] of created.entries()) {
    for (const org of [by, kz].slice(0, i % 3)) {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/tasks/${task.id}/reports`,
        payload: { organizationId: org.id, period: '2026-Q3', percentComplete: 10 * (i + 1), confidence: 'green', narrative: 'On track' },
      });
      t.equal(res.statusCode, 201, res.body);
    }
  }
  const instant = '2026-10-16T00:00:00.000Z';
  // Written after the instant: neither shows.
  clock.set('2026-10-20T09:00:00.000Z');
  await transition(app, created[0]!.id, 'done');
  const late = await createTask(app, { planId: plan.id, code: '0.1', dueDate: '2026-12-31', title: 'Created after', assignees: [{ organizationId: by.id, role: 'lead' }] });

  const walked = [...tasksOf(app.db, [plan.id], instant)];
  t.same(
    walked.map((row) => row.code),
    ['1.1', '1.2', '2.9', '2.10'],
    'in code order, without the task created after the instant',
  );
  t.notOk(walked.some((row) => row.id === late.id));
  for (const row of walked) {
    t.same(
      row.assignees.map((a) => [a.name, a.role]),
      [
        ['Ministry of Industry and Construction of Kazakhstan', 'lead'],
        ['Ministry of Industry of Belarus', 'lead'],
        ['MTZ', 'co_executor'],
      ],
      `${row.code}: leads first, each in the order given, with its organization`,
    );
    const changes = app.db
      .select({ to: taskStatusChanges.toStatus, changedAt: taskStatusChanges.changedAt })
      .from(taskStatusChanges)
      .where(eq(taskStatusChanges.taskId, row.id))
      .orderBy(asc(taskStatusChanges.changedAt), asc(taskStatusChanges.id))
      .all()
      .filter((c) => c.changedAt < instant);
    t.same(row.changes, changes, `${row.code}: its own transitions before the instant`);
    const reports = app.db
      .select({ organizationId: progressReports.organizationId, period: progressReports.period, percentComplete: progressReports.percentComplete })
      .from(progressReports)
      .where(eq(progressReports.taskId, row.id))
      .all();
    t.same(
      row.reports.map(([organizationId, period, percentComplete]) => ({ organizationId, period, percentComplete })).sort((a, b) => a.organizationId.localeCompare(b.organizationId)),
      reports.sort((a, b) => a.organizationId.localeCompare(b.organizationId)),
      `${row.code}: its own reports`,
    );
  }
  // 2.10 went to done after the instant, 1.2 never moved.
  t.same(
    walked.map((row) => row.changes.length),
    [1, 0, 1, 1],
    'each task has its own transitions, those before the instant only',
  );
  // 2.10 has none, 1.1 one, 2.9 two, 1.2 none: a row taken by a neighbour would show here.
  t.same(
    walked.map((row) => row.reports.length),
    [1, 0, 2, 0],
    'each task has its own number of reports',
  );
});

t.test('leaving the walk early ends its queries: the connection takes writes again', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  for (const code of ['1.1', '1.2', '1.3']) await createTask(app, { planId: plan.id, code, dueDate: '2026-12-31', title: `Task ${code}`, assignees });
  for (const row of tasksOf(app.db, [plan.id], '2100-01-01T00:00:00.000Z')) {
    t.equal(row.code, '1.1');
    break;
  }
  // An open read (a statement still iterating) makes better-sqlite3 refuse any write on its connection.
  t.throws(() => {
    const walk = tasksOf(app.db, [plan.id], '2100-01-01T00:00:00.000Z');
    walk.next();
    try {
      app.sqlite.prepare("UPDATE tasks SET title = title WHERE code = '1.1'").run();
    } finally {
      walk.return(undefined);
    }
  }, /busy/);
  const res = await createTask(app, { planId: plan.id, code: '1.4', dueDate: '2026-12-31', title: 'Task 1.4', assignees });
  t.equal(res.code, '1.4', 'written after the early exit');
});
