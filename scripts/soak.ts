// `npm run test:soak [-- --duration 60 --connections 50 --seed N]`: the real server under mixed load (reads, writes,
// progress reports) with its memory sampled, then SIGTERM under writers; see test/soak-harness.ts. Prints progress
// and the JSON summary; exits 1 when any criterion fails (errors, non-2xx, a lost write, a memory growth trend on
// runs of 30 s or more, an unclean shutdown).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runSoak } from '../test/soak-harness.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '50' },
    seed: { type: 'string' },
  },
});
const durationSeconds = Number(values.duration);
const connections = Number(values.connections);
const seed = values.seed === undefined ? undefined : Number(values.seed);
if (!Number.isInteger(durationSeconds) || durationSeconds < 4 || !Number.isInteger(connections) || connections < 1 || (seed !== undefined && !Number.isInteger(seed))) {
  console.error('usage: npm run test:soak -- [--duration SECONDS (>= 4)] [--connections N] [--seed N]');
  process.exit(2);
}

const dir = await mkdtemp(join(tmpdir(), 'tracker-soak-'));
try {
  const summary = await runSoak({ durationSeconds, connections, seed, databasePath: join(dir, 'tracker.db'), log: (line) => console.log(line) });
  console.log(JSON.stringify(summary, null, 2));
  for (const failure of summary.failures) console.log(`FAILED: ${failure}`);
  if (!summary.trendJudged) console.log(`note: the memory trend is judged on runs of 30 s or more (slope ${summary.slopeMbPerMin} MB/min)`);
  console.log(summary.ok ? 'soak: ok' : 'soak: FAILED');
  process.exitCode = summary.ok ? 0 : 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
