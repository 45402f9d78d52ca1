// The task status machine: one table of legal transitions and who may take each.
import type { TaskStatus } from '../../db/enums.js';
import { AppError, ERRORS } from '../../errors.js';
import type { TaskParty } from '../../lib/access.js';

export interface Transition {
  from: TaskStatus;
  to: TaskStatus;
  /** A verb for people: what taking this transition means. */
  action: string;
  by: readonly TaskParty[];
}

const BOTH = ['executor', 'secretariat'] as const;
const SECRETARIAT = ['secretariat'] as const;

/** Every legal transition. Anything not listed is refused. */
export const TASK_TRANSITIONS: readonly Transition[] = [
  { from: 'not_started', to: 'in_progress', action: 'start', by: BOTH },
  { from: 'not_started', to: 'on_hold', action: 'put on hold', by: BOTH },
  { from: 'in_progress', to: 'on_hold', action: 'put on hold', by: BOTH },
  { from: 'on_hold', to: 'in_progress', action: 'resume', by: BOTH },
  { from: 'in_progress', to: 'done', action: 'report as done', by: BOTH },
  // "done" is the executors' report; the secretariat removes the task from control or sends it back.
  { from: 'done', to: 'closed', action: 'close (remove from control)', by: SECRETARIAT },
  { from: 'done', to: 'in_progress', action: 'send back', by: SECRETARIAT },
  { from: 'not_started', to: 'cancelled', action: 'cancel', by: SECRETARIAT },
  { from: 'in_progress', to: 'cancelled', action: 'cancel', by: SECRETARIAT },
  { from: 'on_hold', to: 'cancelled', action: 'cancel', by: SECRETARIAT },
  { from: 'done', to: 'cancelled', action: 'cancel', by: SECRETARIAT },
  { from: 'cancelled', to: 'in_progress', action: 'reopen', by: SECRETARIAT },
  { from: 'closed', to: 'in_progress', action: 'reopen (return to control)', by: SECRETARIAT },
];

export function transitionsFrom(from: TaskStatus): readonly Transition[] {
  return TASK_TRANSITIONS.filter((t) => t.from === from);
}

/**
 * The transition from → to if `party` may take it. Throws 409 when the table has no such transition
 * (whoever asks) and 403 when it exists but is not this party's to take.
 */
export function authorizeTransition(from: TaskStatus, to: TaskStatus, party: TaskParty | null): Transition {
  const transition = TASK_TRANSITIONS.find((t) => t.from === from && t.to === to);
  if (!transition) {
    const legal = transitionsFrom(from).map((t) => t.to);
    throw new AppError(
      ERRORS.illegalTransition,
      `a task cannot go from ${from} to ${to}; from ${from} it can go to ${legal.length > 0 ? legal.join(', ') : 'nothing'}`,
      [{ path: 'body.to', message: `not reachable from ${from}` }],
    );
  }
  if (party === null || !transition.by.includes(party)) {
    throw new AppError(
      ERRORS.forbidden,
      `only ${transition.by.map((p) => (p === 'executor' ? "the task's executors" : 'the secretariat')).join(' or ')} may ${transition.action}`,
    );
  }
  return transition;
}
