// The webhook worker as an app-wide service: started when the app is ready, stopped (attempts in flight
// released) before it closes; `app.webhooks.runOnce()` delivers what is due now.
import fp from 'fastify-plugin';
import type { Resolver } from './webhooks.url-guard.js';
import { RETRY_BASE_MS, RETRY_MAX_MS } from './webhooks.retry.js';
import { createWebhookWorker, type WebhookSettings, type WebhookWorker } from './webhooks.worker.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The webhook delivery worker of this app, and the settings its routes check URLs with. */
    webhooks: WebhookWorker;
  }
}

export type WebhookPluginOptions = Omit<WebhookSettings, 'retryBaseMs' | 'retryMaxMs'> &
  Partial<Pick<WebhookSettings, 'retryBaseMs' | 'retryMaxMs'>> & {
    /** Resolves receivers' host names instead of the system's resolver (tests: no DNS query leaves the machine). */
    resolve?: Resolver | undefined;
  };

export default fp<WebhookPluginOptions>(
  async (app, { resolve, ...options }) => {
    const worker = createWebhookWorker({
      db: app.db,
      clock: app.clock,
      log: app.log,
      settings: { retryBaseMs: RETRY_BASE_MS, retryMaxMs: RETRY_MAX_MS, ...options },
      resolve,
    });
    app.decorate('webhooks', worker);
    app.addHook('onReady', async () => worker.start());
    // preClose, not onClose: the database must still be open while attempts in flight are released.
    app.addHook('preClose', async () => worker.stop());
  },
  { name: 'webhooks', dependencies: ['db'] },
);
