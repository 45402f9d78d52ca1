// GET /v1/tasks?awaiting= reads what waits from where it waits while few wait, and walks the order index when many do
// (listTaskRecords' bound): the count is taken for every page, so a client paging through the worklist while requests
// are made or decided may read one page by one statement and the next by the other. Each page, whichever statement
// reads it, continues from the cursor: every task listed once, in the list's order, beside every other filter.
import t from 'tap';
import { listTaskRecords, type TaskFilter } from '../../src/modules/tasks/tasks.list-repository.js';
import { build, testClock } from '../helper.js';
import { approvePlan, createOrganization, createPlan, createTask, seedPlan } from '../factories.js';

t.test('awaiting= pages list every task once and in order when the statement changes between pages', async (t) => {
  const app = await build(t, testClock());
  const seed = await seedPlan(app);
  const mtz = await createOrganization(app, { name: 'Minsk Tractor Works', shortName: 'MTZ', country: 'BY', kind: 'enterprise' });
  const plan2 = await createPlan(app, seed.commission.id, { title: 'P2' });
  const all: { id: string; planId: string; code: string }[] = [];
  for (const plan of [seed.plan, plan2]) {
    for (let i = 1; i <= 9; i++) {
      const assignees = i % 2 ? seed.assignees : [{ organizationId: mtz.id, role: 'lead' }];
      all.push(await createTask(app, { planId: plan.id, code: `${i % 3}.${i}`, dueDate: i % 4 ? '2026-10-01' : '2027-10-01', assignees }));
    }
    await approvePlan(app, plan.id);
  }
  for (const x of all.filter((_, i) => i % 3 !== 1)) {
    const r = await app.inject({ method: 'POST', url: `/v1/tasks/${x.id}/deadline-changes`, payload: { kind: 'request', newDueDate: '2027-12-01', reason: 'late' } });
    t.equal(r.statusCode, 201, 'deadline request made');
  }
  const filters: Omit<TaskFilter, 'todayByCommission'>[] = [
    { awaiting: ['deadline_decision'] },
    { awaiting: ['deadline_decision'], planId: plan2.id },
    { awaiting: ['deadline_decision'], organizationId: mtz.id },
    { awaiting: ['deadline_decision'], status: ['not_started', 'in_progress'] },
    { awaiting: ['deadline_decision'], dueFrom: '2026-01-01', dueTo: '2026-12-31' },
    { awaiting: ['deadline_decision', 'report_review'], overdue: false },
  ];
  const today = [{ commissionId: seed.commission.id, today: '2026-11-28' }];
  for (const f of filters) {
    const read = (fews: number[]) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      let i = 0;
      do {
        const page = listTaskRecords(app.db, { ...f, todayByCommission: today }, { limit: 2, cursor }, fews[i++ % fews.length]);
        ids.push(...page.items.map((x) => x.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return ids;
    };
    const fixed = read([1000]);
    const name = Object.keys(f).join('+');
    t.ok(fixed.length > 0, `${name}: ${fixed.length} tasks`);
    t.strictSame(read([1]), fixed, `${name}: every page by the order index`);
    t.strictSame(read([1000, 1]), fixed, `${name}: pages read by one statement then the other`);
    t.strictSame(read([1, 1000, 2]), fixed, `${name}: the other way round`);
  }
});
