// The printable progress report opened in a real headless Chromium (Debian's, through playwright-core): charts and
// tables visible, nothing fetched from anywhere, a PDF when printed, and a screenshot kept in test-artifacts/.
import t from 'tap';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build } from '../helper.js';
import { approvePlan, createTask, seedPlan, transition } from '../factories.js';
import type { App } from '../../src/app.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const inCI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());
/** The page's address: route() answers it from app.inject, so no socket is opened; localhost is a trustworthy origin, as https would be, so the app's security headers apply as for a co-chair. */
const ORIGIN = 'http://localhost';
const XSS = 'Цифровая платформа <script>alert(1)</script>';

// In CI the browser is part of the contract (.ci/run installs it): its absence fails. Locally the test may be skipped.
const missing = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y --no-install-recommends chromium); .ci/run does this in CI`;
if (missing && inCI) t.fail(missing);

/** A plan like the demo's: two overdue tasks (one postponed), one due soon, one closed, a Russian title and a hostile one. */
async function seedReport(app: App) {
  const seed = await seedPlan(app);
  const { plan, assignees, by } = seed;
  const task = (code: string, dueDate: string, title: string, extra: Record<string, unknown> = {}) =>
    createTask(app, { planId: plan.id, code, dueDate, title, assignees, ...extra });
  const tractors = await task('1.1', '2026-09-30', 'Expand tractor assembly in Kostanay', {
    translations: { ru: { title: 'Расширение сборки белорусских тракторов в Костанае' } },
  });
  const dumpers = await task('1.2', '2026-08-31', 'Localise BelAZ dump trucks', { translations: { ru: { title: 'Локализация самосвалов БЕЛАЗ' } } });
  const combines = await task('1.3', '2026-10-15', 'Joint combine production', {
    area: 'mechanical_engineering',
    translations: { ru: { title: 'Совместное производство комбайнов' } },
  });
  await task('2.1', '2026-12-20', XSS, { area: 'digitalization', assignees: [{ organizationId: by.id, role: 'lead' }] });
  await task('3.1', '2027-03-31', 'Grain supplies', { area: 'food_supplies' });
  await approvePlan(app, plan.id);
  await transition(app, tractors.id, 'in_progress');
  await transition(app, combines.id, 'in_progress');
  await transition(app, combines.id, 'done');
  await transition(app, combines.id, 'closed');
  const moved = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${dumpers.id}/deadline-changes`,
    payload: { kind: 'direct', newDueDate: '2026-10-31', reason: 'Certification of the dump trucks takes longer than planned.' },
  });
  if (moved.statusCode !== 201 && moved.statusCode !== 200) throw new Error(`deadline change answered ${moved.statusCode}: ${moved.body}`);
  return seed;
}

t.test('a co-chair opens the report in Chromium: charts and tables on screen, nothing fetched, a PDF in print', { skip: missing }, async (t) => {
  const app = await build(t);
  const { plan } = await seedReport(app);
  const path = `/v1/reports/progress?planId=${plan.id}&format=html&lang=ru`;
  const res = await app.inject({ method: 'GET', url: path });
  t.equal(res.statusCode, 200, `GET ${path}`);
  t.match(String(res.headers['content-type']), /^text\/html/);
  t.match(String(res.headers['content-security-policy']), /^default-src 'none'; /, 'the page allows nothing it does not use');

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const attempted: string[] = [];
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  // The page itself comes from the app, with the app's headers (its Content-Security-Policy included);
  // every other request is refused and noted: the page must need none.
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === `${ORIGIN}${path}`) {
      const headers = Object.fromEntries(Object.entries(res.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));
      return route.fulfill({ status: res.statusCode, headers, body: res.body });
    }
    attempted.push(url);
    return route.abort();
  });
  await page.goto(`${ORIGIN}${path}`, { waitUntil: 'load' });

  t.equal(await page.getAttribute('html', 'lang'), 'ru', 'the page is in the language asked for');
  t.match(await page.title(), /^Отчёт о ходе выполнения: Plan of measures 2026–2027 \(по состоянию на 28\.11\.2026\)$/, 'asked in Russian, it reads in Russian');
  t.match(await page.locator('h1').innerText(), 'Plan of measures 2026–2027');
  t.strictSame(await page.locator('h2').allInnerTexts(), [
    'Основные показатели',
    'Исполнение по сторонам',
    'Кто отстаёт',
    'Непредставленные отчёты',
    'Переносы сроков',
    'Уверенность в исполнении',
    'По направлениям и организациям',
    'Индикаторы',
  ], 'every section');

  // The stylesheet applied (a CSP refusing inline styles would leave the body full width).
  const body = await page.locator('body').boundingBox();
  t.ok(body && body.width <= 1100, `the inline stylesheet applies (body ${body?.width}px wide)`);

  const charts = page.locator('svg.chart');
  t.equal(await charts.count(), 3, 'three charts');
  for (const id of ['chart-status', 'chart-overdue', 'chart-confidence']) {
    const chart = page.locator(`#${id}`);
    t.ok(await chart.isVisible(), `${id} is visible`);
    const box = await chart.boundingBox();
    t.ok(box && box.width > 300 && box.height > 20, `${id} has a real size (${box?.width}×${box?.height})`);
    t.ok((await chart.locator('text').count()) > 0, `${id} carries text labels`);
  }
  t.equal(await page.locator('#chart-status .bar-row').count(), 2, 'one bar per party');
  t.equal(await page.locator('#chart-overdue .bar-row').count(), 2, 'both ministries are behind');

  const overdueRows = page.locator('#behind table').first().locator('tbody tr');
  t.equal(await overdueRows.count(), 2, 'two overdue tasks');
  const [first, second] = [await overdueRows.nth(0).locator('td').allInnerTexts(), await overdueRows.nth(1).locator('td').allInnerTexts()];
  t.strictSame([first[0], first[4]], ['1.1', '59'], 'most days late first');
  t.match(first[1], 'Расширение сборки белорусских тракторов в Костанае', 'the title in Russian');
  t.strictSame([second[0], second[4]], ['1.2', '28']);
  t.match(second[1], 'Локализация самосвалов БЕЛАЗ');
  t.match(second[3], /31\.10\.2026\s+был 31\.08\.2026/, 'the postponed due date with the original');
  t.ok((await page.locator('#by-party tbody tr').count()) === 2, 'the status table has a row per party');
  t.ok((await page.locator('#breakdown tbody tr').count()) >= 5, 'breakdown tables have rows');
  t.equal(await page.locator('#postponements tbody tr').count(), 1, 'the postponed task');
  t.equal(await page.locator('script').count(), 0, 'no script element, not even the one in a title');
  t.ok(await page.getByText(XSS, { exact: true }).first().isVisible(), 'a <script> in a title is shown as text');

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = await page.screenshot({ path: join(ARTIFACTS, 'progress-report.png'), fullPage: true });
  t.ok(shot.length > 20_000, `a screenshot is kept in test-artifacts/progress-report.png (${shot.length} bytes)`);

  // Printed: navigation hidden, charts kept, and the widest table fits the width of an A4 page.
  await page.emulateMedia({ media: 'print' });
  t.ok(await page.locator('nav.toc').isHidden(), 'the on-screen navigation is not printed');
  t.ok(await page.locator('#chart-status').isVisible(), 'charts print');
  await page.setViewportSize({ width: 718, height: 1000 }); // A4 (210 mm) less 12 mm margins, at 96 dpi
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  t.ok(overflow <= 0, `nothing runs off the printed page (overflow ${overflow}px)`);
  const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  writeFileSync(join(ARTIFACTS, 'progress-report.pdf'), pdf);
  t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF');
  t.ok(pdf.length > 10_000, `a non-empty PDF (${pdf.length} bytes)`);

  t.strictSame(attempted, [], 'no request left the page');
  t.strictSame(problems, [], 'no console error, CSP violation, script error or dialog');
});
