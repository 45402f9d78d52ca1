// Domain rules of organizations: names unique in their country, the parent must exist, never one's own ancestor.
import { writeTransaction, type Db } from '../../db/connection.js';
import { AppError, ERRORS, notFound, unknownReference, type FieldError } from '../../errors.js';
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

/**
 * Refuses a full name, or a short name, that another organization of the same country already has, as a user reads
 * names: whatever the case, "ё" as "е" (the organization search's fold). Lists and reports could not tell the two
 * apart, nor the import match an executor to one of them. A full name equal to another's short name is no conflict,
 * nor the same name in the other country. Every organization counts: there is no archiving, and a name stays in the
 * history and reports. Only the names `check` lists are compared, so a duplicate written before this rule does not
 * stop other changes to either organization.
 */
function assertNamesFree(tx: Db, o: Organization, check: { name: boolean; shortName: boolean }): void {
  const errors: FieldError[] = [];
  const details: string[] = [];
  for (const field of ['name', 'shortName'] as const) {
    const value = o[field];
    if (!check[field] || value === null) continue;
    const other = repo.findOrganizationNamed(tx, field, value, o.country, o.id);
    if (!other) continue;
    const what = field === 'name' ? 'name' : 'short name';
    details.push(`${o.country} already has an organization with the ${what} ${JSON.stringify(other[field])} (${other.id})`);
    errors.push({ path: `body.${field}`, message: `another organization of ${o.country} has this ${what} (${other.id})` });
  }
  if (errors.length > 0) {
    throw new AppError(ERRORS.duplicateOrganizationName, `${details.join('; ')}: give a name that tells them apart`, errors);
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
        assertNamesFree(tx, organization, { name: true, shortName: true });
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
        const moved = next.country !== current.country;
        assertNamesFree(tx, next, { name: moved || next.name !== current.name, shortName: moved || next.shortName !== current.shortName });
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
