// The generated client, used for real: the server runs as a process on 127.0.0.1 (as `npm start` runs it), and a
// whole ministry workflow goes through clients/typescript only — no hand-written fetch, no app.inject. The
// secretariat sets up a plan and issues a ministry key; the ministry reads the plan, moves its task (with
// If-Match, 412 included), reports progress (with an Idempotency-Key) and asks for a later deadline; the
// secretariat approves it; the ministry sees the decision, the new due date and itself in the task's history.
import { randomUUID } from 'node:crypto';
import createClient from 'openapi-fetch';
import t from 'tap';
import { startServer as startProcess } from '../process.js';
import type { Test } from 'tap';
import {
  createTrackerClient,
  type components,
  type operations,
  type paths,
  type Problem,
  type TrackerClient,
} from '../../clients/typescript/index.js';

type Task = components['schemas']['Task'];
type NewTask = operations['createTask']['requestBody']['content']['application/json'];
type TaskQuery = NonNullable<operations['listTasks']['parameters']['query']>;
type Transition = operations['transitionTask']['requestBody']['content']['application/json'];
type NewReport = operations['submitTaskReport']['requestBody']['content']['application/json'];
type DeadlineRequest = operations['createDeadlineChange']['requestBody']['content']['application/json'];
type Decision = operations['decideDeadlineChange']['requestBody']['content']['application/json'];

/** 44 characters of base64, the shape `openssl rand -base64 32` prints: the first secretariat key. */
const BOOTSTRAP_TOKEN = 'c2VjcmV0YXJpYXQtY2xpZW50LXdvcmtmbG93LXRlc3Q=';
const TIME_ZONE = 'Europe/Minsk';

/**
 * src/server.ts as a child process on a fresh database (test/process.ts), then its health read through the
 * generated client itself, which must answer 200 before the workflow starts.
 */
async function startServer(t: Test) {
  const server = await startProcess(t, { LOG_LEVEL: 'warn', TRACKER_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN });
  const anonymous = createClient<paths>({ baseUrl: server.base });
  const health = await anonymous.GET('/health');
  if (health.data?.status !== 'ok') throw new Error(`GET /health through the client answered ${health.response.status}`);
  let stopped: Awaited<ReturnType<typeof server.stop>> | undefined;
  return {
    baseUrl: server.base,
    anonymous,
    output: () => `${stopped?.stdout ?? ''}${stopped?.stderr ?? ''}`,
    stop: async () => {
      stopped = await server.stop();
      return stopped;
    },
  };
}

/** The data of a successful call; a refused one fails the test with its problem document. */
function ok<D, E>(t: Test, what: string, result: { data?: D; error?: E; response: Response }, status: number): D {
  t.equal(result.response.status, status, `${what}: ${status}`);
  if (result.data === undefined) throw new Error(`${what}: ${result.response.status} ${JSON.stringify(result.error)}`);
  return result.data;
}

/** The problem document of a refused call, which the client types as Problem. */
function refused(t: Test, what: string, result: { data?: unknown; error?: Problem; response: Response }, status: number, code: string): Problem {
  t.equal(result.data, undefined, `${what}: no data`);
  const problem = result.error;
  if (problem === undefined) throw new Error(`${what}: expected ${status} ${code}, got ${result.response.status}`);
  t.equal(result.response.status, status, `${what}: ${status}`);
  t.match(result.response.headers.get('content-type'), /^application\/problem\+json/, `${what}: a problem document`);
  // Typed fields, no casts: status and code are part of the Problem schema.
  t.equal(problem.status, status, `${what}: problem.status ${status}`);
  t.equal(problem.code, code, `${what}: problem.code ${code}`);
  t.equal(problem.requestId, result.response.headers.get('x-request-id'), `${what}: the requestId names the request`);
  return problem;
}

function etagOf(response: Response): string {
  const etag = response.headers.get('etag');
  if (!etag) throw new Error(`no ETag on ${response.url}`);
  return etag;
}

/** Today in the commission's time zone (what the server calls today), and days from it, as YYYY-MM-DD. */
const today = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
function daysFromToday(days: number): string {
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
const year = Number(today.slice(0, 4));
const currentQuarter = `${year}-Q${Math.ceil(Number(today.slice(5, 7)) / 3)}`;

/** Every task the query finds, page by page through nextCursor; returns the pages' codes. */
async function allPages(client: TrackerClient, t: Test, query: TaskQuery): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = ok(t, `GET /v1/tasks page ${pages.length + 1}`, await client.GET('/v1/tasks', { params: { query: { ...query, cursor } } }), 200);
    pages.push(page.items.map((task) => task.code));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages.length < 10);
  return pages;
}

t.test('a ministry works through the generated client against the real server', async (t) => {
  const server = await startServer(t);
  const secretariat = createTrackerClient(server.baseUrl, BOOTSTRAP_TOKEN);

  // ── The secretariat sets up a commission, two ministries, a meeting and an approved plan ─────────────
  const secretariatKey = ok(t, 'the bootstrap key', await secretariat.GET('/v1/api-keys/current'), 200);
  t.equal(secretariatKey.role, 'secretariat');

  const commission = ok(
    t,
    'POST /v1/commissions',
    await secretariat.POST('/v1/commissions', {
      body: {
        name: 'Intergovernmental Commission on Trade and Economic Co-operation between Belarus and Kazakhstan',
        timeZone: TIME_ZONE,
        parties: [
          { country: 'BY', coChair: { name: 'Ivan Petrov', position: 'Deputy Prime Minister of the Republic of Belarus' } },
          { country: 'KZ', coChair: { name: 'Aidar Sultanov', position: 'Deputy Prime Minister of the Republic of Kazakhstan' } },
        ],
      },
    }),
    201,
  );
  const minprom = ok(
    t,
    'POST /v1/organizations (BY)',
    await secretariat.POST('/v1/organizations', {
      body: { name: 'Ministry of Industry of the Republic of Belarus', shortName: 'Minprom', kind: 'ministry', country: 'BY' },
    }),
    201,
  );
  const mic = ok(
    t,
    'POST /v1/organizations (KZ)',
    await secretariat.POST('/v1/organizations', {
      body: { name: 'Ministry of Industry and Construction of the Republic of Kazakhstan', shortName: 'MIC RK', kind: 'ministry', country: 'KZ' },
    }),
    201,
  );
  const meeting = ok(
    t,
    'POST /v1/meetings',
    await secretariat.POST('/v1/meetings', {
      body: {
        commissionId: commission.id,
        kind: 'commission_session',
        title: '18th session of the commission',
        date: daysFromToday(-30),
        place: 'Minsk',
        protocolNumber: 'No. 18',
      },
    }),
    201,
  );
  const plan = ok(
    t,
    'POST /v1/plans',
    await secretariat.POST('/v1/plans', {
      body: {
        commissionId: commission.id,
        title: 'Roadmap of co-operation in industry',
        periodStart: `${year - 1}-01-01`,
        periodEnd: `${year + 1}-12-31`,
        // Both have defaults in the API, but the generated type makes them required (see the README).
        reportingFrequency: 'quarterly',
        reportDueDays: 10,
      },
    }),
    201,
  );
  const newTask = (code: string, dueInDays: number, assignees: NewTask['assignees']): NewTask => ({
    planId: plan.id,
    code,
    title: `Measure ${code}`,
    area: 'mechanical_engineering',
    basis: { meetingId: meeting.id, protocolItem: code },
    dueDate: daysFromToday(dueInDays),
    assignees,
  });
  const drafts: NewTask[] = [
    newTask('1.1', 60, [
      { organizationId: minprom.id, role: 'lead' },
      { organizationId: mic.id, role: 'lead' },
    ]),
    newTask('1.2', 90, [{ organizationId: minprom.id, role: 'lead' }]),
    newTask('1.10', 120, [
      { organizationId: mic.id, role: 'lead' },
      { organizationId: minprom.id, role: 'co_executor' },
    ]),
    newTask('2.1', 150, [{ organizationId: mic.id, role: 'lead' }]),
  ];
  const tasks: Record<string, Task> = {};
  for (const body of drafts) tasks[body.code] = ok(t, `POST /v1/tasks ${body.code}`, await secretariat.POST('/v1/tasks', { body }), 201);
  const task = tasks['1.1']!;
  const othersTask = tasks['2.1']!;

  const draftPlan = await secretariat.GET('/v1/plans/{id}', { params: { path: { id: plan.id } } });
  const approved = ok(
    t,
    'POST /v1/plans/{id}/approve',
    await secretariat.POST('/v1/plans/{id}/approve', {
      params: { path: { id: plan.id }, header: { 'if-match': etagOf(draftPlan.response) } },
    }),
    200,
  );
  t.equal(approved.status, 'approved');

  const issued = ok(
    t,
    'POST /v1/api-keys',
    await secretariat.POST('/v1/api-keys', { body: { name: 'Minprom BY — document system', role: 'ministry', organizationId: minprom.id } }),
    201,
  );
  t.match(issued, { role: 'ministry', organizationId: minprom.id, status: 'active' });
  t.match(issued.token, /^cpt_/, 'the secret is shown this once');

  // ── The ministry, with only its key ───────────────────────────────────────────────────────────────
  const ministry = createTrackerClient(server.baseUrl, issued.token);
  const me = ok(t, 'GET /v1/api-keys/current', await ministry.GET('/v1/api-keys/current'), 200);
  t.match(me, { id: issued.id, role: 'ministry', organizationId: minprom.id });

  // Read the plan
  const plans = ok(t, 'GET /v1/plans', await ministry.GET('/v1/plans', { params: { query: { status: 'approved', commissionId: commission.id } } }), 200);
  t.strictSame(
    plans.items.map((p) => p.id),
    [plan.id],
    'the approved plan of the commission',
  );
  const readPlan = ok(t, 'GET /v1/plans/{id}', await ministry.GET('/v1/plans/{id}', { params: { path: { id: plan.id } } }), 200);
  t.equal(readPlan.status, 'approved');

  // Its tasks, two a page, in code order as people number them
  const pages = await allPages(ministry, t, { planId: plan.id, organizationId: minprom.id, limit: 2 });
  t.strictSame(pages, [['1.1', '1.2'], ['1.10']], 'its three tasks on two pages, 1.10 after 1.2; the last page has no nextCursor');
  const filtered = ok(
    t,
    'GET /v1/tasks with filters',
    await ministry.GET('/v1/tasks', { params: { query: { planId: plan.id, party: 'KZ', status: ['not_started', 'on_hold'], dueTo: daysFromToday(130) } } }),
    200,
  );
  t.strictSame(
    filtered.items.map((x) => x.code),
    ['1.1', '1.10'],
    'filters combine: a KZ assignee, a status list, due by a date',
  );
  t.equal(filtered.nextCursor, null);

  // Move its task: read it for the ETag; a 304 when nothing changed
  const read = await ministry.GET('/v1/tasks/{id}', { params: { path: { id: task.id } } });
  t.equal(ok(t, 'GET /v1/tasks/{id}', read, 200).status, 'not_started');
  const staleEtag = etagOf(read.response);
  const unchanged = await ministry.GET('/v1/tasks/{id}', { params: { path: { id: task.id }, header: { 'if-none-match': staleEtag } } });
  t.equal(unchanged.response.status, 304, 'If-None-Match with the current ETag: 304');
  t.equal(unchanged.data, undefined, 'and no body');
  // openapi-fetch treats every non-2xx as an error: a 304 arrives as `error` = '' although it is typed Problem.
  t.equal(unchanged.error, '', 'and an empty "error": check response.status for 304 before reading error');

  // … meanwhile the secretariat edits the task, so the ministry's ETag is stale: 412, and nothing changes
  ok(
    t,
    'PATCH /v1/tasks/{id} (secretariat)',
    await secretariat.PATCH('/v1/tasks/{id}', {
      params: { path: { id: task.id } },
      body: { description: 'Raise localisation of tractors assembled in Kostanay.' },
    }),
    200,
  );
  const start: Transition = { to: 'in_progress', comment: 'Work started at the joint venture.' };
  const stale = await ministry.POST('/v1/tasks/{id}/transitions', {
    params: { path: { id: task.id }, header: { 'if-match': staleEtag } },
    body: start,
  });
  refused(t, 'a transition with a stale If-Match', stale, 412, 'precondition-failed');
  const reread = await ministry.GET('/v1/tasks/{id}', { params: { path: { id: task.id } } });
  const current = ok(t, 'GET /v1/tasks/{id} again', reread, 200);
  t.equal(current.status, 'not_started', 'the refused transition changed nothing');
  t.equal(current.description, 'Raise localisation of tractors assembled in Kostanay.', "the secretariat's edit is there");

  const moved = await ministry.POST('/v1/tasks/{id}/transitions', {
    params: { path: { id: task.id }, header: { 'if-match': etagOf(reread.response) } },
    body: start,
  });
  t.equal(ok(t, 'POST /v1/tasks/{id}/transitions', moved, 200).status, 'in_progress', 'with the fresh ETag the task moves');
  t.not(etagOf(moved.response), etagOf(reread.response), 'and gets a new ETag');

  // Typed refusals: someone else's task, a transition not in the table, a decision that is not the ministry's, no key
  refused(
    t,
    "a transition of another organization's task",
    await ministry.POST('/v1/tasks/{id}/transitions', { params: { path: { id: othersTask.id } }, body: start }),
    403,
    'forbidden',
  );
  const illegal = refused(
    t,
    'not_started → done',
    await ministry.POST('/v1/tasks/{id}/transitions', { params: { path: { id: tasks['1.2']!.id } }, body: { to: 'done' } }),
    409,
    'illegal-transition',
  );
  t.match(illegal.errors, [{ path: 'body.to' }], 'the problem names the field at fault');
  refused(t, 'a /v1 call without a key', await server.anonymous.GET('/v1/tasks', {}), 401, 'unauthorized');

  // Report progress, with an Idempotency-Key: a retry replays the first answer instead of reporting twice
  const report: NewReport = {
    period: currentQuarter,
    percentComplete: 40,
    confidence: 'amber',
    narrative: 'Assembly line installed; certification pending.',
    risks: 'Component deliveries from Minsk slip by 3 weeks.',
  };
  const idempotencyKey = randomUUID();
  const submit = () =>
    ministry.POST('/v1/tasks/{id}/reports', { params: { path: { id: task.id }, header: { 'idempotency-key': idempotencyKey } }, body: report });
  const submitted = ok(t, 'POST /v1/tasks/{id}/reports', await submit(), 201);
  t.match(submitted, { taskId: task.id, organizationId: minprom.id, period: currentQuarter, status: 'submitted', submittedBy: { keyId: issued.id, role: 'ministry' } });
  const retry = await submit();
  t.equal(ok(t, 'the same report retried', retry, 201).id, submitted.id, 'the retry returns the same report');
  t.equal(retry.response.headers.get('idempotent-replayed'), 'true', 'marked as a replay');
  const reports = ok(t, 'GET /v1/tasks/{id}/reports', await ministry.GET('/v1/tasks/{id}/reports', { params: { path: { id: task.id } } }), 200);
  t.equal(reports.items.length, 1, 'one report, not two');

  // Ask for a later deadline, on the task as last read
  const beforeRequest = await ministry.GET('/v1/tasks/{id}', { params: { path: { id: task.id } } });
  const oldDueDate = ok(t, 'GET /v1/tasks/{id} before the request', beforeRequest, 200).dueDate;
  const ask: DeadlineRequest = { kind: 'request', newDueDate: daysFromToday(150), reason: 'Certification of the assembled tractors takes one more quarter.' };
  const requested = ok(
    t,
    'POST /v1/tasks/{id}/deadline-changes',
    await ministry.POST('/v1/tasks/{id}/deadline-changes', {
      params: { path: { id: task.id }, header: { 'if-match': etagOf(beforeRequest.response) } },
      body: ask,
    }),
    201,
  );
  t.match(requested, { kind: 'request', status: 'pending', oldDueDate, newDueDate: ask.newDueDate, daysMoved: 90, requestedBy: { role: 'ministry', organizationId: minprom.id } });
  const decision: Decision = { decision: 'approve', basis: 'Protocol No. 18, item 3.4' };
  refused(
    t,
    'the ministry deciding its own request',
    await ministry.POST('/v1/tasks/{id}/deadline-changes/{changeId}/decision', { params: { path: { id: task.id, changeId: requested.id } }, body: decision }),
    403,
    'forbidden',
  );

  // ── The secretariat decides ──────────────────────────────────────────────────────────────────────
  const pending = ok(
    t,
    'GET /v1/tasks/{id}/deadline-changes (secretariat)',
    await secretariat.GET('/v1/tasks/{id}/deadline-changes', { params: { path: { id: task.id } } }),
    200,
  );
  t.strictSame(
    pending.items.map((c) => [c.id, c.status]),
    [[requested.id, 'pending']],
  );
  const change = await secretariat.GET('/v1/tasks/{id}/deadline-changes/{changeId}', { params: { path: { id: task.id, changeId: requested.id } } });
  const decided = ok(
    t,
    'POST …/decision',
    await secretariat.POST('/v1/tasks/{id}/deadline-changes/{changeId}/decision', {
      params: { path: { id: task.id, changeId: requested.id }, header: { 'if-match': etagOf(change.response) } },
      body: decision,
    }),
    200,
  );
  t.equal(decided.status, 'approved');

  // ── The ministry sees the decision ───────────────────────────────────────────────────────────────
  const seen = ok(
    t,
    'GET /v1/tasks/{id}/deadline-changes/{changeId}',
    await ministry.GET('/v1/tasks/{id}/deadline-changes/{changeId}', { params: { path: { id: task.id, changeId: requested.id } } }),
    200,
  );
  t.match(seen, { status: 'approved', decidedBy: { role: 'secretariat' }, decisionBasis: decision.basis, oldDueDate, newDueDate: ask.newDueDate });
  t.type(seen.decidedAt, 'string');
  const after = ok(t, 'GET /v1/tasks/{id} after the decision', await ministry.GET('/v1/tasks/{id}', { params: { path: { id: task.id } } }), 200);
  t.match(after, { dueDate: ask.newDueDate, originalDueDate: oldDueDate, postponementCount: 1, status: 'in_progress', overdue: false });

  const history = ok(t, 'GET /v1/tasks/{id}/history', await ministry.GET('/v1/tasks/{id}/history', { params: { path: { id: task.id } } }), 200);
  const byOperation = (operation: string) => history.items.filter((entry) => entry.operation === operation);
  const [transition] = byOperation('transitionTask');
  t.match(transition, { actor: { keyId: issued.id, role: 'ministry', organizationId: minprom.id }, entityType: 'task', taskId: task.id }, 'the transition is the ministry key’s');
  t.match(transition?.changes, [{ field: 'status', before: 'not_started', after: 'in_progress' }]);
  t.ok(
    byOperation('submitTaskReport').some((entry) => entry.actor.keyId === issued.id),
    'so is the progress report',
  );
  t.ok(
    byOperation('createDeadlineChange').some((entry) => entry.actor.keyId === issued.id),
    'and the deadline request',
  );
  t.ok(
    byOperation('decideDeadlineChange').some((entry) => entry.actor.keyId === secretariatKey.id),
    'the decision is the secretariat’s',
  );
  t.ok(
    history.items.some((entry) => entry.changes.some((c) => c.field === 'dueDate' && c.before === oldDueDate && c.after === ask.newDueDate)),
    'the history shows the due date moving',
  );
  t.match(
    byOperation('updateTask'),
    [{ actor: { keyId: secretariatKey.id, role: 'secretariat' }, changes: [{ field: 'description' }] }],
    'the edit that made the ETag stale is the secretariat’s',
  );

  // ── Stop the server as an operator would ─────────────────────────────────────────────────────────
  const { code, signal } = await server.stop();
  t.equal(signal, null, 'not killed by the signal');
  t.equal(code, 0, 'SIGTERM: exit code 0');
  t.notMatch(server.output(), /"level":(50|60)/, 'nothing was logged as an error');
});
