// Group commit (src/db/connection.ts): the writes of one turn of the event loop share one COMMIT; each is undone
// alone if it fails; nothing is visible to another connection, or told to a client, before that COMMIT; and a
// failed COMMIT loses the whole group and answers 500 to every request in it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { commissions } from '../src/db/schema.js';
import { writeTransaction, type Database_ } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open.js';
import { committed, enableGroupCommit, flushGroupCommit, pendingCommit } from '../src/db/group-commit.js';
import { assertProblem, build, snapshot } from './helper.js';
import { createCommission } from './factories.js';

const NOW = '2026-11-28T09:00:00.000Z';

async function fileDatabase(t: Test): Promise<{ database: Database_; reader: Database.Database }> {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-group-'));
  const database = openDatabase(join(dir, 'tracker.db'));
  runMigrations(database);
  enableGroupCommit(database);
  const reader = new Database(join(dir, 'tracker.db'), { readonly: true });
  t.teardown(async () => {
    reader.close();
    await flushGroupCommit(database.db);
    database.sqlite.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { database, reader };
}

const insertCommission = (database: Database_, id: string) =>
  writeTransaction(database.db, (tx) => {
    tx.insert(commissions)
      .values({ id, name: `Commission ${id}`, timeZone: 'Europe/Minsk', partyACountry: 'BY', partyACoChairName: 'A', partyACoChairPosition: 'Minister', partyBCountry: 'KZ', partyBCoChairName: 'B', partyBCoChairPosition: 'Minister', createdAt: NOW, updatedAt: NOW })
      .run();
    return id;
  });

const namesSeenBy = (reader: Database.Database) => reader.prepare('SELECT id FROM commissions ORDER BY id').pluck().all();

t.test('the writes of one turn commit together, once the turn is over; a failed one is undone alone', async (t) => {
  const { database, reader } = await fileDatabase(t);
  insertCommission(database, 'c1');
  t.throws(() =>
    writeTransaction(database.db, (tx) => {
      insertCommission(database, 'c-undone'); // nested: its own savepoint, undone with the failing write around it
      tx.insert(commissions).values({ id: 'c1' } as never).run(); // fails: c1 exists (and required columns are missing)
    }),
  );
  insertCommission(database, 'c2');
  t.ok(database.sqlite.inTransaction, 'one transaction is open for the turn');
  t.same(namesSeenBy(reader), [], 'another connection sees nothing before the COMMIT');
  await committed(database.db);
  t.notOk(database.sqlite.inTransaction);
  t.same(namesSeenBy(reader), ['c1', 'c2'], 'both writes are durable, the failed one is not');
  t.same(database.sqlite.prepare('PRAGMA integrity_check').pluck().get(), 'ok');

  insertCommission(database, 'c3');
  await committed(database.db);
  t.same(namesSeenBy(reader), ['c1', 'c2', 'c3'], 'the next turn opens a group of its own');
});

t.test('a COMMIT that fails loses the whole group and says so to those who wait', async (t) => {
  const { database, reader } = await fileDatabase(t);
  insertCommission(database, 'c1');
  await committed(database.db);
  insertCommission(database, 'c2');
  // A foreign key checked only at COMMIT (defer_foreign_keys), broken by a meeting of no commission.
  database.sqlite.pragma('defer_foreign_keys = ON');
  writeTransaction(database.db, () => {
    database.sqlite.prepare(`INSERT INTO meetings VALUES ('m1', 'no-such-commission', 'session', 'M', '2026-01-01', 'Minsk', NULL, '${NOW}', '${NOW}')`).run();
  });
  await t.rejects(committed(database.db), /FOREIGN KEY/);
  t.notOk(database.sqlite.inTransaction, 'rolled back');
  t.same(namesSeenBy(reader), ['c1'], 'nothing of the failed group is kept');
  insertCommission(database, 'c3');
  await committed(database.db);
  t.same(namesSeenBy(reader), ['c1', 'c3'], 'and the next group works');
});

t.test('closing commits the open group at once, and its turn ends without a second COMMIT', async (t) => {
  const { database, reader } = await fileDatabase(t);
  insertCommission(database, 'c1');
  const waiting = committed(database.db);
  await flushGroupCommit(database.db); // in the same turn: the group is still open
  t.notOk(database.sqlite.inTransaction, 'committed at once');
  t.same(namesSeenBy(reader), ['c1']);
  await waiting;
  await new Promise((r) => setImmediate(r)); // the turn's own COMMIT finds nothing left to do
  t.equal(pendingCommit(database.db), null);
  insertCommission(database, 'c2');
  await committed(database.db);
  t.same(namesSeenBy(reader), ['c1', 'c2'], 'and the next group works');
});

t.test('over HTTP: a write whose group fails to commit answers 500, and nothing of it is kept', async (t) => {
  const app = await build(t);
  await createCommission(app);
  const before = snapshot(app);
  app.sqlite.pragma('defer_foreign_keys = ON');
  app.sqlite.exec(`CREATE TRIGGER dangling AFTER INSERT ON commissions BEGIN
    INSERT INTO meetings VALUES ('m1', 'no-such-commission', 'session', 'M', '2026-01-01', 'Minsk', NULL, '${NOW}', '${NOW}');
  END`);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/commissions',
    payload: {
      name: 'Doomed commission',
      timeZone: 'Europe/Minsk',
      parties: [
        { country: 'BY', coChair: { name: 'A', position: 'Minister' } },
        { country: 'UZ', coChair: { name: 'B', position: 'Minister' } },
      ],
    },
  });
  app.sqlite.exec('DROP TRIGGER dangling');
  assertProblem(t, res, 500, 'internal-error');
  t.notMatch(res.body, /FOREIGN KEY|meetings|sqlite/i, 'nothing internal leaks');
  t.strictSame(snapshot(app), before, 'no commission, no history, no meeting');
});

t.test('over HTTP: an error answer built while a doomed group was open becomes a 500 problem, with nothing internal', async (t) => {
  const app = await build(t);
  const commission = await createCommission(app);
  // A write whose group fails at COMMIT (a foreign key checked only then), and in the same turn a request that is
  // refused (404): its answer may not leave before the group's fate is known, and the group fails.
  app.sqlite.pragma('defer_foreign_keys = ON');
  writeTransaction(app.db, () => {
    app.sqlite.prepare(`INSERT INTO meetings VALUES ('m1', 'no-such-commission', 'session', 'M', '2026-01-01', 'Minsk', NULL, '${NOW}', '${NOW}')`).run();
  });
  const res = await app.inject({ method: 'GET', url: '/v1/meetings/no-such-meeting' });
  assertProblem(t, res, 500, 'internal-error');
  t.notMatch(res.body, /FOREIGN KEY|constraint|sqlite/i, 'nothing internal leaks');
  t.equal(res.headers.etag, undefined);
  const after = await app.inject({ method: 'GET', url: `/v1/commissions/${commission.id}` });
  t.equal(after.statusCode, 200, 'the next request is served');
});
