// A hand-made ProgressReport of the Belarus–Kazakhstan plan (Russian titles), for rendering tests that need no database.
import { TASK_STATUSES, type TaskArea } from '../../src/db/enums.js';
import type { Breakdown, ProgressReport, ReportTask } from '../../src/modules/reports/progress.schemas.js';

export const XSS_TITLE = `Локализация самосвалов БЕЛАЗ <script>alert('xss')</script> & "кавычки"`;

const ORGS = {
  minprom: { organizationId: 'org-by-minprom', name: 'Министерство промышленности Республики Беларусь', shortName: 'Минпром', country: 'BY' },
  mic: { organizationId: 'org-kz-mic', name: 'Министерство промышленности и строительства Республики Казахстан', shortName: 'МПС РК', country: 'KZ' },
  mtz: { organizationId: 'org-by-mtz', name: 'ОАО «Минский тракторный завод»', shortName: 'МТЗ', country: 'BY' },
  mti: { organizationId: 'org-kz-mti', name: 'Ministry of Trade & Integration of Kazakhstan', shortName: null, country: 'KZ' },
} as const;
type OrgKey = keyof typeof ORGS;

const PLAN_ID = 'plan-2026';
let seq = 0;

function task(
  code: string,
  title: string,
  area: TaskArea,
  status: ReportTask['status'],
  dueDate: string,
  executors: [OrgKey, 'lead' | 'co_executor'][],
  extra: Partial<ReportTask> = {},
): ReportTask {
  seq += 1;
  return {
    taskId: `task-${code}`,
    planId: PLAN_ID,
    code,
    title,
    area,
    status,
    dueDate,
    originalDueDate: dueDate,
    overdue: false,
    daysOverdue: 0,
    postponementCount: 0,
    daysMoved: 0,
    completion: null,
    completionAgainstOriginal: null,
    formOfCompletion: 'Информация в МПК',
    expectedResult: null,
    basis: {
      meetingId: 'meeting-visit-2026-11-04',
      meetingTitle: 'Официальный визит в Астану',
      meetingDate: '2026-11-04',
      protocolNumber: '19',
      protocolItem: String(seq),
      text: `Protocol No. 19 of 2026-11-04 (Официальный визит в Астану), item ${seq}`,
    },
    percentComplete: null,
    confidence: null,
    executors: executors.map(([k, role]) => ({ ...ORGS[k], role })),
    ...extra,
  };
}

function tasks(): ReportTask[] {
  seq = 0;
  return [
    task('1.1', 'Расширение сборки белорусских тракторов в Костанае', 'mechanical_engineering', 'in_progress', '2026-09-30',
      [['minprom', 'lead'], ['mic', 'lead'], ['mtz', 'co_executor']],
      { originalDueDate: '2026-06-30', overdue: true, daysOverdue: 59, postponementCount: 1, daysMoved: 92, percentComplete: 60, confidence: 'amber' }),
    task('1.2', 'Организация совместного производства комбайнов «Гомсельмаш»', 'mechanical_engineering', 'closed', '2026-10-15',
      [['minprom', 'lead'], ['mic', 'lead']], { completion: 'on_time', completionAgainstOriginal: 'on_time', percentComplete: 100, confidence: 'green' }),
    task('1.3', XSS_TITLE, 'mechanical_engineering', 'not_started', '2026-10-31', [['minprom', 'lead'], ['mic', 'lead']],
      { originalDueDate: '2026-08-31', overdue: true, daysOverdue: 28, postponementCount: 2, daysMoved: 61, confidence: 'red', percentComplete: 0 }),
    task('2.1', 'Цифровая платформа прослеживаемости товаров', 'digitalization', 'in_progress', '2026-12-20',
      [['minprom', 'lead'], ['mti', 'lead']], { percentComplete: 40, confidence: 'green' }),
    task('2.2', 'Электронный обмен фитосанитарными сертификатами', 'digitalization', 'done', '2026-11-15', [['mti', 'lead']],
      { percentComplete: 100, confidence: 'green' }),
    task('3.1', 'Поставки молочной продукции в Республику Казахстан', 'food_supplies', 'closed', '2026-08-01',
      [['minprom', 'lead'], ['mti', 'lead']], { completion: 'late', completionAgainstOriginal: 'late', percentComplete: 100, confidence: 'green' }),
    task('3.2', 'Расширение поставок зерна', 'food_supplies', 'on_hold', '2027-03-31', [['mti', 'lead']], { basis: null }),
    task('4.1', 'Вывод товарооборота на 5 млрд долларов США', 'trade', 'cancelled', '2026-12-31', [['mti', 'lead'], ['minprom', 'co_executor']]),
  ];
}

const MISSING = [
  { code: '1.3', org: 'minprom' },
  { code: '1.3', org: 'mic' },
  { code: '2.1', org: 'mti' },
] as const;

const AS_OF = '2026-11-28';
const round1 = (n: number) => Math.round(n * 10) / 10;

/** The figures of a group of tasks, computed the way the service defines them, so the fixture is consistent. */
function breakdown(group: ReportTask[], orgFilter: (orgId: string) => boolean = () => true): Breakdown {
  const byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, group.filter((t) => t.status === s).length])) as Breakdown['byStatus'];
  const percentByStatus = Object.fromEntries(
    TASK_STATUSES.map((s) => [s, group.length ? round1((byStatus[s] / group.length) * 100) : 0]),
  ) as Breakdown['percentByStatus'];
  const assignments = group.flatMap((t) => t.executors.filter((x) => orgFilter(x.organizationId)).map(() => t.confidence));
  const overdue = group.filter((t) => t.overdue);
  const limit = '2026-12-28';
  return {
    taskCount: group.length,
    byStatus,
    percentByStatus,
    closedOnTime: group.filter((t) => t.completion === 'on_time').length,
    closedLate: group.filter((t) => t.completion === 'late').length,
    closedOnTimeAgainstOriginal: group.filter((t) => t.completionAgainstOriginal === 'on_time').length,
    overdue: overdue.length,
    overdueDays: overdue.reduce((a, t) => a + t.daysOverdue, 0),
    dueNext30Days: group.filter((t) => !['closed', 'cancelled'].includes(t.status) && t.dueDate >= AS_OF && t.dueDate <= limit).length,
    postponedTasks: group.filter((t) => t.postponementCount > 0).length,
    postponements: group.reduce((a, t) => a + t.postponementCount, 0),
    daysMoved: group.reduce((a, t) => a + t.daysMoved, 0),
    confidence: {
      green: assignments.filter((c) => c === 'green').length,
      amber: assignments.filter((c) => c === 'amber').length,
      red: assignments.filter((c) => c === 'red').length,
      none: assignments.filter((c) => c === null).length,
    },
    missingReports: MISSING.filter((m) => group.some((t) => t.code === m.code) && orgFilter(ORGS[m.org].organizationId)).length,
  };
}

/** The whole report; `overrides` replace top-level fields. */
export function progressReportFixture(overrides: Partial<ProgressReport> = {}): ProgressReport {
  const all = tasks();
  const byCode = (c: string) => all.find((t) => t.code === c)!;
  const parties = ['BY', 'KZ'];
  const areas = [...new Set(all.map((t) => t.area))];
  const reportingPeriod = overrides.reportingPeriod ?? { current: '2026-Q4', lastDue: '2026-Q3', lastDueDeadline: '2026-10-10' };
  return {
    scope: {
      commissionId: 'commission-by-kz',
      commissionName: 'Межправительственная комиссия по торгово-экономическому сотрудничеству Беларусь – Казахстан',
      timeZone: 'Europe/Minsk',
      parties,
      plans: [
        {
          id: PLAN_ID,
          title: 'План мероприятий по итогам официального визита 4 ноября 2026 г.',
          status: 'approved',
          reportingPeriod,
        },
      ],
    },
    asOf: AS_OF,
    generatedAt: '2026-11-28T09:00:00.000Z',
    lang: 'ru',
    reportingPeriod,
    totals: breakdown(all),
    byParty: parties.map((p) => {
      const inParty = (orgId: string) => Object.values(ORGS).some((o) => o.organizationId === orgId && o.country === p);
      const group = all.filter((t) => t.executors.some((x) => inParty(x.organizationId)));
      return { key: p, label: p, ...breakdown(group, inParty) };
    }),
    byOrganization: Object.values(ORGS).map((o) => {
      const only = (orgId: string) => orgId === o.organizationId;
      const group = all.filter((t) => t.executors.some((x) => only(x.organizationId)));
      return { key: o.organizationId, label: o.name, country: o.country, shortName: o.shortName, ...breakdown(group, only) };
    }),
    byArea: areas.map((a) => ({ key: a, label: a, ...breakdown(all.filter((t) => t.area === a)) })),
    overdue: all.filter((t) => t.overdue).sort((a, b) => b.daysOverdue - a.daysOverdue),
    dueSoon: [byCode('2.1')],
    mostPostponed: all.filter((t) => t.postponementCount > 0).sort((a, b) => b.postponementCount - a.postponementCount),
    missingReports: MISSING.map((m) => ({
      taskId: `task-${m.code}`,
      code: m.code,
      title: byCode(m.code).title,
      organizationId: ORGS[m.org].organizationId,
      organizationName: ORGS[m.org].name,
      country: ORGS[m.org].country,
      period: '2026-Q3',
      deadline: '2026-10-10',
    })),
    indicators: [
      { id: 'ind-turnover', planId: PLAN_ID, name: 'Товарооборот между Беларусью и Казахстаном', unit: 'млн долл. США', taskId: null, baseline: 1000, target: 1500, actual: 1210, actualPeriod: '2026-Q3', progressPercent: 42 },
      { id: 'ind-tractors', planId: PLAN_ID, name: 'Тракторы, собранные в Костанае', unit: 'шт.', taskId: 'task-1.1', baseline: 0, target: 1200, actual: null, actualPeriod: null, progressPercent: null },
      { id: 'ind-local', planId: PLAN_ID, name: 'Доля локализации комбайнов', unit: '%', taskId: 'task-1.2', baseline: 20, target: 50, actual: 56, actualPeriod: '2026-Q3', progressPercent: 120 },
    ],
    tasks: all,
    ...overrides,
  };
}

/** A plan with no tasks at all: every section must still render, with a sentence instead of an empty table. */
export function emptyReportFixture(): ProgressReport {
  const zero = breakdown([]);
  return progressReportFixture({
    lang: null,
    totals: zero,
    byParty: [],
    byOrganization: [],
    byArea: [],
    overdue: [],
    dueSoon: [],
    mostPostponed: [],
    missingReports: [],
    indicators: [],
    tasks: [],
    reportingPeriod: { current: '2026-Q1', lastDue: null, lastDueDeadline: null },
  });
}
