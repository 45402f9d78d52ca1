// HTTP route of /v1/calendar.ics: the iCalendar feed a ministry's calendar program subscribes to.
import { ERRORS } from '../../errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LANGUAGES } from '../../db/enums.js';
import { IdSchema, ReadHeadersSchema, problemResponses } from '../../lib/common.schemas.js';
import { sendResource } from '../../lib/http.js';
import { RECENT_DEADLINE_DAYS } from './calendar.service.js';

export const CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8';

export const CalendarQuerySchema = z
  .strictObject({
    planId: IdSchema.optional().describe('Only this plan (nothing if it is not approved).'),
    commissionId: IdSchema.optional().describe('Only the approved plans of this commission.'),
    organizationId: IdSchema.optional().describe(
      'Only the open tasks this organization executes, and the reporting deadlines of the plans where it executes one (none once all it executes there is closed or cancelled), ' +
        'and of the past deadlines only those it owed a report for: none that passed before it was assigned to a task of the plan, or when every task it executed there was closed or cancelled.',
    ),
    lang: z.enum(LANGUAGES).optional().describe('Task titles in this language where a translation exists.'),
  })
  .refine((q) => q.planId === undefined || q.commissionId === undefined, {
    message: 'give at most one of planId and commissionId',
    path: ['planId'],
  });

/** The feed as documented: a text body, with a short real example. */
export const CalendarBodySchema = z
  .string()
  .describe('An iCalendar (RFC 5545) object: CRLF line endings, lines folded at 75 octets, UTF-8.')
  .meta({
    example: [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Commission plan tracker//Calendar//EN',
      'CALSCALE:GREGORIAN',
      'NAME:Belarus–Kazakhstan Intergovernmental Commission — Plan of measures 2026–2027',
      'X-WR-CALNAME:Belarus–Kazakhstan Intergovernmental Commission — Plan of measures 2026–2027',
      'X-WR-TIMEZONE:Europe/Minsk',
      'BEGIN:VEVENT',
      'UID:task-019a7c2e-7a10-7000-8000-000000000101@commission-plan-tracker',
      'SEQUENCE:0',
      'DTSTAMP:20261128T090000Z',
      'DTSTART;VALUE=DATE:20261231',
      'DTEND;VALUE=DATE:20270101',
      'SUMMARY:1.1 Сборка тракторов МТЗ в Костанае — due',
      'DESCRIPTION:Plan: Plan of measures 2026–2027\\nExecutors: Minprom (BY\\, lead)\\; MIC (KZ\\, lead)\\nStatus: in_progress',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n'),
  });

const calendarRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/calendar.ics',
    {
      schema: {
        operationId: 'getCalendar',
        headers: ReadHeadersSchema,
        tags: ['Reports'],
        summary: 'Calendar feed of due dates and reporting deadlines',
        description:
          'An iCalendar (RFC 5545) feed to subscribe to: one all-day event on the due date of each task still under ' +
          'control (neither closed nor cancelled) and one on the submission deadline of each reporting period of the ' +
          `plan, from the plan's start to its end, leaving out deadlines more than ${RECENT_DEADLINE_DAYS} days past and those ` +
          "that passed before the plan was approved (in the commission's time zone), when no report was owed, as the progress " +
          'report and report.missing judge. ' +
          'Without a filter, every approved plan. Event UIDs are stable (task-<id>@…, report-<planId>-<period>@…), ' +
          'so a calendar program updates events rather than duplicating them; a task\'s SEQUENCE counts the moves of its due ' +
          "date, and a reporting deadline's the changes of the plan's reportDueDays; the feed carries an ETag, so a poll with " +
          'If-None-Match costs a 304 while nothing changed. A calendar program that cannot send an ' +
          'API key subscribes through a read-only link (POST /v1/share-links, kind calendar).',
        querystring: CalendarQuerySchema,
        response: {
          200: { description: 'The feed.', content: { 'text/calendar': { schema: CalendarBodySchema } } },
          ...problemResponses(400, 503, ERRORS.unknownReference),
        },
      },
      // The same for every reader: calendar programs poll it hourly, and a large plan's feed takes seconds to write.
      config: { responseCache: true },
    },
    async (request, reply) => {
      // A large plan's feed is written in a report thread, not on the event loop (app.reports).
      const feed = await app.reports.calendar(request.query, request.actor.keyId ?? undefined);
      reply.type(CALENDAR_CONTENT_TYPE).header('content-disposition', 'inline; filename="calendar.ics"');
      return sendResource(request, reply, feed.body, 200, feed.etag);
    },
  );
};

export default calendarRoutes;
