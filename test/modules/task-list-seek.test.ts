// A later page of GET /v1/tasks seeks its cursor in the tasks' order index, with or without a plan chosen, and pages
// through every task once.
import t from 'tap';
import type { App } from '../../src/app.js';
import type { Task } from '../../src/modules/tasks/tasks.schemas.js';
import { build, json, preparedDuring, testClock } from '../helper.js';
import { approvePlan, createPlan, createTask, seedPlan } from '../factories.js';

async function allPages(app: App, query: string): Promise<{ pages: number; tasks: Task[] }> {
  const tasks: Task[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: Awaited<ReturnType<App['inject']>> = await app.inject({ url: `/v1/tasks?limit=2&${query}${cursor ? `&cursor=${cursor}` : ''}` });
    if (res.statusCode !== 200) throw new Error(`GET /v1/tasks?${query}: ${res.statusCode} ${res.body}`);
    const page: { items: Task[]; nextCursor: string | null } = json(res);
    tasks.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null);
  return { pages, tasks };
}

t.test('a later page of a plan\'s tasks seeks past its cursor in the order index, instead of walking the plan from its first task', async (t) => {
  const app = await build(t, testClock());
  const seed = await seedPlan(app);
  const other = await createPlan(app, seed.commission.id, { title: 'Another plan' });
  for (const code of ['1.1', '1.2', '2.1', '2.10', '2.2']) {
    await createTask(app, { planId: seed.plan.id, code, dueDate: '2027-06-30', assignees: seed.assignees });
    await createTask(app, { planId: other.id, code, dueDate: '2027-06-30', assignees: seed.assignees });
  }
  await approvePlan(app, other.id);

  for (const query of [`planId=${seed.plan.id}`, `planId=${seed.plan.id}&overdue=false`, 'overdue=false', '']) {
    let walk = { pages: 0, tasks: [] as Task[] };
    const statements = await preparedDuring(app, 'from "tasks"', async () => (walk = await allPages(app, query)));
    const everyTask = json<{ items: Task[] }>(await app.inject({ url: `/v1/tasks?limit=200&${query}` })).items;
    t.strictSame(walk.tasks.map((x) => x.id), everyTask.map((x) => x.id), `${query || 'no filter'}: pages of 2 list every task once, in order`);
    t.ok(walk.pages > 2, `${query || 'no filter'}: ${walk.pages} pages`);

    const later = statements.find((s) => / > \(/.test(s));
    if (!later) {
      t.fail(`${query || 'no filter'}: a later page prepared no statement with a cursor`);
      continue;
    }
    const unbound = Array.from(later.matchAll(/\?/g), () => null);
    const plan = (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${later}`).all(...unbound) as { detail: string }[]).map((r) => r.detail).join(' | ');
    t.match(plan, /SEARCH tasks USING (COVERING )?INDEX tasks_order_idx \((plan_id=\? AND )?\((plan_id,)?code_sort_key,id\)>\(\?,\?(,\?)?\)\)/, `${query || 'no filter'}: ${plan}`);
  }
});
