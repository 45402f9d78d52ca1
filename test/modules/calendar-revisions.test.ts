// What calendar programs keep of a subscribed feed: each event's revision (SEQUENCE, RFC 5545 §3.8.7.4), read back with
// ical.js, as a program that keeps events by UID reads it.
import t from 'tap';
import ICAL from 'ical.js';
import type { App } from '../../src/app.js';
import { build, testClock } from '../helper.js';
import { approvePlan, createTask, seedPlan } from '../factories.js';

const NOW = '2026-11-28T09:00:00.000Z';

/** The events of a feed by UID: their first day and their SEQUENCE. */
async function eventsOf(app: App, planId: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/calendar.ics?planId=${planId}` });
  const calendar = new ICAL.Component(ICAL.parse(res.body));
  return new Map(
    calendar
      .getAllSubcomponents('vevent')
      .map((e) => [String(e.getFirstPropertyValue('uid')), { start: String(e.getFirstPropertyValue('dtstart')), sequence: e.getFirstPropertyValue('sequence') }]),
  );
}

t.test('a report deadline moved by a change of reportDueDays is a new revision of its event: SEQUENCE goes up', async (t) => {
  const app = await build(t, testClock(NOW));
  const { plan, assignees } = await seedPlan(app);
  await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  await approvePlan(app, plan.id);
  const uid = `report-${plan.id}-2026-Q4@commission-plan-tracker`;
  t.strictSame((await eventsOf(app, plan.id)).get(uid), { start: '2027-01-10', sequence: 0 }, 'as approved: revision 0');

  const patch = async (payload: Record<string, unknown>) => {
    const res = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload });
    t.equal(res.statusCode, 200, res.body);
  };
  await patch({ reportDueDays: 20 });
  t.strictSame((await eventsOf(app, plan.id)).get(uid), { start: '2027-01-20', sequence: 1 }, 'moved ten days later: revision 1');

  await patch({ title: 'Plan of measures 2026–2027 (revised)' });
  t.strictSame((await eventsOf(app, plan.id)).get(uid), { start: '2027-01-20', sequence: 1 }, 'a new title moves no date');

  await patch({ reportDueDays: 5 });
  t.strictSame((await eventsOf(app, plan.id)).get(uid), { start: '2027-01-05', sequence: 2 }, 'moved earlier: revision 2');
});
