// Tests of /v1/organizations: create, read, update, the parent rules, filters, search and pagination.
import t from 'tap';
import type { App } from '../../src/app.js';
import { caseInsensitiveGlob, findOrganization, findOrganizationsByIds } from '../../src/modules/organizations/organizations.repository.js';
import { assertProblem, build, DEFAULT_NOW, json, snapshot, testClock, patchChangesNothing } from '../helper.js';
import { approvedTask, createOrganization, insertLegacyOrganization } from '../factories.js';

const UNKNOWN_ID = '019a7c2e-7a10-7000-8000-0000000000ff';

const minprom = { name: 'Ministry of Industry of the Republic of Belarus', shortName: 'Minprom', kind: 'ministry', country: 'BY' };

t.test('creating an organization answers 201 with a Location header and the stored organization', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'POST', url: '/v1/organizations', payload: minprom });
  t.equal(res.statusCode, 201);
  const created = json(res);
  t.match(created, { ...minprom, parentId: null, createdAt: DEFAULT_NOW, updatedAt: DEFAULT_NOW });
  t.match(created.id, /^[0-9a-f-]{36}$/);
  t.equal(res.headers.location, `/v1/organizations/${created.id}`);

  const read = await app.inject({ method: 'GET', url: res.headers.location as string });
  t.equal(read.statusCode, 200);
  t.same(json(read), created);
});

t.test('the short name is optional and stored as null when absent', async (t) => {
  const app = await build(t);
  const created = await createOrganization(app, { name: 'Region of Abai', kind: 'region', country: 'KZ' });
  t.equal(created.shortName, null);
  t.equal(created.parentId, null);
});

t.test('names are trimmed before they are stored', async (t) => {
  const app = await build(t);
  const created = await createOrganization(app, { ...minprom, name: '  Ministry of Industry  ' });
  t.equal(created.name, 'Ministry of Industry');
});

t.test('an organization can be created under an existing parent', async (t) => {
  const app = await build(t);
  const parent = await createOrganization(app, minprom);
  const child = await createOrganization(app, { name: 'Minsk Tractor Works', shortName: 'MTZ', kind: 'enterprise', country: 'BY', parentId: parent.id });
  t.equal(child.parentId, parent.id);
});

t.test('creating under a parent that does not exist is refused with 422 and changes nothing', async (t) => {
  const app = await build(t);
  await createOrganization(app, minprom);
  const before = snapshot(app);
  const res = await app.inject({ method: 'POST', url: '/v1/organizations', payload: { ...minprom, parentId: UNKNOWN_ID } });
  const body = assertProblem(t, res, 422, 'unknown-reference');
  t.same(body.errors, [{ path: 'body.parentId', message: 'no organization with this id' }]);
  t.same(snapshot(app), before);
});

t.test('invalid create bodies are refused with 400 naming the field, and change nothing', async (t) => {
  const app = await build(t);
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown field', { ...minprom, director: 'someone' }, 'body.director'],
    ['a missing name', { kind: 'ministry', country: 'BY' }, 'body.name'],
    ['a missing kind', { name: 'X', country: 'BY' }, 'body.kind'],
    ['a missing country', { name: 'X', kind: 'ministry' }, 'body.country'],
    ['a blank name', { ...minprom, name: '   ' }, 'body.name'],
    ['a name over 300 characters', { ...minprom, name: 'М'.repeat(301) }, 'body.name'],
    ['a short name over 100 characters', { ...minprom, shortName: 'x'.repeat(101) }, 'body.shortName'],
    ['a name that is not a string', { ...minprom, name: 42 }, 'body.name'],
    ['an unknown kind', { ...minprom, kind: 'ministery' }, 'body.kind'],
    ['a lower-case country', { ...minprom, country: 'by' }, 'body.country'],
    ['a three-letter country', { ...minprom, country: 'BLR' }, 'body.country'],
    ['a parent id that is not a uuid', { ...minprom, parentId: '42' }, 'body.parentId'],
  ];
  const before = snapshot(app);
  for (const [what, payload, path] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/organizations', payload });
    const body = assertProblem(t, res, 400, 'validation-failed');
    t.ok(
      body.errors.some((e: { path: string }) => e.path === path),
      `${what} is blamed on ${path}: ${JSON.stringify(body.errors)}`,
    );
  }
  t.same(snapshot(app), before);
});

t.test('a body that is not JSON is refused and changes nothing', async (t) => {
  const app = await build(t);
  const before = snapshot(app);
  const res = await app.inject({ method: 'POST', url: '/v1/organizations', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
  assertProblem(t, res, 400, 'malformed-body');
  t.same(snapshot(app), before);
});

t.test('reading an organization that does not exist is a 404 problem', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'GET', url: `/v1/organizations/${UNKNOWN_ID}` });
  const body = assertProblem(t, res, 404, 'not-found');
  t.match(body.detail, UNKNOWN_ID);
});

t.test('a malformed id in the path is a 400 problem', async (t) => {
  const app = await build(t);
  assertProblem(t, await app.inject({ method: 'GET', url: '/v1/organizations/not-a-uuid' }), 400, 'validation-failed');
  assertProblem(t, await app.inject({ method: 'PATCH', url: '/v1/organizations/not-a-uuid', payload: { name: 'X' } }), 400, 'validation-failed');
});

t.test('an update changes only the given fields and moves updatedAt', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const created = await createOrganization(app, minprom);
  clock.set('2026-11-29T10:00:00.000Z');
  const res = await app.inject({ method: 'PATCH', url: `/v1/organizations/${created.id}`, payload: { name: 'Ministry of Industry', kind: 'agency' } });
  t.equal(res.statusCode, 200);
  const updated = json(res);
  t.same(updated, { ...created, name: 'Ministry of Industry', kind: 'agency', updatedAt: '2026-11-29T10:00:00.000Z' });
  t.same(json(await app.inject({ method: 'GET', url: `/v1/organizations/${created.id}` })), updated);
});

t.test('an update can set and then clear the parent and the short name', async (t) => {
  const app = await build(t);
  const parent = await createOrganization(app, minprom);
  const child = await createOrganization(app, { name: 'BelAZ', kind: 'enterprise', country: 'BY' });
  const moved = json(await app.inject({ method: 'PATCH', url: `/v1/organizations/${child.id}`, payload: { parentId: parent.id, shortName: 'BELAZ' } }));
  t.equal(moved.parentId, parent.id);
  t.equal(moved.shortName, 'BELAZ');
  const cleared = json(await app.inject({ method: 'PATCH', url: `/v1/organizations/${child.id}`, payload: { parentId: null, shortName: null } }));
  t.equal(cleared.parentId, null);
  t.equal(cleared.shortName, null);
  t.equal(findOrganization(app.db, child.id)?.parentId, null);
});

t.test('invalid updates are refused with 400 and change nothing', async (t) => {
  const app = await build(t);
  const created = await createOrganization(app, minprom);
  const cases: [string, unknown][] = [
    ['an empty body', {}],
    ['an unknown field', { name: 'X', createdAt: DEFAULT_NOW }],
    ['an id in the body', { id: UNKNOWN_ID }],
    ['a null name', { name: null }],
    ['a name over 300 characters', { name: 'x'.repeat(301) }],
    ['an unknown kind', { kind: 'bank' }],
    ['a bad country', { country: 'Belarus' }],
    ['a parent id that is not a uuid', { parentId: 'x' }],
  ];
  const before = snapshot(app);
  for (const [what, payload] of cases) {
    const res = await app.inject({ method: 'PATCH', url: `/v1/organizations/${created.id}`, payload: payload as object });
    t.equal(res.statusCode, 400, what);
    t.equal(json(res).code, 'validation-failed', what);
  }
  t.same(snapshot(app), before);
});

t.test('updating an organization that does not exist is a 404 problem and changes nothing', async (t) => {
  const app = await build(t);
  await createOrganization(app, minprom);
  const before = snapshot(app);
  assertProblem(t, await app.inject({ method: 'PATCH', url: `/v1/organizations/${UNKNOWN_ID}`, payload: { name: 'X' } }), 404, 'not-found');
  t.same(snapshot(app), before);
});

t.test('moving an organization under a parent that does not exist is refused with 422', async (t) => {
  const app = await build(t);
  const created = await createOrganization(app, minprom);
  const before = snapshot(app);
  const res = await app.inject({ method: 'PATCH', url: `/v1/organizations/${created.id}`, payload: { parentId: UNKNOWN_ID, name: 'Renamed' } });
  const body = assertProblem(t, res, 422, 'unknown-reference');
  t.same(body.errors, [{ path: 'body.parentId', message: 'no organization with this id' }]);
  t.same(snapshot(app), before);
});

t.test('an organization cannot become its own parent', async (t) => {
  const app = await build(t);
  const created = await createOrganization(app, minprom);
  const before = snapshot(app);
  const res = await app.inject({ method: 'PATCH', url: `/v1/organizations/${created.id}`, payload: { parentId: created.id } });
  const body = assertProblem(t, res, 422, 'invalid-value');
  t.equal(body.errors.length, 1);
  t.equal(body.errors[0].path, 'body.parentId');
  t.same(snapshot(app), before);
});

t.test('an organization cannot be moved under its own descendant', async (t) => {
  const app = await build(t);
  const ministry = await createOrganization(app, minprom);
  const holding = await createOrganization(app, { name: 'Holding', kind: 'enterprise', country: 'BY', parentId: ministry.id });
  const plant = await createOrganization(app, { name: 'Plant', kind: 'enterprise', country: 'BY', parentId: holding.id });
  const before = snapshot(app);
  const res = await app.inject({ method: 'PATCH', url: `/v1/organizations/${ministry.id}`, payload: { parentId: plant.id } });
  const body = assertProblem(t, res, 422, 'invalid-value');
  t.same(body.errors.map((e: { path: string }) => e.path), ['body.parentId']);
  t.same(snapshot(app), before);
});

t.test('an organization can move under an organization outside its own subtree', async (t) => {
  const app = await build(t);
  const a = await createOrganization(app, { name: 'A', kind: 'ministry', country: 'BY' });
  const b = await createOrganization(app, { name: 'B', kind: 'ministry', country: 'BY' });
  const child = await createOrganization(app, { name: 'Child', kind: 'enterprise', country: 'BY', parentId: a.id });
  // B under Child of A: B's subtree does not contain Child, so this is no cycle.
  const res = await app.inject({ method: 'PATCH', url: `/v1/organizations/${b.id}`, payload: { parentId: child.id } });
  t.equal(res.statusCode, 200);
  t.equal(json(res).parentId, child.id);
  // ...but now A cannot go under B, which sits below A.
  assertProblem(t, await app.inject({ method: 'PATCH', url: `/v1/organizations/${a.id}`, payload: { parentId: b.id } }), 422, 'invalid-value');
});

async function seedDirectory(app: App) {
  const minpromBy = await createOrganization(app, { name: 'Министерство промышленности Республики Беларусь', shortName: 'Минпром', kind: 'ministry', country: 'BY' });
  const mtz = await createOrganization(app, { name: 'Минский тракторный завод', shortName: 'МТЗ', kind: 'enterprise', country: 'BY', parentId: minpromBy.id });
  const belaz = await createOrganization(app, { name: 'Белорусский автомобильный завод', shortName: 'БелАЗ', kind: 'enterprise', country: 'BY', parentId: minpromBy.id });
  const mintrade = await createOrganization(app, { name: 'Ministry of Trade and Integration of the Republic of Kazakhstan', kind: 'ministry', country: 'KZ' });
  const kaz = await createOrganization(app, { name: 'Қазақстан инжиниринг', shortName: 'ҚИ', kind: 'enterprise', country: 'KZ' });
  const jv = await createOrganization(app, { name: 'Kostanay Tractor Assembly (100%_JV*)', kind: 'joint_venture', country: 'KZ', parentId: mtz.id });
  return { minpromBy, mtz, belaz, mintrade, kaz, jv };
}

const names = (page: { items: { name: string }[] }) => page.items.map((o) => o.name);

t.test('organizations are listed by name, then id', async (t) => {
  const app = await build(t);
  const all = await seedDirectory(app);
  const page = json(await app.inject({ method: 'GET', url: '/v1/organizations' }));
  t.equal(page.nextCursor, null);
  t.same(names(page), Object.values(all).map((o) => o.name).sort());
});

t.test('the list filters by country, kind and parent', async (t) => {
  const app = await build(t);
  const o = await seedDirectory(app);
  const list = async (query: string) => names(json(await app.inject({ method: 'GET', url: `/v1/organizations?${query}` })));
  t.same(await list('country=KZ'), [o.jv.name, o.mintrade.name, o.kaz.name]);
  t.same(await list('kind=ministry'), [o.mintrade.name, o.minpromBy.name]);
  t.same(await list(`parentId=${o.minpromBy.id}`), [o.belaz.name, o.mtz.name]);
  t.same(await list(`parentId=${o.mtz.id}&country=KZ&kind=joint_venture`), [o.jv.name]);
  t.same(await list('country=KZ&kind=region'), []);
  t.same(await list(`parentId=${UNKNOWN_ID}`), []);
});

t.test('q finds a case-insensitive substring of the name or short name, Cyrillic included', async (t) => {
  const app = await build(t);
  const o = await seedDirectory(app);
  const search = async (q: string) =>
    names(json(await app.inject({ method: 'GET', url: `/v1/organizations?q=${encodeURIComponent(q)}` })));
  t.same(await search('мтз'), [o.mtz.name], 'short name, lower case against upper case');
  t.same(await search('белаз'), [o.belaz.name], 'mixed-case short name');
  t.same(await search('ТРАКТОРНЫЙ'), [o.mtz.name], 'name, upper case against lower case');
  t.same(await search('ЗАВОД'), [o.belaz.name, o.mtz.name]);
  t.same(await search('қазақстан'), [o.kaz.name], 'Kazakh letters');
  t.same(await search('republic of'), [o.mintrade.name]);
  t.same(await search('TRADE'), [o.mintrade.name]);
  t.same(await search('*'), [o.jv.name], 'a GLOB star is a literal star');
  t.same(await search('%'), [o.jv.name], 'a LIKE percent is a literal percent');
  t.same(await search('0%_'), [o.jv.name]);
  t.same(await search('?'), [], 'a GLOB question mark is a literal question mark');
  t.same(await search('['), [], 'an open bracket is literal');
  t.same(await search('минпром'), [o.minpromBy.name]);
  t.same(await search('нет такого'), []);
});

t.test('q combines with the other filters', async (t) => {
  const app = await build(t);
  const o = await seedDirectory(app);
  const page = json(await app.inject({ method: 'GET', url: `/v1/organizations?q=${encodeURIComponent('завод')}&parentId=${o.minpromBy.id}&limit=1` }));
  t.same(names(page), [o.belaz.name]);
  const next = json(await app.inject({ method: 'GET', url: `/v1/organizations?q=${encodeURIComponent('завод')}&parentId=${o.minpromBy.id}&limit=1&cursor=${page.nextCursor}` }));
  t.same(names(next), [o.mtz.name]);
  t.equal(next.nextCursor, null);
});

t.test('caseInsensitiveGlob turns every cased letter into a class and escapes GLOB metacharacters', async (t) => {
  t.equal(caseInsensitiveGlob('Мт3'), '*[Мм][тТ]3*');
  t.equal(caseInsensitiveGlob('a*?[]'), '*[aA][*][?][[]]*');
  t.equal(caseInsensitiveGlob('ß'), '*ß*', 'a letter whose upper case is two letters stays as it is');
});

t.test('a walk over pages of two sees every organization exactly once, in order', async (t) => {
  const app = await build(t);
  // Same names in pairs, so the id breaks ties across page boundaries: written past the API, which refuses a second
  // name of a country now, as rows written before it may still be.
  const wanted = ['Ж', 'а', 'Б', 'Б', 'Ә', 'Ә', 'Z'];
  const created = [];
  for (const name of wanted) created.push(insertLegacyOrganization(app, { name: `${name} org`, kind: 'other', country: 'KZ' }));
  const expected = [...created].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.id < y.id ? -1 : 1)).map((o) => o.id);

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/v1/organizations?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
    const page = json(await app.inject({ method: 'GET', url }));
    t.ok(page.items.length <= 2);
    seen.push(...page.items.map((o: { id: string }) => o.id));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 10);
  t.equal(pages, 4);
  t.same(seen, expected);
});

t.test('pages continue after an organization with a very long Cyrillic name', async (t) => {
  const app = await build(t);
  await createOrganization(app, { name: 'Ж'.repeat(300), kind: 'other', country: 'BY' });
  const last = await createOrganization(app, { name: 'Я', kind: 'other', country: 'BY' });
  const first = json(await app.inject({ method: 'GET', url: '/v1/organizations?limit=1' }));
  t.ok(first.nextCursor.length > 512, 'the cursor is longer than the shared default cap');
  const second = await app.inject({ method: 'GET', url: `/v1/organizations?limit=1&cursor=${first.nextCursor}` });
  t.equal(second.statusCode, 200);
  t.same(json(second).items.map((o: { id: string }) => o.id), [last.id]);
});

t.test('a cursor of the organizations list is refused by every other list as issued by another list', async (t) => {
  const app = await build(t);
  const { plan, task } = await approvedTask(app);
  const indicator = await app.inject({ method: 'POST', url: '/v1/indicators', payload: { planId: plan.id, name: 'Tractors', unit: 'tractors', baseline: 0, target: 10 } });
  t.equal(indicator.statusCode, 201);
  const page = json(await app.inject({ method: 'GET', url: '/v1/organizations?limit=1' }));
  t.type(page.nextCursor, 'string', 'the organizations list has a second page');
  const cursor = encodeURIComponent(page.nextCursor);
  // Meetings, indicators and task reports sort by two columns too: the key alone fitted them, and they answered 200
  // with an empty last page, so a client stopped paging with items unseen.
  for (const url of [
    '/v1/meetings',
    '/v1/indicators',
    `/v1/tasks/${task.id}/reports`,
    '/v1/tasks',
    '/v1/plans',
    '/v1/commissions',
    '/v1/history',
    `/v1/plans/${plan.id}/history`,
    `/v1/tasks/${task.id}/transitions`,
    `/v1/tasks/${task.id}/deadline-changes`,
    '/v1/api-keys',
    '/v1/share-links',
    '/v1/webhooks',
  ]) {
    const body = assertProblem(t, await app.inject({ method: 'GET', url: `${url}?cursor=${cursor}` }), 400, 'invalid-cursor');
    t.equal(body.detail, 'this cursor was issued by another list', url);
    t.same(body.errors, [{ path: 'querystring.cursor', message: 'a cursor of another list' }], url);
  }
  const second = await app.inject({ method: 'GET', url: `/v1/organizations?limit=1&cursor=${cursor}` });
  t.equal(second.statusCode, 200, 'the list that issued it takes it');
});

t.test('an organizations cursor is refused under other filters, and taken with another limit', async (t) => {
  const app = await build(t);
  for (const name of ['A', 'B', 'C', 'D']) await createOrganization(app, { name: `${name} works`, kind: 'enterprise', country: 'BY' });
  const first = json(await app.inject({ method: 'GET', url: '/v1/organizations?country=BY&limit=2' }));
  const cursor = encodeURIComponent(first.nextCursor);
  for (const query of ['country=KZ', '', 'country=BY&kind=enterprise', 'country=BY&q=works']) {
    const body = assertProblem(t, await app.inject({ method: 'GET', url: `/v1/organizations?${query}&cursor=${cursor}` }), 400, 'invalid-cursor');
    t.equal(body.detail, 'this cursor was issued for other filters; start again without a cursor', query || 'no filter');
  }
  const rest = json(await app.inject({ method: 'GET', url: `/v1/organizations?limit=200&cursor=${cursor}&country=BY` }));
  t.same(
    [...first.items, ...rest.items].map((o: { name: string }) => o.name),
    ['A works', 'B works', 'C works', 'D works'],
    'another limit and another order of parameters: the rest of the list, each once',
  );
});

t.test('bad list queries are 400 problems', async (t) => {
  const app = await build(t);
  await createOrganization(app, minprom);
  const cursorOfAnotherList = Buffer.from(JSON.stringify(['2026-11-04'])).toString('base64url');
  for (const [query, code] of [
    ['cursor=garbage', 'invalid-cursor'],
    [`cursor=${cursorOfAnotherList}`, 'invalid-cursor'],
    ['limit=0', 'validation-failed'],
    ['limit=201', 'validation-failed'],
    ['limit=two', 'validation-failed'],
    ['country=Belarus', 'validation-failed'],
    ['kind=bank', 'validation-failed'],
    ['parentId=123', 'validation-failed'],
    [`q=${'x'.repeat(101)}`, 'validation-failed'],
    ['q=', 'validation-failed'],
    ['sort=name', 'validation-failed'],
  ] as const) {
    const res = await app.inject({ method: 'GET', url: `/v1/organizations?${query}` });
    t.equal(res.statusCode, 400, query);
    t.equal(json(res).code, code, query);
  }
});

t.test('findOrganizationsByIds returns the organizations that exist and skips unknown ids', async (t) => {
  const app = await build(t);
  const a = await createOrganization(app, { name: 'B ministry', kind: 'ministry', country: 'BY' });
  const b = await createOrganization(app, { name: 'A ministry', kind: 'ministry', country: 'KZ' });
  t.same(findOrganizationsByIds(app.db, []), []);
  const found = findOrganizationsByIds(app.db, [a.id, UNKNOWN_ID, b.id, a.id]);
  t.same(found, [b, a]);
  t.equal(findOrganization(app.db, UNKNOWN_ID), undefined);
});

t.test('a name sent decomposed (NFD, as macOS writes "й" and "ё") is stored composed (NFC): one spelling, found by search', async (t) => {
  const app = await build(t);
  const composed = 'Минский тракторный завод';
  const decomposed = composed.normalize('NFD');
  t.not(decomposed, composed, 'the test sends another sequence of code points');
  const created = await createOrganization(app, { name: decomposed, shortName: 'МТЗ ёлка'.normalize('NFD'), kind: 'enterprise', country: 'BY' });
  t.equal(created.name, composed, 'stored composed');
  t.equal(created.shortName, 'МТЗ ёлка', 'the short name too');
  const search = async (q: string) => names(json(await app.inject({ method: 'GET', url: `/v1/organizations?q=${encodeURIComponent(q)}` })));
  t.same(await search('минский'), [composed], 'a composed query finds it');
  t.same(await search('минский'.normalize('NFD')), [composed], 'and so does a decomposed one');
  t.same(await search('ёлка'), [composed]);
  const renamed = json(await app.inject({ method: 'PATCH', url: `/v1/organizations/${created.id}`, payload: { name: 'ОАО «Минский тракторный завод»'.normalize('NFD') } }));
  t.equal(renamed.name, 'ОАО «Минский тракторный завод»', 'an update is stored composed as well');
});

t.test('the country of an organization must be an assigned ISO 3166-1 alpha-2 code, on create and on update', async (t) => {
  const app = await build(t);
  const before = snapshot(app);
  for (const country of ['UK', 'XY', 'ZZ']) {
    const body = assertProblem(t, await app.inject({ method: 'POST', url: '/v1/organizations', payload: { ...minprom, country } }), 400, 'validation-failed');
    t.match(body.errors, [{ path: 'body.country', message: /ISO 3166-1 alpha-2/ }], `${country} is refused`);
  }
  t.same(snapshot(app), before, 'nothing was created');
  const created = await createOrganization(app, { ...minprom, country: 'GB' });
  const refusedPatch = await app.inject({ method: 'PATCH', url: `/v1/organizations/${created.id}`, payload: { country: 'UK' } });
  t.match(assertProblem(t, refusedPatch, 400, 'validation-failed').errors, [{ path: 'body.country' }]);
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/organizations/${created.id}` })).country, 'GB', 'the country stays');
});

t.test('an update that changes nothing leaves the organization as it is: same updatedAt and ETag, no history entry', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const created = await createOrganization(app, minprom);
  await patchChangesNothing(t, app, clock, `/v1/organizations/${created.id}`, created, { name: `  ${minprom.name} `, shortName: minprom.shortName, country: 'BY', parentId: null });
});

t.test('a name pasted with invisible characters (soft hyphen, zero-width space, word joiner) is stored without them, and found', async (t) => {
  const app = await build(t);
  const created = await createOrganization(app, { name: 'Мини\u00ADстерство про\u200Bмышленности\u2060', shortName: '\u200BМинпром\u00AD', country: 'BY' });
  t.equal(created.name, 'Министерство промышленности');
  t.equal(created.shortName, 'Минпром');
  const search = async (q: string) => names(json(await app.inject({ method: 'GET', url: `/v1/organizations?q=${encodeURIComponent(q)}` })));
  t.same(await search('министерство промышленности'), [created.name]);
  t.same(await search('минпром'), [created.name]);
  const blank = await app.inject({ method: 'POST', url: '/v1/organizations', payload: { ...minprom, shortName: '\u200B\u00AD' } });
  t.match(assertProblem(t, blank, 400, 'validation-failed').errors, [{ path: 'body.shortName' }], 'a short name of nothing visible is an empty one');
});
