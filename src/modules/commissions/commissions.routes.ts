// HTTP routes of /v1/commissions: thin handlers from request to service and back.
import { ERRORS } from '../../errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ChangeHeadersSchema, CreateHeadersSchema, ReadHeadersSchema, IdParamsSchema, problemResponses } from '../../lib/common.schemas.js';
import { sendResource, writeContext } from '../../lib/http.js';
import {
  CommissionPageSchema,
  CommissionSchema,
  CreateCommissionSchema,
  ListCommissionsQuerySchema,
  UpdateCommissionSchema,
} from './commissions.schemas.js';
import { createCommissionService } from './commissions.service.js';

const tags = ['Commissions'];

const commissionRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createCommissionService({ db: app.db, clock: app.clock });

  app.get(
    '/commissions',
    {
      schema: {
        operationId: 'listCommissions',
        tags,
        summary: 'List commissions',
        description: 'Lists commissions, oldest first, a page at a time.',
        querystring: ListCommissionsQuerySchema,
        response: { 200: CommissionPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/commissions',
    {
      schema: {
        operationId: 'createCommission',
        headers: CreateHeadersSchema,
        tags,
        summary: 'Create a commission',
        description: 'Creates a commission of two parties, each with its co-chair, and the time zone that decides "today".',
        body: CreateCommissionSchema,
        response: { 201: CommissionSchema, ...problemResponses(400, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const created = service.create(request.body, writeContext(request));
      return sendResource(request, reply.header('location', `/v1/commissions/${created.id}`), created, 201);
    },
  );

  app.get(
    '/commissions/:id',
    {
      schema: {
        operationId: 'getCommission',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read a commission',
        description: 'Returns one commission.',
        params: IdParamsSchema,
        response: { 200: CommissionSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(request.params.id)),
  );

  app.patch(
    '/commissions/:id',
    {
      schema: {
        operationId: 'updateCommission',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Update a commission',
        description:
          'Changes the name, time zone or parties. Co-chairs can always change; the party countries only while the commission has no plans (422 otherwise).',
        params: IdParamsSchema,
        body: UpdateCommissionSchema,
        response: { 200: CommissionSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.invalidValue) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.update(request.params.id, request.body, writeContext(request))),
  );
};

export default commissionRoutes;
