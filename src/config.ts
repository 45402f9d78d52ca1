// The environment, parsed once into a typed Config; nothing else reads process.env.
import { z } from 'zod';
import { StartupError } from './errors.js';

/** The characters a bearer token may hold (RFC 6750 b64token). */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

export const DEFAULTS = {
  rateLimitMax: 600,
  authFailureMax: 10,
  webhookAllowPrivate: false,
  webhookTimeoutMs: 10_000,
  webhookPollMs: 1_000,
  webhookMaxAttempts: 12,
  webhookLogDays: 90,
  responseCacheMb: 64,
  reportWorkerMinTasks: 1_000,
  reportPartsMinTasks: 20_000,
} as const;

/** An origin as browsers send it: scheme, host and port, nothing after. "https://a.example/" is accepted as it. */
const OriginSchema = z
  .url({ protocol: /^https?$/, error: 'an origin is http:// or https:// and a host, as "https://portal.example"' })
  .pipe(
    z
      .string()
      .refine((u) => {
        const url = new URL(u);
        return url.pathname === '/' && !url.search && !url.hash;
      }, 'an origin has no path, query or fragment')
      .transform((u) => new URL(u).origin),
  );

/**
 * One entry of CORS_ORIGINS: "*" or an origin. Not a union: zod reports a union's failure as "Invalid input", and the
 * operator would not learn that it was the path of "https://a.example/app" that was refused.
 */
const CorsOriginSchema = z.string().transform((entry, ctx) => {
  if (entry === '*') return entry;
  const origin = OriginSchema.safeParse(entry);
  if (origin.success) return origin.data;
  for (const issue of origin.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  return z.NEVER;
});

/** Compose files often write `VAR=` for "not set": an empty value counts as absent. */
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);

/**
 * A whole number from the environment. Empty or blank counts as absent, like `unsetIfEmpty`: `z.coerce.number()`
 * alone reads "" and " " as 0, so `RATE_LIMIT_MAX=` turned the limit off and `PORT=` listened on a random port.
 */
const intVar = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v),
    z.coerce.number().int().min(min).max(max).default(fallback),
  );

const EnvSchema = z.object({
  PORT: intVar(0, 65535, 3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default('./data/tracker.db'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT: intVar(1024, 50 * 1024 * 1024, 1024 * 1024),
  TRACKER_BOOTSTRAP_TOKEN: z.preprocess(unsetIfEmpty, z
    .string()
    .min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)')
    .max(512)
    .regex(TOKEN68, 'may hold only letters, digits and - . _ ~ + / (then = padding)')
    .optional()),
  RATE_LIMIT_MAX: intVar(0, 1_000_000, DEFAULTS.rateLimitMax),
  AUTH_FAILURE_MAX: intVar(1, 1_000_000, DEFAULTS.authFailureMax),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(CorsOriginSchema)),
  TRUST_PROXY: z.preprocess(unsetIfEmpty, z.stringbool().default(false)),
  WEBHOOK_ALLOW_PRIVATE: z.preprocess(unsetIfEmpty, z.stringbool().default(DEFAULTS.webhookAllowPrivate)),
  WEBHOOK_TIMEOUT_MS: intVar(1000, 60_000, DEFAULTS.webhookTimeoutMs),
  WEBHOOK_POLL_MS: intVar(100, 60_000, DEFAULTS.webhookPollMs),
  WEBHOOK_MAX_ATTEMPTS: intVar(1, 30, DEFAULTS.webhookMaxAttempts),
  WEBHOOK_LOG_DAYS: intVar(0, 3650, DEFAULTS.webhookLogDays),
  RESPONSE_CACHE_MB: intVar(0, 4096, DEFAULTS.responseCacheMb),
  REPORT_WORKER_MIN_TASKS: intVar(0, Number.MAX_SAFE_INTEGER, DEFAULTS.reportWorkerMinTasks),
  REPORT_PARTS_MIN_TASKS: intVar(0, Number.MAX_SAFE_INTEGER, DEFAULTS.reportPartsMinTasks),
});

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Becomes the first secretariat key of a database that has none; stored hashed. */
  bootstrapToken: string | undefined;
  /** Requests per API key (or per address, without a key) per minute; 0 turns the limit off. */
  rateLimitMax: number;
  /** Failed authentications per client address per minute before 429. */
  authFailureMax: number;
  /** Origins allowed by CORS; empty (the default) means no cross-origin access. */
  corsOrigins: string[];
  /** Take the client address from X-Forwarded-For (behind a reverse proxy only). */
  trustProxy: boolean;
  /** Webhook URLs may point at private and loopback addresses (a ministry network, tests); never link-local or metadata. */
  webhookAllowPrivate: boolean;
  /** How long a webhook attempt waits for the host name to resolve, and then for the answer's status, before it fails. */
  webhookTimeoutMs: number;
  /** How often the webhook worker looks for due deliveries and overdue tasks; 0 (tests only) starts no loop. */
  webhookPollMs: number;
  /** Attempts of one delivery before it fails for good. */
  webhookMaxAttempts: number;
  /** Days a delivery that ended (sent or failed) stays in the delivery log, with its attempts; 0 keeps them all. */
  webhookLogDays: number;
  /** Megabytes of repeated read answers kept in memory until the next write (src/plugins/response-cache.ts); 0 turns it off. */
  responseCacheMb: number;
  /**
   * A progress report covering at least this many tasks is computed in the report worker, off the event loop
   * (src/modules/reports/progress.producer.ts); a smaller one, in a few milliseconds, in the request's own turn.
   */
  reportWorkerMinTasks: number;
  /**
   * A JSON progress report covering at least this many tasks (and computed in the worker) is computed in parts, one
   * per worker thread at once (src/modules/reports/progress.parts.ts); with one core, whole.
   */
  reportPartsMinTasks: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    // Never echo values: one of them may be the bootstrap token.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new StartupError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databasePath: e.DATABASE_PATH,
    logLevel: e.LOG_LEVEL,
    bodyLimit: e.BODY_LIMIT,
    bootstrapToken: e.TRACKER_BOOTSTRAP_TOKEN,
    rateLimitMax: e.RATE_LIMIT_MAX,
    authFailureMax: e.AUTH_FAILURE_MAX,
    corsOrigins: e.CORS_ORIGINS,
    trustProxy: e.TRUST_PROXY,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
    webhookPollMs: e.WEBHOOK_POLL_MS,
    webhookMaxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
    webhookLogDays: e.WEBHOOK_LOG_DAYS,
    responseCacheMb: e.RESPONSE_CACHE_MB,
    reportWorkerMinTasks: e.REPORT_WORKER_MIN_TASKS,
    reportPartsMinTasks: e.REPORT_PARTS_MIN_TASKS,
  };
}
