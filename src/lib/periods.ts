// Reporting periods: '2026-Q4' (quarterly) or '2026-11' (monthly), their bounds and submission deadlines.
import type { ReportingFrequency } from '../db/enums.js';
import { addDays } from './dates.js';

export const QUARTER_PERIOD = /^(\d{4})-Q([1-4])$/;
export const MONTH_PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface PeriodBounds {
  /** First day of the period, YYYY-MM-DD. */
  start: string;
  /** Last day of the period, YYYY-MM-DD. */
  end: string;
}

/** The frequency a period string is written in, or null when it is not a period. */
export function frequencyOf(period: string): ReportingFrequency | null {
  if (QUARTER_PERIOD.test(period)) return 'quarterly';
  if (MONTH_PERIOD.test(period)) return 'monthly';
  return null;
}

const lastDayOfMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const pad = (n: number) => String(n).padStart(2, '0');

/** First and last day of a period; throws on something that is not a period (validate first). */
export function periodBounds(period: string): PeriodBounds {
  const q = QUARTER_PERIOD.exec(period);
  if (q) {
    const year = Number(q[1]);
    const first = (Number(q[2]) - 1) * 3 + 1;
    return { start: `${year}-${pad(first)}-01`, end: `${year}-${pad(first + 2)}-${pad(lastDayOfMonth(year, first + 2))}` };
  }
  const m = MONTH_PERIOD.exec(period);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    return { start: `${year}-${pad(month)}-01`, end: `${year}-${pad(month)}-${pad(lastDayOfMonth(year, month))}` };
  }
  throw new RangeError(`not a reporting period: ${JSON.stringify(period)}`);
}

/** The period of `frequency` that contains `date`. */
export function periodOf(date: string, frequency: ReportingFrequency): string {
  const year = date.slice(0, 4);
  const month = Number(date.slice(5, 7));
  return frequency === 'quarterly' ? `${year}-Q${Math.ceil(month / 3)}` : `${year}-${pad(month)}`;
}

/** The day by which reports for `period` are due: `dueDays` after its last day. */
export function submissionDeadline(period: string, dueDays: number): string {
  return addDays(periodBounds(period).end, dueDays);
}

/** The period right before `period`, in the same frequency. */
export function previousPeriod(period: string): string {
  const { start } = periodBounds(period);
  return periodOf(addDays(start, -1), frequencyOf(period) as ReportingFrequency);
}

/** Every period of `frequency` overlapping [from, to], in order. */
export function periodsBetween(from: string, to: string, frequency: ReportingFrequency): string[] {
  const out: string[] = [];
  for (let p = periodOf(from, frequency); ; ) {
    const { start, end } = periodBounds(p);
    if (start > to) break;
    out.push(p);
    // Stop at the period holding `to`: the day after 9999-12-31 is no YYYY-MM-DD date.
    if (end >= to) break;
    p = periodOf(addDays(end, 1), frequency);
  }
  return out;
}

/**
 * The latest period of the plan whose submission deadline has passed on `date`: the one whose missing reports are
 * late. Null when even the first period of the plan is not yet due. Once the plan's period is over, no later
 * period than its last one: reports are accepted only for periods overlapping the plan's.
 */
export function lastDuePeriod(date: string, frequency: ReportingFrequency, dueDays: number, planStart: string, planEnd: string): string | null {
  let p = periodOf(date < planEnd ? date : planEnd, frequency);
  while (submissionDeadline(p, dueDays) >= date) {
    p = previousPeriod(p);
    if (periodBounds(p).end < planStart) return null;
  }
  return periodBounds(p).end < planStart ? null : p;
}
