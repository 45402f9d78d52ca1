// Ids sort in the order they were made, whatever the clock does: the change history is read in id order, and a poller
// resumes after the last id it read.
import t from 'tap';
import { idMillis, idsAfter, newId } from '../src/lib/ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

t.test('ids made one after another sort in that order, within a millisecond and when the clock steps back', async (t) => {
  const now = Date.now;
  t.teardown(() => {
    Date.now = now;
  });
  let clock = now();
  Date.now = () => clock;
  const ids = [newId(), newId(), newId()];
  clock -= 60_000; // NTP steps the clock back a minute
  ids.push(newId(), newId());
  clock += 120_000;
  ids.push(newId());
  t.ok(ids.every((id) => V7.test(id)), 'each is a UUID v7');
  t.strictSame([...ids].sort(), ids, 'in the order made');
  t.equal(new Set(ids).size, ids.length, 'all different');
  t.equal(idMillis(ids.at(-1)!), clock, 'an id carries the clock once it is ahead again');
});

t.test('idsAfter: no id made afterwards sorts before the greatest id written, even one ahead of the clock', async (t) => {
  const ahead = newId().replace(/^[0-9a-f]{8}-[0-9a-f]{4}/, () => {
    const hex = (Date.now() + 3_600_000).toString(16).padStart(12, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8)}`;
  });
  idsAfter(ahead);
  const next = [newId(), newId()];
  t.ok(next[0]! > ahead && next[1]! > next[0]!, 'after it, in order');
  idsAfter(null);
  idsAfter(next[0]);
  t.ok(newId() > next[1]!, 'an earlier id or none lowers nothing');
});

t.test('idsAfter an id this process made changes nothing: ids keep to the clock through a burst of writes', async (t) => {
  // Each history entry is written after the database's greatest id (history.recorder.ts): its own, mostly.
  const first = newId();
  for (let i = 0; i < 1000; i++) idsAfter(newId());
  const last = newId();
  t.ok(last > first, 'in order');
  t.ok(idMillis(last) <= Math.max(Date.now(), idMillis(first)) + 1, `within a millisecond of the clock (${idMillis(last) - Date.now()} ms ahead)`);
});
