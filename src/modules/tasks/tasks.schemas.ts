// zod schemas of tasks (the measures of a plan), their assignees, filters and status transitions.
import { z } from 'zod';
import { ASSIGNEE_ROLES, LANGUAGES, ROLES, TASK_AREAS, TASK_STATUSES } from '../../db/enums.js';
import { CountrySchema, DateSchema, IdSchema, InstantSchema, MAX_DAYS, line, searchText, text } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';

export const TaskStatusSchema = z.enum(TASK_STATUSES).describe(
  'not_started → in_progress → done are the executors\' part; the secretariat closes a done task (removes it from control) or sends it back; on_hold and cancelled also exist.',
);
const AreaSchema = z.enum(TASK_AREAS).describe('Area of co-operation the measure belongs to.');
const AssigneeRoleSchema = z.enum(ASSIGNEE_ROLES).describe('lead: head executor; co_executor: takes part.');

const CodeSchema = z
  .string()
  .trim()
  .max(32, 'up to 32 characters')
  .regex(/^[0-9A-Za-z\u0400-\u04FF][0-9A-Za-z\u0400-\u04FF.\-/]{0,31}$/, 'letters, digits, ".", "-" or "/", up to 32')
  .describe('Number of the measure, unique in its plan, e.g. "2.3".');

const TranslationSchema = z
  .strictObject({
    title: line(1000).optional().describe('The title in this language.'),
    description: text(10000).optional().describe('The description in this language.'),
  })
  .describe('Title and description in one language.');

/** A translation as the API returns it. */
const TranslationOutSchema = z
  .object({
    title: z.string().max(1000).optional().describe('The title in this language.'),
    description: z.string().max(10000).optional().describe('The description in this language.'),
  })
  .describe('Title and description in one language.');

const TranslationsSchema = z
  .strictObject(Object.fromEntries(LANGUAGES.map((l) => [l, TranslationSchema.optional()])) as Record<
    (typeof LANGUAGES)[number],
    z.ZodOptional<typeof TranslationSchema>
  >)
  .describe('Optional translations of title and description: ru, be, kk, en.');

const BasisInputSchema = z
  .strictObject({
    meetingId: IdSchema.describe('The meeting whose protocol set this task.'),
    protocolItem: line(100).optional().describe('Item of the protocol, e.g. "3.2".'),
  })
  .describe('The meeting and protocol item that created the task.');

const AssigneeInputSchema = z
  .strictObject({
    organizationId: IdSchema.describe('The executing organization; its country must be a party of the commission.'),
    role: AssigneeRoleSchema,
  })
  .describe('An organization charged with the task.');

const AssigneesInputSchema = z
  .array(AssigneeInputSchema)
  .min(1)
  .max(20)
  .refine((a) => a.some((x) => x.role === 'lead'), 'at least one assignee must be the lead')
  .refine((a) => new Set(a.map((x) => x.organizationId)).size === a.length, 'an organization appears twice')
  .describe('Executors of the task: at least one lead, normally one per party.');

const optionalText = (max: number, what: string) => text(max).optional().describe(what);

const taskExample = {
  planId: '019a7c2e-7a10-7000-8000-000000000010',
  code: '1.1',
  title: 'Expand assembly of Belarus tractors at the joint venture in Kostanay',
  description: 'Raise localisation and output of MTZ tractors assembled in Kazakhstan.',
  area: 'mechanical_engineering',
  formOfCompletion: 'Report to the co-chairs',
  expectedResult: 'At least 1,500 tractors assembled a year',
  basis: { meetingId: '019a7c2e-7a10-7000-8000-000000000020', protocolItem: '2.1' },
  translations: { ru: { title: 'Расширение сборки белорусских тракторов в Костанае' } },
  dueDate: '2026-12-31',
  assignees: [
    { organizationId: '019a7c2e-7a10-7000-8000-000000000031', role: 'lead' },
    { organizationId: '019a7c2e-7a10-7000-8000-000000000032', role: 'lead' },
  ],
};

export const CreateTaskSchema = z
  .strictObject({
    planId: IdSchema.describe('The plan the task belongs to; it must not be closed.'),
    code: CodeSchema,
    title: line(1000).describe('What is to be done.'),
    description: optionalText(10000, 'Details of the measure.'),
    area: AreaSchema,
    formOfCompletion: optionalText(1000, 'How completion is evidenced, e.g. "signed agreement", "report".'),
    expectedResult: optionalText(2000, 'The result the measure should bring.'),
    basis: BasisInputSchema.optional(),
    translations: TranslationsSchema.optional(),
    dueDate: DateSchema.describe('Deadline of the task, YYYY-MM-DD.'),
    assignees: AssigneesInputSchema,
  })
  .meta({ id: 'CreateTask', description: 'A new task (measure) of a plan.', example: taskExample });

export const UpdateTaskSchema = z
  .strictObject({
    code: CodeSchema.optional(),
    title: line(1000).optional().describe('What is to be done.'),
    description: text(10000).nullable().optional().describe('Details; null clears.'),
    area: AreaSchema.optional(),
    formOfCompletion: text(1000).nullable().optional().describe('How completion is evidenced; null clears.'),
    expectedResult: text(2000).nullable().optional().describe('The result expected; null clears.'),
    basis: BasisInputSchema.nullable().optional().describe('The meeting and protocol item that created the task; null clears.'),
    translations: TranslationsSchema.optional().describe('Replaces all translations.'),
    dueDate: DateSchema.optional().describe(
      'Only while the plan is a draft; once approved, deadlines change through deadline changes.',
    ),
    assignees: AssigneesInputSchema.optional().describe('Replaces all assignees.'),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .meta({
    id: 'UpdateTask',
    description: 'Fields to change; absent fields stay. Status changes through transitions, deadlines of approved plans through deadline changes.',
    example: { title: 'Expand assembly of MTZ tractors in Kostanay', expectedResult: 'At least 2,000 tractors a year' },
  });

const AssigneeSchema = z
  .object({
    organizationId: IdSchema,
    role: AssigneeRoleSchema,
    name: z.string().max(300).describe('Name of the organization.'),
    shortName: z.string().max(100).nullable().describe('Short name, if any.'),
    country: CountrySchema.describe('Country of the organization, ISO 3166-1 alpha-2.'),
  })
  .meta({ id: 'Assignee', description: 'An executor of a task.' });

const CompletionSchema = z
  .object({
    completedOn: DateSchema.describe('Day the task was reported done, in the commission\'s time zone.'),
    againstDueDate: z.enum(['on_time', 'late']).describe('Against the due date in force.'),
    againstOriginalDueDate: z.enum(['on_time', 'late']).describe('Against the first due date, before postponements.'),
    daysLate: z.number().int().min(0).max(MAX_DAYS).describe('Days after the current due date it was completed.'),
  })
  .describe('How a closed task did against its deadlines.');

export const TaskSchema = z
  .object({
    id: IdSchema,
    planId: IdSchema.describe('The plan the task belongs to.'),
    commissionId: IdSchema.describe('The commission of the plan.'),
    code: z.string().max(32).describe('Number of the measure, unique in its plan.'),
    title: z.string().max(1000).describe('What is to be done.'),
    description: z.string().max(10000).nullable().describe('Details of the measure.'),
    area: AreaSchema,
    formOfCompletion: z.string().max(1000).nullable().describe('How completion is evidenced.'),
    expectedResult: z.string().max(2000).nullable().describe('The result expected.'),
    basis: z
      .object({
        meetingId: IdSchema.describe('The meeting whose protocol set the task.'),
        protocolItem: z.string().max(100).nullable().describe('Item of the protocol.'),
      })
      .nullable()
      .describe('The meeting and protocol item that created the task.'),
    // One optional property per language rather than a partialRecord, which is published as propertyNames and
    // typed `{ [key: string]: … }` by generators: `translations.en.title` would compile unchecked and throw.
    translations: z
      .strictObject(
        Object.fromEntries(LANGUAGES.map((l) => [l, TranslationOutSchema.optional()])) as Record<
          (typeof LANGUAGES)[number],
          z.ZodOptional<typeof TranslationOutSchema>
        >,
      )
      .describe('Translations of title and description by language.'),
    dueDate: DateSchema.describe('Current deadline, YYYY-MM-DD.'),
    originalDueDate: DateSchema.describe(
      'The deadline in force when the plan was approved (or when the task was created in an approved plan): while the plan is a draft it follows the due date; from approval on only deadline changes move dueDate away from it.',
    ),
    postponementCount: z.number().int().min(0).describe('How many times the deadline was moved later.'),
    status: TaskStatusSchema,
    statusChangedAt: InstantSchema,
    completedAt: InstantSchema.nullable().describe('When the task was last reported done; null if it is not.'),
    closedAt: InstantSchema.nullable().describe('When the secretariat closed the task.'),
    overdue: z
      .boolean()
      .describe(
        'Due before today (commission time zone) and neither closed nor cancelled. In a closed plan, which is read-only, ' +
          'the task is judged as of the day the plan was closed (the date of its closedAt in the commission time zone): ' +
          'overdue if due before that day, and it stays so, no later, from then on.',
      ),
    daysOverdue: z
      .number()
      .int()
      .min(0)
      .max(MAX_DAYS)
      .describe("Days past the due date up to today, or up to its plan's closing day in a closed plan; 0 when not overdue."),
    completion: CompletionSchema.nullable().describe('How a closed task did against its deadlines; null unless the task is closed.'),
    assignees: z.array(AssigneeSchema).max(20).describe('Executors, leads first.'),
    createdAt: InstantSchema,
    updatedAt: InstantSchema,
  })
  .meta({
    id: 'Task',
    description: 'A measure of a plan, with its derived overdue state.',
    example: {
      id: '019a7c2e-7a10-7000-8000-000000000040',
      ...taskExample,
      commissionId: '019a7c2e-7a10-7000-8000-000000000001',
      basis: { meetingId: '019a7c2e-7a10-7000-8000-000000000020', protocolItem: '2.1' },
      originalDueDate: '2026-10-31',
      postponementCount: 1,
      status: 'in_progress',
      statusChangedAt: '2026-09-01T08:00:00.000Z',
      completedAt: null,
      closedAt: null,
      overdue: false,
      daysOverdue: 0,
      completion: null,
      assignees: [
        { organizationId: '019a7c2e-7a10-7000-8000-000000000031', role: 'lead', name: 'Ministry of Industry of the Republic of Belarus', shortName: 'Minprom', country: 'BY' },
        { organizationId: '019a7c2e-7a10-7000-8000-000000000032', role: 'lead', name: 'Ministry of Industry and Construction of the Republic of Kazakhstan', shortName: 'MIC RK', country: 'KZ' },
      ],
      createdAt: '2026-06-01T08:00:00.000Z',
      updatedAt: '2026-09-01T08:00:00.000Z',
    },
  });

export const TaskPageSchema = pageSchema(TaskSchema, 'TaskPage', 'A page of tasks, by plan then code ("2.9" before "2.10").');

const booleanQuery = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true');

/**
 * Accepts `name=a&name=b` and `name=a,b` (at least one, at most as many as there are values), read as the set of
 * values in their declared order. The document names the values on both forms: the array's items are the enum, the
 * string's pattern a comma-separated list of them.
 */
const enumListQuery = <const T extends readonly [string, ...string[]]>(values: T) => {
  const one = `(?:${values.join('|')})`;
  const expected = `one or more of ${values.join(', ')}, separated by commas`;
  return z
    .union(
      [
        // Spaces and empty parts are let through (`a, b,`), and left out below, but not a list of none (`""`, `,`),
        // which the array form below refuses: the published pattern must not accept what the service then refuses.
        // Each space can be matched one way only (before a value, or after one): with two adjacent ` *`
        // (`^ *(?:a|b)? *(?:, *(?:a|b)? *)*$`) the spaces of every empty part split two ways, and refusing
        // `, , , … x` backtracked through 2^parts of them.
        z.string().max(200).regex(new RegExp(`^ *(?:, *)*${one} *(?:, *(?:${one} *)?)*$`), { error: expected }),
        z.array(z.enum(values)).min(1).max(values.length),
      ],
      // The repeated form's wrong value fails the union as a whole (the string form's failure is its own issue).
      { error: expected },
    )
    .transform((v) => (Array.isArray(v) ? v : v.split(',').map((s) => s.trim()).filter(Boolean)))
    .pipe(z.array(z.enum(values)).min(1).max(values.length))
    // One set, one value: `b,a`, `a,b` and `a,a,b` are the same filter, so a cursor of one pages the others (its
    // filters hash) and they share one prepared statement and one cached answer.
    .transform((list): T[number][] => values.filter((v) => list.includes(v)));
};

/** What a task may be waiting for from the secretariat (or a co-chair, for a review). */
export const AWAITING = ['deadline_decision', 'report_review'] as const;
export type Awaiting = (typeof AWAITING)[number];

export const ListTasksQuerySchema = z
  .strictObject({
    ...pageQuery,
    planId: IdSchema.optional().describe('Only tasks of this plan.'),
    code: CodeSchema.optional().describe('Only the task with exactly this code (with planId: at most one).'),
    organizationId: IdSchema.optional().describe('Only tasks this organization executes (lead or co-executor).'),
    party: CountrySchema.optional().describe('Only tasks with an assignee of this country.'),
    area: AreaSchema.optional(),
    // The values are written out: /docs shows a list parameter as a bare text field, with no drop-down to pick from.
    status: enumListQuery(TASK_STATUSES)
      .optional()
      .describe(`Only tasks in these statuses, of ${TASK_STATUSES.map((s) => `\`${s}\``).join(', ')}: repeat the parameter or separate with commas.`),
    awaiting: enumListQuery(AWAITING)
      .optional()
      .describe(
        'Only tasks waiting for a decision: `deadline_decision`, a deadline change asked for and not yet decided; ' +
          '`report_review`, a progress report submitted and not yet reviewed. Both (repeated or separated with commas): ' +
          'either. With `status=done` (reported done, not yet closed or sent back), the secretariat\'s whole queue; a plan ' +
          'is closed only once none is left.',
      ),
    overdue: booleanQuery
      .optional()
      .describe(
        "true: only overdue tasks; false: only tasks that are not overdue, as each task's `overdue` says (judged on today in " +
          "its commission's time zone, or on the day its plan was closed).",
      ),
    dueFrom: DateSchema.optional().describe('Only tasks due on or after this date.'),
    dueTo: DateSchema.optional().describe('Only tasks due on or before this date.'),
    q: searchText(200).optional().describe('Free text, case-insensitive ("е" and "ё" alike), in code, title, description and translations.'),
  })
  .refine((q) => !q.dueFrom || !q.dueTo || q.dueFrom <= q.dueTo, { message: 'dueFrom is after dueTo', path: ['dueFrom'] });

export type ListTasksQuery = z.infer<typeof ListTasksQuerySchema>;

export const TransitionRequestSchema = z
  .strictObject({
    to: TaskStatusSchema.describe('The status to move the task to.'),
    comment: text(2000).optional().describe('Why; shown in the task\'s transition log.'),
  })
  .meta({ id: 'TransitionRequest', description: 'A status transition of a task.', example: { to: 'done', comment: 'Agreement signed on 4 November.' } });

export const StatusChangeSchema = z
  .object({
    id: IdSchema,
    taskId: IdSchema.describe('The task that moved.'),
    from: TaskStatusSchema.describe('Status before.'),
    to: TaskStatusSchema.describe('Status after.'),
    comment: z.string().max(2000).nullable().describe('Why, as given by the caller.'),
    actor: z
      .object({
        keyId: IdSchema.nullable().describe('The API key used; null for transitions recorded before keys existed.'),
        role: z.enum(ROLES).describe('Role of the caller.'),
        organizationId: IdSchema.nullable().describe('Organization of a ministry caller.'),
      })
      .describe('Who moved the task.'),
    changedAt: InstantSchema,
  })
  .meta({
    id: 'StatusChange',
    description: 'One status transition of a task.',
    example: {
      id: '019a7c2e-7a10-7000-8000-000000000050',
      taskId: '019a7c2e-7a10-7000-8000-000000000040',
      from: 'in_progress',
      to: 'done',
      comment: 'Agreement signed on 4 November.',
      actor: { keyId: '019a7c2e-7a10-7000-8000-0000000000a1', role: 'ministry', organizationId: '019a7c2e-7a10-7000-8000-000000000031' },
      changedAt: '2026-11-05T10:00:00.000Z',
    },
  });

export const StatusChangePageSchema = pageSchema(StatusChangeSchema, 'StatusChangePage', 'A page of status transitions, oldest first.');

export const ListStatusChangesQuerySchema = z.strictObject({ ...pageQuery });

export type Task = z.infer<typeof TaskSchema>;
export type CreateTask = z.infer<typeof CreateTaskSchema>;
export type UpdateTask = z.infer<typeof UpdateTaskSchema>;
export type StatusChange = z.infer<typeof StatusChangeSchema>;
export type TransitionRequest = z.infer<typeof TransitionRequestSchema>;
