// GET /health: 200 when the database answers a query and takes writes; 503 when writes are failing (degraded) or it does not answer.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { writeFailure, type StorageFailureKind } from '../../db/storage-health.js';
import { AppError, ERRORS } from '../../errors.js';
import { InstantSchema, ProblemSchema } from '../../lib/common.schemas.js';

const HealthSchema = z
  .object({
    status: z.literal('ok').describe('"ok": the service serves requests, reads and writes.'),
    database: z.literal('ok').describe('The database answered a query.'),
    writes: z
      .object({ status: z.literal('ok').describe('No write has failed for the storage since the last one that was kept.') })
      .describe('Whether the database takes writes.'),
  })
  .meta({
    id: 'Health',
    description: 'Liveness and database readiness.',
    example: { status: 'ok', database: 'ok', writes: { status: 'ok' } },
  });

/** What a monitor reads of a storage failure: its kind in plain words, never the storage's own error. */
const WRITE_FAILURE_REASONS = ['disk-full', 'read-only', 'io-error'] as const;
const REASON_OF: Record<StorageFailureKind, (typeof WRITE_FAILURE_REASONS)[number]> = { full: 'disk-full', 'read-only': 'read-only', io: 'io-error' };

const HealthDegradedSchema = z
  .object({
    status: z.literal('degraded').describe('"degraded": reads are served, writes are refused with 503.'),
    database: z.literal('ok').describe('The database answered a query.'),
    writes: z
      .object({
        status: z.literal('failing').describe('Writes are refused with 503 since `since`.'),
        reason: z
          .enum(WRITE_FAILURE_REASONS)
          .describe('Why the last write failed: its disk is full, its storage became read-only, or the disk failed a read or write.'),
        since: InstantSchema.describe('The first failure since a write was last kept.'),
        lastFailedAt: InstantSchema.describe('The latest failure.'),
      })
      .describe('Writes are failing: none has been kept since `since`. The next write that is kept makes the service healthy again.'),
  })
  .meta({
    id: 'HealthDegraded',
    description: 'The service serves reads, but its storage refuses writes.',
    example: {
      status: 'degraded',
      database: 'ok',
      writes: { status: 'failing', reason: 'disk-full', since: '2026-11-28T09:00:00.000Z', lastFailedAt: '2026-11-28T09:05:00.000Z' },
    },
  });

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
          'Answers 200 when the service runs, its database answers a query and its writes are kept. 503 as ' +
          '`application/json` (`status: "degraded"`) while writes are failing for the storage (its disk full, read-only ' +
          'or failing): since the first failure until a write is kept again; reads go on meanwhile. 503 as a problem ' +
          'document when the database does not answer. Writes nothing. Public.',
        response: {
          200: HealthSchema,
          503: {
            description: 'Writes are failing (a degraded service, as `application/json`), or the database does not answer (a problem document).',
            content: { 'application/json': { schema: HealthDegradedSchema }, 'application/problem+json': { schema: ProblemSchema } },
          },
        },
      },
    },
    async (_request, reply) => {
      try {
        app.sqlite.prepare('SELECT 1').get();
      } catch (err) {
        app.log.error({ err }, 'health check: database did not answer');
        throw new AppError(ERRORS.unavailable, 'the database does not answer');
      }
      // Remembered from the writes themselves (src/db/storage-health.ts): a probe would write on every call.
      const failure = writeFailure(app.sqlite);
      if (failure) {
        const writes = { status: 'failing' as const, reason: REASON_OF[failure.kind], since: failure.since.toISOString(), lastFailedAt: failure.lastAt.toISOString() };
        return reply.code(503).type('application/json').send({ status: 'degraded' as const, database: 'ok' as const, writes });
      }
      return { status: 'ok' as const, database: 'ok' as const, writes: { status: 'ok' as const } };
    },
  );
};

export default healthRoutes;
