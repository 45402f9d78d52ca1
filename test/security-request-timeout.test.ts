// Security review: a request must arrive within a bounded time (slow-loris), as Node's own default has it.
import t from 'tap';
import { buildApp } from '../src/app.js';

t.test('a slow request cannot hold a connection open for ever: the server bounds the time a request may take to arrive', async (t) => {
  // Before the fix: requestTimeout 0 and no socket timeout, so a POST whose body came one byte every 20 s was still
  // waited for after 130 s (only the headers are bounded, by headersTimeout).
  const app = await buildApp({ config: { databasePath: ':memory:', logLevel: 'silent', bodyLimit: 1024 * 1024 }, logger: false });
  t.teardown(() => app.close());
  await app.ready();
  const { requestTimeout, headersTimeout } = app.server;
  t.ok(requestTimeout > 0, `requestTimeout is ${requestTimeout}`);
  t.ok(requestTimeout <= 300_000, 'at most five minutes');
  t.ok(headersTimeout > 0 && headersTimeout <= requestTimeout, 'the headers are bounded within it');
});
