// HTTP routes of /v1/plans: thin handlers from request to service and back.
import { ERRORS } from '../../errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ActionHeadersSchema, ChangeHeadersSchema, CreateHeadersSchema, ReadHeadersSchema, IdParamsSchema, problemResponses } from '../../lib/common.schemas.js';
import { sendResource, writeContext } from '../../lib/http.js';
import { CreatePlanSchema, ListPlansQuerySchema, PlanPageSchema, PlanSchema, UpdatePlanSchema } from './plans.schemas.js';
import { createPlanService } from './plans.service.js';

const tags = ['Plans'];

const STATE_MACHINE =
  'A plan moves draft → approved → closed and never back: a draft is drawn up, approving puts it in force, ' +
  'closing makes it read-only.';

const planRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createPlanService({ db: app.db, clock: app.clock });

  app.get(
    '/plans',
    {
      schema: {
        operationId: 'listPlans',
        tags,
        summary: 'List plans',
        description: 'Lists plans of measures, oldest first, a page at a time; filter by commission and status.',
        querystring: ListPlansQuerySchema,
        response: { 200: PlanPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/plans',
    {
      schema: {
        operationId: 'createPlan',
        headers: CreateHeadersSchema,
        tags,
        summary: 'Create a plan',
        description:
          'Creates a draft plan of measures of a commission for a period (periodEnd not before periodStart). ' +
          'The commission must exist (422 otherwise).',
        body: CreatePlanSchema,
        response: { 201: PlanSchema, ...problemResponses(400, 403, 413, 415, ERRORS.invalidValue, ERRORS.unknownReference) },
      },
    },
    async (request, reply) => {
      const created = service.create(request.body, writeContext(request));
      return sendResource(request, reply.header('location', `/v1/plans/${created.id}`), created, 201);
    },
  );

  app.get(
    '/plans/:id',
    {
      schema: {
        operationId: 'getPlan',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read a plan',
        description: 'Returns one plan with its status and task count.',
        params: IdParamsSchema,
        response: { 200: PlanSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(request.params.id)),
  );

  app.patch(
    '/plans/:id',
    {
      schema: {
        operationId: 'updatePlan',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Update a plan',
        description:
          'Changes the title or period of a draft or approved plan; the resulting period must stay ordered (400). ' +
          'Once progress reports or indicator values are recorded, the reporting frequency no longer changes and the ' +
          'period no longer leaves out a reporting period they name (422). ' +
          `A closed plan is read-only (409). ${STATE_MACHINE}`,
        params: IdParamsSchema,
        body: UpdatePlanSchema,
        response: { 200: PlanSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.planStateConflict, ERRORS.invalidValue) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.update(request.params.id, request.body, writeContext(request))),
  );

  app.post(
    '/plans/:id/approve',
    {
      schema: {
        operationId: 'approvePlan',
        headers: ActionHeadersSchema,
        tags,
        summary: 'Approve a plan',
        description:
          `Approves a draft plan that has at least one task, stamps approvedAt and returns the plan; takes no body. ${STATE_MACHINE} ` +
          'Approving a plan that is not a draft, or an empty plan, is refused with 409 and changes nothing.',
        params: IdParamsSchema,
        response: { 200: PlanSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.planStateConflict) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.approve(request.params.id, writeContext(request))),
  );

  app.post(
    '/plans/:id/close',
    {
      schema: {
        operationId: 'closePlan',
        headers: ActionHeadersSchema,
        tags,
        summary: 'Close a plan',
        description:
          `Closes an approved plan, stamps closedAt and returns the plan, which is read-only from then on; takes no body. ${STATE_MACHINE} ` +
          'Closing a plan that is not approved is refused with 409 and changes nothing, and so is closing one where something ' +
          'still waits for a decision: a deadline change asked for, a progress report submitted, a task reported done (the ' +
          'detail names their task codes; `GET /v1/tasks` with `awaiting` or `status=done` lists them).',
        params: IdParamsSchema,
        response: { 200: PlanSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.planStateConflict) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.close(request.params.id, writeContext(request))),
  );
};

export default planRoutes;
