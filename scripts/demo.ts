// `npm run demo`: loads a believable Belarus–Kazakhstan plan of measures into DATABASE_PATH.
//
// Everything goes THROUGH the application: the script builds the app with buildApp() and calls the
// /v1 API with app.inject, so every domain rule (assignee countries, basis meetings, plan approval,
// the status machine, deadline changes) applies to the demo exactly as to any caller. Nothing here
// writes SQL.
//
// Dates are relative to today in Europe/Minsk, so the plan looks alive whenever it is loaded: some
// tasks are overdue, some postponed, some done awaiting closure, several due within 30 days. The
// official visit is on 4 November of the current year (of the previous year before 4 November: a
// visit with a signed protocol lies in the past); the commission session and the working group were
// earlier in that year. The app's clock is injectable, so the script sets it to the day each step
// "happened" (never later than now): statusChangedAt, completedAt, closedAt and the deadline-change
// stamps read like a real history, and closed tasks come out on time or late as intended.
//
// The reporting side rides on the same calendar: each executing organization gets a ministry key and
// reports quarterly around each deadline, the secretariat reviews, and six indicators get their values
// quarter by quarter (see "Progress reports and indicators" below). The ministries' keys are revoked at
// the end, whatever happens: nobody holds their secrets.
//
// Idempotency, by natural keys, with the plan as the unit of loading:
//   - the commission is found by its exact name, organizations by country + exact name, meetings by
//     commission + kind + date + title; each is created only when missing (organizations are shared
//     between commissions, so existing ones are reused rather than duplicated);
//   - the plan is found by commission + exact title. If it is already approved the demo is loaded:
//     the script changes nothing, prints the summary and exits 0. If it is still a draft, an earlier
//     run stopped half-way: its tasks are deleted (allowed in a draft) and loaded again.
// The story after approval (transitions, deadline changes) is not resumable; it only fails on a bug,
// and then the way out is a fresh DATABASE_PATH.
//
// Language: plan and task texts are in Russian, the working language of the signed documents, with an
// English translation of every title (translations.en). Directory data (commission, organizations,
// meetings) is in English. Names of the co-chairs are invented; they describe no real office holder.
import type { App } from '../src/app.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { committed } from '../src/db/group-commit.js';
import { createApiKeyService, OPERATOR } from '../src/modules/api-keys/api-keys.service.js';
import type { Confidence, TaskArea, TaskStatus } from '../src/db/enums.js';
import { addDays, dateInZone, daysBetween } from '../src/lib/dates.js';
import { periodBounds, periodOf, periodsBetween, submissionDeadline } from '../src/lib/periods.js';
import type { Commission } from '../src/modules/commissions/commissions.schemas.js';
import type { DeadlineChange } from '../src/modules/deadline-changes/deadline-changes.schemas.js';
import type { Indicator } from '../src/modules/indicators/indicators.schemas.js';
import type { Meeting } from '../src/modules/meetings/meetings.schemas.js';
import type { Organization } from '../src/modules/organizations/organizations.schemas.js';
import type { Plan } from '../src/modules/plans/plans.schemas.js';
import type { ProgressReport } from '../src/modules/reports/progress.schemas.js';
import type { TaskReport } from '../src/modules/task-reports/task-reports.schemas.js';
import type { Task } from '../src/modules/tasks/tasks.schemas.js';

const TIME_ZONE = 'Europe/Minsk';
const COMMISSION_NAME =
  'Intergovernmental Commission on Trade and Economic Co-operation between the Republic of Belarus and the Republic of Kazakhstan';

// ---------------------------------------------------------------------------------------------------
// The calendar of the story
// ---------------------------------------------------------------------------------------------------

const realNow = new Date();
const today = dateInZone(realNow, TIME_ZONE);
const thisYear = Number(today.slice(0, 4));
const visitYear = `${thisYear}-11-04` <= today ? thisYear : thisYear - 1;

const cal = {
  today,
  session: `${visitYear}-04-16`,
  workingGroup: `${visitYear}-07-09`,
  visit: `${visitYear}-11-04`,
  periodStart: `${visitYear}-05-01`,
  periodEnd: `${visitYear + 1}-12-31`,
};
/** The plan is drawn up ten days after the session and approved two weeks later. */
const planDrafted = addDays(cal.session, 10);
const planApproved = addDays(cal.session, 24);

/** Days from today, from the session, the working group, the visit. */
const t = (n: number) => addDays(cal.today, n);
const s = (n: number) => addDays(cal.session, n);
const w = (n: number) => addDays(cal.workingGroup, n);
const v = (n: number) => addDays(cal.visit, n);
const latest = (...dates: string[]) => dates.reduce((a, b) => (a > b ? a : b));
const earliest = (...dates: string[]) => dates.reduce((a, b) => (a < b ? a : b));

// ---------------------------------------------------------------------------------------------------
// Directory data
// ---------------------------------------------------------------------------------------------------

const commissionBody = {
  name: COMMISSION_NAME,
  timeZone: TIME_ZONE,
  parties: [
    { country: 'BY', coChair: { name: 'Pavel I. Sidorenko', position: 'Deputy Prime Minister of the Republic of Belarus' } },
    { country: 'KZ', coChair: { name: 'Nurlan S. Temirbekov', position: 'Deputy Prime Minister of the Republic of Kazakhstan' } },
  ],
};

interface OrgSpec {
  name: string;
  shortName?: string;
  kind: Organization['kind'];
  country: 'BY' | 'KZ';
  /** Key of the parent in ORGS, declared before this one. */
  parent?: string;
}

const ORGS = {
  // Belarus
  byIndustry: { name: 'Ministry of Industry of the Republic of Belarus', shortName: 'Minprom', kind: 'ministry', country: 'BY' },
  byAgri: { name: 'Ministry of Agriculture and Food of the Republic of Belarus', shortName: 'Minselkhozprod', kind: 'ministry', country: 'BY' },
  byTrade: { name: 'Ministry of Antimonopoly Regulation and Trade of the Republic of Belarus', shortName: 'MART', kind: 'ministry', country: 'BY' },
  byDigital: { name: 'Ministry of Communications and Informatization of the Republic of Belarus', shortName: 'Minsvyazi', kind: 'ministry', country: 'BY' },
  byEconomy: { name: 'Ministry of Economy of the Republic of Belarus', shortName: 'Minekonomiki', kind: 'ministry', country: 'BY' },
  byMfa: { name: 'Ministry of Foreign Affairs of the Republic of Belarus', shortName: 'MFA of Belarus', kind: 'ministry', country: 'BY' },
  byTransport: { name: 'Ministry of Transport and Communications of the Republic of Belarus', shortName: 'Mintrans', kind: 'ministry', country: 'BY' },
  byMinskRegion: { name: 'Minsk Oblast Executive Committee', shortName: 'Minsk Oblispolkom', kind: 'region', country: 'BY' },
  byGomelRegion: { name: 'Gomel Oblast Executive Committee', shortName: 'Gomel Oblispolkom', kind: 'region', country: 'BY' },
  byBrestRegion: { name: 'Brest Oblast Executive Committee', shortName: 'Brest Oblispolkom', kind: 'region', country: 'BY' },
  byChamber: { name: 'Belarusian Chamber of Commerce and Industry', shortName: 'BelCCI', kind: 'business_association', country: 'BY' },
  mtz: { name: 'Minsk Tractor Works', shortName: 'MTZ', kind: 'enterprise', country: 'BY', parent: 'byIndustry' },
  gomselmash: { name: 'Gomselmash', shortName: 'Gomselmash', kind: 'enterprise', country: 'BY', parent: 'byIndustry' },
  maz: { name: 'Minsk Automobile Plant', shortName: 'MAZ', kind: 'enterprise', country: 'BY', parent: 'byIndustry' },
  belaz: { name: 'Belarusian Autoworks', shortName: 'BelAZ', kind: 'enterprise', country: 'BY', parent: 'byIndustry' },
  // Kazakhstan
  kzIndustry: { name: 'Ministry of Industry and Construction of the Republic of Kazakhstan', shortName: 'MIC RK', kind: 'ministry', country: 'KZ' },
  kzAgri: { name: 'Ministry of Agriculture of the Republic of Kazakhstan', shortName: 'MoA RK', kind: 'ministry', country: 'KZ' },
  kzTrade: { name: 'Ministry of Trade and Integration of the Republic of Kazakhstan', shortName: 'MTI RK', kind: 'ministry', country: 'KZ' },
  kzDigital: {
    name: 'Ministry of Digital Development, Innovation and Aerospace Industry of the Republic of Kazakhstan',
    shortName: 'MDDIAI RK',
    kind: 'ministry',
    country: 'KZ',
  },
  kzEconomy: { name: 'Ministry of National Economy of the Republic of Kazakhstan', shortName: 'MNE RK', kind: 'ministry', country: 'KZ' },
  kzMfa: { name: 'Ministry of Foreign Affairs of the Republic of Kazakhstan', shortName: 'MFA RK', kind: 'ministry', country: 'KZ' },
  kzTransport: { name: 'Ministry of Transport of the Republic of Kazakhstan', shortName: 'MoT RK', kind: 'ministry', country: 'KZ' },
  kzKostanay: { name: 'Akimat of Kostanay Region', shortName: 'Kostanay Akimat', kind: 'region', country: 'KZ' },
  kzKaraganda: { name: 'Akimat of Karaganda Region', shortName: 'Karaganda Akimat', kind: 'region', country: 'KZ' },
  kzAlmaty: { name: 'Akimat of Almaty Region', shortName: 'Almaty Region Akimat', kind: 'region', country: 'KZ' },
  kzChamber: {
    name: 'National Chamber of Entrepreneurs of the Republic of Kazakhstan "Atameken"',
    shortName: 'NCE Atameken',
    kind: 'business_association',
    country: 'KZ',
  },
  jvTractor: { name: 'Kostanay tractor assembly joint venture (MTZ tractors)', shortName: 'JV MTZ-Kostanay', kind: 'joint_venture', country: 'KZ' },
  jvCombine: {
    name: 'Combine harvester assembly joint venture (Gomselmash), Kostanay',
    shortName: 'JV Gomselmash-Kazakhstan',
    kind: 'joint_venture',
    country: 'KZ',
  },
  jvMaz: { name: 'MAZ truck assembly joint venture, Almaty Region', shortName: 'JV MAZ-Kazakhstan', kind: 'joint_venture', country: 'KZ' },
  jvBelazService: { name: 'BelAZ service centre, Karaganda Region', shortName: 'BelAZ Service Karaganda', kind: 'joint_venture', country: 'KZ' },
} satisfies Record<string, OrgSpec>;
type OrgKey = keyof typeof ORGS;

type MeetingKey = 'session' | 'workingGroup' | 'visit';
const MEETINGS: Record<MeetingKey, { kind: Meeting['kind']; title: string; date: string; place: string; protocolNumber: string }> = {
  session: {
    kind: 'commission_session',
    title: '18th session of the Intergovernmental Commission on Trade and Economic Co-operation',
    date: cal.session,
    place: 'Minsk',
    protocolNumber: '18',
  },
  workingGroup: {
    kind: 'working_group',
    title: '3rd meeting of the Working Group on Industrial Co-operation',
    date: cal.workingGroup,
    place: 'Kostanay',
    protocolNumber: 'WG-3',
  },
  visit: {
    kind: 'official_visit',
    title: 'Official visit of the Prime Minister of the Republic of Belarus to the Republic of Kazakhstan',
    date: cal.visit,
    place: 'Astana',
    protocolNumber: '19',
  },
};

const PLAN_TITLE =
  'Дорожная карта по развитию торгово-экономического сотрудничества между Республикой Беларусь и Республикой Казахстан ' +
  `на ${visitYear}–${visitYear + 1} годы`;

// ---------------------------------------------------------------------------------------------------
// The tasks and their story
// ---------------------------------------------------------------------------------------------------

type Step =
  | { on: string; op: 'move'; to: TaskStatus; comment?: string }
  | { on: string; op: 'ask'; newDueDate: string; reason: string }
  | { on: string; op: 'decide'; decision: 'approve' | 'reject'; basis: string; comment?: string }
  | { on: string; op: 'direct'; newDueDate: string; reason: string; basis: string };

const move = (on: string, to: TaskStatus, comment?: string): Step => ({ on, op: 'move', to, ...(comment ? { comment } : {}) });
const ask = (on: string, newDueDate: string, reason: string): Step => ({ on, op: 'ask', newDueDate, reason });
const approve = (on: string, basis: string): Step => ({ on, op: 'decide', decision: 'approve', basis });
const reject = (on: string, basis: string, comment: string): Step => ({ on, op: 'decide', decision: 'reject', basis, comment });
const direct = (on: string, newDueDate: string, reason: string, basis: string): Step => ({ on, op: 'direct', newDueDate, reason, basis });

interface TaskSpec {
  code: string;
  area: TaskArea;
  title: string;
  en: string;
  formOfCompletion: string;
  expectedResult: string;
  basis: [MeetingKey, string];
  dueDate: string;
  leads: [OrgKey, OrgKey];
  co?: OrgKey[];
  story?: Step[];
}

const VISIT_PROTOCOL = 'Протокол № 19 официального визита';
const WG_PROTOCOL = 'Протокол заседания рабочей группы № WG-3';

const TASKS: TaskSpec[] = [
  // 1. Mechanical engineering
  {
    code: '1.1',
    area: 'mechanical_engineering',
    title: 'Наращивание объёмов сборки тракторов «Беларус» на совместном предприятии в г. Костанае',
    en: 'Increase the assembly of Belarus tractors at the joint venture in Kostanay',
    formOfCompletion: 'Информация сопредседателям Комиссии',
    expectedResult: 'Собрано не менее 1 200 тракторов за год, уровень локализации не ниже 35 %',
    basis: ['session', '2.1'],
    dueDate: t(-20),
    leads: ['byIndustry', 'kzIndustry'],
    co: ['mtz', 'jvTractor', 'kzKostanay'],
    story: [move(t(-150), 'in_progress'), move(t(-26), 'done', 'Собрано 1 246 тракторов, локализация 36 %'), move(t(-22), 'closed', 'Снято с контроля')],
  },
  {
    code: '1.2',
    area: 'mechanical_engineering',
    title: 'Расширение модельного ряда зерноуборочных комбайнов «Гомсельмаш», собираемых на совместном предприятии в Казахстане',
    en: 'Extend the range of Gomselmash combine harvesters assembled at the joint venture in Kazakhstan',
    formOfCompletion: 'Дополнительное соглашение к договору о совместной деятельности',
    expectedResult: 'В программу сборки включены две новые модели комбайнов',
    basis: ['session', '2.2'],
    dueDate: t(3),
    leads: ['byIndustry', 'kzIndustry'],
    co: ['gomselmash', 'jvCombine'],
    story: [move(t(-140), 'in_progress'), move(t(-4), 'done', 'Дополнительное соглашение подписано')],
  },
  {
    code: '1.3',
    area: 'mechanical_engineering',
    title: 'Создание сервисного центра ОАО «БЕЛАЗ» в Карагандинской области для обслуживания карьерных самосвалов',
    en: 'Set up a BelAZ service centre in Karaganda Region for mining dump trucks',
    formOfCompletion: 'Акт ввода сервисного центра в эксплуатацию',
    expectedResult: 'Сервисный центр работает, создан склад запасных частей',
    basis: ['session', '2.3'],
    dueDate: t(-70),
    leads: ['byIndustry', 'kzIndustry'],
    co: ['belaz', 'jvBelazService', 'kzKaraganda'],
    story: [
      move(t(-130), 'in_progress'),
      ask(t(-80), t(-40), 'Задержка поставки диагностического оборудования'),
      approve(t(-76), 'Письмо секретариата Комиссии № 05-12/318'),
      move(t(-45), 'done', 'Сервисный центр введён в эксплуатацию'),
      move(t(-42), 'closed', 'Снято с контроля'),
    ],
  },
  {
    code: '1.4',
    area: 'mechanical_engineering',
    title: 'Локализация производства компонентов (кабины, мосты, гидравлика) для тракторов МТЗ на предприятиях Республики Казахстан',
    en: 'Localise the production of components (cabs, axles, hydraulics) for MTZ tractors at Kazakh enterprises',
    formOfCompletion: 'Согласованный перечень компонентов и график локализации',
    expectedResult: 'Локализовано производство не менее пяти компонентов',
    basis: ['session', '2.4'],
    dueDate: t(-35),
    leads: ['byIndustry', 'kzIndustry'],
    co: ['mtz', 'jvTractor'],
    story: [move(t(-120), 'in_progress')],
  },
  {
    code: '1.5',
    area: 'mechanical_engineering',
    title: 'Организация сборки грузовых автомобилей МАЗ на совместном предприятии в Алматинской области',
    en: 'Start the assembly of MAZ trucks at the joint venture in Almaty Region',
    formOfCompletion: 'Запуск сборочного производства',
    expectedResult: 'Сборка не менее 300 автомобилей МАЗ в год',
    basis: ['session', '2.5'],
    dueDate: t(-90),
    leads: ['byIndustry', 'kzIndustry'],
    co: ['maz', 'jvMaz', 'kzAlmaty'],
    story: [
      move(s(30), 'in_progress'),
      ask(w(-3), t(-30), 'Не завершено оформление земельного участка и подключение к инженерным сетям'),
      approve(w(0), `${WG_PROTOCOL}, п. 2`),
      ask(t(-40), t(45), 'Сертификация автомобилей по техническому регламенту ЕАЭС заняла больше времени, чем планировалось'),
      approve(latest(v(0), t(-38)), `${VISIT_PROTOCOL}, п. 4`),
    ],
  },
  {
    code: '1.6',
    area: 'mechanical_engineering',
    title: 'Поставка карьерной техники БЕЛАЗ горнодобывающим предприятиям Республики Казахстан с использованием лизинговых схем',
    en: 'Deliver BelAZ mining machinery to Kazakh mining companies under leasing schemes',
    formOfCompletion: 'Заключённые контракты на поставку',
    expectedResult: 'Заключены контракты на поставку не менее 40 карьерных самосвалов',
    basis: ['session', '2.6'],
    dueDate: t(12),
    leads: ['byIndustry', 'kzIndustry'],
    co: ['belaz', 'kzKaraganda'],
    story: [
      move(t(-110), 'in_progress'),
      ask(t(-10), t(100), 'Покупатель перенёс приёмку техники на первый квартал'),
      reject(t(-6), 'Решение секретариата Комиссии', 'График поставок согласован с покупателем; оснований для переноса нет'),
    ],
  },
  {
    code: '1.7',
    area: 'mechanical_engineering',
    title: 'Создание совместного инжинирингового центра в области сельскохозяйственного машиностроения',
    en: 'Set up a joint engineering centre for agricultural machinery',
    formOfCompletion: 'Учредительные документы центра',
    expectedResult: 'Центр зарегистрирован, утверждена программа совместных НИОКР',
    basis: ['workingGroup', '1'],
    dueDate: t(60),
    leads: ['byIndustry', 'kzIndustry'],
    co: ['mtz', 'gomselmash', 'kzChamber'],
    story: [move(t(-100), 'in_progress'), move(t(-50), 'on_hold', 'Не определён источник финансирования')],
  },
  {
    code: '1.8',
    area: 'mechanical_engineering',
    title: 'Подготовка специалистов совместных предприятий на базе ОАО «МТЗ» и ОАО «Гомсельмаш»',
    en: 'Train the staff of the joint ventures at MTZ and Gomselmash',
    formOfCompletion: 'Информация о прошедших обучение',
    expectedResult: 'Обучено не менее 60 специалистов',
    basis: ['session', '2.7'],
    dueDate: t(20),
    leads: ['byIndustry', 'kzIndustry'],
    co: ['mtz', 'gomselmash', 'jvTractor', 'jvCombine'],
    story: [move(t(-90), 'in_progress')],
  },
  {
    code: '1.9',
    area: 'mechanical_engineering',
    title: 'Проработка вопроса организации сборки коммунальной техники и автобусов МАЗ в Республике Казахстан',
    en: 'Study the assembly of MAZ municipal vehicles and buses in Kazakhstan',
    formOfCompletion: 'Технико-экономическое обоснование',
    expectedResult: 'ТЭО рассмотрено на заседании рабочей группы',
    basis: ['visit', '2'],
    dueDate: t(150),
    leads: ['byIndustry', 'kzIndustry'],
    co: ['maz', 'jvMaz'],
  },
  {
    code: '1.10',
    area: 'mechanical_engineering',
    title: 'Создание консигнационного склада запасных частей к технике МТЗ, «Гомсельмаш» и МАЗ в г. Костанае',
    en: 'Open a consignment warehouse of spare parts for MTZ, Gomselmash and MAZ machinery in Kostanay',
    formOfCompletion: 'Склад открыт',
    expectedResult: 'Срок поставки запасных частей сокращён до трёх суток',
    basis: ['visit', '3'],
    dueDate: t(90),
    leads: ['byIndustry', 'kzIndustry'],
    co: ['mtz', 'gomselmash', 'maz', 'kzKostanay'],
    story: [move(latest(v(10), t(-7)), 'in_progress')],
  },
  // 2. Digitalization
  {
    code: '2.1',
    area: 'digitalization',
    title: 'Обеспечение взаимного признания электронной цифровой подписи в трансграничном электронном документообороте',
    en: 'Ensure mutual recognition of electronic digital signatures in cross-border electronic document exchange',
    formOfCompletion: 'Протокол технических испытаний',
    expectedResult: 'Проведён обмен юридически значимыми электронными документами в пилотном режиме',
    basis: ['session', '3.1'],
    dueDate: t(10),
    leads: ['byDigital', 'kzDigital'],
    story: [move(t(-130), 'in_progress'), move(t(-3), 'done', 'Испытания завершены, протокол подписан')],
  },
  {
    code: '2.2',
    area: 'digitalization',
    title: 'Запуск пилотного проекта по использованию электронных товаросопроводительных документов (e-CMR) в автомобильных перевозках',
    en: 'Launch a pilot of electronic consignment notes (e-CMR) in road haulage',
    formOfCompletion: 'Отчёт о результатах пилотного проекта',
    expectedResult: 'Не менее 500 перевозок оформлено с использованием e-CMR',
    basis: ['session', '3.2'],
    dueDate: t(-12),
    leads: ['byDigital', 'kzDigital'],
    co: ['byTransport', 'kzTransport'],
    story: [move(t(-100), 'in_progress')],
  },
  {
    code: '2.3',
    area: 'digitalization',
    title: 'Создание цифровой платформы промышленной кооперации (каталог поставщиков комплектующих)',
    en: 'Build a digital platform for industrial co-operation (a catalogue of component suppliers)',
    formOfCompletion: 'Платформа введена в опытную эксплуатацию',
    expectedResult: 'На платформе зарегистрировано не менее 200 предприятий',
    basis: ['workingGroup', '2'],
    dueDate: t(-30),
    leads: ['byDigital', 'kzDigital'],
    co: ['byIndustry', 'kzIndustry', 'byChamber', 'kzChamber'],
    story: [
      move(t(-120), 'in_progress'),
      ask(t(-60), t(75), 'Требуется доработка платформы по требованиям информационной безопасности'),
      approve(t(-55), 'Решение сопредседателей, письмо № 05-12/402'),
    ],
  },
  {
    code: '2.4',
    area: 'digitalization',
    title: 'Проведение совместного семинара по обмену опытом цифровизации государственных услуг',
    en: 'Hold a joint seminar on the digitalisation of public services',
    formOfCompletion: 'Итоговый документ семинара',
    expectedResult: 'Согласован перечень услуг для взаимного перевода в электронный вид',
    basis: ['session', '3.3'],
    dueDate: t(6),
    leads: ['byDigital', 'kzDigital'],
    story: [
      move(t(-60), 'in_progress'),
      move(t(-20), 'done', 'Семинар проведён в г. Минске'),
      move(t(-15), 'in_progress', 'Возвращено: не приложен согласованный перечень услуг'),
    ],
  },
  // 3. Food supplies and agriculture
  {
    code: '3.1',
    area: 'food_supplies',
    title: 'Расширение ассортимента и объёмов поставок белорусской молочной продукции в Республику Казахстан',
    en: 'Extend the range and volume of Belarusian dairy supplies to Kazakhstan',
    formOfCompletion: 'Информация о динамике поставок',
    expectedResult: 'Рост поставок молочной продукции не менее чем на 10 % к прошлому году',
    basis: ['session', '4.1'],
    dueDate: t(-10),
    leads: ['byAgri', 'kzAgri'],
    co: ['byTrade', 'kzTrade'],
    story: [move(t(-150), 'in_progress'), move(t(-14), 'done', 'Поставки выросли на 12 %'), move(t(-8), 'closed', 'Снято с контроля')],
  },
  {
    code: '3.2',
    area: 'food_supplies',
    title: 'Организация поставок казахстанского зерна и масличных культур в Республику Беларусь',
    en: 'Organise supplies of Kazakh grain and oilseeds to Belarus',
    formOfCompletion: 'Заключённые контракты',
    expectedResult: 'Поставлено не менее 150 тыс. тонн зерна и масличных культур',
    basis: ['session', '4.2'],
    dueDate: t(15),
    leads: ['byAgri', 'kzAgri'],
    story: [move(t(-120), 'in_progress'), move(t(-2), 'done', 'Контракты исполнены, поставлено 163 тыс. тонн')],
  },
  {
    code: '3.3',
    area: 'food_supplies',
    title: 'Аттестация мясо- и молокоперерабатывающих предприятий для взаимных поставок продукции',
    en: 'Certify meat and dairy processing plants for mutual supplies',
    formOfCompletion: 'Перечни аттестованных предприятий',
    expectedResult: 'Аттестовано не менее 15 предприятий каждой стороны',
    basis: ['session', '4.3'],
    dueDate: t(-25),
    leads: ['byAgri', 'kzAgri'],
  },
  {
    code: '3.4',
    area: 'food_supplies',
    title: 'Создание оптово-распределительного центра белорусской продовольственной продукции в Алматинской области',
    en: 'Open a wholesale distribution centre for Belarusian food products in Almaty Region',
    formOfCompletion: 'Центр открыт',
    expectedResult: 'Товарооборот центра не менее 20 млн долларов США в год',
    basis: ['session', '4.4'],
    dueDate: t(-3),
    leads: ['byAgri', 'kzAgri'],
    co: ['kzAlmaty', 'byTrade', 'byChamber'],
    story: [
      move(t(-100), 'in_progress'),
      direct(latest(v(2), t(-60)), t(57), 'Перенос срока согласован сопредседателями в ходе официального визита', `${VISIT_PROTOCOL}, п. 5`),
    ],
  },
  {
    code: '3.5',
    area: 'agriculture',
    title: 'Реализация совместной программы в области селекции и семеноводства сельскохозяйственных культур',
    en: 'Run a joint programme on plant breeding and seed production',
    formOfCompletion: 'Утверждённая программа',
    expectedResult: 'Созданы совместные испытательные участки в Костанайской и Минской областях',
    basis: ['session', '4.5'],
    dueDate: t(200),
    leads: ['byAgri', 'kzAgri'],
    co: ['kzKostanay', 'byMinskRegion'],
  },
  // 4. Trade
  {
    code: '4.1',
    area: 'trade',
    title: 'Проведение белорусско-казахстанского бизнес-форума с биржей деловых контактов',
    en: 'Hold a Belarus–Kazakhstan business forum with B2B matchmaking',
    formOfCompletion: 'Итоги форума',
    expectedResult: 'Подписаны коммерческие соглашения не менее чем на 100 млн долларов США',
    basis: ['session', '5.1'],
    dueDate: t(-60),
    leads: ['byTrade', 'kzTrade'],
    co: ['byChamber', 'kzChamber', 'byMfa', 'kzMfa'],
    story: [move(t(-140), 'in_progress'), move(t(-31), 'done', 'Форум проведён в г. Астане'), move(t(-28), 'closed', 'Снято с контроля')],
  },
  {
    code: '4.2',
    area: 'trade',
    title: 'Устранение изъятий и ограничений во взаимной торговле в рамках ЕАЭС',
    en: 'Remove exemptions and restrictions in mutual trade within the EAEU',
    formOfCompletion: 'Согласованный перечень устранённых барьеров',
    expectedResult: 'Устранено не менее трёх барьеров во взаимной торговле',
    basis: ['session', '5.2'],
    dueDate: t(-50),
    leads: ['byEconomy', 'kzTrade'],
    co: ['byTrade', 'kzEconomy'],
    story: [move(t(-130), 'in_progress')],
  },
  {
    code: '4.3',
    area: 'trade',
    title: 'Открытие торгового дома белорусских производителей в г. Астане',
    en: 'Open a trading house of Belarusian producers in Astana',
    formOfCompletion: 'Свидетельство о регистрации торгового дома',
    expectedResult: 'Торговый дом зарегистрирован и ведёт деятельность',
    basis: ['session', '5.3'],
    dueDate: t(9),
    leads: ['byTrade', 'kzTrade'],
    co: ['byMfa', 'byChamber'],
    story: [move(t(-90), 'in_progress'), ask(t(-2), t(70), 'Не завершён подбор помещения для торгового дома')],
  },
  {
    code: '4.4',
    area: 'trade',
    title: 'Проведение Национальной выставки Республики Беларусь в г. Алматы',
    en: 'Hold the National Exhibition of Belarus in Almaty',
    formOfCompletion: 'Итоги выставки',
    expectedResult: 'Участие не менее 100 белорусских предприятий',
    basis: ['session', '5.4'],
    dueDate: t(45),
    leads: ['byTrade', 'kzTrade'],
    co: ['byMfa'],
    story: [move(w(3), 'cancelled', `Отменено: мероприятие объединено с бизнес-форумом (п. 4.1); ${WG_PROTOCOL}, п. 6`)],
  },
  {
    code: '4.5',
    area: 'trade',
    title: 'Обеспечение роста взаимного товарооборота',
    en: 'Ensure growth of mutual trade',
    formOfCompletion: 'Ежеквартальная информация сопредседателям',
    expectedResult: 'Рост взаимного товарооборота не менее чем на 10 % в год',
    basis: ['session', '5.5'],
    dueDate: cal.periodEnd,
    leads: ['byEconomy', 'kzEconomy'],
    co: ['byTrade', 'kzTrade'],
    story: [move(s(30), 'in_progress')],
  },
  // 5. Regional co-operation
  {
    code: '5.1',
    area: 'regional_cooperation',
    title: 'Проведение Форума регионов Республики Беларусь и Республики Казахстан',
    en: 'Hold the Forum of Regions of Belarus and Kazakhstan',
    formOfCompletion: 'Итоговый документ форума',
    expectedResult: 'Подписаны соглашения о сотрудничестве между регионами',
    basis: ['session', '6.1'],
    dueDate: t(-15),
    leads: ['byMfa', 'kzMfa'],
    co: ['byMinskRegion', 'kzKaraganda', 'byChamber', 'kzChamber'],
    story: [move(t(-120), 'in_progress'), move(t(-40), 'done', 'Форум проведён, подписано 9 соглашений'), move(t(-35), 'closed', 'Снято с контроля')],
  },
  {
    code: '5.2',
    area: 'regional_cooperation',
    title: 'Подписание соглашения о торгово-экономическом сотрудничестве между Гомельским облисполкомом и акиматом Костанайской области',
    en: 'Sign a trade and economic co-operation agreement between Gomel Oblast and Kostanay Region',
    formOfCompletion: 'Подписанное соглашение',
    expectedResult: 'Соглашение подписано, утверждён план его реализации',
    basis: ['session', '6.2'],
    dueDate: t(-8),
    leads: ['byGomelRegion', 'kzKostanay'],
  },
  {
    code: '5.3',
    area: 'regional_cooperation',
    title: 'Разработка плана мероприятий по сотрудничеству Брестской и Карагандинской областей',
    en: 'Draw up an action plan of co-operation between Brest Oblast and Karaganda Region',
    formOfCompletion: 'Утверждённый план мероприятий',
    expectedResult: 'План мероприятий утверждён руководителями регионов',
    basis: ['session', '6.3'],
    dueDate: t(25),
    leads: ['byBrestRegion', 'kzKaraganda'],
  },
  {
    code: '5.4',
    area: 'regional_cooperation',
    title: 'Организация визита деловой миссии Минской области в Алматинскую область',
    en: 'Organise a business mission of Minsk Oblast to Almaty Region',
    formOfCompletion: 'Программа визита, итоги переговоров',
    expectedResult: 'Подписаны не менее пяти коммерческих контрактов',
    basis: ['visit', '6'],
    dueDate: t(100),
    leads: ['byMinskRegion', 'kzAlmaty'],
    co: ['byChamber', 'kzChamber'],
    story: [move(latest(v(10), t(-5)), 'in_progress')],
  },
  // 6. Transport, industrial co-operation
  {
    code: '6.1',
    area: 'transport_logistics',
    title: 'Организация регулярных контейнерных поездов по маршруту Беларусь — Казахстан',
    en: 'Launch regular container trains between Belarus and Kazakhstan',
    formOfCompletion: 'Согласованный график движения',
    expectedResult: 'Не менее двух отправок в неделю в каждом направлении',
    basis: ['workingGroup', '4'],
    dueDate: t(120),
    leads: ['byTransport', 'kzTransport'],
    story: [move(t(-60), 'in_progress')],
  },
  {
    code: '6.2',
    area: 'industrial_cooperation',
    title: 'Инвентаризация действующих совместных предприятий и оценка уровня локализации их продукции',
    en: 'Review the operating joint ventures and the localisation level of their products',
    formOfCompletion: 'Аналитическая записка сопредседателям',
    expectedResult: 'По каждому СП определены показатели и меры поддержки',
    basis: ['session', '7.1'],
    dueDate: t(28),
    leads: ['byEconomy', 'kzEconomy'],
    co: ['byIndustry', 'kzIndustry'],
  },
];

/** When each task enters the plan: session tasks with the draft, later ones after their meeting. */
const CREATED_ON: Record<MeetingKey, string> = { session: planDrafted, workingGroup: w(4), visit: v(3) };

// ---------------------------------------------------------------------------------------------------
// Progress reports and indicators
// ---------------------------------------------------------------------------------------------------
//
// Each executing organization reports on each of its tasks for every quarter whose submission deadline has
// passed, through a ministry key of its own, around that deadline (a few days late now and then). What a
// report says follows the task as it stood on that day: its status, how far it is from its due date, and
// whether it is one of the troubled ones (asking for more time without delivering, on hold, or overdue in
// the end). When a task is reported done, its executors also report 100 % for the running quarter. The
// secretariat accepts the reports of earlier quarters and some of the last one; one report of the last
// quarter is returned, revised by its ministry and accepted. Several assignments of the last quarter stay
// without a report, so the co-chairs' report names who is missing. Choices that look random come from a
// hash of task, organization and period: the same day always loads the same story.

const REPORTING = { frequency: 'quarterly', dueDays: 10 } as const;

/** Quarters of the plan whose submission deadline is before today: the ones reported. */
const DUE_PERIODS = periodsBetween(cal.periodStart, today, REPORTING.frequency).filter((p) => submissionDeadline(p, REPORTING.dueDays) < today);
/** Quarters of the plan that have ended: the ones with indicator values. */
const ENDED_PERIODS = periodsBetween(cal.periodStart, today, REPORTING.frequency).filter((p) => periodBounds(p).end < today);

interface ProgressText {
  /** What the head executors say early on, half-way and near the end. */
  notes: [string, string, string];
  /** What threatens delivery, said in amber and red reports. */
  risk: string;
}

const PROGRESS: Record<string, ProgressText> = {
  '1.1': {
    notes: [
      'Утверждена производственная программа СП на год, обеспечен ритмичный завоз машинокомплектов из Минска.',
      'Сборка ведётся по графику; на площадке в Костанае освоены сварка рам и окраска кабин.',
      'Годовой план сборки близок к выполнению, уровень локализации превысил 35 %.',
    ],
    risk: 'Поставки двигателей из Минска задерживаются на 2–3 недели; возможен простой сборочной линии.',
  },
  '1.2': {
    notes: [
      'Согласован перечень новых моделей комбайнов для включения в программу сборки.',
      'Подготовлен проект дополнительного соглашения, согласуется технологическая документация.',
      'Дополнительное соглашение согласовано сторонами и передано на подписание.',
    ],
    risk: 'Не согласована цена машинокомплектов новых моделей.',
  },
  '1.3': {
    notes: [
      'Определена площадка сервисного центра, разработана проектная документация.',
      'Ведутся строительно-монтажные работы, сформирован склад запасных частей первой очереди.',
      'Завершается монтаж диагностического оборудования, персонал прошёл обучение в г. Жодино.',
    ],
    risk: 'Задерживается поставка диагностического оборудования.',
  },
  '1.4': {
    notes: [
      'Сформирован предварительный перечень компонентов для локализации, проведён аудит казахстанских поставщиков.',
      'Отобраны поставщики кабин и гидравлики, изготавливаются опытные партии.',
      'Опытные партии мостов прошли испытания на МТЗ, готовится график серийных поставок.',
    ],
    risk: 'Поставщики не подтвердили качество опытных партий кабин; график локализации под угрозой срыва.',
  },
  '1.5': {
    notes: [
      'Выбран земельный участок, разработан бизнес-план сборочного производства.',
      'Продолжается оформление земельного участка и подключение к инженерным сетям.',
      'Смонтирована сборочная линия, идёт сертификация автомобилей по техническому регламенту ЕАЭС.',
    ],
    risk: 'Затянулись оформление земельного участка и сертификация автомобилей по техническому регламенту ЕАЭС.',
  },
  '1.6': {
    notes: [
      'Проведены переговоры с горнодобывающими компаниями, определена потребность в технике.',
      'Согласованы условия лизинга с участием казахстанской лизинговой компании, подписаны два контракта.',
      'Заключены контракты на поставку 34 самосвалов, по остальным продолжаются переговоры.',
    ],
    risk: 'Покупатели откладывают приёмку техники; возможен перенос части поставок.',
  },
  '1.7': {
    notes: [
      'Подготовлен проект концепции инжинирингового центра.',
      'Согласованы состав учредителей и программа первоочередных НИОКР.',
      'Учредительные документы согласованы, готовится регистрация центра.',
    ],
    risk: 'Не определён источник финансирования центра.',
  },
  '1.8': {
    notes: [
      'Согласованы программы обучения и график стажировок.',
      'Прошли обучение 24 специалиста совместных предприятий на МТЗ и «Гомсельмаше».',
      'Обучение завершается: подготовлено более 50 специалистов.',
    ],
    risk: 'Часть специалистов не направлена на стажировку из-за загрузки производства.',
  },
  '1.9': {
    notes: [
      'Сформирована рабочая группа по подготовке ТЭО.',
      'Проведён анализ рынка коммунальной техники и автобусов Казахстана.',
      'Проект ТЭО подготовлен и направлен на согласование.',
    ],
    risk: 'Не получены данные о потребности акиматов в коммунальной технике.',
  },
  '1.10': {
    notes: [
      'Подобрано складское помещение в г. Костанае.',
      'Заключён договор консигнации, формируется первоначальный запас запасных частей.',
      'Склад укомплектован, отлаживается логистика поставок.',
    ],
    risk: 'Не завершено таможенное оформление первой партии запасных частей.',
  },
  '2.1': {
    notes: [
      'Согласован технический протокол взаимодействия удостоверяющих центров.',
      'Проведены испытания обмена электронными документами в тестовой среде.',
      'Пилотный обмен юридически значимыми документами проведён, готовится протокол испытаний.',
    ],
    risk: 'Различия в форматах сертификатов ключей требуют доработки шлюза.',
  },
  '2.2': {
    notes: [
      'Определены участники пилотного проекта — перевозчики обеих стран.',
      'Оформлены первые перевозки с использованием e-CMR.',
      'Пилот расширен на пункты пропуска, готовится отчёт о его результатах.',
    ],
    risk: 'К пилоту подключилось меньше перевозчиков, чем планировалось; цель в 500 перевозок под угрозой.',
  },
  '2.3': {
    notes: [
      'Утверждено техническое задание на платформу.',
      'Разработана опытная версия платформы, идёт доработка по требованиям информационной безопасности.',
      'Платформа прошла аттестацию, регистрируются предприятия.',
    ],
    risk: 'Аттестация по требованиям информационной безопасности задерживает ввод в опытную эксплуатацию.',
  },
  '2.4': {
    notes: [
      'Согласованы программа и состав участников семинара.',
      'Семинар подготовлен, согласуется перечень услуг для перевода в электронный вид.',
      'Семинар проведён, дорабатывается итоговый перечень услуг.',
    ],
    risk: 'Перечень услуг пока не согласован сторонами.',
  },
  '3.1': {
    notes: [
      'Проведены переговоры с торговыми сетями Казахстана о расширении ассортимента.',
      'Поставки молочной продукции выросли на 8 % к прошлому году, расширен ассортимент сыров.',
      'Рост поставок превысил 10 %, в торговые сети выведено 40 новых позиций.',
    ],
    risk: 'Ужесточение требований к маркировке может замедлить поставки.',
  },
  '3.2': {
    notes: [
      'Сформирован перечень поставщиков зерна и масличных культур.',
      'Заключены контракты на поставку 90 тыс. тонн, отгрузки идут по графику.',
      'Поставлено более 140 тыс. тонн, исполнение контрактов завершается.',
    ],
    risk: 'Нехватка вагонов-зерновозов в период уборки урожая.',
  },
  '3.3': {
    notes: [
      'Подготовлены перечни предприятий, заявленных для аттестации.',
      'Проведена аттестация первой группы предприятий.',
      'Аттестация завершается, готовятся перечни аттестованных предприятий.',
    ],
    risk: 'Инспекционные визиты ветеринарных служб не согласованы; аттестация не начата.',
  },
  '3.4': {
    notes: [
      'Проработаны варианты размещения центра в Алматинской области.',
      'Определён оператор центра, ведутся переговоры об аренде складского комплекса.',
      'Подписан договор аренды, центр оснащается оборудованием.',
    ],
    risk: 'Не согласованы условия аренды складского комплекса; открытие центра откладывается.',
  },
  '3.5': {
    notes: ['Подготовлен проект совместной программы.', 'Отобраны сорта для совместных испытаний.', 'Заложены испытательные участки.'],
    risk: 'Не определено финансирование испытательных участков.',
  },
  '4.1': {
    notes: [
      'Определены даты и место проведения форума, сформирован оргкомитет.',
      'Идёт регистрация участников, сформированы отраслевые секции.',
      'Форум подготовлен: зарегистрировано свыше 300 компаний обеих стран.',
    ],
    risk: 'Регистрация казахстанских компаний идёт медленнее ожидаемого.',
  },
  '4.2': {
    notes: [
      'Составлен перечень изъятий и ограничений во взаимной торговле.',
      'По двум барьерам достигнута договорённость, по остальным идут консультации.',
      'Проекты решений по устранению барьеров внесены в Евразийскую экономическую комиссию.',
    ],
    risk: 'Позиции сторон по изъятиям в торговле сахаром и нефтепродуктами не сближены.',
  },
  '4.3': {
    notes: [
      'Проведён анализ рынка, определена организационно-правовая форма торгового дома.',
      'Зарегистрировано юридическое лицо, подбирается помещение.',
      'Подобраны варианты помещения, согласуются условия аренды.',
    ],
    risk: 'Не завершён подбор помещения для торгового дома.',
  },
  '4.4': {
    notes: ['Сформирован оргкомитет выставки.', 'Идёт набор участников выставки.', 'Выставка подготовлена.'],
    risk: 'Сроки выставки совпадают с бизнес-форумом.',
  },
  '4.5': {
    notes: [
      'Взаимный товарооборот растёт; основной вклад — сельскохозяйственная техника и продовольствие.',
      'Рост взаимного товарооборота составил около 9 % к соответствующему периоду прошлого года.',
      'Рост взаимного товарооборота устойчиво превышает 10 % в год.',
    ],
    risk: 'Снижение цен на металлопродукцию сдерживает рост товарооборота в стоимостном выражении.',
  },
  '5.1': {
    notes: [
      'Согласованы даты и программа Форума регионов.',
      'Подготовлены проекты соглашений между регионами.',
      'Форум подготовлен, согласованы тексты девяти соглашений о сотрудничестве.',
    ],
    risk: 'Не подтверждено участие руководителей ряда регионов.',
  },
  '5.2': {
    notes: [
      'Подготовлен проект соглашения.',
      'Проект соглашения согласуется сторонами.',
      'Соглашение согласовано, определяется дата подписания.',
    ],
    risk: 'Проект соглашения не согласован; дата подписания не определена.',
  },
  '5.3': {
    notes: [
      'Начата подготовка проекта плана мероприятий.',
      'Проект плана согласуется с заинтересованными организациями.',
      'План мероприятий согласован и передан на утверждение руководителям регионов.',
    ],
    risk: 'Не получены предложения ряда заинтересованных организаций.',
  },
  '5.4': {
    notes: ['Сформирован состав деловой миссии.', 'Согласованы программа визита и график переговоров.', 'Подготовлены проекты контрактов.'],
    risk: 'Даты визита деловой миссии пока не определены.',
  },
  '6.1': {
    notes: [
      'Согласован проект графика движения контейнерных поездов.',
      'Выполнены пробные отправки контейнерных поездов в обоих направлениях.',
      'Поезда курсируют по графику, загрузка превышает 80 %.',
    ],
    risk: 'Не хватает фитинговых платформ для регулярных отправок.',
  },
  '6.2': {
    notes: [
      'Направлены запросы в совместные предприятия о показателях деятельности.',
      'Собраны данные по 12 совместным предприятиям, рассчитывается уровень локализации.',
      'Подготовлен проект аналитической записки сопредседателям.',
    ],
    risk: 'Часть совместных предприятий не представила данные.',
  },
};

/** What a co-executor adds, by the kind of organization. */
const CO_EXECUTOR_NOTES: Partial<Record<Organization['kind'], (country: 'BY' | 'KZ') => string[]>> = {
  ministry: () => [
    'Предложения в пределах компетенции направлены головному исполнителю.',
    'Вопрос находится на контроле министерства; необходимые согласования проведены.',
    'Министерство приняло участие в межведомственном совещании по мероприятию.',
  ],
  enterprise: () => [
    'Предприятие выполнило свою часть работ в согласованные сроки: переданы комплектующие и техническая документация.',
    'Специалисты предприятия командированы на площадку партнёра для технического сопровождения.',
    'Предприятием подготовлены предложения по номенклатуре и объёмам поставок.',
  ],
  joint_venture: () => [
    'СП представило данные о выпуске и загрузке производственных мощностей.',
    'На СП проведено обучение персонала и аттестация рабочих мест.',
    'СП выполняет производственную программу без отклонений от графика.',
  ],
  region: (country) => {
    const body = country === 'BY' ? 'Облисполком' : 'Акимат области';
    return [
      `${body} оказал содействие в подборе площадки и подключении к инженерным сетям.`,
      'Вопрос рассмотрен на совещании у руководства области, определены ответственные.',
      'Предприятия региона проинформированы, их предложения направлены головному исполнителю.',
    ];
  },
  business_association: () => [
    'Проведены консультации с деловыми кругами, сформирован перечень заинтересованных компаний.',
    'Информация о мероприятии доведена до членов палаты, разосланы приглашения.',
    'Проведена встреча с предпринимателями, предложения направлены головному исполнителю.',
  ],
};

/** Assignments of the last due quarter left without a report: the co-chairs' report names them. */
const MISSING_IN_LAST_PERIOD: [code: string, org: OrgKey][] = [
  ['1.4', 'jvTractor'],
  ['1.5', 'kzAlmaty'],
  ['1.8', 'jvCombine'],
  ['2.3', 'kzChamber'],
  ['3.4', 'byChamber'],
  ['4.2', 'kzEconomy'],
  ['5.2', 'kzKostanay'],
];

/** The report of the last due quarter the secretariat returns; its ministry revises it and it is accepted. */
const RETURNED = {
  code: '4.5',
  org: 'byEconomy' as OrgKey,
  comment: 'Приведите данные о товарообороте за отчётный квартал с разбивкой по основным товарным группам, а не только нарастающим итогом.',
  revision:
    'Взаимный товарооборот за квартал вырос на 9 % к соответствующему периоду прошлого года. Основной прирост: сельскохозяйственная ' +
    'техника (+14 %), грузовые автомобили (+11 %), молочная продукция (+12 %); снизились поставки металлопродукции (−6 %).',
};

interface IndicatorSpec {
  /** The task it measures; none for an indicator of the whole plan. */
  task?: string;
  name: string;
  unit: string;
  baseline: number;
  target: number;
  /** Values of the plan's quarters in order, from the first; only quarters that have ended are recorded. */
  values: number[];
  note: string;
}

const INDICATORS: IndicatorSpec[] = [
  {
    name: 'Взаимный товарооборот Республики Беларусь и Республики Казахстан (за последние 12 месяцев)',
    unit: 'млн долларов США',
    baseline: 1130,
    target: 1500,
    values: [1152, 1196, 1241, 1268, 1310, 1342, 1385, 1420],
    note: 'По данным национальных статистических служб, предварительно',
  },
  {
    task: '1.1',
    name: 'Тракторы «Беларус», собранные на СП в Костанае (за последние 12 месяцев)',
    unit: 'тракторов',
    baseline: 760,
    target: 1200,
    values: [846, 1012, 1164, 1210, 1232, 1246, 1258, 1270],
    note: 'Отчёт совместного предприятия',
  },
  {
    task: '1.4',
    name: 'Уровень локализации тракторов МТЗ, собираемых в Республике Казахстан',
    unit: '%',
    baseline: 28,
    target: 40,
    values: [28.5, 30, 31.5, 33, 34.5, 36, 37, 38],
    note: 'Расчёт Министерства промышленности и строительства Республики Казахстан',
  },
  {
    task: '2.2',
    name: 'Перевозки, оформленные с использованием e-CMR (нарастающим итогом)',
    unit: 'перевозок',
    baseline: 0,
    target: 500,
    values: [0, 138, 264, 371, 455, 512, 560, 600],
    note: 'Данные операторов электронного документооборота',
  },
  {
    task: '3.1',
    name: 'Экспорт белорусской молочной продукции в Республику Казахстан (за последние 12 месяцев)',
    unit: 'млн долларов США',
    baseline: 214,
    target: 236,
    values: [217, 229, 238, 241, 244, 246, 249, 251],
    note: 'По данным таможенной статистики',
  },
  {
    name: 'Действующие совместные предприятия с участием резидентов обеих стран',
    unit: 'предприятий',
    baseline: 12,
    target: 16,
    values: [12, 13, 13, 14, 15, 15, 16, 16],
    note: 'Перечень, согласованный министерствами экономики сторон',
  },
];

/** A stable pseudo-random number for a string (FNV-1a), so the same day always loads the same story. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const OUT_OF_CONTROL: readonly TaskStatus[] = ['closed', 'cancelled'];

/**
 * How a task ends up today: its last status, the day it was last reported done, and whether it is in
 * trouble — overdue in the end, on hold, or asking for more time without having delivered.
 */
function outlookOf(spec: TaskSpec): { finalStatus: TaskStatus; doneOn: string | null; troubled: boolean } {
  let due = earliest(spec.dueDate, cal.periodEnd);
  let requested: string | null = null;
  let finalStatus: TaskStatus = 'not_started';
  let doneOn: string | null = null;
  let asked = false;
  for (const step of spec.story ?? []) {
    if (step.op === 'move') {
      finalStatus = step.to;
      if (step.to === 'done') doneOn = step.on;
    }
    if (step.op === 'ask') {
      requested = step.newDueDate;
      asked = true;
    }
    if (step.op === 'decide' && step.decision === 'approve' && requested) due = requested;
    if (step.op === 'direct') due = step.newDueDate;
  }
  const delivered = finalStatus === 'done' || finalStatus === 'closed';
  const overdueInTheEnd = !delivered && finalStatus !== 'cancelled' && due < today;
  return { finalStatus, doneOn: delivered ? doneOn : null, troubled: (asked && !delivered) || overdueInTheEnd || finalStatus === 'on_hold' };
}

interface Assignment {
  spec: TaskSpec;
  org: OrgKey;
  role: 'lead' | 'co_executor';
}

const assignmentsOf = (spec: TaskSpec): Assignment[] => [
  ...spec.leads.map((org) => ({ spec, org, role: 'lead' as const })),
  ...(spec.co ?? []).map((org) => ({ spec, org, role: 'co_executor' as const })),
];

/** What an executor says about a task, as the task stands on the day of the report. */
function composeReport(a: Assignment, task: Task, day: string, previousPercent: number | undefined) {
  const { spec } = a;
  const text = PROGRESS[spec.code] ?? { notes: ['Работа ведётся по плану.', 'Работа ведётся по плану.', 'Работа близка к завершению.'], risk: 'Риски уточняются.' };
  const h = hash(`${spec.code}|${a.org}|${day}`);
  const jitter = (hash(`${spec.code}|${a.org}`) % 11) - 5; // the same for an assignment in every quarter
  const { troubled, doneOn } = outlookOf(spec);
  const daysLeft = daysBetween(day, task.dueDate);

  let percent: number;
  if (task.status === 'done') percent = 100;
  else if (task.status === 'not_started') percent = Math.max(previousPercent ?? 0, [0, 5, 10][h % 3] as number);
  else if (task.status === 'on_hold') percent = previousPercent ?? 30 + jitter;
  else {
    // Work moves fast at first and slows near the end; toward the day it is delivered, or else its due date.
    // A task in trouble lags behind.
    const started = dateInZone(new Date(task.statusChangedAt), TIME_ZONE);
    const finish = doneOn !== null && doneOn > day ? doneOn : task.dueDate;
    const elapsed = Math.min(1, Math.max(0, daysBetween(started, day) / Math.max(30, daysBetween(started, finish))));
    percent = Math.round(troubled ? 10 + 55 * elapsed : 15 + 80 * elapsed ** 0.7) + jitter;
    percent = Math.min(95, Math.max(previousPercent ?? 5, percent, 5));
  }

  // Red is for what will not be delivered on time without help: overdue, stopped, or in trouble close to the
  // deadline, as the head executors see it; co-executors, seeing their own part, tend to say amber.
  let confidence: Confidence;
  if (task.status === 'done') confidence = 'green';
  else if (task.overdue || task.status === 'on_hold') confidence = 'red';
  else if (troubled) confidence = daysLeft <= 60 && a.role === 'lead' ? 'red' : 'amber';
  else if (task.postponementCount > 0 || (task.status === 'not_started' && daysLeft <= 45)) confidence = 'amber';
  else confidence = h % 100 < 12 ? 'amber' : 'green';

  const country = ORGS[a.org].country;
  const counterpart = country === 'BY' ? 'казахстанской' : 'белорусской';
  const doneComment = [...(spec.story ?? [])].reverse().find((s): s is Extract<Step, { op: 'move' }> => s.op === 'move' && s.to === 'done')?.comment;
  const stage = text.notes[percent < 40 ? 0 : percent < 75 ? 1 : 2];
  const coNotes = CO_EXECUTOR_NOTES[ORGS[a.org].kind as Organization['kind']]?.(country) ?? ['Свою часть работ выполняем по графику.'];
  const coNote = coNotes[h % coNotes.length] as string;

  let narrative: string;
  if (task.status === 'done') {
    narrative = a.role === 'lead' ? `Мероприятие выполнено: ${doneComment ?? stage}. Информация направлена в секретариат Комиссии.` : `${coNote} Мероприятие выполнено.`;
  } else if (task.status === 'not_started') {
    const waiting = [
      `К выполнению мероприятия не приступали; согласовываются позиции с ${counterpart} стороной.`,
      'Мероприятие не начато: определяются ответственные исполнители и график работ.',
      'Мероприятие не начато. Запрошены предложения заинтересованных организаций.',
      daysLeft > 90 ? 'Срок исполнения наступает позднее; ведётся подготовка исходных материалов.' : 'Работа не начата; готовятся исходные материалы.',
    ];
    narrative = waiting[h % waiting.length] as string;
  } else if (task.status === 'on_hold') {
    narrative = `Работа приостановлена. ${text.risk}`;
  } else if (a.role === 'lead') {
    const head = ORGS[a.org].kind === 'region' ? 'руководству области' : 'руководству министерства';
    const asides = [
      'Информация направлена в секретариат Комиссии.',
      `Позиция согласована с ${counterpart} стороной.`,
      'Вопрос рассмотрен на межведомственном совещании.',
      `Ход работ доложен ${head}.`,
    ];
    narrative = (h >>> 4) % 2 === 0 ? `${stage} ${asides[(h >>> 5) % asides.length]}` : stage;
  } else {
    narrative = h % 2 === 0 ? `${coNote} ${stage}` : coNote;
  }
  return {
    percentComplete: percent,
    confidence,
    narrative,
    ...(confidence === 'green' ? {} : { risks: text.risk }),
  };
}

// ---------------------------------------------------------------------------------------------------
// Talking to the app
// ---------------------------------------------------------------------------------------------------

class ApiError extends Error {}

let clockNow = realNow;
let minuteOfDay = 0;
let lastDay = '';

/** Moves the app's clock to `date`, 10:00 in Minsk plus a minute per step that day, never past now. */
function setClock(date: string): void {
  minuteOfDay = date === lastDay ? minuteOfDay + 1 : 0;
  lastDay = date;
  const instant = new Date(Date.parse(`${date}T07:00:00Z`) + minuteOfDay * 60_000);
  clockNow = instant > realNow ? realNow : instant;
}

/** Set when the run is cut short: the loading stops at its next call of the API (see stopEarly). */
let stopping = false;

function makeApi(app: App, token: string) {
  const headers = { authorization: `Bearer ${token}` };
  async function call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<T> {
    // Never answered: the loading issues no more keys and skips its own clean-up, which stopEarly does.
    if (stopping) return new Promise<T>(() => {});
    const res = await app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
    if (res.statusCode >= 400) {
      let detail = res.body;
      try {
        const p = JSON.parse(res.body) as { detail?: string; errors?: unknown };
        detail = `${p.detail ?? ''}${p.errors ? ` ${JSON.stringify(p.errors)}` : ''}`;
      } catch {
        /* not JSON: show it as it is */
      }
      throw new ApiError(`${method} ${url} answered ${res.statusCode}: ${detail}`);
    }
    return (res.statusCode === 204 ? null : JSON.parse(res.body)) as T;
  }

  /** Every item of a paginated list. */
  async function all<T>(url: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const sep = url.includes('?') ? '&' : '?';
      const page: { items: T[]; nextCursor: string | null } = await call(
        'GET',
        `${url}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return items;
  }

  return {
    app,
    get: <T>(url: string) => call<T>('GET', url),
    post: <T>(url: string, body?: unknown) => call<T>('POST', url, body),
    put: <T>(url: string, body: unknown) => call<T>('PUT', url, body),
    patch: <T>(url: string, body: unknown) => call<T>('PATCH', url, body),
    del: (url: string) => call<null>('DELETE', url),
    all,
  };
}
type Api = ReturnType<typeof makeApi>;

async function findDemo(api: Api): Promise<{ commission?: Commission; plan?: Plan }> {
  const commission = (await api.all<Commission>('/v1/commissions')).find((c) => c.name === COMMISSION_NAME);
  if (!commission) return {};
  const plan = (await api.all<Plan>(`/v1/plans?commissionId=${commission.id}`)).find((p) => p.title === PLAN_TITLE);
  return plan ? { commission, plan } : { commission };
}

async function ensureOrganizations(api: Api): Promise<Record<OrgKey, Organization>> {
  const existing = new Map<string, Organization>();
  for (const country of ['BY', 'KZ']) {
    for (const o of await api.all<Organization>(`/v1/organizations?country=${country}`)) existing.set(`${o.country}|${o.name}`, o);
  }
  const out = {} as Record<OrgKey, Organization>;
  // Parents are declared before their children, so one pass in declaration order is enough.
  for (const [key, spec] of Object.entries(ORGS) as [OrgKey, OrgSpec][]) {
    const found = existing.get(`${spec.country}|${spec.name}`);
    if (found) {
      out[key] = found;
      continue;
    }
    out[key] = await api.post<Organization>('/v1/organizations', {
      name: spec.name,
      shortName: spec.shortName ?? null,
      kind: spec.kind,
      country: spec.country,
      parentId: spec.parent ? out[spec.parent as OrgKey].id : null,
    });
  }
  return out;
}

async function ensureMeeting(api: Api, commissionId: string, key: MeetingKey): Promise<Meeting> {
  const m = MEETINGS[key];
  const found = (await api.all<Meeting>(`/v1/meetings?commissionId=${commissionId}&kind=${m.kind}&from=${m.date}&to=${m.date}`)).find(
    (x) => x.title === m.title,
  );
  return found ?? api.post<Meeting>('/v1/meetings', { commissionId, ...m });
}

// ---------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------

interface Event {
  on: string;
  seq: number;
  run: () => Promise<void>;
}

async function load(api: Api, existing: { commission?: Commission; plan?: Plan }): Promise<Plan> {
  // Directory data: registered a month before the session.
  setClock(s(-30));
  const commission = existing.commission ?? (await api.post<Commission>('/v1/commissions', commissionBody));
  const orgs = await ensureOrganizations(api);

  const meetings = {} as Record<MeetingKey, Meeting>;
  let plan = existing.plan;
  const tasks = new Map<string, Task>();
  const pendingChange = new Map<string, string>();

  // The story: every step is dated, then all run in date order with the clock set to their day.
  const events: Event[] = [];
  const at = (on: string, run: () => Promise<void>, floor = s(-30)) =>
    events.push({ on: earliest(latest(on, floor), today), seq: events.length, run });

  for (const key of ['session', 'workingGroup', 'visit'] as const) {
    // A meeting is registered the day after it, when its protocol is signed.
    at(addDays(MEETINGS[key].date, 1), async () => {
      meetings[key] = await ensureMeeting(api, commission.id, key);
    });
  }

  at(planDrafted, async () => {
    if (plan) {
      // A draft left by an interrupted run: load its tasks again from scratch.
      for (const task of await api.all<Task>(`/v1/tasks?planId=${plan.id}`)) await api.del(`/v1/tasks/${task.id}`);
    } else {
      plan = await api.post<Plan>('/v1/plans', {
        commissionId: commission.id,
        title: PLAN_TITLE,
        periodStart: cal.periodStart,
        periodEnd: cal.periodEnd,
        reportingFrequency: REPORTING.frequency,
        reportDueDays: REPORTING.dueDays,
      });
    }
  });

  for (const spec of TASKS) {
    const createdOn = CREATED_ON[spec.basis[0]];
    at(createdOn, async () => {
      const assignees = [
        ...spec.leads.map((k) => ({ organizationId: orgs[k].id, role: 'lead' as const })),
        ...(spec.co ?? []).map((k) => ({ organizationId: orgs[k].id, role: 'co_executor' as const })),
      ];
      const task = await api.post<Task>('/v1/tasks', {
        planId: plan!.id,
        code: spec.code,
        title: spec.title,
        area: spec.area,
        formOfCompletion: spec.formOfCompletion,
        expectedResult: spec.expectedResult,
        basis: { meetingId: meetings[spec.basis[0]].id, protocolItem: spec.basis[1] },
        translations: { en: { title: spec.en } },
        dueDate: earliest(spec.dueDate, cal.periodEnd),
        assignees,
      });
      tasks.set(spec.code, task);
    });
    // Nothing happens to a task before the plan is in force and the task is in it.
    const floor = addDays(latest(createdOn, planApproved), 1);
    for (const step of spec.story ?? []) {
      at(step.on, () => runStep(api, tasks.get(spec.code)!, step, pendingChange), floor);
    }
  }

  at(planApproved, async () => {
    plan = await api.post<Plan>(`/v1/plans/${plan!.id}/approve`);
  });
  scheduleReporting({ api, orgs, tasks, plan: () => plan!, at });

  events.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : a.seq - b.seq));
  for (const e of events) {
    setClock(e.on);
    await e.run();
  }
  return plan!;
}

/** The keys of the executing organizations, issued by the loader and revoked when it ends. */
const ministryKeyIds: string[] = [];

interface ReportingContext {
  api: Api;
  orgs: Record<OrgKey, Organization>;
  tasks: Map<string, Task>;
  plan: () => Plan;
  at: (on: string, run: () => Promise<void>, floor?: string) => void;
}

/** Schedules the reporting side of the story: ministry keys, reports and their reviews, indicators and values. */
function scheduleReporting({ api, orgs, tasks, plan, at }: ReportingContext): void {
  const inForce = addDays(planApproved, 1);
  const ministries = new Map<OrgKey, Api>();
  const executing = [...new Set(TASKS.flatMap((spec) => assignmentsOf(spec).map((a) => a.org)))];

  // The day after the plan comes into force, every executing organization gets a key for its document system.
  at(inForce, async () => {
    for (const org of executing) {
      const spec: OrgSpec = ORGS[org];
      const key = await api.post<{ id: string; token: string }>('/v1/api-keys', {
        name: `${spec.shortName ?? spec.name} — document system`,
        role: 'ministry',
        organizationId: orgs[org].id,
      });
      ministryKeyIds.push(key.id);
      ministries.set(org, makeApi(api.app, key.token));
    }
  });

  // Indicators are set when the plan is in force; each quarter's value is recorded once its figures are in.
  const indicatorIds = new Map<IndicatorSpec, string>();
  for (const spec of INDICATORS) {
    at(inForce, async () => {
      const created = await api.post<Indicator>('/v1/indicators', {
        planId: plan().id,
        ...(spec.task ? { taskId: tasks.get(spec.task)!.id } : {}),
        name: spec.name,
        unit: spec.unit,
        baseline: spec.baseline,
        target: spec.target,
      });
      indicatorIds.set(spec, created.id);
    });
    ENDED_PERIODS.forEach((period, i) => {
      const value = spec.values[Math.min(i, spec.values.length - 1)] as number;
      at(addDays(periodBounds(period).end, 12 + (hash(spec.name) % 5)), async () => {
        await api.put(`/v1/indicators/${indicatorIds.get(spec)}/values/${period}`, { value, note: spec.note });
      });
    });
  }

  const lastDue = DUE_PERIODS.at(-1);
  const missing = new Set(MISSING_IN_LAST_PERIOD.map(([code, org]) => `${code}|${org}`));
  const reportIds = new Map<string, string>();
  const accepted = new Set<string>();
  const lastPercent = new Map<string, number>();

  /** An executor reports on the task as it stands today, unless it already did for the period or the task is closed. */
  const submit = (a: Assignment, period: string, on: string, floor: string, only?: TaskStatus) =>
    at(
      on,
      async () => {
        const id = `${a.spec.code}|${a.org}`;
        const task = tasks.get(a.spec.code);
        if (!task || reportIds.has(`${id}|${period}`)) return;
        const now = await api.get<Task>(`/v1/tasks/${task.id}`);
        if (OUT_OF_CONTROL.includes(now.status) || (only && now.status !== only)) return;
        // lastDay: the day the clock is set to for this step, i.e. the day of the report.
        const body = composeReport(a, now, lastDay, lastPercent.get(id));
        lastPercent.set(id, body.percentComplete);
        const report = await ministries.get(a.org)!.post<TaskReport>(`/v1/tasks/${task.id}/reports`, { ...body, period });
        reportIds.set(`${id}|${period}`, report.id);
      },
      floor,
    );
  /** A step of the review of a report, if it was submitted. */
  const review = (a: Assignment, period: string, on: string, run: (url: string) => Promise<unknown>) =>
    at(on, async () => {
      const reportId = reportIds.get(`${a.spec.code}|${a.org}|${period}`);
      if (reportId) await run(`/v1/tasks/${tasks.get(a.spec.code)!.id}/reports/${reportId}`);
    });
  const accept = (a: Assignment, period: string, on: string) =>
    review(a, period, on, async (url) => {
      if (accepted.has(url)) return;
      accepted.add(url);
      await api.post(`${url}/review`, { decision: 'accepted' });
    });

  // When a task is reported done, its executors report for the running quarter at once, and the secretariat
  // accepts before it closes the task: so the report of a task done or closed says 100 %.
  for (const spec of TASKS) {
    const { finalStatus, doneOn } = outlookOf(spec);
    if (doneOn === null || finalStatus === 'cancelled') continue;
    const period = periodOf(doneOn, REPORTING.frequency);
    for (const a of assignmentsOf(spec)) {
      submit(a, period, addDays(doneOn, 1), addDays(planApproved, 2), 'done');
      accept(a, period, addDays(doneOn, 2));
    }
  }

  for (const period of DUE_PERIODS) {
    const { end } = periodBounds(period);
    const deadline = submissionDeadline(period, REPORTING.dueDays);
    const isLast = period === lastDue;
    for (const spec of TASKS) {
      // A task that had not entered the plan by the end of the quarter owes nothing for it; nor does a cancelled one.
      if (CREATED_ON[spec.basis[0]] > end || outlookOf(spec).finalStatus === 'cancelled') continue;
      for (const a of assignmentsOf(spec)) {
        const id = `${spec.code}|${a.org}`;
        const h = hash(`${id}|${period}`);
        if (isLast ? missing.has(id) : a.role === 'co_executor' && h % 100 < 6) continue;
        const returned = isLast && spec.code === RETURNED.code && a.org === RETURNED.org;
        // Most report in the last week before the deadline, about one in eight a few days after it.
        const late = !returned && h % 100 >= 88;
        const submitOn = returned ? addDays(deadline, -2) : late ? addDays(deadline, 1 + ((h >>> 8) % 5)) : addDays(deadline, -((h >>> 8) % 8));
        submit(a, period, submitOn, addDays(end, 1));
        if (returned) {
          review(a, period, addDays(deadline, 3), (url) => api.post(`${url}/review`, { decision: 'returned', comment: RETURNED.comment }));
          review(a, period, addDays(deadline, 8), (url) => ministries.get(a.org)!.patch(url, { narrative: RETURNED.revision }));
          accept(a, period, addDays(deadline, 11));
        } else if (!isLast || (h >>> 16) % 100 < 55) {
          // Earlier quarters are all reviewed; about half of the last one still awaits review.
          accept(a, period, latest(addDays(submitOn, 2), addDays(deadline, 2 + ((h >>> 12) % 10))));
        }
      }
    }
  }
}

async function runStep(api: Api, task: Task, step: Step, pending: Map<string, string>): Promise<void> {
  const base = `/v1/tasks/${task.id}`;
  switch (step.op) {
    case 'move':
      await api.post(`${base}/transitions`, { to: step.to, ...(step.comment ? { comment: step.comment } : {}) });
      return;
    case 'ask': {
      const change = await api.post<DeadlineChange>(`${base}/deadline-changes`, {
        kind: 'request',
        newDueDate: step.newDueDate,
        reason: step.reason,
      });
      pending.set(task.id, change.id);
      return;
    }
    case 'decide': {
      const changeId = pending.get(task.id);
      if (!changeId) throw new Error(`task ${task.code}: a decision without a request`);
      pending.delete(task.id);
      await api.post(`${base}/deadline-changes/${changeId}/decision`, {
        decision: step.decision,
        basis: step.basis,
        ...(step.comment ? { comment: step.comment } : {}),
      });
      return;
    }
    case 'direct':
      await api.post(`${base}/deadline-changes`, { kind: 'direct', newDueDate: step.newDueDate, reason: step.reason, basis: step.basis });
      return;
  }
}

// ---------------------------------------------------------------------------------------------------
// Summary
// ---------------------------------------------------------------------------------------------------

async function summarize(api: Api, commission: Commission, plan: Plan, port: number): Promise<void> {
  const tasks = await api.all<Task>(`/v1/tasks?planId=${plan.id}`);
  const byStatus = new Map<string, number>();
  for (const task of tasks) byStatus.set(task.status, (byStatus.get(task.status) ?? 0) + 1);
  const inControl = tasks.filter((x) => x.status !== 'closed' && x.status !== 'cancelled');
  const overdue = tasks.filter((x) => x.overdue);
  const dueSoon = inControl.filter((x) => x.dueDate >= today && x.dueDate <= t(30));
  const postponed = tasks.filter((x) => x.postponementCount > 0);
  const changes = new Map<string, number>();
  for (const task of tasks) {
    for (const c of await api.all<DeadlineChange>(`/v1/tasks/${task.id}/deadline-changes`)) changes.set(c.status, (changes.get(c.status) ?? 0) + 1);
  }
  const closed = tasks.filter((x) => x.completion);
  const late = closed.filter((x) => x.completion?.againstDueDate === 'late');
  const list = (m: Map<string, number>, order: readonly string[]) => order.filter((k) => m.has(k)).map((k) => `${k} ${m.get(k)}`).join(', ');
  const sample = tasks.find((x) => x.code === '4.3') ?? tasks[0]!;
  const kz = (await api.all<Organization>('/v1/organizations?country=KZ')).find((o) => o.name === ORGS.jvTractor.name);
  const base = `http://127.0.0.1:${port}`;

  console.log(`  commission  ${commission.id}  ${commission.name}`);
  console.log(`  plan        ${plan.id}  (${plan.status}, ${tasks.length} tasks, ${plan.periodStart} – ${plan.periodEnd})`);
  console.log(`  today       ${today} (${TIME_ZONE}); official visit ${cal.visit}`);
  console.log(`  by status   ${list(byStatus, ['not_started', 'in_progress', 'on_hold', 'done', 'closed', 'cancelled'])}`);
  console.log(`  overdue ${overdue.length} (${overdue.map((x) => x.code).join(', ')}); due today or in the next 30 days ${dueSoon.length}`);
  console.log(`  closed ${closed.length}: on time ${closed.length - late.length}, late ${late.length}`);
  console.log(
    `  postponed ${postponed.length} tasks (${postponed.reduce((n, x) => n + x.postponementCount, 0)} postponements); ` +
      `deadline changes: ${list(changes, ['approved', 'rejected', 'pending', 'applied'])}`,
  );
  await summarizeReporting(api, plan, tasks);
  console.log('\nTry it: start the server on the same database (`npm start`, or `npm run dev`), then, with an API key in');
  console.log('$TRACKER_KEY (see above, or `npm run key:create -- --name <you>`):');
  const curl = (path: string) => console.log(`  curl -s -H "Authorization: Bearer $TRACKER_KEY" '${base}${path}'`);
  curl(`/v1/plans/${plan.id}`);
  curl(`/v1/tasks?planId=${plan.id}&overdue=true`);
  curl(`/v1/tasks?planId=${plan.id}&party=KZ&status=done`);
  if (kz) curl(`/v1/tasks?organizationId=${kz.id}`);
  curl(`/v1/tasks/${sample.id}/deadline-changes`);
  curl(`/v1/tasks/${sample.id}/history`);
  curl(`/v1/plans/${plan.id}/history?operation=transitionTask`);
  const returned = tasks.find((x) => x.code === RETURNED.code);
  if (returned) curl(`/v1/tasks/${returned.id}/reports`);
  curl(`/v1/indicators?planId=${plan.id}`);
  console.log('\nThe co-chairs\' progress report (JSON; html, csv and xlsx to save), the calendar of one ministry, a link that opens');
  console.log('the report without a key (its `url` is shown once; open it in a browser after ' + base + '):');
  curl(`/v1/reports/progress?planId=${plan.id}`);
  for (const format of ['html', 'csv', 'xlsx']) {
    console.log(`  curl -s -H "Authorization: Bearer $TRACKER_KEY" '${base}/v1/reports/progress?planId=${plan.id}&format=${format}' -o progress.${format}`);
  }
  const minprom = (await api.all<Organization>('/v1/organizations?country=BY')).find((o) => o.name === ORGS.byIndustry.name);
  if (minprom) curl(`/v1/calendar.ics?organizationId=${minprom.id}`);
  console.log(
    `  curl -s -X POST -H "Authorization: Bearer $TRACKER_KEY" -H 'content-type: application/json' '${base}/v1/share-links' \\\n` +
      `    -d '{"name":"Co-chairs, visit briefing","kind":"progress_report","planId":"${plan.id}"}'`,
  );
}

/** The reporting side: reports of the last due quarter, confidence, missing reports and indicators, as the API reports them. */
async function summarizeReporting(api: Api, plan: Plan, tasks: Task[]): Promise<void> {
  const progress = await api.get<ProgressReport>(`/v1/reports/progress?planId=${plan.id}`);
  const reports: TaskReport[] = [];
  for (const task of tasks) reports.push(...(await api.all<TaskReport>(`/v1/tasks/${task.id}/reports`)));
  const authors = new Set(reports.filter((r) => r.submittedBy.role === 'ministry').map((r) => r.submittedBy.organizationId));
  const periods = [...new Set(reports.map((r) => r.period))].sort();
  const { lastDue, lastDueDeadline } = progress.reportingPeriod;
  const codeOf = new Map(tasks.map((x) => [x.id, x.code]));
  const nameOf = new Map(tasks.flatMap((x) => x.assignees).map((a) => [a.organizationId, a.shortName ?? a.name]));
  const count = (of: TaskReport[], p: (r: TaskReport) => boolean) => of.filter(p).length;
  const missing = progress.missingReports.map((m) => `${m.code} ${nameOf.get(m.organizationId) ?? m.organizationName}`);

  console.log(
    `  reports     ${reports.length} progress reports` +
      (periods.length ? ` for ${periods[0]}${periods.length > 1 ? ` – ${periods.at(-1)}` : ''}` : '') +
      `, submitted by ministry keys of ${authors.size} organizations`,
  );
  if (lastDue) {
    const last = reports.filter((r) => r.period === lastDue);
    console.log(
      `  ${lastDue.padEnd(11)} due ${lastDueDeadline}: submitted ${last.length} (${count(last, (r) => r.submittedLate)} late); ` +
        `accepted ${count(last, (r) => r.status === 'accepted')}, awaiting review ${count(last, (r) => r.status === 'submitted')}, ` +
        `returned ${count(last, (r) => r.status === 'returned' || r.revision > 1)} (${count(last, (r) => r.revision > 1)} revised since); ` +
        `missing ${missing.length}${missing.length ? ` (${missing.join(', ')})` : ''}`,
    );
  }
  const c = progress.totals.confidence;
  console.log(`  confidence  green ${c.green}, amber ${c.amber}, red ${c.red}, none ${c.none} (latest report of each task × executor)`);
  const withTask = progress.indicators.filter((i) => i.taskId !== null).length;
  console.log(`  indicators  ${progress.indicators.length} (${withTask} of tasks, ${progress.indicators.length - withTask} of the plan)`);
  const fmt = (n: number) => n.toLocaleString('en-US');
  for (const i of progress.indicators) {
    const task = i.taskId ? `${codeOf.get(i.taskId)}: ` : '';
    const actual =
      i.actual === null ? 'no value yet' : `${fmt(i.actual)} in ${i.actualPeriod}, ${i.progressPercent} % of the way from ${fmt(i.baseline)} to ${fmt(i.target)}`;
    console.log(`    ${task}${i.name}, ${i.unit}: ${actual}`);
  }
}

// ---------------------------------------------------------------------------------------------------

const config = loadConfig();
// The demo makes hundreds of calls in a second: the per-key rate limit is for callers over the network.
const app = await buildApp({ config: { ...config, rateLimitMax: 0 }, logger: false, clock: () => clockNow });
// The loader acts through a secretariat key of its own, so the history names it as the author. When the
// database has no other secretariat key, this one stays and is printed: it is how a newcomer gets in.
const keys = createApiKeyService({ db: app.db, clock: () => clockNow });
const hadSecretariat = keys.hasSecretariatKey();
const loader = keys.create({ name: 'Demo loader (npm run demo)', role: 'secretariat' }, { actor: OPERATOR });
const api = makeApi(app, loader.token);
// Cut short (Ctrl-C, or `npm run demo | head` closing its output), the run still revokes the ministries' keys it
// issued (their secrets were never shown) and its own when another secretariat key exists. On a database without one,
// its key stays as on a full run, and its secret, printed only at the end, is printed at once on stderr: otherwise
// the only secretariat key would be one nobody holds, and TRACKER_BOOTSTRAP_TOKEN is taken only while there is none.
const stopEarly = async (code: number, why: string) => {
  if (stopping) return; // a closed output errs on every write after it
  stopping = true;
  // A call of the API under way when the run was cut short may still issue a key: revoke until none is left.
  const revoked = new Set<string>();
  const revokeIssued = () => {
    let now = 0;
    for (const id of hadSecretariat ? [...ministryKeyIds, loader.id] : ministryKeyIds) {
      if (revoked.has(id)) continue;
      revoked.add(id);
      now += 1;
      try {
        keys.revoke(id, { actor: OPERATOR });
      } catch {
        // Already revoked by the run itself.
      }
    }
    return now;
  };
  while (revokeIssued() > 0) await committed(app.db);
  const kept = hadSecretariat ? '' : ` The database had no secretariat key, so the demo loader's stays:\n\n  export TRACKER_KEY=${loader.token}\n`;
  process.stderr.write(`\ndemo: ${why}; the keys it issued are revoked. Running it again loads what is left and prints the summary.${kept}\n`);
  process.exit(code);
};
process.once('SIGINT', () => void stopEarly(130, 'interrupted'));
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  void stopEarly(0, 'its output was closed');
});
let exitCode = 0;
try {
  const found = await findDemo(api);
  if (found.commission && found.plan && found.plan.status !== 'draft') {
    console.log(`The demo plan is already loaded in ${config.databasePath}; nothing was changed.\n`);
    clockNow = realNow;
    await summarize(api, found.commission, found.plan, config.port);
  } else {
    if (found.plan) console.log('A draft demo plan was left by an interrupted run: loading its tasks again.');
    const plan = await load(api, found);
    clockNow = realNow;
    const { commission } = await findDemo(api);
    console.log(`Demo plan loaded into ${config.databasePath} through the /v1 API.\n`);
    await summarize(api, commission!, plan, config.port);
  }
} catch (err) {
  console.error(err instanceof ApiError ? `demo: the API refused a step: ${err.message}` : err);
  exitCode = 1;
} finally {
  clockNow = realNow;
  // The ministries' keys were the demo's own way of reporting as them: nobody holds their secrets.
  for (const id of ministryKeyIds) {
    try {
      await api.del(`/v1/api-keys/${id}`);
    } catch (err) {
      console.error(`demo: could not revoke the ministry key ${id}: ${err instanceof Error ? err.message : String(err)}`);
      exitCode = 1;
    }
  }
  if (hadSecretariat) keys.revoke(loader.id, { actor: OPERATOR });
  else {
    console.log('\nThe database had no secretariat key, so the demo loader\'s key stays. Its secret, shown this once:');
    console.log(`\n  export TRACKER_KEY=${loader.token}\n`);
  }
  await app.close();
}
process.exitCode = exitCode;
