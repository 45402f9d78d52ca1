// The hot reads of tasks (one by id, a page of the list) run statements prepared once per connection: a later read,
// of another task or another page, prepares none. Pins the repositories' reads whichever file holds them. A task's UPDATE
// is kept prepared for a bounded number of sets of fields (PATCH bodies can make thousands).
import t from 'tap';
import type { Task } from '../../src/modules/tasks/tasks.schemas.js';
import { UPDATE_SHAPES_KEPT, updateTask } from '../../src/modules/tasks/tasks.repository.js';
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

t.test('a task\'s UPDATE is kept prepared for the first sets of fields changed only; any other set is built each time, and every update is written', async (t) => {
  const app = await build(t, testClock());
  const seed = await seedPlan(app);
  const task = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2027-06-30', assignees: seed.assignees });
  // Sets of fields as PATCH bodies can make them: each nullable field absent, given or null.
  const nullable = ['description', 'formOfCompletion', 'expectedResult', 'basisProtocolItem', 'completedAt', 'closedAt'] as const;
  const sets = Array.from({ length: 3 ** nullable.length }, (_, n) => {
    const set: Record<string, string | null> = { title: `Title ${n}` };
    nullable.forEach((field, i) => {
      const choice = Math.floor(n / 3 ** i) % 3;
      if (choice > 0) set[field] = choice === 1 ? `${field} ${n}` : null;
    });
    return set;
  });
  t.ok(sets.length > UPDATE_SHAPES_KEPT + 10, `${sets.length} sets of fields`);
  const prepares = async (set: Record<string, string | null>) =>
    (await preparedDuring(app, 'update "tasks"', async () => updateTask(app.db, task.id, set))).length;
  for (const set of sets.slice(0, UPDATE_SHAPES_KEPT)) await prepares(set);
  t.equal(await prepares(sets[3]!), 0, 'a set kept: nothing prepared again');
  const beyond = sets[UPDATE_SHAPES_KEPT + 5]!;
  t.equal(await prepares(beyond), 1, 'a set beyond those kept: built and prepared');
  t.equal(await prepares(beyond), 1, 'and again the next time: not kept');
  const row = app.sqlite.prepare('SELECT title, description, form_of_completion, expected_result, basis_protocol_item, completed_at, closed_at FROM tasks WHERE id = ?').get(task.id) as Record<string, unknown>;
  // What the updates wrote, in turn: each set over the one before (the kept sets, then the last one twice).
  const expected: Record<string, unknown> = Object.fromEntries(nullable.map((field) => [field, null]));
  for (const set of [...sets.slice(0, UPDATE_SHAPES_KEPT), sets[3]!, beyond]) Object.assign(expected, set);
  const column = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  t.strictSame(
    row,
    Object.fromEntries(['title', ...nullable].map((field) => [column(field), expected[field]])),
    'the last update written, over what the kept ones wrote',
  );
});
