// Reading the change history of one task, one plan, or everything.
import { notFound } from '../../errors.js';
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

    forPlan(planId: string, query: HistoryFilter) {
      if (!findPlanRecord(db, planId)) throw notFound('plan', planId);
      return listHistory(db, { ...query, planId });
    },

    list: (query: HistoryFilter) => listHistory(db, query),
  };
}
