// The database as an app-wide service: opened and migrated at registration, closed with the app.
import fp from 'fastify-plugin';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { openDatabase, runMigrations, type Schema } from '../db/connection.js';
import { enableGroupCommit, flushGroupCommit, lastGroupLoss, lostGroups, pendingCommit, requestGroups } from '../db/group-commit.js';
import { replaceWithFailedCommit } from './problem-details.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: BetterSQLite3Database<Schema>;
    sqlite: BetterSqlite3.Database;
  }
}

/** The commit groups a writing request's handler wrote in (group-commit.ts, requestGroups). */
const groupsOf = new WeakMap<object, Set<Promise<void>>>();
/** How many groups had failed when a request's handler began (lostGroups). */
const lossesBefore = new WeakMap<object, number>();

export default fp(
  async (app, opts: { databasePath: string }) => {
    const database = openDatabase(opts.databasePath);
    try {
      runMigrations(database);
    } catch (err) {
      database.sqlite.close();
      throw err;
    }
    enableGroupCommit(database);
    app.decorate('db', database.db);
    app.decorate('sqlite', database.sqlite);
    // No response leaves before the writes made so far are durable (group commit, src/db/group-commit.ts): a write
    // is acknowledged only once committed, and a read never shows what a failed commit will take back;
    // an answer whose commit failed becomes a problem document (503 when the database refused it: busy, disk full).
    // A writing request's handler runs in a set of its own, which each of its writes adds its group to: its answer
    // waits for them all, also when it comes turns after the write or after its group failed and another opened.
    // Callback style, so that the handler runs inside (an async hook's context would end with it); after body
    // parsing, whose stream events would lose it. A read writes nothing of its own, but it may read the writes of an
    // open group: should any group fail while it runs (rare: a full disk), it is not answered either.
    app.addHook('preHandler', (request, _reply, done) => {
      lossesBefore.set(request, lostGroups(database.db));
      if (request.method === 'GET' || request.method === 'HEAD') return done();
      const groups = new Set<Promise<void>>();
      groupsOf.set(request, groups);
      requestGroups.run(groups, done);
    });
    app.addHook('onSend', (request, reply, payload, done) => {
      const pending = pendingCommit(database.db);
      const written = groupsOf.get(request);
      if (written === undefined || written.size === 0) {
        const before = lossesBefore.get(request);
        if (before !== undefined && before !== lostGroups(database.db)) return done(null, replaceWithFailedCommit(request, reply, lastGroupLoss(database.db)));
      }
      if (pending === null && (written === undefined || written.size === 0)) return done(null, payload);
      const waits = new Set(written);
      if (pending !== null) waits.add(pending);
      Promise.all(waits).then(
        () => done(null, payload),
        (err: unknown) => done(null, replaceWithFailedCommit(request, reply, err)),
      );
    });
    app.addHook('onClose', async () => {
      await flushGroupCommit(database.db);
      database.sqlite.close();
    });
  },
  { name: 'db' },
);
