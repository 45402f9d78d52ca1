// A later page of GET /v1/tasks seeks its cursor in the tasks' order index, with or without a plan chosen, and pages
// through every task once.
import t from 'tap';
import type { Task } from '../../src/modules/tasks/tasks.schemas.js';
import { build, testClock } from '../helper.js';
import { everyRow, pagedWithPlan } from './list-pages.js';
import { approvePlan, createPlan, createTask, seedPlan } from '../factories.js';

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
    const url = `/v1/tasks${query ? `?${query}` : ''}`;
    const { rows, pages, plan } = await pagedWithPlan<Task>(app, url, 'tasks');
    t.strictSame(rows.map((x) => x.id), (await everyRow<Task>(app, url)).map((x) => x.id), `${query || 'no filter'}: pages of 2 list every task once, in order`);
    t.ok(pages > 2, `${query || 'no filter'}: ${pages} pages`);
    t.match(plan, /SEARCH tasks USING (COVERING )?INDEX tasks_order_idx \((plan_id=\? AND )?\((plan_id,)?code_sort_key,id\)>\(\?,\?(,\?)?\)\)/, `${query || 'no filter'}: ${plan}`);
  }
});
