// Migration 0015: the values one-line fields stored before line() refused line breaks are put on one line, the tasks'
// search text with them, and an integrator that reads a resource and sends its values back is no longer refused.
import t, { type Test } from 'tap';
import { type Database_ } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import type { TaskTranslations } from '../src/db/schema.js';
import { line } from '../src/lib/common.schemas.js';
import { searchTextOf } from '../src/modules/tasks/tasks.service.js';
import { build, json, testClock } from './helper.js';
import { databaseBefore as migratedBefore, insertRow } from './migration-fixtures.js';

const MIGRATION = '0015_collapse_one_line_values';
const OLD = '2026-10-01T09:00:00.000Z';
const id = (n: number) => `019a7c2e-7a10-7000-8000-${String(n).padStart(12, '0')}`;
const [C, O1, O2, O3, O4, M, P, T1, T2, D, I, S, K, W] = [1, 11, 12, 13, 14, 21, 31, 41, 42, 51, 61, 71, 81, 91].map(id) as [
  string, string, string, string, string, string, string, string, string, string, string, string, string, string,
];

/** T1's translations as a ministry system wrote them before titles were one line; descriptions keep their lines. */
const OLD_TRANSLATIONS: TaskTranslations = {
  ru: { title: 'Торговые дома\nв Астане', description: 'Первый этап.\nВторой этап.' },
  kk: { description: 'Бірінші кезең.' },
  en: { title: 'Trade houses\u2029in Astana' },
};
const OLD_T1 = { code: '1.1', title: 'Trade houses \n\n in Astana', description: 'First stage.\nSecond stage.', translations: OLD_TRANSLATIONS };
const T2_FIELDS = { code: '1.2', title: 'Service  centres\u00A0in Kostanay', description: null, translations: {} };

/** A database file migrated up to the migration before 0015, holding rows written as the service wrote them then. */
async function databaseBefore(t: Test): Promise<{ path: string; database: Database_ }> {
  const { path, database } = await migratedBefore(t, MIGRATION);
  const stamps = { created_at: OLD, updated_at: OLD };
  insertRow(database, 'commissions', {
    id: C,
    name: 'Commission on trade\nand economic co-operation',
    time_zone: 'Europe/Minsk',
    party_a_country: 'BY',
    party_a_co_chair_name: 'Ivan\r\nPetrov',
    party_a_co_chair_position: 'Deputy Prime Minister of the Republic of Belarus',
    party_b_country: 'KZ',
    party_b_co_chair_name: 'Aidar Sultanov',
    party_b_co_chair_position: 'Deputy Prime Minister\u2028of the Republic of Kazakhstan',
    ...stamps,
  });
  // O1 collapses into the name O2 has: a duplicate, as rows written before names were unique may be.
  insertRow(database, 'organizations', { id: O1, name: 'Ministry of Industry \u00A0\n  of Belarus', short_name: 'Min\tprom', kind: 'ministry', country: 'BY', ...stamps });
  insertRow(database, 'organizations', { id: O2, name: 'Ministry of Industry of Belarus', short_name: null, kind: 'agency', country: 'BY', ...stamps });
  insertRow(database, 'organizations', { id: O3, name: 'Ministry of Trade and Integration', short_name: 'MIC\u0085', kind: 'ministry', country: 'KZ', ...stamps });
  insertRow(database, 'organizations', { id: O4, name: 'Agency of nothing', short_name: '\u0085\u0085', kind: 'agency', country: 'KZ', ...stamps });
  insertRow(database, 'meetings', { id: M, commission_id: C, kind: 'official_visit', title: 'Official visit\r\n\r\nof the Prime Minister', date: '2026-11-04', place: 'Astana', protocol_number: 'No.\t19', ...stamps });
  insertRow(database, 'plans', { id: P, commission_id: C, title: 'Plan of measures\n2026–2027', period_start: '2026-01-01', period_end: '2027-12-31', status: 'approved', approved_at: OLD, ...stamps });
  for (const [taskId, fields, sortKey] of [[T1, OLD_T1, '0001.0001'], [T2, T2_FIELDS, '0001.0002']] as const) {
    insertRow(database, 'tasks', {
      id: taskId,
      plan_id: P,
      ...fields,
      code_sort_key: sortKey,
      area: 'trade',
      basis_meeting_id: taskId === T1 ? M : null,
      basis_protocol_item: taskId === T1 ? '3.\n2' : null,
      search_text: searchTextOf(fields),
      due_date: '2027-06-30',
      original_due_date: '2027-03-31',
      postponement_count: 1,
      status: 'in_progress',
      status_changed_at: OLD,
      ...stamps,
    });
  }
  insertRow(database, 'task_assignees', { task_id: T1, organization_id: O1, role: 'lead', position: 0, assigned_at: OLD });
  insertRow(database, 'task_assignees', { task_id: T1, organization_id: O3, role: 'lead', position: 1, assigned_at: OLD });
  insertRow(database, 'task_assignees', { task_id: T2, organization_id: O2, role: 'lead', position: 0, assigned_at: OLD });
  insertRow(database, 'deadline_changes', {
    id: D,
    task_id: T1,
    kind: 'direct',
    status: 'applied',
    old_due_date: '2027-03-31',
    new_due_date: '2027-06-30',
    reason: 'Certification\ntakes longer.',
    requested_by_role: 'secretariat',
    requested_at: OLD,
    decided_by_role: 'secretariat',
    decided_at: OLD,
    decision_basis: 'Protocol No. 12,\nitem 4.1',
  });
  insertRow(database, 'indicators', { id: I, plan_id: P, task_id: T1, name: 'Tractors\nassembled', unit: 'tractors\t', baseline: 0, target: 100, ...stamps });
  insertRow(database, 'share_links', { id: S, name: 'Co-chair BY —\noffice', kind: 'progress_report', prefix: 'shr_legacy', hash: 'x'.repeat(64), params: { planId: P }, expires_at: '2027-12-31T00:00:00.000Z', created_at: OLD });
  insertRow(database, 'api_keys', { id: K, name: 'Document system\nof Minprom', role: 'observer', prefix: 'trk_legacy', hash: 'y'.repeat(64), created_at: OLD });
  insertRow(database, 'webhook_subscriptions', {
    id: W,
    description: 'Document system\r\nof Minprom',
    url: 'https://hooks.example/tracker',
    events: ['task.created'],
    secret: 'z'.repeat(64),
    active: 1,
    ...stamps,
  });
  // A write recorded then: the history keeps what it recorded.
  insertRow(database, 'change_history', {
    id: id(101),
    at: OLD,
    actor_role: 'secretariat',
    operation: 'updateTask',
    entity_type: 'task',
    entity_id: T1,
    plan_id: P,
    task_id: T1,
    changes: [{ field: 'title', before: 'Trade houses', after: OLD_T1.title }],
  });
  return { path, database };
}

const NEW_TRANSLATIONS: TaskTranslations = {
  ru: { title: 'Торговые дома в Астане', description: 'Первый этап.\nВторой этап.' },
  kk: { description: 'Бірінші кезең.' },
  en: { title: 'Trade houses in Astana' },
};

t.test('migration 0015 puts every value a one-line field stored on one line, and leaves multi-line text, history and times alone', async (t) => {
  const { database } = await databaseBefore(t);
  const all = (table: string) => database.sqlite.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
  const history = all('change_history');
  const t2 = database.sqlite.prepare('SELECT * FROM tasks WHERE id = ?').get(T2);

  runMigrations(database);

  const row = (table: string, key: string, columns: string) => database.sqlite.prepare(`SELECT ${columns} FROM ${table} WHERE id = ?`).get(key);
  t.strictSame(row('commissions', C, 'name, party_a_co_chair_name, party_a_co_chair_position, party_b_co_chair_name, party_b_co_chair_position, updated_at'), {
    name: 'Commission on trade and economic co-operation',
    party_a_co_chair_name: 'Ivan Petrov',
    party_a_co_chair_position: 'Deputy Prime Minister of the Republic of Belarus',
    party_b_co_chair_name: 'Aidar Sultanov',
    party_b_co_chair_position: 'Deputy Prime Minister of the Republic of Kazakhstan',
    updated_at: OLD,
  }, "the commission's name and co-chairs (the API's parties)");
  t.strictSame(
    database.sqlite.prepare('SELECT id, name, short_name, updated_at FROM organizations ORDER BY id').all(),
    [
      { id: O1, name: 'Ministry of Industry of Belarus', short_name: 'Min prom', updated_at: OLD },
      { id: O2, name: 'Ministry of Industry of Belarus', short_name: null, updated_at: OLD },
      { id: O3, name: 'Ministry of Trade and Integration', short_name: 'MIC', updated_at: OLD },
      { id: O4, name: 'Agency of nothing', short_name: '\u0085\u0085', updated_at: OLD },
    ],
    'organizations: the blanks around a break go with it; a name that becomes another\'s stays; a value of nothing but controls is left',
  );
  t.strictSame(row('meetings', M, 'title, place, protocol_number'), { title: 'Official visit of the Prime Minister', place: 'Astana', protocol_number: 'No. 19' });
  t.strictSame(row('plans', P, 'title, updated_at'), { title: 'Plan of measures 2026–2027', updated_at: OLD });

  const t1 = row('tasks', T1, 'title, description, basis_protocol_item, translations, search_text, updated_at') as Record<string, string>;
  t.strictSame(
    { ...t1, translations: JSON.parse(t1.translations!) },
    {
      title: 'Trade houses in Astana',
      description: 'First stage.\nSecond stage.',
      basis_protocol_item: '3. 2',
      translations: NEW_TRANSLATIONS,
      search_text: searchTextOf({ code: '1.1', title: 'Trade houses in Astana', description: 'First stage.\nSecond stage.', translations: NEW_TRANSLATIONS }),
      updated_at: OLD,
    },
    'the task: title, protocol item and translated titles on one line, the description as it was, the search text as the service writes it',
  );
  t.equal(t1.translations, JSON.stringify(NEW_TRANSLATIONS), 'the translations JSON keeps its languages in their order, as the service writes it');
  t.strictSame(database.sqlite.prepare('SELECT * FROM tasks WHERE id = ?').get(T2), t2, 'a task with nothing to collapse is untouched, blanks inside its title too');

  t.strictSame(row('deadline_changes', D, 'reason, decision_basis'), { reason: 'Certification\ntakes longer.', decision_basis: 'Protocol No. 12, item 4.1' });
  t.strictSame(row('indicators', I, 'name, unit'), { name: 'Tractors assembled', unit: 'tractors' });
  t.strictSame(row('share_links', S, 'name'), { name: 'Co-chair BY — office' });
  t.strictSame(row('api_keys', K, 'name'), { name: 'Document system of Minprom' });
  t.strictSame(row('webhook_subscriptions', W, 'description'), { description: 'Document system of Minprom' });

  t.strictSame(all('change_history'), history, 'no history entry is added, and the entries recorded keep their values');
  t.strictSame(database.sqlite.pragma('foreign_key_check'), [], 'no dangling foreign keys');
  const working = database.sqlite.prepare("SELECT name FROM sqlite_temp_master WHERE name LIKE 'one_line%'").all();
  t.strictSame(working, [], 'the working tables are gone');

  // Every value a one-line field holds is one line() takes as it is, but for O4's, which has nothing to keep.
  const ONE_LINE: [string, string, number][] = [
    ['commissions', 'name', 300], ['commissions', 'party_a_co_chair_name', 200], ['commissions', 'party_a_co_chair_position', 300],
    ['commissions', 'party_b_co_chair_name', 200], ['commissions', 'party_b_co_chair_position', 300],
    ['organizations', 'name', 300], ['organizations', 'short_name', 100], ['meetings', 'title', 500], ['meetings', 'place', 300],
    ['meetings', 'protocol_number', 100], ['plans', 'title', 500], ['tasks', 'title', 1000], ['tasks', 'basis_protocol_item', 100],
    ['deadline_changes', 'decision_basis', 500], ['indicators', 'name', 300], ['indicators', 'unit', 50], ['share_links', 'name', 200],
    ['api_keys', 'name', 200], ['webhook_subscriptions', 'description', 500],
  ];
  for (const [table, column, max] of ONE_LINE) {
    for (const { id: key, value } of database.sqlite.prepare(`SELECT id, ${column} AS value FROM ${table} WHERE ${column} IS NOT NULL`).all() as { id: string; value: string }[]) {
      if (key === O4 && column === 'short_name') continue;
      t.equal(line(max).safeParse(value).data, value, `${table}.${column} of ${key} is one line`);
    }
  }
});

t.test('after migration 0015 a resource read and sent back with one change is taken, and the task search finds the titles', async (t) => {
  const { path, database } = await databaseBefore(t);
  database.sqlite.close();
  const app = await build(t, testClock(), { databasePath: path });

  const found = async (q: string) => json(await app.inject({ method: 'GET', url: `/v1/tasks?planId=${P}&q=${encodeURIComponent(q)}` })).items.map((x: { code: string }) => x.code);
  t.strictSame(await found('houses in astana'), ['1.1'], 'the title as it reads now is searched for (before any write of the task makes its search text again)');
  t.strictSame(await found('Торговые ДОМА в'), ['1.1'], 'so is a translated title, in any case');
  t.strictSame(await found('Kostanay'), ['1.2'], 'and the task left alone');

  const commission = json(await app.inject({ method: 'GET', url: `/v1/commissions/${C}` }));
  const parties = structuredClone(commission.parties);
  parties[1].coChair.name = 'Serik Zhumangarin';
  const patched = await app.inject({ method: 'PATCH', url: `/v1/commissions/${C}`, payload: { name: commission.name, parties } });
  t.equal(patched.statusCode, 200, "the commission's parties sent back with one co-chair changed");
  t.match(json(patched).parties, [{ coChair: { name: 'Ivan Petrov' } }, { coChair: { name: 'Serik Zhumangarin', position: 'Deputy Prime Minister of the Republic of Kazakhstan' } }]);

  const task = json(await app.inject({ method: 'GET', url: `/v1/tasks/${T1}` }));
  t.match(task.assignees, [{ name: 'Ministry of Industry of Belarus', shortName: 'Min prom' }, { shortName: 'MIC' }], 'its assignees are named on one line');
  const translations = { ...task.translations, kk: { ...task.translations.kk, title: 'Астанадағы сауда үйлері' } };
  const taskPatch = await app.inject({ method: 'PATCH', url: `/v1/tasks/${T1}`, payload: { title: task.title, translations, basis: task.basis } });
  t.equal(taskPatch.statusCode, 200, "the task's translations sent back with one language added, its title and basis as read");
  t.strictSame(json(taskPatch).translations, { ...NEW_TRANSLATIONS, kk: { description: 'Бірінші кезең.', title: 'Астанадағы сауда үйлері' } });

  const o1 = json(await app.inject({ method: 'GET', url: `/v1/organizations/${O1}` }));
  const org = await app.inject({ method: 'PATCH', url: `/v1/organizations/${O1}`, payload: { name: o1.name, shortName: o1.shortName, kind: 'agency' } });
  t.equal(org.statusCode, 200, 'an organization whose name became another\'s is sent back with its name and changed otherwise');
  t.match(json(org), { name: 'Ministry of Industry of Belarus', kind: 'agency' });
  const again = await app.inject({ method: 'POST', url: '/v1/organizations', payload: { name: 'Ministry of industry of Belarus', kind: 'ministry', country: 'BY' } });
  t.equal(again.statusCode, 409, 'a third of that name is still refused');
  t.equal(json(again).code, 'duplicate-organization-name');

  const meeting = json(await app.inject({ method: 'GET', url: `/v1/meetings/${M}` }));
  const meetingPatch = await app.inject({ method: 'PATCH', url: `/v1/meetings/${M}`, payload: { title: meeting.title, place: meeting.place, protocolNumber: meeting.protocolNumber, date: '2026-11-05' } });
  t.equal(meetingPatch.statusCode, 200, 'a meeting sent back with its date changed');
  const plan = json(await app.inject({ method: 'GET', url: `/v1/plans/${P}` }));
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/plans/${P}`, payload: { title: plan.title, reportDueDays: 15 } })).statusCode, 200, 'a plan');
  const indicator = json(await app.inject({ method: 'GET', url: `/v1/indicators/${I}` }));
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/indicators/${I}`, payload: { name: indicator.name, unit: indicator.unit, target: 120 } })).statusCode, 200, 'an indicator');
  const webhook = json(await app.inject({ method: 'GET', url: `/v1/webhooks/${W}` }));
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/webhooks/${W}`, payload: { description: webhook.description, active: false } })).statusCode, 200, 'a webhook');
});
