// The worker claims the deliveries due oldest first, by id among those due at one instant, in the order of the due
// index: the events a scan raises (task.overdue, report.missing) all fall due at the same instant, and with the index on
// (status, next_attempt_at) alone every claim read every delivery due and sorted them by id (95,000 queued after the
// bench plan's first overdue scan: 33-56 ms a claim, one per attempt). Checked by the claim's query plan: no sort.
import t from 'tap';
import { build, preparedDuring } from '../helper.js';
import { claimDueDeliveries } from '../../src/modules/webhooks/webhooks.outbox-repository.js';

t.test('claiming due deliveries reads them in the order of the due index, without sorting every delivery due', async (t) => {
  const app = await build(t);
  const statements = await preparedDuring(app, 'from "webhook_deliveries"', async () => {
    app.sqlite.transaction(() => claimDueDeliveries(app.db, '2026-11-28T09:00:00.000Z', 4, '2026-11-28T09:01:00.000Z', ['x'], ['y']))();
  });
  const claim = statements.find((s) => /order by "webhook_deliveries"\."next_attempt_at" asc, "webhook_deliveries"\."id" asc/.test(s));
  t.ok(claim, 'the claim was prepared');
  const plan = (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${claim}`).all(...Array.from(claim!.matchAll(/\?/g), () => null)) as { detail: string }[]).map((r) => r.detail).join(' | ');
  t.match(plan, /SEARCH webhook_deliveries USING INDEX webhook_deliveries_due_idx \(status=\? AND next_attempt_at/, plan);
  t.notMatch(plan, /TEMP B-TREE/, `no sort: ${plan}`);
});
