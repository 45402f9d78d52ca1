// Deadlines as people write them in a roadmap table: a day, a month, a quarter, a half-year or a year.
import { isCalendarDate } from '../../lib/common.schemas.js';

export type DeadlineResult = { date: string } | { error: string };

export const DEADLINE_FORMS = '31.12.2026, 2026-12-31, 31 декабря 2026, декабрь 2026, IV квартал 2026, Q4 2026, II полугодие 2026, 2026';

const pad = (n: number) => String(n).padStart(2, '0');

function lastDayOfMonth(year: number, month: number): string {
  return `${year}-${pad(month)}-${pad(new Date(Date.UTC(year, month, 0)).getUTCDate())}`;
}

function day(year: number, month: number, d: number, written: string): DeadlineResult {
  const iso = `${String(year).padStart(4, '0')}-${pad(month)}-${pad(d)}`;
  if (month < 1 || month > 12 || !isCalendarDate(iso)) return { error: `no such calendar date: ${written}` };
  return { date: iso };
}

/** Month names by their first letters: nominative, genitive and abbreviations all start the same way. */
const MONTH_STEMS: [RegExp, number][] = [
  [/^(январ|янв|jan)/, 1],
  [/^(феврал|фев|feb)/, 2],
  [/^(март|мар|mar)/, 3],
  [/^(апрел|апр|apr)/, 4],
  [/^(ма[йя]|may)$/, 5],
  [/^(июн|jun)/, 6],
  [/^(июл|jul)/, 7],
  [/^(август|авг|aug)/, 8],
  [/^(сентябр|сен|sep)/, 9],
  [/^(октябр|окт|oct)/, 10],
  [/^(ноябр|ноя|nov)/, 11],
  [/^(декабр|дек|dec)/, 12],
];

function monthOf(word: string): number | undefined {
  const w = word.replace(/\.$/, '');
  return MONTH_STEMS.find(([re]) => re.test(w))?.[1];
}

const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4, '1': 1, '2': 2, '3': 3, '4': 4 };
const ORDINAL: Record<string, number> = { first: 1, '1st': 1, second: 2, '2nd': 2, third: 3, '3rd': 3, fourth: 4, '4th': 4 };

const quarterEnd = (year: number, q: number) => lastDayOfMonth(year, q * 3);
const halfEnd = (year: number, h: number) => lastDayOfMonth(year, h * 6);

/**
 * Reads a deadline written as text. Periods stand for their last day: "IV квартал 2026" and "Q4 2026" are
 * 2026-12-31, "декабрь 2026" is 2026-12-31, "2026" is 2026-12-31. Words around the date that people add
 * ("до", "не позднее", "г.", "года", "by", "in the course of") are ignored.
 */
export function parseDeadlineText(input: string): DeadlineResult {
  const written = input.trim();
  let s = written
    .toLowerCase()
    .replace(/ё/g, 'е')
    // Cyrillic І (Belarusian, Kazakh) and Х typed for the Roman numerals.
    .replace(/[іӏ]/g, 'i')
    .replace(/\s+/g, ' ')
    .replace(/^(до|не позднее|не позже|по|в течение|в|срок|by|not later than|until|till|during|in|within|end of)\s+/, '')
    // (?<!\s): the spaces are tried only where they start (test/regex-safety.test.ts).
    .replace(/(?<!\s)\s*(г\.?|гг\.?|года?|year)\s*\.?$/, '')
    .replace(/[.,;]$/, '')
    .trim();
  s = s.replace(/^(до|не позднее|by|in)\s+/, '');
  let m: RegExpExecArray | null;

  if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s))) return day(+m[1]!, +m[2]!, +m[3]!, written);
  if ((m = /^(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})$/.exec(s))) {
    const year = m[3]!.length === 2 ? 2000 + +m[3]! : +m[3]!;
    return day(year, +m[2]!, +m[1]!, written);
  }
  // 31 декабря 2026, 31 December 2026, December 31, 2026
  if ((m = /^(\d{1,2}) ([a-zа-я]+\.?) (\d{4})$/.exec(s))) {
    const month = monthOf(m[2]!);
    if (month) return day(+m[3]!, month, +m[1]!, written);
  }
  if ((m = /^([a-z]+\.?) (\d{1,2}),? (\d{4})$/.exec(s))) {
    const month = monthOf(m[1]!);
    if (month) return day(+m[3]!, month, +m[2]!, written);
  }
  // декабрь 2026, December 2026, 12.2026, 2026-12
  if ((m = /^([a-zа-я]+\.?) (\d{4})$/.exec(s))) {
    const month = monthOf(m[1]!);
    if (month) return { date: lastDayOfMonth(+m[2]!, month) };
  }
  if ((m = /^(\d{1,2})[./](\d{4})$/.exec(s)) && +m[1]! >= 1 && +m[1]! <= 12) return { date: lastDayOfMonth(+m[2]!, +m[1]!) };
  if ((m = /^(\d{4})-(\d{2})$/.exec(s)) && +m[2]! >= 1 && +m[2]! <= 12) return { date: lastDayOfMonth(+m[1]!, +m[2]!) };
  // IV квартал 2026, 4 кв. 2026, 4-й квартал 2026, Q4 2026, 2026-Q4, fourth quarter 2026
  if ((m = /^(iv|iii|ii|i|[1-4])(?:-?(?:й|ый|ой|th|st|nd|rd))? ?(?:квартал|кв\.?) ?(\d{4})$/.exec(s))) return { date: quarterEnd(+m[2]!, ROMAN[m[1]!]!) };
  if ((m = /^q([1-4]) ?(\d{4})$/.exec(s))) return { date: quarterEnd(+m[2]!, +m[1]!) };
  if ((m = /^(\d{4}) ?-? ?q([1-4])$/.exec(s))) return { date: quarterEnd(+m[1]!, +m[2]!) };
  if ((m = /^(first|second|third|fourth|1st|2nd|3rd|4th|[1-4]) quarter(?: of)? (\d{4})$/.exec(s))) {
    return { date: quarterEnd(+m[2]!, ORDINAL[m[1]!] ?? +m[1]!) };
  }
  // II полугодие 2026, 2 полугодие 2026, H2 2026, 2026-H2, second half of 2026
  if ((m = /^(ii|i|[12])(?:-?(?:е|ое))? ?(?:полугодие|полуг\.?) ?(\d{4})$/.exec(s))) return { date: halfEnd(+m[2]!, ROMAN[m[1]!]!) };
  if ((m = /^h([12]) ?(\d{4})$/.exec(s))) return { date: halfEnd(+m[2]!, +m[1]!) };
  if ((m = /^(\d{4}) ?-? ?h([12])$/.exec(s))) return { date: halfEnd(+m[1]!, +m[2]!) };
  if ((m = /^(first|second|1st|2nd) half(?: of)? (\d{4})$/.exec(s))) return { date: halfEnd(+m[2]!, ORDINAL[m[1]!]!) };
  // 2026
  if ((m = /^(\d{4})$/.exec(s))) return { date: `${m[1]}-12-31` };

  const shown = written.length > 60 ? `${written.slice(0, 59)}…` : written;
  return { error: `not a deadline: ${JSON.stringify(shown)}; write it as ${DEADLINE_FORMS}` };
}

/**
 * A deadline cell: a date cell (its calendar day, or the last day of the month or year its format shows alone), a
 * year typed as a number, or text.
 */
export function parseDeadline(value: string | number | boolean | Date, period?: 'month' | 'year'): DeadlineResult {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { error: 'not a valid date' };
    // Spreadsheet dates carry no zone: exceljs reads the day as midnight UTC.
    if (period === 'month') return { date: lastDayOfMonth(value.getUTCFullYear(), value.getUTCMonth() + 1) };
    if (period === 'year') return { date: `${value.getUTCFullYear()}-12-31` };
    return { date: value.toISOString().slice(0, 10) };
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 1900 && value <= 2200) return { date: `${value}-12-31` };
    return { error: `a number (${value}), not a date: format the cell as a date or write ${DEADLINE_FORMS}` };
  }
  if (typeof value === 'boolean') return { error: 'a true/false value, not a date' };
  return parseDeadlineText(value);
}
