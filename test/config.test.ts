// The environment, parsed once: defaults when nothing is set, readable refusals of bad values.
import t from 'tap';
import { loadConfig } from '../src/config.js';

/** A well-formed bootstrap token: 43 characters of base64, as `openssl rand -base64 32` prints without padding. */
const TOKEN = 'q9V2bYk4Rz7Lw1Xc8Tn3Hs6Jd0Fg5Am2Pe7Ui4Oy1Bv';

t.test('an empty environment gives the documented defaults', async (t) => {
  t.strictSame(loadConfig({}), {
    port: 3000,
    host: '127.0.0.1',
    databasePath: './data/tracker.db',
    logLevel: 'info',
    bodyLimit: 1024 * 1024,
    bootstrapToken: undefined,
    rateLimitMax: 600,
    authFailureMax: 10,
    corsOrigins: [],
    trustProxy: false,
    webhookAllowPrivate: false,
    webhookTimeoutMs: 10_000,
    webhookPollMs: 1000,
    webhookMaxAttempts: 12,
    webhookLogDays: 90,
    responseCacheMb: 64,
    reportWorkerMinTasks: 1000,
    reportPartsMinTasks: 20000,
  });
});

t.test('set variables override the defaults', async (t) => {
  t.strictSame(
    loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_PATH: '/var/lib/tracker/db.sqlite',
      LOG_LEVEL: 'debug',
      BODY_LIMIT: '2048',
      TRACKER_BOOTSTRAP_TOKEN: TOKEN,
      RATE_LIMIT_MAX: '120',
      AUTH_FAILURE_MAX: '3',
      CORS_ORIGINS: 'https://tracker.example',
      TRUST_PROXY: 'true',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TIMEOUT_MS: '5000',
      WEBHOOK_POLL_MS: '250',
      WEBHOOK_MAX_ATTEMPTS: '5',
      WEBHOOK_LOG_DAYS: '30',
      RESPONSE_CACHE_MB: '0',
      REPORT_WORKER_MIN_TASKS: '0',
      REPORT_PARTS_MIN_TASKS: '5',
    }),
    {
      port: 8080,
      host: '0.0.0.0',
      databasePath: '/var/lib/tracker/db.sqlite',
      logLevel: 'debug',
      bodyLimit: 2048,
      bootstrapToken: TOKEN,
      rateLimitMax: 120,
      authFailureMax: 3,
      corsOrigins: ['https://tracker.example'],
      trustProxy: true,
      webhookAllowPrivate: true,
      webhookTimeoutMs: 5000,
      webhookPollMs: 250,
      webhookMaxAttempts: 5,
      webhookLogDays: 30,
      responseCacheMb: 0,
      reportWorkerMinTasks: 0,
      reportPartsMinTasks: 5,
    },
  );
});

t.test('variables the service does not know are ignored', async (t) => {
  t.equal(loadConfig({ PATH: '/usr/bin', HOME: '/root' }).port, 3000);
});

t.test('a port that is not a number is refused with a message naming PORT', async (t) => {
  t.throws(() => loadConfig({ PORT: 'abc' }), { message: /^invalid configuration: PORT: / });
});

t.test('a port out of range is refused', async (t) => {
  t.throws(() => loadConfig({ PORT: '70000' }), { message: /PORT: / });
  t.throws(() => loadConfig({ PORT: '-1' }), { message: /PORT: / });
});

t.test('an unknown log level is refused with a message naming LOG_LEVEL and the allowed levels', async (t) => {
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), { message: /^invalid configuration: LOG_LEVEL: .*info/ });
});

t.test('several bad values are all reported at once', async (t) => {
  const err = t.throws(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud' })) as Error;
  t.match(err.message, /PORT: .*; LOG_LEVEL: |LOG_LEVEL: .*; PORT: /);
});

t.test('an empty database path is refused', async (t) => {
  t.throws(() => loadConfig({ DATABASE_PATH: '' }), { message: /DATABASE_PATH: / });
});

t.test('a bootstrap token that is too short or holds a space is refused, naming the variable but not echoing the value', async (t) => {
  for (const [what, value] of [
    ['shorter than 32 characters', 'Zq7shortSecretXk2'],
    ['with a space', 'Zq7firstHalfOfTheSecret Xk2secondHalfOfTheSecret'],
  ] as const) {
    const err = t.throws(() => loadConfig({ TRACKER_BOOTSTRAP_TOKEN: value }), what) as Error;
    t.match(err.message, /^invalid configuration: TRACKER_BOOTSTRAP_TOKEN: /, `${what}: the message names the variable`);
    for (const part of value.split(' ')) t.notOk(err.message.includes(part), `${what}: the message does not echo the token`);
    t.notMatch(err.message, /Zq7|Xk2/, `${what}: not even a piece of it`);
  }
  t.equal(loadConfig({ TRACKER_BOOTSTRAP_TOKEN: TOKEN }).bootstrapToken, TOKEN, 'a token of 43 base64 characters is kept');
});

t.test('RATE_LIMIT_MAX=0 turns the limit off and is accepted; a negative limit is refused', async (t) => {
  t.equal(loadConfig({ RATE_LIMIT_MAX: '0' }).rateLimitMax, 0);
  t.throws(() => loadConfig({ RATE_LIMIT_MAX: '-1' }), { message: /RATE_LIMIT_MAX: / });
  t.throws(() => loadConfig({ AUTH_FAILURE_MAX: '0' }), { message: /AUTH_FAILURE_MAX: / }, 'failed authentications cannot be unlimited');
});

t.test('CORS_ORIGINS is a comma-separated list of origins; something that is not a URL is refused', async (t) => {
  t.strictSame(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).corsOrigins, ['https://a.example', 'https://b.example']);
  t.strictSame(loadConfig({ CORS_ORIGINS: '' }).corsOrigins, [], 'empty: no cross-origin access');
  t.throws(() => loadConfig({ CORS_ORIGINS: 'not a url' }), { message: /^invalid configuration: CORS_ORIGINS/ });
  t.throws(() => loadConfig({ CORS_ORIGINS: 'https://a.example, ftp://b.example' }), { message: /CORS_ORIGINS/ }, 'only http(s) origins');
  // The refusal says why, not only "Invalid input": an origin written with a path is the usual slip.
  t.throws(() => loadConfig({ CORS_ORIGINS: 'https://a.example/app' }), { message: /CORS_ORIGINS\.0: an origin has no path, query or fragment/ });
  t.throws(() => loadConfig({ CORS_ORIGINS: 'https://a.example, ftp://b.example' }), { message: /CORS_ORIGINS\.1: .*http/ }, 'names the scheme');
});

t.test('TRUST_PROXY reads "true" and "false"; anything else is refused', async (t) => {
  t.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
  t.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
  t.throws(() => loadConfig({ TRUST_PROXY: 'maybe' }), { message: /TRUST_PROXY: / });
});

t.test('CORS_ORIGINS keeps origins as browsers send them, and empty variables count as unset', async (t) => {
  t.strictSame(loadConfig({ CORS_ORIGINS: 'https://a.example/, http://b.example:8080' }).corsOrigins, ['https://a.example', 'http://b.example:8080']);
  t.throws(() => loadConfig({ CORS_ORIGINS: 'https://a.example/app' }), /CORS_ORIGINS/);
  t.throws(() => loadConfig({ CORS_ORIGINS: 'https://a.example/?x=1' }), /CORS_ORIGINS/);
  const config = loadConfig({ TRACKER_BOOTSTRAP_TOKEN: '', TRUST_PROXY: '' });
  t.equal(config.bootstrapToken, undefined);
  t.equal(config.trustProxy, false);
});

t.test('WEBHOOK_* settings are bounded: a timeout or poll interval out of range, or a bad flag, is refused', async (t) => {
  t.throws(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '100' }), { message: /WEBHOOK_TIMEOUT_MS: / });
  t.throws(() => loadConfig({ WEBHOOK_POLL_MS: '0' }), { message: /WEBHOOK_POLL_MS: / }, 'the loop cannot be turned off from the environment');
  t.throws(() => loadConfig({ WEBHOOK_MAX_ATTEMPTS: '0' }), { message: /WEBHOOK_MAX_ATTEMPTS: / });
  t.throws(() => loadConfig({ WEBHOOK_LOG_DAYS: '-1' }), { message: /WEBHOOK_LOG_DAYS: / });
  t.throws(() => loadConfig({ RESPONSE_CACHE_MB: '-1' }), { message: /RESPONSE_CACHE_MB: / });
  t.throws(() => loadConfig({ REPORT_WORKER_MIN_TASKS: 'many' }), { message: /REPORT_WORKER_MIN_TASKS: / });
  t.throws(() => loadConfig({ REPORT_PARTS_MIN_TASKS: '-1' }), { message: /REPORT_PARTS_MIN_TASKS: / });
  t.throws(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'maybe' }), { message: /WEBHOOK_ALLOW_PRIVATE: / });
  t.equal(loadConfig({ WEBHOOK_ALLOW_PRIVATE: '' }).webhookAllowPrivate, false, 'empty counts as unset');
});
