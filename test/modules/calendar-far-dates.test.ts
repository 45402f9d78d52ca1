// Dates at the far end of YYYY-MM-DD (9999-12-31) in the calendar feed, and the longest period a plan may cover.
import t from 'tap';
import { periodsBetween } from '../../src/lib/periods.js';
import { build, json, refused, testClock } from '../helper.js';
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
  const last = await createPlan(app, seed.commission.id, { title: 'The last plan', periodStart: '9999-01-01', periodEnd: '9999-12-31' });
  await createTask(app, { planId: last.id, code: '1.1', dueDate: '9999-06-30', assignees: seed.assignees });
  await approvePlan(app, last.id);
  // The unfiltered feed: one plan's period broke every subscriber's calendar.
  const res = await app.inject({ method: 'GET', url: '/v1/calendar.ics' });
  t.equal(res.statusCode, 200, `GET /v1/calendar.ics is served (got ${res.statusCode})`);
  t.match(res.body, `UID:report-${last.id}-9999-Q3@`, 'the last plan has its reporting deadlines');
});

t.test('a plan covers at most 100 years: a typo of 9999 for 2029 is refused, not turned into 32,000 deadlines', async (t) => {
  const app = await build(t, testClock(NOW));
  const seed = await seedPlan(app);
  const post = (periodEnd: string) => ({
    method: 'POST' as const,
    url: '/v1/plans',
    payload: { commissionId: seed.commission.id, title: 'Plan', periodStart: '2026-01-01', periodEnd, reportingFrequency: 'monthly' },
  });
  const problem = await refused(t, app, post('9999-12-31'), 422, 'invalid-value');
  t.equal(problem.detail, 'body.periodEnd: a plan covers at most 100 years; 2026-01-01 to 9999-12-31 is longer');
  await refused(t, app, post('2126-01-01'), 422, 'invalid-value');
  t.equal((await app.inject(post('2125-12-31'))).statusCode, 201, 'a hundred years to the day before');
  await refused(t, app, { method: 'PATCH', url: `/v1/plans/${seed.plan.id}`, payload: { periodEnd: '3999-12-31' } }, 422, 'invalid-value');
});

t.test('a date is of the years 1000 to 9999: an earlier one is refused as a date, not half-accepted', async (t) => {
  const app = await build(t, testClock(NOW));
  const seed = await seedPlan(app);
  for (const periodStart of ['0500-07-01', '0099-01-01']) {
    const problem = await refused(
      t,
      app,
      { method: 'POST', url: '/v1/plans', payload: { commissionId: seed.commission.id, title: 'Plan', periodStart, periodEnd: '2026-12-31' } },
      400,
      'validation-failed',
    );
    t.match(problem.detail, 'body.periodStart: expected a date as YYYY-MM-DD, years 1000 to 9999', periodStart);
  }
});
