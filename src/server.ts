// Entry point: load the config, build the app, listen, and close gracefully on SIGTERM/SIGINT.
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { StartupError } from './errors.js';

/**
 * A start that cannot succeed (a bad variable, a database file that cannot be opened or written) ends with one line
 * naming the cause and exit code 1; an error of no known kind keeps its stack trace.
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
  app.log.error({ err }, 'could not start');
  process.exit(1);
}
