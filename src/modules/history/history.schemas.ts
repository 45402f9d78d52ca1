// zod schemas of the change history: who changed what, when, field by field.
import { z } from 'zod';
import { HISTORY_ENTITIES, ROLES } from '../../db/enums.js';
import { IdSchema, InstantSchema } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';

const FieldChangeSchema = z
  .object({
    field: z.string().max(100).describe('The field of the API representation that changed, e.g. "status" or "dueDate".'),
    before: z.unknown().describe('Its value before the write; null for a creation.'),
    after: z.unknown().describe('Its value after the write; null for a deletion.'),
  })
  .meta({ id: 'FieldChange', description: 'One field changed by a write.' });

export const HistoryEntrySchema = z
  .object({
    id: IdSchema,
    at: InstantSchema.describe('When the write was committed.'),
    actor: z
      .object({
        keyId: IdSchema.nullable().describe('The API key used; null for the command line or the bootstrap.'),
        role: z.enum(ROLES).describe('The role the key acted in.'),
        organizationId: IdSchema.nullable().describe('The organization of a ministry key; null otherwise.'),
      })
      .describe('Who made the change.'),
    operation: z.string().max(100).describe('The operationId of the write, e.g. "transitionTask".'),
    entityType: z.enum(HISTORY_ENTITIES).describe('What kind of thing changed.'),
    entityId: IdSchema.describe('Which one.'),
    planId: IdSchema.nullable().describe('The plan it belongs to, if any.'),
    taskId: IdSchema.nullable().describe('The task it belongs to, if any (a task, or a deadline change of it).'),
    // A write changes at most every field of one representation; the largest (a task) has about 25.
    changes: z.array(FieldChangeSchema).max(100).describe('The fields that changed, before and after.'),
  })
  .meta({
    id: 'HistoryEntry',
    description: 'One write, recorded in the same transaction as the write itself. History is append-only.',
    example: {
      id: '019a7c2e-7a10-7000-8000-0000000000f1',
      at: '2026-11-28T09:15:00.000Z',
      actor: { keyId: '019a7c2e-7a10-7000-8000-0000000000a1', role: 'ministry', organizationId: '019a7c2e-7a10-7000-8000-000000000010' },
      operation: 'transitionTask',
      entityType: 'task',
      entityId: '019a7c2e-7a10-7000-8000-000000000101',
      planId: '019a7c2e-7a10-7000-8000-000000000100',
      taskId: '019a7c2e-7a10-7000-8000-000000000101',
      changes: [{ field: 'status', before: 'not_started', after: 'in_progress' }],
    },
  });

// The feed's order is the order written (ids are time-ordered, and monotonic within the service); instants need not be:
// a clock corrected back gives a later write an earlier `at`, which a poll `since` the last instant read would miss.
const after = IdSchema.optional().describe(
  'Only entries written after the entry with this id: the id of the last entry you read, to poll for newer ones (then follow `nextCursor` to the last page). Nothing is missed or read twice, even when a clock was set back between two writes, as `since` an instant could.',
);

const filters = {
  entityType: z.enum(HISTORY_ENTITIES).optional().describe('Only changes of this kind of entity.'),
  taskId: IdSchema.optional().describe('Only changes of this task and its deadline changes.'),
  operation: z.string().max(100).optional().describe('Only this operation, e.g. "transitionTask".'),
  actorKeyId: IdSchema.optional().describe('Only changes made with this API key.'),
  actorOrganizationId: IdSchema.optional().describe('Only changes made by keys of this organization.'),
  after,
  // Any RFC 3339 instant, as format date-time publishes: an offset too (Python's isoformat() writes UTC as +00:00).
  since: InstantSchema.pipe(z.iso.datetime({ offset: true })).optional().describe('Only changes at or after this instant (RFC 3339; with an offset, the instant it names).'),
  until: InstantSchema.pipe(z.iso.datetime({ offset: true })).optional().describe('Only changes before this instant (RFC 3339; with an offset, the instant it names).'),
};

export const TaskHistoryQuerySchema = z.strictObject({ ...pageQuery, after });
export const PlanHistoryQuerySchema = z.strictObject({ ...pageQuery, ...filters });
export const HistoryQuerySchema = z.strictObject({
  ...pageQuery,
  ...filters,
  planId: IdSchema.optional().describe('Only changes within this plan.'),
  entityId: IdSchema.optional().describe('Only changes of this entity.'),
});

export const HistoryPageSchema = pageSchema(HistoryEntrySchema, 'HistoryPage', 'A page of history entries, oldest first.');

export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;
export type HistoryFilter = Partial<z.infer<typeof HistoryQuerySchema>> & { limit: number };
