// Every pattern the API publishes and every regular expression literal in src/ is checked for catastrophic
// backtracking (ReDoS) with recheck: the service runs them on request input (zod compiles the published patterns;
// the literals read paths, headers and the cells of uploaded workbooks), and clients generated from
// openapi/openapi.json run the patterns on theirs. One that backtracks exponentially or polynomially on a crafted
// input holds the event loop for as long as it takes: `^ *X? *(?:, *X? *)*$`, the first form of the task list's
// status filter, took 2 s on 49 characters; /(.)\/+$/ on a path of 15,000 slashes, 0.24 s before any key was asked
// for; /[\s:*]+$/ on a 32,767-character header cell, 1.3 s. A run such expressions go over again from each of its
// positions is read once when the expression may only start where the run starts (`(?<!\s)\s+…`).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { checkSync } from 'recheck';
import ts from 'typescript';
import { stringsAt } from './helper.js';

/** Every regular expression literal in the TypeScript files under `dir`: where it is, its source and its flags. */
function literalsIn(dir: string): { where: string; source: string; flags: string }[] {
  const found: { where: string; source: string; flags: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText(source);
        const end = text.lastIndexOf('/');
        found.push({ where: `${relative(join(dir, '..'), file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`, source: text.slice(1, end), flags: text.slice(end + 1) });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

const SRC = fileURLToPath(new URL('../src', import.meta.url));

const document: unknown = JSON.parse(readFileSync(new URL('../openapi/openapi.json', import.meta.url), 'utf8'));

// JSON Schema patterns are ECMA-262 regexes with the u flag (draft 2020-12, OpenAPI 3.1). No limit in milliseconds:
// on a busy machine a check cut short by the clock is `unknown` (so it was, once, in a full run); the limits left are
// counts, and the fuzzer's seed is fixed, so a verdict does not depend on the machine's speed.
const check = (source: string, flags = 'u') => checkSync(source, flags, { timeout: null, incubationTimeout: null, randomSeed: 0 });

/** The verdict, with an input that shows it when the expression is vulnerable. */
function verdict(result: ReturnType<typeof checkSync>): string {
  return result.status === 'vulnerable' ? `vulnerable (${result.complexity.type}, e.g. ${JSON.stringify(result.attack.string.slice(0, 60))})` : result.status;
}

t.test('the checker tells an exponential pattern from its fixed form', async (t) => {
  const one = '(?:deadline_decision|report_review)';
  t.match(check(`^ *${one}? *(?:, *${one}? *)*$`), { status: 'vulnerable', complexity: { type: 'exponential' } }, 'the first form of the awaiting filter');
  t.match(check(`^ *(?:${one} *)?(?:, *(?:${one} *)?)*$`), { status: 'safe' }, 'its fixed form');
});

t.test('every pattern in the OpenAPI document is safe from catastrophic backtracking', async (t) => {
  const patterns = [...new Set(stringsAt(document, 'pattern'))];
  t.ok(patterns.length >= 10, `${patterns.length} patterns found`);
  for (const pattern of patterns) {
    const result = check(pattern);
    t.equal(result.status, 'safe', `${pattern.slice(0, 80)}: ${verdict(result)}`);
  }
});

t.test('every regular expression literal in src/ is safe from catastrophic backtracking', async (t) => {
  const literals = literalsIn(SRC);
  t.ok(literals.length >= 50, `${literals.length} literals found`);
  for (const { where, source, flags } of literals) {
    const result = check(source, flags);
    t.equal(result.status, 'safe', `${where} /${source.slice(0, 60)}/${flags}: ${verdict(result)}`);
  }
  // The checker sees what the fixes changed: the first forms of two of them.
  t.match(check('(.)\\/+$', ''), { status: 'vulnerable' }, 'the trailing slashes of a path, as first written');
  t.match(check('[\\s:*]+$', ''), { status: 'vulnerable' }, 'the end of a header cell, as first written');
});
