// Tests of the calendar feed of a large plan: built in time proportional to its size, not one encoder per character.
import t from 'tap';
import ICAL from 'ical.js';
import { build, testClock } from '../helper.js';
import { approvePlan, createTask, seedPlan } from '../factories.js';

const TASKS = 150;

t.test('the feed of a large plan is folded in one pass, not with a TextEncoder per character', async (t) => {
  const app = await build(t, testClock('2026-11-28T09:00:00.000Z'));
  const { plan, assignees } = await seedPlan(app);
  for (let i = 1; i <= TASKS; i++) {
    await createTask(app, { planId: plan.id, code: `1.${i}`, title: `Организация совместного производства карьерных самосвалов БелАЗ № ${i}`, dueDate: '2027-03-31', assignees });
  }
  await approvePlan(app, plan.id);

  // ical-generator measured every character of the feed with a new TextEncoder: a 20,000-task plan (10 MB) held the
  // event loop 20 seconds, and every request of every caller waited. Counted, not timed: tests never assert timings.
  const Original = globalThis.TextEncoder;
  let encoders = 0;
  globalThis.TextEncoder = class extends Original {
    constructor() {
      super();
      encoders++;
    }
  };
  t.teardown(() => {
    globalThis.TextEncoder = Original;
  });
  const res = await app.inject({ method: 'GET', url: `/v1/calendar.ics?planId=${plan.id}` });
  globalThis.TextEncoder = Original;

  t.equal(res.statusCode, 200);
  const events = new ICAL.Component(ICAL.parse(res.body)).getAllSubcomponents('vevent');
  t.equal(events.filter((e) => String(e.getFirstPropertyValue('uid')).startsWith('task-')).length, TASKS, 'every task is in the feed');
  t.ok(encoders < TASKS, `no encoder per character (${encoders} for ${res.body.length} characters)`);
});
