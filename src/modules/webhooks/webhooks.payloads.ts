// zod schemas of what a webhook receiver gets: the event bodies, by type, as the OpenAPI document shows them.
import { z } from 'zod';
import { ASSIGNEE_ROLES, CONFIDENCE_LEVELS, DEADLINE_CHANGE_KINDS, REPORT_STATUSES, ROLES, TASK_STATUSES, type WebhookMessageType } from '../../db/enums.js';
import { DateSchema, IdSchema, InstantSchema } from '../../lib/common.schemas.js';
import { DeadlineChangeSchema } from '../deadline-changes/deadline-changes.schemas.js';
import { PlanSchema } from '../plans/plans.schemas.js';
import { StatusCountsSchema } from '../reports/progress.schemas.js';
import { PeriodSchema } from '../task-reports/task-reports.schemas.js';

const ActorSchema = z
  .object({
    keyId: IdSchema.nullable().describe('The API key that made the change; null for the command line.'),
    role: z.enum(ROLES).describe('The role it acted in.'),
    organizationId: IdSchema.nullable().describe('The organization of a ministry key; null otherwise.'),
  })
  .describe('Who made the change: a system can tell its own changes from others\'.');

export const WebhookTaskSchema = z
  .object({
    id: IdSchema,
    planId: IdSchema,
    commissionId: IdSchema,
    code: z.string().max(50).describe('The code of the task in its plan, e.g. "2.3".'),
    title: z.string().max(1000).describe('What is to be done.'),
    status: z.enum(TASK_STATUSES).describe('The status after the change.'),
    dueDate: DateSchema.describe('The current due date.'),
    originalDueDate: DateSchema.describe(
      'The deadline in force when the plan was approved (or when the task was created in an approved plan): while the plan is a draft it follows the due date; from approval on only deadline changes move dueDate away from it.',
    ),
    postponementCount: z.number().int().min(0).describe('How many times the deadline moved later.'),
    overdue: z
      .boolean()
      .describe("Overdue when the event was raised (today in the commission's time zone, or the day its plan was closed), as GET /v1/tasks/{id} says."),
    daysOverdue: z.number().int().min(0).describe('Days past the due date; 0 when not overdue.'),
    assignees: z
      .array(
        z.object({
          organizationId: IdSchema.describe('An executing organization.'),
          role: z.enum(ASSIGNEE_ROLES).describe('lead (head executor) or co_executor.'),
        }),
      )
      .max(20)
      .describe('The executing organizations, leads first.'),
  })
  .meta({ id: 'WebhookTask', description: 'The task an event is about, as it stands after the change; GET /v1/tasks/{id} has the rest.' });

const WebhookFieldChangeSchema = z
  .object({
    field: z.string().max(100).describe('A field of the task as GET /v1/tasks/{id} returns it, e.g. "title".'),
    before: z.unknown().describe('Its value before the change.'),
    after: z.unknown().describe('Its value after the change.'),
  })
  .meta({ id: 'WebhookFieldChange', description: 'One field changed.' });

const DeadlineChangeSummarySchema = z
  .object({
    id: IdSchema.describe('The deadline change: GET /v1/tasks/{taskId}/deadline-changes/{id}.'),
    kind: z.enum(DEADLINE_CHANGE_KINDS).describe('request (asked by an executor, approved by the secretariat) or direct (by the secretariat).'),
    oldDueDate: DateSchema.describe('The due date before.'),
    newDueDate: DateSchema.describe('The due date after.'),
    reason: z.string().max(2000).describe('Why the deadline moved.'),
    decisionBasis: z.string().max(500).nullable().describe('The grounds of the decision, e.g. a protocol item.'),
  })
  .describe('The deadline change that moved the date.');

const ReportSummarySchema = z
  .object({
    id: IdSchema.describe('The report: GET /v1/tasks/{taskId}/reports/{id}.'),
    taskId: IdSchema,
    organizationId: IdSchema.describe('The organization that reported.'),
    period: z.string().max(7).describe('"2026-Q4" or "2026-11".'),
    status: z.enum(REPORT_STATUSES).describe('submitted (awaiting review), accepted, or returned for revision.'),
    revision: z.number().int().min(1).describe('1 for the first submission, one more with each revision.'),
    percentComplete: z.number().int().min(0).max(100).describe('How far the task is, as the executor says.'),
    confidence: z.enum(CONFIDENCE_LEVELS).describe('Red/amber/green: how sure the executor is of delivering on time.'),
    submittedAt: InstantSchema.describe('When the current revision was submitted.'),
    submittedLate: z
      .boolean()
      .describe(
        "Whether it was first submitted after its deadline: judged once, at the first submission, by the plan's " +
          'reportDueDays then; a later change of the rule, a revision or a review does not change it.',
      ),
    reviewedAt: InstantSchema.nullable().describe('When it was reviewed; null while awaiting review.'),
    reviewComment: z.string().max(2000).nullable().describe("The reviewer's comment: why it was returned, or a remark."),
  })
  .describe('The progress report; its narrative and risks are on GET.');

/**
 * The request as the API represents it (DeadlineChange, one schema and one type in generated clients, not a copy of its
 * fields): always of kind request, since a direct change by the secretariat raises task.deadline_changed only.
 */
const DeadlineRequestSchema = DeadlineChangeSchema.describe(
  'The deadline request (kind request), as GET /v1/tasks/{taskId}/deadline-changes/{id} returns it after this event.',
);

const envelope = <T extends string, D extends z.ZodType>(types: readonly [T, ...T[]], data: D, description: string, id: string) =>
  z
    .object({
      type: z.enum(types).describe('The event type.'),
      timestamp: InstantSchema.describe('When the change happened (RFC 3339, UTC).'),
      data: data.describe('What happened, by event type.'),
    })
    .meta({ id, description });

const TaskChangeEventSchema = envelope(
  ['task.created', 'task.updated', 'task.status_changed', 'task.deadline_changed'],
  z.object({
    task: WebhookTaskSchema,
    changes: z.array(WebhookFieldChangeSchema).max(100).describe('The fields this event is about; empty for task.created.'),
    actor: ActorSchema,
    deadlineChange: DeadlineChangeSummarySchema.nullable().describe('task.deadline_changed only: the change that moved the date.'),
  }),
  'A task was created in an approved plan, or changed.',
  'WebhookTaskChangeEvent',
);

const TaskOverdueEventSchema = envelope(
  ['task.overdue'],
  z.object({
    task: WebhookTaskSchema,
    date: DateSchema.describe("The day (in the commission's time zone) the event was raised for: at most one per task and day."),
  }),
  'A task is overdue: raised once a day per overdue task of an approved plan (never of a closed one); task.daysOverdue says for how long.',
  'WebhookTaskOverdueEvent',
);

const ReportEventSchema = envelope(
  ['report.submitted', 'report.reviewed'],
  z.object({ report: ReportSummarySchema, task: WebhookTaskSchema, actor: ActorSchema }),
  'A progress report was submitted (or revised), or reviewed.',
  'WebhookReportEvent',
);

const ReportMissingEventSchema = envelope(
  ['report.missing'],
  z.object({
    task: WebhookTaskSchema,
    organizationId: IdSchema.describe('The organization that owed the report and has not given it: one of the task\'s executors.'),
    period: PeriodSchema.describe('The period the report is missing for, e.g. "2026-Q3": the last one whose submission deadline has passed.'),
    periodStart: DateSchema.describe('The first day of the period.'),
    periodEnd: DateSchema.describe('The last day of the period.'),
    submissionDeadline: DateSchema.describe("The day by which the report was due; the event comes after it ended in the commission's time zone."),
  }),
  "A progress report the organization owed for a period is missing: its submission deadline has passed (in the commission's " +
    "time zone) with no report. The same missing report the co-chairs' progress report lists; raised once per task, " +
    'organization and period, for approved plans only.',
  'WebhookReportMissingEvent',
);

const DeadlineChangeEventSchema = envelope(
  ['deadline_change.requested', 'deadline_change.decided'],
  z.object({ deadlineChange: DeadlineRequestSchema, task: WebhookTaskSchema, actor: ActorSchema }),
  "A request for a new deadline was made and awaits the secretariat's decision, or was decided (approved or rejected), or was " +
    'withdrawn by the organization that asked for it or the secretariat.',
  'WebhookDeadlineChangeEvent',
);

const PlanEventSchema = envelope(
  ['plan.approved', 'plan.closed'],
  z.object({
    // The API's Plan (a $ref, one type in generated clients), not a copy of its fields.
    plan: PlanSchema.describe('The plan as GET /v1/plans/{id} returns it after this event: status, period, approvedAt, closedAt, taskCount.'),
    tasksByStatus: StatusCountsSchema.describe(
      "How many of the plan's tasks were in each status at the event. At closing none is done (a plan is closed once nothing " +
        'awaits a decision); those not closed or cancelled stay as they are, read-only.',
    ),
    actor: ActorSchema,
  }),
  'A plan was approved (put in force) or closed (read-only from then on).',
  'WebhookPlanEvent',
);

const TestEventSchema = envelope(
  ['webhook.test'],
  z.object({
    subscriptionId: IdSchema.describe('The subscription the test was asked for.'),
    message: z.string().max(200).describe('A note saying that nothing changed.'),
  }),
  'Sent only on request (POST /v1/webhooks/{id}/test), to check an endpoint and its signature verification.',
  'WebhookTestEvent',
);

export const WebhookEventSchema = z
  .union([TaskChangeEventSchema, TaskOverdueEventSchema, ReportEventSchema, ReportMissingEventSchema, DeadlineChangeEventSchema, PlanEventSchema, TestEventSchema])
  .meta({
    id: 'WebhookEvent',
    description:
      'The JSON body POSTed to a subscription (Standard Webhooks): `type`, `timestamp`, `data`. Headers: `webhook-id` ' +
      '(the event id, the same on every retry: use it to ignore duplicates), `webhook-timestamp` (unix seconds of the ' +
      'attempt) and `webhook-signature` ("v1,<base64 HMAC-SHA256>", several separated by spaces while a rotated secret is ' +
      'in its grace period). Answer 2xx within the timeout to acknowledge; anything else is retried.',
    example: {
      type: 'task.status_changed',
      timestamp: '2026-11-28T09:15:00.000Z',
      data: {
        task: {
          id: '019a7c2e-7a10-7000-8000-000000000040',
          planId: '019a7c2e-7a10-7000-8000-000000000010',
          commissionId: '019a7c2e-7a10-7000-8000-000000000001',
          code: '1.1',
          title: 'Expand assembly of Belarus tractors at the joint venture in Kostanay',
          status: 'in_progress',
          dueDate: '2026-12-31',
          originalDueDate: '2026-10-31',
          postponementCount: 1,
          overdue: false,
          daysOverdue: 0,
          assignees: [
            { organizationId: '019a7c2e-7a10-7000-8000-000000000031', role: 'lead' },
            { organizationId: '019a7c2e-7a10-7000-8000-000000000032', role: 'lead' },
          ],
        },
        changes: [{ field: 'status', before: 'not_started', after: 'in_progress' }],
        actor: { keyId: '019a7c2e-7a10-7000-8000-0000000000a1', role: 'ministry', organizationId: '019a7c2e-7a10-7000-8000-000000000031' },
        deadlineChange: null,
      },
    },
  });

/** When each event type is raised: the README's table, for the OpenAPI document's `webhooks`, one entry per type. */
export const RAISED_WHEN: Record<WebhookMessageType, string> = {
  'task.created': 'Raised when a task is created in (or imported into) an approved plan, and for every task of a plan when it is approved; drafts raise nothing.',
  'task.updated': 'Raised when fields other than the status and the deadline change (title, assignees, …); `changes` lists them.',
  'task.status_changed': 'Raised on a status transition; `changes` holds `status` and the timestamps that moved with it.',
  'task.deadline_changed': 'Raised when the due date moves (a direct change, or an approved request); `deadlineChange` says which. A rejected request raises nothing.',
  'task.overdue': "Raised once a day per overdue task of an approved plan, shortly after midnight in the commission's time zone; the same event (same webhook-id) to every subscriber of that task and day.",
  'report.submitted': 'Raised when a progress report is submitted or revised.',
  'report.reviewed': 'Raised when a progress report is accepted or returned; `report.reviewComment` says why.',
  'report.missing':
    "Raised once per task, organization and period when the submission deadline of the plan's last period due has passed " +
    "(the day after it, in the commission's time zone) and the organization, an executor of the task assigned before the " +
    "deadline, has no report for that period: the missing reports the co-chairs' progress report lists, for approved plans " +
    "(not drafts, not closed plans). The worker looks at start, as a day ends and when a subscription starts wanting it; sent to subscriptions for every organization and to " +
    "that organization's only, not to the task's other executors. Like task.overdue, raised only while an active " +
    'subscription wants it, and not replayed.',
  'deadline_change.requested':
    "Raised when a request for a new deadline is made (by an executor, or by the secretariat) and awaits the secretariat's decision; " +
    '`deadlineChange` is the request (status pending). A direct change by the secretariat raises task.deadline_changed only.',
  'deadline_change.decided':
    'Raised when the secretariat approves or rejects a deadline request, or when a pending request is withdrawn: ' +
    '`deadlineChange.status` is the outcome, approved or rejected with `decisionBasis`, `decisionComment` and `decidedBy`, or ' +
    'withdrawn with `withdrawnBy`, `withdrawnAt` and `withdrawalComment` (no decision: `decidedBy` null, nothing moved). ' +
    'An approval also raises task.deadline_changed; the requesting organization receives it even if it was taken off the task since.',
  'plan.approved':
    'Raised when the secretariat approves a draft plan, putting it in force; task.created follows for each of its tasks. ' +
    'Sent to subscriptions for every organization, and to those of an organization executing at least one of its tasks.',
  'plan.closed':
    'Raised when the secretariat closes an approved plan: it is read-only from then on, and progress reports and deadline ' +
    'requests on its tasks are refused. `tasksByStatus` says how its tasks stood. Sent to subscriptions for every ' +
    'organization, and to those of an organization executing at least one of its tasks.',
  'webhook.test': 'Sent only on request (POST /v1/webhooks/{id}/test), whatever the event types of the subscription.',
};

export type WebhookTask = z.infer<typeof WebhookTaskSchema>;
export type WebhookEventBody = z.infer<typeof WebhookEventSchema>;
