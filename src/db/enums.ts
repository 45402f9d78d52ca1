// Closed vocabularies shared by the drizzle columns and the zod schemas, so the two never drift.

export const ORGANIZATION_KINDS = [
  'ministry',
  'agency',
  'enterprise',
  'joint_venture',
  'region',
  'business_association',
  'other',
] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

export const MEETING_KINDS = ['commission_session', 'working_group', 'official_visit', 'other'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

export const PLAN_STATUSES = ['draft', 'approved', 'closed'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export const TASK_AREAS = [
  'mechanical_engineering',
  'digitalization',
  'food_supplies',
  'agriculture',
  'trade',
  'industrial_cooperation',
  'energy',
  'transport_logistics',
  'regional_cooperation',
  'science_education',
  'other',
] as const;
export type TaskArea = (typeof TASK_AREAS)[number];

export const TASK_STATUSES = ['not_started', 'in_progress', 'on_hold', 'done', 'closed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const ASSIGNEE_ROLES = ['lead', 'co_executor'] as const;
export type AssigneeRole = (typeof ASSIGNEE_ROLES)[number];

export const LANGUAGES = ['ru', 'be', 'kk', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DEADLINE_CHANGE_KINDS = ['request', 'direct'] as const;
export type DeadlineChangeKind = (typeof DEADLINE_CHANGE_KINDS)[number];

/** A request is pending, then approved or rejected by the secretariat, or withdrawn by whoever may; a direct change is applied. */
export const DEADLINE_CHANGE_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn', 'applied'] as const;
export type DeadlineChangeStatus = (typeof DEADLINE_CHANGE_STATUSES)[number];

/** Roles a caller acts in: every API key carries one (DESIGN.md §3). */
export const ROLES = ['secretariat', 'co_chair', 'ministry', 'observer'] as const;
export type Role = (typeof ROLES)[number];

/** The kinds of entity whose every write lands in the change history. */
export const HISTORY_ENTITIES = [
  'commission',
  'organization',
  'meeting',
  'plan',
  'task',
  'deadline_change',
  'api_key',
  'progress_report',
  'indicator',
  'share_link',
  'webhook_subscription',
] as const;
export type HistoryEntity = (typeof HISTORY_ENTITIES)[number];

/** How often the executors of a plan report progress. */
export const REPORTING_FREQUENCIES = ['quarterly', 'monthly'] as const;
export type ReportingFrequency = (typeof REPORTING_FREQUENCIES)[number];

/** Red/amber/green: how confident an executor is that the task will be delivered on time. */
export const CONFIDENCE_LEVELS = ['green', 'amber', 'red'] as const;
export type Confidence = (typeof CONFIDENCE_LEVELS)[number];

/** A progress report is submitted, then accepted or returned for revision (and resubmitted). */
export const REPORT_STATUSES = ['submitted', 'accepted', 'returned'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** What a read-only link opens: the printable progress report, or the calendar feed. */
export const SHARE_LINK_KINDS = ['progress_report', 'calendar'] as const;
export type ShareLinkKind = (typeof SHARE_LINK_KINDS)[number];

/** What a webhook tells a ministry system; `webhook.test` is only sent on request (POST /v1/webhooks/{id}/test). */
export const WEBHOOK_EVENT_TYPES = [
  'task.created',
  'task.updated',
  'task.status_changed',
  'task.deadline_changed',
  'task.overdue',
  'report.submitted',
  'report.reviewed',
  'report.missing',
  'deadline_change.requested',
  'deadline_change.decided',
  'plan.approved',
  'plan.closed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Event types as stored: the subscribable ones and the test ping. */
export const WEBHOOK_MESSAGE_TYPES = [...WEBHOOK_EVENT_TYPES, 'webhook.test'] as const;
export type WebhookMessageType = (typeof WEBHOOK_MESSAGE_TYPES)[number];

/** A delivery waits for its next attempt, succeeded (a 2xx answer), or failed for good after its last attempt. */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * How a delivery came to be: `event`, queued when its event was raised (by the write it tells of, or by the worker's
 * scan for task.overdue and report.missing); `test`, a webhook.test asked for (POST /v1/webhooks/{id}/test);
 * `redelivery`, an event sent again on request (one delivery, or the failed ones of a window), with redeliveryOf;
 * `replay`, an event the subscription had no delivery of, queued by POST /v1/webhooks/{id}/replay.
 */
export const WEBHOOK_DELIVERY_ORIGINS = ['event', 'test', 'redelivery', 'replay'] as const;
export type WebhookDeliveryOrigin = (typeof WEBHOOK_DELIVERY_ORIGINS)[number];
