// `npm run test:fuzz`: contract fuzzing from the OpenAPI document (test/fuzz/contract-fuzz.ts) against an
// in-memory app with a seeded world, seeded anew every FUZZ_REFRESH requests (default 500). FUZZ_RUNS (default 10000)
// sets the number of requests, FUZZ_SEED replays a run. Prints the requests, the status histogram, the 2xx answers
// per operation (FUZZ_EXPLAIN=1: why the least reached ones' clean requests were refused) and every violation with its
// exact request; exits 1 on any.
import type { Test } from 'tap';
import { build } from '../test/helper.js';
import { formatResult, runFuzz, seedFuzzWorld } from '../test/fuzz/contract-fuzz.js';

const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
const refreshEvery = Number(process.env.FUZZ_REFRESH ?? 500);
const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const teardowns: (() => unknown)[] = [];
const fakeTest = { teardown: (fn: () => unknown) => teardowns.push(fn) } as unknown as Test;

const app = await build(fakeTest, undefined, { webhookPollMs: 0 });
const world = await seedFuzzWorld(app);
console.log(`fuzzing ${runs} requests, FUZZ_SEED=${seed}`);
const result = await runFuzz(app, world, { runs, seed, refreshEvery });
console.log(formatResult(result));
for (const fn of teardowns) await fn();
process.exit(result.violations.length > 0 ? 1 : 0);
