// Drizzle queries that cut the report's order of tasks into consecutive ranges: the parts of a large report, the slices of the report.missing scan.
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { type Db, prepared } from '../../db/connection.js';
import { tasks } from '../../db/schema.js';
import type { TaskPosition, TaskRange } from './progress.repository.js';

/**
 * Part `part` of `of` consecutive ranges of about as many tasks each, in the report's order, counted on the order's
 * index alone (tasks created after the report's day count too: the parts need not be equal, only consecutive). Each
 * bound is an OFFSET, stepped to in the index: fine for the few parts of a report (one per thread), each reading its
 * range anyway; not for a hundred parts (taskBoundaries).
 */
export function taskRange(db: Db, planIds: string[], part: number, of: number): TaskRange {
  const [row] = db.select({ n: count() }).from(tasks).where(inArray(tasks.planId, planIds)).all();
  const total = row?.n ?? 0;
  const at = (k: number): TaskPosition | undefined =>
    k <= 0 || k >= of
      ? undefined
      : (db
          .select({ planId: tasks.planId, codeSortKey: tasks.codeSortKey, id: tasks.id })
          .from(tasks)
          .where(inArray(tasks.planId, planIds))
          .orderBy(asc(tasks.planId), asc(tasks.codeSortKey), asc(tasks.id))
          .limit(1)
          .offset(Math.floor((total * k) / of))
          .values()[0] as TaskPosition | undefined);
  return { from: at(part), to: at(part + 1) };
}

/**
 * The steps of taskBoundaries, prepared once: the task `skip` entries from the start of a plan's order, and the one
 * `skip` entries past the next after a position.
 */
const firstAfter = (db: Db) =>
  prepared(db, 'taskBoundaries:first', (db) =>
    db
      .select({ planId: tasks.planId, codeSortKey: tasks.codeSortKey, id: tasks.id })
      .from(tasks)
      .where(eq(tasks.planId, sql.placeholder('planId')))
      .orderBy(asc(tasks.codeSortKey), asc(tasks.id))
      .limit(1)
      .offset(sql.placeholder('skip'))
      .prepare(),
  );
const nextAfter = (db: Db) =>
  prepared(db, 'taskBoundaries:next', (db) =>
    db
      .select({ planId: tasks.planId, codeSortKey: tasks.codeSortKey, id: tasks.id })
      .from(tasks)
      // On (code, id) after the plan's equality: a range SQLite seeks in the order index (see tasksOf).
      .where(and(eq(tasks.planId, sql.placeholder('planId')), sql`(${tasks.codeSortKey}, ${tasks.id}) > (${sql.placeholder('codeSortKey')}, ${sql.placeholder('id')})`))
      .orderBy(asc(tasks.codeSortKey), asc(tasks.id))
      .limit(1)
      .offset(sql.placeholder('skip'))
      .prepare(),
  );

/**
 * The positions of every `size`-th task of a plan in the report's order (the `size`-th, the 2·`size`-th, ...): the
 * bounds of its consecutive ranges of `size` tasks, the first range from the plan's start, the last to its end. Each
 * is sought from the one before, `size` entries on in the order index (a covering read): all of a plan's bounds cost
 * one step through its index, 9 ms for 100,000 tasks, where an OFFSET from the start for each (taskRange) cost
 * O(n²/size), 150 ms to 1 s for ranges of 1,000 (scratch timing), read at once on the event loop.
 */
export function taskBoundaries(db: Db, planId: string, size: number): TaskPosition[] {
  const step = Math.max(1, Math.floor(size));
  const bounds: TaskPosition[] = [];
  let at = firstAfter(db).get({ planId, skip: step });
  while (at !== undefined) {
    bounds.push([at.planId, at.codeSortKey, at.id]);
    at = nextAfter(db).get({ planId, codeSortKey: at.codeSortKey, id: at.id, skip: step - 1 });
  }
  return bounds;
}

/** The consecutive ranges between `bounds` (taskBoundaries): from the start to the first, ..., from the last to the end. */
export function rangesBetween(bounds: TaskPosition[]): TaskRange[] {
  return Array.from({ length: bounds.length + 1 }, (_, i) => ({ from: bounds[i - 1], to: bounds[i] }));
}
