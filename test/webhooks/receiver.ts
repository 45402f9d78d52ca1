// A real webhook receiver for the tests: an HTTP server on 127.0.0.1 that records what it gets, answers what a
// test tells it to, and checks Standard Webhooks signatures with the `standardwebhooks` package, not our code.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { Webhook } from 'standardwebhooks';
import type { App, AppConfig } from '../../src/app.js';
import { WebhookEventSchema } from '../../src/modules/webhooks/webhooks.payloads.js';
import { build, json, keyFor, testClock, type TestClock } from '../helper.js';
import { approvedTask } from '../factories.js';
import { createWebhookWorker, type WebhookSettings } from '../../src/modules/webhooks/webhooks.worker.js';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  /** Whether the body is a WebhookEvent as the OpenAPI document describes it. */
  documented: boolean;
}

export type Responder = (r: Received) => { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };

export async function startReceiver(t: Test, port = 0) {
  const received: Received[] = [];
  let responder: Responder = () => ({ status: 200, body: 'ok' });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = null;
      }
      const r: Received = { headers: req.headers, body, json: parsed, documented: WebhookEventSchema.safeParse(parsed).success };
      received.push(r);
      const answer = responder(r);
      const send = () => {
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...(answer.headers ?? {}) });
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  let open = true;
  const close = () =>
    new Promise<void>((resolve) => {
      if (!open) return resolve();
      open = false;
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t.teardown(close);
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}/hooks/tracker`,
    received,
    /** How the receiver answers from now on. */
    respond(fn: Responder) {
      responder = fn;
    },
    close,
    /** Resolves once `count` requests arrived, polling every 20 ms up to `ms`. */
    async waitFor(count: number, ms = 10_000) {
      const until = Date.now() + ms;
      while (received.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return received.length >= count;
    },
    /** The events received, by type. */
    ofType(type: string) {
      return received.filter((r) => r.json?.type === type);
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * Whether a request carries a valid Standard Webhooks signature under `secret`, with its timestamp within 5 minutes
 * of `now` (the service's clock). The HMAC is the standardwebhooks package's; only the clock is ours, since its
 * verify() compares with the real time and the tests fix theirs.
 */
export function signatureValid(secret: string, r: Received, now: Date): boolean {
  const id = String(r.headers['webhook-id'] ?? '');
  const timestamp = Number(r.headers['webhook-timestamp']);
  const signatures = String(r.headers['webhook-signature'] ?? '').split(' ');
  if (!id || !Number.isInteger(timestamp) || Math.abs(timestamp - now.getTime() / 1000) > 300) return false;
  const expected = new Webhook(secret).sign(id, new Date(timestamp * 1000), r.body);
  return signatures.includes(expected);
}

/** A test app that may send to 127.0.0.1 and whose worker runs only when the test says (runOnce). */
export async function webhookApp(t: Test, clock: TestClock = testClock(), config: Partial<AppConfig> = {}): Promise<App> {
  return build(t, clock, { webhookAllowPrivate: true, webhookPollMs: 0, ...config });
}

/** Creates a subscription through the API (as `headers`' key, the secretariat by default); returns it with its secret. */
export async function subscribe(app: App, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'POST', url: '/v1/webhooks', payload, headers });
  if (res.statusCode !== 201) throw new Error(`POST /v1/webhooks answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

/** An approved task of BY and KZ, and a receiver subscribed (as the secretariat) to `events` of every organization. */
export async function world(t: Test, events: string[], options: { clock?: TestClock; organizationId?: 'by' | 'kz' } = {}) {
  const clock = options.clock ?? testClock();
  const app = await webhookApp(t, clock);
  const receiver = await startReceiver(t);
  const seed = await approvedTask(app);
  const organizationId = options.organizationId === undefined ? undefined : seed[options.organizationId].id;
  const sub = await subscribe(app, { url: receiver.url, events, ...(organizationId ? { organizationId } : {}) });
  return { app, clock, receiver, sub, ...seed };
}

/** An approved task of BY and KZ, a receiver, and a subscription of BY's ministry key (its own organization's) to `events`. */
export async function ministryWorld(t: Test, events: string[], { clock = testClock(), config = {} }: { clock?: TestClock; config?: Partial<AppConfig> } = {}) {
  const app = await webhookApp(t, clock, config);
  const seed = await approvedTask(app);
  const byKey = await keyFor(app, 'ministry', seed.by.id);
  const receiver = await startReceiver(t);
  const sub = await subscribe(app, { url: receiver.url, events }, byKey.headers);
  return { app, clock, receiver, sub, byKey, ...seed };
}

/**
 * A second worker on the app's database whose DNS look-ups wait until the test answers them: `asked` resolves at the
 * first look-up, `answer()` resolves it to 127.0.0.1. The test changes things in between, at a known point.
 */
export function blockedWorker(app: App, settings: Partial<WebhookSettings> = {}) {
  let answer: (a: { address: string; family: number }[]) => void = () => undefined;
  let signal: () => void = () => undefined;
  const asked = new Promise<void>((r) => (signal = r));
  const worker = createWebhookWorker({
    db: app.db,
    clock: app.clock,
    log: app.log,
    settings: { ...app.webhooks.settings, timeoutMs: 30_000, ...settings },
    resolve: () => {
      signal();
      return new Promise((r) => (answer = r));
    },
  });
  return { worker, asked, answer: () => answer([{ address: '127.0.0.1', family: 4 }]) };
}
