// Closing a plan looks for what still waits for a decision where it waits (the pending deadline changes, the reports
// submitted and not reviewed, the tasks reported done), rather than walking every task of the plan and checking each.
import t from 'tap';
import type { App } from '../../src/app.js';
import { build, json, preparedDuring, testClock } from '../helper.js';
import { approvePlan, createTask, seedPlan } from '../factories.js';

/** The answer to closing the plan, and the query plan of each statement that read tasks while it was answered. */
async function closing(app: App, planId: string): Promise<{ status: number; detail: string | undefined; plans: string[] }> {
  let status = 0;
  let detail: string | undefined;
  const statements = await preparedDuring(app, 'from "tasks"', async () => {
    const res = await app.inject({ method: 'POST', url: `/v1/plans/${planId}/close` });
    status = res.statusCode;
    detail = json<{ detail?: string }>(res).detail;
  });
  const plans = statements
    .filter((s) => /^select "code"|^select count/.test(s))
    .map((s) => (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${s}`).all(...Array.from(s.matchAll(/\?/g), () => null)) as { detail: string }[]).map((r) => r.detail).join(' | '));
  return { status, detail, plans };
}

t.test('closing a plan reads what awaits a decision from where it waits, instead of walking every task of the plan', async (t) => {
  const app = await build(t, testClock());
  const { plan, assignees, by } = await seedPlan(app);
  const tasks = [];
  for (let i = 1; i <= 14; i++) tasks.push(await createTask(app, { planId: plan.id, code: `${i}`, dueDate: '2026-12-31', assignees }));
  await approvePlan(app, plan.id);
  const post = async (url: string, payload: object, status = 201) => {
    const res = await app.inject({ method: 'POST', url, payload });
    t.equal(res.statusCode, status, `${url}: ${res.body}`);
    return json<{ id: string }>(res);
  };
  const change = await post(`/v1/tasks/${tasks[12]!.id}/deadline-changes`, { kind: 'request', newDueDate: '2027-03-31', reason: 'Equipment delivered late' });
  const reports = [];
  for (const task of tasks.slice(0, 12)) reports.push({ task, report: await post(`/v1/tasks/${task.id}/reports`, { organizationId: by.id, period: '2026-Q4', percentComplete: 50, confidence: 'green', narrative: 'On track' }) });
  for (const to of ['in_progress', 'done']) await post(`/v1/tasks/${tasks[4]!.id}/transitions`, { to }, 200);

  const refusedClose = await closing(app, plan.id);
  t.equal(refusedClose.status, 409);
  t.equal(
    refusedClose.detail,
    'the plan still has deadline changes awaiting a decision (task 13; awaiting=deadline_decision), progress reports ' +
      'awaiting review (12 tasks: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more; awaiting=report_review) and tasks reported done, to be ' +
      'closed or sent back (task 5; status=done). Decide them (a deadline request may also be withdrawn), then close the plan: ' +
      'a closed plan is read-only. ' +
      `GET /v1/tasks?planId=${plan.id} with each filter lists them`,
    'the refusal names the first ten in the plan\'s order and counts the rest',
  );

  await post(`/v1/tasks/${tasks[12]!.id}/deadline-changes/${change.id}/decision`, { decision: 'reject', basis: 'Protocol 21, item 4' }, 200);
  for (const { task, report } of reports) await post(`/v1/tasks/${task.id}/reports/${report.id}/review`, { decision: 'accepted' }, 200);
  await post(`/v1/tasks/${tasks[4]!.id}/transitions`, { to: 'closed' }, 200);
  const closed = await closing(app, plan.id);
  t.equal(closed.status, 200, 'closed once nothing waits');

  for (const [what, { plans }] of [['refused', refusedClose], ['closed', closed]] as const) {
    t.ok(plans.length >= 3, `${what}: ${plans.length} statements read the codes`);
    for (const p of plans) {
      t.notMatch(p, /SEARCH tasks USING (COVERING )?INDEX tasks_(order_idx|plan_code_uq) \(plan_id=\?\)/, `${what}: no walk of the plan: ${p}`);
      t.notMatch(p, /SCAN (tasks|deadline_changes|progress_reports)( |$)(?!USING COVERING INDEX (deadline_changes_pending_idx|progress_reports_submitted_idx))/, `${what}: no scan: ${p}`);
    }
    t.ok(plans.some((p) => /deadline_changes_pending_idx/.test(p)), `${what}: the pending deadline changes by their index`);
    t.ok(plans.some((p) => /progress_reports_submitted_idx/.test(p)), `${what}: the reports to review by their index`);
    t.ok(plans.some((p) => /tasks_status_idx \(status=\? AND plan_id=\?\)/.test(p)), `${what}: the tasks reported done by the status index`);
  }
});
