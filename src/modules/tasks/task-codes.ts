// The order of task codes, shared by the task list (its stored sort key) and the report of a past day.

/** "2.10" → "000002.000010", so codes sort as people number them. */
export function codeSortKey(code: string): string {
  return code.toLowerCase().replace(/\d+/g, (d) => d.padStart(8, '0'));
}
