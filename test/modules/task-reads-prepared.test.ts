// The hot reads of tasks (one by id, a page of the list) run statements prepared once per connection: a later read,
// of another task or another page, prepares none. Pins the repositories' reads whichever file holds them.
import t from 'tap';
import type { Task } from '../../src/modules/tasks/tasks.schemas.js';
import { build, json, preparedDuring, testClock } from '../helper.js';
import { createOrganization, createTask, seedPlan } from '../factories.js';

t.test('a task by id and a page of tasks are read by statements prepared once, with their assignees', async (t) => {
  const app = await build(t, testClock());
  const seed = await seedPlan(app);
  const ids: string[] = [];
  for (const code of ['1.1', '1.2', '1.3', '1.4']) ids.push((await createTask(app, { planId: seed.plan.id, code, dueDate: '2027-06-30', assignees: seed.assignees })).id);

  const read = async (url: string) => {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 200, url);
    return json(res);
  };
  const tasksAndAssignees = async (fn: () => Promise<unknown>) =>
    (await preparedDuring(app, '', fn)).filter((s) => s.includes('from "tasks"') || s.includes('from "task_assignees"'));

  // Creating a task read it back: the point read and its assignees' read are prepared already.
  let one: Task | undefined;
  t.strictSame(await tasksAndAssignees(async () => (one = await read(`/v1/tasks/${ids[1]}`))), [], 'a task by id prepares nothing new');
  t.equal(one?.id, ids[1]);
  t.strictSame(one?.assignees.map((a) => a.organizationId), [seed.by.id, seed.kz.id], 'with its assignees, leads in the order given');

  const page = `/v1/tasks?planId=${seed.plan.id}&limit=2`;
  const first = await preparedDuring(app, 'from "tasks"', () => read(page));
  t.equal(first.length, 1, 'the first page of this shape prepares its one statement');
  const again = await tasksAndAssignees(async () => {
    const { items, nextCursor } = await read(page) as { items: Task[]; nextCursor: string };
    t.strictSame(items.map((x) => x.code), ['1.1', '1.2']);
    const next = await read(`${page}&cursor=${nextCursor}`) as { items: Task[] };
    t.strictSame(next.items.map((x) => x.code), ['1.3', '1.4']);
    t.ok(next.items.every((x) => x.assignees.length === 2), 'each with its assignees');
  });
  t.strictSame(again.filter((s) => !/ > \(/.test(s)), [], 'the same page again prepares nothing; a later page only its cursor\'s shape');
});

t.test("a task's assignees are read in their order (leads first, then as given) from their index alone, not the table's rows", async (t) => {
  const app = await build(t, testClock());
  const seed = await seedPlan(app);
  const co = await createOrganization(app, { name: 'Gomselmash', country: 'BY', kind: 'enterprise' });
  const assignees = [{ organizationId: co.id, role: 'co_executor' }, ...seed.assignees];
  const ids: string[] = [];
  const statements = await preparedDuring(app, 'from "task_assignees"', async () => {
    for (const code of ['1.1', '1.2']) ids.push((await createTask(app, { planId: seed.plan.id, code, dueDate: '2027-06-30', assignees })).id);
    const one = json<Task>(await app.inject({ url: `/v1/tasks/${ids[0]}` }));
    t.strictSame(one.assignees.map((a) => a.organizationId), [seed.by.id, seed.kz.id, co.id], 'one task: leads first, then the co-executor');
    const page = json<{ items: Task[] }>(await app.inject({ url: `/v1/tasks?planId=${seed.plan.id}` }));
    t.strictSame(page.items.map((x) => x.assignees.map((a) => a.organizationId)), [[seed.by.id, seed.kz.id, co.id], [seed.by.id, seed.kz.id, co.id]], 'a page: the same order for each');
  });
  const reads = statements.filter((s) => /^select "task_assignees"\."task_id", "task_assignees"\."organization_id", "organizations"\."name"/.test(s));
  t.equal(reads.length, 2, 'the read of one task\'s assignees and that of a page\'s');
  for (const read of reads) {
    const unbound = Array.from(read.matchAll(/\?/g), () => null);
    const plan = (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${read}`).all(...unbound) as { detail: string }[]).map((r) => r.detail).join(' | ');
    t.match(plan, /SEARCH task_assignees USING COVERING INDEX task_assignees_task_idx \(task_id=\?\)/, plan);
    t.notMatch(plan, /TEMP B-TREE/, 'sorted by the index, not afterwards');
  }
});
