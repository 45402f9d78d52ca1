// A later page of each list seeks past its cursor in an index, rather than walking the list from its first row (or
// sorting all of it) on every page; paging through the list still gives every row once, in order. The task list has
// its own test (task-list-seek.test.ts).
import t from 'tap';
import { build, testClock } from '../helper.js';
import { everyRow, pagedWithPlan } from './list-pages.js';
import { createCommission, createMeeting, createOrganization, createPlan, seedPlan } from '../factories.js';

t.test("a later page of a plan's indicators seeks past its cursor in the (plan, id) index, instead of walking the plan from its first indicator", async (t) => {
  const app = await build(t, testClock());
  const seed = await seedPlan(app);
  const other = await createPlan(app, seed.commission.id, { title: 'Another plan' });
  for (let i = 0; i < 5; i++) {
    for (const planId of [seed.plan.id, other.id]) {
      const res = await app.inject({ method: 'POST', url: '/v1/indicators', payload: { planId, name: `Indicator ${i}`, unit: 'units', baseline: 0, target: 10 } });
      t.equal(res.statusCode, 201, res.body);
    }
  }
  for (const url of [`/v1/indicators?planId=${seed.plan.id}`, '/v1/indicators']) {
    const { rows, pages, plan } = await pagedWithPlan(app, url, 'indicators');
    t.strictSame(rows.map((r) => r.id), (await everyRow(app, url)).map((r) => r.id), `${url}: pages of 2 list every indicator once, in order`);
    t.equal(rows.length, url.includes('planId') ? 5 : 10);
    t.ok(pages > 2, `${url}: ${pages} pages`);
    t.match(plan, /SEARCH indicators USING INDEX indicators_plan_idx \((plan_id=\? AND id>\?|\(plan_id,id\)>\(\?,\?\))\)/, `${url}: ${plan}`);
  }
});

t.test('a later page of the organizations, by name, seeks past its cursor in an index, instead of sorting every organization (of the country) for each page', async (t) => {
  const app = await build(t, testClock());
  // Names out of creation order, a shared name across countries (names are unique within one), kinds mixed.
  for (const [name, country, kind] of [
    ['Minprom', 'BY', 'ministry'],
    ['BelAZ', 'BY', 'enterprise'],
    ['MTZ', 'BY', 'enterprise'],
    ['Minprom', 'KZ', 'ministry'],
    ['Gomselmash', 'BY', 'enterprise'],
    ['KazAgro', 'KZ', 'agency'],
    ['Agromash', 'KZ', 'enterprise'],
  ] as const) {
    await createOrganization(app, { name, country, kind });
  }
  for (const url of ['/v1/organizations', '/v1/organizations?country=BY', '/v1/organizations?kind=enterprise']) {
    const { rows, pages, plan } = await pagedWithPlan(app, url, 'organizations');
    t.strictSame(rows.map((r) => r.id), (await everyRow(app, url)).map((r) => r.id), `${url}: pages of 2 list every organization once, in order`);
    t.ok(pages > 1, `${url}: ${pages} pages`);
    t.match(plan, /^SEARCH organizations USING INDEX organizations_(name|country_name)_idx \((country=\? AND )?\(name,id\)>\(\?,\?\)\)$/, `${url}: ${plan}`);
  }
});

t.test('a later page of the meetings, by date, seeks past its cursor in an index, instead of sorting every meeting (of the commission) for each page', async (t) => {
  const app = await build(t, testClock());
  const one = await createCommission(app);
  const two = await createCommission(app, { name: 'Another commission' });
  for (const date of ['2026-11-04', '2025-03-01', '2026-11-04', '2024-06-30', '2025-03-01']) {
    await createMeeting(app, one.id, { date, kind: 'working_group' });
    await createMeeting(app, two.id, { date, kind: 'official_visit' });
  }
  for (const url of ['/v1/meetings', `/v1/meetings?commissionId=${one.id}`, '/v1/meetings?kind=working_group']) {
    const { rows, pages, plan } = await pagedWithPlan(app, url, 'meetings');
    t.strictSame(rows.map((r) => r.id), (await everyRow(app, url)).map((r) => r.id), `${url}: pages of 2 list every meeting once, in order`);
    t.ok(pages > 2, `${url}: ${pages} pages`);
    t.match(plan, /^SEARCH meetings USING INDEX meetings_(date|commission)_idx \((commission_id=\? AND )?\(date,id\)>\(\?,\?\)\)$/, `${url}: ${plan}`);
  }
});
