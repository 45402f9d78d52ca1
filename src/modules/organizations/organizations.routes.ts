// HTTP routes of /v1/organizations: thin handlers from request to service and back.
import { ERRORS } from '../../errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ChangeHeadersSchema, CreateHeadersSchema, ReadHeadersSchema, IdParamsSchema, problemResponses } from '../../lib/common.schemas.js';
import { sendResource, writeContext } from '../../lib/http.js';
import {
  CreateOrganizationSchema,
  ListOrganizationsQuerySchema,
  OrganizationPageSchema,
  OrganizationSchema,
  UpdateOrganizationSchema,
} from './organizations.schemas.js';
import { createOrganizationService } from './organizations.service.js';

const tags = ['Organizations'];

const organizationRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createOrganizationService({ db: app.db, clock: app.clock });

  app.get(
    '/organizations',
    {
      schema: {
        operationId: 'listOrganizations',
        tags,
        summary: 'List organizations',
        description:
          'Lists organizations by name, a page at a time, optionally only those of one country, of one kind, ' +
          'directly under one parent, or whose name or short name contains `q` (case-insensitive in any script).',
        querystring: ListOrganizationsQuerySchema,
        response: { 200: OrganizationPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/organizations',
    {
      schema: {
        operationId: 'createOrganization',
        headers: CreateHeadersSchema,
        tags,
        summary: 'Create an organization',
        description:
          'Creates a ministry, agency, enterprise, joint venture, region or business association, optionally under a ' +
          'parent organization, which must exist (422 otherwise). Its name, and its short name, must differ from those of ' +
          'every other organization of its country, whatever the case and with "ё" read as "е": 409 ' +
          '`duplicate-organization-name` otherwise, naming the other organization (a name equal to another\'s short name, ' +
          'or to the name of an organization of another country, is no conflict).',
        body: CreateOrganizationSchema,
        response: { 201: OrganizationSchema, ...problemResponses(400, 403, 413, 415, ERRORS.duplicateOrganizationName, ERRORS.unknownReference) },
      },
    },
    async (request, reply) => {
      const created = service.create(request.body, writeContext(request));
      return sendResource(request, reply.header('location', `/v1/organizations/${created.id}`), created, 201);
    },
  );

  app.get(
    '/organizations/:id',
    {
      schema: {
        operationId: 'getOrganization',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read an organization',
        description: 'Returns one organization.',
        params: IdParamsSchema,
        response: { 200: OrganizationSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(request.params.id)),
  );

  app.patch(
    '/organizations/:id',
    {
      schema: {
        operationId: 'updateOrganization',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Update an organization',
        description:
          'Changes the given fields; null clears the short name or the parent. A parent that does not exist, or one ' +
          'that would make the organization its own ancestor, is refused with 422. The country of an organization that ' +
          'executes tasks cannot change (409): its commissions\' parties bind it. A new name or short name that another ' +
          'organization of the country has (whatever the case, "ё" as "е"), or a move to a country where one has them, is 409 ' +
          '`duplicate-organization-name`.',
        params: IdParamsSchema,
        body: UpdateOrganizationSchema,
        response: { 200: OrganizationSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.referenceInUse, ERRORS.duplicateOrganizationName, ERRORS.unknownReference, ERRORS.invalidValue) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.update(request.params.id, request.body, writeContext(request))),
  );
};

export default organizationRoutes;
