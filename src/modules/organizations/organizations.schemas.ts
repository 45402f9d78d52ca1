// zod schemas of organizations: what the API accepts and returns, registered as named OpenAPI components.
import { z } from 'zod';
import { ORGANIZATION_KINDS } from '../../db/enums.js';
import { CountryInputSchema, CountrySchema, IdSchema, InstantSchema, line, searchText } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';

const KindSchema = z
  .enum(ORGANIZATION_KINDS)
  .describe('What the organization is: ministry, agency, enterprise, joint venture, region, business association or other.');

const NameSchema = line(300).describe('Full official name, e.g. "Ministry of Industry of the Republic of Belarus".');
const ShortNameSchema = line(100).nullable().describe('Short name or acronym, e.g. "Minprom"; null when there is none.');
const ParentIdSchema = IdSchema.nullable().describe('The organization this one belongs to (an enterprise under its ministry); null for none.');

const example = {
  name: 'Minsk Tractor Works',
  shortName: 'MTZ',
  kind: 'enterprise',
  country: 'BY',
  parentId: '019a7c2e-7a10-7000-8000-000000000010',
};

export const CreateOrganizationSchema = z
  .strictObject({
    name: NameSchema,
    shortName: ShortNameSchema.optional(),
    kind: KindSchema,
    country: CountryInputSchema,
    parentId: ParentIdSchema.optional(),
  })
  .meta({ id: 'CreateOrganization', description: 'A new organization of one party\'s country.', example });

export const UpdateOrganizationSchema = z
  .strictObject({
    name: NameSchema.optional(),
    shortName: ShortNameSchema.optional(),
    kind: KindSchema.optional(),
    country: CountryInputSchema.optional(),
    parentId: ParentIdSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .meta({
    id: 'UpdateOrganization',
    description:
      'Fields to change; absent fields stay, null clears shortName or parentId. An organization cannot become its own ancestor.',
    example: { parentId: null },
  });

export const OrganizationSchema = z
  .object({
    id: IdSchema,
    name: z.string().max(300).describe('Full official name.'),
    shortName: z.string().max(100).nullable().describe('Short name or acronym; null when there is none.'),
    kind: z.enum(ORGANIZATION_KINDS).describe('What the organization is.'),
    country: CountrySchema,
    parentId: IdSchema.nullable().describe('Id of the parent organization; null for a top-level one.'),
    createdAt: InstantSchema,
    updatedAt: InstantSchema,
  })
  .meta({
    id: 'Organization',
    description: 'A ministry, agency, enterprise, joint venture, region or business association of one party\'s country.',
    example: {
      id: '019a7c2e-7a10-7000-8000-000000000011',
      ...example,
      createdAt: '2026-11-01T09:00:00.000Z',
      updatedAt: '2026-11-01T09:00:00.000Z',
    },
  });

export const OrganizationPageSchema = pageSchema(
  OrganizationSchema,
  'OrganizationPage',
  'A page of organizations, ordered by name then id.',
);

export const ListOrganizationsQuerySchema = z.strictObject({
  ...pageQuery,
  country: CountrySchema.optional().describe('Only organizations of this country (ISO 3166-1 alpha-2).'),
  kind: z.enum(ORGANIZATION_KINDS).optional().describe('Only organizations of this kind.'),
  parentId: IdSchema.optional().describe('Only the direct children of this organization.'),
  q: searchText(100)
    .optional()
    .describe('Case-insensitive substring of the name or short name, in any script ("мтз" finds "МТЗ"; "е" and "ё" alike).'),
});

export type Organization = z.infer<typeof OrganizationSchema>;
export type CreateOrganization = z.infer<typeof CreateOrganizationSchema>;
export type UpdateOrganization = z.infer<typeof UpdateOrganizationSchema>;
export type ListOrganizationsQuery = z.infer<typeof ListOrganizationsQuerySchema>;
