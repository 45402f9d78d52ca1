// The environment, parsed once: defaults when nothing is set, readable refusals of bad values.
import t from 'tap';
import { loadConfig } from '../src/config.js';

t.test('an empty environment gives the documented defaults', async (t) => {
  t.strictSame(loadConfig({}), {
    port: 3000,
    host: '127.0.0.1',
    databasePath: './data/tracker.db',
    logLevel: 'info',
    bodyLimit: 1024 * 1024,
  });
});

t.test('set variables override the defaults', async (t) => {
  t.strictSame(
    loadConfig({ PORT: '8080', HOST: '0.0.0.0', DATABASE_PATH: '/var/lib/tracker/db.sqlite', LOG_LEVEL: 'debug', BODY_LIMIT: '2048' }),
    { port: 8080, host: '0.0.0.0', databasePath: '/var/lib/tracker/db.sqlite', logLevel: 'debug', bodyLimit: 2048 },
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
