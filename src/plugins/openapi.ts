// The OpenAPI 3.1 document, generated from the routes' zod schemas, served at /openapi.json and /docs.
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export const API_TAGS = [
  { name: 'Commissions', description: 'Intergovernmental commissions: the two parties, their co-chairs, the time zone that decides "today".' },
  { name: 'Organizations', description: 'Ministries, agencies, enterprises, joint ventures, regions and associations of either party.' },
  { name: 'Meetings', description: 'Commission sessions, working groups and official visits whose protocols set tasks.' },
  { name: 'Plans', description: 'Plans of measures ("roadmaps") of a commission and their approval cycle.' },
  { name: 'Tasks', description: 'The measures of a plan: assignees, status transitions, overdue state.' },
  { name: 'Deadline changes', description: 'Reasoned postponements: requests, decisions and direct changes of due dates.' },
  { name: 'Service', description: 'Health of the running service.' },
];

type Json = Record<string, unknown>;

/** Drops components that nothing references: zod emits an input and an output twin of every named schema. */
export function pruneUnusedComponents(doc: Json): Json {
  const components = (doc.components ?? {}) as { schemas?: Record<string, unknown> };
  const schemas = components.schemas ?? {};
  const refsIn = (value: unknown, found: Set<string>) => {
    JSON.stringify(value, (key, v) => {
      if (key === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
        found.add(v.slice('#/components/schemas/'.length));
      }
      return v;
    });
  };
  const used = new Set<string>();
  refsIn({ ...doc, components: { ...components, schemas: undefined } }, used);
  // Follow references between components until nothing new turns up.
  let frontier = [...used];
  while (frontier.length > 0) {
    const next = new Set<string>();
    for (const name of frontier) refsIn(schemas[name], next);
    frontier = [...next].filter((n) => !used.has(n));
    for (const n of frontier) used.add(n);
  }
  const kept = Object.fromEntries(
    Object.keys(schemas)
      .filter((name) => used.has(name))
      .sort()
      .map((name) => [name, schemas[name]]),
  );
  return { ...doc, components: { ...components, schemas: kept } };
}

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
      transformObject: (doc) => pruneUnusedComponents(jsonSchemaTransformObject(doc) as Json) as never,
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });

    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
