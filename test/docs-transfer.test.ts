// The documentation's downloads: /openapi.json, /docs/json and the page's script (not its small HTML) come compressed when the client
// accepts it and carry an ETag that a revalidation answers with 304; the API's own answers are not compressed.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import t from 'tap';
import { asSecretariat, build, json } from './helper.js';

const DOCUMENTS = ['/openapi.json', '/docs/json'] as const;

t.test('the documents come br- or gzip-compressed as asked, with the same content as uncompressed', async (t) => {
  const app = await build(t);
  for (const url of DOCUMENTS) {
    const plain = await app.inject({ method: 'GET', url });
    t.equal(plain.statusCode, 200, url);
    t.notOk(plain.headers['content-encoding'], `${url}: nothing asked, nothing compressed`);
    const doc = json(plain);
    t.equal((doc as { openapi: string }).openapi, '3.1.0');

    const gz = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    t.equal(gz.statusCode, 200);
    t.equal(gz.headers['content-encoding'], 'gzip', url);
    t.match(gz.headers.vary, /accept-encoding/i, `${url}: a cache keeps the encodings apart`);
    t.match(gz.headers['content-type'], /^application\/json/);
    const gunzipped = gunzipSync(gz.rawPayload);
    t.strictSame(JSON.parse(gunzipped.toString('utf8')), doc, `${url}: gzip carries the same document`);
    t.ok(gz.rawPayload.length * 5 < gunzipped.length, `${url}: ${gz.rawPayload.length} bytes compressed, ${gunzipped.length} plain`);

    const br = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    t.equal(br.headers['content-encoding'], 'br', `${url}: brotli preferred when offered`);
    t.strictSame(JSON.parse(brotliDecompressSync(br.rawPayload).toString('utf8')), doc, `${url}: br carries the same document`);

    const identity = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'identity' } });
    t.notOk(identity.headers['content-encoding'], `${url}: identity asked, identity sent`);
    t.strictSame(json(identity), doc);
  }
});

t.test('a revalidation with the ETag is a 304 with no body; a stale ETag gets the document', async (t) => {
  const app = await build(t);
  for (const url of DOCUMENTS) {
    const first = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    const tag = first.headers.etag;
    t.type(tag, 'string', `${url} has an ETag`);
    const again = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    t.equal(again.headers.etag, tag, `${url}: the same document keeps its ETag`);
    const plain = await app.inject({ method: 'GET', url });
    t.equal(plain.headers.etag, tag, `${url}: the ETag names the document, whichever encoding carries it`);

    const revalidated = await app.inject({ method: 'GET', url, headers: { 'if-none-match': String(tag), 'accept-encoding': 'gzip' } });
    t.equal(revalidated.statusCode, 304, url);
    t.equal(revalidated.rawPayload.length, 0, `${url}: a 304 has no body`);
    t.notOk(revalidated.headers['content-encoding'], `${url}: nothing to decode in a 304`);

    const stale = await app.inject({ method: 'GET', url, headers: { 'if-none-match': '"an-older-document"' } });
    t.equal(stale.statusCode, 200, `${url}: another ETag gets the document`);
    t.equal((json(stale) as { openapi: string }).openapi, '3.1.0');
  }
});

t.test("the page's script is compressed too; a compressed answer keeps the security headers", async (t) => {
  const app = await build(t);
  const page = await app.inject({ method: 'GET', url: '/docs/', headers: { 'accept-encoding': 'gzip' } });
  t.equal(page.statusCode, 200);
  // Under a kilobyte: not worth compressing.
  t.match(page.body, /<title>Commission plan tracker API<\/title>/);
  const script = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js', headers: { 'accept-encoding': 'gzip' } });
  t.equal(script.statusCode, 200);
  t.equal(script.headers['content-encoding'], 'gzip');
  t.match(gunzipSync(script.rawPayload).toString('utf8'), /SwaggerUIBundle/);
  t.equal(script.headers['x-content-type-options'], 'nosniff');
  const doc = await app.inject({ method: 'GET', url: '/openapi.json', headers: { 'accept-encoding': 'gzip' } });
  t.equal(doc.headers['x-content-type-options'], 'nosniff');
  t.ok(doc.headers['x-request-id'], 'the request id still comes back');
});

t.test("the API's answers and its problem documents are not compressed", async (t) => {
  const app = await build(t);
  const list = await app.inject({ method: 'GET', url: '/v1/organizations?limit=200', headers: { ...asSecretariat, 'accept-encoding': 'gzip, br' } });
  t.equal(list.statusCode, 200);
  t.notOk(list.headers['content-encoding']);
  t.type(json<{ items: unknown[] }>(list).items, Array);
  const refused = await app.inject({ method: 'GET', url: '/v1/tasks', headers: { authorization: undefined, 'accept-encoding': 'gzip' } });
  t.equal(refused.statusCode, 401);
  t.notOk(refused.headers['content-encoding']);
  t.match(refused.headers['content-type'], /^application\/problem\+json/);
});

t.test('a body sent compressed to the documentation is not unpacked: the API reads no compressed bodies', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'POST', url: '/openapi.json', headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' }, payload: 'x' });
  t.equal(res.statusCode, 405);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
});

t.test("a range of the page's script is of the bytes it names: not compressed, as Content-Range says", async (t) => {
  // Content-Range counts the bytes of the representation sent: a gzip-encoded 206 must be a range of the gzip stream.
  // A range of the plain file, then compressed, is neither; a client resuming a download would stitch garbage.
  const app = await build(t);
  const url = '/docs/static/swagger-ui-bundle.js';
  const whole = await app.inject({ method: 'GET', url });
  for (const encoding of ['gzip', 'br', 'gzip, deflate, br']) {
    const part = await app.inject({ method: 'GET', url, headers: { range: 'bytes=100-199', 'accept-encoding': encoding } });
    t.equal(part.statusCode, 206, encoding);
    t.equal(part.headers['content-range'], `bytes 100-199/${whole.rawPayload.length}`);
    t.notOk(part.headers['content-encoding'], `${encoding}: the range is sent as the bytes it names`);
    t.strictSame(part.rawPayload, whole.rawPayload.subarray(100, 200), 'the very bytes');
  }
  const compressed = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
  t.equal(compressed.headers['content-encoding'], 'gzip', 'without a range, still compressed');
});
