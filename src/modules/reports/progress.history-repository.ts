// Drizzle queries of the change history behind a past day's report (the edits it undoes, and what they name) and of its newest entry.
import { and, asc, desc, eq, gte, inArray, or, sql } from 'drizzle-orm';
import { type Db, inJsonArray } from '../../db/connection.js';
import type { HistoryEntity } from '../../db/enums.js';
import { changeHistory, meetings, organizations, progressReports, type FieldChange } from '../../db/schema.js';
import type { ReportAssignee, ReportTaskRow } from './progress.repository.js';

/**
 * The newest change of the history: every write of the services records its change in its own transaction, so two
 * connections that read the same mark read the same data (the parts of a report, progress.parts.ts).
 */
export function historyMark(db: Db): number {
  const [row] = db.select({ mark: sql<number>`coalesce(max(${changeHistory}.rowid), 0)` }).from(changeHistory).all();
  return row?.mark ?? 0;
}

/** A change of the history recorded at or after an instant: what a past day's report undoes. */
export interface LaterChange {
  entityType: HistoryEntity;
  entityId: string;
  changes: FieldChange[];
}

/**
 * The writes that edit what a past day's report shows of a task, a progress report, an indicator or an organization
 * (transitions and deadline moves are replayed from their own tables).
 */
const EDITS = [
  'updatePlan',
  'approvePlan',
  'closePlan',
  'updateTask',
  'commitPlanImport',
  'reviseTaskReport',
  'updateIndicator',
  'recordIndicatorValue',
  'withdrawIndicatorValue',
  'updateOrganization',
  'updateMeeting',
];

/**
 * The history entries of edits to the plans, their tasks, progress reports and indicators, and to every organization
 * and meeting,
 * recorded at or after `before`, oldest first: the fields they changed held their `before` values at the instant.
 */
export function changesSince(db: Db, planIds: string[], before: string): LaterChange[] {
  if (planIds.length === 0) return [];
  return changesSinceQuery(db, planIds, before).all();
}

/** The SELECT of changesSince, unrun (its query plan is tested). */
export function changesSinceQuery(db: Db, planIds: string[], before: string) {
  return db
    .select({ entityType: changeHistory.entityType, entityId: changeHistory.entityId, changes: changeHistory.changes })
    .from(changeHistory)
    .where(
      and(
        gte(changeHistory.at, before),
        inArray(changeHistory.operation, EDITS),
        // Checked, not sought (`+`): the entries since `before` are sought by the (at, id) index, already in order. By
        // the plan's and the entity types' indexes, SQLite read every entry of the plan and sorted those since (125-200
        // ms on 400,000 entries for a report of yesterday; 0.1-2 ms by instant; 270-320 ms and 230 ms for a day before all).
        or(
          and(inArray(sql`+${changeHistory.planId}`, planIds), inArray(sql`+${changeHistory.entityType}`, ['plan', 'task', 'progress_report', 'indicator'])),
          inArray(sql`+${changeHistory.entityType}`, ['organization', 'meeting']),
        ),
      ),
    )
    .orderBy(asc(changeHistory.at), asc(changeHistory.id));
}

/**
 * The commission's edits of its name or time zone recorded at or after `since`, newest first: a past day's report
 * names the commission and ends the day as they stood then.
 */
export function commissionChangesSince(db: Db, commissionId: string, since: string): { at: string; changes: FieldChange[] }[] {
  return db
    .select({ at: changeHistory.at, changes: changeHistory.changes })
    .from(changeHistory)
    .where(
      and(
        eq(changeHistory.entityType, 'commission'),
        eq(changeHistory.entityId, commissionId),
        eq(changeHistory.operation, 'updateCommission'),
        gte(changeHistory.at, since),
      ),
    )
    .orderBy(desc(changeHistory.at), desc(changeHistory.id))
    .all();
}

/** Every organization by id, with what the report shows of it. */
export function organizationsById(db: Db): Map<string, Omit<ReportAssignee, 'role'>> {
  const out = new Map<string, Omit<ReportAssignee, 'role'>>();
  for (const o of db
    .select({ organizationId: organizations.id, name: organizations.name, shortName: organizations.shortName, country: organizations.country })
    .from(organizations)
    .all()) {
    out.set(o.organizationId, o);
  }
  return out;
}

/** Every meeting by id, with what a task's basis shows of it. */
export function meetingsById(db: Db): Map<string, NonNullable<ReportTaskRow['basisMeeting']>> {
  const out = new Map<string, NonNullable<ReportTaskRow['basisMeeting']>>();
  for (const m of db.select({ id: meetings.id, title: meetings.title, date: meetings.date, protocolNumber: meetings.protocolNumber }).from(meetings).all()) {
    out.set(m.id, { title: m.title, date: m.date, protocolNumber: m.protocolNumber });
  }
  return out;
}

/** Which task, organization and period each of these progress reports is for. */
export function reportKeysOf(db: Db, ids: string[]): { id: string; taskId: string; organizationId: string; period: string }[] {
  if (ids.length === 0) return [];
  return db
    .select({ id: progressReports.id, taskId: progressReports.taskId, organizationId: progressReports.organizationId, period: progressReports.period })
    .from(progressReports)
    // As one JSON array: a past day months back may have more revised reports since than SQLite takes variables (32,766).
    .where(inJsonArray(progressReports.id, ids))
    .all();
}
