// An organization's calendar feed reads its tasks from its assignments, by their index, rather than walking every task
// of the plan and checking each one's executors: what every ministry's calendar program polls.
import t from 'tap';
import type { App } from '../../src/app.js';
import { build, preparedDuring, testClock } from '../helper.js';
import { approvePlan, createOrganization, createTask, seedPlan } from '../factories.js';

/** The query plan of each statement that reads tasks, prepared while `url` is answered, and the answer's body. */
async function feedPlans(app: App, url: string): Promise<{ body: string; plans: string[] }> {
  let body = '';
  const statements = await preparedDuring(app, '"tasks"', async () => {
    const res = await app.inject({ url });
    if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
    body = res.body;
  });
  const plans = statements.map((s) =>
    (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${s}`).all(...Array.from(s.matchAll(/\?/g), () => null)) as { detail: string }[]).map((r) => r.detail).join(' | '),
  );
  return { body, plans };
}

t.test("an organization's calendar feed reads its tasks from its assignments, instead of walking every task of the plan", async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const seed = await seedPlan(app);
  const small = await createOrganization(app, { name: 'Minsk Tractor Works', shortName: 'MTZ', country: 'BY', kind: 'enterprise' });
  const idle = await createOrganization(app, { name: 'BelAZ', shortName: 'BelAZ', country: 'BY', kind: 'enterprise' });
  const mine: string[] = [];
  for (let i = 1; i <= 12; i++) {
    const assignees = i % 4 === 0 ? [...seed.assignees, { organizationId: small.id, role: 'co_executor' }] : seed.assignees;
    const task = await createTask(app, { planId: seed.plan.id, code: `1.${i}`, dueDate: '2027-03-31', assignees });
    if (i % 4 === 0) mine.push(task.id);
  }
  await approvePlan(app, seed.plan.id);
  // Past the 2026-Q4 deadline (10 days after the quarter): whether the organization owed that report is asked too.
  clock.set('2027-01-20T09:00:00.000Z');

  for (const url of [
    `/v1/calendar.ics?organizationId=${small.id}`,
    `/v1/calendar.ics?planId=${seed.plan.id}&organizationId=${small.id}`,
    `/v1/calendar.ics?commissionId=${seed.commission.id}&organizationId=${small.id}`,
  ]) {
    const { body, plans } = await feedPlans(app, url);
    t.strictSame([...body.matchAll(/UID:task-([0-9a-f-]+)@/g)].map((m) => m[1]).sort(), [...mine].sort(), `${url}: its 3 tasks`);
    t.match(body, /UID:report-[^@]+-2026-Q4@/, `${url}: the 2026-Q4 deadline it owed`);
    t.ok(plans.length >= 3, `${url}: ${plans.length} statements read tasks`);
    for (const plan of plans) {
      t.notMatch(plan, /SEARCH tasks USING (COVERING )?INDEX tasks_(plan_code_uq|order_idx|status_idx)/, `${url}: no walk of the plan: ${plan}`);
      t.notMatch(plan, /SCAN tasks/, `${url}: no scan of the tasks: ${plan}`);
    }
    t.ok(plans.some((p) => /task_assignees_org_idx/.test(p)), `${url}: its assignments by their index`);
  }

  // An organization executing nothing open in the plan: its feed is empty, found without walking the plan either.
  const { body, plans } = await feedPlans(app, `/v1/calendar.ics?organizationId=${idle.id}`);
  t.notMatch(body, /BEGIN:VEVENT/, 'an organization executing nothing: no event');
  for (const plan of plans) t.notMatch(plan, /SEARCH tasks USING (COVERING )?INDEX tasks_(plan_code_uq|order_idx|status_idx)/, `nothing executed: no walk of the plan: ${plan}`);

  // The plan's own feed still reads the plan in order.
  const whole = await feedPlans(app, `/v1/calendar.ics?planId=${seed.plan.id}`);
  t.equal([...whole.body.matchAll(/UID:task-/g)].length, 12, "the plan's feed: every task");
  t.ok(whole.plans.some((p) => /SEARCH tasks USING INDEX tasks_order_idx \(plan_id=\?\)/.test(p)), `the plan's feed: its tasks in order: ${whole.plans.join(' || ')}`);
});
