// What trips clients generated from openapi/openapi.json by generators other than the project's own (found with
// @hey-api/openapi-ts, orval and openapi-zod-client; the tests read the document and the service, not their output).
import t from 'tap';
import { build, json } from './helper.js';

type Json = Record<string, any>;

async function documentOf(app: Awaited<ReturnType<typeof build>>): Promise<Json> {
  return json<Json>(await app.inject({ method: 'GET', url: '/openapi.json' }));
}

/** Every schema object of the document (parameters', bodies', responses' and components'), with where it is. */
function schemasOf(doc: Json): { at: string; schema: Json }[] {
  const found: { at: string; schema: Json }[] = [];
  const SUBSCHEMAS = ['schema', 'items', 'additionalProperties', 'propertyNames', 'not', 'allOf', 'anyOf', 'oneOf'];
  const walk = (node: unknown, at: string, isSchema: boolean): void => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${at}/${i}`, isSchema));
    if (node === null || typeof node !== 'object') return;
    if (isSchema) found.push({ at, schema: node as Json });
    for (const [key, value] of Object.entries(node)) {
      if (['example', 'examples', 'default', 'enum', 'const'].includes(key)) continue;
      const named = (isSchema && key === 'properties') || (at === '#/components' && key === 'schemas');
      if (named) for (const [name, schema] of Object.entries(value as Json)) walk(schema, `${at}/${key}/${name}`, true);
      else walk(value, `${at}/${key}`, SUBSCHEMAS.includes(key));
    }
  };
  walk(doc, '#', false);
  return found;
}

t.test('no schema states its patterns as allOf members without a type (generated clients type it unknown)', async (t) => {
  // zod writes a second .regex() as `allOf: [{pattern}, {pattern}]` beside `type: string`. @hey-api/openapi-ts types
  // such a parameter `unknown & unknown`, openapi-zod-client writes `z.unknown().and(z.unknown()).min(1)`, which does
  // not compile, and orval drops both patterns. One pattern, in the schema itself, is read by every generator.
  const app = await build(t);
  const doc = await documentOf(app);
  const stacked = schemasOf(doc)
    .filter(({ schema }) => Array.isArray(schema.allOf) && schema.allOf.some((member: Json) => !member.$ref && member.type === undefined))
    .map(({ at }) => at);
  t.strictSame(stacked, [], 'allOf members without a type or $ref');
});

t.test('free-text search still refuses every control character, tab and line breaks included', async (t) => {
  const app = await build(t);
  for (const url of ['/v1/tasks?q=a%09b', '/v1/tasks?q=a%0Ab', '/v1/tasks?q=a%00b', '/v1/organizations?q=a%7Fb']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 400, url);
    t.equal(json(res).errors?.[0]?.path, 'querystring.q', `${url}: q is named as the field at fault`);
  }
  const res = await app.inject({ method: 'GET', url: `/v1/tasks?q=${encodeURIComponent('  мтз ')}` });
  t.equal(res.statusCode, 200, 'text around spaces is searched for (trimmed)');
});

t.test('a status or awaiting filter matches the document’s pattern exactly when the service takes it', async (t) => {
  // A client (or a contract tester such as schemathesis) that builds the comma form from the published pattern must not
  // be refused for a value the pattern allows: the pattern let through "" and ",", which the service answers with 400.
  const app = await build(t);
  const doc = await documentOf(app);
  const parameters = doc.paths['/v1/tasks'].get.parameters as Json[];
  const cases: Record<string, string[]> = {
    status: ['', ',', ' , ', 'closed', 'closed,done', ' closed , done ,', ',closed', 'closed,,done', 'closed;done', 'Closed'],
    awaiting: ['', ',', 'report_review', 'deadline_decision, report_review', ',,report_review,'],
  };
  for (const [name, values] of Object.entries(cases)) {
    const schema = parameters.find((p) => p.name === name)?.schema as Json;
    const pattern = new RegExp(schema.anyOf.find((s: Json) => s.type === 'string').pattern);
    for (const value of values) {
      const res = await app.inject({ method: 'GET', url: `/v1/tasks?${name}=${encodeURIComponent(value)}` });
      t.equal(res.statusCode === 200, pattern.test(value), `${name}=${JSON.stringify(value)}: answered ${res.statusCode}, the pattern ${pattern.test(value) ? 'accepts' : 'refuses'} it`);
    }
  }
});

t.test('a task’s translations name their languages as optional properties, not as an index signature', async (t) => {
  // propertyNames + additionalProperties is typed `{ [key: string]: Translation }` by openapi-typescript and
  // @hey-api/openapi-ts: `task.translations.en.title` then compiles without a check and throws on a task with no English.
  const app = await build(t);
  const doc = await documentOf(app);
  const translations = doc.components.schemas.Task.properties.translations as Json;
  t.strictSame(Object.keys(translations.properties ?? {}), ['ru', 'be', 'kk', 'en'], 'one property per language');
  t.equal(translations.required, undefined, 'each of them optional');
  t.equal(translations.additionalProperties, false, 'and no other key');
  t.equal(translations.propertyNames, undefined, 'no index signature');
});
