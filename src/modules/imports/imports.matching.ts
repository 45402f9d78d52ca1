// Matching what a roadmap table writes to what the tracker knows: executors to organizations (by name or
// short name), a basis to a meeting of the commission and its protocol item.
import { INVISIBLE } from '../../lib/common.schemas.js';
import { CITATION_ITEM, meetingCitation, meetingCitationRu } from '../meetings/meeting-citation.js';
import type { Meeting } from '../meetings/meetings.schemas.js';
import type { Organization } from '../organizations/organizations.schemas.js';
import { clip } from './imports.columns.js';
import { parseDeadlineText } from './imports.deadlines.js';

/** Legal forms written before a name ("ОАО «БЕЛАЗ»"): the directory keeps names without them. */
const LEGAL_FORMS = /^(оао|зао|ао|ооо|тоо|руп|гу|гп|уп|пао|jsc|ojsc|cjsc|llp|llc|ltd|rue)\s+/;

/**
 * A name as compared: case, quotes, dashes, "ё" and spacing do not matter, nor composition and invisible characters
 * (a name stored before the API composed text and left them out still matches).
 */
export function normalizeName(s: string): string {
  return s
    .replace(INVISIBLE, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[«»"“”„'‘’`]/g, '')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/\s+/g, ' ')
    // (?<!…): tried only where a run starts, so a long run is read once (test/regex-safety.test.ts).
    .replace(/(?<![\s.,;])[\s.,;]+$/, '')
    .trim()
    .replace(LEGAL_FORMS, '');
}

export type OrganizationMatch =
  | { ok: true; organization: Organization }
  | { ok: false; kind: 'unknown' | 'ambiguous' | 'other-country'; message: string };

export interface OrganizationDirectory {
  match(text: string, party: string | null): OrganizationMatch;
  /** The most comma-separated parts a name (or short name) of the directory has: 1 when none holds a comma. */
  partsOfLongestName: number;
}

/** Organizations found by exact (normalized) full name first, then by short name. */
export function organizationDirectory(organizations: Organization[], parties: string[]): OrganizationDirectory {
  const byName = new Map<string, Organization[]>();
  const byShort = new Map<string, Organization[]>();
  const add = (map: Map<string, Organization[]>, key: string, o: Organization) => map.set(key, [...(map.get(key) ?? []), o]);
  for (const o of organizations) {
    add(byName, normalizeName(o.name), o);
    if (o.shortName) add(byShort, normalizeName(o.shortName), o);
  }
  const keys = [...byName.keys(), ...byShort.keys()];
  const partsOfLongestName = keys.reduce((most, key) => Math.max(most, key.split(',').length), 1);
  const label = (o: Organization) => `${clip(o.name)}${o.shortName ? ` (${clip(o.shortName, 40)})` : ''}, ${o.country}`;
  return {
    partsOfLongestName,
    match(text, party) {
      const key = normalizeName(text);
      const found = byName.get(key) ?? byShort.get(key) ?? [];
      const ofParties = found.filter((o) => parties.includes(o.country));
      const candidates = party === null ? ofParties : ofParties.filter((o) => o.country === party);
      if (candidates.length === 1) return { ok: true, organization: candidates[0]! };
      if (candidates.length > 1) {
        return { ok: false, kind: 'ambiguous', message: `"${clip(text)}" names ${candidates.length} organizations (${candidates.slice(0, 5).map(label).join('; ')}): write the full name` };
      }
      if (ofParties.length > 0) {
        return { ok: false, kind: 'other-country', message: `"${clip(text)}" is an organization of ${ofParties[0]!.country}, listed in the column of ${party}` };
      }
      if (found.length > 0) {
        return {
          ok: false,
          kind: 'other-country',
          message: `"${clip(text)}" is an organization of ${found[0]!.country}, which is not a party of the commission (${parties.join(', ')})`,
        };
      }
      return {
        ok: false,
        kind: 'unknown',
        message: `no organization is named "${clip(text)}" (full or short name): correct the name, or create the organization first (POST /v1/organizations)`,
      };
    },
  };
}

/**
 * Markers of a role written next to an executor: "Минпром (головной)", "MIC (co-executor)". The spaces before one are
 * tried only where they start (`(?<!\s)`: a long run is read once; test/regex-safety.test.ts).
 */
const LEAD_MARK = /(?<!\s)\s*[(\[](головной|головной исполнитель|ответственный|lead|head)[)\]]\s*$/i;
const CO_MARK = /(?<!\s)\s*[(\[](соисполнитель|co-executor|co executor)[)\]]\s*$/i;

export interface ExecutorLine {
  text: string;
  marked: 'lead' | 'co_executor' | null;
  /** The line as written, its marker too: read again as several organizations when it names none whole. */
  written: string;
}

function executorLine(written: string): ExecutorLine {
  const l = written.trim();
  if (LEAD_MARK.test(l)) return { text: l.replace(LEAD_MARK, '').trim(), marked: 'lead', written: l };
  if (CO_MARK.test(l)) return { text: l.replace(CO_MARK, '').trim(), marked: 'co_executor', written: l };
  return { text: l, marked: null, written: l };
}

/** The executors of a cell: one a line (or separated by ";"), with an optional role marker. */
export function executorLines(cell: string): ExecutorLine[] {
  return cell
    .split(/\n|;/)
    // List bullets and numbering people put before each organization: "- ", "• ", "1) ".
    .map((l) => l.replace(/^\s*(?:[-–—•·*]+|\d{1,2}[.)])\s+/u, '').trim())
    .filter((l) => l !== '')
    .map(executorLine);
}

/**
 * The most comma-separated parts one name is tried as: "ТОО «Агро, Ltd»" has two; a cell of commas is read in linear time.
 * Fewer when no name of the directory has as many (most have none): each part is then looked up once, not four times.
 */
const MAX_PARTS_OF_A_NAME = 4;

/**
 * The organizations an executor line names. Whole first, since a name may hold a comma ("ТОО «Агро, Ltd»"); when the
 * whole names none, as organizations separated by commas ("Минпромторг, Минсельхоз (головной)"), each the longest run of
 * parts that names one, each with its own marker. Parts between them that name none are one unknown name, as written
 * together, so the error names that text. When no part names an organization, the line stays one unknown name.
 */
export function matchExecutorLine(directory: OrganizationDirectory, line: ExecutorLine, party: string | null): { line: ExecutorLine; found: OrganizationMatch }[] {
  const whole = directory.match(line.text, party);
  if (whole.ok || whole.kind !== 'unknown' || !line.written.includes(',')) return [{ line, found: whole }];
  const parts = line.written.split(',');
  const read: { line: ExecutorLine; found: OrganizationMatch }[] = [];
  let unnamed: string[] = [];
  const flush = () => {
    const l = executorLine(unnamed.join(','));
    if (l.text !== '') read.push({ line: l, found: directory.match(l.text, party) });
    unnamed = [];
  };
  const longest = Math.min(MAX_PARTS_OF_A_NAME, directory.partsOfLongestName);
  for (let i = 0; i < parts.length; ) {
    let taken = 0;
    for (let n = Math.min(longest, parts.length - i); n >= 1 && taken === 0; n--) {
      const l = executorLine(parts.slice(i, i + n).join(','));
      if (l.text === '') continue;
      const found = directory.match(l.text, party);
      // An ambiguous name, or one of the other side, names organizations: its own error, naming it.
      if (found.ok || found.kind !== 'unknown') {
        flush();
        read.push({ line: l, found });
        taken = n;
      }
    }
    if (taken === 0) unnamed.push(parts[i]!);
    i += Math.max(taken, 1);
  }
  flush();
  if (!read.some((r) => r.found.ok)) return [{ line, found: whole }];
  const separated = `"${clip(line.written)}" read as organizations separated by commas`;
  return read.map((r) => (r.found.ok ? r : { ...r, found: { ...r.found, message: `${r.found.message} (${separated})` } }));
}

export type BasisMatch = { ok: true; meetingId: string; protocolItem: string | null } | { ok: false; message: string };

/** The protocol item(s) at the end: ", item 2.1", ", п. 2.1", " пункт 4", ", пп. 2.1, 2.3", ", п.п. 2.1-2.3", ", пункты 5 и 6". */
const ITEM = /(?:^|[\s,;(])(?:items?|p\.|пункты?|п\.\s?п\.|пп?\.)\s*(\d[0-9A-Za-zА-Яа-я.\-/]*(?:(?:,\s*|\s+(?:и|and)\s+)\d[0-9A-Za-zА-Яа-я.\-/]*)*)\)?\s*$/iu;
/**
 * The protocol item(s) before the protocol, as Russian documents cite it: "п. 3 протокола № 19", "во исполнение пункта
 * 3.2 Протокола заседания…", "item 2.1 of Protocol No. 19".
 */
const ITEM_BEFORE = /(?:^|[\s,;(])(?:items?|p\.|пункт[аы]?|п\.\s?п\.|пп?\.)\s*(\d[0-9A-Za-zА-Яа-я.\-/]*(?:(?:,\s*|\s+(?:и|and)\s+)\d[0-9A-Za-zА-Яа-я.\-/]*)*)[\s,]+(?:of\s+(?:the\s+)?)?(?=протокол|protocol)/iu;
/** An item named anywhere ("п. 3", "item 2"): when neither form above reads it, the basis is not taken without it. */
const ITEM_NAMED = /(?:^|[\s,;(])(?:items?|p\.|пункт\p{L}*|п\.\s?п\.|пп?\.)\s*\d/iu;

/** The protocol number without "No."/"№" and spacing: "No. 18" and "№18" are both "18". */
const protocolCore = (s: string) => normalizeName(s).replace(/^(протокол|protocol)\s*/, '').replace(/^(no\.?|№|n)\s*/, '').replace(/\s+/g, '');

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Dates written in the text, in any form the deadline reader knows (16.04.2026, 2026-04-16, 16 апреля 2026). */
function datesIn(text: string): Set<string> {
  const found = new Set<string>();
  for (const m of text.matchAll(/\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2} [A-Za-zА-Яа-яё]+ \d{4}/gu)) {
    const r = parseDeadlineText(m[0]);
    if ('date' in r) found.add(r.date);
  }
  return found;
}

export function basisMatcher(meetings: Meeting[]) {
  const describe = () =>
    meetings.length === 0
      ? 'the commission has no meetings yet: create the meeting first (POST /v1/meetings)'
      : `write it as "Протокол № 18 от 16.04.2026, п. 2.1" or "Protocol No. 18 of 2026-04-16, item 2.1"; the commission's meetings: ${meetings
          .slice(-5)
          .map((m) => `${m.protocolNumber ? `protocol ${clip(m.protocolNumber, 30)}` : 'no protocol number'} of ${m.date} (${clip(m.title, 80)})`)
          .join('; ')}${meetings.length > 5 ? ` and ${meetings.length - 5} earlier (GET /v1/meetings)` : ''}`;

  return (text: string): BasisMatch => {
    const one = text.replace(/\s+/g, ' ').trim();
    // Exactly the progress report's own text, English or Russian, item and all (an item the reading below would miss, "IV").
    for (const m of meetings) {
      for (const [head, item] of [
        [meetingCitation(m), CITATION_ITEM.en],
        [meetingCitationRu(m), CITATION_ITEM.ru],
      ] as const) {
        if (one === head) return { ok: true, meetingId: m.id, protocolItem: null };
        if (one.startsWith(`${head}${item}`)) return { ok: true, meetingId: m.id, protocolItem: one.slice(head.length + item.length).trim() };
      }
    }
    // The item at the end, else before the protocol; the rest of the text names the meeting.
    let head = one;
    let protocolItem: string | null = null;
    const atEnd = ITEM.exec(one);
    const before = atEnd ? null : ITEM_BEFORE.exec(one);
    if (atEnd) {
      head = one.slice(0, atEnd.index);
      protocolItem = atEnd[1]!;
    } else if (before) {
      head = `${one.slice(0, before.index)} ${one.slice(before.index + before[0].length)}`;
      protocolItem = before[1]!;
    } else if (ITEM_NAMED.test(one)) {
      // Taking the meeting without the item the cell names would lose it silently.
      return {
        ok: false,
        message: `the protocol item in "${clip(text)}" cannot be read: write it after the protocol, as "Протокол № 18 от 16.04.2026, п. 2.1" or "Protocol No. 18 of 2026-04-16, item 2.1"`,
      };
    }
    protocolItem = protocolItem?.replace(/\.$/, '') ?? null;
    const normalized = normalizeName(head);
    const dates = datesIn(head);

    const byProtocol = meetings.filter((m) => {
      if (!m.protocolNumber) return false;
      const core = protocolCore(m.protocolNumber);
      if (core === '') return false;
      return new RegExp(`(^|[^\\p{L}\\p{N}])(протокол|protocol|№|no\\.?)\\s*(№|no\\.?)?\\s*${escapeRegex(core)}(?![\\p{L}\\p{N}])`, 'iu').test(normalized);
    });
    const byTitle = meetings.filter((m) => normalized.includes(normalizeName(m.title)));
    const byDate = meetings.filter((m) => dates.has(m.date));

    const narrowed = (list: Meeting[]) => (list.length > 1 && dates.size > 0 ? list.filter((m) => dates.has(m.date)) : list);
    for (const list of [byProtocol, byTitle, byDate]) {
      const candidates = narrowed(list);
      if (candidates.length === 1) return { ok: true, meetingId: candidates[0]!.id, protocolItem };
      if (candidates.length > 1) return { ok: false, message: `"${clip(text)}" fits ${candidates.length} meetings; add the date of the protocol. ${describe()}` };
    }
    return { ok: false, message: `"${clip(text)}" names no meeting of the commission: ${describe()}` };
  };
}
