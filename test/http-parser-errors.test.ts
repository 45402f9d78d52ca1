// Requests that Node's HTTP parser refuses before any route sees them get problem documents too, on the wire: sent over
// a real socket to the app listening on 127.0.0.1, since app.inject() never goes through the parser.
import t from 'tap';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { asSecretariat, build } from './helper.js';

/** Sends raw bytes and returns everything the server answers until it closes the connection (or 5 s pass). */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    socket.write(raw);
  });
}

/** The status, headers and parsed body of a raw HTTP/1.1 answer. */
function parse(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.length > 0 ? JSON.parse(body) : null };
}

const auth = `Authorization: ${asSecretariat.authorization}\r\n`;

const CASES: [string, string, number, string][] = [
  ['not HTTP at all', 'GARBAGE\r\n\r\n', 400, 'malformed-request'],
  ['an unknown method token', `FOO /v1/tasks HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, 400, 'malformed-request'],
  ['a control character in a header value', `GET /v1/tasks HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n${auth}\r\n`, 400, 'malformed-request'],
  ['Content-Length and Transfer-Encoding together', `POST /v1/commissions HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'malformed-request'],
  ['two Content-Length headers', `POST /v1/commissions HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 400, 'malformed-request'],
  ['a bad chunk size', `POST /v1/commissions HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`, 400, 'malformed-request'],
  ['headers over the size limit', `GET /v1/tasks HTTP/1.1\r\nHost: x\r\n${auth}X-Foo: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers-too-large'],
  ['a URL over the size limit', `GET /v1/tasks?q=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`, 431, 'headers-too-large'],
  ['an Expect other than 100-continue', `GET /v1/tasks HTTP/1.1\r\nHost: x\r\n${auth}Expect: foo\r\n\r\n`, 417, 'expectation-failed'],
  ['no Host in HTTP/1.1', `GET /v1/tasks HTTP/1.1\r\n${auth}\r\n`, 400, 'bad-request'],
];

t.test('requests the HTTP parser refuses are answered with problem documents', async (t) => {
  const app = await build(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  for (const [what, raw, status, code] of CASES) {
    const { status: got, headers, body } = parse(await exchange(port, raw));
    t.equal(got, status, `${what}: ${status}`);
    t.match(headers['content-type'], /^application\/problem\+json/, `${what}: a problem document`);
    t.equal(Number(headers['content-length']), Buffer.byteLength(JSON.stringify(body)), `${what}: its length`);
    t.equal(body?.code, code, `${what}: code ${code}`);
    t.equal(body?.status, status, `${what}: body.status`);
    t.type(body?.title, 'string', `${what}: a title`);
    t.match(body?.type, new RegExp(`/problems/${code}$`), `${what}: its type`);
    t.equal(headers['x-request-id'], body?.requestId, `${what}: the request id in header and body`);
  }
  // The server goes on answering well-formed requests.
  const ok = parse(await exchange(port, `GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
  t.equal(ok.status, 200, 'a good request after them is served');
});
