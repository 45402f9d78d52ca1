// Tests of Idempotency-Key on POST: replays, reuse with another request, in-progress claims, scope, expiry.
import t from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../src/app.js';
import { requestFingerprint } from '../src/plugins/idempotency.js';
import { assertProblem, build, json, keyFor, refused, snapshot, testClock, SECRETARIAT_TOKEN } from './helper.js';
import { approvedTask, createCommission, createTask, seedPlan } from './factories.js';
import { BUILDERS } from './access/builders.js';
import { seedWorld } from './access/world.js';

const KEY = '9b2d6c1e-3f4a-4c5b-8d7e-0a1b2c3d4e5f';

const planBody = (commissionId: string, title = 'Plan of measures 2026–2027') => ({
  commissionId,
  title,
  periodStart: '2026-01-01',
  periodEnd: '2027-12-31',
});

/** POST /v1/plans with an Idempotency-Key (none when key is null). */
const createPlan = (payload: object, key: string | null = KEY, headers: Record<string, string> = {}): InjectOptions => ({
  method: 'POST',
  url: '/v1/plans',
  payload,
  headers: { ...(key === null ? {} : { 'idempotency-key': key }), ...headers },
});

const count = (app: App, table: string) => (app.sqlite.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;

/** The stored idempotency keys, without timestamps. */
const storedKeys = (app: App) =>
  app.sqlite.prepare('SELECT api_key_id, key, state, status_code FROM idempotency_keys ORDER BY rowid').all() as {
    api_key_id: string;
    key: string;
    state: string;
    status_code: number | null;
  }[];

const secretariatKeyId = (app: App) =>
  (app.sqlite.prepare('SELECT id FROM api_keys ORDER BY rowid LIMIT 1').get() as { id: string }).id;

t.test('a retried create replays the first response and creates nothing more', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  const historyBefore = count(app, 'change_history');

  const first = await app.inject(createPlan(planBody(commission.id)));
  t.equal(first.statusCode, 201);
  t.equal(first.headers['idempotent-replayed'], undefined, 'the first response is no replay');
  const plan = json(first);

  const before = snapshot(app);
  const retry = await app.inject(createPlan(planBody(commission.id)));
  t.equal(retry.statusCode, 201, 'same status');
  t.equal(retry.body, first.body, 'byte for byte the same body');
  t.equal(retry.headers.location, `/v1/plans/${plan.id}`, 'same Location');
  t.equal(retry.headers.location, first.headers.location);
  t.equal(retry.headers.etag, first.headers.etag, 'same ETag');
  t.equal(retry.headers['content-type'], first.headers['content-type'], 'same content type');
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.not(retry.headers['x-request-id'], first.headers['x-request-id'], 'a replay is a response of its own');
  t.strictSame(snapshot(app), before, 'the replay changed nothing');

  const list = json(await app.inject({ method: 'GET', url: '/v1/plans' }));
  t.same(
    list.items.map((p: { id: string }) => p.id),
    [plan.id],
    'one plan',
  );
  t.equal(count(app, 'change_history'), historyBefore + 1, 'one history entry for the one create');
  t.same(storedKeys(app), [{ api_key_id: secretariatKeyId(app), key: KEY, state: 'committed', status_code: null }], 'recorded by the write itself');
});

t.test('the same body with its keys in another order is the same request', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  const body = planBody(commission.id);
  const first = await app.inject(createPlan(body));
  const reordered = Object.fromEntries(Object.entries(body).reverse());
  const retry = await app.inject(createPlan(reordered));
  t.equal(retry.statusCode, 201);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.body, first.body);
});

t.test('the same key with another body, path or method is 422 and changes nothing', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  t.equal((await app.inject(createPlan(planBody(commission.id)))).statusCode, 201);

  const problem = await refused(t, app, createPlan(planBody(commission.id, 'Another plan')), 422, 'idempotency-key-reused');
  t.same(problem.errors, [{ path: 'headers.idempotency-key', message: 'used before for a different request' }]);
  await refused(
    t,
    app,
    { method: 'POST', url: '/v1/commissions', payload: { name: 'Another commission', timeZone: 'Europe/Minsk', parties: commission.parties }, headers: { 'idempotency-key': KEY } },
    422,
    'idempotency-key-reused',
  );
  t.equal(json(await app.inject({ method: 'GET', url: '/v1/plans' })).items.length, 1, 'still one plan');
});

t.test('a pending claim left by an earlier version is 409 for 5 minutes, then taken over', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const commission = await createCommission(app);
  const body = planBody(commission.id);
  // As an earlier version left a request whose handler was still running: claimed, nothing stored.
  app.sqlite
    .prepare(
      `INSERT INTO idempotency_keys (api_key_id, key, fingerprint, state, created_at, expires_at)
       VALUES (?, ?, ?, 'pending', ?, ?)`,
    )
    .run(
      secretariatKeyId(app),
      KEY,
      requestFingerprint('POST', '/v1/plans', { ...body, reportingFrequency: 'quarterly', reportDueDays: 10 }) /* as validated: defaults added */,
      '2026-11-28T08:58:00.000Z',
      '2026-11-29T08:58:00.000Z',
    );

  const res = await app.inject(createPlan(body));
  assertProblem(t, res, 409, 'idempotency-in-progress');
  t.equal(res.headers['retry-after'], '1');
  await refused(t, app, createPlan(body), 409, 'idempotency-in-progress');
  // Another body with the key is still a reuse, not a wait.
  await refused(t, app, createPlan(planBody(commission.id, 'Other')), 422, 'idempotency-key-reused');

  clock.set('2026-11-28T09:03:00.000Z'); // the claim is exactly 5 minutes old: still in progress
  await refused(t, app, createPlan(body), 409, 'idempotency-in-progress');

  clock.set('2026-11-28T09:03:01.000Z'); // older than 5 minutes: its request died with the process
  const takenOver = await app.inject(createPlan(body));
  t.equal(takenOver.statusCode, 201, 'the retry runs');
  t.equal(takenOver.headers['idempotent-replayed'], undefined);
  const replay = await app.inject(createPlan(body));
  t.equal(replay.headers['idempotent-replayed'], 'true', 'and is remembered');
  t.equal(replay.body, takenOver.body);
  t.equal(json(await app.inject({ method: 'GET', url: '/v1/plans' })).items.length, 1, 'one plan');
  const [row] = app.sqlite.prepare('SELECT created_at, expires_at FROM idempotency_keys').all() as { created_at: string; expires_at: string }[];
  t.same(row, { created_at: '2026-11-28T09:03:01.000Z', expires_at: '2026-11-29T09:03:01.000Z' }, 'kept 24 h from the takeover');
});

t.test('two identical requests at once create one resource: the second to commit is rolled back (409) or replays', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  const responses = await Promise.all([app.inject(createPlan(planBody(commission.id))), app.inject(createPlan(planBody(commission.id)))]);
  const ran = responses.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined);
  t.equal(ran.length, 1, 'one request ran');
  for (const other of responses.filter((r) => !ran.includes(r))) {
    if (other.statusCode === 409) assertProblem(t, other, 409, 'idempotency-in-progress');
    else t.same([other.statusCode, other.headers['idempotent-replayed'], other.body], [201, 'true', ran[0]?.body], 'a replay');
  }
  t.equal(json(await app.inject({ method: 'GET', url: '/v1/plans' })).items.length, 1, 'one plan');
});

t.test('keys are scoped per API key: another key with the same Idempotency-Key creates its own resource', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  const other = await keyFor(app, 'secretariat');

  const mine = await app.inject(createPlan(planBody(commission.id)));
  const theirs = await app.inject(createPlan(planBody(commission.id), KEY, other.headers));
  t.equal(mine.statusCode, 201);
  t.equal(theirs.statusCode, 201);
  t.equal(theirs.headers['idempotent-replayed'], undefined, 'no replay of another key’s response');
  t.not(json(theirs).id, json(mine).id, 'two plans');
  t.equal(json(await app.inject({ method: 'GET', url: '/v1/plans' })).items.length, 2);
  t.same(
    storedKeys(app).map((k) => k.api_key_id),
    [secretariatKeyId(app), other.id],
  );

  // Each key replays its own.
  const theirRetry = await app.inject(createPlan(planBody(commission.id), KEY, other.headers));
  t.equal(theirRetry.body, theirs.body);
  t.equal(theirRetry.headers['idempotent-replayed'], 'true');
  const myRetry = await app.inject(createPlan(planBody(commission.id), KEY, { authorization: `Bearer ${SECRETARIAT_TOKEN}` }));
  t.equal(myRetry.body, mine.body);
});

t.test('a key is kept 24 hours: after that the same request runs again', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const commission = await createCommission(app);
  const first = json(await app.inject(createPlan(planBody(commission.id))));

  clock.set('2026-11-29T08:59:00.000Z'); // just before the end of the 24 hours
  const replay = await app.inject(createPlan(planBody(commission.id)));
  t.equal(replay.headers['idempotent-replayed'], 'true');

  clock.set('2026-11-29T09:01:00.000Z');
  const again = await app.inject(createPlan(planBody(commission.id)));
  t.equal(again.statusCode, 201);
  t.equal(again.headers['idempotent-replayed'], undefined);
  t.not(json(again).id, first.id, 'a new plan');
  t.equal(json(await app.inject({ method: 'GET', url: '/v1/plans' })).items.length, 2);
  t.equal(storedKeys(app).length, 1, 'the expired key was swept and claimed anew');
});

t.test('expired keys of any API key are swept by the next idempotent request', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const commission = await createCommission(app);
  const other = await keyFor(app, 'secretariat');
  await app.inject(createPlan(planBody(commission.id), 'old-key', other.headers));
  clock.set('2026-11-30T09:00:00.000Z');
  await app.inject(createPlan(planBody(commission.id, 'Later plan'), 'new-key'));
  t.same(
    storedKeys(app).map((k) => k.key),
    ['new-key'],
  );
});

t.test('a refused request is not remembered: the same key runs again once the request is fixed', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);

  // 422 from the service: the handler ran and refused.
  await refused(t, app, createPlan(planBody('0190f0e4-0000-7000-8000-000000000000')), 422, 'unknown-reference');
  // 400 from validation: the handler never ran.
  await refused(t, app, createPlan({ ...planBody(commission.id), periodStart: 'soon' }), 400, 'validation-failed');
  t.same(storedKeys(app), [], 'no key kept');

  const fixed = await app.inject(createPlan(planBody(commission.id)));
  t.equal(fixed.statusCode, 201);
  t.equal(fixed.headers['idempotent-replayed'], undefined);
  t.same(storedKeys(app), [{ api_key_id: secretariatKeyId(app), key: KEY, state: 'committed', status_code: null }]);
});

t.test('a refusal by the access policy is not remembered either', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  const observer = await keyFor(app, 'observer');
  await refused(t, app, createPlan(planBody(commission.id), KEY, observer.headers), 403, 'forbidden');
  t.same(storedKeys(app), []);
});

t.test('when the write cannot record its key, the write is rolled back: a 500 problem, nothing changed, the key free', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  app.sqlite.exec("CREATE TRIGGER fail_mark BEFORE INSERT ON idempotency_keys BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
  const before = snapshot(app);
  const first = await app.inject(createPlan(planBody(commission.id)));
  assertProblem(t, first, 500, 'internal-error');
  t.strictSame(snapshot(app), before, 'no plan, no history, no key');
  app.sqlite.exec('DROP TRIGGER fail_mark');
  const retry = await app.inject(createPlan(planBody(commission.id)));
  t.equal(retry.statusCode, 201, 'a retry runs');
  t.equal(retry.headers['idempotent-replayed'], undefined);
});

t.test('a request whose key another request committed meanwhile is rolled back with 409, and its retry replays', async (t) => {
  // The race, made deterministic: the key's row is expired when this request looks it up, and live again when its
  // write commits (a trigger on the write moves the clock back), as if another request had committed it in between.
  const clock = testClock('2026-11-28T10:00:00.000Z');
  const app = await build(t, clock);
  const commission = await createCommission(app);
  const body = planBody(commission.id);
  const other = await app.inject(createPlan(body));
  t.equal(other.statusCode, 201);
  app.sqlite.prepare("UPDATE idempotency_keys SET expires_at = '2026-11-29T10:00:00.000Z'").run();
  clock.set('2026-11-29T10:00:00.001Z'); // expired at look-up
  app.sqlite.function('rewind_clock', () => {
    clock.set('2026-11-29T09:00:00.000Z'); // live at commit
    return 0;
  });
  app.sqlite.exec('CREATE TRIGGER meanwhile BEFORE INSERT ON plans BEGIN SELECT rewind_clock(); END');
  const plans = count(app, 'plans');
  const history = count(app, 'change_history');
  const res = await app.inject(createPlan(body));
  app.sqlite.exec('DROP TRIGGER meanwhile');
  assertProblem(t, res, 409, 'idempotency-in-progress');
  t.equal(res.headers['retry-after'], '1');
  t.equal(count(app, 'plans'), plans, 'its plan was rolled back');
  t.equal(count(app, 'change_history'), history, 'and its history entry');
  const retry = await app.inject(createPlan(body));
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.body, other.body, "the retry gets the committed request's result");
});

t.test('a retried approval replays 200 instead of answering 409', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const approve: InjectOptions = { method: 'POST', url: `/v1/plans/${plan.id}/approve`, headers: { 'idempotency-key': KEY } };

  const first = await app.inject(approve);
  t.equal(first.statusCode, 200);
  t.equal(json(first).status, 'approved');
  const history = count(app, 'change_history');

  const retry = await app.inject(approve);
  t.equal(retry.statusCode, 200);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.body, first.body);
  t.equal(retry.headers.etag, first.headers.etag);
  t.equal(count(app, 'change_history'), history, 'no second approval recorded');

  // Without the key, the same action is what it always was: a conflict.
  await refused(t, app, { method: 'POST', url: `/v1/plans/${plan.id}/approve` }, 409, 'plan-state-conflict');
});

t.test('a retried task transition replays 200 instead of answering 409 illegal transition', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const move = (to: string, key = KEY): InjectOptions => ({
    method: 'POST',
    url: `/v1/tasks/${task.id}/transitions`,
    payload: { to },
    headers: { 'idempotency-key': key },
  });
  const first = await app.inject(move('done', 'start-then-finish'));
  assertProblem(t, first, 409, 'illegal-transition'); // not_started → done is not a transition

  const started = await app.inject(move('in_progress'));
  t.equal(started.statusCode, 200);
  const retry = await app.inject(move('in_progress'));
  t.equal(retry.statusCode, 200);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.body, started.body);
  const log = json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}/transitions` }));
  t.equal(log.items.length, 1, 'one transition taken');
  await refused(t, app, { method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'in_progress' } }, 409, 'illegal-transition');
});

t.test('POST /v1/api-keys takes no Idempotency-Key: 400 and no key is issued', async (t) => {
  const app = await build(t);
  const problem = await refused(
    t,
    app,
    { method: 'POST', url: '/v1/api-keys', payload: { name: 'a key', role: 'observer' }, headers: { 'idempotency-key': KEY } },
    400,
    'bad-request',
  );
  t.match(problem.detail, /does not take an Idempotency-Key/);
  t.same(problem.errors, [{ path: 'headers.idempotency-key', message: 'not accepted by this operation' }]);
  t.equal(count(app, 'api_keys'), 1, 'only the bootstrap key');
  t.same(storedKeys(app), []);
});

t.test('a malformed Idempotency-Key is 400 and changes nothing', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  for (const key of ['has a space', 'x'.repeat(256), 'x'.repeat(300), 'naïve', '']) {
    const problem = await refused(t, app, createPlan(planBody(commission.id), key), 400, 'validation-failed');
    t.match(problem.errors, [{ path: 'headers.idempotency-key' }], JSON.stringify(key.slice(0, 20)));
  }
  const longest = await app.inject(createPlan(planBody(commission.id), 'x'.repeat(255)));
  t.equal(longest.statusCode, 201, '255 characters are accepted');
});

t.test('without the header nothing is stored', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  const one = await app.inject(createPlan(planBody(commission.id), null));
  const two = await app.inject(createPlan(planBody(commission.id), null));
  t.equal(one.statusCode, 201);
  t.equal(two.statusCode, 201);
  t.equal(two.headers['idempotent-replayed'], undefined);
  t.not(json(one).id, json(two).id, 'each POST without a key creates');
  t.equal(count(app, 'idempotency_keys'), 0);
});

t.test('the header is ignored on other methods and answered 404 on unknown routes', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  const res = await app.inject({
    method: 'PATCH',
    url: `/v1/commissions/${commission.id}`,
    payload: { name: 'Renamed' },
    headers: { 'idempotency-key': KEY },
  });
  t.equal(res.statusCode, 200);
  assertProblem(t, await app.inject({ method: 'POST', url: '/v1/nowhere', headers: { 'idempotency-key': KEY } }), 404, 'route-not-found');
  t.equal(count(app, 'idempotency_keys'), 0);
});

t.test('a refused request leaves expired keys alone: the sweep runs only after a success', async (t) => {
  const clock = testClock('2026-11-28T09:00:00.000Z');
  const app = await build(t, clock);
  const { task } = await approvedTask(app);
  const move = (to: string, key: string): InjectOptions => ({
    method: 'POST',
    url: `/v1/tasks/${task.id}/transitions`,
    headers: { 'idempotency-key': key },
    payload: { to },
  });
  t.equal((await app.inject(move('in_progress', 'k1'))).statusCode, 200);
  t.equal(count(app, 'idempotency_keys'), 1);
  clock.set('2026-11-29T09:01:00.000Z'); // k1 has expired
  await refused(t, app, move('closed', 'k2'), 409, 'illegal-transition');
  t.equal(count(app, 'idempotency_keys'), 1, 'the expired key is still there after the refusal');
  t.equal((await app.inject(move('on_hold', 'k3'))).statusCode, 200);
  t.same(storedKeys(app).map((k) => k.key), ['k3'], 'the next success swept it');
});

t.test('every idempotent operation: a retry is answered from the committed write exactly as the original was, and changes nothing', async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  const doc = app.swagger() as unknown as { paths: Record<string, Record<string, { operationId: string; parameters?: { in: string; name: string }[] }>> };
  const idempotent = Object.values(doc.paths).flatMap((item) =>
    Object.entries(item)
      .filter(([method, op]) => method === 'post' && (op.parameters ?? []).some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key'))
      .map(([, op]) => op.operationId),
  );
  t.ok(idempotent.length >= 15, `${idempotent.length} idempotent operations`);

  for (const operationId of idempotent) {
    const builder = BUILDERS[operationId];
    if (!builder) {
      t.fail(`no request builder for ${operationId}`);
      continue;
    }
    const request = await builder(w, app, 'own');
    const key = `crash-${operationId}`;
    const withKey = { ...request, headers: { ...(request.headers ?? {}), 'idempotency-key': key } } as InjectOptions;
    const first = await app.inject(withKey);
    t.ok(first.statusCode >= 200 && first.statusCode < 300, `${operationId}: ${first.statusCode} ${first.body.slice(0, 200)}`);
    const row = app.sqlite.prepare('SELECT state FROM idempotency_keys WHERE key = ?').get(key) as { state: string } | undefined;
    t.equal(row?.state, 'committed', `${operationId}: the write recorded its key`);

    const before = snapshot(app);
    const retry = await app.inject(withKey);
    t.equal(retry.statusCode, first.statusCode, `${operationId}: same status`);
    t.equal(retry.body, first.body, `${operationId}: same body`);
    for (const name of ['etag', 'location', 'content-type']) {
      t.equal(retry.headers[name], first.headers[name], `${operationId}: same ${name}`);
    }
    t.equal(retry.headers['idempotent-replayed'], 'true', `${operationId}: marked as a replay`);
    t.strictSame(snapshot(app), before, `${operationId}: the retry changed nothing`);
  }
});

t.test('a completed key stored by an earlier version is replayed with its stored status, headers and bytes', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  const body = planBody(commission.id);
  app.sqlite
    .prepare(
      `INSERT INTO idempotency_keys (api_key_id, key, fingerprint, state, status_code, response_headers, response_body, created_at, expires_at)
       VALUES (?, ?, ?, 'completed', 201, ?, ?, '2026-11-28T08:00:00.000Z', '2999-01-01T00:00:00.000Z')`,
    )
    .run(
      secretariatKeyId(app),
      KEY,
      requestFingerprint('POST', '/v1/plans', { ...body, reportingFrequency: 'quarterly', reportDueDays: 10 }),
      JSON.stringify({ 'content-type': 'application/json; charset=utf-8', location: '/v1/plans/stored', etag: '"stored"' }),
      '{"id":"stored"}',
    );
  const plans = count(app, 'plans');
  const res = await app.inject(createPlan(body));
  t.equal(res.statusCode, 201);
  t.equal(res.body, '{"id":"stored"}');
  t.equal(res.headers.location, '/v1/plans/stored');
  t.equal(res.headers.etag, '"stored"');
  t.equal(res.headers['idempotent-replayed'], 'true');
  t.equal(count(app, 'plans'), plans, 'nothing ran');
});

t.test('a request that writes twice keeps its key once, with the result it answered', async (t) => {
  // No route of the API writes twice in one request today; a service that did (a write calling another) must still
  // record its key once, and a retry must replay what the request answered: the last write's result.
  const { buildApp } = await import('../src/app.js');
  const { createCommissionService } = await import('../src/modules/commissions/commissions.service.js');
  const { CommissionSchema, CreateCommissionSchema } = await import('../src/modules/commissions/commissions.schemas.js');
  const { CreateHeadersSchema } = await import('../src/lib/common.schemas.js');
  const { writeContext } = await import('../src/lib/http.js');
  const app = await buildApp({
    config: { databasePath: ':memory:', logLevel: 'silent', bodyLimit: 64 * 1024, bootstrapToken: SECRETARIAT_TOKEN, rateLimitMax: 0, authFailureMax: 1000 },
    clock: testClock(),
    logger: false,
    verifySerializers: true,
  });
  t.teardown(() => app.close());
  const commissions = createCommissionService({ db: app.db, clock: app.clock });
  app.post(
    '/v1/test/two-commissions',
    // createCommission's operation: its access rule, its response, a key accepted.
    { schema: { operationId: 'createCommission', headers: CreateHeadersSchema, body: CreateCommissionSchema, response: { 201: CommissionSchema } } },
    async (request, reply) => {
      commissions.create({ ...request.body, name: `${request.body.name} (first)` }, writeContext(request));
      return reply.code(201).send(commissions.create(request.body, writeContext(request)));
    },
  );
  await app.ready();
  const request: InjectOptions = {
    method: 'POST',
    url: '/v1/test/two-commissions',
    headers: { authorization: `Bearer ${SECRETARIAT_TOKEN}`, 'idempotency-key': KEY },
    payload: {
      name: 'Twice written',
      timeZone: 'Europe/Minsk',
      parties: [
        { country: 'BY', coChair: { name: 'A', position: 'Minister' } },
        { country: 'KZ', coChair: { name: 'B', position: 'Minister' } },
      ],
    },
  };
  const first = await app.inject(request);
  t.equal(first.statusCode, 201);
  t.equal(json(first).name, 'Twice written', 'the request answered the second write');
  t.same(storedKeys(app).map((k) => k.state), ['committed'], 'one key, recorded once');
  t.equal(count(app, 'commissions'), 2);
  const retry = await app.inject(request);
  t.equal(retry.statusCode, 201);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.body, first.body, 'the replay is the answer, the last write\'s result');
  t.equal(count(app, 'commissions'), 2, 'and writes nothing');
});

t.test('a retry is answered as the first time even when the caller may no longer do what it did', async (t) => {
  // A ministry submits a report, its answer is lost, and before the retry the secretariat takes its organization off
  // the task. The retry must tell it the report was made (201, the same body), not 403, which would read as refused.
  const app = await build(t);
  const { task, by, kz } = await approvedTask(app);
  const ministry = await keyFor(app, 'ministry', by.id);
  const submit: InjectOptions = {
    method: 'POST',
    url: `/v1/tasks/${task.id}/reports`,
    payload: { period: '2026-Q3', percentComplete: 40, confidence: 'amber', narrative: 'Assembly line installed' },
    headers: { ...ministry.headers, 'idempotency-key': KEY },
  };
  const first = await app.inject(submit);
  t.equal(first.statusCode, 201);
  const reassigned = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { assignees: [{ organizationId: kz.id, role: 'lead' }] } });
  t.equal(reassigned.statusCode, 200, 'BY is no longer an assignee');

  const before = snapshot(app);
  const retry = await app.inject(submit);
  t.equal(retry.statusCode, 201, 'the retry is answered as the request was');
  t.equal(retry.body, first.body, 'with the same body');
  t.equal(retry.headers.location, first.headers.location, 'and Location');
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.strictSame(snapshot(app), before, 'nothing written');
  // A new request is judged as new: the organization may not report on the task any more.
  await refused(t, app, { ...submit, headers: { ...ministry.headers, 'idempotency-key': '0d9e8f7a-6b5c-4d3e-9f1a-2b3c4d5e6f70' } }, 403, 'forbidden');
  // The same key with another body is still a reuse, checked after access like any new request.
  await refused(t, app, { ...submit, payload: { ...(submit.payload as object), narrative: 'Other' } }, 403, 'forbidden');
});

t.test('the replay of a create sent to the collection with a trailing slash has the Location of the first answer', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const create: InjectOptions = {
    method: 'POST',
    url: '/v1/tasks/',
    payload: { planId: plan.id, code: '7.1', area: 'trade', title: 'A measure', dueDate: '2026-12-31', assignees },
    headers: { 'idempotency-key': KEY },
  };
  const first = await app.inject(create);
  t.equal(first.statusCode, 201);
  const retry = await app.inject(create);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.headers.location, first.headers.location, 'not /v1/tasks//{id}');
  t.equal(retry.headers.location, `/v1/tasks/${json(first).id}`);
  t.equal((await app.inject({ method: 'GET', url: String(retry.headers.location) })).statusCode, 200, 'the Location can be read');
});
