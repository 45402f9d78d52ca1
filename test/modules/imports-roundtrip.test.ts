// The round trip: the demo plan, exported as XLSX by the co-chairs' progress report, imports back unchanged.
// The demo is loaded as `npm run demo` loads it, in a child process, into a temporary database file.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { json, snapshot } from '../helper.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Runs scripts/demo.ts on `databasePath` and returns the secretariat key it prints for a fresh database. */
function loadDemo(databasePath: string): Promise<string> {
  // As test/server.test.ts: the child runs under tsx, not tap, so it measures no coverage.
  const env: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== 'NODE_OPTIONS' && !/^_?TAP/.test(key)),
  );
  Object.assign(env, { _TAPJS_PROCESSINFO_COVERAGE_: '0', DATABASE_PATH: databasePath, LOG_LEVEL: 'silent' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: ROOT, env: env as NodeJS.ProcessEnv });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const token = /export TRACKER_KEY=(cpt_[A-Za-z0-9_-]+)/.exec(out)?.[1];
      if (code === 0 && token) resolve(token);
      else reject(new Error(`the demo exited with ${code}:\n${out}`));
    });
  });
}

t.test('the demo plan exported as XLSX by the progress report imports back unchanged, and a commit changes nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-import-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'tracker.db');
  const token = await loadDemo(databasePath);
  const app = await buildApp({ config: { databasePath, logLevel: 'silent', bodyLimit: 65536, rateLimitMax: 0 }, logger: false });
  await app.ready();
  t.teardown(() => app.close());
  const headers = { authorization: `Bearer ${token}` };

  const plan = json(await app.inject({ method: 'GET', url: '/v1/plans?status=approved', headers })).items[0];
  t.ok(plan.taskCount >= 30, `the demo plan has ${plan.taskCount} tasks`);
  const exported = await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}&format=xlsx`, headers });
  t.equal(exported.statusCode, 200);
  const bytes = exported.rawPayload;
  const send = (path: string, body: Buffer) =>
    app.inject({
      method: 'POST',
      url: `/v1/plans/${plan.id}/${path}`,
      headers: { ...headers, 'content-type': XLSX, 'content-disposition': 'attachment; filename="progress.xlsx"' },
      payload: body,
    });

  const shown = json(await send('import/preview', bytes));
  t.match(shown, { sheet: 'Tasks', headerRow: 1, fileName: 'progress.xlsx' });
  t.strictSame(shown.summary, { create: 0, update: 0, unchanged: plan.taskCount, errors: 0 }, 'every row is unchanged');
  t.strictSame(
    shown.rows.filter((r: { action: string }) => r.action !== 'unchanged'),
    [],
    'no row differs',
  );
  t.strictSame(shown.unmatchedExecutors, []);
  t.strictSame(shown.tasksNotInFile, []);
  t.strictSame(
    shown.columns.map((c: { header: string }) => c.header),
    ['No', 'Measure', 'Form of completion', 'Expected result', 'Deadline', 'Executors (BY)', 'Executors (KZ)', 'Basis', 'Area', 'Plan'],
    "the report's own plan columns are read; its figures are ignored",
  );

  const before = snapshot(app);
  const committed = await send('import', bytes);
  t.equal(committed.statusCode, 200);
  t.match(json(committed), { committed: true, summary: { unchanged: plan.taskCount } });
  t.strictSame(snapshot(app), before, 'the commit changed nothing, not even the history');

  // The same export with one measure retitled: exactly that change is found.
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const tasks = wb.getWorksheet('Tasks')!;
  const code = String(tasks.getCell('A2').value);
  const title = String(tasks.getCell('B2').value);
  tasks.getCell('B2').value = `${title} (уточнено)`;
  const edited = json(await send('import/preview', Buffer.from(await wb.xlsx.writeBuffer())));
  t.strictSame(edited.summary, { create: 0, update: 1, unchanged: plan.taskCount - 1, errors: 0 });
  t.match(edited.rows[0], { code, action: 'update', changes: [{ field: 'title', before: title, after: `${title} (уточнено)` }] });

  // Asked for in a language, the Tasks sheet's titles are that language's where translated (the demo translates every
  // title into English, none into Russian): its title column is read as the translations, the original titles kept.
  for (const [lang, sheet, titleHeader] of [
    ['ru', 'Задачи', 'Мероприятие (ru)'],
    ['kk', 'Задачи', 'Мероприятие (kk)'],
    ['en', 'Tasks', 'Measure (en)'],
  ] as const) {
    const localized = (await app.inject({ method: 'GET', url: `/v1/reports/progress?planId=${plan.id}&format=xlsx&lang=${lang}`, headers })).rawPayload;
    const read = json(await send('import/preview', localized));
    t.match(read, { sheet, headerRow: 1 }, `${lang}: the tasks sheet is read`);
    t.strictSame(read.summary, { create: 0, update: 0, unchanged: plan.taskCount, errors: 0 }, `${lang}: every row is unchanged`);
    t.strictSame(read.unmatchedExecutors, [], `${lang}: every executor found`);
    t.equal(read.columns[1]?.header, titleHeader, `${lang}: titles read as translations`);
    if (lang === 'ru') {
      t.strictSame(
        read.columns.map((c: { header: string }) => c.header),
        ['№', 'Мероприятие (ru)', 'Форма завершения', 'Ожидаемый результат', 'Срок', 'Исполнители (BY)', 'Исполнители (KZ)', 'Основание', 'Направление', 'План'],
        'ru: the Russian headings of the plan columns are read, the figures ignored',
      );
    }
    const committedLocalized = await send('import', localized);
    t.equal(committedLocalized.statusCode, 200, `${lang}: committed`);
    t.strictSame(snapshot(app), before, `${lang}: the commit changed nothing`);
  }
});
