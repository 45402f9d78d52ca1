// The co-chairs' progress report as one self-contained, printable HTML page: inline CSS and SVG, no scripts,
// no external requests. Labels are in English (the UI language); task titles come in the report's language.
import type { TaskArea } from '../../db/enums.js';
import type { Breakdown, ProgressReport, ReportTask } from './progress.schemas.js';
import { PROGRESS_REPORT_CSS } from './progress.css.js';
import {
  CONFIDENCE_LABELS,
  STATUS_LABELS,
  STATUS_ORDER,
  confidenceChart,
  escapeHtml,
  overdueByOrganizationChart,
  statusByPartyChart,
} from './svg-charts.js';

export { escapeHtml };

const AREA_LABELS: Record<TaskArea, string> = {
  mechanical_engineering: 'Mechanical engineering',
  digitalization: 'Digitalization',
  food_supplies: 'Food supplies',
  agriculture: 'Agriculture',
  trade: 'Trade',
  industrial_cooperation: 'Industrial cooperation',
  energy: 'Energy',
  transport_logistics: 'Transport and logistics',
  regional_cooperation: 'Regional cooperation',
  science_education: 'Science and education',
  other: 'Other',
};

const LANGUAGE_NAMES: Record<string, string> = { ru: 'Russian', be: 'Belarusian', kk: 'Kazakh', en: 'English' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// ---- Formatting: plain numbers, unambiguous dates ----

const e = escapeHtml;
// Made once: a formatter made per number was 2.2 s of the 2.7 s page of a plan of 100,000 tasks.
const INT = new Intl.NumberFormat('en-US');
const DEC = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const PCT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const int = (n: number) => INT.format(n);
const dec = (n: number) => DEC.format(n);
const pct = (n: number) => `${PCT.format(n)}%`;
const plural = (n: number, one: string, many: string) => `${int(n)} ${n === 1 ? one : many}`;

/** "2026-11-28" → "28 Nov 2026", inside a <time> element. Parsed by hand: no time zone can shift a date. */
function date(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const text = m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}` : iso;
  return `<time datetime="${e(iso)}">${e(text)}</time>`;
}

function instant(iso: string, timeZone: string): string {
  let text: string;
  try {
    const f = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
    text = `${f.format(new Date(iso))} (${timeZone})`;
  } catch {
    text = `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  }
  return `<time datetime="${e(iso)}">${e(text)}</time>`;
}

let regionNames: Intl.DisplayNames | undefined;
/** "BY" → "Belarus (BY)". */
export function partyName(code: string): string {
  try {
    regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
    const name = regionNames.of(code);
    return name && name !== code && name !== 'Unknown Region' ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

// ---- Building blocks ----

type Cell = string | { html: string; className?: string };
interface Column<T> {
  head: string;
  cell: (row: T) => Cell;
  num?: boolean;
}

function table<T>(opts: { caption: string; columns: Column<T>[]; rows: T[]; foot?: T[]; empty: string; className?: string }): string {
  if (opts.rows.length === 0) return `<p class="empty">${e(opts.empty)}</p>`;
  const tr = (row: T) =>
    `<tr>${opts.columns
      .map((c) => {
        const v = c.cell(row);
        const html = typeof v === 'string' ? v : v.html;
        const cls = [c.num ? 'num' : '', typeof v === 'string' ? '' : (v.className ?? '')].filter(Boolean).join(' ');
        return `<td${cls ? ` class="${cls}"` : ''}>${html}</td>`;
      })
      .join('')}</tr>`;
  const head = opts.columns.map((c) => `<th scope="col"${c.num ? ' class="num"' : ''}>${e(c.head)}</th>`).join('');
  const foot = opts.foot?.length ? `<tfoot>${opts.foot.map(tr).join('')}</tfoot>` : '';
  return (
    `<table class="${opts.className ?? 'data'}"><caption>${e(opts.caption)}</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>${opts.rows.map(tr).join('')}</tbody>${foot}</table>`
  );
}

function section(id: string, heading: string, body: string, intro?: string): string {
  return `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${e(heading)}</h2>${intro ? `<p class="intro">${intro}</p>` : ''}${body}</section>`;
}

function figure(svg: string, caption: string): string {
  return `<figure class="chart-figure">${svg}<figcaption>${e(caption)}</figcaption></figure>`;
}

const code = (t: { code: string }) => ({ html: e(t.code), className: 'code' });
const title = (t: { title: string }) => ({ html: e(t.title), className: 'title' });
const status = (t: ReportTask) => e(STATUS_LABELS[t.status]);
/** The title with the protocol item that set the task: what a co-chair cites when chasing a ministry. */
const titleWithBasis = (t: ReportTask) => ({
  html: `${e(t.title)}${t.basis ? `<br><span class="basis">${e(t.basis.text)}</span>` : ''}`,
  className: 'title',
});

/** Leads in bold, then co-executors; short names, with the full name for screen readers and on hover. */
function executors(t: ReportTask): Cell {
  const html = t.executors
    .map((x) => {
      const name = `<abbr title="${e(x.name)}">${e(x.shortName ?? x.name)}</abbr> <span class="country">${e(x.country)}</span>`;
      return x.role === 'lead' ? `<strong>${name}</strong>` : name;
    })
    .join(', ');
  return { html: html || '—', className: 'executors' };
}

function dueWithOriginal(t: ReportTask): string {
  return t.dueDate === t.originalDueDate ? date(t.dueDate) : `${date(t.dueDate)}<br><span class="was">was ${date(t.originalDueDate)}</span>`;
}

// ---- Sections ----

function keyFigures(r: ProgressReport): string {
  const t = r.totals;
  const card = (label: string, value: string, note: string, alert = false) =>
    `<div class="kpi${alert ? ' alert' : ''}"><dt>${e(label)}</dt><dd><span class="value">${value}</span><span class="note">${note}</span></dd></div>`;
  const missingNote = r.reportingPeriod.lastDue
    ? `for ${e(r.reportingPeriod.lastDue)}, due ${r.reportingPeriod.lastDueDeadline ? date(r.reportingPeriod.lastDueDeadline) : '—'}`
    : 'no reporting period due yet';
  const cards = [
    card('Tasks', int(t.taskCount), `${int(t.byStatus.cancelled)} cancelled`),
    card('Closed', pct(t.percentByStatus.closed), `${int(t.byStatus.closed)} closed: ${int(t.closedOnTime)} on time, ${int(t.closedLate)} late`),
    card('Reported done', int(t.byStatus.done), 'awaiting closure by the secretariat'),
    card('Overdue', int(t.overdue), e(`${plural(t.overdueDays, 'day', 'days')} late in total`), t.overdue > 0),
    card('Due in 30 days', int(t.dueNext30Days), 'open tasks due soon'),
    card('Postponements', int(t.postponements), e(`${plural(t.postponedTasks, 'task', 'tasks')} moved, ${plural(t.daysMoved, 'day', 'days')} in total`)),
    card('Missing reports', int(t.missingReports), missingNote, t.missingReports > 0),
  ];
  return section('key-figures', 'Key figures', `<dl class="kpis">${cards.join('')}</dl>`);
}

const STATUS_COLUMNS: Column<Breakdown>[] = STATUS_ORDER.map((s) => ({ head: STATUS_LABELS[s], cell: (b) => int(b.byStatus[s]), num: true }));

function statusByParty(r: ProgressReport): string {
  const rows = r.byParty.map((p) => ({ ...p, label: partyName(String(p.key)) }));
  const chart = rows.length
    ? figure(statusByPartyChart(rows.map((p) => ({ label: p.label, byStatus: p.byStatus }))), 'A task with executors of both parties counts for each.')
    : '';
  const columns: Column<Breakdown & { label: string }>[] = [
    { head: 'Party', cell: (b) => ({ html: e(b.label), className: 'label' }) },
    { head: 'Tasks', cell: (b) => int(b.taskCount), num: true },
    ...STATUS_COLUMNS,
    { head: '% closed', cell: (b) => pct(b.percentByStatus.closed), num: true },
    { head: 'Overdue', cell: (b) => ({ html: int(b.overdue), className: b.overdue ? 'bad' : '' }), num: true },
    { head: 'Due in 30 days', cell: (b) => int(b.dueNext30Days), num: true },
  ];
  const body = table({
    caption: 'Tasks by status and party',
    columns,
    rows,
    foot: [{ ...r.totals, label: 'All tasks (each once)' }],
    empty: 'No tasks have executors yet.',
  });
  return section('by-party', 'Status by party', chart + body);
}

function whoIsBehind(r: ProgressReport): string {
  const orgs = r.byOrganization
    .filter((o) => o.overdue > 0)
    .sort((a, b) => b.overdue - a.overdue || b.overdueDays - a.overdueDays || a.label.localeCompare(b.label));
  // Name every organization tied for the most overdue tasks: singling one out of a tie would be unfair.
  const worst = orgs.filter((o) => o.overdue === orgs[0]?.overdue);
  const most = worst.length
    ? ` Most behind: ${worst.map((o) => `${o.label} (${o.country})`).join('; ')}, ${plural(worst[0]!.overdue, 'overdue task', 'overdue tasks')}${worst.length > 1 ? ' each' : ''}.`
    : '';
  const intro =
    r.overdue.length === 0
      ? undefined
      : e(`${plural(r.overdue.length, 'task is', 'tasks are')} overdue, ${plural(r.totals.overdueDays, 'day', 'days')} late in total.${most}`);
  const tasks = table<ReportTask>({
    caption: 'Overdue tasks, most days late first (leads in bold)',
    columns: [
      { head: 'Code', cell: code },
      { head: 'Task', cell: titleWithBasis },
      { head: 'Executors', cell: executors },
      { head: 'Due', cell: dueWithOriginal },
      { head: 'Days late', cell: (t) => ({ html: int(t.daysOverdue), className: 'bad' }), num: true },
      { head: 'Moved', cell: (t) => int(t.postponementCount), num: true },
      { head: 'Status', cell: status },
    ],
    rows: r.overdue,
    empty: 'No task is overdue.',
  });
  const chart = orgs.length
    ? figure(
        overdueByOrganizationChart(orgs.map((o) => ({ key: String(o.key), label: `${o.shortName ?? o.label} · ${o.country}`, overdue: o.overdue, overdueDays: o.overdueDays }))),
        'A task counts for each of its executing organizations.',
      )
    : '';
  const dueSoon = table<ReportTask>({
    caption: 'Open tasks due in the next 30 days, soonest first',
    columns: [
      { head: 'Code', cell: code },
      { head: 'Task', cell: title },
      { head: 'Executors', cell: executors },
      { head: 'Due', cell: (t) => date(t.dueDate) },
      { head: 'Status', cell: status },
      { head: 'Confidence', cell: (t) => e(t.confidence ? CONFIDENCE_LABELS[t.confidence] : CONFIDENCE_LABELS.none) },
    ],
    rows: r.dueSoon,
    empty: 'No open task is due in the next 30 days.',
  });
  return section(
    'behind',
    'Who is behind',
    `${tasks}${orgs.length ? `<h3>Overdue by organization</h3>${chart}` : ''}<h3>Due in the next 30 days</h3>${dueSoon}`,
    intro,
  );
}

function missingReports(r: ProgressReport): string {
  const { lastDue, lastDueDeadline } = r.reportingPeriod;
  const intro = lastDue
    ? `Progress reports for ${e(lastDue)} were due ${lastDueDeadline ? date(lastDueDeadline) : ''}; the current period is ${e(r.reportingPeriod.current)}.`
    : `No reporting period has reached its deadline yet; the current period is ${e(r.reportingPeriod.current)}.`;
  const body = table<ProgressReport['missingReports'][number]>({
    caption: 'Assignments without a report for the last period due',
    columns: [
      { head: 'Organization', cell: (m) => ({ html: e(m.organizationName), className: 'label' }) },
      { head: 'Country', cell: (m) => e(m.country) },
      { head: 'Code', cell: code },
      { head: 'Task', cell: title },
      { head: 'Period', cell: (m) => e(m.period) },
      { head: 'Deadline', cell: (m) => date(m.deadline) },
    ],
    rows: r.missingReports,
    empty: 'Every assignment has reported for the last period due.',
  });
  return section('missing-reports', 'Missing progress reports', body, intro);
}

function postponements(r: ProgressReport): string {
  const t = r.totals;
  const intro = e(
    `${plural(t.postponements, 'postponement', 'postponements')} of ${plural(t.postponedTasks, 'task', 'tasks')}, ${plural(t.daysMoved, 'day', 'days')} in total.`,
  );
  const body = table<ReportTask>({
    caption: 'Most postponed tasks',
    columns: [
      { head: 'Code', cell: code },
      { head: 'Task', cell: title },
      { head: 'Times moved', cell: (x) => int(x.postponementCount), num: true },
      { head: 'Days moved', cell: (x) => int(x.daysMoved), num: true },
      { head: 'Original due', cell: (x) => date(x.originalDueDate) },
      { head: 'Due now', cell: (x) => date(x.dueDate) },
      { head: 'Status', cell: status },
    ],
    rows: r.mostPostponed.filter((x) => x.postponementCount > 0),
    empty: 'No deadline has been moved.',
  });
  return section('postponements', 'Postponements', body, intro);
}

function confidence(r: ProgressReport): string {
  const c = r.totals.confidence;
  const columns: Column<Breakdown & { label: string }>[] = [
    { head: 'Party', cell: (b) => ({ html: e(b.label), className: 'label' }) },
    ...(['green', 'amber', 'red', 'none'] as const).map((k) => ({ head: CONFIDENCE_LABELS[k], cell: (b: Breakdown) => int(b.confidence[k]), num: true })),
  ];
  const body = table({
    caption: 'Latest reports by confidence and party',
    columns,
    rows: r.byParty.map((p) => ({ ...p, label: partyName(String(p.key)) })),
    foot: [{ ...r.totals, label: 'All assignments' }],
    empty: 'No assignments yet.',
  });
  return section(
    'confidence',
    'Delivery confidence',
    figure(confidenceChart(c), 'Each assignment (task × executing organization) counts once, by its latest report.') + body,
    'How confident executors are, in their latest report, that each task will be delivered on time.',
  );
}

/**
 * The per-group columns of the area and organization tables. The full split by status is in the party table (and in
 * CSV and XLSX); here a co-chair needs how much is done, what is open, how late, how often moved, and who is silent,
 * in columns few enough to fit an A4 page.
 */
function breakdownColumns<T extends Breakdown>(first: Column<T>[]): Column<T>[] {
  return [
    ...first,
    { head: 'Tasks', cell: (b) => int(b.taskCount), num: true },
    { head: 'Closed', cell: (b) => int(b.byStatus.closed), num: true },
    { head: '% closed', cell: (b) => pct(b.percentByStatus.closed), num: true },
    { head: 'Open', cell: (b) => int(b.taskCount - b.byStatus.closed - b.byStatus.cancelled), num: true },
    { head: 'Overdue', cell: (b) => ({ html: int(b.overdue), className: b.overdue ? 'bad' : '' }), num: true },
    { head: 'Days late', cell: (b) => int(b.overdueDays), num: true },
    { head: 'Moved', cell: (b) => int(b.postponements), num: true },
    { head: 'Missing reports', cell: (b) => int(b.missingReports), num: true },
    { head: 'Red', cell: (b) => int(b.confidence.red), num: true },
  ];
}

const BREAKDOWN_NOTE =
  'Open: neither closed nor cancelled. Moved: postponements of deadlines. Red: latest reports rating delivery off track.';

function breakdowns(r: ProgressReport): string {
  const byArea = table({
    caption: 'By area of cooperation',
    className: 'data compact',
    columns: breakdownColumns<ProgressReport['byArea'][number]>([{ head: 'Area', cell: (a) => ({ html: e(AREA_LABELS[a.key as TaskArea] ?? a.label), className: 'label' }) }]),
    rows: r.byArea,
    empty: 'No tasks yet.',
  });
  const byOrg = table({
    caption: 'By executing organization (a task counts for each of its executors)',
    className: 'data compact',
    columns: breakdownColumns<ProgressReport['byOrganization'][number]>([
      {
        head: 'Organization',
        cell: (o) => ({
          html: `${e(o.label)}${o.shortName ? ` <span class="short">(${e(o.shortName)})</span>` : ''} <span class="country">${e(o.country)}</span>`,
          className: 'label',
        }),
      },
    ]),
    rows: r.byOrganization,
    empty: 'No tasks have executors yet.',
  });
  return section('breakdown', 'Breakdown by area and organization', byArea + byOrg, e(BREAKDOWN_NOTE));
}

function indicators(r: ProgressReport): string {
  const body = table<ProgressReport['indicators'][number]>({
    caption: 'Indicators against their targets',
    columns: [
      { head: 'Indicator', cell: (i) => ({ html: e(i.name), className: 'label' }) },
      { head: 'Unit', cell: (i) => e(i.unit) },
      { head: 'Baseline', cell: (i) => dec(i.baseline), num: true },
      { head: 'Target', cell: (i) => dec(i.target), num: true },
      { head: 'Actual', cell: (i) => (i.actual === null ? '—' : `${dec(i.actual)}${i.actualPeriod ? ` <span class="period">${e(i.actualPeriod)}</span>` : ''}`), num: true },
      {
        head: 'Progress',
        cell: (i) => {
          if (i.progressPercent === null) return { html: 'no value yet', className: 'muted' };
          const w = Math.max(0, Math.min(100, i.progressPercent));
          return { html: `<span class="meter" aria-hidden="true"><span style="width:${w}%"></span></span> ${pct(i.progressPercent)}`, className: 'progress' };
        },
      },
    ],
    rows: r.indicators,
    empty: 'No indicators are defined for these plans.',
  });
  return section('indicators', 'Indicators', body, 'Progress is (actual − baseline) / (target − baseline).');
}

// ---- The page ----

/**
 * The Content-Security-Policy of the page: it is self-contained (inline CSS, inline SVG, no script, image, font or
 * request), so anything else a text of the plan might smuggle in is refused by the browser too.
 */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function renderProgressHtml(report: ProgressReport): string {
  return page(report, instant(report.generatedAt, report.scope.timeZone));
}

/** Stands for the generation instant in a page whose version is taken: no text of a report contains NUL. */
const GENERATED = '\u0000generated\u0000';

/**
 * The page, and its version: the page as it would read whenever it was generated. The page shows the instant it was
 * generated, so its bytes differ at every request; a reader polling with If-None-Match needs a tag that changes only
 * when something else does (the data, or the day the report is as of).
 */
export function renderVersionedProgressHtml(report: ProgressReport): { html: string; version: string } {
  const version = page(report, GENERATED);
  return { html: version.replaceAll(GENERATED, instant(report.generatedAt, report.scope.timeZone)), version };
}

/** The page, with `generated` (markup) where it says when it was generated. */
function page(report: ProgressReport, generated: string): string {
  const lang = report.lang ?? 'en';
  const plans = report.scope.plans;
  const heading = plans.length === 1 ? plans[0]!.title : `${report.scope.commissionName}: ${plural(plans.length, 'plan', 'plans')}`;
  const planList =
    plans.length > 1 ? `<ul class="plans">${plans.map((p) => `<li>${e(p.title)} <span class="muted">(${e(p.status)})</span></li>`).join('')}</ul>` : '';
  const meta = [
    `<span>As of <strong>${date(report.asOf)}</strong></span>`,
    `<span>Parties: ${e(report.scope.parties.map(partyName).join(' and '))}</span>`,
    `<span>Reporting period ${e(report.reportingPeriod.current)}</span>`,
    report.lang ? `<span>Titles in ${e(LANGUAGE_NAMES[report.lang] ?? report.lang)} where translated</span>` : '',
    `<span>Generated ${generated}</span>`,
  ].filter(Boolean);
  const nav = [
    ['key-figures', 'Key figures'],
    ['by-party', 'Status by party'],
    ['behind', 'Who is behind'],
    ['missing-reports', 'Missing reports'],
    ['postponements', 'Postponements'],
    ['confidence', 'Confidence'],
    ['breakdown', 'Breakdown'],
    ['indicators', 'Indicators'],
  ]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join('');
  return `<!doctype html>
<html lang="${e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="commission-plan-tracker">
<title>${e(`Progress report: ${heading} (as of ${report.asOf})`)}</title>
<style>${PROGRESS_REPORT_CSS}</style>
</head>
<body>
<header class="report-header">
<p class="commission">${e(report.scope.commissionName)}</p>
<h1>Progress report: ${e(heading)}</h1>
${planList}<p class="meta">${meta.join('')}</p>
<nav class="toc" aria-label="Sections">${nav}</nav>
</header>
<main>
${keyFigures(report)}
${statusByParty(report)}
${whoIsBehind(report)}
${missingReports(report)}
${postponements(report)}
${confidence(report)}
${breakdowns(report)}
${indicators(report)}
</main>
<footer class="report-footer">${e(report.scope.commissionName)} · as of ${date(report.asOf)} · generated ${generated}</footer>
</body>
</html>
`;
}
