// HTTP routes of /v1/meetings: thin handlers from request to service and back.
import { ERRORS } from '../../errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ChangeHeadersSchema, CreateHeadersSchema, ReadHeadersSchema, IdParamsSchema, problemResponses } from '../../lib/common.schemas.js';
import { sendResource, writeContext } from '../../lib/http.js';
import {
  CreateMeetingSchema,
  ListMeetingsQuerySchema,
  MeetingPageSchema,
  MeetingSchema,
  UpdateMeetingSchema,
} from './meetings.schemas.js';
import { createMeetingService } from './meetings.service.js';

const tags = ['Meetings'];

const meetingRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createMeetingService({ db: app.db, clock: app.clock });

  app.get(
    '/meetings',
    {
      schema: {
        operationId: 'listMeetings',
        tags,
        summary: 'List meetings',
        description:
          'Lists meetings by date, a page at a time, optionally only those of one commission, of one kind, or within ' +
          'a date range (`from` and `to` inclusive).',
        querystring: ListMeetingsQuerySchema,
        response: { 200: MeetingPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/meetings',
    {
      schema: {
        operationId: 'createMeeting',
        headers: CreateHeadersSchema,
        tags,
        summary: 'Create a meeting',
        description:
          'Records a commission session, working-group meeting or official visit of a commission, which must exist ' +
          '(422 otherwise).',
        body: CreateMeetingSchema,
        response: { 201: MeetingSchema, ...problemResponses(400, 403, 413, 415, ERRORS.unknownReference) },
      },
    },
    async (request, reply) => {
      const created = service.create(request.body, writeContext(request));
      return sendResource(request, reply.header('location', `/v1/meetings/${created.id}`), created, 201);
    },
  );

  app.get(
    '/meetings/:id',
    {
      schema: {
        operationId: 'getMeeting',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read a meeting',
        description: 'Returns one meeting.',
        params: IdParamsSchema,
        response: { 200: MeetingSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(request.params.id)),
  );

  app.patch(
    '/meetings/:id',
    {
      schema: {
        operationId: 'updateMeeting',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Update a meeting',
        description:
          'Changes the kind, title, date, place or protocol number; null clears the protocol number. The commission ' +
          'of a meeting never changes.',
        params: IdParamsSchema,
        body: UpdateMeetingSchema,
        response: { 200: MeetingSchema, ...problemResponses(400, 403, 404, 412, 413, 415) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.update(request.params.id, request.body, writeContext(request))),
  );
};

export default meetingRoutes;
