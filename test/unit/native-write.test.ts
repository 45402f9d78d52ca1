// nativeWrite runs a statement drizzle built once through better-sqlite3 itself: what it stores must be what drizzle's
// own prepared statement stores for the same values (each placeholder of a column encoded by its column, a bare one
// bound as given, a value written in the statement kept), and the statement is built and prepared once per connection.
import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import t from 'tap';
import { nativeWrite } from '../../src/db/connection.js';
import { openDatabase } from '../../src/db/open.js';

const things = sqliteTable('things', {
  id: text('id').primaryKey(),
  tags: text('tags', { mode: 'json' }).$type<string[]>(),
  done: integer('done', { mode: 'boolean' }),
  count: integer('count'),
  note: text('note'),
});

t.test('nativeWrite stores what drizzle stores for the same values, and builds its statement once', async (t) => {
  const { sqlite, db } = openDatabase(':memory:');
  t.teardown(() => sqlite.close());
  sqlite.exec('CREATE TABLE things (id TEXT PRIMARY KEY, tags TEXT, done INTEGER, count INTEGER, note TEXT)');
  let built = 0;
  const insert = (d: typeof db) =>
    d.insert(things).values({
      id: sql.placeholder('id'),
      tags: sql.placeholder('tags'),
      done: sql.placeholder('done'),
      // A bare placeholder inside SQL, and a value written in the statement.
      count: sql`${sql.placeholder('count')} + 1`,
      note: 'kept',
    });
  const native = () =>
    nativeWrite(db, 'things', (d) => {
      built++;
      return insert(d);
    });
  const viaDrizzle = insert(db).prepare();
  const values = [
    { tags: ['a', 'b'], done: true, count: 1 },
    { tags: [], done: false, count: 0 },
    { tags: null, done: null, count: null },
  ];
  for (const [i, v] of values.entries()) {
    t.equal(native()({ id: `native-${i}`, ...v }).changes, 1);
    viaDrizzle.run({ id: `drizzle-${i}`, ...v });
  }
  t.equal(built, 1, 'built once for the connection');
  const rows = sqlite.prepare('SELECT id, tags, done, count, note FROM things ORDER BY id').all() as { id: string }[];
  const stored = (prefix: string) => rows.filter((r) => r.id.startsWith(prefix)).map(({ id: _id, ...rest }) => rest);
  t.strictSame(stored('native-'), stored('drizzle-'), 'the same columns stored, value by value');
  t.strictSame(stored('native-')[0], { tags: '["a","b"]', done: 1, count: 2, note: 'kept' }, 'encoded by the columns');
});
