// Test factories: create resources through the public API, so tests exercise the same paths callers do.
import type { App } from '../src/app.js';
import { organizations } from '../src/db/schema.js';
import { newId } from '../src/lib/ids.js';
import type { Organization } from '../src/modules/organizations/organizations.schemas.js';
import type { Task } from '../src/modules/tasks/tasks.schemas.js';

async function post<T = any>(app: App, url: string, payload: unknown): Promise<T> {
  const res = await app.inject({ method: 'POST', url, payload: payload as object });
  if (res.statusCode !== 201 && res.statusCode !== 200) {
    throw new Error(`POST ${url} answered ${res.statusCode}: ${res.body}`);
  }
  return JSON.parse(res.body) as T;
}

export function createCommission(app: App, overrides: Record<string, unknown> = {}) {
  return post(app, '/v1/commissions', {
    name: 'Belarus–Kazakhstan Intergovernmental Commission',
    timeZone: 'Europe/Minsk',
    parties: [
      { country: 'BY', coChair: { name: 'Co-chair BY', position: 'Deputy Prime Minister' } },
      { country: 'KZ', coChair: { name: 'Co-chair KZ', position: 'Deputy Prime Minister' } },
    ],
    ...overrides,
  });
}

let organizationsMade = 0;

/**
 * An organization; without a `name`, one no other organization has ("Ministry of Industry No. 7"), as names are unique in
 * their country (409 duplicate-organization-name otherwise). Legacy duplicates: `insertLegacyOrganization`.
 */
export function createOrganization(app: App, overrides: Record<string, unknown> = {}) {
  organizationsMade += 1;
  return post(app, '/v1/organizations', { name: `Ministry of Industry No. ${organizationsMade}`, kind: 'ministry', country: 'BY', ...overrides });
}

/**
 * An organization written straight into the database, past the API: rows written before names became unique in their
 * country may share a name or short name, which the API now refuses (409). Tests of how such duplicates are still read
 * (the import's "ambiguous") make them this way.
 */
export function insertLegacyOrganization(app: App, fields: Partial<Organization> & Pick<Organization, 'name'>): Organization {
  const now = app.clock().toISOString();
  const organization: Organization = { id: newId(), shortName: null, kind: 'ministry', country: 'BY', parentId: null, createdAt: now, updatedAt: now, ...fields };
  app.db.insert(organizations).values(organization).run();
  return organization;
}

export function createMeeting(app: App, commissionId: string, overrides: Record<string, unknown> = {}) {
  return post(app, '/v1/meetings', {
    commissionId,
    kind: 'official_visit',
    title: 'Official visit to Astana',
    date: '2026-11-04',
    place: 'Astana',
    protocolNumber: '1',
    ...overrides,
  });
}

export function createPlan(app: App, commissionId: string, overrides: Record<string, unknown> = {}) {
  return post(app, '/v1/plans', {
    commissionId,
    title: 'Plan of measures 2026–2027',
    periodStart: '2026-01-01',
    periodEnd: '2027-12-31',
    ...overrides,
  });
}

export function createTask(app: App, body: Record<string, unknown>) {
  return post(app, '/v1/tasks', { area: 'mechanical_engineering', title: 'A measure', ...body });
}

export function approvePlan(app: App, planId: string) {
  return post(app, `/v1/plans/${planId}/approve`, undefined);
}

/** A draft plan of the commission with `n` tasks coded `<section>.1` to `<section>.n`, due 2026-12-31, each with these assignees. */
export async function planWithTasks(app: App, commissionId: string, n: number, assignees: readonly object[], section = '2') {
  const plan = await createPlan(app, commissionId);
  for (let i = 1; i <= n; i++) await createTask(app, { planId: plan.id, code: `${section}.${i}`, dueDate: '2026-12-31', assignees });
  return plan;
}

const plansSeeded = new WeakMap<App, number>();

/**
 * A commission with one ministry per side, a meeting and a draft plan: the usual start of a task test. The ministries
 * are Minprom (BY) and MIC (KZ); seeded again in the same app (the fuzzer's worlds), they are "Minprom 2", "MIC 2"...,
 * as names are unique in their country.
 */
export async function seedPlan(app: App) {
  const seeded = (plansSeeded.get(app) ?? 0) + 1;
  plansSeeded.set(app, seeded);
  const nth = seeded === 1 ? '' : ` ${seeded}`;
  const commission = await createCommission(app);
  const by = await createOrganization(app, { name: `Ministry of Industry of Belarus${nth}`, shortName: `Minprom${nth}`, country: 'BY' });
  const kz = await createOrganization(app, { name: `Ministry of Industry and Construction of Kazakhstan${nth}`, shortName: `MIC${nth}`, country: 'KZ' });
  const meeting = await createMeeting(app, commission.id);
  const plan = await createPlan(app, commission.id);
  const assignees = [
    { organizationId: by.id, role: 'lead' },
    { organizationId: kz.id, role: 'lead' },
  ];
  return { commission, by, kz, meeting, plan, assignees };
}

/** Reads a task back through the API. */
export async function getTask(app: App, id: string): Promise<Task> {
  const res = await app.inject({ method: 'GET', url: `/v1/tasks/${id}` });
  return JSON.parse(res.body) as Task;
}

/** Moves a task to `to`, failing loudly when the transition is refused. */
export async function transition(app: App, id: string, to: string): Promise<Task> {
  const res = await app.inject({ method: 'POST', url: `/v1/tasks/${id}/transitions`, payload: { to } });
  if (res.statusCode !== 200) throw new Error(`transition to ${to} answered ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body) as Task;
}

/** A task (code 1.1, due `dueDate`) in an approved plan; with `timeZone`, the plan belongs to a commission in that zone. */
export async function approvedTask(app: App, { dueDate = '2026-12-31', timeZone }: { dueDate?: string; timeZone?: string } = {}) {
  let seed = await seedPlan(app);
  if (timeZone) {
    const commission = await createCommission(app, { timeZone });
    const plan = await createPlan(app, commission.id);
    seed = { ...seed, commission, plan };
  }
  const task: Task = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate, assignees: seed.assignees });
  await approvePlan(app, seed.plan.id);
  return { ...seed, task };
}
