// The committed TypeScript client matches the committed contract: regenerating clients/typescript/schema.d.ts
// from openapi/openapi.json (what `npm run client:generate` does) changes nothing, and the generated types
// check under the project's strict settings. (test/openapi.test.ts keeps openapi.json equal to the code.)
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import t from 'tap';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCUMENT = new URL('../../openapi/openapi.json', import.meta.url);
const SCHEMA = new URL('../../clients/typescript/schema.d.ts', import.meta.url);
const CLIENT = new URL('../../clients/typescript/index.ts', import.meta.url);

t.test('clients/typescript/schema.d.ts is what openapi-typescript generates from openapi/openapi.json', async (t) => {
  // The CLI with the options of `npm run client:generate` (--default-non-nullable false: a request body's field with
  // a default stays optional; its --redocly file only picks the lint the generator runs first, which decides whether
  // it generates, never what).
  const generated = COMMENT_HEADER + astToString(await openapiTS(DOCUMENT, { silent: true, defaultNonNullable: false }));
  const committed = await readFile(SCHEMA, 'utf8');
  if (generated === committed) {
    t.pass('the committed client types are up to date');
    return;
  }
  const a = committed.split('\n');
  const b = generated.split('\n');
  let line = 0;
  while (line < a.length && a[line] === b[line]) line += 1;
  t.fail('the committed client types are stale: run `npm run client:generate` and commit clients/typescript/schema.d.ts', {
    firstDifferenceAtLine: line + 1,
    committed: a.slice(line, line + 3).join('\n'),
    generated: b.slice(line, line + 3).join('\n'),
  });
});

t.test('the generated types and the client wrapper type-check under the strict settings of tsconfig.json', async (t) => {
  // `tsc -p tsconfig.json` (npm test) has skipLibCheck on, which skips every .d.ts file, schema.d.ts included;
  // so this check asks the compiler about the two client files themselves, with skipLibCheck off.
  const configPath = ts.findConfigFile(ROOT, ts.sys.fileExists, 'tsconfig.json');
  t.ok(configPath, 'tsconfig.json found');
  const { config } = ts.readConfigFile(configPath!, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  t.equal(parsed.options.strict, true, 'the project compiles with strict on');
  const files = [fileURLToPath(SCHEMA), fileURLToPath(CLIENT)];
  t.ok(
    files.every((file) => parsed.fileNames.includes(file)),
    'tsconfig.json includes clients/, so `npm test` type-checks the client and its users',
  );
  const program = ts.createProgram(files, { ...parsed.options, skipLibCheck: false, noEmit: true });
  const diagnostics = files.flatMap((file) => [
    ...program.getSyntacticDiagnostics(program.getSourceFile(file)),
    ...program.getSemanticDiagnostics(program.getSourceFile(file)),
  ]);
  const messages = diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const name = d.file ? d.file.fileName.slice(ROOT.length) : '';
    return `${name}${where ? `:${where.line + 1}:${where.character + 1}` : ''} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  t.strictSame(messages, [], 'no type errors in schema.d.ts or index.ts');
});
