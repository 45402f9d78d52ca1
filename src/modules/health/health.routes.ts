// GET /health: 200 only when the database answers a query, 503 otherwise.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ERRORS } from '../../errors.js';
import { problemResponses } from '../../lib/common.schemas.js';

const HealthSchema = z
  .object({
    status: z.literal('ok').describe('Always "ok" when the service can serve requests.'),
    database: z.literal('ok').describe('The database answered a query.'),
  })
  .meta({ id: 'Health', description: 'Liveness and database readiness.', example: { status: 'ok', database: 'ok' } });

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
        description: 'Answers 200 when the service runs and its database answers a query; 503 otherwise. Public.',
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
      return { status: 'ok' as const, database: 'ok' as const };
    },
  );
};

export default healthRoutes;
