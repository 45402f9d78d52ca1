// What an import reads from the database, through the owning modules' repositories: the plan's tasks,
// the organizations executors are matched against, the commission's meetings a basis can cite, and the deadline
// requests waiting on its tasks.
import type { Db } from '../../db/connection.js';
import { findPendingRequest } from '../deadline-changes/deadline-changes.repository.js';
import type { DeadlineChange } from '../deadline-changes/deadline-changes.schemas.js';
import type { Page } from '../../lib/pagination.js';
import { listMeetings } from '../meetings/meetings.repository.js';
import type { Meeting } from '../meetings/meetings.schemas.js';
import { listOrganizations } from '../organizations/organizations.repository.js';
import type { Organization } from '../organizations/organizations.schemas.js';
import { findTaskRecordsByCode, type TaskRecord } from '../tasks/tasks.repository.js';

const PAGE = 200;

function everyPage<T>(page: (cursor: string | undefined) => Page<T>): T[] {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const p = page(cursor);
    items.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

/**
 * The tasks of the plan that have these codes (those the file names), with their assignees, in no particular order.
 * Not the whole plan: reading 100,000 tasks with their assignees held the service for seconds on every preview.
 */
export function tasksNamedInFile(db: Db, planId: string, codes: string[]): TaskRecord[] {
  return findTaskRecordsByCode(db, planId, codes);
}

/** The codes of every task of the plan, in code order. */
export { taskCodesOfPlan } from '../tasks/tasks.repository.js';

/** Every organization: executors are matched by name, and one of a non-party country is named as such. */
export function allOrganizations(db: Db): Organization[] {
  return everyPage((cursor) => listOrganizations(db, { limit: PAGE, cursor }));
}

export function meetingsOfCommission(db: Db, commissionId: string): Meeting[] {
  return everyPage((cursor) => listMeetings(db, { commissionId, limit: PAGE, cursor }));
}

/** The deadline request waiting on a task, if any. */
export function pendingDeadlineRequest(db: Db, taskId: string): DeadlineChange | undefined {
  return findPendingRequest(db, taskId);
}
