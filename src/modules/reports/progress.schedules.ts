// The reporting schedules of a report's plans, as the renderings print them: one period for the whole report only
// when every plan is on it.
import type { ProgressReport, ReportingPeriod } from './progress.schemas.js';

/** A plan of the report and its own periods. */
export interface PlanSchedule {
  title: string;
  reportingPeriod: ReportingPeriod;
}

const scheduleKey = (p: ReportingPeriod) => `${p.current}\u0000${p.lastDue}\u0000${p.lastDueDeadline}`;

/**
 * Each plan with its periods when the plans' differ (in the current period, the last one due or its deadline: a
 * monthly plan beside a quarterly one, or different report due days); null when the report's one `reportingPeriod`
 * is every plan's (one plan, or plans on one schedule), which the renderings print as it is. Printing the first plan's
 * period beside the count of every plan's missing reports told the co-chairs they were all missing for it.
 */
export function distinctSchedules(report: Pick<ProgressReport, 'scope'>): PlanSchedule[] | null {
  const { plans } = report.scope;
  if (new Set(plans.map((p) => scheduleKey(p.reportingPeriod))).size <= 1) return null;
  return plans.map((p) => ({ title: p.title, reportingPeriod: p.reportingPeriod }));
}

/** True when the plans are in different current periods (a monthly plan beside a quarterly one). */
export function distinctCurrentPeriods(schedules: PlanSchedule[] | null): boolean {
  return schedules !== null && new Set(schedules.map((s) => s.reportingPeriod.current)).size > 1;
}
