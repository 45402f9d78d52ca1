// HTTP routes of the change history: one task, one plan, or everything (secretariat and co-chairs).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IdParamsSchema, problemResponses } from '../../lib/common.schemas.js';
import { createHistoryService } from './history.service.js';
import { HistoryPageSchema, HistoryQuerySchema, PlanHistoryQuerySchema, TaskHistoryQuerySchema } from './history.schemas.js';

const tags = ['History'];
const ORDER =
  'Entries come oldest first, in the order written. To poll for newer ones, ask again with `after` the id of the last entry ' +
  'you read and follow `nextCursor` to the last page, where it is null: every later entry comes once.';

const historyRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createHistoryService({ db: app.db });

  app.get(
    '/tasks/:id/history',
    {
      schema: {
        operationId: 'listTaskHistory',
        tags,
        summary: 'List the change history of a task',
        description:
          'Every write to the task and to its deadline changes: who (key, role, organization), when, which ' +
          `operation, and each changed field before and after. The history of a deleted draft task stays readable. ${ORDER}`,
        params: IdParamsSchema,
        querystring: TaskHistoryQuerySchema,
        response: { 200: HistoryPageSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => service.forTask(request.params.id, request.query),
  );

  app.get(
    '/plans/:id/history',
    {
      schema: {
        operationId: 'listPlanHistory',
        tags,
        summary: 'List the change history of a plan',
        description:
          'Every write to the plan, its tasks and their deadline changes, filtered; its read-only links only for the keys ' +
          `that read the whole history (secretariat, co-chairs). ${ORDER}`,
        params: IdParamsSchema,
        querystring: PlanHistoryQuerySchema,
        response: { 200: HistoryPageSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => service.forPlan(request.params.id, request.query, request.actor),
  );

  app.get(
    '/history',
    {
      schema: {
        operationId: 'listHistory',
        tags,
        summary: 'List the whole change history',
        description:
          'Every write to every entity, including commissions, organizations, meetings, API keys and webhook subscriptions, ' +
          "filtered. A webhook subscription's URL, and any URL its disabledReason quotes, is shown as its origin followed by `/…`: receivers carry tokens in " +
          `paths and queries, and the history is append-only. ${ORDER}`,
        querystring: HistoryQuerySchema,
        response: { 200: HistoryPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => service.list(request.query),
  );
};

export default historyRoutes;
