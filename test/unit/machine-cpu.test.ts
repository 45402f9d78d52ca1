// The benchmark's meter of what other programs take of the machine (test/process.ts), without a real load: the
// /proc readings are given, so the arithmetic is checked exactly; and once against this machine's real /proc.
import t from 'tap';
import { cpuTicks, machineCpu, otherCpuMeter, parseMachineStat, parseProcessStat, type ProcessCpu } from '../process.js';

// guest (the 9th number) is already in user: it must not be counted again.
const STAT = `cpu  1009171 15914 145718 733125 4389 0 16774 921 5000 0
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

t.test('parseProcessStat reads the parent, the CPU time and the kernel-thread flag, whatever the command is called', async (t) => {
  t.same(parseProcessStat('812 (node) S 790 812 790 0 -1 4194560 2451 0 0 0 301 45 0 0 20 0 11 0 1000 0 0'), { parent: 790, ticks: 346, kernel: false });
  t.same(parseProcessStat('77 (kworker/1:2-events) I 2 0 0 0 -1 69238880 0 0 0 0 0 12 0 0 20 0 1 0 9 0 0'), { parent: 2, ticks: 12, kernel: true });
  t.same(parseProcessStat('9 (a) b (c) R 1 9 9 0 -1 4194304 0 0 0 0 7 3 0 0'), { parent: 1, ticks: 10, kernel: false }, 'a name with ") " in it');
  t.throws(() => parseProcessStat('9 (short) R 1'), /not a \/proc/);
});

t.test('machineCpu reads this machine: totals only grow, and this process is listed as it is', async (t) => {
  const first = machineCpu();
  const second = machineCpu();
  t.ok(second.busy >= first.busy && second.steal >= first.steal);
  const self = second.processes.get(process.pid);
  t.equal(self?.parent, process.ppid);
  t.equal(self?.kernel, false, 'no kernel thread');
  t.ok((self?.ticks ?? -1) >= (first.processes.get(process.pid)?.ticks ?? Infinity), 'its time only grows');
  t.equal(cpuTicks(process.pid) !== null, true);
});

const proc = (parent: number, ticks: number, kernel = false): ProcessCpu => ({ parent, ticks, kernel });

/** A meter of own pids 10 and 11 over two given readings of the machine, `seconds` apart. */
function meterOver(
  machine: [before: { busy: number; steal: number; processes: Record<number, ProcessCpu> }, after: { busy: number; steal: number; processes: Record<number, ProcessCpu> }],
  seconds: number,
) {
  let reads = 0;
  const read = {
    machine: () => {
      const snapshot = machine[reads++]!;
      return { busy: snapshot.busy, steal: snapshot.steal, processes: new Map(Object.entries(snapshot.processes).map(([pid, p]) => [Number(pid), p])) };
    },
    now: () => (reads === 1 ? 0 : seconds * 1000),
  };
  return otherCpuMeter(() => [10, 11], read)();
}

t.test('otherCpuMeter: what the machine spent, less ours, our descendants and the kernel threads', async (t) => {
  // 10 s; the machine spent 1,600 ticks: ours 800 + 300, 12 (a child of 11) 100, kernel threads 100, 40 another
  // program's 300 ticks: 0.3 of a core.
  const other = meterOver(
    [
      { busy: 10_000, steal: 50, processes: { 2: proc(0, 5, true), 30: proc(2, 100, true), 10: proc(1, 1_000), 11: proc(10, 2_000), 12: proc(11, 10), 40: proc(1, 0) } },
      { busy: 11_600, steal: 150, processes: { 2: proc(0, 5, true), 30: proc(2, 200, true), 10: proc(1, 1_800), 11: proc(10, 2_300), 12: proc(11, 110), 40: proc(1, 300) } },
    ],
    10,
  );
  t.equal(other.otherCores.toFixed(3), '0.300');
  t.equal(other.measuredCores.toFixed(3), '0.300');
  t.equal(other.stealCores.toFixed(3), '0.100', 'steal: 100 ticks in 10 s');
});

t.test('otherCpuMeter: a kernel thread that ended is not counted as time taken by others, nor a new one', async (t) => {
  // Worker 31 ended with 5,000 ticks of its life: a plain sum of kernel time would have dropped by them and put 50
  // s of CPU on other programs. Worker 32 appeared and took 100 ticks; 13, a new child of ours, 50.
  const other = meterOver(
    [
      { busy: 10_000, steal: 0, processes: { 2: proc(0, 5, true), 31: proc(2, 5_000, true), 10: proc(1, 0), 11: proc(1, 0) } },
      { busy: 10_350, steal: 0, processes: { 2: proc(0, 5, true), 32: proc(2, 100, true), 10: proc(1, 200), 11: proc(1, 0), 13: proc(10, 50) } },
    ],
    10,
  );
  t.equal(other.otherCores, 0, '350 ticks: 250 ours, 100 the new worker');
});

t.test('otherCpuMeter: a quiet machine reads zero, never less; the time of a process of ours that ended stays another’s', async (t) => {
  // Ticks are read at 100 Hz: ours may seem to have spent more than the machine saw.
  const quiet = meterOver(
    [
      { busy: 10_000, steal: 0, processes: { 10: proc(1, 0), 11: proc(1, 50) } },
      { busy: 10_100, steal: 0, processes: { 10: proc(1, 51), 11: proc(1, 100) } },
    ],
    5,
  );
  t.equal(quiet.otherCores, 0);
  t.equal(quiet.measuredCores.toFixed(3), '-0.002', 'the reading itself is kept');
  t.equal(quiet.stealCores, 0);
  const ended = meterOver(
    [
      { busy: 10_000, steal: 0, processes: { 10: proc(1, 0), 11: proc(1, 50) } },
      { busy: 10_100, steal: 0, processes: { 10: proc(1, 60) } },
    ],
    5,
  );
  t.equal(ended.otherCores.toFixed(2), '0.08', 'what 11 took before it ended is not known: 40 ticks in 5 s');
  t.same(
    meterOver(
      [
        { busy: 1, steal: 1, processes: {} },
        { busy: 9, steal: 9, processes: {} },
      ],
      0,
    ),
    { otherCores: 0, measuredCores: 0, stealCores: 0 },
    'no time passed',
  );
});
