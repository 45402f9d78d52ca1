// zod schemas of API keys: what the API accepts and returns. The secret itself appears once, at creation.
import { z } from 'zod';
import { ROLES } from '../../db/enums.js';
import { IdSchema, InstantSchema, line } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';
import { MAX_TOKEN_LENGTH } from './api-keys.tokens.js';

/** Characters of a secret kept in clear (lookupPrefix in api-keys.tokens.ts). */
export const SECRET_PREFIX_LENGTH = 12;

const RoleSchema = z
  .enum(ROLES)
  .describe(
    'secretariat: everything, including keys; co_chair: read everything; ministry: read, and work on the tasks its ' +
      'organization executes; observer: read only.',
  );

export const CreateApiKeySchema = z
  .strictObject({
    name: line(200).describe('Who or what uses the key, e.g. "Ministry of Industry BY — document system".'),
    role: RoleSchema,
    organizationId: IdSchema.nullable()
      .optional()
      .describe('The organization a ministry key acts for; required for ministry keys, absent or null for others.'),
  })
  .superRefine((b, ctx) => {
    const hasOrg = b.organizationId !== undefined && b.organizationId !== null;
    if (b.role === 'ministry' && !hasOrg) {
      ctx.addIssue({ code: 'custom', path: ['organizationId'], message: 'a ministry key must name its organization' });
    }
    if (b.role !== 'ministry' && hasOrg) {
      ctx.addIssue({ code: 'custom', path: ['organizationId'], message: 'only ministry keys are bound to an organization' });
    }
  })
  .meta({
    id: 'CreateApiKey',
    description: 'A new API key: its name, role and, for a ministry key, its organization.',
    example: { name: 'Ministry of Industry BY — document system', role: 'ministry', organizationId: '019a7c2e-7a10-7000-8000-000000000010' },
  });

const apiKeyFields = {
  id: IdSchema,
  name: z.string().max(200).describe('Who or what uses the key.'),
  role: z.enum(ROLES).describe('The role the key acts in.'),
  organizationId: IdSchema.nullable().describe('The organization of a ministry key; null for other roles.'),
  prefix: z.string().max(SECRET_PREFIX_LENGTH).describe('The first characters of the key, to tell keys apart; the rest is never shown again.'),
  status: z.enum(['active', 'revoked']).describe('revoked keys are refused from the moment of revocation.'),
  createdAt: InstantSchema,
  createdByKeyId: IdSchema.nullable().describe('The key that created this one; null for the command line or bootstrap.'),
  lastUsedAt: InstantSchema.nullable().describe('Last authenticated request, to the minute; null if never used.'),
  revokedAt: InstantSchema.nullable().describe('When the key was revoked; null while active.'),
};

const keyExample = {
  id: '019a7c2e-7a10-7000-8000-0000000000a1',
  name: 'Ministry of Industry BY — document system',
  role: 'ministry',
  organizationId: '019a7c2e-7a10-7000-8000-000000000010',
  prefix: 'cpt_Qm9yZ2V0',
  status: 'active',
  createdAt: '2026-11-28T09:00:00.000Z',
  createdByKeyId: '019a7c2e-7a10-7000-8000-0000000000a0',
  lastUsedAt: null,
  revokedAt: null,
};

export const ApiKeySchema = z
  .object(apiKeyFields)
  .meta({ id: 'ApiKey', description: 'An API key as stored: never the secret, only its prefix.', example: keyExample });

export const CreatedApiKeySchema = z
  .object({
    ...apiKeyFields,
    token: z
      .string()
      .max(MAX_TOKEN_LENGTH)
      .describe('The secret to send as `Authorization: Bearer <token>`. Shown this once: store it now, it cannot be read again.'),
  })
  .meta({
    id: 'CreatedApiKey',
    description: 'A key just created, with its secret token, which is never shown again.',
    example: { ...keyExample, token: 'cpt_Qm9yZ2V0TWVOb3QuLi5UaGlzSXNBbkV4YW1wbGU' },
  });

export const ListApiKeysQuerySchema = z.strictObject({
  ...pageQuery,
  status: z.enum(['active', 'revoked']).optional().describe('Only active or only revoked keys.'),
});

export const ApiKeyPageSchema = pageSchema(ApiKeySchema, 'ApiKeyPage', 'A page of API keys, oldest first.');

export type ApiKey = z.infer<typeof ApiKeySchema>;
export type CreateApiKey = z.infer<typeof CreateApiKeySchema>;
export type ListApiKeysQuery = z.infer<typeof ListApiKeysQuerySchema>;
