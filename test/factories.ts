// Test factories: create resources through the public API, so tests exercise the same paths callers do.
import type { App } from '../src/app.js';
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

export function createOrganization(app: App, overrides: Record<string, unknown> = {}) {
  return post(app, '/v1/organizations', { name: 'Ministry of Industry', kind: 'ministry', country: 'BY', ...overrides });
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

/** A commission with one ministry per side, a meeting and a draft plan: the usual start of a task test. */
export async function seedPlan(app: App) {
  const commission = await createCommission(app);
  const by = await createOrganization(app, { name: 'Ministry of Industry of Belarus', shortName: 'Minprom', country: 'BY' });
  const kz = await createOrganization(app, { name: 'Ministry of Industry and Construction of Kazakhstan', shortName: 'MIC', country: 'KZ' });
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
