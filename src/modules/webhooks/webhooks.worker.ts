// The delivery worker inside the service: claims due deliveries from the outbox, signs and POSTs them, records each
// attempt (webhooks.outcome.ts: retried on the schedule of webhooks.retry.ts, or failed, a subscription that keeps
// failing disabled), runs the daily overdue and missing-report scans and prunes the log. One per process; claims make it
// safe beside another process on the same database.
import type { FastifyBaseLogger } from 'fastify';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { writeTransaction, type Schema } from '../../db/connection.js';
import { committed } from '../../db/group-commit.js';
import { missingCandidates, missingLookKey, overdueCandidates, raiseMissingSlice, raiseOverdueSlice } from './webhooks.scans.js';
import { retainedFrom } from './webhooks.replay.js';
import { recordAttempt, unwantedBy } from './webhooks.outcome.js';
import * as outbox from './webhooks.outbox-repository.js';
import * as repo from './webhooks.repository.js';
import { sendAttempt, type AttemptResult } from './webhooks.sender.js';
import { signedHeaders } from './webhooks.signing.js';
import { checkTarget, RefusedUrlError, type Resolver } from './webhooks.url-guard.js';

export interface WebhookSettings {
  allowPrivate: boolean;
  timeoutMs: number;
  /** 0: no loop; deliveries go out only through runOnce (tests). */
  pollMs: number;
  maxAttempts: number;
  /** The first retry waits about this long; each further one twice as long, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Days an ended delivery stays in the log (WEBHOOK_LOG_DAYS); 0 keeps them all. */
  logDays: number;
  /** Overdue tasks looked at per transaction of the overdue scan (OVERDUE_SLICE unless given; tests make it small). */
  overdueSlice?: number;
  /** Tasks looked at per transaction of the look for missing reports (MISSING_SLICE unless given; tests make it small). */
  missingSlice?: number;
}

/** Deliveries attempted at once. */
const CONCURRENCY = 4;
/**
 * While attempts run, due deliveries are looked for again at least this often (or every poll, when shorter): an event
 * raised meanwhile for another subscription goes out at once, not when a slow receiver's attempt ends (up to
 * WEBHOOK_TIMEOUT_MS, 60 s at most) — a run with attempts in flight is the only one, the loop's next waits for it.
 */
const RECHECK_MS = 1_000;
/**
 * Deliveries attempted in one run at most; the next run (one poll later) goes on. Keeps the list of deliveries a run
 * has seen, which every claim excludes, short after a long outage, and lets the overdue scan come round.
 */
const ATTEMPTS_PER_RUN = 500;
/**
 * The overdue scan walks this many tasks a turn (by id: overdueCandidates), raising the overdue ones among them in a
 * transaction, and lets the event loop turn between pages: 47,620 overdue tasks in one transaction held the service 7 s
 * when first raised, and 1.5 s on every scan after; read at once before they were sliced, 140 ms on every scan. On the
 * 100,000-task bench plan (47,620 overdue) a page of 1,000 reads in 1.4 ms (median) and raises in 28 ms (77 at most)
 * when first raised, 3.4 ms on a later scan (10 at most); the scans take 3.4 s and 0.6 s in all. Pages of 200 held the
 * loop 9 ms (64 at most) but made a scan 500 transactions, once a minute.
 */
const OVERDUE_SLICE = 1_000;
/**
 * The look for missing reports goes through this many tasks of a plan per transaction, the event loop turning between
 * them. A slice costs in proportion to its size (keyset bounds, ranged reads): on 100,000 tasks about 100 µs a task in
 * the first look after a deadline (two events raised a task) and 30 µs in a later one. In one run of
 * scripts/measure-missing-scan.ts, slices of 1,000 held the loop 94 ms and 27 ms (median), of 500 42 and 14, of 200
 * 17 and 6, the looks taking 9.6 s and 2.8 s, 9.5 and 2.8, 9.0 and 3.0; of 100, 12 and 3 ms, but the first look took
 * 13.5 s, a commit each. The longest holds do not follow the size: the first slices a process runs (compiling) and a
 * commit that checkpoints the WAL, 40-60 ms.
 */
export const MISSING_SLICE = 200;
/** Overdue tasks are looked for at most this often (by the service clock), and at start. */
const OVERDUE_SCAN_EVERY_MS = 60_000;
/** The delivery log is pruned at start and then at most this often, a batch a run while there is more to prune. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Deliveries (and events) deleted in one transaction at most: a short write, however long the log grew. */
const PRUNE_BATCH = 1_000;

export interface WorkerDeps {
  db: BetterSQLite3Database<Schema>;
  clock: () => Date;
  log: FastifyBaseLogger;
  settings: WebhookSettings;
  random?: () => number;
  resolve?: Resolver;
}

export interface RunSummary {
  attempted: number;
  succeeded: number;
  failed: number;
  overdueRaised: number;
  /** report.missing events raised, or sent on to a subscription that started wanting them. */
  missingRaised: number;
  /** Ended deliveries taken out of the log because they are older than WEBHOOK_LOG_DAYS. */
  pruned: number;
}

export function createWebhookWorker({ db, clock, log, settings, random = Math.random, resolve }: WorkerDeps) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<RunSummary> | null = null;
  let started = false;
  /** Set by stop(): nothing new is sent from then on. */
  let closing = false;
  let lastScan: number | null = null;
  /** What the last look for missing reports saw (missingLookKey); null before the first. */
  let lastMissingLook: string | null = null;
  let lastPrune: number | null = null;
  const inFlight = new Set<AbortController>();

  /**
   * Releases a claim without counting an attempt: the service stopped in the middle of it. One whose event type its
   * subscription stopped receiving meanwhile (the PATCH left it to the worker, see endUnwantedDeliveries) ends
   * instead, unsent: released, it would go out after the restart.
   */
  function release(id: string): void {
    try {
      writeTransaction(db, (tx) => {
        const delivery = outbox.findDeliveryRow(tx, id);
        const sub = delivery && repo.findSubscription(tx, delivery.subscriptionId);
        if (delivery?.status === 'pending' && sub && unwantedBy(tx, delivery, sub)) {
          const at = clock().toISOString();
          outbox.updateDelivery(tx, id, { lockedUntil: null, status: 'failed', nextAttemptAt: null, completedAt: at, lastError: outbox.notWanted(at) });
        } else {
          outbox.updateDelivery(tx, id, { lockedUntil: null });
        }
      });
    } catch (err) {
      log.warn({ err, deliveryId: id }, 'could not release a webhook delivery');
    }
  }

  async function attempt(claimed: outbox.DeliveryRow): Promise<'succeeded' | 'failed' | 'retry' | 'interrupted'> {
    const sub = repo.findSubscription(db, claimed.subscriptionId);
    const event = outbox.findEvent(db, claimed.eventId);
    if (!sub || !event) return 'failed';
    if (closing) {
      release(claimed.id);
      return 'interrupted';
    }
    const attemptedAt = clock();
    let result: AttemptResult;
    // Registered before the look-up, so that stop() interrupts an attempt waiting on DNS too.
    const controller = new AbortController();
    inFlight.add(controller);
    try {
      const target = await checkTarget(sub.url, settings.allowPrivate, resolve, settings.timeoutMs, controller.signal);
      // The subscription as it is now, after the look-up: one paused, deleted or moved to another URL meanwhile was
      // answered so before anything went out, and nothing goes out for it (the claim is released, not counted).
      const current = repo.findSubscription(db, claimed.subscriptionId);
      if (!current || !current.active || current.url !== sub.url) {
        inFlight.delete(controller);
        release(claimed.id);
        return 'interrupted';
      }
      const secrets = [current.secret];
      if (current.previousSecret && current.previousSecretExpiresAt && current.previousSecretExpiresAt > attemptedAt.toISOString()) secrets.push(current.previousSecret);
      const headers = signedHeaders(secrets, event.id, Math.floor(attemptedAt.getTime() / 1000), event.body);
      result = await sendAttempt(target, headers, event.body, { timeoutMs: settings.timeoutMs, signal: controller.signal });
    } catch (err) {
      if (!(err instanceof RefusedUrlError)) throw err;
      result = { ok: false, statusCode: null, error: `URL refused: ${err.message}`, responseBody: null, durationMs: 0, interrupted: controller.signal.aborted, retryAfter: null };
    } finally {
      inFlight.delete(controller);
    }
    if (result.interrupted) {
      release(claimed.id);
      return 'interrupted';
    }
    const outcome = recordAttempt({ db, settings, random, log }, claimed, sub.url, attemptedAt, result);
    if (!result.ok) log.info({ deliveryId: claimed.id, subscriptionId: sub.id, error: result.error }, 'webhook attempt failed');
    return outcome;
  }

  /**
   * Overdue events (when `force`, or at most once a minute), then the due deliveries (up to ATTEMPTS_PER_RUN), each
   * at most once per run: one that fails is retried in a later run, when it is due again. Up to CONCURRENCY attempts run side by side, at most
   * one per subscription, and a slot is refilled as soon as it frees, or filled when a delivery falls due meanwhile
   * (looked for every RECHECK_MS): a receiver that answers slowly or never delays only its own deliveries, not those
   * queued behind its backlog for others nor those raised while its attempt runs.
   */
  async function tick(force: boolean): Promise<RunSummary> {
    const summary: RunSummary = { attempted: 0, succeeded: 0, failed: 0, overdueRaised: 0, missingRaised: 0, pruned: 0 };
    const now = clock();
    if (force || lastScan === null || Math.abs(now.getTime() - lastScan) >= OVERDUE_SCAN_EVERY_MS) {
      const walk = Math.max(1, settings.overdueSlice ?? OVERDUE_SLICE);
      // A page of tasks a turn, read and then raised in its own transaction (overdueCandidates).
      for (let after: string | null = '', first = true; after !== null && !closing; first = false) {
        if (!first) await new Promise<void>((resolve) => setImmediate(resolve));
        const page = overdueCandidates(db, now, after, walk);
        const slice = page.ids;
        if (slice.length > 0) summary.overdueRaised += writeTransaction(db, (tx) => raiseOverdueSlice(tx, now, slice));
        after = page.next;
      }
      lastScan = now.getTime();
    }
    // Missing reports only when a look could find something new (missingLookKey): a day ended somewhere, or a
    // subscription started wanting them; and at start.
    const missingKey = missingLookKey(db, now);
    if (force || missingKey !== lastMissingLook) {
      // The missing reports likewise: a slice of a plan's tasks per transaction, the event loop turning in between.
      const slices = missingCandidates(db, now, Math.max(1, settings.missingSlice ?? MISSING_SLICE));
      for (let i = 0; i < slices.length && !closing; i += 1) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        summary.missingRaised += writeTransaction(db, (tx) => raiseMissingSlice(tx, now, slices[i] as (typeof slices)[number]));
      }
      lastMissingLook = missingKey;
    }
    const before = retainedFrom(now, settings.logDays);
    if (before !== null && (force || lastPrune === null || Math.abs(now.getTime() - lastPrune) >= PRUNE_EVERY_MS)) {
      // The one retention boundary, which a replay does not reach back past either (webhooks.replay.ts).
      const pruned = writeTransaction(db, (tx) => outbox.pruneDeliveryLog(tx, before, PRUNE_BATCH));
      summary.pruned = pruned.deliveries;
      // A full batch: more to come, in the next run; else not before the next hour.
      lastPrune = pruned.deliveries === PRUNE_BATCH || pruned.events === PRUNE_BATCH ? null : now.getTime();
    }
    const seen: string[] = [];
    /** Subscriptions with an attempt in flight, and the attempts themselves. */
    const busy = new Set<string>();
    const attempts = new Set<Promise<void>>();
    let failure: { err: unknown } | null = null;
    const count = (o: Awaited<ReturnType<typeof attempt>>) => {
      if (o === 'interrupted') return;
      summary.attempted += 1;
      if (o === 'succeeded') summary.succeeded += 1;
      else summary.failed += 1;
    };
    for (;;) {
      const room = CONCURRENCY - attempts.size;
      if (room > 0 && !closing && failure === null && seen.length < ATTEMPTS_PER_RUN) {
        const at = clock();
        // Held for the look-up and the request, each bounded by the timeout, and a margin.
        const lockedUntil = new Date(at.getTime() + 2 * settings.timeoutMs + 60_000).toISOString();
        let claimed: outbox.DeliveryRow[] = [];
        try {
          claimed = writeTransaction(db, (tx) => outbox.claimDueDeliveries(tx, at.toISOString(), room, lockedUntil, seen, [...busy]));
          // Nothing is sent before the claim and the events it read are durable (group commit: a receiver must never
          // hear of a write that a failed COMMIT or a power cut takes back).
          if (claimed.length > 0) await committed(db);
        } catch (err) {
          failure = { err };
          claimed = [];
        }
        for (const d of claimed) {
          seen.push(d.id);
          busy.add(d.subscriptionId);
          const running: Promise<void> = attempt(d)
            .then(count, (err: unknown) => {
              failure ??= { err };
            })
            .finally(() => {
              busy.delete(d.subscriptionId);
              attempts.delete(running);
            });
          attempts.add(running);
        }
        if (claimed.length > 0) continue;
      }
      if (attempts.size === 0) break;
      let wake: NodeJS.Timeout | undefined;
      const recheck = new Promise<void>((resolve) => {
        wake = setTimeout(resolve, settings.pollMs > 0 ? Math.min(settings.pollMs, RECHECK_MS) : RECHECK_MS);
      });
      await Promise.race([...attempts, recheck]);
      clearTimeout(wake);
    }
    if (failure !== null) throw failure.err;
    return summary;
  }

  /** One run at a time: a second caller waits for the first and then runs its own. */
  function run(force: boolean): Promise<RunSummary> {
    const previous = running ?? Promise.resolve(null);
    const current = previous.catch(() => null).then(() => tick(force));
    running = current;
    void current.finally(() => {
      if (running === current) running = null;
    }).catch(() => undefined);
    return current;
  }

  function schedule(): void {
    if (closing || settings.pollMs === 0) return;
    timer = setTimeout(() => {
      timer = null;
      run(false)
        .catch((err) => log.error({ err }, 'webhook worker run failed'))
        .finally(schedule);
    }, settings.pollMs);
    timer.unref();
  }

  return {
    settings,
    /** The resolver of host names (the system's unless one was given): the routes check URLs with the same. */
    resolve,

    /** Starts the loop (unless pollMs is 0); the first run comes after one poll interval. */
    start(): void {
      if (started) return;
      started = true;
      schedule();
    },

    /** Stops the loop, interrupts attempts in flight (they are released, not counted) and waits for the run to end. */
    async stop(): Promise<void> {
      closing = true;
      if (timer) clearTimeout(timer);
      timer = null;
      for (const c of inFlight) c.abort();
      await running?.catch(() => undefined);
    },

    /** Runs now: raises due overdue events, prunes the delivery log and attempts the due deliveries (up to 500); for tests and operators. */
    runOnce(): Promise<RunSummary> {
      return run(true);
    },

    /** Runs as the loop does: the scans and the prune only when due by their intervals; for tests. */
    runScheduled(): Promise<RunSummary> {
      return run(false);
    },
  };
}

export type WebhookWorker = ReturnType<typeof createWebhookWorker>;
