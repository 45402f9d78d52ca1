// Entry point: load the config, check that its address can be listened on, build the app, listen, and close
// gracefully on SIGTERM/SIGINT.
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { StartupError } from './errors.js';
import { ensureCanListen, listenFailure } from './lib/listen-address.js';

/**
 * A start that cannot succeed (a bad variable, an address it cannot listen on, a database file that cannot be opened
 * or written) ends with one line naming the cause and exit code 1; an error of no known kind keeps its stack trace.
 */
function cannotStart(err: unknown): never {
  process.stderr.write(`could not start: ${err instanceof StartupError ? err.message : (err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
}

const config = (() => {
  try {
    return loadConfig();
  } catch (err) {
    return cannotStart(err);
  }
})();
// Before the database is opened and migrated: a HOST or PORT the service cannot take ends the start with it untouched.
await ensureCanListen(config).catch(cannotStart);
const app = await buildApp({ config }).catch(cannotStart);

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an error');
  else app.log.info({ signal }, 'closing');
  await app.close();
});

try {
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ databasePath: config.databasePath }, 'plan tracker ready');
} catch (err) {
  // The address was free a moment ago; another program may have taken it since.
  const failure = listenFailure(err, config);
  if (failure) cannotStart(failure);
  app.log.error({ err }, 'could not start');
  process.exit(1);
}
