// Security review: a webhook URL is bounded in the form it is stored and shown, not only as sent.
import t from 'tap';
import { build } from './helper.js';

t.test('a webhook URL within the length limit that the URL parser lengthens (percent-encoding) is refused, not stored to break every read', async (t) => {
  const app = await build(t, undefined, { webhookPollMs: 0 });
  // 622 characters as sent; "é" becomes %C3%A9, so the parsed href is 3,622 characters, over the 2,048 of the schema.
  // Before the fix: 500 on creation (after the commit: the secret was lost) and 500 on every list and read after.
  const url = `http://93.184.216.34/${'é'.repeat(600)}`;
  const created = await app.inject({ method: 'POST', url: '/v1/webhooks', payload: { url, events: ['task.created'] } });
  t.equal(created.statusCode, 422, `creation answered ${created.statusCode}: ${created.body.slice(0, 200)}`);
  t.match(JSON.parse(created.body).errors, [{ path: 'body.url', message: /once encoded/ }]);
  const list = await app.inject({ method: 'GET', url: '/v1/webhooks' });
  t.equal(list.statusCode, 200, `listing answered ${list.statusCode}`);
  t.same(JSON.parse(list.body).items, [], 'nothing was stored');

  // An update is refused the same way, and leaves the subscription readable.
  const ok = await app.inject({ method: 'POST', url: '/v1/webhooks', payload: { url: 'http://93.184.216.34/hook', events: ['task.created'] } });
  t.equal(ok.statusCode, 201);
  const id = JSON.parse(ok.body).id as string;
  const patched = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${id}`, payload: { url } });
  t.equal(patched.statusCode, 422, "refused like any other URL the service will not send to");
  t.equal((await app.inject({ method: 'GET', url: `/v1/webhooks/${id}` })).statusCode, 200);
});
