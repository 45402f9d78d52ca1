// Domain rules of commissions: creation, reading and the limits on changing the parties.
import { writeTransaction } from '../../db/connection.js';
import { AppError, ERRORS, notFound } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { diffFields, recordChange } from '../history/history.recorder.js';
import * as repo from './commissions.repository.js';
import type { Commission, CreateCommission, UpdateCommission } from './commissions.schemas.js';

export function createCommissionService({ db, clock }: ServiceDeps) {
  return {
    list: (q: { limit: number; cursor?: string | undefined }) => repo.listCommissions(db, q),

    get(id: string): Commission {
      const found = repo.findCommission(db, id);
      if (!found) throw notFound('commission', id);
      return found;
    },

    create(input: CreateCommission, ctx: WriteContext): Commission {
      const now = clock().toISOString();
      const commission: Commission = { id: newId(), ...input, createdAt: now, updatedAt: now };
      // The write returns what the route sends: an idempotent retry after a crash is rebuilt from it.
      return writeTransaction(db, (tx) => {
        repo.insertCommission(tx, commission);
        recordChange(tx, ctx.actor, now, { operation: 'createCommission', entity: 'commission', entityId: commission.id, before: null, after: commission });
        return commission;
      });
    },

    update(id: string, patch: UpdateCommission, ctx: WriteContext): Commission {
      const now = clock().toISOString();
      return writeTransaction(db, (tx) => {
        const current = repo.findCommission(tx, id);
        if (!current) throw notFound('commission', id);
        ctx.expect?.(current);
        const countries = (c: Pick<Commission, 'parties'>) => c.parties.map((p) => p.country).join(',');
        if (patch.parties && countries({ parties: patch.parties }) !== countries(current) && repo.commissionHasPlans(tx, id)) {
          throw new AppError(
            ERRORS.invalidValue,
            'the party countries cannot change once the commission has plans; co-chairs can',
            [{ path: 'body.parties', message: 'countries differ from the current parties' }],
          );
        }
        const next: Commission = { ...current, ...patch, updatedAt: now };
        // The same values again (a directory synchronised as a whole) are no change: updatedAt and the ETag clients
        // hold stay, as the history, which records no entry for it, says.
        if (diffFields(current, next).length === 0) return current;
        repo.updateCommission(tx, next);
        recordChange(tx, ctx.actor, now, { operation: 'updateCommission', entity: 'commission', entityId: id, before: current, after: next });
        return next;
      });
    },
  };
}
