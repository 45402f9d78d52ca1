// Tests of conditional requests: strong ETags on every single resource, 304 on If-None-Match (weak
// comparison), and If-Match preconditions on every write to an existing resource (strong comparison, 412).
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../src/app.js';
import { assertProblem, build, json, keyFor, refused, snapshot, type InjectedResponse } from './helper.js';
import { approvedTask, createTask, seedPlan } from './factories.js';

const STRONG_TAG = /^"[\x21\x23-\x7e]+"$/;

async function read(app: App, url: string): Promise<InjectedResponse> {
  const res = await app.inject({ method: 'GET', url });
  if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body}`);
  return res;
}

const etagOf = async (app: App, url: string) => String((await read(app, url)).headers.etag);

const withIfMatch = (request: InjectOptions, ifMatch: string): InjectOptions => ({
  ...request,
  headers: { ...(request.headers ?? {}), 'if-match': ifMatch },
});

/** Every kind of resource that has a single-resource GET, in one app. */
async function world(app: App) {
  const { commission, by, meeting, plan, task } = await approvedTask(app);
  const asked = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task.id}/deadline-changes`,
    payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Certification takes longer' },
  });
  if (asked.statusCode !== 201) throw new Error(asked.body);
  const change = json<{ id: string }>(asked);
  const key = await keyFor(app, 'observer');
  return { commission, by, meeting, plan, task, change, key };
}

t.test('every single-resource read carries a strong ETag and answers If-None-Match with 304', async (t) => {
  const app = await build(t);
  const w = await world(app);
  const reads: [string, string][] = [
    ['commission', `/v1/commissions/${w.commission.id}`],
    ['organization', `/v1/organizations/${w.by.id}`],
    ['meeting', `/v1/meetings/${w.meeting.id}`],
    ['plan', `/v1/plans/${w.plan.id}`],
    ['task', `/v1/tasks/${w.task.id}`],
    ['deadline change', `/v1/tasks/${w.task.id}/deadline-changes/${w.change.id}`],
    ['API key', `/v1/api-keys/${w.key.id}`],
    ['current API key', '/v1/api-keys/current'],
  ];
  for (const [what, url] of reads) {
    await t.test(what, async (t) => {
      const first = await read(app, url);
      const etag = String(first.headers.etag);
      t.match(etag, STRONG_TAG, 'a strong, quoted entity-tag');
      t.equal(String((await read(app, url)).headers.etag), etag, 'the same on a second read');

      const conditional = (ifNoneMatch: string) => app.inject({ method: 'GET', url, headers: { 'if-none-match': ifNoneMatch } });
      for (const [header, label] of [[etag, 'the current tag'], ['*', '*'], [`W/${etag}`, 'the weak form of the current tag'], [`"other", ${etag}`, 'a list holding it']]) {
        const res = await conditional(header as string);
        t.equal(res.statusCode, 304, `${label}: 304`);
        t.equal(res.body, '', `${label}: no body`);
        t.equal(res.headers.etag, etag, `${label}: the ETag is sent`);
      }
      const other = await conditional('"not-the-current-one"');
      t.equal(other.statusCode, 200, 'another tag: 200');
      t.strictSame(json(other), json(first), 'with the representation');
      t.equal(other.headers.etag, etag, 'and its ETag');
    });
  }
});

/** A pending deadline request on a task of an approved plan: the change's URL. */
async function askedDeadline(app: App): Promise<string> {
  const { task } = await approvedTask(app);
  const asked = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task.id}/deadline-changes`,
    payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Later' },
  });
  return String(asked.headers.location);
}

interface WriteCase {
  name: string;
  /** Builds the state the write needs, in a fresh app. */
  setup: (app: App) => Promise<{
    /** The resource the precondition is on. */
    target: string;
    request: InjectOptions;
    status: number;
    /** Where to read what the write answered with, to compare ETags; the location of a created resource. */
    result?: (res: InjectedResponse) => string;
  }>;
}

const WRITES: WriteCase[] = [
  {
    name: 'PATCH a commission',
    async setup(app) {
      const { commission } = await seedPlan(app);
      const url = `/v1/commissions/${commission.id}`;
      return { target: url, request: { method: 'PATCH', url, payload: { name: 'Renamed commission' } }, status: 200 };
    },
  },
  {
    name: 'PATCH an organization',
    async setup(app) {
      const { by } = await seedPlan(app);
      const url = `/v1/organizations/${by.id}`;
      return { target: url, request: { method: 'PATCH', url, payload: { shortName: 'MPBY' } }, status: 200 };
    },
  },
  {
    name: 'PATCH a meeting',
    async setup(app) {
      const { meeting } = await seedPlan(app);
      const url = `/v1/meetings/${meeting.id}`;
      return { target: url, request: { method: 'PATCH', url, payload: { title: 'Session in Minsk' } }, status: 200 };
    },
  },
  {
    name: 'PATCH a plan',
    async setup(app) {
      const { plan } = await seedPlan(app);
      const url = `/v1/plans/${plan.id}`;
      return { target: url, request: { method: 'PATCH', url, payload: { title: 'Revised plan' } }, status: 200 };
    },
  },
  {
    name: 'PATCH a task',
    async setup(app) {
      const { task } = await approvedTask(app);
      const url = `/v1/tasks/${task.id}`;
      return { target: url, request: { method: 'PATCH', url, payload: { title: 'Renamed task' } }, status: 200 };
    },
  },
  {
    name: 'DELETE a draft task',
    async setup(app) {
      const { plan, assignees } = await seedPlan(app);
      const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
      const url = `/v1/tasks/${task.id}`;
      return { target: url, request: { method: 'DELETE', url }, status: 204 };
    },
  },
  {
    name: 'approve a plan',
    async setup(app) {
      const { plan, assignees } = await seedPlan(app);
      await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
      const url = `/v1/plans/${plan.id}`;
      return { target: url, request: { method: 'POST', url: `${url}/approve` }, status: 200 };
    },
  },
  {
    name: 'close a plan',
    async setup(app) {
      const { plan } = await approvedTask(app);
      const url = `/v1/plans/${plan.id}`;
      return { target: url, request: { method: 'POST', url: `${url}/close` }, status: 200 };
    },
  },
  {
    name: 'move a task',
    async setup(app) {
      const { task } = await approvedTask(app);
      const url = `/v1/tasks/${task.id}`;
      return { target: url, request: { method: 'POST', url: `${url}/transitions`, payload: { to: 'in_progress' } }, status: 200 };
    },
  },
  {
    name: 'ask for a new deadline (on the task)',
    async setup(app) {
      const { task } = await approvedTask(app);
      const url = `/v1/tasks/${task.id}`;
      return {
        target: url,
        request: { method: 'POST', url: `${url}/deadline-changes`, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Later' } },
        status: 201,
        result: (res) => String(res.headers.location),
      };
    },
  },
  {
    name: 'decide a deadline request (on the change)',
    async setup(app) {
      const url = await askedDeadline(app);
      return { target: url, request: { method: 'POST', url: `${url}/decision`, payload: { decision: 'approve', basis: 'Protocol No. 12' } }, status: 200 };
    },
  },
  {
    name: 'withdraw a deadline request (on the change)',
    async setup(app) {
      const url = await askedDeadline(app);
      return { target: url, request: { method: 'POST', url: `${url}/withdrawal`, payload: { comment: 'Asked in error' } }, status: 200 };
    },
  },
  {
    name: 'revoke an API key',
    async setup(app) {
      const key = await keyFor(app, 'observer');
      const url = `/v1/api-keys/${key.id}`;
      return { target: url, request: { method: 'DELETE', url }, status: 200 };
    },
  },
];

/** Sends a write whose precondition fails: 412 with the current ETag, and nothing changed. */
async function preconditionFails(t: Test, app: App, request: InjectOptions, current: string) {
  const before = snapshot(app);
  const res = await app.inject(request);
  assertProblem(t, res, 412, 'precondition-failed');
  t.equal(res.headers.etag, current, 'the 412 carries the current ETag');
  t.strictSame(snapshot(app), before, 'nothing changed');
}

for (const write of WRITES) {
  t.test(`${write.name}: If-Match is checked strongly, a stale tag is 412 and changes nothing`, async (t) => {
    const app = await build(t);
    const { target, request, status, result } = await write.setup(app);
    const current = await etagOf(app, target);

    await t.test('a tag the resource no longer has', (t) => preconditionFails(t, app, withIfMatch(request, '"stale-etag"'), current));
    await t.test('the weak form of the current tag (strong comparison)', (t) => preconditionFails(t, app, withIfMatch(request, `W/${current}`), current));
    await t.test('a malformed If-Match', async (t) => {
      const body = await refused(t, app, withIfMatch(request, 'abc'), 400, 'bad-request');
      t.match(body.errors, [{ path: 'headers.if-match' }], 'names the header');
    });

    const res = await app.inject(withIfMatch(request, `"other", ${current}`));
    t.equal(res.statusCode, status, `the current tag (in a list): ${status}`);
    if (status === 204) {
      t.equal(res.body, '', 'no body');
      t.equal((await app.inject({ method: 'GET', url: target })).statusCode, 404, 'it is gone');
      return;
    }
    const fresh = await etagOf(app, result ? result(res) : target);
    t.match(String(res.headers.etag), STRONG_TAG, 'the response carries an ETag');
    t.equal(res.headers.etag, fresh, "the response's ETag is the one a fresh read gives");
    if (!result) t.not(fresh, current, 'and a new one');
  });

  t.test(`${write.name}: If-Match * lets the write through`, async (t) => {
    const app = await build(t);
    const { request, status } = await write.setup(app);
    const res = await app.inject(withIfMatch(request, '*'));
    t.equal(res.statusCode, status, `${status}: ${res.body.slice(0, 200)}`);
  });
}

t.test('two clients: the one that writes second with what it read first gets 412, not a silent overwrite', async (t) => {
  const app = await build(t);
  const { task, by } = await approvedTask(app);
  const url = `/v1/tasks/${task.id}`;
  const b = await keyFor(app, 'ministry', by.id);

  const readByA = await etagOf(app, url);
  const readByB = String((await app.inject({ method: 'GET', url, headers: b.headers })).headers.etag);
  t.equal(readByB, readByA, 'both read the same version');

  const byA = await app.inject({ method: 'PATCH', url, payload: { title: 'Title by A' }, headers: { 'if-match': readByA } });
  t.equal(byA.statusCode, 200, 'A writes first');
  const afterA = String(byA.headers.etag);
  t.not(afterA, readByA, 'the task has a new ETag');

  await preconditionFails(
    t,
    app,
    { method: 'POST', url: `${url}/transitions`, payload: { to: 'in_progress' }, headers: { ...b.headers, 'if-match': readByB } },
    afterA,
  );
  t.equal(json(await read(app, url)).title, 'Title by A', "A's change stands");

  const reread = String((await app.inject({ method: 'GET', url, headers: b.headers })).headers.etag);
  t.equal(reread, afterA, 'B reads again');
  const retry = await app.inject({ method: 'POST', url: `${url}/transitions`, payload: { to: 'in_progress' }, headers: { ...b.headers, 'if-match': reread } });
  t.equal(retry.statusCode, 200, 'and then its write goes through');
  t.equal(json(retry).status, 'in_progress');
});

t.test('a write without If-Match still goes through: preconditions are optional', async (t) => {
  const app = await build(t);
  const { plan } = await seedPlan(app);
  const res = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { title: 'No precondition' } });
  t.equal(res.statusCode, 200);
  t.equal(res.headers.etag, await etagOf(app, `/v1/plans/${plan.id}`));
});
