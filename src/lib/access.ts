// Who may do what: the role rules services ask before a write. API keys (issue #3) feed the Actor.
import type { Role } from '../db/enums.js';
import { AppError, ERRORS } from '../errors.js';
import type { Actor } from '../plugins/actor.js';

export type { Actor };

/** How a caller stands towards one task: one of its executors, the secretariat, or neither. */
export type TaskParty = 'executor' | 'secretariat';

export function requireRole(actor: Actor, roles: readonly Role[], action: string): void {
  if (!roles.includes(actor.role)) {
    throw new AppError(ERRORS.forbidden, `only ${roles.join(' or ')} may ${action}`);
  }
}

/** A ministry is an executor of a task only when its organization is one of the task's assignees. */
export function taskPartyOf(actor: Actor, assignees: readonly { organizationId: string }[]): TaskParty | null {
  if (actor.role === 'secretariat') return 'secretariat';
  if (actor.role === 'ministry' && actor.organizationId !== null && assignees.some((a) => a.organizationId === actor.organizationId)) {
    return 'executor';
  }
  return null;
}
