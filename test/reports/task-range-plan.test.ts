// A range of a plan's tasks, as the report.missing look reads it a slice per transaction (and the report's parts a
// thread each): its bounds are found by keyset steps through the order index (taskBoundaries), and each statement of
// the report's walk (taskQueries, run by tasksOf) seeks the range in that index rather than reading its whole plan and
// filtering it, so that a slice of 200 tasks costs what 200 tasks do (on 100,000 tasks a whole-plan read was 20 ms a
// statement against 1, and OFFSET bounds held the event loop 1 s at the start of a look).
import t from 'tap';
import { changesSinceQuery } from '../../src/modules/reports/progress.history-repository.js';
import { rangesBetween, taskBoundaries } from '../../src/modules/reports/progress.ranges-repository.js';
import { assigneesAtQuery, assigneeWritesBeforeQuery, taskAssigneesAtQuery } from '../../src/modules/reports/progress.assignee-history-repository.js';
import { taskQueries, tasksOf, type TaskRange } from '../../src/modules/reports/progress.repository.js';
import type { App } from '../../src/app.js';
import { build } from '../helper.js';
import { createPlan, createTask, seedPlan } from '../factories.js';

const LATER = '2100-01-01T00:00:00.000Z';

/** SQLite's plan of a statement, its steps joined by ' | '. */
function queryPlan(app: App, query: { toSQL(): { sql: string; params: unknown[] } }): string {
  const { sql, params } = query.toSQL();
  return (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
}

/** A plan of `codes` (created in this order) beside another plan of three tasks, which no range of the first may reach. */
async function twoPlans(app: App, codes: string[]) {
  const { commission, plan, assignees } = await seedPlan(app);
  for (const code of codes) await createTask(app, { planId: plan.id, code, dueDate: '2026-12-31', assignees });
  const other = await createPlan(app, commission.id, { title: 'Another plan' });
  for (const code of ['1', '2', '3']) await createTask(app, { planId: other.id, code, dueDate: '2026-12-31', assignees });
  return { plan };
}

t.test("each statement of a range's walk seeks the range in the order index, whichever of its bounds it has", async (t) => {
  const app = await build(t);
  const { plan } = await twoPlans(app, ['1', '2', '3', '4', '5', '6', '7']);
  const ranges = rangesBetween(taskBoundaries(app.db, plan.id, 3));
  t.equal(ranges.length, 3, 'seven tasks in ranges of three: a first (to), a middle (from and to) and a last (from)');
  const seek: Record<string, RegExp> = {
    first: /SEARCH tasks USING (COVERING )?INDEX tasks_order_idx \(plan_id=\? AND \(code_sort_key,id\)<\(\?,\?\)\)/,
    middle: /SEARCH tasks USING (COVERING )?INDEX tasks_order_idx \(plan_id=\? AND \(code_sort_key,id\)>\(\?,\?\) AND \(code_sort_key,id\)<\(\?,\?\)\)/,
    last: /SEARCH tasks USING (COVERING )?INDEX tasks_order_idx \(plan_id=\? AND \(code_sort_key,id\)>\(\?,\?\)\)/,
  };
  // What each statement reads beside the tasks, sought by the task it belongs to.
  const joined = {
    tasks: null,
    assignees: /SEARCH task_assignees USING (COVERING )?INDEX sqlite_autoindex_task_assignees_1 \(task_id=\?\)/,
    changes: /SEARCH task_status_changes USING (COVERING )?INDEX task_status_changes_task_idx \(task_id=\?\)/,
    reports: /SEARCH progress_reports USING (COVERING )?INDEX progress_reports_task_org_period_uq \(task_id=\?\)/,
  };
  const named: [string, TaskRange][] = [
    ['first', ranges[0] as TaskRange],
    ['middle', ranges[1] as TaskRange],
    ['last', ranges[2] as TaskRange],
  ];
  for (const [which, range] of named) {
    const queries = taskQueries(app.db, [plan.id], LATER, range);
    for (const [name, other] of Object.entries(joined)) {
      const plan1 = queryPlan(app, queries[name as keyof typeof queries]);
      t.match(plan1, seek[which] as RegExp, `${which} range, ${name}: ${plan1}`);
      if (other) t.match(plan1, other, `${which} range, ${name}: the rows of each task by their task`);
      t.notMatch(plan1, /\bSCAN\b/, `${which} range, ${name}: no table scanned`);
      // The plan alone, the range filtered afterwards: what a row value starting with the plan gave (each part read its plan).
      t.notMatch(plan1, /tasks_order_idx \(plan_id=\?\)/, `${which} range, ${name}: not the whole plan`);
    }
  }
});

t.test("a plan's boundaries cut it into consecutive ranges of so many tasks, in the report's order, each task once", async (t) => {
  const app = await build(t);
  // Out of creation order, and in an order a string sort would break: 1.10 after 1.9.
  const codes = ['1.10', '2', '1.2', '1.9', '1.1', '3.1', '1.3'];
  const { plan } = await twoPlans(app, codes);
  const walk = (range: TaskRange = {}) => [...tasksOf(app.db, [plan.id], LATER, range)].map((row) => row.code);
  const whole = walk();
  t.strictSame(whole, ['1.1', '1.2', '1.3', '1.9', '1.10', '2', '3.1'], "the whole plan in the report's order");

  for (const size of [1, 2, 3, 6, 7, 8, 100]) {
    const bounds = taskBoundaries(app.db, plan.id, size);
    t.equal(bounds.length, Math.ceil(codes.length / size) - 1, `ranges of ${size}: one bound fewer than ranges`);
    t.ok(bounds.every((b) => b[0] === plan.id), `ranges of ${size}: bounds within the plan`);
    const parts = rangesBetween(bounds).map((range) => walk(range));
    t.ok(parts.slice(0, -1).every((p) => p.length === size), `ranges of ${size}: each but the last holds ${size} tasks`);
    t.ok((parts.at(-1) as string[]).length > 0 && (parts.at(-1) as string[]).length <= size, `ranges of ${size}: the last holds the rest`);
    t.strictSame(parts.flat(), whole, `ranges of ${size}: put together, the whole plan, each task once`);
  }
  t.strictSame(rangesBetween(taskBoundaries(app.db, plan.id, 7)), [{ from: undefined, to: undefined }], 'no bound: one range, the whole plan');
});

t.test("a past day's report seeks the history's entries since that day by their instant, in order, not a whole plan's", async (t) => {
  const app = await build(t);
  const { plan } = await twoPlans(app, ['1', '2']);
  // By the plan's and the entity types' indexes SQLite read every entry of the plan and sorted those since the day:
  // 125-200 ms on 400,000 entries for yesterday's report, 0.1-2 ms sought by instant.
  const steps = queryPlan(app, changesSinceQuery(app.db, [plan.id], '2026-11-01T00:00:00.000Z'));
  t.match(steps, /^SEARCH change_history USING INDEX change_history_at_idx \(at>\?\)$/, `sought by instant, in order: ${steps}`);
});

t.test("who was on the tasks at a deadline is sought by the history's instant, or by the entity for a slice's tasks", async (t) => {
  const app = await build(t);
  const { plan } = await twoPlans(app, ['1', '2']);
  const whole = queryPlan(app, assigneesAtQuery(app.db, [plan.id], '2026-10-10T21:00:00.000Z'));
  t.match(whole, /^SEARCH change_history USING INDEX change_history_at_idx \(at>\?\)$/, `a whole plan's: by instant, in order: ${whole}`);
  const slice = queryPlan(app, assigneesAtQuery(app.db, [plan.id], '2026-10-10T21:00:00.000Z', ['a', 'b']));
  t.match(slice, /SEARCH change_history USING INDEX change_history_entity_idx \(entity_type=\? AND entity_id=\?\)/, `a slice's: by its tasks: ${slice}`);
});

t.test('the submission of a report asks the history of its one task by the entity index, not every entry since the deadline', async (t) => {
  const app = await build(t);
  await twoPlans(app, ['1', '2']);
  // Prepared statements with placeholders: any value will do for the plan.
  const planOf = (query: { getQuery(): { sql: string; params: unknown[] } }) => {
    const { sql, params } = query.getQuery();
    const values = params.map((p) => (typeof p === 'object' && p !== null ? '["x"]' : p));
    return (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values) as { detail: string }[]).map((r) => r.detail).join(' | ');
  };
  const then = planOf(taskAssigneesAtQuery(app.db));
  t.match(then, /^SEARCH change_history USING INDEX change_history_entity_idx \(entity_type=\? AND entity_id=\?\)/, `who was on it then: ${then}`);
  const since = planOf(assigneeWritesBeforeQuery(app.db));
  t.match(since, /^SEARCH change_history USING INDEX change_history_entity_idx \(entity_type=\? AND entity_id=\?\)/, `since when: ${since}`);
});
