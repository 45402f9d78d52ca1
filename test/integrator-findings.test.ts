// Findings of an outside integrator (a ministry system built only from openapi/openapi.json and the README), each
// fixed: places where the behaviour, the document, the generated client types and the README disagreed. Each test
// states what the document or README promises.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { build, json, keyFor, snapshot } from './helper.js';
import { approvedTask, createTask, seedPlan } from './factories.js';
import { subscribe, webhookApp } from './webhooks/receiver.js';

type Json = Record<string, any>;

t.test('rotate-secret with an If-Match that no longer matches changes nothing (README: "Send it back as If-Match on a PATCH, DELETE or action … 412 and nothing changes")', async (t) => {
  const app = await webhookApp(t);
  const sub = await subscribe(app, { url: 'http://127.0.0.1:9/hooks', events: ['task.created'] });
  const before = snapshot(app);
  const res = await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/rotate-secret`, headers: { 'if-match': '"stale-etag"' } });
  t.equal(res.statusCode, 412, 'a stale If-Match is honoured');
  t.strictSame(snapshot(app), before, 'the secret was not rotated');
  const current = await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` });
  const rotated = await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/rotate-secret`, headers: { 'if-match': current.headers.etag as string } });
  t.equal(rotated.statusCode, 200, 'the current one rotates');
  const after = await app.inject({ method: 'GET', url: `/v1/webhooks/${sub.id}` });
  t.equal(rotated.headers.etag, after.headers.etag, 'and the answer carries the subscription’s new ETag, for the next change');
});

t.test('submitting a progress report with an If-Match that matches nothing does not create it silently', async (t) => {
  const app = await build(t);
  const { task, by } = await approvedTask(app);
  const ministry = await keyFor(app, 'ministry', by.id);
  const before = snapshot(app);
  const res = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task.id}/reports`,
    headers: { ...ministry.headers, 'if-match': '"stale-etag"' },
    payload: { period: '2026-Q4', percentComplete: 10, confidence: 'green', narrative: 'Started.' },
  });
  t.equal(res.statusCode, 400, 'refused: a creation takes no If-Match');
  t.strictSame(json(res).errors, [{ path: 'headers.if-match', message: 'not accepted by this operation' }]);
  t.strictSame(snapshot(app), before, 'no report was written');
});

t.test('every request-body property with a default is optional in the generated client, or named in the README caveat', async (t) => {
  const doc = JSON.parse(readFileSync('openapi/openapi.json', 'utf8')) as Json;
  const types = readFileSync('clients/typescript/schema.d.ts', 'utf8');
  const readme = readFileSync('README.md', 'utf8');
  const caveat = readme.slice(readme.indexOf('## Generating a client'), readme.indexOf('## OpenAPI'));
  const unusable: string[] = [];
  for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) {
    for (const [prop, p] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
      if (!('default' in p) || (schema.required ?? []).includes(prop)) continue;
      const block = types.slice(types.indexOf(`        ${name}: {`), types.indexOf('\n        };', types.indexOf(`        ${name}: {`)));
      const requiredInTypes = new RegExp(`\\n\\s+${prop}: `).test(block);
      // the operations whose body is this schema
      const paths = Object.entries(doc.paths as Record<string, Json>)
        .filter(([, item]) => Object.values(item).some((op: Json) => JSON.stringify(op?.requestBody ?? {}).includes(`"#/components/schemas/${name}"`)))
        .map(([path]) => path);
      if (requiredInTypes && !paths.some((path) => caveat.includes(path))) unusable.push(`${name}.${prop} (${paths.join(', ')})`);
    }
  }
  t.strictSame(unusable, [], 'optional with a default in the document, required in schema.d.ts, and not in the README caveat');
});

t.test('downloads document the Content-Disposition header they send', async (t) => {
  const app = await build(t);
  const { task, plan, by } = await approvedTask(app);
  t.ok(task.id);
  const doc = json<Json>(await app.inject({ method: 'GET', url: '/openapi.json' }));
  const cases: [string, string, string][] = [
    ['/v1/reports/progress', 'get', `/v1/reports/progress?planId=${plan.id}&format=csv`],
    ['/v1/calendar.ics', 'get', `/v1/calendar.ics?organizationId=${by.id}`],
    ['/v1/plans/import-template', 'get', '/v1/plans/import-template?format=csv'],
  ];
  for (const [path, method, url] of cases) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 200, url);
    t.ok(res.headers['content-disposition'], `${url} sends Content-Disposition`);
    const documented = Object.keys(doc.paths[path][method].responses['200'].headers ?? {}).map((h) => h.toLowerCase());
    t.ok(documented.includes('content-disposition'), `${method.toUpperCase()} ${path} 200 documents Content-Disposition`);
  }
});

t.test('a 415 says what to send instead (DESIGN: an error says how to fix it)', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const res = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, headers: { 'content-type': 'text/plain' }, payload: 'in_progress' });
  t.equal(res.statusCode, 415);
  t.match(json(res).detail, /application\/json/, `the detail names application/json; got ${JSON.stringify(json(res).detail)}`);
});

t.test('an unknown body field is named in errors[].path, as the fields at fault', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const res = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/transitions`, payload: { to: 'in_progress', sttaus: 'x' } });
  t.equal(res.statusCode, 400);
  t.strictSame(json(res).errors.map((e: Json) => e.path), ['body.sttaus'], `got ${JSON.stringify(json(res).errors)}`);
});

t.test('ids sent in capitals (SQL Server GUIDs) are read as the same ids: paths, filters and bodies', async (t) => {
  const app = await build(t);
  const { plan, by, assignees } = await seedPlan(app);
  const task = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-31', assignees });
  const upper = (id: string) => id.toUpperCase();

  const read = await app.inject({ url: `/v1/tasks/${upper(task.id)}` });
  t.equal(read.statusCode, 200, read.body);
  t.equal(json(read).id, task.id, 'answered with the id in lower case');
  const listed = json(await app.inject({ url: `/v1/tasks?planId=${upper(plan.id)}&organizationId=${upper(by.id)}` }));
  t.strictSame(listed.items.map((x: { id: string }) => x.id), [task.id], 'a filter in capitals finds what the same filter in lower case finds');
  const created = await app.inject({
    method: 'POST',
    url: '/v1/tasks',
    payload: { planId: upper(plan.id), code: '1.2', title: 'Second', area: 'trade', dueDate: '2026-12-31', assignees: assignees.map((a) => ({ ...a, organizationId: upper(a.organizationId) })) },
  });
  t.equal(created.statusCode, 201, created.body);
  t.equal(json(created).planId, plan.id, 'stored in lower case');
  t.strictSame(json(created).assignees.map((a: { organizationId: string }) => a.organizationId), assignees.map((a) => a.organizationId));
});
