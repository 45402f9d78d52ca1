// A later page of GET /v1/tasks seeks its cursor in the tasks' order index, with or without a plan chosen, and pages
// through every task once; an organization's few tasks are read from its assignments, what little awaits a decision from
// where it waits.
import t from 'tap';
import type { App } from '../../src/app.js';
import type { Task } from '../../src/modules/tasks/tasks.schemas.js';
import { listTaskRecords, type TaskFilter } from '../../src/modules/tasks/tasks.list-repository.js';
import { build, preparedDuring, testClock } from '../helper.js';
import { everyRow, pagedWithPlan } from './list-pages.js';
import { approvePlan, createOrganization, createPlan, createTask, seedPlan, transition } from '../factories.js';

/**
 * Every task of the filter by pages of 2, read by listTaskRecords (`few`: the bound below which an index's tasks, an
 * organization's assignments or what waits are read and sorted), with the query plan of a later page's statement.
 */
async function pagedRecords(app: App, filter: Omit<TaskFilter, 'todayByCommission'>, few: number): Promise<{ ids: string[]; plan: string }> {
  const ids: string[] = [];
  const statements = await preparedDuring(app, 'from "tasks"', async () => {
    let cursor: string | undefined;
    do {
      const page = listTaskRecords(app.db, { ...filter, todayByCommission: [] }, { limit: 2, cursor }, few);
      ids.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  });
  const later = statements.find((s) => /\) > \(/.test(s));
  if (!later) return { ids, plan: 'no statement with a cursor' };
  const unbound = Array.from(later.matchAll(/\?/g), () => null);
  return { ids, plan: (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${later}`).all(...unbound) as { detail: string }[]).map((r) => r.detail).join(' | ') };
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
    const url = `/v1/tasks${query ? `?${query}` : ''}`;
    const { rows, pages, plan } = await pagedWithPlan<Task>(app, url, 'tasks');
    t.strictSame(rows.map((x) => x.id), (await everyRow<Task>(app, url)).map((x) => x.id), `${query || 'no filter'}: pages of 2 list every task once, in order`);
    t.ok(pages > 2, `${query || 'no filter'}: ${pages} pages`);
    t.match(plan, /SEARCH tasks USING (COVERING )?INDEX tasks_order_idx \((plan_id=\? AND )?\((plan_id,)?code_sort_key,id\)>\(\?,\?(,\?)?\)\)/, `${query || 'no filter'}: ${plan}`);
  }
});

t.test("an organization's list is read from its few assignments and sorted, instead of walking every task in search of its own; pages list each of them once, in order", async (t) => {
  const app = await build(t, testClock());
  const seed = await seedPlan(app);
  const few = await createOrganization(app, { name: 'Gomselmash', country: 'KZ', kind: 'enterprise' });
  const other = await createPlan(app, seed.commission.id, { title: 'Another plan' });
  // Codes out of creation order, two plans, the organization on 6 of 20 tasks, due dates across two years.
  const codes = ['1.1', '2.10', '1.2', '2.2', '10.1', '2.1', '3', '1.10', '4.4', '2.3'];
  for (const [i, code] of codes.entries()) {
    for (const planId of [seed.plan.id, other.id]) {
      const mine = (i + (planId === other.id ? 1 : 0)) % 3 === 0;
      const assignees = mine ? [...seed.assignees, { organizationId: few.id, role: 'co_executor' }] : seed.assignees;
      await createTask(app, { planId, code, dueDate: i % 2 ? '2027-06-30' : '2026-03-31', assignees });
    }
  }
  const all = await everyRow<Task>(app, '/v1/tasks');
  const cases: [string, (x: Task) => boolean][] = [
    ['', () => true],
    [`&planId=${other.id}`, (x) => x.planId === other.id],
    ['&status=not_started,in_progress', () => true],
    ['&overdue=false', (x) => x.dueDate > '2026-06-01'],
    ['&overdue=true', (x) => x.dueDate < '2026-06-01'],
    ['&dueFrom=2027-01-01&dueTo=2027-12-31', (x) => x.dueDate === '2027-06-30'],
    ['&party=KZ', () => true],
    [`&planId=${seed.plan.id}&status=not_started`, (x) => x.planId === seed.plan.id],
  ];
  for (const [query, keep] of cases) {
    const url = `/v1/tasks?organizationId=${few.id}${query}`;
    const { rows, pages, plan } = await pagedWithPlan<Task>(app, url, 'task_assignees');
    const expected = all.filter((x) => x.assignees.some((a) => a.organizationId === few.id) && keep(x)).map((x) => x.id);
    t.ok(expected.length >= 3, `${query || 'no other filter'}: ${expected.length} tasks`);
    t.strictSame(rows.map((x) => x.id), expected, `${query || 'no other filter'}: pages of 2 list the organization's tasks once, in the list's order`);
    t.ok(pages >= 2, `${query || 'no other filter'}: ${pages} pages`);
    t.match(plan, /^SEARCH task_assignees USING INDEX task_assignees_org_idx \(organization_id=\?\) \| SEARCH tasks USING INDEX sqlite_autoindex_tasks_1 \(id=\?\)/, `${query || 'no other filter'}: ${plan}`);
  }

  // An organization with many tasks fills a page within a short walk of the order index, as before, to the same pages.
  const pages = (organizationId: string, fewBound: number) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = listTaskRecords(app.db, { organizationId, todayByCommission: [] }, { limit: 2, cursor }, fewBound);
      ids.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return ids;
  };
  const walked = await preparedDuring(app, 'from "tasks"', async () => pages(seed.by.id, 1));
  t.ok(walked.some((s) => /from "tasks" inner join/.test(s) && s.includes('exists')), 'above the bound, the order index is walked');
  for (const organizationId of [few.id, seed.by.id]) {
    const expected = all.filter((x) => x.assignees.some((a) => a.organizationId === organizationId)).map((x) => x.id);
    t.strictSame(pages(organizationId, 1), expected, 'walking: every task of the organization once, in order');
    t.strictSame(pages(organizationId, 1000), expected, 'from its assignments: the same');
  }
});

t.test("a later page of one status's tasks seeks past its cursor in the status index, with or without a plan, an organization or overdue, instead of sorting every task of the status; pages list each task once, in order", async (t) => {
  const app = await build(t, testClock());
  const seed = await seedPlan(app);
  const other = await createPlan(app, seed.commission.id, { title: 'Another plan' });
  const codes = ['1.1', '2.10', '1.2', '2.2', '10.1', '2.1', '3', '1.10', '4.4', '2.3', '5', '6.1'];
  const moves: Record<number, string[]> = { 0: ['in_progress'], 1: ['in_progress', 'on_hold'], 2: [] };
  for (const planId of [other.id, seed.plan.id]) {
    for (const [i, code] of codes.entries()) {
      await createTask(app, { planId, code, dueDate: i % 2 ? '2027-06-30' : '2026-03-31', assignees: seed.assignees });
    }
    await approvePlan(app, planId);
  }
  // In progress, on hold or not started, spread over both plans.
  for (const [i, task] of (await everyRow<Task>(app, '/v1/tasks')).entries()) {
    for (const to of moves[i % 3]!) await transition(app, task.id, to);
  }
  const all = await everyRow<Task>(app, '/v1/tasks');
  // A rare status's statement is the common one's, prepared once per shape: its plan is read with the common one.
  const cases: [string, (x: Task) => boolean][] = [
    ['status=in_progress', (x) => x.status === 'in_progress'],
    ['status=on_hold', (x) => x.status === 'on_hold'],
    [`status=in_progress&planId=${seed.plan.id}`, (x) => x.status === 'in_progress' && x.planId === seed.plan.id],
    [`status=on_hold&planId=${other.id}`, (x) => x.status === 'on_hold' && x.planId === other.id],
    ['status=in_progress&overdue=true', (x) => x.status === 'in_progress' && x.overdue],
  ];
  for (const [query, keep] of cases) {
    const url = `/v1/tasks?${query}`;
    const { rows, pages, plan } = await pagedWithPlan<Task>(app, url, 'tasks');
    const expected = all.filter(keep).map((x) => x.id);
    t.ok(expected.length >= 3, `${query}: ${expected.length} tasks`);
    t.strictSame(rows.map((x) => x.id), expected, `${query}: pages of 2 list every task once, in the list's order`);
    t.ok(pages >= 2, `${query}: ${pages} pages`);
    if (query.startsWith('status=on_hold')) continue;
    t.match(plan, /SEARCH tasks USING INDEX tasks_status_idx \(status=\? AND (plan_id=\? AND \(code_sort_key,id\)>\(\?,\?\)|\(plan_id,code_sort_key,id\)>\(\?,\?,\?\))\)/, `${query}: ${plan}`);
    t.notMatch(plan, /TEMP B-TREE/, `${query}: no sort`);
  }

  // An organization with many tasks walks one status's tasks in order, checking each one's assignees.
  const statuses = await preparedDuring(app, 'from "tasks"', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = listTaskRecords(app.db, { organizationId: seed.by.id, status: ['in_progress'], todayByCommission: [] }, { limit: 2, cursor }, 1);
      ids.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    t.strictSame(ids, all.filter((x) => x.status === 'in_progress').map((x) => x.id), 'a large organization: every task in progress once, in order');
  });
  const later = statuses.find((s) => /\) > \(/.test(s))!;
  const plan = (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${later}`).all(...Array.from(later.matchAll(/\?/g), () => null)) as { detail: string }[]).map((r) => r.detail).join(' | ');
  t.match(plan, /^SEARCH tasks USING INDEX tasks_status_idx \(status=\? AND \(plan_id,code_sort_key,id\)>\(\?,\?,\?\)\)/, `a large organization: ${plan}`);
  t.notMatch(plan, /TEMP B-TREE/, 'a large organization: no sort');
});

t.test('a due range with few tasks is read by the due index and sorted; one with many, and several statuses with many, are walked in the order index, checked; pages list each task once, in order', async (t) => {
  const app = await build(t, testClock());
  const seed = await seedPlan(app);
  const other = await createPlan(app, seed.commission.id, { title: 'Another plan' });
  const codes = ['1.1', '2.10', '1.2', '2.2', '10.1', '2.1', '3', '1.10', '4.4', '2.3', '5', '6.1'];
  const dues = ['2026-03-31', '2027-06-30', '2027-01-15'];
  for (const planId of [other.id, seed.plan.id]) {
    for (const [i, code] of codes.entries()) {
      await createTask(app, { planId, code, dueDate: dues[i % 3], assignees: seed.assignees });
    }
    await approvePlan(app, planId);
  }
  for (const [i, task] of (await everyRow<Task>(app, '/v1/tasks')).entries()) {
    if (i % 3 === 0) await transition(app, task.id, 'in_progress');
    if (i % 4 === 1) await transition(app, task.id, 'on_hold');
  }
  const all = await everyRow<Task>(app, '/v1/tasks');

  const paged = (filter: Omit<TaskFilter, 'todayByCommission'>, few: number) => pagedRecords(app, filter, few);
  const inRange = (x: Task) => x.dueDate >= '2027-01-01' && x.dueDate <= '2027-06-30';
  // [filter, which tasks, the index walked when its tasks are many]
  const cases: [string, Omit<TaskFilter, 'todayByCommission'>, (x: Task) => boolean, RegExp][] = [
    ['a due range', { dueFrom: '2027-01-01', dueTo: '2027-06-30' }, inRange, /tasks_order_idx \(\(plan_id,code_sort_key,id\)>/],
    ['dueFrom', { dueFrom: '2027-01-01' }, (x) => x.dueDate >= '2027-01-01', /tasks_order_idx \(\(plan_id,code_sort_key,id\)>/],
    ['dueTo', { dueTo: '2026-12-31' }, (x) => x.dueDate <= '2026-12-31', /tasks_order_idx \(\(plan_id,code_sort_key,id\)>/],
    ['a plan and a due range', { planId: seed.plan.id, dueFrom: '2027-01-01', dueTo: '2027-06-30' }, (x) => x.planId === seed.plan.id && inRange(x), /tasks_order_idx \(plan_id=\? AND \(code_sort_key,id\)>/],
    ['a status and a due range', { status: ['in_progress'], dueFrom: '2027-01-01', dueTo: '2027-06-30' }, (x) => x.status === 'in_progress' && inRange(x), /tasks_status_idx \(status=\? AND \(plan_id,code_sort_key,id\)>/],
    ['an organization and a due range', { organizationId: seed.kz.id, dueFrom: '2027-01-01', dueTo: '2027-06-30' }, inRange, /tasks_order_idx \(\(plan_id,code_sort_key,id\)>/],
  ];
  for (const [name, filter, keep, walked] of cases) {
    const expected = all.filter(keep).map((x) => x.id);
    t.ok(expected.length >= 3, `${name}: ${expected.length} tasks`);
    const few = await paged(filter, 1000);
    t.strictSame(few.ids, expected, `${name}, few tasks: every task once, in order`);
    // An organization's few assignments come first, whatever the range (the test above).
    // dueFrom or dueTo alone, closed by a bound no date passes, is a due range's statement, prepared before.
    if (!filter.organizationId && few.plan !== 'no statement with a cursor') t.match(few.plan, /SEARCH tasks USING INDEX tasks_due_idx \(due_date>\? AND due_date<\?\).*USE TEMP B-TREE FOR ORDER BY/, `${name}, few tasks: ${few.plan}`);
    const many = await paged(filter, 1);
    t.strictSame(many.ids, expected, `${name}, many tasks: every task once, in order`);
    t.match(many.plan, walked, `${name}, many tasks: ${many.plan}`);
    t.notMatch(many.plan, /tasks_due_idx|TEMP B-TREE/, `${name}, many tasks: no sort`);
  }

  const statuses: [string, Omit<TaskFilter, 'todayByCommission'>, (x: Task) => boolean, RegExp][] = [
    ['two statuses', { status: ['in_progress', 'on_hold'] }, (x) => x.status === 'in_progress' || x.status === 'on_hold', /tasks_order_idx \(\(plan_id,code_sort_key,id\)>/],
    ['a plan and two statuses', { planId: other.id, status: ['not_started', 'on_hold'] }, (x) => x.planId === other.id && (x.status === 'not_started' || x.status === 'on_hold'), /tasks_order_idx \(plan_id=\? AND \(code_sort_key,id\)>/],
  ];
  for (const [name, filter, keep, walked] of statuses) {
    const expected = all.filter(keep).map((x) => x.id);
    t.ok(expected.length >= 3, `${name}: ${expected.length} tasks`);
    const few = await paged(filter, 1000);
    t.strictSame(few.ids, expected, `${name}, few tasks: every task once, in order`);
    t.match(few.plan, /SEARCH tasks USING INDEX tasks_status_idx \(status=\?/, `${name}, few tasks: ${few.plan}`);
    const many = await paged(filter, 1);
    t.strictSame(many.ids, expected, `${name}, many tasks: every task once, in order`);
    t.match(many.plan, walked, `${name}, many tasks: ${many.plan}`);
    t.notMatch(many.plan, /TEMP B-TREE/, `${name}, many tasks: no sort`);
  }
});

t.test('what awaits a decision, when little does, is read from where it waits and sorted, every other filter checked; when much does, the order index is walked; pages list each task once, in order', async (t) => {
  const app = await build(t, testClock());
  const seed = await seedPlan(app);
  const other = await createPlan(app, seed.commission.id, { title: 'Another plan' });
  const codes = ['1.1', '2.10', '1.2', '2.2', '10.1', '2.1', '3', '1.10', '4.4'];
  for (const planId of [other.id, seed.plan.id]) {
    for (const [i, code] of codes.entries()) await createTask(app, { planId, code, dueDate: i % 2 ? '2027-06-30' : '2027-03-31', assignees: seed.assignees });
    await approvePlan(app, planId);
  }
  const ok = async (method: 'POST', url: string, payload: object) => {
    const res = await app.inject({ method, url, payload });
    t.equal(res.statusCode, 201, `${url}: ${res.body}`);
  };
  for (const [i, task] of (await everyRow<Task>(app, '/v1/tasks')).entries()) {
    if (i % 3 === 0) await transition(app, task.id, 'in_progress');
    // Two pending requests cannot be; a task with two submitted reports (both parties) must still be listed once.
    if (i % 3 !== 2) await ok('POST', `/v1/tasks/${task.id}/deadline-changes`, { kind: 'request', newDueDate: '2027-12-31', reason: 'Waiting for the supplier.' });
    if (i % 4 === 1) {
      for (const organizationId of [seed.by.id, seed.kz.id]) {
        await ok('POST', `/v1/tasks/${task.id}/reports`, { organizationId, period: '2026-Q4', percentComplete: 40, confidence: 'amber', narrative: 'Under way.' });
      }
    }
  }
  const all = await everyRow<Task>(app, '/v1/tasks');
  const ids = async (query: string) => (await everyRow<Task>(app, `/v1/tasks?${query}`)).map((x) => x.id);
  const decision = new Set(await ids('awaiting=deadline_decision'));
  const review = new Set(await ids('awaiting=report_review'));
  t.equal(decision.size, 12, 'twelve tasks with a pending deadline request');
  t.equal(review.size, 5, 'five with reports to review');

  const paged = (filter: Omit<TaskFilter, 'todayByCommission'>, few: number) => pagedRecords(app, filter, few);
  const cases: [string, Omit<TaskFilter, 'todayByCommission'>, (x: Task) => boolean][] = [
    ['deadline decisions', { awaiting: ['deadline_decision'] }, (x) => decision.has(x.id)],
    ['reviews', { awaiting: ['report_review'] }, (x) => review.has(x.id)],
    ['either', { awaiting: ['deadline_decision', 'report_review'] }, (x) => decision.has(x.id) || review.has(x.id)],
    ['a plan\'s deadline decisions', { planId: other.id, awaiting: ['deadline_decision'] }, (x) => x.planId === other.id && decision.has(x.id)],
    ['in progress, deadline decisions', { status: ['in_progress'], awaiting: ['deadline_decision'] }, (x) => x.status === 'in_progress' && decision.has(x.id)],
    ['two statuses and a due range, deadline decisions', { status: ['in_progress', 'not_started'], dueFrom: '2027-04-01', awaiting: ['deadline_decision'] }, (x) => x.dueDate >= '2027-04-01' && decision.has(x.id)],
  ];
  for (const [name, filter, keep] of cases) {
    const expected = all.filter(keep).map((x) => x.id);
    t.ok(expected.length >= 3, `${name}: ${expected.length} tasks`);
    const few = await paged(filter, 1000);
    t.strictSame(few.ids, expected, `${name}, few waiting: every task once, in order`);
    t.match(few.plan, /SEARCH tasks USING INDEX sqlite_autoindex_tasks_1 \(id=\?\)/, `${name}, few waiting: the tasks read by id: ${few.plan}`);
    t.match(few.plan, /(deadline_changes_pending_idx|progress_reports_submitted_idx)/, `${name}, few waiting: from the partial index: ${few.plan}`);
    t.notMatch(few.plan, /tasks_order_idx|tasks_status_idx|tasks_due_idx/, `${name}, few waiting: no index of the tasks walked`);
    const many = await paged(filter, 1);
    t.strictSame(many.ids, expected, `${name}, many waiting: every task once, in order`);
    t.notMatch(many.plan, /sqlite_autoindex_tasks_1/, `${name}, many waiting: walked, not read by id: ${many.plan}`);
  }
});
