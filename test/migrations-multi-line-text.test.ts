// Migration 0016: multi-line text stored before text() read every line break as LF and refused C1 controls is written
// as text() stores it now, the tasks' search text with it, so a value read and sent back is neither refused nor a change.
import t, { type Test } from 'tap';
import { type Database_ } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import type { TaskTranslations } from '../src/db/schema.js';
import { text } from '../src/lib/common.schemas.js';
import { searchTextOf } from '../src/modules/tasks/tasks.service.js';
import { build, json, testClock } from './helper.js';
import { databaseBefore, insertCommissionAndMinistry, insertRow } from './migration-fixtures.js';

const MIGRATION = '0016_line_breaks_as_lf_in_text';
const OLD = '2026-10-01T09:00:00.000Z';
const id = (n: number) => `019a7c2e-7a10-7000-8000-${String(n).padStart(12, '0')}`;
const [C, O, P, T1, T2, R, D, X, I] = [1, 11, 31, 41, 42, 51, 61, 71, 81].map(id) as [string, string, string, string, string, string, string, string, string];

const OLD_TRANSLATIONS: TaskTranslations = {
  ru: { title: 'Торговые дома', description: 'Первый этап.\r\nВторой этап\u0085Третий' },
  en: { title: 'Trade houses', description: 'Stage one\u2029Stage two' },
};
const OLD_T1 = {
  code: '1.1',
  title: 'Trade houses',
  // A Windows paragraph, a CR, and an en dash that a wrong decoding left as U+0096.
  description: 'Stage one.\r\nStage two.\rПоставки \u0096 2026',
  translations: OLD_TRANSLATIONS,
};
const NEW_TRANSLATIONS: TaskTranslations = {
  ru: { title: 'Торговые дома', description: 'Первый этап.\nВторой этап\nТретий' },
  en: { title: 'Trade houses', description: 'Stage one\nStage two' },
};
const NEW_DESCRIPTION = 'Stage one.\nStage two.\nПоставки   2026';
const T2_FIELDS = { code: '1.2', title: 'Service centres', description: 'Line one\nLine two\ttabbed', translations: {} };

async function before(t: Test): Promise<{ path: string; database: Database_ }> {
  const { path, database } = await databaseBefore(t, MIGRATION);
  const stamps = { created_at: OLD, updated_at: OLD };
  insertCommissionAndMinistry(database, { commission: C, ministry: O }, OLD);
  insertRow(database, 'plans', { id: P, commission_id: C, title: 'Plan', period_start: '2026-01-01', period_end: '2027-12-31', status: 'approved', approved_at: OLD, ...stamps });
  for (const [taskId, fields, sortKey, more] of [
    [T1, OLD_T1, '0001.0001', { form_of_completion: 'Report\rto the secretariat', expected_result: 'Houses open\u2028in Astana' }],
    [T2, T2_FIELDS, '0001.0002', {}],
  ] as const) {
    insertRow(database, 'tasks', {
      id: taskId, plan_id: P, ...fields, ...more, code_sort_key: sortKey, area: 'trade', search_text: searchTextOf(fields), due_date: '2027-06-30',
      original_due_date: '2027-06-30', status: 'in_progress', status_changed_at: OLD, ...stamps,
    });
    insertRow(database, 'task_assignees', { task_id: taskId, organization_id: O, role: 'lead', position: 0, assigned_at: OLD });
  }
  insertRow(database, 'progress_reports', {
    id: R, task_id: T1, organization_id: O, period: '2026-Q3', percent_complete: 40, confidence: 'amber', narrative: 'Done:\r\n- frames\r\n- cabs',
    risks: 'Parts\u0093late\u0094', status: 'submitted', revision: 1, submitted_at: OLD, review_comment: 'Earlier:\u2028fine', ...stamps,
  });
  insertRow(database, 'deadline_changes', {
    id: D, task_id: T1, kind: 'request', status: 'pending', old_due_date: '2027-06-30', new_due_date: '2027-09-30',
    reason: 'Certification\r\ntakes longer', requested_by_role: 'ministry', requested_by_organization_id: O, requested_at: OLD, decision_comment: 'See\u0085annex',
  });
  insertRow(database, 'task_status_changes', {
    id: X, task_id: T1, from_status: 'not_started', to_status: 'in_progress', comment: 'Started\r\nin October', actor_role: 'ministry', changed_at: OLD,
  });
  insertRow(database, 'indicators', { id: I, plan_id: P, task_id: T1, name: 'Tractors', unit: 'tractors', baseline: 0, target: 100, ...stamps });
  insertRow(database, 'indicator_values', { indicator_id: I, period: '2026-Q3', value: 40, note: 'Per the statement\r\nof the joint venture', recorded_at: OLD });
  return { path, database };
}

t.test('migration 0016 writes multi-line text as text() stores it now: every line break LF, a C1 control a space, trimmed', async (t) => {
  const { database } = await before(t);
  const t2 = database.sqlite.prepare('SELECT * FROM tasks WHERE id = ?').get(T2);
  const history = database.sqlite.prepare('SELECT * FROM change_history').all();

  runMigrations(database);

  const row = (sql: string, key: string) => database.sqlite.prepare(sql).get(key) as Record<string, string>;
  const t1 = row('SELECT description, form_of_completion, expected_result, translations, search_text, updated_at FROM tasks WHERE id = ?', T1);
  t.strictSame(
    { ...t1, translations: JSON.parse(t1.translations!) },
    {
      description: NEW_DESCRIPTION,
      form_of_completion: 'Report\nto the secretariat',
      expected_result: 'Houses open\nin Astana',
      translations: NEW_TRANSLATIONS,
      search_text: searchTextOf({ code: '1.1', title: 'Trade houses', description: NEW_DESCRIPTION, translations: NEW_TRANSLATIONS }),
      updated_at: OLD,
    },
    'the task, its translated descriptions, and its search text as the service writes it',
  );
  t.equal(t1.translations, JSON.stringify(NEW_TRANSLATIONS), 'the languages keep their order');
  t.strictSame(database.sqlite.prepare('SELECT * FROM tasks WHERE id = ?').get(T2), t2, 'a task with LF and a tab only is untouched');
  t.strictSame(row('SELECT narrative, risks, review_comment FROM progress_reports WHERE id = ?', R), {
    narrative: 'Done:\n- frames\n- cabs',
    risks: 'Parts late',
    review_comment: 'Earlier:\nfine',
  });
  t.strictSame(row('SELECT reason, decision_comment FROM deadline_changes WHERE id = ?', D), { reason: 'Certification\ntakes longer', decision_comment: 'See\nannex' });
  t.strictSame(row('SELECT comment FROM task_status_changes WHERE id = ?', X), { comment: 'Started\nin October' });
  t.strictSame(row('SELECT note FROM indicator_values WHERE indicator_id = ?', I), { note: 'Per the statement\nof the joint venture' });
  t.strictSame(database.sqlite.prepare('SELECT * FROM change_history').all(), history, 'no history entry');
  t.strictSame(database.sqlite.prepare("SELECT name FROM sqlite_temp_master WHERE name LIKE 'multi_line%'").all(), [], 'the working tables are gone');

  for (const [sql, max] of [
    ['SELECT description AS v FROM tasks UNION ALL SELECT form_of_completion FROM tasks UNION ALL SELECT expected_result FROM tasks', 10000],
    ["SELECT json_extract(l.value, '$.description') FROM tasks, json_each(tasks.translations) l", 10000],
    ['SELECT narrative FROM progress_reports UNION ALL SELECT risks FROM progress_reports UNION ALL SELECT review_comment FROM progress_reports', 5000],
    ['SELECT reason FROM deadline_changes UNION ALL SELECT decision_comment FROM deadline_changes UNION ALL SELECT comment FROM task_status_changes', 2000],
    ['SELECT note FROM indicator_values', 2000],
  ] as const) {
    for (const value of database.sqlite.prepare(sql).pluck().all() as (string | null)[]) {
      if (value === null) continue;
      t.equal(text(max).safeParse(value).data, value, `${JSON.stringify(value)} is taken by text() as it is`);
    }
  }
});

t.test('after migration 0016 text read and sent back is taken, and is no change: no history entry, no new revision', async (t) => {
  const { path, database } = await before(t);
  database.sqlite.close();
  const app = await build(t, testClock(), { databasePath: path });
  const entries = async () => json(await app.inject({ method: 'GET', url: `/v1/history?taskId=${T1}` })).items.length;
  const recorded = await entries();

  const found = json(await app.inject({ method: 'GET', url: `/v1/tasks?q=${encodeURIComponent('Второй этап')}` })).items;
  t.match(found, [{ code: '1.1' }], 'the rewritten search text still finds a line of a translated description');

  const task = json(await app.inject({ method: 'GET', url: `/v1/tasks/${T1}` }));
  const same = await app.inject({
    method: 'PATCH',
    url: `/v1/tasks/${T1}`,
    payload: { description: task.description, formOfCompletion: task.formOfCompletion, expectedResult: task.expectedResult, translations: task.translations },
  });
  t.equal(same.statusCode, 200, 'the task sent back as read');
  t.equal(await entries(), recorded, 'is no change: no history entry');
  const translations = { ...task.translations, kk: { title: 'Сауда үйлері' } };
  const added = await app.inject({ method: 'PATCH', url: `/v1/tasks/${T1}`, payload: { translations } });
  t.equal(added.statusCode, 200, 'its translations sent back with a language added');
  t.strictSame(json(added).translations, { ...NEW_TRANSLATIONS, kk: { title: 'Сауда үйлері' } });

  const report = json(await app.inject({ method: 'GET', url: `/v1/tasks/${T1}/reports/${R}` }));
  const revised = await app.inject({ method: 'PATCH', url: `/v1/tasks/${T1}/reports/${R}`, payload: { narrative: report.narrative, risks: report.risks } });
  t.equal(revised.statusCode, 200, 'a report sent back as read');
  t.equal(json(revised).revision, 1, 'is no new revision');

  const value = await app.inject({ method: 'PUT', url: `/v1/indicators/${I}/values/2026-Q3`, payload: { value: 40, note: 'Per the statement\r\nof the joint venture' } });
  t.equal(value.statusCode, 200, 'an indicator value recorded again with the note as first sent (CRLF)');
  t.equal(json(value).updatedAt, OLD, 'is no change');
  t.equal(await entries(), recorded + 1, 'only the added language is recorded in the history');
});
