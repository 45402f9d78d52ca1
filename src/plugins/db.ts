// The database as an app-wide service: opened and migrated at registration, closed with the app.
import fp from 'fastify-plugin';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { openDatabase, runMigrations, type Schema } from '../db/connection.js';
import { enableGroupCommit, flushGroupCommit, pendingCommit } from '../db/group-commit.js';
import { replaceWithFailedCommit } from './problem-details.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: BetterSQLite3Database<Schema>;
    sqlite: BetterSqlite3.Database;
  }
}

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
    app.addHook('onSend', (request, reply, payload, done) => {
      const pending = pendingCommit(database.db);
      if (pending === null) return done(null, payload);
      pending.then(
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
