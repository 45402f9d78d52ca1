// HTTP routes of /v1/webhooks: subscriptions, their test event, delivery log, redelivery and replay. Thin handlers.
import { ERRORS } from '../../errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ChangeHeadersSchema, CreateHeadersSchema, IdParamsSchema, ReadHeadersSchema, problemResponses } from '../../lib/common.schemas.js';
import { etagOf, sendResource, writeContext } from '../../lib/http.js';
import {
  DeliveryParamsSchema,
  ListWebhookDeliveriesQuerySchema,
  WebhookDeliveryDetailSchema,
  WebhookDeliveryPageSchema,
  WebhookDeliverySchema,
} from './webhooks.delivery-schemas.js';
import {
  RedeliverWebhookDeliveriesSchema,
  ReplayWebhookEventsSchema,
  WebhookRedeliverySchema,
  WebhookReplaySchema,
  MAX_REPLAY_EVENTS,
} from './webhooks.replay-schemas.js';
import {
  CreatedWebhookSchema,
  CreateWebhookSchema,
  ListWebhooksQuerySchema,
  UpdateWebhookSchema,
  WebhookPageSchema,
  WebhookSchema,
} from './webhooks.schemas.js';
import { createWebhookService, MAX_KEPT_SUBSCRIPTIONS_PER_ORGANIZATION, MAX_SUBSCRIPTIONS_PER_ORGANIZATION } from './webhooks.service.js';

const tags = ['Webhooks'];

/** What every integrator needs to know once; repeated where a subscription is created. */
const HOW_DELIVERIES_WORK =
  'Each event is POSTed as JSON (`{"type", "timestamp", "data"}`, schema `WebhookEvent`) with the Standard Webhooks ' +
  'headers `webhook-id` (the event id: the same on every retry, redelivery and replay, so ignore ids you have already handled), ' +
  '`webhook-timestamp` (unix seconds of the attempt) and `webhook-signature` (`v1,` then the base64 HMAC-SHA256 of ' +
  '`{webhook-id}.{webhook-timestamp}.{raw body}` keyed with the base64-decoded part of the secret after `whsec_`; ' +
  'several space-separated signatures while a rotated secret is in its grace period). Any Standard Webhooks library ' +
  'verifies them. Reject a timestamp more than 5 minutes from your clock. Answer 2xx within the timeout (10 s by ' +
  'default) to acknowledge; redirects are not followed, and anything else is retried with exponential backoff and jitter (' +
  '15–30 s, then twice as long each time, up to 6 h between attempts, 12 attempts by default, so at least about 7 hours); ' +
  'a failing answer with `Retry-After` (seconds or an HTTP-date) puts the next attempt no sooner than it asks, never ' +
  'sooner than that backoff and never more than 6 h later. When every attempt ' +
  'of a delivery failed and nothing got through meanwhile, or the endpoint answers 410 Gone, the subscription is disabled ' +
  'and `disabledReason` says why. Events raised while it is paused or disabled are not queued for it, but kept ' +
  '(WEBHOOK_LOG_DAYS) for `POST /v1/webhooks/{id}/replay`; the failed deliveries of a window are sent again with ' +
  '`POST /v1/webhooks/{id}/redeliver`. Events are written in the same transaction as the change ' +
  'they tell of and delivered at least once, across restarts; the order of arrival is not guaranteed: compare `timestamp`.';

const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const { settings } = app.webhooks;
  const service = createWebhookService({ db: app.db, clock: app.clock, allowPrivate: settings.allowPrivate, logDays: settings.logDays, resolve: app.webhooks.resolve });

  app.get(
    '/webhooks',
    {
      schema: {
        operationId: 'listWebhooks',
        tags,
        summary: 'List webhook subscriptions',
        description:
          'Lists subscriptions, oldest first, without their secrets. A ministry key sees only its own organization\'s.',
        querystring: ListWebhooksQuerySchema,
        response: { 200: WebhookPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => service.list(request.query, request.actor),
  );

  app.post(
    '/webhooks',
    {
      schema: {
        operationId: 'createWebhook',
        tags,
        summary: 'Subscribe to webhook events',
        description:
          'Creates a subscription and returns its signing `secret` this once. A ministry key subscribes to the tasks its ' +
          "organization executes (the organization filter is always its own); the secretariat may subscribe to one " +
          'organization or to all. The URL is checked (422 when refused): http or https, and every address its host ' +
          'resolves to must be public. An organization has at most ' + MAX_SUBSCRIPTIONS_PER_ORGANIZATION + ' active subscriptions (those for ' +
          'every organization too): one more, created or activated, is 422; one subscription takes every event type. It has ' +
          `at most ${MAX_KEPT_SUBSCRIPTIONS_PER_ORGANIZATION} in all, paused and disabled ones included (each keeps the events it would ` +
          'receive for a replay): one more is 422 too. Not idempotent on purpose: a replay would have to return the secret again; if the ' +
          'response is lost, delete the subscription and create another.\n\n' +
          HOW_DELIVERIES_WORK,
        body: CreateWebhookSchema,
        response: { 201: CreatedWebhookSchema, ...problemResponses(400, 403, 413, 415, ERRORS.unknownReference, ERRORS.invalidValue) },
      },
    },
    async (request, reply) => {
      const created = await service.create(request.body, writeContext(request));
      return reply.code(201).header('location', `/v1/webhooks/${created.id}`).send(created);
    },
  );

  app.get(
    '/webhooks/:id',
    {
      schema: {
        operationId: 'getWebhook',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read a webhook subscription',
        description:
          'Returns one subscription without its secret: whether it is active, why the service disabled it if it did, and ' +
          'how its deliveries fare (consecutive failures, last success).',
        params: IdParamsSchema,
        response: { 200: WebhookSchema, ...problemResponses(400, 403, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(request.params.id)),
  );

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        operationId: 'updateWebhook',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Change a webhook subscription',
        description:
          'Changes the URL (checked again, 422 when refused), the event types, the description, or pauses (`active: false`) ' +
          'and activates it (`active: true`, which also clears `disabledReason` and sends the deliveries that waited). ' +
          'Deliveries still waiting for an event type taken off the list end as `failed` without being sent (test events ' +
          'and redeliveries asked for excepted). Only the secretariat moves a subscription to another organization, and only ' +
          'before any event was queued for it (409 `webhook-has-deliveries` after: its delivery log and secret stay with the ' +
          'organization it was for; create a new subscription instead). Activating it, or moving an active one, beyond ' +
          `${MAX_SUBSCRIPTIONS_PER_ORGANIZATION} active subscriptions of its organization is 422, as is moving one to an organization ` +
          `that has ${MAX_KEPT_SUBSCRIPTIONS_PER_ORGANIZATION} in all.`,
        params: IdParamsSchema,
        body: UpdateWebhookSchema,
        response: { 200: WebhookSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.webhookHasDeliveries, ERRORS.unknownReference, ERRORS.invalidValue) },
      },
    },
    async (request, reply) => sendResource(request, reply, await service.update(request.params.id, request.body, writeContext(request))),
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        operationId: 'deleteWebhook',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Delete a webhook subscription',
        description: 'Deletes the subscription with its delivery log; deliveries still waiting are dropped. To stop for a while, pause it instead.',
        params: IdParamsSchema,
        response: { 204: z.null().describe('Deleted.'), ...problemResponses(400, 403, 404, 412) },
      },
    },
    async (request, reply) => {
      service.remove(request.params.id, writeContext(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        operationId: 'rotateWebhookSecret',
        tags,
        summary: 'Rotate the signing secret',
        description:
          'Issues a new secret and returns it this once. For 24 hours deliveries carry two signatures, one with the new ' +
          'secret and one with the previous, so the receiver can switch over without rejecting anything. Only those two: ' +
          'rotating again within the 24 hours drops the secret before the previous one at once. Not idempotent ' +
          'on purpose: a replay would have to show the secret again. With If-Match, only while the subscription is as read (412 otherwise).',
        headers: ChangeHeadersSchema,
        params: IdParamsSchema,
        response: { 200: CreatedWebhookSchema, ...problemResponses(400, 403, 404, 412) },
      },
    },
    async (request, reply) => {
      const rotated = service.rotateSecret(request.params.id, writeContext(request));
      const { secret: _secret, ...subscription } = rotated;
      // The subscription's ETag, as GET /v1/webhooks/{id} gives it: the next change's If-Match.
      return sendResource(request, reply, rotated, 200, etagOf(subscription));
    },
  );

  app.post(
    '/webhooks/:id/test',
    {
      schema: {
        operationId: 'pingWebhook',
        headers: CreateHeadersSchema,
        tags,
        summary: 'Send a test event',
        description:
          'Queues a `webhook.test` event for this subscription alone, whatever its event types, and returns its delivery: ' +
          'read it back from the delivery log to see how the endpoint answered. It goes out within a second or two if the ' +
          'subscription is active, or once it is activated.',
        params: IdParamsSchema,
        response: { 202: WebhookDeliverySchema, ...problemResponses(400, 403, 404) },
      },
    },
    async (request, reply) => reply.code(202).send(service.ping(request.params.id, writeContext(request))),
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: 'The delivery log of a subscription',
        description:
          'Lists the deliveries of the subscription, newest first, each with every attempt: when, how long, the HTTP ' +
          'status and the start of the answer, or the error; when the next attempt is due; and how it came to be ' +
          '(`origin`: with its event, a test, a redelivery or a replay). `eventId` finds a ' +
          '`webhook-id` a receiver got twice or is missing. A delivery that ended ' +
          '(sent or failed) is kept WEBHOOK_LOG_DAYS days (90 by default), then pruned with its attempts; a pending one stays.',
        params: IdParamsSchema,
        querystring: ListWebhookDeliveriesQuerySchema,
        response: { 200: WebhookDeliveryPageSchema, ...problemResponses(400, 403, 404) },
      },
    },
    async (request) => service.listDeliveries(request.params.id, request.query),
  );

  app.get(
    '/webhooks/:id/deliveries/:deliveryId',
    {
      schema: {
        operationId: 'getWebhookDelivery',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read a delivery',
        description: 'Returns one delivery with its attempts and the exact event body it sends (`payload`).',
        params: DeliveryParamsSchema,
        response: { 200: WebhookDeliveryDetailSchema, ...problemResponses(400, 403, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.getDelivery(request.params.id, request.params.deliveryId)),
  );

  app.post(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      schema: {
        operationId: 'redeliverWebhookDelivery',
        headers: CreateHeadersSchema,
        tags,
        summary: 'Send a delivery again',
        description:
          'Sends the event of a delivery again, e.g. after it failed while the endpoint was down: a new delivery of the same ' +
          'event (same `webhook-id`, `origin: redelivery`, `redeliveryOf` this one), due at once, is returned. A delivery still ' +
          'pending is made due at once instead. While the subscription is inactive, the delivery waits until it is activated. ' +
          'Only what POST /v1/webhooks/{id}/redeliver would send again, by the same rule: an event the subscription receives ' +
          'now (the types it lists, its organization against the organizations the event concerned when raised), raised ' +
          'within WEBHOOK_LOG_DAYS (90 by default; receivers keep webhook-ids that long). Otherwise 409 ' +
          '`webhook-event-not-redeliverable`, whose `detail` says why and what to do (add the type back to `events`; past the ' +
          'retention, read the task as it stands; an event of another organization never goes), and nothing changes. A ' +
          '`webhook.test` goes again whatever the types and its age. A pending delivery is made due only while the ' +
          'subscription receives its event, however long it waited (it goes when due anyway). To send again every ' +
          'delivery of a window that failed, POST /v1/webhooks/{id}/redeliver.',
        params: DeliveryParamsSchema,
        response: { 202: WebhookDeliverySchema, ...problemResponses(400, 403, 404, ERRORS.webhookEventNotRedeliverable) },
      },
    },
    async (request, reply) => reply.code(202).send(service.redeliver(request.params.id, request.params.deliveryId, writeContext(request))),
  );

  app.post(
    '/webhooks/:id/replay',
    {
      schema: {
        operationId: 'replayWebhookEvents',
        headers: CreateHeadersSchema,
        tags,
        summary: 'Replay the events of a window',
        description:
          'Catches a subscription up, e.g. after it was paused or disabled (nothing is queued for it meanwhile) or for a ' +
          'receiver set up anew: queues a delivery of every stored event raised in the window (`since` included, `until` ' +
          'excluded) that the subscription would have received, by the same rule as when the event was raised (the ' +
          'types it lists now, its organization filter against the organizations the event concerned then), and that it ' +
          'has no delivery of yet (the deliveries that failed are sent again with POST /v1/webhooks/{id}/redeliver). Each goes out as it was first ' +
          'raised: same body, and `webhook-id` the event id, so a receiver that keeps the ids it handled drops what it ' +
          'already has. Oldest first, due at once; while the subscription is inactive they wait until it is activated ' +
          '(replay after activating, from the `disabledAt` read before it: an event raised between a replay and the ' +
          'activation is neither queued nor replayed, until a replay after it). ' +
          '`task.overdue` and `webhook.test` are not replayed (the day\'s `task.overdue` comes within a minute of ' +
          `activation). At most \`limit\` (${MAX_REPLAY_EVENTS}) per call: \`more\` then says to call again with ` +
          '`since: continueFrom` (or the same body: what was queued is skipped; with an Idempotency-Key, a new one each call). Events older than WEBHOOK_LOG_DAYS (90 ' +
          'by default) are pruned, and none that old is replayed (one still stored may have been sent to the subscription, ' +
          'its delivery pruned since): `availableFrom` says from when the log holds every event the subscription would have ' +
          'received, and `gap` that the window starts before it, so events of its beginning may be missing. ' +
          'A window whose `until` is not after `since` is 400.',
        params: IdParamsSchema,
        body: ReplayWebhookEventsSchema,
        response: { 202: WebhookReplaySchema, ...problemResponses(400, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => reply.code(202).send(await service.replay(request.params.id, request.body, writeContext(request))),
  );

  app.post(
    '/webhooks/:id/redeliver',
    {
      schema: {
        operationId: 'redeliverFailedWebhookDeliveries',
        headers: CreateHeadersSchema,
        tags,
        summary: 'Send again the failed deliveries of a window',
        description:
          'After an outage of the receiver longer than the retry schedule: sends again, in one call, every event of the ' +
          'window (`since` included, `until` excluded, on the time the event was raised, as a replay) whose last delivery ' +
          'to the subscription failed. Each is a new delivery of the same event (same body, `webhook-id` the event id), ' +
          '`origin: redelivery` and `redeliveryOf` the failed one, due at once, oldest event first; while the subscription is ' +
          'paused or disabled they wait until it is activated. Left out: an event with a delivery still pending, or sent ' +
          'again since and delivered (one sent again and failed again is sent again); an event the subscription no longer ' +
          'wants, by the rule of a replay (the types it lists now, its organization): so a delivery ended unsent when its ' +
          'type was taken off goes again only once the type is back; `webhook.test`. Events the subscription never had a ' +
          'delivery of (raised while it was paused or disabled) are the replay\'s: after an outage, note `disabledAt` and ' +
          '`failingSince` (activating clears them), activate, replay from `disabledAt`, and redeliver from earlier than ' +
          '`failingSince` by the retry schedule (a day with the default WEBHOOK_MAX_ATTEMPTS): `failingSince` is the first ' +
          'failed attempt, made after its event was raised, hours after when it was a retry (an earlier `since` does no ' +
          'harm: what was delivered is left out). ' +
          `At most \`limit\` (${MAX_REPLAY_EVENTS}) per call: \`more\` then says to call again with \`since: continueFrom\` ` +
          '(or the same body: what was sent again has a later delivery and is skipped; with an Idempotency-Key, a new one each call). Nothing raised more than ' +
          'WEBHOOK_LOG_DAYS (90 by default) ago is sent again (`availableFrom`; `gap` when the window starts before it). ' +
          'A window whose `until` is not after `since` is 400.',
        params: IdParamsSchema,
        body: RedeliverWebhookDeliveriesSchema,
        response: { 202: WebhookRedeliverySchema, ...problemResponses(400, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => reply.code(202).send(await service.redeliverFailed(request.params.id, request.body, writeContext(request))),
  );
};

export default webhookRoutes;
