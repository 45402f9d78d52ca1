// Progress of an indicator toward its target, and its latest actual value as of a date: pure functions.
import { periodBounds } from '../../lib/periods.js';

export interface PeriodValue {
  /** Reporting period, e.g. '2026-Q4' or '2026-11'. */
  period: string;
  value: number;
}

/**
 * How far `actual` has come from `baseline` toward `target`, in percent rounded to one decimal: 0 at the
 * baseline, 100 on target, above 100 beyond it, negative when it went the wrong way. The same formula
 * serves decreasing targets (baseline 30, target 10, actual 20 → 50). Null when there is no actual value.
 * Callers guarantee target ≠ baseline (creation and updates refuse it).
 */
export function progressPercent(baseline: number, target: number, actual: number | null): number | null {
  if (actual === null) return null;
  // Tenths of a percent in one division, so an exact half (23 of 80 = 28.75 %) is not float noise below it.
  const tenths = ((actual - baseline) * 1000) / (target - baseline);
  // Half away from zero, so a shortfall rounds like the same gain (-12.25 → -12.3, not -12.2); `+ 0`
  // turns -0 into 0. Absurd magnitudes (a target a hair from its baseline) overflow: no number to show.
  const rounded = (Math.sign(tenths) * Math.round(Math.abs(tenths))) / 10 + 0;
  return Number.isFinite(rounded) ? rounded : null;
}

/**
 * The value of the latest period that has ended on or before `asOf` (YYYY-MM-DD): a quarter's value
 * counts from its last day on, so a running quarter's early figure does not yet stand as "the latest".
 * Null when no recorded period has ended yet.
 */
export function latestValue<T extends PeriodValue>(values: readonly T[], asOf: string): PeriodValue | null {
  let best: { period: string; value: number; end: string } | null = null;
  for (const v of values) {
    const { end } = periodBounds(v.period);
    // Periods of one indicator share a frequency, but compare by end date so mixed forms stay ordered.
    if (end <= asOf && (best === null || end > best.end || (end === best.end && v.period > best.period))) {
      best = { period: v.period, value: v.value, end };
    }
  }
  return best && { period: best.period, value: best.value };
}
