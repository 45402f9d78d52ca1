// zod schemas of webhook subscriptions (their delivery log is in webhooks.delivery-schemas.ts, replays and
// redeliveries of a window in webhooks.replay-schemas.ts, the event bodies in webhooks.payloads.ts).
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../../db/enums.js';
import { IdSchema, InstantSchema, line } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';
import { MAX_WEBHOOK_URL_LENGTH } from './webhooks.url-guard.js';

export const MAX_URL_LENGTH = MAX_WEBHOOK_URL_LENGTH;

const EventTypeSchema = z
  .enum(WEBHOOK_EVENT_TYPES)
  .describe(
    'task.created: a task entered an approved plan (created in it, imported into it, or its plan was approved); ' +
      'task.updated: fields other than status and deadline changed; task.status_changed: a status transition; ' +
      'task.deadline_changed: the due date moved (a direct change or an approved request); task.overdue: the task is ' +
      "overdue, raised once a day per task; report.submitted: a progress report was submitted or revised; " +
      'report.reviewed: a report was accepted or returned; report.missing: a report owed for a period whose submission ' +
      "deadline has passed was not given (to an organization's subscription only for its own reports); " +
      'deadline_change.requested: an executor (or the secretariat) ' +
      "asked for a new deadline, awaiting the secretariat's decision; deadline_change.decided: such a request was approved, rejected or withdrawn; " +
      'plan.approved: a plan was put in force; plan.closed: a plan was closed, read-only from then on (both to an ' +
      "organization's subscription only for plans where the organization executes a task).",
  );

const UrlSchema = z
  .string()
  .trim()
  .min(1)
  .max(MAX_URL_LENGTH)
  .describe(
    'Where events are POSTed: an http or https URL without user name or password. Every address its host resolves to ' +
      'must be public (private and loopback addresses only where the service runs with WEBHOOK_ALLOW_PRIVATE=true); ' +
      'link-local, cloud metadata, multicast and unspecified addresses are always refused. Checked again before each attempt.',
  )
  .meta({ format: 'uri', example: 'https://edo.minprom.gov.by/hooks/commission-tracker' });

const EventsSchema = z
  .array(EventTypeSchema)
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((events) => new Set(events).size === events.length, 'each event type once')
  .describe('The event types to receive; at least one, each once.');

const DescriptionSchema = line(500).describe('What the subscription is for, e.g. "Document system of the Ministry of Industry".');

const subscriptionExample = {
  description: 'Document system of the Ministry of Industry of Belarus',
  url: 'https://edo.minprom.gov.by/hooks/commission-tracker',
  events: ['task.created', 'task.status_changed', 'task.deadline_changed', 'task.overdue', 'report.reviewed'],
  organizationId: '019a7c2e-7a10-7000-8000-000000000031',
};

export const CreateWebhookSchema = z
  .strictObject({
    description: DescriptionSchema.optional(),
    url: UrlSchema,
    events: EventsSchema,
    organizationId: IdSchema.nullable()
      .optional()
      .describe(
        "Only events about tasks this organization executes (lead or co-executor). A ministry key's subscription is always " +
          "bound to the key's own organization (give it or leave it out); the secretariat may leave it out (or null) for every organization.",
      ),
    active: z
      .boolean()
      .default(true)
      .describe('false creates the subscription paused: events are not queued for it until it is activated.'),
  })
  .meta({ id: 'CreateWebhook', description: 'A new webhook subscription.', example: subscriptionExample });

export const UpdateWebhookSchema = z
  .strictObject({
    description: DescriptionSchema.nullable().optional().describe('What the subscription is for; null clears.'),
    url: UrlSchema.optional(),
    events: EventsSchema.optional(),
    organizationId: IdSchema.nullable()
      .optional()
      .describe(
        "The organization whose tasks' events are sent; the secretariat only (a ministry subscription stays its own), and only " +
          'while no event was queued for the subscription.',
      ),
    active: z
      .boolean()
      .optional()
      .describe(
        'false pauses the subscription; true activates it again, clears disabledReason, disabledAt and the failure count, ' +
          'and sends the deliveries that waited. To replay what it missed, read disabledAt before, and replay after.',
      ),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .meta({
    id: 'UpdateWebhook',
    description: 'Fields to change; absent fields stay.',
    example: { active: true, events: ['task.created', 'task.status_changed', 'task.overdue'] },
  });

const subscriptionFields = {
  id: IdSchema,
  description: z.string().max(500).nullable().describe('What the subscription is for.'),
  url: z.string().max(MAX_URL_LENGTH).describe('Where events are POSTed.').meta({ format: 'uri' }),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).max(WEBHOOK_EVENT_TYPES.length).describe('The event types sent.'),
  organizationId: IdSchema.nullable().describe("Only events about this organization's tasks; null: every organization."),
  active: z
    .boolean()
    .describe(
      'Whether events are sent. Events raised while inactive are not queued (they are kept for a replay, ' +
        'POST /v1/webhooks/{id}/replay); deliveries already queued wait until it is active again.',
    ),
  disabledReason: z
    .string()
    .max(2000)
    .nullable()
    .describe('Why the service disabled the subscription by itself: every attempt of a delivery failed with nothing else ' +
        'getting through meanwhile, or the endpoint answered 410 Gone (at once, on one attempt); null when it did not.'),
  disabledAt: InstantSchema.nullable().describe('When the service disabled it; null when it did not.'),
  consecutiveFailures: z.number().int().min(0).describe('Failed attempts since the last successful one.'),
  failingSince: InstantSchema.nullable().describe('When the current run of failures began; null after a success.'),
  lastSuccessAt: InstantSchema.nullable().describe('The last attempt answered with 2xx.'),
  lastFailureAt: InstantSchema.nullable().describe('The last attempt that failed.'),
  previousSecretExpiresAt: InstantSchema.nullable().describe(
    'After a secret rotation: until when deliveries also carry a signature with the previous secret.',
  ),
  createdAt: InstantSchema,
  updatedAt: InstantSchema,
  createdByKeyId: IdSchema.nullable().describe('The API key that created the subscription.'),
};

const webhookExample = {
  id: '019a7c2e-7a10-7000-8000-0000000000d1',
  ...subscriptionExample,
  active: true,
  disabledReason: null,
  disabledAt: null,
  consecutiveFailures: 0,
  failingSince: null,
  lastSuccessAt: '2026-11-28T09:15:02.000Z',
  lastFailureAt: null,
  previousSecretExpiresAt: null,
  createdAt: '2026-11-20T08:00:00.000Z',
  updatedAt: '2026-11-20T08:00:00.000Z',
  createdByKeyId: '019a7c2e-7a10-7000-8000-0000000000a1',
};

export const WebhookSchema = z
  .object(subscriptionFields)
  .meta({ id: 'Webhook', description: 'A webhook subscription, without its secret.', example: webhookExample });

const SecretSchema = z
  .string()
  .max(100)
  .describe(
    'The signing secret, "whsec_" then base64 of 32 random bytes (Standard Webhooks). Shown this once: store it now. ' +
      'Verify each delivery with it (HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}" with the base64-decoded ' +
      'part after "whsec_").',
  );

export const CreatedWebhookSchema = z
  .object({ ...subscriptionFields, secret: SecretSchema })
  .meta({
    id: 'CreatedWebhook',
    description: 'A subscription just created or whose secret was just rotated, with the secret, which is never shown again.',
    example: { ...webhookExample, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1PNo4LN8uOk=' },
  });

export const ListWebhooksQuerySchema = z.strictObject({
  ...pageQuery,
  organizationId: IdSchema.optional().describe('Only subscriptions of this organization.'),
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('Only active (true) or only inactive (false) subscriptions.'),
});

export const WebhookPageSchema = pageSchema(WebhookSchema, 'WebhookPage', 'A page of webhook subscriptions, oldest first.');

export type Webhook = z.infer<typeof WebhookSchema>;
export type CreatedWebhook = z.infer<typeof CreatedWebhookSchema>;
export type CreateWebhook = z.infer<typeof CreateWebhookSchema>;
export type UpdateWebhook = z.infer<typeof UpdateWebhookSchema>;
export type ListWebhooksQuery = z.infer<typeof ListWebhooksQuerySchema>;
