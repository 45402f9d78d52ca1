// The drizzle schema: every table of the tracker. Dates are 'YYYY-MM-DD' text, instants ISO-8601 UTC text.
import { sql } from 'drizzle-orm';
import { blob, check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import {
  ASSIGNEE_ROLES,
  CONFIDENCE_LEVELS,
  DEADLINE_CHANGE_KINDS,
  DEADLINE_CHANGE_STATUSES,
  HISTORY_ENTITIES,
  MEETING_KINDS,
  ORGANIZATION_KINDS,
  PLAN_STATUSES,
  REPORT_STATUSES,
  REPORTING_FREQUENCIES,
  ROLES,
  SHARE_LINK_KINDS,
  TASK_AREAS,
  TASK_STATUSES,
  WEBHOOK_DELIVERY_ORIGINS,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_MESSAGE_TYPES,
  type Language,
  type WebhookEventType,
} from './enums.js';

const timestamps = {
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
};

export const commissions = sqliteTable('commissions', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull(),
  partyACountry: text('party_a_country').notNull(),
  partyACoChairName: text('party_a_co_chair_name').notNull(),
  partyACoChairPosition: text('party_a_co_chair_position').notNull(),
  partyBCountry: text('party_b_country').notNull(),
  partyBCoChairName: text('party_b_co_chair_name').notNull(),
  partyBCoChairPosition: text('party_b_co_chair_position').notNull(),
  ...timestamps,
});

export const organizations = sqliteTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    shortName: text('short_name'),
    kind: text('kind', { enum: ORGANIZATION_KINDS }).notNull(),
    country: text('country').notNull(),
    parentId: text('parent_id').references((): any => organizations.id, { onDelete: 'restrict' }),
    ...timestamps,
  },
  (t) => [
    index('organizations_parent_idx').on(t.parentId),
    // The list's order (name, id), of all organizations and of one country's: a later page seeks past its cursor in
    // them, where it sorted every organization (of the country) for each page.
    index('organizations_name_idx').on(t.name, t.id),
    index('organizations_country_name_idx').on(t.country, t.name, t.id),
  ],
);

export const meetings = sqliteTable(
  'meetings',
  {
    id: text('id').primaryKey(),
    commissionId: text('commission_id')
      .notNull()
      .references(() => commissions.id, { onDelete: 'restrict' }),
    kind: text('kind', { enum: MEETING_KINDS }).notNull(),
    title: text('title').notNull(),
    date: text('date').notNull(),
    place: text('place').notNull(),
    protocolNumber: text('protocol_number'),
    ...timestamps,
  },
  // The list's order (date, id), of all meetings and of one commission's: a later page seeks past its cursor in them,
  // where it sorted every meeting (or those of the commission on the cursor's date and after) for each page.
  (t) => [index('meetings_commission_idx').on(t.commissionId, t.date, t.id), index('meetings_date_idx').on(t.date, t.id)],
);

export const plans = sqliteTable(
  'plans',
  {
    id: text('id').primaryKey(),
    commissionId: text('commission_id')
      .notNull()
      .references(() => commissions.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    periodStart: text('period_start').notNull(),
    periodEnd: text('period_end').notNull(),
    status: text('status', { enum: PLAN_STATUSES }).notNull(),
    /** Progress is reported per quarter ('2026-Q4') or per month ('2026-11'). */
    reportingFrequency: text('reporting_frequency', { enum: REPORTING_FREQUENCIES }).notNull().default('quarterly'),
    /** Reports of a period are due this many days after it ends. */
    reportDueDays: integer('report_due_days').notNull().default(10),
    approvedAt: text('approved_at'),
    closedAt: text('closed_at'),
    ...timestamps,
  },
  (t) => [index('plans_commission_idx').on(t.commissionId)],
);

export type TaskTranslations = Partial<Record<Language, { title?: string; description?: string }>>;

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id, { onDelete: 'restrict' }),
    code: text('code').notNull(),
    /** The code with each number zero-padded, so "2.10" sorts after "2.9". */
    codeSortKey: text('code_sort_key').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    area: text('area', { enum: TASK_AREAS }).notNull(),
    formOfCompletion: text('form_of_completion'),
    expectedResult: text('expected_result'),
    basisMeetingId: text('basis_meeting_id').references(() => meetings.id, { onDelete: 'restrict' }),
    basisProtocolItem: text('basis_protocol_item'),
    translations: text('translations', { mode: 'json' }).$type<TaskTranslations>().notNull().default({}),
    /** Lower-cased code, title, description and translations, for case-insensitive search in any script. */
    searchText: text('search_text').notNull(),
    dueDate: text('due_date').notNull(),
    originalDueDate: text('original_due_date').notNull(),
    postponementCount: integer('postponement_count').notNull().default(0),
    status: text('status', { enum: TASK_STATUSES }).notNull(),
    statusChangedAt: text('status_changed_at').notNull(),
    /** When the executors last reported the task done; kept through closing, cleared when sent back. */
    completedAt: text('completed_at'),
    closedAt: text('closed_at'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('tasks_plan_code_uq').on(t.planId, t.code),
    index('tasks_order_idx').on(t.planId, t.codeSortKey, t.id),
    index('tasks_due_idx').on(t.dueDate),
    // One status's tasks in the list's order (GET /v1/tasks?status=, with or without a plan): a page seeks past its
    // cursor in it. On (status) alone each page read and sorted every task of the status (21-36 ms on 100,000 tasks,
    // 40-150 ms beside a large organization), and a rare status beside a plan walked the plan (21 ms).
    index('tasks_status_idx').on(t.status, t.planId, t.codeSortKey, t.id),
    check('tasks_postponement_count_ck', sql`${t.postponementCount} >= 0`),
  ],
);

export const taskAssignees = sqliteTable(
  'task_assignees',
  {
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'restrict' }),
    role: text('role', { enum: ASSIGNEE_ROLES }).notNull(),
    position: integer('position').notNull(),
    /**
     * When the organization was assigned to the task: it owes only the reports due after. Kept while it stays
     * assigned (a change of role or position is no new assignment); taken off and put back, it is assigned anew.
     */
    assignedAt: text('assigned_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.taskId, t.organizationId] }),
    index('task_assignees_org_idx').on(t.organizationId),
    // Every task presented reads its assignees, in their order (leads first, then by position): with the role, the
    // position and the organization in the index, they are read from it alone, in that order, without the table's row.
    index('task_assignees_task_idx').on(t.taskId, sql`${t.role} desc`, t.position, t.organizationId),
  ],
);

export const deadlineChanges = sqliteTable(
  'deadline_changes',
  {
    id: text('id').primaryKey(),
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: DEADLINE_CHANGE_KINDS }).notNull(),
    status: text('status', { enum: DEADLINE_CHANGE_STATUSES }).notNull(),
    /** The due date when the change was asked for; re-read at decision time. */
    oldDueDate: text('old_due_date').notNull(),
    newDueDate: text('new_due_date').notNull(),
    reason: text('reason').notNull(),
    requestedByRole: text('requested_by_role').notNull(),
    requestedByOrganizationId: text('requested_by_organization_id').references(() => organizations.id),
    /** The API key of the request; null for the command line and for changes recorded before it was kept. */
    requestedByKeyId: text('requested_by_key_id'),
    requestedAt: text('requested_at').notNull(),
    decidedByRole: text('decided_by_role'),
    decidedByKeyId: text('decided_by_key_id'),
    decidedAt: text('decided_at'),
    decisionBasis: text('decision_basis'),
    decisionComment: text('decision_comment'),
    /**
     * A pending request taken back, by its organization or the secretariat: no decision, so the decided_* columns stay
     * null and the withdrawal is kept apart from them. Null unless the status is withdrawn.
     */
    withdrawnByRole: text('withdrawn_by_role'),
    withdrawnByOrganizationId: text('withdrawn_by_organization_id').references(() => organizations.id),
    withdrawnByKeyId: text('withdrawn_by_key_id'),
    withdrawnAt: text('withdrawn_at'),
    withdrawalComment: text('withdrawal_comment'),
  },
  (t) => [
    index('deadline_changes_task_idx').on(t.taskId, t.requestedAt, t.id),
    // The changes awaiting a decision, by task: few, probed once per task by the awaiting filter of the task list and
    // by the closing of a plan (without it, each probe read every change of the task).
    index('deadline_changes_pending_idx').on(t.taskId).where(sql`${t.status} = 'pending'`),
  ],
);

/** Every status transition of a task: who moved it, from what to what, and why. */
export const taskStatusChanges = sqliteTable(
  'task_status_changes',
  {
    id: text('id').primaryKey(),
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status', { enum: TASK_STATUSES }).notNull(),
    toStatus: text('to_status', { enum: TASK_STATUSES }).notNull(),
    comment: text('comment'),
    actorRole: text('actor_role').notNull(),
    actorOrganizationId: text('actor_organization_id').references(() => organizations.id),
    actorKeyId: text('actor_key_id'),
    changedAt: text('changed_at').notNull(),
  },
  (t) => [index('task_status_changes_task_idx').on(t.taskId, t.id)],
);

/**
 * API keys. Only the SHA-256 of a key is kept; `prefix` (its first characters, shown in listings) finds the
 * candidates and the hash is compared in constant time. Keys are revoked, never deleted, so history keeps
 * naming its authors.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    organizationId: text('organization_id').references(() => organizations.id, { onDelete: 'restrict' }),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    createdAt: text('created_at').notNull(),
    createdByKeyId: text('created_by_key_id'),
    lastUsedAt: text('last_used_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [
    uniqueIndex('api_keys_hash_uq').on(t.hash),
    index('api_keys_prefix_idx').on(t.prefix),
    check('api_keys_ministry_org_ck', sql`(${t.role} = 'ministry') = (${t.organizationId} IS NOT NULL)`),
  ],
);

/** One changed field of a history entry: its value before and after the write (null when absent). */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/**
 * The change history: one row per write, in the same transaction as the write. Append-only (triggers refuse
 * UPDATE and DELETE) and free of foreign keys, so it outlives whatever it describes.
 */
export const changeHistory = sqliteTable(
  'change_history',
  {
    id: text('id').primaryKey(),
    at: text('at').notNull(),
    actorKeyId: text('actor_key_id'),
    actorRole: text('actor_role').notNull(),
    actorOrganizationId: text('actor_organization_id'),
    operation: text('operation').notNull(),
    entityType: text('entity_type', { enum: HISTORY_ENTITIES }).notNull(),
    entityId: text('entity_id').notNull(),
    planId: text('plan_id'),
    taskId: text('task_id'),
    changes: text('changes', { mode: 'json' }).$type<FieldChange[]>().notNull(),
  },
  (t) => [
    index('change_history_task_idx').on(t.taskId, t.id),
    index('change_history_plan_idx').on(t.planId, t.id),
    index('change_history_entity_idx').on(t.entityType, t.entityId, t.id),
    // One type's entries in feed order (?entityType=): by the entity index, each page sorted every entry of the type
    // (22 ms a page of task entries on 390,000 entries, the first as the last); by this one it seeks past its cursor.
    index('change_history_type_idx').on(t.entityType, t.id),
    // A time window's ids (history.repository.ts windowIds): the feed is in id order, its instants are not.
    index('change_history_at_idx').on(t.at, t.id),
    // What one key did (a key leaked: everything it changed) and what one organization's keys did: without them each
    // walked every entry in search of a few (75-90 ms a page on 400,000 entries).
    index('change_history_key_idx').on(t.actorKeyId, t.id),
    index('change_history_organization_idx').on(t.actorOrganizationId, t.id),
  ],
);

/**
 * Idempotency keys of POST requests, scoped per API key: the fingerprint of the first request and, once it
 * completed, the response to replay. 'committed' is set by the request's own write transaction, with the result
 * the write returned in response_body, until the exact response bytes replace it ('completed'). Kept at least
 * 24 hours.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    apiKeyId: text('api_key_id').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    state: text('state', { enum: ['pending', 'committed', 'completed'] }).notNull(),
    statusCode: integer('status_code'),
    responseHeaders: text('response_headers', { mode: 'json' }).$type<Record<string, string>>(),
    responseBody: text('response_body'),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] }), index('idempotency_keys_expiry_idx').on(t.expiresAt)],
);

/**
 * Progress reports: one per assignee organization per reporting period of a task. Submitted, then
 * accepted or returned by the secretariat or a co-chair; a returned report is revised (revision + 1).
 */
export const progressReports = sqliteTable(
  'progress_reports',
  {
    id: text('id').primaryKey(),
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'restrict' }),
    /** '2026-Q4' or '2026-11', as the plan's reporting frequency says. */
    period: text('period').notNull(),
    /**
     * The day by which the report was due, as the plan's reportDueDays set it when the report was first submitted: a
     * later change of the rule moves the deadline of periods not yet reported, never the record of a submitted report.
     */
    submissionDeadline: text('submission_deadline').notNull(),
    /**
     * When the reporting organization was assigned to the task, as it stood when the report was first submitted: a
     * deadline that passed before it owed nothing, so a report for it is not late. Null for reports submitted before
     * it was kept and whose assignment has changed since (they are judged as before).
     */
    assignedAt: text('assigned_at'),
    percentComplete: integer('percent_complete').notNull(),
    confidence: text('confidence', { enum: CONFIDENCE_LEVELS }).notNull(),
    narrative: text('narrative').notNull(),
    risks: text('risks'),
    status: text('status', { enum: REPORT_STATUSES }).notNull(),
    revision: integer('revision').notNull().default(1),
    submittedAt: text('submitted_at').notNull(),
    submittedByKeyId: text('submitted_by_key_id'),
    reviewedAt: text('reviewed_at'),
    reviewedByKeyId: text('reviewed_by_key_id'),
    reviewedByRole: text('reviewed_by_role'),
    reviewComment: text('review_comment'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('progress_reports_task_org_period_uq').on(t.taskId, t.organizationId, t.period),
    index('progress_reports_period_idx').on(t.period),
    // The reports awaiting review, by task: few, probed once per task by the awaiting filter of the task list and by
    // the closing of a plan (without it, each probe read every report row of the task: 130 ms a page on 100,000 tasks).
    index('progress_reports_submitted_idx').on(t.taskId).where(sql`${t.status} = 'submitted'`),
    check('progress_reports_percent_ck', sql`${t.percentComplete} BETWEEN 0 AND 100`),
  ],
);

/** Measurable targets of a plan or of one of its tasks. */
export const indicators = sqliteTable(
  'indicators',
  {
    id: text('id').primaryKey(),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id, { onDelete: 'restrict' }),
    taskId: text('task_id').references(() => tasks.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    unit: text('unit').notNull(),
    baseline: real('baseline').notNull(),
    target: real('target').notNull(),
    ...timestamps,
  },
  (t) => [index('indicators_plan_idx').on(t.planId, t.id), index('indicators_task_idx').on(t.taskId)],
);

/** The actual value of an indicator for one reporting period. */
export const indicatorValues = sqliteTable(
  'indicator_values',
  {
    indicatorId: text('indicator_id')
      .notNull()
      .references(() => indicators.id, { onDelete: 'cascade' }),
    period: text('period').notNull(),
    value: real('value').notNull(),
    note: text('note'),
    recordedAt: text('recorded_at').notNull(),
    recordedByKeyId: text('recorded_by_key_id'),
  },
  (t) => [primaryKey({ columns: [t.indicatorId, t.period] })],
);

/**
 * Read-only links for people whose browser or calendar program cannot send an API key: each opens one
 * view (the printable report or the calendar feed) with fixed parameters, until it expires or is revoked.
 * Like API keys, only the SHA-256 of the secret is kept.
 */
export const shareLinks = sqliteTable(
  'share_links',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: SHARE_LINK_KINDS }).notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    /** The query the link stands for, e.g. { planId, lang } or { organizationId }. */
    params: text('params', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    expiresAt: text('expires_at').notNull(),
    revokedAt: text('revoked_at'),
    lastUsedAt: text('last_used_at'),
    createdAt: text('created_at').notNull(),
    createdByKeyId: text('created_by_key_id'),
  },
  (t) => [uniqueIndex('share_links_hash_uq').on(t.hash), index('share_links_prefix_idx').on(t.prefix)],
);

/**
 * Webhook subscriptions of ministry systems (or the secretariat's): where to POST which events, for the tasks
 * of which organization (null: every organization). The signing secret is kept as issued, because signing needs
 * it; the previous one keeps signing beside it for a day after a rotation.
 */
export const webhookSubscriptions = sqliteTable(
  'webhook_subscriptions',
  {
    id: text('id').primaryKey(),
    description: text('description'),
    url: text('url').notNull(),
    events: text('events', { mode: 'json' }).$type<WebhookEventType[]>().notNull(),
    organizationId: text('organization_id').references(() => organizations.id, { onDelete: 'restrict' }),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: text('previous_secret_expires_at'),
    active: integer('active', { mode: 'boolean' }).notNull(),
    /** Set when the service disabled the subscription itself, after repeated failure: why. */
    disabledReason: text('disabled_reason'),
    disabledAt: text('disabled_at'),
    /** Failed attempts since the last successful one, and when that run of failures began. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    failingSince: text('failing_since'),
    lastSuccessAt: text('last_success_at'),
    lastFailureAt: text('last_failure_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    createdByKeyId: text('created_by_key_id'),
    /**
     * Since when the outbox keeps every event the subscription, as it is set up now, would receive: what a replay
     * can promise. Its creation, or the last change that widened it (event types added, another organization); for
     * the subscriptions made before replays existed, the migration that added it. Always written; null in no row.
     */
    eventsKeptSince: text('events_kept_since'),
  },
  (t) => [index('webhook_subscriptions_org_idx').on(t.organizationId, t.id), index('webhook_subscriptions_active_idx').on(t.active)],
);

/**
 * The outbox: each event, written in the same transaction as the change it tells of, with the exact JSON body
 * every delivery of it sends. `dedupeKey` keeps scheduled events (overdue, once per task and day) single.
 */
export const webhookEvents = sqliteTable(
  'webhook_events',
  {
    id: text('id').primaryKey(),
    type: text('type', { enum: WEBHOOK_MESSAGE_TYPES }).notNull(),
    occurredAt: text('occurred_at').notNull(),
    taskId: text('task_id'),
    dedupeKey: text('dedupe_key'),
    body: text('body').notNull(),
    /**
     * The organizations the event concerns, as decided when it was raised (JSON array of ids): a subscription filtered
     * to one of them receives it. Kept so that a replay matches the event by the same rule and audience as at raise
     * time. Null for test events and for events stored before replays existed (replayed only to subscriptions for
     * every organization).
     */
    organizationIds: text('organization_ids', { mode: 'json' }).$type<string[]>(),
  },
  (t) => [
    uniqueIndex('webhook_events_dedupe_uq').on(t.dedupeKey),
    // No index by task: no query looks events up by it, and one was written with every event (100,000 with the
    // approval of a plan that size, in its transaction).
    // The delivery log's pruning finds old events by it (WEBHOOK_LOG_DAYS); a replay reads them in its order, a page
    // after another, with the id: the events of one instant (a plan approval's 100,000) are not sorted for every page.
    index('webhook_events_occurred_idx').on(t.occurredAt, t.id),
  ],
);

/** One event to one subscription: attempted until a 2xx answer, or until it fails for good. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
    eventId: text('event_id')
      .notNull()
      .references(() => webhookEvents.id, { onDelete: 'cascade' }),
    status: text('status', { enum: WEBHOOK_DELIVERY_STATUSES }).notNull(),
    attemptCount: integer('attempt_count').notNull().default(0),
    /** When the next attempt is due; null once the delivery succeeded or failed. */
    nextAttemptAt: text('next_attempt_at'),
    /** A worker holds the delivery until then while it attempts it, so no other one sends it twice. */
    lockedUntil: text('locked_until'),
    firstAttemptAt: text('first_attempt_at'),
    lastAttemptAt: text('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: text('created_at').notNull(),
    completedAt: text('completed_at'),
    /** The delivery this one sends again, when asked for through the API. */
    redeliveryOf: text('redelivery_of'),
    requestedByKeyId: text('requested_by_key_id'),
    /**
     * How the delivery came to be (WEBHOOK_DELIVERY_ORIGINS). Always written; the rows made before it existed were
     * given it by migration 0019 from what they kept: redelivery_of set, a redelivery; a webhook.test event, a test; asked
     * for by a key otherwise, a replay (the only other delivery made on request then); else an event.
     */
    origin: text('origin', { enum: WEBHOOK_DELIVERY_ORIGINS }).notNull().default('event'),
  },
  (t) => [
    // In the worker's order (claimDueDeliveries): the events a scan raises fall due at one instant, and with
    // (status, next_attempt_at) alone every claim sorted all of them by id (95,000 queued: 33-56 ms a claim).
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt, t.id),
    index('webhook_deliveries_subscription_idx').on(t.subscriptionId, t.id),
    index('webhook_deliveries_event_idx').on(t.eventId),
    // The delivery log's pruning finds the deliveries that ended long ago by it (WEBHOOK_LOG_DAYS); pending ones have none.
    index('webhook_deliveries_completed_idx').on(t.completedAt).where(sql`${t.completedAt} is not null`),
  ],
);

/** Every attempt of a delivery: when, how long, the answer (status and the start of its body) or the error. */
export const webhookDeliveryAttempts = sqliteTable(
  'webhook_delivery_attempts',
  {
    id: text('id').primaryKey(),
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attemptedAt: text('attempted_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    responseBody: text('response_body'),
  },
  (t) => [index('webhook_delivery_attempts_delivery_idx').on(t.deliveryId, t.id)],
);

/**
 * Empty but during GET /health's trial write, while writes are failing for the storage: a row of 8 KB inserted and
 * deleted in one transaction, so that its commit needs new pages and a durable write, as the service's own writes do
 * (src/db/storage-health.ts, retryWrites).
 */
export const storageProbes = sqliteTable('storage_probes', {
  id: integer('id').primaryKey(),
  filler: blob('filler').notNull(),
});
