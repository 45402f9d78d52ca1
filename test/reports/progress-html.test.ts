// The printable progress report rendered from a hand-made report: structure, numbers, charts, escaping, self-containment.
import t from 'tap';
import { escapeHtml, partyName, renderProgressHtml } from '../../src/modules/reports/progress.html.js';
import { barChart, stackedBarChart } from '../../src/modules/reports/svg-charts.js';
import { XSS_TITLE, emptyReportFixture, progressReportFixture } from './fixtures.js';

// ---- Reading the markup back: the renderer writes regular HTML, so small patterns suffice ----

const decode = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
/** The visible text of a fragment: tags dropped (a <br> as a space), entities decoded, whitespace collapsed. */
const text = (html: string) => decode(html.replace(/<br>/g, ' ').replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim();

function tableByCaption(html: string, caption: string) {
  const tables = [...html.matchAll(/<table[^>]*>([\s\S]*?)<\/table>/g)].map((m) => m[1]!);
  const found = tables.find((tb) => text(/<caption>([\s\S]*?)<\/caption>/.exec(tb)?.[1] ?? '') === caption);
  if (!found) throw new Error(`no table captioned "${caption}"`);
  const rows = (part: string) =>
    [...(new RegExp(`<${part}>([\\s\\S]*?)</${part}>`).exec(found)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
      [...r[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => text(c[1]!)),
    );
  return { head: rows('thead')[0] ?? [], body: rows('tbody'), foot: rows('tfoot'), html: found };
}

function sectionById(html: string, id: string): string {
  const m = new RegExp(`<section id="${id}"[\\s\\S]*?</section>`).exec(html);
  if (!m) throw new Error(`no section #${id}`);
  return m[0];
}

const svgs = (html: string) => [...html.matchAll(/<svg\b[^>]*>[\s\S]*?<\/svg>/g)].map((m) => m[0]);

// The labels' language: English (the Russian page is checked in progress-html-ru.test.ts).
const html = renderProgressHtml(progressReportFixture({ lang: 'en' }));

t.test('the page is one HTML document in the report language, titled with the commission, plan and date', async (t) => {
  t.match(html, /^<!doctype html>\n<html lang="en">/, 'doctype and lang from report.lang');
  t.match(html, /<meta charset="utf-8">/);
  const title = text(/<title>([\s\S]*?)<\/title>/.exec(html)![1]!);
  t.equal(title, 'Progress report: План мероприятий по итогам официального визита 4 ноября 2026 г. (as of 2026-11-28)');
  t.equal(text(/<h1>([\s\S]*?)<\/h1>/.exec(html)![1]!), 'Progress report: План мероприятий по итогам официального визита 4 ноября 2026 г.');
  t.match(html, /Межправительственная комиссия по торгово-экономическому сотрудничеству Беларусь – Казахстан/, 'commission name');
  t.match(text(html), 'As of 28 Nov 2026', 'the date described');
  t.match(html, '<time datetime="2026-11-28">', 'machine-readable date');
  t.match(text(html), 'Generated 28 Nov 2026, 12:00 (Europe/Minsk)', 'generated time in the commission\'s zone');
  t.match(text(html), 'Parties: Belarus (BY) and Kazakhstan (KZ)');
  t.match(text(html), 'Titles in English where translated');
});

t.test('the sections come in the order a co-chair reads them', async (t) => {
  const h2 = [...html.matchAll(/<h2[^>]*>([\s\S]*?)<\/h2>/g)].map((m) => text(m[1]!));
  t.strictSame(h2, [
    'Key figures',
    'Status by party',
    'Who is behind',
    'Missing progress reports',
    'Postponements',
    'Delivery confidence',
    'Breakdown by area and organization',
    'Indicators',
  ]);
  const h3 = [...html.matchAll(/<h3>([\s\S]*?)<\/h3>/g)].map((m) => text(m[1]!));
  t.strictSame(h3, ['Overdue by organization', 'Due in the next 30 days', 'At risk']);
});

t.test('key figures show tasks, share closed, overdue, due soon, postponements and missing reports', async (t) => {
  const kpis = Object.fromEntries(
    [...sectionById(html, 'key-figures').matchAll(/<dt>([\s\S]*?)<\/dt><dd><span class="value">([\s\S]*?)<\/span><span class="note">([\s\S]*?)<\/span>/g)].map(
      (m) => [text(m[1]!), [text(m[2]!), text(m[3]!)]],
    ),
  );
  t.strictSame(kpis, {
    Tasks: ['8', '1 cancelled'],
    Closed: ['25%', '2 closed: 1 on time (1 by the original deadline), 1 late'],
    'Reported done': ['1', 'awaiting closure by the secretariat'],
    Overdue: ['2', '87 days late in total'],
    'Due in 30 days': ['1', 'open tasks due soon'],
    Postponements: ['3', '2 tasks moved, 153 days in total'],
    'Missing reports': ['3', 'for 2026-Q3, due 10 Oct 2026'],
  });
  t.match(html, /<div class="kpi alert"><dt>Overdue<\/dt>/, 'overdue is flagged');
});

t.test('status by party: a table with one row per party and the whole plan once in the footer', async (t) => {
  const tb = tableByCaption(html, 'Tasks by status and party');
  t.strictSame(tb.head, ['Party', 'Tasks', 'Closed', 'Reported done', 'In progress', 'On hold', 'Not started', 'Cancelled', '% closed', 'Overdue', 'Due in 30 days']);
  t.strictSame(tb.body, [
    ['Belarus (BY)', '6', '2', '0', '2', '0', '1', '1', '33.3%', '2', '1'],
    ['Kazakhstan (KZ)', '8', '2', '1', '2', '1', '1', '1', '25%', '2', '1'],
  ]);
  t.strictSame(tb.foot, [['All tasks (each once)', '8', '2', '1', '2', '1', '1', '1', '25%', '2', '1']]);
});

t.test('who is behind: overdue tasks, most days late first, with basis, executors, due dates and days late', async (t) => {
  const basis = (item: number) => `Protocol No. 19 of 2026-11-04 (Официальный визит в Астану), item ${item}`;
  const tb = tableByCaption(html, 'Overdue tasks, most days late first (leads in bold)');
  t.strictSame(tb.head, ['Code', 'Task', 'Executors', 'Due', 'Days late', 'Moved', 'Status']);
  t.strictSame(tb.body, [
    ['1.1', `Расширение сборки белорусских тракторов в Костанае ${basis(1)}`, 'Минпром BY, МПС РК KZ, МТЗ BY', '30 Sep 2026 was 30 Jun 2026', '59', '1', 'In progress'],
    ['1.3', `${XSS_TITLE} ${basis(3)}`, 'Минпром BY, МПС РК KZ', '31 Oct 2026 was 31 Aug 2026', '28', '2', 'Not started'],
  ]);
  t.match(tb.html, '<strong><abbr title="Министерство промышленности Республики Беларусь">Минпром</abbr>', 'leads in bold, full name kept');
  t.match(tb.html, /, <abbr title="ОАО «Минский тракторный завод»">МТЗ<\/abbr>/, 'a co-executor is not bold');
  const intro = text(/<p class="intro">([\s\S]*?)<\/p>/.exec(sectionById(html, 'behind'))![1]!);
  t.equal(
    intro,
    '2 tasks are overdue, 87 days late in total. Most behind: Министерство промышленности и строительства Республики Казахстан (KZ); ' +
      'Министерство промышленности Республики Беларусь (BY), 2 overdue tasks each.',
    'every organization tied for the most overdue tasks is named',
  );
  const soon = tableByCaption(html, 'Open tasks due today or in the next 30 days, soonest first');
  t.strictSame(soon.body, [['2.1', 'Цифровая платформа прослеживаемости товаров', 'Минпром BY, Ministry of Trade & Integration of Kazakhstan KZ', '20 Dec 2026', 'In progress', 'Green: on track']]);
});

t.test('missing reports, postponements and indicators', async (t) => {
  t.strictSame(tableByCaption(html, 'Assignments without a report for the last period due').body, [
    ['Министерство промышленности Республики Беларусь', 'BY', '1.3', XSS_TITLE, '2026-Q3', '10 Oct 2026'],
    ['Министерство промышленности и строительства Республики Казахстан', 'KZ', '1.3', XSS_TITLE, '2026-Q3', '10 Oct 2026'],
    ['Ministry of Trade & Integration of Kazakhstan', 'KZ', '2.1', 'Цифровая платформа прослеживаемости товаров', '2026-Q3', '10 Oct 2026'],
  ]);
  t.match(text(sectionById(html, 'missing-reports')), 'Progress reports for 2026-Q3 were due 10 Oct 2026; the current period is 2026-Q4.');
  t.strictSame(tableByCaption(html, 'Most postponed tasks').body, [
    ['1.3', XSS_TITLE, '2', '61', '31 Aug 2026', '31 Oct 2026', 'Not started'],
    ['1.1', 'Расширение сборки белорусских тракторов в Костанае', '1', '92', '30 Jun 2026', '30 Sep 2026', 'In progress'],
  ]);
  t.match(text(sectionById(html, 'postponements')), '3 postponements of 2 tasks, 153 days in total.');
  const ind = tableByCaption(html, 'Indicators against their targets');
  t.strictSame(ind.body, [
    ['Товарооборот между Беларусью и Казахстаном', '—', 'млн долл. США', '1,000', '1,500', '1,210 2026-Q3', '42%'],
    ['Тракторы, собранные в Костанае', '1.1', 'шт.', '0', '1,200', '—', 'no value yet'],
    ['Доля локализации комбайнов', '1.2', '%', '20', '50', '56 2026-Q3', '120%'],
  ]);
  t.match(ind.html, '<span style="width:100%"></span>', 'a target passed fills the meter, no further');
  t.match(ind.html, '<span style="width:42%"></span>');
});

t.test('confidence and the breakdowns by area and organization', async (t) => {
  const conf = tableByCaption(html, 'Latest reports by confidence and party');
  t.strictSame(conf.body, [
    ['Belarus (BY)', '3', '2', '1', '1'],
    ['Kazakhstan (KZ)', '4', '1', '1', '2'],
  ]);
  t.strictSame(conf.foot, [['All assignments', '7', '3', '2', '3']]);
  const area = tableByCaption(html, 'By area of cooperation');
  t.strictSame(area.head, ['Area', 'Tasks', 'Closed', '% closed', 'Open', 'Overdue', 'Days late', 'Moved', 'Missing reports', 'Red']);
  t.strictSame(area.body, [
    ['Mechanical engineering', '3', '1', '33.3%', '2', '2', '87', '3', '2', '2'],
    ['Digitalization', '2', '0', '0%', '2', '0', '0', '0', '1', '0'],
    ['Food supplies', '2', '1', '50%', '1', '0', '0', '0', '0', '0'],
    ['Trade', '1', '0', '0%', '0', '0', '0', '0', '0', '0'],
  ]);
  const org = tableByCaption(html, 'By executing organization (a task counts for each of its executors)');
  t.equal(org.head[0], 'Organization');
  t.strictSame(org.body[2], ['ОАО «Минский тракторный завод» (МТЗ) BY', '1', '0', '0%', '1', '1', '59', '1', '0', '0']);
  t.strictSame(org.body[3]![0], 'Ministry of Trade & Integration of Kazakhstan KZ', 'no short name, no parentheses');
  t.match(text(sectionById(html, 'breakdown')), 'Open: neither closed nor cancelled.', 'the short headers are explained');
});

t.test('three charts, each an accessible inline SVG with a title, a description and text labels', async (t) => {
  const charts = svgs(html);
  t.equal(charts.length, 3, 'status by party, overdue by organization, confidence');
  t.strictSame(charts.map((c) => /id="([^"]+)"/.exec(c)![1]), ['chart-status', 'chart-overdue', 'chart-confidence']);
  for (const c of charts) {
    const id = /id="([^"]+)"/.exec(c)![1]!;
    t.match(c, `role="img" aria-labelledby="${id}-title ${id}-desc"`, `${id} is labelled`);
    t.match(c, new RegExp(`<title id="${id}-title">[^<]+</title><desc id="${id}-desc">[^<]+</desc>`), `${id} has a title and description`);
    t.match(c, /<text\b/, `${id} has text labels`);
    t.notMatch(c, /xmlns|href/, `${id} refers to nothing outside the page`);
  }
  const [status, overdue, confidence] = charts as [string, string, string];
  t.equal((status.match(/class="bar-row"/g) ?? []).length, 2, 'one bar per party');
  t.match(status, '>6 tasks</text>');
  t.match(status, '>8 tasks</text>');
  const legend = [...status.matchAll(/<g class="legend-item">[\s\S]*?<text[^>]*>([^<]*)<\/text><\/g>/g)].map((m) => m[1]);
  t.strictSame(legend, ['Closed', 'Reported done', 'In progress', 'On hold', 'Not started', 'Cancelled'], 'a legend names every status');
  t.match(status, /<pattern id="chart-status-fill-in_progress"/, 'a pattern tells statuses apart in grayscale');
  t.strictSame([...overdue.matchAll(/<g class="bar-row"><text[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]!)), ['МПС РК · KZ', 'Минпром · BY', 'МТЗ · BY']);
  t.match(overdue, '>2 tasks, 87 days late</text>');
  t.match(overdue, '>1 task, 59 days late</text>');
  t.match(confidence, '>7 (46.7%)</text>');
  t.match(confidence, '>2 (13.3%)</text>');
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  t.equal(new Set(ids).size, ids.length, 'no id is used twice in the page (chart patterns included)');
});

t.test('every text is escaped: a <script> in a title stays text', async (t) => {
  t.notMatch(html, /<script/i, 'no script element anywhere');
  t.match(html, 'БЕЛАЗ &lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt; &amp; &quot;кавычки&quot;');
  t.match(html, 'Ministry of Trade &amp; Integration of Kazakhstan');
  t.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  t.equal(escapeHtml(null), '');

  const hostile = progressReportFixture({
    scope: { ...progressReportFixture().scope, commissionName: '"><img src=x onerror=alert(1)>', timeZone: '"><b>' },
  });
  hostile.byOrganization[0]!.shortName = '<svg onload=alert(1)>';
  hostile.byOrganization[0]!.country = '"/><script>';
  const out = renderProgressHtml(hostile);
  t.notMatch(out, /<img|<script|<svg onload|<b>/i, 'names land as text in content and attributes, charts included');
  t.match(out, '&lt;svg onload=alert(1)&gt; · &quot;/&gt;&lt;script&gt;', 'the chart label is escaped');
});

t.test('the page needs nothing from outside: no URLs, imports, scripts, images or fonts', async (t) => {
  t.notMatch(html, /https?:\/\//i, 'no absolute URL anywhere');
  t.notMatch(html, /\b(?:src|href)\s*=\s*(?!["']?#)/i, 'every href is an in-page anchor, and there is no src');
  t.notMatch(html, /@import|@font-face|<link\b|<img\b|<iframe\b|<object\b|<embed\b|javascript:/i);
  t.notMatch(html.replace(/url\(#[\w-]+\)/g, ''), /url\(/, 'url() only for in-page pattern fills');
  t.equal((html.match(/<style>/g) ?? []).length, 1, 'one inline stylesheet');
});

t.test('print styles: A4 pages, headers repeated, rows and charts kept whole', async (t) => {
  const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  t.match(css, /@page \{ size: A4;/);
  t.match(css, /@media print \{/);
  t.match(css, /tr, \.kpi, \.chart-figure, svg\.chart \{ break-inside: avoid; page-break-inside: avoid; \}/);
  t.match(css, /thead \{ display: table-header-group; \}/);
  t.match(css, /h2 \{[^}]*break-after: avoid/);
  t.match(css, /print-color-adjust: exact/, 'chart fills print');
  t.match(css, /\.toc \{ display: none; \}/, 'the on-screen navigation is not printed');
});

t.test('the html lang is that of the page\'s words: English without a language, Russian for kk', async (t) => {
  t.match(renderProgressHtml(progressReportFixture({ lang: 'kk' })), '<html lang="ru">');
  const en = renderProgressHtml(progressReportFixture({ lang: null }));
  t.match(en, '<html lang="en">');
  t.notMatch(en, 'Titles in', 'no language note without a language');
});

t.test('a plan with no tasks still renders every section, with a sentence in place of each empty table', async (t) => {
  const out = renderProgressHtml(emptyReportFixture());
  t.equal([...out.matchAll(/<h2/g)].length, 8, 'all eight sections');
  const charts = svgs(out);
  t.equal(charts.length, 1, 'only the confidence chart, with nothing to split by party or organization');
  t.match(charts[0]!, '>0</text>', 'zero bars are labelled 0');
  for (const sentence of [
    'No tasks have executors yet.',
    'No task is overdue.',
    'No open task is due today or in the next 30 days.',
    'No open task is rated at risk or off track beyond the overdue ones.',
    'Every assignment has reported for the last period due.',
    'No deadline has been moved.',
    'No indicators are defined for these plans.',
    'No reporting period has reached its deadline yet; the current period is 2026-Q1.',
    'no reporting period due yet',
  ])
    t.match(text(out), sentence);
  t.notMatch(out, /<table/, 'no empty tables');
});

t.test('a report over several plans lists them; odd zones and party codes degrade to plain text', async (t) => {
  const base = progressReportFixture({ lang: 'en' });
  const out = renderProgressHtml({
    ...base,
    scope: {
      ...base.scope,
      timeZone: 'Not/A_Zone',
      plans: [...base.scope.plans, { id: 'plan-2025', title: 'План 2025 года', status: 'closed', reportingPeriod: base.reportingPeriod }],
    },
  });
  t.match(text(/<h1>([\s\S]*?)<\/h1>/.exec(out)![1]!), 'Progress report: Межправительственная комиссия по торгово-экономическому сотрудничеству Беларусь – Казахстан: 2 plans');
  t.match(text(out), 'План 2025 года (closed)');
  t.match(text(out), 'Generated 2026-11-28 09:00 UTC', 'an unknown zone falls back to UTC');
  t.equal(partyName('XX'), 'XX');
  t.equal(partyName('ZZ'), 'XX'.replace('XX', 'ZZ'), 'no "Unknown Region"');
  t.equal(partyName('1'), '1', 'an invalid code is shown as given');
});

t.test('chart primitives: narrow segments carry no label, empty rows and zero bars still draw', async (t) => {
  const stacked = stackedBarChart({
    id: 'c',
    title: 'T',
    description: 'D',
    series: [
      { key: 'a', label: 'A', fill: { colour: '#000', lightText: true } },
      { key: 'b', label: 'B', fill: { colour: '#eee' } },
    ],
    rows: [
      { label: 'wide', values: { a: 1000, b: 1 } },
      { label: 'none', values: {} },
    ],
    totalLabel: (n) => `${n}`,
  });
  t.match(stacked, '>1,000</text>', 'the wide segment is labelled');
  t.notMatch(stacked, /text-anchor="middle"[^>]*>1<\/text>/, 'the sliver is not');
  t.match(stacked, '>0</text>', 'an empty row shows its total');
  t.match(stacked, 'fill="#ffffff">1,000', 'light text on a dark fill');
  const bars = barChart({ id: 'b', title: 'T', description: 'D', bars: [{ key: 'z', label: 'Zero', value: 0, note: 'none', fill: { colour: '#000' } }] });
  t.match(bars, /<rect x="[\d.]+" y="0" width="1.0"/, 'a zero is a hairline');
  t.match(bars, 'viewBox="0 0 720 28"');
});

t.test('a chart label cut short is cut between characters, never inside an emoji', async (t) => {
  const { barChart } = await import('../../src/modules/reports/svg-charts.js');
  const svg = barChart({ id: 'c', title: 'T', description: 'D', bars: [{ key: 'k', label: '😀'.repeat(40), value: 1, note: '1 task', fill: { colour: '#b71c1c', lightText: true } }] });
  t.notOk(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(svg), 'no lone surrogate');
  t.match(svg, /😀…/, 'the label ends in an ellipsis after whole emoji');
});
