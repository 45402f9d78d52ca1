// Read-only links are the secretariat's (POLICY: listShareLinks, getShareLink); their history is in the whole history,
// which only the secretariat and co-chairs read (listHistory). A plan's history, which every key reads, must not hand
// their names, prefixes, scope and expiry to ministry and observer keys.
import t from 'tap';
import { build, json } from '../helper.js';
import { seedWorld } from './world.js';

t.test("a plan's history shows its read-only links to the secretariat only", async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/share-links',
    payload: { name: 'Co-chair BY — office', kind: 'progress_report', planId: w.plan.id },
  });
  t.equal(res.statusCode, 201);
  const link = json(res);
  await app.inject({ method: 'DELETE', url: `/v1/share-links/${link.id}` });

  for (const role of ['ministry', 'observer'] as const) {
    const headers = w.keys[role].headers;
    t.equal((await app.inject({ method: 'GET', url: `/v1/share-links/${link.id}`, headers })).statusCode, 403, `${role}: the link itself is refused`);
    for (const url of [`/v1/plans/${w.plan.id}/history?entityType=share_link`, `/v1/plans/${w.plan.id}/history?limit=200`]) {
      const history = await app.inject({ method: 'GET', url, headers });
      t.equal(history.statusCode, 200, `${role}: ${url} is readable`);
      t.notOk(history.body.includes(link.id), `${role}: ${url} does not show the link`);
      t.notOk(history.body.includes(link.prefix), `${role}: ${url} does not show the link's prefix`);
    }
  }
  for (const role of ['secretariat', 'co_chair'] as const) {
    const seen = json(await app.inject({ method: 'GET', url: `/v1/plans/${w.plan.id}/history?entityType=share_link`, headers: w.keys[role].headers }));
    t.equal(seen.items.length, 2, `${role}: still sees the creation and the revocation, as in GET /v1/history`);
  }
});
