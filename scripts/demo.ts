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
import { createApiKeyService, OPERATOR } from '../src/modules/api-keys/api-keys.service.js';
import type { TaskArea, TaskStatus } from '../src/db/enums.js';
import { addDays, dateInZone } from '../src/lib/dates.js';
import type { Commission } from '../src/modules/commissions/commissions.schemas.js';
import type { DeadlineChange } from '../src/modules/deadline-changes/deadline-changes.schemas.js';
import type { Meeting } from '../src/modules/meetings/meetings.schemas.js';
import type { Organization } from '../src/modules/organizations/organizations.schemas.js';
import type { Plan } from '../src/modules/plans/plans.schemas.js';
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
    protocolNumber: 'No. 18',
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
    protocolNumber: 'No. 19',
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

function makeApi(app: App, token: string) {
  const headers = { authorization: `Bearer ${token}` };
  async function call<T>(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<T> {
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

  return { get: <T>(url: string) => call<T>('GET', url), post: <T>(url: string, body?: unknown) => call<T>('POST', url, body), del: (url: string) => call<null>('DELETE', url), all };
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

  events.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : a.seq - b.seq));
  for (const e of events) {
    setClock(e.on);
    await e.run();
  }
  return plan!;
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
  console.log(`  overdue ${overdue.length} (${overdue.map((x) => x.code).join(', ')}); due in the next 30 days ${dueSoon.length}`);
  console.log(`  closed ${closed.length}: on time ${closed.length - late.length}, late ${late.length}`);
  console.log(
    `  postponed ${postponed.length} tasks (${postponed.reduce((n, x) => n + x.postponementCount, 0)} postponements); ` +
      `deadline changes: ${list(changes, ['approved', 'rejected', 'pending', 'applied'])}`,
  );
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
  if (hadSecretariat) keys.revoke(loader.id, { actor: OPERATOR });
  else {
    console.log('\nThe database had no secretariat key, so the demo loader\'s key stays. Its secret, shown this once:');
    console.log(`\n  export TRACKER_KEY=${loader.token}\n`);
  }
  await app.close();
}
process.exitCode = exitCode;
