// Migrations 0021 and 0022: every progress report keeps its submission deadline; the reports written before are given the
// one the service showed for them until then (their period's last day plus their plan's reportDueDays), and kept rows.
import t, { type Test } from 'tap';
import { type Database_ } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import type { ReportingFrequency } from '../src/db/enums.js';
import { submissionDeadline } from '../src/lib/periods.js';
import { build, json, testClock } from './helper.js';
import { databaseBefore, insertCommissionAndMinistry, insertRow } from './migration-fixtures.js';

const MIGRATION = '0021_report-submission-deadline';
const OLD = '2026-10-01T09:00:00.000Z';
const id = (n: number) => `019a7c2e-7a10-7000-8000-${String(n).padStart(12, '0')}`;
const [C, O] = [id(1), id(2)];

/** Plans of both frequencies, with deadlines of the same day and up to the longest the API allows. */
const PLANS: { frequency: ReportingFrequency; dueDays: number }[] = [
  { frequency: 'quarterly', dueDays: 10 },
  { frequency: 'quarterly', dueDays: 0 },
  { frequency: 'quarterly', dueDays: 90 },
  { frequency: 'monthly', dueDays: 5 },
  { frequency: 'monthly', dueDays: 29 },
  { frequency: 'monthly', dueDays: 90 },
];
/** Leap years and not (2000 is, 1900 and 2100 are not), the first and last years a period may be written in. */
const YEARS = [1000, 1900, 1999, 2000, 2023, 2024, 2026, 2100, 9998];
const pad = (n: number) => String(n).padStart(2, '0');
const periodsOf = (frequency: ReportingFrequency, y: number) =>
  frequency === 'quarterly' ? [1, 2, 3, 4].map((q) => `${y}-Q${q}`) : Array.from({ length: 12 }, (_, m) => `${y}-${pad(m + 1)}`);
const planOf = (plan: number, year: number) => id(10_000_000 + 10_000 * plan + year);
const taskOf = (plan: number, year: number) => id(20_000_000 + 10_000 * plan + year);

interface Seeded {
  path: string;
  database: Database_;
  /** Every report written, with the deadline today's code computes for it. */
  reports: { id: string; taskId: string; period: string; deadline: string }[];
}

/** A database file migrated up to the migration before 0021, holding reports of every period of the plans above. */
async function before(t: Test): Promise<Seeded> {
  const { path, database } = await databaseBefore(t, MIGRATION);
  const stamps = { created_at: OLD, updated_at: OLD };
  insertCommissionAndMinistry(database, { commission: C, ministry: O }, OLD);
  const reports: Seeded['reports'] = [];
  let n = 100;
  // A plan of each frequency and rule for each year, as the API takes them (a plan covers at most 100 years).
  PLANS.forEach(({ frequency, dueDays }, i) => {
    YEARS.forEach((year) => {
      const [planId, taskId] = [planOf(i, year), taskOf(i, year)];
      insertRow(database, 'plans', {
        id: planId, commission_id: C, title: `Plan ${i} of ${year}`, period_start: `${year}-01-01`, period_end: `${year}-12-31`, status: 'approved',
        reporting_frequency: frequency, report_due_days: dueDays, approved_at: OLD, ...stamps,
      });
      insertRow(database, 'tasks', {
        id: taskId, plan_id: planId, code: '1.1', code_sort_key: '0001.0001', title: 'Tractors', description: 'Assembly', translations: {},
        area: 'industry', search_text: 'tractors assembly', due_date: `${year}-12-31`, original_due_date: `${year}-12-31`, status: 'in_progress',
        status_changed_at: OLD, ...stamps,
      });
      insertRow(database, 'task_assignees', { task_id: taskId, organization_id: O, role: 'lead', position: 0, assigned_at: OLD });
      periodsOf(frequency, year).forEach((period, k) => {
        const reportId = id(n++);
        const reviewed = k % 3 === 0 ? { reviewed_at: OLD, reviewed_by_role: 'secretariat', review_comment: 'Fine.' } : {};
        insertRow(database, 'progress_reports', {
          id: reportId, task_id: taskId, organization_id: O, period, percent_complete: 8 * k, confidence: 'green', narrative: `Report ${k}`,
          status: k % 3 === 0 ? 'accepted' : 'submitted', revision: 1 + (k % 2), submitted_at: OLD, ...reviewed, ...stamps,
        });
        reports.push({ id: reportId, taskId, period, deadline: submissionDeadline(period, dueDays) });
      });
    });
  });
  return { path, database, reports };
}

t.test("migrations 0021 and 0022 keep every report and give it the deadline today's code computes from its period and plan", async (t) => {
  const { database, reports } = await before(t);
  const all = () => database.sqlite.prepare('SELECT * FROM progress_reports ORDER BY id').all() as Record<string, unknown>[];
  const rowsBefore = all();
  t.equal(rowsBefore.length, reports.length, `${reports.length} reports of quarterly and monthly plans`);
  const tasksBefore = database.sqlite.prepare('SELECT * FROM tasks ORDER BY id').all();

  // Later migrations run too (0023 adds the organization's assignment to each report).
  t.strictSame(runMigrations(database).slice(0, 2), [MIGRATION, '0022_report-submission-deadline-no-default']);

  const rowsAfter = all();
  t.strictSame(rowsAfter.map(({ submission_deadline: _d, assigned_at: _a, ...rest }) => rest), rowsBefore, 'every report kept, nothing else of it changed');
  const expected = new Map(reports.map((r) => [r.id, r.deadline]));
  const wrong = rowsAfter.filter((r) => r.submission_deadline !== expected.get(r.id as string));
  t.strictSame(wrong.map((r) => [r.period, r.submission_deadline, expected.get(r.id as string)]), [], 'each the deadline submissionDeadline() computes');
  const deadlineOf = (plan: number, period: string) =>
    rowsAfter.find((r) => r.task_id === taskOf(plan, Number(period.slice(0, 4))) && r.period === period)?.submission_deadline;
  t.strictSame(
    [deadlineOf(3, '2024-02'), deadlineOf(3, '2023-02'), deadlineOf(4, '1900-02'), deadlineOf(4, '2000-02')],
    ['2024-03-05', '2023-03-05', '1900-03-29', '2000-03-29'],
    'by hand: 29 and 28 February plus 5 days, 28 February 1900 and 29 February 2000 plus 29',
  );
  t.strictSame(
    [deadlineOf(0, '2026-Q4'), deadlineOf(1, '2026-Q4'), deadlineOf(2, '2026-Q4'), deadlineOf(5, '2026-12'), deadlineOf(2, '9998-Q4')],
    ['2027-01-10', '2026-12-31', '2027-03-31', '2027-03-31', '9999-03-31'],
    'by hand: a year crossed, the same day, 90 days',
  );
  t.strictSame(database.sqlite.prepare('SELECT * FROM tasks ORDER BY id').all(), tasksBefore, 'the tasks are untouched');
  t.strictSame(database.sqlite.pragma('foreign_key_check'), [], 'no dangling foreign keys');

  const column = (database.sqlite.pragma('table_info(progress_reports)') as { name: string; notnull: number; dflt_value: unknown }[]).find((c) => c.name === 'submission_deadline');
  t.match(column, { notnull: 1, dflt_value: null }, 'never null, and no default a write could fall back on');
  const indexes = database.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'progress_reports' AND sql IS NOT NULL ORDER BY name").pluck().all();
  t.strictSame(indexes, ['progress_reports_period_idx', 'progress_reports_submitted_idx', 'progress_reports_task_org_period_uq'], 'the indexes rebuilt');
  t.throws(
    () => database.sqlite.prepare('UPDATE progress_reports SET percent_complete = 101 WHERE id = ?').run(reports[0]!.id),
    /CHECK constraint failed: progress_reports_percent_ck/,
    'the check rebuilt',
  );
});

t.test('after the upgrade the API shows the backfilled deadline, and a change of the plan no longer moves it', async (t) => {
  const { path, database, reports } = await before(t);
  database.sqlite.close();
  const app = await build(t, testClock('2026-11-28T09:00:00.000Z'), { databasePath: path });
  const q3 = reports.find((r) => r.taskId === taskOf(0, 2026) && r.period === '2026-Q3')!;
  const read = async () => json(await app.inject({ method: 'GET', url: `/v1/tasks/${q3.taskId}/reports/${q3.id}` }));
  // Submitted on 1 October, by 10 days: on time.
  t.match(await read(), { period: '2026-Q3', submissionDeadline: '2026-10-10', submittedLate: false });
  const patched = await app.inject({ method: 'PATCH', url: `/v1/plans/${planOf(0, 2026)}`, payload: { reportDueDays: 0 } });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(await read(), { submissionDeadline: '2026-10-10', submittedLate: false }, 'not late by the rule of 0 days set after it');
});

t.test('a report whose period is no period refuses the migration, and the file stays as it was', async (t) => {
  const { database, reports } = await before(t);
  database.sqlite.prepare("UPDATE progress_reports SET period = '2026-H2' WHERE id = ?").run(reports[0]!.id);
  t.throws(() => runMigrations(database), /NOT NULL constraint failed: progress_reports\.submission_deadline/);
  const columns = (database.sqlite.pragma('table_info(progress_reports)') as { name: string }[]).map((c) => c.name);
  t.notOk(columns.includes('submission_deadline'), 'rolled back whole');
  t.equal(database.sqlite.prepare('SELECT count(*) FROM progress_reports').pluck().get(), reports.length, 'every report still there');
});
