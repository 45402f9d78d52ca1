// Tests of /v1/share-links and /v1/links/{token}: read-only links for people who cannot send an API key.
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import ICAL from 'ical.js';
import { buildApp, serializeRequest, type App } from '../../src/app.js';
import type { ShareLink } from '../../src/modules/share-links/share-links.schemas.js';
import {
  asSecretariat,
  assertProblem,
  build,
  json,
  keyFor,
  logCapture,
  refused,
  SECRETARIAT_TOKEN,
  snapshot,
  testClock,
  type InjectedResponse,
} from '../helper.js';
import { approvedTask, createPlan, createTask, seedPlan } from '../factories.js';

const NOW = '2026-11-28T09:00:00.000Z';
const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';

type Created = ShareLink & { url: string };

const createLink = (payload: Record<string, unknown>, headers: Record<string, string> = {}): InjectOptions => ({
  method: 'POST',
  url: '/v1/share-links',
  payload,
  headers,
});
/** Opens a link as a browser would: no API key at all. */
const open = (app: App, url: string, headers: Record<string, string | undefined> = {}) =>
  app.inject({ method: 'GET', url, headers: { authorization: undefined, ...headers } });

async function created(t: Test, app: App, payload: Record<string, unknown>): Promise<Created> {
  const res = await app.inject(createLink(payload));
  t.equal(res.statusCode, 201, `a ${String(payload.kind)} link is created`);
  if (res.statusCode !== 201) throw new Error(res.body);
  return json(res);
}

/** What every answer of /v1/links/… carries, found or not. */
function assertLinkHeaders(t: Test, res: InjectedResponse) {
  t.equal(res.headers['cache-control'], 'no-store', 'never cached');
  t.match(String(res.headers['x-robots-tag']), /noindex/, 'never indexed');
  t.equal(res.headers['referrer-policy'], 'no-referrer', 'the secret URL is not passed on as a Referer');
}

/** The same 404 for every link that does not open: nothing tells an unknown secret from a dead one. */
function assertNoSuchLink(t: Test, res: InjectedResponse) {
  const body = assertProblem(t, res, 404, 'not-found');
  t.equal(body.detail, 'no such link, or it has expired or was revoked; ask the secretariat for a new one', 'one detail for every case');
  assertLinkHeaders(t, res);
}

t.test('a link is created with its URL shown once; the stored link never shows the secret', async (t) => {
  const app = await build(t, testClock(NOW));
  const { plan, by } = await approvedTask(app);
  const res = await app.inject(createLink({ name: 'Minprom — calendar', kind: 'calendar', planId: plan.id, organizationId: by.id, lang: 'ru' }));
  t.equal(res.statusCode, 201);
  const link = json<Created>(res);
  t.equal(res.headers.location, `/v1/share-links/${link.id}`);
  t.equal(res.headers['cache-control'], 'no-store', 'the secret is not cached');
  t.match(link.url, /^\/v1\/links\/cpl_[A-Za-z0-9_-]{43}$/, 'a cpl_ secret of 256 random bits, in the path');
  const token = link.url.slice('/v1/links/'.length);
  t.same(link, {
    id: link.id,
    name: 'Minprom — calendar',
    kind: 'calendar',
    params: { planId: plan.id, organizationId: by.id, lang: 'ru' },
    prefix: token.slice(0, 12),
    status: 'active',
    expiresAt: '2026-12-28T09:00:00.000Z',
    revokedAt: null,
    lastUsedAt: null,
    createdAt: NOW,
    createdByKeyId: link.createdByKeyId,
    url: link.url,
  }, 'the representation, expiring in 30 days by default');
  t.type(link.createdByKeyId, 'string', 'the creating key is named');

  const read = await app.inject({ method: 'GET', url: `/v1/share-links/${link.id}` });
  t.equal(read.statusCode, 200);
  t.ok(read.headers.etag, 'with an ETag');
  const { url: _url, ...stored } = link;
  t.strictSame(json(read), stored, 'read back: the same, without the URL');
  t.notOk(read.body.includes(token), 'the secret is not in the read');
  const list = await app.inject({ method: 'GET', url: '/v1/share-links' });
  t.strictSame(json(list).items, [stored], 'listed, without the URL');
  t.notOk(JSON.stringify(snapshot(app)).includes(token), 'the secret is stored nowhere, not even in the history');
});

t.test('what a link opens is checked when it is created', async (t) => {
  const app = await build(t, testClock(NOW));
  const { plan, commission, by } = await approvedTask(app);
  const draft = await createPlan(app, commission.id, { title: 'Draft plan' });
  const bad = async (payload: Record<string, unknown>, status: number, code: string, path?: string) => {
    const body = await refused(t, app, createLink({ name: 'Link', ...payload }), status, code);
    if (path) t.ok(body.errors?.some((e: { path: string }) => e.path === path), `${path} is named`);
  };
  await bad({ kind: 'progress_report' }, 400, 'validation-failed', 'body.planId');
  await bad({ kind: 'progress_report', planId: plan.id, commissionId: commission.id }, 400, 'validation-failed', 'body.planId');
  await bad({ kind: 'calendar', planId: plan.id, commissionId: commission.id }, 400, 'validation-failed', 'body.planId');
  await bad({ kind: 'progress_report', planId: plan.id, organizationId: by.id }, 400, 'validation-failed', 'body.organizationId');
  await bad({ kind: 'calendar', format: 'csv' }, 400, 'validation-failed');
  await bad({ kind: 'calendar', lang: 'de' }, 400, 'validation-failed', 'body.lang');
  await bad({ kind: 'webhook' }, 400, 'validation-failed', 'body.kind');
  await bad({ kind: 'calendar', name: '' }, 400, 'validation-failed', 'body.name');
  await bad({ kind: 'calendar', expiresAt: '2027-01-01' }, 400, 'validation-failed', 'body.expiresAt');
  await bad({ kind: 'calendar', expiresAt: '2026-11-28T08:59:59Z' }, 422, 'invalid-value', 'body.expiresAt');
  await bad({ kind: 'calendar', expiresAt: NOW }, 422, 'invalid-value', 'body.expiresAt');
  await bad({ kind: 'calendar', expiresAt: '2027-11-29T09:00:01Z' }, 422, 'invalid-value', 'body.expiresAt');
  await bad({ kind: 'progress_report', planId: MISSING_ID }, 422, 'unknown-reference', 'body.planId');
  await bad({ kind: 'progress_report', commissionId: MISSING_ID }, 422, 'unknown-reference', 'body.commissionId');
  await bad({ kind: 'calendar', organizationId: MISSING_ID }, 422, 'unknown-reference', 'body.organizationId');
  await bad({ kind: 'progress_report', planId: draft.id }, 409, 'plan-state-conflict');
  await refused(
    t,
    app,
    createLink({ name: 'Link', kind: 'calendar' }, { 'idempotency-key': 'b1c8e6a2-link' }),
    400,
    'bad-request',
  );

  const longest = await created(t, app, { name: 'A year', kind: 'calendar', expiresAt: '2027-11-29T12:00:00+03:00' });
  t.equal(longest.expiresAt, '2027-11-29T09:00:00.000Z', '366 days is allowed, and an offset is normalised to UTC');
  const commissionWide = await created(t, app, { name: 'Commission', kind: 'progress_report', commissionId: commission.id });
  t.strictSame(commissionWide.params, { commissionId: commission.id });
  const everything = await created(t, app, { name: 'All', kind: 'calendar' });
  t.strictSame(everything.params, {}, 'a calendar link may name nothing: every approved plan');
});

t.test('only the secretariat manages links, co-chairs read them: other keys get 403 and change nothing', async (t) => {
  const app = await build(t, testClock(NOW));
  const { plan, by } = await approvedTask(app);
  const link = await created(t, app, { name: 'Link', kind: 'calendar', planId: plan.id });
  const coChair = await keyFor(app, 'co_chair');
  const keys = [coChair, await keyFor(app, 'observer'), await keyFor(app, 'ministry', by.id)];
  for (const { headers } of keys) {
    await refused(t, app, createLink({ name: 'Mine', kind: 'calendar' }, headers), 403, 'forbidden');
    if (headers !== coChair.headers) {
      await refused(t, app, { method: 'GET', url: '/v1/share-links', headers }, 403, 'forbidden');
      await refused(t, app, { method: 'GET', url: `/v1/share-links/${link.id}`, headers }, 403, 'forbidden');
    }
    await refused(t, app, { method: 'DELETE', url: `/v1/share-links/${link.id}`, headers }, 403, 'forbidden');
  }
  t.equal((await app.inject({ method: 'GET', url: `/v1/share-links/${link.id}`, headers: coChair.headers })).statusCode, 200, 'a co-chair reads a link');
  await refused(t, app, { method: 'GET', url: '/v1/share-links', headers: { authorization: undefined } }, 401, 'unauthorized');
  t.equal((await open(app, link.url)).statusCode, 200, 'the link still opens');
});

t.test('a calendar link opens without an API key and serves the same feed as the API', async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const { plan, by, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', title: 'Сборка тракторов МТЗ в Костанае', dueDate: '2026-12-31', assignees });
  await app.inject({ method: 'POST', url: `/v1/plans/${plan.id}/approve` });
  const link = await created(t, app, { name: 'Minprom', kind: 'calendar', planId: plan.id, organizationId: by.id });

  const res = await open(app, link.url);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/calendar; charset=utf-8');
  t.match(String(res.headers['content-disposition']), /^inline; filename=".+\.ics"$/);
  assertLinkHeaders(t, res);
  const api = await app.inject({ method: 'GET', url: `/v1/calendar.ics?planId=${plan.id}&organizationId=${by.id}` });
  t.equal(res.body, api.body, 'byte for byte the feed of GET /v1/calendar.ics with the same filters');
  const events = new ICAL.Component(ICAL.parse(res.body)).getAllSubcomponents('vevent');
  t.ok(events.some((e) => e.getFirstPropertyValue('summary') === '1.1 Сборка тракторов МТЗ в Костанае — due'), 'it parses, Cyrillic intact');

  const poll = await open(app, link.url, { 'if-none-match': String(res.headers.etag) });
  t.equal(poll.statusCode, 304, 'a calendar program polling with If-None-Match gets a 304 while nothing changed');
  assertLinkHeaders(t, poll);
  const withKey = await open(app, link.url, { authorization: 'Bearer not-a-key-at-all' });
  t.equal(withKey.statusCode, 200, 'an Authorization header, even a bad one, is ignored');
  t.equal(withKey.body, res.body);
  const withFormat = await refused(t, app, { method: 'GET', url: `${link.url}?format=json`, headers: { authorization: undefined } }, 400, 'validation-failed');
  t.match(withFormat.detail, /format/, 'the link fixes its format: no query parameter is accepted');
  assertLinkHeaders(t, await open(app, `${link.url}?format=json`));
  await refused(t, app, { method: 'GET', url: `${link.url}?planId=${MISSING_ID}`, headers: { authorization: undefined } }, 400, 'validation-failed');
});

t.test('a report link opens the printable progress report of its plan, as of today', async (t) => {
  const app = await build(t, testClock(NOW));
  const { plan } = await approvedTask(app);
  const link = await created(t, app, { name: 'Co-chair BY', kind: 'progress_report', planId: plan.id, lang: 'ru' });
  const res = await open(app, link.url);
  t.equal(res.statusCode, 200, `the report answers (${res.statusCode === 200 ? 'ok' : res.body.slice(0, 300)})`);
  t.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
  assertLinkHeaders(t, res);
  t.match(res.body, /^<!doctype html>/i, 'an HTML page');
  t.ok(res.body.includes(plan.title), 'about the plan of the link');
  t.ok(res.body.includes('2026-11-28'), 'as of today');
  t.match(String(res.headers['content-security-policy']), /^default-src 'none'; style-src 'unsafe-inline'/, 'the page allows nothing it does not use');
});

t.test('a report link answers 304 to a poll while nothing in the report changed, though the page says when it was made', async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const { plan, task } = await approvedTask(app);
  const link = await created(t, app, { name: 'Co-chair BY', kind: 'progress_report', planId: plan.id });
  const first = await open(app, link.url);
  clock.set('2026-11-28T09:07:31.250Z');
  const later = await open(app, link.url);
  t.not(later.body, first.body, 'the page shows another generation instant');
  t.equal(later.headers.etag, first.headers.etag, 'under the same ETag');
  const poll = await open(app, link.url, { 'if-none-match': String(first.headers.etag) });
  t.equal(poll.statusCode, 304, 'a poll gets 304');
  assertLinkHeaders(t, poll);

  await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'in_progress' } });
  const changed = await open(app, link.url, { 'if-none-match': String(first.headers.etag) });
  t.equal(changed.statusCode, 200, 'after a change in the plan, the page again');
  t.not(changed.headers.etag, first.headers.etag, 'under a new ETag');
  clock.set('2026-11-29T09:00:00.000Z');
  const nextDay = await open(app, link.url, { 'if-none-match': String(changed.headers.etag) });
  t.equal(nextDay.statusCode, 200, 'the next day the report is as of another date');
});

t.test('a link revoked while its report is computed shows nothing: the same 404 as a link revoked before', async (t) => {
  const app = await build(t, testClock(NOW));
  const { plan } = await approvedTask(app);
  const link = await created(t, app, { name: 'Co-chair BY', kind: 'progress_report', planId: plan.id });
  // The report waits its turn (as a large one does behind others) until the test lets it go.
  let release: () => void = () => undefined;
  const turn = new Promise<void>((resolve) => (release = resolve));
  let computing: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (computing = resolve));
  const produce = app.reports.produce.bind(app.reports);
  app.reports.produce = async (...args) => {
    computing();
    await turn;
    return produce(...args);
  };
  t.teardown(() => {
    app.reports.produce = produce;
  });
  const opening = open(app, link.url);
  await started;
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/share-links/${link.id}` })).statusCode, 200, 'revoked meanwhile');
  release();
  assertNoSuchLink(t, await opening);
});

t.test('opening touches lastUsedAt at most once a minute', async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const link = await created(t, app, { name: 'Feed', kind: 'calendar' });
  const lastUsed = async () => json<ShareLink>(await app.inject({ method: 'GET', url: `/v1/share-links/${link.id}` })).lastUsedAt;
  t.equal(await lastUsed(), null, 'never used yet');
  await open(app, link.url);
  t.equal(await lastUsed(), NOW, 'the first opening is recorded');
  clock.set('2026-11-28T09:00:59.000Z');
  await open(app, link.url);
  t.equal(await lastUsed(), NOW, 'within the minute: not written again');
  clock.set('2026-11-28T09:01:00.000Z');
  await open(app, link.url);
  t.equal(await lastUsed(), '2026-11-28T09:01:00.000Z', 'a minute later: updated');
  const history = json(await app.inject({ method: 'GET', url: `/v1/history?entityType=share_link` }));
  t.equal(history.items.length, 1, 'using a link is not a change of data: only its creation is in the history');
});

t.test('a malformed If-None-Match is refused before the link is opened: lastUsedAt stays as it was', async (t) => {
  const app = await build(t, testClock(NOW));
  for (const kind of ['calendar', 'progress_report'] as const) {
    const { plan } = kind === 'progress_report' ? await approvedTask(app) : { plan: undefined };
    const link = await created(t, app, { name: 'Never opened', kind, ...(plan ? { planId: plan.id } : {}) });
    // The secret is right, the request is not: nothing was shown, so the link was not used (found by the contract fuzz).
    const before = snapshot(app);
    assertProblem(t, await open(app, link.url, { 'if-none-match': '' }), 400, 'bad-request');
    assertProblem(t, await open(app, link.url, { 'if-none-match': 'no-quotes' }), 400, 'bad-request');
    t.strictSame(snapshot(app), before, `${kind}: nothing changed`);
    t.equal(json<ShareLink>(await app.inject({ method: 'GET', url: `/v1/share-links/${link.id}` })).lastUsedAt, null, `${kind}: never used`);
    t.equal((await open(app, link.url, { 'if-none-match': '"other"' })).statusCode, 200, `${kind}: a well-formed one opens it`);
  }
});

t.test('an expired link answers 404, as an unknown one does', async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const link = await created(t, app, { name: 'Short', kind: 'calendar', expiresAt: '2026-11-29T09:00:00Z' });
  clock.set('2026-11-29T08:59:59.999Z');
  t.equal((await open(app, link.url)).statusCode, 200, 'open until the last millisecond');
  clock.set('2026-11-29T09:00:00.000Z');
  assertNoSuchLink(t, await open(app, link.url));
  const read = json<ShareLink>(await app.inject({ method: 'GET', url: `/v1/share-links/${link.id}` }));
  t.equal(read.status, 'expired');
  const active = await created(t, app, { name: 'Still active', kind: 'calendar' });
  const byStatus = async (status: string) =>
    json(await app.inject({ method: 'GET', url: `/v1/share-links?status=${status}` })).items.map((l: ShareLink) => l.id);
  t.strictSame(await byStatus('expired'), [link.id]);
  t.strictSame(await byStatus('active'), [active.id]);
  t.strictSame(await byStatus('revoked'), []);
});

t.test('a revoked link answers 404 from the next request; revoking again changes nothing', async (t) => {
  const app = await build(t, testClock(NOW));
  const { plan } = await approvedTask(app);
  const link = await created(t, app, { name: 'Report', kind: 'progress_report', planId: plan.id });
  const etag = (await app.inject({ method: 'GET', url: `/v1/share-links/${link.id}` })).headers.etag as string;
  await refused(t, app, { method: 'DELETE', url: `/v1/share-links/${link.id}`, headers: { 'if-match': '"stale"' } }, 412, 'precondition-failed');
  const res = await app.inject({ method: 'DELETE', url: `/v1/share-links/${link.id}`, headers: { 'if-match': etag } });
  t.equal(res.statusCode, 200);
  const revoked = json<ShareLink>(res);
  t.equal(revoked.status, 'revoked');
  t.equal(revoked.revokedAt, NOW);
  assertNoSuchLink(t, await open(app, link.url));
  const before = snapshot(app);
  const again = await app.inject({ method: 'DELETE', url: `/v1/share-links/${link.id}` });
  t.equal(again.statusCode, 200);
  t.strictSame(json(again), revoked, 'the same revoked link');
  t.strictSame(snapshot(app), before, 'and no second history entry');
  const byKind = json(await app.inject({ method: 'GET', url: '/v1/share-links?kind=progress_report&status=revoked' }));
  t.strictSame(byKind.items.map((l: ShareLink) => l.id), [link.id]);
  t.strictSame(json(await app.inject({ method: 'GET', url: '/v1/share-links?kind=calendar' })).items, []);
  assertProblem(t, await app.inject({ method: 'DELETE', url: `/v1/share-links/${MISSING_ID}` }), 404, 'not-found');
  assertProblem(t, await app.inject({ method: 'GET', url: `/v1/share-links/${MISSING_ID}` }), 404, 'not-found');
});

t.test('a wrong, altered or malformed secret answers the same 404', async (t) => {
  const app = await build(t, testClock(NOW));
  const link = await created(t, app, { name: 'Feed', kind: 'calendar' });
  const token = link.url.slice('/v1/links/'.length);
  const last = token.at(-1) === 'A' ? 'B' : 'A';
  for (const wrong of [
    `${token.slice(0, -1)}${last}`, // same prefix, one character off
    `cpl_${'x'.repeat(43)}`,
    'abc',
    token.slice(0, 12),
    `${token}x`,
  ]) {
    assertNoSuchLink(t, await open(app, `/v1/links/${wrong}`));
  }
  const asKey = await app.inject({ method: 'GET', url: '/v1/share-links', headers: { authorization: `Bearer ${token}` } });
  t.equal(asKey.statusCode, 401, 'a link secret is no API key');
});

t.test('links are in the change history: who created and who revoked them', async (t) => {
  const app = await build(t, testClock(NOW));
  const { plan } = await approvedTask(app);
  const link = await created(t, app, { name: 'Report', kind: 'progress_report', planId: plan.id });
  await app.inject({ method: 'DELETE', url: `/v1/share-links/${link.id}` });
  const history = json(await app.inject({ method: 'GET', url: `/v1/history?entityType=share_link&entityId=${link.id}` }));
  t.strictSame(
    history.items.map((h: { operation: string }) => h.operation),
    ['createShareLink', 'revokeShareLink'],
  );
  const [create, revoke] = history.items;
  t.equal(create.actor.role, 'secretariat');
  t.equal(create.actor.keyId, link.createdByKeyId, 'attributed to the key that made it');
  t.equal(create.planId, plan.id, 'found in the plan’s history too');
  t.ok(create.changes.some((c: { field: string; after: unknown }) => c.field === 'kind' && c.after === 'progress_report'));
  t.strictSame(
    revoke.changes.filter((c: { field: string }) => c.field === 'status'),
    [{ field: 'status', before: 'active', after: 'revoked' }],
  );
  t.notOk(JSON.stringify(history).includes(link.url.slice(10)), 'no secret in the history');
  const planHistory = json(await app.inject({ method: 'GET', url: `/v1/plans/${plan.id}/history?entityType=share_link` }));
  t.equal(planHistory.items.length, 2);
});

t.test('the request log never carries a link secret', async (t) => {
  const { stream, text } = logCapture();
  const app = await buildApp({
    config: { databasePath: ':memory:', logLevel: 'info', bodyLimit: 64 * 1024, bootstrapToken: SECRETARIAT_TOKEN, rateLimitMax: 0 },
    clock: testClock(NOW),
    // The app's own request serializer, on a stream the test can read.
    logger: { level: 'info', stream, serializers: { req: serializeRequest } },
  });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/v1/share-links', payload: { name: 'Feed', kind: 'calendar' }, headers: asSecretariat });
  const { url } = json<Created>(res);
  const token = url.slice('/v1/links/'.length);
  t.equal((await app.inject({ method: 'GET', url })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: `${url}?format=csv` })).statusCode, 400);
  t.equal((await app.inject({ method: 'GET', url: `${url.slice(0, -1)}x` })).statusCode, 404);
  // Paths that are not byte for byte /v1/links/…: a base URL ending in "/", an encoded letter, another case.
  const variants = [`/${url}`, url.replace('/links/', '/%6Cinks/'), url.replace('/v1/', '/V1/'), url.replace('/links/', '//links/'), url.replace('cpl_', '%63pl_')];
  // And paths that are no valid percent-encoding at all, which the router refuses before any route sees them.
  variants.push(`${url}%`, `/${url}%zz`, `/${url.replace('cpl_', '%63pl_')}%`, `${url.replace('/links/', '/%6Cinks/').replace('cpl_', '%63%70%6C_')}%`);
  for (const variant of variants) {
    const answer = await app.inject({ method: 'GET', url: variant, headers: asSecretariat });
    const shown = `${answer.statusCode} to ${variant.replace(token.slice(4), '…')}`;
    t.notOk(answer.body.includes(token.slice(4)), `${shown}: the answer does not echo the secret`);
    // The URL holds the secret whatever the answer: not kept by a cache, not sent on as a Referer.
    t.equal(answer.headers['cache-control'], 'no-store', `${shown}: no-store`);
    t.equal(answer.headers['referrer-policy'], 'no-referrer', `${shown}: no Referer`);
  }
  const log = text();
  t.match(log, /\/v1\/links\/\[secret\]/, 'the requests are logged, the secret masked');
  t.notOk(log.includes(token.slice(4)), 'no line carries the secret, nor most of it');
  t.notOk(log.includes(token.slice(4, 12)), 'not even its listed prefix');
  t.notOk(log.includes(SECRETARIAT_TOKEN), 'nor the API key of the request that created it');
});
