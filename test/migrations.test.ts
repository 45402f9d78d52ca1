// Storage: migrations on a real file database, the pragmas we rely on, and the write-transaction guard.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { count } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { writeTransaction, type Database_ } from '../src/db/connection.js';
import { MIGRATIONS_FOLDER, runMigrations } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open.js';
import { commissions } from '../src/db/schema.js';
import { ROOT } from './process.js';

interface Journal {
  entries: { idx: number; tag: string; when: number }[];
}

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-migrations-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a database file and closes it when the test ends. */
function open(t: Test, path: string): Database_ {
  const database = openDatabase(path);
  t.teardown(() => {
    if (database.sqlite.open) database.sqlite.close();
  });
  return database;
}

const journal = async (): Promise<Journal> => JSON.parse(await readFile(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'));

const applied = (d: Database_) =>
  (d.sqlite.prepare('SELECT hash, created_at FROM __drizzle_migrations ORDER BY id').all() as { hash: string }[]).length;

const userTables = (d: Database_) =>
  (
    d.sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name")
      .all() as { name: string }[]
  ).map((r) => r.name);

const NOW = '2026-11-28T09:00:00.000Z';
const commissionRow = (id: string) => ({
  id,
  name: 'Belarus–Kazakhstan commission',
  timeZone: 'Europe/Minsk',
  partyACountry: 'BY',
  partyACoChairName: 'Ivan Petrov',
  partyACoChairPosition: 'Deputy Prime Minister',
  partyBCountry: 'KZ',
  partyBCoChairName: 'Aidar Sultanov',
  partyBCoChairPosition: 'Deputy Prime Minister',
  createdAt: NOW,
  updatedAt: NOW,
});

t.test('migrations create every table on an empty file database', async (t) => {
  const dir = await tempDir(t);
  const database = open(t, join(dir, 'tracker.db'));
  t.strictSame(userTables(database), [], 'the new file starts empty');

  runMigrations(database);

  t.equal(applied(database), (await journal()).entries.length, 'every migration of the journal is recorded');
  const tables = userTables(database);
  for (const table of [
    'commissions',
    'organizations',
    'meetings',
    'plans',
    'tasks',
    'task_assignees',
    'deadline_changes',
    'task_status_changes',
    'api_keys',
    'change_history',
    'idempotency_keys',
  ]) {
    t.ok(tables.includes(table), `table ${table} exists`);
  }
  t.strictSame(database.sqlite.pragma('foreign_key_check'), [], 'no dangling foreign keys');
  t.equal(database.sqlite.pragma('integrity_check', { simple: true }), 'ok');
});

t.test('applying the migrations again changes nothing and keeps the data written in between', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'tracker.db');
  const first = open(t, path);
  runMigrations(first);
  first.db.insert(commissions).values(commissionRow('c-1')).run();
  const before = applied(first);
  first.sqlite.close();

  const second = open(t, path);
  runMigrations(second);
  t.equal(applied(second), before, 'no migration ran twice');
  t.strictSame(second.db.select().from(commissions).all(), [commissionRow('c-1')], 'the row written in between survives');
  t.equal(second.sqlite.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are back on after migrating');
});

t.test('later migrations keep the rows of a database created by the first one', async (t) => {
  const { entries } = await journal();
  if (entries.length < 2) {
    t.pass('only one migration so far: nothing to upgrade');
    return;
  }
  // A copy of migrations/ whose journal stops after the first migration stands for an old release.
  const dir = await tempDir(t);
  const oldMigrations = join(dir, 'migrations');
  await cp(MIGRATIONS_FOLDER, oldMigrations, { recursive: true });
  await writeFile(join(oldMigrations, 'meta', '_journal.json'), JSON.stringify({ ...(await journal()), entries: entries.slice(0, 1) }));

  const database = open(t, join(dir, 'tracker.db'));
  runMigrations(database, oldMigrations);
  // Rows in every table of the first migration, parents and children, in its own column names.
  const seed = [
    `INSERT INTO commissions VALUES ('c1','C','Europe/Minsk','BY','A','P','KZ','B','P','${NOW}','${NOW}')`,
    `INSERT INTO organizations VALUES ('o1','Ministry of Industry',NULL,'ministry','BY',NULL,'${NOW}','${NOW}')`,
    `INSERT INTO organizations VALUES ('o2','MTZ','MTZ','enterprise','BY','o1','${NOW}','${NOW}')`,
    `INSERT INTO meetings VALUES ('m1','c1','official_visit','Visit','2026-11-04','Astana','12','${NOW}','${NOW}')`,
    `INSERT INTO plans VALUES ('p1','c1','Plan','2026-01-01','2027-12-31','approved','${NOW}',NULL,'${NOW}','${NOW}')`,
    `INSERT INTO tasks (id, plan_id, code, code_sort_key, title, area, basis_meeting_id, search_text, due_date,
       original_due_date, postponement_count, status, status_changed_at, created_at, updated_at)
     VALUES ('t1','p1','1.1','0001.0001','Assemble tractors','mechanical_engineering','m1','1.1 assemble tractors',
       '2026-12-31','2026-10-31',1,'in_progress','${NOW}','${NOW}','${NOW}')`,
    `INSERT INTO task_assignees VALUES ('t1','o1','lead',0), ('t1','o2','co_executor',1)`,
    `INSERT INTO deadline_changes (id, task_id, kind, status, old_due_date, new_due_date, reason, requested_by_role,
       requested_at) VALUES ('d1','t1','direct','applied','2026-10-31','2026-12-31','Supplier delay','secretariat','${NOW}')`,
  ];
  for (const statement of seed) database.sqlite.exec(statement);
  const tables = ['commissions', 'organizations', 'meetings', 'plans', 'tasks', 'task_assignees', 'deadline_changes'];
  const columnsOf = (table: string) =>
    (database.sqlite.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((c) => c.name);
  const oldColumns = Object.fromEntries(tables.map((table) => [table, columnsOf(table)]));
  const read = () =>
    Object.fromEntries(
      tables.map((table) => [
        table,
        database.sqlite.prepare(`SELECT ${oldColumns[table]!.map((c) => `"${c}"`).join(', ')} FROM "${table}" ORDER BY rowid`).all(),
      ]),
    );
  const before = read();

  const tags = runMigrations(database);

  t.equal(applied(database), entries.length, 'the later migrations ran');
  t.strictSame(tags, entries.slice(1).map((e) => e.tag), 'and are named, for the start-up log');
  t.strictSame(read(), before, 'every row of every table is still there, unchanged');
  t.strictSame(database.sqlite.pragma('foreign_key_check'), [], 'no dangling foreign keys');
});

t.test('the change history is append-only in the database itself: no UPDATE, no DELETE', async (t) => {
  const dir = await tempDir(t);
  const database = open(t, join(dir, 'tracker.db'));
  runMigrations(database);
  database.sqlite.exec(
    `INSERT INTO change_history (id, at, actor_role, operation, entity_type, entity_id, changes)
     VALUES ('h1', '${NOW}', 'secretariat', 'createCommission', 'commission', 'c1', '[]')`,
  );
  const rows = () => database.sqlite.prepare('SELECT * FROM change_history').all();
  const before = rows();
  t.throws(() => database.sqlite.exec(`UPDATE change_history SET actor_role = 'observer'`), /append-only/);
  t.throws(() => database.sqlite.exec('DELETE FROM change_history'), /append-only/);
  t.strictSame(rows(), before, 'the entry is as written');
});

/** A copy of the migrations folder whose journal stops before the last migration. */
async function allButLastMigration(dir: string): Promise<string> {
  const folder = join(dir, 'migrations-but-last');
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: unknown[] };
  journal.entries.pop();
  await writeFile(journalPath, JSON.stringify(journal));
  return folder;
}

t.test('a migration run that leaves dangling foreign keys is refused', async (t) => {
  const dir = await tempDir(t);
  const database = open(t, join(dir, 'tracker.db'));
  runMigrations(database, await allButLastMigration(dir));
  database.sqlite.pragma('foreign_keys = OFF');
  database.sqlite.exec(`INSERT INTO plans VALUES ('p1','no-such-commission','Plan','2026-01-01','2026-12-31','draft',NULL,NULL,'${NOW}','${NOW}','quarterly',10)`);
  database.sqlite.pragma('foreign_keys = ON');

  t.throws(() => runMigrations(database), /dangling foreign keys/, 'checked after the last migration is applied');
  t.equal(database.sqlite.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are back on after the refusal');
  // The refusal must leave the file as it was: were the migration committed, the next start would find nothing to
  // apply, skip the check and serve the dangling rows.
  t.equal(applied(database), (await journal()).entries.length - 1, 'the refused migration is not recorded');
  t.throws(() => runMigrations(database), /dangling foreign keys/, 'the next start refuses it again');
});

t.test('a database migrated by a newer release is refused, naming the way out, and left as it is', async (t) => {
  const dir = await tempDir(t);
  const database = open(t, join(dir, 'tracker.db'));
  runMigrations(database);
  const before = applied(database);
  // This release stands for an older one that knows every migration but the last.
  const older = await allButLastMigration(dir);
  t.throws(() => runMigrations(database, older), /migrated by a newer release/);
  t.equal(applied(database), before, 'nothing was applied or removed');
});

t.test('another process migrating the same old file at the same moment: both start, each migration is applied once', async (t) => {
  const { entries } = await journal();
  const dir = await tempDir(t);
  const path = join(dir, 'tracker.db');
  const database = open(t, path);
  runMigrations(database, await allButLastMigration(dir));
  // Another instance (a second service, `npm run key:create`) takes the write lock to apply the same pending
  // migration and commits it a moment later, as drizzle's migrator does, while this one starts.
  const other = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
      import Database from 'better-sqlite3';
      import { readMigrationFiles } from 'drizzle-orm/migrator';
      const db = new Database(${JSON.stringify(path)});
      db.pragma('busy_timeout = 5000');
      db.exec('BEGIN IMMEDIATE');
      const last = db.prepare('SELECT max(created_at) AS at FROM __drizzle_migrations').get().at;
      process.stdout.write('locked');
      setTimeout(() => {
        for (const m of readMigrationFiles({ migrationsFolder: ${JSON.stringify(MIGRATIONS_FOLDER)} })) {
          if (Number(last) >= m.folderMillis) continue;
          for (const s of m.sql) db.exec(s);
          db.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run(m.hash, m.folderMillis);
        }
        db.exec('COMMIT');
        db.close();
      }, 1000);
      `,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => {
    if (other.exitCode === null) other.kill('SIGKILL');
  });
  await Promise.race([
    once(other.stdout!, 'data'),
    once(other, 'exit').then(([code]) => Promise.reject(new Error(`the other process ended with ${code} before it took the lock`))),
  ]);

  t.doesNotThrow(() => runMigrations(database), 'this start waits for the other and finds nothing left to apply');
  const [code] = (await once(other, 'exit')) as [number];
  t.equal(code, 0, 'the other process migrated the file');
  t.equal(applied(database), entries.length, 'each migration is recorded once');
  t.equal(database.sqlite.pragma('integrity_check', { simple: true }), 'ok');
});

t.test('a start with no migration pending does not read every row for the check', async (t) => {
  const dir = await tempDir(t);
  const database = open(t, join(dir, 'tracker.db'));
  runMigrations(database);
  database.sqlite.pragma('foreign_keys = OFF');
  database.sqlite.exec(`INSERT INTO plans VALUES ('p1','no-such-commission','Plan','2026-01-01','2026-12-31','draft',NULL,NULL,'${NOW}','${NOW}','quarterly',10)`);
  database.sqlite.pragma('foreign_keys = ON');
  t.doesNotThrow(() => runMigrations(database), 'nothing was migrated, so nothing is checked');
});

t.test('a file database runs with WAL, synchronous FULL, foreign keys and a busy timeout', async (t) => {
  const dir = await tempDir(t);
  const { sqlite } = open(t, join(dir, 'tracker.db'));
  t.equal(sqlite.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(sqlite.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL');
  t.equal(sqlite.pragma('foreign_keys', { simple: true }), 1);
  t.ok(Number(sqlite.pragma('busy_timeout', { simple: true })) > 0, 'busy_timeout is set');
});

t.test('the database refuses a plan whose commission does not exist', async (t) => {
  const dir = await tempDir(t);
  const database = open(t, join(dir, 'tracker.db'));
  runMigrations(database);
  t.throws(
    () => database.sqlite.exec(`INSERT INTO plans VALUES ('p1','nope','Plan','2026-01-01','2026-12-31','draft',NULL,NULL,'${NOW}','${NOW}','quarterly',10)`),
    { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' },
  );
});

t.test('writeTransaction refuses an async body and rolls back what it wrote', async (t) => {
  const dir = await tempDir(t);
  const database = open(t, join(dir, 'tracker.db'));
  runMigrations(database);

  t.throws(
    () =>
      writeTransaction(database.db, async (tx) => {
        tx.insert(commissions).values(commissionRow('c-async')).run();
      }),
    { name: 'TypeError', message: /must be synchronous/ },
  );
  t.equal(database.db.select({ n: count() }).from(commissions).get()?.n, 0, 'nothing was written');
  t.equal(database.sqlite.inTransaction, false, 'no transaction is left open');

  const result = writeTransaction(database.db, (tx) => {
    tx.insert(commissions).values(commissionRow('c-sync')).run();
    return 'done';
  });
  t.equal(result, 'done', 'a synchronous body returns its value');
  t.strictSame(database.db.select({ id: commissions.id }).from(commissions).all(), [{ id: 'c-sync' }]);
});

t.test('writeTransaction rolls back everything when its body throws', async (t) => {
  const dir = await tempDir(t);
  const database = open(t, join(dir, 'tracker.db'));
  runMigrations(database);
  t.throws(() =>
    writeTransaction(database.db, (tx) => {
      tx.insert(commissions).values(commissionRow('c-1')).run();
      throw new Error('refused half-way');
    }),
  /refused half-way/);
  t.equal(database.db.select({ n: count() }).from(commissions).get()?.n, 0);
});

t.test('the folder of DATABASE_PATH is created when it does not exist', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'not', 'yet', 'there', 'tracker.db');
  const app = await buildApp({ config: { databasePath: path, logLevel: 'silent', bodyLimit: 65536 }, logger: false });
  t.teardown(() => app.close());
  await app.ready();
  t.ok((await stat(path)).isFile(), 'the database file exists');
  const res = await app.inject({ method: 'GET', url: '/health' });
  t.strictSame(res.json(), { status: 'ok', database: 'ok' });
});

t.test('migration 0009 folds "ё" in the text the task search reads, and only there', async (t) => {
  const dir = await tempDir(t);
  const folder = join(dir, 'migrations-before-0009');
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const all = await journal();
  const upTo = all.entries.findIndex((e) => e.tag === '0009_fold_yo_in_task_search');
  t.ok(upTo > 0, 'the migration is in the journal');
  await writeFile(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...all, entries: all.entries.slice(0, upTo) }));
  const database = open(t, join(dir, 'tracker.db'));
  runMigrations(database, folder);
  for (const statement of [
    `INSERT INTO commissions VALUES ('c1','C','Europe/Minsk','BY','A','P','KZ','B','P','${NOW}','${NOW}')`,
    `INSERT INTO plans (id, commission_id, title, period_start, period_end, status, created_at, updated_at) VALUES ('p1','c1','Plan','2026-01-01','2027-12-31','draft','${NOW}','${NOW}')`,
    `INSERT INTO tasks (id, plan_id, code, code_sort_key, title, area, search_text, due_date, original_due_date, status, status_changed_at, created_at, updated_at)
     VALUES ('t1','p1','1.1','0001.0001','Объединённые поставки','trade','1.1' || char(10) || 'объединённые поставки','2026-12-31','2026-12-31','not_started','${NOW}','${NOW}','${NOW}'),
            ('t2','p1','1.2','0001.0002','Поставки','trade','1.2' || char(10) || 'поставки','2026-12-31','2026-12-31','not_started','${NOW}','${NOW}','${NOW}')`,
  ]) {
    database.sqlite.exec(statement);
  }
  runMigrations(database);
  const rows = database.sqlite.prepare('SELECT id, title, search_text FROM tasks ORDER BY id').all();
  t.strictSame(rows, [
    { id: 't1', title: 'Объединённые поставки', search_text: '1.1\nобъединенные поставки' },
    { id: 't2', title: 'Поставки', search_text: '1.2\nпоставки' },
  ], 'the search text is folded; the title is as written');
});

t.test('migrations 0011 to 0013 give each assignee the time it was assigned, from the change history, else its task\'s creation', async (t) => {
  const dir = await tempDir(t);
  const folder = join(dir, 'migrations-before-0011');
  await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
  const all = await journal();
  const upTo = all.entries.findIndex((e) => e.tag === '0011_task_assignee_assigned_at');
  t.ok(upTo > 0, 'the migration is in the journal');
  await writeFile(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...all, entries: all.entries.slice(0, upTo) }));
  const database = open(t, join(dir, 'tracker.db'));
  runMigrations(database, folder);

  const T0 = '2026-09-01T09:00:00.000Z'; // t1 created with o1 (lead) and o2 (co-executor)
  const T1 = '2026-10-01T09:00:00.000Z'; // o3 added
  const T2 = '2026-11-20T09:00:00.000Z'; // o3 made a lead, o2 taken off: neither a new assignment
  const T3 = '2026-11-25T09:00:00.000Z'; // o2 put back
  const OLD = '2025-05-01T09:00:00.000Z'; // t2, written before the history existed
  const a = (id: string, role: string) => ({ organizationId: id, name: id, shortName: null, country: 'BY', role });
  const entry = (id: string, at: string, operation: string, before: unknown, after: unknown, more: object[] = []) =>
    database.sqlite
      .prepare(
        `INSERT INTO change_history (id, at, actor_role, operation, entity_type, entity_id, plan_id, task_id, changes)
         VALUES (?, ?, 'secretariat', ?, 'task', 't1', 'p1', 't1', ?)`,
      )
      .run(id, at, operation, JSON.stringify([...more, { field: 'assignees', before, after }]));
  for (const statement of [
    `INSERT INTO commissions VALUES ('c1','C','Europe/Minsk','BY','A','P','KZ','B','P','${OLD}','${OLD}')`,
    ...['o1', 'o2', 'o3', 'o4'].map((id) => `INSERT INTO organizations VALUES ('${id}','${id}',NULL,'ministry','BY',NULL,'${OLD}','${OLD}')`),
    `INSERT INTO plans (id, commission_id, title, period_start, period_end, status, approved_at, created_at, updated_at)
     VALUES ('p1','c1','Plan','2025-01-01','2027-12-31','approved','${OLD}','${OLD}','${OLD}')`,
    ...[
      ['t1', '1.1', T0],
      ['t2', '1.2', OLD],
    ].map(
      ([id, code, at]) => `INSERT INTO tasks (id, plan_id, code, code_sort_key, title, area, search_text, due_date, original_due_date, status,
         status_changed_at, created_at, updated_at) VALUES ('${id}','p1','${code}','${code}','Task','trade','${code}','2027-06-30','2027-06-30',
         'in_progress','${at}','${at}','${at}')`,
    ),
    `INSERT INTO task_assignees VALUES ('t1','o1','lead',0), ('t1','o3','lead',1), ('t1','o2','co_executor',2), ('t2','o4','lead',0)`,
  ]) {
    database.sqlite.exec(statement);
  }
  entry('h1', T0, 'createTask', null, [a('o1', 'lead'), a('o2', 'co_executor')], [{ field: 'code', before: null, after: '1.1' }]);
  entry('h2', T1, 'updateTask', [a('o1', 'lead'), a('o2', 'co_executor')], [a('o1', 'lead'), a('o2', 'co_executor'), a('o3', 'co_executor')]);
  entry('h3', T2, 'commitPlanImport', [a('o1', 'lead'), a('o2', 'co_executor'), a('o3', 'co_executor')], [a('o1', 'lead'), a('o3', 'lead')]);
  entry('h4', T3, 'updateTask', [a('o1', 'lead'), a('o3', 'lead')], [a('o1', 'lead'), a('o3', 'lead'), a('o2', 'co_executor')]);
  // A write of another field of the task, and a transition: not assignments.
  database.sqlite
    .prepare(
      `INSERT INTO change_history (id, at, actor_role, operation, entity_type, entity_id, plan_id, task_id, changes)
       VALUES ('h5', '2026-12-01T09:00:00.000Z', 'secretariat', 'transitionTask', 'task', 't1', 'p1', 't1', ?)`,
    )
    .run(JSON.stringify([{ field: 'status', before: 'not_started', after: 'in_progress' }]));

  runMigrations(database);

  t.strictSame(
    database.sqlite.prepare('SELECT task_id, organization_id, role, position, assigned_at FROM task_assignees ORDER BY task_id, position').all(),
    [
      { task_id: 't1', organization_id: 'o1', role: 'lead', position: 0, assigned_at: T0 },
      { task_id: 't1', organization_id: 'o3', role: 'lead', position: 1, assigned_at: T1 },
      { task_id: 't1', organization_id: 'o2', role: 'co_executor', position: 2, assigned_at: T3 },
      { task_id: 't2', organization_id: 'o4', role: 'lead', position: 0, assigned_at: OLD },
    ],
    'o1 since the creation, o3 since it was added (its new role kept it), o2 since it was put back, t2 since its creation',
  );
  const column = database.sqlite.prepare(`SELECT "notnull", dflt_value FROM pragma_table_info('task_assignees') WHERE name = 'assigned_at'`).get();
  t.strictSame(column, { notnull: 1, dflt_value: null }, 'NOT NULL, with no default left from the migration: every write gives the time');
  t.throws(
    () => database.sqlite.exec(`INSERT INTO task_assignees (task_id, organization_id, role, position) VALUES ('t2','o1','co_executor',1)`),
    /NOT NULL/,
  );
  t.ok(
    database.sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'task_assignees_org_idx'`).get(),
    'the index of the rebuilt table is there',
  );
  t.strictSame(database.sqlite.pragma('foreign_key_check'), [], 'no dangling foreign keys');
});
