// `npm run test:crash [-- --cycles 20 --writers 8 --seed N --no-abandon]`: the real server under concurrent
// idempotent writers, killed with SIGKILL at random moments; see test/crash-harness.ts. Exits 1 on any criterion of
// test/crash.test.ts (crashFailures): an acknowledged write missing or duplicated, a row invented, a write refused,
// an acknowledged write sent again after a restart not replayed, integrity_check not ok, or a run that proved
// nothing (no write acknowledged, none in doubt, none sent again).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { crashFailures, runCrashCycles } from '../test/crash-harness.js';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '20' },
    writers: { type: 'string', default: '8' },
    seed: { type: 'string' },
    'no-abandon': { type: 'boolean', default: false },
  },
});
const cycles = Number(values.cycles);
const writers = Number(values.writers);
if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(writers) || writers < 1) {
  console.error('usage: npm run test:crash -- [--cycles N] [--writers N] [--seed N] [--no-abandon]');
  process.exit(2);
}

const dir = await mkdtemp(join(tmpdir(), 'tracker-crash-'));
try {
  const summary = await runCrashCycles({
    cycles,
    writers,
    databasePath: join(dir, 'tracker.db'),
    seed: values.seed === undefined ? undefined : Number(values.seed),
    simulateAbandonment: !values['no-abandon'],
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify(summary, null, 2));
  // Any name present twice is a write executed twice: acknowledged, replayed or settled by a fresh retry alike.
  const failures = crashFailures(summary);
  for (const failure of failures) console.log(`FAILED: ${failure}`);
  const failed = failures.length > 0;
  console.log(failed ? 'crash safety: FAILED' : 'crash safety: ok');
  process.exitCode = failed ? 1 : 0;
} finally {
  await rm(dir, { recursive: true, force: true });
}
