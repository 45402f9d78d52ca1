// zod schemas of commissions: what the API accepts and returns, registered as named OpenAPI components.
import { z } from 'zod';
import { CountryInputSchema, CountrySchema, IdSchema, InstantSchema, line } from '../../lib/common.schemas.js';
import { canonicalTimeZone, isTimeZone } from '../../lib/dates.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';

const CoChairSchema = z
  .strictObject({
    name: line(200).describe('Full name of the co-chair.'),
    position: line(300).describe('Position, e.g. "Deputy Prime Minister of the Republic of Belarus".'),
  })
  .describe('The co-chair of the commission on this party\'s side.');

const PartySchema = z
  .strictObject({
    country: CountryInputSchema,
    coChair: CoChairSchema,
  })
  .describe('One of the two parties of the commission.');

const TimeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, 'not an IANA time zone')
  .transform(canonicalTimeZone)
  .describe('IANA time zone that decides what "today" is for overdue tasks, e.g. Europe/Minsk (stored as IANA spells it today, whatever the case sent, and a renamed zone by its current name: Europe/Kiev is stored as Europe/Kyiv).');

const PartiesSchema = z
  .array(PartySchema)
  .length(2)
  .refine((p) => p[0]?.country !== p[1]?.country, 'the two parties must be different countries')
  .describe('Exactly two parties, each a different country.');

const example = {
  name: 'Intergovernmental Commission on Trade and Economic Co-operation between Belarus and Kazakhstan',
  timeZone: 'Europe/Minsk',
  parties: [
    { country: 'BY', coChair: { name: 'Ivan Petrov', position: 'Deputy Prime Minister of the Republic of Belarus' } },
    { country: 'KZ', coChair: { name: 'Aidar Sultanov', position: 'Deputy Prime Minister of the Republic of Kazakhstan' } },
  ],
};

export const CreateCommissionSchema = z
  .strictObject({
    name: line(300).describe('Official name of the commission.'),
    timeZone: TimeZoneSchema,
    parties: PartiesSchema,
  })
  .meta({ id: 'CreateCommission', description: 'A new commission.', example });

export const UpdateCommissionSchema = z
  .strictObject({
    name: line(300).optional().describe('Official name of the commission.'),
    timeZone: TimeZoneSchema.optional(),
    parties: PartiesSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .meta({
    id: 'UpdateCommission',
    description: 'Fields to change; absent fields stay. Party countries can change only while the commission has no plans.',
    example: { timeZone: 'Asia/Almaty' },
  });

export const CommissionSchema = z
  .object({
    id: IdSchema,
    name: z.string().max(300).describe('Official name of the commission.'),
    timeZone: z.string().max(64).describe('IANA time zone that decides what "today" is.'),
    parties: z
      .array(
        z.object({
          country: CountrySchema,
          coChair: z.object({
            name: z.string().max(200).describe('Full name of the co-chair.'),
            position: z.string().max(300).describe('Position of the co-chair.'),
          }).describe('The co-chair on this side.'),
        }).describe('One party of the commission.'),
      )
      .length(2)
      .describe('The two parties.'),
    createdAt: InstantSchema,
    updatedAt: InstantSchema,
  })
  .meta({
    id: 'Commission',
    description: 'A bilateral intergovernmental commission.',
    example: { id: '019a7c2e-7a10-7000-8000-000000000001', ...example, createdAt: '2026-11-01T09:00:00.000Z', updatedAt: '2026-11-01T09:00:00.000Z' },
  });

export const CommissionPageSchema = pageSchema(CommissionSchema, 'CommissionPage', 'A page of commissions, oldest first.');

export const ListCommissionsQuerySchema = z.strictObject({ ...pageQuery });

export type Commission = z.infer<typeof CommissionSchema>;
export type CreateCommission = z.infer<typeof CreateCommissionSchema>;
export type UpdateCommission = z.infer<typeof UpdateCommissionSchema>;
