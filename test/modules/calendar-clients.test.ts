// What calendar programs make of the feed's events, read back with ical.js: a due date marks a day, it takes no time.
import t from 'tap';
import ICAL from 'ical.js';
import { build, testClock } from '../helper.js';
import { approvePlan, createTask, seedPlan } from '../factories.js';

t.test('every event is transparent to free/busy: a due date does not make the staff busy all day', async (t) => {
  const app = await build(t, testClock('2026-11-28T09:00:00.000Z'));
  const { plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  const res = await app.inject({ method: 'GET', url: `/v1/calendar.ics?planId=${plan.id}` });
  t.equal(res.statusCode, 200);
  const events = new ICAL.Component(ICAL.parse(res.body)).getAllSubcomponents('vevent');
  t.ok(events.length > 1, 'a task and its plan\'s deadlines');
  // RFC 5545 §3.8.2.7: without TRANSP an event is OPAQUE, so a calendar that imports the feed (or shares its free/busy)
  // shows every executor busy all day on every due date and reporting deadline.
  t.strictSame(
    events.filter((e) => e.getFirstPropertyValue('transp') !== 'TRANSPARENT').map((e) => e.getFirstPropertyValue('uid')),
    [],
    'TRANSP:TRANSPARENT on every event',
  );
  // Outlook takes its busy status from its own property before TRANSP.
  t.strictSame(
    events.filter((e) => e.getFirstPropertyValue('x-microsoft-cdo-busystatus') !== 'FREE').map((e) => e.getFirstPropertyValue('uid')),
    [],
    'X-MICROSOFT-CDO-BUSYSTATUS:FREE for Outlook',
  );
});
