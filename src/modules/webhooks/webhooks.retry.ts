// The retry schedule of a failed delivery: exponential backoff with equal jitter, longer when the receiver asks
// (Retry-After, in seconds or an HTTP-date as RFC 9110 reads it), never longer than the schedule's longest wait.
import type { WebhookSettings } from './webhooks.worker.js';

export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 6 * 60 * 60 * 1000;

/**
 * The wait before attempt n + 1 after n failed attempts: a window of base × 2^(n−1), capped, of which a random
 * part in [½, 1] is taken ("equal jitter"): retries of many deliveries spread out, yet the whole schedule keeps a
 * known minimum length, so a receiver down for a few hours loses nothing.
 */
export function retryDelayMs(failedAttempts: number, settings: Pick<WebhookSettings, 'retryBaseMs' | 'retryMaxMs'>, random: () => number): number {
  const window = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(window / 2 + (random() * window) / 2);
}

/**
 * How long after its answer a receiver asked to be left alone (Retry-After: delta-seconds, or an HTTP-date read against
 * `answeredAt`, the service's clock); null when it did not ask, or not legibly. A date already past asks for nothing.
 */
export function retryAfterMs(value: string | null, answeredAt: Date): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = httpDate(value, answeredAt);
  return at === null ? null : Math.max(0, at - answeredAt.getTime());
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = MONTHS.join('|');
const HMS = '(\\d{2}):(\\d{2}):(\\d{2})';
/** RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must still read. */
const IMF_FIXDATE = new RegExp(`^(?:mon|tue|wed|thu|fri|sat|sun), (\\d{2}) (${MONTH}) (\\d{4}) ${HMS} GMT$`, 'i');
const RFC850_DATE = new RegExp(`^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday), (\\d{2})-(${MONTH})-(\\d{2}) ${HMS} GMT$`, 'i');
const ASCTIME_DATE = new RegExp(`^(?:mon|tue|wed|thu|fri|sat|sun) (${MONTH}) ([ \\d]\\d) ${HMS} (\\d{4})$`, 'i');

/**
 * An HTTP-date as unix milliseconds, or null. Not Date.parse: it takes any text with a number in it ("x 2030" is
 * 2030-01-01), rolls 30 Feb over into March, and reads a date without a zone (asctime, always GMT) as local time.
 */
function httpDate(value: string, now: Date): number | null {
  let parts: { day: string; month: string; year: number; time: string[] };
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(value))) {
    const [, day, month, year, ...time] = match as unknown as string[];
    parts = { day: day!, month: month!, year: Number(year), time };
  } else if ((match = RFC850_DATE.exec(value))) {
    const [, day, month, yy, ...time] = match as unknown as string[];
    // A two-digit year more than 50 years ahead is the last one in the past with those digits (RFC 9110).
    const year = 2000 + Number(yy);
    parts = { day: day!, month: month!, year: year > now.getUTCFullYear() + 50 ? year - 100 : year, time };
  } else if ((match = ASCTIME_DATE.exec(value))) {
    const [, month, day, h, m, sec, year] = match as unknown as string[];
    parts = { day: day!, month: month!, year: Number(year), time: [h!, m!, sec!] };
  } else {
    return null;
  }
  const month = MONTHS.indexOf(parts.month.toLowerCase());
  const day = Number(parts.day.trim());
  const [h, m, sec] = parts.time.map(Number) as [number, number, number];
  if (h > 23 || m > 59 || sec > 60) return null;
  const at = new Date(Date.UTC(parts.year, month, day, h, m, Math.min(sec, 59)));
  // A day the month does not have (30 Feb) would roll over into the next.
  if (at.getUTCFullYear() !== parts.year || at.getUTCMonth() !== month || at.getUTCDate() !== day) return null;
  return at.getTime();
}

/**
 * The wait before attempt n + 1 after n failed attempts: the backoff, or longer when the receiver asked for it
 * (`askedMs`, Retry-After, from the attempt's start), never longer than retryMaxMs. Retry-After only lengthens the
 * wait: a receiver asking for 1 s does not get its retries sooner than the schedule, and one asking for a day is tried
 * again after the schedule's longest wait (6 hours), so that one answer cannot stretch a delivery's attempts over days.
 */
export function nextAttemptDelayMs(
  failedAttempts: number,
  settings: Pick<WebhookSettings, 'retryBaseMs' | 'retryMaxMs'>,
  random: () => number,
  askedMs: number | null,
): number {
  const backoff = retryDelayMs(failedAttempts, settings, random);
  return askedMs === null ? backoff : Math.max(backoff, Math.min(askedMs, settings.retryMaxMs));
}
