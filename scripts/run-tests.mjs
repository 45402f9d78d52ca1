// `npm test`: type-checks, lints the OpenAPI document, runs tap with coverage, and ends with one line
// "N passed, M failed" for CI. N and M count tap's assertions plus one check for the OpenAPI lint (Spectral and
// Redocly on openapi/openapi.json, scripts/lint-openapi.mjs): a lint failure is one more failed and fails the run,
// but tap still runs, so one run reports both.
//
// tap's Ink reporters (base, terse, dot) redraw the screen with cursor escapes even when stdout is a
// pipe, which makes CI logs unreadable, and `--reporter=tap` together with `--output-file` writes each
// line twice (tap 21.8). So tap runs with the raw TAP reporter, this script saves that stream to
// .tap/last-run.tap and prints its own progress: one line per test file, the failures in full.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => realpathSync(join(root, 'node_modules', '.bin', name));
const RAW_TAP = join(root, '.tap', 'last-run.tap');
const COVERAGE_SUMMARY = join(root, '.tap', 'report', 'coverage-summary.json');

/** Runs a node program; resolves with its exit code (1 when killed by a signal). */
function run(args, { onStdout } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', onStdout ? 'pipe' : 'inherit', 'inherit'],
    });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    const done = onStdout ? onStdout(child.stdout) : Promise.resolve();
    child.on('error', reject);
    child.on('close', async (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      await done;
      resolve(signal ? 1 : (code ?? 1));
    });
  });
}

function finish(passed, failed, reasons) {
  for (const reason of reasons) console.log(`✗ ${reason}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(reasons.length > 0 || failed > 0 ? 1 : 0);
}

// 1. Types. tap transpiles without type-checking, so a type error would otherwise pass unnoticed.
console.log('› tsc --noEmit -p tsconfig.json');
const tscCode = await run([bin('tsc'), '--noEmit', '-p', 'tsconfig.json']);
if (tscCode !== 0) finish(0, 1, ['type check failed (tsc --noEmit -p tsconfig.json); tests were not run']);
console.log('✓ types check\n');

// 2. The contract: the committed document, which a test keeps equal to what the code serves, must lint clean.
console.log('› npm run lint:openapi');
const lintOk = (await run([join(root, 'scripts', 'lint-openapi.mjs')])) === 0;
console.log(lintOk ? '✓ the OpenAPI document lints clean\n' : '✗ the OpenAPI document does not lint clean (see above); tap runs anyway\n');

// 3. Tests. Which files, the timeout and the coverage thresholds live in package.json's "tap" section.
console.log('› tap (raw TAP in .tap/last-run.tap)');
mkdirSync(dirname(RAW_TAP), { recursive: true });
rmSync(COVERAGE_SUMMARY, { force: true }); // a stale summary would explain the wrong run
const summary = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0, found: false };
let topOk = 0;
let topNotOk = 0;

/**
 * Reads the raw TAP stream line by line. Each top-level subtest is one test file; its lines are held
 * until it ends, then the file gets one PASS/FAIL line, and a failing file shows its subtest names,
 * failed assertions with their diagnostics, and any stray output. Lines after the last file (the
 * coverage table) pass through.
 */
function consume(stdout) {
  const raw = createWriteStream(RAW_TAP);
  const lines = createInterface({ input: stdout, crlfDelay: Infinity });
  let block = [];
  let inFile = false;
  lines.on('line', (line) => {
    raw.write(line + '\n');
    const summaryMatch = /^# (\{.*\})\s*$/.exec(line);
    if (summaryMatch) {
      for (const [, key, value] of summaryMatch[1].matchAll(/(\w+): (\d+)/g)) summary[key] = Number(value);
      summary.found = true;
    }
    if (/^# Subtest: /.test(line)) {
      inFile = true;
      block = [];
      return;
    }
    const end = /^(not ok|ok) \d+ - (.+?)(?: # (time=\S+|SKIP.*|TODO.*))?$/.exec(line);
    if (end) {
      const [, result, name, note = ''] = end;
      const time = note.startsWith('time=') ? ` (${note.slice(5)})` : note ? ` # ${note}` : '';
      if (result === 'ok') {
        topOk++;
        console.log(`  PASS ${name}${time}`);
        inFile = false;
      } else {
        topNotOk++;
        console.log(`  FAIL ${name}${time}`);
        for (const l of failureLines(block)) console.log(l); // already indented under the file
        inFile = 'diagnostics';
      }
      block = [];
      return;
    }
    if (inFile === true) {
      block.push(line);
      return;
    }
    if (inFile === 'diagnostics') {
      // The YAML block after a failed file: its exit code and signal tell a crash from a failed assertion.
      if (/^\s{2}(exitCode|signal): (?!null)/.test(line)) console.log(`    ${line.trim()}`);
      if (/^\s{2}\.\.\.$/.test(line)) inFile = false;
      return;
    }
    if (line.trim() !== '' && !/^(TAP version|\d+\.\.\d+|# time=)/.test(line)) console.log(line);
  });
  return new Promise((resolve) => lines.on('close', () => raw.end(resolve)));
}

/** From the lines of a failed file: subtest names, failed assertions with their YAML, stray output. */
function failureLines(block) {
  const out = [];
  let yamlIndent = -1;
  let lastWasNotOk = false;
  for (const line of block) {
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    if (yamlIndent >= 0) {
      if (indent >= yamlIndent || body === '') out.push(line);
      if (indent === yamlIndent && body === '...') yamlIndent = -1;
      continue;
    }
    if (lastWasNotOk && body === '---') {
      yamlIndent = indent;
      out.push(line);
      lastWasNotOk = false;
      continue;
    }
    lastWasNotOk = false;
    if (body.startsWith('# Subtest: ') || body.startsWith('not ok ')) {
      out.push(line);
      lastWasNotOk = body.startsWith('not ok ');
    } else if (!/^(ok \d+|\d+\.\.\d+|# |$)/.test(body) && body !== '---' && body !== '...') {
      out.push(line); // output a test printed to stdout
    }
  }
  return out;
}

// Two test files per core: a file spends much of its time waiting (a child server, a worker thread, fsyncs), and one
// per core (tap's default) left the two cores of CI's machine a third idle. On it the whole run went from 10.3 to 7.6
// minutes (both with swc: "ts-node" in tsconfig.json). TEST_JOBS sets another number.
const jobs = Number(process.env.TEST_JOBS) || 2 * availableParallelism();
const tapCode = await run(
  [bin('tap'), 'run', `--jobs=${jobs}`, '--reporter=tap', '--coverage-report=text', '--coverage-report=json-summary'],
  { onStdout: consume },
);

// 4. The verdict.
const reasons = [];
let passed = summary.pass;
let failed = summary.fail;
if (!summary.found) {
  // tap died before its summary: count test files instead of assertions.
  passed = topOk;
  failed = topNotOk;
  reasons.push('tap printed no summary (see the output above)');
}
if (tapCode !== 0 && failed === 0) {
  const below = coverageShortfalls();
  if (below.length > 0) reasons.push(`coverage below the thresholds (package.json "tap"): ${below.join(', ')}`);
  else reasons.push(`tap exited with code ${tapCode}`);
}
if (lintOk) passed++;
else {
  failed++;
  reasons.push('the OpenAPI document does not lint clean (npm run lint:openapi)');
}
finish(passed, failed, reasons);

/** Coverage figures under their threshold, e.g. "branches 71.4% < 75%". */
function coverageShortfalls() {
  try {
    const configured = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).tap ?? {};
    // tap lets TAP_LINES and friends override the config file, and demands 100% when nothing is set.
    const threshold = (k) => Number(process.env[`TAP_${k.toUpperCase()}`] ?? configured[k] ?? 100);
    const total = JSON.parse(readFileSync(COVERAGE_SUMMARY, 'utf8')).total;
    return ['lines', 'statements', 'functions', 'branches']
      .filter((k) => Number(total[k]?.pct) < threshold(k))
      .map((k) => `${k} ${total[k].pct}% < ${threshold(k)}%`);
  } catch {
    return [];
  }
}
