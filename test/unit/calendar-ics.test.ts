// Unit tests of the iCalendar writer: RFC 5545 folding at 75 octets, never inside a character, and TEXT escaping.
import t from 'tap';
import { escapeText, foldLine } from '../../src/modules/calendar/calendar.ics.js';

const unfold = (folded: string) => folded.replace(/\r\n /g, '');
const octets = (line: string) => Buffer.byteLength(line, 'utf8');

t.test('a line of at most 75 octets stays as it is', async (t) => {
  t.equal(foldLine('A'.repeat(75)), 'A'.repeat(75));
  t.equal(foldLine('Я'.repeat(37) + 'A'), 'Я'.repeat(37) + 'A', '75 octets of Cyrillic and Latin');
});

t.test('a longer line is folded at 75 octets, continuation lines start with a space, and unfolds to itself', async (t) => {
  for (const line of [
    'A'.repeat(76),
    'SUMMARY:' + 'Организация совместного производства карьерных самосвалов '.repeat(4),
    'SUMMARY:' + '🚜'.repeat(60),
    'SUMMARY:' + 'x' + '🚜'.repeat(60),
    'SUMMARY:' + 'עברית مرحبا '.repeat(20),
    'SUMMARY:' + '\ud800a'.repeat(40),
  ]) {
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    t.ok(parts.length > 1, 'folded');
    t.ok(parts.every((p) => octets(p) <= 75), 'no line over 75 octets');
    t.ok(parts.slice(0, -1).every((p) => octets(p) > 71), 'lines are filled, not cut early');
    t.ok(parts.slice(1).every((p) => p.startsWith(' ')), 'continuation lines start with a space');
    t.equal(unfold(folded), line, 'unfolds to the same line');
    t.ok(parts.every((p, i) => !/[\ud83c-\ud83e]$/.test(p) && !(i > 0 && /^ [\udc00-\udfff]/.test(p))), 'no emoji cut in two');
  }
});

t.test('TEXT escapes backslash, semicolon, comma and line breaks', async (t) => {
  t.equal(escapeText('a\\b;c,d\ne\r\nf\rg'), 'a\\\\b\\;c\\,d\\ne\\nf\\ng');
});
