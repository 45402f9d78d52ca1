// The co-chairs' progress report: the scope's tasks as they stood at the end of a day, counted by status,
// timeliness, postponements, confidence and missing reports, for the whole scope and by party,
// organization and area.
import type { Confidence, Language, TaskArea, TaskStatus } from '../../db/enums.js';
import { TASK_AREAS, TASK_STATUSES } from '../../db/enums.js';
import { AppError, ERRORS, notFound } from '../../errors.js';
import { addDays, dateInZone, daysBetween } from '../../lib/dates.js';
import { periodBounds, periodOf } from '../../lib/periods.js';
import type { ServiceDeps } from '../../lib/service.js';
import { latestValue, progressPercent } from '../indicators/indicator-progress.js';
import { meetingCitation } from '../meetings/meeting-citation.js';
import { codeSortKey } from '../tasks/task-codes.js';
import { completionOf, judgementDay, OUT_OF_CONTROL_STATUSES, overdueState } from '../tasks/task-timeliness.js';
import { areaLabel, inRussian } from './progress.locale.js';
import { assigneesAtOnce, endOfDay, owedReport, periodsOf, type PlanPeriods } from './progress.missing.js';
import * as repo from './progress.repository.js';
import { Rewind } from './progress.rewind.js';
import type { Breakdown, ProgressReport, ProgressReportQuery, ReportingPeriod, ReportTask } from './progress.schemas.js';

const DUE_SOON_DAYS = 30;
export const MOST_POSTPONED = 10;

/** A party's name in the report's language, Russian for ru, be and kk as an area's is (areaLabel), and the page's. */
function countryLabel(country: string, lang: Language | null): string {
  try {
    return new Intl.DisplayNames([inRussian(lang) ? 'ru' : 'en'], { type: 'region' }).of(country) ?? country;
  } catch {
    return country;
  }
}

function basisOf(row: repo.ReportTaskRow): ReportTask['basis'] {
  if (!row.basisMeetingId || !row.basisMeeting) return null;
  const m = row.basisMeeting;
  const head = meetingCitation(m);
  return {
    meetingId: row.basisMeetingId,
    meetingTitle: m.title,
    meetingDate: m.date,
    protocolNumber: m.protocolNumber,
    protocolItem: row.basisProtocolItem,
    text: row.basisProtocolItem ? `${head}, item ${row.basisProtocolItem}` : head,
  };
}

const CONFIDENCE_RANK: Record<Confidence, number> = { green: 0, amber: 1, red: 2 };

/** The report of the latest period (by its end, then its name) among `reports` of one organization, if any. */
function latestOf(reports: repo.ReportTuple[], organizationId: string, periodEnd: (period: string) => string): repo.ReportTuple | undefined {
  let best: repo.ReportTuple | undefined;
  for (const r of reports) {
    if (r[0] !== organizationId) continue;
    if (!best) best = r;
    else {
      const end = periodEnd(r[1]);
      const bestEnd = periodEnd(best[1]);
      if (end > bestEnd || (end === bestEnd && r[1] > best[1])) best = r;
    }
  }
  return best;
}

/** periodBounds(period).end, remembered: a plan has a few dozen periods and 200,000 reports. */
function periodEnds(): (period: string) => string {
  const ends = new Map<string, string>();
  return (period) => {
    let end = ends.get(period);
    if (end === undefined) ends.set(period, (end = periodBounds(period).end));
    return end;
  };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(key(item)) ?? [];
    list.push(item);
    out.set(key(item), list);
  }
  return out;
}

/** A task as it stood on the date. */
interface TaskState {
  status: TaskStatus;
  dueDate: string;
  postponementCount: number;
  daysMoved: number;
  completedAt: string | null;
}

/** Replays the transitions and deadline moves known before the instant they were loaded up to. */
function replay(row: repo.ReportTaskColumns, changes: repo.StatusChange[], moves: repo.DueDateMoveRow[]): TaskState {
  let dueDate = row.originalDueDate;
  let postponementCount = 0;
  let daysMoved = 0;
  for (const m of moves) {
    // As the deadline-change service counts: only a move to a later date is a postponement.
    if (m.newDueDate > dueDate) {
      postponementCount += 1;
      daysMoved += daysBetween(dueDate, m.newDueDate);
    }
    dueDate = m.newDueDate;
  }
  const completedAt = changes.findLast((c) => c.to === 'done')?.changedAt ?? null;
  return { status: changes.at(-1)?.to ?? 'not_started', dueDate, postponementCount, daysMoved, completedAt };
}

interface AssignmentFact {
  taskId: string;
  organizationId: string;
  country: string;
  confidence: Confidence | null;
  missing: boolean;
}

interface TaskFact {
  task: ReportTask;
  assignments: AssignmentFact[];
}

/** What every task of the report is judged against. */
interface ReportContext {
  asOf: string;
  today: string;
  timeZone: string;
  lang: Language | null;
  movesByTask: Map<string, repo.DueDateMoveRow[]>;
  periodEnd: (period: string) => string;
  periods: Map<string, PlanPeriods>;
  /** The day each plan's tasks are judged on for overdue: the report's date, or the plan's closing day if earlier. */
  judgedOn: Map<string, string>;
}

const NONE: never[] = [];

/** One task as it stood on the date and its assignments; the reports it owed and lacks are added to `missing`. */
function taskFact(row: repo.ReportTaskRow, b: ReportContext, missing: ProgressReport['missingReports']): TaskFact {
  const { changes, reports } = row;
  const replayed = replay(row, changes, b.movesByTask.get(row.id) ?? NONE);
  // Today the report reads the task's own columns, so it shows exactly what GET /v1/tasks shows; a past day
  // is replayed from the transitions and deadline moves known by its end.
  const state: TaskState =
    b.asOf === b.today
      ? { status: row.status, dueDate: row.dueDate, postponementCount: row.postponementCount, daysMoved: replayed.daysMoved, completedAt: row.completedAt }
      : replayed;
  const title = (b.lang && row.translations?.[b.lang]?.title) || row.title;
  // The one rule of what was owed and is missing, shared with the report.missing webhook event (progress.missing.ts).
  const owed = owedReport(row, state.dueDate, b.periods.get(row.planId) as PlanPeriods);
  // The lowest percent complete and the worst confidence among the assignees' latest reports.
  let percentComplete: number | null = null;
  let confidence: Confidence | null = null;
  const assignments = row.assignees.map((a, i): AssignmentFact => {
    const lacking = owed?.lacking[i] ?? false;
    if (owed !== null && lacking) {
      missing.push({
        taskId: row.id,
        code: row.code,
        title,
        organizationId: a.organizationId,
        organizationName: a.name,
        country: a.country,
        period: owed.period,
        deadline: owed.deadline,
      });
    }
    const latest = latestOf(reports, a.organizationId, b.periodEnd);
    if (latest) {
      if (percentComplete === null || latest[2] < percentComplete) percentComplete = latest[2];
      if (confidence === null || CONFIDENCE_RANK[latest[3]] > CONFIDENCE_RANK[confidence]) confidence = latest[3];
    }
    return { taskId: row.id, organizationId: a.organizationId, country: a.country, confidence: latest?.[3] ?? null, missing: lacking };
  });
  const { overdue, daysOverdue } = overdueState(state.dueDate, state.status, b.judgedOn.get(row.planId) ?? b.asOf);
  const completed =
    state.status === 'closed'
      ? completionOf({ status: state.status, completedAt: state.completedAt, dueDate: state.dueDate, originalDueDate: row.originalDueDate }, b.timeZone)
      : null;
  const task: ReportTask = {
    taskId: row.id,
    planId: row.planId,
    code: row.code,
    title,
    area: row.area,
    status: state.status,
    dueDate: state.dueDate,
    originalDueDate: row.originalDueDate,
    overdue,
    daysOverdue,
    postponementCount: state.postponementCount,
    daysMoved: state.daysMoved,
    completion: completed?.againstDueDate ?? null,
    completionAgainstOriginal: completed?.againstOriginalDueDate ?? null,
    formOfCompletion: row.formOfCompletion,
    expectedResult: row.expectedResult,
    basis: basisOf(row),
    percentComplete,
    confidence,
    // The assignee records have exactly the executor's fields: shared, not copied.
    executors: row.assignees,
  };
  return { task, assignments };
}

// part × 1000 / whole is one correctly rounded division: an exact half (201 of 400 = 50.25 %) stays a half and rounds up.
const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part * 1000) / whole) / 10);

/**
 * The figures of one group, counted in one pass: its tasks once each, its assignments (task × organization) once
 * each. A plan of 100,000 tasks is counted for the totals and every party, organization and area in one walk.
 */
class Tally {
  private taskCount = 0;
  private readonly byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Breakdown['byStatus'];
  private closedOnTime = 0;
  private closedLate = 0;
  private closedOnTimeAgainstOriginal = 0;
  private overdue = 0;
  private overdueDays = 0;
  private dueNext30Days = 0;
  private postponedTasks = 0;
  private postponements = 0;
  private daysMoved = 0;
  private readonly confidence: Breakdown['confidence'] = { green: 0, amber: 0, red: 0, none: 0 };
  private missingReports = 0;

  constructor(private readonly dueSoon: DueSoon) {}

  addTask(t: ReportTask): void {
    this.taskCount += 1;
    this.byStatus[t.status] += 1;
    if (t.completion === 'on_time') this.closedOnTime += 1;
    else if (t.completion === 'late') this.closedLate += 1;
    if (t.completionAgainstOriginal === 'on_time') this.closedOnTimeAgainstOriginal += 1;
    if (t.overdue) {
      this.overdue += 1;
      this.overdueDays += t.daysOverdue;
    }
    if (isDueSoon(t, this.dueSoon)) this.dueNext30Days += 1;
    if (t.postponementCount > 0) this.postponedTasks += 1;
    this.postponements += t.postponementCount;
    this.daysMoved += t.daysMoved;
  }

  /** An assignment of a task of this group; a cancelled task will not be delivered: its confidence is no question. */
  addAssignment(a: AssignmentFact, taskCancelled: boolean): void {
    if (!taskCancelled) this.confidence[a.confidence ?? 'none'] += 1;
    if (a.missing) this.missingReports += 1;
  }

  /** Adds the counts of the same group in another part of the report (its figures; their percentages are left). */
  absorb(other: Breakdown): void {
    this.taskCount += other.taskCount;
    for (const s of TASK_STATUSES) this.byStatus[s] += other.byStatus[s];
    this.closedOnTime += other.closedOnTime;
    this.closedLate += other.closedLate;
    this.closedOnTimeAgainstOriginal += other.closedOnTimeAgainstOriginal;
    this.overdue += other.overdue;
    this.overdueDays += other.overdueDays;
    this.dueNext30Days += other.dueNext30Days;
    this.postponedTasks += other.postponedTasks;
    this.postponements += other.postponements;
    this.daysMoved += other.daysMoved;
    for (const c of ['green', 'amber', 'red', 'none'] as const) this.confidence[c] += other.confidence[c];
    this.missingReports += other.missingReports;
  }

  figures(): Breakdown {
    const { taskCount, byStatus } = this;
    return {
      taskCount,
      byStatus: { ...byStatus },
      percentByStatus: Object.fromEntries(TASK_STATUSES.map((s) => [s, percent(byStatus[s], taskCount)])) as Breakdown['percentByStatus'],
      closedOnTime: this.closedOnTime,
      closedLate: this.closedLate,
      closedOnTimeAgainstOriginal: this.closedOnTimeAgainstOriginal,
      overdue: this.overdue,
      overdueDays: this.overdueDays,
      dueNext30Days: this.dueNext30Days,
      postponedTasks: this.postponedTasks,
      postponements: this.postponements,
      daysMoved: this.daysMoved,
      confidence: { ...this.confidence },
      missingReports: this.missingReports,
    };
  }
}

/** The counts of Groups as plain data (structured-cloneable), to be added up across the parts of a report. */
export interface GroupsState {
  totals: Breakdown;
  byParty: [string, Breakdown][];
  byOrganization: { organization: ReportTask['executors'][number]; counts: Breakdown }[];
  byArea: [TaskArea, Breakdown][];
}

/**
 * Totals and the breakdowns by party, organization (by party, then name) and area (in the order of TASK_AREAS),
 * tallied task by task as the report is computed: a plan of 100,000 tasks is counted in the one walk that judges them.
 */
export class Groups {
  private readonly tally: () => Tally;
  private readonly totals: Tally;
  private readonly byParty: Map<string, Tally>;
  private readonly byOrganization = new Map<string, { organization: ReportTask['executors'][number]; tally: Tally }>();
  private readonly byArea = new Map<TaskArea, Tally>();

  constructor(
    private readonly parties: string[],
    asOf: string,
    closedPlans: ReadonlySet<string>,
  ) {
    const dueSoon = dueSoonWindow(asOf, closedPlans);
    this.tally = () => new Tally(dueSoon);
    this.totals = this.tally();
    this.byParty = new Map(parties.map((country) => [country, this.tally()]));
  }

  /** A task and its assignments, which are those of its executors, in the same order. */
  add(task: ReportTask, assignments: AssignmentFact[]): void {
    const cancelled = task.status === 'cancelled';
    this.totals.addTask(task);
    for (const a of assignments) this.totals.addAssignment(a, cancelled);
    // A party's group: the tasks any of its organizations executes, and those organizations' assignments.
    for (const [country, group] of this.byParty) {
      if (!task.executors.some((e) => e.country === country)) continue;
      group.addTask(task);
      for (const a of assignments) if (a.country === country) group.addAssignment(a, cancelled);
    }
    // An organization executes a task once (task_assignees' key): its assignment is the executor's.
    task.executors.forEach((e, i) => {
      let group = this.byOrganization.get(e.organizationId);
      if (!group) this.byOrganization.set(e.organizationId, (group = { organization: e, tally: this.tally() }));
      group.tally.addTask(task);
      group.tally.addAssignment(assignments[i] as AssignmentFact, cancelled);
    });
    let area = this.byArea.get(task.area);
    if (!area) this.byArea.set(task.area, (area = this.tally()));
    area.addTask(task);
    for (const a of assignments) area.addAssignment(a, cancelled);
  }

  /** The counts of every group, as plain data a part of the report hands over (see absorb). */
  state(): GroupsState {
    return {
      totals: this.totals.figures(),
      byParty: [...this.byParty].map(([country, tally]) => [country, tally.figures()]),
      byOrganization: [...this.byOrganization.values()].map(({ organization, tally }) => ({ organization, counts: tally.figures() })),
      byArea: [...this.byArea].map(([area, tally]) => [area, tally.figures()]),
    };
  }

  /** Adds another part's counts (its state()) to these. */
  absorb(state: GroupsState): void {
    this.totals.absorb(state.totals);
    for (const [country, counts] of state.byParty) this.byParty.get(country)?.absorb(counts);
    for (const { organization, counts } of state.byOrganization) {
      let group = this.byOrganization.get(organization.organizationId);
      if (!group) this.byOrganization.set(organization.organizationId, (group = { organization, tally: this.tally() }));
      group.tally.absorb(counts);
    }
    for (const [area, counts] of state.byArea) {
      let tally = this.byArea.get(area);
      if (!tally) this.byArea.set(area, (tally = this.tally()));
      tally.absorb(counts);
    }
  }

  figures(lang: Language | null) {
    const { parties, byArea } = this;
    const ordered = [...this.byOrganization.values()].sort(
      ({ organization: a }, { organization: b }) =>
        parties.indexOf(a.country) - parties.indexOf(b.country) || a.name.localeCompare(b.name) || a.organizationId.localeCompare(b.organizationId),
    );
    return {
      totals: this.totals.figures(),
      // Properties in the order of the schema (figures, then what names the group): the report is written natively.
      byParty: parties.map((country) => ({ ...(this.byParty.get(country) as Tally).figures(), key: country, label: countryLabel(country, lang) })),
      byOrganization: ordered.map(({ organization: o, tally }) => ({
        ...tally.figures(),
        key: o.organizationId,
        label: o.name,
        country: o.country,
        shortName: o.shortName,
      })),
      byArea: TASK_AREAS.filter((area) => byArea.has(area)).map((area) => ({ ...(byArea.get(area) as Tally).figures(), key: area, label: areaLabel(area, lang) })),
    };
  }
}

type Listed = Pick<ReportTask, 'daysOverdue' | 'dueDate' | 'postponementCount' | 'daysMoved'>;

/** What "due soon" is judged against: the report's date, DUE_SOON_DAYS after it, and the plans closed by then. */
interface DueSoon {
  from: string;
  to: string;
  closedPlans: ReadonlySet<string>;
}

const dueSoonWindow = (asOf: string, closedPlans: ReadonlySet<string>): DueSoon => ({ from: asOf, to: addDays(asOf, DUE_SOON_DAYS), closedPlans });

/**
 * Due soon: neither closed nor cancelled, due from the date itself (a task due on the date is not yet overdue) to
 * DUE_SOON_DAYS after it, in a plan not closed by the date: a closed plan is read-only, so no one will act on its
 * open tasks, whatever their dates (they are judged as of its closing day, judgementDay).
 */
function isDueSoon(t: Pick<ReportTask, 'status' | 'dueDate' | 'planId'>, w: DueSoon): boolean {
  return !OUT_OF_CONTROL_STATUSES.includes(t.status) && t.dueDate >= w.from && t.dueDate <= w.to && !w.closedPlans.has(t.planId);
}

/** The plans of a report closed as of its date (their status then), whose tasks are due soon no more. */
export function closedPlansOf(head: Pick<ReportHead, 'scope'>): ReadonlySet<string> {
  return new Set(head.scope.plans.filter((p) => p.status === 'closed').map((p) => p.id));
}

/** The order of the overdue (most days late first), due-soon (soonest first) and most postponed lists. */
export const LIST_ORDER = {
  overdue: (a: Listed, b: Listed) => b.daysOverdue - a.daysOverdue,
  dueSoon: (a: Listed, b: Listed) => a.dueDate.localeCompare(b.dueDate),
  mostPostponed: (a: Listed, b: Listed) => b.postponementCount - a.postponementCount || b.daysMoved - a.daysMoved,
};

/**
 * The overdue, due-soon and most postponed (MOST_POSTPONED) tasks; ties stay in task order, as each list is
 * filtered from the tasks in order and sorted stably (as Array.prototype.sort has been since ES2019).
 */
export function listsOf(tasks: ReportTask[], asOf: string, closedPlans: ReadonlySet<string>) {
  const dueSoon = dueSoonWindow(asOf, closedPlans);
  return {
    overdue: tasks.filter((t) => t.overdue).sort(LIST_ORDER.overdue),
    dueSoon: tasks.filter((t) => isDueSoon(t, dueSoon)).sort(LIST_ORDER.dueSoon),
    mostPostponed: tasks
      .filter((t) => t.postponementCount > 0)
      .sort(LIST_ORDER.mostPostponed)
      .slice(0, MOST_POSTPONED),
  };
}

/** What the report says besides its breakdowns and its lists of tasks: the same in every part of a report. */
export type ReportHead = Pick<ProgressReport, 'scope' | 'asOf' | 'generatedAt' | 'lang' | 'reportingPeriod' | 'indicators'>;

/** The tasks of the report (or of one part of it), judged as of its date, and their breakdowns. */
export interface WalkedTasks {
  head: ReportHead;
  groups: Groups;
  tasks: ReportTask[];
  missingReports: ProgressReport['missingReports'];
  /** A task was renumbered after the report's day: the tasks were sorted again, so parts cannot be put together. */
  renumbered: boolean;
}

/** One of `of` consecutive parts of the report's tasks, in their order (the first is part 0). */
export interface ReportPartIndex {
  part: number;
  of: number;
}

/** The report in the order of its schema, which is the order its JSON is written in. */
export function composeReport(
  head: ReportHead,
  figures: ReturnType<Groups['figures']>,
  lists: ReturnType<typeof listsOf>,
  missingReports: ProgressReport['missingReports'],
  tasks: ReportTask[],
): ProgressReport {
  const { scope, asOf, generatedAt, lang, reportingPeriod, indicators } = head;
  return { scope, asOf, generatedAt, lang, reportingPeriod, ...figures, ...lists, missingReports, indicators, tasks };
}

/** Sorts the tasks by plan then code (as the task list orders them), and the missing reports in the same order. */
function inOrderOfCodes(tasks: ReportTask[], missing: ProgressReport['missingReports'], planIds: string[]): void {
  const planRank = new Map(planIds.map((id, i) => [id, i]));
  const key = new Map(tasks.map((t) => [t.taskId, codeSortKey(t.code)]));
  const sortKey = (t: ReportTask) => key.get(t.taskId) as string;
  tasks.sort((a, b) => {
    const byPlan = (planRank.get(a.planId) ?? 0) - (planRank.get(b.planId) ?? 0);
    return byPlan !== 0 ? byPlan : sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : a.taskId < b.taskId ? -1 : 1;
  });
  const rank = new Map(tasks.map((t, i) => [t.taskId, i]));
  // Stable: each task's missing reports keep their order.
  missing.sort((a, b) => (rank.get(a.taskId) ?? 0) - (rank.get(b.taskId) ?? 0));
}

/**
 * The commission's name and time zone at the end of a past day, undone from its edits since, and that end as an
 * instant: a renamed commission is named as it was, and a day is cut where it ended in the zone of the time.
 */
function commissionOnDay(db: ServiceDeps['db'], commission: repo.CommissionRow, asOf: string): { name: string; timeZone: string; before: string } {
  let { name, timeZone } = commission;
  // Every zone's end of the day falls after its midnight in UTC less 14 hours, so no earlier edit can matter.
  for (const { at, changes } of repo.commissionChangesSince(db, commission.id, `${asOf}T00:00:00.000Z`)) {
    if (at < endOfDay(asOf, timeZone)) break;
    for (const c of changes) {
      if (c.field === 'name') name = c.before as string;
      if (c.field === 'timeZone') timeZone = c.before as string;
    }
  }
  return { name, timeZone, before: endOfDay(asOf, timeZone) };
}

/** What the report says of a plan's periods (ReportingPeriodSchema): the current one and the last one due. */
const reportingPeriodOf = ({ current, lastDue, lastDueDeadline }: PlanPeriods): ReportingPeriod => ({ current, lastDue, lastDueDeadline });

/** A plan as it stood on a day (see Rewind) was in force then: created before the day ended, and no longer a draft. */
const inForce = (p: repo.PlanRow, before: string) => p.createdAt < before && p.status !== 'draft';

export function createProgressService({ db, clock }: ServiceDeps) {
  function scopeOf(query: ProgressReportQuery): { commission: repo.CommissionRow; plans: repo.PlanRow[] } {
    if (query.planId !== undefined) {
      const plan = repo.findPlanRow(db, query.planId);
      if (!plan) throw notFound('plan', query.planId);
      if (plan.status === 'draft') throw new AppError(ERRORS.planStateConflict, 'a draft plan has no progress to report');
      return { commission: repo.findCommissionRow(db, plan.commissionId) as repo.CommissionRow, plans: [plan] };
    }
    const id = query.commissionId as string;
    const commission = repo.findCommissionRow(db, id);
    if (!commission) throw notFound('commission', id);
    return { commission, plans: repo.reportablePlans(db, id) };
  }

  /** The report's tasks as of its day (default today in the commission's time zone): all of them, or one part. */
  function walk(query: ProgressReportQuery, index?: ReportPartIndex): WalkedTasks {
    const now = clock();
    const scope = scopeOf(query);
    const { commission } = scope;
    const timeZone = commission.timeZone;
    const today = dateInZone(now, timeZone);
    const asOf = query.asOf ?? today;
    if (asOf > today) {
      throw new AppError(ERRORS.invalidValue, `asOf ${asOf} is after today (${today} in ${timeZone})`, [
        { path: 'querystring.asOf', message: 'a date in the future has no progress yet' },
      ]);
    }
    const lang = query.lang ?? null;
    // Everything is read as it stood before the end of the day in the commission's zone (the zone it had then).
    const then = asOf === today ? { name: commission.name, timeZone, before: endOfDay(asOf, timeZone) } : commissionOnDay(db, commission, asOf);
    const { before } = then;
    // A past day: what was changed since (titles, status, assignees, names, revisions, values) is undone from the history.
    const rewind = asOf === today ? null : new Rewind(db, scope.plans.map((p) => p.id), before);
    // A commission's report of a past day covers the plans in force then: not those created or approved since.
    const plans = rewind ? scope.plans.map((p) => rewind.plan(p)).filter((p) => query.planId !== undefined || inForce(p, before)) : scope.plans;
    // One plan asked for a day before it was in force: refused as a draft plan is today, not a report of tasks that no
    // one could report on yet (every count zero, every task "not started"), which a co-chair would read as no progress.
    const asked = query.planId === undefined ? undefined : plans[0];
    if (asked !== undefined && !inForce(asked, before)) {
      const since = dateInZone(new Date((scope.plans[0] as repo.PlanRow).approvedAt as string), then.timeZone);
      throw new AppError(ERRORS.invalidValue, `the plan was approved on ${since}: it has no progress to report on ${asOf}`, [
        { path: 'querystring.asOf', message: `a day before the plan was approved (${since}) has no progress yet` },
      ]);
    }
    const planIds = plans.map((p) => p.id);
    const assigneesAt = assigneesAtOnce(db, planIds);
    const context: ReportContext = {
      asOf,
      today,
      timeZone: then.timeZone,
      lang,
      movesByTask: groupBy(repo.dueDateMovesOf(db, planIds, before), (m) => m.taskId),
      periodEnd: periodEnds(),
      // One read of who was on the tasks at a deadline, for all the plans, and only if a task needs it (onTaskAt).
      periods: new Map(plans.map((p) => [p.id, periodsOf(p, asOf, then.timeZone, assigneesAt)])),
      // A day before the closing is judged on that day, as it was live; a later one on the closing day (judgementDay).
      judgedOn: new Map(plans.map((p) => [p.id, judgementDay(asOf, p.closedAt, then.timeZone)])),
    };
    const parties = [commission.partyACountry, commission.partyBCountry];
    const groups = new Groups(parties, asOf, new Set(plans.filter((p) => p.status === 'closed').map((p) => p.id)));
    const missingReports: ProgressReport['missingReports'] = [];
    const tasks: ReportTask[] = [];
    const range = index ? repo.taskRange(db, planIds, index.part, index.of) : {};
    let renumbered = false;
    for (const row of repo.tasksOf(db, planIds, before, range)) {
      const past = rewind ? rewind.task(row) : row;
      renumbered ||= past.code !== row.code;
      const { task, assignments } = taskFact(past, context, missingReports);
      groups.add(task, assignments);
      tasks.push(task);
    }
    // Read in today's order (plan, code); a task renumbered since goes back to its place by the code it had then.
    if (renumbered) inOrderOfCodes(tasks, missingReports, planIds);
    const first = plans[0] ? context.periods.get(plans[0].id) : undefined;
    const head: ReportHead = {
      scope: {
        commissionId: commission.id,
        commissionName: then.name,
        timeZone: then.timeZone,
        parties,
        // Each plan's own periods: plans of one commission may report monthly or quarterly, with their own deadlines.
        plans: plans.map((p) => ({ id: p.id, title: p.title, status: p.status, reportingPeriod: reportingPeriodOf(context.periods.get(p.id) as PlanPeriods) })),
      },
      asOf,
      generatedAt: now.toISOString(),
      lang,
      reportingPeriod: first ? reportingPeriodOf(first) : { current: periodOf(asOf, 'quarterly'), lastDue: null, lastDueDeadline: null },
      indicators: repo.indicatorsOf(db, planIds, before).map((row) => {
        const i = rewind ? rewind.indicator(row, before) : row;
        const value = latestValue(i.values, asOf);
        return {
          id: i.id,
          planId: i.planId,
          name: i.name,
          unit: i.unit,
          taskId: i.taskId,
          baseline: i.baseline,
          target: i.target,
          actual: value?.value ?? null,
          actualPeriod: value?.period ?? null,
          progressPercent: progressPercent(i.baseline, i.target, value?.value ?? null),
        };
      }),
    };
    return { head, groups, tasks, missingReports, renumbered };
  }

  return {
    walk,

    /** The report of a plan or a commission as of a day (default today in the commission's time zone). */
    build(query: ProgressReportQuery): ProgressReport {
      const { head, groups, tasks, missingReports } = walk(query);
      return composeReport(head, groups.figures(head.lang), listsOf(tasks, head.asOf, closedPlansOf(head)), missingReports, tasks);
    },
  };
}
