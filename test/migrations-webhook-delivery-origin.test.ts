// Migration 0019: every webhook delivery says how it came to be (origin); the deliveries made before it are given theirs
// from what their rows kept: redelivery_of, the event's type and the key that asked for them.
import t, { type Test } from 'tap';
import { type Database_ } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import { build, json, testClock } from './helper.js';
import { databaseBefore as migratedBefore, insertRow } from './migration-fixtures.js';

const MIGRATION = '0019_webhook_delivery_origin';
const OLD = '2026-11-20T09:00:00.000Z';
const id = (n: number) => `019a7c2e-7a10-7000-8000-${String(n).padStart(12, '0')}`;
const W = id(1);
const [CHANGED, PING, MISSED] = [id(11), id(12), id(13)];
const KEY = id(99);
/** The deliveries as the service wrote them before 0019, each with the origin it should be given. */
const DELIVERIES = [
  { id: id(21), event_id: CHANGED, redelivery_of: null, requested_by_key_id: null, origin: 'event' },
  { id: id(22), event_id: PING, redelivery_of: null, requested_by_key_id: KEY, origin: 'test' },
  { id: id(23), event_id: CHANGED, redelivery_of: id(21), requested_by_key_id: KEY, origin: 'redelivery' },
  { id: id(24), event_id: PING, redelivery_of: id(22), requested_by_key_id: KEY, origin: 'redelivery' },
  { id: id(25), event_id: MISSED, redelivery_of: null, requested_by_key_id: KEY, origin: 'replay' },
] as const;

/** A database file migrated up to the migration before 0019, holding a subscription's deliveries of every kind then made. */
async function databaseBefore(t: Test): Promise<{ path: string; database: Database_ }> {
  const { path, database } = await migratedBefore(t, MIGRATION);
  insertRow(database, 'webhook_subscriptions', {
    id: W,
    url: 'https://hooks.example/tracker',
    events: ['task.status_changed'],
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1PNo4LN8uOk=',
    active: 1,
    created_at: OLD,
    updated_at: OLD,
    events_kept_since: OLD,
  });
  for (const [event, type] of [[CHANGED, 'task.status_changed'], [PING, 'webhook.test'], [MISSED, 'task.status_changed']] as const) {
    insertRow(database, 'webhook_events', { id: event, type, occurred_at: OLD, body: JSON.stringify({ type, timestamp: OLD, data: {} }) });
  }
  for (const { origin: _origin, ...d } of DELIVERIES) {
    insertRow(database, 'webhook_deliveries', { ...d, subscription_id: W, status: 'succeeded', attempt_count: 1, created_at: OLD, completed_at: OLD });
  }
  return { path, database };
}

t.test('migration 0019 gives the deliveries made before it their origin: redelivery, test, replay or event, from what each row kept', async (t) => {
  const { database } = await databaseBefore(t);
  const before = database.sqlite.prepare('SELECT * FROM webhook_deliveries ORDER BY id').all();
  runMigrations(database);
  const after = database.sqlite.prepare('SELECT * FROM webhook_deliveries ORDER BY id').all() as Record<string, unknown>[];
  t.strictSame(
    after.map((d) => [d.id, d.origin]),
    DELIVERIES.map((d) => [d.id, d.origin]),
    'a redelivery (of a test event too), a test event, a replay asked for by a key, an event queued with no key',
  );
  t.strictSame(after.map(({ origin: _origin, ...rest }) => rest), before, 'nothing else changed');
  t.strictSame(database.sqlite.pragma('foreign_key_check'), [], 'no dangling foreign keys');
  const column = (database.sqlite.pragma('table_info(webhook_deliveries)') as { name: string; notnull: number; dflt_value: string }[]).find((c) => c.name === 'origin');
  t.match(column, { notnull: 1, dflt_value: "'event'" }, 'never null');
});

t.test('after migration 0019 the delivery log shows and filters the origin of the deliveries made before it', async (t) => {
  const { path, database } = await databaseBefore(t);
  database.sqlite.close();
  const app = await build(t, testClock(), { databasePath: path });
  const log = async (query = '') => json(await app.inject({ method: 'GET', url: `/v1/webhooks/${W}/deliveries${query}` })).items;
  t.strictSame((await log()).map((d: any) => [d.id, d.origin, d.redeliveryOf]), [...DELIVERIES].reverse().map((d) => [d.id, d.origin, d.redelivery_of]));
  t.strictSame((await log('?origin=replay')).map((d: any) => [d.eventId, d.eventType]), [[MISSED, 'task.status_changed']]);
});
