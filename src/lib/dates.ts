// Calendar arithmetic on 'YYYY-MM-DD' strings, and "today" as seen in a given time zone.

/** One formatter per time zone: building an Intl.DateTimeFormat costs more than the rest of a task read. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Answers by time zone and UTC minute: since 1972 every zone's offset is a whole number of minutes, so a date cannot
 * change inside one. Before (local mean time until about 1924; Liberia's −0:44:30 until 1972) a day can end at any
 * second, so earlier instants are formatted every time. Every task presented asks "today" with the same now, and a report's presentation the dates of its creation, of
 * its plan's approval and of its organization's assignment, mostly of a few minutes. Emptied when full.
 */
const byMinute = new Map<string, string>();
const MINUTES_KEPT = 10_000;
/** 1973-01-01T00:00:00Z: from here on every offset in the time zone database is a whole number of minutes. */
const WHOLE_MINUTE_OFFSETS_FROM = Date.UTC(1973, 0, 1);

/** The last answer, asked again first: a page of tasks asks "today" once a task, with no key to build. */
let last = { minute: NaN, timeZone: '', date: '' };

/** The calendar date of `instant` in `timeZone`, as YYYY-MM-DD, kept for the instant's minute. */
export function dateInZone(instant: Date, timeZone: string): string {
  if (!(instant.getTime() >= WHOLE_MINUTE_OFFSETS_FROM)) return dateAt(instant, timeZone);
  const minute = Math.floor(instant.getTime() / 60_000);
  if (last.minute === minute && last.timeZone === timeZone) return last.date;
  const key = `${minute} ${timeZone}`;
  let date = byMinute.get(key);
  if (date === undefined) {
    if (byMinute.size >= MINUTES_KEPT) byMinute.clear();
    byMinute.set(key, (date = dateAt(instant, timeZone)));
  }
  last = { minute, timeZone, date };
  return date;
}

/** The calendar date of any instant in `timeZone`, as YYYY-MM-DD, computed every time. */
export function dateAt(instant: Date, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD; formatToParts keeps us independent of that detail anyway.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

const FIRST_INSTANT = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * What stored instants (toISOString, which sort as text) are compared with for "at or after" or "before" an RFC 3339
 * instant, offsets read: the first whole millisecond at or after it. Instants are stored to the millisecond, and Date
 * cuts finer fractions off, so "at or after 09:00:00.0005" matched what was written at 09:00:00.000. Outside the years
 * 0000 to 9999 toISOString writes six digits and a sign, and "+010000-01-01" sorts before "2026": an instant past 9999
 * is the end of its last day, which ISO 8601 writes 24:00 and which sorts after every stored instant.
 */
export function instantBound(instant: string): string {
  const finer = /\.\d{3}(\d+)/.exec(instant)?.[1] ?? '';
  const ms = Date.parse(instant) + (/[1-9]/.test(finer) ? 1 : 0);
  if (ms > LAST_INSTANT) return '9999-12-31T24:00:00.000Z';
  return new Date(Math.max(ms, FIRST_INSTANT)).toISOString();
}

const ZONES = new Set(Intl.supportedValuesOf('timeZone'));

const resolvedZone = (value: string) => new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;

/**
 * IANA's current names of the zones that ICU (CLDR) still names by an older one, which is what Node 20's Intl answers
 * for either: `Europe/Kyiv` came back as `Europe/Kiev`, `Asia/Kolkata` as `Asia/Calcutta`. From CLDR's timezone.xml
 * (its `iana` attribute); kept only where this runtime's ICU does answer the old name for the current one, so a
 * runtime that knows the current names already leaves the table empty.
 */
const CURRENT_NAMES = new Map(
  Object.entries({
    'Africa/Asmera': 'Africa/Asmara',
    'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
    'America/Catamarca': 'America/Argentina/Catamarca',
    'America/Coral_Harbour': 'America/Atikokan',
    'America/Cordoba': 'America/Argentina/Cordoba',
    'America/Godthab': 'America/Nuuk',
    'America/Indianapolis': 'America/Indiana/Indianapolis',
    'America/Jujuy': 'America/Argentina/Jujuy',
    'America/Louisville': 'America/Kentucky/Louisville',
    'America/Mendoza': 'America/Argentina/Mendoza',
    'Asia/Calcutta': 'Asia/Kolkata',
    'Asia/Katmandu': 'Asia/Kathmandu',
    'Asia/Rangoon': 'Asia/Yangon',
    'Asia/Saigon': 'Asia/Ho_Chi_Minh',
    'Atlantic/Faeroe': 'Atlantic/Faroe',
    'Europe/Kiev': 'Europe/Kyiv',
    'Pacific/Enderbury': 'Pacific/Kanton',
    'Pacific/Ponape': 'Pacific/Pohnpei',
    'Pacific/Truk': 'Pacific/Chuuk',
  }).filter(([old, current]) => {
    try {
      return resolvedZone(current) === old;
    } catch {
      return false;
    }
  }),
);

/**
 * A zone name as IANA spells it today: Intl reads names in any case (`europe/minsk`), feeds and clients expect
 * `Europe/Minsk`; and the current name of a renamed zone (`Europe/Kyiv`, whether sent so or as `Europe/Kiev`), which
 * Node 20's ICU would answer by its old one.
 */
export function canonicalTimeZone(value: string): string {
  const resolved = resolvedZone(value);
  return CURRENT_NAMES.get(resolved) ?? resolved;
}

export function isTimeZone(value: string): boolean {
  if (ZONES.has(value) || value === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * The wall-clock date and time of `instant` in `timeZone`, as a Date whose UTC fields hold them: what a spreadsheet's
 * date-time, which has no zone, shows. Made once per workbook, so the formatter is not kept.
 */
export function wallClockAt(instant: Date, timeZone: string): Date {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return new Date(Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'), instant.getUTCMilliseconds()));
}
