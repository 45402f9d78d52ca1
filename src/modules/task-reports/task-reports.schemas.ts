// zod schemas of progress reports: one per executing organization per reporting period of a task, reviewed.
import { z } from 'zod';
import { CONFIDENCE_LEVELS, REPORT_STATUSES, ROLES } from '../../db/enums.js';
import { DateSchema, IdSchema, InstantSchema, text } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';

/**
 * A quarter ('2026-Q4') or a month ('2026-11'); which of the two a plan takes is checked against the plan. Years 1000 to
 * 9999, as DateSchema: "0202-Q1" has no YYYY-MM-DD bounds, and its deadline's date arithmetic threw (500).
 */
export const PeriodSchema = z
  .string()
  .max(7)
  .regex(/^[1-9]\d{3}-(Q[1-4]|0[1-9]|1[0-2])$/, 'expected a reporting period such as 2026-Q4 (quarterly plans) or 2026-11 (monthly plans), years 1000 to 9999')
  .describe('A reporting period: a quarter such as "2026-Q4" in a quarterly plan, a month such as "2026-11" in a monthly one (years 1000 to 9999).')
  .meta({ example: '2026-Q4' });

const PercentSchema = z.number().int().min(0).max(100).describe('How much of the task is done, in percent (0–100).');
const ConfidenceSchema = z
  .enum(CONFIDENCE_LEVELS)
  .describe('Delivery confidence: green (on track), amber (at risk), red (will not be delivered on time without help).');
const NarrativeSchema = text(5000).describe('What was done in the period.');
const RisksSchema = text(5000).describe('What threatens delivery, and what help is needed.');
const ReportStatusSchema = z
  .enum(REPORT_STATUSES)
  .describe('submitted (awaiting review), accepted (final) or returned (to be revised by its organization).');

export const SubmitTaskReportSchema = z
  .strictObject({
    organizationId: IdSchema.optional().describe(
      'The executing organization the report is for: an assignee of the task. A ministry key reports for its own ' +
        'organization and may leave it out; the secretariat must name it.',
    ),
    period: PeriodSchema,
    percentComplete: PercentSchema,
    confidence: ConfidenceSchema,
    narrative: NarrativeSchema,
    risks: RisksSchema.optional(),
  })
  .meta({
    id: 'SubmitTaskReport',
    description: 'A progress report of one executing organization on a task for one reporting period.',
    example: {
      period: '2026-Q4',
      percentComplete: 60,
      confidence: 'amber',
      narrative: '1,120 tractors assembled in Kostanay since January; the welding line for frames was commissioned in October.',
      risks: 'Deliveries of Belarusian engines are two weeks late.',
    },
  });

export const ReviseTaskReportSchema = z
  .strictObject({
    percentComplete: PercentSchema.optional(),
    confidence: ConfidenceSchema.optional(),
    narrative: NarrativeSchema.optional(),
    risks: RisksSchema.nullable().optional().describe('What threatens delivery; null clears.'),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .meta({
    id: 'ReviseTaskReport',
    description: 'Fields of the report to change; absent fields stay. The revision is submitted again for review.',
    example: { percentComplete: 65, narrative: '1,180 tractors assembled; frame welding line in operation since 12 October.' },
  });

export const ReviewTaskReportSchema = z
  .strictObject({
    decision: z.enum(['accepted', 'returned']).describe('accepted: the report is final; returned: its organization revises it.'),
    comment: text(2000).optional().describe('Why it is returned (required then), or a remark on an accepted report.'),
  })
  .refine((b) => b.decision !== 'returned' || b.comment !== undefined, {
    message: 'say why the report is returned',
    path: ['comment'],
  })
  .meta({
    id: 'ReviewTaskReport',
    description: 'The review of a submitted report by the secretariat or a co-chair.',
    example: { decision: 'returned', comment: 'Give the number of tractors assembled in the quarter, not since January.' },
  });

export const TaskReportSchema = z
  .object({
    id: IdSchema,
    taskId: IdSchema.describe('The task reported on.'),
    planId: IdSchema.describe('The plan of the task.'),
    organizationId: IdSchema.describe('The executing organization that reports.'),
    period: PeriodSchema.describe('The reporting period, e.g. "2026-Q4" or "2026-11".'),
    periodStart: DateSchema.describe('First day of the period.'),
    periodEnd: DateSchema.describe('Last day of the period.'),
    submissionDeadline: DateSchema.describe(
      "The day by which the report was due: the period's last day plus the plan's reportDueDays as they stood when the " +
        "report was first submitted. Kept with the report: a later change of the plan's reportDueDays does not move it " +
        '(it moves the deadline of reports not yet submitted), nor does a revision or a review. A report submitted before ' +
        "the service kept deadlines has the one the plan's rule gave when the service was upgraded.",
    ),
    submittedLate: z
      .boolean()
      .describe(
        "Whether the report was first submitted after its submissionDeadline, by the date in the commission's time zone. " +
          "Judged once, at the first submission: a later change of the plan's reportDueDays does not change it, and a " +
          'revision asked for by a reviewer does not make a report late; nor does a deadline that passed before the plan ' +
          'was approved (no report could be submitted to a draft plan), or while the organization was not on the task ' +
          '(put on it after the end of the deadline day, it owed no report for the period; on it then, it owed one, even if ' +
          'taken off and put back since).',
      ),
    percentComplete: PercentSchema,
    confidence: ConfidenceSchema,
    narrative: z.string().max(5000).describe('What was done in the period.'),
    risks: z.string().max(5000).nullable().describe('What threatens delivery; null if nothing was said.'),
    status: ReportStatusSchema,
    revision: z.number().int().min(1).describe('1 for the first submission, one more with each revision.'),
    submittedAt: InstantSchema.describe('When the current revision was submitted.'),
    submittedBy: z
      .object({
        keyId: IdSchema.nullable().describe('The API key used; null for the command line.'),
        role: z.enum(ROLES).describe('The role the key acted in.'),
        organizationId: IdSchema.nullable().describe('The organization of a ministry key; null otherwise.'),
      })
      .describe('Who submitted the current revision.'),
    reviewedAt: InstantSchema.nullable().describe('When the current revision was reviewed; null while awaiting review.'),
    reviewedBy: z
      .object({
        keyId: IdSchema.nullable().describe('The API key used.'),
        role: z.enum(ROLES).describe('The role the key acted in: secretariat or co_chair.'),
      })
      .nullable()
      .describe('Who reviewed the current revision; null while awaiting review.'),
    reviewComment: z.string().max(2000).nullable().describe("The reviewer's comment: why it was returned, or a remark."),
    createdAt: InstantSchema.describe('When the report was first submitted.'),
    updatedAt: InstantSchema,
  })
  .meta({
    id: 'TaskReport',
    description: 'A progress report of one executing organization on a task for one reporting period, with its review.',
    example: {
      id: '019a7c2e-7a10-7000-8000-000000000070',
      taskId: '019a7c2e-7a10-7000-8000-000000000040',
      planId: '019a7c2e-7a10-7000-8000-000000000010',
      organizationId: '019a7c2e-7a10-7000-8000-000000000031',
      period: '2026-Q3',
      periodStart: '2026-07-01',
      periodEnd: '2026-09-30',
      submissionDeadline: '2026-10-10',
      submittedLate: false,
      percentComplete: 60,
      confidence: 'amber',
      narrative: '1,120 tractors assembled in Kostanay since January; the welding line for frames was commissioned in October.',
      risks: 'Deliveries of Belarusian engines are two weeks late.',
      status: 'returned',
      revision: 1,
      submittedAt: '2026-10-08T07:30:00.000Z',
      submittedBy: { keyId: '019a7c2e-7a10-7000-8000-0000000000a1', role: 'ministry', organizationId: '019a7c2e-7a10-7000-8000-000000000031' },
      reviewedAt: '2026-10-12T09:00:00.000Z',
      reviewedBy: { keyId: '019a7c2e-7a10-7000-8000-0000000000a0', role: 'secretariat' },
      reviewComment: 'Give the number of tractors assembled in the quarter, not since January.',
      createdAt: '2026-10-08T07:30:00.000Z',
      updatedAt: '2026-10-12T09:00:00.000Z',
    },
  });

export const TaskReportPageSchema = pageSchema(TaskReportSchema, 'TaskReportPage', 'A page of progress reports, by period then organization.');

export const ListTaskReportsQuerySchema = z.strictObject({
  period: PeriodSchema.optional().describe('Only reports for this period.'),
  organizationId: IdSchema.optional().describe('Only reports of this organization.'),
  status: ReportStatusSchema.optional().describe('Only reports in this status.'),
  ...pageQuery,
});

export const TaskReportParamsSchema = z.strictObject({
  id: IdSchema.describe('The task.'),
  reportId: IdSchema.describe('The progress report.'),
});

export type TaskReport = z.infer<typeof TaskReportSchema>;
export type SubmitTaskReport = z.infer<typeof SubmitTaskReportSchema>;
export type ReviseTaskReport = z.infer<typeof ReviseTaskReportSchema>;
export type ReviewTaskReport = z.infer<typeof ReviewTaskReportSchema>;
export type ListTaskReportsQuery = z.infer<typeof ListTaskReportsQuerySchema>;
