// `npx tsx scripts/measure-missing-scan.ts [tasks] [slice]` (defaults 100,000 and the worker's MISSING_SLICE): times the
// webhook worker's look for missing reports (missingCandidates, then raiseMissingSlice a slice per transaction) on a new
// file with a bench-like approved plan of that many tasks, each with a lead and a co-executor and the lead's reports for
// 2025-Q1 and Q2, 1 organization per 100 tasks, and one subscription to report.missing; "now" is 2026-11-29, so
// 2026-Q3 is due and missing. Prints the first look (which raises the events) and a second (which finds nothing new):
// each in all, how long missingCandidates held the event loop, and its slices' longest, 99th percentile and median (what
// each holds the loop). Nothing is asserted; on a shared machine, run it twice.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { writeTransaction } from '../src/db/connection.js';
import { runMigrations } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open.js';
import { newId } from '../src/lib/ids.js';
import { submissionDeadline } from '../src/lib/periods.js';
import { codeSortKey } from '../src/modules/tasks/tasks.service.js';
import { missingCandidates, raiseMissingSlice } from '../src/modules/webhooks/webhooks.scans.js';
import { MISSING_SLICE } from '../src/modules/webhooks/webhooks.worker.js';

const TASKS = Number(process.argv[2] ?? 100_000);
const SLICE = Number(process.argv[3] ?? MISSING_SLICE);
const ORGS = Math.max(10, Math.round(TASKS / 100));
const dir = mkdtempSync(join(os.tmpdir(), 'missing-scan-'));
const path = join(dir, 'tracker.db');
const handle = openDatabase(path);
runMigrations(handle);
const s = handle.sqlite;
const then = '2025-01-10T09:00:00.000Z';
const commissionId = newId();
const planId = newId();
const orgIds: string[] = [];
s.transaction(() => {
  s.prepare(`INSERT INTO commissions (id, name, time_zone, party_a_country, party_a_co_chair_name, party_a_co_chair_position, party_b_country, party_b_co_chair_name, party_b_co_chair_position, created_at, updated_at) VALUES (?, 'C', 'Europe/Minsk', 'BY', 'A', 'P', 'KZ', 'B', 'P', ?, ?)`).run(commissionId, then, then);
  const org = s.prepare(`INSERT INTO organizations (id, name, short_name, kind, country, parent_id, created_at, updated_at) VALUES (?, ?, ?, 'ministry', ?, NULL, ?, ?)`);
  for (let i = 0; i < ORGS; i++) {
    const id = newId();
    orgIds.push(id);
    org.run(id, `Ministry ${i}`, `M${i}`, i % 2 ? 'BY' : 'KZ', then, then);
  }
  s.prepare(`INSERT INTO plans (id, commission_id, title, period_start, period_end, status, reporting_frequency, report_due_days, approved_at, created_at, updated_at) VALUES (?, ?, 'P', '2025-01-01', '2027-12-31', 'approved', 'quarterly', 10, ?, ?, ?)`).run(planId, commissionId, then, then, then);
  const task = s.prepare(`INSERT INTO tasks (id, plan_id, code, code_sort_key, title, description, area, translations, search_text, due_date, original_due_date, postponement_count, status, status_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'd', 'trade', '{}', 's', '2027-06-30', '2027-06-30', 0, 'in_progress', ?, ?, ?)`);
  const assignee = s.prepare(`INSERT INTO task_assignees (task_id, organization_id, role, position, assigned_at) VALUES (?, ?, ?, ?, ?)`);
  const report = s.prepare(`INSERT INTO progress_reports (id, task_id, organization_id, period, submission_deadline, percent_complete, confidence, narrative, risks, status, revision, submitted_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 10, 'green', 'n', NULL, 'submitted', 1, ?, ?, ?)`);
  for (let i = 0; i < TASKS; i++) {
    const id = newId();
    const code = `${Math.floor(i / 1000) + 1}.${(i % 1000) + 1}`;
    task.run(id, planId, code, codeSortKey(code), `Task ${code}`, then, then, then);
    const lead = orgIds[i % ORGS] as string;
    const co = orgIds[(i * 7 + 1) % ORGS] as string;
    assignee.run(id, lead, 'lead', 0, then);
    if (co !== lead) assignee.run(id, co, 'co_executor', 1, then);
    for (const period of ['2025-Q1', '2025-Q2']) report.run(newId(), id, lead, period, submissionDeadline(period, 10), then, then, then);
  }
  s.prepare(`INSERT INTO webhook_subscriptions (id, url, events, organization_id, secret, active, created_at, updated_at, events_kept_since) VALUES (?, 'http://127.0.0.1:9/', '["report.missing"]', NULL, 'whsec_x', 1, ?, ?, ?)`).run(newId(), then, then, then);
})();
const now = new Date('2026-11-29T12:00:00.000Z');

/** One look: its slices, then each slice in its own transaction, as the worker goes (without the turns between). */
function look(): string {
  const started = performance.now();
  const slices = missingCandidates(handle.db, now, SLICE);
  const candidates = performance.now() - started;
  const times: number[] = [];
  let raised = 0;
  for (const slice of slices) {
    const t0 = performance.now();
    raised += writeTransaction(handle.db, (tx) => raiseMissingSlice(tx, now, slice));
    times.push(performance.now() - t0);
  }
  const total = performance.now() - started;
  const sorted = times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0);
  return `raised ${raised} in ${Math.round(total)} ms (${slices.length} slices, found in ${Math.round(candidates)} ms; slice longest ${at(1)} ms, p99 ${at(0.99)} ms, median ${at(0.5)} ms)`;
}

console.log(`${TASKS} tasks, slices of ${SLICE}: first look ${look()}; a later look ${look()}`);
// The file holds about 500 MB after the first look on 100,000 tasks: not left behind in the temporary directory.
handle.sqlite.close();
rmSync(dir, { recursive: true, force: true });
