// zod schemas of plans: what the API accepts and returns, registered as named OpenAPI components.
import { z } from 'zod';
import { DateSchema, IdSchema, InstantSchema, line } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';
import { PLAN_STATUSES, REPORTING_FREQUENCIES } from '../../db/enums.js';

const TitleSchema = line(500).describe('Title of the plan of measures, as in the signed document.');
const PeriodStartSchema = DateSchema.describe('First day of the period the plan covers, YYYY-MM-DD.');
const PeriodEndSchema = DateSchema.describe(
  'Last day of the period the plan covers, YYYY-MM-DD; not before periodStart, and less than 100 years after it (422).',
);

const FrequencySchema = z
  .enum(REPORTING_FREQUENCIES)
  .describe('How often executors report progress: per quarter (periods like "2026-Q4") or per month ("2026-11").');
const DueDaysSchema = z
  .number()
  .int()
  .min(0)
  .max(90)
  .describe('Reports of a period are due this many days after the period ends (0–90).');

const PlanStatusSchema = z
  .enum(PLAN_STATUSES)
  .describe('Approval cycle: draft (being drawn up), approved (in force; tasks are cancelled, never deleted), closed (read-only).');

const example = {
  commissionId: '019a7c2e-7a10-7000-8000-000000000001',
  title: 'Plan of measures for 2026–2027 on industrial co-operation in mechanical engineering between Belarus and Kazakhstan',
  periodStart: '2026-11-15',
  periodEnd: '2027-12-31',
};

export const CreatePlanSchema = z
  .strictObject({
    commissionId: IdSchema.describe('The commission whose plan this is; must exist.'),
    title: TitleSchema,
    periodStart: PeriodStartSchema,
    periodEnd: PeriodEndSchema,
    reportingFrequency: FrequencySchema.default('quarterly'),
    reportDueDays: DueDaysSchema.default(10),
  })
  .meta({ id: 'CreatePlan', description: 'A new plan of measures; it starts as a draft.', example });

export const UpdatePlanSchema = z
  .strictObject({
    title: TitleSchema.optional(),
    periodStart: PeriodStartSchema.optional(),
    periodEnd: PeriodEndSchema.optional(),
    reportingFrequency: FrequencySchema.optional(),
    reportDueDays: DueDaysSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .meta({
    id: 'UpdatePlan',
    description:
      'Fields to change; absent fields stay. The resulting period must stay ordered and keep every reporting period ' +
      'already reported on. A closed plan cannot change.',
    example: { periodEnd: '2028-06-30' },
  });

export const PlanSchema = z
  .object({
    id: IdSchema,
    commissionId: IdSchema.describe('The commission whose plan this is.'),
    title: z.string().max(500).describe('Title of the plan of measures.'),
    periodStart: DateSchema.describe('First day of the period the plan covers, YYYY-MM-DD.'),
    periodEnd: DateSchema.describe('Last day of the period the plan covers, YYYY-MM-DD.'),
    status: PlanStatusSchema,
    reportingFrequency: z.enum(REPORTING_FREQUENCIES).describe('quarterly or monthly progress reports.'),
    reportDueDays: z
      .number()
      .int()
      .min(0)
      .max(90)
      .describe(
        'Days after a period ends by which its reports are due. A change moves the deadline of reports not yet submitted; ' +
          'a submitted report keeps the deadline it was submitted under.',
      ),
    approvedAt: InstantSchema.nullable().describe('When the plan was approved, RFC 3339 in UTC; null while a draft.'),
    closedAt: InstantSchema.nullable().describe('When the plan was closed, RFC 3339 in UTC; null until closed.'),
    taskCount: z.number().int().min(0).describe('Number of tasks in the plan, whatever their status.'),
    createdAt: InstantSchema,
    updatedAt: InstantSchema,
  })
  .meta({
    id: 'Plan',
    description: 'A plan of measures ("roadmap") of one commission, with its approval status.',
    example: {
      id: '019a7c2e-8b20-7000-8000-000000000002',
      ...example,
      status: 'approved',
      reportingFrequency: 'quarterly',
      reportDueDays: 10,
      approvedAt: '2026-11-20T10:30:00.000Z',
      closedAt: null,
      taskCount: 24,
      createdAt: '2026-11-05T08:00:00.000Z',
      updatedAt: '2026-11-20T10:30:00.000Z',
    },
  });

export const PlanPageSchema = pageSchema(PlanSchema, 'PlanPage', 'A page of plans, oldest first.');

export const ListPlansQuerySchema = z.strictObject({
  commissionId: IdSchema.optional().describe('Only plans of this commission.'),
  status: z.enum(PLAN_STATUSES).optional().describe('Only plans in this status.'),
  ...pageQuery,
});

export type Plan = z.infer<typeof PlanSchema>;
export type CreatePlan = z.infer<typeof CreatePlanSchema>;
export type UpdatePlan = z.infer<typeof UpdatePlanSchema>;
export type ListPlansQuery = z.infer<typeof ListPlansQuerySchema>;
