// `npx tsx scripts/measure-migrations.ts [tasks]` (default 20,000): times migrations 0015, 0016 and 0017, one by one, on
// a new file migrated up to 0014 with that many tasks whose titles, descriptions and translations hold line breaks as
// written before 0015 (CRLF, multi-line titles), their search text as the service wrote it. Prints each migration's
// time and one task after. A measurement, not a test: nothing is asserted.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS_FOLDER, runMigrations } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open.js';
import { searchTextOf } from '../src/modules/tasks/tasks.service.js';

const N = Number(process.argv[2] ?? 20_000);
const dir = await mkdtemp(join(tmpdir(), 'mig-timing-'));
const folder = join(dir, 'm');
await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
const journal = JSON.parse(await readFile(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'));
const upTo = journal.entries.findIndex((e: { tag: string }) => e.tag.startsWith('0015_'));
await writeFile(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }));
const path = join(dir, 'tracker.db');
const db = openDatabase(path);
runMigrations(db, folder);
const s = db.sqlite;
s.pragma('foreign_keys = OFF');
const now = new Date().toISOString();
function filler(table: string, given: Record<string, unknown>) {
  const info = s.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; notnull: number; dflt_value: unknown; pk: number }[];
  const row: Record<string, unknown> = {};
  for (const c of info) {
    const key = c.name;
    if (key in given) row[key] = given[key];
    else if (c.notnull && c.dflt_value === null) row[key] = /INT/i.test(c.type) ? 0 : 'x';
  }
  const keys = Object.keys(row);
  return { sql: `INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map((k) => '@' + k).join(', ')})`, row };
}
const c = filler('commissions', { id: 'c1', time_zone: 'Europe/Minsk', party_a_country: 'BY', party_b_country: 'KZ', created_at: now, updated_at: now });
s.prepare(c.sql).run(c.row);
const pl = filler('plans', { id: 'p1', commission_id: 'c1', status: 'approved', period_start: '2026-01-01', period_end: '2027-12-31', reporting_frequency: 'quarterly', report_due_days: 10, created_at: now, updated_at: now });
s.prepare(pl.sql).run(pl.row);
const tmpl = filler('tasks', { id: '', plan_id: 'p1', code: '', title: '', description: '', translations: '', search_text: '', area: 'industry', due_date: '2026-12-31', original_due_date: '2026-12-31', status: 'not_started', created_at: now, updated_at: now });
const insert = s.prepare(tmpl.sql);
s.transaction(() => {
  for (let i = 0; i < N; i++) {
    const t = { code: `${i}`, title: `Title ${i}\r\nsecond line`, description: `Line one of ${i}\r\nline two\r\nline three`, translations: { ru: { title: `Заголовок ${i}\nещё`, description: `Описание\r\nвторая` } } };
    insert.run({ ...tmpl.row, id: `t${i}`, code: t.code, title: t.title, description: t.description, translations: JSON.stringify(t.translations), search_text: searchTextOf(t as never) });
  }
})();
s.pragma('foreign_keys = ON');
for (const tag of ['0016_', '0017_', null]) {
  const f2 = join(dir, `m-${tag}`);
  await cp(MIGRATIONS_FOLDER, f2, { recursive: true });
  const upTo2 = tag === null ? journal.entries.length : journal.entries.findIndex((e: { tag: string }) => e.tag.startsWith(tag));
  await writeFile(join(f2, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo2) }));
  const started = performance.now();
  const applied = runMigrations(db, f2);
  console.log(`${N} tasks: ${JSON.stringify(applied)} took ${Math.round(performance.now() - started)} ms`);
}
const row = s.prepare("SELECT title, description, search_text FROM tasks WHERE id = 't7'").get();
console.log(row);
db.sqlite.close();
