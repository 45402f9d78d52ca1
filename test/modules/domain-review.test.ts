// Tests of domain rules found wanting in a review against DESIGN.md: what a secretariat or ministry user would hit.
import t from 'tap';
import { build, json, refused, testClock } from '../helper.js';
import { approvedTask } from '../factories.js';

t.test("a plan's period cannot leave out a reporting period that already has reports or indicator values", async (t) => {
  const app = await build(t, testClock('2026-11-28T09:00:00.000Z'));
  const { task, plan, by } = await approvedTask(app);
  const indicator = json(
    await app.inject({ method: 'POST', url: '/v1/indicators', payload: { planId: plan.id, name: 'Tractors', unit: 'units', baseline: 0, target: 10 } }),
  );
  t.equal((await app.inject({ method: 'PUT', url: `/v1/indicators/${indicator.id}/values/2026-Q1`, payload: { value: 3 } })).statusCode, 200);
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: `/v1/tasks/${task.id}/reports`,
        payload: { organizationId: by.id, period: '2026-Q4', percentComplete: 10, confidence: 'green', narrative: 'Started.' },
      })
    ).statusCode,
    201,
  );

  // Moving the start past the recorded 2026-Q1 value would leave it outside the plan, where it could no longer be corrected.
  const late = await refused(t, app, { method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { periodStart: '2026-07-01' } }, 422, 'invalid-value');
  t.match(late.errors, [{ path: 'body.periodStart' }]);
  t.match(late.detail, /2026-Q1/);
  // Ending the plan before the reported 2026-Q4 is refused the same way, naming the end.
  const early = await refused(t, app, { method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { periodEnd: '2026-09-30' } }, 422, 'invalid-value');
  t.match(early.errors, [{ path: 'body.periodEnd' }]);
  t.match(early.detail, /2026-Q4/);

  // A period that still overlaps every reported quarter, or a wider one, is accepted.
  const kept = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { periodStart: '2026-03-31', periodEnd: '2026-10-01' } });
  t.equal(kept.statusCode, 200, 'one day of each reported quarter is enough');
  const wider = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { periodStart: '2025-01-01', periodEnd: '2028-12-31' } });
  t.equal(wider.statusCode, 200);
  // The recorded value can still be corrected.
  t.equal((await app.inject({ method: 'PUT', url: `/v1/indicators/${indicator.id}/values/2026-Q1`, payload: { value: 4 } })).statusCode, 200);
});

t.test("a plan without reports or indicator values may still move its period freely", async (t) => {
  const app = await build(t);
  const { plan } = await approvedTask(app);
  const res = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { periodStart: '2026-12-01', periodEnd: '2026-12-31' } });
  t.equal(res.statusCode, 200);
  t.match(json(res), { periodStart: '2026-12-01', periodEnd: '2026-12-31' });
});

t.test('a reporting period already outside the plan (recorded under an older rule) does not block changing the period', async (t) => {
  const app = await build(t, testClock('2026-11-28T09:00:00.000Z'));
  const { plan } = await approvedTask(app);
  const indicator = json(
    await app.inject({ method: 'POST', url: '/v1/indicators', payload: { planId: plan.id, name: 'Tractors', unit: 'units', baseline: 0, target: 10 } }),
  );
  t.equal((await app.inject({ method: 'PUT', url: `/v1/indicators/${indicator.id}/values/2026-Q1`, payload: { value: 3 } })).statusCode, 200);
  // As a plan whose start was moved past Q1 before the rule existed.
  app.sqlite.prepare("UPDATE plans SET period_start = '2026-07-01' WHERE id = ?").run(plan.id);
  const res = await app.inject({ method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { periodStart: '2026-08-01' } });
  t.equal(res.statusCode, 200, 'the change leaves out nothing that was inside');
  await refused(t, app, { method: 'PATCH', url: `/v1/plans/${plan.id}`, payload: { periodEnd: '2026-06-30' } }, 400, 'validation-failed');
});
