// Percentages of one decimal are rounded from their exact value: 50.25 % is 50.3, 28.75 % is 28.8, as the
// descriptions ("in percent, one decimal"; indicators: half away from zero) promise, not float noise below the half.
import t from 'tap';
import { progressPercent } from '../../src/modules/indicators/indicator-progress.js';
import { Groups } from '../../src/modules/reports/progress.groups.js';
import type { ReportTask } from '../../src/modules/reports/progress.schemas.js';

t.test('percentByStatus rounds 201 of 400 tasks (50.25 %) to 50.3 and 199 (49.75 %) to 49.8', async (t) => {
  const groups = new Groups(['BY', 'KZ'], '2026-11-28', new Set());
  const executor = { organizationId: 'o1', name: 'Ministry', shortName: null, country: 'BY', role: 'lead' as const };
  for (let i = 0; i < 400; i++) {
    const task = {
      taskId: `t${i}`, planId: 'p', code: `1.${i}`, title: 'x', area: 'trade', status: i < 201 ? 'in_progress' : 'not_started',
      dueDate: '2027-06-30', originalDueDate: '2027-06-30', overdue: false, daysOverdue: 0, postponementCount: 0, daysMoved: 0,
      completion: null, formOfCompletion: null, expectedResult: null, basis: null, percentComplete: null, confidence: null, executors: [executor],
    } as unknown as ReportTask;
    groups.add(task, [{ taskId: task.taskId, organizationId: 'o1', country: 'BY', confidence: null, missing: false }] as never);
  }
  const { totals } = groups.figures(null);
  t.equal(totals.percentByStatus.in_progress, 50.3, '201 / 400 = 50.25 %');
  t.equal(totals.percentByStatus.not_started, 49.8, '199 / 400 = 49.75 %');
});

t.test("an indicator's progressPercent rounds its exact half away from zero", async (t) => {
  t.equal(progressPercent(0, 80, 23), 28.8, '23 of 80 = 28.75 %');
  t.equal(progressPercent(0, 80, 41), 51.3, '41 of 80 = 51.25 %');
  t.equal(progressPercent(80, 0, 57), 28.8, 'a decreasing target: 80 → 57 of 80 → 0 = 28.75 %');
  t.equal(progressPercent(0, 80, -23), -28.8, 'away from the target: −28.75 %');
  t.equal(progressPercent(30, 10, 20), 50);
  t.equal(progressPercent(0, 3, 1), 33.3);
});
