// The cursor codec without HTTP: a cursor names its list and the filters of its page; only `limit` may change.
import t from 'tap';
import type { Test } from 'tap';
import { AppError } from '../../src/errors.js';
import { cursorFor } from '../../src/lib/pagination.js';

const rows = ['a', 'b', 'c', 'd'];
const nextOf = (codec: ReturnType<typeof cursorFor>, q: { limit: number; [filter: string]: unknown }) =>
  codec.page(rows.slice(0, q.limit + 1), q, (r) => [r], (r) => r).nextCursor as string;

/** The detail of the invalid-cursor refusal `fn` throws. */
function refusal(t: Test, fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    t.ok(err instanceof AppError && err.spec.code === 'invalid-cursor', 'an invalid-cursor refusal');
    return (err as AppError).detail;
  }
  t.fail('not refused');
  return undefined;
}

t.test('a cursor is opaque base64url, and the list that issued it reads its key back under any limit', async (t) => {
  const things = cursorFor('unit-things');
  const cursor = nextOf(things, { limit: 2, planId: 'p1', status: ['done', 'cancelled'] });
  t.match(cursor, /^[A-Za-z0-9_-]+$/);
  t.same(things.keyOf({ limit: 2, cursor, planId: 'p1', status: ['done', 'cancelled'] }, 1), ['b']);
  t.same(things.keyOf({ limit: 200, cursor, status: ['done', 'cancelled'], planId: 'p1' }, 1), ['b'], 'another limit, filters in another order');
  t.same(things.keyOf({ limit: 1, cursor, planId: 'p1', status: ['done', 'cancelled'], area: undefined }, 1), ['b'], 'an undefined filter is an absent one');
  t.equal(things.keyOf({ limit: 2, planId: 'p1' }, 1), undefined, 'no cursor: the first page');
  t.equal(things.after([], { limit: 2 }), undefined);
});

t.test('a cursor of another list, of other filters, or of the earlier format is refused', async (t) => {
  const things = cursorFor('unit-widgets');
  const others = cursorFor('unit-gadgets');
  const cursor = nextOf(things, { limit: 1, planId: 'p1' });
  t.equal(refusal(t, () => others.keyOf({ limit: 1, cursor, planId: 'p1' }, 1)), 'this cursor was issued by another list');
  const otherFilters = 'this cursor was issued for other filters; start again without a cursor';
  t.equal(refusal(t, () => things.keyOf({ limit: 1, cursor, planId: 'p2' }, 1)), otherFilters, 'another value');
  t.equal(refusal(t, () => things.keyOf({ limit: 1, cursor }, 1)), otherFilters, 'a filter dropped');
  t.equal(refusal(t, () => things.keyOf({ limit: 1, cursor, planId: 'p1', kind: 'x' }, 1)), otherFilters, 'a filter added');
  const bare = Buffer.from(JSON.stringify(['2026-11-04', 'x', 'y'])).toString('base64url');
  t.equal(refusal(t, () => things.keyOf({ limit: 1, cursor: bare }, 3)), 'the cursor was not issued by this list', 'a bare sort key');
  t.equal(refusal(t, () => things.keyOf({ limit: 1, cursor, planId: 'p1' }, 2)), 'the cursor was not issued by this list', 'a key of another length');
});

t.test('two lists cannot share a name, or they would take each other\'s cursors', async (t) => {
  cursorFor('unit-unique');
  t.throws(() => cursorFor('unit-unique'), /already exists/);
});
