// `npm run lint:openapi`: the committed openapi/openapi.json through Spectral (spectral:oas + OWASP, .spectral.yaml)
// and Redocly (recommended-strict, redocly.yaml). Any result of either, even a hint, fails: a rule that does not
// apply is switched off in its ruleset with its reason, never left to warn. Exit code 0 only when both are clean.
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => realpathSync(join(root, 'node_modules', '.bin', name));
// Relative to the root: the overrides in .spectral.yaml and .redocly.lint-ignore.yaml name the file this way.
const DOCUMENT = 'openapi/openapi.json';

/** Runs a node program from the root; resolves with its exit code and its output, stdout and stderr together. */
function run(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: signal ? 1 : (code ?? 1), output }));
  });
}

// Redocly 2.x boxes a notice about Node.js 20 into every run; it says nothing about the document.
const withoutBanner = (text) =>
  text
    .split('\n')
    .filter((line) => !/[╔╗╚╝║═]/.test(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

const linters = [
  {
    name: 'Spectral (spectral:oas + OWASP API Security, .spectral.yaml)',
    args: [bin('spectral'), 'lint', DOCUMENT, '--ruleset', '.spectral.yaml', '--fail-severity', 'hint', '--format', 'text'],
  },
  {
    name: 'Redocly (recommended-strict, redocly.yaml)',
    args: [bin('redocly'), 'lint', DOCUMENT, '--config', 'redocly.yaml', '--format', 'stylish'],
    env: { REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  },
];

let failed = 0;
for (const linter of linters) {
  const { code, output } = await run(linter.args, linter.env);
  if (code === 0) {
    console.log(`✓ ${linter.name}: no problems`);
  } else {
    failed++;
    console.log(`✗ ${linter.name} found problems:\n${withoutBanner(output)}\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
