// Writes the change history: one entry per write, inside the write's own transaction, field by field.
import { max } from 'drizzle-orm';
import { insertRow, prepared, type Db } from '../../db/connection.js';
import type { HistoryEntity } from '../../db/enums.js';
import { changeHistory, type FieldChange } from '../../db/schema.js';
import type { Actor } from '../../lib/access.js';
import { idsAfter, newId } from '../../lib/ids.js';
import { enqueueEvents } from '../webhooks/webhooks.events.js';
import { textWithUrlsForHistory, urlForHistory } from '../webhooks/webhooks.url-guard.js';

/** Fields that are not facts of their own: identity, bookkeeping, and values derived at read time. */
const NOT_RECORDED = new Set(['id', 'createdAt', 'updatedAt', 'overdue', 'daysOverdue', 'completion', 'taskCount']);

export interface Change {
  /** The operationId of the write, e.g. "updateTask". */
  operation: string;
  entity: HistoryEntity;
  entityId: string;
  planId?: string | null | undefined;
  taskId?: string | null | undefined;
  /** The API representation before the write; null for a creation. */
  before: object | null;
  /** The API representation after the write; null for a deletion. */
  after: object | null;
}

/** Fields whose values the history keeps only in part (see urlForHistory): the change is recorded, not the secret. */
const SHOWN_IN_PART: Partial<Record<string, Record<string, (value: unknown) => unknown>>> = {
  webhook_subscription: { url: urlForHistory, disabledReason: textWithUrlsForHistory },
};

/** The changes of an entity as the history keeps and shows them (entries written before a rule was added too). */
export function shownChanges(entity: string, changes: FieldChange[]): FieldChange[] {
  const rules = SHOWN_IN_PART[entity];
  if (!rules) return changes;
  return changes.map((c) => {
    const shown = rules[c.field];
    return shown ? { ...c, before: shown(c.before), after: shown(c.after) } : c;
  });
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The fields whose value differs between two representations, in the order they first appear. */
export function diffFields(before: object | null, after: object | null): FieldChange[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((f) => !NOT_RECORDED.has(f));
  return fields
    .filter((f) => !same(b[f] ?? null, a[f] ?? null))
    .map((field) => ({ field, before: before === null ? null : (b[field] ?? null), after: after === null ? null : (a[field] ?? null) }));
}

/**
 * Records one write, and queues the webhook events it raises (the outbox). An update that changed no field
 * leaves no entry and raises nothing. Must run inside the transaction of the write it describes, so the write,
 * its history and its events land together or not at all.
 */
export function recordChange(tx: Db, actor: Actor, at: string, change: Change): void {
  // Compared in full (a URL whose token alone changed is a change), kept as shown.
  const compared = diffFields(change.before, change.after);
  if (compared.length === 0 && change.before !== null && change.after !== null) return;
  const changes = shownChanges(change.entity, compared);
  // After every entry written, another program's too (the CLI, a second service on this file): each makes ids by its own
  // clock and state, and a poller resumes after the last id it read. The write lock is held (BEGIN IMMEDIATE), so the
  // greatest id is the last committed; one seek of the primary key.
  idsAfter(prepared(tx, 'greatestHistoryId', (db) => db.select({ id: max(changeHistory.id) }).from(changeHistory).prepare()).get()?.id);
  insertRow(tx, changeHistory, {
      id: newId(),
      at,
      actorKeyId: actor.keyId,
      actorRole: actor.role,
      actorOrganizationId: actor.organizationId,
      operation: change.operation,
      entityType: change.entity,
      entityId: change.entityId,
      planId: change.planId ?? null,
      taskId: change.taskId ?? null,
      changes,
    });
  enqueueEvents(tx, actor, at, change, changes);
}
