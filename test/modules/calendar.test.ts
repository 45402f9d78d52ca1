// Tests of GET /v1/calendar.ics: the feed parsed by an iCalendar library, its events, filters and format.
import t from 'tap';
import type { Test } from 'tap';
import ICAL from 'ical.js';
import type { App } from '../../src/app.js';
import { assertProblem, build, keyFor, refused, testClock } from '../helper.js';
import { approvePlan, createCommission, createOrganization, createPlan, createTask, seedPlan, transition } from '../factories.js';

const NOW = '2026-11-28T09:00:00.000Z';
const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';
/** Long enough to need folding twice over: Cyrillic letters are two octets each. */
const LONG_TITLE = 'Организация совместного производства карьерных самосвалов БелАЗ и тракторов МТЗ в Республике Казахстан';

interface ParsedEvent {
  uid: string;
  summary: string;
  description: string;
  start: ICAL.Time;
  end: ICAL.Time;
  dtstartType: string;
  stamp: string;
}

/** Parses a feed with ical.js and returns the calendar and its events by UID. */
function parseFeed(t: Test, body: string) {
  const calendar = new ICAL.Component(ICAL.parse(body));
  t.equal(calendar.name, 'vcalendar', 'a VCALENDAR');
  const events = calendar.getAllSubcomponents('vevent').map((e): ParsedEvent => {
    const dtstart = e.getFirstProperty('dtstart');
    return {
      uid: String(e.getFirstPropertyValue('uid')),
      summary: String(e.getFirstPropertyValue('summary')),
      description: String(e.getFirstPropertyValue('description')),
      start: e.getFirstPropertyValue('dtstart') as ICAL.Time,
      end: e.getFirstPropertyValue('dtend') as ICAL.Time,
      dtstartType: String(dtstart?.type),
      stamp: String(e.getFirstPropertyValue('dtstamp')),
    };
  });
  return { calendar, events, byUid: new Map(events.map((e) => [e.uid, e])) };
}

/** RFC 5545 §3.1: CRLF line endings, content lines at most 75 octets. */
function assertWireFormat(t: Test, body: string) {
  t.ok(body.startsWith('BEGIN:VCALENDAR\r\n'), 'starts with BEGIN:VCALENDAR');
  t.notMatch(body.replace(/\r\n/g, ''), /[\r\n]/, 'every line ends with CRLF, none with a bare LF or CR');
  const lines = body.split('\r\n');
  const long = lines.filter((l) => Buffer.byteLength(l, 'utf8') > 75);
  t.strictSame(long, [], 'no line is longer than 75 octets');
  t.ok(lines.some((l) => l.startsWith(' ')), 'long lines are folded');
}

async function feed(app: App, query = '', headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url: `/v1/calendar.ics${query}`, headers });
}

/** A plan with an open Cyrillic task, a closed one, a cancelled one, and a task only KZ executes. */
async function world(app: App) {
  const seed = await seedPlan(app);
  const { plan, by, kz, assignees } = seed;
  const open = await createTask(app, {
    planId: plan.id,
    code: '1.1',
    title: LONG_TITLE,
    dueDate: '2026-12-31',
    assignees,
    translations: { en: { title: 'Joint production of BelAZ mining dump trucks and MTZ tractors in Kazakhstan' } },
  });
  const closed = await createTask(app, { planId: plan.id, code: '1.2', title: 'Закрытая мера', dueDate: '2026-10-01', assignees });
  const cancelled = await createTask(app, { planId: plan.id, code: '1.3', title: 'Отменённая мера', dueDate: '2026-10-02', assignees });
  const late = await createTask(app, { planId: plan.id, code: '2.1', title: 'Поставки зерна', dueDate: '2026-11-01', assignees });
  const kzOnly = await createTask(app, {
    planId: plan.id,
    code: '2.10',
    title: 'Региональный форум',
    area: 'regional_cooperation',
    dueDate: '2027-03-31',
    assignees: [{ organizationId: kz.id, role: 'lead' }],
  });
  await approvePlan(app, plan.id);
  await transition(app, closed.id, 'in_progress');
  await transition(app, closed.id, 'done');
  await transition(app, closed.id, 'closed');
  await transition(app, cancelled.id, 'cancelled');
  await transition(app, late.id, 'in_progress');
  return { ...seed, by, kz, open, closed, cancelled, late, kzOnly };
}

t.test('the feed of a plan parses as iCalendar: an all-day event per open task and per recent or coming report deadline', async (t) => {
  const app = await build(t, testClock(NOW));
  const w = await world(app);
  const res = await feed(app, `?planId=${w.plan.id}`);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/calendar; charset=utf-8');
  t.equal(res.headers['content-disposition'], 'inline; filename="calendar.ics"');
  t.equal(res.headers['cache-control'], 'no-store', 'what a key reads is not cached');
  assertWireFormat(t, res.body);

  const { calendar, events, byUid } = parseFeed(t, res.body);
  t.equal(calendar.getFirstPropertyValue('version'), '2.0');
  t.equal(calendar.getFirstPropertyValue('prodid'), '-//Commission plan tracker//Calendar//EN');
  t.equal(
    calendar.getFirstPropertyValue('x-wr-calname'),
    'Belarus–Kazakhstan Intergovernmental Commission — Plan of measures 2026–2027',
    'named after the commission and the plan',
  );
  t.equal(calendar.getFirstPropertyValue('x-wr-timezone'), 'Europe/Minsk', "in the commission's time zone");

  const uids = events.map((e) => e.uid);
  t.equal(new Set(uids).size, uids.length, 'UIDs are unique');

  const taskEvents = events.filter((e) => e.uid.startsWith('task-'));
  t.strictSame(
    taskEvents.map((e) => e.uid).sort(),
    [w.open.id, w.late.id, w.kzOnly.id].map((id) => `task-${id}@commission-plan-tracker`).sort(),
    'one event per task under control; closed and cancelled tasks are left out',
  );
  const open = byUid.get(`task-${w.open.id}@commission-plan-tracker`) as ParsedEvent;
  t.equal(open.summary, `1.1 ${LONG_TITLE} — due`, 'the Cyrillic title survives folding intact');
  t.equal(open.dtstartType, 'date', 'DTSTART is a DATE, not a DATE-TIME');
  t.ok(open.start.isDate, 'an all-day event');
  t.equal(open.start.toString(), '2026-12-31', 'on the due date');
  t.equal(open.end.toString(), '2027-01-01', 'for one day');
  t.match(open.description, /Executors: Minprom \(BY, lead\); MIC \(KZ, lead\)/, 'the description names the executors');
  t.match(open.description, /Status: not_started/, 'and the status');
  t.match(open.stamp, /^2026-11-28T09:00:00/, 'DTSTAMP is when the event was last revised (the latest of its task, plan and executors: 09:00)');
  const late = byUid.get(`task-${w.late.id}@commission-plan-tracker`) as ParsedEvent;
  t.match(late.description, /Status: in_progress, overdue/, 'an overdue task says so');

  // Quarterly, due 10 days after each quarter; today is 2026-11-28, the day the plan was approved: the 2026-Q3
  // deadline (10 October) passed before, when no report was owed, and every deadline up to the plan's end (2027-Q4)
  // is there. (A recent deadline after the approval stays: see the test of deadlines before the approval.)
  const deadlines = events.filter((e) => e.uid.startsWith('report-'));
  t.strictSame(
    deadlines.map((e) => [e.uid, e.start.toString()]),
    [
      ['2026-Q4', '2027-01-10'],
      ['2027-Q1', '2027-04-10'],
      ['2027-Q2', '2027-07-10'],
      ['2027-Q3', '2027-10-10'],
      ['2027-Q4', '2028-01-10'],
    ].map(([period, date]) => [`report-${w.plan.id}-${period}@commission-plan-tracker`, date]),
    'one event per submission deadline, in date order',
  );
  t.ok(deadlines.every((e) => e.dtstartType === 'date'), 'deadlines are all-day too');
  t.equal(deadlines[0]?.summary, 'Progress reports 2026-Q4 — due: Plan of measures 2026–2027');
  t.match(deadlines[0]?.description, /Reporting period 2026-Q4: 2026-10-01 to 2026-12-31/);
});

t.test('the same data gives the same feed: UIDs and stamps are stable from one request to the next', async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const w = await world(app);
  const first = await feed(app, `?planId=${w.plan.id}`);
  clock.set('2026-11-28T15:00:00.000Z');
  const second = await feed(app, `?planId=${w.plan.id}`);
  t.equal(second.body, first.body, 'a later request on the same day reads byte for byte the same');
  t.ok(first.headers.etag, 'with an ETag');
  t.equal(second.headers.etag, first.headers.etag, 'the same ETag');
  const poll = await feed(app, `?planId=${w.plan.id}`, { 'if-none-match': String(first.headers.etag) });
  t.equal(poll.statusCode, 304, 'a poll with If-None-Match costs a 304 while nothing changed');
  t.equal(poll.body, '');
  await transition(app, w.open.id, 'in_progress');
  const changed = await feed(app, `?planId=${w.plan.id}`, { 'if-none-match': String(first.headers.etag) });
  t.equal(changed.statusCode, 200, 'a change of a task gives the feed anew');
  t.not(changed.headers.etag, first.headers.etag);
});

t.test('a moved deadline moves its event, under the same UID', async (t) => {
  const app = await build(t, testClock(NOW));
  const w = await world(app);
  const moved = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${w.open.id}/deadline-changes`,
    payload: { kind: 'direct', newDueDate: '2027-02-15', reason: 'Moved at the session', basis: 'Protocol No. 19' },
  });
  t.equal(moved.statusCode, 201);
  const { byUid } = parseFeed(t, (await feed(app, `?planId=${w.plan.id}`)).body);
  const event = byUid.get(`task-${w.open.id}@commission-plan-tracker`) as ParsedEvent;
  t.equal(event.start.toString(), '2027-02-15');
  t.match(event.description, /Postponed 1 time; originally due 2026-12-31/);
});

t.test('each move of a due date is a new revision of its event: SEQUENCE counts the moves, earlier ones too', async (t) => {
  const app = await build(t, testClock(NOW));
  const w = await world(app);
  const uid = `task-${w.open.id}@commission-plan-tracker`;
  const sequenceOf = async () => {
    const { calendar } = parseFeed(t, (await feed(app, `?planId=${w.plan.id}`)).body);
    const event = calendar.getAllSubcomponents('vevent').find((e) => e.getFirstPropertyValue('uid') === uid);
    return [String(event?.getFirstPropertyValue('dtstart')), event?.getFirstPropertyValue('sequence')];
  };
  const ask = async (payload: Record<string, unknown>) => {
    const res = await app.inject({ method: 'POST', url: `/v1/tasks/${w.open.id}/deadline-changes`, payload });
    t.equal(res.statusCode, 201);
    return JSON.parse(res.body).id as string;
  };
  const decide = async (id: string, decision: string) => {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/tasks/${w.open.id}/deadline-changes/${id}/decision`,
      payload: { decision, basis: 'Protocol No. 19', comment: 'As agreed' },
    });
    t.equal(res.statusCode, 200, res.body);
  };
  t.strictSame(await sequenceOf(), ['2026-12-31', 0], 'as created: revision 0');

  await ask({ kind: 'direct', newDueDate: '2027-02-15', reason: 'Moved at the session', basis: 'Protocol No. 19' });
  t.strictSame(await sequenceOf(), ['2027-02-15', 1], 'moved later directly: revision 1');

  await decide(await ask({ kind: 'request', newDueDate: '2027-03-01', reason: 'Certification takes longer' }), 'reject');
  t.strictSame(await sequenceOf(), ['2027-02-15', 1], 'a rejected request moves nothing and revises nothing');

  await decide(await ask({ kind: 'request', newDueDate: '2027-01-20', reason: 'Ready sooner' }), 'approve');
  t.strictSame(await sequenceOf(), ['2027-01-20', 2], 'moved earlier on request: revision 2, though no postponement');
});

t.test("an organization's feed: only the tasks it executes, and the deadlines of plans where it executes tasks", async (t) => {
  const app = await build(t, testClock(NOW));
  const w = await world(app);
  // A second approved plan of the same commission in which Belarus executes nothing.
  const other = await createPlan(app, w.commission.id, { title: 'Plan of the regions', reportingFrequency: 'monthly' });
  await createTask(app, { planId: other.id, code: '1', dueDate: '2027-01-20', assignees: [{ organizationId: w.kz.id, role: 'lead' }] });
  await approvePlan(app, other.id);

  const byFeed = parseFeed(t, (await feed(app, `?organizationId=${w.by.id}`)).body);
  t.strictSame(
    byFeed.events.filter((e) => e.uid.startsWith('task-')).map((e) => e.summary.split(' ')[0]),
    ['2.1', '1.1'],
    'the tasks Belarus executes, by date: not the one only Kazakhstan executes',
  );
  t.ok(
    byFeed.events.filter((e) => e.uid.startsWith('report-')).every((e) => e.uid.includes(w.plan.id)),
    'report deadlines only of the plan where Belarus executes tasks',
  );
  t.equal(
    byFeed.calendar.getFirstPropertyValue('x-wr-calname'),
    'Belarus–Kazakhstan Intergovernmental Commission — Minprom',
    'the name says whose calendar it is',
  );

  const kzFeed = parseFeed(t, (await feed(app, `?organizationId=${w.kz.id}&planId=${w.plan.id}`)).body);
  t.strictSame(
    kzFeed.events.filter((e) => e.uid.startsWith('task-')).map((e) => e.summary.split(' ')[0]),
    ['2.1', '1.1', '2.10'],
    'filters combine: Kazakhstan in the first plan only',
  );
  t.notOk(kzFeed.events.some((e) => e.uid.includes(other.id)), 'nothing of the other plan');

  const all = parseFeed(t, (await feed(app, `?organizationId=${w.kz.id}`)).body);
  const monthly = all.events.filter((e) => e.uid.startsWith(`report-${other.id}-`));
  // Approved today (28 November): the first deadline owed is 2026-11's, on 10 December.
  t.strictSame(
    monthly.slice(0, 2).map((e) => e.uid),
    [`report-${other.id}-2026-11@commission-plan-tracker`, `report-${other.id}-2026-12@commission-plan-tracker`],
    'a monthly plan has a deadline per month',
  );
});

t.test("an organization's feed has no report deadlines of a plan where every task it executes is closed or cancelled: it owes no report there", async (t) => {
  const app = await build(t, testClock(NOW));
  const w = await world(app);
  const other = await createPlan(app, w.commission.id, { title: 'Plan of the regions', reportingFrequency: 'monthly' });
  const both = [{ organizationId: w.kz.id, role: 'lead' }, { organizationId: w.by.id, role: 'lead' }];
  const done = await createTask(app, { planId: other.id, code: '1', dueDate: '2027-01-20', assignees: both });
  const dropped = await createTask(app, { planId: other.id, code: '2', dueDate: '2027-01-21', assignees: both });
  await createTask(app, { planId: other.id, code: '3', dueDate: '2027-01-22', assignees: [{ organizationId: w.kz.id, role: 'lead' }] });
  await approvePlan(app, other.id);
  const deadlinesOf = async (organizationId: string) =>
    parseFeed(t, (await feed(app, `?organizationId=${organizationId}`)).body).events.filter((e) => e.uid.startsWith(`report-${other.id}-`)).length;
  t.ok((await deadlinesOf(w.by.id)) > 0, 'while Belarus executes an open task of the plan, its deadlines are in its feed');
  await transition(app, done.id, 'in_progress');
  await transition(app, done.id, 'done');
  await transition(app, done.id, 'closed');
  t.ok((await deadlinesOf(w.by.id)) > 0, 'one task closed, one still open: still there');
  await transition(app, dropped.id, 'cancelled');
  t.equal(await deadlinesOf(w.by.id), 0, 'every task of Belarus in the plan closed or cancelled: none');
  t.ok((await deadlinesOf(w.kz.id)) > 0, 'Kazakhstan still executes an open task there: its feed keeps them');
});

t.test('without a filter: every approved plan, no draft; a commission filter keeps its own plans', async (t) => {
  const app = await build(t, testClock(NOW));
  const w = await world(app);
  const draft = await createPlan(app, w.commission.id, { title: 'Draft plan' });
  await createTask(app, { planId: draft.id, code: '9.9', dueDate: '2027-01-20', assignees: w.assignees });
  const commission2 = await createCommission(app, { name: 'Belarus–Kazakhstan Regional Forum', timeZone: 'Asia/Almaty' });
  const plan2 = await createPlan(app, commission2.id, { title: 'Uzbek plan' });
  await createTask(app, { planId: plan2.id, code: '1.1', dueDate: '2027-02-01', assignees: w.assignees, title: 'Совместное предприятие' });
  await approvePlan(app, plan2.id);

  const everything = parseFeed(t, (await feed(app)).body);
  t.ok(everything.events.some((e) => e.uid.includes(w.plan.id)), 'the first approved plan is there');
  t.ok(everything.events.some((e) => e.uid.includes(plan2.id)), 'so is the second commission’s');
  t.notOk(everything.events.some((e) => e.uid.includes(draft.id) || e.summary.startsWith('9.9')), 'a draft plan is not');
  t.equal(everything.calendar.getFirstPropertyValue('x-wr-calname'), 'Commission plan tracker', 'two commissions: a neutral name');
  t.equal(everything.calendar.getFirstPropertyValue('x-wr-timezone'), null, 'two time zones: none claimed');

  const second = parseFeed(t, (await feed(app, `?commissionId=${commission2.id}`)).body);
  t.notOk(second.events.some((e) => e.uid.includes(w.plan.id)), 'a commission filter keeps its own plans');
  t.equal(second.calendar.getFirstPropertyValue('x-wr-timezone'), 'Asia/Almaty');

  const drafted = parseFeed(t, (await feed(app, `?planId=${draft.id}`)).body);
  t.equal(drafted.events.length, 0, 'a draft plan named by id gives an empty calendar, not an error');
});

t.test('lang shows task titles in that language where translated', async (t) => {
  const app = await build(t, testClock(NOW));
  const w = await world(app);
  const { byUid } = parseFeed(t, (await feed(app, `?planId=${w.plan.id}&lang=en`)).body);
  t.equal(
    byUid.get(`task-${w.open.id}@commission-plan-tracker`)?.summary,
    '1.1 Joint production of BelAZ mining dump trucks and MTZ tractors in Kazakhstan — due',
  );
  t.equal(byUid.get(`task-${w.late.id}@commission-plan-tracker`)?.summary, '2.1 Поставки зерна — due', 'untranslated titles stay');
});

t.test('names with commas, semicolons and line breaks are escaped, never break the feed', async (t) => {
  const app = await build(t, testClock(NOW));
  const commission = await createCommission(app, { name: 'Commission; trade, industry\\co-operation' });
  const plan = await createPlan(app, commission.id, { title: 'Plan, first' });
  // A title is one line now (line() in common.schemas.ts); a plan written before may still carry a line break.
  app.sqlite.prepare('UPDATE plans SET title = ? WHERE id = ?').run('Plan, first\nBEGIN:VEVENT', plan.id);
  const org = await createOrganization(app, { name: 'Ministry, of Industry', country: 'BY' });
  await createTask(app, { planId: plan.id, code: '1', title: 'Title, with; specials\\', dueDate: '2027-01-20', assignees: [{ organizationId: org.id, role: 'lead' }] });
  await approvePlan(app, plan.id);
  const res = await feed(app, `?planId=${plan.id}`);
  assertWireFormat(t, res.body);
  t.equal(res.body.split('\r\n').filter((l) => l === 'BEGIN:VEVENT').length, 6, 'no BEGIN:VEVENT line comes from a title');
  const { calendar, events } = parseFeed(t, res.body);
  t.equal(events.length, 1 + 5, 'one task, five deadlines (2026-Q4 to 2027-Q4, from its approval today): the title injected no event');
  // ical.js hands non-standard properties back raw; RFC 5545 TEXT unescaping gives the name again.
  const calname = String(calendar.getFirstPropertyValue('x-wr-calname'));
  t.equal(calname, 'Commission\\; trade\\, industry\\\\co-operation — Plan\\, first\\nBEGIN:VEVENT', 'commas, semicolons, backslashes and line breaks are escaped');
  t.equal(
    calname.replace(/\\([\\;,nN])/g, (_m, c: string) => (c.toLowerCase() === 'n' ? '\n' : c)),
    'Commission; trade, industry\\co-operation — Plan, first\nBEGIN:VEVENT',
    'the name reads back exactly',
  );
  t.equal(events.find((e) => e.uid.startsWith('task-'))?.summary, '1 Title, with; specials\\ — due');
});

t.test('RFC 5545 §3.4: every calendar property comes before the first event, and the last line ends with CRLF too', async (t) => {
  const app = await build(t, testClock(NOW));
  const w = await world(app);
  const { body } = await feed(app, `?planId=${w.plan.id}`);
  t.ok(body.endsWith('END:VCALENDAR\r\n'), 'END:VCALENDAR is a content line, ended by CRLF');
  const lines = body.replace(/\r\n /g, '').split('\r\n');
  const firstEvent = lines.indexOf('BEGIN:VEVENT');
  const lastEvent = lines.lastIndexOf('END:VEVENT');
  t.ok(firstEvent > 0, 'there are events');
  t.ok(lines.slice(0, firstEvent).includes('X-WR-TIMEZONE:Europe/Minsk'), 'X-WR-TIMEZONE is among the calendar properties');
  t.strictSame(lines.slice(lastEvent + 1), ['END:VCALENDAR', ''], 'nothing but END:VCALENDAR after the last event');
});

t.test('every key may read the feed; a stranger may not; bad filters are refused', async (t) => {
  const app = await build(t, testClock(NOW));
  const w = await world(app);
  for (const role of ['co_chair', 'observer'] as const) {
    const { headers } = await keyFor(app, role);
    t.equal((await feed(app, `?planId=${w.plan.id}`, headers)).statusCode, 200, `${role} reads it`);
  }
  const ministry = await keyFor(app, 'ministry', w.by.id);
  t.equal((await feed(app, `?organizationId=${w.by.id}`, ministry.headers)).statusCode, 200, 'a ministry reads its own');

  await refused(t, app, { method: 'GET', url: '/v1/calendar.ics', headers: { authorization: undefined } }, 401, 'unauthorized');
  await refused(t, app, { method: 'GET', url: `/v1/calendar.ics?planId=${w.plan.id}&commissionId=${w.commission.id}` }, 400, 'validation-failed');
  await refused(t, app, { method: 'GET', url: '/v1/calendar.ics?format=json' }, 400, 'validation-failed');
  await refused(t, app, { method: 'GET', url: '/v1/calendar.ics?planId=not-an-id' }, 400, 'validation-failed');
  await refused(t, app, { method: 'GET', url: '/v1/calendar.ics?lang=de' }, 400, 'validation-failed');
  for (const field of ['planId', 'commissionId', 'organizationId']) {
    const body = assertProblem(t, await feed(app, `?${field}=${MISSING_ID}`), 422, 'unknown-reference');
    t.strictSame(body.errors, [{ path: `querystring.${field}`, message: body.errors[0].message }], `an unknown ${field} is named`);
  }
});

t.test('a task postponed past its plan’s end: the report deadlines go on until its due date, in the feeds that show it', async (t) => {
  const app = await build(t, testClock(NOW));
  const w = await world(app);
  const moved = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${w.kzOnly.id}/deadline-changes`,
    payload: { kind: 'direct', newDueDate: '2028-05-15', reason: 'The forum moves to the next year.', basis: 'Protocol No. 20' },
  });
  t.equal(moved.statusCode, 201);
  /** The periods after the plan's end (2027) whose report deadlines a feed has. */
  const after2027 = async (query: string) =>
    parseFeed(t, (await feed(app, query)).body)
      .events.filter((e) => e.uid.startsWith(`report-${w.plan.id}-2028`))
      .map((e) => e.uid.slice(`report-${w.plan.id}-`.length, `report-${w.plan.id}-`.length + 7));
  t.strictSame(await after2027(`?planId=${w.plan.id}`), ['2028-Q1', '2028-Q2'], "the plan's feed: up to the quarter of the due date");
  t.strictSame(await after2027(`?organizationId=${w.kz.id}`), ['2028-Q1', '2028-Q2'], 'the feed of the organization executing it');
  t.strictSame(await after2027(`?organizationId=${w.by.id}`), [], 'not the feed of an organization that does not');
});

t.test('report deadlines that passed before the plan was approved, or before an organization was assigned, are not in the feed: nothing was owed for them', async (t) => {
  // Quarterly, due 10 days after each quarter: on 28 November the feed looks back 92 days, to 28 August, so 2026-Q3
  // (due 10 October) is the oldest deadline it could show. The first plan is approved on 10 October at 15:00 in Minsk.
  const clock = testClock('2026-10-10T12:00:00.000Z');
  const app = await build(t, clock);
  const seed = await seedPlan(app);
  const task = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-12-31', assignees: [{ organizationId: seed.by.id, role: 'lead' }] });
  const late = await createPlan(app, seed.commission.id, { title: 'Plan approved later' });
  await createTask(app, { planId: late.id, code: '1.1', dueDate: '2026-12-31', assignees: seed.assignees });
  await approvePlan(app, seed.plan.id);
  clock.set('2026-10-11T09:00:00.000Z');
  await approvePlan(app, late.id);
  // Kazakhstan's ministry joins the first plan's task on 20 October, after the Q3 deadline.
  clock.set('2026-10-20T09:00:00.000Z');
  const joined = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { assignees: seed.assignees } });
  t.equal(joined.statusCode, 200, joined.body);
  clock.set(NOW);

  const periodsOf = async (query: string, planId: string) =>
    parseFeed(t, (await feed(app, query)).body)
      .events.filter((e) => e.uid.startsWith(`report-${planId}-`))
      .map((e) => e.uid.slice(`report-${planId}-`.length, `report-${planId}-`.length + 7));
  t.same((await periodsOf(`?planId=${seed.plan.id}`, seed.plan.id))[0], '2026-Q3', 'approved on the deadline day, before its end: Q3 was owed, and shows');
  t.same((await periodsOf(`?planId=${late.id}`, late.id))[0], '2026-Q4', 'approved the day after the Q3 deadline: Q3 was never owed, and does not show');
  t.same((await periodsOf(`?organizationId=${seed.by.id}&planId=${seed.plan.id}`, seed.plan.id))[0], '2026-Q3', 'Belarus, assigned from the start, owed Q3');
  t.same((await periodsOf(`?organizationId=${seed.kz.id}&planId=${seed.plan.id}`, seed.plan.id))[0], '2026-Q4', 'Kazakhstan, assigned after the Q3 deadline, did not');

  // The co-chairs' report agrees: the plan approved late owes no Q3 report, and Kazakhstan none in the first plan.
  const missing = async (planId: string) =>
    (JSON.parse((await app.inject({ url: `/v1/reports/progress?planId=${planId}&asOf=2026-10-25` })).body).missingReports as { organizationId: string; period: string }[]).map(
      (m) => `${m.organizationId === seed.by.id ? 'BY' : 'KZ'} ${m.period}`,
    );
  t.strictSame(await missing(seed.plan.id), ['BY 2026-Q3']);
  t.strictSame(await missing(late.id), []);
});

t.test("an organization's feed shows a past report deadline only if it owed a report then: not for a task closed or cancelled before it", async (t) => {
  // Quarterly, due 10 days after each quarter. The plan is approved on 1 October; Kazakhstan's ministry executes 1.1
  // from the start, which is cancelled on 5 October, before the 2026-Q3 deadline (10 October), and is put on 1.2 on
  // 20 October, after it: it never owed a Q3 report, and the co-chairs' report names none missing.
  const clock = testClock('2026-10-01T09:00:00.000Z');
  const app = await build(t, clock);
  const seed = await seedPlan(app);
  const first = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-12-31', assignees: seed.assignees });
  const second = await createTask(app, { planId: seed.plan.id, code: '1.2', dueDate: '2026-12-31', assignees: [{ organizationId: seed.by.id, role: 'lead' }] });
  await approvePlan(app, seed.plan.id);
  clock.set('2026-10-05T09:00:00.000Z');
  await transition(app, first.id, 'cancelled');
  clock.set('2026-10-20T09:00:00.000Z');
  const joined = await app.inject({ method: 'PATCH', url: `/v1/tasks/${second.id}`, payload: { assignees: seed.assignees } });
  t.equal(joined.statusCode, 200, joined.body);
  clock.set(NOW);

  const periods = async (organizationId: string) =>
    parseFeed(t, (await feed(app, `?organizationId=${organizationId}&planId=${seed.plan.id}`)).body)
      .events.filter((e) => e.uid.startsWith('report-'))
      .map((e) => e.uid.slice(`report-${seed.plan.id}-`.length, `report-${seed.plan.id}-`.length + 7));
  t.equal((await periods(seed.kz.id))[0], '2026-Q4', 'Kazakhstan owed no Q3 report: its only task then was cancelled before the deadline');
  t.equal((await periods(seed.by.id))[0], '2026-Q3', 'Belarus executed 1.2, in force at the deadline: it owed Q3');
  const missing = (await app.inject({ url: `/v1/reports/progress?planId=${seed.plan.id}&asOf=2026-10-25` })).json().missingReports as { organizationId: string; period: string }[];
  t.strictSame(
    missing.map((m) => [m.organizationId === seed.kz.id ? 'KZ' : 'BY', m.period]),
    [['BY', '2026-Q3']],
    "the co-chairs' report agrees: only Belarus owed Q3",
  );
});
