// The co-chairs' progress report as one self-contained, printable HTML page: inline CSS and SVG, no scripts,
// no external requests. Labels, dates and numbers in English, or in Russian for a report asked for in ru, be or kk
// (progress.locale.ts); task titles come in the report's language.
import type { TaskArea } from '../../db/enums.js';
import type { Breakdown, ProgressReport, ReportTask } from './progress.schemas.js';
import { PROGRESS_REPORT_CSS } from './progress.css.js';
import { reportLocale, type ReportLocale } from './progress.locale.js';
import { distinctCurrentPeriods, distinctSchedules } from './progress.schedules.js';
import { STATUS_ORDER, confidenceChart, escapeHtml, overdueByOrganizationChart, statusByPartyChart } from './svg-charts.js';

export { escapeHtml };

const e = escapeHtml;
const ENGLISH = reportLocale(null);

/** A date inside a <time> element, written as the page's readers write dates. */
const dateIn = (L: ReportLocale) => (iso: string) => `<time datetime="${e(iso)}">${e(L.date(iso))}</time>`;

function instant(iso: string, timeZone: string, L: ReportLocale): string {
  return `<time datetime="${e(iso)}">${e(L.instant(iso, timeZone))}</time>`;
}

/** "BY" → "Belarus (BY)". */
export function partyName(code: string): string {
  return ENGLISH.party(code);
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

/** A task's plan as markup after its title: nothing for a report of one plan, whose title heads the page. */
type PlanLine = (taskId: string) => string;

/**
 * The plan of each task listed, under its title, when the report covers several plans (a commission's): the same
 * measure may stand in two plans under the same code, and "1.1" alone would not say which one to chase. The CSV and
 * the workbook have a Plan column.
 */
function planLines(r: ProgressReport): PlanLine {
  if (r.scope.plans.length < 2) return () => '';
  // One line per plan, shared by its tasks: a commission's page may list 100,000 of them.
  const lines = new Map(r.scope.plans.map((p) => [p.id, `<br><span class="period">${e(p.title)}</span>`]));
  const line = new Map(r.tasks.map((t) => [t.taskId, lines.get(t.planId) ?? '']));
  return (taskId) => line.get(taskId) ?? '';
}

const title = (plan: PlanLine) => (t: { taskId: string; title: string }) => ({ html: `${e(t.title)}${plan(t.taskId)}`, className: 'title' });
const status = (L: ReportLocale) => (t: ReportTask) => e(L.status[t.status]);
/** The title with the protocol item that set the task: what a co-chair cites when chasing a ministry. */
const titleWithBasis = (L: ReportLocale, plan: PlanLine) => (t: ReportTask) => ({
  html: `${e(t.title)}${plan(t.taskId)}${t.basis ? `<br><span class="basis">${e(L.basis(t.basis))}</span>` : ''}`,
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

const dueWithOriginal = (L: ReportLocale) => (t: ReportTask): string => {
  const date = dateIn(L);
  return t.dueDate === t.originalDueDate ? date(t.dueDate) : `${date(t.dueDate)}<br><span class="was">${e(L.w.was)} ${date(t.originalDueDate)}</span>`;
};

// ---- Sections ----

function keyFigures(r: ProgressReport, L: ReportLocale): string {
  const { w, int, pct, count, nouns } = L;
  const date = dateIn(L);
  const t = r.totals;
  const card = (label: string, value: string, note: string, alert = false) =>
    `<div class="kpi${alert ? ' alert' : ''}"><dt>${e(label)}</dt><dd><span class="value">${value}</span><span class="note">${note}</span></dd></div>`;
  const noteOf = ({ lastDue, lastDueDeadline }: ProgressReport['reportingPeriod']) =>
    lastDue ? w.missingNote(e(lastDue), lastDueDeadline ? date(lastDueDeadline) : '—') : e(w.noPeriodDue);
  // Plans on different schedules: each plan's period and deadline, never one plan's beside every plan's count.
  const schedules = distinctSchedules(r);
  const missingNote = schedules
    ? schedules.map((s) => `${e(s.title)}: ${noteOf(s.reportingPeriod)}`).join('; ')
    : noteOf(r.reportingPeriod);
  const cards = [
    card(w.tasks, int(t.taskCount), e(w.cancelledNote(int(t.byStatus.cancelled)))),
    card(w.closed, pct(t.percentByStatus.closed), e(w.closedNote(int(t.byStatus.closed), int(t.closedOnTime), int(t.closedLate), int(t.closedOnTimeAgainstOriginal)))),
    card(w.reportedDone, int(t.byStatus.done), e(w.awaitingClosure)),
    card(w.overdue, int(t.overdue), e(w.daysLateInTotal(count(t.overdueDays, nouns.day))), t.overdue > 0),
    card(w.dueIn30, int(t.dueNext30Days), e(w.dueSoonNote)),
    card(w.postponements, int(t.postponements), e(w.postponementsNote(count(t.postponedTasks, nouns.task), count(t.daysMoved, nouns.day)))),
    card(w.missingReports, int(t.missingReports), missingNote, t.missingReports > 0),
  ];
  return section('key-figures', w.keyFigures, `<dl class="kpis">${cards.join('')}</dl>`);
}

function statusByParty(r: ProgressReport, L: ReportLocale): string {
  const { w, int, pct } = L;
  const rows = r.byParty.map((p) => ({ ...p, label: L.party(String(p.key)) }));
  const chart = rows.length ? figure(statusByPartyChart(rows.map((p) => ({ label: p.label, byStatus: p.byStatus })), L), w.bothParties) : '';
  const columns: Column<Breakdown & { label: string }>[] = [
    { head: w.party, cell: (b) => ({ html: e(b.label), className: 'label' }) },
    { head: w.tasks, cell: (b) => int(b.taskCount), num: true },
    ...STATUS_ORDER.map((s): Column<Breakdown> => ({ head: L.status[s], cell: (b) => int(b.byStatus[s]), num: true })),
    { head: w.percentClosed, cell: (b) => pct(b.percentByStatus.closed), num: true },
    { head: w.overdueHead, cell: (b) => ({ html: int(b.overdue), className: b.overdue ? 'bad' : '' }), num: true },
    { head: w.dueIn30Head, cell: (b) => int(b.dueNext30Days), num: true },
  ];
  // Eleven columns: compact, as the breakdowns are, or the Russian heads run off an A4 page.
  const body = table({
    caption: w.tasksByStatusAndParty,
    className: 'data compact',
    columns,
    rows,
    foot: [{ ...r.totals, label: w.allTasksOnce }],
    empty: w.noExecutors,
  });
  return section('by-party', w.statusByParty, chart + body);
}

function whoIsBehind(r: ProgressReport, L: ReportLocale, plan: PlanLine): string {
  const { w, int, count, nouns } = L;
  const date = dateIn(L);
  const orgs = r.byOrganization
    .filter((o) => o.overdue > 0)
    .sort((a, b) => b.overdue - a.overdue || b.overdueDays - a.overdueDays || a.label.localeCompare(b.label));
  // Name every organization tied for the most overdue tasks: singling one out of a tie would be unfair. When all of
  // them tie, naming them singles nobody out and repeats the chart below (sixteen organizations on the demo): a number.
  const worst = orgs.filter((o) => o.overdue === orgs[0]?.overdue);
  const most =
    worst.length > 1 && worst.length === orgs.length
      ? w.allTied(count(orgs.length, nouns.organization), count(worst[0]!.overdue, nouns.overdueTask))
      : worst.length
        ? w.mostBehind(worst.map((o) => `${o.label} (${o.country})`).join('; '), count(worst[0]!.overdue, nouns.overdueTask), worst.length > 1)
        : '';
  const intro =
    r.overdue.length === 0
      ? undefined
      : e(`${w.overdueIntro(count(r.overdue.length, nouns.task), count(r.totals.overdueDays, nouns.day), r.overdue.length)}${most}`);
  const tasks = table<ReportTask>({
    caption: w.overdueCaption,
    columns: [
      { head: w.code, cell: code },
      { head: w.task, cell: titleWithBasis(L, plan) },
      { head: w.executors, cell: executors },
      { head: w.due, cell: dueWithOriginal(L) },
      { head: w.daysLate, cell: (t) => ({ html: int(t.daysOverdue), className: 'bad' }), num: true },
      { head: w.moved, cell: (t) => int(t.postponementCount), num: true },
      { head: w.status, cell: status(L) },
    ],
    rows: r.overdue,
    empty: w.noOverdue,
  });
  const chart = orgs.length
    ? figure(
        overdueByOrganizationChart(
          orgs.map((o) => ({ key: String(o.key), label: `${o.shortName ?? o.label} · ${o.country}`, overdue: o.overdue, overdueDays: o.overdueDays })),
          L,
        ),
        w.perOrganization,
      )
    : '';
  // The tasks not yet late, due soon or at risk: which, whose, when, where they stand.
  const open = [
    { head: w.code, cell: code },
    { head: w.task, cell: title(plan) },
    { head: w.executors, cell: executors },
    { head: w.due, cell: (t: ReportTask) => date(t.dueDate) },
    { head: w.status, cell: status(L) },
  ];
  const confidence = { head: w.confidenceHead, cell: (t: ReportTask) => e(L.confidence[t.confidence ?? 'none']) };
  const dueSoon = table<ReportTask>({
    caption: w.dueSoonCaption,
    columns: [...open, confidence],
    rows: r.dueSoon,
    empty: w.noDueSoon,
  });
  const atRisk = table<ReportTask>({
    caption: w.atRiskCaption,
    columns: [...open, { head: w.percentComplete, cell: (t) => (t.percentComplete === null ? '—' : int(t.percentComplete)), num: true }, confidence],
    rows: atRiskOf(r),
    empty: w.noneAtRisk,
  });
  return section(
    'behind',
    w.whoIsBehind,
    `${tasks}${orgs.length ? `<h3>${e(w.overdueByOrganization)}</h3>${chart}` : ''}<h3>${e(w.dueNext30)}</h3>${dueSoon}` +
      `<h3>${e(w.atRisk)}</h3>${atRisk}`,
    intro,
  );
}

/**
 * The tasks a co-chair should ask about before they are late: open (not reported done, closed or cancelled), not yet
 * overdue (those have their own table), and rated red or amber in their executors' latest reports; red first, then
 * soonest due. Without this list the page counted red and amber ratings but named no task behind them. Not those of a
 * plan closed by the report's date, as the due-soon list has none: read-only, judged as of its closing day, such a task
 * is never late and no one acts on it again, so it would stay "at risk" for good.
 */
function atRiskOf(r: ProgressReport): ReportTask[] {
  const closedPlans = new Set(r.scope.plans.filter((p) => p.status === 'closed').map((p) => p.id));
  const rank = (t: ReportTask) => (t.confidence === 'red' ? 0 : 1);
  return r.tasks
    .filter(
      (t) =>
        !t.overdue &&
        !closedPlans.has(t.planId) &&
        (t.confidence === 'red' || t.confidence === 'amber') &&
        (t.status === 'not_started' || t.status === 'in_progress' || t.status === 'on_hold'),
    )
    .sort((a, b) => rank(a) - rank(b) || a.dueDate.localeCompare(b.dueDate));
}

function missingReports(r: ProgressReport, L: ReportLocale, plan: PlanLine): string {
  const { w } = L;
  const date = dateIn(L);
  const { lastDue, lastDueDeadline, current } = r.reportingPeriod;
  const schedules = distinctSchedules(r);
  // Plans on different schedules: one sentence per plan, its own period and deadline.
  const intro = schedules
    ? schedules
        .map(({ title, reportingPeriod: p }) =>
          p.lastDue
            ? w.planMissingIntro(e(title), e(p.lastDue), p.lastDueDeadline ? date(p.lastDueDeadline) : '', e(p.current))
            : e(w.planNoPeriodIntro(title, p.current)),
        )
        .join(' ')
    : lastDue
      ? w.missingIntro(e(lastDue), lastDueDeadline ? date(lastDueDeadline) : '', e(current))
      : e(w.noPeriodIntro(current));
  const body = table<ProgressReport['missingReports'][number]>({
    caption: w.missingCaption,
    columns: [
      { head: w.organization, cell: (m) => ({ html: e(m.organizationName), className: 'label' }) },
      { head: w.country, cell: (m) => e(m.country) },
      { head: w.code, cell: code },
      { head: w.task, cell: title(plan) },
      { head: w.period, cell: (m) => e(m.period) },
      { head: w.deadline, cell: (m) => date(m.deadline) },
    ],
    rows: r.missingReports,
    empty: w.allReported,
  });
  return section('missing-reports', w.missingProgressReports, body, intro);
}

function postponements(r: ProgressReport, L: ReportLocale, plan: PlanLine): string {
  const { w, int, count, nouns } = L;
  const date = dateIn(L);
  const t = r.totals;
  const intro = e(w.postponementsIntro(count(t.postponements, nouns.postponement), count(t.postponedTasks, nouns.task), count(t.daysMoved, nouns.day)));
  const body = table<ReportTask>({
    caption: w.mostPostponed,
    columns: [
      { head: w.code, cell: code },
      { head: w.task, cell: title(plan) },
      { head: w.timesMoved, cell: (x) => int(x.postponementCount), num: true },
      { head: w.daysMoved, cell: (x) => int(x.daysMoved), num: true },
      { head: w.originalDue, cell: (x) => date(x.originalDueDate) },
      { head: w.dueNow, cell: (x) => date(x.dueDate) },
      { head: w.status, cell: status(L) },
    ],
    rows: r.mostPostponed.filter((x) => x.postponementCount > 0),
    empty: w.noneMoved,
  });
  return section('postponements', w.postponements, body, intro);
}

function confidence(r: ProgressReport, L: ReportLocale): string {
  const { w, int } = L;
  const columns: Column<Breakdown & { label: string }>[] = [
    { head: w.party, cell: (b) => ({ html: e(b.label), className: 'label' }) },
    ...(['green', 'amber', 'red', 'none'] as const).map((k) => ({ head: L.confidence[k], cell: (b: Breakdown) => int(b.confidence[k]), num: true })),
  ];
  const body = table({
    caption: w.confidenceCaption,
    columns,
    rows: r.byParty.map((p) => ({ ...p, label: L.party(String(p.key)) })),
    foot: [{ ...r.totals, label: w.allAssignments }],
    empty: w.noAssignments,
  });
  return section('confidence', w.deliveryConfidence, figure(confidenceChart(r.totals.confidence, L), w.eachAssignment) + body, e(w.confidenceIntro));
}

/**
 * The per-group columns of the area and organization tables. The full split by status is in the party table (and in
 * CSV and XLSX); here a co-chair needs how much is done, what is open, how late, how often moved, and who is silent,
 * in columns few enough to fit an A4 page.
 */
function breakdownColumns<T extends Breakdown>(first: Column<T>[], L: ReportLocale): Column<T>[] {
  const { w, int, pct } = L;
  return [
    ...first,
    { head: w.tasks, cell: (b) => int(b.taskCount), num: true },
    { head: w.closedHead, cell: (b) => int(b.byStatus.closed), num: true },
    { head: w.percentClosed, cell: (b) => pct(b.percentByStatus.closed), num: true },
    { head: w.open, cell: (b) => int(b.taskCount - b.byStatus.closed - b.byStatus.cancelled), num: true },
    { head: w.overdueHead, cell: (b) => ({ html: int(b.overdue), className: b.overdue ? 'bad' : '' }), num: true },
    { head: w.daysLate, cell: (b) => int(b.overdueDays), num: true },
    { head: w.moved, cell: (b) => int(b.postponements), num: true },
    { head: w.missingReports, cell: (b) => int(b.missingReports), num: true },
    { head: w.red, cell: (b) => int(b.confidence.red), num: true },
  ];
}

function breakdowns(r: ProgressReport, L: ReportLocale): string {
  const { w } = L;
  const byArea = table({
    caption: w.byArea,
    className: 'data compact',
    columns: breakdownColumns<ProgressReport['byArea'][number]>([{ head: w.area, cell: (a) => ({ html: e(L.area(a.key as TaskArea) ?? a.label), className: 'label' }) }], L),
    rows: r.byArea,
    empty: w.noTasks,
  });
  const byOrg = table({
    caption: w.byOrganization,
    className: 'data compact',
    columns: breakdownColumns<ProgressReport['byOrganization'][number]>(
      [
        {
          head: w.organization,
          cell: (o) => ({
            html: `${e(o.label)}${o.shortName ? ` <span class="short">(${e(o.shortName)})</span>` : ''} <span class="country">${e(o.country)}</span>`,
            className: 'label',
          }),
        },
      ],
      L,
    ),
    rows: r.byOrganization,
    empty: w.noExecutors,
  });
  return section('breakdown', w.breakdown, byArea + byOrg, e(w.breakdownNote));
}

function indicators(r: ProgressReport, L: ReportLocale): string {
  const { w, dec, pct } = L;
  // Whose target it is: the task's code, and the plan's title when the report covers several plans (a commission's),
  // where the same measure may stand in two plans and a code such as 1.1 in each.
  const codes = new Map(r.tasks.map((t) => [t.taskId, t.code]));
  const plans = new Map(r.scope.plans.map((p) => [p.id, p.title]));
  const whose = (i: ProgressReport['indicators'][number]) => {
    const code = i.taskId === null ? '' : (codes.get(i.taskId) ?? '');
    const plan = plans.size > 1 ? (plans.get(i.planId) ?? '') : '';
    if (!code && !plan) return '—';
    return [code && e(code), plan && `<span class="period">${e(plan)}</span>`].filter(Boolean).join(' ');
  };
  const body = table<ProgressReport['indicators'][number]>({
    caption: w.indicatorsCaption,
    columns: [
      { head: w.indicator, cell: (i) => ({ html: e(i.name), className: 'label' }) },
      { head: w.code, cell: whose },
      { head: w.unit, cell: (i) => e(i.unit) },
      { head: w.baseline, cell: (i) => dec(i.baseline), num: true },
      { head: w.target, cell: (i) => dec(i.target), num: true },
      { head: w.actual, cell: (i) => (i.actual === null ? '—' : `${dec(i.actual)}${i.actualPeriod ? ` <span class="period">${e(i.actualPeriod)}</span>` : ''}`), num: true },
      {
        head: w.progress,
        cell: (i) => {
          if (i.progressPercent === null) return { html: e(w.noValueYet), className: 'muted' };
          const width = Math.max(0, Math.min(100, i.progressPercent));
          return { html: `<span class="meter" aria-hidden="true"><span style="width:${width}%"></span></span> ${pct(i.progressPercent)}`, className: 'progress' };
        },
      },
    ],
    rows: r.indicators,
    empty: w.noIndicators,
  });
  return section('indicators', w.indicators, body, e(w.indicatorsIntro));
}

// ---- The page ----

/**
 * The Content-Security-Policy of the page: it is self-contained (inline CSS, inline SVG, no script, image, font or
 * request), so anything else a text of the plan might smuggle in is refused by the browser too.
 */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function renderProgressHtml(report: ProgressReport): string {
  return page(report, instant(report.generatedAt, report.scope.timeZone, reportLocale(report.lang)));
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
  return { html: version.replaceAll(GENERATED, instant(report.generatedAt, report.scope.timeZone, reportLocale(report.lang))), version };
}

/** The current reporting period, or each plan's when they differ ("Plan A: 2027-Q1; Plan B: 2027-02"). */
function currentPeriods(report: ProgressReport): string {
  const schedules = distinctSchedules(report);
  if (!schedules || !distinctCurrentPeriods(schedules)) return report.reportingPeriod.current;
  return schedules.map((s) => `${s.title}: ${s.reportingPeriod.current}`).join('; ');
}

/** The page, with `generated` (markup) where it says when it was generated. */
function page(report: ProgressReport, generated: string): string {
  const L = reportLocale(report.lang);
  const { w } = L;
  const date = dateIn(L);
  // The language of the page's words (WCAG 3.1.1): Russian for ru, be and kk, whatever the titles' language.
  const lang = L === ENGLISH ? (report.lang ?? 'en') : 'ru';
  const plans = report.scope.plans;
  const plan = planLines(report);
  const heading = plans.length === 1 ? plans[0]!.title : `${report.scope.commissionName}: ${L.count(plans.length, L.nouns.plan)}`;
  const planList =
    plans.length > 1 ? `<ul class="plans">${plans.map((p) => `<li>${e(p.title)} <span class="muted">(${e(L.planStatus[p.status])})</span></li>`).join('')}</ul>` : '';
  const meta = [
    `<span>${e(w.asOf)} <strong>${date(report.asOf)}</strong></span>`,
    `<span>${e(w.parties)} ${e(report.scope.parties.map(L.party).join(` ${w.and} `))}</span>`,
    `<span>${e(w.reportingPeriod)} ${e(currentPeriods(report))}</span>`,
    report.lang ? `<span>${e(L.titlesIn(report.lang))}</span>` : '',
    `<span>${e(w.generated)} ${generated}</span>`,
  ].filter(Boolean);
  const nav = Object.entries(w.nav)
    .map(([id, label]) => `<a href="#${id}">${e(label)}</a>`)
    .join('');
  // The window title keeps the ISO date in English, as it always had; a Russian page says the date its own way.
  const asOfTitle = report.lang && L !== ENGLISH ? `${w.asOfLower} ${L.date(report.asOf)}` : `as of ${report.asOf}`;
  return `<!doctype html>
<html lang="${e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="commission-plan-tracker">
<title>${e(`${w.progressReport}: ${heading} (${asOfTitle})`)}</title>
<style>${PROGRESS_REPORT_CSS}</style>
</head>
<body>
<header class="report-header">
<p class="commission">${e(report.scope.commissionName)}</p>
<h1>${e(w.progressReport)}: ${e(heading)}</h1>
${planList}<p class="meta">${meta.join('')}</p>
<nav class="toc" aria-label="${e(w.sections)}">${nav}</nav>
</header>
<main>
${keyFigures(report, L)}
${statusByParty(report, L)}
${whoIsBehind(report, L, plan)}
${missingReports(report, L, plan)}
${postponements(report, L, plan)}
${confidence(report, L)}
${breakdowns(report, L)}
${indicators(report, L)}
</main>
<footer class="report-footer">${e(report.scope.commissionName)} · ${e(w.asOfLower)} ${date(report.asOf)} · ${e(w.generatedLower)} ${generated}</footer>
</body>
</html>
`;
}
