// Calendar helpers without HTTP: "today" in a time zone, day arithmetic, zone names, and code numbering order.
import t, { type Test } from 'tap';
import { isCalendarDate } from '../../src/lib/common.schemas.js';
import { addDays, dateAt, dateInZone, daysBetween, isTimeZone } from '../../src/lib/dates.js';
import { endOfDay } from '../../src/modules/reports/progress.missing.js';
import { codeSortKey } from '../../src/modules/tasks/tasks.service.js';

/** How many dates have been formatted (Intl's formatToParts, what dateAt costs) since this call, until the test ends. */
function countFormatting(t: Test): () => number {
  const formatToParts = Intl.DateTimeFormat.prototype.formatToParts;
  let formatted = 0;
  Intl.DateTimeFormat.prototype.formatToParts = function (this: Intl.DateTimeFormat, date?: Date | number) {
    formatted++;
    return formatToParts.call(this, date);
  };
  t.teardown(() => {
    Intl.DateTimeFormat.prototype.formatToParts = formatToParts;
  });
  return () => formatted;
}

t.test('dateAt gives the date of any instant, and leaves the date of now as it was', async (t) => {
  const now = new Date('2026-11-28T20:30:00.000Z');
  t.equal(dateInZone(now, 'Europe/Minsk'), '2026-11-28');
  t.equal(dateAt(new Date('2025-12-31T21:30:00.000Z'), 'Europe/Minsk'), '2026-01-01', 'a completion at 00:30 in Minsk');
  t.equal(dateAt(new Date('2025-12-31T21:30:00.000Z'), 'Asia/Almaty'), '2026-01-01');
  t.equal(dateAt(new Date('2025-12-31T18:30:00.000Z'), 'Asia/Almaty'), '2025-12-31', '23:30 in Almaty');
  // Today is still remembered: asking for it again formats nothing (dateAt did not take its place).
  const formatted = countFormatting(t);
  t.equal(dateInZone(now, 'Europe/Minsk'), '2026-11-28', 'now, unchanged');
  t.equal(formatted(), 0, 'and answered from memory');
  dateAt(now, 'Europe/Minsk');
  t.equal(formatted(), 1, 'while dateAt computes every time');
  t.equal(dateInZone(new Date('2026-11-28T21:00:00.000Z'), 'Europe/Minsk'), '2026-11-29', 'and the next minute, past midnight');
});

t.test('dateInZone keeps the dates of several instants: past ones asked between two "today"s do not push it out', async (t) => {
  const now = new Date('2030-05-05T10:00:00.000Z');
  const past = ['2030-01-01T21:30:00.000Z', '2029-12-31T20:59:00.000Z', '2030-04-30T21:00:00.000Z'].map((iso) => new Date(iso));
  t.equal(dateInZone(now, 'Europe/Minsk'), '2030-05-05');
  t.strictSame(past.map((d) => dateInZone(d, 'Europe/Minsk')), ['2030-01-02', '2029-12-31', '2030-05-01'], 'the past instants, each its own date');
  const formatted = countFormatting(t);
  for (let i = 0; i < 3; i++) {
    t.equal(dateInZone(now, 'Europe/Minsk'), '2030-05-05');
    t.strictSame(past.map((d) => dateInZone(d, 'Europe/Minsk')), ['2030-01-02', '2029-12-31', '2030-05-01']);
  }
  t.equal(formatted(), 0, 'asked again, all four are answered from memory');
  // Past what is kept (10,000 minutes), the memory is emptied and the answers stay right.
  let wrong = 0;
  for (let m = 0; m < 12_000; m++) {
    const instant = new Date(Date.UTC(2031, 0, 1) + m * 60_000 * 7);
    if (dateInZone(instant, 'Asia/Almaty') !== dateAt(instant, 'Asia/Almaty')) wrong++;
  }
  t.equal(wrong, 0, '12,000 instants seven minutes apart, each its date');
  t.equal(dateInZone(now, 'Europe/Minsk'), '2030-05-05', 'today, after the memory was emptied');
});

t.test('dateInZone is right to the second where an offset was not whole minutes (before 1973)', async (t) => {
  // Liberia kept −0:44:30 until 1972: its 2 June 1971 began at 00:44:30 UTC, inside a UTC minute.
  t.equal(dateInZone(new Date('1971-06-02T00:44:10Z'), 'Africa/Monrovia'), '1971-06-01', '20 s before its midnight');
  t.equal(dateInZone(new Date('1971-06-02T00:44:40Z'), 'Africa/Monrovia'), '1971-06-02', '10 s after, in the same UTC minute');
  // Moscow's local mean time, +2:30:17.
  t.equal(dateInZone(new Date('1900-06-01T21:29:50Z'), 'Europe/Moscow'), '1900-06-02');
  t.equal(dateInZone(new Date('1900-06-01T21:29:30Z'), 'Europe/Moscow'), '1900-06-01');
  t.equal(endOfDay('1971-06-01', 'Africa/Monrovia'), '1971-06-02T00:44:30.000Z', 'the end of a day is found to the second');
  t.equal(endOfDay('1900-06-01', 'Europe/Moscow'), '1900-06-01T21:29:43.000Z');
});

t.test('dateInZone gives the calendar date of an instant in a zone, across midnight', async (t) => {
  const instant = new Date('2026-11-28T20:30:00.000Z');
  t.equal(dateInZone(instant, 'Europe/Minsk'), '2026-11-28', 'Minsk (UTC+3): 23:30 on the 28th');
  t.equal(dateInZone(instant, 'Asia/Almaty'), '2026-11-29', 'Almaty (UTC+5): 01:30 on the 29th');
  t.equal(dateInZone(instant, 'UTC'), '2026-11-28');

  const lateEvening = new Date('2026-11-28T21:30:00.000Z');
  t.equal(dateInZone(lateEvening, 'Europe/Minsk'), '2026-11-29', 'Minsk at 21:30 UTC is already past midnight');
  t.equal(dateInZone(lateEvening, 'Europe/London'), '2026-11-28');

  t.equal(dateInZone(new Date('2026-11-28T20:59:59.999Z'), 'Europe/Minsk'), '2026-11-28', 'one millisecond before midnight in Minsk');
  t.equal(dateInZone(new Date('2026-11-28T21:00:00.000Z'), 'Europe/Minsk'), '2026-11-29', 'midnight in Minsk');
  t.equal(dateInZone(new Date('2026-12-31T22:00:00.000Z'), 'Asia/Almaty'), '2027-01-01', 'across a year end');
  t.equal(dateInZone(new Date('2026-03-01T02:00:00.000Z'), 'America/Los_Angeles'), '2026-02-28', 'behind UTC, back across a month end');
});

t.test('daysBetween counts whole days, positive forwards and negative backwards', async (t) => {
  t.equal(daysBetween('2026-11-28', '2026-11-28'), 0);
  t.equal(daysBetween('2026-11-27', '2026-11-28'), 1);
  t.equal(daysBetween('2026-11-28', '2026-11-27'), -1);
  t.equal(daysBetween('2026-12-31', '2027-03-31'), 90);
  t.equal(daysBetween('2028-02-28', '2028-03-01'), 2, 'leap year');
  t.equal(daysBetween('2026-01-01', '2027-01-01'), 365);
  t.equal(daysBetween('2026-03-28', '2026-03-30'), 2, 'unaffected by DST changes');
});

t.test('addDays moves a date by whole days, across month and year ends', async (t) => {
  t.equal(addDays('2026-11-28', 1), '2026-11-29');
  t.equal(addDays('2026-11-30', 1), '2026-12-01');
  t.equal(addDays('2026-12-31', 1), '2027-01-01');
  t.equal(addDays('2026-03-01', -1), '2026-02-28');
  t.equal(addDays('2028-03-01', -1), '2028-02-29');
  t.equal(daysBetween('2026-11-28', addDays('2026-11-28', 400)), 400, 'addDays and daysBetween agree');
});

t.test('isTimeZone accepts IANA zone names and UTC, and refuses anything else', async (t) => {
  for (const zone of ['Europe/Minsk', 'Asia/Almaty', 'Europe/London', 'UTC', 'Etc/UTC']) t.ok(isTimeZone(zone), zone);
  for (const zone of ['', 'Mars/Olympus', 'Europe/Minsk ', 'not a zone', 'GMT+25']) t.notOk(isTimeZone(zone), JSON.stringify(zone));
});

t.test('isCalendarDate refuses days that do not exist', async (t) => {
  t.ok(isCalendarDate('2026-02-28'));
  t.ok(isCalendarDate('2028-02-29'));
  t.notOk(isCalendarDate('2026-02-29'));
  t.notOk(isCalendarDate('2026-02-30'));
  t.notOk(isCalendarDate('2026-13-01'));
  t.notOk(isCalendarDate('2026-04-31'));
  // Years 1000 to 9999 only: Date.UTC reads 0–99 as 1900–1999, and periods of years 100–999 were written unpadded.
  t.ok(isCalendarDate('1000-01-01'));
  t.ok(isCalendarDate('9999-12-31'));
  t.notOk(isCalendarDate('0099-02-28'));
  t.notOk(isCalendarDate('0500-07-01'));
});

t.test('codeSortKey orders task codes as people number them', async (t) => {
  const codes = ['10.1', '2.10', '1', '2.9', '2.1', '1.2.3', '2', '1.10', '1.2', '10'];
  const sorted = [...codes].sort((a, b) => (codeSortKey(a) < codeSortKey(b) ? -1 : codeSortKey(a) > codeSortKey(b) ? 1 : 0));
  t.same(sorted, ['1', '1.2', '1.2.3', '1.10', '2', '2.1', '2.9', '2.10', '10', '10.1']);
  t.ok(codeSortKey('2.9') < codeSortKey('2.10'), '"2.9" < "2.10"');
  t.ok(codeSortKey('2.10') < codeSortKey('10.1'), '"2.10" < "10.1"');
  t.equal(codeSortKey('A.1'), codeSortKey('a.1'), 'letters compare without case');
  t.equal(codeSortKey('Б.1'), codeSortKey('б.1'), 'Cyrillic letters compare without case');
});
