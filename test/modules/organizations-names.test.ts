// Tests of the rule that an organization's name, and its short name, are unique in its country, as a user reads names.
import t from 'tap';
import type { App } from '../../src/app.js';
import { assertProblem, build, json, refused, testClock } from '../helper.js';
import { createOrganization, insertLegacyOrganization } from '../factories.js';

const minfin = { name: 'Министерство финансов Республики Беларусь', shortName: 'Минфин', kind: 'ministry', country: 'BY' };

const post = (payload: object) => ({ method: 'POST' as const, url: '/v1/organizations', payload });
const patch = (id: string, payload: object, headers: Record<string, string> = {}) => ({ method: 'PATCH' as const, url: `/v1/organizations/${id}`, payload, headers });
const organizationsOf = (app: App) => app.sqlite.prepare('SELECT name, short_name AS shortName, country FROM organizations ORDER BY rowid').all();

t.test('a second organization of a country with the same name is refused with 409, naming the first, and nothing is written', async (t) => {
  const app = await build(t);
  const first = await createOrganization(app, minfin);
  const body = await refused(t, app, post({ ...minfin, shortName: 'МФ', kind: 'agency' }), 409, 'duplicate-organization-name');
  t.equal(body.title, 'Another organization of the country has this name');
  t.match(body.detail, `BY already has an organization with the name "${minfin.name}" (${first.id})`);
  t.same(body.errors, [{ path: 'body.name', message: `another organization of BY has this name (${first.id})` }]);
  t.equal(organizationsOf(app).length, 1);
});

t.test('a second organization of a country with the same short name is refused with 409', async (t) => {
  const app = await build(t);
  const first = await createOrganization(app, minfin);
  const body = await refused(t, app, post({ name: 'Министерство финансов (другое)', shortName: 'Минфин', kind: 'ministry', country: 'BY' }), 409, 'duplicate-organization-name');
  t.same(body.errors, [{ path: 'body.shortName', message: `another organization of BY has this short name (${first.id})` }]);
});

t.test('a name and a short name both taken are both named in one refusal', async (t) => {
  const app = await build(t);
  const a = await createOrganization(app, minfin);
  const b = await createOrganization(app, { name: 'Другое министерство', shortName: 'ДМ', kind: 'ministry', country: 'BY' });
  const body = await refused(t, app, post({ ...minfin, shortName: 'дм' }), 409, 'duplicate-organization-name');
  t.same(body.errors.map((e: { path: string; message: string }) => [e.path, e.message.endsWith(`(${e.path === 'body.name' ? a.id : b.id})`)]), [
    ['body.name', true],
    ['body.shortName', true],
  ]);
});

t.test('names differing only in case, "ё" for "е", composition, spacing at the ends or invisible characters are the same name', async (t) => {
  const app = await build(t);
  await createOrganization(app, { name: 'Объединённая компания «Белмаш»', shortName: 'ОК Белмаш', kind: 'enterprise', country: 'BY' });
  await createOrganization(app, { name: 'Kostanay Engineering', shortName: 'KE', kind: 'enterprise', country: 'KZ' });
  for (const [what, payload] of [
    ['upper case', { name: 'ОБЪЕДИНЁННАЯ КОМПАНИЯ «БЕЛМАШ»', country: 'BY' }],
    ['lower case', { name: 'объединённая компания «белмаш»', country: 'BY' }],
    ['"е" for "ё"', { name: 'Объединенная компания «Белмаш»', country: 'BY' }],
    ['"Е" for "ё" in upper case', { name: 'ОБЪЕДИНЕННАЯ КОМПАНИЯ «БЕЛМАШ»', country: 'BY' }],
    ['decomposed (NFD)', { name: 'Объединённая компания «Белмаш»'.normalize('NFD'), country: 'BY' }],
    ['spaces at the ends and a soft hyphen', { name: '  Объединённая ком\u00ADпания «Белмаш» ', country: 'BY' }],
    ['a short name in another case', { name: 'Другая компания', shortName: 'ок белмаш', country: 'BY' }],
    ['Latin letters in another case', { name: 'KOSTANAY engineering', country: 'KZ' }],
    ['a Latin short name in another case', { name: 'Other', shortName: 'ke', country: 'KZ' }],
  ] as const) {
    const res = await app.inject(post({ kind: 'enterprise', ...payload }));
    assertProblem(t, res, 409, 'duplicate-organization-name');
    t.pass(what);
  }
  t.equal(organizationsOf(app).length, 2, 'none was created');
});

t.test('the same name in another country, a name equal to another\'s short name, and names that only look alike to GLOB are no conflict', async (t) => {
  const app = await build(t);
  await createOrganization(app, { name: 'Ministry of Industry', shortName: 'Minprom', kind: 'ministry', country: 'BY' });
  await createOrganization(app, { name: 'AxB', shortName: 'q', kind: 'other', country: 'BY' });
  for (const [what, payload] of [
    ['the same name and short name in KZ', { name: 'Ministry of Industry', shortName: 'Minprom', country: 'KZ' }],
    ['a name equal to another\'s short name', { name: 'Minprom', country: 'BY' }],
    ['a short name equal to another\'s name', { name: 'Holding of industry', shortName: 'Ministry of Industry', country: 'BY' }],
    ['a name longer than another', { name: 'Ministry of Industry and Trade', country: 'BY' }],
    ['a star read as a star, not as any text', { name: 'A*B', country: 'BY' }],
    ['a question mark read as itself, not as any letter', { name: 'A?B', country: 'BY' }],
    ['brackets read as brackets, not as a class', { name: 'Brackets', shortName: '[q]', country: 'BY' }],
  ] as const) {
    const res = await app.inject(post({ kind: 'other', ...payload }));
    t.equal(res.statusCode, 201, `${what}: ${res.body}`);
  }
  t.equal(organizationsOf(app).length, 9);
});

t.test('renaming an organization to another\'s name is refused with 409 and changes nothing: same updatedAt and ETag', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const first = await createOrganization(app, minfin);
  const second = await createOrganization(app, { name: 'Министерство экономики Республики Беларусь', shortName: 'Минэкономики', kind: 'ministry', country: 'BY' });
  const read = await app.inject({ method: 'GET', url: `/v1/organizations/${second.id}` });
  clock.set('2026-11-29T10:00:00.000Z');
  const body = await refused(t, app, patch(second.id, { name: minfin.name.toUpperCase(), kind: 'agency' }, { 'if-match': String(read.headers.etag) }), 409, 'duplicate-organization-name');
  t.same(body.errors, [{ path: 'body.name', message: `another organization of BY has this name (${first.id})` }]);
  await refused(t, app, patch(second.id, { shortName: 'минфин' }), 409, 'duplicate-organization-name');
  const after = await app.inject({ method: 'GET', url: `/v1/organizations/${second.id}` });
  t.equal(after.headers.etag, read.headers.etag, 'the ETag a client holds stays good');
  t.strictSame(json(after), second, 'name, kind and updatedAt as they were');
});

t.test('moving an organization to a country where its name is taken is refused with 409', async (t) => {
  const app = await build(t);
  await createOrganization(app, { ...minfin, country: 'KZ', shortName: null });
  const by = await createOrganization(app, minfin);
  const body = await refused(t, app, patch(by.id, { country: 'KZ' }), 409, 'duplicate-organization-name');
  t.same(body.errors.map((e: { path: string }) => e.path), ['body.name']);
});

t.test('an organization keeps its own name, or changes its case, on PATCH', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const created = await createOrganization(app, minfin);
  await createOrganization(app, { ...minfin, country: 'KZ' });
  clock.set('2026-11-29T10:00:00.000Z');
  const kept = await app.inject(patch(created.id, { name: minfin.name, shortName: minfin.shortName, kind: 'agency' }));
  t.equal(kept.statusCode, 200, kept.body);
  t.same(json(kept), { ...created, kind: 'agency', updatedAt: '2026-11-29T10:00:00.000Z' });
  const recased = await app.inject(patch(created.id, { name: minfin.name.toUpperCase(), shortName: 'МИНФИН' }));
  t.equal(recased.statusCode, 200, recased.body);
  t.equal(json(recased).name, minfin.name.toUpperCase());
});

t.test('two creates of one name at once: one is created, the other refused', async (t) => {
  const app = await build(t);
  const answers = await Promise.all([app.inject(post(minfin)), app.inject(post({ ...minfin, shortName: null }))]);
  t.same(answers.map((r) => r.statusCode).sort(), [201, 409]);
  t.equal(organizationsOf(app).length, 1);
});

t.test('duplicates written before the rule are still read, and each can still change, but not to another name taken', async (t) => {
  const app = await build(t);
  const a = insertLegacyOrganization(app, { name: 'Министерство финансов', shortName: 'Минфин', country: 'BY' });
  const b = insertLegacyOrganization(app, { name: 'МИНИСТЕРСТВО ФИНАНСОВ', shortName: 'Минфин', country: 'BY' });
  const list = json(await app.inject({ method: 'GET', url: `/v1/organizations?q=${encodeURIComponent('минфин')}` }));
  t.same(list.items.map((o: { id: string }) => o.id), [b.id, a.id], 'listed, both');
  t.same(json(await app.inject({ method: 'GET', url: `/v1/organizations/${a.id}` })), a, 'read');
  const moved = await app.inject(patch(a.id, { kind: 'agency' }));
  t.equal(moved.statusCode, 200, `a change of another field is no new conflict: ${moved.body}`);
  await refused(t, app, patch(a.id, { name: 'министерство финансов' }), 409, 'duplicate-organization-name');
  const renamed = await app.inject(patch(b.id, { name: 'Министерство финансов (архив)', shortName: 'Минфин-архив' }));
  t.equal(renamed.statusCode, 200, `renamed apart: ${renamed.body}`);
  t.equal(organizationsOf(app).length, 2);
});
