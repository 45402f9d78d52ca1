// `npm start` under a supervisor: the SIGTERM (or SIGINT) a supervisor, systemd or `docker stop` sends to the npm
// process must reach the service, which then closes gracefully. npm passes it to the shell of the start script, and
// Debian's /bin/sh (dash) does not pass it on: the service kept running, orphaned, holding its port and its database
// (a new start failed on the port, `npm run restore` refused the open file). The start script execs node in the
// shell's place. Run here against the real start script, with a stand-in for dist/server.js that records the signal.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { exited, ROOT } from './process.js';

const { scripts } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Stands in for the service: says it runs, then on a signal writes which one and exits as the service does. */
const STAND_IN = `
const { writeFileSync } = require('node:fs');
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { writeFileSync('signal.txt', signal); process.exit(0); });
writeFileSync('pid.txt', String(process.pid));
setInterval(() => {}, 1000);
`;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} sent to "npm start" reaches the service, which exits; nothing is left running`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'tracker-start-signal-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, 'dist'));
    await writeFile(join(dir, 'dist', 'server.js'), STAND_IN);
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'start-signal', version: '1.0.0', private: true, scripts: { start: scripts.start } }));
    // --ignore-scripts: the start script alone, without prestart's build.
    const npm = spawn('npm', ['start', '--ignore-scripts', '--silent'], { cwd: dir, stdio: 'ignore' });
    let pid = 0;
    t.teardown(() => {
      if (pid !== 0 && alive(pid)) process.kill(pid, 'SIGKILL');
      if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
    });
    for (let i = 0; i < 300 && pid === 0; i++) {
      pid = Number(await readFile(join(dir, 'pid.txt'), 'utf8').catch(() => '0'));
      if (pid === 0) await new Promise((r) => setTimeout(r, 50));
    }
    t.not(pid, 0, 'the service started');
    npm.kill(signal);
    await exited(npm, 20_000);
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    t.equal(await readFile(join(dir, 'signal.txt'), 'utf8').catch(() => 'none'), signal, `the service received ${signal}`);
    t.notOk(alive(pid), 'the service is no longer running');
  });
}
