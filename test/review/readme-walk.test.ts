// Defects met while following the README literally, as a new secretariat operator and a ministry integrator would.
import t from 'tap';
import { loadConfig } from '../../src/config.js';

// README, Configuration: every variable has a default, and "an invalid value stops the start with a message naming
// it". src/config.ts counts an empty variable (`RATE_LIMIT_MAX=` in a compose file) as unset — but only for some of
// them: an empty or blank PORT, BODY_LIMIT, RATE_LIMIT_MAX or AUTH_FAILURE_MAX was coerced to the number 0, so
// `RATE_LIMIT_MAX=` silently turned the rate limit off and `PORT=` listened on a random port. A blank WEBHOOK_LOG_DAYS
// (" ") likewise became 0, "keep every delivery forever".
t.test('an empty or blank numeric variable counts as unset, never as 0', async (t) => {
  const defaults = loadConfig({});
  for (const blank of ['', ' ', '\t']) {
    const config = loadConfig({
      PORT: blank,
      BODY_LIMIT: blank,
      RATE_LIMIT_MAX: blank,
      AUTH_FAILURE_MAX: blank,
      WEBHOOK_TIMEOUT_MS: blank,
      WEBHOOK_POLL_MS: blank,
      WEBHOOK_MAX_ATTEMPTS: blank,
      WEBHOOK_LOG_DAYS: blank,
      RESPONSE_CACHE_MB: blank,
      REPORT_WORKER_MIN_TASKS: blank,
      REPORT_PARTS_MIN_TASKS: blank,
    });
    t.strictSame(config, defaults, `${JSON.stringify(blank)} gives the defaults`);
  }
  t.equal(loadConfig({ RATE_LIMIT_MAX: '0' }).rateLimitMax, 0, 'an explicit 0 still turns the limit off');
  t.equal(loadConfig({ PORT: '0' }).port, 0, 'an explicit PORT=0 still asks for any free port');
  t.equal(loadConfig({ PORT: ' 8080 ' }).port, 8080, 'surrounding blanks are ignored');
  t.throws(() => loadConfig({ RATE_LIMIT_MAX: 'none' }), { message: /RATE_LIMIT_MAX: / }, 'a word is still refused');
});
