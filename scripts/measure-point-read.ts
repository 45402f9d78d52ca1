// `npx tsx scripts/measure-point-read.ts <database>`: where a point read's time goes, in one process, without HTTP, on
// a database the bench kept (`BENCH_KEEP=1 npm run bench` prints its path). Over 30,000 random tasks, after 3,000 to
// warm up, twice: the id's index alone, the task's row and its assignees by raw prepared statements (the bench's floor
// route's), both as the service reads them (findTaskRecord, through drizzle), the representation (presentTask), and the
// ETag (etagOf; and JSON.stringify of the same value, for comparison). Prints microseconds a task. Nothing is
// asserted; on a shared machine, run it twice. Quoted in docs/performance.md.
import { openDatabase } from '../src/db/open.js';
import { etagOf } from '../src/lib/http.js';
import { findTaskRecord } from '../src/modules/tasks/tasks.repository.js';
import { presentTask } from '../src/modules/tasks/tasks.service.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: npx tsx scripts/measure-point-read.ts <database kept by BENCH_KEEP=1 npm run bench>');
  process.exit(2);
}
const { sqlite, db } = openDatabase(file);
const ids = sqlite.prepare('SELECT id FROM tasks ORDER BY random()').pluck().all() as string[];
if (ids.length < 4_000) throw new Error(`${file} has ${ids.length} tasks; the measure needs 4,000 at least`);
const RUNS = Math.min(30_000, ids.length - 3_000);

/** Microseconds per call of `step` over RUNS tasks, after 3,000 others to warm up. */
const time = (name: string, step: (id: string, i: number) => unknown): void => {
  for (let i = 0; i < 3_000; i++) step(ids[i] as string, i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < RUNS; i++) step(ids[3_000 + i] as string, i);
  console.log(`${name.padEnd(44)} ${(Number(process.hrtime.bigint() - t0) / 1e3 / RUNS).toFixed(1)} µs`);
};

const index = sqlite.prepare('SELECT rowid FROM tasks WHERE id = ?').pluck();
const task = sqlite
  .prepare(
    `SELECT tasks.*, plans.commission_id, commissions.time_zone FROM tasks JOIN plans ON plans.id = tasks.plan_id
     JOIN commissions ON commissions.id = plans.commission_id WHERE tasks.id = ?`,
  )
  .raw();
const assignees = sqlite
  .prepare(
    `SELECT a.organization_id, o.name, o.short_name, o.country, a.role FROM task_assignees a
     JOIN organizations o ON o.id = a.organization_id WHERE a.task_id = ? ORDER BY a.role DESC, a.position`,
  )
  .raw();
const now = new Date();
const presented = ids.slice(0, 2_000).map((id) => presentTask(findTaskRecord(db, id)!, now));

console.log(`${file}: ${ids.length} tasks, ${RUNS} timed`);
for (let pass = 1; pass <= 2; pass++) {
  console.log(`-- pass ${pass}`);
  time('the id’s index alone', (id) => index.get(id));
  time('the task’s row, raw', (id) => task.get(id));
  time('its assignees, raw', (id) => assignees.all(id));
  time('both, raw', (id) => [task.get(id), assignees.all(id)]);
  time('both as the service reads them (drizzle)', (id) => findTaskRecord(db, id));
  time('+ the representation', (id) => presentTask(findTaskRecord(db, id)!, now));
  time('+ its ETag', (id) => etagOf(presentTask(findTaskRecord(db, id)!, now)));
  time('the ETag alone (canonical JSON, SHA-256)', (_id, i) => etagOf(presented[i % presented.length]));
  time('JSON.stringify of the same value', (_id, i) => JSON.stringify(presented[i % presented.length]));
}
sqlite.close();
