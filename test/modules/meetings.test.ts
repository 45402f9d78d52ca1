// Tests of /v1/meetings: create, read, update, the commission reference, filters and pagination.
import t from 'tap';
import type { App } from '../../src/app.js';
import { basisMatcher } from '../../src/modules/imports/imports.matching.js';
import { findMeeting } from '../../src/modules/meetings/meetings.repository.js';
import { assertProblem, build, DEFAULT_NOW, json, snapshot, testClock, patchChangesNothing } from '../helper.js';
import { approvePlan, createMeeting, createTask, seedPlan } from '../factories.js';

const UNKNOWN_ID = '019a7c2e-7a10-7000-8000-0000000000ff';

const commissionBody = {
  name: 'Intergovernmental Commission on Trade and Economic Co-operation between Belarus and Kazakhstan',
  timeZone: 'Europe/Minsk',
  parties: [
    { country: 'BY', coChair: { name: 'Ivan Petrov', position: 'Deputy Prime Minister of the Republic of Belarus' } },
    { country: 'KZ', coChair: { name: 'Aidar Sultanov', position: 'Deputy Prime Minister of the Republic of Kazakhstan' } },
  ],
};

/** Creates the commission of `commissionBody` (not the factory's default) and returns only its id. */
async function createCommissionId(app: App): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/commissions', payload: commissionBody });
  if (res.statusCode !== 201) throw new Error(`commission create failed: ${res.statusCode} ${res.body}`);
  return json(res).id;
}

const visit = (commissionId: string) => ({
  commissionId,
  kind: 'official_visit',
  title: 'Official visit of the Prime Minister of the Republic of Belarus to the Republic of Kazakhstan',
  date: '2026-11-04',
  place: 'Astana',
  protocolNumber: 'No. 19',
});

/** Posts `body` exactly as given (no factory defaults, e.g. no protocolNumber) and requires a 201. */
async function createMeetingFromBody(app: App, body: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/v1/meetings', payload: body });
  if (res.statusCode !== 201) throw new Error(`meeting create failed: ${res.statusCode} ${res.body}`);
  return json(res);
}

t.test('creating a meeting answers 201 with a Location header and the stored meeting', async (t) => {
  const app = await build(t);
  const commissionId = await createCommissionId(app);
  const res = await app.inject({ method: 'POST', url: '/v1/meetings', payload: visit(commissionId) });
  t.equal(res.statusCode, 201);
  const created = json(res);
  t.match(created, { ...visit(commissionId), createdAt: DEFAULT_NOW, updatedAt: DEFAULT_NOW });
  t.match(created.id, /^[0-9a-f-]{36}$/);
  t.equal(res.headers.location, `/v1/meetings/${created.id}`);

  const read = await app.inject({ method: 'GET', url: res.headers.location as string });
  t.equal(read.statusCode, 200);
  t.same(json(read), created);
});

t.test('a meeting without a protocol yet has a null protocol number', async (t) => {
  const app = await build(t);
  const commissionId = await createCommissionId(app);
  const { protocolNumber: _omitted, ...body } = visit(commissionId);
  const created = await createMeetingFromBody(app, { ...body, kind: 'working_group' });
  t.equal(created.protocolNumber, null);
  t.equal(created.kind, 'working_group');
});

t.test('a meeting of a commission that does not exist is refused with 422 and changes nothing', async (t) => {
  const app = await build(t);
  await createCommissionId(app);
  const before = snapshot(app);
  const res = await app.inject({ method: 'POST', url: '/v1/meetings', payload: visit(UNKNOWN_ID) });
  const body = assertProblem(t, res, 422, 'unknown-reference');
  t.same(body.errors, [{ path: 'body.commissionId', message: 'no commission with this id' }]);
  t.same(snapshot(app), before);
});

t.test('invalid create bodies are refused with 400 naming the field, and change nothing', async (t) => {
  const app = await build(t);
  const commissionId = await createCommissionId(app);
  const good = visit(commissionId);
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown field', { ...good, agenda: 'trade' }, 'body.agenda'],
    ['a missing commission', { ...good, commissionId: undefined }, 'body.commissionId'],
    ['a missing title', { ...good, title: undefined }, 'body.title'],
    ['a missing date', { ...good, date: undefined }, 'body.date'],
    ['a missing place', { ...good, place: undefined }, 'body.place'],
    ['a commission id that is not a uuid', { ...good, commissionId: 'commission-1' }, 'body.commissionId'],
    ['an unknown kind', { ...good, kind: 'summit' }, 'body.kind'],
    ['an impossible date', { ...good, date: '2026-02-30' }, 'body.date'],
    ['a date in another format', { ...good, date: '04.11.2026' }, 'body.date'],
    ['an instant instead of a date', { ...good, date: '2026-11-04T10:00:00Z' }, 'body.date'],
    ['a title over 500 characters', { ...good, title: 'В'.repeat(501) }, 'body.title'],
    ['a blank place', { ...good, place: '  ' }, 'body.place'],
    ['a place over 300 characters', { ...good, place: 'x'.repeat(301) }, 'body.place'],
    ['a protocol number over 100 characters', { ...good, protocolNumber: '1'.repeat(101) }, 'body.protocolNumber'],
    ['a protocol number that is a number', { ...good, protocolNumber: 19 }, 'body.protocolNumber'],
  ];
  const before = snapshot(app);
  for (const [what, payload, path] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/meetings', payload });
    const body = assertProblem(t, res, 400, 'validation-failed');
    t.ok(
      body.errors.some((e: { path: string }) => e.path === path),
      `${what} is blamed on ${path}: ${JSON.stringify(body.errors)}`,
    );
  }
  t.same(snapshot(app), before);
});

t.test('reading a meeting that does not exist is a 404 problem', async (t) => {
  const app = await build(t);
  const body = assertProblem(t, await app.inject({ method: 'GET', url: `/v1/meetings/${UNKNOWN_ID}` }), 404, 'not-found');
  t.match(body.detail, UNKNOWN_ID);
});

t.test('a malformed id in the path is a 400 problem', async (t) => {
  const app = await build(t);
  assertProblem(t, await app.inject({ method: 'GET', url: '/v1/meetings/123' }), 400, 'validation-failed');
  assertProblem(t, await app.inject({ method: 'PATCH', url: '/v1/meetings/123', payload: { place: 'Minsk' } }), 400, 'validation-failed');
});

t.test('an update changes only the given fields and moves updatedAt', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const created = await createMeetingFromBody(app, visit(await createCommissionId(app)));
  clock.set('2026-11-30T12:00:00.000Z');
  const res = await app.inject({ method: 'PATCH', url: `/v1/meetings/${created.id}`, payload: { date: '2026-11-05', place: 'Almaty' } });
  t.equal(res.statusCode, 200);
  const updated = json(res);
  t.same(updated, { ...created, date: '2026-11-05', place: 'Almaty', updatedAt: '2026-11-30T12:00:00.000Z' });
  t.same(json(await app.inject({ method: 'GET', url: `/v1/meetings/${created.id}` })), updated);
});

t.test('an update can clear the protocol number with null', async (t) => {
  const app = await build(t);
  const created = await createMeetingFromBody(app, visit(await createCommissionId(app)));
  const res = await app.inject({ method: 'PATCH', url: `/v1/meetings/${created.id}`, payload: { protocolNumber: null } });
  t.equal(res.statusCode, 200);
  t.equal(json(res).protocolNumber, null);
  t.equal(findMeeting(app.db, created.id)?.protocolNumber, null);
});

t.test('invalid updates are refused with 400 and change nothing, the commission included', async (t) => {
  const app = await build(t);
  const created = await createMeetingFromBody(app, visit(await createCommissionId(app)));
  const other = await createCommissionId(app);
  const cases: [string, unknown][] = [
    ['an empty body', {}],
    ['a new commission', { commissionId: other }],
    ['an unknown field', { title: 'X', minutes: 'long' }],
    ['an impossible date', { date: '2026-02-30' }],
    ['a null date', { date: null }],
    ['a null title', { title: null }],
    ['a title over 500 characters', { title: 'x'.repeat(501) }],
    ['an unknown kind', { kind: 'party' }],
  ];
  const before = snapshot(app);
  for (const [what, payload] of cases) {
    const res = await app.inject({ method: 'PATCH', url: `/v1/meetings/${created.id}`, payload: payload as object });
    t.equal(res.statusCode, 400, what);
    t.equal(json(res).code, 'validation-failed', what);
  }
  t.same(snapshot(app), before);
});

t.test('updating a meeting that does not exist is a 404 problem and changes nothing', async (t) => {
  const app = await build(t);
  await createMeetingFromBody(app, visit(await createCommissionId(app)));
  const before = snapshot(app);
  assertProblem(t, await app.inject({ method: 'PATCH', url: `/v1/meetings/${UNKNOWN_ID}`, payload: { place: 'Minsk' } }), 404, 'not-found');
  t.same(snapshot(app), before);
});

async function seedMeetings(app: App) {
  const byKz = await createCommissionId(app);
  const other = await createCommissionId(app);
  const m = async (commissionId: string, kind: string, date: string, title: string) =>
    createMeetingFromBody(app, { commissionId, kind, date, title, place: 'Minsk' });
  return {
    byKz,
    other,
    session18: await m(byKz, 'commission_session', '2025-10-15', '18th session'),
    visit: await m(byKz, 'official_visit', '2026-11-04', 'Official visit'),
    wgMachinery: await m(byKz, 'working_group', '2026-03-12', 'Working group on mechanical engineering'),
    session19: await m(byKz, 'commission_session', '2026-11-05', '19th session'),
    foreign: await m(other, 'working_group', '2026-06-01', 'Another commission\'s group'),
  };
}

const titles = (page: { items: { title: string }[] }) => page.items.map((m) => m.title);

t.test('meetings are listed by date', async (t) => {
  const app = await build(t);
  const s = await seedMeetings(app);
  const page = json(await app.inject({ method: 'GET', url: '/v1/meetings' }));
  t.equal(page.nextCursor, null);
  t.same(titles(page), [s.session18.title, s.wgMachinery.title, s.foreign.title, s.visit.title, s.session19.title]);
});

t.test('the list filters by commission, kind and an inclusive date range', async (t) => {
  const app = await build(t);
  const s = await seedMeetings(app);
  const list = async (query: string) => titles(json(await app.inject({ method: 'GET', url: `/v1/meetings?${query}` })));
  t.same(await list(`commissionId=${s.other}`), [s.foreign.title]);
  t.same(await list('kind=commission_session'), [s.session18.title, s.session19.title]);
  t.same(await list('from=2026-03-12&to=2026-11-04'), [s.wgMachinery.title, s.foreign.title, s.visit.title], 'both ends included');
  t.same(await list('from=2026-11-05'), [s.session19.title]);
  t.same(await list('to=2025-12-31'), [s.session18.title]);
  t.same(await list('from=2026-11-04&to=2026-11-04'), [s.visit.title]);
  t.same(await list(`commissionId=${s.byKz}&kind=working_group&from=2026-01-01`), [s.wgMachinery.title]);
  t.same(await list(`commissionId=${UNKNOWN_ID}`), []);
});

t.test('a walk over pages of two sees every meeting exactly once, in order', async (t) => {
  const app = await build(t);
  const commissionId = await createCommissionId(app);
  // Out of date order, with two days shared, so the id breaks ties across page boundaries.
  const dates = ['2026-05-01', '2026-01-15', '2026-05-01', '2025-12-31', '2026-02-28', '2026-01-15', '2027-01-01'];
  const created = [];
  for (const [i, date] of dates.entries()) {
    created.push(await createMeetingFromBody(app, { commissionId, kind: 'working_group', date, title: `Meeting ${i}`, place: 'Minsk' }));
  }
  const expected = [...created]
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1))
    .map((m) => m.id);

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/v1/meetings?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
    const page = json(await app.inject({ method: 'GET', url }));
    t.ok(page.items.length <= 2);
    seen.push(...page.items.map((m: { id: string }) => m.id));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 10);
  t.equal(pages, 4);
  t.same(seen, expected);
});

t.test('bad list queries are 400 problems', async (t) => {
  const app = await build(t);
  await createMeetingFromBody(app, visit(await createCommissionId(app)));
  for (const [query, code] of [
    ['cursor=garbage', 'invalid-cursor'],
    [`cursor=${Buffer.from('["2026-11-04"]').toString('base64url')}`, 'invalid-cursor'],
    ['cursor=' + 'a'.repeat(4097), 'validation-failed'],
    ['limit=0', 'validation-failed'],
    ['limit=500', 'validation-failed'],
    ['from=2026-02-30', 'validation-failed'],
    ['to=yesterday', 'validation-failed'],
    ['from=2026-12-01&to=2026-11-01', 'validation-failed'],
    ['kind=summit', 'validation-failed'],
    ['commissionId=1', 'validation-failed'],
    ['date=2026-11-04', 'validation-failed'],
  ] as const) {
    const res = await app.inject({ method: 'GET', url: `/v1/meetings?${query}` });
    t.equal(res.statusCode, 400, query);
    t.equal(json(res).code, code, query);
  }
});

t.test('a protocol number written "No. 19" or "№ 20", as the API\'s example has it, is cited once in the co-chairs\' report', async (t) => {
  const app = await build(t);
  const { commission, plan, assignees } = await seedPlan(app);
  const visit = await createMeeting(app, commission.id, { protocolNumber: 'No. 19', title: 'Official visit to Astana', date: '2026-11-04' });
  const session = await createMeeting(app, commission.id, { protocolNumber: '№ 20', title: 'Commission session', date: '2026-11-20' });
  await createTask(app, { planId: plan.id, code: '1', dueDate: '2026-12-31', assignees, basis: { meetingId: visit.id, protocolItem: '3.4' } });
  await createTask(app, { planId: plan.id, code: '2', dueDate: '2026-12-31', assignees, basis: { meetingId: session.id } });
  await approvePlan(app, plan.id);

  const report = json(await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}` }));
  const texts = report.tasks.map((task: { basis: { text: string } }) => task.basis.text);
  t.strictSame(texts, [
    'Protocol No. 19 of 2026-11-04 (Official visit to Astana), item 3.4',
    'Protocol No. 20 of 2026-11-20 (Commission session)',
  ]);
  t.equal(report.tasks[0].basis.protocolNumber, 'No. 19', 'the number itself is shown as it was recorded');

  // The import reads the report's basis back to the same meeting and item.
  const match = basisMatcher([findMeeting(app.db, visit.id)!, findMeeting(app.db, session.id)!]);
  t.strictSame(match(texts[0]), { ok: true, meetingId: visit.id, protocolItem: '3.4' });
  t.strictSame(match(texts[1]), { ok: true, meetingId: session.id, protocolItem: null });
});

t.test('an update that changes nothing leaves the meeting as it is: same updatedAt and ETag, no history entry', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const created = await createMeetingFromBody(app, visit(await createCommissionId(app)));
  await patchChangesNothing(t, app, clock, `/v1/meetings/${created.id}`, created, { place: 'Astana ', protocolNumber: 'No. 19', date: '2026-11-04' });
});
