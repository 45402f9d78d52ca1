// zod schemas of deadline changes: requests by executors, decisions and direct changes by the secretariat.
import { z } from 'zod';
import { DEADLINE_CHANGE_KINDS, DEADLINE_CHANGE_STATUSES, ROLES } from '../../db/enums.js';
import { DateSchema, IdSchema, InstantSchema, MAX_DAYS, line, text } from '../../lib/common.schemas.js';
import { pageQuery, pageSchema } from '../../lib/pagination.js';

export const CreateDeadlineChangeSchema = z
  .strictObject({
    kind: z
      .enum(DEADLINE_CHANGE_KINDS)
      .describe('request: an executor asks and the secretariat decides later; direct: the secretariat changes the date now.'),
    newDueDate: DateSchema.describe('The deadline asked for.'),
    reason: text(2000).describe('Why the deadline should move.'),
    basis: line(500).optional().describe('For a direct change: its basis, e.g. a protocol item.'),
  })
  .refine((b) => b.kind === 'direct' || b.basis === undefined, { message: 'a basis is given with the decision, not with a request', path: ['basis'] })
  .meta({
    id: 'CreateDeadlineChange',
    description: 'A request to move a task\'s deadline, or a direct change by the secretariat.',
    example: { kind: 'request', newDueDate: '2027-03-31', reason: 'Certification of the assembled combines takes longer than planned.' },
  });

export const DeadlineDecisionSchema = z
  .strictObject({
    decision: z.enum(['approve', 'reject']).describe('approve applies the new date to the task; reject keeps the current one.'),
    basis: line(500).describe('Grounds of the decision, e.g. "Protocol No. 12, item 4.1".'),
    comment: text(2000).optional().describe('Anything the requester should know.'),
  })
  .meta({
    id: 'DeadlineDecision',
    description: 'The secretariat\'s decision on a pending deadline request.',
    example: { decision: 'approve', basis: 'Protocol of the 18th session, item 3.4' },
  });

export const WithdrawDeadlineChangeSchema = z
  .strictObject({
    comment: text(2000).optional().describe('Why the request is taken back, e.g. "The work caught up: the current deadline holds".'),
  })
  .meta({
    id: 'DeadlineWithdrawal',
    description: 'The withdrawal of a pending deadline request by the organization that asked for it, or by the secretariat.',
    example: { comment: 'The supplier delivered on time after all: the current deadline holds.' },
  });

export const DeadlineChangeSchema = z
  .object({
    id: IdSchema,
    taskId: IdSchema.describe('The task whose deadline moves.'),
    kind: z.enum(DEADLINE_CHANGE_KINDS).describe('request (decided later) or direct (applied at once).'),
    status: z
      .enum(DEADLINE_CHANGE_STATUSES)
      .describe(
        'For requests: pending until the secretariat approves or rejects it, or until it is withdrawn (by the organization that ' +
          'asked, or the secretariat; no decision then, and nothing moved); applied for direct changes.',
      ),
    oldDueDate: DateSchema.describe('The deadline in force when the change was asked for.'),
    newDueDate: DateSchema.describe('The deadline asked for.'),
    daysMoved: z.number().int().min(-MAX_DAYS).max(MAX_DAYS).describe('newDueDate minus oldDueDate, in days; positive is a postponement.'),
    reason: z.string().max(2000).describe('Why the deadline should move.'),
    requestedBy: z
      .object({
        keyId: IdSchema.nullable().describe('The API key used; null for the command line and for changes recorded before keys were kept with them.'),
        role: z.enum(ROLES).describe('Role of the requester.'),
        organizationId: IdSchema.nullable().describe('Organization of a ministry requester.'),
      })
      .describe('Who asked.'),
    requestedAt: InstantSchema,
    decidedBy: z
      .object({
        keyId: IdSchema.nullable().describe('The API key used; null for the command line and for decisions recorded before keys were kept with them.'),
        role: z.enum(ROLES).describe('Role of the decider.'),
      })
      .nullable()
      .describe('Who decided; null while pending.'),
    decidedAt: InstantSchema.nullable().describe('When it was decided or applied.'),
    decisionBasis: z.string().max(500).nullable().describe('Grounds of the decision or of the direct change.'),
    decisionComment: z.string().max(2000).nullable().describe('Comment given with the decision.'),
    withdrawnBy: z
      .object({
        keyId: IdSchema.nullable().describe('The API key used; null for the command line.'),
        role: z.enum(ROLES).describe('Role of the one who withdrew it: ministry (the organization that asked) or secretariat.'),
        organizationId: IdSchema.nullable().describe('Organization of a ministry key; null for the secretariat.'),
      })
      .nullable()
      .describe('Who withdrew the request; null unless the status is withdrawn.'),
    withdrawnAt: InstantSchema.nullable().describe('When the request was withdrawn; null unless the status is withdrawn.'),
    withdrawalComment: z.string().max(2000).nullable().describe('Comment given with the withdrawal.'),
  })
  .meta({
    id: 'DeadlineChange',
    description: 'One change of a task\'s deadline, asked for or made; every one is kept.',
    example: {
      id: '019a7c2e-7a10-7000-8000-000000000060',
      taskId: '019a7c2e-7a10-7000-8000-000000000040',
      kind: 'request',
      status: 'approved',
      oldDueDate: '2026-12-31',
      newDueDate: '2027-03-31',
      daysMoved: 90,
      reason: 'Certification of the assembled combines takes longer than planned.',
      requestedBy: { keyId: '019a7c2e-7a10-7000-8000-0000000000a1', role: 'ministry', organizationId: '019a7c2e-7a10-7000-8000-000000000031' },
      requestedAt: '2026-11-20T08:00:00.000Z',
      decidedBy: { keyId: '019a7c2e-7a10-7000-8000-0000000000a0', role: 'secretariat' },
      decidedAt: '2026-11-25T08:00:00.000Z',
      decisionBasis: 'Protocol of the 18th session, item 3.4',
      decisionComment: null,
      withdrawnBy: null,
      withdrawnAt: null,
      withdrawalComment: null,
    },
  });

export const DeadlineChangePageSchema = pageSchema(DeadlineChangeSchema, 'DeadlineChangePage', 'A page of deadline changes, oldest first.');

export const ListDeadlineChangesQuerySchema = z.strictObject({ ...pageQuery });

export const DeadlineChangeParamsSchema = z.strictObject({
  id: IdSchema.describe('The task.'),
  changeId: IdSchema.describe('The deadline change.'),
});

export type DeadlineChange = z.infer<typeof DeadlineChangeSchema>;
export type CreateDeadlineChange = z.infer<typeof CreateDeadlineChangeSchema>;
export type DeadlineDecision = z.infer<typeof DeadlineDecisionSchema>;
export type DeadlineWithdrawal = z.infer<typeof WithdrawDeadlineChangeSchema>;
