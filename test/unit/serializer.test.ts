// The compiled response serializers (src/lib/serializer.ts): the hot responses are compiled, they write what zod
// writes, and the verifying mode the test suite runs in does fail on a difference.
import t from 'tap';
import { z } from 'zod';
import Fastify from 'fastify';
import { compileSerializer, createSerializerCompiler, serializedNatively } from '../../src/lib/serializer.js';
import { TaskPageSchema, TaskSchema } from '../../src/modules/tasks/tasks.schemas.js';
import { TaskReportSchema } from '../../src/modules/task-reports/task-reports.schemas.js';
import { ProgressReportSchema } from '../../src/modules/reports/progress.schemas.js';
import { build, json } from '../helper.js';
import { approvedTask } from '../factories.js';

t.test('the responses of the hot routes compile: a task, a page of tasks, a progress report, the co-chairs\' report', async (t) => {
  for (const [name, schema] of Object.entries({ TaskSchema, TaskPageSchema, TaskReportSchema, ProgressReportSchema })) {
    t.type(compileSerializer(schema), 'function', name);
  }
});

t.test('a schema JSON Schema cannot express keeps zod\'s serializer', async (t) => {
  t.equal(compileSerializer(z.object({ at: z.string().transform((s) => s.length) })), null);
});

t.test('compiled and zod write the same bytes for a real task and page, nulls, extra properties and odd strings', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const page = json(await app.inject({ method: 'GET', url: '/v1/tasks?limit=5' }));
  const cases: [z.ZodType, unknown][] = [
    [TaskSchema, task],
    [TaskSchema, { ...task, secretHash: 'never written', basis: null, completion: null, title: 'Кавычки " \\ \u2028 \u0000 😀' }],
    [TaskPageSchema, page],
    [TaskPageSchema, { items: [], nextCursor: null }],
  ];
  for (const [schema, value] of cases) {
    const compiled = compileSerializer(schema);
    t.equal(compiled?.(value), JSON.stringify(schema.encode(value as never)));
  }
  t.notMatch(compileSerializer(TaskSchema)?.(cases[1]?.[1]) ?? '', /secretHash/, 'undeclared properties are never written');
});

t.test('in verifying mode a difference between the two is an error, not a silent answer', async (t) => {
  const app = Fastify({ logger: false });
  app.setSerializerCompiler(createSerializerCompiler({ verify: true }));
  // overwrite() changes the value in zod's output but not the JSON Schema: the two serializers disagree.
  const Shouting = z.object({ word: z.string().overwrite((s) => s.toUpperCase()) });
  app.get('/word', { schema: { response: { 200: Shouting } } }, async () => ({ word: 'quiet' }));
  const res = await app.inject({ method: 'GET', url: '/word' });
  t.equal(res.statusCode, 500);
  t.match(res.json().message, /compiled serializer of GET \/word \(200\) differs from zod's/);
  const lenient = Fastify({ logger: false });
  lenient.setSerializerCompiler(createSerializerCompiler({ verify: false }));
  lenient.get('/word', { schema: { response: { 200: Shouting } } }, async () => ({ word: 'quiet' }));
  t.equal((await lenient.inject({ method: 'GET', url: '/word' })).body, '{"word":"quiet"}', 'without verifying, the compiled one answers');
});

t.test('a schema marked serializedNatively is written by JSON.stringify, and verifying catches an object not built to it', async (t) => {
  const Pair = serializedNatively(z.object({ a: z.number(), b: z.string() }));
  const app = Fastify({ logger: false });
  app.setSerializerCompiler(createSerializerCompiler({ verify: true }));
  app.get('/good', { schema: { response: { 200: Pair } } }, async () => ({ a: 1, b: 'x' }));
  app.get('/order', { schema: { response: { 200: Pair } } }, async () => ({ b: 'x', a: 1 }));
  app.get('/extra', { schema: { response: { 200: Pair } } }, async () => ({ a: 1, b: 'x', secret: 's' }));
  t.equal((await app.inject({ method: 'GET', url: '/good' })).body, '{"a":1,"b":"x"}');
  t.equal((await app.inject({ method: 'GET', url: '/order' })).statusCode, 500, 'another key order is a difference');
  t.equal((await app.inject({ method: 'GET', url: '/extra' })).statusCode, 500, 'a property the schema lacks is a difference');
});
