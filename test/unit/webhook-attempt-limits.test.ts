// The numbers an attempt leaves in the delivery log stay within the contract whatever the clock or the receiver does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { ERROR_KEPT, sendAttempt } from '../../src/modules/webhooks/webhooks.sender.js';
import { notSentAfter } from '../../src/modules/webhooks/webhooks.outcome.js';
import { notWanted } from '../../src/modules/webhooks/webhooks.outbox-repository.js';

t.test('an attempt lasts a duration of zero or more even when the wall clock steps back during it', async (t) => {
  const realNow = Date.now;
  const server = http.createServer((_req, res) => {
    // The clock steps back an hour while the receiver is answering (an NTP correction, a VM resumed).
    Date.now = () => realNow() - 3_600_000;
    setTimeout(() => res.end('ok'), 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    Date.now = realNow;
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const result = await sendAttempt(
    { url: new URL(`http://127.0.0.1:${port}/hook`), host: '127.0.0.1', addresses: [{ address: '127.0.0.1', family: 4 }] },
    { 'content-type': 'application/json' },
    '{}',
    { timeoutMs: 5_000, signal: new AbortController().signal },
  );
  Date.now = realNow;
  t.equal(result.ok, true, 'the receiver answered 200');
  t.ok(result.durationMs >= 0, `durationMs ${result.durationMs} is not negative`);
  t.ok(result.durationMs < 3_600_000, 'nor counts the clock step');
});

t.test("a failed attempt's error with the reason it is not sent again stays within the log's length, the reason whole", async (t) => {
  const at = '2026-11-30T10:00:00.000Z';
  const long = `certificate names: ${'x.example, '.repeat(200)}`.slice(0, ERROR_KEPT);
  const error = notSentAfter(long, at);
  t.ok(error.length <= ERROR_KEPT, `${error.length} characters at most ${ERROR_KEPT}`);
  t.ok(error.endsWith(`; ${notWanted(at)}`), 'the reason is whole, at its end');
  t.ok(error.startsWith('certificate names: x.example'), 'the error is cut, not dropped');
  t.equal(notSentAfter('HTTP 503 Service Unavailable', at), `HTTP 503 Service Unavailable; ${notWanted(at)}`, 'a short error is kept as it is');
  t.equal(notSentAfter(null, at), `failed; ${notWanted(at)}`);
});
