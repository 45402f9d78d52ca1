// DESIGN.md §3: "co_chair — read everything". The keys and read-only links too (never their secrets); the webhook
// subscriptions not, whose URLs may carry a receiver's credentials.
import t from 'tap';
import { build, json, refused } from '../helper.js';
import { seedWorld } from './world.js';

t.test('a co-chair key reads the API keys and the read-only links, and changes none of them', async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  const headers = w.keys.co_chair.headers;
  const link = json(await app.inject({ method: 'POST', url: '/v1/share-links', payload: { name: 'Co-chair BY — office', kind: 'calendar', planId: w.plan.id } }));
  t.type(link.id, 'string', 'the secretariat created a link');

  const keys = json(await app.inject({ method: 'GET', url: '/v1/api-keys', headers }));
  t.ok(keys.items.length >= 4, 'the keys are listed');
  t.notOk(JSON.stringify(keys).includes('"token"'), 'without their secrets');
  t.equal((await app.inject({ method: 'GET', url: `/v1/api-keys/${w.keys.ministry.id}`, headers })).statusCode, 200, 'one key is read');
  const links = json(await app.inject({ method: 'GET', url: '/v1/share-links', headers }));
  t.strictSame(links.items.map((l: { id: string }) => l.id), [link.id], 'the links are listed');
  t.notOk(JSON.stringify(links).includes(link.url), 'without their secret URLs');
  t.equal((await app.inject({ method: 'GET', url: `/v1/share-links/${link.id}`, headers })).statusCode, 200, 'one link is read');

  await refused(t, app, { method: 'POST', url: '/v1/api-keys', headers, payload: { name: 'mine', role: 'secretariat' } }, 403, 'forbidden');
  await refused(t, app, { method: 'DELETE', url: `/v1/api-keys/${w.keys.ministry.id}`, headers }, 403, 'forbidden');
  await refused(t, app, { method: 'DELETE', url: `/v1/share-links/${link.id}`, headers }, 403, 'forbidden');
  await refused(t, app, { method: 'GET', url: '/v1/webhooks', headers }, 403, 'forbidden');
  for (const role of ['observer', 'ministry'] as const) {
    await refused(t, app, { method: 'GET', url: '/v1/api-keys', headers: w.keys[role].headers }, 403, 'forbidden');
    await refused(t, app, { method: 'GET', url: '/v1/share-links', headers: w.keys[role].headers }, 403, 'forbidden');
  }
});
