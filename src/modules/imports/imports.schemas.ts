// zod schemas of the plan import: the uploaded file, the query, and the preview (or commit) result.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { IdSchema } from '../../lib/common.schemas.js';
import { WORKSHEET_ROWS, XLSX_MEDIA_TYPE } from './imports.files.js';

/** Largest file the import accepts, and the limits behind it (documented in the routes and the README). */
export const IMPORT_LIMITS = {
  fileBytes: 5 * 1024 * 1024,
} as const;

export const IMPORT_MEDIA_TYPES = ['text/csv', XLSX_MEDIA_TYPE] as const;

/**
 * The request body of an import: the file's bytes, kept in a private field. What is enumerable — media type,
 * file name, size and SHA-256 — is what the idempotency fingerprint hashes, so a 5 MiB body is fingerprinted
 * by its digest instead of being serialized byte by byte.
 */
export class UploadedFile {
  readonly #bytes: Buffer;
  readonly mediaType: string;
  readonly fileName: string | null;
  readonly size: number;
  readonly sha256: string;

  constructor(bytes: Buffer, mediaType: string, fileName: string | null) {
    this.#bytes = bytes;
    this.mediaType = mediaType;
    this.fileName = fileName;
    this.size = bytes.length;
    this.sha256 = createHash('sha256').update(bytes).digest('hex');
  }

  get bytes(): Buffer {
    return this.#bytes;
  }
}

export const ImportFileSchema = z
  .custom<UploadedFile>((v) => v instanceof UploadedFile, 'send the file as the request body, as text/csv or an .xlsx workbook')
  .meta({
    type: 'string',
    format: 'binary',
    maxLength: IMPORT_LIMITS.fileBytes,
    description:
      'The table itself, as the raw body: an .xlsx workbook, or CSV text (UTF-8 with or without BOM; ";", "," or tab ' +
      `separated). At most ${IMPORT_LIMITS.fileBytes / 1024 / 1024} MiB.`,
  });

const FileNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[^\u0000-\u001f\u007f/\\]+$/, 'a file name without folders or control characters')
  .describe('The file name, as recorded in the history; else taken from Content-Disposition (filename or filename*).');

export const ImportQuerySchema = z.strictObject({
  filename: FileNameSchema.optional(),
  sheet: z
    .string()
    .trim()
    .min(1)
    .max(31)
    .optional()
    .describe('XLSX only: the worksheet to read; by default the first visible sheet whose header row names "№"/"No" and "Мероприятие"/"Measure".'),
});
export type ImportQuery = z.infer<typeof ImportQuerySchema>;

/** A digest of what an import does (changesDigest): 43 base64url characters of a SHA-256. */
const ChangesDigestSchema = z.string().length(43).regex(/^[A-Za-z0-9_-]{43}$/, 'the changesDigest of a preview: 43 letters, digits, - or _');

export const CommitImportQuerySchema = ImportQuerySchema.extend({
  changesDigest: ChangesDigestSchema.optional().describe(
    "The preview's changesDigest: the commit is refused with 412, and changes nothing, unless it would do exactly what that " +
      "preview showed (another officer may have edited one of the file's tasks since, which the plan's ETag does not tell).",
  ),
});
export type CommitImportQuery = z.infer<typeof CommitImportQuerySchema>;

export const TemplateQuerySchema = z.strictObject({
  format: z.enum(['xlsx', 'csv']).default('xlsx').describe('xlsx (default): a workbook with instructions; csv: UTF-8 with BOM, ";"-separated.'),
  planId: IdSchema.optional().describe(
    "A plan to tailor the template to: one executors column per party of its commission, and (XLSX) sheets listing the commission's organizations and meetings.",
  ),
});
export type TemplateQuery = z.infer<typeof TemplateQuerySchema>;

const MAX_ROWS = 2000;
/** Unmatched executors listed: a row's errors name all of its own, the list stays bounded however many a file names. */
export const MAX_UNMATCHED_EXECUTORS = 2000;
/** At most this many codes of tasks the file leaves out are named (a plan may have 100,000 tasks). */
export const MAX_TASKS_NOT_IN_FILE = 10_000;
/** Longest header the import reports back: a header cell is free text. */
const HEADER_MAX = 1000;
const RowNumberSchema = z.number().int().min(1).max(WORKSHEET_ROWS);
const CountSchema = z.number().int().min(0).max(MAX_ROWS);

export const ROW_ACTIONS = ['create', 'update', 'unchanged', 'error'] as const;

export const ImportFieldSchema = z
  .enum(['title', 'formOfCompletion', 'expectedResult', 'dueDate', 'assignees', 'basis', 'area', 'description', 'translations'])
  .describe('The task field, as in the Task representation.');

const RowErrorSchema = z
  .object({
    row: RowNumberSchema.describe('Row number as the spreadsheet shows it (for CSV, the record number; the header is a row).'),
    column: z.string().max(500).nullable().describe('The header of the column at fault, as the file writes it; null for the row as a whole.'),
    cell: z.string().max(20).nullable().describe('The cell, e.g. "E7"; null for the row as a whole.'),
    message: z.string().max(2000).describe('What is wrong and how to put it right.'),
  })
  .meta({ id: 'ImportRowError', description: 'One error of one row of an imported table.' });

const FieldChangeSchema = z
  .object({
    field: ImportFieldSchema,
    before: z.unknown().describe('The value now; null for a new task.'),
    after: z.unknown().describe('The value the import writes.'),
  })
  .describe('One field the import would change.');

const RowResultSchema = z
  .object({
    row: RowNumberSchema.describe('Row number as the spreadsheet shows it.'),
    code: z.string().max(200).nullable().describe('The task code of the row ("№"), null when the cell is empty.'),
    action: z.enum(ROW_ACTIONS).describe('create: a new task; update: the task with this code changes; unchanged: it already reads so; error: see errors.'),
    taskId: IdSchema.nullable().describe('The task: the existing one for update/unchanged; after a commit, also the created one.'),
    changes: z.array(FieldChangeSchema).max(20).optional().describe('create and update: the fields written, before and after.'),
    errors: z.array(RowErrorSchema).max(50).optional().describe('error: everything wrong with the row.'),
  })
  .describe('What the import does with one row.');

export const ImportResultSchema = z
  .object({
    planId: IdSchema,
    committed: z.boolean().describe('false for a preview (nothing was written); true once the commit has applied every row.'),
    fileName: z.string().max(255).nullable().describe('The file name given with the upload, if any.'),
    format: z.enum(['xlsx', 'csv']).describe('How the file was read.'),
    sheet: z.string().max(31).nullable().describe('XLSX: the worksheet read; null for CSV.'),
    otherSheets: z
      .array(z.string().max(31))
      .max(1000)
      .describe(
        'XLSX: the other worksheets (hidden ones too) whose header row the import also recognizes. They were not read: a plan ' +
          'split over several sheets is imported one sheet at a time, each named with ?sheet=. Empty for CSV.',
      ),
    separator: z.enum([';', ',', '\t']).nullable().describe('CSV: the separator found; null for XLSX.'),
    headerRow: RowNumberSchema.describe('The row holding the column headers.'),
    columns: z
      .array(
        z.object({
          header: z.string().max(HEADER_MAX).describe('As the file writes it.'),
          cell: z.string().max(20).describe('Where, e.g. "B1".'),
          reads: z.string().max(100).describe('What the import reads from it: code, title, dueDate, executors (BY, lead), basis, …'),
        }),
      )
      .max(200)
      .describe('The columns the import reads, as it understood them.'),
    ignoredColumns: z.array(z.string().max(HEADER_MAX)).max(200).describe('Headers the import does not read (e.g. the progress report\'s Status, Overdue).'),
    rows: z.array(RowResultSchema).max(MAX_ROWS).describe('Every data row, in file order.'),
    headings: z
      .array(
        z.object({
          row: RowNumberSchema.describe('The row of the heading, as Excel numbers it.'),
          text: z.string().max(500).describe('Its text, as the file writes it.'),
        }),
      )
      .max(MAX_ROWS)
      .describe(
        'Section headings between the measures, which the import skips: a row with one text only, alone in its cell or merged ' +
          'across the row ("1. Машиностроение", "II. Agriculture"), or that text beside the section\'s number in the number column ' +
          '("II." | "Торговля", "Раздел 2" | "Цифровизация"; a whole number "2" only over measures numbered "2.1", …), listed as ' +
          '"II. Торговля". In a bilingual file the name may come with its translations, each in the measure column or a ' +
          'translation column ("II." | "Торговля" | "Trade", with or without the number), listed as "II. Торговля / Trade"; a text ' +
          'in any other column makes the row a measure. The number is not kept: sections are no part of the plan. A number alone ' +
          'is not one, nor a measure\'s number ("2.3") beside its title and translation: those are measures with their cells missing.',
      ),
    repeatedHeaderRows: z
      .array(RowNumberSchema)
      .max(MAX_ROWS)
      .describe(
        'Rows under the header row that head the same columns again, which the import skips: the English header row of a ' +
          'bilingual template under the Russian one ("Code | Title | … | Due" under "№ | Мероприятие | … | Срок"), or the header ' +
          'repeated on each page of a table pasted from Word. Each column read holds its own field\'s header (in any language ' +
          'the header row may be in) or nothing, the number and the measure columns theirs.',
      ),
    summary: z
      .object({
        create: CountSchema.describe('Rows that create a task.'),
        update: CountSchema.describe('Rows that change a task.'),
        unchanged: CountSchema.describe('Rows that match their task already.'),
        errors: CountSchema.describe('Rows with errors: a commit is refused (422) while any remain.'),
      })
      .describe('How many rows of each action.'),
    unmatchedExecutors: z
      .array(z.object({ text: z.string().max(2000).describe('The executor as written.'), rows: z.array(RowNumberSchema).max(MAX_ROWS).describe('Rows that name it.') }))
      .max(MAX_UNMATCHED_EXECUTORS)
      .describe(
        `Executors that name no organization of the commission's parties: create them or correct the names. The first ${MAX_UNMATCHED_EXECUTORS}, ` +
          'in file order; the errors of each row name all of its own.',
      ),
    tasksNotInFile: z
      .array(z.string().max(32))
      .max(MAX_TASKS_NOT_IN_FILE)
      .describe(
        `Codes of the plan's tasks that the file does not list: the import leaves them as they are. The first ${MAX_TASKS_NOT_IN_FILE.toLocaleString('en')}, ` +
          'in code order; tasksNotInFileCount says how many there are.',
      ),
    tasksNotInFileCount: z.number().int().min(0).describe('How many of the plan\'s tasks the file does not list (tasksNotInFile names the first of them).'),
    changesDigest: ChangesDigestSchema.describe(
      'A digest of what the import does: every row\'s action, fields before and after, and errors, and the tasks not in the file. ' +
        'Pass a preview\'s to the commit (?changesDigest=) to have it refused unless it does exactly that.',
    ),
  })
  .meta({
    id: 'PlanImportResult',
    description: 'What an import of a roadmap table does (preview) or did (commit), row by row.',
    example: {
      planId: '019a7c2e-7a10-7000-8000-000000000010',
      committed: false,
      fileName: 'roadmap.xlsx',
      format: 'xlsx',
      sheet: 'План',
      otherSheets: [],
      separator: null,
      headerRow: 1,
      columns: [
        { header: '№', cell: 'A1', reads: 'code' },
        { header: 'Мероприятие', cell: 'B1', reads: 'title' },
        { header: 'Срок', cell: 'C1', reads: 'deadline' },
        { header: 'Ответственные исполнители', cell: 'D1', reads: 'executors' },
      ],
      ignoredColumns: ['Примечание'],
      rows: [
        {
          row: 2,
          code: '1.1',
          action: 'create',
          taskId: null,
          changes: [
            { field: 'title', before: null, after: 'Наращивание объёмов сборки тракторов' },
            { field: 'dueDate', before: null, after: '2026-12-31' },
          ],
        },
        { row: 3, code: '1.2', action: 'unchanged', taskId: '019a7c2e-7a10-7000-8000-000000000040' },
        {
          row: 4,
          code: '1.3',
          action: 'error',
          taskId: null,
          errors: [{ row: 4, column: 'Срок', cell: 'C4', message: 'no such calendar date: 31.02.2026' }],
        },
      ],
      headings: [{ row: 5, text: '2. Сельское хозяйство' }],
      repeatedHeaderRows: [],
      summary: { create: 1, update: 0, unchanged: 1, errors: 1 },
      unmatchedExecutors: [],
      tasksNotInFile: ['2.1'],
      tasksNotInFileCount: 1,
      changesDigest: '7jHcq_R6ooPsj5MqVSFB0-BoihK2T1HfBYw8sgMX3CA',
    },
  });

export type ImportResult = z.infer<typeof ImportResultSchema>;
export type RowResult = ImportResult['rows'][number];
export type RowError = z.infer<typeof RowErrorSchema>;
export type ImportField = z.infer<typeof ImportFieldSchema>;
