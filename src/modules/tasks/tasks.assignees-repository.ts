// Drizzle queries on a task's assignees: read with their organizations for the tasks presented, for a whole plan, and written.
import { and, asc, desc, eq, not, sql, type SQL } from 'drizzle-orm';
import { type Db, inJsonArray, prepared, rowDecoder } from '../../db/connection.js';
import type { AssigneeRole } from '../../db/enums.js';
import { organizations, taskAssignees, tasks } from '../../db/schema.js';

export interface AssigneeRecord {
  organizationId: string;
  role: AssigneeRole;
  name: string;
  shortName: string | null;
  country: string;
}

/** An assignee with when its organization was last updated, which its name, short name and country are as of. */
export interface DatedAssigneeRecord extends AssigneeRecord {
  organizationUpdatedAt: string;
}

/** In the order of the report's executors (ReportTaskSchema), which are these records, written natively. */
const assigneeColumns = {
  taskId: taskAssignees.taskId,
  organizationId: taskAssignees.organizationId,
  name: organizations.name,
  shortName: organizations.shortName,
  country: organizations.country,
  role: taskAssignees.role,
};
/** Text columns all: an array row becomes the record by position. */
const decodeAssignee = rowDecoder<AssigneeRecord & { taskId: string }>(assigneeColumns);
/** Leads first ('lead' sorts after 'co_executor'), then in the order given. */
const assigneeOrder = [asc(taskAssignees.taskId), desc(taskAssignees.role), asc(taskAssignees.position)];

function groupByTask(rows: (AssigneeRecord & { taskId: string })[]): Map<string, AssigneeRecord[]> {
  const byTask = new Map<string, AssigneeRecord[]>();
  for (const { taskId, ...a } of rows) {
    const list = byTask.get(taskId);
    if (list) list.push(a);
    else byTask.set(taskId, [a]);
  }
  return byTask;
}

/**
 * The assignees, with their organization, of the tasks `where` selects (tasks and task_assignees are
 * joined), grouped by task in the order of assigneeOrder. The report and the calendar read them so, in one query.
 * Each carries its organization's updatedAt: a calendar event shows the name, and is revised when it changes.
 * A whole plan is 200,000 assignments: they are read without their organizations and unsorted (the join and
 * SQLite's sort doubled the time), then completed from one read of the organizations and ordered per task.
 */
export function assigneesByTask(db: Db, where: SQL | undefined): Map<string, DatedAssigneeRecord[]> {
  const rows = db
    .select({ taskId: taskAssignees.taskId, organizationId: taskAssignees.organizationId, role: taskAssignees.role, position: taskAssignees.position })
    .from(taskAssignees)
    .innerJoin(tasks, eq(tasks.id, taskAssignees.taskId))
    .where(where)
    .values() as AssigneeTuple[];
  const organizationById = new Map<string, OrganizationNames>();
  if (rows.length > 0) {
    for (const [id, name, shortName, country, organizationUpdatedAt] of db
      .select({
        id: organizations.id,
        name: organizations.name,
        shortName: organizations.shortName,
        country: organizations.country,
        updatedAt: organizations.updatedAt,
      })
      .from(organizations)
      .values() as [string, string, string | null, string, string][]) {
      organizationById.set(id, { name, shortName, country, organizationUpdatedAt });
    }
  }
  const byTask = new Map<string, AssigneeTuple[]>();
  for (const row of rows) {
    const list = byTask.get(row[0]);
    if (list) list.push(row);
    else byTask.set(row[0], [row]);
  }
  const ordered = new Map<string, DatedAssigneeRecord[]>();
  for (const [taskId, list] of byTask) {
    if (list.length > 1) list.sort(byAssigneeOrder);
    ordered.set(
      taskId,
      list.map(([, organizationId, role]) => {
        const { name, shortName, country, organizationUpdatedAt } = organizationById.get(organizationId) as OrganizationNames;
        return { organizationId, name, shortName, country, role, organizationUpdatedAt };
      }),
    );
  }
  return ordered;
}

/** What assigneesByTask reads of an organization. */
type OrganizationNames = Pick<DatedAssigneeRecord, 'name' | 'shortName' | 'country' | 'organizationUpdatedAt'>;

type AssigneeTuple = [taskId: string, organizationId: string, role: AssigneeRole, position: number];

/** assigneeOrder within one task: leads first ('lead' sorts after 'co_executor'), then by position. */
function byAssigneeOrder([, , roleA, positionA]: AssigneeTuple, [, , roleB, positionB]: AssigneeTuple): number {
  return roleA === roleB ? positionA - positionB : roleA < roleB ? 1 : -1;
}

/** The assignees of the tasks with these ids: one prepared statement for one task, one for any number (a JSON array). */
export function assigneesOfTasks(db: Db, ids: string[]): Map<string, AssigneeRecord[]> {
  const select = (db: Db, where: SQL) =>
    db
      .select(assigneeColumns)
      .from(taskAssignees)
      .innerJoin(organizations, eq(organizations.id, taskAssignees.organizationId))
      .where(where)
      .orderBy(...assigneeOrder)
      .prepare();
  if (ids.length === 1) {
    const one = prepared(db, 'assigneesOfTask', (db) => select(db, eq(taskAssignees.taskId, sql.placeholder('id'))));
    return groupByTask(one.all({ id: ids[0] }));
  }
  const many = prepared(db, 'assigneesOfTasks', (db) =>
    select(db, inJsonArray(taskAssignees.taskId, sql.placeholder('ids'))),
  );
  return groupByTask(many.all({ ids: JSON.stringify(ids) }));
}

/**
 * Makes these the task's assignees, in this order. An organization that stays keeps its assignedAt, whatever its new
 * role or position (an upsert on the key, not a delete and insert); a new one, or one put back, is assigned `at`.
 */
export function replaceAssignees(db: Db, taskId: string, assignees: { organizationId: string; role: AssigneeRole }[], at: string): void {
  // Prepared once, whatever the number of assignees (the kept ones as one JSON array, the others one upsert each): an
  // import of 2,000 tasks had both statements built and prepared for every task.
  const removeOthers = prepared(db, 'removeOtherAssignees', (db) =>
    db
      .delete(taskAssignees)
      .where(and(eq(taskAssignees.taskId, sql.placeholder('taskId')), not(inJsonArray(taskAssignees.organizationId, sql.placeholder('kept')))))
      .prepare(),
  );
  removeOthers.run({ taskId, kept: JSON.stringify(assignees.map((a) => a.organizationId)) });
  const upsert = prepared(db, 'upsertAssignee', (db) =>
    db
      .insert(taskAssignees)
      .values({
        taskId: sql.placeholder('taskId'),
        organizationId: sql.placeholder('organizationId'),
        role: sql.placeholder('role'),
        position: sql.placeholder('position'),
        assignedAt: sql.placeholder('assignedAt'),
      })
      .onConflictDoUpdate({
        target: [taskAssignees.taskId, taskAssignees.organizationId],
        set: { role: sql`excluded.role`, position: sql`excluded.position` },
      })
      .prepare(),
  );
  assignees.forEach((a, position) => upsert.run({ taskId, organizationId: a.organizationId, role: a.role, position, assignedAt: at }));
}

/** The organizations executing a task, or null when there is no such task. */
export function assigneeOrganizationIds(db: Db, taskId: string): string[] | null {
  if (db.select({ id: tasks.id }).from(tasks).where(eq(tasks.id, taskId)).get() === undefined) return null;
  return db
    .select({ organizationId: taskAssignees.organizationId })
    .from(taskAssignees)
    .where(eq(taskAssignees.taskId, taskId))
    .all()
    .map((a) => a.organizationId);
}
