// The OpenAPI 3.1 document, generated from the routes' zod schemas, served at /openapi.json and /docs.
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import compress from '@fastify/compress';
import etag from '@fastify/etag';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { finishDocument, type RouteFacts } from './openapi-document.js';

const API_TITLE = 'Commission plan tracker API';

export const API_TAGS = [
  { name: 'Commissions', description: 'Intergovernmental commissions: the two parties, their co-chairs, the time zone that decides "today".' },
  { name: 'Organizations', description: 'Ministries, agencies, enterprises, joint ventures, regions and associations of either party.' },
  { name: 'Meetings', description: 'Commission sessions, working groups and official visits whose protocols set tasks.' },
  { name: 'Plans', description: 'Plans of measures ("roadmaps") of a commission and their approval cycle.' },
  { name: 'Tasks', description: 'The measures of a plan: assignees, status transitions, overdue state.' },
  { name: 'Deadline changes', description: 'Reasoned postponements: requests, decisions and direct changes of due dates.' },
  { name: 'Progress reports', description: "Executors' periodic progress reports on tasks and their review by the secretariat or a co-chair." },
  { name: 'Indicators', description: 'Measurable targets of plans and tasks: baseline, target, actual values by period, progress.' },
  { name: 'Reports', description: "The co-chairs' progress report (JSON, CSV, XLSX, printable HTML) and the calendar feed of deadlines." },
  { name: 'Share links', description: 'Expiring, revocable read-only links that open the printable report or the calendar feed without an API key.' },
  { name: 'History', description: 'Who changed what and when: every write, field by field, append-only.' },
  { name: 'API keys', description: 'Keys for ministry systems, co-chairs, observers and the secretariat; the secret is shown once.' },
  { name: 'Webhooks', description: 'Signed (Standard Webhooks) events for ministry systems: subscriptions, the delivery log, redelivery. Bodies: the WebhookEvent schema.' },
  { name: 'Service', description: 'Health of the running service.' },
];

/**
 * Relative: the document is served by the service it describes, wherever that runs. x-internal (OWASP API9)
 * says who it is for: the ministry systems of both countries, not only the secretariat's own network.
 */
const SERVER = {
  url: '/',
  description: 'The service that serves this document: local, test or production alike.',
  'x-internal': false,
};

export default fp(
  async (app) => {
    // Registered before the API modules, so it sees their routes: what the document cannot learn from a schema.
    const facts: RouteFacts & { unlimited: Set<string> } = { unlimited: new Set() };
    app.addHook('onRoute', (route) => {
      const operationId = route.schema?.operationId;
      if (operationId && (route.config as { rateLimit?: unknown } | undefined)?.rateLimit === false) facts.unlimited.add(operationId);
    });

    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: API_TITLE,
          version: '1.0.0',
          description:
            'The plan of measures of an intergovernmental commission as tasks executed by the ministries of two ' +
            'countries: status, deadlines and reasoned postponements. Errors are RFC 9457 problem documents ' +
            '(application/problem+json). Lists are paginated by an opaque cursor. A method a known path does not have ' +
            'is 405 with an Allow header, with or without an API key; an unknown path is 401 without a key, 404 with one, ' +
            'and counts against the rate limit of the key (or the failed authentications of the address) as any request does.',
          contact: { name: 'The secretariat of the commission, which runs the service and issues API keys' },
          license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
        },
        servers: [SERVER],
        tags: API_TAGS,
      },
      transform: jsonSchemaTransform,
      transformObject: (doc) => finishDocument(jsonSchemaTransformObject(doc) as Record<string, unknown>, facts) as never,
    });
    // The documentation in a context of its own: about 2.7 MB (the document twice, and the page's script) that every
    // opening of /docs and every client generator downloads, often over a ministry's slow link. Here, and only here,
    // answers carry an ETag (a revalidation is a 304) and are compressed (br or gzip, about 1/20th of the document):
    // the API's own answers are left to the service's response cache, or to a proxy in front of it.
    await app.register(async (docs) => {
      await docs.register(etag);
      // A Range names bytes of the plain file (@fastify/static answers 206 with Content-Range of those): compressing
      // the part afterwards would send neither those bytes nor a range of the compressed stream. Sent plain.
      docs.addHook('onRequest', async (request) => {
        if (request.headers.range !== undefined) request.headers['accept-encoding'] = 'identity';
      });
      await docs.register(compress, { encodings: ['br', 'gzip'], globalDecompression: false });
      // The browser tab (and a bookmark) names the API, not the tool that shows it ("Swagger UI" by default).
      await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true }, theme: { title: API_TITLE } });

      // The document is final once the service is ready, so it is written out once, not on every download.
      let document: string | undefined;
      docs.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) => {
        document ??= JSON.stringify(app.swagger());
        return reply.type('application/json; charset=utf-8').send(document);
      });
    });
  },
  { name: 'openapi' },
);
