// Group commit (src/db/connection.ts): the writes of one turn of the event loop share one COMMIT; each is undone
// alone if it fails; nothing is visible to another connection, or told to a client, before that COMMIT; and a
// failed COMMIT loses the whole group and answers 500 to every request in it.
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { commissions } from '../src/db/schema.js';
import { openDatabase, runMigrations, writeTransaction, type Database_ } from '../src/db/connection.js';
import { committed, enableGroupCommit, flushGroupCommit, pendingCommit, type GroupCommitOptions } from '../src/db/group-commit.js';
import { assertProblem, build, snapshot } from './helper.js';
import { createCommission } from './factories.js';

const NOW = '2026-11-28T09:00:00.000Z';

async function fileDatabase(t: Test, options: GroupCommitOptions = {}): Promise<{ database: Database_; reader: Database.Database }> {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-group-'));
  const database = openDatabase(join(dir, 'tracker.db'));
  runMigrations(database);
  enableGroupCommit(database, options);
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

/** A log fsync that the test lets finish (or fail) when it wants: each call waits for the next release. */
function heldSync() {
  const calls: { fd: number; release: () => void; fail: (err: Error) => void }[] = [];
  const fileSync = (fd: number) => new Promise<void>((release, fail) => calls.push({ fd, release, fail }));
  return { calls, fileSync };
}
const settled = async (p: Promise<void>) => {
  let state = 'pending';
  p.then(() => (state = 'resolved'), () => (state = 'rejected'));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return state;
};

t.test('a group is durable only once the log is synced: COMMIT does not sync it, an fsync off the event loop does', async (t) => {
  const sync = heldSync();
  const { database, reader } = await fileDatabase(t, sync);
  t.equal(database.sqlite.pragma('synchronous', { simple: true }), 1, 'NORMAL: COMMIT writes the log without syncing it');
  insertCommission(database, 'c1');
  const first = committed(database.db);
  await new Promise((r) => setImmediate(r));
  t.same(namesSeenBy(reader), ['c1'], 'committed once the turn is over');
  t.equal(sync.calls.length, 1, 'and the log is being synced');
  t.equal(await settled(first), 'pending', 'the group is not durable before its fsync ends');
  t.ok(pendingCommit(database.db), 'so a response of now, a read too, waits');

  insertCommission(database, 'c2'); // the next group commits while the first fsync still runs
  const second = committed(database.db);
  await new Promise((r) => setImmediate(r));
  t.same(namesSeenBy(reader), ['c1', 'c2'], 'the second group is committed');
  t.equal(sync.calls.length, 1, 'but its fsync waits for the one running: one at a time');
  sync.calls[0]?.release();
  t.equal(await settled(first), 'resolved', 'the first group is durable');
  t.equal(await settled(second), 'pending', 'the second waits for its own fsync');
  t.equal(sync.calls.length, 2);
  sync.calls[1]?.release();
  t.equal(await settled(second), 'resolved');
  t.equal(pendingCommit(database.db), null, 'nothing is waiting any more');
});

t.test('after a failed fsync, a group committed meanwhile is not acknowledged either, and no fsync runs again', async (t) => {
  // Linux reports a lost write-back to one fsync only: a second fsync on the file could succeed over the lost pages.
  const sync = heldSync();
  const { database } = await fileDatabase(t, sync);
  insertCommission(database, 'c1');
  const first = committed(database.db);
  await new Promise((r) => setImmediate(r));
  insertCommission(database, 'c2');
  const second = committed(database.db);
  await new Promise((r) => setImmediate(r));
  sync.calls[0]?.fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
  await t.rejects(first, /restart the service: EIO/);
  await t.rejects(second, /restart the service: EIO/, 'the group after it fails with it');
  t.equal(sync.calls.length, 1, 'its fsync never started');
});

t.test('a database reached through a symbolic link: the log synced is the one beside the real file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-link-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'real'));
  await mkdir(join(dir, 'links'));
  await symlink(join(dir, 'real', 'tracker.db'), join(dir, 'links', 'tracker.db'));
  const database = openDatabase(join(dir, 'links', 'tracker.db'));
  runMigrations(database);
  const synced: string[] = [];
  enableGroupCommit(database, { fileSync: async (fd) => void synced.push(readlinkSync(`/proc/self/fd/${fd}`)) });
  t.teardown(async () => {
    await flushGroupCommit(database.db);
    database.sqlite.close();
  });
  insertCommission(database, 'c1');
  await committed(database.db);
  t.same(synced, [join(dir, 'real', 'tracker.db-wal')]);
});

t.test('closing flushes the open group, waits for its fsync and lets go of the log', async (t) => {
  const sync = heldSync();
  const dir = await mkdtemp(join(tmpdir(), 'tracker-close-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const database = openDatabase(join(dir, 'tracker.db'));
  runMigrations(database);
  enableGroupCommit(database, sync);
  const walDescriptors = () => readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(join(dir, 'tracker.db-wal'));
    } catch {
      return false;
    }
  }).length;
  const sqliteOwn = walDescriptors();
  insertCommission(database, 'c1');
  const waiting = committed(database.db);
  const flushed = flushGroupCommit(database.db); // in the same turn: the group is still open
  t.notOk(database.sqlite.inTransaction, 'committed at once');
  await new Promise((r) => setImmediate(r));
  t.equal(sync.calls.length, 1);
  t.equal(await settled(flushed), 'pending', 'closing waits for the fsync');
  sync.calls[0]?.release();
  await flushed;
  t.equal(await settled(waiting), 'resolved', 'and those who waited are told it is durable');
  t.equal(walDescriptors(), sqliteOwn, 'no descriptor of the log is left open');
  database.sqlite.close();
});

t.test('a failed fsync acknowledges nothing from then on', async (t) => {
  const sync = heldSync();
  const { database } = await fileDatabase(t, sync);
  insertCommission(database, 'c1');
  const first = committed(database.db);
  await new Promise((r) => setImmediate(r));
  sync.calls[0]?.fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
  await t.rejects(first, /write-ahead log could not be synced to disk; restart the service: EIO/);
  await t.rejects(committed(database.db), /restart the service/, 'every later response fails too');
  t.throws(() => insertCommission(database, 'c2'), /restart the service/, 'and no write is taken');
});

t.test('an in-memory database has no log to sync: COMMIT is durability enough and FULL stays', async (t) => {
  const database = openDatabase(':memory:');
  t.teardown(() => database.sqlite.close());
  runMigrations(database);
  const sync = heldSync();
  enableGroupCommit(database, sync);
  t.equal(database.sqlite.pragma('synchronous', { simple: true }), 2);
  insertCommission(database, 'c1');
  await committed(database.db);
  t.equal(sync.calls.length, 0);
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
