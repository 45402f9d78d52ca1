// The request log holds no credential a client put in a URL by mistake: an API key as ?access_token= (as some tools
// send it), a webhook secret, or any credential-named query parameter, whatever answer the request got.
import t from 'tap';
import { buildApp, serializeRequest } from '../src/app.js';
import { logCapture } from './helper.js';

const BOOTSTRAP = 'Vt3rS9kQ2mX7pL0wZ5nB8cD1fG4hJ6yU2eR7tA9sK1o=';

t.test('an API key, a webhook secret or a credential-named parameter in a URL is masked in the request log', async (t) => {
  const { stream, text } = logCapture();
  const app = await buildApp({
    config: { databasePath: ':memory:', logLevel: 'info', bodyLimit: 64 * 1024, bootstrapToken: BOOTSTRAP, rateLimitMax: 0 },
    logger: { level: 'info', stream, serializers: { req: serializeRequest } },
  });
  t.teardown(() => app.close());
  const auth = { authorization: `Bearer ${BOOTSTRAP}` };
  const created = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: auth, payload: { name: 'Observer', role: 'observer' } });
  const { token } = created.json<{ token: string }>();
  t.match(token, /^cpt_/);
  const webhookSecret = 'whsec_dGhpcyBpcyBhIHdlYmhvb2sgc2VjcmV0IG9mIDMyIGI=';

  const urls = [
    `/v1/tasks?access_token=${token}`,
    `/v1/tasks?limit=5&api_key=${encodeURIComponent(token)}`,
    `/v1/tasks/${token}`,
    `/v1/webhooks?secret=${encodeURIComponent(webhookSecret)}`,
    `/v1/webhooks/${webhookSecret}`,
    `/v1/commissions?token=${encodeURIComponent(BOOTSTRAP)}`,
    `/v1/commissions?password=hunter2-the-operator`,
  ];
  for (const url of urls) await app.inject({ method: 'GET', url, headers: auth });

  const log = text();
  t.match(log, /"url":"\/v1\/tasks\?access_token=\[secret\]"/, 'the request is logged, the value masked');
  for (const secret of [token.slice(4, 20), webhookSecret.slice(6, 20), encodeURIComponent(BOOTSTRAP).slice(0, 16), 'hunter2']) {
    t.notOk(log.includes(secret), `no line carries ${secret.slice(0, 4)}…`);
  }
  t.match(log, /"url":"\/v1\/tasks\?limit=5&api_key=\[secret\]"/, 'the other parameters stay readable');
});

t.test('a webhook secret is masked whole, its "/" and "+" too, and a key after an encoded space or "=" as well', async (t) => {
  const { withoutSecrets } = await import('../src/lib/http.js');
  // Standard base64: one secret in two holds a "/", and the part after it is half of the secret.
  const secret = 'whsec_MfKQ9r8GKYqr/TwjUPD8ILPZIo2+LaLaSw1PNo4LN8uOk=';
  for (const url of [`/v1/tasks?q=${secret}`, `/v1/webhooks/${secret}`]) {
    const shown = withoutSecrets(url);
    t.notOk(shown.includes('TwjUPD8'), `${shown} shows no part of the secret`);
    t.notOk(shown.includes('LaLaSw1'), `${shown} shows no part of the secret`);
  }
  const key = 'cpt_Qm9yZ2V0TWVOb3QuLi5UaGlzSXNBbkV4YW1wbGU';
  for (const url of [`/v1/tasks?q=Bearer%20${key}`, `/v1/tasks?filter=key%3D${key}`, `/v1/tasks?q=Bearer+${key}`]) {
    t.notOk(withoutSecrets(url).includes('Qm9yZ2V0'), `${withoutSecrets(url)} shows no part of the key`);
  }
});
