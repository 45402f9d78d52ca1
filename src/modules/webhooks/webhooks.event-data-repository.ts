// Drizzle queries of what webhook events are made of: the plans, tasks, assignees and deadline changes they tell of,
// and the tasks the overdue scan finds.
import { and, asc, desc, eq, gt, inArray, lt, lte, notInArray, or, sql } from 'drizzle-orm';
import { type Db, inJsonArray, prepared, rowDecoder } from '../../db/connection.js';
import { TASK_STATUSES, type TaskStatus } from '../../db/enums.js';
import { commissions, deadlineChanges, plans, taskAssignees, tasks } from '../../db/schema.js';
import { OUT_OF_CONTROL_STATUSES } from '../tasks/task-timeliness.js';
import { assigneesByTask } from '../tasks/tasks.assignees-repository.js';
import type { TaskRecord } from '../tasks/tasks.repository.js';

/** What an event shows of a task (webhookTask): a TaskRecord is one, and so is a task of announcedTasksOfPlan. */
export type AnnouncedTask = Pick<
  TaskRecord,
  'id' | 'planId' | 'commissionId' | 'code' | 'title' | 'status' | 'dueDate' | 'originalDueDate' | 'postponementCount' | 'timeZone' | 'planClosedAt'
> & { assignees: readonly { organizationId: string; role: TaskRecord['assignees'][number]['role'] }[] };

const announcedColumns = {
  id: tasks.id,
  planId: tasks.planId,
  commissionId: plans.commissionId,
  code: tasks.code,
  title: tasks.title,
  status: tasks.status,
  dueDate: tasks.dueDate,
  originalDueDate: tasks.originalDueDate,
  postponementCount: tasks.postponementCount,
  timeZone: commissions.timeZone,
  planClosedAt: plans.closedAt,
};
const decodeAnnounced = rowDecoder<Omit<AnnouncedTask, 'assignees'>>(announcedColumns);

/**
 * Every task of a plan as its task.created event shows it, with its assignees (leads first), in the plan's order (code,
 * then id): what a plan's approval announces, in two statements whatever its size. Only the columns an event shows:
 * whole task records (descriptions, translations, search text) took 2 s of the approval of 100,000 tasks; these 0.4 s.
 */
export function announcedTasksOfPlan(db: Db, planId: string): AnnouncedTask[] {
  const rows = db
    .select(announcedColumns)
    .from(tasks)
    .innerJoin(plans, eq(plans.id, tasks.planId))
    .innerJoin(commissions, eq(commissions.id, plans.commissionId))
    .where(eq(tasks.planId, planId))
    .orderBy(asc(tasks.codeSortKey), asc(tasks.id))
    .values() as unknown[][];
  if (rows.length === 0) return [];
  const byTask = assigneesByTask(db, eq(tasks.planId, planId));
  return rows.map((values) => {
    const task = decodeAnnounced(values);
    return Object.assign(task, { assignees: byTask.get(task.id) ?? [] });
  });
}

/** Asked for every task event (all of a plan's tasks when it is approved), so prepared. */
export function planStatus(db: Db, planId: string): string | undefined {
  return prepared(db, 'webhookPlanStatus', (db) => db.select({ status: plans.status }).from(plans).where(eq(plans.id, sql.placeholder('planId'))).prepare()).get({
    planId,
  })?.status;
}

/** The organizations executing at least one task of the plan, each once: those a plan's events concern. */
export function planAssignees(db: Db, planId: string): { organizationId: string }[] {
  return db
    .selectDistinct({ organizationId: taskAssignees.organizationId })
    .from(taskAssignees)
    .innerJoin(tasks, eq(tasks.id, taskAssignees.taskId))
    .where(eq(tasks.planId, planId))
    .orderBy(asc(taskAssignees.organizationId))
    .all();
}

/** How many tasks of the plan are in each status, every status named (0 for none). */
export function taskCountsByStatus(db: Db, planId: string): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  const rows = db
    .select({ status: tasks.status, n: sql<number>`count(*)` })
    .from(tasks)
    .where(eq(tasks.planId, planId))
    .groupBy(tasks.status)
    .all();
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

/** The deadline change a due-date move at `at` carried out: applied directly or approved then. */
export function deadlineChangeDecidedAt(db: Db, taskId: string, at: string) {
  return db
    .select()
    .from(deadlineChanges)
    .where(and(eq(deadlineChanges.taskId, taskId), eq(deadlineChanges.decidedAt, at), inArray(deadlineChanges.status, ['applied', 'approved'])))
    .orderBy(desc(deadlineChanges.id))
    .get();
}

/**
 * Open tasks of approved plans due before "today" of their commission: the overdue ones, by id; with `ids`, only
 * those of these tasks that still are (a scan goes through tens of thousands a slice at a time).
 */
export function overdueTaskIds(
  db: Db,
  todayByCommission: { commissionId: string; today: string }[],
  ids: string[] | null = null,
): { id: string; commissionId: string }[] {
  if (todayByCommission.length === 0 || ids?.length === 0) return [];
  return db
    .select({ id: tasks.id, commissionId: plans.commissionId })
    .from(tasks)
    .innerJoin(plans, eq(plans.id, tasks.planId))
    .where(
      and(
        eq(plans.status, 'approved'),
        notInArray(tasks.status, [...OUT_OF_CONTROL_STATUSES]),
        or(...todayByCommission.map((c) => and(eq(plans.commissionId, c.commissionId), lt(tasks.dueDate, c.today)))),
        ids === null ? undefined : inJsonArray(tasks.id, ids),
      ),
    )
    .orderBy(asc(tasks.id))
    .all();
}

/**
 * The overdue tasks (overdueTaskIds) among the next `walk` tasks after the id `after` ('' for the first), by id, and
 * the last id walked: where the next page starts, null once the last task was walked. A page walks `walk` tasks
 * whatever how many are overdue (the bound found in the id's index, then that range read): what one turn of the
 * overdue scan holds the event loop for. The due date is checked, not sought: by the due index SQLite read every
 * overdue task and sorted them for each page.
 */
export function overduePage(
  db: Db,
  todayByCommission: { commissionId: string; today: string }[],
  after: string,
  walk: number,
): { overdue: { id: string; commissionId: string }[]; last: string | null } {
  const last =
    db
      .select({ id: tasks.id })
      .from(tasks)
      .where(gt(tasks.id, after))
      .orderBy(asc(tasks.id))
      .limit(1)
      .offset(Math.max(1, walk) - 1)
      .get()?.id ?? null;
  if (todayByCommission.length === 0) return { overdue: [], last };
  const overdue = db
    .select({ id: tasks.id, commissionId: plans.commissionId })
    .from(tasks)
    // The plan too is only checked: by it SQLite walked every task of each plan for every page.
    .innerJoin(plans, eq(plans.id, sql`(${tasks.planId} || '')`))
    .where(
      and(
        gt(tasks.id, after),
        last === null ? undefined : lte(tasks.id, last),
        eq(plans.status, 'approved'),
        notInArray(tasks.status, [...OUT_OF_CONTROL_STATUSES]),
        or(...todayByCommission.map((c) => and(eq(plans.commissionId, c.commissionId), lt(sql`(${tasks.dueDate} || '')`, c.today)))),
      ),
    )
    .orderBy(asc(tasks.id))
    .all();
  return { overdue, last };
}

/** The organizations executing each of these tasks (one statement: a JSON array of ids). */
export function assigneeOrganizationsOf(db: Db, taskIds: string[]): Map<string, string[]> {
  const byTask = new Map<string, string[]>();
  if (taskIds.length === 0) return byTask;
  const rows = db
    .select({ taskId: taskAssignees.taskId, organizationId: taskAssignees.organizationId })
    .from(taskAssignees)
    .where(inJsonArray(taskAssignees.taskId, taskIds))
    .all();
  for (const r of rows) {
    const list = byTask.get(r.taskId);
    if (list) list.push(r.organizationId);
    else byTask.set(r.taskId, [r.organizationId]);
  }
  return byTask;
}
