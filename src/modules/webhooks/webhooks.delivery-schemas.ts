// zod schemas of the delivery log: a subscription's deliveries, their attempts and the event body each sends.
import { z } from 'zod';
import { WEBHOOK_DELIVERY_ORIGINS, WEBHOOK_DELIVERY_STATUSES, WEBHOOK_MESSAGE_TYPES } from '../../db/enums.js';
import { IdSchema, InstantSchema } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';
import { WebhookEventSchema } from './webhooks.payloads.js';

/** Characters of a receiver's answer kept in the delivery log. */
export const RESPONSE_BODY_KEPT = 1000;

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

export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;
export type WebhookDeliveryDetail = z.infer<typeof WebhookDeliveryDetailSchema>;
export type ListWebhookDeliveriesQuery = z.infer<typeof ListWebhookDeliveriesQuerySchema>;
