// The database as an app-wide service: opened and migrated at registration, closed with the app.
import fp from 'fastify-plugin';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { openDatabase, runMigrations, type Schema } from '../db/connection.js';

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
    app.decorate('db', database.db);
    app.decorate('sqlite', database.sqlite);
    app.addHook('onClose', async () => {
      database.sqlite.close();
    });
  },
  { name: 'db' },
);
