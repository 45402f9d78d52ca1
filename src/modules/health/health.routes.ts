// GET /health: 200 when the database answers a query and takes writes; 503 when it does not answer or writes are failing.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fileMoved, retryWrites, RETRY_WRITES_MS, type StorageFailureKind } from '../../db/storage-health.js';
import { AppError, ERRORS } from '../../errors.js';
import { problemResponses } from '../../lib/common.schemas.js';

const HealthSchema = z
  .object({
    status: z.literal('ok').describe('Always "ok" when the service serves requests, reads and writes.'),
    database: z.literal('ok').describe('The database answered a query, and no write has failed for its storage since the last one kept.'),
  })
  .meta({ id: 'Health', description: 'Liveness and database readiness.', example: { status: 'ok', database: 'ok' } });

/** A storage failure in the words of a monitor's alert, never the storage's own error. */
const FAILURE_WORDS: Record<StorageFailureKind, string> = {
  full: 'its disk is full',
  'read-only': 'its storage became read-only',
  io: 'its disk failed a read or write',
  moved: 'its file was moved or deleted under the running service, which must be restarted',
};

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    {
      // Load balancers probe it every few seconds from one address: never rate-limited.
      config: { rateLimit: false },
      schema: {
        operationId: 'getHealth',
        tags: ['Service'],
        summary: 'Check liveness and database readiness',
        description:
          'Answers 200 when the service runs, its database answers a query and its writes are kept. 503 otherwise: when ' +
          'the database does not answer, and while writes are failing for its storage (its disk full, read-only or ' +
          'failing) from the first failure until a write is kept again; reads go on meanwhile, and the detail says why ' +
          `and since when. Writes nothing while writes succeed; while they fail, it tries a small write of its own at most ` +
          `every ${RETRY_WRITES_MS / 1000} seconds, so that the service is seen healthy again once its storage is mended ` +
          'even when no caller sends it a write (a load balancer that takes it out of service). Public.',
        response: { 200: HealthSchema, ...problemResponses(503) },
      },
    },
    async () => {
      try {
        app.sqlite.prepare('SELECT 1').get();
      } catch (err) {
        app.log.error({ err }, 'health check: database did not answer');
        throw new AppError(ERRORS.unavailable, 'the database does not answer');
      }
      // The file moved away shows at once, before any write meets it.
      if (fileMoved(app.sqlite)) {
        throw new AppError(ERRORS.unavailable, `the database file was moved or deleted under the running service: writes are refused; restart it on its file`, undefined, {
          'retry-after': '60',
        });
      }
      // Remembered from the writes (src/db/storage-health.ts); while they fail, a trial write now and then.
      const failure = retryWrites(app.sqlite);
      if (failure) {
        throw new AppError(
          ERRORS.unavailable,
          `writes are failing since ${failure.since.toISOString()}: ${FAILURE_WORDS[failure.kind]} (the latest failure at ` +
            `${failure.lastAt.toISOString()}). Reads are served; writes are refused until one is kept again`,
          undefined,
          { 'retry-after': '60' },
        );
      }
      return { status: 'ok' as const, database: 'ok' as const };
    },
  );
};

export default healthRoutes;
