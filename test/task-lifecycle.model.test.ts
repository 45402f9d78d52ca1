// A model of one task's life, run against the API. fast-check draws sequences of commands (status transitions,
// deadline requests, direct changes and decisions, progress reports, revisions and reviews) sent by every kind of
// key, with the clock moving on between them. The model is DESIGN.md's rules written a second time, independently of
// src/: for every command it predicts the answer (the status and the problem code), and after every command the task,
// its reports, its deadline changes and its history must be as it says. A refused command must change nothing at all.
// The single-request fuzzer cannot find what this finds: a rule that holds alone but not after a certain history.
// Reproduce a failure with FC_SEED=<seed printed in the failure> npx tap test/task-lifecycle.model.test.ts
import t from 'tap';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import type { App } from '../src/app.js';
import { addDays, daysBetween } from '../src/lib/dates.js';
import type { Task } from '../src/modules/tasks/tasks.schemas.js';
import { approvePlan, createOrganization, createTask, seedPlan } from './factories.js';
import { build, json, keyFor, snapshot, testClock, type TestClock } from './helper.js';

const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 25);
const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 2 ** 31);

type Status = 'not_started' | 'in_progress' | 'on_hold' | 'done' | 'closed' | 'cancelled';
/** Who sends a command: the bootstrap secretariat, the ministries of the task's two leads, a ministry of no assignee, a co-chair, an observer. */
type Who = 'secretariat' | 'by' | 'kz' | 'other' | 'co_chair' | 'observer';
const WHO: Who[] = ['secretariat', 'by', 'kz', 'other', 'co_chair', 'observer'];
type Lead = 'by' | 'kz';

/** DESIGN.md §2: the executors' part, and what only the secretariat does (close, send back, cancel, reopen). */
const EXECUTORS: [Status, Status][] = [
  ['not_started', 'in_progress'],
  ['not_started', 'on_hold'],
  ['in_progress', 'on_hold'],
  ['on_hold', 'in_progress'],
  ['in_progress', 'done'],
];
const SECRETARIAT_ONLY: [Status, Status][] = [
  ['done', 'closed'],
  ['done', 'in_progress'],
  ...(['not_started', 'in_progress', 'on_hold', 'done'] as const).map((from): [Status, Status] => [from, 'cancelled']),
  ['cancelled', 'in_progress'],
  ['closed', 'in_progress'],
];
const has = (moves: [Status, Status][], from: Status, to: Status) => moves.some(([f, x]) => f === from && x === to);
/** Closed and cancelled tasks are out of control: no deadline moves, no reports. */
const outOfControl = (s: Status) => s === 'closed' || s === 'cancelled';

interface ReportModel {
  id: string;
  org: Lead;
  period: string;
  status: 'submitted' | 'accepted' | 'returned';
  revision: number;
  narrative: string;
}

interface Model {
  /** Today in the commission's time zone (Europe/Minsk). */
  today: string;
  status: Status;
  dueDate: string;
  originalDueDate: string;
  postponements: number;
  /** The day the task was last reported done; null when it is not. */
  completedOn: string | null;
  pending: { id: string; newDueDate: string } | null;
  changes: Map<string, 'pending' | 'applied' | 'approved' | 'rejected'>;
  reports: ReportModel[];
  history: number;
  transitions: number;
}

interface Real {
  app: App;
  clock: TestClock;
  taskId: string;
  orgIds: Record<Lead | 'other', string>;
  headers: Record<Who, Record<string, string>>;
  /** The task's history entries as last read, as JSON. */
  history: Set<string>;
  tally: Map<string, number>;
}

/** What the model expects of a command: an answer with this status and, when refused, this problem code. */
interface Expected {
  status: number;
  code?: string;
}
const FORBIDDEN: Expected = { status: 403, code: 'forbidden' };
const PRECONDITION: Expected = { status: 412, code: 'precondition-failed' };
const ILLEGAL: Expected = { status: 409, code: 'illegal-transition' };
const TASK_STATE: Expected = { status: 409, code: 'task-state-conflict' };
const DEADLINE_CONFLICT: Expected = { status: 409, code: 'deadline-change-conflict' };
const INVALID: Expected = { status: 422, code: 'invalid-value' };
const NOT_FOUND: Expected = { status: 404, code: 'not-found' };

/** Work on a task (transitions, deadline requests, reports): the secretariat, or a ministry whose organization executes it. */
const taskWork = (who: Who): Expected | null => (who === 'secretariat' || who === 'by' || who === 'kz' ? null : FORBIDDEN);

class Mismatch extends Error {}
function expectThat(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Mismatch(what);
}

/**
 * Sends a command and checks its answer against the model's expectation. A refusal must be a problem document with
 * the expected code and must leave every table as it was; an acceptance returns the parsed body.
 */
async function send(real: Real, [kind, detail]: [string, string], who: Who, request: InjectOptions, expected: Expected): Promise<any> {
  const label = `${kind} ${detail}`;
  const before = expected.code ? snapshot(real.app) : null;
  const res = await real.app.inject({ ...request, headers: { ...real.headers[who], ...(request.headers as Record<string, string>) } });
  const said = `${label} by ${who}: expected ${expected.status}${expected.code ? ` ${expected.code}` : ''}, got ${res.statusCode} ${res.body.slice(0, 400)}`;
  expectThat(res.statusCode === expected.status, said);
  const outcome = `${kind}: ${expected.code ?? expected.status}`;
  real.tally.set(outcome, (real.tally.get(outcome) ?? 0) + 1);
  if (expected.code) {
    expectThat(/^application\/problem\+json/.test(String(res.headers['content-type'])), `${said}: not a problem document`);
    expectThat(json(res).code === expected.code, said);
    expectThat(JSON.stringify(snapshot(real.app)) === JSON.stringify(before), `${label} by ${who} was refused but changed data`);
    return null;
  }
  return json(res);
}

const isoDay = (model: Model, days: number) => addDays(model.today, days);

/** The task, its reports, deadline changes and history as the API shows them, compared with the model. */
async function agree(real: Real, model: Model): Promise<void> {
  const get = async (url: string) => {
    const res = await real.app.inject({ method: 'GET', url });
    expectThat(res.statusCode === 200, `GET ${url}: ${res.statusCode}`);
    return json(res);
  };
  const task: Task = await get(`/v1/tasks/${real.taskId}`);
  const m = model;
  expectThat(task.status === m.status, `status ${task.status}, model ${m.status}`);
  expectThat(task.dueDate === m.dueDate, `dueDate ${task.dueDate}, model ${m.dueDate}`);
  expectThat(task.originalDueDate === m.originalDueDate, `originalDueDate ${task.originalDueDate}, model ${m.originalDueDate}`);
  expectThat(task.postponementCount === m.postponements, `postponementCount ${task.postponementCount}, model ${m.postponements}`);
  const overdue = m.dueDate < m.today && !outOfControl(m.status);
  expectThat(task.overdue === overdue, `overdue ${task.overdue} on ${m.today}, model ${overdue}`);
  expectThat(task.daysOverdue === (overdue ? daysBetween(m.dueDate, m.today) : 0), `daysOverdue ${task.daysOverdue} on ${m.today}`);
  expectThat((task.completedAt !== null) === (m.completedOn !== null), `completedAt ${task.completedAt}, model ${m.completedOn}`);
  expectThat((task.closedAt !== null) === (m.status === 'closed'), `closedAt ${task.closedAt} with status ${m.status}`);
  if (m.status === 'closed') {
    const on = m.completedOn as string;
    expectThat(task.completion?.completedOn === on, `completion ${JSON.stringify(task.completion)}, model completed on ${on}`);
    expectThat(task.completion.againstDueDate === (on <= m.dueDate ? 'on_time' : 'late'), `againstDueDate ${task.completion.againstDueDate}`);
    expectThat(task.completion.againstOriginalDueDate === (on <= m.originalDueDate ? 'on_time' : 'late'), 'againstOriginalDueDate');
    expectThat(task.completion.daysLate === Math.max(0, daysBetween(m.dueDate, on)), `daysLate ${task.completion.daysLate}`);
  } else {
    expectThat(task.completion === null, `completion ${JSON.stringify(task.completion)} while ${m.status}`);
  }

  const reports: { id: string; organizationId: string; period: string; status: string; revision: number; narrative: string }[] = (
    await get(`/v1/tasks/${real.taskId}/reports?limit=200`)
  ).items;
  const seen = reports.map((r) => `${r.id} ${r.organizationId} ${r.period} ${r.status} ${r.revision} ${r.narrative}`).sort();
  const modelled = m.reports.map((r) => `${r.id} ${real.orgIds[r.org]} ${r.period} ${r.status} ${r.revision} ${r.narrative}`).sort();
  expectThat(JSON.stringify(seen) === JSON.stringify(modelled), `reports ${JSON.stringify(seen)}, model ${JSON.stringify(modelled)}`);

  const changes: { id: string; status: string }[] = (await get(`/v1/tasks/${real.taskId}/deadline-changes?limit=200`)).items;
  expectThat(changes.length === m.changes.size, `${changes.length} deadline changes, model ${m.changes.size}`);
  for (const c of changes) expectThat(m.changes.get(c.id) === c.status, `deadline change ${c.id} is ${c.status}, model ${m.changes.get(c.id)}`);

  const history = ((await get(`/v1/tasks/${real.taskId}/history?limit=200`)).items as unknown[]).map((entry) => JSON.stringify(entry));
  expectThat(history.length === m.history, `${history.length} history entries, model ${m.history}`);
  // Append-only: every entry seen before is still there, byte for byte.
  const now = new Set(history);
  for (const entry of real.history) expectThat(now.has(entry), `a history entry changed or went: ${entry.slice(0, 300)}`);
  real.history = now;
  const transitions = (await get(`/v1/tasks/${real.taskId}/transitions?limit=200`)).items as unknown[];
  expectThat(transitions.length === m.transitions, `${transitions.length} transitions, model ${m.transitions}`);
}

type Cmd = fc.AsyncCommand<Model, Real>;

/** A status, or (so that histories go deep) the pick-th of the statuses the task can legally go to now. */
type StatusChoice = Status | { legal: number };

class Transition implements Cmd {
  constructor(
    readonly who: Who,
    readonly choice: StatusChoice,
    readonly ifMatch: 'none' | 'current' | 'stale',
  ) {}
  to: Status = 'not_started';
  check = () => true;
  async run(m: Model, r: Real) {
    if (typeof this.choice === 'string') this.to = this.choice;
    else {
      const next = [...EXECUTORS, ...SECRETARIAT_ONLY].filter(([from]) => from === m.status).map(([, to]) => to);
      this.to = next[this.choice.legal % next.length] as Status;
    }
    const party = this.who === 'secretariat' ? 'secretariat' : 'executor';
    const legal = has(EXECUTORS, m.status, this.to) || has(SECRETARIAT_ONLY, m.status, this.to);
    const allowed = has(EXECUTORS, m.status, this.to) || (party === 'secretariat' && has(SECRETARIAT_ONLY, m.status, this.to));
    const expected =
      taskWork(this.who) ?? (this.ifMatch === 'stale' ? PRECONDITION : null) ?? (!legal ? ILLEGAL : null) ?? (!allowed ? FORBIDDEN : null) ?? { status: 200 };
    const headers: Record<string, string> = {};
    if (this.ifMatch === 'current') headers['if-match'] = String((await r.app.inject({ method: 'GET', url: `/v1/tasks/${r.taskId}` })).headers.etag);
    if (this.ifMatch === 'stale') headers['if-match'] = '"not-the-current-representation"';
    const body = await send(r, [`transition ${m.status} → ${this.to}`, ''], this.who, { method: 'POST', url: `/v1/tasks/${r.taskId}/transitions`, payload: { to: this.to }, headers }, expected);
    if (body) {
      m.status = this.to;
      if (this.to === 'done') m.completedOn = m.today;
      if (this.to === 'in_progress') m.completedOn = null;
      m.history += 1;
      m.transitions += 1;
    }
    await agree(r, m);
  }
  toString = () => `Transition(${this.who}, ${typeof this.choice === 'string' ? this.choice : `legal #${this.choice.legal}`}, If-Match ${this.ifMatch})`;
}

/** A new date: the current due date itself, or today moved by some days (the past included). */
type DateChoice = 'due' | number;
const dateOf = (m: Model, choice: DateChoice) => (choice === 'due' ? m.dueDate : isoDay(m, choice));

class AskDeadline implements Cmd {
  constructor(
    readonly who: Who,
    readonly kind: 'request' | 'direct',
    readonly date: DateChoice,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const newDueDate = dateOf(m, this.date);
    const role =
      this.kind === 'direct' ? (this.who === 'secretariat' ? null : FORBIDDEN) : taskWork(this.who);
    const expected =
      role ??
      (outOfControl(m.status) ? TASK_STATE : null) ??
      (m.pending ? DEADLINE_CONFLICT : null) ??
      (this.kind === 'request' && newDueDate < m.today ? INVALID : null) ??
      (newDueDate === m.dueDate ? INVALID : null) ?? { status: 201 };
    const payload = { kind: this.kind, newDueDate, reason: 'The equipment arrives later than agreed', ...(this.kind === 'direct' ? { basis: 'Protocol No. 7, item 2' } : {}) };
    const body = await send(r, [this.kind, `for ${newDueDate} (due ${m.dueDate}, today ${m.today})`], this.who, { method: 'POST', url: `/v1/tasks/${r.taskId}/deadline-changes`, payload }, expected);
    if (body) {
      expectThat(body.oldDueDate === m.dueDate && body.newDueDate === newDueDate, `deadline change answered ${JSON.stringify(body)}`);
      if (this.kind === 'request') {
        m.pending = { id: body.id, newDueDate };
        m.changes.set(body.id, 'pending');
        m.history += 1;
      } else {
        m.changes.set(body.id, 'applied');
        move(m, newDueDate);
        m.history += 2;
      }
    }
    await agree(r, m);
  }
  toString = () => `AskDeadline(${this.who}, ${this.kind}, ${this.date})`;
}

function move(m: Model, newDueDate: string) {
  if (newDueDate > m.dueDate) m.postponements += 1;
  m.dueDate = newDueDate;
}

class Decide implements Cmd {
  constructor(
    readonly who: Who,
    readonly decision: 'approve' | 'reject',
    readonly target: 'pending' | 'decided' | 'missing',
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const decided = [...m.changes].filter(([, s]) => s !== 'pending').map(([id]) => id);
    const id =
      this.target === 'missing'
        ? '01900000-0000-7000-8000-000000000000'
        : ((this.target === 'pending' ? m.pending?.id : decided.at(-1)) ?? m.pending?.id ?? decided.at(-1) ?? '01900000-0000-7000-8000-000000000000');
    const status = m.changes.get(id);
    const expected =
      (this.who === 'secretariat' ? null : FORBIDDEN) ??
      (status === undefined ? NOT_FOUND : null) ??
      (status !== 'pending' ? DEADLINE_CONFLICT : null) ??
      (this.decision === 'approve' && outOfControl(m.status) ? TASK_STATE : null) ?? { status: 200 };
    const payload = { decision: this.decision, basis: 'Protocol No. 8, item 1' };
    const body = await send(r, [`${this.decision} a ${status ?? 'missing'} change`, ''], this.who, { method: 'POST', url: `/v1/tasks/${r.taskId}/deadline-changes/${id}/decision`, payload }, expected);
    if (body) {
      const pending = m.pending as { id: string; newDueDate: string };
      m.pending = null;
      if (this.decision === 'approve') {
        m.changes.set(id, 'approved');
        move(m, pending.newDueDate);
        m.history += 2;
      } else {
        m.changes.set(id, 'rejected');
        m.history += 1;
      }
    }
    await agree(r, m);
  }
  toString = () => `Decide(${this.who}, ${this.decision}, ${this.target})`;
}

/** Periods: quarters around the plan (2026-01-01 – 2027-12-31) and today, and a month (the plan is reported quarterly). */
const PERIODS = ['2025-Q4', '2026-Q1', '2026-Q3', '2026-Q4', '2027-Q1', '2027-Q2', '2027-Q4', '2028-Q1', '2026-11'];
const periodStart = (p: string) => {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(p);
  return quarter ? `${quarter[1]}-${String((Number(quarter[2]) - 1) * 3 + 1).padStart(2, '0')}-01` : `${p}-01`;
};
const periodEnd = (p: string) => {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(p) as RegExpExecArray;
  return addDays(periodStart(`${quarter[2] === '4' ? Number(quarter[1]) + 1 : quarter[1]}-Q${(Number(quarter[2]) % 4) + 1}`), -1);
};

class Submit implements Cmd {
  constructor(
    readonly who: Who,
    readonly forOrg: 'omit' | Lead | 'other',
    readonly period: string,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const ministry = this.who === 'by' || this.who === 'kz';
    const org: Lead | 'other' | null = ministry ? (this.who as Lead) : this.forOrg === 'omit' ? null : this.forOrg;
    const quarterly = /Q/.test(this.period);
    const expected =
      taskWork(this.who) ??
      (ministry && this.forOrg !== 'omit' && this.forOrg !== this.who ? FORBIDDEN : null) ??
      (outOfControl(m.status) ? TASK_STATE : null) ??
      (org === null || org === 'other' ? INVALID : null) ??
      (!quarterly ? INVALID : null) ??
      (periodEnd(this.period) < '2026-01-01' || periodStart(this.period) > '2027-12-31' ? INVALID : null) ??
      (periodStart(this.period) > m.today ? INVALID : null) ??
      (m.reports.some((x) => x.org === org && x.period === this.period) ? TASK_STATE : null) ?? { status: 201 };
    const narrative = `Report of ${org ?? 'nobody'} for ${this.period}`;
    const payload = { ...(this.forOrg === 'omit' ? {} : { organizationId: r.orgIds[this.forOrg] }), period: this.period, percentComplete: 40, confidence: 'amber', narrative };
    const body = await send(r, ['report', `for ${this.forOrg} on ${this.period} (today ${m.today}, ${m.status})`], this.who, { method: 'POST', url: `/v1/tasks/${r.taskId}/reports`, payload }, expected);
    if (body) {
      expectThat(body.revision === 1 && body.status === 'submitted', `new report ${JSON.stringify(body)}`);
      m.reports.push({ id: body.id, org: org as Lead, period: this.period, status: 'submitted', revision: 1, narrative });
      m.history += 1;
    }
    await agree(r, m);
  }
  toString = () => `Submit(${this.who}, for ${this.forOrg}, ${this.period})`;
}

class Revise implements Cmd {
  constructor(
    readonly who: Who,
    readonly pick: number,
    readonly sameText: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.reports.length > 0;
  async run(m: Model, r: Real) {
    const report = m.reports[this.pick % m.reports.length] as ReportModel;
    const narrative = this.sameText ? report.narrative : `Revised by ${this.who}: ${report.revision + 1}`;
    const unchanged = narrative === report.narrative && report.status === 'submitted';
    const expected =
      taskWork(this.who) ??
      (this.who !== 'secretariat' && this.who !== report.org ? FORBIDDEN : null) ??
      (outOfControl(m.status) ? TASK_STATE : null) ??
      (report.status === 'accepted' ? TASK_STATE : null) ?? { status: 200 };
    const body = await send(r, [`revise the ${report.status} report${unchanged ? ' unchanged' : ''}`, `of ${report.org} (${m.status})`], this.who, { method: 'PATCH', url: `/v1/tasks/${r.taskId}/reports/${report.id}`, payload: { narrative } }, expected);
    if (body && !unchanged) {
      report.narrative = narrative;
      report.revision += 1;
      report.status = 'submitted';
      m.history += 1;
    }
    await agree(r, m);
  }
  toString = () => `Revise(${this.who}, #${this.pick}, ${this.sameText ? 'same text' : 'new text'})`;
}

class Review implements Cmd {
  constructor(
    readonly who: Who,
    readonly pick: number,
    readonly decision: 'accepted' | 'returned',
  ) {}
  check = (m: Readonly<Model>) => m.reports.length > 0;
  async run(m: Model, r: Real) {
    const report = m.reports[this.pick % m.reports.length] as ReportModel;
    const expected =
      (this.who === 'secretariat' || this.who === 'co_chair' ? null : FORBIDDEN) ??
      (report.status !== 'submitted' ? TASK_STATE : null) ??
      (this.decision === 'returned' && outOfControl(m.status) ? TASK_STATE : null) ?? { status: 200 };
    const payload = { decision: this.decision, ...(this.decision === 'returned' ? { comment: 'Give the figures of the quarter' } : {}) };
    const body = await send(r, [`${this.decision} the ${report.status} report`, `(${m.status})`], this.who, { method: 'POST', url: `/v1/tasks/${r.taskId}/reports/${report.id}/review`, payload }, expected);
    if (body) {
      report.status = this.decision;
      m.history += 1;
    }
    await agree(r, m);
  }
  toString = () => `Review(${this.who}, #${this.pick}, ${this.decision})`;
}

class Wait implements Cmd {
  constructor(readonly days: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    r.clock.set(new Date(r.clock().getTime() + this.days * 86_400_000).toISOString());
    m.today = isoDay(m, this.days);
    await agree(r, m);
  }
  toString = () => `Wait(${this.days} days)`;
}

const who = fc.constantFrom(...WHO);
/** Mostly the people who can act, so that sequences go deep; every role now and then. */
const actor = fc.oneof({ weight: 3, arbitrary: fc.constantFrom<Who>('secretariat', 'by', 'kz') }, { weight: 1, arbitrary: who });
const statusChoice = fc.oneof(
  fc.constantFrom<StatusChoice>('not_started', 'in_progress', 'on_hold', 'done', 'closed', 'cancelled'),
  fc.nat(5).map((legal): StatusChoice => ({ legal })),
);
const dateChoice = fc.oneof({ weight: 1, arbitrary: fc.constant<DateChoice>('due') }, { weight: 4, arbitrary: fc.integer({ min: -60, max: 240 }) });

const commands = [
  fc.tuple(actor, statusChoice, fc.constantFrom<'none' | 'current' | 'stale'>('none', 'none', 'none', 'current', 'stale')).map(([w, s, i]) => new Transition(w, s, i)),
  fc.tuple(fc.constant<Who>('secretariat'), statusChoice, fc.constant<'none'>('none')).map(([w, s, i]) => new Transition(w, s, i)),
  fc.tuple(actor, fc.constantFrom<'request' | 'direct'>('request', 'direct'), dateChoice).map(([w, k, d]) => new AskDeadline(w, k, d)),
  fc.tuple(actor, fc.constantFrom<'approve' | 'reject'>('approve', 'reject'), fc.constantFrom<'pending' | 'decided' | 'missing'>('pending', 'pending', 'decided', 'missing')).map(
    ([w, d, x]) => new Decide(w, d, x),
  ),
  fc.tuple(actor, fc.constantFrom<'omit' | Lead | 'other'>('omit', 'by', 'kz', 'other'), fc.constantFrom(...PERIODS)).map(([w, o, p]) => new Submit(w, o, p)),
  fc.tuple(actor, fc.nat(20), fc.boolean()).map(([w, p, s]) => new Revise(w, p, s)),
  fc.tuple(fc.constantFrom<Who>('secretariat', 'co_chair', 'secretariat', 'by', 'observer'), fc.nat(20), fc.constantFrom<'accepted' | 'returned'>('accepted', 'returned')).map(
    ([w, p, d]) => new Review(w, p, d),
  ),
  fc.integer({ min: 1, max: 75 }).map((d) => new Wait(d)),
];

/** A fresh app with one task of an approved plan, led by a BY and a KZ ministry, and a key for each kind of caller. */
async function setUp(t: Parameters<typeof build>[0]): Promise<{ model: Model; real: Real }> {
  const clock = testClock();
  const app = await build(t, clock);
  const { by, kz, plan, assignees } = await seedPlan(app);
  const other = await createOrganization(app, { name: 'Ministry of Agriculture of Belarus', country: 'BY' });
  const task: Task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  const header = async (role: 'co_chair' | 'ministry' | 'observer', organizationId?: string) => (await keyFor(app, role, organizationId)).headers;
  const headers: Record<Who, Record<string, string>> = {
    secretariat: {},
    by: await header('ministry', by.id),
    kz: await header('ministry', kz.id),
    other: await header('ministry', other.id),
    co_chair: await header('co_chair'),
    observer: await header('observer'),
  };
  const history = json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/history?limit=200` })).items as unknown[];
  const model: Model = {
    today: '2026-11-28',
    status: 'not_started',
    dueDate: '2026-12-31',
    originalDueDate: '2026-12-31',
    postponements: 0,
    completedOn: null,
    pending: null,
    changes: new Map(),
    reports: [],
    history: history.length,
    transitions: 0,
  };
  return { model, real: { app, clock, taskId: task.id, orgIds: { by: by.id, kz: kz.id, other: other.id }, headers, history: new Set(), tally: new Map() } };
}

t.test('the API follows the model of a task through random histories', async (t) => {
  const tally = new Map<string, number>();
  const property = fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'max' }), async (cmds) => {
    const { model, real } = await setUp(t);
    try {
      await fc.asyncModelRun(() => ({ model, real }), cmds);
    } finally {
      for (const [k, v] of real.tally) tally.set(k, (tally.get(k) ?? 0) + v);
      await real.app.close();
    }
  });
  const details = await fc.check(property, { numRuns: NUM_RUNS, seed: SEED });
  if (details.failed) {
    t.fail(`${fc.defaultReportMessage(details) ?? ''}\nreproduce with FC_SEED=${details.seed}`);
    return;
  }
  t.pass(`${details.numRuns} histories, seed ${details.seed}`);
  if (process.env.MODEL_TALLY) t.comment([...tally].sort().map(([k, v]) => `${v} ${k}`).join('\n'));
  // The histories must have gone deep: each kind of answer below was seen (else the generators are too shy to prove anything).
  const seen = (prefix: RegExp) => [...tally].filter(([k]) => prefix.test(k)).reduce((n, [, v]) => n + v, 0);
  t.ok(seen(/^transition .* → (closed|cancelled): 200$/) > 0, 'tasks were closed or cancelled');
  t.ok(seen(/^transition (closed|cancelled) → in_progress: 200$/) > 0, 'tasks were reopened');
  t.ok(seen(/^transition .*: illegal-transition$/) > 0, 'illegal transitions were tried');
  t.ok(seen(/^transition .*: precondition-failed$/) > 0, 'stale If-Match was tried');
  t.ok(seen(/^request: 201$/) > 0 && seen(/^direct: 201$/) > 0, 'deadline requests and direct changes were made');
  t.ok(seen(/^approve a pending change: 200$/) > 0 && seen(/^reject a pending change: 200$/) > 0, 'requests were approved and rejected');
  t.ok(seen(/: deadline-change-conflict$/) > 0, 'a second request while one was pending was tried');
  t.ok(seen(/^report: 201$/) > 0 && seen(/^report: invalid-value$/) > 0, 'reports were submitted, and refused');
  t.ok(seen(/^revise the (submitted|returned) report: 200$/) > 0 && seen(/^revise the accepted report: task-state-conflict$/) > 0, 'reports were revised, and refused once final');
  t.ok(seen(/^(accepted|returned) the submitted report: 200$/) > 0, 'reports were reviewed');
  t.ok(seen(/: forbidden$/) > 0, 'callers without the right were refused');
});
