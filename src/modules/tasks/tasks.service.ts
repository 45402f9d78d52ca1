// Domain rules of tasks: references, assignees of the commission's parties, plan states, status machine.
import { writeTransaction, type Db } from '../../db/connection.js';
import { AppError, ERRORS, notFound, unknownReference } from '../../errors.js';
import { taskPartyOf } from '../../lib/access.js';
import { dateInZone } from '../../lib/dates.js';
import { newId } from '../../lib/ids.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { findPendingRequest } from '../deadline-changes/deadline-changes.repository.js';
import { diffFields, recordChange, type Change } from '../history/history.recorder.js';
import { indicatorsOfTask } from '../indicators/indicators.repository.js';
import { presentIndicator } from '../indicators/indicators.service.js';
import { findCommission } from '../commissions/commissions.repository.js';
import { findMeeting } from '../meetings/meetings.repository.js';
import { findOrganizationsByIds } from '../organizations/organizations.repository.js';
import { findPlanRecord, type PlanRecord } from '../plans/plans.repository.js';
import { codeSortKey } from './task-codes.js';
import { authorizeTransition } from './task-status.js';
import { completionOf, judgementDay, overdueState } from './task-timeliness.js';
import * as assigneesRepo from './tasks.assignees-repository.js';
import * as listRepo from './tasks.list-repository.js';
import * as repo from './tasks.repository.js';
import type { CreateTask, ListTasksQuery, Task, TransitionRequest, UpdateTask } from './tasks.schemas.js';
import * as transitionsRepo from './tasks.transitions-repository.js';

export { codeSortKey } from './task-codes.js';

/** Text as the free-text search compares it: in lower case, and "ё" read as "е", as Russian is mostly typed. */
export function foldedForSearch(text: string): string {
  return text.toLowerCase().replace(/ё/g, 'е');
}

export function searchTextOf(t: Pick<repo.TaskRow, 'code' | 'title' | 'description' | 'translations'>): string {
  const translated = Object.values(t.translations ?? {}).flatMap((tr) => [tr?.title, tr?.description]);
  return foldedForSearch([t.code, t.title, t.description, ...translated].filter(Boolean).join('\n'));
}

export function presentTask(r: repo.TaskRecord, now: Date): Task {
  const today = dateInZone(now, r.timeZone);
  return {
    id: r.id,
    planId: r.planId,
    commissionId: r.commissionId,
    code: r.code,
    title: r.title,
    description: r.description,
    area: r.area,
    formOfCompletion: r.formOfCompletion,
    expectedResult: r.expectedResult,
    basis: r.basisMeetingId ? { meetingId: r.basisMeetingId, protocolItem: r.basisProtocolItem } : null,
    translations: r.translations,
    dueDate: r.dueDate,
    originalDueDate: r.originalDueDate,
    postponementCount: r.postponementCount,
    status: r.status,
    statusChangedAt: r.statusChangedAt,
    completedAt: r.completedAt,
    closedAt: r.closedAt,
    ...overdueState(r.dueDate, r.status, judgementDay(today, r.planClosedAt, r.timeZone)),
    completion: completionOf(r, r.timeZone),
    assignees: r.assignees,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/**
 * An organization is not taken off a task while a deadline request of its own waits there: a task has one pending
 * request at a time, so it would lock the remaining executors out, and be decided for an organization that no longer
 * executes the task. The secretariat decides it first (rejecting it says why).
 */
function refuseRemovingRequester(tx: Db, taskId: string, assignees: UpdateTask['assignees'] & {}): void {
  const pending = findPendingRequest(tx, taskId);
  const requester = pending?.requestedBy.organizationId;
  if (!pending || !requester || assignees.some((a) => a.organizationId === requester)) return;
  throw new AppError(
    ERRORS.taskStateConflict,
    `organization ${requester} has a deadline request pending on this task (${pending.id}, to ${pending.newDueDate}); decide it ` +
      `(POST /v1/tasks/${taskId}/deadline-changes/${pending.id}/decision), or withdraw it (…/withdrawal), before taking the organization off the task`,
    [{ path: 'body.assignees', message: `leaves out ${requester}, whose deadline request is pending` }],
  );
}

/**
 * Whether a patch would leave the task as it is presented: each field it gives has its current value, and the
 * assignees it gives are the current ones in the order the task lists them (leads first, then in the order given).
 */
function changesNothing(before: Task, patch: UpdateTask): boolean {
  const { assignees, basis, ...fields } = patch;
  const presentedBasis = basis === undefined ? {} : { basis: basis && { meetingId: basis.meetingId, protocolItem: basis.protocolItem ?? null } };
  if (diffFields(before, { ...before, ...fields, ...presentedBasis }).length > 0) return false;
  if (assignees === undefined) return true;
  const listed = [...assignees.filter((a) => a.role === 'lead'), ...assignees.filter((a) => a.role !== 'lead')];
  return (
    listed.length === before.assignees.length &&
    listed.every((a, i) => a.organizationId === before.assignees[i]?.organizationId && a.role === before.assignees[i]?.role)
  );
}

function planFor(tx: Db, planId: string, field: string | null): PlanRecord {
  const plan = findPlanRecord(tx, planId);
  if (!plan) throw field ? unknownReference(field, 'plan', planId) : notFound('plan', planId);
  return plan;
}

function refuseClosedPlan(plan: PlanRecord): void {
  if (plan.status === 'closed') {
    throw new AppError(ERRORS.planStateConflict, 'the plan is closed: its tasks can no longer change');
  }
}

/** The meeting must exist and belong to the plan's commission. */
function checkBasis(tx: Db, plan: PlanRecord, basis: CreateTask['basis'] | null | undefined): void {
  if (!basis) return;
  const meeting = findMeeting(tx, basis.meetingId);
  if (!meeting) throw unknownReference('body.basis.meetingId', 'meeting', basis.meetingId);
  if (meeting.commissionId !== plan.commissionId) {
    throw new AppError(ERRORS.invalidValue, 'the basis meeting belongs to another commission', [
      { path: 'body.basis.meetingId', message: "not a meeting of the plan's commission" },
    ]);
  }
}

/** Every assignee must exist and be of one of the commission's two party countries. */
function checkAssignees(tx: Db, plan: PlanRecord, assignees: CreateTask['assignees']): void {
  const found = new Map(findOrganizationsByIds(tx, assignees.map((a) => a.organizationId)).map((o) => [o.id, o]));
  const parties = findCommission(tx, plan.commissionId)?.parties.map((p) => p.country) ?? [];
  assignees.forEach((a, i) => {
    const path = `body.assignees.${i}.organizationId`;
    const org = found.get(a.organizationId);
    if (!org) throw unknownReference(path, 'organization', a.organizationId);
    if (!parties.includes(org.country)) {
      throw new AppError(ERRORS.invalidAssignees, `${org.name} (${org.country}) is not of a party of the commission (${parties.join(', ')})`, [
        { path, message: `country ${org.country} is not a party of the commission` },
      ]);
    }
  });
}

function refuseTakenCode(tx: Db, planId: string, code: string, exceptTaskId?: string): void {
  if (repo.isCodeTaken(tx, planId, code, exceptTaskId)) {
    throw new AppError(ERRORS.duplicateTaskCode, `the plan already has a task ${JSON.stringify(code)}`, [
      { path: 'body.code', message: 'already used in this plan' },
    ]);
  }
}

/** The row of a new task: not started, its deadline also its original one. Used by creation and import. */
export function newTaskRow(id: string, planId: string, input: CreateTask, at: string): repo.TaskRow {
  const row: repo.TaskRow = {
    id,
    planId,
    code: input.code,
    codeSortKey: codeSortKey(input.code),
    title: input.title,
    description: input.description ?? null,
    area: input.area,
    formOfCompletion: input.formOfCompletion ?? null,
    expectedResult: input.expectedResult ?? null,
    basisMeetingId: input.basis?.meetingId ?? null,
    basisProtocolItem: input.basis?.protocolItem ?? null,
    translations: input.translations ?? {},
    searchText: '',
    dueDate: input.dueDate,
    originalDueDate: input.dueDate,
    postponementCount: 0,
    status: 'not_started',
    statusChangedAt: at,
    completedAt: null,
    closedAt: null,
    createdAt: at,
    updatedAt: at,
  };
  row.searchText = searchTextOf(row);
  return row;
}

export function createTaskService({ db, clock }: ServiceDeps) {
  const load = (tx: Db, id: string): repo.TaskRecord => {
    const record = repo.findTaskRecord(tx, id);
    if (!record) throw notFound('task', id);
    return record;
  };

  /** Records a write of the task, given its representation before (null: created) and after (null: deleted). */
  const record = (tx: Db, ctx: WriteContext, at: string, operation: string, planId: string, id: string, before: Task | null, after: Task | null) => {
    const change: Change = { operation, entity: 'task', entityId: id, planId, taskId: id, before, after };
    recordChange(tx, ctx.actor, at, change);
  };

  return {
    list(query: ListTasksQuery) {
      const now = clock();
      const todayByCommission =
        query.overdue === undefined
          ? []
          : listRepo.commissionZones(db).map((c) => ({ commissionId: c.commissionId, today: dateInZone(now, c.timeZone) }));
      // The filter judges a closed plan's tasks as presentTask does: as of the day it was closed.
      const closedPlans =
        query.overdue === undefined
          ? []
          : listRepo.closedPlanZones(db).map((c) => ({ planId: c.planId, judgedOn: judgementDay(dateInZone(now, c.timeZone), c.closedAt, c.timeZone) }));
      const page = listRepo.listTaskRecords(
        db,
        { ...query, search: query.q === undefined ? undefined : foldedForSearch(query.q), todayByCommission, closedPlans },
        { limit: query.limit, cursor: query.cursor },
      );
      return { items: page.items.map((r) => presentTask(r, now)), nextCursor: page.nextCursor };
    },

    get(id: string): Task {
      return presentTask(load(db, id), clock());
    },

    create(input: CreateTask, ctx: WriteContext): Task {
      const now = clock();
      const id = newId();
      return writeTransaction(db, (tx) => {
        const plan = planFor(tx, input.planId, 'body.planId');
        refuseClosedPlan(plan);
        refuseTakenCode(tx, plan.id, input.code);
        checkBasis(tx, plan, input.basis);
        checkAssignees(tx, plan, input.assignees);
        const at = now.toISOString();
        const row = newTaskRow(id, plan.id, input, at);
        repo.insertTask(tx, row);
        assigneesRepo.replaceAssignees(tx, id, input.assignees, at);
        const created = presentTask(load(tx, id), now);
        record(tx, ctx, at, 'createTask', plan.id, id, null, created);
        return created;
      });
    },

    update(id: string, patch: UpdateTask, ctx: WriteContext): Task {
      const now = clock();
      return writeTransaction(db, (tx) => {
        const current = load(tx, id);
        const before = presentTask(current, now);
        ctx.expect?.(before);
        const plan = planFor(tx, current.planId, null);
        refuseClosedPlan(plan);
        if (patch.dueDate !== undefined && patch.dueDate !== current.dueDate && plan.status !== 'draft') {
          throw new AppError(
            ERRORS.planStateConflict,
            'the plan is approved: deadlines change through POST /v1/tasks/{id}/deadline-changes, with a reason',
            [{ path: 'body.dueDate', message: 'not editable once the plan is approved' }],
          );
        }
        if (patch.code !== undefined) refuseTakenCode(tx, plan.id, patch.code, id);
        if (patch.basis) checkBasis(tx, plan, patch.basis);
        if (patch.assignees) {
          checkAssignees(tx, plan, patch.assignees);
          refuseRemovingRequester(tx, id, patch.assignees);
        }
        // The same values again (a plan synchronised as a whole, a form saved unchanged) are no change: updatedAt and
        // the ETag clients hold stay, as the history, which records no entry for it, says.
        if (changesNothing(before, patch)) return before;
        const { assignees, basis, ...fields } = patch;
        const next = { ...current, ...fields };
        repo.updateTask(tx, id, {
          ...fields,
          ...(patch.code !== undefined ? { codeSortKey: codeSortKey(patch.code) } : {}),
          // In a draft the deadline is still being set, so it is also the original one.
          ...(patch.dueDate !== undefined && plan.status === 'draft' ? { originalDueDate: patch.dueDate } : {}),
          ...(basis !== undefined ? { basisMeetingId: basis?.meetingId ?? null, basisProtocolItem: basis?.protocolItem ?? null } : {}),
          searchText: searchTextOf(next),
          updatedAt: now.toISOString(),
        });
        if (assignees) assigneesRepo.replaceAssignees(tx, id, assignees, now.toISOString());
        const after = presentTask(load(tx, id), now);
        record(tx, ctx, now.toISOString(), 'updateTask', plan.id, id, before, after);
        return after;
      });
    },

    remove(id: string, ctx: WriteContext): void {
      const now = clock();
      writeTransaction(db, (tx) => {
        const current = load(tx, id);
        const before = presentTask(current, now);
        ctx.expect?.(before);
        const plan = planFor(tx, current.planId, null);
        if (plan.status !== 'draft') {
          throw new AppError(ERRORS.planStateConflict, `the plan is ${plan.status}: its tasks are never deleted, only cancelled`);
        }
        // The task's indicators go with it (ON DELETE CASCADE): each deletion is recorded too.
        for (const indicator of indicatorsOfTask(tx, id)) {
          recordChange(tx, ctx.actor, now.toISOString(), {
            operation: 'deleteTask',
            entity: 'indicator',
            entityId: indicator.id,
            planId: plan.id,
            taskId: id,
            before: presentIndicator(indicator, now),
            after: null,
          });
        }
        repo.deleteTask(tx, id);
        record(tx, ctx, now.toISOString(), 'deleteTask', plan.id, id, before, null);
      });
    },

    transition(id: string, request: TransitionRequest, ctx: WriteContext): Task {
      const { actor } = ctx;
      const now = clock();
      return writeTransaction(db, (tx) => {
        const current = load(tx, id);
        const before = presentTask(current, now);
        ctx.expect?.(before);
        const plan = planFor(tx, current.planId, null);
        if (plan.status !== 'approved') {
          throw new AppError(ERRORS.planStateConflict, `tasks move only in an approved plan; this plan is ${plan.status}`);
        }
        authorizeTransition(current.status, request.to, taskPartyOf(actor, current.assignees));
        const at = now.toISOString();
        repo.updateTask(tx, id, {
          status: request.to,
          statusChangedAt: at,
          updatedAt: at,
          // Back in progress (sent back, reopened), a task is no longer reported done.
          ...(request.to === 'done' ? { completedAt: at } : request.to === 'in_progress' ? { completedAt: null } : {}),
          closedAt: request.to === 'closed' ? at : null,
        });
        transitionsRepo.insertStatusChange(tx, {
          id: newId(),
          taskId: id,
          from: current.status,
          to: request.to,
          comment: request.comment ?? null,
          actor: { keyId: actor.keyId, role: actor.role, organizationId: actor.organizationId },
          changedAt: at,
        });
        const after = presentTask(load(tx, id), now);
        record(tx, ctx, at, 'transitionTask', plan.id, id, before, after);
        return after;
      });
    },

    listTransitions(id: string, page: { limit: number; cursor?: string | undefined }) {
      load(db, id);
      return transitionsRepo.listStatusChanges(db, id, page);
    },
  };
}
