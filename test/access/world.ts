// Fixtures of the access tests: a seeded world (two ministries, their tasks, one key per role) and the route inventory.
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import type { Role } from '../../src/db/enums.js';
import type { DeadlineChange } from '../../src/modules/deadline-changes/deadline-changes.schemas.js';
import type { Task } from '../../src/modules/tasks/tasks.schemas.js';
import { json, keyFor } from '../helper.js';
import { approvePlan, createPlan, createTask, seedPlan } from '../factories.js';

export const ROLE_NAMES = ['secretariat', 'co_chair', 'ministry', 'observer'] as const satisfies readonly Role[];

/** A date after the test clock's "today" (2026-11-28), so deadline requests are not in the past. */
export const LATER = '2027-03-01';

/** Whose task: the ministry key's own organization (BY) executes it, or only the other one (KZ) does. */
export type Owner = 'own' | 'other';

export type Key = Awaited<ReturnType<typeof keyFor>>;

/**
 * An approved plan with one task executed only by BY and one only by KZ, a draft plan, and a key per role;
 * the ministry key is BY's. Everything is created through the API as the bootstrap secretariat.
 */
export async function seedWorld(app: App) {
  const { commission, by, kz, meeting, plan } = await seedPlan(app);
  let codes = 0;
  const nextCode = () => `9.${++codes}`;
  const assigneesOf = (owner: Owner) => [{ organizationId: owner === 'own' ? by.id : kz.id, role: 'lead' }];

  const ownTask: Task = await createTask(app, { planId: plan.id, code: nextCode(), dueDate: '2026-12-31', assignees: assigneesOf('own') });
  const otherTask: Task = await createTask(app, { planId: plan.id, code: nextCode(), dueDate: '2026-12-31', assignees: assigneesOf('other') });
  await approvePlan(app, plan.id);
  const draftPlan = await createPlan(app, commission.id, { title: 'Draft plan of measures' });

  const keys: Record<Role, Key> = {
    secretariat: await keyFor(app, 'secretariat'),
    co_chair: await keyFor(app, 'co_chair'),
    ministry: await keyFor(app, 'ministry', by.id),
    observer: await keyFor(app, 'observer'),
  };

  /** A new task of the approved plan (or of `planId`), executed by `owner`'s organization only. */
  const freshTask = (owner: Owner, planId: string = plan.id): Promise<Task> =>
    createTask(app, { planId, code: nextCode(), dueDate: '2026-12-31', assignees: assigneesOf(owner) });

  /** A new draft plan holding one task, ready to be approved. */
  const freshDraftPlan = async () => {
    const draft = await createPlan(app, commission.id, { title: `Draft ${nextCode()}` });
    await freshTask('own', draft.id);
    return draft;
  };

  /** A pending deadline request on a task, asked by the secretariat. */
  const pendingRequest = async (taskId: string): Promise<DeadlineChange> => {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/tasks/${taskId}/deadline-changes`,
      payload: { kind: 'request', newDueDate: LATER, reason: 'The partner asked for more time' },
    });
    if (res.statusCode !== 201) throw new Error(`deadline request answered ${res.statusCode}: ${res.body}`);
    return json(res);
  };

  return { commission, by, kz, meeting, plan, draftPlan, ownTask, otherTask, keys, nextCode, freshTask, freshDraftPlan, pendingRequest };
}

export type World = Awaited<ReturnType<typeof seedWorld>>;

export interface Operation {
  operationId: string;
  method: string;
  /** The OpenAPI path template, e.g. /v1/tasks/{id}. */
  path: string;
}

/** Every operation the running app documents, read from its OpenAPI document. */
export function operationsOf(app: App): Operation[] {
  const doc = app.swagger() as { paths: Record<string, Record<string, { operationId?: string }>> };
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      out.push({ operationId: String(op.operationId), method: method.toUpperCase(), path });
    }
  }
  return out;
}

/**
 * Every route the router holds (method and path, HEAD left out), parsed from `printRoutes`: the OpenAPI
 * document leaves hidden routes out, the router does not.
 */
export function routesOf(app: App): { method: string; path: string }[] {
  const stack: string[] = [];
  const out: { method: string; path: string }[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(m[2] ?? '');
    const path = stack.join('');
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      if (method !== 'HEAD') out.push({ method, path });
    }
  }
  return out;
}

/** Whether a concrete URL (query string ignored) fits an OpenAPI path template. */
export function fitsTemplate(url: string, template: string): boolean {
  const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
  return pattern.test(url.split('?')[0] ?? url);
}

/** The injected request of a case, with the key of `role` (or none). */
export function as(request: InjectOptions, key: Key | null): InjectOptions {
  return { ...request, headers: { ...(request.headers ?? {}), authorization: key ? key.headers.authorization : undefined } };
}
