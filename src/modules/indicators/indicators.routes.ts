// HTTP routes of /v1/indicators and their values by period: thin handlers from request to service and back.
import { ERRORS } from '../../errors.js';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ChangeHeadersSchema, CreateHeadersSchema, IdParamsSchema, ReadHeadersSchema, problemResponses } from '../../lib/common.schemas.js';
import { sendResource, writeContext } from '../../lib/http.js';
import {
  CreateIndicatorSchema,
  IndicatorPageSchema,
  IndicatorSchema,
  IndicatorValueParamsSchema,
  ListIndicatorsQuerySchema,
  RecordIndicatorValueSchema,
  UpdateIndicatorSchema,
} from './indicators.schemas.js';
import { createIndicatorService } from './indicators.service.js';

const tags = ['Indicators'];

const indicatorRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createIndicatorService({ db: app.db, clock: app.clock });

  app.get(
    '/indicators',
    {
      schema: {
        operationId: 'listIndicators',
        tags,
        summary: 'List indicators',
        description:
          'Lists indicators by plan, then in the order they were created, optionally only those of one plan or of one ' +
          'task, each with its values, latest value and progress as of today in the commission\'s time zone.',
        querystring: ListIndicatorsQuerySchema,
        response: { 200: IndicatorPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/indicators',
    {
      schema: {
        operationId: 'createIndicator',
        headers: CreateHeadersSchema,
        tags,
        summary: 'Create an indicator',
        description:
          'Adds a measurable target to a plan, or to one of its tasks. The plan must exist (422) and not be closed ' +
          '(409); the task, if given, must be a task of that plan (422); the target must differ from the baseline (422).',
        body: CreateIndicatorSchema,
        response: { 201: IndicatorSchema, ...problemResponses(400, 403, 413, 415, ERRORS.planStateConflict, ERRORS.unknownReference, ERRORS.invalidValue) },
      },
    },
    async (request, reply) => {
      const created = service.create(request.body, writeContext(request));
      return sendResource(request, reply.header('location', `/v1/indicators/${created.id}`), created, 201);
    },
  );

  app.get(
    '/indicators/:id',
    {
      schema: {
        operationId: 'getIndicator',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read an indicator',
        description:
          'Returns one indicator with its values by period, the value of the latest period that has ended (as of today ' +
          'in the commission\'s time zone) and the progress of that value from baseline to target.',
        params: IdParamsSchema,
        response: { 200: IndicatorSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(request.params.id)),
  );

  app.patch(
    '/indicators/:id',
    {
      schema: {
        operationId: 'updateIndicator',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Update an indicator',
        description:
          'Changes the name, unit, baseline or target; the resulting target must differ from the baseline (422). The ' +
          'plan and task never change. Refused with 409 when the plan is closed.',
        params: IdParamsSchema,
        body: UpdateIndicatorSchema,
        response: { 200: IndicatorSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.planStateConflict, ERRORS.invalidValue) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.update(request.params.id, request.body, writeContext(request))),
  );

  app.delete(
    '/indicators/:id',
    {
      schema: {
        operationId: 'deleteIndicator',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Delete an indicator of a draft plan',
        description:
          'Deletes an indicator, with its values, while its plan is a draft (one created by mistake). Once the plan is ' +
          'approved its indicators are kept (409), as its tasks are. The change history records the deletion.',
        params: IdParamsSchema,
        response: { 204: z.null().describe('Deleted.'), ...problemResponses(400, 403, 404, 412, ERRORS.planStateConflict) },
      },
    },
    async (request, reply) => {
      service.remove(request.params.id, writeContext(request));
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/indicators/:id/values/:period',
    {
      schema: {
        operationId: 'recordIndicatorValue',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Record the value of an indicator for a period',
        description:
          'Records the actual value of one reporting period, or replaces the one recorded before, and answers with ' +
          'the indicator. The period must be written in the plan\'s reporting frequency ("2026-Q4" or "2026-11"), ' +
          'overlap the plan\'s period (for a task\'s indicator, a task postponed past the plan\'s end is measured up to ' +
          'its due date) and have begun by today in the commission\'s time zone (422 otherwise); a ' +
          'closed plan refuses (409). Recording the same value and note again changes nothing. The change history ' +
          'records each value as the field `values.<period>`, before and after.',
        params: IndicatorValueParamsSchema,
        body: RecordIndicatorValueSchema,
        response: { 200: IndicatorSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.planStateConflict, ERRORS.invalidValue) },
      },
    },
    async (request, reply) =>
      sendResource(request, reply, service.recordValue(request.params.id, request.params.period, request.body, writeContext(request))),
  );

  app.delete(
    '/indicators/:id/values/:period',
    {
      schema: {
        operationId: 'withdrawIndicatorValue',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Withdraw the value of an indicator for a period',
        description:
          'Withdraws the value recorded for one period (say, one recorded for the wrong period) and answers with the ' +
          'indicator, which then has no value for that period. 404 when none is recorded; a closed plan refuses (409). ' +
          'The change history records the value withdrawn as the field `values.<period>` going to null, and a past ' +
          "day's report still shows the value on the days it stood.",
        params: IndicatorValueParamsSchema,
        response: { 200: IndicatorSchema, ...problemResponses(400, 403, 404, 412, ERRORS.planStateConflict) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.withdrawValue(request.params.id, request.params.period, writeContext(request))),
  );
};

export default indicatorRoutes;
