// Drizzle queries on meetings; rows come back as API-shaped Meeting objects.
import { and, asc, eq, gte, lte } from 'drizzle-orm';
import type { Db } from '../../db/connection.js';
import { meetings } from '../../db/schema.js';
import { cursorFor, type Page } from '../../lib/pagination.js';
import type { ListMeetingsQuery, Meeting } from './meetings.schemas.js';

type Row = typeof meetings.$inferSelect;

function toMeeting(r: Row): Meeting {
  return {
    id: r.id,
    commissionId: r.commissionId,
    kind: r.kind,
    title: r.title,
    date: r.date,
    place: r.place,
    protocolNumber: r.protocolNumber,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export function findMeeting(db: Db, id: string): Meeting | undefined {
  const row = db.select().from(meetings).where(eq(meetings.id, id)).get();
  return row && toMeeting(row);
}

const cursor = cursorFor('meetings');

export function listMeetings(db: Db, q: ListMeetingsQuery): Page<Meeting> {
  const rows = db
    .select()
    .from(meetings)
    .where(
      and(
        q.commissionId === undefined ? undefined : eq(meetings.commissionId, q.commissionId),
        q.kind === undefined ? undefined : eq(meetings.kind, q.kind),
        // 'YYYY-MM-DD' text compares in calendar order.
        q.from === undefined ? undefined : gte(meetings.date, q.from),
        q.to === undefined ? undefined : lte(meetings.date, q.to),
        cursor.after([meetings.date, meetings.id], q),
      ),
    )
    .orderBy(asc(meetings.date), asc(meetings.id))
    .limit(q.limit + 1)
    .all();
  return cursor.page(rows, q, (r) => [r.date, r.id], toMeeting);
}

export function insertMeeting(db: Db, m: Meeting): void {
  db.insert(meetings).values(m).run();
}

export function updateMeeting(db: Db, m: Meeting): void {
  const { id, commissionId: _commissionId, createdAt: _createdAt, ...rest } = m;
  db.update(meetings).set(rest).where(eq(meetings.id, id)).run();
}
