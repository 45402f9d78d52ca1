// HTTP routes of /v1/share-links (the secretariat manages read-only links) and /v1/links/{token} (anyone opens one).
import { ERRORS } from '../../errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ChangeHeadersSchema, IdParamsSchema, ReadHeadersSchema, problemResponses } from '../../lib/common.schemas.js';
import { LINK_HEADERS, refuseMalformedIfNoneMatch, sendResource, writeContext } from '../../lib/http.js';
import { CalendarBodySchema } from '../calendar/calendar.routes.js';
import {
  CreatedShareLinkSchema,
  CreateShareLinkSchema,
  ListShareLinksQuerySchema,
  OpenShareLinkParamsSchema,
  OpenShareLinkQuerySchema,
  ShareLinkPageSchema,
  ShareLinkSchema,
} from './share-links.schemas.js';
import { createShareLinkService } from './share-links.service.js';
import { PAGE_CSP } from '../reports/progress.html.js';

const tags = ['Share links'];

const HtmlReportSchema = z
  .string()
  .describe('The printable progress report: one self-contained HTML page.')
  .meta({ example: '<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Progress report</title></head><body>…</body></html>' });

const shareLinkRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createShareLinkService({ db: app.db, clock: app.clock, reports: app.reports });

  app.get(
    '/share-links',
    {
      schema: {
        operationId: 'listShareLinks',
        tags,
        summary: 'List read-only links',
        description: 'Lists links, oldest first, with what they open, their status and last use. Secrets are never listed.',
        querystring: ListShareLinksQuerySchema,
        response: { 200: ShareLinkPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/share-links',
    {
      schema: {
        operationId: 'createShareLink',
        tags,
        summary: 'Create a read-only link',
        description:
          'Creates a link that opens the printable progress report of a plan or commission, or the calendar feed, ' +
          'for people whose browser or calendar program cannot send an API key. The response carries its `url` this ' +
          'once; only a hash of the secret is kept. The link shows what it was created with (plan, commission, ' +
          'organization, language) and nothing else, until it expires (default 30 days, at most 366) or is revoked. ' +
          'A report link needs a plan that is no longer a draft (409). ' +
          'Not idempotent on purpose: a replay would have to return the secret again; if the response is lost, revoke ' +
          'the link and create another.',
        body: CreateShareLinkSchema,
        response: { 201: CreatedShareLinkSchema, ...problemResponses(400, 413, 415, ERRORS.planStateConflict, ERRORS.invalidValue, ERRORS.unknownReference) },
      },
    },
    async (request, reply) => {
      const created = service.create(request.body, writeContext(request));
      return reply.code(201).header('location', `/v1/share-links/${created.id}`).send(created);
    },
  );

  app.get(
    '/share-links/:id',
    {
      schema: {
        operationId: 'getShareLink',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read a read-only link',
        description: 'Returns one link, without its secret.',
        params: IdParamsSchema,
        response: { 200: ShareLinkSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(request.params.id)),
  );

  app.delete(
    '/share-links/:id',
    {
      schema: {
        operationId: 'revokeShareLink',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Revoke a read-only link',
        description:
          'Revokes the link: from this moment it answers 404. The link stays listed (status revoked). Revoking a ' +
          'revoked link changes nothing.',
        params: IdParamsSchema,
        response: { 200: ShareLinkSchema, ...problemResponses(400, 404, 412) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.revoke(request.params.id, writeContext(request))),
  );

  app.get(
    '/links/:token',
    {
      schema: {
        operationId: 'openShareLink',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Open a read-only link',
        description:
          'Answers what the link was created for, computed now: the progress report as an HTML page (as of today in ' +
          "the commission's time zone) or the calendar feed. The secret in the path is the credential; an API key is " +
          'neither needed nor looked at. An unknown, expired or revoked link is 404, the same answer for each. No ' +
          'query parameter is accepted: the link fixes everything it shows. Answers are never cached (no-store) nor ' +
          'indexed (X-Robots-Tag), and send no Referer onwards. An ETag lets a calendar program poll with If-None-Match. A ' +
          "large plan's report is computed as GET /v1/reports/progress computes it, in turn with the other large reports: " +
          'when 16 already wait, 503 with Retry-After.',
        params: OpenShareLinkParamsSchema,
        querystring: OpenShareLinkQuerySchema,
        response: {
          200: {
            description: 'The report (text/html) or the calendar feed (text/calendar), as the link\'s kind says.',
            content: { 'text/html': { schema: HtmlReportSchema }, 'text/calendar': { schema: CalendarBodySchema } },
          },
          ...problemResponses(400, 404, 503),
        },
      },
      // A hook rather than headers in the handler: the 404 and 400 answers carry them too.
      onSend: async (_request, reply, payload) => {
        reply.headers(LINK_HEADERS);
        return payload;
      },
    },
    async (request, reply) => {
      // Before the link is opened: a refused request leaves its lastUsedAt as it was.
      refuseMalformedIfNoneMatch(request);
      const opened = await service.open(request.params.token);
      reply.type(opened.contentType).header('content-disposition', `inline; filename="${opened.filename}"`);
      if (opened.contentType.startsWith('text/html')) reply.header('content-security-policy', PAGE_CSP);
      // A calendar program polling its subscription, or a page polling the report, gets a 304 while nothing changed.
      return sendResource(request, reply, opened.body, 200, opened.etag);
    },
  );
};

export default shareLinkRoutes;
