// Domain rules of the plan import: read the table, match it against the plan, preview row by row, and
// commit every row in one write transaction (or none), recorded in the history as one import.
import { writeTransaction, type Db } from '../../db/connection.js';
import { pendingCommit } from '../../db/group-commit.js';
import { AppError, ERRORS, notFound, type FieldError } from '../../errors.js';
import { digestOf } from '../../lib/canonical-json.js';
import { newId } from '../../lib/ids.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { findCommission } from '../commissions/commissions.repository.js';
import { recordChange } from '../history/history.recorder.js';
import { findPlan, findPlanRecord, type PlanRecord } from '../plans/plans.repository.js';
import * as assigneesRepo from '../tasks/tasks.assignees-repository.js';
import * as tasksRepo from '../tasks/tasks.repository.js';
import { newTaskRow, presentTask, searchTextOf } from '../tasks/tasks.service.js';
import type { CreateTask } from '../tasks/tasks.schemas.js';
import { cellText, checkLayout, clip, dataRows, findLayout, type Column, type DataRow, type Heading, type Layout } from './imports.columns.js';
import { cellRef, MAX_SHEET_ROWS, readCsv, XLSX_MEDIA_TYPE, type SourceFile, type SourceSheet, type XlsxReader } from './imports.files.js';
import { basisMatcher, normalizeName, organizationDirectory } from './imports.matching.js';
import { allOrganizations, meetingsOfCommission, pendingDeadlineRequest, taskCodesOfPlan, tasksNamedInFile } from './imports.repository.js';
import { evaluateRow, zerosExcelDrops, type EvaluatedRow } from './imports.rows.js';
import { MAX_TASKS_NOT_IN_FILE, MAX_UNMATCHED_EXECUTORS, type CommitImportQuery, type ImportQuery, type ImportResult, type TemplateQuery, type UploadedFile } from './imports.schemas.js';
import { renderTemplateCsv, renderTemplateXlsx, type TemplateContext } from './imports.template.js';

/** A file read and laid out, not yet held against a plan: parsing is async, the plan is read in a transaction. */
export interface ReadTable {
  fileName: string | null;
  sha256: string;
  file: SourceFile;
  sheet: SourceSheet;
  layout: Layout;
  rows: DataRow[];
  /** Section headings between the measures, skipped. */
  headings: Heading[];
  /** Rows repeating the header row (an English one under the Russian one), skipped. */
  repeatedHeaders: number[];
  /** The workbook's other sheets holding a table the import recognizes: not read. */
  otherSheets: string[];
}

const invalid = (detail: string) => new AppError(ERRORS.invalidSpreadsheet, detail);

/**
 * The sheet to read: the one named, or the first visible one whose header row the import recognizes. `others` names
 * the other sheets with such a header (hidden ones too): a plan split over several sheets is read one at a time, and
 * the officer is told, not left to find the tasks missing.
 */
function chooseSheet(file: SourceFile, name: string | undefined): { sheet: SourceSheet; layout: Layout; others: string[] } {
  const othersThan = (chosen: SourceSheet) =>
    file.sheets.filter((s) => s !== chosen && s.name !== null && findLayout(s) !== undefined).map((s) => s.name as string);
  if (name !== undefined) {
    if (file.format === 'csv') {
      throw new AppError(ERRORS.validationFailed, 'querystring.sheet: a CSV file has no sheets', [
        { path: 'querystring.sheet', message: 'only for XLSX workbooks' },
      ]);
    }
    const sheet = file.sheets.find((s) => s.name?.toLowerCase() === name.toLowerCase());
    if (!sheet) throw invalid(`the workbook has no sheet "${name}"; its sheets: ${file.sheets.slice(0, 20).map((s) => `"${s.name}"`).join(', ')}`);
    const layout = findLayout(sheet);
    if (!layout) throw invalid(`the sheet "${sheet.name}" has no header row naming "№"/"No" and "Мероприятие"/"Measure" in its first 20 rows`);
    return { sheet, layout, others: othersThan(sheet) };
  }
  for (const sheet of file.sheets.filter((s) => !s.hidden)) {
    const layout = findLayout(sheet);
    if (layout) return { sheet, layout, others: othersThan(sheet) };
  }
  const hidden = file.sheets.find((s) => s.hidden && findLayout(s) !== undefined);
  if (hidden) {
    throw invalid(
      `the table is on the hidden sheet "${hidden.name}": hidden sheets are read only when named; ` +
        `add ?sheet=${encodeURIComponent(hidden.name as string)} to the URL, or show the sheet in Excel`,
    );
  }
  throw invalid(
    `no ${file.format === 'csv' ? 'line' : 'sheet'} of the first 20 rows is a header row naming the columns "№"/"No" and "Мероприятие"/"Measure"; ` +
      'the layout is in GET /v1/plans/import-template',
  );
}

/**
 * What an import does, as a digest: each row's action, code, fields before and after and errors, and the plan's tasks
 * the file leaves out. The same file on the same plan gives the same digest; a task of the file edited meanwhile does not.
 */
function changesDigest(rows: ImportResult['rows'], notInFile: string[]): string {
  return digestOf({ rows, notInFile });
}

/**
 * "BY", "Беларусь", "Belarus", and the official names as the parties' documents write them ("Республика Беларусь",
 * "Republic of Kazakhstan", "Қазақстан Республикасы") → the party country; undefined when the header names none.
 */
function resolveParty(qualifier: string, parties: string[]): string | undefined {
  const q = normalizeName(qualifier)
    .replace(/^(?:the )?(?:республика|рэспубліка|republic of) /, '')
    .replace(/ (?:республикасы|республикасының)$/, ''); // normalizeName leaves single spaces
  return parties.find((country) => {
    if (country.toLowerCase() === q) return true;
    return ['ru', 'en', 'be', 'kk'].some((lang) => {
      try {
        const name = new Intl.DisplayNames([lang], { type: 'region' }).of(country);
        return name !== undefined && normalizeName(name) === q;
      } catch {
        return false;
      }
    });
  });
}

function describeColumn(c: Column, party: string | null | undefined): string {
  if (c.field === 'executors') return ['executors', party, c.role === 'auto' ? null : c.role].filter(Boolean).join(', ');
  if (c.field === 'translation') return `title (${c.lang})`;
  if (c.field === 'deadline') return 'dueDate';
  if (c.field === 'code') return 'code';
  return c.field;
}

/** `workbooks` reads .xlsx files (in a thread of their own, see imports.files.ts). */
export function createImportService({ db, clock }: ServiceDeps, workbooks: Pick<XlsxReader, 'read'>) {
  /** The plan, which must exist and not be closed. */
  const planFor = (tx: Db, planId: string): PlanRecord => {
    const plan = findPlanRecord(tx, planId);
    if (!plan) throw notFound('plan', planId);
    if (plan.status === 'closed') throw new AppError(ERRORS.planStateConflict, 'the plan is closed: nothing can be imported into it');
    return plan;
  };

  /** Every row against the plan as it is in `tx`. */
  function evaluate(tx: Db, plan: PlanRecord, table: ReadTable): { result: ImportResult; evaluated: EvaluatedRow[] } {
    const parties = findCommission(tx, plan.commissionId)?.parties.map((p) => p.country) ?? [];
    const partyOf = new Map<Column, string | null>();
    for (const c of table.layout.columns.filter((x) => x.field === 'executors')) {
      if (c.party === null || c.party === undefined) {
        partyOf.set(c, null);
        continue;
      }
      const party = resolveParty(c.party, parties);
      if (!party) {
        const names = parties.map((p) => `(${p})${['ru', 'en'].map((lang) => `, (${new Intl.DisplayNames([lang], { type: 'region' }).of(p)})`).join('')}`);
        throw invalid(
          `the column "${c.header}" names ${clip(c.party, 40)}, which is not a party of the plan's commission ` +
            `(${parties.join(', ')}): head the column with its party as ${names.join(' or ')}`,
        );
      }
      partyOf.set(c, party);
    }
    const codeCol = table.layout.columns.find((c) => c.field === 'code')!;
    const rowsByCode = new Map<string, number[]>();
    for (const r of table.rows) {
      const code = cellText(r.cells[codeCol.index]);
      if (code !== '') rowsByCode.set(code, [...(rowsByCode.get(code) ?? []), r.row]);
    }
    // Only the tasks the file names: a row looks its task up by the code it reads, which is one of these (or, for a
    // number Excel may have cut short, 1.1 of "1.10", the codes it may have been typed as).
    const mayBe = table.rows.flatMap((r) => zerosExcelDrops(r.cells[codeCol.index]));
    const tasks = tasksNamedInFile(tx, plan.id, [...new Set([...rowsByCode.keys(), ...mayBe])]);
    const unmatched = new Map<string, number[]>();
    const ctx = {
      plan,
      layout: table.layout,
      partyOf,
      tasks: new Map(tasks.map((t) => [t.code, t])),
      organizations: organizationDirectory(allOrganizations(tx), parties),
      matchBasis: basisMatcher(meetingsOfCommission(tx, plan.commissionId)),
      rowsByCode,
      unmatched,
      pendingRequest: (taskId: string) => pendingDeadlineRequest(tx, taskId),
    };
    const evaluated = table.rows.map((r) => evaluateRow(r, ctx));
    const count = (action: string) => evaluated.filter((e) => e.result.action === action).length;
    const notInFile = taskCodesOfPlan(tx, plan.id).filter((code) => !rowsByCode.has(code));
    const result: ImportResult = {
      planId: plan.id,
      committed: false,
      fileName: table.fileName,
      format: table.file.format,
      sheet: table.sheet.name,
      otherSheets: table.otherSheets,
      separator: table.file.separator,
      headerRow: table.layout.headerRow,
      columns: table.layout.columns.map((c) => ({ header: c.header, cell: cellRef(table.layout.headerRow, c.index), reads: describeColumn(c, partyOf.get(c)) })),
      ignoredColumns: table.layout.ignored,
      rows: evaluated.map((e) => e.result),
      headings: table.headings,
      repeatedHeaderRows: table.repeatedHeaders,
      summary: { create: count('create'), update: count('update'), unchanged: count('unchanged'), errors: count('error') },
      unmatchedExecutors: [...unmatched].slice(0, MAX_UNMATCHED_EXECUTORS).map(([text, rows]) => ({ text, rows: [...new Set(rows)] })),
      tasksNotInFile: notInFile.slice(0, MAX_TASKS_NOT_IN_FILE),
      tasksNotInFileCount: notInFile.length,
      changesDigest: changesDigest(evaluated.map((e) => e.result), notInFile),
    };
    return { result, evaluated };
  }

  function createTask(tx: Db, plan: PlanRecord, input: CreateTask, at: string): string {
    const id = newId();
    const row = newTaskRow(id, plan.id, input, at);
    tasksRepo.insertTask(tx, row);
    assigneesRepo.replaceAssignees(tx, id, input.assignees, at);
    return id;
  }

  function updateTask(tx: Db, plan: PlanRecord, task: tasksRepo.TaskRecord, input: CreateTask, fields: string[], at: string): void {
    const has = (f: string) => fields.includes(f);
    const next = {
      // A title the file writes as the task has it (on one line, where an old title had a line break) stays as it is.
      title: has('title') ? input.title : task.title,
      description: has('description') ? (input.description ?? null) : task.description,
      formOfCompletion: has('formOfCompletion') ? (input.formOfCompletion ?? null) : task.formOfCompletion,
      expectedResult: has('expectedResult') ? (input.expectedResult ?? null) : task.expectedResult,
      area: input.area,
      translations: has('translations') ? (input.translations ?? {}) : task.translations,
    };
    tasksRepo.updateTask(tx, task.id, {
      ...next,
      ...(has('basis') ? { basisMeetingId: input.basis?.meetingId ?? null, basisProtocolItem: input.basis?.protocolItem ?? null } : {}),
      // Only a draft's deadline is imported (the rows refuse it otherwise), and in a draft it is also the original one.
      ...(has('dueDate') && plan.status === 'draft' ? { dueDate: input.dueDate, originalDueDate: input.dueDate } : {}),
      searchText: searchTextOf({ code: task.code, ...next }),
      updatedAt: at,
    });
    if (has('assignees')) assigneesRepo.replaceAssignees(tx, task.id, input.assignees, at);
  }

  /** Reads the uploaded file into rows under a recognized header. Refuses what is not such a table. */
  async function read(file: UploadedFile, query: ImportQuery): Promise<ReadTable> {
    if (file.size === 0) throw invalid('the file is empty');
    const source =
      file.mediaType === 'text/csv' ? readCsv(file.bytes, (sheet) => findLayout(sheet) !== undefined) : await workbooks.read(file.bytes);
    const { sheet, layout, others } = chooseSheet(source, query.sheet);
    if (sheet.truncated) throw invalid(`the ${sheet.name ? `sheet "${sheet.name}"` : 'file'} has more rows than the import reads (${MAX_SHEET_ROWS}): split the plan into several files`);
    checkLayout(layout, sheet);
    const { rows, headings, repeatedHeaders } = dataRows(sheet, layout);
    if (rows.length === 0) throw invalid(`the table has no rows under its header (row ${layout.headerRow})`);
    return { fileName: query.filename ?? file.fileName, sha256: file.sha256, file: source, sheet, layout, rows, headings, repeatedHeaders, otherSheets: others };
  }

  return {
    /** What a commit would do, row by row; writes nothing. */
    async preview(planId: string, file: UploadedFile, query: ImportQuery): Promise<ImportResult> {
      planFor(db, planId);
      const table = await read(file, query);
      return evaluate(db, planFor(db, planId), table).result;
    },

    /**
     * Applies every row in one transaction, or refuses (422) while any row has errors. A commit that changes
     * nothing writes nothing, not even its history entry: importing a plan's own export back is a no-op.
     */
    async commit(planId: string, file: UploadedFile, query: CommitImportQuery, ctx: WriteContext): Promise<ImportResult> {
      planFor(db, planId);
      const table = await read(file, query);
      // From here on synchronous: the plan is read again, and written, inside one write transaction.
      const now = clock();
      const at = now.toISOString();
      return writeTransaction(db, (tx) => {
        // The key may have been revoked while the file was read.
        ctx.authorizeAgain?.();
        const plan = planFor(tx, planId);
        // If-Match names the plan's ETag: the plan as the API shows it, with its task count.
        if (ctx.expect) ctx.expect(findPlan(tx, planId));
        const { result, evaluated } = evaluate(tx, plan, table);
        // The plan's ETag does not cover its tasks: a preview's digest makes sure none the file touches was edited since.
        if (query.changesDigest !== undefined && query.changesDigest !== result.changesDigest) {
          throw new AppError(
            ERRORS.preconditionFailed,
            'the import would no longer do what the preview showed (a task of the file, or the plan, changed since): nothing was ' +
              'imported. Preview the file again, check the changes, and commit with the new changesDigest',
          );
        }
        const failing = result.rows.filter((r) => r.action === 'error');
        if (failing.length > 0) {
          const errors: FieldError[] = failing.flatMap((r) =>
            (r.errors ?? []).map((e) => ({ path: `file.row${e.row}${e.cell ? `.${e.cell}` : ''}`, message: clip(`${e.column ? `${e.column}: ` : ''}${e.message}`, 1000) })),
          );
          const first = errors[0]!;
          throw new AppError(
            ERRORS.importRowsInvalid,
            `${failing.length} of ${result.rows.length} rows have errors (first: ${first.path}: ${clip(first.message, 300)}); nothing was imported. ` +
              'Preview the file (POST /v1/plans/{id}/import/preview) to see every error, fix the rows, and commit again',
            errors,
          );
        }
        const created: string[] = [];
        const updated: string[] = [];
        evaluated.forEach((e, i) => {
          const write = e.write;
          if (write.kind === 'none') return;
          if (write.kind === 'create') {
            const id = createTask(tx, plan, write.input, at);
            const after = presentTask(tasksRepo.findTaskRecord(tx, id)!, now);
            recordChange(tx, ctx.actor, at, { operation: 'commitPlanImport', entity: 'task', entityId: id, planId: plan.id, taskId: id, before: null, after });
            result.rows[i] = { ...e.result, taskId: id };
            created.push(id);
          } else {
            const before = presentTask(write.task, now);
            updateTask(tx, plan, write.task, write.input, write.fields, at);
            const after = presentTask(tasksRepo.findTaskRecord(tx, write.task.id)!, now);
            recordChange(tx, ctx.actor, at, { operation: 'commitPlanImport', entity: 'task', entityId: write.task.id, planId: plan.id, taskId: write.task.id, before, after });
            updated.push(write.task.id);
          }
        });
        if (created.length + updated.length > 0) {
          recordChange(tx, ctx.actor, at, {
            operation: 'commitPlanImport',
            entity: 'plan',
            entityId: plan.id,
            planId: plan.id,
            before: { import: null },
            after: {
              import: {
                fileName: table.fileName,
                sha256: table.sha256,
                format: table.file.format,
                sheet: table.sheet.name,
                created: created.length,
                updated: updated.length,
                unchanged: result.summary.unchanged,
              },
            },
          });
        }
        return { ...result, committed: true };
      });
    },

    /** The template to fill, tailored to a plan's parties, organizations and meetings when one is named. */
    async template(query: TemplateQuery): Promise<{ fileName: string; mediaType: string; body: Buffer | string }> {
      let ctx: TemplateContext = { parties: [], organizations: [], meetings: [] };
      if (query.planId !== undefined) {
        const plan = findPlanRecord(db, query.planId);
        if (!plan) throw notFound('plan', query.planId);
        ctx = {
          parties: findCommission(db, plan.commissionId)?.parties.map((p) => p.country) ?? [],
          organizations: allOrganizations(db),
          meetings: meetingsOfCommission(db, plan.commissionId),
        };
      }
      const fileName = `plan-import-template${query.planId ? `-${query.planId}` : ''}.${query.format}`;
      if (query.format === 'csv') return { fileName, mediaType: 'text/csv; charset=utf-8', body: renderTemplateCsv(ctx) };
      // What was read may be writes of a group not yet committed (src/db/group-commit.ts). The workbook is written
      // over several turns of the event loop, and the answer's wait for the open group (the db plugin's onSend) would
      // then find that group ended: it must not offer names a failed COMMIT took back.
      const readIn = pendingCommit(db);
      const body = await renderTemplateXlsx(ctx);
      if (readIn) await readIn;
      return { fileName, mediaType: XLSX_MEDIA_TYPE, body };
    },
  };
}
