// Domain rules of deadline changes: never silent, one pending request at a time (until decided or withdrawn), postponements counted.
import { writeTransaction, type Db } from '../../db/connection.js';
import { AppError, ERRORS, notFound } from '../../errors.js';
import { taskPartyOf } from '../../lib/access.js';
import { dateInZone } from '../../lib/dates.js';
import { newId } from '../../lib/ids.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { recordChange } from '../history/history.recorder.js';
import { findPlanRecord } from '../plans/plans.repository.js';
import { OUT_OF_CONTROL_STATUSES } from '../tasks/task-timeliness.js';
import { findTaskRecord, updateTask, type TaskRecord } from '../tasks/tasks.repository.js';
import { presentTask } from '../tasks/tasks.service.js';
import * as repo from './deadline-changes.repository.js';
import type { CreateDeadlineChange, DeadlineChange, DeadlineDecision, DeadlineWithdrawal } from './deadline-changes.schemas.js';

/** The task, if its plan is in force: deadline changes are asked for and decided only in an approved plan. */
function taskInForce(tx: Db, taskId: string): TaskRecord {
  const task = findTaskRecord(tx, taskId);
  if (!task) throw notFound('task', taskId);
  const plan = findPlanRecord(tx, task.planId);
  if (plan?.status !== 'approved') {
    throw new AppError(ERRORS.planStateConflict, `deadlines change through requests only in an approved plan; this plan is ${plan?.status}`);
  }
  return task;
}

/** The task, if its deadline may still move: approved plan, task neither closed nor cancelled. */
function movableTask(tx: Db, taskId: string): TaskRecord {
  const task = taskInForce(tx, taskId);
  if (OUT_OF_CONTROL_STATUSES.includes(task.status)) {
    throw new AppError(ERRORS.taskStateConflict, `the task is ${task.status}: its deadline no longer moves`);
  }
  return task;
}

/**
 * Refuses a request for a new deadline on a task its executors reported done: the deadline has been met or missed,
 * and a later one asked now would only turn a late completion into one on time when the task is closed. The
 * secretariat sends the task back first if the work goes on. A request asked before the task was reported done may
 * still be approved: it was asked in time.
 */
function refuseReportedDone(task: TaskRecord): void {
  if (task.status === 'done') {
    throw new AppError(
      ERRORS.taskStateConflict,
      'the task was reported done: its deadline is no longer moved at request (completion is judged against it); send the task back to in_progress first if the work goes on',
    );
  }
}

/** Moves the task's deadline; a later date counts as one more postponement. Returns the task as it now stands. */
function moveDueDate(tx: Db, task: TaskRecord, newDueDate: string, now: Date): TaskRecord {
  updateTask(tx, task.id, {
    dueDate: newDueDate,
    postponementCount: task.postponementCount + (newDueDate > task.dueDate ? 1 : 0),
    updatedAt: now.toISOString(),
  });
  return findTaskRecord(tx, task.id) as TaskRecord;
}

/** Records the move of the task's deadline in its history, under the operation that caused it. */
function recordDueDateMove(tx: Db, ctx: WriteContext, before: TaskRecord, after: TaskRecord, now: Date, operation: string): void {
  recordChange(tx, ctx.actor, now.toISOString(), {
    operation,
    entity: 'task',
    entityId: before.id,
    planId: before.planId,
    taskId: before.id,
    before: presentTask(before, now),
    after: presentTask(after, now),
  });
}

/** Records a write of a deadline change in the history of its task and plan. */
function recordDeadlineChange(tx: Db, ctx: WriteContext, at: string, operation: string, task: TaskRecord, before: DeadlineChange | null, after: DeadlineChange) {
  recordChange(tx, ctx.actor, at, { operation, entity: 'deadline_change', entityId: after.id, planId: task.planId, taskId: task.id, before, after });
}

export function createDeadlineChangeService({ db, clock }: ServiceDeps) {
  return {
    list(taskId: string, page: { limit: number; cursor?: string | undefined }) {
      if (!findTaskRecord(db, taskId)) throw notFound('task', taskId);
      return repo.listDeadlineChanges(db, taskId, page);
    },

    get(taskId: string, changeId: string): DeadlineChange {
      const change = repo.findDeadlineChange(db, taskId, changeId);
      if (!change) throw notFound('deadline change', changeId);
      return change;
    },

    /** A request, or a direct change (the secretariat's only: POLICY refuses it to others before this runs). */
    create(taskId: string, input: CreateDeadlineChange, ctx: WriteContext): DeadlineChange {
      const { actor } = ctx;
      const now = clock();
      const at = now.toISOString();
      return writeTransaction(db, (tx) => {
        const current = findTaskRecord(tx, taskId);
        if (current) ctx.expect?.(presentTask(current, now));
        const task = movableTask(tx, taskId);
        if (input.kind === 'request' && taskPartyOf(actor, task.assignees) === null) {
          throw new AppError(ERRORS.forbidden, "only the task's executors or the secretariat may ask for a new deadline");
        }
        if (input.kind === 'request') refuseReportedDone(task);
        const pending = repo.findPendingRequest(tx, taskId);
        if (pending) {
          throw new AppError(
            ERRORS.deadlineChangeConflict,
            `request ${pending.id} for ${pending.newDueDate} is still pending: it is decided first, or withdrawn by the organization that asked for it or the secretariat`,
          );
        }
        // A request looks ahead; recording a date already past is the secretariat's direct change.
        if (input.kind === 'request' && input.newDueDate < dateInZone(clock(), task.timeZone)) {
          throw new AppError(ERRORS.invalidValue, `a request cannot ask for a date already past (${input.newDueDate})`, [
            { path: 'body.newDueDate', message: 'before today in the commission\'s time zone' },
          ]);
        }
        if (input.newDueDate === task.dueDate) {
          throw new AppError(ERRORS.invalidValue, `the task is already due on ${task.dueDate}`, [
            { path: 'body.newDueDate', message: 'equals the current due date' },
          ]);
        }
        const direct = input.kind === 'direct';
        const change: DeadlineChange = {
          id: newId(),
          taskId,
          kind: input.kind,
          status: direct ? 'applied' : 'pending',
          oldDueDate: task.dueDate,
          newDueDate: input.newDueDate,
          daysMoved: 0,
          reason: input.reason,
          requestedBy: { keyId: actor.keyId, role: actor.role, organizationId: actor.organizationId },
          requestedAt: at,
          decidedBy: direct ? { keyId: actor.keyId, role: actor.role } : null,
          decidedAt: direct ? at : null,
          decisionBasis: direct ? (input.basis ?? null) : null,
          decisionComment: null,
          withdrawnBy: null,
          withdrawnAt: null,
          withdrawalComment: null,
        };
        repo.insertDeadlineChange(tx, change);
        const created = repo.findDeadlineChange(tx, taskId, change.id) as DeadlineChange;
        recordDeadlineChange(tx, ctx, at, 'createDeadlineChange', task, null, created);
        if (direct) recordDueDateMove(tx, ctx, task, moveDueDate(tx, task, input.newDueDate, now), now, 'createDeadlineChange');
        return created;
      });
    },

    decide(taskId: string, changeId: string, decision: DeadlineDecision, ctx: WriteContext): DeadlineChange {
      const { actor } = ctx;
      const now = clock();
      const at = now.toISOString();
      return writeTransaction(db, (tx) => {
        const change = repo.findDeadlineChange(tx, taskId, changeId);
        if (!change) throw notFound('deadline change', changeId);
        ctx.expect?.(change);
        if (change.status !== 'pending') {
          throw new AppError(ERRORS.deadlineChangeConflict, `the change is already ${change.status}`);
        }
        const approve = decision.decision === 'approve';
        // Rejecting only needs the plan in force; approving also needs a task whose deadline still moves.
        const task = approve ? movableTask(tx, taskId) : taskInForce(tx, taskId);
        const decided: DeadlineChange = {
          ...change,
          status: approve ? 'approved' : 'rejected',
          decidedBy: { keyId: actor.keyId, role: actor.role },
          decidedAt: at,
          decisionBasis: decision.basis,
          decisionComment: decision.comment ?? null,
        };
        repo.saveDecision(tx, decided);
        // The date moves before the decision is recorded, so that the deadline_change.decided event raised with it
        // shows the task as it stands after this write (as task.deadline_changed does); the history keeps the decision
        // first, then the task's move.
        const moved = approve ? moveDueDate(tx, task, change.newDueDate, now) : null;
        const after = repo.findDeadlineChange(tx, taskId, changeId) as DeadlineChange;
        recordDeadlineChange(tx, ctx, at, 'decideDeadlineChange', task, change, after);
        if (moved) recordDueDateMove(tx, ctx, task, moved, now, 'decideDeadlineChange');
        return after;
      });
    },

    /**
     * Takes a pending request back: asked by mistake, or no longer needed. POLICY lets only the secretariat and a key of
     * the organization that asked reach this. No decision is made, so decidedBy stays null and nothing moves (the task,
     * its postponements and the reports are as if it had not been asked); the task may take a new request at once.
     */
    withdraw(taskId: string, changeId: string, withdrawal: DeadlineWithdrawal, ctx: WriteContext): DeadlineChange {
      const { actor } = ctx;
      const at = clock().toISOString();
      return writeTransaction(db, (tx) => {
        const change = repo.findDeadlineChange(tx, taskId, changeId);
        if (!change) throw notFound('deadline change', changeId);
        ctx.expect?.(change);
        if (change.status !== 'pending') {
          const what = change.kind === 'direct' ? 'a direct change, applied when it was made' : `already ${change.status}`;
          throw new AppError(ERRORS.deadlineChangeConflict, `the change is ${what}: only a pending request can be withdrawn`);
        }
        // Like a rejection, a withdrawal moves nothing: it only needs the plan in force (a closed plan is read-only).
        const task = taskInForce(tx, taskId);
        const withdrawn: DeadlineChange = {
          ...change,
          status: 'withdrawn',
          withdrawnBy: { keyId: actor.keyId, role: actor.role, organizationId: actor.organizationId },
          withdrawnAt: at,
          withdrawalComment: withdrawal.comment ?? null,
        };
        repo.saveDecision(tx, withdrawn);
        const after = repo.findDeadlineChange(tx, taskId, changeId) as DeadlineChange;
        recordDeadlineChange(tx, ctx, at, 'withdrawDeadlineChange', task, change, after);
        return after;
      });
    },
  };
}
