// `npm run openapi`: writes the OpenAPI document the app serves to openapi/openapi.json (committed).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'openapi', 'openapi.json');

// Defaults only, never the caller's environment: the document must not depend on who generated it.
const config = loadConfig({ DATABASE_PATH: ':memory:' });
const app = await buildApp({ config, logger: false });
try {
  await app.ready();
  await mkdir(dirname(OUTPUT), { recursive: true });
  await writeFile(OUTPUT, `${JSON.stringify(app.swagger(), null, 2)}\n`);
  console.log(`wrote ${OUTPUT}`);
} finally {
  await app.close();
}
