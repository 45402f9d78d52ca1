// Overdue and on-time rules as pure functions: due date × status × today, and completion day by time zone.
import t from 'tap';
import { TASK_STATUSES, type TaskStatus } from '../../src/db/enums.js';
import { completionOf, judgementDay, OUT_OF_CONTROL_STATUSES, overdueState } from '../../src/modules/tasks/task-timeliness.js';

const TODAY = '2026-11-28';

t.test('overdueState: due yesterday, today and tomorrow, for every status', async (t) => {
  for (const status of TASK_STATUSES) {
    const inControl = status !== 'closed' && status !== 'cancelled';
    t.same(
      overdueState('2026-11-27', status, TODAY),
      inControl ? { overdue: true, daysOverdue: 1 } : { overdue: false, daysOverdue: 0 },
      `due yesterday, ${status}`,
    );
    t.same(overdueState(TODAY, status, TODAY), { overdue: false, daysOverdue: 0 }, `due today, ${status}: not yet overdue`);
    t.same(overdueState('2026-11-29', status, TODAY), { overdue: false, daysOverdue: 0 }, `due tomorrow, ${status}`);
  }
});

t.test('closed and cancelled tasks are never overdue, however old the due date', async (t) => {
  t.same([...OUT_OF_CONTROL_STATUSES].sort(), ['cancelled', 'closed']);
  for (const status of ['closed', 'cancelled'] as TaskStatus[]) {
    t.same(overdueState('2020-01-01', status, TODAY), { overdue: false, daysOverdue: 0 }, status);
  }
});

t.test('daysOverdue counts calendar days, across months, years and a leap day', async (t) => {
  t.equal(overdueState('2026-11-20', 'in_progress', TODAY).daysOverdue, 8);
  t.equal(overdueState('2026-10-31', 'not_started', '2026-11-01').daysOverdue, 1, 'across a month end');
  t.equal(overdueState('2026-12-31', 'on_hold', '2027-01-02').daysOverdue, 2, 'across a year end');
  t.equal(overdueState('2028-02-28', 'done', '2028-03-01').daysOverdue, 2, 'across 29 February 2028');
  t.equal(overdueState('2027-02-28', 'done', '2027-03-01').daysOverdue, 1, 'no 29 February in 2027');
  // Europe/Minsk has no DST, but the arithmetic must not depend on any local offset anyway.
  t.equal(overdueState('2026-03-28', 'in_progress', '2026-03-30').daysOverdue, 2, 'across the EU DST change');
  t.equal(overdueState('2025-11-28', 'in_progress', TODAY).daysOverdue, 365);
});

const closedTask = (over: Partial<{ status: TaskStatus; completedAt: string | null; dueDate: string; originalDueDate: string }> = {}) => ({
  status: 'closed' as TaskStatus,
  completedAt: '2026-11-20T10:00:00.000Z',
  dueDate: '2026-11-30',
  originalDueDate: '2026-11-30',
  ...over,
});

t.test('completionOf is null for every status but closed', async (t) => {
  for (const status of TASK_STATUSES.filter((s) => s !== 'closed')) {
    t.equal(completionOf(closedTask({ status }), 'Europe/Minsk'), null, status);
  }
  t.equal(completionOf(closedTask({ completedAt: null }), 'Europe/Minsk'), null, 'closed but never reported done');
});

t.test('completionOf: done before both deadlines is on time on both counts', async (t) => {
  t.same(completionOf(closedTask(), 'Europe/Minsk'), {
    completedOn: '2026-11-20',
    againstDueDate: 'on_time',
    againstOriginalDueDate: 'on_time',
    daysLate: 0,
  });
});

t.test('completionOf: done on the due date itself is on time', async (t) => {
  t.match(completionOf(closedTask({ completedAt: '2026-11-30T18:00:00.000Z' }), 'Europe/Minsk'), {
    completedOn: '2026-11-30',
    againstDueDate: 'on_time',
    daysLate: 0,
  });
});

t.test('completionOf: after a postponement, on time against the current date but late against the original', async (t) => {
  t.same(completionOf(closedTask({ completedAt: '2026-12-10T09:00:00.000Z', dueDate: '2026-12-31', originalDueDate: '2026-11-30' }), 'Europe/Minsk'), {
    completedOn: '2026-12-10',
    againstDueDate: 'on_time',
    againstOriginalDueDate: 'late',
    daysLate: 0,
  });
});

t.test('completionOf: late against both, daysLate counted from the current due date', async (t) => {
  t.same(completionOf(closedTask({ completedAt: '2027-01-05T09:00:00.000Z', dueDate: '2026-12-31', originalDueDate: '2026-11-30' }), 'Europe/Minsk'), {
    completedOn: '2027-01-05',
    againstDueDate: 'late',
    againstOriginalDueDate: 'late',
    daysLate: 5,
  });
});

t.test('completionOf: a deadline moved earlier can make a task late only against the current date', async (t) => {
  t.same(completionOf(closedTask({ completedAt: '2026-11-25T09:00:00.000Z', dueDate: '2026-11-20', originalDueDate: '2026-11-30' }), 'Europe/Minsk'), {
    completedOn: '2026-11-25',
    againstDueDate: 'late',
    againstOriginalDueDate: 'on_time',
    daysLate: 5,
  });
});

t.test('completionOf takes the completion day in the commission’s time zone', async (t) => {
  // 22:30 UTC on 30 November is already 1 December in Almaty, still 30 November in London.
  const task = closedTask({ completedAt: '2026-11-30T22:30:00.000Z', dueDate: '2026-11-30', originalDueDate: '2026-11-30' });
  t.same(completionOf(task, 'Asia/Almaty'), {
    completedOn: '2026-12-01',
    againstDueDate: 'late',
    againstOriginalDueDate: 'late',
    daysLate: 1,
  });
  t.same(completionOf(task, 'Europe/London'), {
    completedOn: '2026-11-30',
    againstDueDate: 'on_time',
    againstOriginalDueDate: 'on_time',
    daysLate: 0,
  });
  t.equal(completionOf(task, 'Europe/Minsk')?.completedOn, '2026-12-01', 'Minsk (UTC+3) is past midnight too');
  t.equal(completionOf(task, 'America/New_York')?.completedOn, '2026-11-30');
});

t.test("judgementDay: a closed plan's tasks are judged as of its closing day in the commission's zone, never later", async (t) => {
  t.equal(judgementDay(TODAY, null, 'Europe/Minsk'), TODAY, 'a plan not closed: the day asked for');
  t.equal(judgementDay(TODAY, '2026-10-05T09:00:00.000Z', 'Europe/Minsk'), '2026-10-05', 'closed before: its closing day');
  t.equal(judgementDay(TODAY, '2026-10-04T22:30:00.000Z', 'Europe/Minsk'), '2026-10-05', '01:30 in Minsk is the next day there');
  t.equal(judgementDay(TODAY, '2026-10-05T02:00:00.000Z', 'America/New_York'), '2026-10-04', 'and 22:00 the day before in New York');
  t.equal(judgementDay('2026-09-30', '2026-10-05T09:00:00.000Z', 'Europe/Minsk'), '2026-09-30', 'a day before the closing: that day');
  t.same(overdueState('2026-10-01', 'in_progress', judgementDay(TODAY, '2026-10-05T09:00:00.000Z', 'Europe/Minsk')), { overdue: true, daysOverdue: 4 });
  t.same(overdueState('2026-10-05', 'in_progress', judgementDay(TODAY, '2026-10-05T09:00:00.000Z', 'Europe/Minsk')), { overdue: false, daysOverdue: 0 }, 'due on the closing day: not overdue');
});
