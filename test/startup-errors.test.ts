// What the operator reads when the service cannot start: one line naming the cause and the way out, exit code 1, no
// stack trace; a database the service could not write is refused at start rather than served; and an address it
// cannot listen on stops it before the database is touched.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { runMigrations } from '../src/db/migrate.js';
import { ensureWritable, openDatabase, whyNotOpened } from '../src/db/open.js';
import { StartupError } from '../src/errors.js';
import { ensureCanListen, listenFailure, probeListen } from '../src/lib/listen-address.js';
import { exited, freePort, HOST, ROOT, START_FLAGS } from './process.js';

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tracker-startup-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The user the service runs as in the tests of file permissions: root ignores them, so under root (CI) the service is
 * started as nobody, as an operator's service user would be; otherwise as this user.
 */
const SERVICE_USER = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

/** Gives `path` to the service's user (under root; otherwise it is this user's already). */
async function giveToServiceUser(path: string) {
  if (SERVICE_USER) await chown(path, SERVICE_USER.uid, SERVICE_USER.gid);
}

/**
 * Starts src/server.ts with `extraEnv` and waits for it to end (it is expected not to start); `preload`, a module of
 * test/ to import first (test/dns-refused.ts).
 */
async function failedStart(t: Test, extraEnv: Record<string, string>, user?: { uid: number; gid: number }, preload?: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !/^_?TAP/.test(k)));
  Object.assign(env, { _TAPJS_PROCESSINFO_COVERAGE_: '0', PORT: String(await freePort()), HOST, LOG_LEVEL: 'info' }, extraEnv);
  const node = [process.execPath, ...START_FLAGS, '--import', 'tsx', ...(preload ? ['--import', `./test/${preload}`] : []), 'src/server.ts'];
  // tap's process tracking puts itself into every child's NODE_OPTIONS, and writes into .tap/ at exit, which another
  // user may not: such a child starts without it.
  const [command, ...args] = user ? ['env', '-u', 'NODE_OPTIONS', ...node] : node;
  const child = spawn(command!, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], ...user });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  const { code } = await exited(child, 30_000);
  return { code, output };
}

const STACK_LINE = /^\s+at /m;

t.test('a wrong configuration stops the start with a line naming the variable, and no stack trace', async (t) => {
  const dir = await tempDir(t);
  const { code, output } = await failedStart(t, { PORT: 'abc', DATABASE_PATH: join(dir, 'tracker.db') });
  t.equal(code, 1);
  t.match(output, /could not start: invalid configuration: PORT/);
  t.notMatch(output, STACK_LINE, 'no stack trace');
});

t.test('a DATABASE_PATH that is no database stops the start with a line naming the file, and no stack trace', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'tracker.db');
  await writeFile(path, 'a spreadsheet saved under the wrong name, not a database\n'.repeat(100));
  const { code, output } = await failedStart(t, { DATABASE_PATH: path });
  t.equal(code, 1);
  t.match(output, `could not start: ${path} is not a SQLite database`);
  t.notMatch(output, STACK_LINE, 'no stack trace');
});

t.test('a DATABASE_PATH under a file, not a folder, stops the start with a line naming it, and no stack trace', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'data'), '');
  const { code, output } = await failedStart(t, { DATABASE_PATH: join(dir, 'data', 'tracker.db') });
  t.equal(code, 1);
  t.match(output, `could not start: cannot create the folder of ${join(dir, 'data', 'tracker.db')}`);
  t.notMatch(output, STACK_LINE, 'no stack trace');
});

t.test('a DATABASE_PATH naming a folder stops the start with a line saying it names the file in it, and no stack trace', async (t) => {
  const dir = await tempDir(t);
  for (const path of [`${dir}/`, dir]) {
    const { code, output } = await failedStart(t, { DATABASE_PATH: path });
    t.equal(code, 1, path);
    t.match(output, `could not start: ${path} is a folder: DATABASE_PATH names the database file in it, e.g. ${join(dir, 'tracker.db')}`);
    t.notMatch(output, STACK_LINE, 'no stack trace');
  }
});

t.test('what the database refuses at start is told in words an operator acts on, for every variant of read-only', async (t) => {
  const path = '/srv/tracker/tracker.db';
  const said = (code: string) => {
    const err = whyNotOpened(Object.assign(new Error('attempt to write a readonly database'), { code }), path);
    t.type(err, StartupError, code);
    return (err as Error).message;
  };
  // An existing database, writable, in a folder this user may not write (found by an operator review): SQLite fails on
  // the WAL's files first.
  t.match(said('SQLITE_READONLY_DIRECTORY'), `the folder of ${path} is read-only for this process: SQLite creates ${path}-wal and ${path}-shm beside the database`);
  t.match(said('SQLITE_READONLY'), `${path} is read-only for this process (SQLITE_READONLY): give this user write access to the file and its folder`);
  t.match(said('SQLITE_READONLY_DBMOVED'), `${path} is read-only for this process (SQLITE_READONLY_DBMOVED)`);
  // A file created by root (npm run demo) that the service's user may not read gives CANTOPEN too, not only a folder.
  t.match(said('SQLITE_CANTOPEN'), `cannot open ${path}: this user must be able to read and write it, and its folder must exist`);
  const unknown = new Error('something else');
  t.equal(whyNotOpened(unknown, path), unknown, 'an error of no known kind is left as it is, stack and all');
});

t.test('a database this process may only read is refused: served, it answered every keyed request 500 while /health said ok', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'tracker.db');
  const created = openDatabase(path);
  runMigrations(created);
  created.sqlite.close();
  // SQLite opens a file it may not write read-only without a word (root ignores permissions: a read-only connection
  // stands for it here).
  const readOnly = new Database(path, { readonly: true });
  t.teardown(() => readOnly.close());
  t.throws(() => ensureWritable(readOnly, path), new RegExp(`${path} is read-only for this process`));
});

/** A migrated database file at `path`. */
function migratedDatabase(path: string) {
  const created = openDatabase(path);
  runMigrations(created);
  created.sqlite.close();
}

t.test('a database file its user may read but not write stops the start with a line saying so', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'tracker.db');
  migratedDatabase(path);
  await giveToServiceUser(dir);
  await giveToServiceUser(path);
  await chmod(path, 0o400);
  const { code, output } = await failedStart(t, { DATABASE_PATH: path }, SERVICE_USER);
  t.equal(code, 1);
  t.match(output, `could not start: ${path} is read-only for this process`);
  t.notMatch(output, STACK_LINE, 'no stack trace');
});

t.test('a database in a folder its user may not write stops the start with a line naming the folder', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'tracker.db');
  migratedDatabase(path);
  await giveToServiceUser(path);
  // Readable and enterable by all, writable by its owner only: root under root, and nobody when this user owns it.
  await chmod(dir, SERVICE_USER ? 0o755 : 0o555);
  const { code, output } = await failedStart(t, { DATABASE_PATH: path }, SERVICE_USER).finally(() => chmod(dir, 0o700));
  t.equal(code, 1);
  t.match(output, `could not start: the folder of ${path} is read-only for this process`);
  t.notMatch(output, STACK_LINE, 'no stack trace');
});

t.test('a database file another user made and this one may not read (npm run demo as root) stops the start with a line naming both causes', { skip: SERVICE_USER ? false : 'only root can make a file this user may not read' }, async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'tracker.db');
  migratedDatabase(path);
  await chmod(path, 0o600);
  await giveToServiceUser(dir);
  const { code, output } = await failedStart(t, { DATABASE_PATH: path }, SERVICE_USER);
  t.equal(code, 1);
  t.match(output, `could not start: cannot open ${path}: this user must be able to read and write it, and its folder must exist`);
  t.notMatch(output, STACK_LINE, 'no stack trace');
});

/** 10.255.255.1: a private address that no interface of this machine has, so binding it fails here, sending nothing. */
const NOT_OURS = '10.255.255.1';
const notOurs = Object.values(networkInterfaces()).flat().some((i) => i?.address === NOT_OURS) ? `this machine has ${NOT_OURS}` : false;

/** A start with `env` ends with `line`, exit code 1 and no stack trace, having migrated nothing and created no database file. */
async function refusedBeforeDatabase(t: Test, env: Record<string, string>, line: string, preload?: string) {
  const path = join(await tempDir(t), 'tracker.db');
  const { code, output } = await failedStart(t, { ...env, DATABASE_PATH: path }, undefined, preload);
  t.equal(code, 1);
  t.match(output, `could not start: ${line}`);
  t.notMatch(output, STACK_LINE, 'no stack trace');
  t.notMatch(output, /applied \d+ migrations/, 'nothing was migrated');
  t.notOk(existsSync(path), 'the database file was not even created');
}

t.test('a HOST no interface of this machine has stops the start with a line naming it, before the database is touched', { skip: notOurs }, async (t) => {
  await refusedBeforeDatabase(t, { HOST: NOT_OURS }, `cannot listen on HOST=${NOT_OURS}: no network interface of this machine has this address (EADDRNOTAVAIL)`);
});

t.test('a HOST name that does not resolve stops the start with a line naming it, before the database is touched', async (t) => {
  // Every name look-up of the child fails as ENOTFOUND (test/dns-refused.ts): no DNS query leaves this machine.
  const line = 'cannot listen on HOST=no-such-host.invalid: the name does not resolve to an address (ENOTFOUND)';
  await refusedBeforeDatabase(t, { HOST: 'no-such-host.invalid' }, line, 'dns-refused.ts');
});

t.test('a PORT another program listens on stops the start with a line naming it, before the database is touched', async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, HOST, resolve));
  t.teardown(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const port = (taken.address() as AddressInfo).port;
  await refusedBeforeDatabase(t, { PORT: String(port) }, `cannot listen on HOST=${HOST} PORT=${port}: another program listens on this port (EADDRINUSE)`);
});

/** A system error as a name look-up or a bind rejects with. */
const systemError = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

t.test('why an address cannot be listened on is told in words naming HOST (and PORT when the port is at fault)', async (t) => {
  const at = { host: 'tracker.ministry.example', port: 8080 };
  const said = (code: string, syscall = 'listen') => (listenFailure(systemError(code, syscall), at) as StartupError).message;
  t.equal(said('ENOTFOUND', 'getaddrinfo'), 'cannot listen on HOST=tracker.ministry.example: the name does not resolve to an address (ENOTFOUND); set HOST to an address of this machine (127.0.0.1 for this machine alone, 0.0.0.0 for its network) or a name that resolves to one');
  t.match(said('EAI_AGAIN', 'getaddrinfo'), /^cannot listen on HOST=tracker\.ministry\.example: the name could not be resolved now/);
  t.match(said('EADDRNOTAVAIL'), /^cannot listen on HOST=tracker\.ministry\.example: no network interface of this machine has this address \(EADDRNOTAVAIL\)/);
  t.match(said('EADDRINUSE'), /^cannot listen on HOST=tracker\.ministry\.example PORT=8080: another program listens on this port \(EADDRINUSE\); set PORT to a free port/);
  t.match(said('EACCES'), /^cannot listen on HOST=tracker\.ministry\.example PORT=8080: this user may not listen on this port/);
  t.equal(listenFailure(new Error('something else'), at), null, 'an error of no known kind is left as it is, stack and all');

  // Stubbed: a test sends no name look-up off this machine.
  const unresolvable = async () => {
    throw systemError('ENOTFOUND', 'getaddrinfo');
  };
  await t.rejects(ensureCanListen(at, unresolvable), { name: 'StartupError', message: /HOST=tracker\.ministry\.example: the name does not resolve/ });
  const odd = new Error('something else');
  await t.rejects(ensureCanListen(at, async () => { throw odd; }), odd, 'an error of no known kind is thrown as it is');
  await t.resolves(ensureCanListen(at, async () => {}));
});

t.test('probing an address this machine has takes it and frees it again', { skip: notOurs }, async (t) => {
  const port = await freePort();
  await probeListen({ host: HOST, port });
  // Taken again at once, as the service takes it right after the probe.
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, HOST, resolve));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.rejects(ensureCanListen({ host: NOT_OURS, port }), { name: 'StartupError', message: /EADDRNOTAVAIL/ }, `${NOT_OURS} is refused here, nothing sent`);
});
