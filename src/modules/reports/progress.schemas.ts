// The co-chairs' progress report: its query and its JSON shape, which CSV, XLSX and HTML render.
// This file is the contract between the computation (progress.service.ts) and the renderings.
import { z } from 'zod';
import { CONFIDENCE_LEVELS, LANGUAGES, PLAN_STATUSES, TASK_AREAS, TASK_STATUSES } from '../../db/enums.js';
import { CountrySchema, DateSchema, IdSchema, InstantSchema, MAX_DAYS } from '../../lib/common.schemas.js';

export const REPORT_FORMATS = ['json', 'csv', 'xlsx', 'html'] as const;
export const CSV_DIALECTS = ['rfc4180', 'excel-ru'] as const;
export type CsvDialect = (typeof CSV_DIALECTS)[number];
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const ProgressReportQuerySchema = z
  .strictObject({
    planId: IdSchema.optional().describe('The plan to report on. Give planId or commissionId.'),
    commissionId: IdSchema.optional().describe('Every approved or closed plan of this commission.'),
    asOf: DateSchema.optional().describe(
      'The day the report describes, in the commission\'s time zone; default today. A past date shows the plan as it stood at the end of that day; with planId, a day before the plan was approved is refused (422), as a draft plan is today (409).',
    ),
    format: z
      .enum(REPORT_FORMATS)
      .optional()
      .describe('Overrides the Accept header: json, csv, xlsx or html. With lang ru, be or kk the page and the workbook are in Russian.'),
    lang: z
      .enum(LANGUAGES)
      .optional()
      .describe(
        'Show task titles in this language where a translation exists. For ru, be and kk the report is read in Russian, the ' +
          "commission's working language: the html page's words, dates (28.11.2026) and numbers (1 210; 16,7 %); the xlsx " +
          "workbook's sheet names, headings, statuses, areas and confidence as words, dates shown dd.mm.yyyy (its Tasks sheet " +
          "still imports back); the csv's total row labelled 'Итого'. JSON values and CSV headers do not change.",
      ),
    table: z
      .enum(['breakdown', 'tasks'])
      .optional()
      .describe('CSV only: the breakdown by party, organization and area (default), or one row per task. The other formats hold both and ignore it.'),
    dialect: z
      .enum(CSV_DIALECTS)
      .optional()
      .describe(
        'CSV only: `rfc4180` (default), fields separated by commas, decimals with a point, for programs; `excel-ru`, fields separated ' +
          'by semicolons, decimals with a comma, as Excel and LibreOffice with Russian (Belarusian, Kazakh) regional settings open a ' +
          'CSV file by double-click, task codes written as text formulas (`="1.3"`: bare, Excel reads 1.3 as a date). The other ' +
          'formats ignore it.',
      ),
  })
  .refine((q) => (q.planId === undefined) !== (q.commissionId === undefined), {
    message: 'give exactly one of planId and commissionId',
    path: ['planId'],
  });
export type ProgressReportQuery = z.infer<typeof ProgressReportQuerySchema>;

const count = (what: string) => z.number().int().min(0).describe(what);
export const StatusCountsSchema = z
  .object(Object.fromEntries(TASK_STATUSES.map((s) => [s, count(`Tasks ${s}.`)])) as Record<(typeof TASK_STATUSES)[number], z.ZodNumber>)
  .describe('Tasks by status.');
const ConfidenceCountsSchema = z
  .object({
    green: count('Latest reports with green confidence.'),
    amber: count('Latest reports with amber confidence.'),
    red: count('Latest reports with red confidence.'),
    none: count('Assignments (task × executing organization) with no report yet; cancelled tasks are left out of all four.'),
  })
  .describe('Delivery confidence of the latest report of each assignment (task × organization), as of the date.');

/** The same figures for the whole scope and for each party, organization and area. */
export const BreakdownSchema = z
  .object({
    taskCount: count('Tasks in this group.'),
    byStatus: StatusCountsSchema,
    percentByStatus: z
      .object(
        Object.fromEntries(TASK_STATUSES.map((s) => [s, z.number().min(0).max(100).describe(`Percent of the tasks ${s}.`)])) as Record<
          (typeof TASK_STATUSES)[number],
          z.ZodNumber
        >,
      )
      .describe(
        'Share of the group\'s tasks by status, in percent, one decimal (half up). Each share is rounded on its own, as in ' +
          'statistical tables, so together they may make 99.9 or 100.1 (1 of 3 is 33.3 each); `byStatus` has the exact counts.',
      ),
    closedOnTime: count('Closed tasks reported done on or before their due date.'),
    closedLate: count('Closed tasks reported done after their due date.'),
    closedOnTimeAgainstOriginal: count(
      'Closed tasks reported done on or before their original due date, the one first set: closedOnTime less those on time ' +
        'only because their deadline was moved later, plus those late only because it was moved earlier.',
    ),
    overdue: count("Tasks past their due date, neither closed nor cancelled, as of the date (a closed plan's as of the day it was closed, if earlier)."),
    overdueDays: count('Sum of the days overdue of those tasks.'),
    dueNext30Days: count('Tasks neither closed nor cancelled due on the date or within the 30 days after it (a task due on the date is not yet overdue), in plans not closed by the date.'),
    postponedTasks: count('Tasks whose deadline was moved later at least once.'),
    postponements: count('Moves of a deadline to a later date.'),
    daysMoved: count('Total days deadlines were moved later.'),
    confidence: ConfidenceCountsSchema,
    missingReports: count(
      'Assignments of tasks neither closed nor cancelled at the submission deadline of the last period already due (and created, ' +
        'their plan approved and not yet closed, and the organization on the task at the end of that day, even if taken off and ' +
        'put back since) with no report for that period as of the date.',
    ),
  })
  .meta({
    id: 'ProgressBreakdown',
    description:
      'Progress figures of a group of tasks. Task figures count each task of the group once; assignment figures ' +
      '(confidence, missingReports) count the group\'s assignments (task × executing organization): for a party, those ' +
      'of its organizations; for an organization, its own; for an area and the totals, all of the tasks\' assignments.',
  });

const GroupSchema = (key: z.ZodType, what: string) =>
  BreakdownSchema.extend({
    key: key.describe(what),
    // A party's country name, an organization's name (up to 300) or an area's name.
    label: z.string().max(300).describe('How the group is named for people.'),
  });

export const ReportTaskSchema = z
  .object({
    taskId: IdSchema.describe('The task.'),
    planId: IdSchema.describe('The plan of the task.'),
    code: z.string().max(32).describe('Task code, e.g. "2.10".'),
    title: z.string().max(1000).describe('Title, in the requested language where translated.'),
    area: z.enum(TASK_AREAS).describe('Area of co-operation of the task.'),
    status: z.enum(TASK_STATUSES).describe('Status as of the date.'),
    dueDate: DateSchema.describe('Due date in force as of the date.'),
    originalDueDate: DateSchema.describe('The first due date, before any postponement.'),
    overdue: z
      .boolean()
      .describe(
        'Past its due date as of the date, neither closed nor cancelled. A task of a plan closed before the date is judged ' +
          'as of the day the plan was closed (commission time zone): a closed plan is read-only, so its tasks grow no later.',
      ),
    daysOverdue: count("Days past the due date, to the date or to the plan's closing day if earlier; 0 when not overdue.").max(MAX_DAYS),
    postponementCount: count('Moves to a later date, as of the date.'),
    daysMoved: count('Days the deadline was moved later in total.'),
    completion: z.enum(['on_time', 'late']).nullable().describe('For closed tasks: done on time or late against the due date.'),
    completionAgainstOriginal: z
      .enum(['on_time', 'late'])
      .nullable()
      .describe('For closed tasks: done on time or late against the original due date, before any postponement.'),
    formOfCompletion: z.string().max(1000).nullable().describe('Form of completion, as in the plan.'),
    expectedResult: z.string().max(2000).nullable().describe('Expected result, as in the plan.'),
    basis: z
      .object({
        meetingId: IdSchema.describe('The meeting whose protocol set the task.'),
        meetingTitle: z.string().max(500).describe('Title of that meeting.'),
        meetingDate: DateSchema.describe('Day of that meeting.'),
        protocolNumber: z.string().max(100).nullable().describe('Number of its protocol; null when it has none.'),
        protocolItem: z.string().max(100).nullable().describe('Item of the protocol; null when none is cited.'),
        // Built from the fields above: "Protocol No. <100> of <date> (<500>), item <100>" stays under 1,000.
        text: z.string().max(1000).describe('The basis as one line for people, e.g. "Protocol No. 19 of 2026-11-04 (Official visit to Astana), item 4".'),
      })
      .nullable()
      .describe('The meeting and protocol item that set the task.'),
    percentComplete: z.number().int().min(0).max(100).nullable().describe('Lowest percent complete in the latest reports; null without reports.'),
    confidence: z.enum(CONFIDENCE_LEVELS).nullable().describe('Worst confidence in the latest reports; null without reports.'),
    executors: z
      .array(
        z
          .object({
            organizationId: IdSchema.describe('The executing organization.'),
            name: z.string().max(300).describe('Its name.'),
            shortName: z.string().max(100).nullable().describe('Its short name; null when it has none.'),
            country: CountrySchema.describe('Its country, ISO 3166-1 alpha-2.'),
            role: z.enum(['lead', 'co_executor']).describe('lead: head executor; co_executor: takes part.'),
          })
          .describe('One executor of the task.'),
      )
      .max(20)
      .describe('Assignees, leads first.'),
  })
  .meta({ id: 'ProgressReportTask', description: 'One task as the report sees it on the date.' });

const ReportingPeriodSchema = z
  .object({
    current: z.string().max(7).describe('The reporting period containing the date, e.g. "2026-Q4".'),
    lastDue: z.string().max(7).nullable().describe('The latest period whose submission deadline has passed; null if none yet.'),
    lastDueDeadline: DateSchema.nullable().describe('Its submission deadline.'),
  })
  .describe('Reporting periods as of the date.');

export const ProgressReportSchema = z
  .object({
    scope: z
      .object({
        commissionId: IdSchema.describe('The commission.'),
        commissionName: z.string().max(300).describe('Its official name.'),
        timeZone: z.string().max(64).describe('Its time zone, which decides what "today" is.'),
        parties: z.array(CountrySchema).length(2).describe('The two party countries.'),
        plans: z
          .array(
            z
              .object({
                id: IdSchema.describe('The plan.'),
                title: z.string().max(500).describe('Its title.'),
                status: z.enum(PLAN_STATUSES).describe('Its status.'),
                reportingPeriod: ReportingPeriodSchema.describe(
                  "The plan's own reporting periods as of the date, by its reporting frequency and report due days: the plans " +
                    'of a commission may report monthly or quarterly, with different deadlines.',
                ),
              })
              .describe('One plan covered.'),
          )
          .describe('The plans covered: the plan asked for, or every approved or closed plan of the commission.'),
      })
      .describe('What the report covers.'),
    asOf: DateSchema.describe('The day described.'),
    generatedAt: InstantSchema.describe('When the report was computed.'),
    lang: z.enum(LANGUAGES).nullable().describe('Language of task titles, where translated.'),
    reportingPeriod: ReportingPeriodSchema.describe(
      'Reporting periods as of the date: those of the plan; for a commission, those of its first plan, or quarterly ones ' +
        'when it has no plan. Plans may differ: each plan in `scope.plans` has its own `reportingPeriod`, and each missing ' +
        'report names its own period and deadline.',
    ),
    totals: BreakdownSchema.describe('The whole scope; each task counted once.'),
    byParty: z
      .array(GroupSchema(CountrySchema, 'Country code of the party.').describe('The figures of one party.'))
      .max(2)
      .describe('A task counts for each party among its assignees.'),
    byOrganization: z
      .array(
        GroupSchema(IdSchema, 'Organization id.')
          .extend({
            country: CountrySchema.describe('Country of the organization.'),
            shortName: z.string().max(100).nullable().describe('Its short name; null when it has none.'),
          })
          .describe('The figures of one executing organization.'),
      )
      .describe('A task counts for each of its assignee organizations.'),
    byArea: z
      .array(GroupSchema(z.enum(TASK_AREAS), 'Area of cooperation.').describe('The figures of one area.'))
      .max(TASK_AREAS.length)
      .describe('Each task in its area.'),
    overdue: z.array(ReportTaskSchema).describe('Overdue tasks, most days late first.'),
    dueSoon: z.array(ReportTaskSchema).describe('Open tasks due on the date or within the 30 days after it, soonest first: a task due on the date is here, not among the overdue. A plan closed by the date has none: it is read-only, its open tasks will not be done.'),
    mostPostponed: z.array(ReportTaskSchema).max(10).describe('Up to 10 tasks moved most often (then by days moved).'),
    missingReports: z
      .array(
        z
          .object({
            taskId: IdSchema.describe('The task.'),
            code: z.string().max(32).describe('Its code.'),
            title: z.string().max(1000).describe('Its title, in the requested language where translated.'),
            organizationId: IdSchema.describe('The executing organization whose report is missing.'),
            organizationName: z.string().max(300).describe('Its name.'),
            country: CountrySchema.describe('Its country.'),
            period: z.string().max(7).describe('The period the report is missing for, e.g. "2026-Q3".'),
            deadline: DateSchema.describe('The submission deadline of that period.'),
          })
          .describe('One assignment without its report.'),
      )
      .describe(
        'Assignments without a report for the last period already due, by task code, then as the task names its executors: ' +
          'the lead first, then the co-executors in their order. After the plan\'s end, a task postponed past it still owes ' +
          'reports up to its due date.',
      ),
    indicators: z
      .array(
        z
          .object({
            id: IdSchema.describe('The indicator.'),
            planId: IdSchema.describe('The plan it measures: a report of a commission covers several plans.'),
            name: z.string().max(300).describe('What is measured.'),
            unit: z.string().max(50).describe('Unit of the values.'),
            taskId: IdSchema.nullable().describe('The task it belongs to; null for an indicator of the whole plan.'),
            baseline: z.number().min(-1e15).max(1e15).describe('The value at the start.'),
            target: z.number().min(-1e15).max(1e15).describe('The value to reach.'),
            actual: z
              .number()
              .min(-1e15)
              .max(1e15)
              .nullable()
              .describe('Latest value of a period ending on or before the date, among those recorded by the end of the date.'),
            actualPeriod: z.string().max(7).nullable().describe('The period of that value; null without one.'),
            progressPercent: z.number().nullable().describe('(actual − baseline) / (target − baseline) × 100, one decimal; null without a value.'),
          })
          .describe('One indicator against its target.'),
      )
      .describe('Indicators of the plans against their targets.'),
    tasks: z.array(ReportTaskSchema).describe('Every task of the scope, by plan then code.'),
  })
  .meta({ id: 'ProgressReport', description: 'The co-chairs\' progress report of a plan or commission on a date.', example: reportExample() });

export type ProgressReport = z.infer<typeof ProgressReportSchema>;
export type Breakdown = z.infer<typeof BreakdownSchema>;
export type ReportingPeriod = z.infer<typeof ReportingPeriodSchema>;
export type ReportTask = z.infer<typeof ReportTaskSchema>;

/** A realistic report for the API description: the demo plan of 30 tasks on 28 November 2026. */
function reportExample() {
  const id = (n: number) => `019a7c2e-7a10-7000-8000-${String(n).padStart(12, '0')}`;
  const figures = (taskCount: number, byStatus: number[], rest: Partial<Breakdown> = {}): Breakdown => ({
    taskCount,
    byStatus: Object.fromEntries(TASK_STATUSES.map((s, i) => [s, byStatus[i] ?? 0])) as Breakdown['byStatus'],
    percentByStatus: Object.fromEntries(
      TASK_STATUSES.map((s, i) => [s, taskCount === 0 ? 0 : Math.round(((byStatus[i] ?? 0) / taskCount) * 1000) / 10]),
    ) as Breakdown['percentByStatus'],
    closedOnTime: 4,
    closedLate: 1,
    closedOnTimeAgainstOriginal: 3,
    overdue: 5,
    overdueDays: 97,
    dueNext30Days: 9,
    postponedTasks: 4,
    postponements: 5,
    daysMoved: 183,
    confidence: { green: 18, amber: 14, red: 5, none: 27 },
    missingReports: 7,
    ...rest,
  });
  const totals = figures(30, [6, 14, 1, 3, 5, 1]);
  const task: ReportTask = {
    taskId: id(40),
    planId: id(30),
    code: '1.4',
    title: 'Localization of BelAZ mining dump truck assembly in Kazakhstan',
    area: 'mechanical_engineering',
    status: 'in_progress',
    dueDate: '2026-10-31',
    originalDueDate: '2026-06-30',
    overdue: true,
    daysOverdue: 28,
    postponementCount: 2,
    daysMoved: 123,
    completion: null,
    completionAgainstOriginal: null,
    formOfCompletion: 'Information to the commission',
    expectedResult: 'An assembly line for 30 dump trucks a year',
    basis: {
      meetingId: id(20),
      meetingTitle: 'Official visit to Astana',
      meetingDate: '2026-11-04',
      protocolNumber: '19',
      protocolItem: '4',
      text: 'Protocol No. 19 of 2026-11-04 (Official visit to Astana), item 4',
    },
    percentComplete: 35,
    confidence: 'red',
    executors: [
      { organizationId: id(11), name: 'Ministry of Industry of the Republic of Belarus', shortName: 'Minprom', country: 'BY', role: 'lead' },
      { organizationId: id(12), name: 'Ministry of Industry and Construction of the Republic of Kazakhstan', shortName: 'MIC', country: 'KZ', role: 'lead' },
      { organizationId: id(13), name: 'BelAZ', shortName: 'BelAZ', country: 'BY', role: 'co_executor' },
    ],
  };
  return {
    scope: {
      commissionId: id(1),
      commissionName: 'Intergovernmental Commission on Trade and Economic Co-operation between Belarus and Kazakhstan',
      timeZone: 'Europe/Minsk',
      parties: ['BY', 'KZ'],
      plans: [
        {
          id: id(30),
          title: 'Roadmap of industrial co-operation 2026–2027',
          status: 'approved',
          reportingPeriod: { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' },
        },
      ],
    },
    asOf: '2026-11-28',
    generatedAt: '2026-11-28T09:00:00.000Z',
    lang: 'en',
    reportingPeriod: { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' },
    totals,
    byParty: [
      { key: 'BY', label: 'Belarus', ...figures(28, [5, 13, 1, 3, 5, 1]) },
      { key: 'KZ', label: 'Kazakhstan', ...figures(30, [6, 14, 1, 3, 5, 1]) },
    ],
    byOrganization: [
      { key: id(11), label: 'Ministry of Industry of the Republic of Belarus', country: 'BY', shortName: 'Minprom', ...figures(12, [2, 6, 0, 1, 3, 0]) },
    ],
    byArea: [{ key: 'mechanical_engineering', label: 'Mechanical engineering', ...figures(10, [1, 5, 0, 1, 3, 0]) }],
    overdue: [task],
    dueSoon: [],
    mostPostponed: [task],
    missingReports: [
      {
        taskId: id(40),
        code: '1.4',
        title: task.title,
        organizationId: id(13),
        organizationName: 'BelAZ',
        country: 'BY',
        period: '2026-Q3',
        deadline: '2026-10-10',
      },
    ],
    indicators: [
      {
        id: id(50),
        planId: id(30),
        name: 'Dump trucks assembled in Kazakhstan',
        unit: 'trucks',
        taskId: id(40),
        baseline: 0,
        target: 30,
        actual: 9,
        actualPeriod: '2026-Q3',
        progressPercent: 30,
      },
    ],
    tasks: [task],
  };
}
