// Domain rules of meetings: a meeting belongs to an existing commission and never moves to another.
import { writeTransaction } from '../../db/connection.js';
import { notFound, unknownReference } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { diffFields, recordChange } from '../history/history.recorder.js';
import { findCommission } from '../commissions/commissions.repository.js';
import * as repo from './meetings.repository.js';
import type { CreateMeeting, ListMeetingsQuery, Meeting, UpdateMeeting } from './meetings.schemas.js';

export function createMeetingService({ db, clock }: ServiceDeps) {
  return {
    list: (q: ListMeetingsQuery) => repo.listMeetings(db, q),

    get(id: string): Meeting {
      const found = repo.findMeeting(db, id);
      if (!found) throw notFound('meeting', id);
      return found;
    },

    create(input: CreateMeeting, ctx: WriteContext): Meeting {
      const now = clock().toISOString();
      const meeting: Meeting = {
        id: newId(),
        commissionId: input.commissionId,
        kind: input.kind,
        title: input.title,
        date: input.date,
        place: input.place,
        protocolNumber: input.protocolNumber ?? null,
        createdAt: now,
        updatedAt: now,
      };
      // The write returns what the route sends: an idempotent retry after a crash is rebuilt from it.
      return writeTransaction(db, (tx) => {
        if (!findCommission(tx, meeting.commissionId)) {
          throw unknownReference('body.commissionId', 'commission', meeting.commissionId);
        }
        repo.insertMeeting(tx, meeting);
        recordChange(tx, ctx.actor, now, { operation: 'createMeeting', entity: 'meeting', entityId: meeting.id, before: null, after: meeting });
        return meeting;
      });
    },

    update(id: string, patch: UpdateMeeting, ctx: WriteContext): Meeting {
      const now = clock().toISOString();
      return writeTransaction(db, (tx) => {
        const current = repo.findMeeting(tx, id);
        if (!current) throw notFound('meeting', id);
        ctx.expect?.(current);
        const next: Meeting = { ...current, ...patch, updatedAt: now };
        // The same values again (a directory synchronised as a whole) are no change: updatedAt and the ETag clients
        // hold stay, as the history, which records no entry for it, says.
        if (diffFields(current, next).length === 0) return current;
        repo.updateMeeting(tx, next);
        recordChange(tx, ctx.actor, now, { operation: 'updateMeeting', entity: 'meeting', entityId: id, before: current, after: next });
        return next;
      });
    },
  };
}
