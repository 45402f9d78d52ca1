// A progress report is judged once, when first submitted: a later change of the plan's reportDueDays moves neither its
// submissionDeadline nor its submittedLate (on read, in the list, in webhook payloads); it moves periods not yet reported.
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import type { TaskReport } from '../../src/modules/task-reports/task-reports.schemas.js';
import { json, keyFor, testClock } from '../helper.js';
import { world } from '../webhooks/receiver.js';

/** 12:00 on 1 September 2026 in Minsk: the plan is approved before any deadline of the tests. */
const APPROVED = '2026-09-01T09:00:00.000Z';
/** Day 8 after 2026-Q3 ended: on time by 10 days (deadline 10 October), late by 5 (5 October). */
const DAY_8 = '2026-10-08T09:00:00.000Z';
/** Day 14 after 2026-Q3 ended: late by 10 days, on time by 60 (deadline 29 November). */
const DAY_14 = '2026-10-14T09:00:00.000Z';

const body = (period: string, extra: Record<string, unknown> = {}) => ({
  period,
  percentComplete: 40,
  confidence: 'amber',
  narrative: 'Certification of the assembly line under way.',
  ...extra,
});

async function ok(t: Test, app: App, request: InjectOptions, status = 200): Promise<any> {
  const res = await app.inject(request);
  t.equal(res.statusCode, status, `${request.method} ${request.url} answers ${status}`);
  if (res.statusCode !== status) throw new Error(res.body);
  return json(res);
}

/**
 * An approved quarterly plan (reportDueDays 10) of BY and KZ, a receiver of report events, and two 2026-Q3 reports
 * submitted under the rule of 10 days: BY's on day 8 (on time), KZ's on day 14 (late).
 */
async function scene(t: Test) {
  const clock = testClock(APPROVED);
  const w = await world(t, ['report.submitted', 'report.reviewed'], { clock });
  const byKey = await keyFor(w.app, 'ministry', w.by.id);
  const kzKey = await keyFor(w.app, 'ministry', w.kz.id);
  const submit = (key: { headers: Record<string, string> }, period: string) =>
    ok(t, w.app, { method: 'POST', url: `/v1/tasks/${w.task.id}/reports`, payload: body(period), headers: key.headers }, 201) as Promise<TaskReport>;
  const setDueDays = (reportDueDays: number) => ok(t, w.app, { method: 'PATCH', url: `/v1/plans/${w.plan.id}`, payload: { reportDueDays } });
  const read = async (id: string): Promise<TaskReport> => ok(t, w.app, { method: 'GET', url: `/v1/tasks/${w.task.id}/reports/${id}` });
  const list = async (): Promise<TaskReport[]> => (await ok(t, w.app, { method: 'GET', url: `/v1/tasks/${w.task.id}/reports` })).items;
  /** The reports' judgement as read one by one and in the list: [id, submissionDeadline, submittedLate]. */
  const judged = async (ids: string[]) => {
    const listed = await list();
    const one = await Promise.all(ids.map(read));
    return {
      read: one.map((r) => [r.id, r.submissionDeadline, r.submittedLate]),
      listed: ids.map((id) => listed.find((r) => r.id === id)).map((r) => [r?.id, r?.submissionDeadline, r?.submittedLate]),
    };
  };

  clock.set(DAY_8);
  const onTime = await submit(byKey, '2026-Q3');
  clock.set(DAY_14);
  const late = await submit(kzKey, '2026-Q3');
  t.match(onTime, { submissionDeadline: '2026-10-10', submittedLate: false }, 'day 8 of 10 is on time');
  t.match(late, { submissionDeadline: '2026-10-10', submittedLate: true }, 'day 14 of 10 is late');
  return { ...w, clock, byKey, kzKey, submit, setDueDays, read, list, judged, onTime, late };
}

t.test("shortening or lengthening the plan's reportDueDays moves no submitted report's deadline or lateness, read or listed", async (t) => {
  const s = await scene(t);
  const ids = [s.onTime.id, s.late.id];
  const asSubmitted = [
    [s.onTime.id, '2026-10-10', false],
    [s.late.id, '2026-10-10', true],
  ];
  for (const reportDueDays of [5, 60, 0, 90, 10]) {
    s.clock.set(new Date(s.clock().getTime() + 86_400_000).toISOString());
    await s.setDueDays(reportDueDays);
    t.strictSame(await s.judged(ids), { read: asSubmitted, listed: asSubmitted }, `after reportDueDays became ${reportDueDays}`);
  }
});

t.test('a report first submitted after the change is judged by the new rule, and keeps it when the rule changes again', async (t) => {
  const s = await scene(t);
  s.clock.set('2026-10-20T09:00:00.000Z');
  await s.setDueDays(60);
  // Q4 ends on 31 December: due on 10 January by 10 days, on 1 March by 60.
  s.clock.set('2027-01-15T09:00:00.000Z');
  const q4 = await s.submit(s.byKey, '2026-Q4');
  t.match(q4, { submissionDeadline: '2027-03-01', submittedLate: false }, 'on time by the 60 days in force');
  await s.setDueDays(10);
  t.strictSame((await s.judged([q4.id])).read, [[q4.id, '2027-03-01', false]], 'not made late by the rule of 10 days set after it');
  t.strictSame((await s.judged([q4.id])).listed, [[q4.id, '2027-03-01', false]]);
  // A report of another organization for the same period, submitted now, is judged by 10 days.
  const kzQ4 = await s.submit(s.kzKey, '2026-Q4');
  t.match(kzQ4, { submissionDeadline: '2027-01-10', submittedLate: true });
});

t.test('a revision or a review after the change keeps the deadline the report was first submitted under', async (t) => {
  const s = await scene(t);
  const at = (iso: string) => s.clock.set(iso);
  at('2026-10-20T09:00:00.000Z');
  await ok(t, s.app, { method: 'POST', url: `/v1/tasks/${s.task.id}/reports/${s.late.id}/review`, payload: { decision: 'returned', comment: 'Give the figures.' } });
  await s.setDueDays(60); // would make KZ's day 14 on time
  at('2026-10-21T09:00:00.000Z');
  const revised = await ok(t, s.app, { method: 'PATCH', url: `/v1/tasks/${s.task.id}/reports/${s.late.id}`, payload: { percentComplete: 45 }, headers: s.kzKey.headers });
  t.match(revised, { revision: 2, submissionDeadline: '2026-10-10', submittedLate: true }, 'revised: still late by the rule it was submitted under');
  await s.setDueDays(5); // would make BY's day 8 late
  at('2026-10-22T09:00:00.000Z');
  const accepted = await ok(t, s.app, { method: 'POST', url: `/v1/tasks/${s.task.id}/reports/${s.onTime.id}/review`, payload: { decision: 'accepted' } });
  t.match(accepted, { status: 'accepted', submissionDeadline: '2026-10-10', submittedLate: false }, 'reviewed: still on time');
  t.match(await s.read(s.late.id), { revision: 2, submissionDeadline: '2026-10-10', submittedLate: true });

  // The history records no change of the deadline or of the lateness by any review or revision.
  type Entry = { entityType: string; operation: string; changes: { field: string }[] };
  const history = (await ok(t, s.app, { method: 'GET', url: `/v1/tasks/${s.task.id}/history?limit=200` })).items as Entry[];
  const later = history.filter((e) => e.entityType === 'progress_report' && e.operation !== 'submitTaskReport');
  t.strictSame(later.map((e) => e.operation).sort(), ['reviewTaskReport', 'reviewTaskReport', 'reviseTaskReport']);
  const fields = later.flatMap((e) => e.changes.map((c) => c.field));
  t.notOk(fields.includes('submissionDeadline') || fields.includes('submittedLate'), `changed fields: ${[...new Set(fields)].join(', ')}`);
});

t.test("webhook payloads carry the lateness judged at first submission, not the plan's rule at the time of the event", async (t) => {
  const s = await scene(t);
  await s.app.webhooks.runOnce();
  const submitted = s.receiver.received.map((r) => r.json.data.report);
  t.strictSame(submitted.map((r: any) => [r.id, r.submittedLate]), [[s.onTime.id, false], [s.late.id, true]], 'as submitted');

  s.clock.set('2026-10-20T09:00:00.000Z');
  await s.setDueDays(5);
  await ok(t, s.app, { method: 'POST', url: `/v1/tasks/${s.task.id}/reports/${s.onTime.id}/review`, payload: { decision: 'accepted' } });
  await s.setDueDays(60);
  await ok(t, s.app, { method: 'POST', url: `/v1/tasks/${s.task.id}/reports/${s.late.id}/review`, payload: { decision: 'returned', comment: 'Give the figures.' } });
  s.clock.set('2026-10-21T09:00:00.000Z');
  await ok(t, s.app, { method: 'PATCH', url: `/v1/tasks/${s.task.id}/reports/${s.late.id}`, payload: { percentComplete: 45 }, headers: s.kzKey.headers });
  await s.app.webhooks.runOnce();
  t.strictSame(
    s.receiver.received.slice(2).map((r) => [r.json.type, r.json.data.report.id, r.json.data.report.status, r.json.data.report.submittedLate]),
    [
      ['report.reviewed', s.onTime.id, 'accepted', false],
      ['report.reviewed', s.late.id, 'returned', true],
      ['report.submitted', s.late.id, 'submitted', true],
    ],
    'accepted under 5 days, still on time; returned and revised under 60, still late',
  );
});

t.test("a report not yet submitted is due by the plan's current rule: shortening it makes a later report late", async (t) => {
  const s = await scene(t);
  s.clock.set('2026-10-20T09:00:00.000Z');
  await s.setDueDays(5);
  s.clock.set('2027-01-08T09:00:00.000Z');
  const q4 = await s.submit(s.byKey, '2026-Q4');
  t.match(q4, { submissionDeadline: '2027-01-05', submittedLate: true }, 'day 8 of a 5-day rule set before it was submitted is late');
});
