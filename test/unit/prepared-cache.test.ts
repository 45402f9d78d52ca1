// prepared() keeps a bounded number of queries per connection: names a client can vary (a list's filters, a PATCH's
// fields) must not grow the service's memory without end. Past the bound the query kept longest is let go, and built
// again if asked for again; the others are not rebuilt.
import t from 'tap';
import { PREPARED_KEPT, prepared } from '../../src/db/connection.js';
import { openDatabase } from '../../src/db/open.js';

t.test('prepared keeps at most PREPARED_KEPT queries a connection, letting the oldest go first', async (t) => {
  const { sqlite, db } = openDatabase(':memory:');
  t.teardown(() => sqlite.close());
  const built = new Map<string, number>();
  const ask = (name: string) =>
    prepared(db, name, () => {
      built.set(name, (built.get(name) ?? 0) + 1);
      return { name };
    });
  for (let i = 0; i < PREPARED_KEPT; i++) ask(`q${i}`);
  t.strictSame(ask('q0'), { name: 'q0' });
  t.equal(built.get('q0'), 1, 'within the bound: kept, not built again');
  for (let i = PREPARED_KEPT; i < PREPARED_KEPT + 10; i++) ask(`q${i}`);
  ask('q10');
  t.equal(built.get('q10'), 1, 'a later one of the first: still kept');
  ask('q0');
  t.equal(built.get('q0'), 2, 'the oldest let go past the bound, and built again when asked');
  ask(`q${PREPARED_KEPT + 9}`);
  t.equal(built.get(`q${PREPARED_KEPT + 9}`), 1, 'the newest kept');
  t.equal([...built.values()].reduce((a, b) => a + b, 0), PREPARED_KEPT + 11, 'nothing else built again');
});
