// The zip-bomb guard: an .xlsx file is a zip archive, checked here before exceljs inflates any of it (and its
// worksheets' merged ranges, which exceljs would expand cell by cell).
//
// exceljs (through JSZip) inflates every part of the archive into memory and only then compares the size
// with what the archive declared. So the central directory is read first, the declared sizes are summed
// against a limit, and each part is inflated once with a hard output cap equal to its declared size: a
// part that would inflate to more than it declares (the classic bomb) is stopped at the cap.
import { inflateRawSync } from 'node:zlib';

export const ZIP_LIMITS = {
  /** The sum of the declared uncompressed sizes of every part. */
  maxUncompressedBytes: 50 * 1024 * 1024,
  /** A workbook has a few dozen parts; thousands mean something else. */
  maxEntries: 2000,
  /** Merged ranges in a worksheet: a roadmap merges its title and group rows, a few dozen. */
  maxMerges: 2000,
  /** Cells covered by a worksheet's merged ranges: exceljs makes an object of each (200 columns × 2,000 rows). */
  maxMergedCells: 400_000,
} as const;

export type ZipCheck = { ok: true } | { ok: false; reason: 'not-zip' | 'too-large' | 'inconsistent'; detail: string };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function findEndOfCentralDirectory(buf: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= stop; i--) if (buf.readUInt32LE(i) === EOCD) return i;
  return -1;
}

/** Checks the archive's structure and sizes; reads every part once, with a cap, and keeps none of it. */
export function checkZip(buf: Buffer): ZipCheck {
  const notZip = (detail: string): ZipCheck => ({ ok: false, reason: 'not-zip', detail });
  const bad = (detail: string): ZipCheck => ({ ok: false, reason: 'inconsistent', detail });
  if (buf.length < 22 || buf.readUInt32LE(0) !== LOCAL) return notZip('the file is not a zip archive, so not an .xlsx workbook');
  const eocd = findEndOfCentralDirectory(buf);
  if (eocd < 0) return notZip('the zip archive has no central directory (truncated or damaged)');
  const entries = buf.readUInt16LE(eocd + 10);
  const directorySize = buf.readUInt32LE(eocd + 12);
  const directoryOffset = buf.readUInt32LE(eocd + 16);
  if (entries === 0xffff || directoryOffset === 0xffffffff) return bad('ZIP64 archives are not accepted: a workbook within the limits never needs one');
  if (entries > ZIP_LIMITS.maxEntries) return bad(`the archive has ${entries} parts; a workbook has far fewer (limit ${ZIP_LIMITS.maxEntries})`);
  // JSZip, which exceljs reads with, reads every directory record it finds, whatever the count says, and takes data
  // before the archive as an offset to shift by: the directory must end where the end record starts, holding exactly
  // the records it declares, or a part this guard never saw would be inflated.
  if (directoryOffset + directorySize !== eocd) return bad('the zip central directory does not end where the archive says it does');

  let declaredTotal = 0;
  let p = directoryOffset;
  const parts: { name: string; method: number; compressed: number; size: number; local: number }[] = [];
  for (let i = 0; i < entries; i++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== CENTRAL) return bad('the zip central directory is damaged');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    if (compressed === 0xffffffff || size === 0xffffffff || local === 0xffffffff) return bad('ZIP64 archives are not accepted');
    if (method !== 0 && method !== 8) return bad(`the part ${name} uses a compression method (${method}) workbooks do not use`);
    declaredTotal += size;
    if (declaredTotal > ZIP_LIMITS.maxUncompressedBytes) {
      return {
        ok: false,
        reason: 'too-large',
        detail: `the workbook unpacks to more than ${ZIP_LIMITS.maxUncompressedBytes / 1024 / 1024} MiB (limit of the import)`,
      };
    }
    parts.push({ name, method, compressed, size, local });
    p += 46 + nameLength + extraLength + commentLength;
  }
  if (p !== eocd) return bad('the zip central directory holds more than the parts the archive declares');

  for (const part of parts) {
    const h = part.local;
    if (h + 30 > buf.length || buf.readUInt32LE(h) !== LOCAL) return bad(`the part ${part.name} is damaged`);
    const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
    const end = start + part.compressed;
    if (end > buf.length) return bad(`the part ${part.name} is truncated`);
    let out: Buffer;
    if (part.method === 0) {
      if (part.compressed !== part.size) return bad(`the part ${part.name} declares a size it does not have`);
      out = buf.subarray(start, end);
    } else {
      try {
        // One byte more than declared is allowed through, so an overrun is seen rather than silently cut.
        out = inflateRawSync(buf.subarray(start, end), { maxOutputLength: part.size + 1 });
      } catch {
        return bad(`the part ${part.name} does not unpack within its declared size (a zip bomb, or a damaged file)`);
      }
      if (out.length !== part.size) return bad(`the part ${part.name} unpacks to another size than it declares`);
    }
    if (WORKSHEET.test(part.name)) {
      const merges = checkMerges(part.name, out);
      if (merges) return bad(merges);
    }
  }
  return { ok: true };
}

const WORKSHEET = /^xl\/worksheets\/[^/]+\.xml$/i;
// [^<>]: a tag ends at the next '<' or '>', so no stretch of the part is read again from each of many '<mergeCell'.
const MERGE = /<(?:[A-Za-z]+:)?mergeCell\b[^<>]*?\bref="([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?"/g;

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/**
 * Why a worksheet's merged ranges are refused, or null. exceljs makes a cell object of every cell a merge covers,
 * and compares each merge with every other, before the import sees the sheet: one range over a whole sheet
 * (A1:XFD1048576, in a 15 KB file) would take the memory of the machine, 20,000 small ones half a minute.
 */
function checkMerges(name: string, xml: Buffer): string | null {
  let merges = 0;
  let cells = 0;
  // The refs are ASCII: latin1 reads them whatever the rest of the part holds.
  for (const m of xml.toString('latin1').matchAll(MERGE)) {
    if (++merges > ZIP_LIMITS.maxMerges) return `the sheet ${name} merges more than ${ZIP_LIMITS.maxMerges} ranges; a plan's table needs a few dozen`;
    const [, left = 'A', top = '1', right = left, bottom = top] = m;
    cells += (Math.abs(Number(bottom) - Number(top)) + 1) * (Math.abs(columnNumber(right) - columnNumber(left)) + 1);
    if (cells > ZIP_LIMITS.maxMergedCells) {
      return `the merged ranges of the sheet ${name} cover more than ${ZIP_LIMITS.maxMergedCells.toLocaleString('en')} cells (${m[0].slice(m[0].indexOf('ref='))}…): unmerge them, or save the plan's table alone in a new workbook`;
    }
  }
  return null;
}
