// The OpenAPI 3.1 document, generated from the routes' zod schemas, served at /openapi.json and /docs.
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { finishDocument } from './openapi-document.js';

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
  { name: 'Service', description: 'Health of the running service.' },
];

export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Commission plan tracker API',
          version: '1.0.0',
          description:
            'The plan of measures of an intergovernmental commission as tasks executed by the ministries of two ' +
            'countries: status, deadlines and reasoned postponements. Errors are RFC 9457 problem documents ' +
            '(application/problem+json). Lists are paginated by an opaque cursor.',
          license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
        },
        tags: API_TAGS,
      },
      transform: jsonSchemaTransform,
      transformObject: (doc) => finishDocument(jsonSchemaTransformObject(doc) as Record<string, unknown>) as never,
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });

    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
