// HTTP routes of /v1/api-keys: key management for the secretariat, and "which key am I" for everyone.
import { ERRORS } from '../../errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ChangeHeadersSchema, ReadHeadersSchema, IdParamsSchema, problemResponses } from '../../lib/common.schemas.js';
import { sendResource, writeContext } from '../../lib/http.js';
import {
  ApiKeyPageSchema,
  ApiKeySchema,
  CreateApiKeySchema,
  CreatedApiKeySchema,
  ListApiKeysQuerySchema,
} from './api-keys.schemas.js';
import { createApiKeyService } from './api-keys.service.js';

const tags = ['API keys'];

const apiKeyRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createApiKeyService({ db: app.db, clock: app.clock });

  app.get(
    '/api-keys',
    {
      schema: {
        operationId: 'listApiKeys',
        tags,
        summary: 'List API keys',
        description: 'Lists keys, oldest first, with their role, organization, last use and revocation. Secrets are never listed.',
        querystring: ListApiKeysQuerySchema,
        response: { 200: ApiKeyPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/api-keys',
    {
      schema: {
        operationId: 'createApiKey',
        tags,
        summary: 'Issue an API key',
        description:
          'Creates a key and returns its secret `token` this once; only a hash is kept. A ministry key is bound to ' +
          'one organization and changes only tasks that organization executes. Not idempotent on purpose: a ' +
          'replay would have to return the secret again; if the response is lost, revoke the key and issue another.',
        body: CreateApiKeySchema,
        // Not invalid-value ("already a key"): that refuses a token the operator gives (CLI, TRACKER_BOOTSTRAP_TOKEN); this makes its own.
        response: { 201: CreatedApiKeySchema, ...problemResponses(400, 413, 415, ERRORS.unknownReference) },
      },
    },
    async (request, reply) => {
      const created = service.create(request.body, writeContext(request));
      return reply.code(201).header('location', `/v1/api-keys/${created.id}`).send(created);
    },
  );

  app.get(
    '/api-keys/current',
    {
      schema: {
        operationId: 'getCurrentApiKey',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read the key making this request',
        description: 'Tells a caller which key it uses: role, organization, name. Handy to check a configuration.',
        response: { 200: ApiKeySchema },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(String(request.actor.keyId))),
  );

  app.get(
    '/api-keys/:id',
    {
      schema: {
        operationId: 'getApiKey',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read an API key',
        description: 'Returns one key, without its secret.',
        params: IdParamsSchema,
        response: { 200: ApiKeySchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(request.params.id)),
  );

  app.delete(
    '/api-keys/:id',
    {
      schema: {
        operationId: 'revokeApiKey',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Revoke an API key',
        description:
          'Revokes the key: its next request is refused with 401. The key stays listed (status revoked) so the ' +
          'history keeps naming who did what. Revoking a revoked key changes nothing. The last active secretariat ' +
          'key cannot be revoked (409): issue another first.',
        params: IdParamsSchema,
        response: { 200: ApiKeySchema, ...problemResponses(400, 404, 412, ERRORS.referenceInUse) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.revoke(request.params.id, writeContext(request))),
  );
};

export default apiKeyRoutes;
