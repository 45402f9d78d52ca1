// zod schemas shared by every module: ids, calendar dates, instants, countries, problems, pages.
import { z } from 'zod';
import { ERRORS, type ErrorSpec } from '../errors.js';
import { isAssignedCountry } from './countries.js';

/**
 * Ids are read in lower case, as RFC 9562 has UUIDs (case-insensitive on input): a system that keeps them as SQL Server
 * GUIDs sends them in capitals, and was answered 404 for a task it had just read, or an empty list for its filter.
 */
export const IdSchema = z.uuid().length(36).toLowerCase().describe('Opaque identifier (a time-ordered UUID; read in either case, written in lower case).');

export const IdParamsSchema = z.strictObject({ id: IdSchema });

/** The query of an operation that takes no parameter there: none is accepted (an unknown one is refused, not ignored). */
export const NoQuerySchema = z.strictObject({});

/** True when 'YYYY-MM-DD' names a real day: Date would roll 2026-02-30 over to March. */
export function isCalendarDate(value: string): boolean {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1000 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export const DateSchema = z
  .string()
  // One message for one fault: a wrong shape stops the checks (abort), so an instant sent for a date is not also told
  // that its day does not exist.
  .length(10, { message: 'expected a date as YYYY-MM-DD', abort: true })
  // Years 1000 to 9999: four digits without a leading zero (Date.UTC reads years 0–99 as 1900–1999, and nothing a
  // commission plans happened before the year 1000).
  .regex(/^[1-9]\d{3}-\d{2}-\d{2}$/, { message: 'expected a date as YYYY-MM-DD, years 1000 to 9999', abort: true })
  .refine(isCalendarDate, 'no such calendar date')
  .describe('A calendar date, YYYY-MM-DD (years 1000 to 9999).')
  .meta({ format: 'date', example: '2026-12-31' });

/** Written by the service as toISOString() (24 characters); 64 leaves room for offsets and fractions sent as filters. */
/** No two dates of DateSchema (years 1000 to 9999, so less than 0000 to 9999) are further apart: the bound of a count of days between two. */
export const MAX_DAYS = 3_652_425;

export const InstantSchema = z.string().max(64).meta({ format: 'date-time' }).describe('An instant, RFC 3339 in UTC.');

export const CountrySchema = z
  .string()
  .length(2, 'expected an ISO 3166-1 alpha-2 code such as BY or KZ')
  .regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as BY or KZ')
  .describe('Country, ISO 3166-1 alpha-2 (e.g. BY, KZ).');

/**
 * A country that is written: also one of the codes ISO 3166-1 assigns (src/lib/countries.ts). Reads and filters keep
 * CountrySchema, so a row written before this check is still served.
 */
export const CountryInputSchema = CountrySchema.refine(isAssignedCountry, 'not an assigned ISO 3166-1 alpha-2 code (the United Kingdom is GB)');

/**
 * Characters that show nothing and that text copied from web pages and Word carries along: zero-width space, word
 * joiner, byte-order mark (zero-width no-break space), soft hyphen. Left in, "Мин<soft hyphen>пром" looked like
 * "Минпром" but no search or import found it, and "1.1" followed by one was no task number.
 */
export const INVISIBLE = /[\u200B\u2060\uFEFF\u00AD]/g;

const withoutInvisible = (value: string) => value.replace(INVISIBLE, '');

/**
 * The line breaks text() reads, each stored as one LF: CRLF and a lone CR (Windows and classic Mac text; every browser
 * posts a textarea with CRLF), VT and FF (Word's manual line break, Shift+Enter, and its page break, as Word's object
 * model and its macros give them), NEL (U+0085) and the Unicode line and paragraph separators U+2028 and U+2029 (PDF
 * readers, InDesign, macOS text). Stored as sent, the same paragraph pasted on two machines was two values: a directory
 * synchronised from Windows recorded a change of every description it sent back, an import of the same file showed
 * updates of nothing, and "\r" or U+2028 counted twice against the limit or showed differently in every viewer (a
 * JavaScript consumer splitting on "\n" read one line; U+2028 ended a JavaScript string literal). A paragraph separator
 * is one LF too, not a blank line: a paragraph pasted from Word arrives as one CRLF, and the same text from a PDF must
 * read alike.
 */
export const LINE_BREAK = /\r\n|[\r\u000B\u000C\u0085\u2028\u2029]/g;

const withLf = (value: string) => value.replace(LINE_BREAK, '\n');

/** The first character of `value` that text() refuses, named so a caller can find an invisible one. */
function refusedControl(value: unknown): string {
  const found = typeof value === 'string' ? /[\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]/.exec(value)?.[0] : undefined;
  if (found === undefined) return 'control characters are not accepted';
  const code = `U+${found.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  // U+0080 to U+009F are what Windows-1252 or -1251 punctuation (dashes, quotes, ellipsis, €) becomes when its bytes are
  // read as ISO 8859-1: the sender's decoding is wrong, and whatever else it holds is likely garbled too.
  return found >= '\u0080'
    ? `control character ${code} is not accepted: a C1 control character in text usually means it was decoded in the wrong encoding (Windows-1252 or Windows-1251 read as ISO 8859-1); send the text as UTF-8`
    : `control character ${code} is not accepted; tabs and line breaks are`;
}

/**
 * Half a character: a UTF-16 surrogate without its other half, which JSON's \u escapes can carry ("\ud83d" alone, a
 * string cut between the two halves of an emoji by a client that counts UTF-16 units). SQLite stores text as UTF-8, which
 * has no such half, so each became U+FFFD ("���" read back): the caller's text altered without a word, and the
 * altered value recorded in the history as a change. Refused, naming where, before anything else reads the text.
 */
function halfCharacter(value: string): string | undefined {
  if (value.isWellFormed()) return undefined;
  const at = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(value);
  const unit = at?.[0].charCodeAt(0).toString(16).toUpperCase() ?? '';
  // Counted in characters (code points), as most languages count them; a JavaScript client's index would count an
  // emoji before it twice.
  const before = [...value.slice(0, at?.index ?? 0)].length;
  return `the text holds half a character (a lone UTF-16 surrogate, U+${unit}, after ${before} characters): send whole characters, e.g. both \\u escapes of an emoji`;
}

/** A string of whole characters (see halfCharacter), checked first: the overwrites and checks after it read characters. */
const wholeCharacters = () =>
  z.string().check(
    z.superRefine((value: string, ctx) => {
      const refused = halfCharacter(value);
      if (refused !== undefined) ctx.addIssue({ code: 'custom', message: refused, input: value, abort: true });
    }),
  );

/**
 * A trimmed, non-empty, bounded text, composed (NFC), without invisible characters, with every line break as LF
 * (LINE_BREAK). Other control characters than tab and line breaks are refused, the C1 ones (U+0080 to U+009F) too: no
 * one types them, they would reach the iCalendar feed (RFC 5545 allows none) and the printable page as they are, and
 * they are most often the sign of a wrong decoding. Composed, because "й" or "ё" may arrive as a letter and a combining
 * mark (macOS, some Word exports): stored as sent, the same name had two spellings, and a search or an import typed on
 * another machine never found it. The published pattern lets the line breaks through, since they are read, not refused.
 */
export const text = (max: number) =>
  wholeCharacters()
    .overwrite(withoutInvisible)
    .overwrite(withLf)
    .trim()
    .normalize('NFC')
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F]*$/, { error: (issue) => refusedControl(issue.input) });

/**
 * Trimmed, composed, without invisible characters, bounded, and without any control character (C0 with tab, LF and CR;
 * DEL; C1 with NEL, U+0085) or the Unicode line and paragraph separators, in one character class: one pattern in the
 * published schema (see searchText). `refused` is what a caller is told.
 */
const singleLine = (max: number, refused: string) =>
  wholeCharacters()
    .overwrite(withoutInvisible)
    .trim()
    .normalize('NFC')
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u001F\u007F-\u009F\u2028\u2029]*$/, refused);

/**
 * text() on one line, for names, titles, numbers and units. A line break in one broke every place that shows it as a
 * line: list views, the iCalendar SUMMARY (an event title of several lines), the cells of the spreadsheet export, the
 * printable report. Refused, not collapsed into a space: an integrator learns at once that the field is one line, rather
 * than reading back a value other than the one sent. The spreadsheet import, where Alt+Enter in a title cell is common,
 * collapses before it validates (oneLine in imports.columns.ts). Responses keep plain strings: rows written before are
 * still served.
 */
export const line = (max: number) => singleLine(max, 'line breaks, tabs and other control characters are not accepted in a one-line field');

/**
 * Text to search for, composed and without invisible characters as text() stores it. Control characters are refused:
 * none is ever searched for, and SQLite ends a LIKE or GLOB pattern at NUL, so `q=%00` matched every row. One pattern,
 * not text()'s and a stricter one on top: zod publishes a second .regex() as `allOf` members without a type, which
 * generated clients type `unknown` (or fail to compile).
 */
export const searchText = (max: number) =>
  // line()'s class: no stored one-line value, and no line of a stored text, holds any of these, so a search for one
  // found nothing at best.
  singleLine(max, 'line breaks and control characters cannot be searched for');

export const FieldErrorSchema = z
  .object({
    path: z.string().max(500).describe('Where the bad value is: location then field, e.g. `body.dueDate`.'),
    message: z.string().max(1000).describe('What is wrong with it.'),
  })
  .meta({ id: 'FieldError', description: 'One invalid field of a refused request.' });

/** Longest `detail` and `instance` of a problem: the problem-details plugin cuts longer ones to these. */
export const PROBLEM_DETAIL_MAX = 4000;
export const PROBLEM_INSTANCE_MAX = 2048;

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

// The catalog in the document itself: a client generated from it branches on these codes, and has no src/errors.ts.
const PROBLEM_CODE_DESCRIPTION =
  'The stable error code (last segment of `type`), one of the catalog: ' +
  Object.values(ERRORS)
    .map((s: ErrorSpec) => `\`${s.code}\` (${[s.status, ...(s.alsoStatuses ?? [])].join(' or ')}, ${lowerFirst(s.title)})`)
    .join('; ') +
  '. The `detail` says what to do about this occurrence.';

export const ProblemSchema = z
  .object({
    type: z.url().max(200).describe('URI that identifies the kind of problem; stable.'),
    title: z.string().max(200).describe('Short summary of the kind of problem.'),
    status: z.number().int().min(400).max(599).describe('HTTP status code.'),
    detail: z.string().max(PROBLEM_DETAIL_MAX).describe('Explanation of this occurrence.'),
    instance: z.string().max(PROBLEM_INSTANCE_MAX).describe('The request path that failed.'),
    code: z.string().max(100).describe(PROBLEM_CODE_DESCRIPTION),
    requestId: z.string().max(100).optional().describe('Identifier of the request in the service logs.'),
    errors: z.array(FieldErrorSchema).max(100).optional().describe('The fields at fault, for validation failures.'),
  })
  .meta({
    id: 'Problem',
    description: 'An RFC 9457 problem document (media type application/problem+json).',
    example: {
      type: 'https://commission-plan-tracker.example/problems/validation-failed',
      title: 'The request is not valid',
      status: 400,
      detail: 'body.dueDate: no such calendar date',
      instance: '/v1/tasks',
      code: 'validation-failed',
      requestId: 'req-1',
      errors: [{ path: 'body.dueDate', message: 'no such calendar date' }],
    },
  });

export const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or fails validation.',
  401: 'No API key, or one that is unknown or revoked.',
  403: 'The caller may not take this action on this resource.',
  404: 'The resource does not exist.',
  405: 'The path exists but not with this method; the Allow header lists its methods.',
  406: 'The Accept header names no media type this operation can produce.',
  409: 'The request conflicts with the current state of the resource.',
  413: 'The request body is larger than the configured limit.',
  412: 'If-Match named an ETag the resource no longer has; nothing changed. Read it again, then retry.',
  415: 'The request body is not in a media type this operation reads (JSON here, unless the operation says otherwise), is not UTF-8, or is compressed (Content-Encoding).',
  422: 'The request refers to something that does not exist or cannot be used.',
  429: 'Too many requests for this key, or too many failed authentications from this address.',
  500: 'An unexpected error of the service; quote the requestId when you report it.',
  503: 'The service or its database is not available for now (see detail); nothing was done. Retry after the seconds of Retry-After, when given.',
};

/** The codes a route's problem response of a status may carry, in its description: `code` (title), in catalog terms. */
const codesSentence = (specs: readonly ErrorSpec[]) =>
  `Its \`code\` is ${specs.length > 1 ? 'one of ' : ''}${specs.map((s) => `\`${s.code}\` (${lowerFirst(s.title)})`).join(', ')}.`;

/**
 * Problem responses for a route, declared once and spread into each route schema: a status, or the catalog entries the
 * route answers with, whose codes the status's description lists (the document's examples show each). A 409 or 422
 * is always given by its entries: which conflicts an operation has is what a client branches on. Those of an
 * Idempotency-Key are added to every operation that takes one (documentResponses).
 */
export function problemResponses(...items: (number | ErrorSpec)[]) {
  const out: Record<number, { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }> =
    {};
  const specs = new Map<number, ErrorSpec[]>();
  for (const item of items) {
    if (typeof item === 'number') specs.set(item, specs.get(item) ?? []);
    else specs.set(item.status, [...(specs.get(item.status) ?? []), item]);
  }
  for (const [s, codes] of [...specs].sort(([a], [b]) => a - b)) {
    out[s] = {
      description: [PROBLEM_DESCRIPTIONS[s] ?? 'Error.', codes.length > 0 ? codesSentence(codes) : ''].filter(Boolean).join(' '),
      content: { 'application/problem+json': { schema: ProblemSchema } },
    };
  }
  return out;
}

const ifMatch = z
  .string()
  .max(2000)
  .optional()
  .describe(
    'Optional. The ETag you last read (e.g. "3q2-7w"): the write happens only if the resource still has it, else 412 and ' +
      'nothing changes. Without it, the last writer wins.',
  );
const ifNoneMatch = z
  .string()
  .max(2000)
  .optional()
  .describe('Optional. The ETag you already hold: 304 with no body while the resource still has it.');
const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
  .optional()
  .describe(
    'Optional. A unique key (a UUID is best) for this request, scoped to your API key and kept 24 hours: a retry with the ' +
      'same key and body replays the first response (header Idempotent-Replayed: true), the same key with another body ' +
      'is 422, and a request sent again while the first is still running is 409 (retry it: it then replays). The key is ' +
      'recorded in the same transaction as the write, so a retry after a lost response never acts twice.',
  );

/** Headers of a read of one resource: conditional on its ETag. Other headers pass through. */
export const ReadHeadersSchema = z.looseObject({ 'if-none-match': ifNoneMatch });
/** Headers of a change to an existing resource (PATCH, DELETE). */
export const ChangeHeadersSchema = z.looseObject({ 'if-match': ifMatch });
/** Headers of a POST that creates something. */
export const CreateHeadersSchema = z.looseObject({ 'idempotency-key': idempotencyKey });
/** Headers of a POST that acts on an existing resource (approve, transition, decide). */
export const ActionHeadersSchema = z.looseObject({ 'if-match': ifMatch, 'idempotency-key': idempotencyKey });
