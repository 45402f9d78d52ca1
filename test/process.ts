// Runs the real server as a child process on 127.0.0.1, for tests that need the process itself:
// start-up and shutdown, logs, crash and backup scenarios, generated clients; and reads a process's memory,
// CPU time and state from /proc (the soak harness and the benchmark).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * node's flags in `npm start` ("exec node <flags> dist/server.js"; exec so that a signal to npm reaches node, see
 * start-signal.test.ts): the servers of the tests and the bench run with them.
 */
export const START_FLAGS: readonly string[] = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((word) => word !== 'exec')
  .slice(1, -1);
export const HOST = '127.0.0.1';

export type LogEntry = Record<string, unknown>;

/** A port nobody listens on right now: the OS picks it, we release it for the server. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function exited(child: ChildProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    const timer = setTimeout(() => reject(new Error(`the server did not exit within ${ms} ms`)), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

export async function waitForHealth(base: string, child: ChildProcess, ms: number): Promise<Response> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/health`);
      if (res.status === 200) return res;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`GET /health did not answer 200 within ${ms} ms`);
}


/**
 * Starts src/server.ts in a child process on a fresh database in a temporary directory, with `extraEnv`
 * (a variable set to undefined is removed), and waits until /health answers. `stop()` sends SIGTERM and
 * returns how the process ended and what it logged.
 */
/** Starts the server with a fresh database in a temp folder (or `databasePath`), waits for /health. */
export async function startServer(t: Test, extraEnv: Record<string, string | undefined>, databasePath?: string) {
  if (databasePath === undefined) {
    const dir = await mkdtemp(join(tmpdir(), 'tracker-server-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    databasePath = join(dir, 'nested', 'tracker.db');
  }
  const port = await freePort();

  // tap wraps spawn to measure coverage in children too; this child's code is compiled by tsx, not by
  // tap, and merging its coverage with the in-process runs garbles the report. So: no coverage here.
  const env: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== 'NODE_OPTIONS' && !/^_?TAP/.test(key)),
  );
  env._TAPJS_PROCESSINFO_COVERAGE_ = '0';
  Object.assign(env, { PORT: String(port), HOST, DATABASE_PATH: databasePath, LOG_LEVEL: 'info' }, extraEnv);
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const child = spawn(process.execPath, [...START_FLAGS, '--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const base = `http://${HOST}:${port}`;
  const health = await waitForHealth(base, child, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  });

  async function stop() {
    child.kill('SIGTERM');
    const { code, signal } = await exited(child, 20_000);
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    const entries: LogEntry[] = lines.map((line) => {
      try {
        return JSON.parse(line) as LogEntry;
      } catch {
        return { unparsable: line };
      }
    });
    return { code, signal, stdout, stderr, lines, entries };
  }

  return { base, health, databasePath, stop, child, port, output: () => stdout };
}

/** mulberry32: a small seeded generator, so a harness run can be repeated by its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RunningServer {
  base: string;
  child: ChildProcess;
  /** What it logged (warnings and errors), up to the first 256 KB. */
  output: () => string;
}

/**
 * Starts src/server.ts on `databasePath` for the harnesses (crash, soak): no rate limit, `token` as the bootstrap
 * secretariat key, warnings only, no coverage; waits until /health answers.
 */
export async function spawnServer(databasePath: string, token: string, healthWaitMs = 60_000): Promise<RunningServer> {
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_OPTIONS' && !/^_?TAP/.test(k)) env[k] = v;
  Object.assign(env, {
    _TAPJS_PROCESSINFO_COVERAGE_: '0',
    PORT: String(port),
    HOST,
    DATABASE_PATH: databasePath,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '0',
    TRACKER_BOOTSTRAP_TOKEN: token,
  });
  const child = spawn(process.execPath, [...START_FLAGS, '--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (c: string) => {
    if (out.length < 256 * 1024) out += c;
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const base = `http://${HOST}:${port}`;
  try {
    await waitForHealth(base, child, healthWaitMs);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return { base, child, output: () => out };
}

/** Resident set size of a process in MB (Linux /proc), or null once it is gone. */
export function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Linux reports CPU time in clock ticks, 100 a second on every usual kernel build. */
export const CLOCK_TICKS = 100;

/** user + system CPU time of a process in clock ticks (/proc/<pid>/stat fields 14 and 15), or null once it is gone. */
export function cpuTicks(pid: number): number | null {
  try {
    return parseProcessStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks;
  } catch {
    return null;
  }
}

/** PF_KTHREAD, in the flags of /proc/<pid>/stat (field 9): the process is a kernel thread. */
const PF_KTHREAD = 0x00200000;

/**
 * The machine's CPU time since boot in clock ticks, from the first line of /proc/stat: `busy` is user, nice, system,
 * interrupt and soft-interrupt time on every CPU (a process's own time includes the loopback traffic it sends, which
 * the machine counts as soft interrupts: measured, the bench's processes took 892 ticks while the machine counted 730
 * without them and 883 with them), and `steal` the time a hypervisor gave this machine's CPUs to other machines.
 */
export function parseMachineStat(text: string): { busy: number; steal: number } {
  const line = text.split('\n', 1)[0] ?? '';
  const [label, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/);
  const numbers = [user, nice, system, irq, softirq, steal].map(Number);
  if (label !== 'cpu' || numbers.some((n) => !Number.isFinite(n))) throw new Error(`not the first line of /proc/stat: ${line}`);
  const [u, n, s, i, si, st] = numbers as [number, number, number, number, number, number];
  return { busy: u + n + s + i + si, steal: st };
}

/** A process in /proc: its parent, its CPU time (user + system, all its threads) in clock ticks, whether a kernel thread. */
export interface ProcessCpu {
  parent: number;
  ticks: number;
  kernel: boolean;
}

/** Reads /proc/<pid>/stat: after the command's closing parenthesis, state, ppid (1), …, flags (6), utime (11), stime (12). */
export function parseProcessStat(text: string): ProcessCpu {
  const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
  const [parent, flags, utime, stime] = [fields[1], fields[6], fields[11], fields[12]].map(Number) as [number, number, number, number];
  if (![parent, flags, utime, stime].every(Number.isFinite)) throw new Error(`not a /proc/<pid>/stat: ${text}`);
  return { parent, ticks: utime + stime, kernel: (flags & PF_KTHREAD) !== 0 };
}

/** The machine's CPU time (parseMachineStat) and every process's it can see, by pid. */
export function machineCpu(): { busy: number; steal: number; processes: Map<number, ProcessCpu> } {
  const processes = new Map<number, ProcessCpu>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      processes.set(Number(entry), parseProcessStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // gone meanwhile
    }
  }
  return { ...parseMachineStat(readFileSync('/proc/stat', 'utf8')), processes };
}

/** What other programs took of the machine while a measurement ran, in cores (1 = one CPU all the time). */
export interface OtherCpu {
  /** User and system time of every process but the measurement's own, their descendants and the kernel's threads. */
  otherCores: number;
  /**
   * The same before it is floored at 0. The machine's time is counted in ticks of 10 ms and each process's exactly, so it
   * is off by up to about a tenth of a core over a few seconds, either way, and more over a fraction of a second: on a
   * quiet machine it reads a little below 0 as often as not (measured: -0.17 to 0.05, and 0.82 to 1.12 beside a
   * one-core busy loop, over runs of 0.04 to 3 s).
   */
  measuredCores: number;
  /** Time the hypervisor gave this machine's CPUs to other machines. */
  stealCores: number;
}

/**
 * Starts a meter of the CPU that programs other than `ownPids` (the measuring process and the servers it loads), their
 * descendants (tsx's esbuild service among them) and the kernel's threads (the disk's write-back and journal work for the
 * service's fsyncs too) take while a measurement runs; calling the result stops it. On a machine whose cores the load
 * generator and the service share, a test run or a build beside the benchmark slows some figures more than others (the
 * report's two threads most), so a run is only comparable when this stayed near zero. Processes are counted by pid,
 * not summed: kernel workers come and go, and one that ended would take its whole life's time out of a sum. A process
 * of ours that ended during the measurement took an unknown part of its time in it, which stays another's; one that
 * started took all of its time in it.
 */
export function otherCpuMeter(
  ownPids: () => readonly number[],
  read: { machine: typeof machineCpu; now: () => number } = { machine: machineCpu, now: () => performance.now() },
): () => OtherCpu {
  const before = { ...read.machine(), at: read.now() };
  return () => {
    const after = { ...read.machine(), at: read.now() };
    const seconds = (after.at - before.at) / 1000;
    if (seconds <= 0) return { otherCores: 0, measuredCores: 0, stealCores: 0 };
    const ours = new Set(ownPids());
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pid, p] of after.processes) {
        if (!ours.has(pid) && ours.has(p.parent)) {
          ours.add(pid);
          grew = true;
        }
      }
    }
    let taken = 0;
    for (const [pid, p] of after.processes) if (p.kernel || ours.has(pid)) taken += p.ticks - (before.processes.get(pid)?.ticks ?? 0);
    const measuredCores = (after.busy - before.busy - taken) / CLOCK_TICKS / seconds;
    return { otherCores: Math.max(0, measuredCores), measuredCores, stealCores: (after.steal - before.steal) / CLOCK_TICKS / seconds };
  };
}

/** The scheduler state letter of a process (R, S, D…), or null once it is gone. */
export function processState(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.charAt(0);
  } catch {
    return null;
  }
}
