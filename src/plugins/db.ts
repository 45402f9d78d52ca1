// The database as an app-wide service: opened and migrated at registration, closed with the app.
import fp from 'fastify-plugin';
import type { preHandlerHookHandler } from 'fastify';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { type Schema } from '../db/connection.js';
import { openMigrated } from '../db/open.js';
import { watchWrites } from '../db/storage-health.js';
import { enableGroupCommit, flushGroupCommit, readersWait, requestGroups } from '../db/group-commit.js';
import { replaceWithFailedCommit } from './problem-details.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: BetterSQLite3Database<Schema>;
    sqlite: BetterSqlite3.Database;
  }
}

/** The commit groups a writing request's handler wrote in (group-commit.ts, requestGroups). */
const groupsOf = new WeakMap<object, Set<Promise<void>>>();

export default fp(
  async (app, opts: { databasePath: string }) => {
    const { database, applied } = openMigrated(opts.databasePath);
    // The operator upgrading wants to see that the upgrade happened, and what it did.
    if (applied.length > 0) app.log.info({ databasePath: opts.databasePath, migrations: applied }, `applied ${applied.length} migration${applied.length === 1 ? '' : 's'}`);
    enableGroupCommit(database);
    // GET /health tells whether writes are failing for the storage (full, read-only, I/O) since when.
    watchWrites(database.sqlite, app.clock);
    app.decorate('db', database.db);
    app.decorate('sqlite', database.sqlite);
    // No response leaves before the writes it may show are durable (group commit, src/db/group-commit.ts): a write
    // is acknowledged only once committed, and a read never shows what a failed commit took back; an answer whose
    // commit failed becomes a problem document (503 when the database refused it: busy, disk full).
    // The handler of a route that writes runs in a set of its own, which each of its writes adds its group to: its
    // answer waits for them all, also when it comes turns after the write or after its group failed and another
    // opened. Callback style, so that the handler runs inside (an async hook's context would end with it); a
    // preHandler, after body parsing, whose stream events would lose it. Added to those routes only (onRoute): a
    // read pays nothing for it.
    const enterGroups: preHandlerHookHandler = (request, _reply, done) => {
      const groups = new Set<Promise<void>>();
      groupsOf.set(request, groups);
      requestGroups.run(groups, done);
    };
    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat();
      if (methods.every((m) => m === 'GET' || m === 'HEAD')) return;
      route.preHandler = [enterGroups, ...[route.preHandler ?? []].flat()];
    });
    app.addHook('onSend', (request, reply, payload, done) => {
      const written = groupsOf.get(request);
      const waits = written !== undefined && written.size > 0 ? Promise.all(written) : readersWait(database.db);
      if (waits === null) return done(null, payload);
      waits.then(
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
