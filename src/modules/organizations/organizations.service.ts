// Domain rules of organizations: the parent must exist and an organization can never be its own ancestor.
import { writeTransaction, type Db } from '../../db/connection.js';
import { AppError, ERRORS, notFound, unknownReference } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { diffFields, recordChange } from '../history/history.recorder.js';
import * as repo from './organizations.repository.js';
import type { CreateOrganization, ListOrganizationsQuery, Organization, UpdateOrganization } from './organizations.schemas.js';

function assertParentExists(tx: Db, parentId: string): void {
  if (!repo.findOrganization(tx, parentId)) throw unknownReference('body.parentId', 'organization', parentId);
}

/** Walks up from the proposed parent; meeting `id` on the way means the move would close a loop. */
function assertNoCycle(tx: Db, id: string, parentId: string): void {
  const seen = new Set<string>();
  for (let current: string | null = parentId; current !== null && !seen.has(current); ) {
    if (current === id) {
      throw new AppError(ERRORS.invalidValue, `organization ${JSON.stringify(id)} cannot become its own ancestor`, [
        { path: 'body.parentId', message: 'this parent would make the organization its own ancestor' },
      ]);
    }
    seen.add(current);
    current = repo.findOrganization(tx, current)?.parentId ?? null;
  }
}

export function createOrganizationService({ db, clock }: ServiceDeps) {
  return {
    list: (q: ListOrganizationsQuery) => repo.listOrganizations(db, q),

    get(id: string): Organization {
      const found = repo.findOrganization(db, id);
      if (!found) throw notFound('organization', id);
      return found;
    },

    create(input: CreateOrganization, ctx: WriteContext): Organization {
      const now = clock().toISOString();
      const organization: Organization = {
        id: newId(),
        name: input.name,
        shortName: input.shortName ?? null,
        kind: input.kind,
        country: input.country,
        parentId: input.parentId ?? null,
        createdAt: now,
        updatedAt: now,
      };
      // The write returns what the route sends: an idempotent retry after a crash is rebuilt from it.
      return writeTransaction(db, (tx) => {
        if (organization.parentId !== null) assertParentExists(tx, organization.parentId);
        repo.insertOrganization(tx, organization);
        recordChange(tx, ctx.actor, now, { operation: 'createOrganization', entity: 'organization', entityId: organization.id, before: null, after: organization });
        return organization;
      });
    },

    update(id: string, patch: UpdateOrganization, ctx: WriteContext): Organization {
      const now = clock().toISOString();
      return writeTransaction(db, (tx) => {
        const current = repo.findOrganization(tx, id);
        if (!current) throw notFound('organization', id);
        ctx.expect?.(current);
        // Every assignee must be of a party of its commission: an executor cannot move to another country.
        if (patch.country !== undefined && patch.country !== current.country && repo.isTaskAssignee(tx, id)) {
          throw new AppError(ERRORS.referenceInUse, 'the organization executes tasks, so its country cannot change', [
            { path: 'body.country', message: 'the organization is an assignee of tasks' },
          ]);
        }
        if (patch.parentId != null && patch.parentId !== current.parentId) {
          assertParentExists(tx, patch.parentId);
          assertNoCycle(tx, id, patch.parentId);
        }
        const next: Organization = { ...current, ...patch, updatedAt: now };
        // The same values again (a directory synchronised as a whole) are no change: updatedAt and the ETag clients
        // hold stay, as the history, which records no entry for it, says.
        if (diffFields(current, next).length === 0) return current;
        repo.updateOrganization(tx, next);
        recordChange(tx, ctx.actor, now, { operation: 'updateOrganization', entity: 'organization', entityId: id, before: current, after: next });
        return next;
      });
    },
  };
}
