// One task of the co-chairs' report judged as it stood on the report's day: status, deadline, timeliness, confidence, reports owed and lacking.
import type { Confidence, Language, TaskStatus } from '../../db/enums.js';
import { daysBetween } from '../../lib/dates.js';
import { periodBounds } from '../../lib/periods.js';
import { meetingCitation } from '../meetings/meeting-citation.js';
import { completionOf, overdueState } from '../tasks/task-timeliness.js';
import { owedReport, type PlanPeriods } from './progress.missing.js';
import type { ReportTaskColumns, ReportTaskRow, ReportTuple, StatusChange } from './progress.repository.js';
import type { ProgressReport, ReportTask } from './progress.schemas.js';
import type { DueDateMoveRow } from './progress.scope-repository.js';

function basisOf(row: ReportTaskRow): ReportTask['basis'] {
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
function latestOf(reports: ReportTuple[], organizationId: string, periodEnd: (period: string) => string): ReportTuple | undefined {
  let best: ReportTuple | undefined;
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
export function periodEnds(): (period: string) => string {
  const ends = new Map<string, string>();
  return (period) => {
    let end = ends.get(period);
    if (end === undefined) ends.set(period, (end = periodBounds(period).end));
    return end;
  };
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
function replay(row: ReportTaskColumns, changes: StatusChange[], moves: DueDateMoveRow[]): TaskState {
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

export interface AssignmentFact {
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
export interface ReportContext {
  asOf: string;
  today: string;
  timeZone: string;
  lang: Language | null;
  movesByTask: Map<string, DueDateMoveRow[]>;
  periodEnd: (period: string) => string;
  periods: Map<string, PlanPeriods>;
  /** The day each plan's tasks are judged on for overdue: the report's date, or the plan's closing day if earlier. */
  judgedOn: Map<string, string>;
}

const NONE: never[] = [];

/** One task as it stood on the date and its assignments; the reports it owed and lacks are added to `missing`. */
export function taskFact(row: ReportTaskRow, b: ReportContext, missing: ProgressReport['missingReports']): TaskFact {
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
