// An import reads the tasks its file names, not the whole plan: a preview of a few rows into a plan of 100,000
// tasks read every task with its assignees, page by page, and held the service for about 5 s. Measured here as
// the statements run (never as time): they must not grow with the plan.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { build, json } from '../helper.js';
import { createTask, seedPlan } from '../factories.js';
import { codeSortKey } from '../../src/modules/tasks/tasks.service.js';
import { sqlUsage } from './sql-usage.js';

const csv = (lines: string[][]) => lines.map((l) => l.map((v) => (/[";\n,]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(';')).join('\r\n') + '\r\n';

t.test('a preview reads the tasks its file names: the statements it runs do not grow with the plan', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const addTasks = async (from: number, to: number) => {
    for (let i = from; i < to; i++) await createTask(app, { planId: plan.id, code: `1.${i + 1}`, dueDate: '2026-12-31', assignees });
  };
  const file = csv([
    ['No', 'Measure', 'Deadline', 'Responsible executors'],
    ['1.1', 'The first measure, renamed', '2026-12-31', 'Minprom\nMIC'],
    ['9.1', 'A new measure', '2026-12-31', 'Minprom'],
  ]);
  const previewOf = async () => {
    const res = await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/import/preview`, headers: { 'content-type': 'text/csv' }, payload: file });
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    return json(res);
  };

  await addTasks(0, 250);
  let shown: any;
  const small = (await sqlUsage(app, async () => (shown = await previewOf()))).statements;
  t.strictSame(shown.summary, { create: 1, update: 1, unchanged: 0, errors: 0 });
  t.equal(shown.rows[0].taskId !== undefined && shown.rows[0].action, 'update', 'the task the file names is found by its code');
  t.equal(shown.tasksNotInFile.length, 249);
  t.equal(shown.tasksNotInFileCount, 249);
  t.strictSame(shown.tasksNotInFile.slice(0, 3), ['1.2', '1.3', '1.4'], 'the others, in code order');

  await addTasks(250, 1000);
  const large = (await sqlUsage(app, async () => (shown = await previewOf()))).statements;
  t.strictSame(shown.summary, { create: 1, update: 1, unchanged: 0, errors: 0 });
  t.equal(shown.tasksNotInFile.length, 999);
  t.equal(shown.tasksNotInFile.at(-1), '1.1000');
  t.equal(large, small, `as many statements for 1,000 tasks (${large}) as for 250 (${small})`);
});

t.test('a preview into a plan of more than 10,000 tasks names the first 10,000 the file leaves out, and counts them all', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const first = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  // 10,050 more tasks, copied from the first in SQL (through the API this would take minutes).
  const columns = (app.sqlite.prepare(`SELECT name FROM pragma_table_info('tasks')`).pluck().all() as string[]).filter(
    (c) => !['id', 'code', 'code_sort_key'].includes(c),
  );
  const copy = app.sqlite.prepare(
    `INSERT INTO tasks (id, code, code_sort_key, ${columns.join(', ')}) SELECT ?, ?, ?, ${columns.join(', ')} FROM tasks WHERE id = ?`,
  );
  app.sqlite.transaction(() => {
    for (let i = 1; i <= 10_050; i++) copy.run(randomUUID(), `2.${i}`, codeSortKey(`2.${i}`), first.id);
  })();
  const file = csv([
    ['No', 'Measure', 'Deadline', 'Responsible executors'],
    ['2.5', 'A measure, renamed', '2026-12-31', 'Minprom\nMIC'],
  ]);
  const res = await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/import/preview`, headers: { 'content-type': 'text/csv' }, payload: file });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const shown = json(res);
  t.strictSame(shown.summary, { create: 0, update: 1, unchanged: 0, errors: 0 });
  t.equal(shown.tasksNotInFileCount, 10_050, 'every task of the plan but the one in the file');
  t.equal(shown.tasksNotInFile.length, 10_000, 'the first 10,000 named, as the contract allows');
  t.strictSame(shown.tasksNotInFile.slice(0, 6), ['1.1', '2.1', '2.2', '2.3', '2.4', '2.6'], 'in code order, without the one in the file');
  t.equal(shown.tasksNotInFile.at(-1), '2.10000');
});

// Committing an import of 1,999 new tasks into a draft plan held the service 1.0-1.3 s in its transaction: drizzle
// built, and SQLite prepared, each task's INSERT and its assignees' DELETE and INSERT anew for every row (a third of
// the time). Measured as statements prepared (never as time): as many for 60 rows as for 20, created or updated.
t.test('committing an import prepares as many statements for 60 rows as for 20, whether it creates or updates them', async (t) => {
  const app = await build(t);
  const { commission } = await seedPlan(app);
  const rowsOf = (n: number, title: string) =>
    csv([
      ['No', 'Measure', 'Deadline', 'Responsible executors', 'Area'],
      ...Array.from({ length: n }, (_, i) => [`3.${i + 1}`, `${title} ${i + 1}`, '2026-12-31', i % 2 ? 'Minprom\nMIC' : 'MIC\nMinprom', 'trade']),
    ]);
  const commit = async (planId: string, file: string, expected: Record<string, number>) => {
    const res = await app.inject({ method: 'POST', url: `/v1/plans/${planId}/import`, headers: { 'content-type': 'text/csv' }, payload: file });
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    t.match(json(res).summary, expected);
  };
  const planOf = async () => json(await app.inject({ method: 'POST', url: '/v1/plans', payload: { commissionId: commission.id, title: `Plan ${Math.random()}`, periodStart: '2026-01-01', periodEnd: '2027-12-31' } }));
  const [warmUp, small, large] = [await planOf(), await planOf(), await planOf()];
  await commit(warmUp.id, rowsOf(2, 'Measure'), { create: 2 });
  await commit(warmUp.id, rowsOf(2, 'Renamed'), { update: 2 });
  const created = {
    small: (await sqlUsage(app, () => commit(small.id, rowsOf(20, 'Measure'), { create: 20 }))).prepared,
    large: (await sqlUsage(app, () => commit(large.id, rowsOf(60, 'Measure'), { create: 60 }))).prepared,
  };
  t.equal(created.large, created.small, `creating 60 tasks prepares as many statements (${created.large}) as creating 20 (${created.small})`);
  const updated = {
    small: (await sqlUsage(app, () => commit(small.id, rowsOf(20, 'Renamed'), { update: 20 }))).prepared,
    large: (await sqlUsage(app, () => commit(large.id, rowsOf(60, 'Renamed'), { update: 60 }))).prepared,
  };
  t.equal(updated.large, updated.small, `updating 60 tasks prepares as many statements (${updated.large}) as updating 20 (${updated.small})`);
  const assigned = app.sqlite
    .prepare(`SELECT t.code, o.short_name AS org, a.role, a.position FROM task_assignees a JOIN tasks t ON t.id = a.task_id JOIN organizations o ON o.id = a.organization_id WHERE t.plan_id = ? AND t.code IN ('3.1', '3.2') ORDER BY t.code, a.position`)
    .all(large.id);
  t.strictSame(
    assigned,
    [
      { code: '3.1', org: 'MIC', role: 'lead', position: 0 },
      { code: '3.1', org: 'Minprom', role: 'lead', position: 1 },
      { code: '3.2', org: 'Minprom', role: 'lead', position: 0 },
      { code: '3.2', org: 'MIC', role: 'lead', position: 1 },
    ],
    'the executors as the file gives them',
  );
});
