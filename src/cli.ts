// The operator's command line, for what must work before any API key exists.
//
//   npm run key:create -- --name "Secretariat — Anna" [--role secretariat] [--organization <id>]
//   node dist/cli.js key:create --name ...            (after npm run build)
//
// It opens DATABASE_PATH (migrating it if needed), issues the key as the operator and prints the secret
// once. The key's creation lands in the change history like any other.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { type Database_ } from './db/connection.js';
import { openMigrated } from './db/open.js';
import { CreateApiKeySchema } from './modules/api-keys/api-keys.schemas.js';
import { createApiKeyService, OPERATOR } from './modules/api-keys/api-keys.service.js';
import { AppError, StartupError } from './errors.js';

const USAGE = `usage: key:create --name <name> [--role secretariat|co_chair|ministry|observer] [--organization <organization id>]

Issues an API key in DATABASE_PATH (default ./data/tracker.db) and prints its secret once.
The role defaults to secretariat; a ministry key needs --organization.`;

/** A database that cannot be opened or written: one line naming the cause (an error of no known kind is thrown). */
function failed(err: unknown, out: (line: string) => void): number {
  if (!(err instanceof StartupError)) throw err;
  out(`key:create failed: ${err.message}`);
  return 1;
}

export function runCli(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): number {
  const [command, ...rest] = argv;
  if (command !== 'key:create') {
    out(USAGE);
    return command === undefined || command === '--help' ? 0 : 2;
  }
  let values: { name?: string | undefined; role?: string | undefined; organization?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { name: { type: 'string' }, role: { type: 'string', default: 'secretariat' }, organization: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    out(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const input = CreateApiKeySchema.safeParse({ name: values.name, role: values.role, organizationId: values.organization });
  if (!input.success) {
    const option = (path: PropertyKey[]) => (path[0] === 'organizationId' ? 'organization' : path.join('.') || 'arguments');
    out(`${input.error.issues.map((i) => `--${option(i.path)}: ${i.message}`).join('\n')}\n\n${USAGE}`);
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (err) {
    return failed(err, out);
  }
  let database: Database_;
  try {
    ({ database } = openMigrated(config.databasePath));
  } catch (err) {
    return failed(err, out);
  }
  try {
    const keys = createApiKeyService({ db: database.db, clock: () => new Date() });
    const key = keys.create(input.data, { actor: OPERATOR });
    out(`Issued ${key.role} key "${key.name}" (id ${key.id}) in ${config.databasePath}.`);
    out('Its secret, shown this once — store it now:');
    out('');
    out(`  ${key.token}`);
    out('');
    out(`Use it as:  curl -H "Authorization: Bearer ${key.token}" http://${config.host}:${config.port}/v1/api-keys/current`);
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      out(`refused: ${err.detail}`);
      return 1;
    }
    throw err;
  } finally {
    database.sqlite.close();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exitCode = runCli(process.argv.slice(2), process.env, (line) => console.log(line));
}
