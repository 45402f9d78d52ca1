// Every operation × every role, read from the running app: POLICY's answer is what a caller gets, and a
// refusal changes nothing. A route without a rule, a rule without a route, or a route without a request
// builder here fails the suite.
import t from 'tap';
import type { Test } from 'tap';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import type { Role } from '../../src/db/enums.js';
import { POLICY, ruleOf } from '../../src/lib/access.js';
import { build, json, keyFor, refused } from '../helper.js';
import { approvePlan, transition } from '../factories.js';
import { as, fitsTemplate, LATER, operationsOf, ROLE_NAMES, routesOf, seedWorld, type Owner, type World } from './world.js';

const get = (url: string): InjectOptions => ({ method: 'GET', url });
const post = (url: string, payload?: object): InjectOptions => ({ method: 'POST', url, ...(payload ? { payload } : {}) });
const patch = (url: string, payload: object): InjectOptions => ({ method: 'PATCH', url, payload });
const del = (url: string): InjectOptions => ({ method: 'DELETE', url });
const put = (url: string, payload: object): InjectOptions => ({ method: 'PUT', url, payload });

/** Calls the API as the secretariat (the helper's default key) and returns the parsed 2xx body. */
async function seed(app: App, request: InjectOptions): Promise<any> {
  const res = await app.inject(request);
  if (res.statusCode >= 300) throw new Error(`${request.method} ${request.url} answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

/** A fresh task of `owner` with a progress report of its executing organization, submitted for 2026-Q4. */
async function freshReport(w: World, app: App, owner: Owner) {
  const task = await w.freshTask(owner);
  const organizationId = owner === 'own' ? w.by.id : w.kz.id;
  const report = await seed(app, post(`/v1/tasks/${task.id}/reports`, { organizationId, period: '2026-Q4', percentComplete: 20, confidence: 'amber', narrative: 'Contracts under negotiation.' }));
  return { task, report };
}

const freshIndicator = (w: World, app: App) =>
  seed(app, post('/v1/indicators', { planId: w.plan.id, taskId: w.ownTask.id, name: 'Tractors assembled', unit: 'tractors', baseline: 0, target: 1500 }));

/** A one-row roadmap table in CSV, as the plan import takes it. */
const importTable = (url: string, code: string): InjectOptions => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'text/csv' },
  payload: `№;Мероприятие;Срок;Исполнители\r\n${code};Imported measure;31.12.2027;Ministry of Industry of Belarus\r\n`,
});

const freshLink = (w: World, app: App) => seed(app, post('/v1/share-links', { name: 'Calendar of Minprom', kind: 'calendar', planId: w.plan.id }));

/**
 * A webhook subscription of the ministry key's organization (BY), created paused: no event is queued for it and the
 * worker never sends, so nothing changes behind a refusal's back.
 */
const freshWebhook = (w: World, app: App) =>
  seed(app, post('/v1/webhooks', { url: 'https://203.0.113.10/hooks', events: ['task.created'], organizationId: w.by.id, active: false }));
/** A delivery of that subscription: its test event, waiting while the subscription is paused. */
async function freshDelivery(w: World, app: App) {
  const hook = await freshWebhook(w, app);
  return { hook, delivery: await seed(app, post(`/v1/webhooks/${hook.id}/test`)) };
}

/**
 * A well-formed request for each operation, over the seeded world; `owner` picks whose task a task-scoped
 * write names. Builders that consume their object (approve, close, delete, decide, revoke...) make a fresh one.
 */
type Builder = (w: World, app: App, owner: Owner) => Promise<InjectOptions>;

const BUILDERS: Record<string, Builder> = {
  getHealth: async () => get('/health'),

  listCommissions: async () => get('/v1/commissions'),
  getCommission: async (w) => get(`/v1/commissions/${w.commission.id}`),
  createCommission: async () =>
    post('/v1/commissions', {
      name: 'Belarus–Uzbekistan Intergovernmental Commission',
      timeZone: 'Asia/Tashkent',
      parties: [
        { country: 'BY', coChair: { name: 'Co-chair BY', position: 'Minister' } },
        { country: 'UZ', coChair: { name: 'Co-chair UZ', position: 'Minister' } },
      ],
    }),
  updateCommission: async (w) => patch(`/v1/commissions/${w.commission.id}`, { name: 'Renamed commission' }),

  listOrganizations: async () => get('/v1/organizations'),
  getOrganization: async (w) => get(`/v1/organizations/${w.by.id}`),
  createOrganization: async () => post('/v1/organizations', { name: 'Ministry of Energy', kind: 'ministry', country: 'KZ' }),
  updateOrganization: async (w) => patch(`/v1/organizations/${w.kz.id}`, { shortName: 'MIC KZ' }),

  listMeetings: async () => get('/v1/meetings'),
  getMeeting: async (w) => get(`/v1/meetings/${w.meeting.id}`),
  createMeeting: async (w) =>
    post('/v1/meetings', { commissionId: w.commission.id, kind: 'working_group', title: 'Working group on industry', date: '2026-10-01', place: 'Minsk' }),
  updateMeeting: async (w) => patch(`/v1/meetings/${w.meeting.id}`, { place: 'Almaty' }),

  listPlans: async () => get('/v1/plans'),
  getPlan: async (w) => get(`/v1/plans/${w.plan.id}`),
  createPlan: async (w) =>
    post('/v1/plans', { commissionId: w.commission.id, title: 'Plan 2028', periodStart: '2028-01-01', periodEnd: '2028-12-31' }),
  updatePlan: async (w) => patch(`/v1/plans/${w.draftPlan.id}`, { title: 'Draft plan, renamed' }),
  approvePlan: async (w) => post(`/v1/plans/${(await w.freshDraftPlan()).id}/approve`),
  closePlan: async (w, app) => {
    const draft = await w.freshDraftPlan();
    await approvePlan(app, draft.id);
    return post(`/v1/plans/${draft.id}/close`);
  },
  listPlanHistory: async (w) => get(`/v1/plans/${w.plan.id}/history`),

  listTasks: async () => get('/v1/tasks'),
  getTask: async (w) => get(`/v1/tasks/${w.ownTask.id}`),
  createTask: async (w) =>
    post('/v1/tasks', {
      planId: w.draftPlan.id,
      code: w.nextCode(),
      title: 'A new measure',
      area: 'trade',
      dueDate: '2027-06-30',
      assignees: [{ organizationId: w.by.id, role: 'lead' }],
    }),
  updateTask: async (w, _app, owner) => patch(`/v1/tasks/${(await w.freshTask(owner)).id}`, { title: 'Renamed measure' }),
  deleteTask: async (w, _app, owner) => del(`/v1/tasks/${(await w.freshTask(owner, w.draftPlan.id)).id}`),
  transitionTask: async (w, _app, owner) => post(`/v1/tasks/${(await w.freshTask(owner)).id}/transitions`, { to: 'in_progress' }),
  listTaskTransitions: async (w) => get(`/v1/tasks/${w.ownTask.id}/transitions`),
  listTaskHistory: async (w) => get(`/v1/tasks/${w.ownTask.id}/history`),

  listDeadlineChanges: async (w) => get(`/v1/tasks/${w.ownTask.id}/deadline-changes`),
  getDeadlineChange: async (w) => {
    const task = await w.freshTask('own');
    return get(`/v1/tasks/${task.id}/deadline-changes/${(await w.pendingRequest(task.id)).id}`);
  },
  createDeadlineChange: async (w, _app, owner) =>
    post(`/v1/tasks/${(await w.freshTask(owner)).id}/deadline-changes`, { kind: 'request', newDueDate: LATER, reason: 'Certification takes longer' }),
  decideDeadlineChange: async (w, _app, owner) => {
    const task = await w.freshTask(owner);
    const change = await w.pendingRequest(task.id);
    return post(`/v1/tasks/${task.id}/deadline-changes/${change.id}/decision`, { decision: 'approve', basis: 'Protocol No. 19, item 4.1' });
  },

  getPlanImportTemplate: async (w) => get(`/v1/plans/import-template?planId=${w.plan.id}`),
  previewPlanImport: async (w) => importTable(`/v1/plans/${w.plan.id}/import/preview`, w.nextCode()),
  commitPlanImport: async (w) => importTable(`/v1/plans/${w.plan.id}/import`, w.nextCode()),

  listTaskReports: async (w) => get(`/v1/tasks/${w.ownTask.id}/reports`),
  getTaskReport: async (w, app) => {
    const { task, report } = await freshReport(w, app, 'own');
    return get(`/v1/tasks/${task.id}/reports/${report.id}`);
  },
  submitTaskReport: async (w, _app, owner) =>
    post(`/v1/tasks/${(await w.freshTask(owner)).id}/reports`, {
      organizationId: owner === 'own' ? w.by.id : w.kz.id,
      period: '2026-Q4',
      percentComplete: 40,
      confidence: 'green',
      narrative: 'Assembly line commissioned.',
    }),
  reviseTaskReport: async (w, app, owner) => {
    const { task, report } = await freshReport(w, app, owner);
    return patch(`/v1/tasks/${task.id}/reports/${report.id}`, { percentComplete: 30 });
  },
  reviewTaskReport: async (w, app, owner) => {
    const { task, report } = await freshReport(w, app, owner);
    return post(`/v1/tasks/${task.id}/reports/${report.id}/review`, { decision: 'accepted' });
  },

  listIndicators: async (w) => get(`/v1/indicators?planId=${w.plan.id}`),
  getIndicator: async (w, app) => get(`/v1/indicators/${(await freshIndicator(w, app)).id}`),
  createIndicator: async (w) => post('/v1/indicators', { planId: w.plan.id, name: 'Trade turnover', unit: 'USD million', baseline: 700, target: 1000 }),
  updateIndicator: async (w, app) => patch(`/v1/indicators/${(await freshIndicator(w, app)).id}`, { target: 2000 }),
  recordIndicatorValue: async (w, app) => put(`/v1/indicators/${(await freshIndicator(w, app)).id}/values/2026-Q3`, { value: 800 }),

  getProgressReport: async (w) => get(`/v1/reports/progress?planId=${w.plan.id}`),
  getCalendar: async (w) => get(`/v1/calendar.ics?planId=${w.plan.id}`),

  listShareLinks: async () => get('/v1/share-links'),
  createShareLink: async (w) => post('/v1/share-links', { name: 'Report for the co-chairs', kind: 'progress_report', planId: w.plan.id }),
  getShareLink: async (w, app) => get(`/v1/share-links/${(await freshLink(w, app)).id}`),
  revokeShareLink: async (w, app) => del(`/v1/share-links/${(await freshLink(w, app)).id}`),
  openShareLink: async (w, app) => get((await freshLink(w, app)).url),

  listHistory: async () => get('/v1/history'),

  listApiKeys: async () => get('/v1/api-keys'),
  createApiKey: async () => post('/v1/api-keys', { name: 'Another observer', role: 'observer' }),
  getApiKey: async (w) => get(`/v1/api-keys/${w.keys.observer.id}`),
  revokeApiKey: async (_w, app) => del(`/v1/api-keys/${(await keyFor(app, 'observer')).id}`),
  getCurrentApiKey: async () => get('/v1/api-keys/current'),

  listWebhooks: async () => get('/v1/webhooks'),
  createWebhook: async () => post('/v1/webhooks', { url: 'https://203.0.113.10/hooks', events: ['task.status_changed'], active: false }),
  getWebhook: async (w, app) => get(`/v1/webhooks/${(await freshWebhook(w, app)).id}`),
  updateWebhook: async (w, app) => patch(`/v1/webhooks/${(await freshWebhook(w, app)).id}`, { description: 'Document system' }),
  deleteWebhook: async (w, app) => del(`/v1/webhooks/${(await freshWebhook(w, app)).id}`),
  rotateWebhookSecret: async (w, app) => post(`/v1/webhooks/${(await freshWebhook(w, app)).id}/rotate-secret`),
  pingWebhook: async (w, app) => post(`/v1/webhooks/${(await freshWebhook(w, app)).id}/test`),
  listWebhookDeliveries: async (w, app) => get(`/v1/webhooks/${(await freshWebhook(w, app)).id}/deliveries`),
  getWebhookDelivery: async (w, app) => {
    const { hook, delivery } = await freshDelivery(w, app);
    return get(`/v1/webhooks/${hook.id}/deliveries/${delivery.id}`);
  },
  redeliverWebhookDelivery: async (w, app) => {
    const { hook, delivery } = await freshDelivery(w, app);
    return post(`/v1/webhooks/${hook.id}/deliveries/${delivery.id}/redeliver`);
  },
};

const sorted = (xs: Iterable<string>) => [...xs].sort();

/** A write that names a task in its path: where a ministry's ownership is at stake. */
const namesATask = (op: { method: string; path: string }) => op.method !== 'GET' && op.path.startsWith('/v1/tasks/{id}');

t.test('the inventory: every route has a rule in POLICY, every rule a route, every operation a request builder here', async (t) => {
  const app = await build(t);
  const ops = operationsOf(app);
  const ids = ops.map((o) => o.operationId);
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  t.strictSame(sorted(ids), sorted(Object.keys(POLICY)), 'the documented operations are exactly the keys of POLICY');
  t.strictSame(
    sorted(ids.filter((id) => !Object.hasOwn(BUILDERS, id))),
    [],
    'every operation has a request builder in test/access/matrix.test.ts (add one for a new route)',
  );
  t.strictSame(sorted(Object.keys(BUILDERS).filter((id) => !ids.includes(id))), [], 'no builder for an operation that is gone');

  const routes = routesOf(app);
  t.ok(routes.length >= ops.length, `the router lists ${routes.length} routes`);
  const undocumented = routes.filter(
    (r) =>
      !(r.path === '/openapi.json' || r.path === '/docs' || r.path.startsWith('/docs/') || r.path.startsWith('/docs*')) &&
      !ops.some((o) => o.method === r.method && o.path === r.path.replace(/:(\w+)/g, '{$1}')),
  );
  t.strictSame(undocumented, [], 'every route of the router is a documented operation or the API description');
  for (const o of ops) {
    t.ok(
      routes.some((r) => r.method === o.method && r.path.replace(/:(\w+)/g, '{$1}') === o.path),
      `${o.method} ${o.path} is a route of the router`,
    );
  }
  const ownTaskOps = Object.entries(POLICY).filter(([, rule]) => 'ownTask' in rule && rule.ownTask).map(([id]) => id);
  t.ok(ownTaskOps.length > 0, `ownTask operations: ${ownTaskOps.join(', ')}`);
  for (const id of ownTaskOps) {
    const op = ops.find((o) => o.operationId === id);
    t.ok(op && namesATask(op), `${id} is a write naming a task, so the ministry column below covers it`);
  }
});

/** Sends `request` as `role` and checks the answer against POLICY. */
async function check(t: Test, app: App, w: World, operationId: string, role: Role | 'anonymous', request: InjectOptions) {
  const rule = ruleOf(operationId);
  if (!rule) return t.fail(`${operationId} has no rule`);
  if (role === 'anonymous') {
    if (rule.roles === 'public') {
      const res = await app.inject(as(request, null));
      return t.ok(res.statusCode >= 200 && res.statusCode < 300, `anonymous: public, answered ${res.statusCode}`);
    }
    return refused(t, app, as(request, null), 401, 'unauthorized');
  }
  const allowed = rule.roles === 'public' || rule.roles.includes(role);
  if (!allowed) return refused(t, app, as(request, w.keys[role]), 403, 'forbidden');
  const res = await app.inject(as(request, w.keys[role]));
  t.not(res.statusCode, 401, `${role}: not 401`);
  t.not(res.statusCode, 403, `${role}: not 403`);
  t.ok(res.statusCode >= 200 && res.statusCode < 300, `${role}: allowed, and the well-formed request succeeds (${res.statusCode} ${res.statusCode >= 300 ? res.body : ''})`);
}

t.test('every operation × every role (and no key): allowed means not 401/403, denied means 403 and nothing changed', async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  for (const op of operationsOf(app)) {
    t.test(`${op.operationId} (${op.method} ${op.path})`, async (t) => {
      const builder = BUILDERS[op.operationId];
      if (!builder) {
        t.fail(`no request builder for ${op.operationId}: add one to BUILDERS in test/access/matrix.test.ts`);
        return;
      }
      for (const role of [...ROLE_NAMES, 'anonymous'] as const) {
        const request = await builder(w, app, 'own');
        t.equal(request.method, op.method, `the builder sends ${op.method}`);
        t.ok(fitsTemplate(request.url as string, op.path), `the builder's ${request.url} is ${op.path}`);
        await check(t, app, w, op.operationId, role, request);
      }
    });
  }
});

t.test("a ministry key on a task its organization does not execute: every task write is 403 and changes nothing", async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  const writes = operationsOf(app).filter(namesATask);
  t.ok(writes.length >= 5, `task writes: ${writes.map((o) => o.operationId).join(', ')}`);
  for (const op of writes) {
    t.test(op.operationId, async (t) => {
      const builder = BUILDERS[op.operationId];
      if (!builder) return t.fail(`no request builder for ${op.operationId}`);
      const request = await builder(w, app, 'other');
      const taskId = /^\/v1\/tasks\/([^/?]+)/.exec(request.url as string)?.[1];
      const task = json(await app.inject(get(`/v1/tasks/${taskId}`)));
      t.strictSame(task.assignees.map((a: { organizationId: string }) => a.organizationId), [w.kz.id], 'the task is executed by KZ only');
      const body = await refused(t, app, as(request, w.keys.ministry), 403, 'forbidden');
      t.type(body.detail, 'string');
      const again = json(await app.inject(get(`/v1/tasks/${taskId}`)));
      t.strictSame(again, task, 'the task reads the same');

      // The same request on the ministry's own task is refused only when the role may not do it at all.
      const rule = ruleOf(op.operationId);
      const own = await builder(w, app, 'own');
      const res = await app.inject(as(own, w.keys.ministry));
      const mayAct = rule !== undefined && rule.roles !== 'public' && rule.roles.includes('ministry');
      t.equal(res.statusCode === 403, !mayAct, `on its own task: ${res.statusCode}`);
    });
  }
});

t.test("on its own task a ministry key is still refused what is the secretariat's alone, and nothing changes", async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  const task = await w.freshTask('own');
  const direct = { kind: 'direct', newDueDate: '2027-01-15', reason: 'Moved at the session', basis: 'Protocol No. 19' };
  const body = await refused(t, app, as(post(`/v1/tasks/${task.id}/deadline-changes`, direct), w.keys.ministry), 403, 'forbidden');
  t.match(body.detail, /secretariat/, 'a direct deadline change is the secretariat’s');
  await refused(t, app, as(post(`/v1/tasks/${task.id}/transitions`, { to: 'cancelled' }), w.keys.ministry), 403, 'forbidden');
  await transition(app, task.id, 'in_progress');
  await transition(app, task.id, 'done');
  for (const to of ['closed', 'in_progress', 'cancelled']) {
    await refused(t, app, as(post(`/v1/tasks/${task.id}/transitions`, { to }), w.keys.ministry), 403, 'forbidden');
  }
  const asked = await app.inject(as(post(`/v1/tasks/${task.id}/deadline-changes`, { ...direct, kind: 'request', basis: undefined }), w.keys.ministry));
  t.equal(asked.statusCode, 201, 'asking for the same date is the ministry’s to do');
  await refused(
    t,
    app,
    as(post(`/v1/tasks/${task.id}/deadline-changes/${json(asked).id}/decision`, { decision: 'approve', basis: 'Self-approved' }), w.keys.ministry),
    403,
    'forbidden',
  );
});

t.test('ownership is read on every request: re-assigning a task moves who may work on it, at once', async (t) => {
  const app = await build(t);
  const w = await seedWorld(app);
  const kzKey = await keyFor(app, 'ministry', w.kz.id);
  const shared = await w.freshTask('own');
  const assign = async (...orgs: string[]) => {
    const res = await app.inject(patch(`/v1/tasks/${shared.id}`, { assignees: orgs.map((organizationId) => ({ organizationId, role: 'lead' })) }));
    t.equal(res.statusCode, 200, `assigned to ${orgs.length} organization(s)`);
  };
  await refused(t, app, as(post(`/v1/tasks/${shared.id}/transitions`, { to: 'on_hold' }), kzKey), 403, 'forbidden');

  await assign(w.by.id, w.kz.id);
  const byStarts = await app.inject(as(post(`/v1/tasks/${shared.id}/transitions`, { to: 'in_progress' }), w.keys.ministry));
  t.equal(byStarts.statusCode, 200, 'BY, one of two executors, may act');
  const kzHolds = await app.inject(as(post(`/v1/tasks/${shared.id}/transitions`, { to: 'on_hold' }), kzKey));
  t.equal(kzHolds.statusCode, 200, 'KZ, the other executor, may act');

  await assign(w.kz.id);
  await refused(t, app, as(post(`/v1/tasks/${shared.id}/transitions`, { to: 'in_progress' }), w.keys.ministry), 403, 'forbidden');
  await refused(
    t,
    app,
    as(post(`/v1/tasks/${shared.id}/deadline-changes`, { kind: 'request', newDueDate: LATER, reason: 'x' }), w.keys.ministry),
    403,
    'forbidden',
  );
  const kzResumes = await app.inject(as(post(`/v1/tasks/${shared.id}/transitions`, { to: 'in_progress' }), kzKey));
  t.equal(kzResumes.statusCode, 200, 'KZ still may');
});
