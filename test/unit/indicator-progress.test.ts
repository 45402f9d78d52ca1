// Indicator progress without HTTP: percent of the way from baseline to target, and the latest ended period's value.
import t from 'tap';
import { latestValue, progressPercent } from '../../src/modules/indicators/indicator-progress.js';

t.test('progressPercent measures the way from baseline to target, rounded to one decimal', async (t) => {
  t.equal(progressPercent(0, 100, 0), 0, 'at the baseline');
  t.equal(progressPercent(0, 100, 100), 100, 'on target');
  t.equal(progressPercent(100, 300, 150), 25);
  t.equal(progressPercent(0, 3, 1), 33.3, 'one decimal');
  t.equal(progressPercent(0, 3, 2), 66.7, 'rounds up from .x5 and above');
  t.equal(progressPercent(0, 100, 130), 130, 'beyond the target: above 100');
  t.equal(progressPercent(50, 100, 40), -20, 'gone the wrong way: negative');
  t.equal(progressPercent(1.5, 2.5, 1.8), 30, 'fractional values');
});

t.test('progressPercent works the same for decreasing targets', async (t) => {
  t.equal(progressPercent(30, 10, 20), 50, 'baseline 30, target 10, actual 20');
  t.equal(progressPercent(30, 10, 10), 100);
  t.equal(progressPercent(30, 10, 5), 125, 'below the target is beyond it');
  t.equal(progressPercent(30, 10, 35), -25, 'rising when it should fall is negative');
  t.equal(progressPercent(-5, -15, -8), 30, 'negative numbers');
});

t.test('progressPercent rounds halves away from zero and never answers -0', async (t) => {
  t.equal(progressPercent(0, 8, 0.1), 1.3, '1.25 → 1.3');
  t.equal(progressPercent(0, 8, -0.1), -1.3, '-1.25 → -1.3, like its positive twin');
  t.ok(Object.is(progressPercent(0, 100, 0.01), 0), '0.01 % rounds to 0');
  t.ok(Object.is(progressPercent(0, 100, -0.01), 0), '-0.01 % rounds to 0, not -0');
});

t.test('progressPercent is null without an actual value', async (t) => {
  t.equal(progressPercent(0, 100, null), null);
  t.equal(progressPercent(30, 10, null), null);
});

t.test('latestValue takes the latest period that has ended on the date', async (t) => {
  const quarters = [
    { period: '2026-Q2', value: 10 },
    { period: '2026-Q4', value: 30 },
    { period: '2026-Q3', value: 20 },
  ];
  t.same(latestValue(quarters, '2027-01-15'), { period: '2026-Q4', value: 30 }, 'all ended: the latest, whatever the input order');
  t.same(latestValue(quarters, '2026-12-31'), { period: '2026-Q4', value: 30 }, 'a period counts from its last day');
  t.same(latestValue(quarters, '2026-12-30'), { period: '2026-Q3', value: 20 }, 'a running quarter does not count yet');
  t.same(latestValue(quarters, '2026-09-30'), { period: '2026-Q3', value: 20 });
  t.same(latestValue(quarters, '2026-06-30'), { period: '2026-Q2', value: 10 });
  t.equal(latestValue(quarters, '2026-06-29'), null, 'nothing ended yet');
  t.equal(latestValue([], '2030-01-01'), null, 'no values');
});

t.test('latestValue works with monthly periods, across year ends and leap days', async (t) => {
  const months = [
    { period: '2027-01', value: 7 },
    { period: '2026-12', value: 6 },
    { period: '2028-02', value: 9 },
  ];
  t.same(latestValue(months, '2027-01-31'), { period: '2027-01', value: 7 });
  t.same(latestValue(months, '2027-01-30'), { period: '2026-12', value: 6 });
  t.same(latestValue(months, '2028-02-28'), { period: '2027-01', value: 7 }, '2028 is a leap year: February ends on the 29th');
  t.same(latestValue(months, '2028-02-29'), { period: '2028-02', value: 9 });
});

t.test('latestValue returns only the period and the value', async (t) => {
  const values = [{ period: '2026-Q4', value: 1.5, note: 'preliminary', recordedAt: '2027-01-10T00:00:00.000Z' }];
  t.same(latestValue(values, '2027-01-10'), { period: '2026-Q4', value: 1.5 });
  t.strictSame(Object.keys(latestValue(values, '2027-01-10') ?? {}), ['period', 'value']);
});
