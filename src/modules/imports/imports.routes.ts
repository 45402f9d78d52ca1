// HTTP routes of the plan import: the template, the preview and the commit. The file is the raw request
// body (text/csv or an .xlsx workbook), parsed here only: everywhere else the API stays JSON-only.
import { ERRORS } from '../../errors.js';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ActionHeadersSchema, IdParamsSchema, problemResponses } from '../../lib/common.schemas.js';
import { sendResource, writeContext } from '../../lib/http.js';
import { XLSX_MEDIA_TYPE, MAX_SHEET_ROWS, xlsxReader } from './imports.files.js';
import { CommitImportQuerySchema, ImportFileSchema, IMPORT_LIMITS, ImportQuerySchema, ImportResultSchema, TemplateQuerySchema, UploadedFile } from './imports.schemas.js';
import { createImportService } from './imports.service.js';
import { ZIP_LIMITS } from './imports.zip-guard.js';

const tags = ['Plans'];
const MiB = 1024 * 1024;

const LAYOUT =
  'Columns are matched by their header, in Russian or English, in any order: "№"/"No" (the task code; required), ' +
  '"Мероприятие"/"Measure" (title; required), "Форма завершения"/"Form of completion", "Ожидаемый результат"/"Expected result", ' +
  '"Срок"/"Deadline" (required: 31.12.2026, 2026-12-31, IV квартал 2026 / Q4 2026 and декабрь 2026 mean the last day of the period), ' +
  '"Ответственные исполнители"/"Responsible executors" or one column per side such as "Исполнители (BY)"/"Executors (KZ)" ' +
  '(required: organizations by full or short name, one a line, or separated by ";" or by commas, a name holding a comma ' +
  'being read whole when it names an organization; the first of each side is the lead unless marked "(головной)"/"(lead)"; ' +
  '"Головной исполнитель"/"Lead executor" and "Соисполнители"/"Co-executors" columns set the role), "Основание"/"Basis" ' +
  '(a protocol of a meeting of the commission and its item), "Сфера"/"Area", "Описание"/"Description", "Measure (en)" and the like ' +
  'for translated titles; other columns are ignored. The header row is found in the first 20 rows; empty rows, rows whose first ' +
  'cell starts with "#", rows heading the columns again (an English header row under the Russian one: repeatedHeaderRows), a row ' +
  'numbering the columns and section headings (headings) are skipped. A row whose code is in the plan updates that task (only the ' +
  'fields the file has columns for), a new code creates a task; tasks missing from the file are left alone. In an approved plan ' +
  'a changed deadline of an existing task is an error (use a deadline change); a closed plan refuses imports (409). ' +
  `Limits: ${IMPORT_LIMITS.fileBytes / MiB} MiB per file (413), ${ZIP_LIMITS.maxUncompressedBytes / MiB} MiB unpacked for XLSX (413), ` +
  `${MAX_SHEET_ROWS} rows. Formulas, merged cells, duplicate codes, unknown organizations and impossible dates are row errors; ` +
  'a file that is not such a table (not XLSX/CSV, not UTF-8, a zip bomb, no header row) is 422 invalid-spreadsheet.';

const UPLOAD =
  `The file is the raw request body, with Content-Type text/csv or ${XLSX_MEDIA_TYPE} (application/octet-stream and ` +
  'application/vnd.ms-excel, which a browser on Windows gives a .csv, are read by their first bytes); its name comes ' +
  'from the filename query parameter or a Content-Disposition header (filename or filename*).';

/** The file name of a Content-Disposition header: filename* (RFC 8187) first, then filename. */
export function fileNameOf(header: string | undefined): string | null {
  if (!header) return null;
  let name: string | undefined;
  const extended = /filename\*\s*=\s*([\w-]*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      name = decodeURIComponent(extended[2]!.trim());
    } catch {
      name = undefined;
    }
  }
  if (name === undefined) {
    const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header) ?? /filename\s*=\s*([^;\s]+)/i.exec(header);
    name = quoted?.[1]?.replace(/\\(.)/g, '$1');
    // Headers arrive as latin1: a raw UTF-8 name (as curl sends a Cyrillic one) is decoded back.
    if (name && /[\u0080-\u00ff]/.test(name) && !/[^\u0000-\u00ff]/.test(name)) {
      try {
        name = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(name, 'latin1'));
      } catch {
        /* not UTF-8: keep it as it came */
      }
    }
  }
  const base = name?.split(/[/\\]/).pop()?.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return base ? base : null;
}

/**
 * Types that say nothing sure of the table's format, so its first bytes do: raw bytes, and Excel 97–2003's type, which a
 * browser on Windows with Excel installed gives every .csv it uploads from a form. A zip archive is a workbook, and so is
 * an Excel 97–2003 file (whose reader refuses it, saying how to save it); anything else is CSV text.
 */
const SNIFFED_TYPES = ['application/octet-stream', 'application/vnd.ms-excel'];

function mediaTypeOf(request: FastifyRequest, bytes: Buffer): string {
  const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!SNIFFED_TYPES.includes(type)) return type;
  const signature = bytes.length >= 4 ? bytes.readUInt32BE(0) : 0;
  return signature === 0x504b0304 || signature === 0xd0cf11e0 ? XLSX_MEDIA_TYPE : 'text/csv';
}

const importRoutes: FastifyPluginAsyncZod = async (app) => {
  const workbooks = xlsxReader();
  app.addHook('onClose', () => workbooks.close());
  const service = createImportService({ db: app.db, clock: app.clock }, workbooks);

  // Only the two table formats (and raw bytes) are bodies here; JSON and the rest are 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['text/csv', XLSX_MEDIA_TYPE, ...SNIFFED_TYPES], { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    done(null, new UploadedFile(bytes, mediaTypeOf(request, bytes), fileNameOf(request.headers['content-disposition'])));
  });

  const fileResponse = {
    description: 'The template, as an attachment.',
    content: {
      [XLSX_MEDIA_TYPE]: {
        schema: z.string().max(IMPORT_LIMITS.fileBytes).meta({ format: 'binary' }).describe('A workbook: the Plan sheet to fill, Instructions, Areas and, for a plan, Organizations and Meetings.'),
      },
      'text/csv': {
        schema: z
          .string()
          .max(100_000)
          .describe('UTF-8 with BOM, ";"-separated, CRLF: the header row, then an explanation row and an example row, both starting with "#".')
          .meta({ example: '\uFEFF№ / No;Мероприятие / Measure;…\r\n# Обязательно…;…\r\n# 1.1;Наращивание…;…\r\n' }),
      },
    },
  };

  app.get(
    '/plans/import-template',
    {
      schema: {
        operationId: 'getPlanImportTemplate',
        tags,
        summary: 'Download the template of a plan import',
        description:
          'The column layout the import reads, as a file to fill: headers in Russian and English, a row explaining each column and an ' +
          'example row (both start with "#", so the import skips them). With planId, one executors column per party of the plan\'s ' +
          "commission and, in the workbook, the commission's organizations and meetings to copy names from.\n\n" +
          LAYOUT,
        querystring: TemplateQuerySchema,
        response: { 200: fileResponse, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const file = await service.template(request.query);
      // The typed reply knows the documented bodies as strings; the workbook goes out as its bytes.
      return reply
        .type(file.mediaType)
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .send(file.body as string);
    },
  );

  const uploadSchema = {
    tags,
    params: IdParamsSchema,
    querystring: ImportQuerySchema,
    body: ImportFileSchema,
    consumes: ['text/csv', XLSX_MEDIA_TYPE],
  };

  app.post(
    '/plans/:id/import/preview',
    {
      bodyLimit: IMPORT_LIMITS.fileBytes,
      schema: {
        operationId: 'previewPlanImport',
        ...uploadSchema,
        summary: 'Preview the import of a roadmap table into a plan',
        description:
          'Reads the table and answers, row by row, what a commit would do: create a task, update one (matched by code, with each ' +
          'field before and after), leave it unchanged, or the errors of the row with their row, column and cell; also executors ' +
          'that match no organization, and the plan\'s tasks the file does not list. Nothing is written.\n\n' +
          `${UPLOAD}\n\n${LAYOUT}`,
        response: { 200: ImportResultSchema, ...problemResponses(400, 404, 413, 415, ERRORS.planStateConflict, ERRORS.invalidSpreadsheet) },
      },
    },
    async (request) => service.preview(request.params.id, request.body, request.query),
  );

  app.post(
    '/plans/:id/import',
    {
      bodyLimit: IMPORT_LIMITS.fileBytes,
      schema: {
        operationId: 'commitPlanImport',
        headers: ActionHeadersSchema,
        ...uploadSchema,
        querystring: CommitImportQuerySchema,
        summary: 'Import a roadmap table into a plan',
        description:
          'Applies the table in one transaction: every row, or none. While any row has errors the import is refused with 422 ' +
          'import-rows-invalid, listing them (preview first to see them with their cells). Each created or updated task is recorded ' +
          'in the history (operation commitPlanImport), and so is the import itself, on the plan (field "import": file name, SHA-256, ' +
          'counts). A commit that changes nothing writes nothing. If-Match names the plan\'s ETag; changesDigest, the preview\'s, ' +
          'makes sure the commit does exactly what the preview showed (412 otherwise); Idempotency-Key makes a retry return the first result.\n\n' +
          `${UPLOAD}\n\n${LAYOUT}`,
        response: { 200: ImportResultSchema, ...problemResponses(400, 404, 412, 413, 415, ERRORS.planStateConflict, ERRORS.invalidSpreadsheet, ERRORS.importRowsInvalid) },
      },
    },
    async (request, reply) => sendResource(request, reply, await service.commit(request.params.id, request.body, request.query, writeContext(request))),
  );
};

export default importRoutes;
