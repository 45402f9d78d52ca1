// The iCalendar text (RFC 5545) of the feed: a VCALENDAR of all-day VEVENTs, escaped, folded, CRLF line endings.

/** One all-day event of the feed. */
export interface CalendarEvent {
  uid: string;
  /** The revision of the event's dates (RFC 5545 §3.8.7.4): 0, one more each time they move. */
  sequence: number;
  /** The first day, YYYY-MM-DD. */
  start: string;
  /** The day after the last (exclusive), YYYY-MM-DD; none for an event of one day that has no next day. */
  end?: string | undefined;
  summary: string;
  description: string;
  /** When the event's information was last revised: DTSTAMP and LAST-MODIFIED. */
  revisedAt: Date;
}

export interface CalendarText {
  name: string;
  description: string;
  /** The commission's time zone, when the feed has one. */
  timeZone: string | null;
  /** How often subscribers are asked to refresh: an RFC 5545 duration such as PT1H. */
  refresh: string;
  events: CalendarEvent[];
}

/** TEXT as RFC 5545 §3.3.11 wants it: backslash, semicolon and comma escaped, line breaks as \n. */
export function escapeText(value: string): string {
  return value.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');
}

/** Octets of one code point in UTF-8; a lone surrogate is written as U+FFFD, three octets. */
const octets = (codePoint: number) => (codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4);

/**
 * A content line folded as RFC 5545 §3.1 says: no line longer than 75 octets, the continuation starting with a space,
 * and never inside a character. One pass over the line: a TextEncoder per character made a 20,000-task plan's feed
 * take 20 seconds of the event loop.
 */
export function foldLine(line: string): string {
  if (line.length <= 25 || Buffer.byteLength(line, 'utf8') <= 75) return line;
  let out = '';
  let from = 0;
  // The first line holds 75 octets; each continuation line 74 after its leading space.
  let room = 75;
  let used = 0;
  for (let i = 0; i < line.length; ) {
    const codePoint = line.codePointAt(i) as number;
    const width = codePoint > 0xffff ? 2 : 1;
    const size = octets(codePoint);
    if (used + size > room) {
      out += `${line.slice(from, i)}\r\n `;
      from = i;
      room = 74;
      used = 0;
    }
    used += size;
    i += width;
  }
  return out + line.slice(from);
}

/** A DATE value: YYYYMMDD. */
const date = (day: string) => day.replaceAll('-', '');

/** A DATE-TIME in UTC, to the second: YYYYMMDDTHHMMSSZ. */
const utc = (instant: Date) => `${instant.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

function eventLines(e: CalendarEvent): string[] {
  const revised = utc(e.revisedAt);
  return [
    'BEGIN:VEVENT',
    `UID:${e.uid}`,
    `SEQUENCE:${e.sequence}`,
    `DTSTAMP:${revised}`,
    `DTSTART;VALUE=DATE:${date(e.start)}`,
    ...(e.end === undefined ? [] : [`DTEND;VALUE=DATE:${date(e.end)}`]),
    // Outlook shows an event without these as lasting from midnight to midnight rather than as a day.
    'X-MICROSOFT-CDO-ALLDAYEVENT:TRUE',
    'X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT:TRUE',
    // A due date marks a day and takes no time: without these (OPAQUE by default, §3.8.2.7) a calendar that imports the
    // feed, or shares its free/busy, shows the executors busy all day on every due date and reporting deadline.
    'TRANSP:TRANSPARENT',
    'X-MICROSOFT-CDO-BUSYSTATUS:FREE',
    `SUMMARY:${escapeText(e.summary)}`,
    `DESCRIPTION:${escapeText(e.description)}`,
    `LAST-MODIFIED:${revised}`,
    'END:VEVENT',
  ];
}

/** The whole calendar as iCalendar text. */
export function calendarText(c: CalendarText): string {
  const name = escapeText(c.name);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Commission plan tracker//Calendar//EN',
    'CALSCALE:GREGORIAN',
    `NAME:${name}`,
    `X-WR-CALNAME:${name}`,
    `X-WR-CALDESC:${escapeText(c.description)}`,
    `REFRESH-INTERVAL;VALUE=DURATION:${c.refresh}`,
    `X-PUBLISHED-TTL:${c.refresh}`,
    // With the calendar's other properties: RFC 5545 §3.4 has them all before the first component.
    ...(c.timeZone === null ? [] : [`X-WR-TIMEZONE:${c.timeZone}`]),
    ...c.events.flatMap(eventLines),
    'END:VCALENDAR',
  ];
  // Every content line ends with CRLF (§3.1), the last one too.
  return lines.map((line) => `${foldLine(line)}\r\n`).join('');
}
