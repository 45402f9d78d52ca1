// taskRecordsOfPlan (a plan's approval announces its tasks) hands out exactly a TaskRecord: the organizations' updatedAt
// that assigneesByTask reads for the calendar stays out of it, so presenting such a record gives the task's answer.
import t from 'tap';
import type { App } from '../../src/app.js';
import { taskRecordsOfPlan } from '../../src/modules/tasks/tasks.repository.js';
import { presentTask } from '../../src/modules/tasks/tasks.service.js';
import { build, testClock } from '../helper.js';
import { createTask, seedPlan } from '../factories.js';

t.test('a task of taskRecordsOfPlan, presented, is the task GET /v1/tasks/{id} answers', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app: App = await build(t, clock);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const [record] = taskRecordsOfPlan(app.db, plan.id);
  t.ok(record && record.assignees.length > 0);
  for (const assignee of record!.assignees) t.notOk('organizationUpdatedAt' in assignee, 'no calendar date on an assignee');
  const answer = await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` });
  t.same(JSON.parse(JSON.stringify(presentTask(record!, clock()))), answer.json());
});
