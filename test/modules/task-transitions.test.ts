// Tests of POST/GET /v1/tasks/{id}/transitions: the status machine over HTTP, timestamps, completion and the log.
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import { TASK_STATUSES, type TaskStatus } from '../../src/db/enums.js';
import type { StatusChange, Task } from '../../src/modules/tasks/tasks.schemas.js';
import { build, json, keyFor, refused, testClock, type InjectedResponse } from '../helper.js';
import { approvedTask, approvePlan, createOrganization, createTask, getTask, seedPlan } from '../factories.js';

const move = (id: string, to: string, comment?: string): InjectOptions => ({
  method: 'POST',
  url: `/v1/tasks/${id}/transitions`,
  payload: comment === undefined ? { to } : { to, comment },
});

/** Sends a transition request as given (with its own key) and returns the task, which must have moved. */
async function moveAs(t: Test, app: App, request: InjectOptions): Promise<Task> {
  const res = await app.inject(request);
  t.equal(res.statusCode, 200, `→ ${(request.payload as { to: string }).to}`);
  if (res.statusCode !== 200) throw new Error(res.body);
  return json(res);
}

async function moveOk(t: Test, app: App, id: string, to: string, comment?: string): Promise<Task> {
  const res = await app.inject(move(id, to, comment));
  t.equal(res.statusCode, 200, `→ ${to}`);
  if (res.statusCode !== 200) throw new Error(res.body);
  return json(res);
}

/** Legal paths from not_started to each status. */
const PATH_TO: Record<TaskStatus, TaskStatus[]> = {
  not_started: [],
  in_progress: ['in_progress'],
  on_hold: ['on_hold'],
  done: ['in_progress', 'done'],
  closed: ['in_progress', 'done', 'closed'],
  cancelled: ['cancelled'],
};

const LEGAL: Record<TaskStatus, TaskStatus[]> = {
  not_started: ['in_progress', 'on_hold', 'cancelled'],
  in_progress: ['on_hold', 'done', 'cancelled'],
  on_hold: ['in_progress', 'cancelled'],
  done: ['closed', 'in_progress', 'cancelled'],
  closed: ['in_progress'],
  cancelled: ['in_progress'],
};

t.test('the full path not_started → in_progress → done → closed stamps each step and classifies completion', async (t) => {
  const clock = testClock('2026-11-01T08:00:00.000Z');
  const app = await build(t, clock);
  const { task } = await approvedTask(app, { dueDate: '2026-11-30' });
  t.match(task, { status: 'not_started', statusChangedAt: '2026-11-01T08:00:00.000Z', completedAt: null, closedAt: null, completion: null });

  clock.set('2026-11-05T09:00:00.000Z');
  const started = await moveOk(t, app, task.id, 'in_progress', 'Work has begun');
  t.same(started, {
    ...task,
    status: 'in_progress',
    statusChangedAt: '2026-11-05T09:00:00.000Z',
    updatedAt: '2026-11-05T09:00:00.000Z',
  });

  clock.set('2026-11-20T10:00:00.000Z');
  const done = await moveOk(t, app, task.id, 'done');
  t.match(done, {
    status: 'done',
    statusChangedAt: '2026-11-20T10:00:00.000Z',
    completedAt: '2026-11-20T10:00:00.000Z',
    closedAt: null,
    completion: null,
    overdue: false,
  });

  clock.set('2026-12-05T11:00:00.000Z');
  const closed = await moveOk(t, app, task.id, 'closed', 'Removed from control');
  t.same(closed, {
    ...task,
    status: 'closed',
    statusChangedAt: '2026-12-05T11:00:00.000Z',
    completedAt: '2026-11-20T10:00:00.000Z',
    closedAt: '2026-12-05T11:00:00.000Z',
    completion: { completedOn: '2026-11-20', againstDueDate: 'on_time', againstOriginalDueDate: 'on_time', daysLate: 0 },
    overdue: false,
    daysOverdue: 0,
    updatedAt: '2026-12-05T11:00:00.000Z',
  });
  t.same(await getTask(app, task.id), closed, 'stored as returned');
});

t.test('a done task sent back to in_progress loses its completedAt', async (t) => {
  const clock = testClock('2026-11-01T08:00:00.000Z');
  const app = await build(t, clock);
  const { task } = await approvedTask(app);
  await moveOk(t, app, task.id, 'in_progress');
  clock.set('2026-11-10T08:00:00.000Z');
  t.equal((await moveOk(t, app, task.id, 'done')).completedAt, '2026-11-10T08:00:00.000Z');
  clock.set('2026-11-11T08:00:00.000Z');
  const back = await moveOk(t, app, task.id, 'in_progress', 'The report lacks the signed agreement');
  t.match(back, { status: 'in_progress', completedAt: null, closedAt: null, statusChangedAt: '2026-11-11T08:00:00.000Z' });

  clock.set('2026-11-15T08:00:00.000Z');
  const again = await moveOk(t, app, task.id, 'done');
  t.equal(again.completedAt, '2026-11-15T08:00:00.000Z', 'reporting done again stamps the new day');
});

t.test('a closed task reopened goes back to in_progress, with closedAt, completedAt and completion cleared', async (t) => {
  const clock = testClock('2026-11-01T08:00:00.000Z');
  const app = await build(t, clock);
  const { task } = await approvedTask(app);
  for (const to of ['in_progress', 'done', 'closed']) await moveOk(t, app, task.id, to);
  clock.set('2026-11-02T08:00:00.000Z');
  const reopened = await moveOk(t, app, task.id, 'in_progress', 'Returned to control by the co-chairs');
  t.match(reopened, { status: 'in_progress', closedAt: null, completedAt: null, completion: null, statusChangedAt: '2026-11-02T08:00:00.000Z' });
});

t.test('cancel and reopen', async (t) => {
  const clock = testClock('2026-11-01T08:00:00.000Z');
  const app = await build(t, clock);
  const { task } = await approvedTask(app, { dueDate: '2026-11-10' });
  clock.set('2026-11-28T08:00:00.000Z');
  t.match(await getTask(app, task.id), { overdue: true, daysOverdue: 18 }, 'late before it is cancelled');

  const cancelled = await moveOk(t, app, task.id, 'cancelled', 'Superseded by item 3.2');
  t.match(cancelled, { status: 'cancelled', statusChangedAt: '2026-11-28T08:00:00.000Z', overdue: false, daysOverdue: 0, completion: null, closedAt: null });

  clock.set('2026-11-29T08:00:00.000Z');
  const reopened = await moveOk(t, app, task.id, 'in_progress', 'Back on the agenda');
  t.match(reopened, { status: 'in_progress', statusChangedAt: '2026-11-29T08:00:00.000Z', overdue: true, daysOverdue: 19 });
});

t.test('a task reported done, then cancelled and reopened, is no longer marked completed', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  for (const to of ['in_progress', 'done', 'cancelled']) await moveOk(t, app, task.id, to);
  const reopened = await moveOk(t, app, task.id, 'in_progress');
  t.equal(reopened.completedAt, null, 'completedAt is cleared on reopening');
});

t.test('on hold and resume', async (t) => {
  const clock = testClock('2026-11-01T08:00:00.000Z');
  const app = await build(t, clock);
  const { task } = await approvedTask(app);
  clock.set('2026-11-02T08:00:00.000Z');
  t.match(await moveOk(t, app, task.id, 'on_hold', 'Waiting for financing'), { status: 'on_hold', statusChangedAt: '2026-11-02T08:00:00.000Z' });
  clock.set('2026-11-03T08:00:00.000Z');
  t.match(await moveOk(t, app, task.id, 'in_progress'), { status: 'in_progress', statusChangedAt: '2026-11-03T08:00:00.000Z' });
  clock.set('2026-11-04T08:00:00.000Z');
  t.match(await moveOk(t, app, task.id, 'on_hold'), { status: 'on_hold', statusChangedAt: '2026-11-04T08:00:00.000Z' }, 'in_progress → on_hold');
});

t.test('every illegal transition is refused with 409, naming the legal targets, and changes nothing', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const byStatus = {} as Record<TaskStatus, string>;
  for (const [i, s] of TASK_STATUSES.entries()) {
    byStatus[s] = (await createTask(app, { planId: plan.id, code: String(i + 1), dueDate: '2026-12-31', assignees })).id;
  }
  await approvePlan(app, plan.id);
  for (const s of TASK_STATUSES) for (const to of PATH_TO[s]) await moveOk(t, app, byStatus[s], to);

  for (const from of TASK_STATUSES) {
    t.equal((await getTask(app, byStatus[from])).status, from, `a task in ${from}`);
    for (const to of TASK_STATUSES.filter((x) => !LEGAL[from].includes(x))) {
      await t.test(`${from} → ${to}`, async (t) => {
        const body = await refused(t, app, move(byStatus[from], to), 409, 'illegal-transition');
        t.equal(body.detail, `a task cannot go from ${from} to ${to}; from ${from} it can go to ${LEGAL[from].join(', ')}`);
        t.same(body.errors, [{ path: 'body.to', message: `not reachable from ${from}` }]);
      });
    }
  }
});

t.test('transitions are refused with 409 in a draft plan and in a closed plan', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1', dueDate: '2026-12-31', assignees });

  const draft = await refused(t, app, move(task.id, 'in_progress'), 409, 'plan-state-conflict');
  t.match(draft.detail, /draft/);

  await approvePlan(app, plan.id);
  await moveOk(t, app, task.id, 'in_progress');
  const closing = await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/close` });
  t.equal(closing.statusCode, 200);
  const closed = await refused(t, app, move(task.id, 'done'), 409, 'plan-state-conflict');
  t.match(closed.detail, /closed/);
});

t.test('bad transition bodies are refused with 400 and change nothing', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const url = `/v1/tasks/${task.id}/transitions`;
  for (const [what, payload] of [
    ['an unknown status', { to: 'finished' }],
    ['no target', {}],
    ['an unknown field', { to: 'in_progress', by: 'me' }],
    ['a blank comment', { to: 'in_progress', comment: '  ' }],
    ['a comment over 2000 characters', { to: 'in_progress', comment: 'x'.repeat(2001) }],
  ] as [string, object][]) {
    const body = await refused(t, app, { method: 'POST', url, payload }, 400, 'validation-failed');
    t.ok(body.errors.length > 0, what);
  }
});

t.test('the transition log lists every transition in order with from, to, comment and actor', async (t) => {
  const clock = testClock('2026-11-01T08:00:00.000Z');
  const app = await build(t, clock);
  const { task } = await approvedTask(app);
  const steps: [TaskStatus, string | undefined][] = [
    ['in_progress', 'Started'],
    ['on_hold', 'Waiting for financing'],
    ['in_progress', undefined],
    ['done', 'Agreement signed on 4 November'],
    ['in_progress', 'Sent back: no signed copy'],
    ['done', undefined],
    ['closed', 'Removed from control'],
  ];
  for (const [i, [to, comment]] of steps.entries()) {
    clock.set(`2026-11-${String(i + 2).padStart(2, '0')}T08:00:00.000Z`);
    await moveOk(t, app, task.id, to, comment);
  }

  const res = await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/transitions` });
  t.equal(res.statusCode, 200);
  const page = json<{ items: StatusChange[]; nextCursor: string | null }>(res);
  t.equal(page.nextCursor, null);
  const secretariatKeyId = json(await app.inject({ method: 'GET', url: '/v1/api-keys/current' })).id;
  t.match(secretariatKeyId, /^[0-9a-f-]{36}$/);
  let from: TaskStatus = 'not_started';
  const expected = steps.map(([to, comment], i) => {
    const entry = {
      taskId: task.id,
      from,
      to,
      comment: comment ?? null,
      actor: { keyId: secretariatKeyId, role: 'secretariat', organizationId: null },
      changedAt: `2026-11-${String(i + 2).padStart(2, '0')}T08:00:00.000Z`,
    };
    from = to;
    return entry;
  });
  t.same(
    page.items.map(({ id: _id, ...rest }) => rest),
    expected,
  );
  for (const item of page.items) t.match(item.id, /^[0-9a-f-]{36}$/);

  // The same log, walked two at a time.
  const walked: StatusChange[] = [];
  let cursor: string | null = null;
  do {
    const r: InjectedResponse = await app.inject({
      method: 'GET',
      url: `/v1/tasks/${task.id}/transitions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    });
    const p = json<{ items: StatusChange[]; nextCursor: string | null }>(r);
    t.ok(p.items.length <= 2);
    walked.push(...p.items);
    cursor = p.nextCursor;
  } while (cursor !== null);
  t.same(walked, page.items, 'pages of two see the same log');
});

t.test('a refused transition leaves no entry in the log', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  await app.inject(move(task.id, 'closed'));
  await app.inject(move(task.id, 'done'));
  const page = json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/transitions` }));
  t.same(page.items, []);
});

t.test('the logs of two tasks are kept apart', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const a = await createTask(app, { planId: plan.id, code: '1', dueDate: '2026-12-31', assignees });
  const b = await createTask(app, { planId: plan.id, code: '2', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  await moveOk(t, app, a.id, 'in_progress');
  await moveOk(t, app, b.id, 'cancelled');
  const logA = json(await app.inject({ method: 'GET', url: `/v1/tasks/${a.id}/transitions` })).items;
  const logB = json(await app.inject({ method: 'GET', url: `/v1/tasks/${b.id}/transitions` })).items;
  t.same(logA.map((x: StatusChange) => [x.taskId, x.to]), [[a.id, 'in_progress']]);
  t.same(logB.map((x: StatusChange) => [x.taskId, x.to]), [[b.id, 'cancelled']]);
});

t.test('a closed task is not overdue even when its due date has passed, and is classified late', async (t) => {
  const clock = testClock('2026-11-01T08:00:00.000Z');
  const app = await build(t, clock);
  const { task } = await approvedTask(app, { dueDate: '2026-11-10' });
  await moveOk(t, app, task.id, 'in_progress');
  clock.set('2026-11-25T08:00:00.000Z');
  t.match(await moveOk(t, app, task.id, 'done'), { overdue: true, daysOverdue: 15 }, 'done is still in control, and late');
  clock.set('2026-11-28T08:00:00.000Z');
  const closed = await moveOk(t, app, task.id, 'closed');
  t.match(closed, {
    overdue: false,
    daysOverdue: 0,
    completion: { completedOn: '2026-11-25', againstDueDate: 'late', againstOriginalDueDate: 'late', daysLate: 15 },
  });
  clock.set('2027-06-01T08:00:00.000Z');
  t.match(await getTask(app, task.id), { overdue: false, daysOverdue: 0 }, 'months later, still not overdue');
});

t.test('a task whose due date has passed is overdue, with daysOverdue counted in the commission’s zone', async (t) => {
  const clock = testClock('2026-11-01T08:00:00.000Z');
  const app = await build(t, clock);
  const { task } = await approvedTask(app, { dueDate: '2026-11-20', timeZone: 'Asia/Almaty' });
  await moveOk(t, app, task.id, 'in_progress');

  clock.set('2026-11-20T18:59:59.000Z'); // 23:59:59 in Almaty on the due date
  t.match(await getTask(app, task.id), { overdue: false, daysOverdue: 0 });
  clock.set('2026-11-20T19:00:00.000Z'); // midnight in Almaty
  t.match(await getTask(app, task.id), { overdue: true, daysOverdue: 1 });
  clock.set('2026-11-28T09:00:00.000Z');
  t.match(await getTask(app, task.id), { overdue: true, daysOverdue: 8 });
  t.match(await moveOk(t, app, task.id, 'on_hold'), { overdue: true, daysOverdue: 8 }, 'on hold does not stop the clock');
});

t.test('a postponed task done after its original date is on time against the current date only', async (t) => {
  const clock = testClock('2026-11-01T08:00:00.000Z');
  const app = await build(t, clock);
  const { task } = await approvedTask(app, { dueDate: '2026-11-20' });
  const change = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task.id}/deadline-changes`,
    payload: { kind: 'direct', newDueDate: '2026-12-10', reason: 'Certification takes longer', basis: 'Protocol 12, item 4' },
  });
  t.equal(change.statusCode, 201);
  await moveOk(t, app, task.id, 'in_progress');
  clock.set('2026-11-28T08:00:00.000Z');
  await moveOk(t, app, task.id, 'done');
  const closed = await moveOk(t, app, task.id, 'closed');
  t.same(closed.completion, { completedOn: '2026-11-28', againstDueDate: 'on_time', againstOriginalDueDate: 'late', daysLate: 0 });
  t.match(closed, { dueDate: '2026-12-10', originalDueDate: '2026-11-20', postponementCount: 1 });
});

t.test('the completion day is taken in the commission’s time zone', async (t) => {
  // Reported done at 22:30 UTC on 30 November: 1 December in Almaty, still 30 November in London.
  for (const [timeZone, completedOn, verdict, daysLate] of [
    ['Asia/Almaty', '2026-12-01', 'late', 1],
    ['Europe/London', '2026-11-30', 'on_time', 0],
  ] as const) {
    await t.test(timeZone, async (t) => {
      const clock = testClock('2026-11-01T08:00:00.000Z');
      const app = await build(t, clock);
      const { task } = await approvedTask(app, { dueDate: '2026-11-30', timeZone });
      await moveOk(t, app, task.id, 'in_progress');
      clock.set('2026-11-30T22:30:00.000Z');
      await moveOk(t, app, task.id, 'done');
      clock.set('2026-12-02T08:00:00.000Z');
      const closed = await moveOk(t, app, task.id, 'closed');
      t.same(closed.completion, { completedOn, againstDueDate: verdict, againstOriginalDueDate: verdict, daysLate });
    });
  }
});

t.test('an executing ministry runs its part but cannot close; another ministry, a co-chair and an observer cannot touch the task', async (t) => {
  const app = await build(t);
  const { task, by } = await approvedTask(app);
  const stranger = await createOrganization(app, { name: 'Ministry of Agriculture of Belarus', country: 'BY' });
  const executor = await keyFor(app, 'ministry', by.id);
  const outsider = await keyFor(app, 'ministry', stranger.id);
  const as = (key: { headers: Record<string, string> }, to: string): InjectOptions => ({ ...move(task.id, to), headers: key.headers });

  await refused(t, app, as(outsider, 'in_progress'), 403, 'forbidden'); // a ministry that is not an assignee cannot start it
  t.match(await moveAs(t, app, as(executor, 'in_progress')), { status: 'in_progress' }, 'an executor starts it');
  t.match(await moveAs(t, app, as(executor, 'done')), { status: 'done' }, 'an executor reports it done');
  await refused(t, app, as(outsider, 'closed'), 403, 'forbidden'); // nor close it
  const closing = await refused(t, app, as(executor, 'closed'), 403, 'forbidden'); // an executor cannot close it
  t.notMatch(closing.detail, /not executed by your organization/, 'the executor is refused for the transition, not for the task');
  await refused(t, app, as(executor, 'in_progress'), 403, 'forbidden'); // nor send it back
  await refused(t, app, as(executor, 'cancelled'), 403, 'forbidden'); // nor cancel it
  await refused(t, app, as(executor, 'on_hold'), 409, 'illegal-transition'); // an illegal transition is 409 for an executor too
  for (const role of ['co_chair', 'observer'] as const) {
    const key = await keyFor(app, role);
    await refused(t, app, as(key, 'closed'), 403, 'forbidden'); // a co-chair or an observer cannot close it
    // The role is refused before the request is even validated: a bad body makes no difference.
    await refused(t, app, as(key, 'no-such-status'), 403, 'forbidden');
    t.equal((await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}`, headers: key.headers })).statusCode, 200, `a ${role} may read it`);
  }
  await refused(t, app, as(outsider, 'no-such-status'), 400, 'validation-failed'); // a ministry key is validated first, then its task checked

  const log = json<{ items: StatusChange[] }>(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/transitions` })).items;
  t.same(
    log.map((x) => [x.to, x.actor]),
    [
      ['in_progress', { keyId: executor.id, role: 'ministry', organizationId: by.id }],
      ['done', { keyId: executor.id, role: 'ministry', organizationId: by.id }],
    ],
    'the log records the ministry, its organization and its key',
  );
  // The secretariat then closes what the executor reported done.
  t.match(await moveOk(t, app, task.id, 'closed'), { status: 'closed' }, 'the secretariat closes it');
});
