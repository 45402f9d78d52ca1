// Migration 0023: every progress report keeps when its organization was assigned to the task; reports written before
// take the assignment still in force since before they were first submitted, others keep none and are judged as before.
import t from 'tap';
import { runMigrations } from '../src/db/migrate.js';
import { build, json, testClock } from './helper.js';
import { databaseBefore, insertCommissionAndMinistry, insertRow } from './migration-fixtures.js';

const MIGRATION = '0023_report-assigned-at';
const id = (n: number) => `019a7c2e-7a10-7000-8000-${String(n).padStart(12, '0')}`;
const [C, O, PLAN] = [id(1), id(2), id(3)];
const [EARLY, LATE, GONE] = [id(10), id(11), id(12)];
const APPROVED = '2026-09-01T09:00:00.000Z';
const SUBMITTED = '2026-11-20T09:00:00.000Z';

t.test('migration 0023 gives old reports the assignment they were made under, and the API judges them by it', async (t) => {
  const { path, database } = await databaseBefore(t, MIGRATION);
  const stamps = (at: string) => ({ created_at: at, updated_at: at });
  insertCommissionAndMinistry(database, { commission: C, ministry: O }, APPROVED);
  insertRow(database, 'plans', {
    id: PLAN, commission_id: C, title: 'Plan', period_start: '2026-01-01', period_end: '2026-12-31', status: 'approved',
    reporting_frequency: 'quarterly', report_due_days: 10, approved_at: APPROVED, ...stamps(APPROVED),
  });
  // Assigned in September (owes Q3), on 15 November (owes none), and taken off since its report.
  const tasks = [
    [EARLY, APPROVED],
    [LATE, '2026-11-15T09:00:00.000Z'],
    [GONE, null],
  ] as const;
  tasks.forEach(([taskId, assignedAt], i) => {
    insertRow(database, 'tasks', {
      id: taskId, plan_id: PLAN, code: `1.${i + 1}`, code_sort_key: `0001.000${i + 1}`, title: 'Tractors', description: null, translations: {},
      area: 'industry', search_text: 'tractors', due_date: '2026-12-31', original_due_date: '2026-12-31', status: 'in_progress',
      status_changed_at: APPROVED, ...stamps(APPROVED),
    });
    if (assignedAt !== null) insertRow(database, 'task_assignees', { task_id: taskId, organization_id: O, role: 'lead', position: 0, assigned_at: assignedAt });
    insertRow(database, 'progress_reports', {
      id: id(100 + i), task_id: taskId, organization_id: O, period: '2026-Q3', submission_deadline: '2026-10-10', percent_complete: 50,
      confidence: 'green', narrative: 'Done half.', status: 'submitted', revision: 1, submitted_at: SUBMITTED, ...stamps(SUBMITTED),
    });
  });

  t.strictSame(runMigrations(database)[0], MIGRATION, 'the first migration applied is this one (later ones follow)');
  const rows = database.sqlite.prepare('SELECT id, assigned_at FROM progress_reports ORDER BY id').all();
  t.strictSame(rows, [
    { id: id(100), assigned_at: APPROVED },
    { id: id(101), assigned_at: '2026-11-15T09:00:00.000Z' },
    { id: id(102), assigned_at: null },
  ]);
  database.sqlite.close();

  const app = await build(t, testClock('2026-11-28T09:00:00.000Z'), { databasePath: path });
  const late = async (taskId: string, n: number) => json(await app.inject({ method: 'GET', url: `/v1/tasks/${taskId}/reports/${id(n)}` })).submittedLate;
  t.strictSame([await late(EARLY, 100), await late(LATE, 101), await late(GONE, 102)], [true, false, true], 'owed and late; not owed; unknown: as before');
});
