// Reporting periods: bounds, containing period, deadlines and the latest period already due.
import t from 'tap';
import { frequencyOf, lastDuePeriod, periodBounds, periodOf, periodsBetween, previousPeriod, submissionDeadline } from '../../src/lib/periods.js';

t.test('bounds of quarters and months, leap years included', async (t) => {
  t.strictSame(periodBounds('2026-Q4'), { start: '2026-10-01', end: '2026-12-31' });
  t.strictSame(periodBounds('2026-Q1'), { start: '2026-01-01', end: '2026-03-31' });
  t.strictSame(periodBounds('2028-02'), { start: '2028-02-01', end: '2028-02-29' });
  t.strictSame(periodBounds('2026-02'), { start: '2026-02-01', end: '2026-02-28' });
  t.throws(() => periodBounds('2026-Q5'));
  t.throws(() => periodBounds('2026-13'));
  t.equal(frequencyOf('2026-Q2'), 'quarterly');
  t.equal(frequencyOf('2026-06'), 'monthly');
  t.equal(frequencyOf('2026-6'), null);
});

t.test('the period of a date, the one before, and the ones between two dates', async (t) => {
  t.equal(periodOf('2026-11-28', 'quarterly'), '2026-Q4');
  t.equal(periodOf('2026-11-28', 'monthly'), '2026-11');
  t.equal(previousPeriod('2026-Q1'), '2025-Q4');
  t.equal(previousPeriod('2026-01'), '2025-12');
  t.strictSame(periodsBetween('2026-05-01', '2027-01-15', 'quarterly'), ['2026-Q2', '2026-Q3', '2026-Q4', '2027-Q1']);
  t.strictSame(periodsBetween('2026-11-30', '2027-01-01', 'monthly'), ['2026-11', '2026-12', '2027-01']);
});

t.test('deadlines, and the latest period already due', async (t) => {
  t.equal(submissionDeadline('2026-Q3', 10), '2026-10-10');
  t.equal(lastDuePeriod('2026-11-28', 'quarterly', 10, '2026-01-01', '2027-12-31'), '2026-Q3');
  t.equal(lastDuePeriod('2026-10-10', 'quarterly', 10, '2026-01-01', '2027-12-31'), '2026-Q2', 'due on the 10th: late only from the 11th');
  t.equal(lastDuePeriod('2026-10-11', 'quarterly', 10, '2026-01-01', '2027-12-31'), '2026-Q3');
  t.equal(lastDuePeriod('2026-11-28', 'monthly', 10, '2026-01-01', '2027-12-31'), '2026-10');
  t.equal(lastDuePeriod('2026-11-28', 'quarterly', 10, '2026-10-01', '2027-12-31'), null, 'the plan started in Q4: nothing due yet');
  t.equal(lastDuePeriod('2027-05-01', 'quarterly', 10, '2026-01-01', '2026-12-31'), '2026-Q4', 'after the plan: its last period');
  t.equal(lastDuePeriod('2027-01-10', 'quarterly', 10, '2026-01-01', '2026-12-31'), '2026-Q3', 'its last period is due on the 10th');
  t.equal(lastDuePeriod('2027-05-01', 'monthly', 0, '2026-01-01', '2026-11-15'), '2026-11', 'a plan ending mid-month: that month');
});
