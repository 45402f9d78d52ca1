// Reading the change history of one task, one plan, or everything.
import { notFound } from '../../errors.js';
import { POLICY, type Actor } from '../../lib/access.js';
import type { ServiceDeps } from '../../lib/service.js';
import { findPlanRecord } from '../plans/plans.repository.js';
import { findTaskRecord } from '../tasks/tasks.repository.js';
import { hasHistory, listHistory } from './history.repository.js';
import type { HistoryFilter } from './history.schemas.js';

export function createHistoryService({ db }: Pick<ServiceDeps, 'db'>) {
  return {
    /** A deleted draft task has no row any more, but its history stays readable. */
    forTask(taskId: string, query: HistoryFilter) {
      if (!findTaskRecord(db, taskId) && !hasHistory(db, 'taskId', taskId)) throw notFound('task', taskId);
      return listHistory(db, { ...query, taskId });
    },

    /**
     * Every key reads a plan's history; its read-only links (the secretariat's) are shown only to the roles that read
     * the whole history, where they are anyway.
     */
    forPlan(planId: string, query: HistoryFilter, actor: Actor) {
      if (!findPlanRecord(db, planId)) throw notFound('plan', planId);
      const wholeHistory = (POLICY.listHistory.roles as readonly string[]).includes(actor.role);
      return listHistory(db, { ...query, planId }, wholeHistory ? [] : ['share_link']);
    },

    list: (query: HistoryFilter) => listHistory(db, query),
  };
}
