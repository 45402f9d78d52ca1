// zod schemas of replays and redeliveries: the window of events asked for, and what a call queued.
import { z } from 'zod';
import { IdSchema, InstantSchema } from '../../lib/common.schemas.js';

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
export type ReplayWebhookEvents = z.infer<typeof ReplayWebhookEventsSchema>;
export type WebhookReplay = z.infer<typeof WebhookReplaySchema>;
export type RedeliverWebhookDeliveries = z.infer<typeof RedeliverWebhookDeliveriesSchema>;
export type WebhookRedelivery = z.infer<typeof WebhookRedeliverySchema>;
