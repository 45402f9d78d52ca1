// One organization's calendar feed read the assignees of every open task of its plans, then kept its own: on the
// bench plan (100,000 tasks, 200,000 assignments) a ministry's feed of 200 tasks held the event loop 0.5-0.7 s.
// It now reads the assignees of its own tasks only: the rows read no longer grow with the others' tasks (counted
// here as rows returned by SQLite, never as time), and the feed is the same.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { build } from '../helper.js';
import { approvePlan, createOrganization, createTask, seedPlan } from '../factories.js';
import { codeSortKey } from '../../src/modules/tasks/tasks.service.js';
import { sqlUsage } from './sql-usage.js';

t.test("an organization's calendar reads the assignees of its own tasks, not of every task of the plan", async (t) => {
  const app = await build(t);
  const { plan, assignees, kz } = await seedPlan(app);
  const mtz = await createOrganization(app, { name: 'Minsk Tractor Works', shortName: 'MTZ', kind: 'enterprise', country: 'BY' });
  await createTask(app, { planId: plan.id, code: '1.1', title: 'Tractors', dueDate: '2026-12-31', assignees: [{ organizationId: mtz.id, role: 'lead' }, { organizationId: kz.id, role: 'lead' }] });
  const other = await createTask(app, { planId: plan.id, code: '2.1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  const columns = (app.sqlite.prepare(`SELECT name FROM pragma_table_info('tasks')`).pluck().all() as string[]).filter((c) => !['id', 'code', 'code_sort_key'].includes(c));
  const copy = app.sqlite.prepare(`INSERT INTO tasks (id, code, code_sort_key, ${columns.join(', ')}) SELECT ?, ?, ?, ${columns.join(', ')} FROM tasks WHERE id = ?`);
  const assign = app.sqlite.prepare(`INSERT INTO task_assignees (task_id, organization_id, role, position, assigned_at) SELECT ?, organization_id, role, position, assigned_at FROM task_assignees WHERE task_id = ?`);
  /** `n` more tasks of the other organizations, copied from 2.1 with its assignees. */
  const addOthers = (from: number, n: number) =>
    app.sqlite.transaction(() => {
      for (let i = from; i < from + n; i++) {
        const id = randomUUID();
        copy.run(id, `3.${i}`, codeSortKey(`3.${i}`), other.id);
        assign.run(id, other.id);
      }
    })();
  const feed = () => app.inject({ method: 'GET', url: `/v1/calendar.ics?organizationId=${mtz.id}` });

  addOthers(1, 100);
  let res: Awaited<ReturnType<typeof feed>> | undefined;
  const small = (await sqlUsage(app, async () => (res = await feed()))).rows;
  t.equal(res!.statusCode, 200);
  const before = res!.body.replace(/^DTSTAMP:.*$/gm, '');
  t.match(res!.body, /1\.1/, "the organization's task is in its feed");
  t.notMatch(res!.body, /SUMMARY:[^\r\n]*2\.1/, "another organization's task is not");

  addOthers(101, 400);
  const large = (await sqlUsage(app, async () => (res = await feed()))).rows;
  t.equal(res!.statusCode, 200);
  t.equal(res!.body.replace(/^DTSTAMP:.*$/gm, ''), before, 'the same feed');
  t.ok(large - small < 20, `rows read with 500 other tasks (${large}) about as many as with 100 (${small})`);
});
