// The words and cell formats of the report's workbook: English, with the API's codes in its cells, or Russian (for
// ru, be and kk), with the labels of the printable page (progress.locale.ts), so the two never say a thing twice.
import { TASK_STATUSES, type Confidence, type Language, type TaskArea, type TaskStatus } from '../../db/enums.js';
import type { BreakdownDimension } from './progress.csv.js';
import { inRussian, reportLocale, type ReportLocale } from './progress.locale.js';
import type { Breakdown, ReportTask } from './progress.schemas.js';

type Completion = NonNullable<ReportTask['completion']>;

export interface WorkbookLocale {
  russian: boolean;
  sheets: Record<'summary' | 'tasks' | 'overdue' | 'missingReports' | 'indicators', string>;
  /** Number formats: Excel's codes are the same in every locale, the separators shown are the reader's. */
  dateFormat: string;
  dateTimeFormat: string;
  preamble: {
    title: (commission: string) => string;
    plans: string;
    asOf: string;
    timeZone: string;
    generatedAt: string;
    reportingPeriod: string;
    lastDue: string;
    itsDeadline: string;
  };
  groups: Record<BreakdownDimension, string>;
  summary: { group: string; name: string; country: string };
  /** The Summary columns after Group, Name and Country: every figure of a breakdown. */
  figures: { header: string; value: (b: Breakdown) => number; percent?: boolean }[];
  /** Headings of the Tasks, Overdue, Missing reports and Indicators sheets; the import reads the Tasks sheet's. */
  h: Record<
    | 'code'
    | 'title'
    | 'formOfCompletion'
    | 'expectedResult'
    | 'deadline'
    | 'basis'
    | 'area'
    | 'status'
    | 'originalDeadline'
    | 'overdue'
    | 'daysOverdue'
    | 'postponements'
    | 'daysMoved'
    | 'completion'
    | 'completionAgainstOriginal'
    | 'percentComplete'
    | 'confidence'
    | 'plan'
    | 'executors'
    | 'organization'
    | 'country'
    | 'period'
    | 'indicator'
    | 'unit'
    | 'task'
    | 'baseline'
    | 'target'
    | 'actual'
    | 'progress',
    string
  >;
  /** "Measure (kk)": with a language the titles are its translations, and the import reads them as such. */
  titleIn: (lang: Language) => string;
  executorsOf: (party: string) => string;
  /** The mark after a lead executor, one the import reads: "(lead)", "(головной)". */
  lead: string;
  /** Cell values: English keeps the API's codes (and null for no report), Russian says them as the page does. */
  status: (s: TaskStatus) => string;
  area: (a: TaskArea) => string;
  confidence: (c: Confidence | null) => string | null;
  completion: (c: Completion | null) => string | null;
  basis: (t: ReportTask) => string | null;
}

/** A soft hyphen breaks a long word on the narrow page; a spreadsheet cell would print it as a hyphen. */
const plain = <K extends string>(labels: Record<K, string>): Record<K, string> =>
  Object.fromEntries(Object.entries<string>(labels).map(([k, v]) => [k, v.replace(/\u00ad/g, '')])) as Record<K, string>;

function figures(
  statusHead: Record<TaskStatus, string>,
  w: Record<'tasks' | 'closedOnTime' | 'closedLate' | 'closedByOriginal' | 'overdue' | 'overdueDays' | 'dueIn30' | 'postponedTasks' | 'postponements' | 'daysMoved' | 'missingReports', string>,
  confidence: Record<Confidence | 'none', string>,
): WorkbookLocale['figures'] {
  return [
    { header: w.tasks, value: (b) => b.taskCount },
    ...TASK_STATUSES.map((s) => ({ header: statusHead[s], value: (b: Breakdown) => b.byStatus[s] })),
    ...TASK_STATUSES.map((s) => ({ header: `${statusHead[s]}, %`, value: (b: Breakdown) => b.percentByStatus[s], percent: true })),
    { header: w.closedOnTime, value: (b) => b.closedOnTime },
    { header: w.closedLate, value: (b) => b.closedLate },
    { header: w.closedByOriginal, value: (b) => b.closedOnTimeAgainstOriginal },
    { header: w.overdue, value: (b) => b.overdue },
    { header: w.overdueDays, value: (b) => b.overdueDays },
    { header: w.dueIn30, value: (b) => b.dueNext30Days },
    { header: w.postponedTasks, value: (b) => b.postponedTasks },
    { header: w.postponements, value: (b) => b.postponements },
    { header: w.daysMoved, value: (b) => b.daysMoved },
    { header: confidence.green, value: (b) => b.confidence.green },
    { header: confidence.amber, value: (b) => b.confidence.amber },
    { header: confidence.red, value: (b) => b.confidence.red },
    { header: confidence.none, value: (b) => b.confidence.none },
    { header: w.missingReports, value: (b) => b.missingReports },
  ];
}

function english(L: ReportLocale): WorkbookLocale {
  return {
    russian: false,
    sheets: { summary: 'Summary', tasks: 'Tasks', overdue: 'Overdue', missingReports: 'Missing reports', indicators: 'Indicators' },
    dateFormat: 'yyyy-mm-dd',
    dateTimeFormat: 'yyyy-mm-dd hh:mm',
    preamble: {
      title: (commission) => `${L.w.progressReport} — ${commission}`,
      plans: 'Plans',
      asOf: L.w.asOf,
      timeZone: 'Time zone',
      generatedAt: 'Generated at',
      reportingPeriod: L.w.reportingPeriod,
      lastDue: 'Last period due',
      itsDeadline: 'Its deadline',
    },
    groups: { total: L.w.total, party: 'Party', organization: 'Organization', area: 'Area' },
    summary: { group: 'Group', name: 'Name', country: 'Country' },
    figures: figures(
      { not_started: 'Not started', in_progress: 'In progress', on_hold: 'On hold', done: 'Done', closed: 'Closed', cancelled: 'Cancelled' },
      {
        tasks: 'Tasks',
        closedOnTime: 'Closed on time',
        closedLate: 'Closed late',
        closedByOriginal: 'Closed by the original deadline',
        overdue: 'Overdue',
        overdueDays: 'Days overdue (sum)',
        dueIn30: 'Due in 30 days',
        postponedTasks: 'Postponed tasks',
        postponements: 'Postponements',
        daysMoved: 'Days moved',
        missingReports: 'Missing reports',
      },
      { green: 'Confidence: green', amber: 'Confidence: amber', red: 'Confidence: red', none: L.confidence.none },
    ),
    h: {
      code: 'No',
      title: 'Measure',
      formOfCompletion: 'Form of completion',
      expectedResult: 'Expected result',
      deadline: 'Deadline',
      basis: 'Basis',
      area: 'Area',
      status: 'Status',
      originalDeadline: 'Original deadline',
      overdue: 'Overdue',
      daysOverdue: 'Days overdue',
      postponements: 'Postponements',
      daysMoved: 'Days moved',
      completion: 'Completion',
      completionAgainstOriginal: 'Completion against the original deadline',
      percentComplete: 'Percent complete',
      confidence: 'Confidence',
      plan: 'Plan',
      executors: 'Executors',
      organization: 'Organization',
      country: 'Country',
      period: 'Period',
      indicator: 'Indicator',
      unit: 'Unit',
      task: 'Task',
      baseline: 'Baseline',
      target: 'Target',
      actual: 'Actual',
      progress: 'Progress, %',
    },
    titleIn: (lang) => `Measure (${lang})`,
    executorsOf: (party) => `Executors (${party})`,
    lead: '(lead)',
    status: (s) => s,
    area: (a) => a,
    confidence: (c) => c,
    completion: (c) => c,
    // The JSON's own text, which the import reads back.
    basis: (t) => t.basis?.text ?? null,
  };
}

function russian(L: ReportLocale): WorkbookLocale {
  const status = plain(L.status);
  // Headings of the Tasks sheet the import reads are among its aliases (imports.columns.ts): №, Мероприятие, Форма
  // завершения, Ожидаемый результат, Срок, Исполнители (BY), Основание, Направление, План; the others are none.
  return {
    russian: true,
    sheets: { summary: 'Сводка', tasks: 'Задачи', overdue: 'Просроченные', missingReports: L.w.missingReports, indicators: L.w.indicators },
    dateFormat: 'dd.mm.yyyy',
    dateTimeFormat: 'dd.mm.yyyy hh:mm',
    preamble: {
      title: (commission) => `${L.w.progressReport} — ${commission}`,
      plans: 'Планы',
      asOf: L.w.asOf,
      timeZone: 'Часовой пояс',
      generatedAt: L.w.generated,
      reportingPeriod: L.w.reportingPeriod,
      lastDue: 'Последний истёкший период',
      itsDeadline: 'Срок отчётов за него',
    },
    groups: { total: L.w.total, party: L.w.party, organization: L.w.organization, area: L.w.area },
    summary: { group: 'Группа', name: 'Наименование', country: L.w.country },
    figures: figures(
      status,
      {
        tasks: 'Задач',
        closedOnTime: 'Снято в срок',
        closedLate: 'Снято с опозданием',
        closedByOriginal: 'Снято в первоначальный срок',
        overdue: 'Просрочено',
        overdueDays: 'Дней просрочки (сумма)',
        dueIn30: L.w.dueIn30,
        postponedTasks: 'Задач с переносом срока',
        postponements: 'Переносов',
        daysMoved: L.w.daysMoved,
        missingReports: L.w.missingReports,
      },
      L.confidence,
    ),
    h: {
      code: '№',
      title: 'Мероприятие',
      formOfCompletion: 'Форма завершения',
      expectedResult: 'Ожидаемый результат',
      deadline: 'Срок',
      basis: 'Основание',
      area: L.w.area,
      status: L.w.status,
      originalDeadline: L.w.originalDue,
      overdue: 'Просрочено',
      daysOverdue: 'Дней просрочки',
      postponements: 'Переносов',
      daysMoved: L.w.daysMoved,
      completion: 'Снятие с контроля',
      completionAgainstOriginal: 'Снятие с контроля к первоначальному сроку',
      percentComplete: L.w.percentComplete,
      confidence: L.w.confidenceHead,
      plan: 'План',
      executors: L.w.executors,
      organization: L.w.organization,
      country: L.w.country,
      period: L.w.period,
      indicator: L.w.indicator,
      unit: L.w.unit,
      task: '№ задачи',
      baseline: L.w.baseline,
      target: L.w.target,
      actual: L.w.actual,
      progress: `${L.w.progress}, %`,
    },
    titleIn: (lang) => `Мероприятие (${lang})`,
    executorsOf: (party) => `Исполнители (${party})`,
    lead: '(головной)',
    status: (s) => status[s],
    area: (a) => L.area(a) ?? a,
    confidence: (c) => L.confidence[c ?? 'none'],
    completion: (c) => (c === null ? null : L.completion[c]),
    // The page's citation; the import reads it back exactly (imports.matching.ts).
    basis: (t) => (t.basis ? L.basis(t.basis) : null),
  };
}

// Made once: a workbook of 100,000 tasks looks its labels up, never builds them.
const EN = english(reportLocale('en'));
const RU = russian(reportLocale('ru'));

/** The workbook's words for a report asked for in `lang`: English without one or for en, Russian for ru, be and kk. */
export function workbookLocale(lang: Language | null): WorkbookLocale {
  return inRussian(lang) ? RU : EN;
}
