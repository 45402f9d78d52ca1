// Approving a plan announces each of its tasks (task.created) in the approval's transaction. With a subscriber, a
// plan of 100,000 tasks held the event loop 14 s: drizzle built and prepared the event's and the delivery's INSERT
// and the plan's status look-up anew for every task, and each task was read back in two statements. The statements
// prepared must not grow with the plan (measured as preparations, never as time), and every task is announced.
import t from 'tap';
import { approvePlan, createTask, planWithTasks, seedPlan } from '../factories.js';
import { subscribe, webhookApp } from '../webhooks/receiver.js';
import { sqlUsage } from './sql-usage.js';

t.test('approving a plan prepares as many statements for 60 tasks as for 20, and announces every task with its assignees', async (t) => {
  const app = await webhookApp(t);
  const { commission, assignees } = await seedPlan(app);
  await subscribe(app, { url: 'http://127.0.0.1:9/hook', events: ['task.created'] });
  const planOf = (n: number) => planWithTasks(app, commission.id, n, assignees);
  const [warmUp, small, large] = [await planOf(2), await planOf(20), await planOf(60)];
  await approvePlan(app, warmUp.id); // what is prepared once for every approval
  const forSmall = (await sqlUsage(app, () => approvePlan(app, small.id))).prepared;
  const forLarge = (await sqlUsage(app, () => approvePlan(app, large.id))).prepared;
  t.equal(forLarge, forSmall, `as many statements prepared for 60 tasks (${forLarge}) as for 20 (${forSmall})`);

  const bodies = (
    app.sqlite
      .prepare(`SELECT e.body FROM webhook_events e JOIN tasks ON tasks.id = e.task_id WHERE e.type = 'task.created' AND tasks.plan_id = ? ORDER BY e.rowid`)
      .all(large.id) as { body: string }[]
  ).map((r) => JSON.parse(r.body));
  t.equal(bodies.length, 60, 'one task.created per task');
  t.strictSame(
    bodies.map((b) => b.data.task.code),
    Array.from({ length: 60 }, (_, i) => `2.${i + 1}`),
    'in the plan order',
  );
  t.strictSame(
    bodies[0].data.task.assignees,
    assignees.map((a) => ({ organizationId: a.organizationId, role: a.role })),
    'with the assignees, leads first',
  );
  t.match(bodies[0].data.task, { planId: large.id, status: 'not_started', dueDate: '2026-12-31', overdue: false, postponementCount: 0 });
  const deliveries = app.sqlite.prepare(`SELECT count(*) AS n FROM webhook_deliveries`).get() as { n: number };
  t.equal(deliveries.n, 82, 'one delivery of each event');
});

// What remained of the 10.7 s on 100,000 tasks was work done again for every task: the plan's status read back for
// each (the approval is what set it), and an index of the events by task that no query reads, written with each event.
t.test('approving a plan writes an event and a delivery a task and reads nothing more per task', async (t) => {
  const app = await webhookApp(t);
  const { commission, assignees } = await seedPlan(app);
  await subscribe(app, { url: 'http://127.0.0.1:9/hook', events: ['task.created'] });
  const planOf = (n: number) => planWithTasks(app, commission.id, n, assignees, '3');
  const [warmUp, small, large] = [await planOf(2), await planOf(20), await planOf(60)];
  await approvePlan(app, warmUp.id);
  const forSmall = await sqlUsage(app, () => approvePlan(app, small.id));
  const forLarge = await sqlUsage(app, () => approvePlan(app, large.id));
  t.equal(forLarge.statements - forSmall.statements, 2 * 40, `two statements for each of the 40 tasks more, its event and its delivery (${forSmall.statements} for 20 tasks, ${forLarge.statements} for 60)`);
  t.equal(forLarge.rows - forSmall.rows, 40 + 40 * assignees.length, `the rows read for 40 tasks more: each task and its assignees, once (${forSmall.rows} for 20 tasks, ${forLarge.rows} for 60)`);
});

t.test('an event is written into no index that nothing reads (none by task)', async (t) => {
  const app = await webhookApp(t);
  const indexes = (app.sqlite.prepare(`SELECT name FROM pragma_index_list('webhook_events') ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
  t.notOk(indexes.includes('webhook_events_task_idx'), `no index of the events by task: ${indexes.join(', ')}`);
});

// Whole task records (description, translations, search text and the rest) read for 100,000 tasks took 2 s of the
// approval, for events that show none of it.
t.test("approving a plan reads of its tasks only what their events show, not their descriptions or translations", async (t) => {
  const app = await webhookApp(t);
  const { plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await subscribe(app, { url: 'http://127.0.0.1:9/hook', events: ['task.created'] });
  const sources: string[] = [];
  const prepare = app.sqlite.prepare;
  app.sqlite.prepare = function (this: typeof app.sqlite, source: string) {
    sources.push(source);
    return prepare.call(this, source);
  } as typeof prepare;
  try {
    await approvePlan(app, plan.id);
  } finally {
    app.sqlite.prepare = prepare;
  }
  const wide = sources.filter((s) => /"tasks"\."(description|translations|search_text)"/.test(s));
  t.strictSame(wide, [], 'no statement of the approval reads a task whole');
  const [event] = app.sqlite.prepare(`SELECT body FROM webhook_events WHERE type = 'task.created'`).all() as { body: string }[];
  t.match(JSON.parse(event!.body).data.task, { code: '1.1', planId: plan.id, status: 'not_started', dueDate: '2026-12-31', overdue: false });
});
