// The overdue filter of GET /v1/tasks across several commissions and closed plans: it keeps exactly the tasks the
// representation calls overdue, through one prepared statement whatever the number of commissions and closed plans.
import t, { type Test } from 'tap';
import type { App } from '../../src/app.js';
import type { Task } from '../../src/modules/tasks/tasks.schemas.js';
import { build, json, preparedDuring, testClock } from '../helper.js';
import { approvePlan, createCommission, createPlan, createTask, seedPlan, transition } from '../factories.js';

async function list(app: App, query: string): Promise<Task[]> {
  const res = await app.inject({ url: `/v1/tasks?limit=200${query ? `&${query}` : ''}` });
  if (res.statusCode !== 200) throw new Error(`GET /v1/tasks?${query} answered ${res.statusCode}: ${res.body}`);
  return json<{ items: Task[] }>(res).items;
}

async function closePlan(app: App, planId: string) {
  const res = await app.inject({ method: 'POST', url: `/v1/plans/${planId}/close` });
  if (res.statusCode !== 200) throw new Error(`plan not closed: ${res.body}`);
}

const DUE_DATES = ['2026-12-10', '2026-12-19', '2026-12-20', '2027-01-15', '2027-03-01', '2027-03-02', '2027-06-30'];

/** A plan of `commissionId` with a task due on each of DUE_DATES, and one closed and one cancelled task due the first. */
async function planWithTasks(app: App, commissionId: string, assignees: unknown[], label: string) {
  const plan = await createPlan(app, commissionId, { title: `Plan ${label}` });
  const made: Task[] = [];
  for (const [i, dueDate] of DUE_DATES.entries()) made.push(await createTask(app, { planId: plan.id, code: `${i + 1}`, dueDate, assignees }));
  const closed = await createTask(app, { planId: plan.id, code: '90', dueDate: DUE_DATES[0], assignees });
  const cancelled = await createTask(app, { planId: plan.id, code: '91', dueDate: DUE_DATES[0], assignees });
  await approvePlan(app, plan.id);
  await transition(app, made[0]!.id, 'in_progress');
  for (const to of ['in_progress', 'done', 'closed']) await transition(app, closed.id, to);
  await transition(app, cancelled.id, 'cancelled');
  return plan;
}

/**
 * Two commissions, Minsk (UTC+3) and Almaty (UTC+5), each with a plan in force and a plan closed on 19 December 2026 at
 * 18:30 UTC (21:30 in Minsk, still the 19th; 23:30 in Almaty) and 22:30 UTC (01:30 on the 20th in Minsk, 03:30 in
 * Almaty). Now: 1 March 2027 at 20:30 UTC, 23:30 on the 1st in Minsk and 01:30 on the 2nd in Almaty.
 */
async function world(t: Test) {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const seed = await seedPlan(app);
  const almaty = await createCommission(app, { name: 'Kazakhstan–Belarus commission (Almaty)', timeZone: 'Asia/Almaty' });
  const minskOpen = await planWithTasks(app, seed.commission.id, seed.assignees, 'Minsk in force');
  const minskClosed = await planWithTasks(app, seed.commission.id, seed.assignees, 'Minsk closed');
  const almatyOpen = await planWithTasks(app, almaty.id, seed.assignees, 'Almaty in force');
  const almatyClosed = await planWithTasks(app, almaty.id, seed.assignees, 'Almaty closed');
  clock.set('2026-12-19T18:30:00.000Z');
  await closePlan(app, almatyClosed.id);
  clock.set('2026-12-19T22:30:00.000Z');
  await closePlan(app, minskClosed.id);
  clock.set('2027-03-01T20:30:00.000Z');
  return { app, clock, plans: { minskOpen, minskClosed, almatyOpen, almatyClosed } };
}

t.test('overdue=true lists exactly the tasks shown overdue, and overdue=false the others, across commissions and closed plans', async (t) => {
  const { app, clock, plans } = await world(t);
  const check = async (scope: string, label: string) => {
    const all = await list(app, scope);
    const ids = (tasks: Task[]) => tasks.map((x) => x.id);
    t.strictSame(ids(await list(app, `${scope}&overdue=true`)), ids(all.filter((x) => x.overdue)), `${label}: overdue=true`);
    t.strictSame(ids(await list(app, `${scope}&overdue=false`)), ids(all.filter((x) => !x.overdue)), `${label}: overdue=false`);
    return all;
  };
  const all = await check('', 'every plan');
  for (const [name, plan] of Object.entries(plans)) await check(`planId=${plan.id}`, name);

  // The cases the rule turns on, so that the agreement above is not an agreement on nothing.
  const verdict = (plan: { id: string }) =>
    all.filter((x) => x.planId === plan.id && Number(x.code) < 90).map((x) => [x.dueDate, x.overdue]);
  t.strictSame(
    verdict(plans.minskOpen),
    [['2026-12-10', true], ['2026-12-19', true], ['2026-12-20', true], ['2027-01-15', true], ['2027-03-01', false], ['2027-03-02', false], ['2027-06-30', false]],
    'Minsk in force: judged on 1 March',
  );
  t.strictSame(
    verdict(plans.almatyOpen),
    [['2026-12-10', true], ['2026-12-19', true], ['2026-12-20', true], ['2027-01-15', true], ['2027-03-01', true], ['2027-03-02', false], ['2027-06-30', false]],
    'Almaty in force: judged on 2 March',
  );
  t.strictSame(
    verdict(plans.minskClosed),
    [['2026-12-10', true], ['2026-12-19', true], ['2026-12-20', false], ['2027-01-15', false], ['2027-03-01', false], ['2027-03-02', false], ['2027-06-30', false]],
    'Minsk closed: judged on its closing day, 20 December',
  );
  t.strictSame(
    verdict(plans.almatyClosed),
    [['2026-12-10', true], ['2026-12-19', false], ['2026-12-20', false], ['2027-01-15', false], ['2027-03-01', false], ['2027-03-02', false], ['2027-06-30', false]],
    'Almaty closed: judged on its closing day, 19 December',
  );
  t.equal(all.filter((x) => Number(x.code) >= 90).filter((x) => x.overdue).length, 0, 'closed and cancelled tasks are never overdue');

  // A later page of the filter continues in the same order.
  const first = await app.inject({ url: '/v1/tasks?overdue=true&limit=3' });
  const next = await app.inject({ url: `/v1/tasks?overdue=true&limit=200&cursor=${encodeURIComponent(json(first).nextCursor)}` });
  t.strictSame(
    [...json<{ items: Task[] }>(first).items, ...json<{ items: Task[] }>(next).items].map((x) => x.id),
    all.filter((x) => x.overdue).map((x) => x.id),
    'two pages of overdue=true are the overdue tasks',
  );
  clock.set('2027-03-01T21:30:00.000Z');
  t.strictSame(
    (await list(app, `planId=${plans.minskOpen.id}&overdue=true`)).map((x) => x.dueDate),
    ['2026-12-10', '2026-12-19', '2026-12-20', '2027-01-15', '2027-03-01'],
    'past midnight in Minsk, the task due 1 March is late too',
  );
});

t.test('the task list prepares one statement whatever the number of commissions and closed plans', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const seed = await seedPlan(app);
  const plans = [];
  for (let i = 0; i < 3; i++) plans.push(await planWithTasks(app, seed.commission.id, seed.assignees, `${i}`));

  const queries = ['overdue=true', 'overdue=false', `overdue=true&planId=${plans[0]!.id}`, 'overdue=false&status=not_started,in_progress'];
  const listAll = () => Promise.all(queries.map((q) => list(app, q)));
  const first = new Set(await preparedDuring(app, 'from "tasks"', listAll));
  t.ok(first.size >= queries.length, 'the first lists prepared their statements');

  clock.set('2026-12-19T22:30:00.000Z');
  await closePlan(app, plans[1]!.id);
  await createCommission(app, { name: 'A second commission', timeZone: 'Asia/Almaty' });
  await closePlan(app, plans[2]!.id);
  await createCommission(app, { name: 'A third commission', timeZone: 'Asia/Tashkent' });
  clock.set('2027-03-01T09:00:00.000Z');

  const later = await preparedDuring(app, 'from "tasks"', listAll);
  t.strictSame(
    later.filter((s) => !first.has(s)),
    [],
    'two plans closed and two commissions added: no new statement (each used to add parameters, and a statement kept for good)',
  );
});
