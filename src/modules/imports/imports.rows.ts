// One row of an imported table, read against the plan: what it would create or change, or what is wrong
// with it, cell by cell. Pure: the service hands in the plan, its tasks and the directories.
import type { AssigneeRole, TaskArea } from '../../db/enums.js';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { DeadlineChange } from '../deadline-changes/deadline-changes.schemas.js';
import type { PlanRecord } from '../plans/plans.repository.js';
import type { TaskRecord } from '../tasks/tasks.repository.js';
import { CreateTaskSchema, type CreateTask } from '../tasks/tasks.schemas.js';
import { AREA_LABELS, areaOf, cellText, clip, oneLine, type Column, type DataRow, type Field, type Layout } from './imports.columns.js';
import { parseDeadline } from './imports.deadlines.js';
import { cellRef, type Cell } from './imports.files.js';
import { executorLines, matchExecutorLine, type BasisMatch, type OrganizationDirectory } from './imports.matching.js';
import type { ImportField, RowError, RowResult } from './imports.schemas.js';

export interface RowContext {
  plan: PlanRecord;
  layout: Layout;
  /** Executors columns' party, resolved to a party country (null: the column mixes both sides). */
  partyOf: Map<Column, string | null>;
  tasks: Map<string, TaskRecord>;
  organizations: OrganizationDirectory;
  matchBasis: (text: string) => BasisMatch;
  /** Rows that carry each code, to tell duplicates. */
  rowsByCode: Map<string, number[]>;
  /** Unmatched executors, as written, with their rows: filled while rows are read. */
  unmatched: Map<string, number[]>;
  /** The deadline request waiting on a task, if any: its requester is not taken off the task. */
  pendingRequest: (taskId: string) => DeadlineChange | undefined;
}

export type RowPlan =
  | { kind: 'create'; input: CreateTask }
  | { kind: 'update'; task: TaskRecord; input: CreateTask; fields: ImportField[] }
  | { kind: 'none' };

export interface EvaluatedRow {
  result: RowResult;
  write: RowPlan;
}

interface AssigneeView {
  organizationId: string;
  name: string;
  role: AssigneeRole;
}

const assigneeKey = (a: { organizationId: string; role: AssigneeRole }) => `${a.role}:${a.organizationId}`;
const sameAssignees = (a: { organizationId: string; role: AssigneeRole }[], b: { organizationId: string; role: AssigneeRole }[]) =>
  a.map(assigneeKey).sort().join() === b.map(assigneeKey).sort().join();
const leadsFirst = <T extends { role: AssigneeRole }>(list: T[]) => [...list.filter((a) => a.role === 'lead'), ...list.filter((a) => a.role !== 'lead')];
const lines = (s: string | null | undefined) => (s ?? null)?.replace(/\r\n?/g, '\n') ?? null;

/** Translations with each title on one line, as the import reads titles; descriptions keep their lines. */
function oneLineTitles(translations: TaskRecord['translations'] | undefined): NonNullable<CreateTask['translations']> {
  return Object.fromEntries(
    Object.entries(translations ?? {}).map(([lang, t]) => [lang, t?.title === undefined ? { ...t } : { ...t, title: oneLine(t.title) }]),
  );
}

/**
 * The codes a number in the code cell may have been typed as: 1.1 for "1.10" or "1.100", Excel keeping the number only.
 * None for text, for whole numbers and for a number whose format fixes its decimals (the cell shows what was meant).
 */
export function zerosExcelDrops(cell: Cell | undefined): string[] {
  const v = cell?.value;
  if (typeof v !== 'number' || Number.isInteger(v) || cell?.shown !== undefined || !Number.isFinite(v)) return [];
  const written = String(v);
  return /^\d+\.\d+$/.test(written) ? [`${written}0`, `${written}00`] : [];
}

/** Reads one data row. */
export function evaluateRow(r: DataRow, ctx: RowContext): EvaluatedRow {
  const { layout, plan } = ctx;
  const errors: RowError[] = [];
  const bad = new Set<Column>();
  const fail = (column: Column | null, message: string) => {
    errors.push({ row: r.row, column: column?.header ?? null, cell: column ? cellRef(r.row, column.index) : null, message: clip(message, 2000) });
    if (column) bad.add(column);
  };
  const col = (field: Field) => layout.columns.find((c) => c.field === field);
  const text = (c: Column | undefined) => (c && !bad.has(c) ? cellText(r.cells[c.index]) : '');

  for (const c of layout.columns) {
    const cell = r.cells[c.index];
    if (cell?.formula) fail(c, 'a formula: the import takes values only (copy the column and paste it as values)');
    else if (cell?.error) fail(c, `the cell holds the error value ${cell.error}`);
  }
  for (const m of r.merges) {
    // A merge only in columns the import does not read (a "Примечание" shared by several rows) changes nothing it reads.
    const covered = layout.columns.find((c) => c.index >= m.left && c.index <= m.right);
    if (covered) fail(covered, `merged cells ${m.range}: unmerge them; each row is one measure with its own cells`);
  }

  const codeCol = col('code')!;
  const codeValue = r.cells[codeCol.index]?.value;
  // Excel in Russian takes "2.3" typed in a General cell for 2 March: no code is a date, and its ISO text is no code.
  if (codeValue instanceof Date && !bad.has(codeCol)) {
    const written = Number.isNaN(codeValue.getTime()) ? '' : ` (${codeValue.getUTCDate()}.${codeValue.getUTCMonth() + 1}?)`;
    fail(codeCol, `a date, not a number${written}: Excel turns a number such as 2.3 into a date; format the column as Text and type the numbers again`);
  }
  const code = text(codeCol) || null;
  if (code === null && !bad.has(codeCol)) fail(codeCol, 'empty: every measure needs its number');
  // Excel keeps "1.10" typed in a General cell as the number 1.1: while the plan or the file also has 1.10, the row
  // cannot tell which measure it is, and would update 1.1 with the text of 1.10.
  const lost = code === null || bad.has(codeCol) ? [] : zerosExcelDrops(r.cells[codeCol.index]).filter((c) => ctx.tasks.has(c) || ctx.rowsByCode.has(c));
  if (lost.length > 0) {
    fail(
      codeCol,
      `the number ${code}, not the text: Excel drops the last zeros of a number typed in a General cell, and ${lost.join(', ')} is also ` +
        `${lost.some((c) => ctx.tasks.has(c)) ? 'in the plan' : 'in the file'}; format the column as Text and type the numbers again`,
    );
  }
  const sameCode = code === null ? [] : (ctx.rowsByCode.get(code) ?? []);
  if (sameCode.length > 1) fail(codeCol, `the number ${code} is in rows ${sameCode.join(', ')}: each measure once`);
  const existing = code === null ? undefined : ctx.tasks.get(code);

  // Without a title column the sheet names its measures by translation only ("Measure (en)", as the report asked for in
  // a language writes them): the tasks keep their titles, and a new one has none to take.
  const titleCol = col('title') ?? layout.columns.find((c) => c.field === 'translation')!;
  const originals = titleCol.field === 'title';
  // Titles are one line (the API refuses line breaks in them): a title broken over lines in its cell is read as it reads.
  // A task's own title and translations, when kept, are read the same way: a task written before the API refused line
  // breaks in titles is still imported, and its title compared as one line.
  const title = originals ? oneLine(text(titleCol)) : oneLine(existing?.title ?? '');
  if (originals && title === '' && !bad.has(titleCol)) fail(titleCol, 'empty: write what is to be done');
  if (!originals && !existing && code !== null) {
    fail(titleCol, `${code} is not in the plan, and the file gives titles only as translations: add a "Мероприятие" / "Measure" column with its title to create it`);
  }

  const deadlineCol = col('deadline')!;
  let dueDate: string | undefined;
  const deadlineCell = r.cells[deadlineCol.index];
  if (!bad.has(deadlineCol)) {
    if (deadlineCell?.value === null || deadlineCell?.value === undefined || cellText(deadlineCell) === '') fail(deadlineCol, 'empty: every measure needs a deadline');
    else {
      const parsed = parseDeadline(typeof deadlineCell.value === 'string' ? cellText(deadlineCell) : deadlineCell.value, deadlineCell.period);
      if ('error' in parsed) fail(deadlineCol, parsed.error);
      else dueDate = parsed.date;
    }
  }

  // Executors: matched one line at a time (or one comma-separated part, matchExecutorLine); the role is the column's, a
  // "(головной)" mark's, or by order.
  type Entry = { id: string; name: string; country: string; role: AssigneeRole | null; explicitLead: boolean; column: Column };
  const entries: Entry[] = [];
  const executorColumns = layout.columns.filter((c) => c.field === 'executors');
  for (const c of executorColumns) {
    if (bad.has(c)) continue;
    const matched = executorLines(cellText(r.cells[c.index])).flatMap((l) => matchExecutorLine(ctx.organizations, l, ctx.partyOf.get(c) ?? null));
    for (const { line, found } of matched) {
      if (!found.ok) {
        fail(c, found.message);
        if (found.kind === 'unknown') {
          // Added to in place, the row once: a cell naming one unknown name 100,000 times copied a growing list as often.
          const key = clip(line.text, 300);
          const rows = ctx.unmatched.get(key);
          if (!rows) ctx.unmatched.set(key, [r.row]);
          else if (rows.at(-1) !== r.row) rows.push(r.row);
        }
        continue;
      }
      const role = c.role === 'lead' || c.role === 'co_executor' ? c.role : line.marked;
      entries.push({ id: found.organization.id, name: found.organization.name, country: found.organization.country, role, explicitLead: role === 'lead', column: c });
    }
  }
  // The first executor of each side is its lead, unless a lead of that side is named as such.
  for (const country of new Set(entries.map((e) => e.country))) {
    const ofSide = entries.filter((e) => e.country === country);
    const explicit = ofSide.some((e) => e.explicitLead);
    ofSide.filter((e) => e.role === null).forEach((e, i) => (e.role = !explicit && i === 0 ? 'lead' : 'co_executor'));
  }
  const seen = new Map<string, Entry>();
  for (const e of entries) {
    if (seen.has(e.id)) fail(e.column, `${e.name} is listed twice: name each executor once`);
    seen.set(e.id, e);
  }
  const executorsFailed = executorColumns.some((c) => bad.has(c));
  if (entries.length === 0 && !executorsFailed) fail(executorColumns[0]!, 'empty: name the executors, the lead of each side first');
  const assignees: AssigneeView[] = leadsFirst(entries.map((e) => ({ organizationId: e.id, name: e.name, role: e.role as AssigneeRole })));

  const basisCol = col('basis');
  let basis: { meetingId: string; protocolItem?: string } | null | undefined;
  if (basisCol && !bad.has(basisCol)) {
    const written = text(basisCol);
    if (written === '') basis = null;
    else {
      const m = ctx.matchBasis(written);
      if (m.ok) basis = { meetingId: m.meetingId, ...(m.protocolItem ? { protocolItem: m.protocolItem } : {}) };
      else fail(basisCol, m.message);
    }
  }

  const areaCol = col('area');
  let area: TaskArea | undefined;
  const areaText = text(areaCol);
  if (areaCol && areaText !== '') {
    area = areaOf(areaText);
    if (!area) {
      const known = Object.values(AREA_LABELS).map((l) => `${l.ru} / ${l.en}`).join(', ');
      fail(areaCol, `unknown area "${clip(areaText)}": write one of ${known}`);
    }
  }

  const planCol = col('plan');
  const planText = text(planCol);
  if (planCol && planText !== '' && planText.replace(/\s+/g, ' ') !== plan.title.replace(/\s+/g, ' ')) {
    fail(planCol, `this row is of the plan "${clip(planText)}", not of "${clip(plan.title)}": remove it, or delete the column to import it here`);
  }

  // Fields the file has a column for replace the task's; the others stay as they are.
  const optional = (field: 'formOfCompletion' | 'expectedResult' | 'description', current: string | null | undefined) => {
    const c = col(field);
    if (!c) return current ?? undefined;
    return text(c) || undefined;
  };
  const translations = oneLineTitles(existing?.translations);
  for (const c of layout.columns.filter((x) => x.field === 'translation')) {
    const value = oneLine(text(c));
    const lang = c.lang!;
    const { title: kept, ...rest } = translations[lang] ?? {};
    // The original shown for want of a translation, as the report's sheet does, is no new translation; one the task
    // has already, the same as its title (a brand name), stays.
    if (value && (value !== title || kept === value)) translations[lang] = { ...rest, title: value };
    else if (Object.keys(rest).length > 0) translations[lang] = rest;
    else delete translations[lang];
  }
  const existingBasis = existing?.basisMeetingId
    ? { meetingId: existing.basisMeetingId, ...(existing.basisProtocolItem ? { protocolItem: oneLine(existing.basisProtocolItem) } : {}) }
    : undefined;
  const candidate = {
    planId: plan.id,
    code: code ?? undefined,
    title: title || undefined,
    description: optional('description', existing?.description),
    area: area ?? existing?.area ?? 'other',
    formOfCompletion: optional('formOfCompletion', existing?.formOfCompletion),
    expectedResult: optional('expectedResult', existing?.expectedResult),
    basis: basis === undefined ? existingBasis : (basis ?? undefined),
    translations,
    dueDate,
    assignees: assignees.map(({ organizationId, role }) => ({ organizationId, role })),
  };
  const parsed = CreateTaskSchema.safeParse(candidate);
  if (!parsed.success) {
    const columnOf = (path: PropertyKey[]): Column | undefined => {
      const [head, lang] = path;
      if (head === 'code') return codeCol;
      if (head === 'title') return titleCol;
      if (head === 'dueDate') return deadlineCol;
      if (head === 'assignees') return executorColumns.find((c) => cellText(r.cells[c.index]) !== '') ?? executorColumns[0];
      if (head === 'translations') return layout.columns.find((c) => c.field === 'translation' && c.lang === lang);
      return col(head as Field);
    };
    for (const issue of parsed.error.issues) {
      const c = columnOf(issue.path);
      // A value already reported empty or unreadable is not reported again.
      if ((c && bad.has(c)) || (issue.path[0] === 'assignees' && executorColumns.some((x) => bad.has(x)))) continue;
      if (!c && errors.length > 0) continue;
      const message =
        issue.path[0] === 'assignees' && issue.message.includes('lead')
          ? 'no lead executor: the first organization of a side in an executors column leads, or mark one "(головной)"/"(lead)", or use a "Lead executor" column'
          : issue.message;
      fail(c ?? null, message);
    }
  }

  const base = { row: r.row, code: code === null ? null : clip(code, 200) };
  if (errors.length > 0 || !parsed.success) {
    return { result: { ...base, action: 'error', taskId: existing?.id ?? null, errors: errors.slice(0, 50) }, write: { kind: 'none' } };
  }
  const input = parsed.data;
  const orgName = new Map(assignees.map((a) => [a.organizationId, a.name]));
  const view = (list: { organizationId: string; role: AssigneeRole }[]) =>
    leadsFirst(list).map((a) => ({ organizationId: a.organizationId, name: orgName.get(a.organizationId) ?? null, role: a.role }));
  const basisView = (b: CreateTask['basis'] | undefined) => (b ? { meetingId: b.meetingId, protocolItem: b.protocolItem ?? null } : null);

  if (!existing) {
    const after: [ImportField, unknown][] = [
      ['title', input.title],
      ['formOfCompletion', input.formOfCompletion ?? null],
      ['expectedResult', input.expectedResult ?? null],
      ['description', input.description ?? null],
      ['dueDate', input.dueDate],
      ['assignees', view(input.assignees)],
      ['basis', basisView(input.basis)],
      ['area', input.area],
      ['translations', Object.keys(input.translations ?? {}).length > 0 ? input.translations : null],
    ];
    return {
      result: { ...base, action: 'create', taskId: null, changes: after.filter(([, v]) => v !== null).map(([field, v]) => ({ field, before: null, after: v })) },
      write: { kind: 'create', input },
    };
  }

  const changes: { field: ImportField; before: unknown; after: unknown }[] = [];
  const compare = (field: ImportField, before: unknown, after: unknown, same = canonicalJson(before) === canonicalJson(after)) => {
    if (!same) changes.push({ field, before, after });
  };
  compare('title', existing.title, input.title, oneLine(existing.title) === input.title);
  for (const field of ['formOfCompletion', 'expectedResult', 'description'] as const) {
    if (col(field)) compare(field, existing[field], input[field] ?? null, lines(existing[field]) === lines(input[field] ?? null));
  }
  if (input.dueDate !== existing.dueDate) {
    if (plan.status !== 'draft') {
      fail(
        deadlineCol,
        `the plan is approved: the deadline of ${existing.code} is ${existing.dueDate} and changes only through a deadline change, with a reason ` +
          `(POST /v1/tasks/${existing.id}/deadline-changes); write ${existing.dueDate} here to import the rest of the row`,
      );
      return { result: { ...base, action: 'error', taskId: existing.id, errors }, write: { kind: 'none' } };
    }
    compare('dueDate', existing.dueDate, input.dueDate);
  }
  const currentAssignees = existing.assignees.map(({ organizationId, role }) => ({ organizationId, role }));
  if (!sameAssignees(currentAssignees, input.assignees)) {
    // As PATCH /v1/tasks/{id} refuses it: the request would be left to an organization that no longer executes the task.
    const pending = ctx.pendingRequest(existing.id);
    const requester = existing.assignees.find((a) => a.organizationId === pending?.requestedBy.organizationId);
    if (pending && requester && !input.assignees.some((a) => a.organizationId === requester.organizationId)) {
      const column = executorColumns.find((c) => ctx.partyOf.get(c) === requester.country) ?? executorColumns[0]!;
      fail(
        column,
        `${requester.name} has a deadline request pending on ${existing.code} (to ${pending.newDueDate}): keep it among the executors, or decide ` +
          `the request first (POST /v1/tasks/${existing.id}/deadline-changes/${pending.id}/decision), or have it withdrawn (…/withdrawal)`,
      );
      return { result: { ...base, action: 'error', taskId: existing.id, errors }, write: { kind: 'none' } };
    }
    changes.push({
      field: 'assignees',
      before: leadsFirst(existing.assignees).map((a) => ({ organizationId: a.organizationId, name: a.name, role: a.role })),
      after: view(input.assignees),
    });
  }
  if (basisCol) compare('basis', basisView(existingBasis), basisView(input.basis));
  if (area !== undefined) compare('area', existing.area, input.area);
  if (layout.columns.some((c) => c.field === 'translation')) {
    compare('translations', existing.translations, input.translations ?? {}, canonicalJson(oneLineTitles(existing.translations)) === canonicalJson(input.translations ?? {}));
  }

  if (changes.length === 0) return { result: { ...base, action: 'unchanged', taskId: existing.id }, write: { kind: 'none' } };
  return {
    result: { ...base, action: 'update', taskId: existing.id, changes },
    write: { kind: 'update', task: existing, input, fields: changes.map((c) => c.field) },
  };
}
