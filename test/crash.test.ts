// Crash safety, short version of `npm run test:crash`: the real server under 8 idempotent writers, killed with
// SIGKILL 3 times; in-doubt writes retried with their keys, and some acknowledged ones sent again (each must be
// replayed). What is guaranteed is asserted: every write acknowledged on its first attempt or settled by a retry is
// in the file exactly once (a write marks its idempotency claim in its own transaction, so a retry after a kill never
// runs it twice), nothing is invented, integrity_check is ok.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { crashFailures, runCrashCycles } from './crash-harness.js';

t.test('SIGKILL under concurrent idempotent writers loses no acknowledged write and keeps the file intact', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-crash-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const s = await runCrashCycles({ cycles: 3, writers: 8, databasePath: join(dir, 'tracker.db') });
  t.comment(JSON.stringify(s));
  t.ok(s.acknowledged > 0, `writes were acknowledged (${s.acknowledged})`);
  t.ok(s.inDoubt > 0, `kills landed while requests were in flight (${s.inDoubt} in doubt)`);
  t.equal(s.stillInDoubt, 0, 'every in-doubt write was settled by a retry with its key');
  // Not left to chance (a kill between a commit and its answer is rare): acknowledged writes are sent again too.
  t.ok(s.resent > 0, `acknowledged writes were sent again after a restart (${s.resent})`);
  t.equal(s.resentReplayed, s.resent, 'each was replayed with the id of its first answer, not written again');
  t.equal(s.refused, 0, 'no write or retry was refused');
  t.equal(s.integrity, 'ok', 'integrity_check after the last SIGKILL');
  t.equal(s.missing, 0, 'every acknowledged write is present');
  t.equal(s.duplicatesAmongAcknowledged, 0, 'writes acknowledged on the first attempt are present exactly once');
  t.equal(s.duplicatesAmongReplayed, 0, 'writes settled by a replay are present exactly once');
  t.equal(s.duplicatesAmongFreshRetries, 0, 'writes settled by a retry that ran again had not committed before');
  t.equal(s.duplicates, 0, 'no write was executed twice');
  t.equal(s.unexpectedRows, 0, 'no row the writers did not send');
  t.equal(s.mismatched, 0, 'every acknowledged write is stored with the id it was answered with and the fields it sent');
  t.same(crashFailures(s), [], 'the criteria of npm run test:crash');
});
