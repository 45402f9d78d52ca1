// The overdue scan with tens of thousands of overdue tasks and a task.overdue subscriber: in one transaction it held
// the event loop 7 s when the events were first raised, and 1.5 s once a minute after (a subscription filtered to
// one organization made it read every other overdue task in full on every scan). The scan now goes a slice of tasks
// per transaction, letting the event loop turn in between; what it raises is unchanged. Checked here with slices of
// two tasks: another callback runs while the scan is half done, and every event is still raised exactly once.
import t from 'tap';
import { preparedDuring, testClock } from '../helper.js';
import { approvePlan, createPlan, createTask, seedPlan } from '../factories.js';
import { startReceiver, subscribe, webhookApp } from '../webhooks/receiver.js';
import { createWebhookWorker } from '../../src/modules/webhooks/webhooks.worker.js';

t.test('the overdue scan goes a slice at a time, the event loop turning in between, and raises every event once', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await webhookApp(t, clock);
  const seed = await seedPlan(app);
  const byOnly = [{ organizationId: seed.by.id, role: 'lead' }];
  const kzOnly = [{ organizationId: seed.kz.id, role: 'lead' }];
  for (let i = 1; i <= 7; i++) {
    await createTask(app, { planId: seed.plan.id, code: `1.${i}`, dueDate: `2026-10-0${i}`, assignees: i % 2 ? byOnly : kzOnly });
  }
  await createTask(app, { planId: seed.plan.id, code: '2.1', dueDate: '2026-12-31', assignees: byOnly });
  await approvePlan(app, seed.plan.id);
  const all = await startReceiver(t);
  const by = await startReceiver(t);
  await subscribe(app, { url: all.url, events: ['task.overdue'] });
  await subscribe(app, { url: by.url, events: ['task.overdue'], organizationId: seed.by.id });

  const worker = createWebhookWorker({ db: app.db, clock: app.clock, log: app.log, settings: { ...app.webhooks.settings, overdueSlice: 2 }, resolve: app.webhooks.resolve });
  const events = () => app.sqlite.prepare(`SELECT count(*) FROM webhook_events WHERE type = 'task.overdue'`).pluck().get() as number;
  let seenMeanwhile = -1;
  setImmediate(() => (seenMeanwhile = events()));
  const summary = await worker.runOnce();
  t.ok(seenMeanwhile > 0 && seenMeanwhile < 7, `another callback ran in the middle of the scan (it saw ${seenMeanwhile} of 7 events)`);
  t.match(summary, { overdueRaised: 7, attempted: 11, succeeded: 11 });
  t.equal(events(), 7, 'one event per overdue task');
  const codes = (r: typeof all) => r.received.map((x) => x.json.data.task.code).sort();
  t.strictSame(codes(all), ['1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7']);
  t.strictSame(codes(by), ['1.1', '1.3', '1.5', '1.7'], 'the filtered subscription, its organization’s only');

  t.equal((await worker.runOnce()).overdueRaised, 0, 'not twice the same day');
  const late = await subscribe(app, { url: (await startReceiver(t)).url, events: ['task.overdue'], organizationId: seed.kz.id });
  t.equal((await worker.runOnce()).overdueRaised, 3, 'a subscription added later that day gets that day’s events of its organization');
  const log = app.sqlite.prepare(`SELECT count(*) FROM webhook_deliveries WHERE subscription_id = ?`).pluck().get(late.id);
  t.equal(log, 3);
  await worker.stop();
});

t.test('the overdue scan reads the overdue tasks a page of tasks at a time, by an id range, not all of them at once and sorted', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await webhookApp(t, clock);
  const seed = await seedPlan(app);
  // Overdue and not, in a plan approved and a draft, so that each page holds some of each.
  for (let i = 1; i <= 9; i++) await createTask(app, { planId: seed.plan.id, code: `1.${i}`, dueDate: i % 3 ? `2026-10-0${i}` : '2026-12-31', assignees: seed.assignees });
  const draft = await createPlan(app, seed.commission.id, { title: 'A draft' });
  await createTask(app, { planId: draft.id, code: '1', dueDate: '2026-10-01', assignees: seed.assignees });
  await approvePlan(app, seed.plan.id);
  await subscribe(app, { url: (await startReceiver(t)).url, events: ['task.overdue'] });

  const worker = createWebhookWorker({ db: app.db, clock: app.clock, log: app.log, settings: { ...app.webhooks.settings, overdueSlice: 3 }, resolve: app.webhooks.resolve });
  t.teardown(() => worker.stop());
  let summary: { overdueRaised: number } = { overdueRaised: -1 };
  const statements = await preparedDuring(app, '"tasks"', async () => {
    summary = await worker.runOnce();
  });
  t.equal(summary.overdueRaised, 6, 'the six overdue tasks of the approved plan, none of the draft');
  // The reads of the scan, not the slice's look at its own tasks again (by their ids) as it raises them.
  const read = statements.filter((s) => /^select "tasks"\."id", "plans"\."commission_id" from "tasks"/.test(s) && !s.includes('json_each'));
  t.ok(read.length > 0, 'the overdue tasks were read');
  for (const s of read) {
    const plan = (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${s}`).all(...Array.from(s.matchAll(/\?/g), () => null)) as { detail: string }[]).map((r) => r.detail).join(' | ');
    // The last page runs to the end: no upper bound.
    t.match(plan, /^SEARCH tasks USING INDEX sqlite_autoindex_tasks_1 \(id>\?( AND id<\?)?\)/, `a page of tasks by an id range: ${plan}`);
    t.notMatch(plan, /TEMP B-TREE|tasks_due_idx|tasks_plan_code_uq|tasks_order_idx/, `no sort, no walk of a plan or of every overdue task: ${plan}`);
  }
});
