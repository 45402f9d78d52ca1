// The calendar feed with dates at the far end of YYYY-MM-DD (9999-12-31).
import t from 'tap';
import { periodsBetween } from '../../src/lib/periods.js';
import { build, json, testClock } from '../helper.js';
import { approvePlan, createPlan, createTask, seedPlan } from '../factories.js';

const NOW = '2026-11-28T09:00:00.000Z';

/** Every DTSTART/DTEND value of a feed, with the property name. */
const dateProps = (body: string) => body.split('\r\n').filter((l) => /^DT(START|END)[;:]/.test(l));

t.test('a task due 9999-12-31 (a date DateSchema accepts) gives a valid all-day event: no DTEND in year 10000', async (t) => {
  const app = await build(t, testClock(NOW));
  const seed = await seedPlan(app);
  await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '9999-12-31', assignees: seed.assignees });
  await approvePlan(app, seed.plan.id);
  const res = await app.inject({ method: 'GET', url: `/v1/calendar.ics?planId=${seed.plan.id}` });
  t.equal(res.statusCode, 200);
  t.match(res.body, /DTSTART;VALUE=DATE:99991231\r\n/, 'the far-future deadline is an all-day event');
  // RFC 5545 §3.3.4: date = date-fullyear date-month date-mday, four digits of year.
  t.strictSame(
    dateProps(res.body).filter((l) => !/^DT(START|END);VALUE=DATE:\d{8}$/.test(l)),
    [],
    'every DTSTART/DTEND is an 8-digit DATE',
  );
});

t.test('the reporting periods up to 9999-12-31 end with 9999-Q4 and 9999-12', async (t) => {
  t.strictSame(periodsBetween('9999-08-15', '9999-12-31', 'quarterly'), ['9999-Q3', '9999-Q4']);
  t.strictSame(periodsBetween('9999-11-15', '9999-12-31', 'monthly'), ['9999-11', '9999-12']);
});

t.test('a plan whose period ends 9999-12-31 does not break the calendar feed of every plan', async (t) => {
  const app = await build(t, testClock(NOW));
  const seed = await seedPlan(app);
  await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-12-31', assignees: seed.assignees });
  await approvePlan(app, seed.plan.id);
  const open = await createPlan(app, seed.commission.id, { title: 'Open-ended plan', periodEnd: '9999-12-31' });
  await createTask(app, { planId: open.id, code: '1.1', dueDate: '2027-06-30', assignees: seed.assignees });
  await approvePlan(app, open.id);
  // The unfiltered feed: one plan's period breaks every subscriber's calendar. (Such a plan's feed is large, so one request.)
  const res = await app.inject({ method: 'GET', url: '/v1/calendar.ics' });
  t.equal(res.statusCode, 200, `GET /v1/calendar.ics is served (got ${res.statusCode})`);
  t.match(res.body, `UID:report-${open.id}-2026-Q4@`, 'the open-ended plan has its reporting deadlines');
});
