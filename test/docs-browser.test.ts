// The interactive API page /docs opened in a real headless Chromium (Debian's, through playwright-core), as a ministry's
// IT specialist opens it with the key the secretariat gave them: Authorize, then "Try it out" as the page prefills it.
import t, { type Test } from 'tap';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { InjectOptions } from 'fastify';
import { build, keyFor } from './helper.js';
import { approvePlan, createTask, seedPlan } from './factories.js';
import type { App } from '../src/app.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const inCI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());
/** Every request of the page is answered by app.inject: no socket; localhost is a trustworthy origin, so the app's security headers apply. */
const ORIGIN = 'http://localhost';

const missing = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y --no-install-recommends chromium); .ci/run does this in CI`;
if (missing && inCI) t.fail(missing);

/** Opens /docs with every request served by the app, as the browser sent it (no key unless the page adds one). */
async function openDocs(t: Test, app: App, browser: Browser) {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  const problems: string[] = [];
  const attempted: string[] = [];
  const sent: { url: string; headers: Record<string, string> }[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.route('**/*', async (route) => {
    const request = route.request();
    const url = request.url();
    if (!url.startsWith(`${ORIGIN}/`)) {
      attempted.push(url);
      return route.abort();
    }
    const headers = await request.allHeaders();
    sent.push({ url, headers });
    const res = await app.inject({
      method: request.method() as InjectOptions['method'],
      url: url.slice(ORIGIN.length),
      headers: { ...headers, authorization: headers.authorization },
      ...(request.postDataBuffer() ? { payload: request.postDataBuffer()! } : {}),
    });
    const replyHeaders = Object.fromEntries(Object.entries(res.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : typeof v === 'number' ? [[k, String(v)]] : [])));
    return route.fulfill({ status: res.statusCode, headers: replyHeaders, body: res.rawPayload });
  });
  await page.goto(`${ORIGIN}/docs`, { waitUntil: 'load' });
  await page.locator('.opblock-tag').first().waitFor();
  t.teardown(() => page.close());
  return { page, problems, attempted, sent };
}

/** Opens an operation, presses "Try it out", fills the named parameters, executes; returns the status shown. */
async function tryOut(page: Page, tag: string, operationId: string, params: Record<string, string> = {}) {
  const op = page.locator(`#operations-${tag.replace(/ /g, '_')}-${operationId}`);
  await op.locator('.opblock-summary').first().click();
  await op.locator('.try-out__btn').click();
  for (const [name, value] of Object.entries(params)) await op.locator(`tr[data-param-name="${name}"] input`).first().fill(value);
  await op.locator('button.execute').click();
  const status = op.locator('.live-responses-table tr.response .response-col_status').first();
  await status.waitFor();
  const body = await op.locator('.live-responses-table .response-col_description pre').first().innerText();
  const requestUrl = await op.locator('.request-url pre').first().innerText();
  return { status: Number((await status.innerText()).trim()), body, requestUrl };
}

t.test('a ministry opens /docs, authorizes with its key and tries the usual calls as the page prefills them', { skip: missing }, async (t) => {
  const app = await build(t);
  const { plan, by, assignees } = await seedPlan(app);
  const soon = await createTask(app, { planId: plan.id, code: '1.1', dueDate: '2026-12-15', title: 'Expand tractor assembly in Kostanay', assignees });
  await createTask(app, { planId: plan.id, code: '1.2', dueDate: '2027-03-31', title: 'Localise BelAZ dump trucks', assignees });
  await approvePlan(app, plan.id);
  const ministry = await keyFor(app, 'ministry', by.id);

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.teardown(() => browser.close());
  const { page, problems, attempted, sent } = await openDocs(t, app, browser);

  t.equal(await page.title(), 'Commission plan tracker API', 'the browser tab names the API, not the tool that shows it');
  await page.click('button.authorize');
  await page.fill('.modal-ux input', ministry.token);
  await page.click('.modal-ux button.authorize');
  await page.click('.modal-ux button.close-modal');

  const list = await tryOut(page, 'Tasks', 'listTasks', { planId: plan.id });
  t.equal(list.status, 200, 'listTasks');
  t.strictSame(JSON.parse(list.body).items.map((task: { code: string }) => task.code), ['1.1', '1.2'], 'the plan\'s tasks, no filter added by the page');
  t.notMatch(list.requestUrl, /dueFrom|dueTo/, 'no date filter the reader did not ask for');

  const report = await tryOut(page, 'Reports', 'getProgressReport', { planId: plan.id });
  t.equal(report.status, 200, `the progress report of today, as prefilled (${report.body.slice(0, 200)})`);
  t.notMatch(report.requestUrl, /asOf/, 'no asOf the reader did not ask for');

  const submitted = await tryOut(page, 'Progress reports', 'submitTaskReport', { id: soon.id, 'idempotency-key': 'docs-try-1' });
  t.equal(submitted.status, 201, `the prefilled progress report is accepted as it is (${submitted.body.slice(0, 200)})`);

  const storage = await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie');
  t.notMatch(storage, ministry.token, 'the key is kept in no storage of the page');
  t.notOk(sent.some((r) => r.url.includes(ministry.token)), 'the key is in no URL');
  t.ok(sent.some((r) => r.headers.authorization === `Bearer ${ministry.token}`), 'the key is sent as a bearer token');

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'docs.png') });
  t.strictSame(attempted, [], 'nothing fetched from outside the service');
  t.strictSame(problems, [], 'no console error, CSP violation or script error');
});
