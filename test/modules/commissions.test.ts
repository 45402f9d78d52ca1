// Tests of /v1/commissions: create, read, list, update, every refusal, and pagination.
import t from 'tap';
import type { Test } from 'tap';
import type { App } from '../../src/app.js';
import { plans } from '../../src/db/schema.js';
import { newId } from '../../src/lib/ids.js';
import { DEFAULT_NOW, build, json, refused as sharedRefused, snapshot, testClock, patchChangesNothing } from '../helper.js';
import { approvedTask, getTask } from '../factories.js';

const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const input = () => ({
  name: 'Intergovernmental Commission on Trade and Economic Co-operation between Belarus and Kazakhstan',
  timeZone: 'Europe/Minsk',
  parties: [
    { country: 'BY', coChair: { name: 'Ivan Petrov', position: 'Deputy Prime Minister of the Republic of Belarus' } },
    { country: 'KZ', coChair: { name: 'Aidar Sultanov', position: 'Deputy Prime Minister of the Republic of Kazakhstan' } },
  ],
});

async function create(app: App, body: Record<string, unknown> = input()) {
  const res = await app.inject({ method: 'POST', url: '/v1/commissions', payload: body });
  if (res.statusCode !== 201) throw new Error(`commission not created: ${res.body}`);
  return json(res);
}

/** Puts a plan row straight into the database: the plans API is built separately. */
function addPlan(app: App, commissionId: string): void {
  app.db
    .insert(plans)
    .values({
      id: newId(),
      commissionId,
      title: 'Plan of measures 2026–2027',
      periodStart: '2026-01-01',
      periodEnd: '2027-12-31',
      status: 'draft',
      createdAt: DEFAULT_NOW,
      updatedAt: DEFAULT_NOW,
    })
    .run();
}

/**
 * The shared refusal check (problem document, database unchanged) plus what commission refusals also promise:
 * `instance` is the request path, and `path`, when given, is named among the fields at fault.
 */
async function refused(
  t: Test,
  app: App,
  request: { method: 'POST' | 'PATCH' | 'GET'; url: string; payload?: unknown },
  status: number,
  code: string,
  path?: string,
) {
  const body = await sharedRefused(t, app, { ...request, payload: request.payload as object | undefined }, status, code);
  t.match(body, { status, code, instance: request.url.split('?')[0] });
  if (path !== undefined) {
    t.ok(
      (body.errors ?? []).some((e: { path: string }) => e.path === path || (path !== 'body' && e.path.startsWith(`${path}.`))),
      `names ${path} among the fields at fault`,
    );
  }
  return body;
}

t.test('creating a commission returns it with an id, timestamps and a Location; reading it returns the same', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'POST', url: '/v1/commissions', payload: input() });
  t.equal(res.statusCode, 201);
  const created = json(res);
  t.match(created.id, UUID);
  t.strictSame(created, { id: created.id, ...input(), createdAt: DEFAULT_NOW, updatedAt: DEFAULT_NOW });
  t.equal(res.headers.location, `/v1/commissions/${created.id}`);

  const read = await app.inject({ method: 'GET', url: res.headers.location as string });
  t.equal(read.statusCode, 200);
  t.strictSame(json(read), created);
});

t.test('names and co-chair fields are trimmed', async (t) => {
  const app = await build(t);
  const body = input();
  body.name = `  ${body.name}  `;
  body.parties[0]!.coChair.name = ' Ivan Petrov ';
  const created = await create(app, body);
  t.equal(created.name, input().name);
  t.equal(created.parties[0].coChair.name, 'Ivan Petrov');
});

t.test('the list shows created commissions in creation order', async (t) => {
  const app = await build(t);
  const a = await create(app);
  const b = await create(app, { ...input(), name: 'Belarus–Uzbekistan commission', timeZone: 'Asia/Tashkent' });
  const res = await app.inject({ method: 'GET', url: '/v1/commissions' });
  t.equal(res.statusCode, 200);
  t.strictSame(json(res), { items: [a, b], nextCursor: null });
});

t.test('patching changes only the given fields and moves updatedAt', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const created = await create(app);
  clock.set('2026-11-29T12:00:00.000Z');

  const res = await app.inject({ method: 'PATCH', url: `/v1/commissions/${created.id}`, payload: { timeZone: 'Asia/Almaty' } });
  t.equal(res.statusCode, 200);
  const expected = { ...created, timeZone: 'Asia/Almaty', updatedAt: '2026-11-29T12:00:00.000Z' };
  t.strictSame(json(res), expected);
  t.strictSame(json(await app.inject({ method: 'GET', url: `/v1/commissions/${created.id}` })), expected, 'the change is stored');
});

t.test('co-chairs can change while the commission has plans', async (t) => {
  const app = await build(t);
  const created = await create(app);
  addPlan(app, created.id);
  const parties = input().parties;
  parties[1]!.coChair = { name: 'Serik Zhumangarin', position: 'Deputy Prime Minister of the Republic of Kazakhstan' };
  const res = await app.inject({ method: 'PATCH', url: `/v1/commissions/${created.id}`, payload: { parties } });
  t.equal(res.statusCode, 200);
  t.strictSame(json(res).parties, parties);
});

t.test('party countries can change while the commission has no plans', async (t) => {
  const app = await build(t);
  const created = await create(app);
  const parties = input().parties;
  parties[1]!.country = 'UZ';
  const res = await app.inject({ method: 'PATCH', url: `/v1/commissions/${created.id}`, payload: { parties } });
  t.equal(res.statusCode, 200);
  t.strictSame(json(res).parties.map((p: { country: string }) => p.country), ['BY', 'UZ']);
});

t.test('party countries cannot change once the commission has plans', async (t) => {
  const app = await build(t);
  const created = await create(app);
  addPlan(app, created.id);
  const parties = input().parties;
  parties[1]!.country = 'UZ';
  const body = await refused(t, app, { method: 'PATCH', url: `/v1/commissions/${created.id}`, payload: { parties } }, 422, 'invalid-value', 'body.parties');
  t.match(body.detail, /party countries cannot change/);

  const swapped = [input().parties[1]!, input().parties[0]!];
  await refused(t, app, { method: 'PATCH', url: `/v1/commissions/${created.id}`, payload: { parties: swapped } }, 422, 'invalid-value');
});

t.test('creating refuses bad input with 400 and writes nothing', async (t) => {
  const app = await build(t);
  const post = (payload: unknown) => ({ method: 'POST' as const, url: '/v1/commissions', payload });
  const withParties = (...parties: unknown[]) => ({ ...input(), parties });
  const [by, kz] = input().parties as [object, object];
  const cases: [string, unknown, string][] = [
    ['an unknown field', { ...input(), secretary: 'someone' }, 'body.secretary'],
    ['an unknown field inside a party', withParties({ ...by, flag: 'red' }, kz), 'body.parties'],
    ['a missing name', { timeZone: 'Europe/Minsk', parties: input().parties }, 'body.name'],
    ['missing parties', { name: 'C', timeZone: 'Europe/Minsk' }, 'body.parties'],
    ['a missing co-chair', withParties({ country: 'BY' }, kz), 'body.parties'],
    ['one party', withParties(by), 'body.parties'],
    ['three parties', withParties(by, kz, { country: 'UZ', coChair: { name: 'A', position: 'B' } }), 'body.parties'],
    ['the same country twice', withParties(by, { ...kz, country: 'BY' }), 'body.parties'],
    ['a lower-case country', withParties({ ...by, country: 'by' }, kz), 'body.parties'],
    ['a three-letter country', withParties({ ...by, country: 'BLR' }, kz), 'body.parties'],
    ['an unknown time zone', { ...input(), timeZone: 'Europe/Atlantis' }, 'body.timeZone'],
    ['an empty name', { ...input(), name: '   ' }, 'body.name'],
    ['a name over 300 characters', { ...input(), name: 'x'.repeat(301) }, 'body.name'],
    ['a co-chair name over 200 characters', withParties({ country: 'BY', coChair: { name: 'x'.repeat(201), position: 'P' } }, kz), 'body.parties'],
    ['a number for a name', { ...input(), name: 42 }, 'body.name'],
    ['an array for a body', [input()], 'body'],
  ];
  for (const [what, payload, path] of cases) {
    await t.test(`refuses ${what}`, async (t) => {
      await refused(t, app, post(payload), 400, 'validation-failed', path);
    });
  }
  t.strictSame(json(await app.inject({ url: '/v1/commissions' })).items, [], 'no commission exists');
});

t.test('patching refuses bad input with 400 and changes nothing', async (t) => {
  const app = await build(t);
  const created = await create(app);
  const patch = (payload: unknown) => ({ method: 'PATCH' as const, url: `/v1/commissions/${created.id}`, payload });
  const [by, kz] = input().parties as [object, object];
  const cases: [string, unknown, string][] = [
    ['an empty patch', {}, 'body'],
    ['an unknown field', { chair: 'x' }, 'body.chair'],
    ['an id in the body', { id: MISSING_ID }, 'body.id'],
    ['three parties', { parties: [by, kz, { country: 'UZ', coChair: { name: 'A', position: 'B' } }] }, 'body.parties'],
    ['the same country twice', { parties: [by, { ...kz, country: 'BY' }] }, 'body.parties'],
    ['a bad country', { parties: [{ ...by, country: 'by' }, kz] }, 'body.parties'],
    ['a bad time zone', { timeZone: 'Nowhere/Town' }, 'body.timeZone'],
    ['a name over 300 characters', { name: 'n'.repeat(301) }, 'body.name'],
    ['a null name', { name: null }, 'body.name'],
  ];
  for (const [what, payload, path] of cases) {
    await t.test(`refuses ${what}`, async (t) => {
      await refused(t, app, patch(payload), 400, 'validation-failed', path);
    });
  }
  t.strictSame(json(await app.inject({ url: `/v1/commissions/${created.id}` })), created, 'the commission is as created');
});

t.test('a malformed id is refused with 400 on read and on update', async (t) => {
  const app = await build(t);
  await create(app);
  await refused(t, app, { method: 'GET', url: '/v1/commissions/not-a-uuid' }, 400, 'validation-failed', 'params.id');
  await refused(t, app, { method: 'PATCH', url: '/v1/commissions/not-a-uuid', payload: { name: 'New' } }, 400, 'validation-failed', 'params.id');
});

t.test('an unknown id answers 404 on read and on update', async (t) => {
  const app = await build(t);
  await create(app);
  const body = await refused(t, app, { method: 'GET', url: `/v1/commissions/${MISSING_ID}` }, 404, 'not-found');
  t.match(body.detail, MISSING_ID);
  await refused(t, app, { method: 'PATCH', url: `/v1/commissions/${MISSING_ID}`, payload: { name: 'New' } }, 404, 'not-found');
});

t.test('walking the pages of 5 commissions with limit 2 sees each exactly once, in order', async (t) => {
  const app = await build(t);
  const created = [];
  for (let i = 1; i <= 5; i++) created.push(await create(app, { ...input(), name: `Commission ${i}` }));

  const seen: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `/v1/commissions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 200);
    const page = json(res);
    sizes.push(page.items.length);
    seen.push(...page.items.map((c: { name: string }) => c.name));
    cursor = page.nextCursor;
  } while (cursor !== null && sizes.length < 10);

  t.strictSame(sizes, [2, 2, 1]);
  t.strictSame(seen, created.map((c) => c.name));
});

t.test('a page exactly as long as the list ends with a null cursor', async (t) => {
  const app = await build(t);
  await create(app);
  await create(app);
  const page = json(await app.inject({ method: 'GET', url: '/v1/commissions?limit=2' }));
  t.equal(page.items.length, 2);
  t.equal(page.nextCursor, null);
});

t.test('bad list parameters are refused with 400', async (t) => {
  const app = await build(t);
  await create(app);
  const get = (url: string) => ({ method: 'GET' as const, url });
  await refused(t, app, get('/v1/commissions?cursor=garbage'), 400, 'invalid-cursor', 'querystring.cursor');
  await refused(t, app, get(`/v1/commissions?cursor=${Buffer.from('[1,2]').toString('base64url')}`), 400, 'invalid-cursor');
  await refused(t, app, get('/v1/commissions?limit=0'), 400, 'validation-failed', 'querystring.limit');
  await refused(t, app, get('/v1/commissions?limit=201'), 400, 'validation-failed', 'querystring.limit');
  await refused(t, app, get('/v1/commissions?limit=two'), 400, 'validation-failed', 'querystring.limit');
  // Only decimal digits: JavaScript's Number() would read each of these as a number.
  for (const limit of ['0x10', '1e1', '%207', '7%20', '%2B7', '0b11', '']) {
    await refused(t, app, get(`/v1/commissions?limit=${limit}`), 400, 'validation-failed', 'querystring.limit');
  }
  const page = json(await app.inject(get('/v1/commissions?limit=007')));
  t.equal(page.items.length, 1, 'leading zeros are still decimal digits');
  await refused(t, app, get('/v1/commissions?sort=name'), 400, 'validation-failed');
});

t.test('a time zone is stored as IANA spells it, whatever the case it was sent in', async (t) => {
  const app = await build(t);
  const created = await create(app, { ...input(), timeZone: 'europe/minsk' });
  t.equal(created.timeZone, 'Europe/Minsk', 'created');
  const patched = await app.inject({ method: 'PATCH', url: `/v1/commissions/${created.id}`, payload: { timeZone: 'ASIA/ALMATY' } });
  t.equal(json(patched).timeZone, 'Asia/Almaty', 'changed');
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/commissions/${created.id}` })).timeZone, 'Asia/Almaty', 'and read back');
  const feed = await app.inject({ method: 'GET', url: `/v1/calendar.ics?commissionId=${created.id}` });
  t.notMatch(feed.body, /ASIA\/ALMATY|europe\/minsk/, 'the calendar feed never shows the typed spelling');
});

t.test("a renamed zone is stored by IANA's current name, which Node 20's ICU answered by the old one", async (t) => {
  const app = await build(t);
  // Sent as the current name, in any case, or as the old one: the current name each time (it was Europe/Kiev).
  for (const sent of ['Europe/Kyiv', 'europe/kyiv', 'Europe/Kiev', 'EUROPE/KIEV']) {
    const created = await create(app, { ...input(), name: `Commission ${sent}`, timeZone: sent });
    t.equal(created.timeZone, 'Europe/Kyiv', sent);
  }
  const created = await create(app, { ...input(), name: 'Kazakhstan–India commission', timeZone: 'Asia/Calcutta' });
  t.equal(created.timeZone, 'Asia/Kolkata', 'Asia/Calcutta is Asia/Kolkata');
  const patched = await app.inject({ method: 'PATCH', url: `/v1/commissions/${created.id}`, payload: { timeZone: 'asia/ho_chi_minh' } });
  t.equal(json(patched).timeZone, 'Asia/Ho_Chi_Minh', 'changed, and read back');
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/commissions/${created.id}` })).timeZone, 'Asia/Ho_Chi_Minh');
  // A zone that was never renamed keeps its name; an alias of another zone is stored as that zone.
  t.equal((await create(app, { ...input(), name: 'Minsk', timeZone: 'Europe/Minsk' })).timeZone, 'Europe/Minsk');
  t.equal((await create(app, { ...input(), name: 'Chuuk', timeZone: 'Pacific/Truk' })).timeZone, 'Pacific/Chuuk');
});

t.test('a commission in a renamed zone counts its days in that zone', async (t) => {
  // Kyiv is UTC+2 in November: at 22:30 UTC on 28 November it is already the 29th there, and still the 28th in London.
  const app = await build(t, testClock('2026-11-28T22:30:00.000Z'));
  const kyiv = await approvedTask(app, { dueDate: '2026-11-28', timeZone: 'Europe/Kyiv' });
  t.equal(kyiv.commission.timeZone, 'Europe/Kyiv');
  t.match(await getTask(app, kyiv.task.id), { overdue: true, daysOverdue: 1 }, 'due yesterday in Kyiv');
  const london = await approvedTask(app, { dueDate: '2026-11-28', timeZone: 'Europe/London' });
  t.match(await getTask(app, london.task.id), { overdue: false, daysOverdue: 0 }, 'due today in London');
});

t.test('a party country must be an ISO 3166-1 alpha-2 code that is assigned: "UK", "XK" or a typo such as "KA" is refused', async (t) => {
  const app = await build(t);
  const [by, kz] = input().parties as [object, object];
  for (const country of ['UK', 'KA', 'XX', 'EU']) {
    await t.test(`refuses ${country} on create`, async (t) => {
      const body = await refused(t, app, { method: 'POST', url: '/v1/commissions', payload: { ...input(), parties: [by, { ...kz, country }] } }, 400, 'validation-failed', 'body.parties');
      t.match(body.errors, [{ path: 'body.parties.1.country', message: /ISO 3166-1 alpha-2/ }]);
    });
  }
  const created = await create(app);
  await refused(t, app, { method: 'PATCH', url: `/v1/commissions/${created.id}`, payload: { parties: [{ ...by, country: 'SU' }, kz] } }, 400, 'validation-failed', 'body.parties');
  const uz = json(await app.inject({ method: 'PATCH', url: `/v1/commissions/${created.id}`, payload: { parties: [by, { ...kz, country: 'UZ' }] } }));
  t.strictSame(uz.parties.map((p: { country: string }) => p.country), ['BY', 'UZ'], 'an assigned code is taken');
});

t.test('an update that changes nothing leaves the commission as it is: same updatedAt and ETag, no history entry', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const created = await create(app);
  addPlan(app, created.id);
  await patchChangesNothing(t, app, clock, `/v1/commissions/${created.id}`, created, { ...input(), timeZone: 'europe/minsk' });
});
