// The words, numbers and dates of the co-chairs' report in its reader's language: English, or Russian — the
// commission's working language — for a report asked for in ru, be or kk.
import type { Confidence, Language, PlanStatus, TaskArea, TaskStatus } from '../../db/enums.js';
import { CITATION_ITEM, meetingCitation, meetingCitationRu } from '../meetings/meeting-citation.js';
import { AREA_NAMES } from '../tasks/task-areas.js';

/** Russian labels for ru, be and kk: the commission works in Russian, and the report has no Belarusian or Kazakh words. */
export const inRussian = (lang: Language | null): boolean => lang !== null && lang !== 'en';

/** The name of an area: the report's groups (JSON, CSV, XLSX) and the printable page say the same. */
export function areaLabel(area: TaskArea, lang: Language | null): string {
  return AREA_NAMES[area][inRussian(lang) ? 'ru' : 'en'];
}

/** A count with its noun in the right form: English one/other, Russian one/few/many ("1 задача, 2 задачи, 5 задач"). */
export type Noun = { one: string; few?: string; many: string };

export interface ReportLocale {
  /** Whole numbers, decimals and percentages ("1,210", "42%"; "1 210", "42 %"). */
  int(n: number): string;
  dec(n: number): string;
  pct(n: number): string;
  /** "12 tasks", "12 задач". */
  count(n: number, noun: Noun): string;
  /** A calendar date as its readers write it ("28 Nov 2026"; "28.11.2026"); never shifted by a time zone. */
  date(iso: string): string;
  /** An instant in the commission's zone, with the zone's name. */
  instant(iso: string, timeZone: string): string;
  /** "BY" → "Belarus (BY)", "Беларусь (BY)". */
  party(code: string): string;
  status: Record<TaskStatus, string>;
  confidence: Record<Confidence | 'none', string>;
  planStatus: Record<PlanStatus, string>;
  /** A closed task's timeliness (ReportTask.completion). */
  completion: Record<'on_time' | 'late', string>;
  /** Undefined for a key that is no area (a hand-made report's). */
  area(area: TaskArea): string | undefined;
  /** "Protocol No. 19 of 4 Nov 2026 (title), item 3"; "Протокол № 19 от 04.11.2026 (title), п. 3". */
  basis(b: { meetingTitle: string; meetingDate: string; protocolNumber: string | null; protocolItem: string | null }): string;
  /** The note on titles shown in the language asked, e.g. "Titles in Kazakh where translated". */
  titlesIn(lang: Language): string;
  nouns: Record<'task' | 'day' | 'plan' | 'overdueTask' | 'postponement' | 'organization', Noun>;
  w: typeof EN_WORDS;
}

const EN_WORDS = {
  progressReport: 'Progress report',
  asOf: 'As of',
  asOfLower: 'as of',
  parties: 'Parties:',
  and: 'and',
  reportingPeriod: 'Reporting period',
  generated: 'Generated',
  generatedLower: 'generated',
  sections: 'Sections',
  nav: {
    'key-figures': 'Key figures',
    'by-party': 'Status by party',
    behind: 'Who is behind',
    'missing-reports': 'Missing reports',
    postponements: 'Postponements',
    confidence: 'Confidence',
    breakdown: 'Breakdown',
    indicators: 'Indicators',
  },
  keyFigures: 'Key figures',
  tasks: 'Tasks',
  cancelledNote: (n: string) => `${n} cancelled`,
  closed: 'Closed',
  closedNote: (closed: string, onTime: string, late: string, original: string) =>
    `${closed} closed: ${onTime} on time (${original} by the original deadline), ${late} late`,
  reportedDone: 'Reported done',
  awaitingClosure: 'awaiting closure by the secretariat',
  overdue: 'Overdue',
  daysLateInTotal: (days: string) => `${days} late in total`,
  dueIn30: 'Due in 30 days',
  dueSoonNote: 'open tasks due soon',
  /** Column heads, short enough for eleven columns on an A4 page. */
  closedHead: 'Closed',
  overdueHead: 'Overdue',
  dueIn30Head: 'Due in 30 days',
  postponements: 'Postponements',
  postponementsNote: (tasks: string, days: string) => `${tasks} moved, ${days} in total`,
  missingReports: 'Missing reports',
  missingNote: (period: string, due: string) => `for ${period}, due ${due}`,
  noPeriodDue: 'no reporting period due yet',
  statusByParty: 'Status by party',
  bothParties: 'A task with executors of both parties counts for each.',
  party: 'Party',
  percentClosed: '% closed',
  tasksByStatusAndParty: 'Tasks by status and party',
  allTasksOnce: 'All tasks (each once)',
  /** The label of the total row of the breakdown (CSV and workbook). */
  total: 'Total',
  noExecutors: 'No tasks have executors yet.',
  whoIsBehind: 'Who is behind',
  overdueIntro: (tasks: string, days: string, n: number) => `${tasks} ${n === 1 ? 'is' : 'are'} overdue, ${days} late in total.`,
  mostBehind: (names: string, count: string, each: boolean) => ` Most behind: ${names}, ${count}${each ? ' each' : ''}.`,
  allTied: (organizations: string, count: string) => ` ${organizations} are behind, ${count} each.`,
  overdueCaption: 'Overdue tasks, most days late first (leads in bold)',
  code: 'Code',
  task: 'Task',
  executors: 'Executors',
  due: 'Due',
  daysLate: 'Days late',
  moved: 'Moved',
  status: 'Status',
  confidenceHead: 'Confidence',
  noOverdue: 'No task is overdue.',
  perOrganization: 'A task counts for each of its executing organizations.',
  overdueByOrganization: 'Overdue by organization',
  dueNext30: 'Due in the next 30 days',
  dueSoonCaption: 'Open tasks due today or in the next 30 days, soonest first',
  noDueSoon: 'No open task is due today or in the next 30 days.',
  was: 'was',
  atRisk: 'At risk',
  atRiskCaption: 'Open tasks not yet overdue whose latest report rates delivery at risk or off track, off track first',
  percentComplete: '% complete',
  noneAtRisk: 'No open task is rated at risk or off track beyond the overdue ones.',
  missingProgressReports: 'Missing progress reports',
  missingIntro: (period: string, due: string, current: string) => `Progress reports for ${period} were due ${due}; the current period is ${current}.`,
  noPeriodIntro: (current: string) => `No reporting period has reached its deadline yet; the current period is ${current}.`,
  /** One plan's sentence when the plans of a report are on different reporting schedules. */
  planMissingIntro: (plan: string, period: string, due: string, current: string) =>
    `${plan}: progress reports for ${period} were due ${due}; the current period is ${current}.`,
  planNoPeriodIntro: (plan: string, current: string) => `${plan}: no reporting period has reached its deadline yet; the current period is ${current}.`,
  missingCaption: 'Assignments without a report for the last period due',
  organization: 'Organization',
  country: 'Country',
  period: 'Period',
  deadline: 'Deadline',
  allReported: 'Every assignment has reported for the last period due.',
  postponementsIntro: (moves: string, tasks: string, days: string) => `${moves} of ${tasks}, ${days} in total.`,
  mostPostponed: 'Most postponed tasks',
  timesMoved: 'Times moved',
  daysMoved: 'Days moved',
  originalDue: 'Original due',
  dueNow: 'Due now',
  noneMoved: 'No deadline has been moved.',
  deliveryConfidence: 'Delivery confidence',
  confidenceIntro: 'How confident executors are, in their latest report, that each task will be delivered on time.',
  confidenceCaption: 'Latest reports by confidence and party',
  allAssignments: 'All assignments',
  noAssignments: 'No assignments yet.',
  eachAssignment: 'Each assignment (task × executing organization) counts once, by its latest report.',
  breakdown: 'Breakdown by area and organization',
  breakdownNote: 'Open: neither closed nor cancelled. Moved: postponements of deadlines. Red: latest reports rating delivery off track.',
  open: 'Open',
  red: 'Red',
  byArea: 'By area of cooperation',
  area: 'Area',
  noTasks: 'No tasks yet.',
  byOrganization: 'By executing organization (a task counts for each of its executors)',
  indicators: 'Indicators',
  indicatorsIntro: 'Progress is (actual − baseline) / (target − baseline).',
  indicatorsCaption: 'Indicators against their targets',
  indicator: 'Indicator',
  unit: 'Unit',
  baseline: 'Baseline',
  target: 'Target',
  actual: 'Actual',
  progress: 'Progress',
  noValueYet: 'no value yet',
  noIndicators: 'No indicators are defined for these plans.',
  chartStatus: 'Tasks by status, per party',
  chartConfidence: 'Delivery confidence of the latest reports',
  chartOverdue: 'Overdue tasks by organization',
  late: 'late',
};

const RU_WORDS: typeof EN_WORDS = {
  progressReport: 'Отчёт о ходе выполнения',
  asOf: 'По состоянию на',
  asOfLower: 'по состоянию на',
  parties: 'Стороны:',
  and: 'и',
  reportingPeriod: 'Отчётный период',
  generated: 'Сформирован',
  generatedLower: 'сформирован',
  sections: 'Разделы',
  nav: {
    'key-figures': 'Основные показатели',
    'by-party': 'По сторонам',
    behind: 'Кто отстаёт',
    'missing-reports': 'Нет отчётов',
    postponements: 'Переносы',
    confidence: 'Уверенность',
    breakdown: 'Разбивка',
    indicators: 'Индикаторы',
  },
  keyFigures: 'Основные показатели',
  tasks: 'Задачи',
  cancelledNote: (n) => `отменено: ${n}`,
  closed: 'Сняты с контроля',
  closedNote: (closed, onTime, late, original) => `снято: ${closed}; в срок: ${onTime} (в первоначальный срок: ${original}), с опозданием: ${late}`,
  reportedDone: 'Доложено об исполнении',
  awaitingClosure: 'ожидают снятия с контроля секретариатом',
  overdue: 'Просрочены',
  daysLateInTotal: (days) => `всего ${days} просрочки`,
  dueIn30: 'Срок в ближайшие 30 дней',
  dueSoonNote: 'открытые задачи с близким сроком',
  // Soft hyphens (U+00AD): a long Russian word in a narrow column breaks where Russian hyphenates it, not off the page.
  closedHead: 'Снято',
  overdueHead: 'Просро\u00adчено',
  dueIn30Head: 'Срок в 30 дней',
  postponements: 'Переносы сроков',
  postponementsNote: (tasks, days) => `перенесено: ${tasks}, всего на ${days}`,
  missingReports: 'Нет отчётов',
  missingNote: (period, due) => `за ${period}, срок ${due}`,
  noPeriodDue: 'ни один отчётный период ещё не истёк',
  statusByParty: 'Исполнение по сторонам',
  bothParties: 'Задача с исполнителями обеих сторон учитывается у каждой стороны.',
  party: 'Сторона',
  percentClosed: '% снято',
  tasksByStatusAndParty: 'Задачи по статусам и сторонам',
  allTasksOnce: 'Итого, без повторов',
  total: 'Итого',
  noExecutors: 'Ни у одной задачи ещё нет исполнителей.',
  whoIsBehind: 'Кто отстаёт',
  overdueIntro: (tasks, days) => `Просрочено: ${tasks}, всего ${days} просрочки.`,
  mostBehind: (names, count, each) => ` Больше всего просрочено (${count}${each ? ' у каждой' : ''}): ${names}.`,
  allTied: (organizations, count) => ` Просрочки у ${organizations}, у каждой — ${count}.`,
  overdueCaption: 'Просроченные задачи, сначала наиболее просроченные (головные исполнители выделены)',
  code: '№',
  task: 'Мероприятие',
  executors: 'Исполнители',
  due: 'Срок',
  daysLate: 'Дней просрочки',
  moved: 'Переносов',
  status: 'Статус',
  confidenceHead: 'Уверенность',
  noOverdue: 'Просроченных задач нет.',
  perOrganization: 'Задача учитывается у каждой организации-исполнителя.',
  overdueByOrganization: 'Просрочки по организациям',
  dueNext30: 'Срок в ближайшие 30 дней',
  dueSoonCaption: 'Открытые задачи со сроком сегодня или в ближайшие 30 дней, ближайшие сначала',
  noDueSoon: 'Открытых задач со сроком сегодня или в ближайшие 30 дней нет.',
  was: 'был',
  atRisk: 'Под угрозой срыва',
  atRiskCaption: 'Открытые задачи без просрочки, исполнение которых по последнему отчёту под угрозой, сначала «срыв срока»',
  percentComplete: '% выполнения',
  noneAtRisk: 'Кроме просроченных, задач с оценкой «есть риски» или «срыв срока» нет.',
  missingProgressReports: 'Непредставленные отчёты',
  missingIntro: (period, due, current) => `Отчёты за ${period} следовало представить до ${due}; текущий период — ${current}.`,
  noPeriodIntro: (current) => `Ни один отчётный период ещё не истёк; текущий период — ${current}.`,
  planMissingIntro: (plan, period, due, current) => `${plan}: отчёты за ${period} следовало представить до ${due}; текущий период — ${current}.`,
  planNoPeriodIntro: (plan, current) => `${plan}: ни один отчётный период ещё не истёк; текущий период — ${current}.`,
  missingCaption: 'Исполнители без отчёта за последний истёкший период',
  organization: 'Организация',
  country: 'Страна',
  period: 'Период',
  deadline: 'Срок',
  allReported: 'Все исполнители отчитались за последний истёкший период.',
  postponementsIntro: (moves, tasks, days) => `${moves} сроков (${tasks}), всего на ${days}.`,
  mostPostponed: 'Задачи с наибольшим числом переносов',
  timesMoved: 'Переносов',
  daysMoved: 'Дней переноса',
  originalDue: 'Первоначальный срок',
  dueNow: 'Текущий срок',
  noneMoved: 'Сроки не переносились.',
  deliveryConfidence: 'Уверенность в исполнении',
  confidenceIntro: 'Насколько исполнители в последнем отчёте уверены, что задача будет выполнена в срок.',
  confidenceCaption: 'Последние отчёты по уверенности и сторонам',
  allAssignments: 'Все исполнители задач',
  noAssignments: 'Исполнителей задач ещё нет.',
  eachAssignment: 'Каждая пара «задача — организация-исполнитель» учитывается один раз, по последнему отчёту.',
  breakdown: 'По направлениям и организациям',
  breakdownNote:
    'Открыто: не снято с контроля и не отменено. Переносов: переносы сроков. Красных: последние отчёты с оценкой «срыв срока».',
  open: 'Открыто',
  red: 'Красных',
  byArea: 'По направлениям сотрудничества',
  area: 'Направление',
  noTasks: 'Задач ещё нет.',
  byOrganization: 'По организациям-исполнителям (задача учитывается у каждого исполнителя)',
  indicators: 'Индикаторы',
  indicatorsIntro: 'Прогресс = (факт − база) / (цель − база).',
  indicatorsCaption: 'Индикаторы в сравнении с целевыми значениями',
  indicator: 'Индикатор',
  unit: 'Ед. изм.',
  baseline: 'Базовое',
  target: 'Целевое',
  actual: 'Фактическое',
  progress: 'Прогресс',
  noValueYet: 'значения ещё нет',
  noIndicators: 'Для этих планов индикаторы не заданы.',
  chartStatus: 'Задачи по статусам и сторонам',
  chartConfidence: 'Уверенность в исполнении по последним отчётам',
  chartOverdue: 'Просроченные задачи по организациям',
  late: 'просрочки',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function regionName(locale: string): (code: string) => string {
  let names: Intl.DisplayNames | undefined;
  return (code) => {
    try {
      names ??= new Intl.DisplayNames([locale], { type: 'region' });
      const name = names.of(code);
      return name && name !== code && name !== 'Unknown Region' && name !== 'неизвестный регион' ? `${name} (${code})` : code;
    } catch {
      return code;
    }
  };
}

function instantIn(locale: string, options: Intl.DateTimeFormatOptions): (iso: string, timeZone: string) => string {
  return (iso, timeZone) => {
    try {
      return `${new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(iso))} (${timeZone})`;
    } catch {
      return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
    }
  };
}

// Formatters made once: a formatter made per number was 2.2 s of the 2.7 s page of a plan of 100,000 tasks.
function locale(tag: 'en' | 'ru'): ReportLocale {
  const ru = tag === 'ru';
  const INT = new Intl.NumberFormat(ru ? 'ru-RU' : 'en-US');
  const DEC = new Intl.NumberFormat(ru ? 'ru-RU' : 'en-US', { maximumFractionDigits: 2 });
  const PCT = new Intl.NumberFormat(ru ? 'ru-RU' : 'en-US', { maximumFractionDigits: 1 });
  const plural = new Intl.PluralRules(ru ? 'ru-RU' : 'en-US');
  // Parsed by hand: no time zone can shift a date.
  const date = (iso: string) => {
    const m = ISO_DATE.exec(iso);
    if (!m) return iso;
    return ru ? `${m[3]}.${m[2]}.${m[1]}` : `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
  };
  const count = (n: number, noun: Noun) => {
    const form = plural.select(n);
    return `${INT.format(n)} ${form === 'one' ? noun.one : form === 'few' ? (noun.few ?? noun.many) : noun.many}`;
  };
  const languages: Record<Language, [en: string, ru: string]> = {
    ru: ['Russian', 'русском'],
    be: ['Belarusian', 'белорусском'],
    kk: ['Kazakh', 'казахском'],
    en: ['English', 'английском'],
  };
  return {
    int: (n) => INT.format(n),
    dec: (n) => DEC.format(n),
    // Russian sets a percentage off by a no-break space ("42 %"), as its typography asks.
    pct: (n) => (ru ? `${PCT.format(n)}\u00a0%` : `${PCT.format(n)}%`),
    count,
    date,
    instant: ru
      ? instantIn('ru-RU', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false })
      : instantIn('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }),
    party: regionName(tag),
    // on_hold is "Приостановлена" (suspended): "Отложена" reads as postponed, which the page says of moved deadlines.
    status: ru
      ? { closed: 'Снята с контроля', done: 'Доложено об испол\u00adнении', in_progress: 'В работе', on_hold: 'Приоста\u00adновлена', not_started: 'Не начата', cancelled: 'Отменена' }
      : { closed: 'Closed', done: 'Reported done', in_progress: 'In progress', on_hold: 'On hold', not_started: 'Not started', cancelled: 'Cancelled' },
    confidence: ru
      ? { green: 'Зелёный: по плану', amber: 'Жёлтый: есть риски', red: 'Красный: срыв срока', none: 'Отчёта ещё нет' }
      : { green: 'Green: on track', amber: 'Amber: at risk', red: 'Red: off track', none: 'No report yet' },
    completion: ru ? { on_time: 'В срок', late: 'С опозданием' } : { on_time: 'On time', late: 'Late' },
    planStatus: ru ? { draft: 'проект', approved: 'утверждён', closed: 'закрыт' } : { draft: 'draft', approved: 'approved', closed: 'closed' },
    area: (area) => AREA_NAMES[area]?.[ru ? 'ru' : 'en'],
    basis(b) {
      // English: the citation the JSON's basis.text and the import read back; Russian: the way a protocol is cited there.
      const m = { title: b.meetingTitle, date: b.meetingDate, protocolNumber: b.protocolNumber };
      const head = ru ? meetingCitationRu(m) : meetingCitation(m);
      return b.protocolItem ? `${head}${CITATION_ITEM[tag]}${b.protocolItem}` : head;
    },
    titlesIn: (lang) => (ru ? `Названия задач — на ${languages[lang][1]} языке, где есть перевод` : `Titles in ${languages[lang][0]} where translated`),
    nouns: ru
      ? {
          task: { one: 'задача', few: 'задачи', many: 'задач' },
          day: { one: 'день', few: 'дня', many: 'дней' },
          plan: { one: 'план', few: 'плана', many: 'планов' },
          overdueTask: { one: 'задача', few: 'задачи', many: 'задач' },
          postponement: { one: 'перенос', few: 'переноса', many: 'переносов' },
          // Genitive, as "у N организаций" asks.
          organization: { one: 'организации', few: 'организаций', many: 'организаций' },
        }
      : {
          task: { one: 'task', many: 'tasks' },
          day: { one: 'day', many: 'days' },
          plan: { one: 'plan', many: 'plans' },
          overdueTask: { one: 'overdue task', many: 'overdue tasks' },
          postponement: { one: 'postponement', many: 'postponements' },
          organization: { one: 'organization', many: 'organizations' },
        },
    w: ru ? RU_WORDS : EN_WORDS,
  };
}

const EN = locale('en');
const RU = locale('ru');

/** The locale of a report asked for in `lang`: English without one or for en, Russian for ru, be and kk. */
export function reportLocale(lang: Language | null): ReportLocale {
  return inRussian(lang) ? RU : EN;
}
