// Tests of /v1/webhooks subscriptions: the secret shown once, who manages which subscription, URL checks, history.
import t from 'tap';
import type { InjectOptions } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { build, json, keyFor, refused, snapshot } from '../helper.js';
import { createOrganization, seedPlan } from '../factories.js';
import { subscribe, webhookApp } from './receiver.js';
import { authorizeObject, POLICY, type Actor } from '../../src/lib/access.js';
import { createWebhookService } from '../../src/modules/webhooks/webhooks.service.js';
import { objectOwners } from '../../src/plugins/auth.js';

const URL_OK = 'http://127.0.0.1:9/hooks';
const MISSING_ID = '019a7c2e-0000-7000-8000-00000000dead';
const create = (payload: object, headers: Record<string, string> = {}): InjectOptions => ({ method: 'POST', url: '/v1/webhooks', payload, headers });

t.test('a subscription is created with a Standard Webhooks secret shown once; reads never show it', async (t) => {
  const app = await webhookApp(t);
  const { by } = await seedPlan(app);
  const res = await app.inject(create({ url: URL_OK, events: ['task.created', 'task.overdue'], organizationId: by.id, description: 'EDO of Minprom' }));
  t.equal(res.statusCode, 201);
  const created = json(res);
  t.match(res.headers.location, `/v1/webhooks/${created.id}`);
  t.match(created.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'whsec_ and base64 of 32 bytes');
  t.doesNotThrow(() => new Webhook(created.secret), 'a Standard Webhooks library accepts it');
  t.match(created, {
    url: URL_OK,
    events: ['task.created', 'task.overdue'],
    organizationId: by.id,
    description: 'EDO of Minprom',
    active: true,
    disabledReason: null,
    consecutiveFailures: 0,
  });

  const read = await app.inject({ method: 'GET', url: `/v1/webhooks/${created.id}` });
  t.equal(read.statusCode, 200);
  t.ok(read.headers.etag, 'an ETag');
  t.notOk('secret' in json(read), 'the secret is not read back');
  t.notMatch(read.body, created.secret.slice(6, 20));
  const list = json(await app.inject({ method: 'GET', url: '/v1/webhooks' }));
  t.equal(list.items.length, 1);
  t.notMatch(JSON.stringify(list), created.secret.slice(6, 20), 'nor listed');
  const history = json(await app.inject({ method: 'GET', url: '/v1/history?entityType=webhook_subscription' }));
  t.equal(history.items.length, 1, 'the creation is in the history');
  t.equal(history.items[0].operation, 'createWebhook');
  t.notMatch(JSON.stringify(history), created.secret.slice(6, 20), 'without the secret');
  t.equal(app.sqlite.prepare('SELECT secret FROM webhook_subscriptions').pluck().get(), created.secret, 'stored as issued: signing needs it');

  const again = await app.inject({ ...create({ url: URL_OK, events: ['task.created'] }), headers: { 'idempotency-key': 'k-1' } });
  t.equal(again.statusCode, 400, 'no Idempotency-Key: a replay would have to show the secret again');
});

t.test('update, pause, activate, rotate the secret and delete; If-Match guards changes', async (t) => {
  const app = await webhookApp(t);
  const sub = await subscribe(app, { url: URL_OK, events: ['task.created'] });
  const read = await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` });

  const patch = (payload: object, headers: Record<string, string> = {}) =>
    app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload, headers });
  const changed = await patch({ events: ['task.created', 'report.reviewed'], url: 'http://127.0.0.1:10/other', description: 'Renamed' }, { 'if-match': String(read.headers.etag) });
  t.equal(changed.statusCode, 200);
  t.match(json(changed), { events: ['task.created', 'report.reviewed'], url: 'http://127.0.0.1:10/other', description: 'Renamed' });
  await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: false }, headers: { 'if-match': String(read.headers.etag) } }, 412, 'precondition-failed');
  t.equal(json(await patch({ active: false })).active, false, 'paused');
  t.equal(json(await patch({ active: true })).active, true, 'active again');
  await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: {} }, 400, 'validation-failed');
  await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { events: [] } }, 400, 'validation-failed');
  await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { events: ['task.created', 'task.created'] } }, 400, 'validation-failed');
  await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { events: ['webhook.test'] } }, 400, 'validation-failed');
  await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { secret: 'whsec_x' } }, 400, 'validation-failed');

  const rotated = await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/rotate-secret` });
  t.equal(rotated.statusCode, 200);
  const r = json(rotated);
  t.match(r.secret, /^whsec_/);
  t.not(r.secret, sub.secret, 'a new secret');
  t.equal(r.previousSecretExpiresAt, '2026-11-29T09:00:00.000Z', 'the previous one signs for another 24 hours');

  const operations = json(await app.inject({ method: 'GET', url: '/v1/history?entityType=webhook_subscription' })).items.map((e: any) => e.operation);
  t.strictSame(operations, ['createWebhook', 'updateWebhook', 'updateWebhook', 'updateWebhook', 'rotateWebhookSecret']);

  const deleted = await app.inject({ method: 'DELETE', url: `/v1/webhooks/${sub.id}` });
  t.equal(deleted.statusCode, 204);
  await refused(t, app, { method: 'GET', url: `/v1/webhooks/${sub.id}` }, 404, 'not-found');
  await refused(t, app, { method: 'DELETE', url: `/v1/webhooks/${sub.id}` }, 404, 'not-found');
  await refused(t, app, { method: 'POST', url: `/v1/webhooks/${MISSING_ID}/test` }, 404, 'not-found');
});

t.test('the history keeps a webhook URL’s origin only: a token in its path or query is never written there nor shown', async (t) => {
  const app = await webhookApp(t);
  const coChair = await keyFor(app, 'co_chair');
  const secretUrl = (token: string) => `http://127.0.0.1:9/services/T01/B02/path-${token}?token=query-${token}`;
  const sub = await subscribe(app, { url: secretUrl('s3cr3t-one'), events: ['task.created'] });
  const patched = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { url: secretUrl('s3cr3t-two') } });
  t.equal(patched.statusCode, 200);
  t.equal(json(patched).url, secretUrl('s3cr3t-two'), 'the subscription itself keeps and shows its whole URL');
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/webhooks/${sub.id}` })).statusCode, 204);

  const stored = app.sqlite.prepare("SELECT changes FROM change_history WHERE entity_type = 'webhook_subscription'").pluck().all().join('\n');
  t.notMatch(stored, /s3cr3t/, 'not written to the append-only history');
  for (const [who, headers] of [['secretariat', {}], ['co-chair', coChair.headers]] as const) {
    const res = await app.inject({ method: 'GET', url: '/v1/history?entityType=webhook_subscription', headers });
    t.equal(res.statusCode, 200);
    t.notMatch(res.body, /s3cr3t/, `${who}: no token shown`);
    const urls = json(res).items.map((e: any) => e.changes.find((c: any) => c.field === 'url'));
    t.strictSame(
      urls.map((c: any) => c && [c.before, c.after]),
      [
        [null, 'http://127.0.0.1:9/…'],
        ['http://127.0.0.1:9/…', 'http://127.0.0.1:9/…'],
        ['http://127.0.0.1:9/…', null],
      ],
      `${who}: a change of the token alone is still a recorded change of the URL`,
    );
  }

  // An entry written before the rule (a whole URL in the stored history) is shown the same way.
  // (History is append-only: the entry is added as it was written then.)
  app.sqlite
    .prepare(
      `INSERT INTO change_history (id, at, actor_key_id, actor_role, actor_organization_id, operation, entity_type, entity_id, plan_id, task_id, changes)
       SELECT ?, at, actor_key_id, actor_role, actor_organization_id, 'updateWebhook', entity_type, entity_id, plan_id, task_id, ?
       FROM change_history WHERE entity_type = 'webhook_subscription' AND operation = 'createWebhook'`,
    )
    .run('019a7c2e-0000-7000-8000-0000000001d0', JSON.stringify([{ field: 'url', before: secretUrl('s3cr3t-old'), after: secretUrl('s3cr3t-older') }]));
  const old = await app.inject({ method: 'GET', url: '/v1/history?entityId=' + sub.id, headers: coChair.headers });
  t.notMatch(old.body, /s3cr3t/, 'an older entry with a whole URL: shown without its token');
  t.match(json(old).items.find((e: any) => e.id === '019a7c2e-0000-7000-8000-0000000001d0'), { changes: [{ field: 'url', before: 'http://127.0.0.1:9/…', after: 'http://127.0.0.1:9/…' }] });
  // A URL at the root with nothing after it hides nothing.
  const plain = await subscribe(app, { url: 'http://127.0.0.1:9/', events: ['task.created'] });
  const entry = json(await app.inject({ method: 'GET', url: `/v1/history?entityId=${plain.id}` })).items[0];
  t.equal(entry.changes.find((c: any) => c.field === 'url').after, 'http://127.0.0.1:9/');
});

t.test('a disabled subscription’s reason quoting where a receiver redirected to is kept in the history without the URL’s token', async (t) => {
  const app = await webhookApp(t);
  const coChair = await keyFor(app, 'co_chair');
  const sub = await subscribe(app, { url: 'http://127.0.0.1:9/hook', events: ['task.created'] });
  // As the worker disables it after a redirect (describeStatus quotes the Location).
  const reason = 'disabled after 12 failed attempts; last: HTTP 302 Found: redirects are not followed (to https://hooks.example/in/T01/s3cr3t-loc?token=s3cr3t-q); subscribe the final URL';
  app.sqlite.prepare("UPDATE webhook_subscriptions SET active = 0, disabled_reason = ?, disabled_at = '2026-11-20T00:00:00.000Z' WHERE id = ?").run(reason, sub.id);
  const reactivated = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { active: true } });
  t.equal(reactivated.statusCode, 200);
  const stored = app.sqlite.prepare("SELECT changes FROM change_history WHERE entity_type = 'webhook_subscription'").pluck().all().join('\n');
  t.notMatch(stored, /s3cr3t/, 'not written to the append-only history');
  const res = await app.inject({ method: 'GET', url: `/v1/history?entityId=${sub.id}`, headers: coChair.headers });
  t.notMatch(res.body, /s3cr3t/, 'nor shown to a co-chair');
  const change = json(res).items.flatMap((e: any) => e.changes).find((c: any) => c.field === 'disabledReason');
  t.strictSame(
    [change.before, change.after],
    ['disabled after 12 failed attempts; last: HTTP 302 Found: redirects are not followed (to https://hooks.example/…); subscribe the final URL', null],
    'the reason is kept, its URL as its origin',
  );
});

t.test('a ministry key manages only its own organization’s subscriptions; co-chairs and observers none', async (t) => {
  const app = await webhookApp(t);
  const { by, kz } = await seedPlan(app);
  const byKey = await keyFor(app, 'ministry', by.id);
  const kzKey = await keyFor(app, 'ministry', kz.id);

  const own = json(await app.inject(create({ url: URL_OK, events: ['task.status_changed'] }, byKey.headers)));
  t.equal(own.organizationId, by.id, 'the organization filter is forced to the key’s own organization');
  const explicit = await app.inject(create({ url: URL_OK, events: ['task.created'], organizationId: by.id }, byKey.headers));
  t.equal(explicit.statusCode, 201, 'naming its own organization is fine');
  await refused(t, app, create({ url: URL_OK, events: ['task.created'], organizationId: kz.id }, byKey.headers), 403, 'forbidden');
  await refused(t, app, create({ url: URL_OK, events: ['task.created'], organizationId: null }, byKey.headers), 403, 'forbidden');
  const kzSub = await subscribe(app, { url: URL_OK, events: ['task.created'] }, kzKey.headers);
  const global = await subscribe(app, { url: URL_OK, events: ['task.created'] });
  t.equal(global.organizationId, null, 'the secretariat may subscribe to every organization');

  const byList = json(await app.inject({ method: 'GET', url: '/v1/webhooks', headers: byKey.headers }));
  t.strictSame(byList.items.map((s: any) => s.organizationId), [by.id, by.id], 'a ministry lists its own only');
  const asked = json(await app.inject({ method: 'GET', url: `/v1/webhooks?organizationId=${kz.id}`, headers: byKey.headers }));
  t.strictSame(asked.items, [], 'asking for another organization’s lists nothing');
  t.equal(json(await app.inject({ method: 'GET', url: '/v1/webhooks' })).items.length, 4, 'the secretariat sees all');
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/webhooks?organizationId=${kz.id}` })).items.length, 1, 'and filters');

  for (const other of [kzSub, global]) {
    const requests: InjectOptions[] = [
      { method: 'GET', url: `/v1/webhooks/${other.id}` },
      { method: 'PATCH', url: `/v1/webhooks/${other.id}`, payload: { active: false } },
      { method: 'DELETE', url: `/v1/webhooks/${other.id}` },
      { method: 'POST', url: `/v1/webhooks/${other.id}/rotate-secret` },
      { method: 'POST', url: `/v1/webhooks/${other.id}/test` },
      { method: 'GET', url: `/v1/webhooks/${other.id}/deliveries` },
    ];
    for (const r of requests) await refused(t, app, { ...r, headers: byKey.headers }, 403, 'forbidden');
  }
  await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${own.id}`, payload: { organizationId: kz.id }, headers: byKey.headers }, 403, 'forbidden');
  const moved = await app.inject({ method: 'PATCH', url: `/v1/webhooks/${global.id}`, payload: { organizationId: kz.id } });
  t.equal(json(moved).organizationId, kz.id, 'the secretariat may move a subscription to an organization');
  await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${global.id}`, payload: { organizationId: MISSING_ID } }, 422, 'unknown-reference');
  await refused(t, app, create({ url: URL_OK, events: ['task.created'], organizationId: MISSING_ID }), 422, 'unknown-reference');

  const ownDelete = await app.inject({ method: 'DELETE', url: `/v1/webhooks/${own.id}`, headers: byKey.headers });
  t.equal(ownDelete.statusCode, 204, 'its own it may delete');

  for (const role of ['co_chair', 'observer'] as const) {
    const key = await keyFor(app, role);
    await refused(t, app, { method: 'GET', url: '/v1/webhooks', headers: key.headers }, 403, 'forbidden');
    await refused(t, app, { ...create({ url: URL_OK, events: ['task.created'] }), headers: key.headers }, 403, 'forbidden');
    await refused(t, app, { method: 'GET', url: `/v1/webhooks/${global.id}`, headers: key.headers }, 403, 'forbidden');
  }
  await refused(t, app, { method: 'GET', url: '/v1/webhooks', headers: { authorization: undefined } as never }, 401, 'unauthorized');
});

t.test('target URLs: link-local and metadata never; private and loopback only with WEBHOOK_ALLOW_PRIVATE', async (t) => {
  const strict = await build(t);
  const lenient = await webhookApp(t);
  const never = [
    'http://169.254.169.254/latest/meta-data/',
    'http://169.254.10.1/hook',
    'http://[fe80::1]/hook',
    'http://[fd00:ec2::254]/hook',
    'http://0.0.0.0/hook',
    'http://[::]/hook',
    'http://224.0.0.1/hook',
    'http://[ff02::1]/hook',
    'http://255.255.255.255/hook',
    'http://[::ffff:169.254.169.254]/hook',
  ];
  const privateOnly = [
    'http://127.0.0.1:8080/hook',
    'http://localhost:8080/hook',
    'http://10.0.0.5/hook',
    'http://172.16.3.4/hook',
    'http://192.168.1.10/hook',
    'http://[::1]:8080/hook',
    'http://[fd12:3456::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://2130706433/hook',
  ];
  const malformed = ['ftp://203.0.113.7/hook', 'https://user:secret@203.0.113.7/hook', 'https://203.0.113.7/hook#frag', 'not a url', 'file:///etc/passwd'];
  for (const url of never) {
    for (const app of [strict, lenient]) {
      const body = await refused(t, app, create({ url, events: ['task.created'] }), 422, 'invalid-value');
      t.match(body.detail, /never allowed/, `${url}: ${body.detail}`);
      t.equal(body.errors[0].path, 'body.url');
    }
  }
  for (const url of privateOnly) {
    const body = await refused(t, strict, create({ url, events: ['task.created'] }), 422, 'invalid-value');
    t.match(body.detail, /WEBHOOK_ALLOW_PRIVATE=true/, `${url} refused by default: ${body.detail}`);
    const res = await lenient.inject(create({ url, events: ['task.created'] }));
    t.equal(res.statusCode, 201, `${url} allowed with the flag`);
  }
  for (const url of malformed) await refused(t, lenient, create({ url, events: ['task.created'] }), 422, 'invalid-value');
  const publicIp = await strict.inject(create({ url: 'https://203.0.113.7:8443/hooks/tracker', events: ['task.created'] }));
  t.equal(publicIp.statusCode, 201, 'a public address is fine without the flag');
  t.equal(json(publicIp).url, 'https://203.0.113.7:8443/hooks/tracker');
  const sub = json(publicIp);
  await refused(t, strict, { method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { url: 'http://169.254.169.254/' } }, 422, 'invalid-value');
  await refused(t, strict, { method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { url: 'http://10.1.1.1/' } }, 422, 'invalid-value');
});

t.test('a refused creation changes nothing, and bad bodies are 400', async (t) => {
  const app = await webhookApp(t);
  const before = snapshot(app);
  for (const payload of [
    {},
    { url: URL_OK },
    { url: URL_OK, events: ['task.exploded'] },
    { url: URL_OK, events: ['task.created'], extra: 1 },
    { url: `http://127.0.0.1/${'a'.repeat(2100)}`, events: ['task.created'] },
  ]) {
    const res = await app.inject(create(payload));
    t.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 80));
  }
  t.strictSame(snapshot(app), before, 'nothing changed');
  const org = await createOrganization(app, { name: 'Ministry of Energy', country: 'KZ' });
  t.ok(org.id);
});

t.test('a subscription moved to another organization while its new URL is being checked is no longer the ministry’s to change', async (t) => {
  const app = await webhookApp(t);
  const { by, kz } = await seedPlan(app);
  const byKey = await keyFor(app, 'ministry', by.id);
  const sub = await subscribe(app, { url: URL_OK, events: ['task.status_changed'] }, byKey.headers);
  // The DNS look-up of the new URL is where the update waits: the secretariat moves the subscription meanwhile.
  const service = createWebhookService({
    db: app.db,
    clock: app.clock,
    allowPrivate: true,
    logDays: app.webhooks.settings.logDays,
    resolve: async () => {
      app.sqlite.prepare('UPDATE webhook_subscriptions SET organization_id = ? WHERE id = ?').run(kz.id, sub.id);
      return [{ address: '127.0.0.1', family: 4 }];
    },
  });
  const actor: Actor = { keyId: byKey.id, role: 'ministry', organizationId: by.id };
  const patch = { url: 'http://receiver.ministry.test:9/hooks' };
  const facts = { params: { id: sub.id }, body: patch };
  const ctx = { actor, authorizeAgain: () => authorizeObject(POLICY.updateWebhook, actor, facts, objectOwners(app.db)) };
  t.doesNotThrow(() => authorizeObject(POLICY.updateWebhook, actor, facts, objectOwners(app.db)), 'the ministry’s own before the look-up');
  await t.rejects(service.update(sub.id, patch, ctx), /belongs to another organization/, 'checked again inside the write');
  const after = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` }));
  t.equal(after.url, URL_OK, 'the URL is unchanged');
  t.equal(after.organizationId, kz.id);
});

t.test('a subscription keeps its organization once an event was queued for it: its log and secret stay with that organization', async (t) => {
  const app = await webhookApp(t);
  const { by, kz } = await seedPlan(app);
  const byKey = await keyFor(app, 'ministry', by.id);
  const kzKey = await keyFor(app, 'ministry', kz.id);
  const sub = await subscribe(app, { url: URL_OK, events: ['task.status_changed'], organizationId: by.id });
  const patch = (payload: object, headers: Record<string, string> = {}): InjectOptions => ({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload, headers });

  // Nothing queued yet: a mistaken organization can still be corrected, either way.
  t.equal(json(await app.inject(patch({ organizationId: kz.id }))).organizationId, kz.id, 'moved while it has no deliveries');
  t.equal(json(await app.inject(patch({ organizationId: null }))).organizationId, null);
  t.equal(json(await app.inject(patch({ organizationId: by.id }))).organizationId, by.id);

  const ping = await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test`, headers: byKey.headers });
  t.equal(ping.statusCode, 202, 'a test event queued for BY');
  for (const organizationId of [kz.id, null]) {
    const problem = await refused(t, app, patch({ organizationId }), 409, 'webhook-has-deliveries');
    t.match(problem.detail, `deliveries for organization ${by.id}`, 'the problem names the organization it stays with');
    t.strictSame(problem.errors, [{ path: 'body.organizationId', message: 'cannot change once the subscription has deliveries' }]);
  }
  await refused(t, app, { method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries`, headers: kzKey.headers }, 403, 'forbidden');
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}/deliveries`, headers: byKey.headers })).items.length, 1, 'BY keeps its log');

  // Naming the organization it already has is no move: the rest of the change goes through.
  const same = await app.inject(patch({ organizationId: by.id, description: 'EDO of Minprom' }));
  t.equal(same.statusCode, 200);
  t.equal(json(same).description, 'EDO of Minprom');
  const own = await app.inject(patch({ organizationId: by.id, active: false }, byKey.headers));
  t.equal(own.statusCode, 200, 'so does the ministry naming its own');

  // A subscription for every organization with deliveries is not narrowed to one either.
  const global = await subscribe(app, { url: URL_OK, events: ['task.created'] });
  await app.inject({ method: 'POST', url: `/v1/webhooks/${global.id}/test` });
  const narrowed = await refused(t, app, { method: 'PATCH', url: `/v1/webhooks/${global.id}`, payload: { organizationId: kz.id } }, 409, 'webhook-has-deliveries');
  t.match(narrowed.detail, 'deliveries for every organization');
});
