// A past day's report undoes what the history recorded after that day: plans' titles, status and settings, tasks'
// titles, bases and assignees (and since when each was assigned), organizations' names, meetings' titles, progress
// reports' revisions and indicators' targets and values, as they stood at the end of the day.
import type { AssigneeRole, Confidence, TaskArea } from '../../db/enums.js';
import type { FieldChange, TaskTranslations } from '../../db/schema.js';
import type { Db } from '../../db/connection.js';
import * as assigneeHistory from './progress.assignee-history-repository.js';
import * as historyRepo from './progress.history-repository.js';
import * as repo from './progress.repository.js';
import type { IndicatorRow } from './progress.scope-repository.js';

type Fields = Map<string, unknown>;

/** The fields of the task rows the report shows that a later update may have changed. */
const TASK_FIELDS = ['code', 'title', 'translations', 'area', 'formOfCompletion', 'expectedResult'] as const;
const INDICATOR_FIELDS = ['name', 'unit', 'baseline', 'target'] as const;
const PLAN_FIELDS = ['title', 'status', 'periodStart', 'periodEnd', 'reportingFrequency', 'reportDueDays'] as const;
const VALUE_FIELD = 'values.';

/**
 * A field each entity always has: a change of it from null is the entity's creation, which tells nothing of what
 * stood before (the entity did not exist; a report leaves out what was created later by its own creation time).
 */
const IDENTITY_FIELD: Record<string, string> = {
  plan: 'title',
  task: 'code',
  organization: 'name',
  meeting: 'title',
  indicator: 'name',
  progress_report: 'period',
};

type BasisMeeting = NonNullable<repo.ReportTaskRow['basisMeeting']>;

export class Rewind {
  /** Per entity (`type:id`), each field changed since the instant with its value then: the `before` of its first later change. */
  private readonly then = new Map<string, Fields>();
  /** Per task, its reports revised since the instant, by `organizationId|period`. */
  private readonly reports = new Map<string, Map<string, Fields>>();
  private readonly organizations: Map<string, Omit<repo.ReportAssignee, 'role'>>;
  private readonly meetings: Map<string, BasisMeeting>;
  /**
   * Per task whose assignees changed since the instant, when each organization executing it at the instant was
   * assigned, replayed from the history before the instant (see assignedBefore).
   */
  private readonly assigned: Map<string, Map<string, string>>;

  constructor(
    db: Db,
    planIds: string[],
    private readonly before: string,
  ) {
    for (const entry of historyRepo.changesSince(db, planIds, before)) {
      const identity = IDENTITY_FIELD[entry.entityType];
      if (entry.changes.some((c) => c.field === identity && c.before === null)) continue;
      const key = `${entry.entityType}:${entry.entityId}`;
      let fields = this.then.get(key);
      if (!fields) this.then.set(key, (fields = new Map()));
      for (const change of entry.changes) if (!fields.has(change.field)) fields.set(change.field, change.before);
    }
    const reportIds = [...this.then.keys()].filter((k) => k.startsWith('progress_report:')).map((k) => k.slice('progress_report:'.length));
    for (const r of historyRepo.reportKeysOf(db, reportIds)) {
      let byTask = this.reports.get(r.taskId);
      if (!byTask) this.reports.set(r.taskId, (byTask = new Map()));
      byTask.set(`${r.organizationId}|${r.period}`, this.then.get(`progress_report:${r.id}`) as Fields);
    }
    this.organizations = historyRepo.organizationsById(db);
    this.meetings = historyRepo.meetingsById(db);
    const reassigned = [...this.then].filter(([k, fields]) => k.startsWith('task:') && fields.has('assignees')).map(([k]) => k.slice('task:'.length));
    this.assigned = assignedSince(assigneeHistory.assigneeWritesBefore(db, reassigned, before));
  }

  /** A basis meeting as it stood: its title, date and protocol number then. */
  private meeting(meetingId: string): BasisMeeting | null {
    const now = this.meetings.get(meetingId);
    if (!now) return null;
    const then = this.then.get(`meeting:${meetingId}`);
    if (!then) return now;
    const pick = <K extends keyof BasisMeeting>(field: K) => (then.has(field) ? then.get(field) : now[field]) as BasisMeeting[K];
    return { title: pick('title'), date: pick('date'), protocolNumber: pick('protocolNumber') ?? null };
  }

  private organization(organizationId: string): Omit<repo.ReportAssignee, 'role'> {
    const now = this.organizations.get(organizationId);
    const then = this.then.get(`organization:${organizationId}`);
    const pick = <K extends 'name' | 'shortName' | 'country'>(field: K) =>
      (then?.has(field) ? then.get(field) : now?.[field]) as Omit<repo.ReportAssignee, 'role'>[K];
    return { organizationId, name: pick('name'), shortName: pick('shortName') ?? null, country: pick('country') };
  }

  /**
   * The plan as it stood: its title and status (approved then, closed since; a draft then, approved since), and its
   * period and reporting settings, which decide the day's reporting period, its deadline and the reports missing.
   */
  plan(row: repo.PlanRow): repo.PlanRow {
    const then = this.then.get(`plan:${row.id}`);
    if (!then) return row;
    const out: repo.PlanRow = { ...row };
    for (const field of PLAN_FIELDS) {
      if (then.has(field)) (out as unknown as Record<string, unknown>)[field] = then.get(field);
    }
    return out;
  }

  /** The task row as it stood: its shown fields, its assignees (leads first) with their organizations' names then, its reports' figures then. */
  task(row: repo.ReportTaskRow): repo.ReportTaskRow {
    const then = this.then.get(`task:${row.id}`);
    const out: repo.ReportTaskRow = { ...row };
    if (then) {
      for (const field of TASK_FIELDS) {
        if (then.has(field)) (out as unknown as Record<string, unknown>)[field] = then.get(field);
      }
      out.translations = (out.translations ?? {}) as TaskTranslations;
      out.area = out.area as TaskArea;
    }
    if (then?.has('basis')) {
      const basis = then.get('basis') as { meetingId: string; protocolItem: string | null } | null;
      out.basisMeetingId = basis?.meetingId ?? null;
      out.basisProtocolItem = basis?.protocolItem ?? null;
    }
    if (then?.has('basis') || (out.basisMeetingId !== null && this.then.has(`meeting:${out.basisMeetingId}`))) {
      out.basisMeeting = out.basisMeetingId === null ? null : this.meeting(out.basisMeetingId);
    }
    const rewound = then?.has('assignees') ?? false;
    const assignees = (rewound ? (then?.get('assignees') as { organizationId: string; role: AssigneeRole }[]) : row.assignees) ?? [];
    const sorted = assignees
      .map((a, i) => ({ a, i, at: rewound ? this.assignedBefore(row, a.organizationId) : (row.assignedAt[i] as string) }))
      // Leads first, then in the order given, as the report lists them.
      .sort((x, y) => (x.a.role === y.a.role ? x.i - y.i : x.a.role === 'lead' ? -1 : 1));
    out.assignees = sorted.map(({ a }) => ({ ...this.organization(a.organizationId), role: a.role }));
    out.assignedAt = sorted.map(({ at }) => at);
    const revised = this.reports.get(row.id);
    if (revised) {
      out.reports = row.reports.map((r) => {
        const fields = revised.get(`${r[0]}|${r[1]}`);
        if (!fields) return r;
        const percent = fields.has('percentComplete') ? (fields.get('percentComplete') as number) : r[2];
        const confidence = fields.has('confidence') ? (fields.get('confidence') as Confidence) : r[3];
        return [r[0], r[1], percent, confidence, r[4]];
      });
    }
    return out;
  }

  /**
   * Since when an organization executing the task at the instant, by an earlier list of its assignees, had been: as
   * task_assignees keeps it if it stayed assigned since, else as the history replays it, else (a task written before
   * the history existed) since the task's creation, as migration 0012 filled task_assignees.
   */
  private assignedBefore(row: repo.ReportTaskRow, organizationId: string): string {
    const i = row.assignees.findIndex((a) => a.organizationId === organizationId);
    const kept = i < 0 ? undefined : row.assignedAt[i];
    if (kept !== undefined && kept < this.before) return kept;
    return this.assigned.get(row.id)?.get(organizationId) ?? row.createdAt;
  }

  /** The indicator as it stood: its target then, and the values it had then (a value recorded since was another, or none). */
  indicator(row: IndicatorRow, before: string): IndicatorRow {
    const then = this.then.get(`indicator:${row.id}`);
    const out: IndicatorRow = { ...row };
    for (const field of INDICATOR_FIELDS) {
      if (then?.has(field)) (out as unknown as Record<string, unknown>)[field] = then.get(field);
    }
    out.values = row.values.flatMap((v) => {
      if (v.recordedAt < before) return [v];
      const earlier = then?.get(`${VALUE_FIELD}${v.period}`) as { value: number } | null | undefined;
      return earlier ? [{ ...v, value: earlier.value }] : [];
    });
    // A value withdrawn since, which stood then (its recordedAt is not shown, nor compared again).
    for (const [field, earlier] of then ?? []) {
      if (!field.startsWith(VALUE_FIELD) || earlier === null) continue;
      const period = field.slice(VALUE_FIELD.length);
      if (!row.values.some((v) => v.period === period)) out.values.push({ period, value: (earlier as { value: number }).value, recordedAt: before });
    }
    return out;
  }
}

/**
 * Since when each organization on each task at an instant had been on it, replaying the writes of the tasks' assignees
 * before the instant (assigneeHistory.assigneeWritesBefore), by task. A task written before the history existed has no
 * entry for whoever was on it from the start: its callers take the task's creation, as migration 0012 filled
 * task_assignees.
 */
export function assignedSince(writes: assigneeHistory.TaskWrite[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const write of writes) {
    const change = write.changes.find((c) => c.field === 'assignees');
    if (!change) continue;
    let since = out.get(write.taskId);
    if (!since) out.set(write.taskId, (since = new Map()));
    assignedBy(since, change, write.at);
  }
  return out;
}

/**
 * Replays one change of a task's assignees written at `at` into `since` (organization → when assigned): an organization
 * in the list after and not before it is assigned then; one that stays keeps its time (a new role is no new
 * assignment), as tasks.assignees-repository's replaceAssignees keeps it; one left out is no longer assigned.
 */
function assignedBy(since: Map<string, string>, change: FieldChange, at: string): void {
  const ids = (list: unknown) => (Array.isArray(list) ? (list as { organizationId: string }[]).map((a) => a.organizationId) : []);
  const was = new Set(ids(change.before));
  const now = ids(change.after);
  for (const organizationId of was) if (!now.includes(organizationId)) since.delete(organizationId);
  for (const organizationId of now) if (!was.has(organizationId)) since.set(organizationId, at);
}
