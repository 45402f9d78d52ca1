// Reads an uploaded workbook in a thread of its own (piscina), under the memory and time limits imports.files.ts
// sets. exceljs builds the whole workbook in memory before the import sees any of it, and a small file can ask for a
// great deal: one merged range over a whole sheet is a cell object for each of its 17 billion cells, 20,000 small
// merges are compared pairwise, a million empty rows fit in 5 MB. Whatever such a file does, it does to this thread:
// the event loop goes on answering, and the process stays up. A refusal (an AppError) comes back as its code and
// detail, since an AppError does not survive the thread boundary.
import { AppError } from '../../errors.js';
import { parseXlsx, type SourceFile } from './imports.files.js';

export type XlsxAnswer = { file: SourceFile } | { refused: { code: string; detail: string } };

export default async function readWorkbook(bytes: Uint8Array): Promise<XlsxAnswer> {
  try {
    return { file: await parseXlsx(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) };
  } catch (err) {
    if (err instanceof AppError) return { refused: { code: err.spec.code, detail: err.detail } };
    throw err;
  }
}
