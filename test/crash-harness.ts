// Crash safety harness (issue 6): the real server under concurrent idempotent writers, killed with SIGKILL at
// random moments, restarted on the same file; every in-doubt write is retried with its own Idempotency-Key and
// body, and a few writes acknowledged before the kill are sent again (a client that lost its answer), to be replayed.
// At the end the database file is checked: every acknowledged write exactly once, integrity_check ok.
// Used by `npm run test:crash` (scripts/crash.ts, 20+ cycles) and test/crash.test.ts (a short run).
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { exited, prng, spawnServer, type RunningServer } from './process.js';

export const CRASH_TOKEN = 'crash-test-bootstrap-token-0123456789abcdef';
const HEADERS = { authorization: `Bearer ${CRASH_TOKEN}`, 'content-type': 'application/json' };
/** The server counts a pending claim younger than this as "in progress" (src/plugins/idempotency.ts). */
const ABANDONED_AFTER_MS = 5 * 60 * 1000;

type Outcome =
  | 'acknowledged' // 201 on the first attempt
  | 'in-doubt' // sent, no answer (the server was killed), not resolved yet
  | 'replayed' // in doubt, then a retry got the stored first response (Idempotent-Replayed: true)
  | 'fresh' // in doubt, then a retry ran the handler again (the claim was absent or taken over)
  | 'refused'; // a non-2xx answer

interface Write {
  name: string;
  key: string;
  body: string;
  cycle: number;
  outcome: Outcome;
  status?: number;
  /** The first attempt got no answer. */
  wasInDoubt?: boolean;
  /** A retry met 409: the killed process left this write's claim pending. */
  met409?: boolean;
  /** The id its 201 named. */
  id?: string;
}

export interface CrashOptions {
  cycles: number;
  writers: number;
  databasePath: string;
  /** Kill this long after the writers start: [min, max] ms, uniformly. */
  killDelayMs?: [number, number];
  /**
   * After a retry pass that met 409 "in progress" (claims left pending by a killed process), age those claims
   * past the server's 5-minute abandonment in the database, as if the operator had waited, and retry again.
   * Without it such writes stay in doubt (the harness cannot wait 5 minutes per cycle). The server records a key
   * only together with its write since 2026-11-28 and leaves no pending claim; a file of an earlier version can.
   */
  simulateAbandonment?: boolean;
  seed?: number;
  log?: (line: string) => void;
  /**
   * After each restart, send again this many writes acknowledged before the kill (default 4), with their keys and
   * bodies, as a client that lost the answer would: each must be replayed (same id, nothing written again).
   */
  resendAcknowledged?: number;
}

export interface CrashSummary {
  cycles: number;
  writers: number;
  sent: number;
  acknowledged: number;
  inDoubt: number;
  replayed: number;
  fresh: number;
  refused: number;
  /** Acknowledged writes sent again after a restart, and of those, the ones replayed with the id of their first answer. */
  resent: number;
  resentReplayed: number;
  /** 409 answers met by retries of in-doubt writes (pending claims left by the kill). */
  inProgress409: number;
  /** In-doubt writes still unresolved at the end (stuck behind a pending claim). */
  stillInDoubt: number;
  /** Acknowledged (first try or by a retry) writes with no row. */
  missing: number;
  /** Names present more than once, all writes. */
  duplicates: number;
  /** Of which acknowledged on the first try (never retried). */
  duplicatesAmongAcknowledged: number;
  /** Of which in doubt and acknowledged only by a fresh (non-replayed) retry: must be 0 (the claim is marked with the write). */
  duplicatesAmongFreshRetries: number;
  /** Of which in doubt and acknowledged by a replay of the stored response. */
  duplicatesAmongReplayed: number;
  /** In-doubt writes whose claim was left pending (409), and of those, how many had committed (now twice). */
  pendingClaims: number;
  pendingClaimsCommitted: number;
  /** Of stillInDoubt, how many had in fact committed (their row is there). */
  stillInDoubtCommitted: number;
  /** Rows the harness never sent, or refused writes that left a row. */
  unexpectedRows: number;
  /** Acknowledged writes (first try or by a retry) whose row is not the one answered: another id, kind or country. */
  mismatched: number;
  integrity: string;
  refusedStatuses: Record<string, number>;
}

const start = (databasePath: string) => spawnServer(databasePath, CRASH_TOKEN);

async function kill(server: RunningServer) {
  server.child.kill('SIGKILL');
  const { signal } = await exited(server.child, 10_000);
  if (signal !== 'SIGKILL') throw new Error(`the server ended with ${signal ?? 'no signal'} instead of SIGKILL:\n${server.output()}`);
}

function post(base: string, w: Write) {
  return fetch(`${base}/v1/organizations`, { method: 'POST', headers: { ...HEADERS, 'idempotency-key': w.key }, body: w.body });
}

export async function runCrashCycles(options: CrashOptions): Promise<CrashSummary> {
  const { cycles, writers, databasePath, killDelayMs = [50, 500], simulateAbandonment = true, resendAcknowledged = 4 } = options;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = prng(seed);
  const log = options.log ?? (() => {});
  log(`crash: ${cycles} cycles, ${writers} writers, seed ${seed}, database ${databasePath}`);

  const writes: Write[] = [];
  let inProgress409 = 0;
  let resent = 0;
  let resentReplayed = 0;
  const refusedStatuses: Record<string, number> = {};

  /** Retries every in-doubt write once with its key and body; returns how many met 409. */
  async function retryPass(base: string): Promise<number> {
    const pending = writes.filter((w) => w.outcome === 'in-doubt');
    let conflicts = 0;
    await Promise.all(
      pending.map(async (w) => {
        const res = await post(base, w);
        const text = await res.text();
        if (res.status === 201) {
          w.outcome = res.headers.get('idempotent-replayed') === 'true' ? 'replayed' : 'fresh';
          w.id = (JSON.parse(text) as { id: string }).id;
        }
        else if (res.status === 409) {
          conflicts++;
          w.met409 = true;
        }
        else {
          w.outcome = 'refused';
          w.status = res.status;
        }
      }),
    );
    return conflicts;
  }

  /** Sends again some writes of the last cycle that were acknowledged, as if their answers had been lost. */
  async function resendSome(base: string, cycle: number) {
    const candidates = writes.filter((w) => w.cycle === cycle - 1 && w.outcome === 'acknowledged');
    const chosen = new Set<Write>();
    while (chosen.size < Math.min(resendAcknowledged, candidates.length)) chosen.add(candidates[Math.floor(random() * candidates.length)] as Write);
    for (const w of chosen) {
      resent++;
      const res = await post(base, w);
      const body = (await res.json().catch(() => null)) as { id?: string } | null;
      if (res.status === 201 && res.headers.get('idempotent-replayed') === 'true' && body?.id === w.id) resentReplayed++;
      else log(`  cycle ${cycle}: acknowledged write ${w.name} sent again answered ${res.status}, replayed ${res.headers.get('idempotent-replayed')}, id ${body?.id} (first ${w.id})`);
    }
  }

  async function resolveInDoubt(server: RunningServer, cycle: number) {
    const before = writes.filter((w) => w.outcome === 'in-doubt').length;
    if (before === 0) return;
    const conflicts = await retryPass(server.base);
    inProgress409 += conflicts;
    if (conflicts > 0 && simulateAbandonment) {
      // "Wait" 5 minutes: move the pending claims' creation time back, in the live file (WAL: a second connection is fine).
      const db = new Database(databasePath);
      db.pragma('busy_timeout = 5000');
      const old = new Date(Date.now() - ABANDONED_AFTER_MS - 60_000).toISOString();
      db.prepare("UPDATE idempotency_keys SET created_at = ? WHERE state = 'pending'").run(old);
      db.close();
      await retryPass(server.base);
    }
    const after = writes.filter((w) => w.outcome === 'in-doubt').length;
    log(`  cycle ${cycle}: retried ${before} in-doubt writes, ${conflicts} answered 409 in progress, ${after} still in doubt`);
  }

  for (let cycle = 1; cycle <= cycles + 1; cycle++) {
    const server = await start(databasePath);
    try {
      await resolveInDoubt(server, cycle);
      await resendSome(server.base, cycle);
      if (cycle > cycles) break; // the last start only resolves what the last kill left in doubt
      let killed = false;
      let serial = 0;
      const writer = async (id: number) => {
        while (!killed) {
          const name = `crash c${cycle} w${id} #${serial++}`;
          const w: Write = { name, key: randomUUID(), body: JSON.stringify({ name, kind: 'enterprise', country: 'BY' }), cycle, outcome: 'in-doubt' };
          writes.push(w);
          try {
            const res = await post(server.base, w);
            const text = await res.text();
            if (res.status === 201) {
              w.outcome = 'acknowledged';
              w.id = (JSON.parse(text) as { id: string }).id;
            } else {
              w.outcome = 'refused';
              w.status = res.status;
            }
          } catch {
            w.wasInDoubt = true;
            // No answer: the write may or may not have happened. It stays in doubt until a retry settles it.
          }
        }
      };
      const running = Array.from({ length: writers }, (_, i) => writer(i));
      const [lo, hi] = killDelayMs;
      await new Promise((r) => setTimeout(r, lo + random() * (hi - lo)));
      killed = true; // writers start nothing new: only requests in flight at the kill are in doubt
      await kill(server);
      await Promise.all(running);
      const inCycle = writes.filter((w) => w.cycle === cycle);
      log(`cycle ${cycle}: sent ${inCycle.length}, acknowledged ${inCycle.filter((w) => w.outcome === 'acknowledged').length}, in doubt ${inCycle.filter((w) => w.outcome === 'in-doubt').length}`);
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) await kill(server);
    }
  }

  // The file as the last SIGKILL left it.
  const db = new Database(databasePath, { readonly: true });
  const integrity = String(db.pragma('integrity_check', { simple: true }));
  const rows = db.prepare("SELECT name, count(*) AS n FROM organizations WHERE name LIKE 'crash %' GROUP BY name").all() as { name: string; n: number }[];
  const stored = db.prepare("SELECT id, name, kind, country FROM organizations WHERE name LIKE 'crash %'").all() as { id: string; name: string; kind: string; country: string }[];
  db.close();
  const count = new Map(rows.map((r) => [r.name, r.n]));
  const rowOf = new Map(stored.map((r) => [r.name, r]));

  const by = (o: Outcome) => writes.filter((w) => w.outcome === o);
  const sentNames = new Set(writes.map((w) => w.name));
  let missing = 0;
  let unexpectedRows = rows.filter((r) => !sentNames.has(r.name)).length;
  let mismatched = 0;
  for (const w of writes) {
    const n = count.get(w.name) ?? 0;
    if ((w.outcome === 'acknowledged' || w.outcome === 'replayed' || w.outcome === 'fresh') && n === 0) missing++;
    // Present is not enough: the row must be the write that was answered (its id) with what was sent.
    if ((w.outcome === 'acknowledged' || w.outcome === 'replayed' || w.outcome === 'fresh') && n === 1) {
      const row = rowOf.get(w.name)!;
      const sent = JSON.parse(w.body) as { kind: string; country: string };
      if (row.id !== w.id || row.kind !== sent.kind || row.country !== sent.country) mismatched++;
    }
    if (w.outcome === 'refused') {
      refusedStatuses[String(w.status)] = (refusedStatuses[String(w.status)] ?? 0) + 1;
      if (n > 0) unexpectedRows++;
    }
  }
  const dup = (o: Outcome) => by(o).filter((w) => (count.get(w.name) ?? 0) > 1).length;
  return {
    cycles,
    writers,
    sent: writes.length,
    acknowledged: by('acknowledged').length,
    inDoubt: writes.filter((w) => w.wasInDoubt).length,
    replayed: by('replayed').length,
    fresh: by('fresh').length,
    refused: by('refused').length,
    resent,
    resentReplayed,
    inProgress409,
    stillInDoubt: by('in-doubt').length,
    missing,
    duplicates: rows.filter((r) => r.n > 1).length,
    duplicatesAmongAcknowledged: dup('acknowledged'),
    duplicatesAmongFreshRetries: dup('fresh'),
    duplicatesAmongReplayed: dup('replayed'),
    pendingClaims: writes.filter((w) => w.met409).length,
    pendingClaimsCommitted: writes.filter((w) => w.met409 && (count.get(w.name) ?? 0) > 1).length,
    stillInDoubtCommitted: by('in-doubt').filter((w) => (count.get(w.name) ?? 0) > 0).length,
    unexpectedRows,
    mismatched,
    integrity,
    refusedStatuses,
  };
}

/**
 * The criteria of test/crash.test.ts, as messages (empty when the run passed), so `npm run test:crash` judges the
 * long run by the same ones: a run where nothing was acknowledged, no kill landed in flight, or writes were refused
 * proves nothing about the writes it claims to check.
 */
export function crashFailures(s: CrashSummary): string[] {
  const f: string[] = [];
  if (s.acknowledged === 0) f.push('no write was acknowledged');
  if (s.inDoubt === 0) f.push('no kill landed while a request was in flight (nothing was in doubt)');
  if (s.resent === 0) f.push('no acknowledged write was sent again after a restart');
  if (s.resentReplayed !== s.resent) f.push(`${s.resent - s.resentReplayed} of ${s.resent} acknowledged writes sent again were not replayed with their first id`);
  if (s.refused > 0) f.push(`${s.refused} writes or retries were refused: ${JSON.stringify(s.refusedStatuses)}`);
  if (s.stillInDoubt > 0) f.push(`${s.stillInDoubt} in-doubt writes were never settled by a retry`);
  if (s.missing > 0) f.push(`${s.missing} acknowledged writes are missing`);
  if (s.duplicates > 0) f.push(`${s.duplicates} writes are present more than once`);
  if (s.unexpectedRows > 0) f.push(`${s.unexpectedRows} rows were not sent, or were refused`);
  if (s.mismatched > 0) f.push(`${s.mismatched} acknowledged writes are stored with another id or other fields than answered`);
  if (s.integrity !== 'ok') f.push(`integrity_check: ${s.integrity}`);
  return f;
}
