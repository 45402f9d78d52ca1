// zod schemas of indicators and their values by period: what the API accepts and returns, as named OpenAPI components.
import { z } from 'zod';
import { IdSchema, InstantSchema, line, text } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';

/** Figures beyond a quadrillion are no commission's target; the bound also keeps progress arithmetic finite. */
const MAX_MAGNITUDE = 1e15;
const figure = () => z.number().min(-MAX_MAGNITUDE).max(MAX_MAGNITUDE);

const NameSchema = line(300).describe('What is measured, e.g. "Tractors assembled at the joint venture in Kostanay".');
const UnitSchema = line(50).describe('Unit of the values, e.g. "tractors", "USD million", "%".');
const BaselineSchema = figure().describe('The value at the start, from which progress is measured.');
const TargetSchema = figure().describe('The value to reach; must differ from the baseline. Below the baseline means a decreasing target.');

export const PeriodSchema = z
  .string()
  .max(7)
  // Years 1000 to 9999, as DateSchema: the bounds of "0202-Q1" would be "202-01-01" to "202-03-31", which sort
  // between the days of a 2019–2021 plan.
  .regex(/^[1-9]\d{3}-(Q[1-4]|0[1-9]|1[0-2])$/, 'expected a reporting period such as 2026-Q4 or 2026-11, years 1000 to 9999')
  .describe('A reporting period in the plan\'s frequency: a quarter ("2026-Q4") or a month ("2026-11"), years 1000 to 9999.')
  .meta({ example: '2026-Q4' });

const example = {
  planId: '019a7c2e-7a10-7000-8000-000000000030',
  taskId: '019a7c2e-7a10-7000-8000-000000000040',
  name: 'Tractors assembled at the joint venture in Kostanay',
  unit: 'tractors',
  baseline: 600,
  target: 1200,
};

export const CreateIndicatorSchema = z
  .strictObject({
    planId: IdSchema.describe('The plan the indicator measures; it must exist and not be closed.'),
    taskId: IdSchema.nullable()
      .optional()
      .describe('The task (measure) it belongs to, a task of the same plan; omitted or null for an indicator of the whole plan.'),
    name: NameSchema,
    unit: UnitSchema,
    baseline: BaselineSchema,
    target: TargetSchema,
  })
  .meta({ id: 'CreateIndicator', description: 'A new measurable target of a plan or of one of its tasks.', example });

export const UpdateIndicatorSchema = z
  .strictObject({
    name: NameSchema.optional(),
    unit: UnitSchema.optional(),
    baseline: BaselineSchema.optional(),
    target: TargetSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .meta({
    id: 'UpdateIndicator',
    description:
      'Fields to change; absent fields stay. The resulting baseline and target must differ. The plan and task never change.',
    example: { target: 1500 },
  });

export const RecordIndicatorValueSchema = z
  .strictObject({
    value: figure().describe('The actual value reached in the period, in the indicator\'s unit.'),
    note: text(2000).nullable().optional().describe('Source or remark, e.g. "Preliminary, per the customs statistics"; null or absent for none.'),
  })
  .meta({
    id: 'RecordIndicatorValue',
    description: 'The actual value of an indicator for one period; recording a period again replaces its value.',
    example: { value: 840, note: 'Per the joint venture\'s quarterly statement' },
  });

const IndicatorValueSchema = z
  .object({
    period: PeriodSchema.describe('The reporting period, e.g. "2026-Q4" or "2026-11".'),
    value: figure().describe('The actual value in the period.'),
    note: z.string().max(2000).nullable().describe('Source or remark; null for none.'),
    recordedAt: InstantSchema.describe('When the value was last recorded.'),
  })
  .meta({ id: 'IndicatorValue', description: 'The actual value of an indicator in one reporting period.' });

const LatestValueSchema = z
  .object({
    period: PeriodSchema.describe('The period of the value.'),
    value: figure().describe('Its value.'),
  })
  .meta({ id: 'IndicatorLatestValue', description: 'The value of the latest period that has ended.' });

export const IndicatorSchema = z
  .object({
    id: IdSchema,
    planId: IdSchema.describe('The plan the indicator measures.'),
    taskId: IdSchema.nullable().describe('The task it belongs to; null for an indicator of the whole plan.'),
    name: z.string().max(300).describe('What is measured.'),
    unit: z.string().max(50).describe('Unit of the values.'),
    baseline: figure().describe('The value at the start.'),
    target: figure().describe('The value to reach.'),
    direction: z
      .enum(['increase', 'decrease'])
      .describe('increase when the target is above the baseline, decrease when below (e.g. a share of imports to cut).'),
    values: z.array(IndicatorValueSchema).describe('Actual values recorded, one per period, in period order.'),
    latest: LatestValueSchema.nullable().describe(
      'The value of the latest period that has ended on or before today (in the commission\'s time zone); a running ' +
        'period does not count yet. Null when none has.',
    ),
    progressPercent: z
      .number()
      .nullable()
      .describe(
        'Progress of `latest` from baseline to target: (latest − baseline) / (target − baseline) × 100, one decimal. ' +
          '100 is on target, above 100 beyond it, negative when the value moved away from the target. Null without `latest`.',
      ),
    createdAt: InstantSchema,
    updatedAt: InstantSchema,
  })
  .meta({
    id: 'Indicator',
    description: 'A measurable target of a plan or task with its actual values by period and the progress toward it.',
    example: {
      id: '019a7c2e-7a10-7000-8000-000000000070',
      ...example,
      direction: 'increase',
      values: [
        { period: '2026-Q3', value: 720, note: null, recordedAt: '2026-10-08T09:00:00.000Z' },
        { period: '2026-Q4', value: 840, note: 'Per the joint venture\'s quarterly statement', recordedAt: '2027-01-09T09:00:00.000Z' },
      ],
      latest: { period: '2026-Q4', value: 840 },
      progressPercent: 40,
      createdAt: '2026-09-15T09:00:00.000Z',
      updatedAt: '2027-01-09T09:00:00.000Z',
    },
  });

export const IndicatorPageSchema = pageSchema(IndicatorSchema, 'IndicatorPage', 'A page of indicators, by plan then creation.');

export const ListIndicatorsQuerySchema = z.strictObject({
  ...pageQuery,
  planId: IdSchema.optional().describe('Only indicators of this plan.'),
  taskId: IdSchema.optional().describe('Only indicators of this task.'),
});

export const IndicatorValueParamsSchema = z.strictObject({
  id: IdSchema.describe('The indicator.'),
  period: PeriodSchema,
});

export type Indicator = z.infer<typeof IndicatorSchema>;
export type IndicatorValue = z.infer<typeof IndicatorValueSchema>;
export type CreateIndicator = z.infer<typeof CreateIndicatorSchema>;
export type UpdateIndicator = z.infer<typeof UpdateIndicatorSchema>;
export type RecordIndicatorValue = z.infer<typeof RecordIndicatorValueSchema>;
export type ListIndicatorsQuery = z.infer<typeof ListIndicatorsQuerySchema>;
