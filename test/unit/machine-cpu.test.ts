// The benchmark's meter of what other programs take of the machine (test/process.ts), without a real load: the
// /proc readings are given, so the arithmetic is checked exactly; and once against this machine's real /proc.
import t from 'tap';
import { machineCpu, otherCpuMeter, parseMachineStat } from '../process.js';

const STAT = `cpu  1009171 15914 145718 733125 4389 0 16774 921 0 0
cpu0 478280 8934 67920 399010 384 0 7617 453 0 0
cpu1 530891 6980 77798 334114 4005 0 9157 468 0 0
intr 123 0
`;

t.test('parseMachineStat reads user, nice, system, irq and softirq as busy, and steal, from the first line only', async (t) => {
  t.same(parseMachineStat(STAT), { busy: 1009171 + 15914 + 145718 + 0 + 16774, steal: 921 });
  t.throws(() => parseMachineStat('cpu0 1 2 3 4 5 6 7 8 9 10\n'), /not the first line/, 'a per-CPU line is not the total');
  t.throws(() => parseMachineStat('cpu  1 2\n'), /not the first line/, 'a line without steal');
  t.throws(() => parseMachineStat(''), /not the first line/);
});

t.test('machineCpu reads this machine: totals only grow, and kernel threads are listed by pid', async (t) => {
  const first = machineCpu();
  const second = machineCpu();
  t.ok(second.busy >= first.busy && second.steal >= first.steal);
  t.ok(first.kernelThreads.size > 0, 'Linux always has kernel threads (kthreadd, pid 2)');
  t.ok(first.kernelThreads.has(2));
});

/** A meter over given readings: `machine` and `own` are the successive snapshots, `seconds` apart. */
function meterOver(
  machine: { busy: number; steal: number; kernelThreads: Record<number, number> }[],
  own: Record<number, number | null>[],
  seconds: number,
) {
  let m = 0;
  let o = 0;
  const read = {
    machine: () => {
      const snapshot = machine[m++]!;
      return { busy: snapshot.busy, steal: snapshot.steal, kernelThreads: new Map(Object.entries(snapshot.kernelThreads).map(([pid, ticks]) => [Number(pid), ticks])) };
    },
    ticks: (pid: number) => {
      const ticks = own[Math.floor(o++ / 2)]![pid];
      return ticks === undefined ? null : ticks;
    },
    now: () => (m === 1 ? 0 : seconds * 1000),
  };
  return otherCpuMeter(() => [10, 11], read)();
}

t.test('otherCpuMeter: what the machine spent, less ours and the kernel threads', async (t) => {
  // 10 s; the machine spent 1,500 ticks; ours 800 + 300, kernel threads 100: others 300 ticks = 0.3 of a core.
  const other = meterOver(
    [
      { busy: 10_000, steal: 50, kernelThreads: { 2: 5, 30: 100 } },
      { busy: 11_500, steal: 150, kernelThreads: { 2: 5, 30: 200 } },
    ],
    [
      { 10: 1_000, 11: 2_000 },
      { 10: 1_800, 11: 2_300 },
    ],
    10,
  );
  t.equal(other.otherCores.toFixed(3), '0.300');
  t.equal(other.stealCores.toFixed(3), '0.100', 'steal: 100 ticks in 10 s');
});

t.test('otherCpuMeter: a kernel thread that ended is not counted as time taken by others', async (t) => {
  // Worker 31 ended with 5,000 ticks of its life: a plain sum of kernel time would have dropped by them and put 50
  // s of CPU on other programs. Worker 32 appeared and took 100 ticks.
  const other = meterOver(
    [
      { busy: 10_000, steal: 0, kernelThreads: { 2: 5, 31: 5_000 } },
      { busy: 10_300, steal: 0, kernelThreads: { 2: 5, 32: 100 } },
    ],
    [
      { 10: 0, 11: 0 },
      { 10: 200, 11: 0 },
    ],
    10,
  );
  t.equal(other.otherCores, 0, '300 ticks: 200 ours, 100 the new worker');
});

t.test('otherCpuMeter: a quiet machine reads zero, never less; the time of a process of ours that ended stays another’s', async (t) => {
  const quiet = meterOver(
    [
      { busy: 10_000, steal: 0, kernelThreads: {} },
      { busy: 10_100, steal: 0, kernelThreads: {} },
    ],
    // Ticks are read at 100 Hz: ours may seem to have spent a tick more than the machine saw.
    [
      { 10: 0, 11: 50 },
      { 10: 51, 11: 100 },
    ],
    5,
  );
  t.equal(quiet.otherCores, 0);
  t.equal(quiet.stealCores, 0);
  const ended = meterOver(
    [
      { busy: 10_000, steal: 0, kernelThreads: {} },
      { busy: 10_100, steal: 0, kernelThreads: {} },
    ],
    [
      { 10: 0, 11: 50 },
      { 10: 60, 11: null },
    ],
    5,
  );
  t.equal(ended.otherCores.toFixed(2), '0.08', 'what 11 took before it ended is not known: 40 ticks in 5 s');
  t.same(meterOver([{ busy: 1, steal: 1, kernelThreads: {} }, { busy: 9, steal: 9, kernelThreads: {} }], [{}, {}], 0), { otherCores: 0, stealCores: 0 }, 'no time passed');
});
