// zod schemas of webhooks: subscriptions, their deliveries and attempts (the event bodies are in webhooks.payloads.ts).
import { z } from 'zod';
import { WEBHOOK_DELIVERY_ORIGINS, WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES, WEBHOOK_MESSAGE_TYPES } from '../../db/enums.js';
import { IdSchema, InstantSchema, line } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';
import { WebhookEventSchema } from './webhooks.payloads.js';
import { MAX_WEBHOOK_URL_LENGTH } from './webhooks.url-guard.js';

export const MAX_URL_LENGTH = MAX_WEBHOOK_URL_LENGTH;
/** Characters of a receiver's answer kept in the delivery log. */
export const RESPONSE_BODY_KEPT = 1000;

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

// --- Deliveries ---------------------------------------------------------------------------------------------

const AttemptSchema = z
  .object({
    attemptedAt: InstantSchema,
    durationMs: z.number().int().min(0).describe('From the first byte sent to the answer, or to the error.'),
    statusCode: z.number().int().min(100).max(599).nullable().describe("The receiver's HTTP status; null when there was no answer."),
    error: z.string().max(1000).nullable().describe('Why the attempt failed; null when it succeeded.'),
    responseBody: z.string().max(RESPONSE_BODY_KEPT).nullable().describe(`The first ${RESPONSE_BODY_KEPT} characters of the answer.`),
  })
  .meta({ id: 'WebhookAttempt', description: 'One attempt to deliver an event.' });

const OriginSchema = z
  .enum(WEBHOOK_DELIVERY_ORIGINS)
  .describe(
    'How the delivery came to be. event: queued when its event was raised, by the change it tells of (or, for ' +
      'task.overdue and report.missing, by the scan that found them); test: a webhook.test asked for with ' +
      'POST /v1/webhooks/{id}/test; redelivery: an event sent again on request, one delivery ' +
      '(POST …/deliveries/{deliveryId}/redeliver) or the failed ones of a window (POST /v1/webhooks/{id}/redeliver), ' +
      'the delivery it sends again in `redeliveryOf`; replay: an event the subscription had no delivery of, queued by ' +
      'POST /v1/webhooks/{id}/replay. Deliveries made before this field existed show what their row kept: redelivery ' +
      'when they have `redeliveryOf`, test for webhook.test, replay when a key asked for them otherwise, else event.',
  );

const deliveryFields = {
  id: IdSchema,
  subscriptionId: IdSchema,
  eventId: IdSchema.describe('The event: the webhook-id header of every attempt.'),
  eventType: z.enum(WEBHOOK_MESSAGE_TYPES).describe('The type of the event (webhook.test for test events).'),
  occurredAt: InstantSchema.describe('When the event happened.'),
  status: z
    .enum(WEBHOOK_DELIVERY_STATUSES)
    .describe('pending: waiting for its next attempt (or for the subscription to be active again); succeeded: a 2xx answer; failed: every attempt failed.'),
  attemptCount: z.number().int().min(0).describe('Attempts made so far.'),
  nextAttemptAt: InstantSchema.nullable().describe('When it is attempted next; null once succeeded or failed.'),
  lastAttemptAt: InstantSchema.nullable().describe('When it was last attempted; null before the first attempt.'),
  lastStatusCode: z.number().int().min(100).max(599).nullable().describe("The receiver's status at the last attempt; null without an answer."),
  lastError: z.string().max(1000).nullable().describe('Why the last attempt failed; null when it succeeded or none was made.'),
  createdAt: InstantSchema,
  completedAt: InstantSchema.nullable().describe('When it succeeded or failed for good.'),
  redeliveryOf: IdSchema.nullable().describe('The delivery this one sends again, when it was asked for.'),
  origin: OriginSchema,
  attempts: z.array(AttemptSchema).max(100).describe('Every attempt, oldest first.'),
};

const deliveryExample = {
  id: '019a7c2e-7a10-7000-8000-0000000000e1',
  subscriptionId: '019a7c2e-7a10-7000-8000-0000000000d1',
  eventId: '019a7c2e-7a10-7000-8000-0000000000e0',
  eventType: 'task.status_changed',
  occurredAt: '2026-11-28T09:15:00.000Z',
  status: 'pending',
  attemptCount: 1,
  nextAttemptAt: '2026-11-28T09:15:45.000Z',
  lastAttemptAt: '2026-11-28T09:15:01.000Z',
  lastStatusCode: 503,
  lastError: 'HTTP 503',
  createdAt: '2026-11-28T09:15:00.000Z',
  completedAt: null,
  redeliveryOf: null,
  origin: 'event',
  attempts: [
    { attemptedAt: '2026-11-28T09:15:01.000Z', durationMs: 85, statusCode: 503, error: 'HTTP 503', responseBody: 'Service Unavailable' },
  ],
};

export const WebhookDeliverySchema = z
  .object(deliveryFields)
  .meta({ id: 'WebhookDelivery', description: 'One event sent to one subscription, with its attempts.', example: deliveryExample });

export const WebhookDeliveryDetailSchema = z
  .object({ ...deliveryFields, payload: WebhookEventSchema.describe('The body every attempt sends, byte for byte as JSON.') })
  .meta({
    id: 'WebhookDeliveryDetail',
    description: 'A delivery with the event body it sends.',
    example: { ...deliveryExample, payload: WebhookEventSchema.meta()?.example },
  });

export const ListWebhookDeliveriesQuerySchema = z.strictObject({
  ...pageQuery,
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional().describe('Only deliveries in this state.'),
  eventType: z.enum(WEBHOOK_MESSAGE_TYPES).optional().describe('Only deliveries of this event type.'),
  eventId: IdSchema.optional().describe(
    'Only deliveries of this event: the `webhook-id` header a receiver got (or is missing), with its redeliveries.',
  ),
  origin: z
    .enum(WEBHOOK_DELIVERY_ORIGINS)
    .optional()
    .describe('Only deliveries that came to be this way: event, test, redelivery or replay (see `origin` of WebhookDelivery).'),
});

export const WebhookDeliveryPageSchema = pageSchema(WebhookDeliverySchema, 'WebhookDeliveryPage', 'A page of deliveries, newest first.');

export const DeliveryParamsSchema = z.strictObject({ id: IdSchema, deliveryId: IdSchema });

// --- Replays ------------------------------------------------------------------------------------------------

/** Deliveries one replay, or one redelivery of a window, queues at most (and its default `limit`): they are written in one short transaction. */
export const MAX_REPLAY_EVENTS = 1000;

// Any RFC 3339 instant, as format date-time publishes: an offset too (as the history's since and until).
const WindowInstantSchema = InstantSchema.pipe(z.iso.datetime({ offset: true }));

/**
 * The body of a call over a window of stored events (a replay, a redelivery): `since` included, `until` excluded, at
 * most `limit` deliveries queued by one call. `what` says what is done with the window's events.
 */
function windowBody(what: string, meta: { id: string; description: string }) {
  return z
    .strictObject({
      since: WindowInstantSchema.describe(`${what} raised at or after this instant (RFC 3339; with an offset, the instant it names).`),
      until: WindowInstantSchema.optional().describe('Only those raised before this instant; left out: every event stored so far.'),
      limit: z
        .number()
        .int()
        .min(1)
        .max(MAX_REPLAY_EVENTS)
        .default(MAX_REPLAY_EVENTS)
        .describe(`Deliveries this call queues at most (${MAX_REPLAY_EVENTS}, the most allowed, when left out); when the window holds more, the answer says \`more\`.`),
    })
    .superRefine((b, ctx) => {
      if (b.until !== undefined && Date.parse(b.since) >= Date.parse(b.until)) {
        ctx.addIssue({ code: 'custom', path: ['until'], message: 'until must be later than since' });
      }
    })
    .meta({ ...meta, example: { since: '2026-11-20T00:00:00Z', until: '2026-11-28T00:00:00Z' } });
}

export const ReplayWebhookEventsSchema = windowBody('Replay the events', {
  id: 'ReplayWebhookEvents',
  description: 'The window of events to replay: since (included) to until (excluded).',
});

export const RedeliverWebhookDeliveriesSchema = windowBody('Redeliver the failed deliveries of the events', {
  id: 'RedeliverWebhookDeliveries',
  description: 'The window of events whose failed deliveries to send again: since (included) to until (excluded).',
});

/** The subscription and the window a replay or a redelivery was asked for, as its answer repeats them. */
const windowAsked = {
  subscriptionId: IdSchema,
  since: InstantSchema.describe('The start of the window, as asked (in UTC).'),
  until: InstantSchema.nullable().describe('The end of the window, as asked (in UTC); null: every event stored when the call was made.'),
};

export const WebhookReplaySchema = z
  .object({
    ...windowAsked,
    queued: z
      .number()
      .int()
      .min(0)
      .max(MAX_REPLAY_EVENTS)
      .describe('Deliveries queued by this call: events of the window the subscription would have received and had no delivery of.'),
    more: z.boolean().describe('The window holds more events to replay than `limit`: call again (with `since: continueFrom`, or the same body).'),
    continueFrom: InstantSchema.nullable().describe('When `more`: the time of the first event left for the next call, its `since`; null otherwise.'),
    availableFrom: InstantSchema.describe(
      'From this instant on the log holds every event the subscription, as it is set up now, would have received: the later of ' +
        'the retention limit (WEBHOOK_LOG_DAYS before now; older events are pruned) and the time the subscription was created ' +
        'or last widened (event types added, another organization). Before it, only the events some other subscription wanted ' +
        'are still there.',
    ),
    gap: z
      .boolean()
      .describe(
        'The window starts before `availableFrom`: events of its beginning may be missing and are not replayed; re-read what ' +
          'they would have told (the tasks, their reports and deadline changes) through the API.',
      ),
  })
  .meta({
    id: 'WebhookReplay',
    description: 'What a replay queued, and whether the window could be replayed whole.',
    example: {
      subscriptionId: '019a7c2e-7a10-7000-8000-0000000000d1',
      since: '2026-11-20T00:00:00.000Z',
      until: '2026-11-28T00:00:00.000Z',
      queued: 37,
      more: false,
      continueFrom: null,
      availableFrom: '2026-08-30T09:15:00.000Z',
      gap: false,
    },
  });

export const WebhookRedeliverySchema = z
  .object({
    ...windowAsked,
    queued: z
      .number()
      .int()
      .min(0)
      .max(MAX_REPLAY_EVENTS)
      .describe(
        'Redeliveries queued by this call: one for each event of the window whose last delivery to the subscription failed ' +
          'and that it still wants, each a new delivery with `redeliveryOf` the failed one.',
      ),
    more: z.boolean().describe('The window holds more failed deliveries to send again than `limit`: call again (with `since: continueFrom`, or the same body).'),
    continueFrom: InstantSchema.nullable().describe('When `more`: the time of the event of the first delivery left for the next call, its `since`; null otherwise.'),
    availableFrom: InstantSchema.nullable().describe(
      'The retention limit, WEBHOOK_LOG_DAYS before now: the deliveries that ended before it are pruned, and the failed ' +
        'deliveries of events raised before it are not sent again (your receiver keeps ids only that long). Null when the ' +
        'service keeps its whole log (WEBHOOK_LOG_DAYS=0).',
    ),
    gap: z
      .boolean()
      .describe(
        'The window starts before `availableFrom`: its beginning was not looked at. A failed delivery of an event raised ' +
          'before it is not sent again, alone either (409 webhook-event-not-redeliverable): your receiver may no longer know ' +
          'its id; read what it told of through the API instead.',
      ),
  })
  .meta({
    id: 'WebhookRedelivery',
    description: 'What a redelivery of the failed deliveries of a window queued.',
    example: {
      subscriptionId: '019a7c2e-7a10-7000-8000-0000000000d1',
      since: '2026-11-20T00:00:00.000Z',
      until: '2026-11-28T00:00:00.000Z',
      queued: 412,
      more: false,
      continueFrom: null,
      availableFrom: '2026-08-30T09:15:00.000Z',
      gap: false,
    },
  });

export type Webhook = z.infer<typeof WebhookSchema>;
export type CreatedWebhook = z.infer<typeof CreatedWebhookSchema>;
export type CreateWebhook = z.infer<typeof CreateWebhookSchema>;
export type UpdateWebhook = z.infer<typeof UpdateWebhookSchema>;
export type ListWebhooksQuery = z.infer<typeof ListWebhooksQuerySchema>;
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;
export type WebhookDeliveryDetail = z.infer<typeof WebhookDeliveryDetailSchema>;
export type ListWebhookDeliveriesQuery = z.infer<typeof ListWebhookDeliveriesQuerySchema>;
export type ReplayWebhookEvents = z.infer<typeof ReplayWebhookEventsSchema>;
export type WebhookReplay = z.infer<typeof WebhookReplaySchema>;
export type RedeliverWebhookDeliveries = z.infer<typeof RedeliverWebhookDeliveriesSchema>;
export type WebhookRedelivery = z.infer<typeof WebhookRedeliverySchema>;
