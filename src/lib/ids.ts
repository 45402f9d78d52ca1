// Identifiers: time-ordered UUIDs (v7), so ids sort by creation and index well. The change history is read in id
// order and a poller resumes after the last id it read, so a new id must sort after every id already written: within
// a process the state below ensures it whatever the clock does (as uuid's own v7 state would), and across a restart
// and across processes `idsAfter` does, given the database's greatest history id at start and before each history entry
// (a clock set back while the service was down, or another program writing the file, would otherwise give lower ids).
import { randomInt } from 'node:crypto';
import { v7 } from 'uuid';

/** The millisecond and counter of the last id made (uuid's v7 state, kept here so that it can be raised), and that id. */
const state = { msecs: -Infinity, seq: 0, last: '' };

/** The millisecond a v7 id carries in its first 48 bits. */
export function idMillis(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

export function newId(): string {
  const now = Date.now();
  if (now > state.msecs) {
    // A new millisecond starts its counter at a random 31-bit value (uuid's own v7 does so), leaving room to count up.
    state.msecs = now;
    state.seq = randomInt(0x80000000);
  } else {
    // The same millisecond, or a clock behind the last id: count up, into the next millisecond when the counter wraps.
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs += 1;
  }
  state.last = v7({ msecs: state.msecs, seq: state.seq });
  return state.last;
}

/**
 * No id made from now on sorts before `id` (the greatest id the database holds), whatever the clock says. An id not
 * after the last one made here (this process's own, mostly) changes nothing, so that ids keep to the clock.
 */
export function idsAfter(id: string | null | undefined): void {
  if (!id || id <= state.last) return;
  const millis = idMillis(id);
  // Its next millisecond, counted from 0: above any id of its own millisecond.
  if (Number.isFinite(millis) && millis >= state.msecs) {
    state.msecs = millis + 1;
    state.seq = 0;
  }
}
