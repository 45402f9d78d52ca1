// zod schemas of meetings: what the API accepts and returns, registered as named OpenAPI components.
import { z } from 'zod';
import { MEETING_KINDS } from '../../db/enums.js';
import { DateSchema, IdSchema, InstantSchema, line } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';

const KindSchema = z.enum(MEETING_KINDS).describe('Commission session, working-group meeting, official visit or other.');
const TitleSchema = line(500).describe('What the meeting was, e.g. "Official visit of the Prime Minister of Belarus to Kazakhstan".');
const DateOfMeetingSchema = DateSchema.describe('The day the meeting took place (its first day), YYYY-MM-DD.');
const PlaceSchema = line(300).describe('Where it took place, e.g. "Astana".');
const ProtocolNumberSchema = line(100).nullable().describe('Number of the signed protocol, e.g. "No. 19"; null while there is none.');

const example = {
  commissionId: '019a7c2e-7a10-7000-8000-000000000001',
  kind: 'official_visit',
  title: 'Official visit of the Prime Minister of the Republic of Belarus to the Republic of Kazakhstan',
  date: '2026-11-04',
  place: 'Astana',
  protocolNumber: 'No. 19',
};

export const CreateMeetingSchema = z
  .strictObject({
    commissionId: IdSchema.describe('The commission whose meeting this is; it must exist.'),
    kind: KindSchema,
    title: TitleSchema,
    date: DateOfMeetingSchema,
    place: PlaceSchema,
    protocolNumber: ProtocolNumberSchema.optional(),
  })
  .meta({ id: 'CreateMeeting', description: 'A new meeting of a commission.', example });

export const UpdateMeetingSchema = z
  .strictObject({
    kind: KindSchema.optional(),
    title: TitleSchema.optional(),
    date: DateOfMeetingSchema.optional(),
    place: PlaceSchema.optional(),
    protocolNumber: ProtocolNumberSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .meta({
    id: 'UpdateMeeting',
    description: 'Fields to change; absent fields stay, null clears the protocol number. The commission cannot change.',
    example: { protocolNumber: 'No. 19' },
  });

export const MeetingSchema = z
  .object({
    id: IdSchema,
    commissionId: IdSchema.describe('The commission whose meeting this is.'),
    kind: z.enum(MEETING_KINDS).describe('Commission session, working-group meeting, official visit or other.'),
    title: z.string().max(500).describe('What the meeting was.'),
    date: DateSchema.describe('The day of the meeting, YYYY-MM-DD.'),
    place: z.string().max(300).describe('Where it took place.'),
    protocolNumber: z.string().max(100).nullable().describe('Number of the signed protocol; null while there is none.'),
    createdAt: InstantSchema,
    updatedAt: InstantSchema,
  })
  .meta({
    id: 'Meeting',
    description: 'A commission session, working-group meeting or official visit; tasks cite it as their basis.',
    example: {
      id: '019a7c2e-7a10-7000-8000-000000000020',
      ...example,
      createdAt: '2026-11-05T09:00:00.000Z',
      updatedAt: '2026-11-05T09:00:00.000Z',
    },
  });

export const MeetingPageSchema = pageSchema(MeetingSchema, 'MeetingPage', 'A page of meetings, ordered by date then id.');

export const ListMeetingsQuerySchema = z
  .strictObject({
    ...pageQuery,
    commissionId: IdSchema.optional().describe('Only meetings of this commission.'),
    kind: z.enum(MEETING_KINDS).optional().describe('Only meetings of this kind.'),
    from: DateSchema.optional().describe('Only meetings on or after this date, YYYY-MM-DD.'),
    to: DateSchema.optional().describe('Only meetings on or before this date, YYYY-MM-DD.'),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: '`from` must not be after `to`',
    path: ['to'],
  });

export type Meeting = z.infer<typeof MeetingSchema>;
export type CreateMeeting = z.infer<typeof CreateMeetingSchema>;
export type UpdateMeeting = z.infer<typeof UpdateMeetingSchema>;
export type ListMeetingsQuery = z.infer<typeof ListMeetingsQuerySchema>;
