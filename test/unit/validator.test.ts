// Request validation (src/lib/validator.ts): a query string is validated once per distinct query and route; the value is
// shared by every request with that query, so it is frozen, and whatever zod refuses is refused every time.
import t from 'tap';
import { z } from 'zod';
import type { FastifySchemaCompiler } from 'fastify';
import { QUERIES_KEPT, validatorCompiler } from '../../src/lib/validator.js';
import { ListTasksQuerySchema } from '../../src/modules/tasks/tasks.schemas.js';
import { build, json } from '../helper.js';
import { approvedTask } from '../factories.js';

type Validate = (data: unknown) => { value?: unknown; error?: unknown };
const compile = (schema: z.ZodType, httpPart: string) =>
  validatorCompiler({ schema, httpPart, method: 'GET', url: '/x' } as Parameters<FastifySchemaCompiler<unknown>>[0]) as Validate;

t.test('a valid query is parsed once: the same value again, frozen through', async (t) => {
  let parses = 0;
  const schema = z.object({
    limit: z.coerce.number().int().default(50),
    status: z.array(z.string()).optional(),
    q: z.string().transform((s) => {
      parses++;
      return s.trim();
    }).optional(),
  });
  const validate = compile(schema, 'querystring');
  const first = validate({ limit: '5', status: ['a', 'b'], q: ' x ' });
  t.strictSame(first.value, { limit: 5, status: ['a', 'b'], q: 'x' }, "zod's value");
  const again = validate({ limit: '5', status: ['a', 'b'], q: ' x ' });
  t.equal(again.value, first.value, 'the same value for the same query');
  t.equal(parses, 1, 'parsed once');
  t.ok(Object.isFrozen(first.value) && Object.isFrozen((first.value as { status: string[] }).status), 'frozen, its array too');
  t.throws(() => {
    (first.value as { limit: number }).limit = 6;
  }, TypeError, 'a handler cannot change it for the next request');

  t.strictSame(validate({ limit: '5', status: 'a', q: ' x ' }).error !== undefined, true, 'one value where an array is wanted is another query, refused');
  t.strictSame(validate({ limit: '6', q: ' x ' }).value, { limit: 6, q: 'x' }, 'another query, its own value');
  t.equal(parses, 3, 'each distinct query parsed (the refused one too)');
});

t.test('a refused query is refused every time, with zod\'s error', async (t) => {
  const validate = compile(z.object({ limit: z.coerce.number().int().max(100) }), 'querystring');
  for (let i = 0; i < 3; i++) {
    const result = validate({ limit: '101' });
    t.equal(result.value, undefined, `attempt ${i + 1}: no value`);
    t.ok(result.error, `attempt ${i + 1}: an error`);
  }
  t.strictSame(validate({ limit: '100' }).value, { limit: 100 });
});

t.test('only query strings are remembered: a body or path is validated each time', async (t) => {
  let parses = 0;
  const schema = z.object({ id: z.string().transform((s) => (parses++, s)) });
  for (const part of ['body', 'params', 'headers']) {
    const validate = compile(schema, part);
    const a = validate({ id: 'x' });
    const b = validate({ id: 'x' });
    t.not(a.value, b.value, `${part}: a new value each time`);
    t.notOk(Object.isFrozen(a.value), `${part}: not frozen`);
  }
  t.equal(parses, 6);
});

t.test('the memo is bounded: past QUERIES_KEPT queries (all routes together) it starts again', async (t) => {
  let parses = 0;
  const validate = compile(z.object({ n: z.string().transform((s) => (parses++, s)) }), 'querystring');
  for (let i = 0; i < 2 * QUERIES_KEPT; i++) validate({ n: String(i) });
  t.equal(parses, 2 * QUERIES_KEPT, 'each parsed once');
  validate({ n: String(2 * QUERIES_KEPT - 1) });
  t.equal(parses, 2 * QUERIES_KEPT, 'the latest is kept');
  validate({ n: '0' });
  t.equal(parses, 2 * QUERIES_KEPT + 1, 'the first was forgotten');
});

t.test('a query with a cursor, or a long one, is parsed every time (a cursor is used once)', async (t) => {
  let parses = 0;
  const validate = compile(z.object({ cursor: z.string().optional(), q: z.string().transform((s) => (parses++, s)) }), 'querystring');
  for (let i = 0; i < 2; i++) validate({ cursor: 'abc', q: 'x' });
  t.equal(parses, 2, 'with a cursor: twice');
  for (let i = 0; i < 2; i++) validate({ q: 'x'.repeat(2000) });
  t.equal(parses, 4, 'a query of 2,000 characters: twice');
  for (let i = 0; i < 2; i++) validate({ q: 'x' });
  t.equal(parses, 5, 'the same query without: once');
});

t.test("a list asked again with the same query answers as the first time, and the task list's own query schema is memoised", async (t) => {
  const validate = compile(ListTasksQuerySchema, 'querystring');
  const query = { limit: '2', status: 'in_progress' };
  t.equal(validate(query).value, validate({ ...query }).value, 'the same value for an equal query');
  const app = await build(t);
  const { plan } = await approvedTask(app);
  const url = `/v1/tasks?planId=${plan.id}&limit=2`;
  const firstRes = await app.inject({ method: 'GET', url });
  t.equal(firstRes.statusCode, 200);
  const first = json(firstRes) as { items: unknown[] };
  t.equal(first.items.length, 1, 'the task');
  const second = json(await app.inject({ method: 'GET', url }));
  t.strictSame(second, first, 'the same answer');
  const refused = await app.inject({ method: 'GET', url: `${url}&status=nonsense` });
  t.equal(refused.statusCode, 400);
  t.equal((await app.inject({ method: 'GET', url: `${url}&status=nonsense` })).statusCode, 400, 'refused again');
});
