// zod schemas of read-only links: what the secretariat asks for, and what it sees. The secret URL appears once.
import { z } from 'zod';
import { LANGUAGES, SHARE_LINK_KINDS } from '../../db/enums.js';
import { IdSchema, InstantSchema, line } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';
import { MAX_TOKEN_LENGTH } from '../api-keys/api-keys.tokens.js';
import { SECRET_PREFIX_LENGTH } from '../api-keys/api-keys.schemas.js';

export const SHARE_LINK_STATUSES = ['active', 'expired', 'revoked'] as const;
export type ShareLinkStatus = (typeof SHARE_LINK_STATUSES)[number];

/** How long a link lives when the request does not say, and the longest it may live. */
export const DEFAULT_LIFETIME_DAYS = 30;
export const MAX_LIFETIME_DAYS = 366;

const KindSchema = z
  .enum(SHARE_LINK_KINDS)
  .describe('progress_report: the printable HTML progress report; calendar: the iCalendar feed of due dates and reporting deadlines.');

const LangSchema = z.enum(LANGUAGES).describe('Show task titles in this language where a translation exists.');

export const CreateShareLinkSchema = z
  .strictObject({
    name: line(200).describe('Who the link is for, e.g. "Co-chair BY — office". Shown in listings only.'),
    kind: KindSchema,
    planId: IdSchema.optional().describe('The plan the link shows. For a progress report: give planId or commissionId.'),
    commissionId: IdSchema.optional().describe('Every plan of this commission. For a calendar: optional, instead of planId.'),
    organizationId: IdSchema.optional().describe('Calendar only: just the tasks this organization executes.'),
    lang: LangSchema.optional(),
    expiresAt: z.iso
      .datetime({ offset: true })
      .max(64)
      .optional()
      .describe(
        `When the link stops working, RFC 3339: in the future and at most ${MAX_LIFETIME_DAYS} days ahead. ` +
          `Default ${DEFAULT_LIFETIME_DAYS} days from now.`,
      )
      .meta({ format: 'date-time', example: '2027-01-31T00:00:00Z' }),
  })
  .superRefine((b, ctx) => {
    const scopes = (b.planId === undefined ? 0 : 1) + (b.commissionId === undefined ? 0 : 1);
    if (b.kind === 'progress_report' && scopes !== 1) {
      ctx.addIssue({ code: 'custom', path: ['planId'], message: 'a progress report link names exactly one of planId and commissionId' });
    }
    if (b.kind === 'calendar' && scopes > 1) {
      ctx.addIssue({ code: 'custom', path: ['planId'], message: 'a calendar link names at most one of planId and commissionId' });
    }
    if (b.kind === 'progress_report' && b.organizationId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['organizationId'], message: 'only a calendar link is narrowed to one organization' });
    }
  })
  .meta({
    id: 'CreateShareLink',
    description: 'A new read-only link: what it opens, for whom, and until when.',
    example: {
      name: 'Co-chair BY — office',
      kind: 'progress_report',
      planId: '019a7c2e-7a10-7000-8000-000000000100',
      lang: 'ru',
      expiresAt: '2027-01-31T00:00:00Z',
    },
  });

const ShareLinkParamsSchema = z
  .object({
    planId: IdSchema.optional().describe('The plan shown.'),
    commissionId: IdSchema.optional().describe('The commission whose plans are shown.'),
    organizationId: IdSchema.optional().describe('Calendar: only the tasks of this organization.'),
    lang: z.enum(LANGUAGES).optional().describe('Language of task titles.'),
  })
  .describe('What the link opens: fixed when it is created, never taken from the request that opens it.');

const shareLinkFields = {
  id: IdSchema,
  name: z.string().max(200).describe('Who the link is for.'),
  kind: z.enum(SHARE_LINK_KINDS).describe('What the link opens.'),
  params: ShareLinkParamsSchema,
  prefix: z.string().max(SECRET_PREFIX_LENGTH).describe('The first characters of the link\'s secret, to tell links apart; the rest is never shown again.'),
  status: z
    .enum(SHARE_LINK_STATUSES)
    .describe('active until expiresAt; expired after; revoked from the moment of revocation. Only an active link opens.'),
  expiresAt: InstantSchema.describe('When the link stops working.'),
  revokedAt: InstantSchema.nullable().describe('When the link was revoked; null if it was not.'),
  lastUsedAt: InstantSchema.nullable().describe('When the link was last opened, to the minute; null if never.'),
  createdAt: InstantSchema,
  createdByKeyId: IdSchema.nullable().describe('The API key that created the link.'),
};

const linkExample = {
  id: '019a7c2e-7a10-7000-8000-0000000000c1',
  name: 'Co-chair BY — office',
  kind: 'progress_report',
  params: { planId: '019a7c2e-7a10-7000-8000-000000000100', lang: 'ru' },
  prefix: 'cpl_Qm9yZ2V0',
  status: 'active',
  expiresAt: '2027-01-31T00:00:00.000Z',
  revokedAt: null,
  lastUsedAt: null,
  createdAt: '2026-11-28T09:00:00.000Z',
  createdByKeyId: '019a7c2e-7a10-7000-8000-0000000000a0',
};

export const ShareLinkSchema = z
  .object(shareLinkFields)
  .meta({ id: 'ShareLink', description: 'A read-only link as stored: never its secret, only its prefix.', example: linkExample });

export const CreatedShareLinkSchema = z
  .object({
    ...shareLinkFields,
    url: z
      .string()
      .max('/v1/links/'.length + MAX_TOKEN_LENGTH)
      .describe(
        'The path that opens the link, /v1/links/<secret>; put the service\'s origin in front. Shown this once: copy it now, it cannot be read again.',
      ),
  })
  .meta({
    id: 'CreatedShareLink',
    description: 'A link just created, with its secret URL, which is never shown again.',
    example: { ...linkExample, url: '/v1/links/cpl_Qm9yZ2V0TWVOb3QuLi5UaGlzSXNBbkV4YW1wbGU' },
  });

export const ListShareLinksQuerySchema = z.strictObject({
  ...pageQuery,
  kind: z.enum(SHARE_LINK_KINDS).optional().describe('Only links of this kind.'),
  status: z.enum(SHARE_LINK_STATUSES).optional().describe('Only active, only expired or only revoked links.'),
});

export const ShareLinkPageSchema = pageSchema(ShareLinkSchema, 'ShareLinkPage', 'A page of read-only links, oldest first.');

/** The secret of a link, as it arrives in the path: anything up to a bound, so a malformed one is a plain 404. */
export const OpenShareLinkParamsSchema = z.strictObject({
  token: z.string().min(1).max(MAX_TOKEN_LENGTH).describe('The link\'s secret, as in the URL it was created with.'),
});

/** A link fixes everything it shows: no query parameter is accepted. */
export const OpenShareLinkQuerySchema = z.strictObject({});

export type ShareLink = z.infer<typeof ShareLinkSchema>;
export type ShareLinkParams = z.infer<typeof ShareLinkParamsSchema>;
export type CreateShareLink = z.infer<typeof CreateShareLinkSchema>;
export type ListShareLinksQuery = z.infer<typeof ListShareLinksQuerySchema>;
