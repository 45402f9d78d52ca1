// The co-chairs' report's totals and breakdowns by party, organization and area, counted task by task as the walk judges them.
import type { Language, TaskArea } from '../../db/enums.js';
import { TASK_AREAS, TASK_STATUSES } from '../../db/enums.js';
import { dueSoonWindow, isDueSoon, type DueSoon } from './progress.lists.js';
import { areaLabel, inRussian } from './progress.locale.js';
import type { Breakdown, ReportTask } from './progress.schemas.js';
import type { AssignmentFact } from './progress.task-fact.js';

/** A party's name in the report's language, Russian for ru, be and kk as an area's is (areaLabel), and the page's. */
function countryLabel(country: string, lang: Language | null): string {
  try {
    return new Intl.DisplayNames([inRussian(lang) ? 'ru' : 'en'], { type: 'region' }).of(country) ?? country;
  } catch {
    return country;
  }
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
