// Unit tests of the pieces under delivery: address classes, URL checks with a DNS that answers what the test
// says, and signatures as the standardwebhooks package verifies them.
import t from 'tap';
import { Webhook } from 'standardwebhooks';
import { checkTarget, classifyAddress, isAllowed, type AddressClass } from '../../src/modules/webhooks/webhooks.url-guard.js';
import { generateSecret, sign, signedHeaders } from '../../src/modules/webhooks/webhooks.signing.js';

t.test('addresses by class, IPv4 and IPv6 alike', async (t) => {
  const table: [string, AddressClass][] = [
    ['93.184.215.14', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['172.32.0.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::127.0.0.1', 'reserved'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::ffff:0:a00:1', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:a9fe:a9fe::', 'metadata'],
    ['2002:5db8:d70e::1', 'public'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
    ['64:ff9b:1::a00:1', 'reserved'],
  ];
  for (const [address, expected] of table) t.equal(classifyAddress(address), expected, address);
  t.throws(() => classifyAddress('example.org'));
  for (const cls of ['public', 'private', 'loopback', 'link-local', 'metadata', 'unspecified', 'multicast', 'reserved'] as const) {
    t.equal(isAllowed(cls, false), cls === 'public', `${cls} without the flag`);
    t.equal(isAllowed(cls, true), ['public', 'private', 'loopback'].includes(cls), `${cls} with the flag`);
  }
});

t.test('host names are judged by every address they resolve to', async (t) => {
  const dns = (answers: Record<string, string[]>) => async (host: string) => {
    const found = answers[host];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const resolve = dns({
    'hooks.minprom.example': ['93.184.215.14', '2001:db8::1'],
    'rebind.example': ['93.184.215.14', '169.254.169.254'],
    'intranet.example': ['10.0.0.7'],
    'empty.example': [],
  });
  const ok = await checkTarget('https://hooks.minprom.example/tracker', false, resolve);
  t.strictSame(ok.addresses, [
    { address: '93.184.215.14', family: 4 },
    { address: '2001:db8::1', family: 6 },
  ]);
  t.equal(ok.url.href, 'https://hooks.minprom.example/tracker');
  await t.rejects(checkTarget('https://rebind.example/', true, resolve), /rebind\.example resolves to 169\.254\.169\.254, a metadata address, never allowed/);
  await t.rejects(checkTarget('https://intranet.example/', false, resolve), /10\.0\.0\.7, a private address, allowed only where/);
  t.ok(await checkTarget('https://intranet.example/', true, resolve), 'allowed with the flag');
  await t.rejects(checkTarget('https://nowhere.example/', true, resolve), /does not resolve \(ENOTFOUND\)/);
  await t.rejects(checkTarget('https://empty.example/', true, resolve), /does not resolve/);
  await t.rejects(checkTarget('https:///nohost', true, resolve), /./);
});

t.test('signatures are what the standardwebhooks package verifies, on the real clock', async (t) => {
  const secret = generateSecret();
  const body = JSON.stringify({ type: 'webhook.test', timestamp: new Date().toISOString(), data: { message: 'привет' } });
  const now = Math.floor(Date.now() / 1000);
  const headers = signedHeaders([secret], '019a7c2e-7a10-7000-8000-0000000000e0', now, body);
  t.strictSame(new Webhook(secret).verify(body, headers), JSON.parse(body), 'verify() accepts it and returns the body');
  t.throws(() => new Webhook(secret).verify(`${body} `, headers), 'a changed body is refused');
  t.throws(() => new Webhook(generateSecret()).verify(body, headers), 'another secret is refused');
  const stale = signedHeaders([secret], 'id-1', now - 600, body);
  t.throws(() => new Webhook(secret).verify(body, stale), /too old/, 'a replay after 10 minutes is refused by the receiver');

  const previous = generateSecret();
  const both = signedHeaders([secret, previous], 'id-2', now, body);
  t.equal(both['webhook-signature']!.split(' ').length, 2);
  t.ok(new Webhook(secret).verify(body, both), 'the new secret verifies');
  t.ok(new Webhook(previous).verify(body, both), 'the previous one too, during the grace period');
  t.equal(sign(secret, 'id-3', 1, ''), new Webhook(secret).sign('id-3', new Date(1000), ''), 'the same HMAC as the package');
});
