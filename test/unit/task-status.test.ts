// The task status machine as a table, without HTTP: every status pair, for every kind of caller.
import t from 'tap';
import { TASK_STATUSES, type TaskStatus } from '../../src/db/enums.js';
import { AppError, ERRORS } from '../../src/errors.js';
import type { TaskParty } from '../../src/lib/access.js';
import { authorizeTransition, TASK_TRANSITIONS, transitionsFrom } from '../../src/modules/tasks/task-status.js';

const E: TaskParty = 'executor';
const S: TaskParty = 'secretariat';
const PARTIES: (TaskParty | null)[] = [E, S, null];

/** DESIGN.md §2, written out independently of the source table: "from>to" → who may take it. */
const EXPECTED: Record<string, TaskParty[]> = {
  'not_started>in_progress': [E, S],
  'not_started>on_hold': [E, S],
  'in_progress>on_hold': [E, S],
  'on_hold>in_progress': [E, S],
  'in_progress>done': [E, S],
  'done>closed': [S],
  'done>in_progress': [S],
  'not_started>cancelled': [S],
  'in_progress>cancelled': [S],
  'on_hold>cancelled': [S],
  'done>cancelled': [S],
  'cancelled>in_progress': [S],
  'closed>in_progress': [S],
};

function attempt(from: TaskStatus, to: TaskStatus, party: TaskParty | null): unknown {
  try {
    return authorizeTransition(from, to, party);
  } catch (err) {
    return err;
  }
}

const legalTargets = (from: TaskStatus) =>
  Object.keys(EXPECTED)
    .filter((k) => k.startsWith(`${from}>`))
    .map((k) => k.split('>')[1] as TaskStatus);

t.test('the source table holds exactly the transitions of the design, with the same parties', async (t) => {
  const actual = Object.fromEntries(TASK_TRANSITIONS.map((tr) => [`${tr.from}>${tr.to}`, [...tr.by].sort()]));
  const expected = Object.fromEntries(Object.entries(EXPECTED).map(([k, v]) => [k, [...v].sort()]));
  t.same(actual, expected);
  t.equal(new Set(TASK_TRANSITIONS.map((tr) => `${tr.from}>${tr.to}`)).size, TASK_TRANSITIONS.length, 'no pair listed twice');
  for (const tr of TASK_TRANSITIONS) t.ok(tr.action.length > 0, `${tr.from} → ${tr.to} has an action name`);
});

for (const from of TASK_STATUSES) {
  t.test(`every transition from ${from}, for an executor, the secretariat and an outsider`, async (t) => {
    for (const to of TASK_STATUSES) {
      for (const party of PARTIES) {
        const label = `${from} → ${to} by ${party ?? 'an outsider'}`;
        const allowed = EXPECTED[`${from}>${to}`];
        const result = attempt(from, to, party);
        if (allowed === undefined) {
          t.ok(result instanceof AppError, `${label}: refused`);
          const err = result as AppError;
          t.equal(err.spec.status, 409, `${label}: 409`);
          t.equal(err.spec, ERRORS.illegalTransition, `${label}: illegal-transition`);
          const legal = legalTargets(from);
          for (const target of legal) t.match(err.detail, target, `${label}: the detail names the legal target ${target}`);
          if (legal.length === 0) t.match(err.detail, /nothing/, `${label}: the detail says nothing is reachable`);
          t.same(err.errors, [{ path: 'body.to', message: `not reachable from ${from}` }], `${label}: the field at fault is body.to`);
        } else if (party !== null && allowed.includes(party)) {
          t.notOk(result instanceof Error, `${label}: allowed`);
          t.match(result, { from, to }, `${label}: returns the transition`);
        } else {
          t.ok(result instanceof AppError, `${label}: refused`);
          const err = result as AppError;
          t.equal(err.spec.status, 403, `${label}: 403`);
          t.equal(err.spec, ERRORS.forbidden, `${label}: forbidden`);
          t.match(err.detail, /secretariat/, `${label}: the detail says who may`);
        }
      }
    }
  });
}

t.test('no status has a transition to itself, whoever asks', async (t) => {
  for (const s of TASK_STATUSES) {
    for (const party of PARTIES) {
      const err = attempt(s, s, party) as AppError;
      t.equal(err.spec.status, 409, `${s} → ${s} by ${party ?? 'an outsider'}`);
    }
  }
});

t.test('executors can never close, cancel, send back or reopen a task', async (t) => {
  const secretariatOnly: [TaskStatus, TaskStatus, string][] = [
    ['done', 'closed', 'close'],
    ['done', 'in_progress', 'send back'],
    ['not_started', 'cancelled', 'cancel'],
    ['in_progress', 'cancelled', 'cancel'],
    ['on_hold', 'cancelled', 'cancel'],
    ['done', 'cancelled', 'cancel'],
    ['cancelled', 'in_progress', 'reopen'],
    ['closed', 'in_progress', 'reopen'],
  ];
  for (const [from, to, what] of secretariatOnly) {
    const err = attempt(from, to, 'executor') as AppError;
    t.equal(err.spec.status, 403, `an executor cannot ${what} (${from} → ${to})`);
    t.match(err.detail, /only the secretariat/);
    t.match(attempt(from, to, 'secretariat'), { from, to }, `the secretariat can ${what} (${from} → ${to})`);
  }
  // Whatever the source table says, no transition into closed or cancelled is an executor's.
  for (const tr of TASK_TRANSITIONS) {
    if (tr.to === 'closed' || tr.to === 'cancelled' || tr.from === 'done' || tr.from === 'closed' || tr.from === 'cancelled') {
      t.notOk(tr.by.includes('executor'), `${tr.from} → ${tr.to} is not an executor's`);
    }
  }
});

t.test('the executors’ own part is open to them: start, hold, resume, report done', async (t) => {
  for (const [from, to] of [
    ['not_started', 'in_progress'],
    ['not_started', 'on_hold'],
    ['in_progress', 'on_hold'],
    ['on_hold', 'in_progress'],
    ['in_progress', 'done'],
  ] as [TaskStatus, TaskStatus][]) {
    t.match(attempt(from, to, 'executor'), { from, to, by: ['executor', 'secretariat'] }, `${from} → ${to}`);
    t.equal((attempt(from, to, null) as AppError).spec.status, 403, `${from} → ${to} is refused to an outsider`);
  }
});

t.test('a refusal to an outsider names who may take the transition', async (t) => {
  const err = attempt('in_progress', 'done', null) as AppError;
  t.equal(err.detail, "only the task's executors or the secretariat may report as done");
});

t.test('an illegal transition names the legal targets; a closed task can only be reopened', async (t) => {
  const err = attempt('closed', 'done', 'secretariat') as AppError;
  t.equal(err.detail, 'a task cannot go from closed to done; from closed it can go to in_progress');
  const fromNotStarted = attempt('not_started', 'done', 'secretariat') as AppError;
  t.equal(fromNotStarted.detail, 'a task cannot go from not_started to done; from not_started it can go to in_progress, on_hold, cancelled');
});

t.test('transitionsFrom lists the outgoing transitions of a status in table order', async (t) => {
  for (const s of TASK_STATUSES) {
    t.same(
      transitionsFrom(s).map((tr) => tr.to),
      legalTargets(s),
      `from ${s}`,
    );
  }
});
