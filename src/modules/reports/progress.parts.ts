// The JSON report of a large scope, computed in parts: each worker thread walks one range of the tasks (in the
// report's order) and hands over its tasks already written as JSON, what its lists hold, and its breakdowns' counts;
// one more pool task (a thread, not the event loop) adds the counts up, merges the lists and puts the bytes together. The result is byte for byte
// what JSON.stringify writes of the whole report (test/reports/report-worker.test.ts): each task is written once,
// and the overdue, due-soon and most postponed lists copy its bytes.
//
// The parts must have read the same data: each reads the newest change of the history in its snapshot, and parts
// that differ (a write committed between their snapshots; every write of the services records its change in the
// same transaction) are not put together: the caller computes the report whole instead.
import { Groups, type GroupsState } from './progress.groups.js';
import { closedPlansOf, LIST_ORDER, MOST_POSTPONED, listsOf } from './progress.lists.js';
import { composeReport, type ReportHead, type WalkedTasks } from './progress.service.js';
import type { ReportTask } from './progress.schemas.js';

/** A task of a part's list: where it is among the part's tasks, and what orders the list. */
export type ListEntry = Pick<ReportTask, 'daysOverdue' | 'dueDate' | 'postponementCount' | 'daysMoved'> & { index: number };

type ListName = keyof typeof LIST_ORDER;
const LISTS: ListName[] = ['overdue', 'dueSoon', 'mostPostponed'];

export interface ReportPart {
  /** The newest change of the history this part saw (see the top of this file). */
  historyMark: number;
  /** Its tasks were sorted again (a task renumbered after the report's day): their order is not the parts' order. */
  renumbered: boolean;
  head: ReportHead;
  groups: GroupsState;
  /** The part's tasks as JSON, joined by commas; task i is tasks[starts[i], ends[i]). */
  tasks: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
  /** The part's own lists, each in its order. */
  lists: Record<ListName, ListEntry[]>;
  /** The part's missing reports as JSON, joined by commas. */
  missingReports: Uint8Array;
}

const encoder = new TextEncoder();

/** UTF-8 bytes written one text after another into one growing buffer. */
class ByteWriter {
  private buffer = new Uint8Array(1 << 16);
  length = 0;

  write(text: string): void {
    const room = text.length * 3; // a UTF-16 unit is at most 3 bytes of UTF-8
    if (this.length + room > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + room));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.length += encoder.encodeInto(text, this.buffer.subarray(this.length)).written;
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/** A part of the report, from one range of its tasks walked (in a worker thread). */
export function reportPart({ head, groups, tasks, missingReports, renumbered }: WalkedTasks, historyMark: number): ReportPart {
  const out = new ByteWriter();
  const starts = new Uint32Array(tasks.length);
  const ends = new Uint32Array(tasks.length);
  const indexOf = new Map<ReportTask, number>();
  tasks.forEach((task, i) => {
    if (i > 0) out.write(',');
    starts[i] = out.length;
    out.write(JSON.stringify(task));
    ends[i] = out.length;
    indexOf.set(task, i);
  });
  const lists = listsOf(tasks, head.asOf, closedPlansOf(head));
  const entries = (name: ListName): ListEntry[] =>
    lists[name].map((t) => ({ index: indexOf.get(t) as number, daysOverdue: t.daysOverdue, dueDate: t.dueDate, postponementCount: t.postponementCount, daysMoved: t.daysMoved }));
  return {
    historyMark,
    renumbered,
    head,
    groups: groups.state(),
    tasks: out.bytes(),
    starts,
    ends,
    lists: { overdue: entries('overdue'), dueSoon: entries('dueSoon'), mostPostponed: entries('mostPostponed') },
    missingReports: encoder.encode(missingReports.map((m) => JSON.stringify(m)).join(',')),
  };
}

/** What a part hands over to another thread without copying. */
export function transferablesOf(part: ReportPart): ArrayBuffer[] {
  return [...new Set([part.tasks.buffer, part.starts.buffer, part.ends.buffer, part.missingReports.buffer])] as ArrayBuffer[];
}

/** Bytes put one after another into one buffer, its size known beforehand. */
class Concatenation {
  private readonly pieces: Uint8Array[] = [];
  private size = 0;

  add(bytes: Uint8Array): void {
    this.pieces.push(bytes);
    this.size += bytes.length;
  }

  /** `items`, those not empty, with a comma between each two. */
  addJoined(items: Iterable<Uint8Array>): void {
    let first = true;
    for (const item of items) {
      if (item.length === 0) continue;
      if (!first) this.add(COMMA);
      this.add(item);
      first = false;
    }
  }

  /** In an ArrayBuffer of their own, which can be handed to another thread (a small Buffer shares Node's pool). */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const piece of this.pieces) {
      out.set(piece, at);
      at += piece.length;
    }
    return out;
  }
}
const COMMA = encoder.encode(',');

/**
 * The report's JSON from its parts, in their order; null when they did not read the same data. The lists of each
 * part are in their order with ties in task order, and the parts follow each other in task order, so a stable sort
 * of their concatenation is the order of the whole; the most postponed of the whole are among each part's first ten.
 */
export function assembleReport(parts: ReportPart[]): Uint8Array | null {
  const [first] = parts;
  // Parts of different snapshots, or of a day whose tasks were renumbered since (split in today's order), make no whole.
  if (!first || parts.some((p) => p.historyMark !== first.historyMark || p.renumbered)) return null;
  const { head } = first;
  const groups = new Groups(head.scope.parties, head.asOf, closedPlansOf(head));
  for (const part of parts) groups.absorb(part.groups);
  /** The tasks of a list, as the bytes of their JSON. */
  function* listed(name: ListName): Generator<Uint8Array> {
    const entries = parts.flatMap((part) => part.lists[name].map((entry) => Object.assign(entry, { part }))).sort(LIST_ORDER[name]);
    const count = name === 'mostPostponed' ? Math.min(MOST_POSTPONED, entries.length) : entries.length;
    for (let i = 0; i < count; i++) {
      const { part, index } = entries[i] as ListEntry & { part: ReportPart };
      yield part.tasks.subarray(part.starts[index], part.ends[index]);
    }
  }
  const fill: Record<ListName | 'missingReports' | 'tasks', () => Iterable<Uint8Array>> = {
    overdue: () => listed('overdue'),
    dueSoon: () => listed('dueSoon'),
    mostPostponed: () => listed('mostPostponed'),
    missingReports: () => parts.map((p) => p.missingReports),
    tasks: () => parts.map((p) => p.tasks),
  };
  // The report with its long arrays empty, in the order of its schema; each "name":[] is then filled with bytes.
  const skeleton = JSON.stringify(composeReport(head, groups.figures(head.lang), { overdue: [], dueSoon: [], mostPostponed: [] }, [], []));
  const out = new Concatenation();
  let from = 0;
  for (const name of [...LISTS, 'missingReports', 'tasks'] as const) {
    const marker = `"${name}":[]`;
    const at = skeleton.indexOf(marker, from);
    if (at < 0) throw new Error(`the report's JSON has no ${marker} after position ${from}`);
    out.add(encoder.encode(skeleton.slice(from, at + marker.length - 1)));
    out.addJoined(fill[name]());
    from = at + marker.length - 1; // at the closing bracket
  }
  out.add(encoder.encode(skeleton.slice(from)));
  return out.bytes();
}
