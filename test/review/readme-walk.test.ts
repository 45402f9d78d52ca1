// Defects met while following the README literally, as a new secretariat operator and a ministry integrator would.
import { request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { asSecretariat, build, keyFor, snapshot } from '../helper.js';

// README, Configuration: every variable has a default, and "an invalid value stops the start with a message naming
// it". src/config.ts counts an empty variable (`RATE_LIMIT_MAX=` in a compose file) as unset — but only for some of
// them: an empty or blank PORT, BODY_LIMIT, RATE_LIMIT_MAX or AUTH_FAILURE_MAX was coerced to the number 0, so
// `RATE_LIMIT_MAX=` silently turned the rate limit off and `PORT=` listened on a random port. A blank WEBHOOK_LOG_DAYS
// (" ") likewise became 0, "keep every delivery forever".
t.test('an empty or blank numeric variable counts as unset, never as 0', async (t) => {
  const defaults = loadConfig({});
  for (const blank of ['', ' ', '\t']) {
    const config = loadConfig({
      PORT: blank,
      BODY_LIMIT: blank,
      RATE_LIMIT_MAX: blank,
      AUTH_FAILURE_MAX: blank,
      WEBHOOK_TIMEOUT_MS: blank,
      WEBHOOK_POLL_MS: blank,
      WEBHOOK_MAX_ATTEMPTS: blank,
      WEBHOOK_LOG_DAYS: blank,
      RESPONSE_CACHE_MB: blank,
      REPORT_WORKER_MIN_TASKS: blank,
      REPORT_PARTS_MIN_TASKS: blank,
    });
    t.strictSame(config, defaults, `${JSON.stringify(blank)} gives the defaults`);
  }
  t.equal(loadConfig({ RATE_LIMIT_MAX: '0' }).rateLimitMax, 0, 'an explicit 0 still turns the limit off');
  t.equal(loadConfig({ PORT: '0' }).port, 0, 'an explicit PORT=0 still asks for any free port');
  t.equal(loadConfig({ PORT: ' 8080 ' }).port, 8080, 'surrounding blanks are ignored');
  t.throws(() => loadConfig({ RATE_LIMIT_MAX: 'none' }), { message: /RATE_LIMIT_MAX: / }, 'a word is still refused');
});

// README, A walk through the demo plan: its `curl` function adds the secretariat's `Authorization` to every call,
// and the next section says to submit a progress report "as a ministry key". Adding the ministry's header to that
// function sends two Authorization headers; Node keeps the first and drops the rest, so the request ran as the
// secretariat (here: created an organization) though the caller meant the other key — or, the other way round, as a
// ministry the caller meant to leave. Authorization is a singleton field (RFC 9110 §11.6.2): two of them are an
// ambiguous credential, refused like a malformed one, and nothing is written.
t.test('two Authorization headers are refused with 401 invalid_request and change nothing', async (t) => {
  const app = await build(t);
  const observer = await keyFor(app, 'observer');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const before = snapshot(app);
  const send = (headers: string[]) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const body = JSON.stringify({ name: 'Two keys at once', kind: 'other', country: 'BY' });
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/v1/organizations', headers: ['host', `127.0.0.1:${port}`, ...headers, 'content-type', 'application/json'] },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
        },
      );
      req.on('error', reject).end(body);
    });
  for (const order of [
    [asSecretariat.authorization, observer.headers.authorization],
    [observer.headers.authorization, asSecretariat.authorization],
    [asSecretariat.authorization, asSecretariat.authorization],
  ]) {
    const res = await send(order.flatMap((value) => ['Authorization', value]));
    t.equal(res.status, 401, `refused: ${res.body}`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(JSON.parse(res.body), { status: 401, code: 'unauthorized' });
    t.match(res.headers['www-authenticate'], /error="invalid_request"/);
  }
  t.strictSame(snapshot(app), before, 'no organization was created');
  const one = await send(['Authorization', asSecretariat.authorization]);
  t.equal(one.status, 201, `one header still works: ${one.body}`);
});

t.test('refusals read as English: "an observer key", and no claim that a refused Idempotency-Key marks a non-idempotent operation', async (t) => {
  const app = await build(t);
  const observer = await keyFor(app, 'observer');
  const res = await app.inject({ method: 'POST', url: '/v1/organizations', headers: observer.headers, payload: { name: 'X', kind: 'other', country: 'BY' } });
  t.equal(res.statusCode, 403);
  t.match(JSON.parse(res.body).detail, /^an observer key may not createOrganization/);
  // Import preview refuses the key too, although it writes nothing: "it is not idempotent" was wrong there.
  const keyed = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: { ...asSecretariat, 'idempotency-key': 'k-1' }, payload: { name: 'K', role: 'observer' } });
  t.equal(keyed.statusCode, 400);
  t.equal(JSON.parse(keyed.body).detail, 'POST /v1/api-keys does not take an Idempotency-Key; send it without one');
});
