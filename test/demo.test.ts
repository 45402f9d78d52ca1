// `npm run demo` as a newcomer runs it: a living plan with reports and indicators, loaded once, that the
// co-chairs' report, a read-only link and the exports show consistently.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import t from 'tap';
import { buildApp } from '../src/app.js';
import type { ProgressReport } from '../src/modules/reports/progress.schemas.js';
import type { Task } from '../src/modules/tasks/tasks.schemas.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs scripts/demo.ts as `npm run demo` does, on `databasePath`; resolves with its exit code and output. */
function runDemo(databasePath: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // tap wraps spawn to measure coverage in children too; this child is compiled by tsx, and merging its
  // coverage with the in-process runs garbles the report (as in server.test.ts). So: no coverage here.
  const env: Record<string, string> = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'NODE_OPTIONS' && !/^_?TAP/.test(e[0])),
  );
  env._TAPJS_PROCESSINFO_COVERAGE_ = '0';
  env.DATABASE_PATH = databasePath;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo did not finish in 120 s\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The figures printed between the ids and the "Try it" hints: what a second run must print again. */
const summaryOf = (stdout: string) => stdout.slice(stdout.indexOf('  by status'), stdout.indexOf('\nTry it'));

/** Rows of the tables the demo fills: a second run must leave them as they are. */
function rowCounts(databasePath: string): Record<string, number> {
  const db = new Database(databasePath, { readonly: true });
  try {
    const tables = ['commissions', 'organizations', 'meetings', 'plans', 'tasks', 'task_assignees', 'task_status_changes', 'deadline_changes', 'progress_reports', 'indicators', 'indicator_values'];
    return Object.fromEntries(tables.map((name) => [name, (db.prepare(`SELECT count(*) AS n FROM ${name}`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

const escapeHtml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

t.test('npm run demo loads a plan with reports and indicators once, and the report, a link and the exports show it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-demo-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'data', 'tracker.db');

  const first = await runDemo(databasePath);
  t.equal(first.code, 0, `the first run succeeds\n${first.stderr}`);
  t.equal(first.stderr, '', 'and complains about nothing');
  const out = first.stdout;
  t.match(out, /Demo plan loaded into .* through the \/v1 API/);
  t.match(out, /by status {3}not_started 6, in_progress 14, on_hold 1, done 3, closed 5, cancelled 1/);
  t.match(out, /overdue 5 \(1\.4, 2\.2, 3\.3, 4\.2, 5\.2\)/);
  t.match(out, /reports {5}\d+ progress reports for \d{4}-Q\d .*, submitted by ministry keys of 30 organizations/);
  t.match(out, /\d{4}-Q\d {5}due \d{4}-\d\d-\d\d: submitted \d+ \(\d+ late\); accepted \d+, awaiting review \d+, returned 1 \(1 revised since\); missing [1-9]\d* \(/);
  t.match(out, /confidence {2}green \d+, amber \d+, red [1-9]\d*, none \d+/);
  t.match(out, /indicators {2}6 \(4 of tasks, 2 of the plan\)/);
  t.match(out, /% of the way from 1,130 to 1,500/, 'indicators with their progress');
  const planId = /plan {8}(\S+) {2}\(approved, 30 tasks/.exec(out)?.[1] as string;
  t.ok(planId, 'the plan id is printed');
  t.match(out, `/v1/reports/progress?planId=${planId}&format=html`, 'the hints show the report as a page');
  t.match(out, `/v1/reports/progress?planId=${planId}&format=xlsx`);
  t.match(out, /\/v1\/calendar\.ics\?organizationId=\S+'/);
  t.match(out, `-d '{"name":"Co-chairs, visit briefing","kind":"progress_report","planId":"${planId}"}'`);
  const token = /export TRACKER_KEY=(cpt_[A-Za-z0-9_-]+)/.exec(out)?.[1] as string;
  t.ok(token, "on a database without a secretariat key the loader's key stays, its secret printed");
  const counts = rowCounts(databasePath);
  t.ok(counts.progress_reports! > 100 && counts.indicators === 6 && counts.indicator_values! >= 6, 'reports and indicators were loaded');

  const second = await runDemo(databasePath);
  t.equal(second.code, 0, `the second run succeeds\n${second.stderr}`);
  t.match(second.stdout, /already loaded/);
  t.equal(summaryOf(second.stdout), summaryOf(out), 'and prints the same summary');
  t.notMatch(second.stdout, /export TRACKER_KEY/, 'with a secretariat key in the database, its own key is revoked');
  t.same(rowCounts(databasePath), counts, 'nothing was loaded again');

  const app = await buildApp({ config: { databasePath, logLevel: 'silent', bodyLimit: 65536, rateLimitMax: 0 }, logger: false });
  await app.ready();
  t.teardown(() => app.close());
  const auth = { authorization: `Bearer ${token}` };
  const get = (url: string, headers: Record<string, string> = auth) => app.inject({ method: 'GET', url, headers });

  const keys = (await get('/v1/api-keys?status=active&limit=200')).json() as { items: { role: string }[] };
  t.same(
    keys.items.map((k) => k.role),
    ['secretariat'],
    "the ministries' keys the demo reported with are revoked; only the newcomer's key is active",
  );

  const tasks = ((await get(`/v1/tasks?planId=${planId}&limit=200`)).json() as { items: Task[] }).items;
  t.equal(tasks.length, 30);
  const res = await get(`/v1/reports/progress?planId=${planId}`);
  t.equal(res.statusCode, 200);
  const report = res.json() as ProgressReport;
  const overdue = tasks.filter((x) => x.overdue);
  t.equal(report.totals.overdue, overdue.length, 'the report counts the overdue tasks GET /v1/tasks shows');
  t.same(report.overdue.map((x) => x.code).sort(), overdue.map((x) => x.code).sort());
  t.not(report.reportingPeriod.lastDue, null, 'a reporting period is already due');
  t.ok(report.missingReports.length > 0, 'some executors have not reported for it');
  t.equal(report.totals.missingReports, report.missingReports.length);
  t.ok(report.missingReports.every((m) => m.organizationName.length > 0 && m.period === report.reportingPeriod.lastDue), 'each named, for the last due period');
  const { green, amber, red, none } = report.totals.confidence;
  t.ok(green > 0 && amber > 0 && red > 0, 'delivery confidence is green, amber and red');
  const live = tasks.filter((x) => x.status !== 'cancelled');
  t.equal(green + amber + red + none, live.reduce((n, x) => n + x.assignees.length, 0), 'over every assignment of a task not cancelled');
  t.ok(
    report.overdue.every((x) => x.confidence === 'red' || x.confidence === 'amber') && report.overdue.some((x) => x.confidence === 'red'),
    'overdue tasks are rated at risk, most of them red',
  );
  t.ok(
    report.tasks.filter((x) => x.status === 'done' || x.status === 'closed').every((x) => x.percentComplete === 100),
    'tasks done or closed are reported complete',
  );
  t.equal(report.indicators.length, 6);
  t.ok(report.indicators.every((i) => i.progressPercent !== null), 'every indicator has a value and its progress');

  const created = await app.inject({
    method: 'POST',
    url: '/v1/share-links',
    headers: auth,
    payload: { name: 'Co-chairs, visit briefing', kind: 'progress_report', planId },
  });
  t.equal(created.statusCode, 201, created.body);
  const { url } = created.json() as { url: string };
  const page = await get(url, {});
  t.equal(page.statusCode, 200, 'the link opens without a key');
  t.match(page.headers['content-type'], /^text\/html/);
  const html = page.body;
  t.ok(html.includes(escapeHtml(report.scope.plans[0]!.title)), 'the page shows the plan title');
  t.ok((html.match(/<svg/g) ?? []).length >= 3, 'and its charts');
  for (const name of new Set([...report.missingReports.map((m) => m.organizationName), ...tasks[0]!.assignees.map((a) => a.name)])) {
    t.ok(html.includes(escapeHtml(name)), `and names ${name}`);
  }

  const csv = await get(`/v1/reports/progress?planId=${planId}&format=csv`);
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  const xlsx = await get(`/v1/reports/progress?planId=${planId}&format=xlsx`);
  t.equal(xlsx.statusCode, 200);
  t.match(xlsx.headers['content-type'], /^application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet/);
  t.equal(xlsx.rawPayload.subarray(0, 2).toString('latin1'), 'PK', 'a zip, as a workbook is');
});
