// Tests of report.missing: raised by the worker's scan once the submission deadline of the last period due has passed in
// the commission's time zone, once per task, organization and period, by the co-chairs' report's own rule, only for
// approved plans, to the secretariat's subscriptions and the owing organization's alone.
import { readFile } from 'node:fs/promises';
import t from 'tap';
import type { Test } from 'tap';
import type { App } from '../../src/app.js';
import { WebhookEventSchema } from '../../src/modules/webhooks/webhooks.payloads.js';
import { NOT_REPLAYED } from '../../src/modules/webhooks/webhooks.replay.js';
import { createWebhookWorker } from '../../src/modules/webhooks/webhooks.worker.js';
import { json, keyFor, testClock } from '../helper.js';
import { approvePlan, createOrganization, createPlan, createTask, seedPlan } from '../factories.js';
import { startReceiver, subscribe, webhookApp, type Receiver } from './receiver.js';

/** 2026-Q3 reports are due by 10 October (10 days after the quarter); Minsk is UTC+3, so that day ends at 21:00 UTC. */
const DEADLINE_DAY_LAST_MINUTE = '2026-10-10T20:59:00.000Z';
const DAY_AFTER = '2026-10-10T21:00:00.000Z';

async function ok(app: App, method: 'POST' | 'PATCH', url: string, payload?: object) {
  const res = await app.inject({ method, url, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return json(res);
}

const report = (app: App, taskId: string, organizationId: string) =>
  ok(app, 'POST', `/v1/tasks/${taskId}/reports`, { organizationId, period: '2026-Q3', percentComplete: 30, confidence: 'amber', narrative: 'Under way.' });

/**
 * An approved plan (approved on 15 July, after the Q2 deadline: it owes Q3 first) with 1.1 (BY and KZ; KZ reports Q3 in time) and 1.2 (BY and KZ; nobody reports,
 * MTZ joins after the deadline); a draft plan and a plan closed before the deadline, each with a task of BY owing Q3.
 * Subscribed to report.missing: the secretariat for every organization, BY's and KZ's ministry keys for their own.
 */
async function missingWorld(t: Test) {
  const clock = testClock('2026-07-15T09:00:00.000Z');
  const app = await webhookApp(t, clock);
  const seed = await seedPlan(app);
  const { by, kz } = seed;
  const both = seed.assignees;
  const reported = await createTask(app, { planId: seed.plan.id, code: '1.1', dueDate: '2026-12-31', assignees: both });
  const silent = await createTask(app, { planId: seed.plan.id, code: '1.2', dueDate: '2026-12-31', assignees: both });
  await approvePlan(app, seed.plan.id);
  const draft = await createPlan(app, seed.commission.id, { title: 'Draft plan' });
  await createTask(app, { planId: draft.id, code: '1.1', dueDate: '2026-12-31', assignees: [{ organizationId: by.id, role: 'lead' }] });
  const closed = await createPlan(app, seed.commission.id, { title: 'Closed plan' });
  const closedTask = await createTask(app, { planId: closed.id, code: '1.1', dueDate: '2026-12-31', assignees: [{ organizationId: by.id, role: 'lead' }] });
  await approvePlan(app, closed.id);

  clock.set('2026-10-05T09:00:00.000Z');
  await report(app, reported.id, kz.id);
  await ok(app, 'POST', `/v1/plans/${closed.id}/close`);

  const receivers = { secretariat: await startReceiver(t), by: await startReceiver(t), kz: await startReceiver(t) };
  await subscribe(app, { url: receivers.secretariat.url, events: ['report.missing'] });
  await subscribe(app, { url: receivers.by.url, events: ['report.missing'] }, (await keyFor(app, 'ministry', by.id)).headers);
  await subscribe(app, { url: receivers.kz.url, events: ['report.missing'] }, (await keyFor(app, 'ministry', kz.id)).headers);

  // Assigned after the deadline: it could never have met it.
  clock.set(DAY_AFTER);
  const mtz = await createOrganization(app, { name: 'MTZ', kind: 'enterprise', country: 'BY' });
  await ok(app, 'PATCH', `/v1/tasks/${silent.id}`, { assignees: [...both, { organizationId: mtz.id, role: 'co_executor' }] });
  return { app, clock, seed, reported, silent, closed, closedTask, mtz, receivers };
}

type Names = Record<string, string>;
/** What a receiver got, as "code organization period deadline", sorted. */
const got = (r: Receiver, names: Names) =>
  r.ofType('report.missing').map((x) => `${x.json.data.task.code} ${names[x.json.data.organizationId]} ${x.json.data.period} ${x.json.data.submissionDeadline}`).sort();

t.test('raised once the deadline day has ended, for each organization without its report, to its own and the secretariat’s subscriptions', async (t) => {
  const { app, clock, seed, reported, silent, mtz, receivers } = await missingWorld(t);
  const names: Names = { [seed.by.id]: 'BY', [seed.kz.id]: 'KZ', [mtz.id]: 'MTZ' };

  clock.set(DEADLINE_DAY_LAST_MINUTE);
  t.equal((await app.webhooks.runOnce()).missingRaised, 0, '23:59 in Minsk on the deadline day: not missing yet');
  t.equal(app.sqlite.prepare("SELECT count(*) FROM webhook_events WHERE type = 'report.missing'").pluck().get(), 0, 'nothing stored');

  clock.set('2026-10-11T09:00:00.000Z');
  t.match(await app.webhooks.runOnce(), { missingRaised: 3, attempted: 6, succeeded: 6 });
  t.strictSame(
    got(receivers.secretariat, names),
    ['1.1 BY 2026-Q3 2026-10-10', '1.2 BY 2026-Q3 2026-10-10', '1.2 KZ 2026-Q3 2026-10-10'],
    'KZ reported 1.1; MTZ joined 1.2 after the deadline; the draft and the closed plan owe nothing here',
  );
  t.strictSame(got(receivers.by, names), ['1.1 BY 2026-Q3 2026-10-10', '1.2 BY 2026-Q3 2026-10-10'], 'BY hears of its own missing reports');
  t.strictSame(got(receivers.kz, names), ['1.2 KZ 2026-Q3 2026-10-10'], 'KZ, an executor of 1.1 too, does not hear of BY’s missing report');

  const byOn11 = receivers.secretariat.ofType('report.missing').find((x) => x.json.data.task.id === reported.id);
  t.strictSame(byOn11?.json, {
    type: 'report.missing',
    timestamp: '2026-10-11T09:00:00.000Z',
    data: {
      task: {
        id: reported.id,
        planId: seed.plan.id,
        commissionId: seed.commission.id,
        code: '1.1',
        title: reported.title,
        status: 'not_started',
        dueDate: '2026-12-31',
        originalDueDate: '2026-12-31',
        postponementCount: 0,
        overdue: false,
        daysOverdue: 0,
        assignees: [
          { organizationId: seed.by.id, role: 'lead' },
          { organizationId: seed.kz.id, role: 'lead' },
        ],
      },
      organizationId: seed.by.id,
      period: '2026-Q3',
      periodStart: '2026-07-01',
      periodEnd: '2026-09-30',
      submissionDeadline: '2026-10-10',
    },
  });
  const sameEvent = (r: Receiver) => r.ofType('report.missing').find((x) => x.json.data.task.id === silent.id && x.json.data.organizationId === seed.by.id)?.headers['webhook-id'];
  t.equal(sameEvent(receivers.by), sameEvent(receivers.secretariat), 'one event (one webhook-id) for both its subscribers');

  t.equal((await app.webhooks.runOnce()).missingRaised, 0, 'not twice the same day');
  clock.set('2026-10-12T09:00:00.000Z');
  await report(app, silent.id, seed.by.id);
  t.equal((await app.webhooks.runOnce()).missingRaised, 0, 'nor the next day, still missing or reported late');
  clock.set('2026-12-20T09:00:00.000Z');
  t.equal((await app.webhooks.runOnce()).missingRaised, 0, 'nor weeks later, while Q3 is still the last period due');
  t.equal(receivers.secretariat.ofType('report.missing').length, 3);
  t.equal(receivers.by.ofType('report.missing').length, 2);
  t.equal(receivers.kz.ofType('report.missing').length, 1);
});

t.test('a look in slices of one task raises what a look in one slice does, the event loop turning in between', async (t) => {
  const { app, clock, seed, mtz, receivers } = await missingWorld(t);
  const names: Names = { [seed.by.id]: 'BY', [seed.kz.id]: 'KZ', [mtz.id]: 'MTZ' };
  const worker = createWebhookWorker({ db: app.db, clock: app.clock, log: app.log, settings: { ...app.webhooks.settings, missingSlice: 1 }, resolve: app.webhooks.resolve });
  t.teardown(() => worker.stop());
  clock.set('2026-10-11T09:00:00.000Z');
  const events = () => app.sqlite.prepare("SELECT count(*) FROM webhook_events WHERE type = 'report.missing'").pluck().get() as number;
  // A callback on every turn of the event loop while the worker runs, noting how many events it finds.
  const seen = new Set<number>();
  let watching = true;
  const watch = () => {
    seen.add(events());
    if (watching) setImmediate(watch);
  };
  setImmediate(watch);
  const summary = await worker.runOnce();
  watching = false;
  t.match(summary, { missingRaised: 3, attempted: 6, succeeded: 6 });
  // 1.1's slice raises BY's; 1.2's then raises BY's and KZ's.
  t.ok(seen.has(1), `another callback ran between the slices of the plan’s two tasks (it saw ${[...seen].join(', ')} events)`);
  t.strictSame(got(receivers.secretariat, names), ['1.1 BY 2026-Q3 2026-10-10', '1.2 BY 2026-Q3 2026-10-10', '1.2 KZ 2026-Q3 2026-10-10']);
  t.equal((await worker.runOnce()).missingRaised, 0, 'not twice the same day');
});

t.test('an organization on a task at the deadline, taken off and put back since, is told its report is missing, in slices too', async (t) => {
  const { app, clock, seed, silent, mtz, receivers } = await missingWorld(t);
  const names: Names = { [seed.by.id]: 'BY', [seed.kz.id]: 'KZ', [mtz.id]: 'MTZ' };
  // KZ was on 1.2 when the Q3 deadline day ended; it is taken off and put back the day after.
  clock.set('2026-10-11T06:00:00.000Z');
  await ok(app, 'PATCH', `/v1/tasks/${silent.id}`, { assignees: [{ organizationId: seed.by.id, role: 'lead' }] });
  await ok(app, 'PATCH', `/v1/tasks/${silent.id}`, { assignees: [...seed.assignees, { organizationId: mtz.id, role: 'co_executor' }] });
  const worker = createWebhookWorker({ db: app.db, clock: app.clock, log: app.log, settings: { ...app.webhooks.settings, missingSlice: 1 }, resolve: app.webhooks.resolve });
  t.teardown(() => worker.stop());
  clock.set('2026-10-11T09:00:00.000Z');
  t.match(await worker.runOnce(), { missingRaised: 3 });
  t.strictSame(got(receivers.kz, names), ['1.2 KZ 2026-Q3 2026-10-10'], 'KZ hears of its missing Q3 report on 1.2');
  const progress = json(await app.inject({ url: `/v1/reports/progress?planId=${seed.plan.id}` }));
  t.strictSame(
    progress.missingReports.map((m: { code: string; organizationId: string }) => `${m.code} ${names[m.organizationId]}`).sort(),
    ['1.1 BY', '1.2 BY', '1.2 KZ'],
    "as the co-chairs' report lists it",
  );
});

t.test('the events of a day are the co-chairs’ report’s missingReports for that day, for approved plans', async (t) => {
  const { app, clock, seed, closed, closedTask, receivers } = await missingWorld(t);
  clock.set('2026-10-11T09:00:00.000Z');
  await app.webhooks.runOnce();
  const events = receivers.secretariat
    .ofType('report.missing')
    .map((x) => [x.json.data.task.id, x.json.data.organizationId, x.json.data.period, x.json.data.submissionDeadline].join(' '))
    .sort();
  const progress = json(await app.inject({ url: `/v1/reports/progress?planId=${seed.plan.id}` }));
  const listed = progress.missingReports.map((m: { taskId: string; organizationId: string; period: string; deadline: string }) => [m.taskId, m.organizationId, m.period, m.deadline].join(' ')).sort();
  t.equal(listed.length, 3);
  t.strictSame(events, listed, 'the same task, organization, period and deadline, no more and no less');

  // The plan closed before the deadline took no report by then (a closed plan is read-only): it owes none, in the
  // commission's report as in report.missing.
  const commission = json(await app.inject({ url: `/v1/reports/progress?commissionId=${seed.commission.id}` }));
  const ofClosed = commission.missingReports.filter((m: { taskId: string }) => m.taskId === closedTask.id);
  t.equal(ofClosed.length, 0, `the closed plan ${closed.id} has no missing report in the co-chairs' report`);
  t.notOk(
    receivers.secretariat.ofType('report.missing').some((x) => x.json.data.task.planId === closed.id),
    'but no report.missing',
  );
});

t.test('nothing is raised or stored while no active subscription wants report.missing; a later subscriber gets the events', async (t) => {
  const { app, clock, receivers } = await missingWorld(t);
  clock.set('2026-10-11T09:00:00.000Z');
  for (const r of Object.values(receivers)) {
    const list = json(await app.inject({ url: '/v1/webhooks' }));
    for (const s of list.items.filter((s: { url: string }) => s.url === r.url)) await ok(app, 'PATCH', `/v1/webhooks/${s.id}`, { active: false });
  }
  t.equal((await app.webhooks.runOnce()).missingRaised, 0);
  t.equal(app.sqlite.prepare("SELECT count(*) FROM webhook_events WHERE type = 'report.missing'").pluck().get(), 0, 'not even kept for a replay');
  t.ok(NOT_REPLAYED.includes('report.missing'), 'report.missing is not replayed, as task.overdue is not');
  const late = await startReceiver(t);
  await subscribe(app, { url: late.url, events: ['report.missing'] });
  t.equal((await app.webhooks.runOnce()).missingRaised, 3, 'a subscription created after the deadline hears of what is still missing');
  t.equal(late.ofType('report.missing').length, 3);
});

t.test('each body is a WebhookEvent as the zod schema and the published document describe it', async (t) => {
  const doc = JSON.parse(await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
  const resolve = (schema: any): any => (schema?.$ref ? resolve(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]) : schema);
  const { app, clock, receivers } = await missingWorld(t);
  clock.set('2026-10-11T09:00:00.000Z');
  await app.webhooks.runOnce();
  const received = receivers.secretariat.ofType('report.missing');
  t.equal(received.length, 3);
  const entry = doc.webhooks['report.missing'].post.requestBody.content['application/json'].schema;
  t.equal(entry.$ref, '#/components/schemas/WebhookReportMissingEvent', 'its own webhooks entry');
  t.match(doc.webhooks['report.missing'].post.description, /not replayed/, 'the document says it is not replayed');
  const body = resolve(entry);
  t.strictSame(body.properties.type.enum, ['report.missing']);
  const data = resolve(body.properties.data);
  t.equal(data.properties.task.$ref, '#/components/schemas/WebhookTask', 'the task by $ref');
  const check = (schema: any, value: any, path: string) => {
    const obj = resolve(schema);
    t.strictSame(Object.keys(value).filter((k) => !(k in obj.properties)), [], `${path}: no undocumented field`);
    t.strictSame((obj.required ?? []).filter((k: string) => !(k in value)), [], `${path}: every required field`);
  };
  for (const r of received) {
    check(body, r.json, 'body');
    check(data, r.json.data, 'data');
    check(data.properties.task, r.json.data.task, 'task');
    t.ok(r.documented, 'the receiver found it a WebhookEvent');
    t.equal(WebhookEventSchema.parse(r.json).type, 'report.missing');
  }
});

t.test('the worker looks for missing reports again only when a day ends or a subscription starts wanting them', async (t) => {
  // The look reads every task of the approved plans, as the co-chairs' report does: not on every run of the loop.
  const { app, clock, seed, silent, receivers } = await missingWorld(t);
  clock.set('2026-10-11T09:00:00.000Z');
  t.equal((await app.webhooks.runOnce()).missingRaised, 3, 'raised at the look after the deadline');
  const look = async () => (await app.webhooks.runScheduled()).missingRaised;
  // A report missing that no look has raised yet (its row written past the API, as a look would find it): a look
  // that runs raises it, one that does not leaves it.
  app.sqlite.prepare("DELETE FROM webhook_events WHERE type = 'report.missing' AND dedupe_key LIKE ?").run(`%${silent.id}:${seed.kz.id}%`);
  clock.set('2026-10-11T20:59:00.000Z');
  t.equal(await look(), 0, 'the same day in Minsk, nothing changed: no look');
  clock.set('2026-10-11T21:00:00.000Z');
  t.equal(await look(), 1, 'a new day in Minsk: looked again');
  t.equal(await look(), 0, 'and not again at once');

  const late = await startReceiver(t);
  await subscribe(app, { url: late.url, events: ['report.missing'] });
  clock.set('2026-10-11T21:05:00.000Z');
  t.equal(await look(), 3, 'a new subscription: looked again, and it hears of the reports still missing');
  t.equal(late.ofType('report.missing').length, 3);
  t.equal(receivers.secretariat.ofType('report.missing').length, 4, 'the others are not sent them twice');
  t.equal(await look(), 0);
});
