// A well-formed request for every operation of the API over the seeded access world (world.ts): the access
// matrix sends each as every role, the idempotency tests send each idempotent POST twice.
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import { json, keyFor } from '../helper.js';
import { approvePlan } from '../factories.js';
import { LATER, type Owner, type World } from './world.js';

export const get = (url: string): InjectOptions => ({ method: 'GET', url });
export const post = (url: string, payload?: object): InjectOptions => ({ method: 'POST', url, ...(payload ? { payload } : {}) });
export const patch = (url: string, payload: object): InjectOptions => ({ method: 'PATCH', url, payload });
export const del = (url: string): InjectOptions => ({ method: 'DELETE', url });
export const put = (url: string, payload: object): InjectOptions => ({ method: 'PUT', url, payload });

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

/** A new indicator of the plan's own task; with `q3`, its value recorded for 2026-Q3. */
const freshIndicator = async (w: World, app: App, q3?: number) => {
  const indicator = await seed(app, post('/v1/indicators', { planId: w.plan.id, taskId: w.ownTask.id, name: 'Tractors assembled', unit: 'tractors', baseline: 0, target: 1500 }));
  if (q3 !== undefined) await seed(app, put(`/v1/indicators/${indicator.id}/values/2026-Q3`, { value: q3 }));
  return indicator;
};

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
export type Builder = (w: World, app: App, owner: Owner) => Promise<InjectOptions>;

let organizationsBuilt = 0;

export const BUILDERS: Record<string, Builder> = {
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
  // Numbered: a second organization of one name in a country is 409, and a builder may be called again in one world.
  createOrganization: async () => post('/v1/organizations', { name: `Ministry of Energy No. ${++organizationsBuilt}`, kind: 'ministry', country: 'KZ' }),
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
  withdrawDeadlineChange: async (w, app, owner) => {
    // Asked by the task's executor: the ministry key's organization (BY) on its own task, KZ on the other.
    const task = await w.freshTask(owner);
    const asker = owner === 'own' ? w.keys.ministry : await keyFor(app, 'ministry', w.kz.id);
    const change = await seed(app, {
      ...post(`/v1/tasks/${task.id}/deadline-changes`, { kind: 'request', newDueDate: LATER, reason: 'Certification takes longer' }),
      headers: asker.headers,
    });
    return post(`/v1/tasks/${task.id}/deadline-changes/${change.id}/withdrawal`, { comment: 'The work caught up' });
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
  deleteIndicator: async (w, app) =>
    del(`/v1/indicators/${(await seed(app, post('/v1/indicators', { planId: w.draftPlan.id, name: 'Trade turnover', unit: 'USD million', baseline: 700, target: 1000 }))).id}`),
  withdrawIndicatorValue: async (w, app) => del(`/v1/indicators/${(await freshIndicator(w, app, 800)).id}/values/2026-Q3`),

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
  replayWebhookEvents: async (w, app) => post(`/v1/webhooks/${(await freshWebhook(w, app)).id}/replay`, { since: '2026-11-01T00:00:00Z' }),
  redeliverFailedWebhookDeliveries: async (w, app) => post(`/v1/webhooks/${(await freshWebhook(w, app)).id}/redeliver`, { since: '2026-11-01T00:00:00Z' }),
};
