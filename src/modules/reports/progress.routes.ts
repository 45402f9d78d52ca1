// GET /v1/reports/progress: the co-chairs' report as JSON, CSV, XLSX or printable HTML, by format= or Accept.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ERRORS } from '../../errors.js';
import { problemResponses } from '../../lib/common.schemas.js';
import { serializedNatively } from '../../lib/serializer.js';
import { ProgressReportQuerySchema, ProgressReportSchema, REPORT_FORMATS, type ReportFormat } from './progress.schemas.js';
import { XLSX_MEDIA_TYPE } from './progress.xlsx.js';
import { PAGE_CSP } from './progress.html.js';

const tags = ['Reports'];

export const MEDIA_TYPES: Record<ReportFormat, string> = {
  json: 'application/json',
  csv: 'text/csv',
  xlsx: XLSX_MEDIA_TYPE,
  html: 'text/html',
};

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
  position: number;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part, position) => {
      const [range = '', ...params] = part.split(';').map((s) => s.trim());
      const [type = '', subtype = ''] = range.toLowerCase().split('/');
      const q = params.map((p) => /^q=([0-9.]+)$/i.exec(p)).find(Boolean)?.[1];
      return { type, subtype, q: q === undefined ? 1 : Number(q), position };
    })
    .filter((r) => r.type !== '' && r.subtype !== '' && Number.isFinite(r.q));
}

/**
 * The format to answer in: `format=` wins; else the Accept header's preferred media type (by q, then the
 * most specific range, then the order the client listed them, then JSON first); no Accept means JSON.
 * An Accept that allows none of the four is 406.
 */
export function negotiateFormat(format: ReportFormat | undefined, accept: string | undefined): ReportFormat {
  if (format) return format;
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = parseAccept(accept);
  const candidates = REPORT_FORMATS.flatMap((f, order) => {
    const [type, subtype] = MEDIA_TYPES[f].split('/') as [string, string];
    const matches = ranges
      .map((r) => ({ ...r, specificity: r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1 }))
      .filter((r) => r.specificity >= 0)
      .sort((a, b) => b.specificity - a.specificity);
    // The most specific range that matches decides the quality (RFC 9110 §12.5.1).
    const best = matches[0];
    return best && best.q > 0 ? [{ format: f, q: best.q, specificity: best.specificity, position: best.position, order }] : [];
  });
  candidates.sort((a, b) => b.q - a.q || b.specificity - a.specificity || a.position - b.position || a.order - b.order);
  const chosen = candidates[0];
  if (!chosen) {
    throw new AppError(
      ERRORS.notAcceptable,
      `the report is available as ${Object.values(MEDIA_TYPES).join(', ')}; the request accepts none of them (Accept: ${accept})`,
    );
  }
  return chosen.format;
}

const progressRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/reports/progress',
    {
      schema: {
        operationId: 'getProgressReport',
        tags,
        summary: "The co-chairs' progress report",
        description:
          'The progress of a plan (planId), or of every approved or closed plan of a commission (commissionId), as of a day ' +
          "(asOf, default today in the commission's time zone; a past day shows the plans as they stood at its end): tasks by " +
          'status with percentages, closed on time and late, overdue with days late, due today or in the next 30 days, postponements, ' +
          'delivery confidence of the latest reports, missing reports, all for the whole scope and by party, organization and ' +
          'area; the overdue, due-soon and most postponed tasks; indicators against their targets; and every task. For today ' +
          'the figures are exactly those of GET /v1/tasks. A draft plan has nothing to report (409); a future asOf is 422. A ' +
          'large report is computed apart, in turn with the other large ones; the same report asked while it is computed shares that ' +
          'computation, and when 16 others already wait the request is refused with 503 and Retry-After.\n\n' +
          'Formats: `format=` wins over the Accept header. `application/json` (the default) is the documented schema; ' +
          '`text/csv` is UTF-8 with a BOM, comma-separated, CRLF, one row per group (`table=breakdown`, default) or per task ' +
          '(`table=tasks`); `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` is a workbook with the sheets ' +
          'Summary, Tasks, Overdue, Missing reports and Indicators; `text/html` is a printable page. CSV and XLSX come as ' +
          'attachments named progress-<planId or commissionId>-<asOf>. An Accept that allows none of them is 406.',
        querystring: ProgressReportQuerySchema,
        response: {
          200: {
            description: 'The report, in the negotiated format.',
            content: {
              'application/json': { schema: serializedNatively(ProgressReportSchema) },
              'text/csv': {
                schema: z
                  .string()
                  .describe('The breakdown (or, with table=tasks, the tasks) as CSV: UTF-8 with BOM, comma, CRLF, a header row.')
                  .meta({
                    example:
                      'dimension,key,label,taskCount,byStatus.not_started,…\r\ntotal,,Total,30,6,…\r\nparty,BY,Belarus,28,5,…\r\n',
                  }),
              },
              [XLSX_MEDIA_TYPE]: {
                schema: z
                  .string()
                  .meta({ format: 'binary' })
                  .describe('An Excel workbook: Summary, Tasks, Overdue, Missing reports, Indicators.'),
              },
              'text/html': { schema: z.string().describe('A printable, self-contained HTML page.') },
            },
          },
          ...problemResponses(400, 404, 406, 503, ERRORS.planStateConflict, ERRORS.invalidValue),
        },
      },
      // The same for every reader, opened again and again before a visit; the format follows Accept too.
      config: { responseCache: { vary: ['accept'] } },
    },
    async (request, reply) => {
      const format = negotiateFormat(request.query.format, request.headers.accept);
      const { asOf, body } = await app.reports.produce(request.query, format, request.actor.keyId ?? undefined);
      const filename = `progress-${request.query.planId ?? request.query.commissionId}-${asOf}`;
      reply.header('vary', 'Accept');
      if (format === 'csv' || format === 'xlsx') reply.header('content-disposition', `attachment; filename="${filename}.${format}"`);
      if (format === 'html') reply.header('content-security-policy', PAGE_CSP);
      reply.type(format === 'xlsx' ? XLSX_MEDIA_TYPE : `${MEDIA_TYPES[format]}; charset=utf-8`);
      // The typed reply knows the documented bodies as strings and the JSON report as an object; bytes go out as they are.
      return reply.send(body as string);
    },
  );
};

export default progressRoutes;
