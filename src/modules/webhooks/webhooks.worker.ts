// The delivery worker inside the service: claims due deliveries from the outbox, signs and POSTs them, records each
// attempt, retries with exponential backoff and jitter (longer when the receiver asks, Retry-After), disables a
// subscription that keeps failing, and raises the daily overdue and the missing-report events. One per process; claims make it safe beside
// another process on the same database.
import type { FastifyBaseLogger } from 'fastify';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { writeTransaction, type Db, type Schema } from '../../db/connection.js';
import { committed } from '../../db/group-commit.js';
import { newId } from '../../lib/ids.js';
import { missingCandidates, missingLookKey, overdueCandidates, raiseMissingSlice, raiseOverdueSlice } from './webhooks.scans.js';
import { retainedFrom } from './webhooks.replay.js';
import * as outbox from './webhooks.outbox-repository.js';
import * as repo from './webhooks.repository.js';
import { clip, ERROR_KEPT, sendAttempt, type AttemptResult } from './webhooks.sender.js';
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

export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 6 * 60 * 60 * 1000;

/**
 * The error of a delivery whose attempt failed while its type was taken off the subscription: the attempt's error, cut
 * so that the reason it is not sent again stays whole within the documented length (a TLS error naming every name of a
 * certificate may take all of it).
 */
export function notSentAfter(error: string | null, at: string): string {
  const reason = outbox.notWanted(at);
  return `${clip(error ?? 'failed', ERROR_KEPT - reason.length - 2)}; ${reason}`;
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
 * The overdue scan goes through this many tasks per transaction and lets the event loop turn between them: 47,620
 * overdue tasks in one transaction held the service 7 s when first raised, and 1.5 s on every scan after.
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

/**
 * The wait before attempt n + 1 after n failed attempts: a window of base × 2^(n−1), capped, of which a random
 * part in [½, 1] is taken ("equal jitter"): retries of many deliveries spread out, yet the whole schedule keeps a
 * known minimum length, so a receiver down for a few hours loses nothing.
 */
export function retryDelayMs(failedAttempts: number, settings: Pick<WebhookSettings, 'retryBaseMs' | 'retryMaxMs'>, random: () => number): number {
  const window = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(window / 2 + (random() * window) / 2);
}

/**
 * How long after its answer a receiver asked to be left alone (Retry-After: delta-seconds, or an HTTP-date read against
 * `answeredAt`, the service's clock); null when it did not ask, or not legibly. A date already past asks for nothing.
 */
export function retryAfterMs(value: string | null, answeredAt: Date): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = httpDate(value, answeredAt);
  return at === null ? null : Math.max(0, at - answeredAt.getTime());
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = MONTHS.join('|');
const HMS = '(\\d{2}):(\\d{2}):(\\d{2})';
/** RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must still read. */
const IMF_FIXDATE = new RegExp(`^(?:mon|tue|wed|thu|fri|sat|sun), (\\d{2}) (${MONTH}) (\\d{4}) ${HMS} GMT$`, 'i');
const RFC850_DATE = new RegExp(`^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday), (\\d{2})-(${MONTH})-(\\d{2}) ${HMS} GMT$`, 'i');
const ASCTIME_DATE = new RegExp(`^(?:mon|tue|wed|thu|fri|sat|sun) (${MONTH}) ([ \\d]\\d) ${HMS} (\\d{4})$`, 'i');

/**
 * An HTTP-date as unix milliseconds, or null. Not Date.parse: it takes any text with a number in it ("x 2030" is
 * 2030-01-01), rolls 30 Feb over into March, and reads a date without a zone (asctime, always GMT) as local time.
 */
function httpDate(value: string, now: Date): number | null {
  let parts: { day: string; month: string; year: number; time: string[] };
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(value))) {
    const [, day, month, year, ...time] = match as unknown as string[];
    parts = { day: day!, month: month!, year: Number(year), time };
  } else if ((match = RFC850_DATE.exec(value))) {
    const [, day, month, yy, ...time] = match as unknown as string[];
    // A two-digit year more than 50 years ahead is the last one in the past with those digits (RFC 9110).
    const year = 2000 + Number(yy);
    parts = { day: day!, month: month!, year: year > now.getUTCFullYear() + 50 ? year - 100 : year, time };
  } else if ((match = ASCTIME_DATE.exec(value))) {
    const [, month, day, h, m, sec, year] = match as unknown as string[];
    parts = { day: day!, month: month!, year: Number(year), time: [h!, m!, sec!] };
  } else {
    return null;
  }
  const month = MONTHS.indexOf(parts.month.toLowerCase());
  const day = Number(parts.day.trim());
  const [h, m, sec] = parts.time.map(Number) as [number, number, number];
  if (h > 23 || m > 59 || sec > 60) return null;
  const at = new Date(Date.UTC(parts.year, month, day, h, m, Math.min(sec, 59)));
  // A day the month does not have (30 Feb) would roll over into the next.
  if (at.getUTCFullYear() !== parts.year || at.getUTCMonth() !== month || at.getUTCDate() !== day) return null;
  return at.getTime();
}

/**
 * The wait before attempt n + 1 after n failed attempts: the backoff, or longer when the receiver asked for it
 * (`askedMs`, Retry-After, from the attempt's start), never longer than retryMaxMs. Retry-After only lengthens the
 * wait: a receiver asking for 1 s does not get its retries sooner than the schedule, and one asking for a day is tried
 * again after the schedule's longest wait (6 hours), so that one answer cannot stretch a delivery's attempts over days.
 */
export function nextAttemptDelayMs(
  failedAttempts: number,
  settings: Pick<WebhookSettings, 'retryBaseMs' | 'retryMaxMs'>,
  random: () => number,
  askedMs: number | null,
): number {
  const backoff = retryDelayMs(failedAttempts, settings, random);
  return askedMs === null ? backoff : Math.max(backoff, Math.min(askedMs, settings.retryMaxMs));
}

/**
 * Whether the subscription no longer receives the delivery's event type: not a test event, not a redelivery someone
 * asked for (see endUnwantedDeliveries).
 */
function unwantedBy(tx: Db, delivery: outbox.DeliveryRow, sub: repo.SubscriptionRow): boolean {
  if (delivery.redeliveryOf !== null) return false;
  const type = outbox.findEvent(tx, delivery.eventId)?.type;
  return type !== undefined && type !== 'webhook.test' && !sub.events.includes(type);
}

const fmtDuration = (ms: number) => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

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

  /** Records one attempt and what follows from it, in one transaction. */
  function record(claimed: outbox.DeliveryRow, url: string, attemptedAt: Date, result: AttemptResult): 'succeeded' | 'failed' | 'retry' {
    return writeTransaction(db, (tx) => {
      const delivery = outbox.findDeliveryRow(tx, claimed.id);
      // Deleted with its subscription while the attempt ran.
      if (!delivery) return 'failed';
      const sub = repo.findSubscription(tx, delivery.subscriptionId);
      if (!sub) return 'failed';
      const at = attemptedAt.toISOString();
      // The subscription moved to another URL while the attempt ran: the old endpoint's answer says nothing of the
      // new one, so it neither counts against the subscription nor disables it, and the event goes to the new URL.
      const moved = sub.url !== url;
      const n = delivery.attemptCount + 1;
      outbox.insertAttempt(tx, {
        id: newId(),
        deliveryId: delivery.id,
        attemptedAt: at,
        durationMs: result.durationMs,
        statusCode: result.statusCode,
        error: result.error,
        responseBody: result.responseBody,
      });
      const common = {
        attemptCount: n,
        lockedUntil: null,
        firstAttemptAt: delivery.firstAttemptAt ?? at,
        lastAttemptAt: at,
        lastStatusCode: result.statusCode,
        lastError: result.error,
      };
      if (moved && !result.ok) {
        outbox.updateDelivery(tx, delivery.id, { ...common, status: 'pending', nextAttemptAt: at });
        return 'retry';
      }
      if (result.ok) {
        outbox.updateDelivery(tx, delivery.id, { ...common, status: 'succeeded', nextAttemptAt: null, completedAt: at });
        repo.updateSubscription(tx, sub.id, { consecutiveFailures: 0, failingSince: null, lastSuccessAt: at });
        return 'succeeded';
      }
      const failingSince = sub.failingSince ?? at;
      repo.updateSubscription(tx, sub.id, { consecutiveFailures: sub.consecutiveFailures + 1, failingSince, lastFailureAt: at });
      const gone = result.statusCode === 410;
      // Its subscription stopped receiving this event type while the attempt ran (see endUnwantedDeliveries).
      const unwanted = unwantedBy(tx, delivery, sub);
      if (n < settings.maxAttempts && !gone && !unwanted) {
        // Retry-After counts from the answer, which came durationMs after the attempt began.
        const answeredAt = new Date(attemptedAt.getTime() + result.durationMs);
        const asked = retryAfterMs(result.retryAfter, answeredAt);
        const wait = nextAttemptDelayMs(n, settings, random, asked === null ? null : result.durationMs + asked);
        const scheduled = new Date(attemptedAt.getTime() + wait).toISOString();
        // Sent again on request (redeliver) while this attempt ran: that earlier time holds, not the backoff.
        const requested = delivery.nextAttemptAt !== claimed.nextAttemptAt ? delivery.nextAttemptAt : null;
        const next = requested !== null && requested < scheduled ? requested : scheduled;
        outbox.updateDelivery(tx, delivery.id, { ...common, status: 'pending', nextAttemptAt: next });
        return 'retry';
      }
      const lastError = unwanted ? notSentAfter(result.error, at) : result.error;
      outbox.updateDelivery(tx, delivery.id, { ...common, status: 'failed', nextAttemptAt: null, completedAt: at, lastError });
      // Ended early because its type was taken off: only a 410 says the endpoint is broken.
      if (unwanted && !gone && n < settings.maxAttempts) return 'failed';
      // Disabled when the endpoint says it is gone, or when every attempt of this delivery failed and nothing
      // else got through meanwhile: the endpoint, not one event, is broken.
      const firstAttempt = common.firstAttemptAt;
      const brokenThroughout = failingSince <= firstAttempt;
      if (sub.active && (gone || brokenThroughout)) {
        const span = fmtDuration(attemptedAt.getTime() - Date.parse(firstAttempt));
        const reason = gone
          ? `the endpoint answered 410 Gone to delivery ${delivery.id}; activate the subscription again (PATCH active: true) once it accepts events`
          : `disabled after ${n} failed attempts over ${span} to deliver event ${delivery.eventId} with no successful delivery since ${failingSince}; ` +
            `last: ${result.error ?? 'no answer'}. Fix the endpoint, then PATCH active: true: waiting deliveries resume, failed ones can be redelivered`;
        repo.updateSubscription(tx, sub.id, { active: false, disabledReason: reason.slice(0, 2000), disabledAt: at, updatedAt: at });
        log.warn({ subscriptionId: sub.id, reason }, 'webhook subscription disabled');
      }
      return 'failed';
    });
  }

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
    const outcome = record(claimed, sub.url, attemptedAt, result);
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
      const limit = Math.max(1, settings.overdueSlice ?? OVERDUE_SLICE);
      const candidates = overdueCandidates(db, now);
      for (let i = 0; i < candidates.length && !closing; i += limit) {
        if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const slice = candidates.slice(i, i + limit);
        summary.overdueRaised += writeTransaction(db, (tx) => raiseOverdueSlice(tx, now, slice));
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
