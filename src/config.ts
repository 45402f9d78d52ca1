// The environment, parsed once into a typed Config; nothing else reads process.env.
import { z } from 'zod';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default('./data/tracker.db'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
});

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return { port: e.PORT, host: e.HOST, databasePath: e.DATABASE_PATH, logLevel: e.LOG_LEVEL, bodyLimit: e.BODY_LIMIT };
}
