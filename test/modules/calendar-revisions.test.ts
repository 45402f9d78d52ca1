// What calendar programs keep of a subscribed feed: each event's revision (SEQUENCE, RFC 5545 §3.8.7.4) and when it was
// last revised (DTSTAMP and LAST-MODIFIED, §3.8.7.2-3), read back with ical.js, as a program that keeps events by UID reads it.
import t from 'tap';
import ICAL from 'ical.js';
import type { App } from '../../src/app.js';
import { build, testClock } from '../helper.js';
import { approvePlan, createOrganization, createTask, seedPlan } from '../factories.js';

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

/** When each event of a feed says it was last revised, by UID: its DTSTAMP and its LAST-MODIFIED, as instants. */
async function revisionsOf(app: App, planId: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/calendar.ics?planId=${planId}` });
  const calendar = new ICAL.Component(ICAL.parse(res.body));
  const instant = (value: unknown) => (value as ICAL.Time).toJSDate().toISOString();
  return new Map(
    calendar
      .getAllSubcomponents('vevent')
      .map((e) => [
        String(e.getFirstPropertyValue('uid')),
        { stamp: instant(e.getFirstPropertyValue('dtstamp')), lastModified: instant(e.getFirstPropertyValue('last-modified')) },
      ]),
  );
}

t.test("a task's event is revised when its plan or one of its executors is renamed, as it shows their names", async (t) => {
  const clock = testClock(NOW);
  const app = await build(t, clock);
  const { plan, kz, assignees } = await seedPlan(app);
  const other = await createOrganization(app, { shortName: 'Minselkhoz', country: 'BY' });
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const otherTask = await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2026-12-31', assignees: [{ organizationId: other.id, role: 'lead' }] });
  await approvePlan(app, plan.id);
  const uid = `task-${task.id}@commission-plan-tracker`;
  const otherUid = `task-${otherTask.id}@commission-plan-tracker`;
  const revised = (at: string) => ({ stamp: at, lastModified: at });
  t.strictSame((await revisionsOf(app, plan.id)).get(uid), revised(NOW), 'as approved');

  const patch = async (url: string, payload: Record<string, unknown>) => {
    const res = await app.inject({ method: 'PATCH', url, payload });
    t.equal(res.statusCode, 200, res.body);
  };
  const renamedPlanAt = '2026-11-28T10:00:00.000Z';
  clock.set(renamedPlanAt);
  await patch(`/v1/plans/${plan.id}`, { title: 'Plan of measures 2026–2027 (revised)' });
  t.strictSame((await revisionsOf(app, plan.id)).get(uid), revised(renamedPlanAt), "the plan's new title revises the event");

  const renamedExecutorAt = '2026-11-28T11:00:00.000Z';
  clock.set(renamedExecutorAt);
  await patch(`/v1/organizations/${kz.id}`, { shortName: 'MIC RK' });
  t.strictSame((await revisionsOf(app, plan.id)).get(uid), revised(renamedExecutorAt), "an executor's new short name revises it");

  const renamedOtherAt = '2026-11-28T12:00:00.000Z';
  clock.set(renamedOtherAt);
  await patch(`/v1/organizations/${other.id}`, { shortName: 'MSKh' });
  const revisions = await revisionsOf(app, plan.id);
  t.strictSame(revisions.get(uid), revised(renamedExecutorAt), 'an organization that does not execute the task does not');
  t.strictSame(revisions.get(otherUid), revised(renamedOtherAt), 'though it revises the event of the task it executes');
});

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
