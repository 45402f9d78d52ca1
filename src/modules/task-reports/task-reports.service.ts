// Domain rules of progress reports: who reports for whom, which periods, one report per period, the review cycle.
import { writeTransaction, type Db } from '../../db/connection.js';
import { AppError, ERRORS, notFound } from '../../errors.js';
import type { Actor } from '../../lib/access.js';
import { dateInZone } from '../../lib/dates.js';
import { newId } from '../../lib/ids.js';
import { frequencyOf, periodBounds, periodOf, submissionDeadline } from '../../lib/periods.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { recordChange } from '../history/history.recorder.js';
import { findPlanRecord, type PlanRecord } from '../plans/plans.repository.js';
import { OUT_OF_CONTROL_STATUSES } from '../tasks/task-timeliness.js';
import { findTaskRecord, type TaskRecord } from '../tasks/tasks.repository.js';
import { assignmentAt, endOfDay } from '../reports/progress.missing.js';
import * as repo from './task-reports.repository.js';
import type { ListTaskReportsQuery, ReviewTaskReport, ReviseTaskReport, SubmitTaskReport, TaskReport } from './task-reports.schemas.js';

export function presentReport(r: repo.ReportRecord): TaskReport {
  const { start, end } = periodBounds(r.period);
  // Kept with the report at its first submission: a later change of the plan's reportDueDays does not rewrite it.
  const deadline = r.submissionDeadline;
  return {
    id: r.id,
    taskId: r.taskId,
    planId: r.planId,
    organizationId: r.organizationId,
    period: r.period,
    periodStart: start,
    periodEnd: end,
    submissionDeadline: deadline,
    // Judged on the first submission: a revision the reviewer asked for after the deadline is not lateness. Nor is a
    // report for a deadline that passed before the plan was approved, or before its organization was put on the task
    // (a task added to the plan since, too): it could not be submitted in time, or was not owed, and the co-chairs'
    // report does not count it missing either.
    submittedLate:
      dateInZone(new Date(r.createdAt), r.timeZone) > deadline &&
      (r.planApprovedAt === null || dateInZone(new Date(r.planApprovedAt), r.timeZone) <= deadline) &&
      (r.assignedAt === null || dateInZone(new Date(r.assignedAt), r.timeZone) <= deadline),
    percentComplete: r.percentComplete,
    confidence: r.confidence,
    narrative: r.narrative,
    risks: r.risks,
    status: r.status,
    revision: r.revision,
    submittedAt: r.submittedAt,
    // Only the command line writes without a key, and it acts as the secretariat.
    submittedBy: {
      keyId: r.submittedByKeyId,
      role: r.submitterRole ?? 'secretariat',
      organizationId: r.submitterRole === null ? null : r.submitterOrganizationId,
    },
    reviewedAt: r.reviewedAt,
    reviewedBy: r.reviewedByRole === null ? null : { keyId: r.reviewedByKeyId, role: r.reviewedByRole as TaskReport['submittedBy']['role'] },
    reviewComment: r.reviewComment,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** The task and its plan, if the plan is in force: reports are written and reviewed only in an approved plan. */
function taskInForce(tx: Db, taskId: string, what: string): { task: TaskRecord; plan: PlanRecord } {
  const task = findTaskRecord(tx, taskId);
  if (!task) throw notFound('task', taskId);
  const plan = findPlanRecord(tx, task.planId) as PlanRecord;
  if (plan.status !== 'approved') {
    throw new AppError(ERRORS.planStateConflict, `progress reports are ${what} only in an approved plan; this plan is ${plan.status}`);
  }
  return { task, plan };
}

/** The task and its plan, if it is still under control: neither closed nor cancelled. */
function reportableTask(tx: Db, taskId: string, what: string): { task: TaskRecord; plan: PlanRecord } {
  const found = taskInForce(tx, taskId, what);
  if (OUT_OF_CONTROL_STATUSES.includes(found.task.status)) {
    throw new AppError(ERRORS.taskStateConflict, `the task is ${found.task.status}: progress reports are no longer ${what} on it`);
  }
  return found;
}

const invalid = (path: string, detail: string, message: string) => new AppError(ERRORS.invalidValue, detail, [{ path, message }]);

/**
 * Whom a report is for: a ministry reports for its own organization (POLICY refuses another one), the secretariat
 * names an assignee.
 */
function reportingOrganization(actor: Actor, named: string | undefined, task: TaskRecord): string {
  let organizationId: string;
  if (actor.role === 'ministry') {
    organizationId = actor.organizationId as string;
  } else {
    if (named === undefined) {
      throw invalid('body.organizationId', 'name the executing organization the report is for', 'required when the secretariat reports');
    }
    organizationId = named;
  }
  if (!task.assignees.some((a) => a.organizationId === organizationId)) {
    throw invalid('body.organizationId', `organization ${JSON.stringify(organizationId)} is not an assignee of task ${task.code}`, 'not an assignee of the task');
  }
  return organizationId;
}

/**
 * The period must be written in the plan's frequency, overlap the plan's period and have begun by today. A task
 * postponed past the plan's end stays under control until its due date, so it is reported on up to that date.
 */
function checkPeriod(period: string, plan: PlanRecord, dueDate: string, today: string): void {
  const frequency = frequencyOf(period);
  const { start, end } = periodBounds(period);
  if (frequency !== plan.reportingFrequency) {
    const expected = periodOf(start, plan.reportingFrequency);
    const form = plan.reportingFrequency === 'quarterly' ? 'a quarter' : 'a month';
    throw invalid(
      'body.period',
      `this plan is reported ${plan.reportingFrequency}: give the period as ${form} such as "${expected}", not "${period}"`,
      `expected ${form} such as "${expected}"`,
    );
  }
  const lastDay = dueDate > plan.periodEnd ? dueDate : plan.periodEnd;
  if (end < plan.periodStart || start > lastDay) {
    const span = lastDay === plan.periodEnd ? '' : `, and the task is due on ${dueDate}`;
    throw invalid(
      'body.period',
      `${period} (${start} – ${end}) is outside the plan's period (${plan.periodStart} – ${plan.periodEnd}${span})`,
      "outside the plan's period",
    );
  }
  if (start > today) {
    throw invalid(
      'body.period',
      `no reports for future periods: ${period} begins on ${start}, after today (${today}, in the commission's time zone)`,
      'a future period',
    );
  }
}

/** A submission (the first or a revision) by `keyId` at `at`: submitted, and whatever review it had is gone. */
const submission = (at: string, keyId: string | null) =>
  ({
    status: 'submitted',
    submittedAt: at,
    submittedByKeyId: keyId,
    reviewedAt: null,
    reviewedByKeyId: null,
    reviewedByRole: null,
    reviewComment: null,
  }) as const;

export function createTaskReportService({ db, clock }: ServiceDeps) {
  const load = (tx: Db, taskId: string, reportId: string): repo.ReportRecord => {
    const record = repo.findReport(tx, taskId, reportId);
    if (!record) throw notFound('progress report', reportId);
    return record;
  };

  /** Records a write of a report in the history of its task and plan. */
  const record = (tx: Db, ctx: WriteContext, at: string, operation: string, before: TaskReport | null, after: TaskReport) =>
    recordChange(tx, ctx.actor, at, { operation, entity: 'progress_report', entityId: after.id, planId: after.planId, taskId: after.taskId, before, after });

  return {
    list(taskId: string, query: ListTaskReportsQuery) {
      if (!findTaskRecord(db, taskId)) throw notFound('task', taskId);
      const page = repo.listReports(db, taskId, query);
      return { items: page.items.map(presentReport), nextCursor: page.nextCursor };
    },

    get(taskId: string, reportId: string): TaskReport {
      return presentReport(load(db, taskId, reportId));
    },

    submit(taskId: string, input: SubmitTaskReport, ctx: WriteContext): TaskReport {
      const { actor } = ctx;
      const now = clock();
      const at = now.toISOString();
      return writeTransaction(db, (tx) => {
        const { task, plan } = reportableTask(tx, taskId, 'submitted');
        const organizationId = reportingOrganization(actor, input.organizationId, task);
        checkPeriod(input.period, plan, task.dueDate, dateInZone(now, task.timeZone));
        const existing = repo.findReportFor(tx, taskId, organizationId, input.period);
        if (existing) {
          // The way on depends on the report: an accepted one is final, and pointing at its PATCH sent a caller to a
          // second refusal.
          const next =
            existing.status === 'accepted'
              ? `it was accepted and is final; report news in the next period`
              : `revise it with PATCH /v1/tasks/${taskId}/reports/${existing.id}`;
          throw new AppError(
            ERRORS.taskStateConflict,
            `this organization already reported on the task for ${input.period} (report ${existing.id}, ${existing.status}): ${next}`,
          );
        }
        const id = newId();
        const deadline = submissionDeadline(input.period, plan.reportDueDays);
        repo.insertReport(tx, {
          id,
          taskId,
          organizationId,
          period: input.period,
          // The deadline in force now, when the report is first submitted, is the one it is judged by for good.
          submissionDeadline: deadline,
          // So is the organization's assignment: put on the task after that deadline, it owed no report for the period;
          // on it at the end of the deadline day, it owed it, though taken off and put back since (assignmentAt, by the rule
          // of the co-chairs' report and the calendar).
          assignedAt: assignmentAt(tx, task, organizationId, repo.assignedAt(tx, taskId, organizationId), endOfDay(deadline, task.timeZone)) ?? null,
          percentComplete: input.percentComplete,
          confidence: input.confidence,
          narrative: input.narrative,
          risks: input.risks ?? null,
          revision: 1,
          ...submission(at, actor.keyId),
          createdAt: at,
          updatedAt: at,
        });
        const created = presentReport(load(tx, taskId, id));
        record(tx, ctx, at, 'submitTaskReport', null, created);
        return created;
      });
    },

    /** A new revision, submitted again for review: by the reporting organization's ministry or the secretariat. */
    revise(taskId: string, reportId: string, patch: ReviseTaskReport, ctx: WriteContext): TaskReport {
      const { actor } = ctx;
      const now = clock();
      const at = now.toISOString();
      return writeTransaction(db, (tx) => {
        const current = load(tx, taskId, reportId);
        const before = presentReport(current);
        ctx.expect?.(before);
        reportableTask(tx, taskId, 'revised');
        if (current.status === 'accepted') {
          throw new AppError(ERRORS.taskStateConflict, 'the report was accepted and is final; report news in the next period');
        }
        const fields = {
          percentComplete: patch.percentComplete ?? current.percentComplete,
          confidence: patch.confidence ?? current.confidence,
          narrative: patch.narrative ?? current.narrative,
          risks: patch.risks === undefined ? current.risks : patch.risks,
        };
        // A report awaiting review that would not change is left as it is: no new revision of the same text.
        const unchanged = (Object.keys(fields) as (keyof typeof fields)[]).every((k) => fields[k] === current[k]);
        if (unchanged && current.status === 'submitted') return before;
        repo.updateReport(tx, reportId, {
          ...fields,
          revision: current.revision + 1,
          ...submission(at, actor.keyId),
          updatedAt: at,
        });
        const after = presentReport(load(tx, taskId, reportId));
        record(tx, ctx, at, 'reviseTaskReport', before, after);
        return after;
      });
    },

    review(taskId: string, reportId: string, input: ReviewTaskReport, ctx: WriteContext): TaskReport {
      const { actor } = ctx;
      const now = clock();
      const at = now.toISOString();
      return writeTransaction(db, (tx) => {
        const current = load(tx, taskId, reportId);
        const before = presentReport(current);
        ctx.expect?.(before);
        const { task } = taskInForce(tx, taskId, 'reviewed');
        if (current.status !== 'submitted') {
          throw new AppError(ERRORS.taskStateConflict, `the report is already ${current.status}: only a submitted report is reviewed`);
        }
        // The last report of a task is often reviewed after the task is closed; but a returned report could
        // no longer be revised there.
        if (input.decision === 'returned' && OUT_OF_CONTROL_STATUSES.includes(task.status)) {
          throw new AppError(ERRORS.taskStateConflict, `the task is ${task.status}: its report can no longer be revised, so it cannot be returned`);
        }
        // Nor by an organization taken off the task since it submitted the report.
        if (input.decision === 'returned' && !task.assignees.some((a) => a.organizationId === current.organizationId)) {
          throw new AppError(
            ERRORS.taskStateConflict,
            `organization ${current.organizationId} no longer executes the task: it can no longer revise its report, so it cannot be returned`,
          );
        }
        repo.updateReport(tx, reportId, {
          status: input.decision,
          reviewedAt: at,
          reviewedByKeyId: actor.keyId,
          reviewedByRole: actor.role,
          reviewComment: input.comment ?? null,
          updatedAt: at,
        });
        const after = presentReport(load(tx, taskId, reportId));
        record(tx, ctx, at, 'reviewTaskReport', before, after);
        return after;
      });
    },
  };
}
